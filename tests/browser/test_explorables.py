"""Explorable figures (explore=) in a real browser, on the phone and the computer.

For every explorable on the built site: nothing of its states is fetched at load; the keyboard
(Home, End, ArrowRight) and a tap move the sliders, and the figure, its alt text, the caption and the
live output become the state that the build recorded for that setting (read from the states file the
build wrote, never typed here); aria-valuetext has a decimal comma; axe finds nothing serious; no
request leaves 127.0.0.1; without JavaScript the default figure and its alt text are there.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from bs4 import BeautifulSoup

from curso.pipeline.layout import PHONE_FIGURES
from devtools.explore_budget import explorables
from tests.browser.site_audit import Visit, axe_violations, new_context, open_loaded, watch
from tests.browser.test_browser import SERIOUS, base_url, browser, loop  # noqa: F401 - the shared browser fixtures

# A decimal point, where a pt-BR number has a comma ("1.000" groups thousands, "0.5" is a decimal point).
DECIMAL_POINT = re.compile(r"\d\.(?!\d{3}(?!\d))")
WAIT_MS = 20_000  # for a state to show: far above what a loaded two-core machine takes
READ_BOX = """box => ({
  src: box.querySelector("img").getAttribute("src"),
  alt: box.querySelector("img").alt,
  caption: (box.querySelector("figcaption") || {}).textContent || "",
  output: box.querySelector(".explorar-saida").innerText.trim(),
  values: [...box.querySelectorAll("input[type=range]")].map(input => Number(input.value)),
  sizes: [...box.querySelectorAll("input[type=range]")].map(input => Number(input.max) + 1),
  valuetexts: [...box.querySelectorAll("input[type=range]")].map(input => input.getAttribute("aria-valuetext")),
})"""


def recorded_states(site, item, viewport: str) -> list[dict]:
    """The states the build wrote, in the rendition this screen loads (phones: the phone rendition)."""
    folder, name = item.states.rsplit("/", 1)
    path = f"{folder}/{PHONE_FIGURES}/{name}" if viewport == "celular" else item.states
    return json.loads((site / path).read_text(encoding="utf-8"))["estados"]


def state_index(values: list[int], sizes: list[int]) -> int:
    index = 0
    for value, size in zip(values, sizes):
        index = index * size + value
    return index


def as_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text().strip()


async def shows_state(page, box, states: list[dict]) -> dict:
    """Wait until the box shows the state its sliders select; return what it shows."""
    shown = await box.evaluate(READ_BOX)
    expected = states[state_index(shown["values"], shown["sizes"])]
    await page.wait_for_function(
        "([box, alt]) => box.querySelector('img').alt === alt && box.querySelector('img').src.startsWith('blob:')",
        arg=[await box.element_handle(), expected["alt"]], timeout=WAIT_MS)
    shown = await box.evaluate(READ_BOX)
    assert shown["alt"] == expected["alt"] and shown["caption"].strip() == expected["legenda"]
    assert shown["output"] == as_text(expected["saida"])
    return shown


@pytest.mark.parametrize("viewport", ["celular", "computador"])
def test_keyboard_and_touch_move_every_explorable_through_recorded_states(loop, browser, base_url, built_site,
                                                                          viewport):
    found = explorables(built_site)
    assert found
    valuetexts = []  # as each page's sliders were left, for the decimal comma of a fractional value

    async def scenario():
        for page_path in sorted({item.page for item in found}):
            url = base_url + page_path.removesuffix("index.html")
            visit = Visit(url, viewport)
            context = await new_context(browser, viewport, base_url.split("/redes-neurais/")[0], visit)
            try:
                page = await context.new_page()
                watch(page, visit)
                requested = []
                page.on("request", lambda request: requested.append(request.url))
                await open_loaded(page, url)
                assert not [u for u in requested if "/explorar/" in u], "estados baixados ao abrir a página"
                items = [item for item in found if item.page == page_path]
                for number, item in enumerate(items):
                    box = page.locator("div.explorar").nth(number)
                    await box.scroll_into_view_if_needed()
                    states = recorded_states(built_site, item, viewport)
                    slider = box.locator("input[type=range]").first
                    await slider.focus()
                    await slider.press("End")
                    shown = await shows_state(page, box, states)
                    assert shown["values"][0] == shown["sizes"][0] - 1
                    await slider.press("Home")
                    shown = await shows_state(page, box, states)
                    assert shown["values"][0] == 0
                    await slider.press("ArrowRight")
                    shown = await shows_state(page, box, states)
                    assert shown["values"][0] == 1
                    assert all(" = " in text and not DECIMAL_POINT.search(text) for text in shown["valuetexts"])
                    if viewport == "celular":
                        await tap_near_the_end(page, slider)
                        shown = await shows_state(page, box, states)
                        assert shown["values"][0] == shown["sizes"][0] - 1
                valuetexts.extend(await page.locator("div.explorar input[type=range]")
                                  .evaluate_all("inputs => inputs.map(input => input.getAttribute('aria-valuetext'))"))
                if viewport == "computador":  # as test_browser.py: on a phone the theme makes no code block focusable
                    serious = [v for v in await axe_violations(page, context="div.explorar") if v["impact"] in SERIOUS]
                    assert not serious, serious
            finally:
                await context.close()
            assert not visit.off_site and not visit.failed and not visit.console_errors, visit

    loop.run_until_complete(scenario())
    assert any("," in text for text in valuetexts), valuetexts


async def tap_near_the_end(page, slider) -> None:
    """A finger's tap near the right end, with the slider in the middle of the screen (not under the header)."""
    await slider.evaluate("input => input.scrollIntoView({block: 'center'})")
    box = await slider.bounding_box()
    await page.touchscreen.tap(box["x"] + box["width"] - 4, box["y"] + box["height"] / 2)


@pytest.mark.parametrize("viewport", ["celular", "computador"])
def test_without_javascript_the_default_figure_and_its_alt_text_are_there(loop, browser, base_url, built_site,
                                                                         viewport):
    found = explorables(built_site)

    async def scenario():
        for page_path in sorted({item.page for item in found}):
            url = base_url + page_path.removesuffix("index.html")
            visit = Visit(url, viewport)
            context = await new_context(browser, viewport, base_url.split("/redes-neurais/")[0], visit,
                                        java_script_enabled=False)
            try:
                page = await context.new_page()
                await open_loaded(page, url)
                items = [item for item in found if item.page == page_path]
                for number, item in enumerate(items):
                    box = page.locator("div.explorar").nth(number)
                    shown = await box.evaluate(READ_BOX)
                    default = recorded_states(built_site, item, viewport)[state_index(shown["values"], shown["sizes"])]
                    assert shown["src"].endswith(".svg") and shown["alt"] == default["alt"]
                    assert math.prod(shown["sizes"]) == item.count
            finally:
                await context.close()

    loop.run_until_complete(scenario())
