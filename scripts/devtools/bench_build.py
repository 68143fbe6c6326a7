"""Benchmark (not a test): the four build targets, measured side by side in one run (`make bench`).

Usage: python -m devtools.bench_build [--rounds N] [--lesson NN]

In a temporary copy of the repository's sources (nothing cached, nothing generated) it measures
  cold        `mkdocs build` with nothing cached: every lesson executes
  no-op       `mkdocs build` again, nothing changed (median of N, interleaved with plain)
  plain       the same pages built by MkDocs + material alone: our hooks and mkdocs-jupyter off
  prose edit  under `mkdocs serve`: from saving one sentence until the served page has it, and
              how many builds that one edit caused
  code edit   under the same `mkdocs serve` (as a teacher edits, `make serve` open): from saving one
              new line in one lesson's code until the served page shows it; for comparison, also
              a new `mkdocs build` after such an edit (imports and the whole build included)
and prints each against its target, with the ratio (measured ÷ target; ≤ 1 meets it):
  (a) prose edit  ≤ no-op + 0.5 s, in one build
  (b) code edit   ≤ that lesson's execution time + 1.5 s
  (c) no-op       ≤ 1.1 × plain
  (d) cold        ≤ 1.15 × floor, floor = imports once + the lessons' execution times scheduled
                  longest first on the workers + no-op
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from curso.pipeline.cache import ResultCache
from curso.pipeline.discover import find_lessons
from curso.pipeline.layout import DOCS, GENERATED, LESSONS_SRC, PAGES, RESULTS
from devtools.repo_copy import ROOT, copy_sources
from devtools.static_server import SUB_PATH

PLAIN_CONFIG = "mkdocs-simples.yml"
PLAIN_DOCS = "docs-simples"  # hand-written and generated pages together, for the plain build
STARTED = "Detected file changes"  # what `mkdocs serve` logs before each rebuild
BUILT = "Documentation built in"  # and at the end of every build
WAIT = 600  # seconds: bound on any one wait (a cold build on a slow machine)
QUIET = 5  # seconds without a new build: the server has settled
WARM_UP = ("import json, sys; from curso.pipeline.runner import warm_up; "
           "warm_up(json.loads(sys.argv[1]))")


@dataclass(frozen=True)
class Target:
    label: str
    measured: float
    target: float
    goal: str
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.measured / self.target


def workers() -> int:
    """How many lessons a build runs at once (pipeline/build.py: up to 2)."""
    return min(2, os.cpu_count() or 1)


def scheduled(seconds: list[float], count: int) -> float:
    """When the last lesson ends, the longest started first, each on the first free worker."""
    finish = [0.0] * count
    for duration in sorted(seconds, reverse=True):
        heapq.heappush(finish, heapq.heappop(finish) + duration)
    return max(finish)


def plain_config(config: str) -> str:
    """mkdocs.yml without the `hooks:` section and the mkdocs-jupyter plugin: MkDocs + material alone."""
    kept, inside = [], None  # inside: the indentation of the block being dropped
    for line in config.splitlines():
        indent = len(line) - len(line.lstrip())
        if inside is not None and (not line.strip() or indent > inside):
            continue
        inside = None
        if line.startswith("hooks:") or line.strip() == "- mkdocs-jupyter:":
            inside = indent
            continue
        kept.append(line)
    kept = [line for line in kept if line.strip() != "- Lições: []"]  # the lessons hook fills it in
    return "\n".join(kept) + f"\ndocs_dir: {PLAIN_DOCS}\n"


def gather_plain_docs(repo: Path) -> None:
    """The plain build has no hook to hand it the generated pages: one folder holds them all."""
    shutil.rmtree(repo / PLAIN_DOCS, ignore_errors=True)
    shutil.copytree(repo / DOCS, repo / PLAIN_DOCS)
    shutil.copytree(repo / GENERATED, repo / PLAIN_DOCS, dirs_exist_ok=True)


def with_code_edit(source: str, marker: int) -> str:
    """One new line at the top of the lesson's first executed block that is not a doctest."""
    lines = source.splitlines(keepends=True)
    for number, line in enumerate(lines):
        fence = re.match(r"(\s*)```python\b", line)
        if fence and not lines[number + 1].lstrip().startswith(">>>"):
            lines.insert(number + 1, f"{fence[1]}benchmark_marker = {marker}\n")
            return "".join(lines)
    raise ValueError("a lição não tem bloco ```python executado")


def with_prose_edit(source: str, marker: int) -> str:
    return source.rstrip("\n") + f"\n\nFrase de medição {marker}.\n"


def timed_build(repo: Path, config: str = "mkdocs.yml") -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(repo / "site")],
                          cwd=repo, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"o build ({config}) falhou:\n{done.stderr[-3000:]}")
    return seconds


def imports_once(lessons: list[Path]) -> float:
    """What the lesson runner pays once before the first lesson: imports and warm-up."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-I", "-c", WARM_UP, json.dumps([str(path) for path in lessons])],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"as importações das lições falharam:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def execution_times(repo: Path) -> dict[str, float]:
    """Each lesson's own execution time, as the cache recorded it for its most recent result."""
    cache = ResultCache(repo / RESULTS)
    times = {lesson.stem: cache.last_seconds(lesson.stem) for lesson in find_lessons(repo / LESSONS_SRC)}
    return {slug: seconds for slug, seconds in times.items() if seconds is not None}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def page_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_until(condition, server: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"mkdocs serve: {what} não aconteceu em {WAIT} s")
        time.sleep(0.05)


@dataclass(frozen=True)
class Edit:
    seconds: float  # from saving the file until the served page shows the edit
    builds: int  # rebuilds the edit caused

    @property
    def note(self) -> str:
        return f"{self.builds} build{'s' if self.builds != 1 else ''} (meta: 1)"


def edits_under_serve(repo: Path, lesson: Path, log_path: Path) -> tuple[Edit, Edit]:
    """One `mkdocs serve` session: a sentence added to the lesson, then a line added to its code."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{SUB_PATH}{PAGES}/{lesson.stem}/"
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"], cwd=repo,
                                  stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    log_text = lambda: log_path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
    try:
        wait_until(lambda: page_text(url), server, "a primeira página")
        _builds_until_settled(log_text, server)  # the server's own first rebuilds are not the edit's
        return tuple(_edit_and_wait(lesson, edit, url, log_text, server) for edit in (with_prose_edit, with_code_edit))
    finally:
        server.terminate()
        server.wait(timeout=30)


def _edit_and_wait(lesson: Path, edit, url: str, log_text, server: subprocess.Popen) -> Edit:
    before = len(log_text())
    marker = time.time_ns()
    lesson.write_text(edit(lesson.read_text(encoding="utf-8"), marker), encoding="utf-8")
    start = time.perf_counter()
    wait_until(lambda: str(marker) in page_text(url), server, "a página com a edição")
    seconds = time.perf_counter() - start
    return Edit(seconds, _builds_until_settled(lambda: log_text()[before:], server))


def _builds_until_settled(log_since_edit, server: subprocess.Popen) -> int:
    """Rebuilds after the edit, once none is running and none has started for QUIET seconds."""
    deadline = time.monotonic() + WAIT
    last, quiet_since = log_since_edit(), time.monotonic()
    while time.monotonic() - quiet_since < QUIET or last.count(STARTED) > last.count(BUILT):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"mkdocs serve não sossegou em {WAIT} s depois da edição")
        time.sleep(0.2)
        current = log_since_edit()
        if current != last:
            last, quiet_since = current, time.monotonic()
    return last.count(STARTED)


def measure(rounds: int, lesson_number: str) -> tuple[list[Target], dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        repo = copy_sources(Path(folder) / "repo")
        lessons = sorted((repo / LESSONS_SRC).glob("[0-9][0-9]-*.md"))
        lesson = next(path for path in lessons if path.name.startswith(f"{lesson_number}-"))
        (repo / PLAIN_CONFIG).write_text(plain_config((repo / "mkdocs.yml").read_text(encoding="utf-8")),
                                         encoding="utf-8")
        cold = timed_build(repo)
        gather_plain_docs(repo)
        executed = execution_times(repo)
        imports = imports_once(lessons)
        pairs = [(timed_build(repo), timed_build(repo, PLAIN_CONFIG)) for _ in range(rounds)]
        no_op = statistics.median(pair[0] for pair in pairs)
        plain = statistics.median(pair[1] for pair in pairs)
        lesson.write_text(with_code_edit(lesson.read_text(encoding="utf-8"), time.time_ns()), encoding="utf-8")
        code_edit_built = timed_build(repo)
        prose_edit, code_edit = edits_under_serve(repo, lesson, Path(folder) / "serve.log")
        lesson_seconds = execution_times(repo)[lesson.stem]
    schedule = scheduled(list(executed.values()), workers())
    floor = imports + schedule + no_op
    targets = [
        Target("(a) prosa editada sob serve", prose_edit.seconds, no_op + 0.5, "≤ no-op + 0,5 s", prose_edit.note),
        Target(f"(b) código da lição {lesson.stem[:2]} editado sob serve", code_edit.seconds, lesson_seconds + 1.5,
               "≤ execução da lição + 1,5 s", f"a lição executa em {lesson_seconds:.2f} s; {code_edit.note}; "
               f"com um `mkdocs build` novo (importações e build inteiro): {code_edit_built:.2f} s"),
        Target("(c) build sem mudanças (no-op)", no_op, 1.1 * plain, "≤ 1,1 × simples",
               f"simples (MkDocs + material): {plain:.2f} s; no-op ÷ simples = {no_op / plain:.2f}"),
        Target("(d) build a frio", cold, 1.15 * floor, "≤ 1,15 × piso",
               f"piso {floor:.2f} s = importações {imports:.2f} + lições em {workers()} processos {schedule:.2f}"
               f" + no-op {no_op:.2f}; frio ÷ piso = {cold / floor:.2f}"),
    ]
    return targets, executed


def report(targets: list[Target], executed: dict[str, float], rounds: int) -> str:
    lines = [f"{len(executed)} lições, {os.cpu_count()} núcleos, {workers()} processos de lições; "
             f"segundos; no-op e simples: mediana de {rounds}, intercalados",
             f"{'medida':<42} {'medido':>7} {'alvo':>7} {'razão':>6}  meta",
             ]
    for target in targets:
        lines.append(f"{target.label:<42} {target.measured:7.2f} {target.target:7.2f} {target.ratio:6.2f}  "
                     f"{target.goal}; {target.note}")
    lines.append("execução de cada lição: " + ", ".join(f"{slug[:2]} {seconds:.1f}"
                                                       for slug, seconds in sorted(executed.items())))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="builds no-op e simples, intercalados (padrão: 3)")
    parser.add_argument("--lesson", default="01", help="número da lição editada (padrão: 01)")
    args = parser.parse_args()
    targets, executed = measure(args.rounds, args.lesson)
    print(report(targets, executed, args.rounds))


if __name__ == "__main__":
    main()
