"""Write generated files atomically, touching only those whose bytes changed.

Writing only what changed is what lets `mkdocs serve` settle: its watcher sees no event for a
page whose content is the same.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def sync_generated(root: Path, files: dict[str, bytes], owned_dirs: list[str]) -> list[str]:
    """Write `files` (paths relative to root) and delete stale files left in the owned folders.

    Returns the relative paths that were written or removed.
    """
    changed = [name for name, data in sorted(files.items()) if write_if_changed(root / name, data)]
    for folder in owned_dirs:
        for path in sorted((root / folder).rglob("*")) if (root / folder).exists() else []:
            name = path.relative_to(root).as_posix()
            if path.is_file() and name not in files:
                path.unlink()
                changed.append(name)
    return changed
