"""Execute lessons in a warm worker pool: import the heavy libraries once, fork one child per lesson.

`run_lessons` (in the build) starts `python -I` running `pipeline.runner` in a scratch folder and
hands it the jobs on stdin, keeping stdin open: the runner stops (and kills its lessons) as soon as
it reads end-of-file, so it never outlives the build, even when the build is killed.

Each forked child is a new session (its own process group), writes what it prints, block by block,
to a log file (never to a pipe of ours, so a process the lesson leaves behind cannot hold the
build), and its `LessonResult` to a result file. The runner enforces each lesson's time limit,
kills the lesson's whole process group when it ends, and, as a child subreaper, also kills the
processes that escaped the group. A lesson that dies without a result is reported with the block
that was running, the signal or exit code, and the output printed before.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .execute import (LessonExecutionError, LessonResult, execute_lesson, library_versions,
                      single_threaded_environment, valid_text)
from .processes import OUTPUT_SHOWN, POLL, PR_SET_CHILD_SUBREAPER, PR_SET_PDEATHSIG, Pool, prctl
from .source import LessonSourceError, imports_package, read_lesson

HEAVY_IMPORTS = ("torch", "numpy", "matplotlib.pyplot", "sklearn", "sklearn.datasets")
SCRIPTS_DIR = Path(__file__).resolve().parents[2]
OUR_PACKAGES = ("curso", "devtools")
BOOTSTRAP = "from curso.pipeline.runner import main; main()"  # importable: `make` installs the package


@dataclass(frozen=True)
class LessonJob:
    path: Path
    shown_as: str
    timeout: float


def run_lessons(lessons: list[LessonJob], parallel: int) -> dict[str, LessonResult]:
    """Execute the lessons; a child that dies without a result becomes a failure of its lesson."""
    with tempfile.TemporaryDirectory(prefix="execucao-") as folder:
        jobs = [{"lesson": str(job.path), "shown_as": job.shown_as, "timeout": job.timeout,
                 "result": f"{folder}/{job.path.stem}.json", "log": f"{folder}/{job.path.stem}.log"}
                for job in lessons]
        with open(f"{folder}/runner.log", "w+b") as runner_log:
            code = _run_runner({"jobs": jobs, "parallel": parallel}, Path(folder), runner_log)
            runner_log.seek(0)
            details = runner_log.read().decode("utf-8", "replace").strip()[-OUTPUT_SHOWN:]
        return {Path(job["lesson"]).stem: _read_result(job, code, details) for job in jobs}


def _runner_environment() -> dict:
    env = single_threaded_environment()
    env.pop("PYTHONPATH", None)  # lesson code must not import this repository
    return env


def _run_runner(request: dict, folder: Path, log) -> int:
    process = subprocess.Popen(
        [sys.executable, "-I", "-c", BOOTSTRAP], stdin=subprocess.PIPE,
        stdout=log, stderr=log, cwd=folder, env=_runner_environment(),
    )
    try:
        process.stdin.write(json.dumps(request).encode() + b"\n")
        process.stdin.flush()
        return process.wait()
    finally:
        process.stdin.close()  # end-of-file: the runner kills its lessons and leaves
        if process.poll() is None:
            process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()
            process.wait()


def _read_result(job: dict, code: int, details: str) -> LessonResult:
    result_file = Path(job["result"])
    slug = Path(job["lesson"]).stem
    try:
        return LessonResult.from_json(json.loads(result_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        message = f"{job['shown_as']}:1: o executor das lições parou sem resultado ({_exit_description(code)})"
        return LessonResult(slug, 0.0, {}, failure=f"{message}\n{details}".rstrip())


def _exit_description(code: int) -> str:
    if code < 0:
        return f"sinal {signal.Signals(-code).name}"
    return f"código {code}"


# --- Inside the runner process ------------------------------------------------------------------


def warm_up(jobs: list[dict]) -> None:
    """Import, once for all children, pyplot (every lesson's interpreter is prepared with it) and
    the heavy libraries that some lesson imports anyway."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot  # noqa: F401
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


def run_job(job: dict, trace) -> None:
    """In the forked child: execute one lesson and leave its result in a file."""
    path = Path(job["lesson"])
    try:
        result = execute_lesson(read_lesson(path, shown_as=job["shown_as"]), path, trace=trace)
    except (LessonExecutionError, LessonSourceError) as exc:
        result = LessonResult(path.stem, 0.0, library_versions(), failure=valid_text(str(exc)))
    Path(job["result"]).write_text(json.dumps(result.to_json(), ensure_ascii=False), encoding="utf-8")


def _child(job: dict) -> None:
    """The forked lesson process: own process group, output to its log file, dies with the runner."""
    os.setsid()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    nothing = os.open(os.devnull, os.O_RDONLY)
    for source, target in ((nothing, 0), (log, 1), (log, 2)):
        os.dup2(source, target)
    os.close(nothing)
    os.close(log)
    for name in [name for name in sys.modules if name.split(".")[0] in OUR_PACKAGES]:
        del sys.modules[name]  # `import curso` in a lesson fails, as it does in Colab
    with open(job["log"], "a", encoding="utf-8", errors="backslashreplace") as trace:
        faulthandler.enable(file=trace)
        faulthandler.register(signal.SIGUSR1, file=trace)
        run_job(job, trace)


def _parent_gone() -> bool:
    """The build keeps our stdin open; end-of-file means it is gone (or asks us to stop)."""
    readable, _, _ = select.select([sys.stdin.buffer], [], [], POLL)
    return bool(readable) and not os.read(sys.stdin.fileno(), 1)


def run_all(jobs: list[dict], parallel: int) -> None:
    pool = Pool(parallel, child=_child)
    pending = list(jobs)
    try:
        while pending or pool.running:
            while pending and len(pool.running) < parallel:
                pool.start(pending.pop(0))
            pool.reap()
            pool.enforce_time_limits()
            if _parent_gone():
                return
    finally:
        pool.kill_all()


def _leave_the_import_path() -> None:
    """The lessons' import path has nothing of this repository: the editable install put scripts/
    there (a .pth line, or an import finder in other setuptools modes)."""
    sys.path[:] = [entry for entry in sys.path if not entry or Path(entry).resolve() != SCRIPTS_DIR]
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if not getattr(finder, "__module__", "").startswith("__editable__")]
    importlib.invalidate_caches()


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def main() -> None:
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    request = json.loads(sys.stdin.buffer.readline())
    _leave_the_import_path()
    warm_up(request["jobs"])
    run_all(request["jobs"], request["parallel"])
