"""The lesson header on the built site: "Abrir no Colab", "Lição N de 8", reading time, pip install;
and what the downloadable notebooks carry (Markdown tables, figures with alt text)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from mkdocs.exceptions import PluginError
from curso.hooks.notebook_hook import COLAB_BRANCH, colab_url
from curso.pipeline.layout import notebook_download
from curso.pipeline.source import read_lesson

from tests.helpers import GENERATED, LESSONS, ROOT

COLAB_LINK = re.compile(r'<a [^>]*href="(?P<href>[^"]*)"[^>]*>Abrir no Colab</a>')
TAG = re.compile(r"<[^>]+>")
HEADER_LINK = re.compile(r'<a class="headerlink".*?</a>')


def test_colab_url_opens_the_notebook_from_the_repositorys_notebooks_branch():
    assert colab_url("professora/curso", "01-funcoes.ipynb") == \
        "https://colab.research.google.com/github/professora/curso/blob/notebooks/01-funcoes.ipynb"
    assert COLAB_BRANCH == "notebooks"


@pytest.mark.parametrize("repo_name", ["", "so-o-dono", "dono/repo/extra", 'dono/re"po', None])
def test_colab_url_refuses_a_repo_name_that_is_not_owner_slash_repo(repo_name):
    with pytest.raises(PluginError, match="dono/repositório"):
        colab_url(repo_name, "01-x.ipynb")


def lesson_page(site, lesson) -> str:
    return (site / "licoes" / lesson.stem / "index.html").read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    """The page's text, tags dropped (highlighted code is one <span> per token)."""
    return re.sub(r"\s+", " ", unescape(TAG.sub("", html)))


@pytest.mark.parametrize("number, lesson", list(enumerate(LESSONS, start=1)), ids=[p.stem for p in LESSONS])
def test_every_lesson_header_has_colab_position_and_reading_time(built_site, config, number, lesson):
    page = lesson_page(built_site, lesson)
    links = COLAB_LINK.findall(page)
    assert links == [colab_url(config["repo_name"], f"{lesson.stem}.ipynb")]
    assert re.fullmatch(rf"https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/notebooks/{lesson.stem}\.ipynb",
                        links[0])
    meta = re.search(r'<p class="lesson-meta">(.*?)</p>', page)[1]
    assert re.fullmatch(rf"Lição {number} de {len(LESSONS)} · ≈ [1-9]\d* min de leitura", meta)
    title = read_lesson(lesson, shown_as=lesson.name).title
    heading = HEADER_LINK.sub("", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1])
    assert unescape(TAG.sub("", heading)) == title


def test_reading_times_grow_with_the_lesson(built_site):
    """The catalogue (05) is the longest lesson and the output-layer lesson (07) the shortest."""
    minutes = {lesson.stem[:2]: int(re.search(r"≈ (\d+) min de leitura", lesson_page(built_site, lesson))[1])
               for lesson in LESSONS}
    assert max(minutes, key=minutes.get) == "05" and min(minutes, key=minutes.get) == "07"


def install_cells(lesson) -> list[str]:
    notebook = json.loads((GENERATED / notebook_download(lesson.stem)).read_text(encoding="utf-8"))
    return ["".join(cell["source"]) for cell in notebook["cells"] if "pip-install" in cell["metadata"].get("tags", [])]


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_a_lesson_with_pinned_packages_shows_the_same_pip_install_as_its_notebook(built_site, lesson):
    pip = read_lesson(lesson, shown_as=lesson.name).pip
    text = visible_text(lesson_page(built_site, lesson))
    if not pip:
        assert "pip install" not in text and install_cells(lesson) == []
        return
    assert f"pip install {' '.join(pip)}" in text
    assert install_cells(lesson) == [f"%pip install -q {' '.join(pip)}"]


def test_lesson_06_needs_lightning_and_says_so(built_site):
    lesson = next(lesson for lesson in LESSONS if lesson.stem.startswith("06-"))
    assert re.search(r"pip install lightning==\d", visible_text(lesson_page(built_site, lesson)))


def notebook_outputs(lesson):
    notebook = json.loads((GENERATED / notebook_download(lesson.stem)).read_text(encoding="utf-8"))
    return [output for cell in notebook["cells"] for output in cell.get("outputs", [])]


def test_printed_tables_are_markdown_without_escaped_dollars(built_site):
    tables = []
    for lesson in LESSONS:
        for output in notebook_outputs(lesson):
            markdown = "".join(output.get("data", {}).get("text/markdown", []))
            if markdown:
                assert "\\$" not in markdown, lesson.stem
                tables += re.findall(r"^\|.*\|\n\|[ :|-]+\|$", markdown, re.M)
            if output["output_type"] == "stream":
                assert not re.search(r"^\| --- \|", "".join(output["text"]), re.M), f"{lesson.stem}: tabela como texto"
    assert len(tables) >= 20


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_notebook_figures_carry_the_lessons_alt_text(built_site, lesson):
    source = (lesson).read_text(encoding="utf-8")
    alts = [unescape(alt) for alt in re.findall(r'^\s*```python\b[^\n]*\balt="([^"]*)"', source, re.M)]
    images = ["".join(output["data"]["text/html"]) for output in notebook_outputs(lesson)
              if "text/html" in output.get("data", {}) and "<img" in "".join(output["data"]["text/html"])]
    assert [unescape(re.search(r'\balt="([^"]*)"', image)[1]) for image in images] == alts
