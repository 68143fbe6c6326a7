"""Display equations on a phone: each one fits the screen, or scrolls in its own box and shows it.

Every display equation of every lesson is measured in Chromium (scripts/devtools/math_fit.py) at 390×844 and
1280×800 (chromium.VIEWPORTS) and on a 320 px phone, where some still scroll, so that the scroll cue,
the side gaps and keyboard access are checked on real scrolling equations. The count that scrolls
at 390 px is printed (`pytest -s`) and kept low.
"""

from __future__ import annotations

import io
import re
import statistics

import pytest
from PIL import Image

from devtools.chromium import FONTS_READY, open_started, run_in_page
from tests.helpers import LESSONS
from devtools.math_fit import LESSON_PATHS, SCREENS, measure_site, report
from tests.browser.site_audit import axe_violations, scroll_through
from tests.browser.test_browser import base_url, browser, loop  # noqa: F401 - the shared session fixtures

PHONE, COMPUTER, SMALL = "celular", "computador", "celular pequeno"
MAX_SCROLLING_ON_THE_PHONE = 2  # today 0 of 76; room for one big matrix, not for a long derivation
WIDE_FORMULA_NAME = "Fórmula larga, rolável na horizontal"
A11Y_RULES = ["scrollable-region-focusable", "aria-allowed-attr", "aria-prohibited-attr", "aria-allowed-role"]
DISPLAY_MATH = re.compile(r"^[ \t]*\$\$[ \t]*$", re.M)


@pytest.fixture(scope="session")
def measured(loop, browser, base_url):  # noqa: F811 - pytest fixtures
    pages = loop.run_until_complete(measure_site(browser, base_url))
    print("\n" + report(pages))
    return pages


def display_equations_in_source(lesson) -> int:
    return len(DISPLAY_MATH.findall(lesson.read_text(encoding="utf-8"))) // 2


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.stem)
def test_every_display_equation_of_the_lesson_is_measured(measured, lesson):
    for screen in SCREENS:
        assert len(measured[f"licoes/{lesson.stem}/", screen].equations) == display_equations_in_source(lesson)


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("path", LESSON_PATHS)
def test_no_equation_touches_the_edge_is_clipped_or_scrolls_without_cue_and_keyboard(measured, path, screen):
    problems = [f"{problem}: {equation.tex[:80]}" for equation in measured[path, screen].equations
                for problem in equation.problems()]
    assert problems == []


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("path", LESSON_PATHS)
def test_the_page_itself_never_scrolls_sideways(measured, path, screen):
    page = measured[path, screen]
    assert page.pageScrollWidth <= page.pageClientWidth


def scrolling_count(measured, screen: str) -> int:
    return sum(len(measured[path, screen].scrolling) for path in LESSON_PATHS)


def test_few_equations_scroll_on_the_phone(measured):
    total = sum(len(measured[path, PHONE].equations) for path in LESSON_PATHS)
    print(f"\n{scrolling_count(measured, PHONE)} de {total} equações em destaque rolam na horizontal a 390 px")
    assert scrolling_count(measured, PHONE) <= MAX_SCROLLING_ON_THE_PHONE


def test_no_equation_scrolls_on_the_computer(measured):
    assert scrolling_count(measured, COMPUTER) == 0


def test_some_equations_scroll_on_the_small_phone_so_the_cue_is_really_checked(measured):
    assert scrolling_count(measured, SMALL) > 0


# --- The cue as drawn, and the keyboard, on a page where equations scroll ----------------------

EDGE_PX = 3  # width of the strip read at each edge of the box, in device pixels


def edge_contrast(png: bytes) -> tuple[float, float]:
    """How far the left and right edges of a box screenshot are from the box's background (grey levels).

    Medians over the middle rows of a thin strip at each edge: glyphs are thin, so a median is what
    lies under them (the page background, or the cue's shadow); most of the box is background.
    """
    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    rows = range(height // 3, 2 * height // 3)
    background = statistics.median(image.tobytes())

    def strip(columns) -> float:
        return abs(statistics.median(image.getpixel((x, y)) for x in columns for y in rows) - background)

    return strip(range(EDGE_PX)), strip(range(width - EDGE_PX, width))


# A key scrolls with an animation: read scrollLeft once it has moved, or after a bounded wait.
SCROLL_LEFT_ONCE_MOVED = """box => new Promise(resolve => {
  const give_up = performance.now() + 3000;
  (function read() {
    if (box.scrollLeft > 0 || performance.now() > give_up) resolve(box.scrollLeft);
    else requestAnimationFrame(read);
  })();
})"""


async def cue_and_keyboard(browser, base_url, path: str, scheme: str) -> dict:  # noqa: F811
    context = await browser.new_context(**SCREENS[SMALL], color_scheme=scheme)
    try:
        page = await context.new_page()
        await open_started(page, base_url + path)
        await run_in_page(page, FONTS_READY)
        await scroll_through(page)  # extra.js names a wide formula when it comes near the screen
        wide = page.get_by_role("group", name=WIDE_FORMULA_NAME)
        seen = {"named": await wide.count()}
        if not seen["named"]:
            return seen
        box = wide.first
        await box.scroll_into_view_if_needed()
        seen["start"] = edge_contrast(await box.screenshot())
        await box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
        seen["end"] = edge_contrast(await box.screenshot())
        await box.evaluate("box => { box.scrollLeft = 0; }")
        await box.focus()  # after the screenshots: the focus ring is drawn on the edges
        await page.keyboard.press("ArrowRight")
        seen["scrolled_by_keyboard"] = await box.evaluate(SCROLL_LEFT_ONCE_MOVED)
        seen["axe"] = await axe_violations(page, {"runOnly": A11Y_RULES}, context="div.arithmatex")
    finally:
        await context.close()
    return seen


def most_scrolling_page(measured) -> str:
    return max(LESSON_PATHS, key=lambda path: len(measured[path, SMALL].scrolling))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_scrolling_equation_shows_a_shadow_where_more_is_hidden_and_scrolls_by_keyboard(
        loop, browser, base_url, measured, scheme):  # noqa: F811
    path = most_scrolling_page(measured)
    seen = loop.run_until_complete(cue_and_keyboard(browser, base_url, path, scheme))
    assert seen["named"] == len(measured[path, SMALL].scrolling)
    left, right = seen["start"]
    assert right > 12 and left < 4, f"no início, a sombra fica só à direita: {seen['start']}"
    left, right = seen["end"]
    assert left > 12 and right < 4, f"no fim, a sombra fica só à esquerda: {seen['end']}"
    assert seen["scrolled_by_keyboard"] > 0
    assert seen["axe"] == []
