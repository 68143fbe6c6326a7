from pathlib import Path

import pytest

from curso.pipeline.discover import find_lessons
from curso.pipeline.layout import LESSONS_SRC
from curso.pipeline.source import LessonSourceError


def test_lessons_come_in_prefix_order_and_readme_is_not_a_lesson(tmp_path):
    for name in ("10-dez.md", "02-dois.md", "01-um.md", "README.md", "notas.txt"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in find_lessons(tmp_path)] == ["01-um.md", "02-dois.md", "10-dez.md"]


@pytest.mark.parametrize("name", ["1-curto.md", "01-Maiúscula.md", "01_sublinhado.md", "rascunho.md"])
def test_a_badly_named_markdown_file_is_an_error_not_silently_skipped(tmp_path, name):
    (tmp_path / name).write_text("x")
    with pytest.raises(LessonSourceError, match="nome de lição inválido"):
        find_lessons(tmp_path)


def test_two_lessons_with_the_same_number_are_an_error_naming_both(tmp_path):
    tmp_path = tmp_path / "lessons_src"
    tmp_path.mkdir()
    for name in ("01-um.md", "02-dois.md", "02-outro.md"):
        (tmp_path / name).write_text("x")
    with pytest.raises(LessonSourceError) as caught:
        find_lessons(tmp_path)
    assert str(caught.value) == ("lessons_src/02-outro.md:1: o número 02 já é de lessons_src/02-dois.md: "
                                 "cada lição tem um número só seu")


@pytest.mark.parametrize("name", ["03-tres.MD", "03-tres.markdown", "notas.Markdown"])
def test_a_lesson_with_another_markdown_extension_is_an_error(tmp_path, name):
    (tmp_path / "01-um.md").write_text("x")
    (tmp_path / name).write_text("x")
    with pytest.raises(LessonSourceError) as caught:
        find_lessons(tmp_path)
    assert str(caught.value) == (f"{tmp_path.name}/{name}:1: nome de lição inválido: use dois dígitos, hífen e "
                                 "um nome em minúsculas sem acentos, terminado em .md, como 01-funcoes-de-custo.md")


def test_the_lessons_section_of_the_nav_is_every_lesson_found_in_number_order(tmp_path):
    from curso.hooks.lessons_hook import with_lesson_nav

    for name in ("02-dois.md", "01-um.md", "README.md"):
        (tmp_path / name).write_text("x")
    nav = [{"Início": "index.md"}, {"Lições": []}, {"Consulta": [{"Glossário": "glossario.md"}]}]
    assert with_lesson_nav(nav, tmp_path) == [
        {"Início": "index.md"}, {"Lições": ["licoes/01-um.md", "licoes/02-dois.md"]},
        {"Consulta": [{"Glossário": "glossario.md"}]}]


def test_the_hook_reports_a_discovery_error_as_a_build_error_with_the_file_names(tmp_path):
    from curso.hooks.lessons_hook import on_config
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import PluginError

    (tmp_path / "lessons_src").mkdir()
    for name in ("01-um.md", "01-outro.md"):
        (tmp_path / "lessons_src" / name).write_text("x")
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.nav = [{"Lições": []}]
    with pytest.raises(PluginError) as caught:
        on_config(config)
    assert str(caught.value) == ("Erro ao gerar as lições:\nlessons_src/01-um.md:1: o número 01 já é de "
                                 "lessons_src/01-outro.md: cada lição tem um número só seu")


def test_serve_looks_at_the_lessons_folder_more_often_than_at_the_rest(tmp_path):
    """MkDocs polls what it watches every 0.5 s; lessons_src/ is looked at every LESSONS_POLL."""
    from types import SimpleNamespace

    from mkdocs.livereload import LiveReloadServer

    from curso.hooks import lessons_hook

    for folder in ("docs", LESSONS_SRC, "scripts/curso/pipeline"):
        (tmp_path / folder).mkdir(parents=True)
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    server.watch(str(tmp_path / "docs"))  # as MkDocs does before on_serve
    lessons_hook.on_serve(server, SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml")), None)
    intervals = {Path(emitter.watch.path).resolve(): emitter.timeout for emitter in server.observer.emitters}
    assert intervals == {(tmp_path / "docs").resolve(): 0.5,
                         (tmp_path / LESSONS_SRC).resolve(): lessons_hook.LESSONS_POLL,
                         (tmp_path / "scripts/curso/pipeline").resolve(): 0.5}
    server.server_close()
