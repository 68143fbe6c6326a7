"""Do the display equations of the lessons fit the screen? Measured in Chromium, on both screens.

Usage: python -m devtools.math_fit [site]   (after `mkdocs build -d site`; default: site)

Every lesson page is opened at 390×844 and 1280×800 (chromium.VIEWPORTS), and on a 320 px phone
where some equations still scroll (SMALL_PHONE). For every display
equation (``div.arithmatex``) the page reports whether it is wider than its box, the gap between
the formula and the box's edges when scrolled to the start and to the end (side padding), whether
the box draws the "more to the right" cue, and whether a keyboard can reach it, by name. The
script prints, per lesson, how many equations need sideways scrolling and which ones;
tests/browser/test_phone_math.py asserts on the same records.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import async_playwright

from devtools.chromium import (CHROMIUM, CHROMIUM_ARGS, FONTS_READY, LOAD_EVERY_IMAGE, SCROLL_THROUGH, VIEWPORTS,
                               WAITS, each_page, open_started, run_in_page)
from devtools.static_server import serving

ROOT = Path(__file__).resolve().parents[2]
LESSON_PATHS = [f"licoes/{lesson.stem}/" for lesson in sorted((ROOT / "lessons_src").glob("[0-9][0-9]-*.md"))]

# Runs in the page once its KaTeX fonts are in and it has been scrolled through (extra.js measures
# which boxes overflow as they come near the screen), with every collapsible block open: one record
# per display equation, in page order, as drawn for a reader who has scrolled through the page
# (blocks far from the screen are not drawn before: content-visibility in extra.css).
# The formula's own extent is the union of KaTeX's glyph rows (.katex-base, .katex-tag) or, when the page carries
# only MathML, of the <math> element's children; the box is the div.arithmatex that scrolls.
MEASURE_DISPLAY_MATH = "async () => {" + WAITS + r"""
  document.querySelectorAll("details").forEach(details => { details.open = true; });  // as a reader opens them
  document.head.insertAdjacentHTML("beforeend", "<style>article > * { content-visibility: visible !important; }</style>");
  await fontsReady();
  await frames();
  function inkOf(box) {
    let parts = box.querySelectorAll(".katex-html > :is(.katex-base, .katex-tag)");
    if (!parts.length) parts = box.querySelectorAll("math > *");
    const rects = [...parts].map(part => part.getBoundingClientRect()).filter(rect => rect.width > 0);
    return {left: Math.min(...rects.map(r => r.left)), right: Math.max(...rects.map(r => r.right))};
  }
  function gaps(box) {
    const rect = box.getBoundingClientRect();
    const inner = {left: rect.left + box.clientLeft, right: rect.left + box.clientLeft + box.clientWidth};
    box.scrollLeft = 0;
    const start = inkOf(box).left - inner.left;
    box.scrollLeft = box.scrollWidth;
    const end = inner.right - inkOf(box).right;
    box.scrollLeft = 0;
    return [start, end];
  }
  const root = document.querySelector("article") || document.body;
  const equations = [...root.querySelectorAll("div.arithmatex")].map(box => {
    const style = getComputedStyle(box);
    const annotation = box.querySelector('annotation[encoding="application/x-tex"]');
    const [start, end] = gaps(box);
    return {
      tex: annotation ? annotation.textContent.replace(/\s+/g, " ").trim() : "",
      scrollWidth: box.scrollWidth,
      clientWidth: box.clientWidth,
      clippedHeight: box.scrollHeight - box.clientHeight,
      gapStart: start,
      gapEnd: end,
      backgroundImage: style.backgroundImage,
      backgroundAttachment: style.backgroundAttachment,
      tabindex: box.getAttribute("tabindex"),
      role: box.getAttribute("role"),
      label: box.getAttribute("aria-label") || "",
    };
  });
  const page = document.scrollingElement;
  return {equations, pageScrollWidth: page.scrollWidth, pageClientWidth: page.clientWidth};
}"""

MIN_GAP_PX = 8  # the formula never touches the edge of its box, at either end of the scroll
# A narrower phone than the 390 px one, where some equations still scroll: the screen on which the
# scroll cue, the side gaps and the keyboard access of scrolling equations are exercised.
SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2}
SCREENS = {**VIEWPORTS, "celular pequeno": SMALL_PHONE}


@dataclass
class Equation:
    """One display equation as one screen shows it."""

    tex: str
    scrollWidth: int
    clientWidth: int
    clippedHeight: int
    gapStart: float
    gapEnd: float
    backgroundImage: str
    backgroundAttachment: str
    tabindex: str | None
    role: str | None
    label: str

    @property
    def scrolls(self) -> bool:
        return self.scrollWidth > self.clientWidth + 1

    @property
    def has_cue(self) -> bool:
        """Shadows that show the hidden side: gradients, some fixed to the box, some moving with it."""
        attachments = self.backgroundAttachment.split(", ")
        return (self.backgroundImage.count("gradient(") >= 2
                and "local" in attachments and "scroll" in attachments)

    @property
    def keyboard_reachable(self) -> bool:
        return self.tabindex == "0" and bool(self.role) and bool(self.label.strip())

    def problems(self) -> list[str]:
        """What is wrong with this equation on this screen (empty: all good)."""
        found = []
        if min(self.gapStart, self.gapEnd) < MIN_GAP_PX:
            found.append(f"encosta na borda (folga {self.gapStart:.0f}/{self.gapEnd:.0f} px)")
        if self.clippedHeight > 1:
            found.append(f"cortada na vertical ({self.clippedHeight} px)")
        if self.scrolls and not self.has_cue:
            found.append("rola sem a sombra que indica mais conteúdo")
        if self.scrolls and not self.keyboard_reachable:
            found.append("rola, mas o teclado não a alcança com um nome")
        return found


@dataclass
class PageMath:
    path: str
    viewport: str
    equations: list[Equation]
    pageScrollWidth: int
    pageClientWidth: int

    @property
    def scrolling(self) -> list[Equation]:
        return [equation for equation in self.equations if equation.scrolls]


async def measure_page(browser, url: str, path: str, viewport: str) -> PageMath:
    context = await browser.new_context(**SCREENS[viewport])
    try:
        page = await context.new_page()
        await open_started(page, url + path)  # extra.js marks scroll boxes only once it has started
        await run_in_page(page, LOAD_EVERY_IMAGE)  # figures above a formula move it, never widen it
        await run_in_page(page, SCROLL_THROUGH)
        await run_in_page(page, FONTS_READY)  # those of the formulas drawn while scrolling, too
        found = await run_in_page(page, MEASURE_DISPLAY_MATH)
    finally:
        await context.close()
    return PageMath(path, viewport, [Equation(**equation) for equation in found["equations"]],
                    found["pageScrollWidth"], found["pageClientWidth"])


async def measure_site(browser, base_url: str, paths: list[str] = LESSON_PATHS) -> dict[tuple[str, str], PageMath]:
    """Every lesson on every screen, two pages at a time (chromium.each_page)."""
    jobs = [(path, viewport) for path in paths for viewport in SCREENS]
    return dict(zip(jobs, await each_page(jobs, lambda job: measure_page(browser, base_url, *job))))


def report(pages: dict[tuple[str, str], PageMath]) -> str:
    lines = []
    for viewport, options in SCREENS.items():
        size = options["viewport"]
        on_screen = [page for (_, name), page in pages.items() if name == viewport]
        total = sum(len(page.equations) for page in on_screen)
        scrolling = sum(len(page.scrolling) for page in on_screen)
        lines.append(f"{viewport} {size['width']}×{size['height']}: {scrolling} de {total} equações "
                     "em destaque rolam na horizontal")
        for page in on_screen:
            lines.append(f"  {page.path:40} {len(page.scrolling):2} de {len(page.equations):2}")
            for equation in page.scrolling:
                lines.append(f"      {equation.scrollWidth:4} > {equation.clientWidth} px  {equation.tex[:70]}")
            for equation in page.equations:
                for problem in equation.problems():
                    lines.append(f"      PROBLEMA: {problem}: {equation.tex[:60]}")
    return "\n".join(lines)


async def measure_built_site(site: Path) -> dict[tuple[str, str], PageMath]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            with serving(site) as base_url:
                return await measure_site(browser, base_url)
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Mede se as equações em destaque das lições cabem na tela.")
    parser.add_argument("site", type=Path, nargs="?", default=ROOT / "site", help="pasta do site gerado")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        parser.exit(2, f"{args.site}: site não encontrado; gere-o com `mkdocs build -d {args.site}`.\n")
    print(report(asyncio.run(measure_built_site(args.site))))


if __name__ == "__main__":
    main()
