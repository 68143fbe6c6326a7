"""The course in PDF (`make pdf`, devtools/course_pdf.py), printed here from two short lessons of the real site.

The site is a copy of the session's built site (without the notebooks) in which one lesson gets a
self-check group shaped as the questions module writes it, so that the answer key is checked whether
or not the lessons have questions yet. Text is read back with pdftotext, as a reader's PDF viewer would.
"""

from __future__ import annotations

import asyncio
import re
import shutil

import pytest
from playwright.async_api import async_playwright

from curso.pipeline import layout
from devtools import course_pdf
from devtools.chromium import CHROMIUM, CHROMIUM_ARGS, SCROLL_THROUGH, open_started, run_in_page
from devtools.static_server import serving

pytestmark = pytest.mark.browser

LESSONS = ["06", "07"]  # the two shortest lessons: ~20 pages each edition
PAGE_COUNT = range(12, 90)  # lessons 06 and 07: the teacher's edition, with the self-check answers, has 63 pages today
QUESTION = "Qual perda o teste usa aqui?"
ANSWER = "A resposta comentada fica só na edição do professor."
SELF_CHECK = (f'<section class="autoteste"><div class="autoteste-questao"><p>{QUESTION}</p>'
              f'<div class="autoteste-resposta" hidden><p>{ANSWER}</p></div></div></section>')
SCREEN_ONLY = ("Abrir no Colab", "Baixar notebook", "Ver como notebook", "Ampliar", "Copiar", "Editar esta página", "¶")
# A4 minus course_pdf.MARGINS, in CSS pixels (96 per inch): the box every unsplittable block must fit.
PRINTABLE = {"width": round((210 - 28) / 25.4 * 96), "height": round((297 - 30) / 25.4 * 96)}

# Runs in the print-emulated course: every block that must not be split across pages, and whether
# it may be (its computed break-inside) or has to be (taller than a page: allowed only for a long
# listing and a long table, whose header row Chromium repeats on each page); formulas wider than the page.
PRINT_LAYOUT = """() => {
  const blocks = [...document.querySelectorAll(".capitulo :is(figure, table, .highlight, div.arithmatex)")];
  const solution = [...document.querySelectorAll(".capitulo details.success p")]
    .find(p => !p.querySelector("code, .katex, abbr") && p.textContent.split(/\\s+/).length >= 8);
  return {
    titles: [...document.querySelectorAll(".capitulo > h1")].map(h1 => h1.textContent),
    figures: document.querySelectorAll(".capitulo figure").length,
    splittable: blocks.filter(block => getComputedStyle(block).breakInside !== "avoid").map(block => block.outerHTML.slice(0, 80)),
    taller: blocks.filter(block => !block.matches(".highlight, table") && block.getBoundingClientRect().height > innerHeight)
      .map(block => block.outerHTML.slice(0, 80)),
    wider: [...document.querySelectorAll(".capitulo .katex-display")]
      .filter(math => math.getBoundingClientRect().width > document.querySelector(".capitulo").clientWidth + 1)
      .map(math => math.textContent.slice(0, 60)),
    solution: solution.textContent.split(/\\s+/).filter(Boolean).slice(0, 10).join(" "),
  };
}"""

# What only the screen needs: on a page printed from the browser, none of it may take up room.
SCREEN_CHROME = (".md-header, .md-tabs, .md-sidebar, .md-footer, .md-search, .md-top, .md-content__button, .headerlink,"
                 " .lesson-actions, .md-clipboard, .md-code__nav, .figura-moldura__ampliar")
PRINTED_PAGE = """chrome => ({
  shown: [...document.querySelectorAll(chrome)].filter(node => node.getClientRects().length > 0).map(node => node.className),
  prepared: document.querySelectorAll(".md-code__nav, .figura-moldura__ampliar").length,
  scheme: document.body.dataset.mdColorScheme,
  background: getComputedStyle(document.body).backgroundColor,
  codeBackground: getComputedStyle(document.querySelector(".md-typeset pre > code")).backgroundColor,
  closedSolutions: document.querySelectorAll("details.success:not([open])").length,
})"""


@pytest.fixture(scope="module")
def site(built_site, tmp_path_factory):
    copy = tmp_path_factory.mktemp("site-pdf") / "site"
    shutil.copytree(built_site, copy, ignore=shutil.ignore_patterns(layout.NOTEBOOKS))
    lesson = next((copy / layout.PAGES).glob(f"{LESSONS[1]}-*")) / "index.html"
    page = lesson.read_text(encoding="utf-8")
    lesson.write_text(page.replace("</article>", SELF_CHECK + "</article>", 1), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def printed(site) -> dict[str, list[int]]:
    starts = asyncio.run(course_pdf.print_course(site, site / layout.PDF, LESSONS))
    return {path.name: pages for path, pages in starts.items()}


@pytest.fixture(scope="module")
def texts(site, printed) -> dict[str, list[str]]:
    return {name: course_pdf.pdf_pages(site / layout.PDF / name) for name in printed}


async def print_layout(site) -> dict:
    """The teacher's edition as Chromium lays it out for paper, on a page-wide window."""
    with serving(site) as base_url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                lessons = course_pdf.lesson_urls(site, LESSONS)
                printable = await course_pdf.assembled_page(browser, base_url, lessons, course_pdf.TEACHER)
                await printable.page.set_viewport_size(PRINTABLE)
                return await run_in_page(printable.page, PRINT_LAYOUT)
            finally:
                await browser.close()


@pytest.fixture(scope="module")
def layout_on_paper(site) -> dict:
    return asyncio.run(print_layout(site))


def test_both_editions_are_written_where_the_site_links_them(site, printed):
    assert sorted(printed) == sorted(name.split("/")[-1] for name in (layout.COURSE_PDF, layout.TEACHER_PDF))
    assert not list((site / layout.PDF).glob("*.parcial.pdf"))
    for name in printed:  # no print time: the same course gives the same dates
        dates = re.findall(rb"/(?:CreationDate|ModDate) \(D:(\d{8})", (site / layout.PDF / name).read_bytes())
        assert dates == [b"19800101"] * 2


def test_cover_and_table_of_contents_list_every_lesson_with_the_page_it_starts_on(printed, texts, layout_on_paper):
    titles = [course_pdf.squeezed(title) for title in layout_on_paper["titles"]]
    assert len(titles) == len(LESSONS)
    for name, pages in texts.items():
        assert len(pages) in PAGE_COUNT, f"{name}: {len(pages)} páginas"
        assert "Treinando Redes Neurais" in pages[0]
        contents = course_pdf.squeezed(pages[1])
        assert contents.startswith("Sumário")
        for number, title, start in zip(LESSONS, titles, printed[name]):
            assert f"Lição {int(number)} {title} {start}" in contents
        assert course_pdf.first_pages(pages, titles) == printed[name]


def test_accents_come_out_of_the_pdf_as_written(texts):
    for pages in texts.values():
        text = "".join(pages)
        for word in ("Lição", "função", "ativação", "saída", "não"):
            assert word in text
        assert [bad for bad in ("Ã§", "Ã£", "Ã©", "�") if bad in text] == [], "acentos trocados (UTF-8 lido como Latin-1)"


def test_solutions_and_answer_key_only_in_the_teachers_edition(texts, layout_on_paper):
    student, teacher = ("".join(course_pdf.squeezed(page) + " " for page in texts[name])
                        for name in ("curso.pdf", "curso-professor.pdf"))
    solution = course_pdf.squeezed(layout_on_paper["solution"])
    assert solution in teacher and solution not in student
    assert QUESTION in student and QUESTION in teacher
    assert ANSWER in teacher and ANSWER not in student
    assert "Edição do professor" in texts["curso-professor.pdf"][0]


def test_no_button_or_copy_icon_is_printed(texts):
    for name, pages in texts.items():
        text = "".join(pages)
        assert [label for label in SCREEN_ONLY if label in text] == [], name


def test_no_figure_table_code_or_formula_can_be_cut_across_pages(layout_on_paper):
    assert layout_on_paper["figures"] > 0
    assert layout_on_paper["splittable"] == []
    assert layout_on_paper["taller"] == [], "mais alto que uma página A4: seria cortado"
    assert layout_on_paper["wider"] == [], "fórmula mais larga que a página"


async def printed_lesson_page(site) -> dict:
    """A lesson as the browser prints it, for a reader whose system is in dark mode."""
    with serving(site) as base_url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page(color_scheme="dark", viewport=PRINTABLE)
                lesson = course_pdf.lesson_urls(site, LESSONS[1:])[0][1]
                await open_started(page, base_url + lesson)
                await run_in_page(page, SCROLL_THROUGH)  # copy buttons are made as code comes near the screen
                await page.emulate_media(media="print")
                return await run_in_page(page, PRINTED_PAGE, SCREEN_CHROME)
            finally:
                await browser.close()


def test_a_page_printed_from_the_browser_has_no_screen_chrome_and_never_dark(site):
    printed = asyncio.run(printed_lesson_page(site))
    assert printed["prepared"] > 0, "a página deveria ter botões de copiar e de ampliar"
    assert printed["shown"] == []
    assert printed["scheme"] == "slate"
    assert printed["background"] == "rgb(255, 255, 255)"
    assert printed["codeBackground"] == "rgb(245, 245, 245)"
    assert printed["closedSolutions"] > 0, "no papel do estudante, as soluções continuam recolhidas"
