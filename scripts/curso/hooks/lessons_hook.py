"""MkDocs hook: `mkdocs build` and `mkdocs serve` run the lesson pipeline before rendering.

Thin on purpose: the work lives in `pipeline.build`, and the generated files' place in MkDocs'
list of files in `curso.site_files`; this hook forwards MkDocs' events to them. Only stale
lessons execute (content-hash cache), so a no-op rebuild costs about a plain `mkdocs build`. Stale
lessons do not hold the build: `on_pre_build` hands them to the executor and MkDocs reads every
other page while they run (under `serve`, when the edited lessons have pages from the last build,
MkDocs also writes every other page meanwhile, and only their pages wait). The generated pages,
figures and notebooks are written into a build folder under .cache/ (pipeline/layout.py) and
handed to MkDocs in `on_files`: nothing is written into docs/, so `serve` never rebuilds for our
own writes.

Under `serve`, one warm executor lives for the whole session (started at the first lesson to
execute, closed when the server stops): an edit pays only its lesson's execution, not the imports
and the warm-up. MkDocs loads this hook once per process and Python imports a module once, so the
pipeline's code would stay as it was at start; instead, when a file of scripts/curso/pipeline/ changes,
the next build imports the pipeline again and starts a new executor with the new code.

The nav's "Lições" section is generated here from the lessons found in lessons_src/, in number
order: adding a lesson is adding one file. Ctrl+C during the lessons stops them and exits with 130.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from curso import notebook_view
from curso.pipeline.cache import pipeline_digest
from curso.pipeline.layout import LESSONS_SRC, REPORT_PAGE, lesson_edit_url, lesson_page, lesson_slug

log = logging.getLogger("mkdocs.hooks.lessons")
LESSONS_SECTION = "Lições"
LESSONS_POLL = 0.1  # seconds between looks at lessons_src/ under `serve`
PIPELINE = "curso.pipeline"
SITE_FILES = "curso.site_files"  # imported again with the pipeline: it uses the pipeline's classes


def current(module: str):
    """A pipeline module as loaded now: after a reload, names imported at start would be the old code."""
    return importlib.import_module(f"{PIPELINE}.{module}")


def site_files():
    """curso.site_files as loaded now (see `current`)."""
    return importlib.import_module(SITE_FILES)


class _Session:
    """The pipeline as loaded now, and the warm executor of a `serve` session (None under `build`)."""

    def __init__(self):
        self.code = pipeline_digest()
        self.executor = None
        self.started = None  # the build under way, while its lessons execute (pipeline.build.StartedBuild)
        self.files = None  # its generated files in MkDocs' list (curso.site_files.LessonFiles)

    def pipeline(self):
        """`pipeline.build`, imported again (with every pipeline module) if its code changed."""
        code = pipeline_digest()
        if code != self.code:
            for name in [name for name in sys.modules if name.startswith(f"{PIPELINE}.") or name == SITE_FILES]:
                del sys.modules[name]
            self.code = code
            if self.executor:
                self.close()
                self.serve()
            log.info("O código de scripts/curso/pipeline/ mudou: o build usa o código novo")
        return current("build")

    def serve(self) -> None:
        self.executor = current("runner").Executor(announce=log.info)

    def close(self) -> None:
        if self.executor:
            self.executor.close()

    def keep_warm(self, root: Path) -> None:
        """Under `serve`, have the runner started and warmed up while the author reads, so that
        even the first code edit does not wait for it."""
        if self.executor:
            self.executor.warm_up(current("discover").find_lessons(root / LESSONS_SRC))


_session = _Session()


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def with_lesson_nav(nav: list, lessons_dir: Path) -> list:
    """`nav` with its "Lições" section listing every lesson of `lessons_dir`, in number order."""
    if not any(isinstance(item, dict) and LESSONS_SECTION in item for item in nav or []):
        raise PluginError(f"o nav do mkdocs.yml precisa de uma seção '{LESSONS_SECTION}: []' (o build a preenche)")
    pages = [lesson_page(path.stem) for path in current("discover").find_lessons(lessons_dir)]
    return [{LESSONS_SECTION: pages} if isinstance(item, dict) and LESSONS_SECTION in item else item
            for item in nav]


def on_config(config):
    try:
        config.nav = with_lesson_nav(config.nav, _root(config) / LESSONS_SRC)
    except current("source").LessonSourceError as exc:
        raise PluginError(f"Erro ao gerar as lições:\n{exc}") from None
    return config


def on_startup(command, dirty) -> None:
    if command == "serve":
        _session.serve()


def on_shutdown() -> None:
    _session.close()


def on_pre_build(config) -> None:
    """Start the build: the stale lessons execute while MkDocs reads the other pages."""
    pipeline_build = _session.pipeline()
    with _reported(pipeline_build):
        _session.started = pipeline_build.StartedBuild(_root(config), executor=_session.executor,
                                                       rendered=notebook_view.prefetch)
    started = _session.started
    early = _session.executor is not None and bool(started.executing) and started.stale_pages_usable()
    if not started.executing:
        _finish(config)
    _session.files = site_files().LessonFiles(_root(config), config, _session.started, lambda: _finish(config),
                                              early=early)


def _finish(config) -> None:
    started, _session.started = _session.started, None
    if started is None:
        return
    with _reported(_session.pipeline()):
        summary = started.finish()
    executed = ", ".join(summary.executed) or "nenhuma"
    log.info(f"Lições executadas: {executed}; arquivos gerados atualizados: {len(summary.written)}")
    _session.keep_warm(_root(config))


@contextlib.contextmanager
def _reported(pipeline_build):
    """A lesson's error as MkDocs' one-paragraph error; Ctrl+C as one line and exit code 130."""
    try:
        yield
    except pipeline_build.BuildError as exc:
        raise PluginError(f"Erro ao gerar as lições:\n{exc}") from None
    except KeyboardInterrupt:
        print(pipeline_build.INTERRUPTED, file=sys.stderr)
        raise SystemExit(130) from None


def on_build_error(error) -> None:
    """Another part of the build failed while lessons were executing: they end (and are cached)."""
    started, _session.started = _session.started, None
    if started is not None:
        started.abandon()


def on_serve(server, config, builder):
    root = _root(config)
    with _polling_every(server, LESSONS_POLL):
        server.watch(str(root / LESSONS_SRC))
    server.watch(str(root / "scripts" / "curso" / "pipeline"))
    return server


@contextlib.contextmanager
def _polling_every(server, seconds: float):
    """Paths watched inside this block are looked at every `seconds`. MkDocs' watcher polls every
    0.5 s, so a saved lesson waited 0.25 s on average before its build began; the lessons folder
    holds a few files, cheap to look at more often. watchdog (pinned) reads the interval from its
    observer when a path is scheduled; without that attribute the default stays."""
    observer = server.observer
    default = getattr(observer, "_timeout", None)
    if default is not None:
        observer._timeout = seconds
    try:
        yield
    finally:
        if default is not None:
            observer._timeout = default


@event_priority(100)  # before notebook_hook's on_files, which turns the notebooks into pages
def on_files(files, config):
    with _reported(_session.pipeline()):
        _session.files.add(files)
    return files


def on_nav(nav, config, files):
    _session.files.read_last(files)
    return nav


def on_pre_page(page, config, files):
    _session.files.before_page(page.file.src_uri, files)
    return page


@event_priority(100)  # first: the other hooks' on_env see the finished build's files
def on_env(env, config, files):
    _session.files.done(files)
    return env


@event_priority(100)  # first: the search plugin and math_hook read the page's final content
def on_page_context(context, page, config, nav):
    with _reported(current("build")):
        _session.files.before_context(page)
    return context


def on_page_markdown(markdown, page, config, files):
    """The "Editar esta página" link of a lesson page or notebook points at its source in lessons_src/;
    the report has no source to edit (the build writes it), so it has no such link."""
    if page.file.src_uri == REPORT_PAGE:
        page.edit_url = None
    elif page.edit_url and lesson_slug(page.file.src_uri) and page.edit_url.endswith(page.file.src_uri):
        page.edit_url = lesson_edit_url(page.edit_url, page.file.src_uri)  # once: a page may be read again
    return markdown
