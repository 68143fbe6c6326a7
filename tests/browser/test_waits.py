"""In-page waits end even where the browser paints no frame (devtools/chromium.py).

A page whose requestAnimationFrame never calls back stands for a headless set-up that schedules no
frames: scrolling through a lesson must still end, after its per-stop timer. And scrolling through
puts every part of the page on the screen at some stop, for what is prepared only there.
"""

from __future__ import annotations

import pytest

from devtools.chromium import NEXT_FRAMES, SCROLL_THROUGH, VIEWPORTS, run_in_page
from tests.browser.test_browser import browser, loop  # noqa: F401 - the shared session fixtures

NO_FRAMES = "window.requestAnimationFrame = () => 0;"


async def scroll_without_frames(browser) -> dict:  # noqa: F811
    context = await browser.new_context(**VIEWPORTS["computador"])
    try:
        await context.add_init_script(NO_FRAMES)
        page = await context.new_page()
        await page.set_content("<main style='height: 3000px'>Uma página de quatro telas.</main>")
        await run_in_page(page, NEXT_FRAMES, seconds=10)
        await run_in_page(page, SCROLL_THROUGH, seconds=60)
        return await run_in_page(page, "() => ({top: scrollY, frames: requestAnimationFrame(() => {})})")
    finally:
        await context.close()


def test_scrolling_through_a_page_that_paints_no_frame_still_ends_back_at_the_top(loop, browser):  # noqa: F811
    seen = loop.run_until_complete(scroll_without_frames(browser))
    assert seen == {"top": 0, "frames": 0}


# A page of 1-px marks every 37 px; an observer without margin records each mark that comes on screen.
MARKED_PAGE = "<main>" + "".join(f"<div style='height: 1px; margin-bottom: 36px' data-mark='{n}'></div>"
                                 for n in range(200)) + "</main>"
WATCH_MARKS = """() => {
  window.seenMarks = new Set();
  const watcher = new IntersectionObserver(entries => entries.forEach(entry => {
    if (entry.isIntersecting) seenMarks.add(entry.target.dataset.mark);
  }));
  document.querySelectorAll("[data-mark]").forEach(mark => watcher.observe(mark));
}"""


async def marks_seen_while_scrolling(browser, viewport: str) -> dict:  # noqa: F811
    context = await browser.new_context(**VIEWPORTS[viewport])
    try:
        page = await context.new_page()
        await page.set_content(MARKED_PAGE)
        await run_in_page(page, WATCH_MARKS)
        await run_in_page(page, NEXT_FRAMES)
        seen_at_the_top = await run_in_page(page, "() => seenMarks.size")
        await run_in_page(page, SCROLL_THROUGH)
        return {"top": seen_at_the_top, "seen": await run_in_page(page, "() => seenMarks.size"),
                "marks": await run_in_page(page, "() => document.querySelectorAll('[data-mark]').length")}
    finally:
        await context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_scrolling_through_puts_every_part_of_the_page_on_the_screen(loop, browser, viewport):  # noqa: F811
    seen = loop.run_until_complete(marks_seen_while_scrolling(browser, viewport))
    assert 0 < seen["top"] < seen["marks"], f"a página deve ser mais alta que a tela: {seen}"
    assert seen["seen"] == seen["marks"], f"partes da página nunca estiveram na tela: {seen}"
