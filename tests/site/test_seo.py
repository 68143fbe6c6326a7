"""What search engines and link previews read on the built site: titles, descriptions, canonical
URLs, the sitemap, Open Graph tags, and the pt-BR 404 page."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from mkdocs.utils.meta import get_data
from curso.pipeline.layout import GENERATED as GENERATED_DIR
from curso.pipeline.source import read_lesson
from devtools.static_server import page_urls

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / GENERATED_DIR
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def nav_files(nav: list) -> dict[str, str | None]:
    """Every Markdown file in the nav, in order, with the title the nav gives it (or None)."""
    files: dict[str, str | None] = {}
    for entry in nav:
        title, target = next(iter(entry.items())) if isinstance(entry, dict) else (None, entry)
        if isinstance(target, list):
            files.update(nav_files(target))
        else:
            files[target] = title
    return files


def page_url(file: str) -> str:
    """`glossario.md` -> `glossario/`, relative to site_url ("" for the home page)."""
    return "" if file == "index.md" else f"{file.removesuffix('.md')}/"


def lesson_urls(config: dict) -> list[str]:
    return [page_url(file) for file in nav_files(config["nav"]) if file.startswith("licoes/")]


def is_notebook_view(url: str) -> bool:
    return url.startswith("notebooks/")


def lesson_of(url: str):
    """The lesson source behind a lesson page or its notebook view (`licoes/NN-x/`, `notebooks/NN-x/`)."""
    return read_lesson(ROOT / "lessons_src" / f"{url.split('/')[1]}.md")


def front_matter(url: str) -> dict:
    """The front matter of a hand-written page (docs/) or of the generated report."""
    name = f"{url.rstrip('/') or 'index'}.md"
    source = ROOT / "docs" / name if (ROOT / "docs" / name).is_file() else GENERATED / name
    return get_data(source.read_text(encoding="utf-8"))[1]


@pytest.fixture(scope="module")
def pages(built_site) -> dict[str, BeautifulSoup]:
    """Every page of the site by its URL relative to site_url ("" is the home page), 404 apart."""
    return {url: BeautifulSoup((built_site / url / "index.html").read_text(encoding="utf-8"), "html.parser")
            for url in page_urls(built_site)}


@pytest.fixture(scope="module")
def not_found(built_site) -> BeautifulSoup:
    return BeautifulSoup((built_site / "404.html").read_text(encoding="utf-8"), "html.parser")


def repeated(values: list[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def title(page: BeautifulSoup) -> str:
    return page.title.get_text()


def meta(page: BeautifulSoup, **attrs) -> str:
    tags = page.find_all("meta", attrs=attrs)
    assert len(tags) == 1, f"esperava uma <meta {attrs}>, achei {len(tags)}"
    return tags[0]["content"]


def expected_name(url: str, config: dict) -> str:
    """The page's own name, as its title and og:title should carry it."""
    if url == "":
        return config["site_name"]
    if is_notebook_view(url):
        return f"{lesson_of(url).title} (notebook)"
    if url.startswith("licoes/"):
        return lesson_of(url).title
    return front_matter(url).get("title") or nav_files(config["nav"])[f"{url.rstrip('/')}.md"]


def expected_description(url: str) -> str:
    if url.startswith("licoes/"):
        return lesson_of(url).description
    return front_matter(url)["description"]


def test_the_site_has_every_page_of_the_nav_and_a_notebook_view_per_lesson(pages, config):
    views = {url.replace("licoes/", "notebooks/", 1) for url in lesson_urls(config)}
    assert set(pages) == {page_url(file) for file in nav_files(config["nav"])} | views


def test_titles_name_the_page_and_the_site_and_are_unique(pages, config):
    site_name = config["site_name"]
    for url, page in pages.items():
        name = expected_name(url, config)
        expected = site_name if url == "" else f"{name} - {site_name}"
        assert title(page) == expected, f"/{url}"
    assert not repeated([title(page) for page in pages.values()]), "títulos repetidos"


def test_markdown_pages_describe_themselves_with_their_front_matter(pages):
    for url, page in pages.items():
        if not is_notebook_view(url):
            assert meta(page, name="description") == expected_description(url), f"/{url}"


def test_notebook_views_have_their_own_description(pages, config):
    """Not the site-wide default: a shared link must say which lesson it is."""
    for url, page in pages.items():
        if is_notebook_view(url):
            description = meta(page, name="description")
            assert description != config["site_description"], f"/{url}: descrição padrão do site"
            assert lesson_of(url).title in description, f"/{url}: a descrição não diz de que lição é"


def test_descriptions_are_unique(pages):
    assert not repeated([meta(page, name="description") for page in pages.values()]), "descrições repetidas"


def test_canonical_url_is_the_page_under_site_url(pages, config):
    for url, page in pages.items():
        links = page.find_all("link", rel="canonical")
        assert [link["href"] for link in links] == [config["site_url"] + url], f"/{url}"


def test_sitemap_lists_every_page_but_the_notebook_views(pages, config, built_site):
    sitemap = (built_site / "sitemap.xml").read_bytes()
    listed = [loc.text for loc in ET.fromstring(sitemap).iter(f"{SITEMAP}loc")]
    expected = [config["site_url"] + url for url in pages if not is_notebook_view(url)]
    assert sorted(listed) == sorted(expected)
    assert gzip.decompress((built_site / "sitemap.xml.gz").read_bytes()) == sitemap


def test_open_graph_tags_for_link_previews(pages, config):
    for url, page in pages.items():
        og = {tag["property"]: tag["content"] for tag in page.find_all("meta", property=True)
              if tag["property"].startswith("og:")}
        assert og == {
            "og:type": "website" if url == "" else "article",
            "og:site_name": config["site_name"],
            "og:locale": "pt_BR",
            "og:title": expected_name(url, config),
            "og:description": meta(page, name="description"),
            "og:url": config["site_url"] + url,
        }, f"/{url}"


def test_404_page_is_in_portuguese(not_found, config):
    assert title(not_found) == f"Página não encontrada - {config['site_name']}"
    content = not_found.find("article")
    assert content.h1.get_text() == "Página não encontrada"
    assert "not found" not in content.get_text().lower()
    assert "busca" in content.get_text(), "a página deve sugerir a busca"
    assert not not_found.find_all("link", rel="canonical") and not not_found.find_all("meta", property=True)


def test_404_links_home_and_to_every_lesson_from_any_depth(not_found, config, built_site):
    """Served at any missing address, so its links are absolute, under site_url's path."""
    site_path = urlsplit(config["site_url"]).path
    links = [(a.get_text(strip=True), a["href"]) for a in not_found.find("article").find_all("a")]
    assert ("página inicial", site_path) in links
    lessons = [link for link in links if link[1].startswith(f"{site_path}licoes/")]
    assert lessons == [(lesson_of(url).title, site_path + url) for url in lesson_urls(config)]
    for _, href in links:
        assert href.startswith(site_path), href
        assert (built_site / href.removeprefix(site_path) / "index.html").is_file(), href
