"""Long lessons open on a phone without freezing: what can be asserted without timings.

Timings (longest task and blocking time with the CPU slowed 4×, Lighthouse) vary with the load of
the machine: scripts/devtools/bench_site.py measures them. Here, on the phone screen (390×844) in Chromium:

- every lesson's DOM stays under a bound (formula markup is most of it);
- right after opening, only the blocks near the screen are drawn (content-visibility in extra.css),
  formula and table boxes included: extra.js measures which boxes overflow only as they come near
  the screen, and what it finds, once the page is scrolled through, is what the page drawn whole
  shows;
- the theme prepares a code block (its copy button) only when the block comes to the screen
  (`content.lazy`): none far below at load, and the block scrolled to gets its button, named apart
  from the others;
- opening a lesson does not restyle the whole page for the colour scheme: the scheme is applied
  while the page is parsed (overrides/partials/javascripts/palette.html), and material's palette
  component, which marked the body `data-md-color-switching` and added a color-scheme <meta> inside
  the longest task of the load, is not mounted;
- the theme starts after the first paint (overrides/partials/javascripts/startup.html): no script
  blocks the parser, the theme's bundle and the site's scripts are preloaded in order and run only
  once the page has been painted, and then the theme is mounted (every table wrapped); <html> has
  its `js` class before the body exists, and no stylesheet uses :has() (either made the browser
  restyle the whole 20k-element page while the theme started); nor does the theme's focus-visible
  polyfill (<html> has its classes before the body exists);
- the parser reads a long lesson in short tasks: an empty <script> before every section and display
  formula (overrides/main.html; after a script Chromium pauses parsing every 10 ms, otherwise it
  reads the rest of the page in one task), and every table comes from the server already in its
  scroll box, which the theme's mount leaves as it is (wrapped once);
- notebook views start the same way, and draw only the cells near the screen (headings are always
  drawn: the table of contents reads their positions when the theme starts).

Same Chromium, server and fixtures as tests/browser/test_browser.py.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from devtools.chromium import FONTS_READY, NEXT_FRAMES, VIEWPORTS, each_page, run_in_page
from tests.helpers import LESSONS
from tests.browser.site_audit import draw_whole_page, open_loaded, scroll_through
from tests.browser.test_browser import base_url, browser, in_browser, loop  # noqa: F401 - the shared session fixtures

LESSON_PATHS = [f"licoes/{lesson.stem}/" for lesson in LESSONS]
LONGEST_LESSON = "licoes/05-catalogo-de-ativacoes/"
MAX_ELEMENTS = 23_500  # lesson 05: 22.8k today (57 % KaTeX; two explorables and seven questions); a bound against growth

# What the browser draws right after opening: the content of a block skipped by content-visibility
# (the block keeps only its estimated box) is not checkVisibility({contentVisibilityAuto: true}).
DRAWN_BLOCKS = """() => {
  const blocks = [...document.querySelector("article").children].filter(block => block.firstElementChild);
  const drawn = block => block.firstElementChild.checkVisibility({contentVisibilityAuto: true});
  const scrollBoxes = [...document.querySelectorAll("article > div.arithmatex")];
  const lastCode = [...document.querySelectorAll("article > .highlight")].at(-1);
  return {first: drawn(document.querySelector("article > p:has(*)")), lastCode: drawn(lastCode),
          skipped: blocks.filter(block => !drawn(block)).length, blocks: blocks.length,
          undrawnScrollBoxes: scrollBoxes.filter(box => !drawn(box)).length, scrollBoxes: scrollBoxes.length};
}"""

# Every formula and table box: whether extra.js made it focusable, and whether it overflows as drawn.
SCROLL_BOXES = """() => [...document.querySelectorAll("article :is(div.arithmatex, .md-typeset__scrollwrap)")]
  .filter(box => box.checkVisibility())
  .map(box => ({focusable: box.getAttribute("tabindex") === "0", overflows: box.scrollWidth > box.clientWidth + 1,
                html: box.outerHTML.slice(0, 80)}))"""

# Code blocks and their copy buttons; "last" is the last block outside any collapsed <details>.
LAST_OPEN_CODE = "article > .highlight pre > code"
CODE_BUTTONS = """() => {
  const blocks = [...document.querySelectorAll("article pre > code")];
  const last = [...document.querySelectorAll("%s")].at(-1);
  const navs = [...document.querySelectorAll("article pre > nav.md-code__nav")];
  return {blocks: blocks.length, buttons: navs.length, last: blocks.indexOf(last) + 1,
          lastHasButton: !!last.parentElement.querySelector("nav.md-code__nav"),
          labels: navs.map(nav => nav.getAttribute("aria-label"))};
}""" % LAST_OPEN_CODE


# Registered before any script of the page: every attribute the body gets that restyles the whole page.
RECORD_RESTYLING = """
window.__restyling = [];
new MutationObserver(records => {
  for (const record of records)
    if (record.target === document.body && record.attributeName === "data-md-color-switching")
      window.__restyling.push(record.attributeName);
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-md-color-switching"]});
"""
READ_RESTYLING = """() => ({restyling: window.__restyling, colorSchemeMeta: !!document.querySelector("meta[name=color-scheme]"),
                      scheme: document.body.getAttribute("data-md-color-scheme")})"""


@asynccontextmanager
async def on_the_phone(browser, url: str, color_scheme: str = "light", init_script: str | None = None):
    context = await browser.new_context(**VIEWPORTS["celular"], color_scheme=color_scheme)
    if init_script:
        await context.add_init_script(init_script)
    try:
        page = await context.new_page()
        await open_loaded(page, url)
        yield page
    finally:
        await context.close()


async def element_counts(browser, base_url) -> dict[str, int]:
    counts = {}
    for path in LESSON_PATHS:
        async with on_the_phone(browser, base_url + path) as page:
            counts[path] = await page.evaluate("document.getElementsByTagName('*').length")
    return counts


def test_every_lesson_stays_under_the_element_budget(in_browser):
    counts = in_browser(element_counts)
    print(f"\nelementos no DOM por lição: {counts}")
    assert max(counts.values()) <= MAX_ELEMENTS, counts


async def drawn_at_load(browser, base_url) -> dict:
    async with on_the_phone(browser, base_url + LONGEST_LESSON) as page:
        await run_in_page(page, FONTS_READY)
        return await page.evaluate(DRAWN_BLOCKS)


def test_a_long_lesson_draws_only_what_is_near_the_screen_formulas_included(in_browser):
    """Tables, figures, the quiz and the last block are drawn from the start (extra.css says why)."""
    seen = in_browser(drawn_at_load)
    assert seen["first"] and not seen["lastCode"], seen
    assert seen["skipped"] > seen["blocks"] // 2, seen
    assert seen["scrollBoxes"] > 10 and seen["undrawnScrollBoxes"] > seen["scrollBoxes"] // 2, seen


async def measured_and_drawn_boxes(browser, base_url) -> dict[str, list[dict]]:
    """Each lesson's boxes as extra.js marked them while the page was scrolled, checked on the page drawn whole."""
    async def boxes(path: str) -> list[dict]:
        async with on_the_phone(browser, base_url + path) as page:
            await run_in_page(page, FONTS_READY)
            await scroll_through(page)
            await draw_whole_page(page)
            return await page.evaluate(SCROLL_BOXES)

    return dict(zip(LESSON_PATHS, await each_page(LESSON_PATHS, boxes)))


def test_boxes_measured_near_the_screen_are_focusable_exactly_when_they_overflow(in_browser):
    found = in_browser(measured_and_drawn_boxes)
    wrong = [(path, box["html"]) for path, boxes in found.items() for box in boxes
             if box["focusable"] != box["overflows"]]
    assert wrong == []
    assert sum(box["overflows"] for boxes in found.values() for box in boxes) > 5  # some really are wide


async def code_buttons_before_and_after_scrolling(browser, base_url) -> dict:
    async with on_the_phone(browser, base_url + LONGEST_LESSON) as page:
        await run_in_page(page, NEXT_FRAMES)
        seen = {"at_load": await page.evaluate(CODE_BUTTONS)}
        await page.locator(LAST_OPEN_CODE).last.scroll_into_view_if_needed()
        await page.locator(LAST_OPEN_CODE).last.locator("xpath=..").locator("nav.md-code__nav").wait_for()
        seen["scrolled"] = await page.evaluate(CODE_BUTTONS)
    return seen


def test_code_blocks_get_their_copy_button_only_when_they_come_to_the_screen(in_browser):
    seen = in_browser(code_buttons_before_and_after_scrolling)
    at_load, scrolled = seen["at_load"], seen["scrolled"]
    assert at_load["blocks"] > 20 and not at_load["lastHasButton"], at_load
    assert at_load["buttons"] < at_load["blocks"] // 4, at_load
    assert scrolled["lastHasButton"] and scrolled["buttons"] > at_load["buttons"], scrolled
    assert f"Ações do bloco de código {scrolled['last']}" in scrolled["labels"], scrolled
    assert len(set(scrolled["labels"])) == len(scrolled["labels"]), scrolled


async def restyling_at_load(browser, base_url) -> dict:
    seen = {}
    for scheme in ("light", "dark"):
        async with on_the_phone(browser, base_url + LONGEST_LESSON, scheme, RECORD_RESTYLING) as page:
            await run_in_page(page, NEXT_FRAMES)
            seen[scheme] = await page.evaluate(READ_RESTYLING)
    return seen


def test_opening_a_lesson_does_not_restyle_the_page_for_the_colour_scheme(in_browser):
    seen = in_browser(restyling_at_load)
    assert seen["light"] == {"restyling": [], "colorSchemeMeta": False, "scheme": "default"}, seen
    assert seen["dark"] == {"restyling": [], "colorSchemeMeta": False, "scheme": "slate"}, seen


# Registered before any script of the page: when the theme's bundle defines window.document$, and the
# class of <html> when the document has been parsed.
RECORD_START_UP = """
Object.defineProperty(window, "document$", {configurable: true, set(value) {
  Object.defineProperty(window, "document$", {value, writable: true, configurable: true});
  window.__bundleAt = performance.now();
}});
document.addEventListener("DOMContentLoaded", () => {
  window.__classAtParsed = document.documentElement.className;
  window.__focusVisibleAtParsed = document.documentElement.hasAttribute("data-js-focus-visible");
}, {once: true});
"""
READ_START_UP = """() => {
  const rules = sheet => { try { return [...sheet.cssRules]; } catch { return []; } };
  const selectors = list => list.flatMap(rule => [rule.selectorText || "", ...selectors([...(rule.cssRules || [])])]);
  return {
    firstPaint: performance.getEntriesByName("first-paint")[0]?.startTime ?? null,
    bundleAt: window.__bundleAt ?? null,
    classAtParsed: window.__classAtParsed,
    focusVisibleAtParsed: window.__focusVisibleAtParsed,
    started: document.documentElement.dataset.tema,
    tables: document.querySelectorAll("article table").length,
    wrappedTables: document.querySelectorAll("article .md-typeset__scrollwrap table").length,
    wrappedTwice: document.querySelectorAll("article .md-typeset__scrollwrap .md-typeset__scrollwrap").length,
    sections: document.querySelectorAll("article > h2").length,
    sectionsAfterScript: [...document.querySelectorAll("article > h2")]
      .filter(h2 => h2.previousElementSibling?.matches("script:not([src]):empty")).length,
    formulas: document.querySelectorAll("article > div.arithmatex").length,
    formulasAfterScript: [...document.querySelectorAll("article > div.arithmatex")]
      .filter(box => box.previousElementSibling?.matches("script:not([src]):empty")).length,
    hasSelectors: [...document.styleSheets].flatMap(sheet => selectors(rules(sheet))).filter(s => s.includes(":has(")),
  };
}"""
THEME_SCRIPTS = 6  # material's bundle.js and the five of mkdocs.yml's extra_javascript


async def start_up(browser, url: str) -> dict:
    context = await browser.new_context(**VIEWPORTS["celular"])
    await context.add_init_script(RECORD_START_UP)
    try:
        page = await context.new_page()
        html = await (await open_loaded(page, url)).text()
        body = html[html.index("<body"):]
        seen = await page.evaluate(READ_START_UP)
        seen["blockingScripts"] = body.count("<script src=")
        seen["servedTables"] = html.count("<table>")
        seen["servedWrapped"] = html.count('<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table>')
        seen["preloaded"] = await page.eval_on_selector_all("link[data-partida]", "links => links.map(link => link.href)")
        return seen
    finally:
        await context.close()


def assert_started_after_the_first_paint(seen: dict) -> None:
    assert seen["blockingScripts"] == 0, seen
    assert len(seen["preloaded"]) == THEME_SCRIPTS and "/bundle." in seen["preloaded"][0], seen
    assert seen["firstPaint"] is not None and seen["bundleAt"] > seen["firstPaint"], seen
    assert seen["started"] == "montado", seen
    classes = seen["classAtParsed"].split()
    assert "js" in classes and "js-focus-visible" in classes and "no-js" not in classes, seen
    assert seen["focusVisibleAtParsed"], seen
    assert seen["servedTables"] > 0 and seen["servedWrapped"] == seen["servedTables"], seen
    assert seen["wrappedTables"] == seen["tables"] == seen["servedTables"] and seen["wrappedTwice"] == 0, seen
    assert seen["hasSelectors"] == [], seen


def test_the_theme_starts_after_the_first_paint_without_restyling_the_whole_page(in_browser):
    seen = in_browser(lambda browser, base_url: start_up(browser, base_url + LONGEST_LESSON))
    assert_started_after_the_first_paint(seen)
    assert seen["sections"] > 5 and seen["sectionsAfterScript"] == seen["sections"], seen
    assert seen["formulas"] > 5 and seen["formulasAfterScript"] == seen["formulas"], seen


LONGEST_NOTEBOOK = "notebooks/05-catalogo-de-ativacoes/"

# Right after opening a notebook view: which cells and text blocks are drawn, and the headings.
NOTEBOOK_DRAWN = """() => {
  const drawn = element => element.checkVisibility({contentVisibilityAuto: true});
  const inside = element => element.firstElementChild || element;
  const codeCells = [...document.querySelectorAll(".jupyter-wrapper .jp-Notebook > .jp-CodeCell")];
  const textBlocks = [...document.querySelectorAll(".jupyter-wrapper .jp-RenderedMarkdown > :not(h1, h2, h3, h4, h5, h6)")]
    .filter(block => block.firstElementChild);
  const headings = [...document.querySelectorAll(".jupyter-wrapper .jp-RenderedMarkdown > :is(h2, h3)")];
  return {codeCells: codeCells.length, drawnCodeCells: codeCells.filter(cell => drawn(inside(cell))).length,
          firstCodeCellDrawn: drawn(inside(codeCells[0])), lastCodeCellDrawn: drawn(inside(codeCells.at(-1))),
          textBlocks: textBlocks.length, drawnTextBlocks: textBlocks.filter(block => drawn(inside(block))).length,
          headings: headings.length, drawnHeadings: headings.filter(drawn).length};
}"""


async def notebook_start_up(browser, base_url) -> dict:
    seen = await start_up(browser, base_url + LONGEST_NOTEBOOK)
    async with on_the_phone(browser, base_url + LONGEST_NOTEBOOK) as page:
        await run_in_page(page, FONTS_READY)
        seen["drawn"] = await page.evaluate(NOTEBOOK_DRAWN)
    return seen


def test_notebook_views_start_like_lessons_and_draw_only_the_cells_near_the_screen(in_browser):
    seen = in_browser(notebook_start_up)
    assert_started_after_the_first_paint(seen)
    drawn = seen["drawn"]
    assert drawn["firstCodeCellDrawn"] and not drawn["lastCodeCellDrawn"], drawn
    assert drawn["drawnCodeCells"] < drawn["codeCells"] // 4, drawn
    assert drawn["drawnTextBlocks"] < drawn["textBlocks"] // 4, drawn
    assert drawn["headings"] > 10 and drawn["drawnHeadings"] == drawn["headings"], drawn
