"""MkDocs hook: `mkdocs build` and `mkdocs serve` run the lesson pipeline before rendering.

Thin on purpose: the work lives in `pipeline.build`. Only stale lessons execute (content-hash
cache) and only changed files are written, so a no-op rebuild costs about a plain `mkdocs build`,
and the one rebuild that `serve` starts after our own writes finds nothing to do and settles.

Under `serve`, one warm executor lives for the whole session (started at the first lesson to
execute, closed when the server stops): an edit pays only its lesson's execution, not the imports
and the warm-up. MkDocs loads this hook once per process and Python imports a module once, so the
pipeline's code would stay as it was at start; instead, when a file of scripts/curso/pipeline/ changes,
the next build imports the pipeline again and starts a new executor with the new code.

The nav's "Lições" section is generated here from the lessons found in lessons_src/, in number
order: adding a lesson is adding one file. Ctrl+C during the lessons stops them and exits with 130.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

import curso.pipeline
from curso.pipeline.build import INTERRUPTED, PAGES_DIR
from curso.pipeline.discover import find_lessons
from curso.pipeline.source import LessonSourceError

log = logging.getLogger("mkdocs.hooks.lessons")
LESSONS_SECTION = "Lições"
PIPELINE_DIR = Path(curso.pipeline.__file__).parent
PIPELINE = "curso.pipeline"


def _pipeline_code() -> str:
    digest = hashlib.sha256()
    for path in sorted(PIPELINE_DIR.glob("*")):
        if path.suffix in {".py", ".mplstyle"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class _Session:
    """The pipeline as loaded now, and the warm executor of a `serve` session (None under `build`)."""

    def __init__(self):
        self.code = _pipeline_code()
        self.executor = None

    def pipeline(self):
        """`pipeline.build`, imported again (with every pipeline module) if its code changed."""
        code = _pipeline_code()
        if code != self.code:
            for name in [name for name in sys.modules if name.startswith(f"{PIPELINE}.")]:
                del sys.modules[name]
            self.code = code
            if self.executor:
                self.close()
                self.serve()
            log.info("O código de scripts/curso/pipeline/ mudou: o build usa o código novo")
        return importlib.import_module(f"{PIPELINE}.build")

    def serve(self) -> None:
        self.executor = importlib.import_module(f"{PIPELINE}.runner").Executor(announce=log.info)

    def close(self) -> None:
        if self.executor:
            self.executor.close()

    def keep_warm(self, root: Path) -> None:
        """Under `serve`, have the runner started and warmed up while the author reads, so that
        even the first code edit does not wait for it."""
        if self.executor:
            self.executor.warm_up(find_lessons(root / "lessons_src"))


_session = _Session()


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def with_lesson_nav(nav: list, lessons_dir: Path) -> list:
    """`nav` with its "Lições" section listing every lesson of `lessons_dir`, in number order."""
    if not any(isinstance(item, dict) and LESSONS_SECTION in item for item in nav or []):
        raise PluginError(f"o nav do mkdocs.yml precisa de uma seção '{LESSONS_SECTION}: []' (o build a preenche)")
    pages = [f"{PAGES_DIR}/{path.name}" for path in find_lessons(lessons_dir)]
    return [{LESSONS_SECTION: pages} if isinstance(item, dict) and LESSONS_SECTION in item else item
            for item in nav]


def on_config(config):
    try:
        config.nav = with_lesson_nav(config.nav, _root(config) / "lessons_src")
    except LessonSourceError as exc:
        raise PluginError(f"Erro ao gerar as lições:\n{exc}") from None
    return config


def on_startup(command, dirty) -> None:
    if command == "serve":
        _session.serve()


def on_shutdown() -> None:
    _session.close()


def on_pre_build(config) -> None:
    pipeline_build = _session.pipeline()
    try:
        summary = pipeline_build.build(_root(config), executor=_session.executor)
    except pipeline_build.BuildError as exc:
        raise PluginError(f"Erro ao gerar as lições:\n{exc}") from None
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        raise SystemExit(130) from None
    executed = ", ".join(summary.executed) or "nenhuma"
    log.info(f"Lições executadas: {executed}; arquivos gerados atualizados: {len(summary.written)}")
    _session.keep_warm(_root(config))


def on_serve(server, config, builder):
    root = _root(config)
    server.watch(str(root / "lessons_src"))
    server.watch(str(root / "scripts" / "curso" / "pipeline"))
    return server


def on_page_markdown(markdown, page, config, files):
    """The "editar esta página" link of a generated lesson page points at its source in lessons_src/."""
    source = page.file.src_uri
    if source.startswith(f"{PAGES_DIR}/") and page.edit_url:
        docs_base = page.edit_url[: -len(source)]
        page.edit_url = f"{docs_base.removesuffix('docs/')}lessons_src/{source.split('/', 1)[1]}"
    return markdown
