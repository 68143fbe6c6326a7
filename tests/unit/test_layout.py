"""The repository's layout: the build is a package that imports no dev tool, tests sit in folders by
kind with a marker each, and `make test-fast` runs the unit kind alone."""

from __future__ import annotations

import ast
import configparser
import functools
import re
import shutil
import socket
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.helpers import ROOT
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


def test_the_pipeline_imports_nothing_of_mkdocs():
    """The data path stands on its own; where it meets MkDocs' objects is curso/site_files.py and the hooks."""
    pipeline = sorted((ROOT / "scripts" / "curso" / "pipeline").glob("*.py"))
    offending = [f"{path.relative_to(ROOT)}: {name}" for path in pipeline
                 for name in imported_modules(path) if name.split(".")[0] in ("mkdocs", "material", "mkdocs_jupyter")]
    assert offending == []


# The one exception: `mkdocs serve` over a copy of the repository whose pipeline the test edits
# must import the copy's package, not the installed one.
COPY_RUNS_ITS_OWN_PACKAGE = ["tests/site/test_serve.py"]


def test_nothing_edits_the_import_path():
    sources = sorted((ROOT / "scripts").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    edits = [str(path.relative_to(ROOT)) for path in sources
             if re.search(r"sys\.path\.(insert|append)|PYTHONPATH\s*=", path.read_text(encoding="utf-8"))]
    assert edits == COPY_RUNS_ITS_OWN_PACKAGE
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


FAKE_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then shift 2; echo "pip $*"; exit 0; fi
exec {python} "$@"
"""


def setup_output(tmp_path: Path, torch_index: str) -> str:
    """`make`'s setup recipe run with a pip that only says what it would install."""
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON.format(python=sys.executable))
    python.chmod(0o755)
    done = subprocess.run(["make", "--no-print-directory", f"TORCH_CPU_INDEX={torch_index}", ".venv/.installed"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_setup_takes_torch_from_the_cpu_index_when_it_answers(tmp_path):
    index = tmp_path / "indice"
    (index / "torch").mkdir(parents=True)
    (index / "torch" / "index.html").write_text("<a>torch-2.13.0+cpu</a>")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(index))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        output = setup_output(tmp_path, url)
        server.shutdown()
    assert f"pip install --quiet --disable-pip-version-check --extra-index-url {url} -r requirements.txt" in output
    assert output.index("-r requirements.txt") < output.index("pip install --quiet --disable-pip-version-check --no-deps -e .")


def test_setup_falls_back_to_the_plain_pin_when_the_cpu_index_does_not_answer(tmp_path):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        output = setup_output(tmp_path, f"http://127.0.0.1:{silent.getsockname()[1]}")
    assert "O índice só-CPU do PyTorch" in output and "não respondeu" in output
    assert "pip install --quiet --disable-pip-version-check -r requirements.txt" in output
    assert "--extra-index-url" not in output
