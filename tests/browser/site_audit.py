"""Visit a served page in Chromium the way a reader does, and write down everything the tests check.

One visit = one fresh browser context (empty cache) at one viewport. It records every request
and response, console errors, whether the page scrolls sideways, the figures, headings and
math as the browser shows them, and, when asked, axe-core's accessibility violations. Requests
to any host other than the local server are recorded and aborted: the site must work offline.
The tests in test_browser.py only read these records, so each page is loaded once per viewport.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.async_playwright import Axe

from devtools.chromium import (LOAD_EVERY_IMAGE, PAGE_TIMEOUT_S, SCROLL_THROUGH, VIEWPORTS, each_page, open_started,
                               run_in_page)

AXE_OPTIONS = {"resultTypes": ["violations"],  # skips listing every passing node: twice as fast
               "rules": {"target-size": {"enabled": True}}}  # off in axe by default (WCAG 2.2); Lighthouse runs it
# The rules behind Lighthouse's accessibility score that our pages failed (93 instead of 100): checked at
# any impact, on every page, also as Lighthouse sees the page (axe_as_lighthouse_sees).
LIGHTHOUSE_RULES = ["color-contrast", "target-size"]
# Lesson blocks are drawn only when they come near the screen (content-visibility in extra.css). axe
# reads the geometry of every element, and a block not yet drawn keeps its estimated height while its
# content, laid out for axe, runs past it (axe_as_lighthouse_sees checks that state). axe_violations
# checks the page drawn whole, as a reader who has scrolled through it sees it. Blocks drawn only now
# would start the theme's colour transitions now (after a switch to dark mode, axe would read a
# half-faded background), so transitions end at once.
DRAW_WHOLE_PAGE = "*, *::before, *::after { content-visibility: visible !important; transition: none !important; }"

# Runs in the page once it has loaded: what a reader sees, as plain data.
READ_PAGE = """() => {
  const images = [...document.images];
  const prose = (document.querySelector("article") || document.body).cloneNode(true);
  prose.querySelectorAll("pre, code, script, style, .katex, .notebook-actions, .clipboard-copy-txt").forEach(node => node.remove());
  return {
    lang: document.documentElement.lang,
    title: document.title,
    scheme: document.body.getAttribute("data-md-color-scheme"),
    scrollWidth: document.scrollingElement.scrollWidth,
    clientWidth: document.scrollingElement.clientWidth,
    images: images.map(img => ({src: img.currentSrc || img.src, alt: img.getAttribute("alt"),
                                naturalWidth: img.naturalWidth})),
    headings: [...document.body.querySelectorAll("h1, h2, h3, h4, h5, h6")]
      .map(h => [Number(h.tagName[1]), h.textContent.trim()]),
    katex: document.querySelectorAll(".katex").length,
    prose: prose.textContent,
  };
}"""


@dataclass
class Visit:
    """What one page load at one viewport showed."""

    url: str
    viewport: str
    status: int = 0
    off_site: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page: dict = field(default_factory=dict)
    axe: list[dict] = field(default_factory=list)


def is_local(url: str, origin: str) -> bool:
    return url.startswith(origin) or urlsplit(url).scheme in ("data", "blob", "about")


async def new_context(browser, viewport: str, origin: str, visit: Visit, **options):
    """A fresh context whose requests to other hosts are recorded and never sent."""
    # A first visit, as the reader makes it: no service worker from an earlier page (scripts/curso/hooks/sw.js).
    context = await browser.new_context(**VIEWPORTS[viewport], service_workers="block", **options)

    async def keep_local(route):
        if is_local(route.request.url, origin):
            await route.continue_()
        else:
            visit.off_site.append(route.request.url)
            await route.abort()

    await context.route("**/*", keep_local)
    return context


def watch(page, visit: Visit) -> None:
    """Record console errors, uncaught exceptions, failed requests and non-200 answers."""
    page.on("console", lambda message: message.type == "error" and visit.console_errors.append(
        f"{message.text} [{message.location.get('url', '')}]"))
    page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
    page.on("requestfailed", lambda request: visit.failed.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.status != 200 and response.url != visit.url
            and visit.failed.append(f"{response.url} (HTTP {response.status})"))


async def open_loaded(page, url: str):
    """Go to ``url`` and wait until the whole document is parsed, the network is quiet and the theme has started.

    "networkidle" alone is not enough: on a busy machine the parser can still be adding a long
    lesson's figures after half a second without requests.
    """
    response = await open_started(page, url)
    await page.wait_for_load_state("networkidle")
    return response


async def visit_page(browser, url: str, viewport: str, screenshot: Path | None = None,
                     audit=None) -> Visit:
    """``audit``: one of the axe runs below, whose violations go to ``Visit.axe``."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    visit = Visit(url, viewport)
    context = await new_context(browser, viewport, origin, visit)
    try:
        page = await context.new_page()
        watch(page, visit)
        visit.status = (await open_loaded(page, url)).status
        await run_in_page(page, LOAD_EVERY_IMAGE)
        visit.page = await run_in_page(page, READ_PAGE)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(screenshot))
        if audit is not None:
            visit.axe = await audit(page)
    finally:
        await context.close()
    return visit


async def draw_whole_page(page) -> None:
    """Measure the page as drawn once the reader has scrolled through it (see DRAW_WHOLE_PAGE)."""
    await page.add_style_tag(content=DRAW_WHOLE_PAGE)


async def scroll_through(page) -> None:
    """Scroll the whole page: what is prepared only near the screen (code blocks, scroll boxes) is ready."""
    await run_in_page(page, SCROLL_THROUGH)


async def axe_violations(page, options: dict | None = None, context: str | None = None) -> list[dict]:
    """axe-core's violations on the page drawn whole, or only inside the elements that the CSS selector ``context`` picks."""
    await draw_whole_page(page)
    return await run_axe(page, options, context)


async def axe_as_lighthouse_sees(page) -> list[dict]:
    """Contrast and touch targets on the page as loaded, unscrolled, its blocks off screen not drawn.

    Lighthouse runs axe so, and reads the geometry of blocks that content-visibility skipped: a skipped
    block keeps its estimated height while its content, laid out for axe, runs past it, under the next
    blocks or over the footer. axe_violations, on the page drawn whole, cannot see that.
    """
    return await run_axe(page, {"runOnly": LIGHTHOUSE_RULES})


async def run_axe(page, options: dict | None, context: str | None = None) -> list[dict]:
    run = Axe().run(page, context=context, options={**AXE_OPTIONS, **(options or {})})
    try:
        result = await asyncio.wait_for(run, PAGE_TIMEOUT_S)
    except asyncio.TimeoutError:
        raise TimeoutError(f"{page.url}: o axe não terminou em {PAGE_TIMEOUT_S} s") from None
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [node["target"] for node in v["nodes"][:3]],
             "why": " ".join(v["nodes"][0]["failureSummary"].split())[:300]} for v in result.response["violations"]]


AXE_RUN = {"computador": axe_violations, "celular": axe_as_lighthouse_sees}


async def visit_all(browser, base_url: str, paths: list[str], artifacts: Path) -> dict[tuple[str, str], Visit]:
    """Every path at every viewport, two at a time (chromium.each_page).

    axe runs once per page on each screen: on the computer, every rule on the page drawn whole; on the
    phone, contrast and touch targets as Lighthouse (mobile) sees the page.
    """

    async def one(job: tuple[str, str]) -> Visit:
        path, viewport = job
        name = path.strip("/").replace("/", "__") or "inicio"
        return await visit_page(browser, base_url + path, viewport,
                                screenshot=artifacts / viewport / f"{name}.png",
                                audit=AXE_RUN[viewport])

    jobs = [(path, viewport) for path in paths for viewport in VIEWPORTS]
    return dict(zip(jobs, await each_page(jobs, one)))
