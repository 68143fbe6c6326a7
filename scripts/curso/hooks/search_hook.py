"""MkDocs hook: let the site search find accented words typed without accents.

lunr (the engine behind mkdocs-material's search) compares words as typed: "verossimilhanca"
does not find "verossimilhança", and its Portuguese stemmer does not fold accents. Many readers
type without accents, so this hook adds, to each entry the plugin makes, the accent-free form of
every word that has an accent: ``title_ascii`` and ``text_ascii``. Both fields are declared in
mkdocs.yml (``plugins.search.fields``), so lunr indexes them; accented queries still match the
original text. The entries are written page by page in the order of the site's files.

The search plugin parses every page's HTML into index entries, the largest part of a build after
Markdown itself, and, when a lesson executes, work that waits for it. The entries depend only on
what the plugin reads of the page (its HTML, URL, title, table of contents and front matter), so
they are kept by a hash of that (``.cache/renderizado/busca.json``, tagged with the plugin's code):
a page that did not change is not parsed again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import unicodedata
from pathlib import Path

from material.plugins.search import plugin as search_plugin
from mkdocs.plugins import event_priority

from curso.pipeline.layout import RENDERED
from curso.render_cache import RenderCache

log = logging.getLogger("mkdocs.hooks.search")

FIELDS = {"title": "title_ascii", "text": "text_ascii"}
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]+>")


def fold(word: str) -> str:
    """Drop combining marks: "verossimilhança" -> "verossimilhanca"."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def folded_words(text: str) -> str:
    """The accent-free form of each distinct accented word in ``text``, space-separated.

    Most words are plain ASCII and have nothing to fold: only the others are normalized, once each."""
    seen: dict[str, None] = {}
    for word in dict.fromkeys(_WORD.findall(_TAG.sub(" ", text))):
        if not word.isascii():
            plain = fold(word)
            if plain != word:
                seen.setdefault(plain.lower(), None)
    return " ".join(seen)


def with_folded_fields(entry: dict) -> dict:
    for source, target in FIELDS.items():
        words = folded_words(entry.get(source, ""))
        if words:
            entry[target] = words
    return entry


def page_input(page) -> str:
    """What the search plugin reads of a page, as one string (the cache key is its hash)."""
    meta = {name: page.meta.get(name) for name in ("search", "tags", "title")}
    return json.dumps([page.content, page.url, str(page.title), meta, _toc_urls(page.toc)],
                      ensure_ascii=False, sort_keys=True, default=str)


def _toc_urls(toc) -> list:
    return [[item.id, item.url, _toc_urls(item.children)] for item in toc or []]


def cached(add_entry, cache: RenderCache):
    """`SearchIndex.add_entry_from_context`, with the accent-free fields, answering from `cache` for a
    page it has already indexed."""

    @functools.wraps(add_entry)
    def cached_add_entry(self, page):
        key = hashlib.sha256(page_input(page).encode()).hexdigest()
        entries = cache.get(key)
        if entries is None:
            before = len(self.entries)
            add_entry(self, page)
            self.entries[before:] = [with_folded_fields(entry) for entry in self.entries[before:]]
            # As lists of (field, value): the cache file sorts an object's keys, the index must not.
            cache.put(key, json.loads(json.dumps([list(entry.items()) for entry in self.entries[before:]])))
        else:
            self.entries.extend(dict(json.loads(json.dumps(entry))) for entry in entries)  # copies, new each build
        return None

    cached_add_entry.uncached = add_entry
    return cached_add_entry


_cache: RenderCache | None = None


def on_config(config):
    global _cache
    if _cache is None:
        _cache = RenderCache(Path(config.config_file_path).resolve().parent / RENDERED / "busca.json",
                             depends_on=(Path(search_plugin.__file__), Path(__file__)))
    current = search_plugin.SearchIndex.add_entry_from_context
    if not hasattr(current, "uncached"):  # `serve` runs on_config again for every rebuild
        search_plugin.SearchIndex.add_entry_from_context = cached(current, _cache)
    return config


def in_site_order(index: dict, page_urls: list[str]) -> dict:
    """The entries page by page in the order of the site's files, whatever the order MkDocs wrote the
    pages in (under `serve`, a lesson being executed is written last: curso/site_files.py)."""
    place = {url: number for number, url in enumerate(page_urls)}
    index["docs"] = sorted(index.get("docs", []),
                           key=lambda doc: place.get(doc.get("location", "").split("#", 1)[0], len(place)))
    return index


_files = None  # MkDocs' list of files of the build under way


@event_priority(-100)  # after the lessons hook adds the generated pages
def on_files(files, config):
    global _files
    _files = files
    return files


def on_post_build(config):
    if _cache is not None:
        _cache.save()
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    if _files is not None:
        index = in_site_order(index, [file.url for file in _files.documentation_pages()])
    missing = set(FIELDS.values()) - set(index.get("config", {}).get("fields", {}))
    if missing:
        log.warning("search_hook: declare %s em plugins.search.fields no mkdocs.yml", sorted(missing))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
