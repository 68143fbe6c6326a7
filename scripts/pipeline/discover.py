"""Find the lesson sources: `lessons_src/NN-slug.md`, in the order their prefixes give."""

from __future__ import annotations

import re
from pathlib import Path

from .source import LessonSourceError

LESSON_NAME = re.compile(r"^\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.md$")
NOT_LESSONS = {"README.md"}


def find_lessons(source_dir: Path) -> list[Path]:
    """Every lesson file, sorted; a Markdown file with a bad name is an error, not silently skipped."""
    found = []
    for path in sorted(source_dir.glob("*.md")):
        if path.name in NOT_LESSONS:
            continue
        if not LESSON_NAME.match(path.name):
            raise LessonSourceError(
                f"{source_dir.name}/{path.name}", 1,
                "nome de lição inválido: use dois dígitos, hífen e um nome em minúsculas sem acentos, "
                "como 01-funcoes-de-custo.md",
            )
        found.append(path)
    return found
