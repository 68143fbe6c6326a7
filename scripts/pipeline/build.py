"""The whole data path: find lessons → execute what is stale (cached) → render → write.

Nothing is written until every lesson has executed: a failure leaves the published pages as they were.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .cache import ResultCache, build_fingerprint, lesson_key
from .discover import find_lessons
from .execute import display_path
from .notebook import build_notebook
from .render import render_lesson
from .report import LessonRun, render_report
from .runner import run_lessons
from .source import LessonSourceError, read_lesson
from .write import sync_generated

PAGES_DIR = "licoes"
FIGURES_DIR = "licoes/figuras"
NOTEBOOKS_DIR = "notebooks"
REPORT_PAGE = "sobre-a-execucao.md"


class BuildError(Exception):
    """One or more lessons could not be built; the message lists every problem (file:line first)."""


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def lessons_dir(self) -> Path:
        return self.root / "lessons_src"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache" / "lessons"

    @property
    def pins_file(self) -> Path:
        return self.root / "requirements.txt"


@dataclass(frozen=True)
class BuildSummary:
    runs: list[LessonRun]
    written: list[str]

    @property
    def executed(self) -> list[str]:
        return [run.lesson.slug for run in self.runs if not run.from_cache]


def build(root: Path, parallel: int | None = None) -> BuildSummary:
    project = Project(Path(root).resolve())
    lessons = _read_lessons(project)
    runs = _execute_stale(project, lessons, parallel or min(2, os.cpu_count() or 1))
    files = _render(runs)
    written = sync_generated(project.docs_dir, files, owned_dirs=[PAGES_DIR, NOTEBOOKS_DIR])
    return BuildSummary(runs, written)


def _read_lessons(project: Project) -> list[tuple]:
    try:
        paths = find_lessons(project.lessons_dir)
        return [(read_lesson(path, shown_as=display_path(path)), path) for path in paths]
    except LessonSourceError as exc:
        raise BuildError(str(exc)) from None


def _execute_stale(project: Project, lessons: list[tuple], parallel: int) -> list[LessonRun]:
    cache = ResultCache(project.cache_dir)
    fingerprint = build_fingerprint(project.pins_file)
    keys = {lesson.slug: lesson_key(lesson.source, fingerprint) for lesson, _ in lessons}
    cached = {lesson.slug: cache.load(lesson.slug, keys[lesson.slug]) for lesson, _ in lessons}
    stale = [(path, lesson.path) for lesson, path in lessons if cached[lesson.slug] is None]
    fresh = run_lessons(stale, parallel) if stale else {}
    failures = [result.failure for result in fresh.values() if result.failure]
    if failures:
        raise BuildError("\n\n".join(failures))
    for slug, result in fresh.items():
        cache.store(result, keys[slug])
    return [LessonRun(lesson, cached[lesson.slug] or fresh[lesson.slug], lesson.slug not in fresh)
            for lesson, _ in lessons]


def _render(runs: list[LessonRun]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for number, run in enumerate(runs, start=1):
        slug = run.lesson.slug
        rendered = render_lesson(run.lesson, run.result, notebook_href=f"../{NOTEBOOKS_DIR}/{slug}.ipynb",
                                 figure_dir="figuras", position=(number, len(runs)))
        files[f"{PAGES_DIR}/{slug}.md"] = rendered.page.encode()
        for name, svg in rendered.figures.items():
            files[f"{FIGURES_DIR}/{name}"] = svg.encode()
        files[f"{NOTEBOOKS_DIR}/{slug}.ipynb"] = build_notebook(run.lesson, run.result).encode()
    files[REPORT_PAGE] = render_report(runs).encode()
    return files
