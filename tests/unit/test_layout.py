"""The repository's layout: the build is a package that imports no dev tool, tests sit in folders by
kind with a marker each, and `make test-fast` runs the unit kind alone."""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path

import pytest

from curso.pipeline.build import REPORT_PAGE
from tests.helpers import ROOT, hand_written_pages
from tests.kinds import KINDS, MisplacedTest, TESTS_DIR, check_fixtures, kind_of


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def makefile_recipe(target: str) -> list[str]:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_the_build_imports_no_dev_tool():
    build_modules = sorted((ROOT / "scripts" / "curso").rglob("*.py"))
    assert len(build_modules) > 15
    offending = [f"{path.relative_to(ROOT)}: {name}" for path in build_modules
                 for name in imported_modules(path) if name.split(".")[0] in ("devtools", "tests")]
    assert offending == []


def test_nothing_edits_the_import_path():
    sources = sorted((ROOT / "scripts").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    edits = [str(path.relative_to(ROOT)) for path in sources
             if re.search(r"sys\.path\.(insert|append)|PYTHONPATH\s*=", path.read_text(encoding="utf-8"))]
    assert edits == []
    assert "pythonpath" not in (ROOT / "pytest.ini").read_text(encoding="utf-8")


def test_every_test_file_sits_in_a_kind_folder():
    test_files = sorted(TESTS_DIR.rglob("test_*.py"))
    assert {kind_of(path) for path in test_files} == set(KINDS)


def test_a_test_outside_the_kind_folders_is_refused(tmp_path):
    assert kind_of(TESTS_DIR / "browser" / "test_x.py") == "browser"
    for misplaced in (TESTS_DIR / "test_x.py", TESTS_DIR / "outros" / "test_x.py"):
        with pytest.raises(MisplacedTest, match="um teste fica numa das pastas unit, content, site, browser, slow"):
            kind_of(misplaced)


def test_a_unit_test_may_not_execute_the_course():
    check_fixtures("tests/site/test_x.py::test_y", "site", ["built_site", "tmp_path"])
    check_fixtures("tests/unit/test_x.py::test_y", "unit", ["project", "tmp_path"])
    with pytest.raises(MisplacedTest, match="não pode usar built_site"):
        check_fixtures("tests/unit/test_x.py::test_y", "unit", ["built_site", "tmp_path"])


def test_every_kind_is_a_registered_marker():
    ini = configparser.ConfigParser()
    ini.read(ROOT / "pytest.ini", encoding="utf-8")
    markers = [line.split(":")[0].strip() for line in ini["pytest"]["markers"].strip().splitlines()]
    assert markers == list(KINDS)
    assert "--strict-markers" in ini["pytest"]["addopts"]


def test_the_fast_target_runs_only_the_unit_tests():
    assert makefile_recipe("test-fast") == ["$(PY) -m pytest -m unit tests/unit"]
    assert makefile_recipe("test") == ["$(PY) -m pytest"]


def test_setup_installs_the_package_editable_after_the_pins():
    recipe = makefile_recipe("$(VENV)/.installed")
    pins = next(i for i, line in enumerate(recipe) if "-r requirements.txt" in line)
    editable = next(i for i, line in enumerate(recipe) if line.endswith("--no-deps -e ."))
    assert pins < editable


def test_the_hand_written_pages_are_the_same_before_and_after_a_build(tmp_path):
    for name in ("index.md", "glossario.md"):
        (tmp_path / name).write_text("# Página\n", encoding="utf-8")
    before = hand_written_pages(tmp_path)
    (tmp_path / REPORT_PAGE).write_text("# Sobre a execução\n", encoding="utf-8")
    assert hand_written_pages(tmp_path) == before == [tmp_path / "glossario.md", tmp_path / "index.md"]
