"""MkDocs hook: let the site search find accented words typed without accents.

lunr (the engine behind mkdocs-material's search) compares words as typed: "verossimilhanca"
does not find "verossimilhança", and its Portuguese stemmer does not fold accents. Many readers
type without accents, so after the search plugin writes ``search/search_index.json`` this hook
adds, to each entry, the accent-free form of every word that has an accent: ``title_ascii``
and ``text_ascii``. Both fields are declared in mkdocs.yml (``plugins.search.fields``), so
lunr indexes them; accented queries still match the original text.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from pathlib import Path

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


def add_folded_fields(index: dict) -> dict:
    for doc in index.get("docs", []):
        for source, target in FIELDS.items():
            words = folded_words(doc.get(source, ""))
            if words:
                doc[target] = words
    return index


def on_post_build(config):
    path = Path(config.site_dir) / "search" / "search_index.json"
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    missing = set(FIELDS.values()) - set(index.get("config", {}).get("fields", {}))
    if missing:
        log.warning("search_hook: declare %s em plugins.search.fields no mkdocs.yml", sorted(missing))
    path.write_text(json.dumps(add_folded_fields(index), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
