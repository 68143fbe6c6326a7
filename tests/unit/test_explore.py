"""explore=: the option read into typed parameters, one execution per setting, the states rendered."""

import contextlib
import io
import json
import re
import sys

import markdown
import pytest

from curso.pipeline.cache import lesson_key
from curso.pipeline.execute import LessonExecutionError, LessonResult, execute_lesson
from curso.pipeline.explore import MAX_STATES, Parameter
from curso.pipeline.notebook import build_notebook
from curso.pipeline.render import render_lesson
from curso.pipeline.source import LessonSourceError, parse_lesson

from tests.helpers import lesson_text
from tests.unit.test_render import EXTENSIONS

PATH = "lessons_src/01-x.md"
EXPLORED = """\
```python
import matplotlib.pyplot as plt
base = 10
seen = []
```

```python explore="delta=0.5,*2,5;k=1,3" alt="Reta com inclinação {delta} vezes {k}" caption="δ = {delta}"
seen.append((delta, k))
fig, ax = plt.subplots()
ax.plot([0, 1], [0, delta * k])
print(f"valor: {base + delta * k}; vistos: {len(seen)}")
with open(COUNTER, "a") as counter:
    counter.write("x")
```

```python
print("depois:", delta, k, seen)
```
"""


def lesson(body: str):
    return parse_lesson(lesson_text(body), PATH, slug="01-x")


def options_of(fence_options: str):
    return lesson(f"```python {fence_options}\npass\n```\n").code_blocks[0].options


def run(tmp_path, body: str = EXPLORED) -> LessonResult:
    counter = tmp_path / "execucoes.txt"
    path = tmp_path / "01-x.md"
    path.write_text(lesson_text(body.replace("COUNTER", repr(str(counter)))), encoding="utf-8")
    return execute_lesson(parse_lesson(path.read_text(encoding="utf-8"), PATH, slug="01-x"), path)


def test_the_option_becomes_typed_parameters_with_their_defaults():
    options = options_of('explore="delta=0.5,1,*2,5;alpha=-1,1e-3"')
    assert options.explore == (Parameter("delta", ("0.5", "1", "2", "5"), 2), Parameter("alpha", ("-1", "1e-3"), 0))
    assert options.explore[0].values == (0.5, 1, 2, 5) and options.explore[1].labels == ("-1", "0,001")
    assert options.explore[0].symbol == "δ" and Parameter("w", ("1",), 0).symbol == "w"


@pytest.mark.parametrize("value, problem", [
    ("delta", "não é nome=valores"),
    ("2x=1,2", "não é nome=valores"),
    ("delta=", "precisa de valores"),
    ("delta=1,,2", "precisa de valores"),
    ("delta=1,dois", "'dois' (parâmetro 'delta') não é um número"),
    ("delta=1,True", "não é um número"),
    ("delta=0.5,0.5", "repete um valor"),
    ("delta=*1,*2", "mais de um valor padrão"),
    ("delta=1,2;delta=3", "repete o parâmetro 'delta'"),
    (";", "sem parâmetros"),
    ("a=" + ",".join(map(str, range(7))) + ";b=" + ",".join(map(str, range(7))), f"o limite é {MAX_STATES}"),
])
def test_every_bad_value_list_is_a_portuguese_error_at_the_fence_line(value, problem):
    with pytest.raises(LessonSourceError) as caught:
        options_of(f'explore="{value}"')
    assert str(caught.value).startswith(f"{PATH}:6: ") and problem in str(caught.value)


def test_slider_labels_are_written_in_portuguese():
    parameter = Parameter("delta", ("0.5", "2", "2.0", "-1.5", "1e-3", "0.0001", "5000"), 0)
    assert parameter.labels == ("0,5", "2", "2", "-1,5", "0,001", "0,0001", "5.000")


@pytest.fixture(scope="module")
def explored(tmp_path_factory):
    """The lesson above, executed once for the tests below: (its folder, its result)."""
    folder = tmp_path_factory.mktemp("explorada")
    return folder, run(folder)


def test_each_setting_runs_once_in_isolation_and_the_lesson_goes_on_with_the_default(explored):
    folder, result = explored
    block = result.blocks[1]
    assert (folder / "execucoes.txt").read_text() == "x" * 6  # 3 values of delta x 2 of k
    assert [state.stdout for state in block.states] == [  # vistos: 1, no state saw another's append
        f"valor: {value}; vistos: 1\n" for value in ("10.5", "11.5", "12", "16", "15", "25")]
    assert block.stdout == block.states[2].stdout and block.figure == block.states[2].figure
    assert len({state.figure for state in block.states}) == 6
    assert result.blocks[2].stdout == "depois: 2 1 [(2, 1)]\n"


def test_the_result_with_its_states_survives_the_cache_round_trip(explored):
    _, result = explored
    again = LessonResult.from_json(json.loads(json.dumps(result.to_json())))
    assert again == result and again.blocks[1].states[0].figure_size == result.blocks[1].states[0].figure_size


def test_a_state_that_raises_names_the_line_and_the_values(tmp_path):
    body = '```python explore="delta=1,*2,5"\nif delta == 5:\n    raise ValueError("grande demais")\n```\n'
    with pytest.raises(LessonExecutionError) as caught:
        run(tmp_path, body)
    first = str(caught.value).splitlines()[0]
    assert first == f"{PATH}:8: ValueError: grande demais (no estado delta=5 de explore=)"


def test_the_default_state_that_raises_names_the_values_too(tmp_path):
    with pytest.raises(LessonExecutionError) as caught:
        run(tmp_path, '```python explore="delta=1,*2"\n1 / (delta - 2)\n```\n')
    assert "ZeroDivisionError" in str(caught.value) and "(no estado delta=2 de explore=)" in str(caught.value)


def test_prose_and_alt_text_do_not_change_the_key_but_the_values_do():
    base = lesson_key(lesson(EXPLORED), "f")
    assert lesson_key(lesson("Texto novo.\n\n" + EXPLORED.replace("vezes", "por")), "f") == base
    assert lesson_key(lesson(EXPLORED.replace("*2,5", "*2,6")), "f") != base
    assert lesson_key(lesson(EXPLORED.replace("*2,5", "2,*5")), "f") != base


def test_the_page_shows_the_default_state_and_sliders_the_others_go_to_states_files(explored):
    folder, result = explored
    source = lesson(EXPLORED.replace("COUNTER", repr(str(folder / "execucoes.txt"))))
    page = render_lesson(source, result, notebook_href="nb", figure_dir="figuras", position=(1, 1))
    assert "```python\ndelta = 2  # valor padrão" in page.page and "\nk = 1  # valor padrão" in page.page
    html = markdown.markdown(page.page, extensions=EXTENSIONS)
    assert 'alt="Reta com inclinação 2 vezes 1"' in html and "<p>δ = 2</p>\n</figcaption>" in html
    assert 'aria-valuetext="δ = 2"' in html and 'data-valores="0,5;2;5"' in html and 'value="1"' in html
    live = re.search(r'<div aria-live="polite" class="explorar-saida">(.*?)</div>', html, re.S)
    assert "valor: 12; vistos: 1" in live[1]
    assert 'data-estados="../explorar/01-x-01.json"' in html
    assert html.count(".svg") == 2  # the default figure, full size and phone renditions
    assert sorted(page.states) == ["01-x-01.json", "celular/01-x-01.json"]
    states = json.loads(page.states["01-x-01.json"])["estados"]
    assert [state["legenda"] for state in states] == ["δ = 0,5"] * 2 + ["δ = 2"] * 2 + ["δ = 5"] * 2
    assert states[5]["alt"] == "Reta com inclinação 5 vezes 3" and "valor: 25" in states[5]["saida"]
    assert states[0]["svg"].startswith("<?xml")
    phone = json.loads(page.states["celular/01-x-01.json"])["estados"]
    assert phone[0]["svg"] != states[0]["svg"] and phone[0]["alt"] == states[0]["alt"]


def test_printed_text_of_a_state_is_escaped(tmp_path):
    body = '```python explore="n=1,2"\nprint("<b>" * n)\n```\n'
    source = lesson(body)
    page = render_lesson(source, run(tmp_path, body), notebook_href="nb", figure_dir="figuras", position=(1, 1))
    states = json.loads(page.states["01-x-01.json"])["estados"]
    assert "&lt;b&gt;&lt;b&gt;" in states[1]["saida"] and "<b>" not in states[1]["saida"]


def test_the_notebook_cell_is_an_interact_over_the_same_values_that_runs_the_default(explored, monkeypatch):
    """Without ipywidgets (a plain Python), the default setting runs; tests/slow/test_notebooks_run.py
    runs the real controls in a Jupyter kernel."""
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # `import ipywidgets` raises ImportError
    folder, result = explored
    source = lesson(EXPLORED.replace("COUNTER", repr(str(folder / "contagem-notebook.txt"))))
    cells = [cell for cell in json.loads(build_notebook(source, result))["cells"] if cell["cell_type"] == "code"]
    explore_cell = next(cell for cell in cells if "".join(cell["source"]).startswith("@interact"))
    assert "".join(explore_cell["source"]).startswith("@interact(delta=[2, 0.5, 5], k=[1, 3])\n")
    assert "".join(explore_cell["outputs"][0]["text"]) == "valor: 12; vistos: 1\n"
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        for cell in cells[1:]:  # the first cell only sets the plot style
            exec("".join(cell["source"]), namespace)
    assert printed.getvalue() == "valor: 12; vistos: 1\ndepois: 2 1 [(2, 1)]\n"


def test_inside_an_admonition_the_controls_are_valid_html_in_the_box(tmp_path):
    body = ('!!! example "Explore"\n    ```python explore="n=1,2"\n    print(n)\n    ```\n')
    page = render_lesson(lesson(body), run(tmp_path, body), notebook_href="nb", figure_dir="figuras", position=(1, 1))
    html = markdown.markdown(page.page, extensions=EXTENSIONS)
    box = html[html.index('<div class="admonition example">'):]
    assert '<p><span class="explorar-controles"><span class="explorar-controle"><label for="explorar-1-n">' in box
    assert "<p><div" not in html
