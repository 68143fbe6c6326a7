"""In-page waits end even where the browser paints no frame (devtools/chromium.py).

A page whose requestAnimationFrame never calls back stands for a headless set-up that schedules no
frames: scrolling through a lesson must still end, after its per-stop timer.
"""

from __future__ import annotations

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
