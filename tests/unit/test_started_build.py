"""A build started apart from its end: the stale lessons execute while MkDocs reads the other pages."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

from mkdocs.structure.files import File, Files

from curso.pipeline.build import StartedBuild, build, generated_files, site_order
from curso.pipeline.layout import GENERATED, LESSONS_SRC, REPORT_PAGE, lesson_page, notebook_download, notebook_file
from curso.site_files import LessonFiles
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


def test_the_last_builds_pages_stand_in_only_when_they_have_the_title_they_will_have(tmp_path):
    root = project(tmp_path, {"01-a": "```python\nx = 1\n```\n", "02-b": "```python\ny = 2\n```\n"})
    assert not started_and_finished(root)  # first build: no page yet
    lesson = root / LESSONS_SRC / "01-a.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("x = 1", "x = 2"), encoding="utf-8")
    assert started_and_finished(root)  # the code changed, not the title
    lesson.write_text(lesson_text("```python\nx = 3\n```\n", title="Outro título"), encoding="utf-8")
    assert not started_and_finished(root)  # every page's navigation shows the new title
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("x = 3", "x = 4"), encoding="utf-8")
    (root / GENERATED / notebook_file("01-a")).unlink()
    assert not started_and_finished(root)


def started_and_finished(root: Path) -> bool:
    """Whether a build's pending pages could stand in for themselves while its lessons execute."""
    started = StartedBuild(root)
    try:
        return started.stale_pages_usable()
    finally:
        started.finish()


def test_generated_files_have_one_order_whatever_their_origin():
    names = [REPORT_PAGE, notebook_download("01-a"), notebook_file("01-a"), lesson_page("02-b"), lesson_page("01-a")]
    assert site_order(names) == [lesson_page("01-a"), lesson_page("02-b"), notebook_file("01-a"),
                                 notebook_download("01-a"), REPORT_PAGE]


class Started:
    """A build whose lesson 01-a is executing."""

    pending = [lesson_page("01-a"), REPORT_PAGE]
    executing = ["01-a"]


def test_the_pending_pages_are_read_last_the_first_waits_for_the_build_and_the_order_is_put_back(tmp_path):
    names = ["index.md", lesson_page("01-a"), lesson_page("02-b"), REPORT_PAGE, "glossario.md"]
    files = Files([File(name, str(tmp_path / "docs"), str(tmp_path / "site"), True) for name in names])
    config = SimpleNamespace(site_dir=str(tmp_path / "site"), use_directory_urls=True)
    finished = []
    lesson_files = LessonFiles(tmp_path, config, Started(), finish=lambda: finished.append(True))
    lesson_files.read_last(files)
    assert [file.src_uri for file in files] == ["index.md", lesson_page("02-b"), "glossario.md",
                                                lesson_page("01-a"), REPORT_PAGE]
    for name in ("index.md", lesson_page("02-b"), "glossario.md"):
        lesson_files.before_page(name, files)
    assert not finished
    lesson_files.before_page(lesson_page("01-a"), files)
    lesson_files.before_page(REPORT_PAGE, files)
    lesson_files.done(files)
    assert finished == [True]  # once, at the first pending page
    assert [file.src_uri for file in files] == names  # the site's pages in the same order as any build


def test_early_the_other_pages_are_written_first_and_the_pending_ones_are_read_again_finished(tmp_path,
                                                                                               monkeypatch):
    """Under `serve`, the last build's files stand in for the pending pages: MkDocs reads and writes
    every other page while the lesson executes; the first pending page it is about to write waits,
    then the pending pages are read again and the figures the build changed reach the site."""
    from curso import site_files

    generated = tmp_path / GENERATED
    for name, text in {lesson_page("01-a"): "antiga", lesson_page("02-b"): "pronta", REPORT_PAGE: "antigo",
                       "licoes/figuras/velha.svg": "<svg/>",
                       "licoes/figuras/mantida.svg": "<svg>1</svg>"}.items():
        (generated / name).parent.mkdir(parents=True, exist_ok=True)
        (generated / name).write_text(text, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    files = Files([File("index.md", str(tmp_path / "docs"), str(tmp_path / "site"), True)])
    config = SimpleNamespace(site_dir=str(tmp_path / "site"), use_directory_urls=True)

    def finish():  # what the build writes when the lesson ends
        (generated / "licoes/figuras/velha.svg").unlink()
        (generated / "licoes/figuras/nova.svg").write_text("<svg>nova</svg>", encoding="utf-8")
        time.sleep(0.01)
        (generated / "licoes/figuras/mantida.svg").write_text("<svg>2</svg>", encoding="utf-8")
        finished.append(True)

    finished, read_again = [], []
    monkeypatch.setattr(site_files, "_populate_page", lambda page, *args: read_again.append(page.file.src_uri))
    lesson_files = LessonFiles(tmp_path, config, Started(), finish, early=True)
    lesson_files.add(files)
    lesson_files.read_last(files)
    for file in files.documentation_pages():
        file.page = SimpleNamespace(file=file)
        lesson_files.before_page(file.src_uri, files)
    lesson_files.done(files)
    for file in files:
        if not file.is_documentation_page():
            file.copy_file()  # MkDocs copies the files before writing pages
    written_first = [file.src_uri for file in files.documentation_pages()]  # MkDocs writes pages in this order
    assert written_first == ["index.md", lesson_page("02-b"), lesson_page("01-a"), REPORT_PAGE]
    lesson_files.before_context(files.get_file_from_path("index.md").page)
    assert not finished and not read_again
    lesson_files.before_context(files.get_file_from_path(lesson_page("01-a")).page)
    assert finished == [True] and read_again == [lesson_page("01-a"), REPORT_PAGE]
    site = tmp_path / "site" / "licoes" / "figuras"
    assert sorted(path.name for path in site.iterdir()) == ["mantida.svg", "nova.svg"]
    assert (site / "mantida.svg").read_text(encoding="utf-8") == "<svg>2</svg>"
    assert [file.src_uri for file in files.documentation_pages()] == ["index.md", lesson_page("01-a"),
                                                                      lesson_page("02-b"), REPORT_PAGE]
    lesson_files.before_context(files.get_file_from_path(REPORT_PAGE).page)
    assert finished == [True]


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


def waiting_or_failing(flag: Path) -> str:
    """A lesson that ends once `flag` exists, and fails if it does not appear within ~60 s."""
    return (f"```python\nimport os, time\nfor _ in range(6000):\n    if os.path.exists({str(flag)!r}):\n"
            "        break\n    time.sleep(0.01)\nelse:\n"
            "    raise RuntimeError('a outra lição não foi renderizada')\n"
            "print('terminou')\n```\n")


def test_each_lesson_is_rendered_as_soon_as_it_ends_while_the_others_still_execute(tmp_path):
    flag = tmp_path / "rapida-renderizada"
    root = project(tmp_path / "repo", {"01-lenta": waiting_or_failing(flag), "02-rapida": "```python\nx = 1\n```\n"})
    told = []

    def rendered(files: dict[str, bytes]) -> None:
        told.append(sorted(name for name in files if name.endswith(".md")))
        if lesson_page("02-rapida") in files:
            flag.touch()  # the slow lesson may end only now: 02 was rendered while 01 executed

    summary = StartedBuild(root, parallel=2, rendered=rendered).finish()
    assert sorted(summary.executed) == ["01-lenta", "02-rapida"]
    assert told == [[lesson_page("02-rapida")], [lesson_page("01-lenta")]]


class InOrder:
    """An executor that tells the build the lessons' ends in a given order, whatever the real one."""

    def __init__(self, order: list[str]):
        from curso.pipeline.runner import Executor

        self.real, self.order = Executor(), order

    def submit(self, jobs, parallel):
        return self.real.submit(jobs, parallel)

    def collect(self, batch, ended):
        results = self.real.collect(batch)
        for slug in self.order:
            ended(slug, results[slug])
        return results

    def close(self):
        self.real.close()


def test_what_a_build_writes_does_not_depend_on_the_order_in_which_lessons_end(tmp_path):
    lessons = {"01-a": "Texto $x$.\n\n```python\nprint(1 + 1)\n```\n", "02-b": "```python\nprint('b')\n```\n",
               "03-c": "Veja a [lição 1](01-a.md).\n\n```python\nimport math\nprint(math.pi)\n```\n"}
    written = []
    for name, order in (("frente", ["01-a", "02-b", "03-c"]), ("tras", ["03-c", "01-a", "02-b"])):
        root = project(tmp_path / name, lessons)
        executor = InOrder(order)
        try:
            StartedBuild(root, executor=executor).finish()
        finally:
            executor.close()
        folder = root / GENERATED
        written.append({path.relative_to(folder): path.read_bytes() for path in folder.rglob("*")
                        if path.is_file() and path.name != REPORT_PAGE})  # the report shows measured times
    assert written[0] == written[1] and len(written[0]) > 6


def test_without_history_the_lesson_that_looks_like_more_work_starts_first(tmp_path):
    from curso.pipeline.build import _longest_first
    from curso.pipeline.cache import ResultCache
    from curso.pipeline.source import read_lesson

    long_code = "```python\n" + "".join(f"x{n} = {n}\n" for n in range(50)) + "```\n"
    loops = "```python\nfor a in range(3):\n    for b in range(3):\n        pass\n```\n"
    explored = ('```python explore="k=1,*2,3"\nk = 2\nprint(k)\n```\n')
    root = project(tmp_path, {"01-longa": long_code, "02-lacos": loops, "03-explorada": explored})
    lessons = [(read_lesson(path), path) for path in sorted((root / LESSONS_SRC).glob("*.md"))]
    order = [lesson.slug for lesson, _ in _longest_first(lessons, ResultCache(tmp_path / "vazio"))]
    assert order == ["03-explorada", "02-lacos", "01-longa"]  # settings explored, then loops, then length
