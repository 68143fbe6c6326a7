"""The search plugin's index entries kept between builds (scripts/curso/hooks/search_hook.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from material.plugins.search.plugin import SearchIndex
from mkdocs.structure.toc import get_toc

from curso.hooks.search_hook import cached, in_site_order, with_folded_fields
from curso.render_cache import RenderCache

HTML = ('<h1 id="licao">Lição</h1><p>Texto da função.</p><h2 id="perda">Perda</h2><p>Erro médio.</p>'
        '<h2 id="fora" data-search-exclude>Fora</h2><p>Não indexado.</p>')


def page(content: str = HTML, title: str = "Lição"):
    toc = get_toc([{"level": 1, "id": "licao", "name": "Lição", "children": [
        {"level": 2, "id": "perda", "name": "Perda", "children": []}]}])
    return SimpleNamespace(content=content, url="licoes/01-a/", title=title, toc=toc, meta={"title": title})


def indexed(add_entry, *pages) -> list[dict]:
    index = SearchIndex()
    for each in pages:
        add_entry(index, each)
    return index.entries


def plugin_entries(*pages) -> list[dict]:
    """The entries the search plugin makes, with the accent-free fields."""
    return [with_folded_fields(entry) for entry in indexed(SearchIndex.add_entry_from_context, *pages)]


def test_a_page_already_indexed_is_not_parsed_again_and_gives_the_same_entries(tmp_path, monkeypatch):
    expected = plugin_entries(page())
    assert expected[0]["title_ascii"] == "licao" and expected[1]["text_ascii"] == "medio"
    first = RenderCache(tmp_path / "busca.json")
    assert indexed(cached(SearchIndex.add_entry_from_context, first), page()) == expected
    first.save()
    monkeypatch.setattr("material.plugins.search.plugin.Parser.feed", lambda *args: pytest.fail("analisada de novo"))
    again = cached(SearchIndex.add_entry_from_context, RenderCache(tmp_path / "busca.json"))
    entries = indexed(again, page(), page())
    assert entries == expected + expected
    assert [list(entry) for entry in entries] == [list(entry) for entry in expected + expected]  # same bytes


def test_a_change_in_what_the_plugin_reads_is_indexed_again(tmp_path):
    cache = RenderCache(tmp_path / "busca.json")
    add_entry = cached(SearchIndex.add_entry_from_context, cache)
    indexed(add_entry, page())
    for changed in (page(HTML.replace("Erro médio", "Erro absoluto")), page(title="Outra lição")):
        assert indexed(add_entry, changed) == plugin_entries(changed)


def test_the_index_lists_pages_in_the_sites_order_whatever_order_they_were_written_in():
    written = {"docs": [{"location": "licoes/02-b/"}, {"location": "licoes/02-b/#secao"}, {"location": ""},
                        {"location": "#inicio"}, {"location": "licoes/01-a/"}, {"location": "licoes/01-a/#x"}]}
    ordered = in_site_order(written, ["", "licoes/01-a/", "licoes/02-b/"])
    assert [doc["location"] for doc in ordered["docs"]] == ["", "#inicio", "licoes/01-a/", "licoes/01-a/#x",
                                                            "licoes/02-b/", "licoes/02-b/#secao"]
