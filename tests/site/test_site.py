"""The real site, built once with `mkdocs build --strict` (which runs the lesson pipeline)."""

import json
import re
import subprocess
from html import unescape
from html.parser import HTMLParser

import nbformat
import pytest

from tests.helpers import GENERATED, LESSONS, ROOT, has_math
from curso.pipeline.build import generated_files
from curso.pipeline.layout import FIGURES, PAGES

REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://, https://, //host, ...


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(path) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def lesson_page(site, path):
    return site / "licoes" / path.stem / "index.html"


def test_no_page_loads_anything_from_the_network(built_site):
    remote = []
    for page in built_site.rglob("*.html"):
        for tag, attrs in tags_of(page):
            url = {"script": attrs.get("src"), "img": attrs.get("src"), "link": attrs.get("href")}.get(tag)
            if tag == "link" and attrs.get("rel") not in ("stylesheet", "preload", "icon", "modulepreload"):
                continue
            if url and REMOTE.match(url):
                remote.append(f"{page.relative_to(built_site)}: <{tag}> {url}")
    assert remote == []


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_page_has_every_figure_with_alt_text(built_site, path):
    page = lesson_page(built_site, path)
    figures = sorted((GENERATED / PAGES / FIGURES).glob(f"{path.stem}-*.svg"))
    images = [attrs for tag, attrs in tags_of(page) if tag == "img" and "figuras/" in attrs.get("src", "")]
    assert len(images) == len(figures) > 0
    for image in images:
        assert len(image.get("alt", "").strip()) >= 15, image
        assert (page.parent / image["src"]).resolve().is_file()
        assert image.get("loading") == "lazy" and image.get("width") and image.get("height")


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_page_links_download_edit_source_and_renders_math(built_site, path):
    page = lesson_page(built_site, path)
    html = page.read_text(encoding="utf-8")
    links = [attrs for tag, attrs in tags_of(page) if tag == "a"]
    download = next(a for a in links if "download" in a)
    notebook = nbformat.reads((page.parent / download["href"]).resolve().read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(notebook)
    assert any(a.get("href", "").endswith(f"/edit/main/lessons_src/{path.name}") for a in links)
    prose = re.sub(r"<(pre|code|annotation)\b.*?</\1>", "", html, flags=re.S)  # annotation: KaTeX's source
    assert "\\(" not in prose and "\\[" not in prose and "$$" not in prose, "fórmula não renderizada"
    if has_math(path):
        assert 'class="katex"' in html
    assert "Gerado a partir de" not in re.sub(r"<!--.*?-->", "", html, flags=re.S)


TOC_LINK = re.compile(r'<a href="#(?P<id>[^"]+)" class="md-nav__link">\s*<span class="md-ellipsis">(?P<title>.*?)</span>', re.S)
HEADING = re.compile(r'<h[1-6]\b[^>]*\bid="(?P<id>[^"]+)"[^>]*>(?P<inner>.*?)</h[1-6]>', re.S)


def plain_text(html_text: str) -> str:
    text = unescape(re.sub(r"<[^>]+>", "", html_text)).replace("¶", "")
    return " ".join(text.split())


@pytest.mark.parametrize("kind", ["licoes", "notebooks"])
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_table_of_contents_names_and_links_every_heading_in_full(built_site, path, kind):
    html = (built_site / kind / path.stem / "index.html").read_text(encoding="utf-8")
    headings = {m["id"]: plain_text(m["inner"]) for m in HEADING.finditer(html)}
    toc = {m["id"]: plain_text(m["title"]) for m in TOC_LINK.finditer(html)}
    assert len(toc) >= 3
    assert toc == {heading_id: title for heading_id, title in headings.items() if heading_id in toc}
    assert set(headings) - set(toc) <= {next(iter(headings))}  # only the h1 stays out of the sidebar


def test_downloaded_notebooks_link_lessons_by_their_published_address(built_site, config):
    texts = {path.stem: path.read_text(encoding="utf-8") for path in (built_site / "notebooks").rglob("*.ipynb")}
    assert len(texts) == len(LESSONS)
    assert not [stem for stem, text in texts.items() if re.search(r"\]\(\d\d-[a-z0-9-]+\.md", text)]
    assert f"]({config['site_url']}licoes/03-maxima-verossimilhanca/)" in texts["07-camada-de-saida"]


def test_every_lesson_is_in_the_menu_in_number_order(built_site):
    """The "Lições" section of the nav is generated from lessons_src/ (scripts/curso/hooks/lessons_hook.py)."""
    home = (built_site / "index.html").read_text(encoding="utf-8")
    menu = home[home.index("md-sidebar--primary"):home.index("md-sidebar--secondary")]
    assert list(dict.fromkeys(re.findall(r'href="licoes/([^"/]+)/"', menu))) == [p.stem for p in LESSONS]


def test_execution_report_lists_every_lesson_with_versions(built_site):
    html = (built_site / "sobre-a-execucao" / "index.html").read_text(encoding="utf-8")
    for path in LESSONS:
        assert f"licoes/{path.stem}/" in html
    assert "torch" in html and "2.13.0" in html and "matplotlib" in html
    assert "/edit/" not in html  # the build writes it: no source file to edit


def test_search_index_is_portuguese(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["pt"]


def test_the_build_writes_nothing_into_docs(built_site):
    """docs/ holds only hand-written pages: no generated file, tracked or ignored, lands there."""
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--ignored", "--", "docs"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert [line for line in status.splitlines() if line.startswith(("??", "!!"))] == []
    for name in generated_files(ROOT):
        assert not (ROOT / "docs" / name).exists(), f"docs/{name} foi gerado em docs/"
