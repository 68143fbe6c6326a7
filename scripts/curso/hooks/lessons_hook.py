"""MkDocs hook: `mkdocs build` and `mkdocs serve` run the lesson pipeline before rendering.

Thin on purpose: the work lives in `pipeline.build`. Only stale lessons execute (content-hash
cache) and only changed files are written, so a no-op rebuild costs about a plain `mkdocs build`,
and the one rebuild that `serve` starts after our own writes finds nothing to do and settles.

The nav's "Lições" section is generated here from the lessons found in lessons_src/, in number
order: adding a lesson is adding one file. Ctrl+C during the lessons stops them and exits with 130.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

from curso.pipeline.build import INTERRUPTED, PAGES_DIR, BuildError, build
from curso.pipeline.discover import find_lessons
from curso.pipeline.source import LessonSourceError

log = logging.getLogger("mkdocs.hooks.lessons")
LESSONS_SECTION = "Lições"


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


def on_pre_build(config) -> None:
    try:
        summary = build(_root(config))
    except BuildError as exc:
        raise PluginError(f"Erro ao gerar as lições:\n{exc}") from None
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        raise SystemExit(130) from None
    executed = ", ".join(summary.executed) or "nenhuma"
    log.info(f"Lições executadas: {executed}; arquivos gerados atualizados: {len(summary.written)}")


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
