"""How the project opens the built site in Debian's Chromium: for the browser tests and the speed budget.

Both drive /usr/bin/chromium (installed by `make test`; Playwright never downloads a browser of its
own) with the same offline flags and screens, and read a page only once every figure it has has loaded
(and, where it matters, once it has been scrolled through).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# The last flag answers every host name but 127.0.0.1 with "not found": even with background
# networking off, Chromium still looks up Google's update and account hosts at start-up.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]

# The two screens every page is checked on: browser-context options by name.
VIEWPORTS = {
    "computador": {"viewport": {"width": 1280, "height": 800}},
    "celular": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                "device_scale_factor": 2},
}

# Runs in the page: once the parser has added every figure, load the lazy ones too, as a reader who
# scrolls to the end does, and wait for them.
LOAD_EVERY_IMAGE = """async () => {
  if (document.readyState !== "complete") await new Promise(done => addEventListener("load", done, {once: true}));
  const images = [...document.images];
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null :
    new Promise(done => {
      img.addEventListener("load", done);
      img.addEventListener("error", done);
      setTimeout(done, 30000);  // a figure that never answers is reported by the tests that read it
    })));
}"""

# Every wait inside a page ends by itself. A page that the browser does not paint (a headless set-up
# that schedules no frames, a renderer starved by a busy machine) never runs requestAnimationFrame,
# and `document.fonts.ready` waits on every font request; a promise on either alone could keep a test
# run waiting for ever. Each script is a function expression whose body may use these two helpers.
WAITS = """
  const frames = () => new Promise(done => {
    requestAnimationFrame(() => requestAnimationFrame(done));
    setTimeout(done, 1000);
  });
  const fontsReady = () => Promise.race([document.fonts.ready, new Promise(done => setTimeout(done, 10000))]);
"""
NEXT_FRAMES = "async () => {" + WAITS + "  await frames();\n}"
FONTS_READY = "async () => {" + WAITS + "  await fontsReady();\n}"

# Runs in the page: waits (at most 30 s) until the theme and the site's own scripts have started. They
# start after the first paint, one short task each (overrides/partials/javascripts/startup.html), which
# marks <html data-tema="montado"> at the end; pages without that loader (notebook views) start as before,
# and with JavaScript off (<html class="no-js"> stays) nothing starts.
THEME_STARTED = """async () => {
  const root = document.documentElement;
  const started = () => !document.querySelector("link[data-partida]") || root.dataset.tema === "montado" || root.classList.contains("no-js");
  for (let waited = 0; !started() && waited < 30000; waited += 50) await new Promise(done => setTimeout(done, 50));
}"""

# Runs in the page: from top to bottom a screen at a time, as a reader scrolls, with two frames at
# each stop for the page to notice what came onto or near the screen (the theme's code blocks and
# extra.js's scroll boxes are prepared only then); then back to the top. Every part of the page is on
# the screen at one stop at least (tests/browser/test_waits.py); half a screen at a time prepared the
# same blocks of every lesson on both screens, in half again as long. At each stop, the fonts that
# what came near the screen asked for are waited for too: extra.js measures a formula again when its
# font arrives, but only while it is near the screen. At most 1000 stops, should the page keep
# growing as it is scrolled.
SCROLL_THROUGH = "async () => {" + WAITS + """
  const step = Math.max(innerHeight, 100);
  for (let top = 0, stops = 0; top < document.scrollingElement.scrollHeight && stops < 1000; top += step, stops++) {
    scrollTo(0, top);
    await frames();
    await fontsReady();
  }
  scrollTo(0, 0);
  await frames();
}"""

# Pages opened at the same time: one Chromium renderer per core of a two-core machine. A page spends
# part of its visit waiting (for the network to be quiet, for frames), so two at a time keep both
# cores busy where one at a time leaves one idle.
CONCURRENT_PAGES = 2

PAGE_TIMEOUT_S = 120  # far above what any script here takes on a loaded two-core machine (a few seconds)


async def run_in_page(page, script: str, arg=None, seconds: float = PAGE_TIMEOUT_S):
    """``page.evaluate``, but a page that stops answering fails with its address instead of hanging.

    Playwright's evaluate has no time limit of its own.
    """
    try:
        return await asyncio.wait_for(page.evaluate(script, arg), seconds)
    except asyncio.TimeoutError:
        first_line = script.strip().splitlines()[0][:80]
        raise TimeoutError(f"{page.url}: a página não respondeu em {seconds:.0f} s a `{first_line}`") from None


async def open_started(page, url: str):
    """Go to ``url`` and wait for its load event and for the theme and the site's scripts to start
    (THEME_STARTED): until then, nothing the theme or extra.js prepares is on the page."""
    response = await page.goto(url, wait_until="load")
    await run_in_page(page, THEME_STARTED)
    return response


async def each_page(jobs, visit, concurrency: int = CONCURRENT_PAGES) -> list:
    """``await visit(job)`` for every job, ``concurrency`` at a time; the results in the order of ``jobs``."""
    slots = asyncio.Semaphore(concurrency)

    async def one(job):
        async with slots:
            return await visit(job)

    return await asyncio.gather(*(one(job) for job in jobs))
