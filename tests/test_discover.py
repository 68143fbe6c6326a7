import pytest

from pipeline.discover import find_lessons
from pipeline.source import LessonSourceError


def test_lessons_come_in_prefix_order_and_readme_is_not_a_lesson(tmp_path):
    for name in ("10-dez.md", "02-dois.md", "01-um.md", "README.md", "notas.txt"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in find_lessons(tmp_path)] == ["01-um.md", "02-dois.md", "10-dez.md"]


@pytest.mark.parametrize("name", ["1-curto.md", "01-Maiúscula.md", "01_sublinhado.md", "rascunho.md"])
def test_a_badly_named_markdown_file_is_an_error_not_silently_skipped(tmp_path, name):
    (tmp_path / name).write_text("x")
    with pytest.raises(LessonSourceError, match="nome de lição inválido"):
        find_lessons(tmp_path)
