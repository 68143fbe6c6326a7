"""The whole data path: find lessons → execute what is stale (cached) → render → write.

Nothing is written until every lesson has executed: a failure leaves the published pages as they
were (the lessons that did succeed are cached). Each lesson is rendered as soon as it ends, while
the others still execute; what is written does not depend on the order in which they end. One
build at a time per checkout (a lock file).
A build can be started and finished apart (StartedBuild): the MkDocs hook lets MkDocs read the
other pages while the stale lessons execute.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import posixpath
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cache import ResultCache, execution_fingerprint, lesson_key, pipeline_digest
from .discover import find_lessons
from .execute import LessonResult, display_path
from .layout import FIGURES, GENERATED, GENERATED_DIRS, LESSONS_SRC, LOCK, RENDERED_LESSONS, REPORT_PAGE, RESULTS, \
    figure_file, lesson_page, lesson_slug, notebook_download, notebook_file, page_url, relative_url, states_file
from .notebook import SiteLinks, build_notebook
from .render import front_matter, render_lesson
from .report import LessonRun, render_report
from .runner import Executor, LessonJob
from .source import LessonSourceError, read_lesson
from .tracked import changed_files, tracked_files
from .untrusted import header_as_text, safe_results
from .write import exclusive, owned_files, sync_generated, unchanged, write_atomic

_LOOP = re.compile(r"^\s*for\b", re.MULTILINE)
INTERRUPTED = "Build interrompido (Ctrl+C): as lições em execução foram encerradas; nada foi escrito."


class BuildError(Exception):
    """One or more lessons could not be built; the message lists every problem (file:line first)."""


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def lessons_dir(self) -> Path:
        return self.root / LESSONS_SRC

    @property
    def generated_dir(self) -> Path:
        return self.root / GENERATED

    @property
    def cache_dir(self) -> Path:
        return self.root / RESULTS

    @property
    def pins_file(self) -> Path:
        return self.root / "requirements.txt"

    @property
    def lock_file(self) -> Path:
        return self.root / LOCK


@dataclass(frozen=True)
class BuildSummary:
    runs: list[LessonRun]
    written: list[str]

    @property
    def executed(self) -> list[str]:
        return [run.lesson.slug for run in self.runs if not run.from_cache]


def build(root: Path, parallel: int | None = None, executor: Executor | None = None) -> BuildSummary:
    """`executor`: a warm runner kept between builds (`mkdocs serve`); without it, one for this build."""
    return StartedBuild(root, parallel, executor).finish()


class StartedBuild:
    """A build whose stale lessons are executing: the caller may work on (MkDocs renders the other
    pages) until it needs the generated files, then `finish` waits for the lessons, renders, writes.

    Made at once: the lessons read, the cached results loaded and their lessons rendered, the stale
    lessons handed to the executor (the longest first). `pending` lists the site paths whose content
    is not known until `finish`: anything else already has its final bytes in the build folder.
    """

    def __init__(self, root: Path, parallel: int | None = None, executor: Executor | None = None,
                 rendered: Callable[[dict[str, bytes]], None] = lambda files: None):
        """`rendered`: told each lesson's generated files as soon as they are known (before they are
        written), to start work on them early (the notebook views' conversion)."""
        self.project = Project(Path(root).resolve())
        self._told = rendered
        self._held = contextlib.ExitStack()
        waiting = f"Outro build está gerando as lições nesta pasta ({self.project.root}); esperando ele terminar…"
        self._held.enter_context(exclusive(self.project.lock_file, waiting))
        self._execution: _Execution | None = None
        try:
            self._start(parallel or min(2, os.cpu_count() or 1), executor)
        except BaseException:
            if self._execution:
                self._execution.cancel()
            self._held.close()
            raise

    def _start(self, parallel: int, executor: Executor | None) -> None:
        self.lessons = _read_lessons(self.project)
        self.cache = ResultCache(self.project.cache_dir)
        fingerprint = execution_fingerprint(self.project.pins_file)
        self.keys = {lesson.slug: lesson_key(lesson, fingerprint) for lesson, _ in self.lessons}
        self.cached = {lesson.slug: self.cache.load(lesson, self.keys[lesson.slug]) for lesson, _ in self.lessons}
        self.stale = _longest_first([(lesson, path) for lesson, path in self.lessons
                                     if self.cached[lesson.slug] is None], self.cache)
        self._execution = _Execution(self.project, [LessonJob(path, lesson.path, lesson.timeout)
                                                    for lesson, path in self.stale], parallel, executor)
        self._renders = RenderIndex(self.project)
        self.rendered = {lesson.slug: self._render(LessonRun(lesson, self.cached[lesson.slug], True), number)
                         for number, (lesson, _) in enumerate(self.lessons, start=1) if self.cached[lesson.slug]}
        self.pending = self._pending_pages()

    def _render(self, run: LessonRun, number: int) -> dict[str, bytes]:
        """The lesson's generated files: those of the last build when rendering would read the same."""
        key = self._renders.key(run, number, len(self.lessons))
        files = self._renders.reuse(run.lesson.slug, key)
        if files is None:
            files = _render_lesson(run, number, len(self.lessons))
            self._renders.remember(run.lesson.slug, key, files)
        self._told(files)
        return files

    @property
    def executing(self) -> list[str]:
        return [lesson.slug for lesson, _ in self.stale]

    def _pending_pages(self) -> list[str]:
        if not self.stale:
            return []
        unknown = [name for lesson, _ in self.stale for name in lesson_pages(lesson.slug)]
        changed = [name for slug, files in self.rendered.items() for name in lesson_pages(slug)
                   if not unchanged(self.project.generated_dir / name, files[name])]
        return [*unknown, *changed, REPORT_PAGE]

    def stale_pages_usable(self) -> bool:
        """Whether every pending page has its file from the last build, each lesson page with the
        front matter (title, description) it will have: until `finish`, MkDocs may read and write
        the other pages with these files standing in (the navigation on every page shows the
        lessons' titles)."""
        folder = self.project.generated_dir
        if not all((folder / name).is_file() for name in self.pending):
            return False
        lessons = {lesson.slug: lesson for lesson, _ in self.lessons}
        return all((folder / lesson_page(slug)).read_text(encoding="utf-8").startswith(
                   front_matter(header_as_text(lessons[slug])))
                   for slug in {lesson_slug(name) for name in self.pending} - {None})

    def finish(self) -> BuildSummary:
        """Wait for the stale lessons, caching and rendering each as it ends, then write everything."""
        with self._held:
            problems: list[str] = []
            fresh, failures = self._execution.results(ended=lambda slug, result: self._cache_and_render(
                slug, result, problems))
            problems = failures + problems
            if problems:
                raise BuildError("\n\n".join(problems))
            runs = [LessonRun(lesson, self.cached[lesson.slug] or fresh[lesson.slug], lesson.slug not in fresh)
                    for lesson, _ in self.lessons]
            files: dict[str, bytes] = {}
            for slug in (lesson.slug for lesson, _ in self.lessons):
                files.update(self.rendered[slug])
            files[REPORT_PAGE] = render_report([_as_text(run) for run in runs]).encode()
            written = _write(self.project, files)
            self._renders.save()
            return BuildSummary(runs, written)

    def abandon(self) -> None:
        """The caller's build failed first: let the lessons end (their successes are cached), write nothing."""
        with self._held:
            self._execution.results(ended=self._cache_success)

    def _cache_success(self, slug: str, result: LessonResult) -> bool:
        """Fresh successes are cached even when another lesson failed."""
        if not result.failure:
            self.cache.store(self._lesson(slug), result, self.keys[slug])
        return not result.failure

    def _cache_and_render(self, slug: str, result: LessonResult, problems: list[str]) -> None:
        """A lesson that just ended, while the others still execute."""
        if self._cache_success(slug, result):
            number = next(number for number, (lesson, _) in enumerate(self.lessons, start=1) if lesson.slug == slug)
            try:
                self.rendered[slug] = self._render(LessonRun(self._lesson(slug), result, False), number)
            except BuildError as exc:
                problems.append(str(exc))

    def _lesson(self, slug: str):
        return next(lesson for lesson, _ in self.lessons if lesson.slug == slug)


class RenderIndex:
    """What each lesson's generated files were rendered from (its source, its result, its place in
    the course, the pipeline's code and the pinned versions), by a hash: when all of it is the same,
    the files in the build folder are reused as they are, and a no-op build renders no lesson."""

    def __init__(self, project: Project):
        self.project = project
        self.path = project.root / RENDERED_LESSONS
        self.common = hashlib.sha256(f"{pipeline_digest()} python{sys.version_info[:2]}".encode()
                                     + (project.pins_file.read_bytes() if project.pins_file.exists() else b""))
        try:
            self.saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.saved = {}
        self.entries = dict(self.saved) if isinstance(self.saved, dict) else {}

    def key(self, run: LessonRun, number: int, total: int) -> str:
        digest = self.common.copy()
        digest.update((self.project.root / run.lesson.path).read_bytes())
        digest.update(json.dumps([number, total, run.result.to_json()], sort_keys=True).encode())
        return digest.hexdigest()

    def reuse(self, slug: str, key: str) -> dict[str, bytes] | None:
        entry = self.entries.get(slug)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            return {name: (self.project.generated_dir / name).read_bytes() for name in entry["files"]}
        except (OSError, TypeError, KeyError):
            return None

    def remember(self, slug: str, key: str, files: dict[str, bytes]) -> None:
        self.entries[slug] = {"key": key, "files": sorted(files)}

    def save(self) -> None:
        """After the files are written (a build that fails before keeps the previous index)."""
        if self.entries != self.saved:
            write_atomic(self.path, json.dumps(self.entries, sort_keys=True).encode())


class _Execution:
    """The stale lessons on the executor's workers, and the repository's tracked files before them
    (lessons run in scratch folders, but nothing stops one from writing elsewhere: notice it)."""

    def __init__(self, project: Project, jobs: list[LessonJob], parallel: int, executor: Executor | None):
        self.project, self.jobs = project, jobs
        self.own = executor is None and bool(jobs)
        self.executor = Executor() if self.own else executor
        self.before = tracked_files(project.root) if jobs else {}
        self.batch = self.executor.submit(jobs, parallel) if jobs else None

    def cancel(self) -> None:
        """The build failed before it needed the lessons: stop them (a shared executor restarts later)."""
        if self.batch is not None:
            self.batch = None
            self.executor.close()

    def results(self, ended: Callable[[str, LessonResult], object]) -> tuple[dict[str, LessonResult], list[str]]:
        """Each lesson's result (`ended` is told each as soon as it ends), and the problems: the
        lessons' failures and the repository's changes."""
        if self.batch is None:
            return {}, []
        try:
            fresh = self.executor.collect(self.batch, ended)
        finally:
            self.batch = None
            if self.own:
                self.executor.close()
        problems = [result.failure for result in fresh.values() if result.failure]
        changed = changed_files(self.project.root, self.before)
        if changed:
            lessons = ", ".join(job.shown_as for job in self.jobs)
            problems.append(f"arquivos do repositório mudaram durante a execução de {lessons}: {', '.join(changed)}\n"
                            "Uma lição só deve escrever na sua pasta de trabalho (a pasta atual quando ela roda); "
                            "confira os arquivos com `git status`/`git diff`. Se foi você editando durante o build, "
                            "rode de novo.")
        return fresh, problems


def generated_files(root: Path) -> list[str]:
    """Site paths of the files the last successful build generated (in the build folder)."""
    folder = Project(Path(root).resolve()).generated_dir
    report = [REPORT_PAGE] if (folder / REPORT_PAGE).is_file() else []
    return site_order([*owned_files(folder, GENERATED_DIRS), *report])


def site_order(names) -> list[str]:
    """Generated site paths in one order, whatever their origin: folder by folder, the report last."""
    def place(name: str) -> tuple:
        folder = name.split("/", 1)[0]
        return (GENERATED_DIRS.index(folder) if folder in GENERATED_DIRS else len(GENERATED_DIRS), name)

    return sorted(names, key=place)


def lesson_pages(slug: str) -> list[str]:
    """The pages made from one lesson: its page and its notebook view."""
    return [lesson_page(slug), notebook_file(slug)]


def _write(project: Project, files: dict[str, bytes]) -> list[str]:
    try:
        return sync_generated(project.generated_dir, files, owned_dirs=GENERATED_DIRS)
    except OSError as exc:
        where = os.path.relpath(exc.filename or project.generated_dir, project.root)
        raise BuildError(f"não foi possível escrever {where}: {exc.strerror or exc}; "
                         "nenhum arquivo gerado foi alterado") from None


def _read_lessons(project: Project) -> list[tuple]:
    try:
        paths = find_lessons(project.lessons_dir)
        return [(read_lesson(path, shown_as=display_path(path)), path) for path in paths]
    except LessonSourceError as exc:
        raise BuildError(str(exc)) from None


def _longest_first(lessons: list[tuple], cache: ResultCache) -> list[tuple]:
    """The longest lessons start first, so that the last to finish is not a long one started late.

    A lesson is as long as its last execution took; one with no history goes first (it may be long).
    Among those, a guess (`_expected_work`): on the real lessons it gives the order of their times.
    """
    def expected(item: tuple) -> tuple:
        seconds = cache.last_seconds(item[0].slug)
        return (0, *(-work for work in _expected_work(item[0]))) if seconds is None else (1, -seconds)

    return sorted(lessons, key=expected)


def _expected_work(lesson) -> tuple[int, int, int]:
    """How much work a lesson's code looks like, most telling first: the explored settings (each one
    runs its block again), the loops (training), the code's length."""
    settings = sum(math.prod(len(parameter.literals) for parameter in block.options.explore)
                   for block in lesson.code_blocks if block.options.explore)
    return settings, len(_LOOP.findall(lesson.code)), len(lesson.code)


def _as_text(run: LessonRun) -> LessonRun:
    """The authors' text goes in escaped (see untrusted.py)."""
    return LessonRun(header_as_text(run.lesson), run.result, run.from_cache)


def _render_lesson(run: LessonRun, number: int, total: int) -> dict[str, bytes]:
    """One lesson's page, figures, explorable states and notebooks."""
    run = _as_text(run)
    slug = run.lesson.slug
    try:
        shown = safe_results(run.lesson, run.result)
    except LessonSourceError as exc:
        raise BuildError(str(exc)) from None
    page = lesson_page(slug)
    rendered = render_lesson(run.lesson, shown, notebook_href=_relative(notebook_file(slug), page),
                             figure_dir=FIGURES,  # FIGURES is under the pages' folder
                             position=(number, total))
    files = {page: rendered.page.encode()}
    for name, svg in rendered.figures.items():
        files[figure_file(name)] = svg.encode()
    for name, states in rendered.states.items():
        files[states_file(name)] = states.encode()
    files[notebook_download(slug)] = build_notebook(run.lesson, run.result).encode()
    files[notebook_file(slug)] = build_notebook(run.lesson, run.result, _view_links(slug)).encode()
    return files


def _relative(target: str, page: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page))


def _view_links(slug: str) -> SiteLinks:
    view = page_url(notebook_file(slug))
    return SiteLinks(figure=lambda name: relative_url(figure_file(name), view),
                     lesson=lambda other: relative_url(page_url(lesson_page(other)), view),
                     download=relative_url(notebook_download(slug), view))
