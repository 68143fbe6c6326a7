"""Highlighted code kept between builds (scripts/curso/hooks/highlight_hook.py)."""

import markdown
import pytest
from pymdownx import highlight as pymdownx_highlight
from curso.pipeline.layout import RENDERED
from curso.render_cache import RenderCache

from curso.hooks.highlight_hook import cached

PAGE = "```python\nprint('olá')\n```\n\n```python\nx = 1\n```\n\nTexto com `#!python len(x)`.\n"


@pytest.fixture
def counted(monkeypatch):
    """Calls to Pygments, through pymdownx.highlight."""
    calls = []
    original = pymdownx_highlight.highlight

    def counting(src, lexer, formatter):
        calls.append(src)
        return original(src, lexer, formatter)

    monkeypatch.setattr(pymdownx_highlight, "highlight", counting)
    return calls


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=["pymdownx.highlight", "pymdownx.superfences", "pymdownx.inlinehilite"])


def test_a_block_highlighted_by_a_previous_build_is_not_highlighted_again(tmp_path, monkeypatch, counted):
    plain = to_html(PAGE)
    original = pymdownx_highlight.Highlight.highlight
    first_build = RenderCache(tmp_path / "p.json")
    monkeypatch.setattr(pymdownx_highlight.Highlight, "highlight", cached(original, first_build))
    counted.clear()
    assert to_html(PAGE) == plain
    assert len(counted) == 3  # two blocks and the inline code
    first_build.save()
    counted.clear()
    monkeypatch.setattr(pymdownx_highlight.Highlight, "highlight", cached(original, RenderCache(tmp_path / "p.json")))
    assert to_html(PAGE) == plain
    assert counted == ["len(x)"]  # only the inline code, which is never cached


def test_the_same_code_in_another_language_is_highlighted_anew(tmp_path, monkeypatch, counted):
    original = pymdownx_highlight.Highlight.highlight
    monkeypatch.setattr(pymdownx_highlight.Highlight, "highlight", cached(original, RenderCache(tmp_path / "p.json")))
    python = to_html("```python\nx = 1\n```\n")
    text = to_html("```text\nx = 1\n```\n")
    assert python != text and len(counted) == 2


def test_the_cache_lives_in_the_sites_own_cache_folder(tmp_path, monkeypatch, counted):
    """Each checkout (a temporary copy too) keeps its own cache, which `make clean` removes."""
    from types import SimpleNamespace

    from curso.hooks import highlight_hook

    monkeypatch.setattr(pymdownx_highlight.Highlight, "highlight", pymdownx_highlight.Highlight.highlight)
    highlight_hook.on_config(SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml")))
    to_html(PAGE)
    highlight_hook.on_post_build(None)
    assert (tmp_path / RENDERED / "pygments.json").is_file()
    highlight_hook.on_config(SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml")))
    assert pymdownx_highlight.Highlight.highlight.uncached is not pymdownx_highlight.Highlight.highlight
    assert not hasattr(pymdownx_highlight.Highlight.highlight.uncached, "uncached")  # wrapped once, not twice
