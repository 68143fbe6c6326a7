"""Execute lessons in a warm worker pool: import the heavy libraries once, fork one child per lesson.

`run_lessons` (in the build) starts `python -m pipeline.runner` in a fresh, single-threaded
process and hands it the jobs on stdin; each forked child writes its `LessonResult` to a file.
MkDocs itself never imports torch or forks.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .execute import (LessonExecutionError, LessonResult, execute_lesson, library_versions,
                      single_threaded_environment)
from .source import LessonSourceError, imports_package, read_lesson

HEAVY_IMPORTS = ("torch", "numpy", "matplotlib.pyplot", "sklearn", "sklearn.datasets")


def run_lessons(lessons: list[tuple[Path, str]], parallel: int) -> dict[str, LessonResult]:
    """Execute (path, shown_as) pairs; a child that dies without a result becomes a failure."""
    with tempfile.TemporaryDirectory(prefix="execucao-") as folder:
        jobs = [{"lesson": str(path), "shown_as": shown, "result": f"{folder}/{path.stem}.json"}
                for path, shown in lessons]
        env = single_threaded_environment()
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent.parent), env.get("PYTHONPATH")]))
        finished = subprocess.run(
            [sys.executable, "-m", "pipeline.runner"], input=json.dumps({"jobs": jobs, "parallel": parallel}),
            capture_output=True, text=True, env=env, check=False,
        )
        return {Path(job["lesson"]).stem: _read_result(job, finished) for job in jobs}


def _read_result(job: dict, finished: subprocess.CompletedProcess) -> LessonResult:
    result_file = Path(job["result"])
    if result_file.exists():
        return LessonResult.from_json(json.loads(result_file.read_text(encoding="utf-8")))
    details = (finished.stderr or "").strip()[-3000:]
    message = f"{job['shown_as']}:1: a execução terminou sem resultado (código {finished.returncode})\n{details}"
    return LessonResult(Path(job["lesson"]).stem, 0.0, {}, failure=message)


def warm_up(jobs: list[dict]) -> None:
    """Import, once for all children, the heavy libraries that some lesson imports anyway."""
    import matplotlib

    matplotlib.use("agg")
    sources = "\n".join(Path(job["lesson"]).read_text(encoding="utf-8", errors="replace") for job in jobs)
    for name in HEAVY_IMPORTS:
        if imports_package(sources, name.split(".")[0]):
            with contextlib.suppress(ImportError):
                __import__(name)
    if "torch" in sys.modules:
        _first_optimizer_step(sys.modules["torch"])


def _first_optimizer_step(torch) -> None:
    """The first optimizer step in a process loads ~2 s of code (torch._dynamo); pay it once here."""
    parameter = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    parameter.sum().backward()
    optimizer.step()


def run_job(job: dict) -> None:
    """In the forked child: execute one lesson and leave its result in a file."""
    path = Path(job["lesson"])
    try:
        result = execute_lesson(read_lesson(path, shown_as=job["shown_as"]), path)
    except (LessonExecutionError, LessonSourceError) as exc:
        result = LessonResult(path.stem, 0.0, library_versions(), failure=str(exc))
    Path(job["result"]).write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")


def run_all(jobs: list[dict], parallel: int) -> None:
    running: set[int] = set()
    for job in jobs:
        if len(running) >= parallel:
            running.discard(os.wait()[0])
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run_job(job)
            except BaseException:  # noqa: BLE001 - report anything, then leave the child
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        running.add(pid)
    while running:
        running.discard(os.wait()[0])


def main() -> None:
    request = json.load(sys.stdin)
    warm_up(request["jobs"])
    run_all(request["jobs"], request["parallel"])


if __name__ == "__main__":
    main()
