"""Run a lesson's code blocks top to bottom in one namespace, capturing what each block shows."""

from __future__ import annotations

import ast
import builtins
import contextlib
import doctest
import io
import os
import random
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TextIO

from . import processes
from .explore import bindings, default_setting, described, settings
from .figures import fit_for_phone, svg
from .quiz import Question, evaluate_answer
from .source import CodeBlock, Lesson, imports_package, read_lesson

STYLE_FILE = Path(__file__).with_name("house.mplstyle")
SVG_HASH_SALT = "treinando-redes-neurais"
BLOCK_MARK = "\0bloco "  # written to the trace before each block: "\0bloco <line>\n"


class LessonExecutionError(Exception):
    """A snippet failed: `lessons_src/x.md:LINE: Type: message` plus the snippet's traceback."""


@dataclass
class BlockResult:
    stdout: str = ""
    value: str | None = None
    exception: str | None = None
    figure: str | None = None
    figure_size: tuple[int, int] | None = None
    phone_figure: str | None = None  # the same figure redrawn for a phone screen (see fit_for_phone)
    phone_figure_size: tuple[int, int] | None = None
    states: list[BlockResult] = field(default_factory=list)  # explore=: one per setting, in grid order

    @classmethod
    def from_json(cls, data: dict) -> "BlockResult":
        data = dict(data)
        states = [cls.from_json(state) for state in data.pop("states", [])]
        for size in ("figure_size", "phone_figure_size"):
            data[size] = tuple(data[size]) if data.get(size) else None
        return cls(states=states, **data)


@dataclass
class LessonResult:
    slug: str
    seconds: float
    versions: dict
    blocks: list[BlockResult] = field(default_factory=list)
    failure: str | None = None
    answers: list[float] = field(default_factory=list)  # the numeric questions' answers, in order

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "LessonResult":
        return cls(blocks=[BlockResult.from_json(block) for block in data.pop("blocks")], **data)


def prepare_interpreter(lesson: Lesson) -> None:
    """Same start for every lesson: headless matplotlib in the house style, fixed seeds."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    plt.style.use(STYLE_FILE)
    plt.rcParams["svg.hashsalt"] = SVG_HASH_SALT
    plt.show = _show_nothing
    plt.close("all")
    random.seed(0)
    with contextlib.suppress(ImportError):
        import numpy

        numpy.random.seed(0)
    if imports_package(lesson.code, "torch"):
        import torch

        torch.manual_seed(0)
        torch.set_num_threads(1)  # same results as the build's workers, and no oversubscription


def _show_nothing(*args, **kwargs) -> None:
    """`plt.show()` in a lesson is for Colab; the build saves figures itself."""


def execute_lesson(lesson: Lesson, source_file: Path, trace: TextIO | None = None) -> LessonResult:
    """Run every block; raise LessonExecutionError at the first unexpected failure.

    `trace`, when given, receives a mark before each block and a copy of what the block prints, as
    it prints it: if the process dies, the runner still knows the block and its output.
    """
    start = time.perf_counter()
    _, blocks, answers = _run_blocks(lesson, source_file, trace)
    return LessonResult(lesson.slug, round(time.perf_counter() - start, 2), library_versions(), blocks,
                        answers=answers)


def lesson_namespace(path: Path) -> dict:
    """Execute a lesson in this process and return its globals (for content tests)."""
    path = Path(path).resolve()
    namespace, _, _ = _run_blocks(read_lesson(path, shown_as=display_path(path)), path, all_states=False)
    return namespace


def _run_blocks(lesson: Lesson, source_file: Path, trace: TextIO | None = None,
                all_states: bool = True) -> tuple[dict, list[BlockResult], list[float]]:
    """All blocks in order, in one fresh namespace, inside a scratch working directory; a numeric
    question's answer is evaluated where the question stands, after the blocks above it.

    An explorable block runs in the namespace with its default setting; with `all_states`, every
    setting also runs, each in a forked copy of the namespace (see run_explorable)."""
    prepare_interpreter(lesson)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    blocks, answers = [], []
    with tempfile.TemporaryDirectory(prefix="licao-") as scratch, contextlib.chdir(scratch):
        for block in lesson.blocks:
            if isinstance(block, Question) and block.answer is not None:
                answers.append(evaluate_answer(block, namespace, lesson.path))
            if not isinstance(block, CodeBlock):
                continue
            if trace:
                trace.write(f"{BLOCK_MARK}{block.line}\n")
                trace.flush()
            if block.options.explore:
                blocks.append(run_explorable(block, namespace, lesson, source_file, trace, all_states))
            else:
                blocks.append(run_block(block, namespace, lesson, source_file, trace))
    return namespace, blocks, answers


def display_path(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


class Capture(io.StringIO):
    """What a block prints, also copied at once to the trace (if any)."""

    def __init__(self, trace: TextIO | None):
        super().__init__()
        self.trace = trace

    def write(self, text: str) -> int:
        if self.trace:
            self.trace.write(text)
            self.trace.flush()
        return super().write(text)


def valid_text(text: str | None) -> str | None:
    """Output that is not valid Unicode (lone surrogates) shown as backslash escapes."""
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def run_block(block: CodeBlock, namespace: dict, lesson: Lesson, source_file: Path,
              trace: TextIO | None = None) -> BlockResult:
    result = BlockResult()
    captured = Capture(trace)
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        try:
            if block.is_doctest:
                _run_doctest(block, namespace, lesson, source_file)
            else:
                result.value = _run_code(block, namespace, source_file)
        except (LessonExecutionError, KeyboardInterrupt):
            raise
        except BaseException as exc:  # noqa: BLE001 - a lesson may raise anything, even SystemExit
            result.exception = _expected_exception(exc, block, lesson, source_file)
    result.stdout = valid_text(captured.getvalue())
    result.value, result.exception = valid_text(result.value), valid_text(result.exception)
    _collect_figure(result, block, lesson)
    _check_expected_raise(result, block, lesson)
    return result


def run_explorable(block: CodeBlock, namespace: dict, lesson: Lesson, source_file: Path,
                   trace: TextIO | None = None, all_states: bool = True) -> BlockResult:
    """The block once per setting of its `explore=` parameters, bound as globals.

    Each setting other than the default runs in a forked child, which starts from a copy-on-write
    copy of the whole process (namespace, random generators, matplotlib), so no setting sees another's
    side effects; a fork costs ~1 ms where a deep copy of the namespace cannot copy every object
    (generators, modules, open files). The default runs here last, so the lesson goes on with it.
    """
    parameters = block.options.explore
    default = default_setting(parameters)
    states = {setting: _run_forked(block, namespace, lesson, source_file, setting)
              for setting in settings(parameters) if all_states and setting != default}
    namespace.update(bindings(parameters, default))
    result = _run_setting(block, namespace, lesson, source_file, default, trace)
    if all_states:
        result.states = [states.get(setting) or replace(result, states=[]) for setting in settings(parameters)]
    return result


def _run_setting(block: CodeBlock, namespace: dict, lesson: Lesson, source_file: Path,
                 setting: tuple[int, ...], trace: TextIO | None = None) -> BlockResult:
    namespace.update(bindings(block.options.explore, setting))
    try:
        return run_block(block, namespace, lesson, source_file, trace)
    except LessonExecutionError as exc:
        first, _, rest = str(exc).partition("\n")
        where = described(block.options.explore, setting)
        raise LessonExecutionError(f"{first} (no estado {where} de explore=)\n{rest}".rstrip("\n")) from None


def _run_forked(block: CodeBlock, namespace: dict, lesson: Lesson, source_file: Path,
                setting: tuple[int, ...]) -> BlockResult:
    """One setting in a forked child, which sends back its result (or its failure)."""

    def work() -> dict:
        try:
            return {"result": asdict(_run_setting(block, namespace, lesson, source_file, setting))}
        except BaseException as exc:  # noqa: BLE001 - anything must reach the parent, then the child ends
            return {"failure": str(exc) if isinstance(exc, LessonExecutionError) else repr(exc)}

    reply, ended = processes.run_forked(work)
    if "result" in reply:
        return BlockResult.from_json(reply["result"])
    where = described(block.options.explore, setting)
    raise LessonExecutionError(reply.get("failure") or f"{lesson.path}:{block.line}: o estado {where} de explore= "
                               f"terminou sem resultado ({ended})")


def _run_code(block: CodeBlock, namespace: dict, source_file: Path) -> str | None:
    tree = ast.parse("\n" * (block.line - 1) + block.code, filename=str(source_file))
    last = tree.body[-1] if tree.body else None
    shows_value = isinstance(last, ast.Expr) and not block.code.rstrip().endswith(";")
    if shows_value:
        tree.body.pop()
    exec(compile(tree, str(source_file), "exec"), namespace)
    if not shows_value:
        return None
    value = eval(compile(ast.Expression(last.value), str(source_file), "eval"), namespace)
    return None if _is_silent(value) else repr(value)


def _is_silent(value) -> bool:
    """Like Jupyter, show nothing for None; also hide matplotlib return values (artists, lists of them)."""
    if value is None:
        return True
    sample = value[0] if isinstance(value, (list, tuple)) and value else value
    return type(sample).__module__.startswith("matplotlib")


def _run_doctest(block: CodeBlock, namespace: dict, lesson: Lesson, source_file: Path) -> None:
    test = doctest.DocTestParser().get_doctest(block.code, {}, lesson.slug, str(source_file), block.line - 1)
    test.globs = namespace
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    runner.run(test, out=report.write, clear_globs=False)
    if runner.failures:
        first = _first_failed_line(report.getvalue(), block.line)
        text = report.getvalue().replace(str(source_file), lesson.path)
        raise LessonExecutionError(f"{lesson.path}:{first}: exemplo doctest falhou\n{text}")


def _first_failed_line(report: str, fallback: int) -> int:
    for line in report.splitlines():
        if line.startswith("File ") and ", line " in line:
            return int(line.split(", line ")[1].split(",")[0])
    return fallback


def _expected_exception(exc: BaseException, block: CodeBlock, lesson: Lesson, source_file: Path) -> str:
    expected = block.options.raises
    if expected and expected in {cls.__name__ for cls in type(exc).__mro__}:
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()
    raise LessonExecutionError(_failure_message(exc, lesson, source_file, block)) from None


def _failure_message(exc: BaseException, lesson: Lesson, source_file: Path, block: CodeBlock) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [i for i, frame in enumerate(frames) if frame.filename == str(source_file)]
    line = frames[mine[-1]].lineno if mine else block.line
    if isinstance(exc, SyntaxError) and exc.filename == str(source_file):
        line = exc.lineno or block.line
    shown = ["Traceback (most recent call last):\n", *traceback.format_list(frames[mine[0] :])] if mine else []
    details = "".join([*shown, *traceback.format_exception_only(type(exc), exc)])
    summary = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
    expected = block.options.raises
    note = f" (o bloco esperava {expected})" if expected else ""
    return f"{lesson.path}:{line}: {summary}{note}\n{details.replace(str(source_file), lesson.path)}"


def _check_expected_raise(result: BlockResult, block: CodeBlock, lesson: Lesson) -> None:
    if block.options.raises and result.exception is None:
        raise LessonExecutionError(
            f"{lesson.path}:{block.line}: o bloco deveria lançar {block.options.raises}, mas terminou sem erro"
        )


def _collect_figure(result: BlockResult, block: CodeBlock, lesson: Lesson) -> None:
    import matplotlib.pyplot as plt

    numbers = plt.get_fignums()
    try:
        if len(numbers) > 1:
            raise LessonExecutionError(
                f"{lesson.path}:{block.line}: o bloco abriu {len(numbers)} figuras; use uma só "
                "(plt.subplots para grades) ou divida o bloco"
            )
        if numbers and not block.options.alt:
            raise LessonExecutionError(
                f"{lesson.path}:{block.line}: o bloco desenha uma figura mas não tem alt=\"...\" "
                "(texto alternativo em português)"
            )
        if numbers:
            figure = plt.figure(numbers[0])
            result.figure, result.figure_size = svg(figure)
            result.phone_figure, result.phone_figure_size = svg(fit_for_phone(figure))
    finally:
        plt.close("all")


def library_versions() -> dict:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    versions = {"Python": platform.python_version()}
    for name in ("torch", "numpy", "matplotlib", "scikit-learn"):
        with contextlib.suppress(PackageNotFoundError):
            versions[name] = version(name)
    return versions


def single_threaded_environment() -> dict:
    """Two lessons in parallel on 2 cores must not each start a thread per core (oversubscription)."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = "1"
    env["MPLBACKEND"] = "agg"
    return env
