"""On a phone (390×844) in Chromium: the lesson header is compact and opens Colab in one tap, and the
notebook view uses the screen's full width, with its printed tables as real tables.

Reuses test_browser.py's Chromium, server and event loop (session fixtures).
"""

from __future__ import annotations

import pytest

from devtools.chromium import LOAD_EVERY_IMAGE, VIEWPORTS, each_page
from tests.helpers import LESSONS
from tests.browser.site_audit import open_loaded
from tests.browser.test_browser import base_url, browser, loop  # noqa: F401 - session fixtures, shared
from curso.hooks.notebook_hook import COLAB_BRANCH

PHONE = VIEWPORTS["celular"]["viewport"]

# Widths, in CSS px, of what a notebook page shows: the text column, and every code cell, Markdown
# cell and output, as the browser lays them out. The first cell (the title) is left out: like a
# lesson's title, it makes room for the floating "Editar" button.
# A table's text is its textContent: the cells far from the screen are not drawn (content-visibility),
# and innerText, which follows the drawing, is empty for them.
NOTEBOOK_WIDTHS = """() => {
  const width = selector => [...document.querySelectorAll(selector)].map(e => e.getBoundingClientRect().width);
  return {
    column: document.querySelector(".md-content__inner").getBoundingClientRect().width,
    code: width(".jupyter-wrapper .jp-CodeCell .jp-InputArea-editor"),
    text: width(".jupyter-wrapper .jp-MarkdownCell:not(:first-child) .jp-RenderedMarkdown"),
    outputs: width(".jupyter-wrapper .jp-OutputArea-output"),
    tables: [...document.querySelectorAll(".jupyter-wrapper .jp-OutputArea-output[data-mime-type='text/markdown'] table")]
      .map(table => ({text: table.textContent, math: table.querySelectorAll(".katex").length})),
    scrollWidth: document.scrollingElement.scrollWidth,
  };
}"""

# Where the header's pieces sit on the first screen of a lesson.
LESSON_HEADER = """() => {
  const box = selector => { const e = document.querySelector(selector); return e && e.getBoundingClientRect(); };
  const colab = [...document.querySelectorAll("a")].find(a => a.textContent.trim() === "Abrir no Colab");
  return {
    h1: box("article h1").top,
    meta: document.querySelector(".lesson-meta").textContent,
    actionsBottom: box(".lesson-actions").bottom,
    buttons: [...document.querySelectorAll(".lesson-actions a")].map(a => [a.textContent.trim(), a.getBoundingClientRect().height]),
    colab: colab && colab.href,
    colabBottom: colab && colab.getBoundingClientRect().bottom,
  };
}"""


async def measure(browser, url: str, script: str) -> dict:
    context = await browser.new_context(**VIEWPORTS["celular"])
    try:
        page = await context.new_page()
        await open_loaded(page, url)
        await page.evaluate(LOAD_EVERY_IMAGE)
        return await page.evaluate(script)
    finally:
        await context.close()


# Every notebook view and every lesson's header, measured once, two pages at a time.
PAGES = {**{f"notebooks/{lesson.stem}/": NOTEBOOK_WIDTHS for lesson in LESSONS},
         **{f"licoes/{lesson.stem}/": LESSON_HEADER for lesson in LESSONS}}


@pytest.fixture(scope="module")
def measured(loop, browser, base_url):  # noqa: F811 - pytest fixtures by name
    seen = loop.run_until_complete(each_page(list(PAGES), lambda path: measure(browser, base_url + path, PAGES[path])))
    return dict(zip(PAGES, seen))


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_notebook_view_uses_the_phones_full_width(measured, lesson):
    seen = measured[f"notebooks/{lesson.stem}/"]
    assert seen["scrollWidth"] <= PHONE["width"]
    assert seen["code"] and all(abs(width - PHONE["width"]) <= 1 for width in seen["code"]), seen["code"][:5]
    for kind in ("text", "outputs"):
        assert seen[kind] and all(abs(width - seen["column"]) <= 1 for width in seen[kind]), (kind, seen[kind][:5])
    assert seen["column"] >= PHONE["width"] - 32


def test_printed_tables_are_tables_in_the_notebook_view_and_reais_are_not_math(measured):
    seen = measured[f"notebooks/{LESSONS[0].stem}/"]
    assert len(seen["tables"]) >= 3
    first = seen["tables"][0]
    assert "R$ mil" in first["text"] and "\\" not in first["text"] and first["math"] == 0


@pytest.mark.parametrize("number, lesson", list(enumerate(LESSONS, start=1)), ids=[lesson.stem for lesson in LESSONS])
def test_lesson_header_is_compact_and_colab_is_one_tap_away(measured, number, lesson):
    seen = measured[f"licoes/{lesson.stem}/"]
    assert seen["meta"].startswith(f"Lição {number} de {len(LESSONS)} · ≈ ")
    assert seen["colab"].startswith("https://colab.research.google.com/github/")
    assert seen["colab"].endswith(f"/blob/{COLAB_BRANCH}/{lesson.stem}.ipynb")
    assert [name for name, _ in seen["buttons"]] == ["Abrir no Colab", "Baixar notebook", "Ver como notebook"]
    assert all(height >= 32 for _, height in seen["buttons"]), "botões grandes o bastante para o dedo"
    assert seen["actionsBottom"] - seen["h1"] <= PHONE["height"] / 2, "o cabeçalho não pode ocupar mais de meia tela"
