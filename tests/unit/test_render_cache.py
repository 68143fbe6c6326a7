"""Pure rendering work kept between builds (scripts/curso/render_cache.py)."""

import os
import time

import pytest

from curso.render_cache import RenderCache


def test_a_new_build_finds_what_the_previous_one_stored(tmp_path):
    first = RenderCache(tmp_path / "c.json")
    assert first.get("x") is None
    first.put("x", ["<b>x</b>", []])
    assert first.get("x") == ["<b>x</b>", []]  # also within the same build
    first.save()
    assert RenderCache(tmp_path / "c.json").get("x") == ["<b>x</b>", []]


def test_a_change_in_what_the_output_depends_on_empties_the_cache(tmp_path):
    renderer = tmp_path / "renderer.mjs"
    renderer.write_text("versão 1")
    cache = RenderCache(tmp_path / "c.json", depends_on=(renderer,))
    cache.put("x", "saída 1")
    cache.save()
    assert RenderCache(tmp_path / "c.json", depends_on=(renderer,)).get("x") == "saída 1"
    renderer.write_text("versão 2")
    assert RenderCache(tmp_path / "c.json", depends_on=(renderer,)).get("x") is None


def test_entries_a_build_did_not_use_are_dropped_and_an_unchanged_cache_is_not_rewritten(tmp_path):
    cache = RenderCache(tmp_path / "c.json")
    cache.put("velha", 1)
    cache.put("nova", 2)
    cache.save()
    assert cache.get("nova") == 2
    cache.save()
    again = RenderCache(tmp_path / "c.json")
    assert (again.get("velha"), again.get("nova")) == (None, 2)
    written = (tmp_path / "c.json").stat().st_mtime_ns
    again.save()
    assert (tmp_path / "c.json").stat().st_mtime_ns == written


def test_an_unreadable_cache_file_is_a_miss(tmp_path):
    (tmp_path / "c.json").write_text('{"tag": "', encoding="utf-8")
    cache = RenderCache(tmp_path / "c.json")
    assert cache.get("x") is None
    cache.put("x", 1)
    cache.save()
    assert RenderCache(tmp_path / "c.json").get("x") == 1


def test_without_a_path_nothing_is_written(tmp_path):
    cache = RenderCache()
    cache.put("x", 1)
    cache.save()
    assert cache.get("x") == 1 and list(tmp_path.iterdir()) == []


def test_work_started_early_runs_in_another_process_and_get_collects_it(tmp_path):
    cache = RenderCache(tmp_path / "c.json")
    cache.start("x", lambda: {"pid": os.getpid(), "saída": "<b>x</b>"})
    assert cache.known("x")
    found = cache.get("x")
    assert found["saída"] == "<b>x</b>" and found["pid"] != os.getpid()
    cache.start("x", lambda: os._exit(3))  # known: not begun again
    assert cache.get("x") == found
    cache.save()
    assert RenderCache(tmp_path / "c.json").get("x") == found


def test_work_started_early_that_fails_or_is_not_collected_is_a_miss(tmp_path):
    cache = RenderCache(tmp_path / "c.json")
    cache.start("falha", lambda: 1 / 0)
    cache.start("morre", lambda: os._exit(0))
    cache.start("esquecida", lambda: time.sleep(60))
    forgotten = cache._started["esquecida"].pid
    assert (cache.get("falha"), cache.get("morre")) == (None, None)
    cache.save()  # stops what no page collected, and reaps it
    assert not cache.known("esquecida")
    with pytest.raises(ProcessLookupError):
        os.kill(forgotten, 0)
