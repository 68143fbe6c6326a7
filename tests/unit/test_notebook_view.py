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
