"""Benchmark (not a test): how long builds take, measured side by side in one run.

Usage: python scripts/bench_build.py [--rounds N]

In a temporary copy of the repository, each round measures, in this order:
  cold      — `mkdocs build` with no cache and no generated pages (executes every lesson)
  no-op     — `mkdocs build` again, nothing changed
  one-edit  — `mkdocs build` after adding a paragraph to one lesson (re-executes that lesson)
  plain     — `mkdocs build` of the same pages (hand-written + generated, copied into one folder)
              with our hooks and mkdocs-jupyter switched off: what MkDocs and the theme alone cost
and prints the median of each and the ratios to the plain build.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.layout import CACHE, DOCS, GENERATED, LESSONS_SRC
from repo_copy import ROOT, copy_repo

PLAIN_CONFIG = "mkdocs-sem-licoes.yml"
PLAIN_DOCS = "docs-sem-licoes"


def timed_build(repo: Path, config: str = "mkdocs.yml") -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(repo / "site")],
                   cwd=repo, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def write_plain_config(repo: Path) -> None:
    """Same pages, but no hooks and no mkdocs-jupyter: what MkDocs and the theme alone cost."""
    text = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"\nhooks:\n(?:  - .*\n)+", "\n", text)
    text = re.sub(r"  - mkdocs-jupyter:\n(?:      .*\n)+", "", text)
    text = text.replace("  - Lições: []\n", "")  # the lessons hook fills it in
    (repo / PLAIN_CONFIG).write_text(f"{text}\ndocs_dir: {PLAIN_DOCS}\n", encoding="utf-8")


def gather_plain_docs(repo: Path) -> None:
    """The hand-written pages and the generated ones in one folder, as the plain build needs them."""
    shutil.rmtree(repo / PLAIN_DOCS, ignore_errors=True)
    shutil.copytree(repo / DOCS, repo / PLAIN_DOCS)
    shutil.copytree(repo / GENERATED, repo / PLAIN_DOCS, dirs_exist_ok=True)


def one_round(repo: Path) -> dict[str, float]:
    for generated in (CACHE, "site"):
        shutil.rmtree(repo / generated, ignore_errors=True)
    times = {"cold": timed_build(repo), "no-op": timed_build(repo)}
    lesson = sorted((repo / LESSONS_SRC).glob("[0-9][0-9]-*.md"))[0]
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"\nParágrafo de medição {time.time_ns()}.\n",
                      encoding="utf-8")
    times["one-edit"] = timed_build(repo)
    gather_plain_docs(repo)
    times["plain"] = timed_build(repo, PLAIN_CONFIG)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        repo = copy_repo(Path(folder) / "repo")
        write_plain_config(repo)
        rounds = [one_round(repo) for _ in range(args.rounds)]
    lessons = len(list((ROOT / LESSONS_SRC).glob("[0-9][0-9]-*.md")))
    print(f"{lessons} lições, {args.rounds} rodadas, {os.cpu_count()} núcleos; mediana em segundos")
    plain = statistics.median(r["plain"] for r in rounds)
    print(f"{'build':<10} {'mediana':>8} {'mín':>7} {'máx':>7} {'÷ plain':>8}")
    for name in ("cold", "no-op", "one-edit", "plain"):
        values = [r[name] for r in rounds]
        median = statistics.median(values)
        print(f"{name:<10} {median:8.2f} {min(values):7.2f} {max(values):7.2f} {median / plain:8.2f}")


if __name__ == "__main__":
    main()
