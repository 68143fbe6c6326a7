"""The build benchmark's own arithmetic and edits (the timings themselves are never tested)."""

from __future__ import annotations


from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from curso.pipeline.cache import ResultCache
from curso.pipeline.execute import LessonResult
from curso.pipeline.source import CodeBlock, TextBlock, parse_lesson, read_lesson
from devtools.bench_build import PLAIN_DOCS, execution_times, imports_once, plain_config, scheduled, with_code_edit, with_prose_edit
from tests.helpers import LESSONS, ROOT, lesson_text


def test_lessons_are_scheduled_longest_first_on_the_free_worker():
    assert scheduled([1.0, 5.0, 2.0, 2.0, 3.0], 2) == 7.0  # 5+2 and 3+2+1
    assert scheduled([1.0, 1.0, 1.0, 3.0], 2) == 3.0  # file order on two workers would end at 4
    assert scheduled([4.0, 2.0], 1) == 6.0


def test_the_plain_config_has_no_hook_and_no_notebook_plugin_and_keeps_the_rest():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    loader = get_yaml_loader(config=MkDocsConfig(config_file_path=str(ROOT / "mkdocs.yml")))
    full, plain = yaml_load(text, loader=loader), yaml_load(plain_config(text), loader=loader)
    assert full["hooks"] and set(plain) == set(full) - {"hooks"} | {"docs_dir"}
    assert plain["docs_dir"] == PLAIN_DOCS  # the hand-written and the generated pages, together
    names = [next(iter(plugin)) if isinstance(plugin, dict) else plugin for plugin in plain["plugins"]]
    assert names == [name for name in (next(iter(plugin)) if isinstance(plugin, dict) else plugin
                                       for plugin in full["plugins"]) if name != "mkdocs-jupyter"]
    assert "mkdocs-jupyter" not in names and "search" in names
    remaining = iter(text.splitlines())
    kept = plain_config(text).splitlines()[:-1]  # the last line is docs_dir
    assert all(line in remaining for line in kept)  # lines only removed


def code_lines(source: str) -> list[str]:
    lesson = parse_lesson(source, "lessons_src/01-x.md", slug="01-x")
    return [block.code for block in lesson.blocks if isinstance(block, CodeBlock)]


def test_the_code_edit_adds_one_line_to_the_first_executed_block_that_is_not_a_doctest():
    source = ("---\ntitle: T\ndescription: D.\n---\n\n```python\n>>> 1 + 1\n2\n```\n\n"
              "!!! note \"Nota\"\n    ```python\n    x = 1\n    ```\n")
    edited = code_lines(with_code_edit(source, 42))
    assert edited[0] == code_lines(source)[0]
    assert edited[1] == "benchmark_marker = 42\nx = 1\n"


def test_the_code_edit_of_every_real_lesson_changes_only_its_code():
    for lesson in LESSONS:
        source = lesson.read_text(encoding="utf-8")
        before, after = code_lines(source), code_lines(with_code_edit(source, 7))
        assert len(after) == len(before) and sum(a != b for a, b in zip(after, before)) == 1, lesson.name


def test_the_prose_edit_adds_a_sentence_and_no_code():
    source = LESSONS[0].read_text(encoding="utf-8")
    edited = with_prose_edit(source, 99)
    assert code_lines(edited) == code_lines(source)
    lesson = parse_lesson(edited, "lessons_src/01-x.md", slug="01-x")
    assert "Frase de medição 99." in [block for block in lesson.blocks if isinstance(block, TextBlock)][-1].text


def test_execution_times_are_those_of_each_lesson_s_most_recent_result(tmp_path):
    (tmp_path / "lessons_src").mkdir()
    for name in ("01-x", "02-y", "03-z"):
        (tmp_path / "lessons_src" / f"{name}.md").write_text(lesson_text("```python\nx = 1\n```\n"))
    lessons = {path.stem: read_lesson(path) for path in (tmp_path / "lessons_src").glob("*.md")}
    cache = ResultCache(tmp_path / ".cache" / "lessons")
    for slug, seconds, key in (("01-x", 4.0, "a"), ("02-y", 1.0, "c"), ("01-x", 2.5, "b")):
        cache.store(lessons[slug], LessonResult(slug, seconds, {}), key)
    assert execution_times(tmp_path) == {"01-x": 2.5, "02-y": 1.0}  # 03-z has not run


def test_the_imports_are_timed_with_the_runner_s_own_warm_up(tmp_path):
    lesson = tmp_path / "01-x.md"
    lesson.write_text(lesson_text("```python\nx = 1\n```\n"), encoding="utf-8")
    assert imports_once([lesson]) > 0  # exits with the runner's error if the call does not fit warm_up
