"""The whole data path: find lessons → execute what is stale (cached) → render → write.

Nothing is written until every lesson has executed: a failure leaves the published pages as they
were (the lessons that did succeed are cached). One build at a time per checkout (a lock file).
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from .cache import ResultCache, execution_fingerprint, lesson_key
from .discover import find_lessons
from .execute import display_path
from .layout import FIGURES, GENERATED, GENERATED_DIRS, LESSONS_SRC, LOCK, REPORT_PAGE, RESULTS, figure_file, lesson_page, \
    notebook_download, notebook_file, page_url, relative_url, states_file
from .notebook import SiteLinks, build_notebook
from .render import render_lesson
from .report import LessonRun, render_report
from .runner import Executor, LessonJob, run_lessons
from .source import LessonSourceError, read_lesson
from .tracked import changed_files, tracked_files
from .untrusted import header_as_text, safe_results
from .write import exclusive, owned_files, sync_generated

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
    project = Project(Path(root).resolve())
    waiting = f"Outro build está gerando as lições nesta pasta ({project.root}); esperando ele terminar…"
    with exclusive(project.lock_file, waiting):
        lessons = _read_lessons(project)
        runs = _execute_stale(project, lessons, parallel or min(2, os.cpu_count() or 1), executor)
        files = _render(runs)
        return BuildSummary(runs, _write(project, files))


def generated_files(root: Path) -> list[str]:
    """Site paths of the files the last successful build generated (in the build folder)."""
    folder = Project(Path(root).resolve()).generated_dir
    report = [REPORT_PAGE] if (folder / REPORT_PAGE).is_file() else []
    return [*owned_files(folder, GENERATED_DIRS), *report]


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


def _execute_stale(project: Project, lessons: list[tuple], parallel: int,
                   executor: Executor | None) -> list[LessonRun]:
    cache = ResultCache(project.cache_dir)
    fingerprint = execution_fingerprint(project.pins_file)
    keys = {lesson.slug: lesson_key(lesson, fingerprint) for lesson, _ in lessons}
    cached = {lesson.slug: cache.load(lesson, keys[lesson.slug]) for lesson, _ in lessons}
    stale = _longest_first([(lesson, path) for lesson, path in lessons if cached[lesson.slug] is None], cache)
    jobs = [LessonJob(path, lesson.path, lesson.timeout) for lesson, path in stale]
    fresh, repository_changes = _run_noticing_writes(project, jobs, parallel, executor) if jobs else ({}, [])
    for lesson, _ in stale:
        if not fresh[lesson.slug].failure:
            cache.store(lesson, fresh[lesson.slug], keys[lesson.slug])
    problems = [result.failure for result in fresh.values() if result.failure] + repository_changes
    if problems:
        raise BuildError("\n\n".join(problems))
    return [LessonRun(lesson, cached[lesson.slug] or fresh[lesson.slug], lesson.slug not in fresh)
            for lesson, _ in lessons]


def _longest_first(lessons: list[tuple], cache: ResultCache) -> list[tuple]:
    """The longest lessons start first, so that the last to finish is not a long one started late.

    A lesson is as long as its last execution took; one with no history goes first (it may be long),
    the one with more code first among those (a weak proxy: the real lessons' times do not follow it).
    """
    def expected(item: tuple) -> tuple:
        seconds = cache.last_seconds(item[0].slug)
        return (0, -len(item[0].code)) if seconds is None else (1, -seconds)

    return sorted(lessons, key=expected)


def _run_noticing_writes(project: Project, jobs: list[LessonJob], parallel: int,
                         executor: Executor | None) -> tuple[dict, list[str]]:
    """Lessons run in scratch folders, but nothing stops one from writing elsewhere: notice it."""
    before = tracked_files(project.root)
    fresh = run_lessons(jobs, parallel, executor)
    changed = changed_files(project.root, before)
    if not changed:
        return fresh, []
    lessons = ", ".join(job.shown_as for job in jobs)
    return fresh, [f"arquivos do repositório mudaram durante a execução de {lessons}: {', '.join(changed)}\n"
                   "Uma lição só deve escrever na sua pasta de trabalho (a pasta atual quando ela roda); confira "
                   "os arquivos com `git status`/`git diff`. Se foi você editando durante o build, rode de novo."]


def _render(runs: list[LessonRun]) -> dict[str, bytes]:
    """Pages, figures, notebooks and report; the authors' text goes in escaped (see untrusted.py)."""
    runs = [LessonRun(header_as_text(run.lesson), run.result, run.from_cache) for run in runs]
    files: dict[str, bytes] = {}
    for number, run in enumerate(runs, start=1):
        slug = run.lesson.slug
        try:
            shown = safe_results(run.lesson, run.result)
        except LessonSourceError as exc:
            raise BuildError(str(exc)) from None
        page = lesson_page(slug)
        rendered = render_lesson(run.lesson, shown, notebook_href=_relative(notebook_file(slug), page),
                                 figure_dir=FIGURES,  # FIGURES is under the pages' folder
                                 position=(number, len(runs)))
        files[page] = rendered.page.encode()
        for name, svg in rendered.figures.items():
            files[figure_file(name)] = svg.encode()
        for name, states in rendered.states.items():
            files[states_file(name)] = states.encode()
        files[notebook_download(slug)] = build_notebook(run.lesson, run.result).encode()
        files[notebook_file(slug)] = build_notebook(run.lesson, run.result, _view_links(slug)).encode()
    files[REPORT_PAGE] = render_report(runs).encode()
    return files


def _relative(target: str, page: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page))


def _view_links(slug: str) -> SiteLinks:
    view = page_url(notebook_file(slug))
    return SiteLinks(figure=lambda name: relative_url(figure_file(name), view),
                     lesson=lambda other: relative_url(page_url(lesson_page(other)), view),
                     download=relative_url(notebook_download(slug), view))
