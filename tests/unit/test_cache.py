import pytest

from curso.pipeline.cache import KEPT, ResultCache, execution_code, execution_fingerprint, lesson_key
from curso.pipeline.execute import BlockResult, LessonResult
from curso.pipeline.source import parse_lesson

from tests.helpers import ROOT, lesson_text, pipeline_copy

BODY = """\
# Título

Texto com uma frase.

```python alt="Uma reta" caption="Figura 1"
x = 1
```
"""


def lesson(body: str = BODY, header: str = "", slug: str = "01-x"):
    text = lesson_text(body).replace("---\n\n", header + "---\n\n", 1)
    return parse_lesson(text, f"lessons_src/{slug}.md", slug=slug)


def result(stdout: str = "oi\n", seconds: float = 1.5) -> LessonResult:
    return LessonResult("01-x", seconds, {"torch": "2.13.0"}, [BlockResult(stdout=stdout, figure_size=(3, 4))])


def entry_files(folder) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_store_then_load_round_trips_only_with_the_same_key(tmp_path):
    store = ResultCache(tmp_path)
    store.store(lesson(), result(), "chave-1")
    assert store.load(lesson(), "chave-1") == result()
    assert store.load(lesson(), "chave-2") is None
    assert store.load(lesson(slug="02-y"), "chave-1") is None


def test_a_result_not_yet_under_its_key_is_a_miss(tmp_path):
    """The result is written to a temporary name and renamed to its key last."""
    store = ResultCache(tmp_path)
    store.store(lesson(), result(), "chave")
    (tmp_path / "01-x" / "chave.json").rename(tmp_path / "01-x" / ".chave.json.abc.tmp")
    assert store.load(lesson(), "chave") is None


def key_of(source, fingerprint: str = "f") -> str:
    return lesson_key(source, fingerprint)


def test_prose_headings_and_captions_do_not_change_the_key():
    base = key_of(lesson())
    assert key_of(lesson(BODY.replace("uma frase", "outra frase, mais longa\n\ne um parágrafo novo"))) == base
    assert key_of(lesson(BODY.replace("# Título", "## Outro título"))) == base
    assert key_of(lesson(BODY.replace('caption="Figura 1"', 'caption="Figura um" hide-code'))) == base
    assert key_of(lesson(BODY.replace('alt="Uma reta"', 'alt="Reta crescente"'))) == base


@pytest.mark.parametrize("change", [
    lambda: lesson(BODY.replace("x = 1", "x = 2")),
    lambda: lesson(BODY.replace("x = 1", "x = 1\ny = x")),
    lambda: lesson(BODY.replace(' alt="Uma reta"', "")),  # without alt text, a figure is an error
    lambda: lesson(BODY.replace("```python", "```python raises=ValueError")),
    lambda: lesson(BODY + "\n```python\npass\n```\n"),
    lambda: lesson(header='pip: ["lightning==2.5.0"]\n'),
    lambda: lesson(header="timeout: 5\n"),
])
def test_code_options_pip_and_timeout_change_the_key(change):
    assert key_of(change()) != key_of(lesson())


def test_the_execution_code_is_the_runner_and_what_it_imports():
    names = {path.name for path in execution_code()}
    assert names == {"runner.py", "processes.py", "execute.py", "explore.py", "figures.py", "source.py", "errors.py",
                     "numbers.py", "quiz.py", "house.mplstyle"}


def test_fingerprint_follows_pins_and_execution_code_not_rendering_code(tmp_path, monkeypatch):
    pins = tmp_path / "requirements.txt"
    pins.write_text("torch==2.13.0\n")
    code = pipeline_copy(tmp_path, monkeypatch)
    base = execution_fingerprint(pins)
    assert execution_fingerprint(pins) == base
    for rendering in ("render.py", "notebook.py", "report.py", "write.py", "untrusted.py", "cache.py"):
        (code / rendering).write_text((code / rendering).read_text() + "\n# mudança\n")
    assert execution_fingerprint(pins) == base
    pins.write_text("torch==2.14.0\n")
    assert execution_fingerprint(pins) != base
    pins.write_text("torch==2.13.0\n")
    for executing in ("execute.py", "figures.py", "house.mplstyle"):
        original = (code / executing).read_text()
        (code / executing).write_text(original + "\n# mudança\n")
        assert execution_fingerprint(pins) != base, executing
        (code / executing).write_text(original)


def test_the_last_few_results_are_kept_and_the_least_recently_used_goes(tmp_path):
    store = ResultCache(tmp_path)
    for number in range(KEPT):
        store.store(lesson(), result(f"{number}\n"), f"chave-{number}")
    assert store.load(lesson(), "chave-0") == result("0\n")  # undoing three edits is still a hit
    store.store(lesson(), result("novo\n"), "chave-nova")
    assert store.load(lesson(), "chave-1") is None  # the least recently used, not the oldest stored
    assert all(store.load(lesson(), key) for key in ("chave-0", "chave-2", "chave-3", "chave-nova"))
    assert len(entry_files(tmp_path / "01-x")) == KEPT + 1  # the entries and the list of recent keys


def test_a_hit_writes_nothing_when_it_is_already_the_most_recent(tmp_path):
    store = ResultCache(tmp_path)
    store.store(lesson(), result(), "chave")
    recent = tmp_path / "01-x" / "recent.json"
    recent.write_bytes(recent.read_bytes() + b" ")
    store.load(lesson(), "chave")
    assert recent.read_bytes().endswith(b" ")


def test_last_seconds_is_the_execution_time_of_the_most_recently_used_result(tmp_path):
    store = ResultCache(tmp_path)
    assert store.last_seconds("01-x") is None
    store.store(lesson(), result(seconds=7.25), "longa")
    store.store(lesson(), result(seconds=0.5), "curta")
    assert store.last_seconds("01-x") == 0.5
    store.load(lesson(), "longa")
    assert store.last_seconds("01-x") == 7.25


def test_a_result_that_names_its_file_holds_only_while_its_blocks_stay_on_the_same_lines(tmp_path):
    """A warning or a SyntaxError shows `01-x.md:LINE`: moving the code would make that line wrong."""
    store = ResultCache(tmp_path)
    moved = lesson(BODY.replace("Texto com uma frase.", "Texto com uma frase.\n\nMais uma linha."))
    store.store(lesson(), result("/tmp/lessons_src/01-x.md:9: UserWarning: cuidado\n"), "com-linha")
    store.store(lesson(), result("sem linha\n"), "sem-linha")
    assert store.load(lesson(), "com-linha") is not None
    assert store.load(moved, "com-linha") is None
    assert store.load(moved, "sem-linha") is not None


@pytest.mark.parametrize("damage", [
    lambda entry: entry.write_text('{"result": {"slug": "01-x", "seco'),
    lambda entry: entry.write_text('{"result": {"slug": "01-x"}}'),
    lambda entry: entry.write_text('{"slug": "01-x"}'),
    lambda entry: entry.write_bytes(b"\xff\xfe"),
])
def test_an_unreadable_entry_is_a_miss_with_a_one_line_warning(tmp_path, capsys, damage):
    store = ResultCache(tmp_path)
    store.store(lesson(), result(), "chave")
    damage(tmp_path / "01-x" / "chave.json")
    assert store.load(lesson(), "chave") is None
    warning = capsys.readouterr().err
    assert warning.startswith("aviso: cache de 01-x ilegível (") and warning.count("\n") == 1
