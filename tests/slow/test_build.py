"""End to end on tiny throw-away projects: find → execute (cached) → render → write."""

import subprocess
import sys

import pytest

from curso.pipeline import build as build_module
from curso.pipeline.build import BuildError, build, generated_files
from curso.pipeline.cache import ResultCache
from curso.pipeline.execute import LessonResult
from curso.pipeline.layout import GENERATED
from curso.pipeline.source import read_lesson

from tests.helpers import lesson_text, pipeline_copy, snapshot


def test_build_writes_pages_figures_notebooks_and_report(project):
    summary = build(project)
    assert summary.executed == ["01-primeira", "02-segunda"]
    files = snapshot(project / GENERATED)
    assert set(files) == {"licoes/01-primeira.md", "licoes/02-segunda.md", "licoes/figuras/01-primeira-01.svg",
                          "licoes/figuras/celular/01-primeira-01.svg",
                          "notebooks/01-primeira.ipynb", "notebooks/02-segunda.ipynb",
                          "notebooks/01-primeira/01-primeira.ipynb", "notebooks/02-segunda/02-segunda.ipynb",
                          "sobre-a-execucao.md"}
    page = files["licoes/01-primeira.md"].decode()
    assert "soma: 6" in page and "![Uma reta subindo](figuras/01-primeira-01.svg)" in page
    report = files["sobre-a-execucao.md"].decode()
    assert "| [Lição mínima](licoes/01-primeira.md) |" in report and "| torch | 2.13.0" in report
    assert sorted(generated_files(project)) == sorted(files)
    assert snapshot(project / "docs") == {}  # docs/ holds only hand-written pages


def test_two_clean_builds_are_byte_identical(project, tmp_path_factory):
    build(project)
    first = snapshot(project / GENERATED)
    subprocess.run(["rm", "-rf", str(project / ".cache")], check=True)
    build(project)
    second = snapshot(project / GENERATED)
    first.pop("sobre-a-execucao.md"), second.pop("sobre-a-execucao.md")  # holds run times by design
    assert first == second


def test_second_build_executes_nothing_and_writes_nothing(project):
    build(project)
    again = build(project)
    assert again.executed == []
    assert again.written == []  # nothing generated says whether a result came from the cache


def append(path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_editing_prose_re_renders_without_executing(project):
    build(project)
    append(project / "lessons_src" / "02-segunda.md", "\nMais um parágrafo.\n\n## Um título novo\n")
    summary = build(project)
    assert summary.executed == []
    # the page, the notebook view and the notebook to download
    assert summary.written == ["licoes/02-segunda.md", "notebooks/02-segunda.ipynb", "notebooks/02-segunda/02-segunda.ipynb"]
    assert "Mais um parágrafo." in (project / GENERATED / "licoes" / "02-segunda.md").read_text(encoding="utf-8")


def test_editing_one_lesson_code_re_executes_only_it_and_undoing_the_edit_is_a_hit(project):
    build(project)
    source = project / "lessons_src" / "02-segunda.md"
    original = source.read_text(encoding="utf-8")
    source.write_text(original.replace("40 + 2", "40 + 3"), encoding="utf-8")
    summary = build(project)
    assert summary.executed == ["02-segunda"]
    assert "licoes/02-segunda.md" in summary.written and "licoes/01-primeira.md" not in summary.written
    source.write_text(original, encoding="utf-8")
    assert build(project).executed == []


def test_rendering_code_changes_re_render_and_execution_code_changes_re_execute(project, tmp_path, monkeypatch):
    """The cache key reads the pipeline's files: here a copy of them, edited."""
    code = pipeline_copy(tmp_path, monkeypatch)
    build(project)
    append(code / "render.py", "\n# mudança na renderização\n")
    assert build(project).executed == []
    append(code / "execute.py", "\n# mudança na execução\n")
    assert build(project).executed == ["01-primeira", "02-segunda"]


def test_fresh_successes_are_cached_even_when_another_lesson_fails(project):
    (project / "lessons_src" / "02-segunda.md").write_text(lesson_text("```python\n1 / 0\n```\n"))
    with pytest.raises(BuildError):
        build(project)
    (project / "lessons_src" / "02-segunda.md").write_text(lesson_text("```python\n1 / 1\n```\n"))
    assert build(project).executed == ["02-segunda"]


def test_the_longest_lesson_starts_first(project):
    cache = ResultCache(project / ".cache" / "lessons")
    lessons = [(read_lesson(path), path) for path in sorted((project / "lessons_src").glob("*.md"))]
    order = lambda: [lesson.slug for lesson, _ in build_module._longest_first(lessons, cache)]  # noqa: E731
    assert order() == ["01-primeira", "02-segunda"]  # no history: the one with more code first
    first, second = (lesson for lesson, _ in lessons)
    cache.store(first, LessonResult(first.slug, 0.5, {}), "a")
    assert order() == ["02-segunda", "01-primeira"]  # no history goes before a known short one
    cache.store(second, LessonResult(second.slug, 9.0, {}), "b")
    assert order() == ["02-segunda", "01-primeira"]
    cache.store(first, LessonResult(first.slug, 12.0, {}), "c")
    assert order() == ["01-primeira", "02-segunda"]


def test_removing_a_lesson_removes_its_generated_files(project):
    build(project)
    (project / "lessons_src" / "02-segunda.md").unlink()
    build(project)
    files = snapshot(project / GENERATED)
    assert "licoes/02-segunda.md" not in files and "notebooks/02-segunda.ipynb" not in files


def test_a_broken_lesson_fails_with_file_line_and_leaves_published_pages_untouched(project):
    build(project)
    before = snapshot(project / GENERATED)
    (project / "lessons_src" / "02-segunda.md").write_text(
        lesson_text("Texto.\n\n```python\nx = 1\ny = x / 0\n```\n"))
    (project / "lessons_src" / "01-primeira.md").write_text(
        (project / "lessons_src" / "01-primeira.md").read_text() + "\nEditada também.\n")
    with pytest.raises(BuildError) as caught:
        build(project)
    message = str(caught.value)
    assert message.startswith("lessons_src/02-segunda.md:10: ZeroDivisionError: division by zero")
    assert 'File "lessons_src/02-segunda.md", line 10, in <module>' in message
    assert snapshot(project / GENERATED) == before


def test_a_crashing_worker_is_reported_as_a_failure_of_its_lesson(project):
    (project / "lessons_src" / "02-segunda.md").write_text(
        lesson_text("```python\nimport os\nos._exit(3)\n```\n"))
    with pytest.raises(BuildError) as caught:
        build(project)
    assert str(caught.value) == ("lessons_src/02-segunda.md:7: a lição encerrou o processo com o código 3 "
                                 "durante o bloco da linha 7 sem terminar")


def run_cli(project):
    return subprocess.run([sys.executable, "-m", "curso.build", "--root", str(project)],
                          capture_output=True, text=True)


def test_cli_reports_a_malformed_source_cleanly_with_exit_status_1(project):
    (project / "lessons_src" / "02-segunda.md").write_text(lesson_text("```python sem-opcao\npass\n```\n"))
    done = run_cli(project)
    assert done.returncode == 1
    assert "lessons_src/02-segunda.md:6: opção de bloco desconhecida: 'sem-opcao'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (project / GENERATED).exists()


def test_cli_reports_an_unclosed_fence(project):
    (project / "lessons_src" / "02-segunda.md").write_text(lesson_text("Texto.\n\n```python\nx = 1\n"))
    done = run_cli(project)
    assert done.returncode == 1 and "lessons_src/02-segunda.md:8: bloco de código aberto" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_succeeds_and_says_what_it_executed(project):
    done = run_cli(project)
    assert done.returncode == 0, done.stderr
    assert "executadas: 01-primeira, 02-segunda" in done.stdout
    assert "nenhuma (tudo veio do cache)" in run_cli(project).stdout
