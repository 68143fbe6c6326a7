"""MkDocs hook: keep the theme's compiled templates between builds.

MkDocs makes a new Jinja environment for every build, so each build (and each rebuild under
`serve`) compiled the theme's ~47 templates again: about 0.3 s, most of it before the first page is
written. Jinja's bytecode cache keeps each compiled template by its name and a checksum of its
source (`.cache/renderizado/jinja/`): a changed template, ours in overrides/ or the theme's after an
upgrade, is compiled again, and the cache is tied to the Python version.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache

from curso.pipeline.layout import RENDERED_TEMPLATES


def on_env(env, config, files):
    folder = Path(config.config_file_path).resolve().parent / RENDERED_TEMPLATES
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env
