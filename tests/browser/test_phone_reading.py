"""Reading a lesson on a phone (390×844) and on a computer (1280×800), in a real browser.

Wide tables scroll inside their own box with a shadow on the side that has more; the copy button
never covers code; a doctest copies as code that runs; abbreviations open with a tap and with the
keyboard; the home page shows "Começar" on the first phone screen; the footer is in Portuguese.
Same Chromium, server and fixtures as tests/browser/test_browser.py.
"""

from __future__ import annotations

import doctest
import io
import os
import re
import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from PIL import Image, ImageChops

from devtools.chromium import LOAD_EVERY_IMAGE, VIEWPORTS, each_page
from tests.helpers import LESSONS
from curso.pipeline.source import CodeBlock, parse_lesson
from tests.browser.site_audit import draw_whole_page, open_loaded, scroll_through
from tests.browser.test_browser import base_url, browser, in_browser, loop, looks_portuguese  # noqa: F401 - fixtures

LESSON_PATHS = [f"licoes/{lesson.stem}/" for lesson in LESSONS]
PHONE_HEIGHT = VIEWPORTS["celular"]["viewport"]["height"]
PRODUCT_NAMES = ("Material for MkDocs", "MkDocs")

OPEN_EVERY_DETAILS = "document.querySelectorAll('details').forEach(details => { details.open = true; })"

# Runs in the page: every table box, whether it overflows, and how its background is drawn.
TABLE_BOXES = """() => [...document.querySelectorAll(".md-typeset__scrollwrap")].map(box => {
  const style = getComputedStyle(box);
  return {
    overflows: box.scrollWidth > box.clientWidth + 1,
    overflowX: style.overflowX,
    gradients: (style.backgroundImage.match(/gradient\\(/g) || []).length,
    attachment: style.backgroundAttachment,
    tableBackground: getComputedStyle(box.querySelector("table")).backgroundColor,
  };
})"""

# Runs in the page (with every <details> open): for each code block with a copy button, at the left
# and right ends of its horizontal scroll, the area where visible code text overlaps the button.
COPY_BUTTON_OVERLAPS = """() => {
  const overlaps = [];
  let checked = 0;
  for (const nav of document.querySelectorAll("pre > nav.md-code__nav")) {
    const code = nav.parentElement.querySelector(":scope > code");
    if (!code || !code.getClientRects().length) continue;
    checked += 1;
    for (const scroll of [0, code.scrollWidth]) {
      code.scrollLeft = scroll;
      const button = nav.getBoundingClientRect();
      const shown = code.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(code);
      for (const text of range.getClientRects()) {
        const left = Math.max(text.left, shown.left, button.left);
        const right = Math.min(text.right, shown.right, button.right);
        const top = Math.max(text.top, shown.top, button.top);
        const bottom = Math.min(text.bottom, shown.bottom, button.bottom);
        if (right - left > 0.5 && bottom - top > 0.5) {
          overlaps.push(code.textContent.split("\\n")[0].slice(0, 60));
          break;
        }
      }
    }
    code.scrollLeft = 0;
  }
  return {checked, overlaps};
}"""


@asynccontextmanager
async def opened(browser, viewport: str, url: str | None = None):
    """A page in a fresh browser context at `viewport`, with `url` loaded if given."""
    context = await browser.new_context(**VIEWPORTS[viewport])
    try:
        page = await context.new_page()
        if url:
            await open_loaded(page, url)
        yield page
    finally:
        await context.close()


# --- Tables ----------------------------------------------------------------------------------------


def strip(png: bytes, side: str, width: int) -> Image.Image:
    """The `width` device pixels at the left or right edge of a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    left = 0 if side == "left" else image.width - width
    return image.crop((left, 0, left + width, image.height))


def differs(first: Image.Image, second: Image.Image) -> bool:
    return ImageChops.difference(first, second).getbbox() is not None


async def right_and_left_cue(page, box, scale: int) -> tuple[bool, bool]:
    """Whether the box's background draws something at its right and left edges.

    Compares the box as shown with the same box without background, in screenshots clipped to the
    part of the box on screen (an element screenshot would wait for a long page to stop moving).
    """
    await box.scroll_into_view_if_needed()
    area = await box.bounding_box()
    clip = {**area, "y": max(area["y"], 0), "height": min(area["height"], PHONE_HEIGHT // 2)}
    with_cue = await page.screenshot(clip=clip)
    await box.evaluate("box => { box.style.background = 'none'; }")
    without_cue = await page.screenshot(clip=clip)
    await box.evaluate("box => { box.style.background = ''; }")
    return tuple(differs(strip(with_cue, side, 12 * scale), strip(without_cue, side, 12 * scale))
                 for side in ("right", "left"))


async def read_tables(page, viewport: str) -> dict:
    """The lesson's table boxes, whether the page scrolls sideways, and the cue as drawn."""
    scale = VIEWPORTS[viewport].get("device_scale_factor", 1)
    boxes = await page.evaluate(TABLE_BOXES)
    sideways = await page.evaluate("document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth")
    drawn = []
    for index, box in enumerate(boxes):
        if not box["overflows"]:
            continue
        wrap = page.locator(".md-typeset__scrollwrap").nth(index)
        at_start = await right_and_left_cue(page, wrap, scale)
        await wrap.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        drawn.append({"start": at_start, "end": await right_and_left_cue(page, wrap, scale)})
    return {"boxes": boxes, "sideways": sideways, "drawn": drawn}


async def read_lesson(browser, url: str, viewport: str) -> dict:
    """One visit of a lesson, drawn whole with every <details> open: its tables (read first, before the
    page is scrolled through) and then, once scrolled through, where the copy buttons cover code."""
    async with opened(browser, viewport) as page:
        await open_loaded(page, url)
        await draw_whole_page(page)
        await page.evaluate(LOAD_EVERY_IMAGE)  # no figure loading later moves a table
        await page.evaluate(OPEN_EVERY_DETAILS)
        tables = await read_tables(page, viewport)
        await scroll_through(page)  # the theme adds a copy button when its block comes to the screen
        return {"tables": tables, "copy": await page.evaluate(COPY_BUTTON_OVERLAPS)}


@pytest.fixture(scope="module")
def lessons_read(loop, browser, base_url):  # noqa: F811 - pytest fixtures by name
    """Every lesson on every screen, read once for the table and the copy-button tests."""
    jobs = [(path, viewport) for viewport in VIEWPORTS for path in LESSON_PATHS]
    read = loop.run_until_complete(each_page(jobs, lambda job: read_lesson(browser, base_url + job[0], job[1])))
    return dict(zip(jobs, read))


def on_screen(lessons_read, viewport: str, part: str) -> dict:
    """What the visits of every lesson at `viewport` found for one test (`part`), by lesson."""
    return {path: lessons_read[path, viewport][part] for path in LESSON_PATHS}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_wide_tables_scroll_inside_their_box_with_a_shadow_on_the_side_with_more(lessons_read, viewport):
    seen = on_screen(lessons_read, viewport, "tables")
    wide = {path: sum(box["overflows"] for box in page["boxes"]) for path, page in seen.items()}
    print(f"\n{viewport}: tabelas que rolam para o lado, por lição: {wide}")
    assert sum(len(page["boxes"]) for page in seen.values()) > 20
    if viewport == "celular":
        assert sum(wide.values()) > 5, "no celular, algumas tabelas devem ser largas: o teste mediria nada"
    for path, page in seen.items():
        assert not page["sideways"], f"{path}: a página rola para o lado"
        for box in page["boxes"]:
            assert box["overflowX"] in ("auto", "scroll"), path
            assert box["gradients"] == 4 and box["attachment"] == "local, local, scroll, scroll", (path, box)
            assert box["tableBackground"] == "rgba(0, 0, 0, 0)", "a tabela opaca esconderia a sombra"
        for drawn in page["drawn"]:
            # (right, left): at the start more is to the right; at the end, more is to the left.
            assert drawn == {"start": (True, False), "end": (False, True)}, path


# --- Code ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_copy_button_never_covers_code(lessons_read, viewport):
    found = on_screen(lessons_read, viewport, "copy")
    print(f"\n{viewport}: blocos com botão de copiar conferidos: {sum(page['checked'] for page in found.values())}")
    for path, page in found.items():
        assert page["checked"] > 0, path
        assert page["overlaps"] == [], f"{path}: o botão de copiar cobre o código"


async def copied_doctests(browser, base_url, path: str) -> list[str]:
    """Click the copy button of each doctest of a lesson, as a reader does, and read the clipboard."""
    copied = []
    async with opened(browser, "computador") as page:
        await page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                             origin="{0.scheme}://{0.netloc}".format(urlsplit(base_url)))
        await open_loaded(page, base_url + path)
        blocks = page.locator("div.highlight:has(code > .gp:first-child)")
        for index in range(await blocks.count()):
            await page.evaluate("navigator.clipboard.writeText('')")
            await blocks.nth(index).hover()
            await blocks.nth(index).locator("button.md-code__button[data-md-type=copy]").click()
            await page.locator(".md-dialog--active").wait_for()  # material's "Copiado" message
            copied.append(await page.evaluate("navigator.clipboard.readText()"))
    return copied


def doctest_examples(lesson: Path) -> list[list[doctest.Example]]:
    """The examples of each doctest block of a lesson, in order."""
    parsed = parse_lesson(lesson.read_text(encoding="utf-8"), f"lessons_src/{lesson.name}", slug=lesson.stem)
    return [doctest.DocTestParser().get_examples(block.code) for block in parsed.blocks
            if isinstance(block, CodeBlock) and block.is_doctest]


DOCTEST_LESSONS = [f"licoes/{lesson.stem}/" for lesson in LESSONS if doctest_examples(lesson)]


def code_before(notebook: nbformat.NotebookNode, first_source: str) -> str:
    """The notebook's code cells that come before the cell `first_source`, as one script."""
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    end = cells.index(first_source.rstrip("\n"))
    return "\n\n".join(source for source in cells[:end] if not source.startswith(("!", "%")))


@pytest.mark.parametrize("path", DOCTEST_LESSONS)
def test_doctest_copies_as_code_that_runs(in_browser, built_site, tmp_path, path):
    copied = in_browser(lambda browser, base_url: copied_doctests(browser, base_url, path))
    lesson = LESSONS[LESSON_PATHS.index(path)]
    examples = doctest_examples(lesson)
    assert len(copied) == len(examples) > 0
    notebook = nbformat.read(built_site / "notebooks" / lesson.stem / f"{lesson.stem}.ipynb", as_version=4)
    environment = dict(os.environ, MPLBACKEND="Agg")
    for text, block in zip(copied, examples):
        assert text == "".join(example.source for example in block).rstrip("\n")
        assert not re.search(r"^(>>>|\.\.\.)", text, re.M), text
        for example in block:
            for line in example.want.splitlines():
                assert line.strip() not in text.splitlines(), f"saída esperada copiada: {line!r}"
        script = code_before(notebook, block[0].source) + "\n\n# Copiado da página:\n" + text + "\n"
        done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                              env=environment, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]


# --- Abbreviations ---------------------------------------------------------------------------------

TIP = "#explicacao-abreviacao"


async def tip_state(page) -> dict:
    return await page.evaluate("""() => {
      const tip = document.querySelector("#explicacao-abreviacao");
      const box = tip && !tip.hidden ? tip.getBoundingClientRect() : null;
      return {shown: !!box, text: tip ? tip.textContent : "",
              left: box && box.left, right: box && box.right, width: document.documentElement.clientWidth,
              describedBy: [...document.querySelectorAll("abbr[aria-describedby]")].map(a => a.textContent)};
    }""")


async def tap_abbreviation(browser, base_url) -> dict:
    async with opened(browser, "celular", base_url + LESSON_PATHS[0]) as page:
        seen = {"focusable": await page.evaluate(
            "[...document.querySelectorAll('.md-content abbr')].every(abbr => abbr.tabIndex === 0)")}
        abbr = page.locator("article p abbr").nth(2)
        seen["explanation"] = await abbr.get_attribute("title")
        seen["name"] = await abbr.text_content()
        await abbr.scroll_into_view_if_needed()
        await abbr.tap()
        seen["after_tap"] = await tip_state(page)
        await page.locator("article h1").tap(position={"x": 4, "y": 4})  # "Funções...", not an abbreviation
        seen["after_tap_elsewhere"] = await tip_state(page)
    return seen


def test_an_abbreviation_opens_with_a_tap_inside_the_screen_and_closes_with_a_tap_elsewhere(in_browser):
    seen = in_browser(tap_abbreviation)
    assert seen["focusable"]
    assert seen["explanation"]
    tip = seen["after_tap"]
    assert tip["shown"] and tip["text"] == seen["explanation"]
    assert 0 <= tip["left"] and tip["right"] <= tip["width"], tip
    assert tip["describedBy"] == [seen["name"]]
    assert not seen["after_tap_elsewhere"]["shown"]
    assert seen["after_tap_elsewhere"]["describedBy"] == []


async def tab_to_abbreviation(browser, base_url) -> dict:
    async with opened(browser, "computador", base_url + LESSON_PATHS[0]) as page:
        for _ in range(300):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.tagName === 'ABBR'"):
                break
        seen = {"focused": await page.evaluate("document.activeElement.textContent"),
                "explanation": await page.evaluate("document.activeElement.dataset.explicacao"),
                "on_focus": await tip_state(page)}
        await page.keyboard.press("Escape")
        seen["after_escape"] = await tip_state(page)
    return seen


def test_an_abbreviation_opens_with_the_keyboard_and_closes_with_escape(in_browser):
    seen = in_browser(tab_to_abbreviation)
    assert seen["explanation"], "nenhuma abreviação recebeu o foco com Tab"
    assert seen["on_focus"]["shown"] and seen["on_focus"]["text"] == seen["explanation"]
    assert seen["on_focus"]["describedBy"] == [seen["focused"]]
    assert not seen["after_escape"]["shown"]


# --- Orientation -----------------------------------------------------------------------------------


async def start_from_home(browser, base_url) -> dict:
    async with opened(browser, "celular", base_url) as page:
        button = page.get_by_role("link", name="Começar pela lição 1")
        box = await button.bounding_box()
        async with page.expect_navigation():
            await button.tap()
        return {"bottom": box["y"] + box["height"], "url": page.url}


def test_start_button_is_on_the_first_phone_screen_and_opens_lesson_one(in_browser):
    seen = in_browser(start_from_home)
    assert seen["bottom"] <= PHONE_HEIGHT, seen
    assert seen["url"].endswith(LESSON_PATHS[0]), seen


def footer_text(html: str) -> str:
    footer = html[html.index('<div class="md-copyright">'):]
    footer = footer[:footer.index("</footer>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", footer)).strip()


def test_footer_of_every_page_is_in_portuguese(built_site):
    pages = sorted(built_site.rglob("index.html")) + [built_site / "404.html"]
    assert len(pages) > 10
    for page in pages:
        text = footer_text(page.read_text(encoding="utf-8"))
        assert "Made with" not in text, page
        for name in PRODUCT_NAMES:
            text = text.replace(name, "")
        assert looks_portuguese(text), (page, text)
