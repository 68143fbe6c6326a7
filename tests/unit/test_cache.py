import pytest

from curso.pipeline import cache as cache_module
from curso.pipeline.cache import ResultCache, build_fingerprint, lesson_key
from curso.pipeline.execute import BlockResult, LessonResult


def result() -> LessonResult:
    return LessonResult("01-x", 1.5, {"torch": "2.13.0"}, [BlockResult(stdout="oi\n", figure_size=(3, 4))])


def test_store_then_load_round_trips_only_with_the_same_key(tmp_path):
    store = ResultCache(tmp_path)
    store.store(result(), "chave-1")
    assert store.load("01-x", "chave-1") == result()
    assert store.load("01-x", "chave-2") is None
    assert store.load("02-y", "chave-1") is None


def test_key_is_written_last_so_a_half_written_entry_is_a_miss(tmp_path):
    store = ResultCache(tmp_path)
    store.store(result(), "chave")
    (tmp_path / "01-x" / "key").unlink()
    assert store.load("01-x", "chave") is None


def test_key_depends_on_source_pins_and_build_code(tmp_path, monkeypatch):
    pins = tmp_path / "requirements.txt"
    pins.write_text("torch==2.13.0\n")
    base = build_fingerprint(pins)
    assert lesson_key("a", base) != lesson_key("b", base)
    assert build_fingerprint(pins) == base
    pins.write_text("torch==2.14.0\n")
    assert build_fingerprint(pins) != base
    pins.write_text("torch==2.13.0\n")
    code = tmp_path / "pipeline"
    code.mkdir()
    (code / "render.py").write_text("x = 1\n")
    monkeypatch.setattr(cache_module, "PIPELINE_DIR", code)
    first = build_fingerprint(pins)
    (code / "render.py").write_text("x = 2\n")
    assert build_fingerprint(pins) != first


@pytest.mark.parametrize("damage", [
    lambda folder: (folder / "result.json").write_text('{"slug": "01-x", "seco'),
    lambda folder: (folder / "result.json").write_text('{"slug": "01-x"}'),
    lambda folder: (folder / "result.json").write_bytes(b"\xff\xfe"),
])
def test_an_unreadable_entry_is_a_miss_with_a_one_line_warning(tmp_path, capsys, damage):
    store = ResultCache(tmp_path)
    store.store(result(), "chave")
    damage(tmp_path / "01-x")
    assert store.load("01-x", "chave") is None
    warning = capsys.readouterr().err
    assert warning.startswith("aviso: cache de 01-x ilegível (") and warning.count("\n") == 1
