import pytest

from devtools.figure_text import text_sizes_pt
from curso.pipeline.execute import LessonExecutionError, LessonResult, execute_lesson, lesson_namespace
from curso.pipeline.figures import fit_for_phone
from curso.pipeline.runner import Executor, LessonJob, run_lessons
from curso.pipeline.source import parse_lesson

from tests.helpers import lesson_text


def run(tmp_path, body: str):
    path = tmp_path / "01-x.md"
    path.write_text(lesson_text(body), encoding="utf-8")
    lesson = parse_lesson(path.read_text(encoding="utf-8"), "lessons_src/01-x.md", slug="01-x")
    return execute_lesson(lesson, path)


def failure(tmp_path, body: str) -> str:
    with pytest.raises(LessonExecutionError) as caught:
        run(tmp_path, body)
    return str(caught.value)


def test_blocks_share_one_namespace_and_capture_prints_and_last_value(tmp_path):
    result = run(tmp_path, "```python\nx = 20\nprint('olá')\n```\n\n```python\nx * 2 + 2\n```\n")
    assert result.blocks[0].stdout == "olá\n" and result.blocks[0].value is None
    assert result.blocks[1].value == "42"


def test_semicolon_and_none_hide_the_last_value(tmp_path):
    result = run(tmp_path, "```python\n3;\n```\n\n```python\nNone\n```\n")
    assert [b.value for b in result.blocks] == [None, None]


def test_warnings_and_stderr_are_captured_with_the_output(tmp_path):
    result = run(tmp_path, "```python\nimport sys\nprint('erro', file=sys.stderr)\n```\n")
    assert result.blocks[0].stdout == "erro\n"


def test_figure_is_saved_as_deterministic_svg_with_its_size(tmp_path):
    body = ('```python alt="Reta"\nimport matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n'
            'ax.plot([0, 1], [0, 1])\nplt.show()\n```\n')
    first, second = run(tmp_path, body), run(tmp_path, body)
    svg = first.blocks[0].figure
    assert svg.startswith("<?xml") and "<svg" in svg
    assert svg == second.blocks[0].figure
    assert first.blocks[0].figure_size == (614, 384)  # 6.4 x 4.0 in at 96 px/in (house style)


def test_a_figure_without_alt_text_fails_naming_the_block(tmp_path):
    message = failure(tmp_path, "```python\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\n```\n")
    assert message.startswith("lessons_src/01-x.md:7:") and "alt=" in message


def test_two_figures_in_one_block_fail(tmp_path):
    message = failure(tmp_path, '```python alt="x"\nimport matplotlib.pyplot as plt\nplt.figure()\nplt.figure()\n```\n')
    assert "abriu 2 figuras" in message


def test_unexpected_exception_names_file_line_type_message_and_traceback(tmp_path):
    body = "```python\ndef divide(a, b):\n    return a / b\n```\n\n```python\nx = 1\ndivide(x, 0)\n```\n"
    message = failure(tmp_path, body)
    assert message.splitlines()[0] == "lessons_src/01-x.md:8: ZeroDivisionError: division by zero"
    assert "Traceback (most recent call last):" in message
    assert 'File "lessons_src/01-x.md", line 13, in <module>' in message
    assert "return a / b" in message  # the source line is shown, read from the lesson file


def test_syntax_error_points_at_its_line(tmp_path):
    message = failure(tmp_path, "```python\nx = 1\ny = (\n```\n")
    assert message.startswith("lessons_src/01-x.md:8: SyntaxError")


def test_expected_exception_is_shown_not_raised(tmp_path):
    result = run(tmp_path, '```python raises=KeyError\n{}["chave"]\n```\n')
    assert result.blocks[0].exception == "KeyError: 'chave'"


def test_expected_exception_matches_base_classes(tmp_path):
    result = run(tmp_path, "```python raises=ArithmeticError\n1 / 0\n```\n")
    assert result.blocks[0].exception.startswith("ZeroDivisionError")


def test_a_different_exception_than_expected_fails(tmp_path):
    message = failure(tmp_path, "```python raises=KeyError\n1 / 0\n```\n")
    assert "ZeroDivisionError" in message and "(o bloco esperava KeyError)" in message


def test_a_block_that_should_raise_but_does_not_fails(tmp_path):
    message = failure(tmp_path, "```python raises=ValueError\nx = 1\n```\n")
    assert message.startswith("lessons_src/01-x.md:7:") and "deveria lançar ValueError" in message


def test_doctest_examples_are_checked_in_the_shared_namespace(tmp_path):
    result = run(tmp_path, "```python\nbase = 10\n```\n\n```python\n>>> base + 1\n11\n>>> y = base\n```\n\n"
                           "```python\nprint(y)\n```\n")
    assert result.blocks[2].stdout == "10\n"


def test_a_failing_doctest_names_the_example_line(tmp_path):
    message = failure(tmp_path, "```python\n>>> 1 + 1\n2\n>>> 2 + 2\n5\n```\n")
    assert message.splitlines()[0] == "lessons_src/01-x.md:9: exemplo doctest falhou"
    assert "Expected:\n    5\nGot:\n    4" in message


def test_seeds_are_fixed_at_the_start_of_each_lesson(tmp_path):
    body = "```python\nimport torch\ntorch.rand(1).item()\n```\n"
    assert run(tmp_path, body).blocks[0].value == run(tmp_path, body).blocks[0].value


def test_lesson_namespace_returns_the_lesson_globals(tmp_path):
    path = tmp_path / "01-x.md"
    path.write_text(lesson_text("```python\ndef double(v):\n    return 2 * v\n```\n"), encoding="utf-8")
    assert lesson_namespace(path)["double"](21) == 42


def test_lessons_run_in_a_scratch_directory_and_single_threaded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = ("```python\nimport os\nimport torch\nopen('checkpoint.pt', 'w').close()\n"
            "print(os.path.exists('checkpoint.pt'), torch.get_num_threads())\n```\n")
    assert run(tmp_path, body).blocks[0].stdout == "True 1\n"
    assert not (tmp_path / "checkpoint.pt").exists()


GRID_OF_SEVEN = """\
import matplotlib.pyplot as plt
fig, axes = plt.subplots(2, 4, figsize=(6.4, 3.0), sharex=True, sharey=True)
for number, ax in enumerate(axes.flat[:7]):
    ax.plot([0, 1], [0, number])
    ax.set_title(f"painel {number}", fontsize=7)
    ax.tick_params(labelsize=6)
axes.flat[7].set_visible(False)
"""


def test_phone_rendition_is_the_same_grid_in_two_columns_narrower_and_without_tiny_text():
    import matplotlib.pyplot as plt

    namespace = {}
    exec(GRID_OF_SEVEN, namespace)
    figure = fit_for_phone(namespace["fig"])
    figure.canvas.draw()
    shown = [ax for ax in figure.axes if ax.get_visible()]
    columns = sorted({round(ax.get_position().x0, 3) for ax in shown})
    rows = sorted({round(ax.get_position().y0, 3) for ax in shown})
    assert (len(shown), len(columns), len(rows)) == (7, 2, 4)
    assert figure.get_size_inches()[0] == 4.0
    # shared axes: tick labels under the lowest panel of each column and on the left column only
    labelled_x = [ax.get_title() for ax in shown if ax.xaxis.get_tick_params()["labelbottom"]]
    labelled_y = [ax.get_title() for ax in shown if ax.yaxis.get_tick_params()["labelleft"]]
    assert labelled_x == ["painel 5", "painel 6"]
    assert labelled_y == ["painel 0", "painel 2", "painel 4", "painel 6"]
    plt.close(figure)


def test_phone_rendition_stacks_panels_whose_titles_do_not_fit_side_by_side():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, sharey=True)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_title("um título comprido demais para meia tela")
    fit_for_phone(fig).canvas.draw()
    assert [round(ax.get_position().x0, 3) for ax in axes][0] == round(axes[1].get_position().x0, 3)
    assert all(ax.yaxis.get_tick_params()["labelleft"] for ax in axes)
    plt.close(fig)


def test_phone_rendition_is_cached_with_the_block_and_deterministic(tmp_path):
    body = f'```python alt="Grade"\n{GRID_OF_SEVEN}```\n'
    first, second = run(tmp_path, body), run(tmp_path, body)
    block = first.blocks[0]
    assert block.phone_figure == second.blocks[0].phone_figure
    assert block.phone_figure_size[0] == 384  # 4 in at 96 px/in
    assert min(text_sizes_pt(block.figure)) == 6 and min(text_sizes_pt(block.phone_figure)) == 10
    assert LessonResult.from_json(first.to_json()) == first


def job(tmp_path, name: str, body: str) -> LessonJob:
    path = tmp_path / f"{name}.md"
    path.write_text(lesson_text(body), encoding="utf-8")
    return LessonJob(path, f"lessons_src/{path.name}", 60)


def test_a_kept_executor_starts_its_runner_once_and_every_lesson_still_starts_clean(tmp_path):
    """`mkdocs serve` keeps one executor: later batches skip the start-up, never the fresh fork."""
    started = []
    executor = Executor(announce=started.append)
    try:
        leaks = "```python\nimport json\njson.vazou = True\nprint(hasattr(json, 'vazou'))\n```\n"
        executor.warm_up([job(tmp_path, "01-a", leaks).path, tmp_path / "apagada.md"])  # started, not waited for
        executor.warm_up([job(tmp_path, "01-a", leaks).path])  # already running: nothing to do
        first = run_lessons([job(tmp_path, "01-a", leaks)], 1, executor)
        second = run_lessons([job(tmp_path, "02-b", leaks), job(tmp_path, "03-c", leaks)], 2, executor)
    finally:
        executor.close()
    assert [r.blocks[0].stdout for r in [*first.values(), *second.values()]] == ["True\n"] * 3
    assert len(started) == 1 and started[0].startswith("executor das lições iniciado (processo ")


def test_a_kept_executor_whose_runner_died_starts_another(tmp_path):
    started = []
    executor = Executor(announce=started.append)
    try:
        run_lessons([job(tmp_path, "01-a", "```python\npass\n```\n")], 1, executor)
        executor.process.kill()
        executor.process.wait()
        again = run_lessons([job(tmp_path, "01-a", "```python\nprint('de novo')\n```\n")], 1, executor)
    finally:
        executor.close()
    assert again["01-a"].blocks[0].stdout == "de novo\n" and len(started) == 2
