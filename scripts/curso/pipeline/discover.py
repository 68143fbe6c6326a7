"""Find the lesson sources: `lessons_src/NN-slug.md`, in the order their prefixes give."""

from __future__ import annotations

import re
from pathlib import Path

from .source import LessonSourceError

LESSON_NAME = re.compile(r"^\d{2}-[a-z0-9]+(-[a-z0-9]+)*\.md$")
NOT_LESSONS = {"README.md"}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn"}
NAME_RULE = ("use dois dígitos, hífen e um nome em minúsculas sem acentos, terminado em .md, "
             "como 01-funcoes-de-custo.md")


def find_lessons(source_dir: Path) -> list[Path]:
    """Every lesson file, sorted; a Markdown file with a bad name is an error, not silently skipped."""
    found = []
    for path in sorted(source_dir.iterdir()):
        if path.name in NOT_LESSONS or path.suffix.lower() not in MARKDOWN_SUFFIXES:
            continue
        if not LESSON_NAME.match(path.name):
            raise LessonSourceError(f"{source_dir.name}/{path.name}", 1, f"nome de lição inválido: {NAME_RULE}")
        found.append(path)
    _check_unique_numbers(found, source_dir.name)
    return found


def _check_unique_numbers(paths: list[Path], folder: str) -> None:
    """Two lessons with one number have no order between them; the reader's menu would be a guess."""
    seen: dict[str, Path] = {}
    for path in paths:
        number = path.name[:2]
        if number in seen:
            raise LessonSourceError(f"{folder}/{path.name}", 1, f"o número {number} já é de "
                                    f"{folder}/{seen[number].name}: cada lição tem um número só seu")
        seen[number] = path
