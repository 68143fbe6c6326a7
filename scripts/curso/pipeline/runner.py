"""Execute lessons in a warm worker pool: import the heavy libraries once, fork one child per lesson.

An `Executor` starts `python -I` running `pipeline.runner` in a scratch folder and hands it batches
of jobs on stdin, one JSON line each; on its own pipe, the runner reports each lesson as soon as it
ends (one line; the build renders it while the others still execute), then the batch's end. Stdin
stays open: the runner stops (and kills its lessons) as soon as it reads end-of-file, so it never
outlives its executor, even when the build is killed.
`run_lessons` without an executor (`mkdocs build`, python -m curso.build) uses a new one for one batch;
`mkdocs serve` keeps one executor for the whole session (see lessons_hook.py), so the imports and
the warm-up are paid once, not at every edit.

Each forked child is a new session (its own process group), writes what it prints, block by block,
to a log file (never to a pipe of ours, so a process the lesson leaves behind cannot hold the
build), and its `LessonResult` to a result file. Every lesson is a fresh fork of the runner, which
never runs lesson code itself: nothing of one lesson reaches the next, in one batch or the next.
The runner enforces each lesson's time limit, kills the lesson's whole process group when it
ends, and, as a child subreaper, also kills the processes that escaped the group. A lesson that
dies without a result is reported with the block that was running, the signal or exit code, and
the output printed before.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import importlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
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
BATCH_DONE = b"feito\n"
LESSON_ENDED = b"terminou "  # + the lesson's path and a newline
STARTED = "executor das lições iniciado"


@dataclass(frozen=True)
class LessonJob:
    path: Path
    shown_as: str
    timeout: float


@dataclass(frozen=True)
class Batch:
    """Lessons handed to the runner (Executor.submit) and not yet collected."""

    folder: Path  # the jobs' result and log files
    jobs: list[dict]
    logged_before: int  # where the runner's log stood when the batch was sent
    code: int | None  # the runner's exit code if it was already gone when the batch was sent


def run_lessons(lessons: list[LessonJob], parallel: int, executor: Executor | None = None) -> dict[str, LessonResult]:
    """Execute the lessons; a child that dies without a result becomes a failure of its lesson."""
    if executor:
        return executor.run(lessons, parallel)
    with contextlib.closing(Executor()) as once:
        return once.run(lessons, parallel)


class Executor:
    """One runner process, started at the first batch and again only if it has died."""

    def __init__(self, announce: Callable[[str], None] | None = None):
        self.announce = announce  # told each time a runner process starts
        self.process: subprocess.Popen | None = None
        self.folder: tempfile.TemporaryDirectory | None = None
        self.log = None
        self.unanswered = 0  # warm-up requests sent and not yet answered

    def warm_up(self, lessons: list[Path]) -> None:
        """Start the runner now, if it is not running, and let it import what these lessons use;
        without waiting for it (the next batch does)."""
        if self.process is None or self.process.poll() is not None:
            self._start()
            self._send({"warm": [str(path) for path in lessons], "jobs": [], "parallel": 1})

    def run(self, lessons: list[LessonJob], parallel: int) -> dict[str, LessonResult]:
        return self.collect(self.submit(lessons, parallel))

    def submit(self, lessons: list[LessonJob], parallel: int) -> Batch:
        """Hand the runner a batch and return at once: the lessons run while the caller works on."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        folder = Path(tempfile.mkdtemp(prefix="lote-", dir=self.folder.name))
        jobs = [{"lesson": str(job.path), "shown_as": job.shown_as, "timeout": job.timeout,
                 "result": f"{folder}/{job.path.stem}.json", "log": f"{folder}/{job.path.stem}.log"}
                for job in lessons]
        logged_before = self.log.seek(0, os.SEEK_END)
        code = self._send({"warm": [job["lesson"] for job in jobs], "jobs": jobs, "parallel": parallel})
        return Batch(folder, jobs, logged_before, code)

    def collect(self, batch: Batch, ended: Callable[[str, LessonResult], None] = lambda slug, result: None,
                ) -> dict[str, LessonResult]:
        """Wait for the batch to end; each lesson's result (a failure if its child left none).
        `ended` is told each lesson's result as soon as the lesson ends, while the others still run."""
        results = {}
        jobs = {job["lesson"]: job for job in batch.jobs}
        code = batch.code
        try:
            if code is None:
                for lesson in self._answered():
                    results[lesson] = _read_result(jobs[lesson], None, "")
                    ended(Path(lesson).stem, results[lesson])
                code = self._gone() if self.unanswered else None
            details = ""
            if self.log is not None:
                self.log.seek(batch.logged_before)
                details = self.log.read().decode("utf-8", "replace").strip()[-OUTPUT_SHOWN:]
            for lesson in [lesson for lesson in jobs if lesson not in results]:  # the runner died first
                results[lesson] = _read_result(jobs[lesson], code, details)
                ended(Path(lesson).stem, results[lesson])
        except BaseException:  # Ctrl+C: the runner's lessons must not outlive this batch
            self.close()
            raise
        finally:
            shutil.rmtree(batch.folder, ignore_errors=True)
        if code is not None:
            self.close()  # the runner is gone: the next batch starts another
        return {Path(lesson).stem: result for lesson, result in results.items()}

    def _start(self) -> None:
        self.close()
        self.unanswered = 0
        self.folder = tempfile.TemporaryDirectory(prefix="execucao-")
        self.log = open(f"{self.folder.name}/runner.log", "w+b")  # noqa: SIM115 - open while the runner lives
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOTSTRAP], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, cwd=self.folder.name, env=_runner_environment(),
        )
        if self.announce:
            self.announce(f"{STARTED} (processo {self.process.pid})")

    def _send(self, request: dict) -> int | None:
        """None when the runner took the request, else its exit code (it is gone)."""
        try:
            self.process.stdin.write(json.dumps(request).encode() + b"\n")
            self.process.stdin.flush()
            self.unanswered += 1
            return None
        except BrokenPipeError:
            return self._gone()
        except BaseException:  # Ctrl+C: the runner's lessons must not outlive this batch
            self.close()
            raise

    def _answered(self):
        """The lessons (their paths) as they end, until every request is answered or the runner dies."""
        while self.unanswered:
            line = self.process.stdout.readline()
            if line == BATCH_DONE:
                self.unanswered -= 1
            elif line.startswith(LESSON_ENDED):
                yield line[len(LESSON_ENDED):-1].decode()
            else:
                return  # end-of-file: the runner is gone

    def _gone(self) -> int:
        _end(self.process)
        return self.process.returncode

    def close(self) -> None:
        """End-of-file on its stdin: the runner kills its lessons and leaves."""
        if self.process is not None:
            _end(self.process)
        if self.log is not None:
            self.log.close()
            self.log = None
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


def _end(process: subprocess.Popen) -> None:
    with contextlib.suppress(BrokenPipeError):
        process.stdin.close()
    if process.poll() is None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    if process.poll() is None:
        process.kill()
        process.wait()
    process.stdout.close()


def _runner_environment() -> dict:
    env = single_threaded_environment()
    env.pop("PYTHONPATH", None)  # lesson code must not import this repository
    return env


def _read_result(job: dict, code: int | None, details: str) -> LessonResult:
    result_file = Path(job["result"])
    slug = Path(job["lesson"]).stem
    try:
        return LessonResult.from_json(json.loads(result_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        message = f"{job['shown_as']}:1: o executor das lições parou sem resultado ({_exit_description(code)})"
        return LessonResult(slug, 0.0, {}, failure=f"{message}\n{details}".rstrip())


def _exit_description(code: int | None) -> str:
    if code is None:
        return "terminou o lote sem escrevê-lo"
    if code < 0:
        return f"sinal {signal.Signals(-code).name}"
    return f"código {code}"


# --- Inside the runner process ------------------------------------------------------------------


def warm_up(lessons: list[str]) -> None:
    """Import, once for all children, pyplot (every lesson's interpreter is prepared with it) and
    the heavy libraries that some of these lessons import anyway."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot  # noqa: F401
    sources = "\n".join(_source(lesson) for lesson in lessons)
    for name in HEAVY_IMPORTS:
        if imports_package(sources, name.split(".")[0]):
            with contextlib.suppress(ImportError):
                __import__(name)
    if "torch" in sys.modules:
        _first_optimizer_step(sys.modules["torch"])


def _source(lesson: str) -> str:
    """A lesson's text, or nothing if it is gone (it was deleted while a warm-up was on its way)."""
    try:
        return Path(lesson).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


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


def _child(job: dict, replies: int) -> None:
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
    os.close(replies)  # a process the lesson leaves behind must not hold the executor's pipe
    for name in [name for name in sys.modules if name.split(".")[0] in OUR_PACKAGES]:
        del sys.modules[name]  # `import curso` in a lesson fails, as it does in Colab
    with open(job["log"], "a", encoding="utf-8", errors="backslashreplace") as trace:
        faulthandler.enable(file=trace)
        faulthandler.register(signal.SIGUSR1, file=trace)
        run_job(job, trace)


def _parent_gone() -> bool:
    """The executor keeps our stdin open and writes nothing during a batch; end-of-file means it is
    gone (or asks us to stop)."""
    readable, _, _ = select.select([sys.stdin.buffer], [], [], POLL)
    return bool(readable) and not os.read(sys.stdin.fileno(), 1)


def run_all(jobs: list[dict], parallel: int, replies: int) -> bool:
    """Run the batch, telling the executor each lesson as it ends; False when the executor went away
    before it finished."""
    pool = Pool(parallel, child=functools.partial(_child, replies=replies),
                ended=lambda job: os.write(replies, LESSON_ENDED + job["lesson"].encode() + b"\n"))
    pending = list(jobs)
    try:
        while pending or pool.running:
            while pending and len(pool.running) < parallel:
                pool.start(pending.pop(0))
            pool.reap()
            pool.enforce_time_limits()
            if _parent_gone():
                return False
        return True
    finally:
        pool.kill_all()


def _leave_the_import_path() -> None:
    """The lessons' import path has nothing of this repository: the editable install put scripts/
    there (a .pth line, or an import finder in other setuptools modes)."""
    sys.path[:] = [entry for entry in sys.path if not entry or Path(entry).resolve() != SCRIPTS_DIR]
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if not getattr(finder, "__module__", "").startswith("__editable__")]
    importlib.invalidate_caches()


def _requests():
    """The batches the executor sends, one JSON line each, until end-of-file."""
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(sys.stdin.fileno(), 65536)
            if not chunk:
                return
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        yield json.loads(line)


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def main() -> None:
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # what the libraries print goes to the log, never into the replies
    _leave_the_import_path()
    for request in _requests():
        warm_up(request["warm"])  # a no-op for what an earlier request already imported
        if not run_all(request["jobs"], request["parallel"], replies.fileno()):
            break
        replies.write(BATCH_DONE)
    _leave_at_once()


def _leave_at_once() -> None:
    """Exit without the interpreter's teardown of torch and the other imports (about 1 s, which the
    build would wait for): every lesson has ended and every answer was written unbuffered."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
