"""MkDocs hook: keep the highlighted HTML of each code block between builds.

pymdownx.highlight makes a new Pygments lexer and formatter for every block, and the lessons have
hundreds. Its output depends only on the block's text, language and options and on the
highlighter's settings, so it is kept by those (``.cache/renderizado/pygments.json``, tagged with
the Pygments and pymdown-extensions code): a no-op build highlights nothing. Inline code and HTML
titles go straight to pymdownx (it returns elements for them, or writes into the page's stash).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pygments
from pymdownx import highlight as pymdownx_highlight

from curso.pipeline.layout import RENDERED
from curso.render_cache import RenderCache

_cache = RenderCache()  # in memory until on_config opens the site's file


def open_cache(root: Path) -> RenderCache:
    """The site's cache at `root` (kept while the same site is rebuilt, as under `serve`)."""
    global _cache
    path = root / RENDERED / "pygments.json"
    if _cache.path != path:
        _cache = RenderCache(path, depends_on=(Path(pygments.__file__), Path(pymdownx_highlight.__file__)))
    return _cache


def cached(highlight, cache: RenderCache):
    """`Highlight.highlight`, answering from `cache` for the blocks it has already highlighted."""

    @functools.wraps(highlight)
    def cached_highlight(self, src, language, *args, **kwargs):
        if kwargs.get("inline") or self.title_mode == "html":
            return highlight(self, src, language, *args, **kwargs)
        settings = {name: value for name, value in vars(self).items() if name != "md"}
        key = json.dumps([src, language, args, kwargs, settings], sort_keys=True, default=repr)
        html = cache.get(key)
        if html is None:
            html = highlight(self, src, language, *args, **kwargs)
            cache.put(key, html)
        return html

    cached_highlight.uncached = highlight
    return cached_highlight


def on_config(config):
    cache = open_cache(Path(config.config_file_path).resolve().parent)
    uncached = getattr(pymdownx_highlight.Highlight.highlight, "uncached", pymdownx_highlight.Highlight.highlight)
    pymdownx_highlight.Highlight.highlight = cached(uncached, cache)  # `serve` runs on_config for every rebuild
    return config


def on_post_build(config):
    _cache.save()
