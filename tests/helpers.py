"""What several test files share: the repository's paths, tiny lesson texts and small readers.
Fixtures live in conftest.py; this module is imported by name (`from tests.helpers import ...`)."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

from curso.pipeline import cache, layout
from devtools.repo_copy import copy_repo  # noqa: F401 - re-exported for the tests

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons_src").glob("[0-9][0-9]-*.md"))

HAND_WRITTEN_PAGES = sorted((ROOT / layout.DOCS).glob("*.md"))  # the build writes nothing into docs/
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


def has_math(lesson: Path) -> bool:
    """Whether a lesson source has a formula ($...$) outside its code blocks."""
    prose = re.sub(r"```.*?```", "", lesson.read_text(encoding="utf-8"), flags=re.S)
    return re.search(r"\$[^$\n]+\$", prose) is not None


def one_line(path: Path) -> str:
    """A page's text with every run of whitespace made one space, so a phrase matches wherever the prose wraps."""
    return " ".join(path.read_text(encoding="utf-8").split())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pipeline_copy(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the pipeline's code that the cache key reads instead of the real one, for a test to edit."""
    code = tmp_path / "pipeline"
    shutil.copytree(cache.PIPELINE_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PIPELINE_DIR", code)
    return code
