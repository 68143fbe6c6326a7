"""Shared fixtures: tiny throw-away projects for the pipeline tests, and the real site built once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.utils.yaml import get_yaml_loader, yaml_load
from lessons_hook import with_lesson_nav
from pipeline import layout
from repo_copy import copy_repo  # noqa: F401 - re-exported for the tests

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons_src").glob("[0-9][0-9]-*.md"))
GENERATED = ROOT / layout.GENERATED  # what the build generates (pages, figures, notebooks, report)

TINY_LESSON = """\
---
title: Lição mínima
description: Uma lição pequena para os testes do pipeline.
---

Texto com $x^2$.

```python
numbers = [1, 2, 3]
print("soma:", sum(numbers))
```

```python alt="Uma reta subindo" caption="Uma reta"
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.plot(numbers, numbers)
ax.set_title("Reta")
```
"""


def lesson_text(body: str, title: str = "Lição de teste") -> str:
    header = f"---\ntitle: {title}\ndescription: Descrição de teste.\n---\n\n"
    return header + textwrap.dedent(body)


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


def has_math(lesson: Path) -> bool:
    """Whether a lesson source has a formula ($...$) outside its code blocks."""
    prose = re.sub(r"```.*?```", "", lesson.read_text(encoding="utf-8"), flags=re.S)
    return re.search(r"\$[^$\n]+\$", prose) is not None


def one_line(path: Path) -> str:
    """A page's text with every run of whitespace made one space, so a phrase matches wherever the prose wraps."""
    return " ".join(path.read_text(encoding="utf-8").split())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


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
    from pipeline.execute import lesson_namespace

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
