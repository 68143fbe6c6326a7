"""Benchmark (not a test): how long builds take, measured side by side in one run.

Usage: python -m devtools.bench_build [--rounds N]

In a temporary copy of the repository, each round measures, in this order:
  cold      — `mkdocs build` with no cache and no generated pages (executes every lesson)
  no-op     — `mkdocs build` again, nothing changed
  one-edit  — `mkdocs build` after adding a paragraph to one lesson (re-executes that lesson)
  plain     — `mkdocs build` without the lessons hook, over the pages already generated
and prints the median of each and the ratios to the plain build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools.repo_copy import ROOT, copy_repo

PLAIN_CONFIG = "mkdocs-sem-licoes.yml"


def timed_build(repo: Path, config: str = "mkdocs.yml") -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(repo / "site")],
                   cwd=repo, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def write_plain_config(repo: Path) -> None:
    """Same site, but the lessons hook removed: what MkDocs alone costs on ready pages."""
    lines = (repo / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    hooks = [line for line in lines if "lessons_hook.py" not in line]
    (repo / PLAIN_CONFIG).write_text("\n".join(hooks) + "\n", encoding="utf-8")


def one_round(repo: Path) -> dict[str, float]:
    for generated in (".cache", "site", "docs/licoes", "docs/notebooks"):
        shutil.rmtree(repo / generated, ignore_errors=True)
    (repo / "docs" / "sobre-a-execucao.md").unlink(missing_ok=True)
    times = {"cold": timed_build(repo), "no-op": timed_build(repo)}
    lesson = sorted((repo / "lessons_src").glob("[0-9][0-9]-*.md"))[0]
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"\nParágrafo de medição {time.time_ns()}.\n",
                      encoding="utf-8")
    times["one-edit"] = timed_build(repo)
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
    lessons = len(list((ROOT / "lessons_src").glob("[0-9][0-9]-*.md")))
    print(f"{lessons} lições, {args.rounds} rodadas, {os.cpu_count()} núcleos; mediana em segundos")
    plain = statistics.median(r["plain"] for r in rounds)
    print(f"{'build':<10} {'mediana':>8} {'mín':>7} {'máx':>7} {'÷ plain':>8}")
    for name in ("cold", "no-op", "one-edit", "plain"):
        values = [r[name] for r in rounds]
        median = statistics.median(values)
        print(f"{name:<10} {median:8.2f} {min(values):7.2f} {max(values):7.2f} {median / plain:8.2f}")


if __name__ == "__main__":
    main()
