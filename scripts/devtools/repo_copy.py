"""Throw-away copies of this repository, for the serve test and the build benchmark."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_COPIED = (".venv", "node_modules", "site", ".git", "__pycache__", ".pytest_cache", "test-artifacts")


def copy_repo(destination: Path) -> Path:
    """Sources, config and warm cache are copied; the installed node_modules is shared by a link."""
    shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(*NOT_COPIED))
    _share_node_modules(destination)
    return destination


def _share_node_modules(destination: Path) -> None:
    if (ROOT / "node_modules").exists():
        (destination / "node_modules").symlink_to(ROOT / "node_modules")


def copy_sources(destination: Path) -> Path:
    """What git would commit (tracked files and new ones it does not ignore), nothing cached or
    generated: the state a fresh clone builds from. node_modules is shared by a link."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    _share_node_modules(destination)
    return destination
