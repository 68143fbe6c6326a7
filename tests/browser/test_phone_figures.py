"""Figures in a real browser: readable on a 390 px phone, as sharp as before on a computer, and
openable full screen (docs/javascripts/figuras.js).

The text size on screen is computed from the SVG the browser actually shows (the phone or the
full-size rendition, whichever <picture> picked) and the width it is shown at (scripts/devtools/figure_text.py).
"""

from __future__ import annotations

import re
import urllib.request

import pytest

from devtools.chromium import LOAD_EVERY_IMAGE, VIEWPORTS, each_page
from tests.helpers import GENERATED, LESSONS, ROOT
from devtools.figure_text import smallest_text_px, text_sizes_pt
from curso.pipeline.layout import FIGURES, PAGES, PHONE_FIGURES
from tests.browser.site_audit import Visit, axe_violations, draw_whole_page, new_context, open_loaded
from tests.browser.test_browser import SERIOUS, base_url, browser, loop  # noqa: F401 - the shared browser fixtures

LESSON_PAGES = [f"licoes/{lesson.stem}/" for lesson in LESSONS]
PHONE_SMALLEST_TEXT_PX = 11
# Before the phone renditions, the smallest figure text at 1280 px was 9.3 px (lesson 05's grid of
# activations: 7 pt drawn 614 px wide); the computer keeps the full-size figures.
COMPUTER_SMALLEST_TEXT_PX = 9.3
VIEWER_LESSON = "licoes/04-classificacao/"

# Collapsed boxes (??? in the lessons) are opened first, as a reader does to see what they hold.
SHOWN_FIGURES = """() => {
  document.querySelectorAll("article details").forEach(box => { box.open = true; });
  return [...document.querySelectorAll("article img")].map(img => ({
  src: img.currentSrc, alt: img.alt, shown: img.getBoundingClientRect().width,
  width: Number(img.getAttribute("width"))}));
}"""


def fetch_text(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.read().decode("utf-8")


async def shown_figures(browser, url: str, viewport: str) -> list[dict]:
    """Every figure of the page as shown on this screen, with the SVG text it shows."""
    context = await new_context(browser, viewport, url.split("/redes-neurais/")[0], Visit(url, viewport))
    try:
        page = await context.new_page()
        await open_loaded(page, url)
        await draw_whole_page(page)
        await page.evaluate(LOAD_EVERY_IMAGE)
        figures = await page.evaluate(SHOWN_FIGURES)
    finally:
        await context.close()
    for figure in figures:
        figure["svg"] = fetch_text(figure["src"])
    return figures


@pytest.fixture(scope="module")
def figures(loop, browser, base_url):  # noqa: F811 - pytest fixtures by name
    jobs = [(path, viewport) for path in LESSON_PAGES for viewport in VIEWPORTS]
    shown = loop.run_until_complete(each_page(jobs, lambda job: shown_figures(browser, base_url + job[0], job[1])))
    return dict(zip(jobs, shown))


PICTURE = re.compile(r'<picture><source media="\(max-width: 600px\)" srcset="(?P<phone>[^"]+)" '
                     r'width="\d+" height="\d+"><img [^>]*src="(?P<src>[^"]+)"')


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_every_figure_has_a_phone_rendition_that_the_built_page_finds(built_site, lesson):
    page = built_site / "licoes" / lesson.stem / "index.html"
    pictures = PICTURE.findall(page.read_text(encoding="utf-8"))
    assert len(pictures) == len(list((GENERATED / PAGES / FIGURES).glob(f"{lesson.stem}-*.svg"))) > 0
    for phone, src in pictures:
        assert (page.parent / phone).resolve() == (page.parent / src).resolve().parent / PHONE_FIGURES / src.rsplit("/", 1)[1]
        assert (page.parent / phone).resolve().is_file()


def too_small(figures: list[dict], floor: float) -> list[str]:
    return [f"{figure['src'].rsplit('/', 2)[-2:]}: {smallest_text_px(figure['svg'], figure['shown']):.1f} px"
            for figure in figures if smallest_text_px(figure["svg"], figure["shown"]) < floor]


def test_text_size_is_read_from_the_svg_and_the_width_it_is_shown_at():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 288 200"><g id="text_1">'
           '<g transform="translate(10 20) scale(0.1 -0.1)"><use href="#DejaVuSans-30"/></g>'
           '<g transform="translate(10 40) scale(0.08 -0.08)"><use href="#DejaVuSans-31"/></g></g>'
           '<g clip-path="url(#c)"><use href="#m0" x="5" y="5"/></g></svg>')  # a marker, not text
    assert text_sizes_pt(svg) == [10, 8]
    assert smallest_text_px(svg, 360) == pytest.approx(10)  # 8 pt x 360 px / 288 pt


@pytest.mark.parametrize("path", LESSON_PAGES)
def test_every_figure_text_is_at_least_11_px_on_a_phone(figures, path):
    shown = figures[path, "celular"]
    assert shown, "a lição não mostrou figuras"
    assert all("/celular/" in figure["src"] for figure in shown), "o celular deve receber a versão para celular"
    assert too_small(shown, PHONE_SMALLEST_TEXT_PX) == []
    print(path, "menor texto no celular:", min(round(smallest_text_px(f["svg"], f["shown"]), 1) for f in shown), "px")


@pytest.mark.parametrize("path", LESSON_PAGES)
def test_computer_shows_the_full_size_figures_at_their_drawn_width(figures, path):
    shown = figures[path, "computador"]
    assert shown and all("/celular/" not in figure["src"] for figure in shown)
    assert [figure["shown"] for figure in shown] == [figure["width"] for figure in shown], "nenhuma figura encolhida"
    assert too_small(shown, COMPUTER_SMALLEST_TEXT_PX) == []


# --- The full-screen viewer ---------------------------------------------------------------------


PAGE_SCROLLS = "getComputedStyle(document.documentElement).overflow !== 'hidden'"


async def use_viewer(browser, url: str, viewport: str, open_with: str) -> dict:
    """Open the first figure full screen (keyboard or pointer), look at it, close it with Esc."""
    seen = {}
    context = await browser.new_context(**VIEWPORTS[viewport])
    try:
        page = await context.new_page()
        await open_loaded(page, url)
        button = page.get_by_role("button", name="Ampliar figura").first
        figure = page.locator("article picture img").first
        if open_with == "teclado":
            await button.focus()
            await page.keyboard.press("Enter")
        elif viewport == "celular":
            await figure.tap()
        else:
            await figure.click()
        dialog = page.locator("dialog[open]")
        await dialog.wait_for()
        seen["alt"] = await dialog.locator("img").get_attribute("alt")
        seen["figure_alt"] = await figure.get_attribute("alt")
        seen["focused"] = await page.evaluate("document.activeElement.textContent.trim()")
        seen["shown"] = await dialog.locator("img").evaluate("img => img.getBoundingClientRect().width")
        seen["inline"] = await figure.evaluate("img => img.getBoundingClientRect().width")
        seen["axe"] = await axe_violations(page)
        seen["page_scrolls_behind"] = await page.evaluate(PAGE_SCROLLS)
        await page.keyboard.press("Escape")
        await dialog.wait_for(state="hidden")
        seen["closed"] = await page.locator("dialog[open]").count() == 0
        seen["page_scrolls_after"] = await page.evaluate(PAGE_SCROLLS)
        seen["focus_back"] = await button.evaluate("button => button === document.activeElement")
    finally:
        await context.close()
    return seen


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("open_with", ["teclado", "toque ou clique"])
def test_a_figure_opens_full_screen_larger_and_closes_with_escape(loop, browser, base_url, viewport, open_with):  # noqa: F811
    seen = loop.run_until_complete(use_viewer(browser, base_url + VIEWER_LESSON, viewport, open_with))
    assert seen["alt"] == seen["figure_alt"] and seen["alt"]
    assert seen["focused"] == "Fechar"
    assert seen["shown"] > seen["inline"]
    assert [v for v in seen["axe"] if v["impact"] in SERIOUS] == []
    assert seen["closed"] and seen["focus_back"]
    assert not seen["page_scrolls_behind"] and seen["page_scrolls_after"]
