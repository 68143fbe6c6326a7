import html as html_module
import json
import re

import markdown

from pipeline.execute import BlockResult, LessonResult
from pipeline.render import TIMING_END, TIMING_START, reading_minutes, render_lesson
from pipeline.source import parse_lesson

from conftest import lesson_text

# The Markdown extensions of mkdocs.yml that generated lesson pages rely on.
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "pymdownx.details", "pymdownx.superfences",
              "pymdownx.blocks.caption"]


def render(body: str, *blocks: BlockResult, title: str = "Lição de teste", header_extra: str = ""):
    text = lesson_text(body, title=json.dumps(title, ensure_ascii=False))
    if header_extra:
        text = text.replace("---\n\n", f"{header_extra}\n---\n\n", 1)
    lesson = parse_lesson(text, "lessons_src/01-x.md", slug="01-x")
    result = LessonResult("01-x", 0.1, {}, list(blocks))
    return render_lesson(lesson, result, notebook_href="../notebooks/01-x.ipynb", figure_dir="figuras",
                         position=(2, 5))


def test_page_has_front_matter_title_header_and_download_link():
    page = render("Texto.\n").page
    assert page.startswith("---\ntitle: Lição de teste\ndescription: Descrição de teste.\n---\n")
    assert "não edite este arquivo" in page and "lessons_src/01-x.md" in page
    assert "\n# Lição de teste\n" in page
    assert '[Baixar notebook](../notebooks/01-x.ipynb){ .md-button download="01-x.ipynb" }' in page


def header_html(page: str) -> str:
    return markdown.markdown(page.split("-->", 1)[1].split("\n## ")[0], extensions=EXTENSIONS)


def test_header_says_which_lesson_of_how_many_and_how_long_it_takes():
    page = render("Texto curto.\n").page
    assert "\nLição 2 de 5 · ≈ 1 min de leitura\n{ .lesson-meta }\n" in page
    html = header_html(page)
    assert '<p class="lesson-meta">Lição 2 de 5 · ≈ 1 min de leitura</p>' in html
    assert re.search(r'<p class="lesson-actions"><a class="md-button md-button--primary" data-colab="01-x.ipynb" '
                     r'href="../notebooks/01-x.ipynb">Abrir no Colab</a> <a class="md-button" download="01-x.ipynb" '
                     r'href="../notebooks/01-x.ipynb">Baixar notebook</a></p>', html), html


def test_reading_time_counts_prose_at_200_words_and_shown_code_at_20_lines_a_minute():
    prose = " ".join(["palavra"] * 400)  # 2 min
    shown = "```python\n" + "x = 1\n\n" * 40 + "```\n"  # 40 non-blank lines: 2 min
    hidden = "```python hide-code\n" + "y = 2\n" * 100 + "```\n"
    lesson = parse_lesson(lesson_text(f"{prose}\n\n{shown}\n{hidden}"), "lessons_src/01-x.md", slug="01-x")
    assert reading_minutes(lesson) == 4


def test_an_untrusted_title_stays_plain_text():
    title = '<script>alert(1)</script> *R$ 5* e $x$ [link](http://x) {: onclick="y" } `c` &amp;'
    html = header_html(render("Texto.\n", title=title).page)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html)[1]
    assert "<" not in heading and "onclick" not in html.split("</h1>")[0].split("<h1")[1].split(">")[0]
    assert html_module.unescape(heading) == title


def test_pinned_packages_are_shown_as_a_pip_install_to_copy():
    page = render("Texto.\n", header_extra='pip: ["lightning==2.5.0", "rich==13.0.0"]').page
    assert "```bash\npip install lightning==2.5.0 rich==13.0.0\n```" in page
    assert page.index("Abrir no Colab") < page.index("pip install") < page.index("Texto.")
    assert "pip install" not in render("Texto.\n").page


def test_output_goes_right_under_its_code_as_escaped_text():
    page = render("```python\nprint(x)\n```\n\nDepois.\n", BlockResult(stdout="<script>alert(1)</script>\n")).page
    code = page.index("```python\nprint(x)\n```")
    output = page.index("``` { .text .output }\n<script>alert(1)</script>\n```")
    assert code < output < page.index("Depois.")


def test_output_with_backticks_gets_a_longer_fence():
    page = render("```python\npass\n```\n", BlockResult(stdout="````\n")).page
    assert "````` { .text .output }\n````\n`````" in page


def test_value_follows_printed_text():
    page = render("```python\npass\n```\n", BlockResult(stdout="a\n", value="42")).page
    assert "``` { .text .output }\na\n42\n```" in page


def test_hide_code_and_hide_output():
    page = render("```python hide-code\nsecret = 1\nprint(2)\n```\n\n```python hide-output\nprint(3)\n```\n",
                  BlockResult(stdout="2\n"), BlockResult(stdout="3\n")).page
    assert "secret = 1" not in page and "``` { .text .output }\n2\n```" in page
    assert "print(3)" in page and "\n3\n" not in page


def test_markdown_output_is_inserted_as_markdown_only_when_the_block_opts_in():
    table = "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    page = render("```python output=markdown\npass\n```\n", BlockResult(stdout=table)).page
    assert "\n| a | b |\n| --- | --- |\n| 1 | 2 |\n" in page and ".output" not in page


def test_html_output_only_with_output_html():
    page = render("```python output=html\npass\n```\n", BlockResult(stdout="<b>oi</b>\n")).page
    assert '<div class="output-html" markdown="0">\n<b>oi</b>\n</div>' in page


def test_expected_exception_is_shown_as_text():
    page = render("```python raises=KeyError\nd['x']\n```\n", BlockResult(exception="KeyError: 'x'")).page
    assert "``` { .text .output }\nKeyError: 'x'\n```" in page


def test_blocks_inside_admonitions_keep_their_indentation():
    body = '??? success "Solução"\n    ```python\n    print(1)\n    ```\n'
    page = render(body, BlockResult(stdout="1\n")).page
    assert '??? success "Solução"\n\n    ```python\n    print(1)\n    ```\n\n    ``` { .text .output }\n    1\n    ```' in page


def test_figure_has_alt_size_caption_and_lazy_loading():
    svg = '<svg width="10pt" height="10pt"></svg>'
    rendered = render('```python alt="Curvas [MSE] e MAE" caption="Figura <1>"\npass\n```\n',
                      BlockResult(figure=svg, figure_size=(614, 384)))
    assert rendered.figures == {"01-x-01.svg": svg}
    assert '![Curvas \\[MSE\\] e MAE](figuras/01-x-01.svg){ width="614" height="384" loading=lazy }' in rendered.page
    assert "\n/// caption\n    attrs: {class: lesson-figure}\nFigura &lt;1&gt;\n///" in rendered.page


def test_figure_inside_an_admonition_becomes_a_valid_figure():
    body = '??? note "Gráfico"\n    ```python alt="Uma curva" caption="Legenda"\n    pass\n    ```\n'
    page = render(body, BlockResult(figure="<svg/>", figure_size=(10, 10))).page
    html = markdown.markdown(page.split("-->", 1)[1], extensions=EXTENSIONS)
    assert re.search(r'<details class="note">.*<figure class="lesson-figure">\s*<p><img alt="Uma curva"'
                     r'.*<figcaption>\s*<p>Legenda</p>\s*</figcaption>\s*</figure>\s*</details>', html, re.S)


def test_timing_output_is_marked_and_explained():
    page = render("```python timing\npass\n```\n", BlockResult(stdout="1.2 ms\n")).page
    start, end = page.index(TIMING_START), page.index(TIMING_END)
    assert start < page.index("1.2 ms") < page.index("Tempos medidos") < end


def test_doctest_block_is_shown_as_a_console_session():
    page = render("```python\n>>> 1 + 1\n2\n```\n", BlockResult()).page
    assert "```pycon\n>>> 1 + 1\n2\n```" in page and ".output" not in page


def test_blank_lines_inside_code_are_kept():
    page = render("```python\ndef f():\n    pass\n\n\ng = 1\n```\n", BlockResult()).page
    assert "```python\ndef f():\n    pass\n\n\ng = 1\n```" in page
