"""Run a lesson's code blocks top to bottom in one namespace, capturing what each block shows."""

from __future__ import annotations

import ast
import builtins
import contextlib
import doctest
import io
import itertools
import math
import os
import random
import re
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

from .source import CodeBlock, Lesson, imports_package, read_lesson

STYLE_FILE = Path(__file__).with_name("house.mplstyle")
SVG_HASH_SALT = "treinando-redes-neurais"
PIXELS_PER_INCH = 96
POINTS_PER_INCH = 72
SVG_SIZE = re.compile(r'<svg[^>]*?width="(?P<width>[\d.]+)pt"[^>]*?height="(?P<height>[\d.]+)pt"')
BLOCK_MARK = "\0bloco "  # written to the trace before each block: "\0bloco <line>\n"
# The phone rendition of a figure: 4 in = 384 CSS px wide, shown ~358 px wide on a 390 px phone, where
# 1 pt is 358/288 = 1.24 px, so its smallest text, 10 pt, is 12.4 px (11 px down to 317 px wide).
PHONE_WIDTH_INCHES = 4.0
PHONE_SMALLEST_FONT_POINTS = 10
PHONE_COLUMNS = 2  # panels with axes: tick labels need room
PHONE_COLUMNS_OF_PICTURES = 3  # panels without axes (images)
PHONE_TITLE_GAP_INCHES = 0.1  # between the titles of panels side by side: about a space and a half
PHONE_HEIGHT_SCALE = 0.8  # a narrower figure needs less height for the same plot shape


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


@dataclass
class LessonResult:
    slug: str
    seconds: float
    versions: dict
    blocks: list[BlockResult] = field(default_factory=list)
    failure: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "LessonResult":
        blocks = [BlockResult(**b) for b in data.pop("blocks")]
        for block in blocks:
            block.figure_size = tuple(block.figure_size) if block.figure_size else None
            block.phone_figure_size = tuple(block.phone_figure_size) if block.phone_figure_size else None
        return cls(blocks=blocks, **data)


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
    if imports_package(lesson.source, "torch"):
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
    _, blocks = _run_blocks(lesson, source_file, trace)
    return LessonResult(lesson.slug, round(time.perf_counter() - start, 2), library_versions(), blocks)


def lesson_namespace(path: Path) -> dict:
    """Execute a lesson in this process and return its globals (for content tests)."""
    path = Path(path).resolve()
    namespace, _ = _run_blocks(read_lesson(path, shown_as=display_path(path)), path)
    return namespace


def _run_blocks(lesson: Lesson, source_file: Path, trace: TextIO | None = None) -> tuple[dict, list[BlockResult]]:
    """All blocks in order, in one fresh namespace, inside a scratch working directory."""
    prepare_interpreter(lesson)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    blocks = []
    with tempfile.TemporaryDirectory(prefix="licao-") as scratch, contextlib.chdir(scratch):
        for block in lesson.code_blocks:
            if trace:
                trace.write(f"{BLOCK_MARK}{block.line}\n")
                trace.flush()
            blocks.append(run_block(block, namespace, lesson, source_file, trace))
    return namespace, blocks


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
    expected = block.option("raises")
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
    expected = block.option("raises")
    note = f" (o bloco esperava {expected})" if expected else ""
    return f"{lesson.path}:{line}: {summary}{note}\n{details.replace(str(source_file), lesson.path)}"


def _check_expected_raise(result: BlockResult, block: CodeBlock, lesson: Lesson) -> None:
    if block.option("raises") and result.exception is None:
        raise LessonExecutionError(
            f"{lesson.path}:{block.line}: o bloco deveria lançar {block.option('raises')}, mas terminou sem erro"
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
        if numbers and not block.option("alt"):
            raise LessonExecutionError(
                f"{lesson.path}:{block.line}: o bloco desenha uma figura mas não tem alt=\"...\" "
                "(texto alternativo em português)"
            )
        if numbers:
            figure = plt.figure(numbers[0])
            result.figure, result.figure_size = _svg(figure)
            result.phone_figure, result.phone_figure_size = _svg(fit_for_phone(figure))
    finally:
        plt.close("all")


def fit_for_phone(figure):
    """The lesson's own figure, redrawn for a phone: 4 in wide, no text under 10 pt, and a grid of
    panels in as many columns as fit without titles running into each other (at most two plots,
    or three pictures, a row).

    Saved after the full-size SVG, so it changes nothing the lesson drew; constrained layout
    (house style) lays the panels out again at the new size.
    """
    width, height = figure.get_size_inches()
    _raise_small_text(figure, PHONE_SMALLEST_FONT_POINTS)
    panels = _grid_panels(figure)
    if panels is None:
        figure.set_size_inches(min(width, PHONE_WIDTH_INCHES), height * PHONE_HEIGHT_SCALE)
        return figure
    shown = [ax for ax in panels if _has_content(ax)]
    rows, columns = panels[0].get_subplotspec().get_gridspec().get_geometry()
    limit = PHONE_COLUMNS if any(ax.axison for ax in shown) else PHONE_COLUMNS_OF_PICTURES
    for new_columns in range(min(columns, limit), 0, -1):
        new_rows = math.ceil(len(shown) / new_columns)
        if (new_rows, new_columns) != (rows, columns):
            _regrid(figure, panels, shown, new_rows, new_columns)
        new_width = min(width, PHONE_WIDTH_INCHES)
        # Pictures and other fixed-aspect panels keep their shape; plots may get flatter.
        fixed_aspect = any(ax.get_aspect() != "auto" for ax in shown)
        row_scale = (new_width / new_columns) / (width / columns) if fixed_aspect else PHONE_HEIGHT_SCALE
        figure.set_size_inches(new_width, height / rows * new_rows * row_scale)
        if _titles_fit(figure, shown):
            break
    return figure


def _titles_fit(figure, shown: list) -> bool:
    """Whether, once laid out, the panels' titles stay inside the figure and a space apart."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    margin = PHONE_TITLE_GAP_INCHES / 2 * figure.dpi
    boxes = [ax.title.get_window_extent(renderer).padded(margin) for ax in shown if ax.get_title()]
    inside = all(box.x0 >= 0 and box.x1 <= figure.bbox.width for box in boxes)
    return inside and not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def _grid_panels(figure) -> list | None:
    """The panels of a figure that is one plain grid (plt.subplots), in reading order; else None."""
    panels = [ax for ax in figure.axes if ax.get_subplotspec() is not None]
    grids = {ax.get_subplotspec().get_gridspec() for ax in panels}
    if len(grids) != 1 or len(panels) != len(figure.axes):
        return None  # a colorbar, or panels of several grids: only made narrower
    return sorted(panels, key=lambda ax: (ax.get_subplotspec().rowspan.start, ax.get_subplotspec().colspan.start))


def _has_content(ax) -> bool:
    """A panel that shows something (plt.subplots grids often hide or blank their spare cells)."""
    drawn = ax.lines or ax.images or ax.collections or ax.patches or ax.texts or ax.get_title()
    return ax.get_visible() and bool(drawn)


def _regrid(figure, panels: list, shown: list, rows: int, columns: int) -> None:
    """Move the panels that show something into a rows x columns grid, in reading order."""
    grid = figure.add_gridspec(rows, columns)
    x_label = next((ax.get_xlabel() for ax in shown if ax.get_xlabel()), "")
    y_label = next((ax.get_ylabel() for ax in shown if ax.get_ylabel()), "")
    for ax in panels:
        ax.set_visible(ax in shown)
    for index, ax in enumerate(shown):
        ax.set_subplotspec(grid[index])
        bottom, left = index + columns >= len(shown), index % columns == 0
        # Shared axes are labelled once: under the lowest panel of each column, left of the left column.
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
            ax.xaxis.set_tick_params(which="both", labelbottom=bottom)
            ax.set_xlabel(x_label if bottom else "")
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
            ax.yaxis.set_tick_params(which="both", labelleft=left)
            ax.set_ylabel(y_label if left else "")


def _raise_small_text(figure, points: float) -> None:
    import matplotlib.text

    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels(which="both")
            if labels and min(label.get_fontsize() for label in labels) < points:
                axis.set_tick_params(which="both", labelsize=points)
    for text in figure.findobj(matplotlib.text.Text):
        if text.get_fontsize() < points:
            text.set_fontsize(points)


def _svg(figure) -> tuple[str, tuple[int, int]]:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    size = SVG_SIZE.search(svg)
    width, height = (float(size[k]) * PIXELS_PER_INCH / POINTS_PER_INCH for k in ("width", "height"))
    return svg, (round(width), round(height))


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
