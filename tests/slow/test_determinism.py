"""Two clean builds of the real lessons give the same bytes (measured times aside)."""

import json
import re
import shutil

from curso.pipeline.build import build
from curso.pipeline.layout import GENERATED, NOTEBOOKS, PAGES
from curso.pipeline.render import TIMING_END, TIMING_START

from tests.helpers import ROOT, copy_repo, snapshot


def without_measured_times(files: dict[str, bytes]) -> dict[str, bytes]:
    stable = {}
    for name, data in files.items():
        if name.startswith(f"{PAGES}/") and name.endswith(".md"):
            data = re.sub(re.escape(TIMING_START) + ".*?" + re.escape(TIMING_END), "", data.decode(),
                          flags=re.S).encode()
        elif name.startswith(f"{NOTEBOOKS}/"):
            notebook = json.loads(data)
            for cell in notebook["cells"]:
                if "timing" in cell["metadata"].get("tags", []):
                    cell["outputs"] = []
            data = json.dumps(notebook).encode()
        stable[name] = data
    return stable


def generated(repo) -> dict[str, bytes]:
    files = {f"{folder}/{name}": data for folder in (PAGES, NOTEBOOKS)
             for name, data in snapshot(repo / GENERATED / folder).items()}
    return without_measured_times(files)


def test_a_clean_build_reproduces_the_published_pages_figures_and_notebooks(built_site, tmp_path):
    repo = copy_repo(tmp_path / "repo")
    shutil.rmtree(repo / ".cache", ignore_errors=True)
    summary = build(repo)
    assert summary.executed == [p.stem for p in sorted((ROOT / "lessons_src").glob("[0-9][0-9]-*.md"))]
    assert generated(repo) == generated(ROOT)
