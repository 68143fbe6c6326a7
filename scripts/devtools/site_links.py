"""Check the links of a built site: every internal link and anchor must resolve; external links are listed.

Internal means relative (``../licoes/x/``), root-relative under the site's sub-path
(``/redes-neurais/x/``, what ``404.html`` uses) or absolute under the site's own address
(canonical links, ``sitemap.xml``). External links are only listed, never fetched.

    python -m devtools.site_links site      # exit code 1 if an internal link or anchor is broken
"""

from __future__ import annotations

import posixpath
import sys
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from curso.pipeline import layout

LINK_ATTRIBUTES = {"href", "src", "srcset", "poster", "xlink:href"}
IGNORED_SCHEMES = {"data", "mailto", "javascript"}
NOT_FOUND_PAGE = "404.html"
SITEMAP = "sitemap.xml"


@dataclass(frozen=True)
class Link:
    page: str  # path of the page inside the site, e.g. "licoes/01-x/index.html"
    tag: str
    url: str


@dataclass(frozen=True)
class BrokenLink:
    link: Link
    reason: str  # pt-BR, shown to the reader of the report


class MissingTarget(Exception):
    """A link path that points to no file; the message (pt-BR) says why."""


@dataclass
class ParsedPage:
    links: list[tuple[str, str]] = field(default_factory=list)  # (tag, url)
    ids: set[str] = field(default_factory=set)
    canonical: str = ""


class PageParser(HTMLParser):
    """One pass over a page: the URLs it points to and the anchors (ids, ``<a name>``) it offers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.page.ids.add(value)
            elif name == "srcset":
                self.page.links.extend((tag, url) for url in srcset_urls(value))
            elif name in LINK_ATTRIBUTES:
                self.page.links.append((tag, value.strip()))
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "canonical":
            self.page.canonical = attributes.get("href") or ""

    handle_startendtag = handle_starttag


def srcset_urls(srcset: str) -> list[str]:
    """``"a.png 1x, b.png 2x"`` -> ``["a.png", "b.png"]``."""
    return [candidate.split()[0] for candidate in srcset.split(",") if candidate.strip()]


class Site:
    """A built site folder; each page is parsed at most once."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._parsed: dict[Path, ParsedPage] = {}
        self.url = self.parsed(self.root / "index.html").canonical if (self.root / "index.html").is_file() else ""
        self.sub_path = urlsplit(self.url).path or "/"

    def parsed(self, path: Path) -> ParsedPage:
        if path not in self._parsed:
            parser = PageParser()
            parser.feed(path.read_text(encoding="utf-8"))
            parser.close()
            self._parsed[path] = parser.page
        return self._parsed[path]

    def pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def links(self) -> list[Link]:
        found = [Link(self.name(page), tag, url) for page in self.pages() for tag, url in self.parsed(page).links]
        return found + self.sitemap_links()

    def sitemap_links(self) -> list[Link]:
        sitemap = self.root / SITEMAP
        if not sitemap.is_file():
            return []
        locations = ElementTree.parse(sitemap).getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        return [Link(SITEMAP, "loc", (location.text or "").strip()) for location in locations]

    def name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def kind(self, url: str) -> str:
        """"ignored", "external" or "internal"."""
        parts = urlsplit(url)
        if parts.scheme.lower() in IGNORED_SCHEMES or url == "#":
            return "ignored"
        if self.url and url.startswith(self.url):
            return "internal"
        return "external" if parts.scheme or parts.netloc else "internal"

    def check(self, link: Link) -> str | None:
        """Why an internal link is broken (pt-BR), or None when it resolves."""
        parts = urlsplit(link.url)  # a link to the site's own address keeps only its root-relative path
        if link.page == NOT_FOUND_PAGE and parts.path and not parts.path.startswith("/"):
            return "link relativo no 404.html (a página é servida em qualquer endereço)"
        try:
            target = self.target(link.page, unquote(parts.path)) if parts.path else self.root / link.page
        except MissingTarget as missing:
            return str(missing)
        fragment = unquote(parts.fragment)
        if fragment and fragment not in self.anchors(target):
            return f"âncora #{fragment} não existe em {self.name(target)}"
        return None

    def target(self, page: str, path: str) -> Path:
        """The file that a link path on ``page`` points to (a folder means its index.html)."""
        if path.startswith("/"):
            if not path.startswith(self.sub_path) and path + "/" != self.sub_path:
                raise MissingTarget(f"caminho fora do subcaminho do site {self.sub_path}")
            relative = path[len(self.sub_path):]
        else:
            relative = posixpath.join(posixpath.dirname(page), path)
        normalized = posixpath.normpath(relative or ".")
        if normalized == ".." or normalized.startswith("../"):
            raise MissingTarget("caminho sai da pasta do site")
        candidate = self.root / normalized
        if normalized in layout.MADE_AFTER_BUILD:
            return candidate
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            raise MissingTarget(f"arquivo {normalized} não existe no site")
        return candidate

    def anchors(self, path: Path) -> set[str]:
        return self.parsed(path).ids if path.suffix in (".html", ".svg") else set()


def broken_links(site: Site) -> list[BrokenLink]:
    broken = []
    for link in site.links():
        if site.kind(link.url) == "internal" and (reason := site.check(link)):
            broken.append(BrokenLink(link, reason))
    return broken


def external_links(site: Site) -> dict[str, list[str]]:
    """External URL -> pages that use it (each page once), both sorted."""
    pages = defaultdict(set)
    for link in site.links():
        if site.kind(link.url) == "external":
            pages[link.url].add(link.page)
    return {url: sorted(pages[url]) for url in sorted(pages)}


def broken_report(broken: list[BrokenLink]) -> str:
    if not broken:
        return "Nenhum link interno quebrado."
    lines = [f"{len(broken)} link(s) interno(s) quebrado(s):"]
    lines += [f"  {item.link.page}: <{item.link.tag}> {item.link.url} — {item.reason}" for item in broken]
    return "\n".join(lines)


def external_report(external: dict[str, list[str]]) -> str:
    lines = [f"{len(external)} link(s) externo(s) (listados, não acessados):"]
    for url, pages in external.items():
        lines.append(url)
        lines += [f"    {page}" for page in pages]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    site = Site(Path(args[0] if args else "site"))
    if not (site.root / "index.html").is_file():
        print(f"{site.root}/index.html não existe: construa o site antes (make site).", file=sys.stderr)
        return 2
    broken = broken_links(site)
    print(broken_report(broken))
    print()
    print(external_report(external_links(site)))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
