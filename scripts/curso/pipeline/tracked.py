"""Notice a lesson that wrote into the repository: compare the tracked files before and after.

Tracked files are what `git ls-files` lists; without git (a downloaded copy), every file except
the generated and installed folders. Size and modification time are compared, so a file rewritten
with the same bytes also counts: a lesson has no business writing there at all.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

NOT_TRACKED = {".git", ".venv", "node_modules", ".cache", "site", "test-artifacts", "__pycache__",
               ".pytest_cache"}


def tracked_files(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path → (size, mtime in ns) of every tracked file that exists."""
    state = {}
    for name in _git_files(root) or _walk(root):
        try:
            stat = (root / name).stat()
        except OSError:
            continue
        state[name] = (stat.st_size, stat.st_mtime_ns)
    return state


def changed_files(root: Path, before: dict[str, tuple[int, int]]) -> list[str]:
    """Tracked files changed or deleted since `before` was taken."""
    after = tracked_files(root)
    return sorted(name for name, state in before.items() if after.get(name) != state)


def _git_files(root: Path) -> list[str]:
    if not (root / ".git").exists():
        return []  # not a checkout (or a copy inside another repository): walk the folder instead
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    return [name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name]


def _walk(root: Path) -> list[str]:
    names = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in NOT_TRACKED and not d.startswith("."))
        relative = Path(folder).relative_to(root)
        names += [(relative / file).as_posix() for file in sorted(files) if not file.startswith(".")]
    return names
