"""A throw-away copy of this repository, for the serve test and the build benchmark."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_COPIED = (".venv", "node_modules", "site", ".git", "__pycache__", ".pytest_cache", "test-artifacts")


def copy_repo(destination: Path) -> Path:
    """Sources, config and warm cache are copied; the installed node_modules is shared by a link."""
    shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(*NOT_COPIED))
    if (ROOT / "node_modules").exists():
        (destination / "node_modules").symlink_to(ROOT / "node_modules")
    return destination
