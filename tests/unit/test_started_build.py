"""A build started apart from its end: the stale lessons execute while MkDocs reads the other pages."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from mkdocs.structure.files import File, Files

from curso.hooks import lessons_hook
from curso.pipeline.build import StartedBuild, build, generated_files, site_order
from curso.pipeline.layout import GENERATED, LESSONS_SRC, REPORT_PAGE, lesson_page, notebook_download, notebook_file
from tests.helpers import lesson_text


def project(root: Path, lessons: dict[str, str]) -> Path:
    (root / LESSONS_SRC).mkdir(parents=True)
    for slug, body in lessons.items():
        (root / LESSONS_SRC / f"{slug}.md").write_text(lesson_text(body), encoding="utf-8")
    return root


def waiting_for(flag: Path) -> str:
    """A lesson that runs until `flag` exists (at most ~60 s)."""
    return (f"```python\nimport os, time\nfor _ in range(6000):\n    if os.path.exists({str(flag)!r}):\n"
            "        break\n    time.sleep(0.01)\nprint('terminou')\n```\n")


def test_a_started_build_returns_while_its_lesson_runs_and_finish_writes_its_pages(tmp_path):
    flag = tmp_path / "pode-terminar"
    root = project(tmp_path / "repo", {"01-a": waiting_for(flag)})
    started = StartedBuild(root)
    try:
        assert started.executing == ["01-a"]
        assert started.pending == [lesson_page("01-a"), notebook_file("01-a"), REPORT_PAGE]
        assert generated_files(root) == []  # nothing is written while the lesson runs
    finally:
        flag.touch()
        summary = started.finish()
    assert summary.executed == ["01-a"]
    assert "terminou" in (root / GENERATED / lesson_page("01-a")).read_text(encoding="utf-8")


def test_only_the_pages_whose_content_is_not_known_yet_are_pending(tmp_path):
    root = project(tmp_path, {"01-a": "Texto.\n\n```python\nx = 1\n```\n", "02-b": "```python\ny = 2\n```\n",
                              "03-c": "```python\nz = 3\n```\n"})
    build(root)
    first, second = (root / LESSONS_SRC / "01-a.md"), (root / LESSONS_SRC / "02-b.md")
    first.write_text(first.read_text(encoding="utf-8").replace("Texto.", "Outro texto."), encoding="utf-8")
    second.write_text(second.read_text(encoding="utf-8").replace("y = 2", "y = 4"), encoding="utf-8")
    started = StartedBuild(root)
    try:
        assert started.executing == ["02-b"]  # 01-a: prose only, rendered at once from its cached result
        assert started.pending == [lesson_page("02-b"), notebook_file("02-b"),
                                   lesson_page("01-a"), notebook_file("01-a"), REPORT_PAGE]
    finally:
        started.finish()


def test_generated_files_have_one_order_whatever_their_origin():
    names = [REPORT_PAGE, notebook_download("01-a"), notebook_file("01-a"), lesson_page("02-b"), lesson_page("01-a")]
    assert site_order(names) == [lesson_page("01-a"), lesson_page("02-b"), notebook_file("01-a"),
                                 notebook_download("01-a"), REPORT_PAGE]


class Started:
    """A build whose lesson 01-a is executing, as the hook sees it."""

    pending = [lesson_page("01-a"), REPORT_PAGE]
    executing = ["01-a"]
    finished = False

    def finish(self):
        self.finished = True
        return SimpleNamespace(executed=self.executing, written=[])


def test_the_hook_reads_the_pending_pages_last_waits_at_the_first_and_puts_the_order_back(tmp_path, monkeypatch):
    names = ["index.md", lesson_page("01-a"), lesson_page("02-b"), REPORT_PAGE, "glossario.md"]
    files = Files([File(name, str(tmp_path / "docs"), str(tmp_path / "site"), True) for name in names])
    config = SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"), site_dir=str(tmp_path / "site"),
                             use_directory_urls=True)
    started = Started()
    monkeypatch.setattr(lessons_hook._session, "started", started)
    lessons_hook.on_nav(None, config, files)
    assert [file.src_uri for file in files] == ["index.md", lesson_page("02-b"), "glossario.md",
                                                lesson_page("01-a"), REPORT_PAGE]
    for name in ("index.md", lesson_page("02-b"), "glossario.md"):
        lessons_hook.on_pre_page(SimpleNamespace(file=files.get_file_from_path(name)), config, files)
    assert not started.finished
    lessons_hook.on_pre_page(SimpleNamespace(file=files.get_file_from_path(lesson_page("01-a"))), config, files)
    assert started.finished and lessons_hook._session.started is None
    lessons_hook.on_env(None, config, files)
    assert [file.src_uri for file in files] == names  # the site's pages in the same order as any build


def test_a_lesson_is_rendered_again_only_when_what_rendering_reads_changed(tmp_path, monkeypatch):
    from curso.pipeline import build as pipeline_build

    root = project(tmp_path, {"01-a": "Texto.\n\n```python\nx = 1\n```\n", "02-b": "```python\ny = 2\n```\n"})
    build(root)
    rendered = []
    render = pipeline_build._render_lesson
    monkeypatch.setattr(pipeline_build, "_render_lesson", lambda run, *args: rendered.append(run.lesson.slug)
                        or render(run, *args))
    assert build(root).written == [] and rendered == []  # a no-op build renders no lesson
    lesson = root / LESSONS_SRC / "01-a.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("Texto.", "Outro texto."), encoding="utf-8")
    assert lesson_page("01-a") in build(root).written and rendered == ["01-a"]
    monkeypatch.setattr(pipeline_build, "pipeline_digest", lambda: "código de render novo")
    build(root)
    assert rendered == ["01-a", "01-a", "02-b"]
    (root / GENERATED / lesson_page("02-b")).unlink()
    assert build(root).written == [lesson_page("02-b")] and rendered[3:] == ["02-b"]
