"""Pure rendering work kept between builds (KaTeX's HTML per formula), so a no-op build redoes none of it.

One JSON file per kind of work, tagged with a hash of the files the output depends on besides the
input (the renderer's code and version): another tag, and the file counts as empty. Loaded on first
use; written back, atomically, after each build with only the entries that build used, so it never
outgrows the site. An unreadable file is a cache miss, never an error. Without a path, the cache
lives in memory only.

Work known ahead can be started early (`start`): it runs in a forked process while the build goes
on, and `get` collects it (a child that fails or hangs is a miss: the caller does the work itself).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from curso.pipeline.processes import ForkedWork
from curso.pipeline.write import write_atomic

FORKED_WAIT = 300  # seconds: bound on collecting work started early (a whole cold build's contention)


class RenderCache:
    def __init__(self, path: Path | None = None, depends_on: tuple[Path, ...] = ()) -> None:
        self.path = path
        self.depends_on = depends_on
        self._stored: dict[str, object] | None = None
        self._used: dict[str, object] = {}
        self._started: dict[str, ForkedWork] = {}

    def get(self, key: str):
        """The output stored for `key` (a string that holds the whole input), or None."""
        value = self._used.get(key)
        if value is None:
            value = self._load().get(key)
        if value is None and key in self._started:
            value = self._started.pop(key).reply(FORKED_WAIT)
        if value is not None:
            self._used[key] = value
        return value

    def known(self, key: str) -> bool:
        """Whether `get` has the output for `key` without working: stored, or begun (see `start`)."""
        return key in self._used or key in self._load() or key in self._started

    def start(self, key: str, work) -> None:
        """Begin `work()` (JSON-able output) for `key` in a forked process, unless it is known."""
        if not self.known(key):
            self._started[key] = ForkedWork(work)

    def put(self, key: str, value) -> None:
        self._used[key] = value

    def save(self) -> None:
        """Keep what this build used, and start counting the next build's use."""
        if self.path is not None and self._used != self._load():
            data = {"tag": self._tag(), "entries": self._used}
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode())
        self._stored, self._used = self._used, {}
        for work in self._started.values():
            work.reply(0)  # begun for a page this build did not render: stopped
        self._started = {}

    def _tag(self) -> str:
        digest = hashlib.sha256()
        for path in self.depends_on:
            digest.update(path.read_bytes() if path.is_file() else b"-")
            digest.update(b"\0")
        return digest.hexdigest()

    def _load(self) -> dict[str, object]:
        if self._stored is None:
            self._stored = {}
            try:
                data = json.loads(self.path.read_bytes()) if self.path is not None else {}
                if data.get("tag") == self._tag():
                    self._stored = dict(data["entries"])
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                pass
        return self._stored
