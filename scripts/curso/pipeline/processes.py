"""The forked lesson processes: each in its own process group, with a time limit, killed with
everything it started when it ends, and reported from its log when it dies without a result."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import select
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import execute  # which imports this module: names are read at call time

DUMP_MARK = "\0rastro\n"
TRACE_WAIT = 0.5  # seconds for faulthandler to write where a timed-out lesson was
OUTPUT_SHOWN = 3000  # characters of a dead lesson's last output in the message
POLL = 0.05
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def prctl(option: int, value: int) -> None:
    """Linux only; elsewhere the end-of-file watch on stdin still stops the runner."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


@dataclass
class Running:
    job: dict
    started: float
    timed_out: bool = False


@dataclass
class Pool:
    """The forked lessons: start, reap, time out, and kill everything that is left."""

    parallel: int
    child: Callable[[dict], None]  # runs one lesson in the forked process
    ended: Callable[[dict], object] = lambda job: None  # told each job once its result file is written
    running: dict[int, Running] = field(default_factory=dict)

    def start(self, job: dict) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                self.child(job)
            except BaseException:  # noqa: BLE001 - report anything, then leave the child
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        self.running[pid] = Running(job, time.monotonic())

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.running:
                self._finish(pid, os.waitstatus_to_exitcode(status))

    def _finish(self, pid: int, code: int) -> None:
        done = self.running.pop(pid)
        _kill_group(pid)
        self.kill_orphans()
        if not Path(done.job["result"]).exists() or done.timed_out:
            _write_failure(done, code)
        self.ended(done.job)

    def enforce_time_limits(self) -> None:
        now = time.monotonic()
        for pid, lesson in self.running.items():
            if not lesson.timed_out and now - lesson.started > lesson.job["timeout"]:
                lesson.timed_out = True
                _ask_where(pid, lesson.job)
                _kill_group(pid)

    def kill_orphans(self) -> None:
        """Processes a lesson detached (they come back to us, the subreaper, when their parent dies)."""
        for _ in range(100):
            orphans = [pid for pid in _children_of(os.getpid()) if pid not in self.running]
            if not orphans:
                return
            for pid in orphans:
                _kill_group(pid)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(POLL)
            self.reap()

    def kill_all(self) -> None:
        for pid in self.running:
            _kill_group(pid)
        for pid in self.running:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.running.clear()
        self.kill_orphans()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _children_of(parent: int) -> list[int]:
    children = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent and fields[0] != "Z":
                children.append(int(status.parent.name))
    return children


def _ask_where(pid: int, job: dict) -> None:
    """Let faulthandler write the running lesson's stack into its log before it is killed."""
    with open(job["log"], "a", encoding="utf-8") as log:
        log.write(DUMP_MARK)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + TRACE_WAIT
    while time.monotonic() < deadline and not _stack_written(Path(job["log"])):
        time.sleep(POLL)


def run_forked(work: Callable[[], dict]) -> tuple[dict, str]:
    """`work()` in a forked child (a copy-on-write copy of this process), which sends back its JSON-able
    reply through a pipe and ends. Returns the reply ({} if the child died without one) and how it ended."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        with open(writer, "wb") as pipe:
            pipe.write(json.dumps(work()).encode())
        os._exit(0)
    os.close(writer)
    with open(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(child, 0)
    return (json.loads(data) if data else {}), _ended(status)


class ForkedWork:
    """`work()` started now in a forked child (a copy-on-write copy of this process), while the caller
    goes on; `reply` collects its JSON-able answer. A child that dies, or does not answer in time, is
    killed and answers None: the caller then does the work itself."""

    def __init__(self, work: Callable[[], object]):
        self.reader, writer = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                _close_inherited(keep=writer)
                with open(writer, "wb") as pipe:
                    pipe.write(json.dumps(work()).encode())
                code = 0
            finally:
                os._exit(code)
        os.close(writer)

    def reply(self, timeout: float) -> object | None:
        data, ended, deadline = b"", False, time.monotonic() + timeout
        with open(self.reader, "rb", buffering=0) as pipe:
            while not ended and (left := deadline - time.monotonic()) > 0 and select.select([pipe], [], [], left)[0]:
                chunk = pipe.read(1 << 20)
                data, ended = data + chunk, not chunk
        if not ended:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        if not (ended and data and os.waitstatus_to_exitcode(status) == 0):
            return None
        return json.loads(data)


def _close_inherited(keep: int) -> None:
    """A forked child holds a copy of every descriptor of its parent, among them the write ends of
    other processes' pipes (the lesson runner's stdin, KaTeX's): while it lives, those processes
    would never see end-of-file. It keeps only the standard streams and its own pipe."""
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"sinal {os.WTERMSIG(status)}"
    return f"código de saída {os.waitstatus_to_exitcode(status)}"


def _stack_written(log: Path) -> bool:
    return "File " in log.read_text(encoding="utf-8", errors="replace").rsplit(DUMP_MARK, 1)[-1]


def _write_failure(done: Running, code: int) -> None:
    job = done.job
    log = Path(job["log"]).read_text(encoding="utf-8", errors="replace") if Path(job["log"]).exists() else ""
    block_line, output, stack = _split_log(log)
    line = _innermost_line(stack, job["lesson"]) or block_line or 1
    where = f" durante o bloco da linha {block_line}" if block_line else " antes do primeiro bloco"
    if done.timed_out:
        problem = (f"tempo esgotado: a lição passou de {job['timeout']:g} s e foi interrompida{where} "
                   "(se ela precisa de mais tempo, aumente 'timeout:' no cabeçalho)")
    elif code < 0:
        problem = f"a lição caiu com o sinal {signal.Signals(-code).name}{where}"
    else:
        problem = f"a lição encerrou o processo com o código {code}{where} sem terminar"
    message = f"{job['shown_as']}:{line}: {problem}"
    if output.strip():
        message += f"\nSaída do bloco até aqui:\n{output.strip()[-OUTPUT_SHOWN:]}"
    failure = execute.LessonResult(Path(job["lesson"]).stem, 0.0, {}, failure=message)
    Path(job["result"]).write_text(json.dumps(failure.to_json(), ensure_ascii=False), encoding="utf-8")


STACK_START = re.compile(r"^(Fatal Python error|Current thread|Thread 0x|Stack \(most recent)", re.MULTILINE)


def _split_log(log: str) -> tuple[int | None, str, str]:
    """(line of the block that was running, what it printed, the stack faulthandler wrote)."""
    marks = list(re.finditer(re.escape(execute.BLOCK_MARK) + r"(\d+)\n", log))
    block_line = int(marks[-1][1]) if marks else None
    tail = log[marks[-1].end():] if marks else log
    output, _, stack = tail.partition(DUMP_MARK)
    crash = STACK_START.search(output)
    if crash:
        output, stack = output[: crash.start()], output[crash.start():] + stack
    return block_line, output, stack


def _innermost_line(stack: str, source_file: str) -> int | None:
    """faulthandler lists the most recent call first: the first frame in the lesson is where it was."""
    found = re.search(rf'File "{re.escape(source_file)}", line (\d+)', stack)
    return int(found[1]) if found else None
