"""Shared fixtures: tiny throw-away projects for the pipeline tests, and the real site built once.
Each test is marked with the kind its folder names (tests/kinds.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from curso.hooks.lessons_hook import with_lesson_nav
from tests.helpers import ROOT, TINY_LESSON, lesson_text
from tests.kinds import MisplacedTest, check_fixtures, kind_of


def pytest_collection_modifyitems(items):
    """Each test gets the marker of its folder's kind (`pytest -m unit`)."""
    for item in items:
        try:
            kind = kind_of(item.path)
            check_fixtures(item.nodeid, kind, getattr(item, "fixturenames", ()))
        except MisplacedTest as exc:
            raise pytest.UsageError(str(exc)) from None
        item.add_marker(kind)


@pytest.fixture
def project(tmp_path: Path):
    """A minimal project: lessons_src/ with two small lessons, an empty docs/, a pins file."""
    (tmp_path / "lessons_src").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "requirements.txt").write_text("torch==2.13.0\n")
    (tmp_path / "lessons_src" / "01-primeira.md").write_text(TINY_LESSON, encoding="utf-8")
    (tmp_path / "lessons_src" / "02-segunda.md").write_text(
        lesson_text("```python\nvalue = 40 + 2\nvalue\n```\n", "Segunda"), encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real lessons built into docs/ and the real site built with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                          cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-5000:]
    return site


@pytest.fixture(scope="session")
def lesson_globals():
    """`lesson_globals("01-x.md")`: the lesson executed once per test session, its globals returned."""
    from curso.pipeline.execute import lesson_namespace

    executed: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in executed:
            executed[name] = lesson_namespace(ROOT / "lessons_src" / name)
        return executed[name]

    return get


@pytest.fixture(scope="session")
def config() -> dict:
    """mkdocs.yml read with MkDocs' own YAML loader (it resolves !relative), without plugins, and
    with the "Lições" section of its nav filled in as the lessons hook does."""
    paths = MkDocsConfig(config_file_path=str(ROOT / "mkdocs.yml"))
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as stream:
        loaded = yaml_load(stream, loader=get_yaml_loader(config=paths))
    loaded["nav"] = with_lesson_nav(loaded["nav"], ROOT / "lessons_src")  # as lessons_hook fills it in
    return loaded
