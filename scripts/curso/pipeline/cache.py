"""Execution results cached by content hash: lesson source + build code + pinned dependencies.

Never by modification time: a fresh clone resets every mtime. The result is stored first and the
key last, so an interrupted run leaves a miss, never a wrong hit; an entry that cannot be read
(a truncated file, a disk error) is a miss too, with a one-line warning.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from .execute import LessonResult
from .write import write_atomic

PIPELINE_DIR = Path(__file__).parent
FORMAT_VERSION = "1"


def build_fingerprint(pins_file: Path) -> str:
    """What every lesson's result depends on besides its own source."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION} python{sys.version_info[:2]}".encode())
    for path in sorted(PIPELINE_DIR.glob("*")):
        if path.suffix in {".py", ".mplstyle"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if pins_file.exists():
        digest.update(pins_file.read_bytes())
    return digest.hexdigest()


def lesson_key(source: str, fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode() + b"\0" + source.encode()).hexdigest()


class ResultCache:
    def __init__(self, directory: Path):
        self.directory = directory

    def _paths(self, slug: str) -> tuple[Path, Path]:
        folder = self.directory / slug
        return folder / "result.json", folder / "key"

    def load(self, slug: str, key: str) -> LessonResult | None:
        """The stored result, or None (a miss) when absent, stale, or unreadable."""
        result_file, key_file = self._paths(slug)
        try:
            if not key_file.exists() or key_file.read_text() != key or not result_file.exists():
                return None
            return LessonResult.from_json(json.loads(result_file.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            print(f"aviso: cache de {slug} ilegível ({type(exc).__name__}); a lição será executada de novo",
                  file=sys.stderr)
            return None

    def store(self, result: LessonResult, key: str) -> None:
        result_file, key_file = self._paths(result.slug)
        key_file.unlink(missing_ok=True)
        write_atomic(result_file, json.dumps(result.to_json(), ensure_ascii=False).encode())
        write_atomic(key_file, key.encode())
