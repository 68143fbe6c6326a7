import json
import re
from html import unescape
from urllib.parse import unquote

import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from curso.pipeline.execute import BlockResult, LessonResult
from curso.pipeline.notebook import SiteLinks, build_notebook
from curso.pipeline.source import parse_lesson

from tests.helpers import lesson_text


def notebook(body: str, *blocks: BlockResult, header_extra: str = "", site: SiteLinks | None = None):
    text = lesson_text(body)
    if header_extra:
        text = text.replace("---\n\n", f"{header_extra}\n---\n\n", 1)
    lesson = parse_lesson(text, "lessons_src/01-x.md", slug="01-x")
    raw = build_notebook(lesson, LessonResult("01-x", 0.1, {}, list(blocks)), site)
    return raw, json.loads(raw)


VIEW = SiteLinks(figure=lambda name: f"../../licoes/figuras/{name}", lesson=lambda slug: f"../../licoes/{slug}/",
                 download="01-x.ipynb")


def sources(nb):
    return ["".join(cell["source"]) for cell in nb["cells"]]


def test_valid_nbformat_with_stable_ids_and_outputs():
    raw, nb = notebook("Texto.\n\n```python\nprint(1)\n2\n```\n", BlockResult(stdout="1\n", value="2"))
    nbformat.validate(nbformat.reads(raw, as_version=4))
    assert [c["id"] for c in nb["cells"]] == ["cell-000", "cell-001", "cell-002", "cell-003"]
    code = nb["cells"][-1]
    assert code["outputs"][0] == {"name": "stdout", "output_type": "stream", "text": ["1\n"]}
    assert code["outputs"][1]["data"]["text/plain"] == ["2"]


def test_first_cells_are_title_and_inlined_house_style_without_repo_imports():
    _, nb = notebook("Texto.\n")
    title, style = sources(nb)[:2]
    assert title.startswith("# Lição de teste")
    assert "plt.rcParams.update({" in style and "'axes.prop_cycle'" in style
    assert "pipeline" not in style and "mplstyle" not in style


def test_pinned_packages_are_installed_right_after_the_title():
    _, nb = notebook("Texto.\n", header_extra='pip: ["lightning==2.5.0"]')
    assert sources(nb)[0].startswith("# Lição de teste")
    assert sources(nb)[1] == "%pip install -q lightning==2.5.0"
    assert nb["cells"][1]["metadata"]["tags"] == ["pip-install"]


def test_expected_errors_are_caught_so_run_all_continues():
    _, nb = notebook("```python raises=KeyError\n{}['x']\n```\n", BlockResult(exception="KeyError: 'x'"))
    code = sources(nb)[-1]
    assert "try:\n    {}['x']\nexcept KeyError as erro:" in code
    namespace = {}
    exec(compile(code, "cell", "exec"), namespace)  # runs without raising


def test_figures_are_html_images_with_alt_text_and_caption():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text x="1">a & "b" #1 100%</text></svg>'
    block = '```python alt="Curva <que> sobe" caption="Figura 1: a & b"\npass\n```\n'
    _, nb = notebook(block, BlockResult(figure=svg, figure_size=(614, 400)))
    output = nb["cells"][-1]["outputs"][0]
    assert output["output_type"] == "display_data"
    html = "".join(output["data"]["text/html"])
    image = re.fullmatch(r'<figure><img src="data:image/svg\+xml,([^"\s<>#%&]*(?:%[0-9A-F]{2}[^"\s<>#%&]*)*)" '
                         r'alt="Curva &lt;que&gt; sobe" width="614" height="400" [^>]*>'
                         r"<figcaption>Figura 1: a &amp; b</figcaption></figure>", html)
    assert image, html
    assert unquote(image[1]) == svg
    assert output["data"]["text/plain"] == ["<Figura: Curva <que> sobe>"]


def test_the_view_shows_the_published_figures_in_order_with_alt_text_and_caption():
    blocks = ('```python alt="Primeira <curva>" caption="Figura 1"\npass\n```\n\n'
              '```python\nprint(1)\n```\n\n```python alt="Segunda"\npass\n```\n')
    results = (BlockResult(figure="<svg/>", figure_size=(614, 400)), BlockResult(stdout="1\n"),
               BlockResult(figure="<svg/>", figure_size=(614, 400)))
    _, nb = notebook(blocks, *results, site=VIEW)
    images = ["".join(output["data"]["text/html"]) for cell in nb["cells"] for output in cell.get("outputs", [])
              if "text/html" in output.get("data", {})]
    assert images == [
        '<figure><img src="../../licoes/figuras/01-x-01.svg" loading="lazy" alt="Primeira &lt;curva&gt;" '
        'width="614" height="400" style="max-width: 100%; height: auto"><figcaption>Figura 1</figcaption></figure>',
        '<img src="../../licoes/figuras/01-x-02.svg" loading="lazy" alt="Segunda" '
        'width="614" height="400" style="max-width: 100%; height: auto">']


def test_the_view_links_other_lessons_to_their_pages_and_the_standalone_notebook_keeps_the_source_links():
    body = "Veja a [lição 7](07-camada-de-saida.md#softmax) e a [8](08-metricas.md). `[x](09-y.md)` fica.\n"
    view = sources(notebook(body, site=VIEW)[1])[-1]
    assert view == ("Veja a [lição 7](../../licoes/07-camada-de-saida/#softmax) e a [8](../../licoes/08-metricas/). "
                    "`[x](09-y.md)` fica.")
    assert sources(notebook(body)[1])[-1] == body.strip()


def test_a_figure_without_caption_is_a_bare_image():
    _, nb = notebook('```python alt="Uma reta"\npass\n```\n', BlockResult(figure="<svg/>", figure_size=(1, 1)))
    html = "".join(nb["cells"][-1]["outputs"][0]["data"]["text/html"])
    assert html.startswith("<img ") and "figure" not in html


def test_markdown_output_is_markdown_display_data_with_no_escaped_dollar():
    table = "| Preço (R\\$ mil) | $x$ |\n| --- | --- |\n| 1 | `R\\$` |\n"
    _, nb = notebook("```python output=markdown\npass\n```\n", BlockResult(stdout=table))
    (output,) = nb["cells"][-1]["outputs"]
    assert output["output_type"] == "display_data"
    markdown = "".join(output["data"]["text/markdown"])
    assert markdown == "| Preço (R<span>&#36;</span> mil) | $x$ |\n| --- | --- |\n| 1 | `R\\$` |\n"
    assert "".join(output["data"]["text/plain"]) == table  # what the code prints when run again


def test_escaped_dollars_in_text_cells_stop_being_math_but_code_keeps_them():
    _, nb = notebook("Custa R\\$ 10 ou R\\$ 20; `R\\$ 5` e $x$.\n\n```text\nR\\$ 1\n```\n")
    assert sources(nb)[2] == ("Custa R<span>&#36;</span> 10 ou R<span>&#36;</span> 20; `R\\$ 5` e $x$.\n\n"
                              "```text\nR\\$ 1\n```")


def test_printed_text_stays_a_stream_without_output_markdown():
    _, nb = notebook("```python\npass\n```\n", BlockResult(stdout="| a |\n"))
    assert nb["cells"][-1]["outputs"] == [{"name": "stdout", "output_type": "stream", "text": ["| a |\n"]}]


def test_doctest_examples_become_one_cell_each_with_their_outputs():
    _, nb = notebook("```python\n>>> 1 + 1\n2\n>>> print('oi')\noi\n```\n", BlockResult())
    first, second = nb["cells"][-2:]
    assert "".join(first["source"]) == "1 + 1" and first["outputs"][0]["output_type"] == "execute_result"
    assert "".join(second["source"]) == "print('oi')" and second["outputs"][0]["text"] == ["oi\n"]


def test_admonitions_and_tabs_become_jupyter_markdown_around_code():
    body = ('!!! note "Atenção aqui"\n    Primeiro parágrafo.\n\n    ```python\n    x = 1\n    ```\n\n'
            '    Depois do código.\n\nFora.\n\n=== "Aba A"\n    Conteúdo A.\n')
    _, nb = notebook(body, BlockResult())
    texts = sources(nb)
    assert texts[2] == "> **Atenção aqui**\n> Primeiro parágrafo."
    assert texts[3] == "x = 1"
    assert texts[4] == "> Depois do código.\n\nFora.\n\n**Aba A**\nConteúdo A."


def test_the_view_has_the_buttons_under_its_title_and_the_standalone_notebook_has_none():
    title, buttons, _ = sources(notebook("Texto.\n", site=VIEW)[1])[0].split("\n\n", 2)
    assert title.startswith("# ") and buttons == (
        '<p class="notebook-actions"><a class="md-button" href="../../licoes/01-x/">Voltar para a lição</a> '
        '<a class="md-button md-button--primary" href="01-x.ipynb" download="01-x.ipynb">Baixar notebook</a></p>')
    assert not [source for source in sources(notebook("Texto.\n")[1]) if "notebook-actions" in source]


def math_in(html: str) -> list[tuple[str, str]]:
    return [(tag, unescape(body)) for tag, body in re.findall(r'<(span|div) class="arithmatex">(.*?)</\1>', html, re.S)]


def test_the_view_writes_math_as_arithmatex_markup_that_jupyters_markdown_leaves_whole():
    body = ("Com $x_i^2 < y$ e *ênfase*, `$não$` e R\\$ 5.\n\n$$\n\\begin{aligned} a &= b \\\\\n c &= d\n\\end{aligned}\n$$\n\n"
            '!!! note "Nota"\n    Dentro: $\\mathbf{b} = |c|$.\n\n    $$\n    f(z) = z\n    $$\n')
    view = "\n\n".join(sources(notebook(body, site=VIEW)[1])[1:])
    html = markdown2html_mistune(view)  # what nbconvert does with a Markdown cell
    assert math_in(html) == [("span", "\\(x_i^2 < y\\)"), ("div", "\\[\\begin{aligned} a &= b \\\\\n c &= d\n\\end{aligned}\\]"),
                             ("span", "\\(\\mathbf{b} = |c|\\)"), ("div", "\\[f(z) = z\\]")]
    assert "<em>ênfase</em>" in html and "<code>$não$</code>" in html and "&#36;" in view
    standalone = "\n\n".join(sources(notebook(body)[1])[1:])
    assert "$x_i^2 < y$" in standalone and "arithmatex" not in standalone  # Jupyter and Colab typeset it


def test_the_view_writes_math_in_markdown_output_too():
    table = "| a | $\\hat{y}$ |\n| --- | --- |\n| 1 | 2 |\n"
    _, nb = notebook("```python output=markdown\npass\n```\n", BlockResult(stdout=table), site=VIEW)
    (output,) = nb["cells"][-1]["outputs"]
    assert math_in(markdown2html_mistune("".join(output["data"]["text/markdown"]))) == [("span", "\\(\\hat{y}\\)")]
