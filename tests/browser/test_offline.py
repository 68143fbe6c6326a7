"""Reading without a connection, in a real browser.

* The site that works from disk (`make offline`: mkdocs.yml's ``OFFLINE=true``), built once here
  into a temporary folder and opened from ``file://`` with every other request aborted: a lesson
  through a link from the home page, its figures and math, search, the notebook download.
* The published site (the session's ``built_site``) on http://127.0.0.1: the service worker keeps a
  visited lesson for reading offline; "Salvar para ler offline" shows the size from offline.json
  before downloading, saves the whole course, and removes it.
Same Chromium and fixtures as tests/browser/test_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from urllib.parse import unquote

import pytest

from curso.offline import size_text
from curso.pipeline import layout
from curso.pipeline.source import parse_lesson
from devtools.chromium import LOAD_EVERY_IMAGE, THEME_STARTED, VIEWPORTS, run_in_page
from devtools.static_server import serving
from tests.browser.site_audit import axe_violations, open_loaded
from tests.browser.test_browser import browser, loop  # noqa: F401 - fixtures
from tests.helpers import LESSONS, ROOT

VISITED = layout.page_url(layout.lesson_page(LESSONS[0].stem))
NEVER_VISITED = layout.page_url(layout.lesson_page(LESSONS[-1].stem))
SEARCH_WORD = "verossimilhança"  # the title of lesson 03
RELATIVE_URL = re.compile(r'\b(?:href|src|srcset)="([^"#:?]+)[#"]')
SW_CONTROLS = "navigator.serviceWorker.controller !== null"
SAVED_COPIES = "async () => (await caches.keys()).filter(name => name.startsWith('curso-offline-')).length"


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory):
    """The site that works from disk, built as `make offline` builds it (the lessons come from the cache)."""
    site = tmp_path_factory.mktemp("offline") / "site"
    env = dict(os.environ, OFFLINE="true", NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                          cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-5000:]
    return site


def run(loop, scenario):
    return loop.run_until_complete(scenario)


async def disk_only_page(browser, viewport="celular"):
    """A page in a context where only file:// and data: requests go through; the rest is recorded."""
    context = await browser.new_context(**VIEWPORTS[viewport])
    blocked, failed = [], []

    async def only_disk(route):
        if route.request.url.startswith(("file:", "data:")):
            await route.continue_()
        else:
            blocked.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_disk)
    page = await context.new_page()
    page.on("requestfailed", lambda request: failed.append(f"{request.url} ({request.failure})"))
    page.on("pageerror", lambda error: failed.append(str(error)))
    return context, page, blocked, failed


def test_offline_build_links_pages_as_html_files_and_loads_nothing_from_a_cdn(offline_site):
    home = (offline_site / "index.html").read_text(encoding="utf-8")
    assert f'href="{layout.PAGES}/{LESSONS[0].stem}.html"' in home
    assert "unpkg.com" not in home and layout.WORKER_SHIM in home
    assert (offline_site / "search" / "search_index.js").is_file()
    assert not (offline_site / layout.SERVICE_WORKER).exists()
    assert "Salvar para ler offline" not in home


def test_every_relative_link_of_the_offline_build_leads_to_a_file(offline_site):
    broken = []
    for page in sorted(offline_site.rglob("*.html")):
        if page.name == "404.html":  # absolute links, for a server; left out of the zip
            continue
        for url in RELATIVE_URL.findall(page.read_text(encoding="utf-8")):
            if not (page.parent / unquote(url)).is_file():
                broken.append(f"{page.relative_to(offline_site)}: {url}")
    assert broken == []


def test_site_opened_from_disk_reads_a_lesson_searches_and_downloads_notebooks(loop, browser, offline_site):
    async def scenario():
        context, page, blocked, failed = await disk_only_page(browser)
        try:
            await page.goto((offline_site / "index.html").as_uri(), wait_until="load")
            # The theme starts after the first paint: leaving before it has would abort its scripts
            # (search_index.js, seen as a failed request), as a reader's quick tap does.
            await run_in_page(page, THEME_STARTED)
            await page.click(f'.trilha a[href="{layout.PAGES}/{LESSONS[0].stem}.html"]')
            await page.wait_for_load_state("load")
            await run_in_page(page, THEME_STARTED)
            await page.evaluate(LOAD_EVERY_IMAGE)
            lesson = await page.evaluate("""() => ({
              url: location.href,
              title: document.querySelector("h1").textContent,
              figures: [...document.querySelectorAll("article img")].map(img => img.naturalWidth),
              math: document.querySelectorAll(".katex").length,
              download: document.querySelector("a[download$='.ipynb']").href,
            })""")
            await page.locator('.md-header label.md-header__button[for="__search"]').click()
            await page.locator("input.md-search__input").press_sequentially(SEARCH_WORD, delay=30)
            await page.locator(".md-search-result__item a").first.wait_for(timeout=30_000)
            results = await page.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.href)")
            return lesson, results, blocked, failed
        finally:
            await context.close()

    lesson, results, blocked, failed = run(loop, scenario())
    assert lesson["url"].endswith(f"licoes/{LESSONS[0].stem}.html")
    assert lesson["figures"] and all(width > 0 for width in lesson["figures"])
    assert lesson["math"] > 0
    assert lesson["download"].startswith("file://")
    assert (offline_site / layout.notebook_download(LESSONS[0].stem)).samefile(lesson["download"].removeprefix("file://"))
    assert any("licoes/03-" in result and result.startswith("file://") for result in results), results
    assert blocked == [] and failed == []


async def wait_for_worker(page):
    await page.wait_for_function(SW_CONTROLS, timeout=30_000)


def test_service_worker_keeps_visited_lessons_and_saves_the_whole_course(loop, browser, built_site):
    manifest = json.loads((built_site / layout.OFFLINE_MANIFEST).read_text(encoding="utf-8"))

    async def scenario(base_url):
        context = await browser.new_context(**VIEWPORTS["celular"])
        page = await context.new_page()
        seen = {}
        try:
            await open_loaded(page, base_url + VISITED)
            await wait_for_worker(page)
            await page.wait_for_function(f"caches.open('curso-offline-{manifest['versao']}')"
                                         f".then(cache => cache.match(location.href))")
            await context.set_offline(True)
            await page.reload(wait_until="load")
            seen["visited"] = await page.text_content("h1")
            await page.goto(base_url + NEVER_VISITED, wait_until="load")
            seen["never_visited"] = await page.text_content("h1")

            await context.set_offline(False)
            await open_loaded(page, base_url)
            save = page.locator(".salvar-offline__salvar")
            await save.click()
            await page.wait_for_function("document.querySelector('.salvar-offline__salvar').textContent.startsWith('Baixar')")
            seen["before_download"] = await page.text_content(".salvar-offline__estado")
            seen["button"] = await save.text_content()
            seen["axe"] = await axe_violations(page, context=".ler-offline")
            await save.click()
            await page.wait_for_selector(".salvar-offline__remover:not([hidden])", timeout=60_000)
            seen["saved"] = await page.text_content(".salvar-offline__estado")

            await context.set_offline(True)
            await page.goto(base_url + NEVER_VISITED, wait_until="load")
            seen["saved_lesson"] = await page.text_content("h1")
            await context.set_offline(False)
            await open_loaded(page, base_url)
            seen["saved_on_reload"] = await page.text_content(".salvar-offline__estado")
            await page.click(".salvar-offline__remover")
            await page.wait_for_selector(".salvar-offline__salvar:not([hidden])")
            seen["removed"] = await page.text_content(".salvar-offline__estado")
            seen["copies_left"] = await page.evaluate(SAVED_COPIES)
        finally:
            await context.close()
        return seen

    with serving(built_site) as base_url:
        seen = run(loop, scenario(base_url))
    size, download = size_text(manifest["total"]), size_text(manifest["total_rede"])
    assert seen["visited"].removesuffix("¶") == lesson_title(LESSONS[0])
    assert seen["never_visited"] == "Sem conexão"
    assert size in seen["before_download"] and download in seen["before_download"]
    assert seen["button"] == f"Baixar {download}"
    assert f"{len(manifest['arquivos'])} arquivos" in seen["before_download"]
    assert seen["axe"] == []
    assert seen["saved"].startswith("Pronto") and size in seen["saved"]
    assert seen["saved_lesson"].removesuffix("¶") == lesson_title(LESSONS[-1])
    assert "está salvo" in seen["saved_on_reload"]
    assert seen["removed"].startswith("Cópia removida") and seen["copies_left"] == 0


def lesson_title(lesson) -> str:
    return parse_lesson(lesson.read_text(encoding="utf-8"), str(lesson), lesson.stem).title
