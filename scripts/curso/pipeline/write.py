"""Write generated files all-or-nothing, touching only those whose bytes changed.

Writing only what changed is what lets `mkdocs serve` settle: its watcher sees no event for a
page whose content is the same. All or nothing: every new file is first staged next to its
target (where a full disk or a read-only folder shows up), and only then are the staged files
renamed over their targets; a rename that still fails puts the previous files back.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    temporary = _stage(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _stage(path: Path, data: bytes) -> Path:
    """`data` in a temporary file beside `path` (same folder, so the rename is atomic)."""
    with _naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with _naming(path), os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """An OSError names the file we meant to write, not a temporary one."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def unchanged(path: Path, data: bytes) -> bool:
    return path.is_file() and path.read_bytes() == data


def sync_generated(root: Path, files: dict[str, bytes], owned_dirs: list[str]) -> list[str]:
    """Write `files` (paths relative to root) and delete stale files left in the owned folders.

    Returns the relative paths that were written or removed. On any error nothing has changed.
    """
    changed = {name: data for name, data in sorted(files.items()) if not unchanged(root / name, data)}
    stale = [name for name in owned_files(root, owned_dirs) if name not in files]
    staged: dict[str, Path] = {}
    try:
        for name, data in changed.items():
            staged[name] = _stage(root / name, data)
        _swap(root, staged, stale)
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
    return sorted([*changed, *stale])


def owned_files(root: Path, owned_dirs: list[str]) -> list[str]:
    names = []
    for folder in owned_dirs:
        for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                names.append(path.relative_to(root).as_posix())
    return names


def _swap(root: Path, staged: dict[str, Path], stale: list[str]) -> None:
    """Rename the staged files over their targets and drop the stale ones; undo it all on failure."""
    with tempfile.TemporaryDirectory(dir=root, prefix=".anterior-") as backup_dir:
        backups: list[tuple[Path, Path | None]] = []  # (target, its previous version or None)
        try:
            for number, (name, temporary) in enumerate([*staged.items(), *((name, None) for name in stale)]):
                target, backup = root / name, Path(backup_dir) / str(number)
                with _naming(target):
                    existed = target.exists()
                    if existed:
                        os.link(target, backup)
                    backups.append((target, backup if existed else None))
                    if temporary is None:
                        target.unlink()
                    else:
                        os.replace(temporary, target)
        except BaseException:
            _restore(backups)
            raise


def _restore(backups: list[tuple[Path, Path | None]]) -> None:
    for target, backup in reversed(backups):
        with contextlib.suppress(OSError):
            if backup is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(backup, target)


@contextlib.contextmanager
def exclusive(lock_file: Path, waiting_message: str) -> Iterator[None]:
    """One build at a time per checkout: a second one says so and waits for the first."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(waiting_message, file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
