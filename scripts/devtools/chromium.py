"""How the project opens the built site in Debian's Chromium: for the browser tests and the speed budget.

Both drive /usr/bin/chromium (installed by `make test`; Playwright never downloads a browser of its
own) with the same offline flags and screens, and read a page only once every figure it has has loaded
(and, where it matters, once it has been scrolled through).
"""

from __future__ import annotations

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
    new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
}"""

# Runs in the page: from top to bottom half a screen at a time, as a reader scrolls, with two frames
# at each stop for the page to notice what came near the screen (the theme's code blocks and
# extra.js's scroll boxes are prepared only then); then back to the top.
SCROLL_THROUGH = """async () => {
  const frames = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  for (let top = 0; top < document.scrollingElement.scrollHeight; top += innerHeight / 2) {
    scrollTo(0, top);
    await frames();
  }
  scrollTo(0, 0);
  await frames();
}"""
