"""The built site in a real browser, served the way GitHub Pages serves it.

Debian's Chromium (installed by `make test`), driven by Playwright, opens every page under the
sub-path /redes-neurais/ on 127.0.0.1, with gzip, on a computer-sized and a phone-sized screen.
Nothing may be fetched from another host. Screenshots go to test-artifacts/navegador/.
"""

from __future__ import annotations

import asyncio
import re
import shutil

import nbformat
import pytest
from playwright.async_api import async_playwright

from curso.pipeline import layout
from devtools.chromium import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS
from devtools.static_server import page_urls, serving
from tests.browser.site_audit import LIGHTHOUSE_RULES, axe_violations, open_loaded, visit_all
from tests.helpers import GENERATED, HAND_WRITTEN_PAGES, LESSONS, ROOT, has_math

ARTIFACTS = ROOT / "test-artifacts" / "navegador"
SITE_NAME = "Treinando Redes Neurais"
SIMPLE_PAGES = [""] + [f"{page.stem}/" for page in HAND_WRITTEN_PAGES if page.stem != "index"]
PAGES = (SIMPLE_PAGES + [layout.page_url(layout.REPORT_PAGE)]
         + [layout.page_url(layout.lesson_page(lesson.stem)) for lesson in LESSONS]
         + [layout.page_url(layout.notebook_file(lesson.stem)) for lesson in LESSONS])
MISSING = "licoes/pagina-que-nao-existe/"  # any depth: GitHub Pages answers with 404.html
SEARCH_TARGET = "licoes/03-maxima-verossimilhanca/"
SERIOUS = ("serious", "critical")
ENGLISH_WORDS = {"the", "of", "and", "with", "is", "are", "this", "image", "description", "plot", "figure"}
PORTUGUESE_WORDS = {"de", "do", "da", "dos", "das", "com", "e", "o", "a", "os", "as", "em", "no", "na", "um", "uma",
                    "para", "que", "por"}
RAW_TEX = re.compile(r"\$\$|\\[()\[\]]|\\[A-Za-z]{2,}")


MATH_PAGES = {"notacao/"} | {f"{kind}/{lesson.stem}/" for lesson in LESSONS if has_math(lesson)
                             for kind in ("licoes", "notebooks")}


# --- Fixtures: one event loop, one Chromium, one server, every page visited once per screen ----


@pytest.fixture(scope="session")
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def browser(loop):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium não encontrado em {CHROMIUM}: `make test` o instala com apt-get.")
    playwright = loop.run_until_complete(async_playwright().start())
    chromium = loop.run_until_complete(playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS))
    yield chromium
    loop.run_until_complete(chromium.close())
    loop.run_until_complete(playwright.stop())


@pytest.fixture(scope="session")
def base_url(built_site):
    with serving(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def visits(loop, browser, base_url):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    return loop.run_until_complete(visit_all(browser, base_url, PAGES + [MISSING], ARTIFACTS))


@pytest.fixture
def in_browser(loop, browser, base_url):
    """`in_browser(scenario)`: run `async scenario(browser, base_url)` and return its result."""
    return lambda scenario: loop.run_until_complete(scenario(browser, base_url))


def both_screens(visits, path):
    return [visits[path, viewport] for viewport in VIEWPORTS]


# --- Every page ---------------------------------------------------------------------------------


def test_every_page_of_the_site_is_visited(built_site):
    assert set(page_urls(built_site)) == set(PAGES)


@pytest.mark.parametrize("path", PAGES)
def test_page_and_everything_it_loads_answer_200_without_console_errors(visits, path):
    for visit in both_screens(visits, path):
        assert visit.status == 200, visit.viewport
        assert visit.failed == [], visit.viewport
        assert visit.console_errors == [], visit.viewport


@pytest.mark.parametrize("path", PAGES + [MISSING])
def test_nothing_is_requested_from_another_host(visits, path):
    for visit in both_screens(visits, path):
        assert visit.off_site == [], visit.viewport


@pytest.mark.parametrize("path", PAGES + [MISSING])
def test_language_is_brazilian_portuguese_and_title_names_the_site(visits, path):
    page = visits[path, "computador"].page
    assert page["lang"] == "pt-BR"
    assert page["title"] == SITE_NAME or page["title"].endswith(f" - {SITE_NAME}"), page["title"]


@pytest.mark.parametrize("path", PAGES)
def test_math_is_rendered_and_no_raw_tex_shows(visits, path):
    page = visits[path, "computador"].page
    assert RAW_TEX.findall(page["prose"]) == [], "TeX cru visível na página"
    if path in MATH_PAGES:
        assert page["katex"] > 0
    if path.startswith("notebooks/") and path in MATH_PAGES:  # rendered at build time, as on the lesson page
        assert page["katex"] >= visits[path.replace("notebooks/", "licoes/"), "computador"].page["katex"] // 2


def looks_portuguese(text: str) -> bool:
    words = set(re.findall(r"[a-zà-ú]+", text.lower()))
    return len(words) >= 4 and bool(words & PORTUGUESE_WORDS) and not words & ENGLISH_WORDS


def test_alt_text_check_tells_portuguese_from_english():
    assert looks_portuguese("Dois painéis com a perda em função do resíduo")
    assert not looks_portuguese("No description has been provided for this image")
    assert not looks_portuguese("figura 1")


@pytest.mark.parametrize("path", PAGES)
def test_every_figure_loads_and_has_portuguese_alt_text(visits, path):
    for visit in both_screens(visits, path):
        for image in visit.page["images"]:
            assert image["naturalWidth"] > 0, f"{visit.viewport}: {image['src'][:120]} não carregou"
            assert looks_portuguese(image["alt"] or ""), f"{image['src'][:120]}: alt {image['alt']!r}"
    if path.startswith((f"{layout.PAGES}/", f"{layout.NOTEBOOKS}/")):
        figures = sorted((GENERATED / layout.PAGES / layout.FIGURES).glob(f"{path.split('/')[1]}-*.svg"))
        assert len(visits[path, "computador"].page["images"]) == len(figures)


@pytest.mark.parametrize("path", PAGES + [MISSING])
def test_axe_finds_no_serious_or_critical_violation_nor_any_contrast_or_target_size_one(visits, path):
    found = [violation for violation in visits[path, "computador"].axe
             if violation["impact"] in SERIOUS or violation["id"] in LIGHTHOUSE_RULES]
    assert found == []


@pytest.mark.parametrize("path", PAGES + [MISSING])
def test_contrast_and_touch_targets_pass_on_the_phone_as_lighthouse_measures_them(visits, path):
    """Lighthouse (mobile) scored 93 on the lessons for these two, on the page just loaded (site_audit.axe_as_lighthouse_sees)."""
    assert visits[path, "celular"].axe == []


def heading_problems(headings: list[tuple[int, str]]) -> list[str]:
    levels = [level for level, _ in headings]
    problems = [] if levels.count(1) == 1 and levels[:1] == [1] else [f"um só h1, no início: {levels[:5]}"]
    for (before, _), (level, text) in zip(headings, headings[1:]):
        if level > before + 1:
            problems.append(f"h{before} seguido de h{level} ({text!r})")
    return problems


def test_heading_check_catches_skipped_levels_and_extra_h1():
    assert heading_problems([(1, "a"), (2, "b"), (3, "c"), (2, "d")]) == []
    assert heading_problems([(1, "a"), (3, "b")]) == ["h1 seguido de h3 ('b')"]
    assert heading_problems([(2, "a"), (1, "b")]) != []


@pytest.mark.parametrize("path", PAGES + [MISSING])
def test_headings_are_in_order(visits, path):
    assert heading_problems(visits[path, "computador"].page["headings"]) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", PAGES + [MISSING])
def test_page_never_scrolls_sideways(visits, path, viewport):
    page = visits[path, viewport].page
    assert page["scrollWidth"] <= page["clientWidth"], "tabelas e código largos devem rolar dentro da caixa"
    assert (ARTIFACTS / viewport).is_dir()


# --- The missing page ---------------------------------------------------------------------------


def test_missing_page_answers_404_with_a_portuguese_page_that_works(visits):
    for visit in both_screens(visits, MISSING):
        assert visit.status == 404
        assert visit.failed == [], "CSS/JS da página 404 devem carregar em qualquer profundidade"
        assert [error for error in visit.console_errors if visit.url not in error] == []
        assert "não encontrada" in visit.page["prose"].lower()
        assert visit.page["headings"][0][0] == 1


# --- Things a reader does -----------------------------------------------------------------------


async def search(browser, base_url, word: str, viewport: str) -> list[str]:
    context = await browser.new_context(**VIEWPORTS[viewport])
    try:
        page = await context.new_page()
        await open_loaded(page, base_url)
        if viewport == "celular":
            await page.locator('.md-header label.md-header__button[for="__search"]').click()
        else:
            await page.locator("input.md-search__input").click()
        await page.locator("input.md-search__input").press_sequentially(word, delay=30)
        results = page.locator(".md-search-result__item a")
        await results.first.wait_for(timeout=15_000)
        return await results.evaluate_all("links => links.map(link => link.href)")
    finally:
        await context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("word", ["verossimilhança", "verossimilhanca"])
def test_search_finds_the_lesson_with_or_without_accents(in_browser, word, viewport):
    links = in_browser(lambda browser, base_url: search(browser, base_url, word, viewport))
    assert any(SEARCH_TARGET in link for link in links[:3]), links[:5]


async def download_notebook(browser, base_url, path: str):
    context = await browser.new_context(**VIEWPORTS["computador"], accept_downloads=True)
    try:
        page = await context.new_page()
        await page.goto(base_url + path, wait_until="domcontentloaded")
        async with page.expect_download() as started:
            await page.get_by_role("link", name="Baixar notebook").first.click()
        download = await started.value
        return download.suggested_filename, (await download.path()).read_text(encoding="utf-8")
    finally:
        await context.close()


DOWNLOADS = [f"licoes/{lesson.stem}/" for lesson in LESSONS] + [f"notebooks/{LESSONS[0].stem}/"]


@pytest.mark.parametrize("path", DOWNLOADS)
def test_download_button_saves_a_valid_notebook(in_browser, path):
    name, text = in_browser(lambda browser, base_url: download_notebook(browser, base_url, path))
    lesson = next(lesson for lesson in LESSONS if lesson.stem in path)
    assert name == f"{lesson.stem}.ipynb"
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    assert [cell for cell in notebook.cells if cell.cell_type == "code" and cell.outputs]


async def scheme_of(page) -> str:
    return await page.evaluate("document.body.getAttribute('data-md-color-scheme')")


async def toggle_dark_mode(browser, base_url) -> dict:
    """Switch to dark mode on a lesson, check contrast and touch targets there, open its notebook view
    (nbconvert's styles), check them again, switch back."""
    seen = {}
    context = await browser.new_context(**VIEWPORTS["computador"], color_scheme="light")
    try:
        page = await context.new_page()
        await open_loaded(page, base_url + f"licoes/{LESSONS[0].stem}/")
        seen["start"] = await scheme_of(page)
        await page.get_by_title("Mudar para o modo escuro").click()
        seen["toggled"] = await scheme_of(page)
        seen["background"] = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        seen["contrast"] = await axe_violations(page, {"runOnly": LIGHTHOUSE_RULES})
        await open_loaded(page, base_url + layout.page_url(layout.notebook_file(LESSONS[0].stem)))
        seen["next_page"] = await scheme_of(page)
        seen["contrast"] += await axe_violations(page, {"runOnly": LIGHTHOUSE_RULES})
        await page.get_by_title("Mudar para o modo claro").click()
        seen["back"] = await scheme_of(page)
    finally:
        await context.close()
    return seen


def test_dark_mode_toggle_switches_keeps_contrast_and_is_remembered(in_browser):
    seen = in_browser(toggle_dark_mode)
    assert (seen["start"], seen["toggled"], seen["next_page"], seen["back"]) == ("default", "slate", "slate", "default")
    red, green, blue = map(int, re.findall(r"\d+", seen["background"])[:3])
    assert max(red, green, blue) < 80, seen["background"]
    assert seen["contrast"] == []


async def first_scheme(browser, base_url) -> str:
    context = await browser.new_context(**VIEWPORTS["celular"], color_scheme="dark")
    try:
        page = await context.new_page()
        await open_loaded(page, base_url)
        return await scheme_of(page)
    finally:
        await context.close()


def test_a_phone_set_to_dark_mode_opens_the_site_dark(in_browser):
    assert in_browser(first_scheme) == "slate"
