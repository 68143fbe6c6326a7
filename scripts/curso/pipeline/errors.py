"""The error a lesson source can contain, shared by source.py and quiz.py."""

from __future__ import annotations


class LessonSourceError(Exception):
    """A problem in a lesson source, reported as `file:line: message` (never a traceback)."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message
