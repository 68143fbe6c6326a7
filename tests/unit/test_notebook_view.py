"""The notebook views' HTML (scripts/curso/notebook_view.py): converted early, in a forked process."""

from __future__ import annotations

import json

from curso import notebook_view
from curso.pipeline.layout import notebook_download, notebook_file

NOTEBOOK = json.dumps({
    "nbformat": 4, "nbformat_minor": 5, "metadata": {},
    "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Lição de teste\n\nTexto."},
              {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1, "source": "print(1 + 1)",
               "outputs": [{"output_type": "stream", "name": "stdout", "text": "2\n"}]}],
}).encode()


def test_a_view_is_converted_early_in_a_forked_process_and_its_page_gets_the_same_html(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_view, "_views", None)
    expected = notebook_view.render_view(NOTEBOOK)
    cache = notebook_view.open_cache(tmp_path)
    notebook_view.prefetch({notebook_file("01-a"): NOTEBOOK, notebook_download("01-a"): NOTEBOOK})
    assert len(cache._started) == 1  # the view only: the standalone download is no page
    monkeypatch.setattr(notebook_view, "render_view", lambda *args: {"content": "convertida de novo"})
    assert notebook_view.view(NOTEBOOK) == expected
    assert expected["toc_tokens"][0]["name"] == "Lição de teste"
    assert 'for="cell-1"' in expected["content"] and 'id="cell-1"' in expected["content"]  # copy button ↔ code
    cache.save()
    notebook_view.prefetch({notebook_file("01-a"): NOTEBOOK})
    assert cache._started == {}  # cached: nothing to convert


def test_the_view_is_nbconverts_own_document_without_its_slow_last_pass():
    """Skipping nbconvert's BeautifulSoup pass changes bytes, not the document: the same elements and
    attributes (each cell's input and output reachable by the keyboard), the same text."""
    from bs4 import BeautifulSoup
    from nbconvert.exporters.html import HTMLExporter

    view = notebook_view.render_view(NOTEBOOK)["content"]
    original = HTMLExporter.from_notebook_node
    exporter = type(notebook_view._exporter())
    exporter.from_notebook_node = original
    try:
        upstream = notebook_view.render_view(NOTEBOOK)["content"]
    finally:
        del exporter.from_notebook_node
    as_tree = lambda text: BeautifulSoup(text, "html.parser").decode()  # noqa: E731
    assert as_tree(view) == as_tree(upstream)
    focusable = BeautifulSoup(view, "html.parser").select('[tabindex="0"]')
    assert {" ".join(element["class"]) for element in focusable} == {
        "jp-Cell-inputWrapper", "jp-RenderedText jp-OutputArea-output"}
    assert len(focusable) == 3  # two inputs, one output
