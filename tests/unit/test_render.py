import html
import json
import re
from dataclasses import replace

import markdown

from curso.pipeline.execute import BlockResult, LessonResult
from curso.pipeline.render import TIMING_END, TIMING_START, reading_minutes, render_lesson
from curso.pipeline.source import parse_lesson
from curso.pipeline.untrusted import header_as_text

from tests.helpers import lesson_text

# The Markdown extensions of mkdocs.yml that generated lesson pages rely on.
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "pymdownx.details", "pymdownx.superfences",
              "pymdownx.blocks.caption"]


def render(body: str, *blocks: BlockResult, title: str = "Lição de teste", header_extra: str = ""):
    text = lesson_text(body, title=json.dumps(title, ensure_ascii=False))
    if header_extra:
        text = text.replace("---\n\n", f"{header_extra}\n---\n\n", 1)
    lesson = header_as_text(parse_lesson(text, "lessons_src/01-x.md", slug="01-x"))  # as the build does
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
    page = header_html(render("Texto.\n", title=title).page)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)[1]
    assert "<" not in heading and "onclick" not in page.split("</h1>")[0].split("<h1")[1].split(">")[0]
    assert html.unescape(heading) == title


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


def figure_result(svg: str = "<svg/>", phone_svg: str = "<svg/>") -> BlockResult:
    return BlockResult(figure=svg, figure_size=(614, 384), phone_figure=phone_svg, phone_figure_size=(384, 307))


def test_figure_has_alt_size_caption_and_lazy_loading():
    svg = '<svg width="10pt" height="10pt"></svg>'
    rendered = render('```python alt="Curvas [MSE] e MAE" caption="Figura <1>"\npass\n```\n', figure_result(svg))
    assert rendered.figures["01-x-01.svg"] == svg
    assert '![Curvas \\[MSE\\] e MAE](figuras/01-x-01.svg){ width="614" height="384" loading=lazy }' in rendered.page
    assert "\n/// caption\n    attrs: {class: lesson-figure}\nFigura &lt;1&gt;\n///" in rendered.page


def test_phones_get_the_phone_rendition_of_each_figure_through_a_picture_source():
    body = '```python alt="Uma curva"\npass\n```\n\n```python alt="Outra curva"\npass\n```\n'
    rendered = render(body, figure_result("<svg>1</svg>", "<svg>1c</svg>"), figure_result("<svg>2</svg>", "<svg>2c</svg>"))
    assert rendered.figures == {"01-x-01.svg": "<svg>1</svg>", "celular/01-x-01.svg": "<svg>1c</svg>",
                                "01-x-02.svg": "<svg>2</svg>", "celular/01-x-02.svg": "<svg>2c</svg>"}
    html = markdown.markdown(rendered.page.split("-->", 1)[1], extensions=EXTENSIONS)
    # the page licoes/01-x.md is served at licoes/01-x/: raw HTML addresses start one folder up
    assert ('<p><picture><source media="(max-width: 600px)" srcset="../figuras/celular/01-x-02.svg" '
            'width="384" height="307"><img alt="Outra curva" height="384" loading="lazy" '
            'src="figuras/01-x-02.svg" width="614" /></picture></p>') in html


def test_figure_inside_an_admonition_becomes_a_valid_figure():
    body = '??? note "Gráfico"\n    ```python alt="Uma curva" caption="Legenda"\n    pass\n    ```\n'
    page = render(body, figure_result()).page
    html = markdown.markdown(page.split("-->", 1)[1], extensions=EXTENSIONS)
    assert re.search(r'<details class="note">.*<figure class="lesson-figure">\s*<p><picture><source [^>]+>'
                     r'<img alt="Uma curva".*<figcaption>\s*<p>Legenda</p>\s*</figcaption>\s*</figure>\s*</details>',
                     html, re.S)


def test_timing_output_is_marked_and_explained():
    page = render("```python timing\npass\n```\n", BlockResult(stdout="1.2 ms\n")).page
    start, end = page.index(TIMING_START), page.index(TIMING_END)
    assert start < page.index("1.2 ms") < page.index("Tempos medidos") < end


def to_html(page: str) -> str:
    return markdown.markdown(page.split("-->", 1)[1], extensions=[*EXTENSIONS, "pymdownx.highlight"],
                             extension_configs={"pymdownx.highlight": {"use_pygments": True}})


def test_doctest_block_is_shown_as_a_console_session():
    page = render("```python\n>>> 1 + 1\n2\n```\n", BlockResult()).page
    assert '``` { .pycon data-copy="1 + 1" }\n>>> 1 + 1\n2\n```' in page and ".output" not in page


DOCTEST = r"""```python
>>> def braces(x):
...     return {"x": x, 'tick': "`"}
>>> braces(1) == {"x": 1, 'tick': "`"} < 2
Traceback (most recent call last):
  ...
TypeError: '<' not supported
>>> print("a\\n</div>")
a
<BLANKLINE>
```
"""


def test_doctest_copies_as_runnable_code_without_prompts_or_expected_output():
    html_page = to_html(render(DOCTEST, BlockResult()).page)
    attributes = re.findall(r'<div class="highlight" data-copy="([^"]*)">', html_page)
    assert len(attributes) == 1, html_page
    copied = html.unescape(attributes[0])
    assert copied == ('def braces(x):\n    return {"x": x, \'tick\': "`"}\n'
                      'braces(1) == {"x": 1, \'tick\': "`"} < 2\nprint("a\\\\n</div>")')
    compile(copied, "<copiado>", "exec")
    assert "&gt;&gt;&gt; </span>" in html_page  # the page still shows the session with its prompts


def test_code_that_only_prints_a_table_is_collapsed_above_the_table():
    table = "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    html_page = to_html(render("```python output=markdown\nprint(table)\n```\n", BlockResult(stdout=table)).page)
    assert re.search(r'<details class="ver-codigo">\s*<summary>Ver o código desta tabela</summary>'
                     r'\s*<div class="highlight">.*print.*</details>', html_page, re.S)
    assert html_page.index("</details>") < html_page.index("| a | b |")


def test_markdown_output_that_is_no_table_gets_a_plain_summary():
    page = render("```python output=markdown\npass\n```\n", BlockResult(stdout="**Pronto.**\n")).page
    assert '??? ver-codigo "Ver o código"\n\n    ```python\n    pass\n    ```' in page


def test_markdown_blocks_with_a_figure_or_an_error_keep_their_code_in_view():
    figure = render('```python output=markdown alt="Uma curva"\npass\n```\n',
                    replace(figure_result(), stdout="| a |\n| --- |\n")).page
    error = render("```python output=markdown raises=KeyError\nd['x']\n```\n",
                   BlockResult(exception="KeyError: 'x'")).page
    assert "ver-codigo" not in figure + error
    assert "\n```python\npass\n```" in figure and "\n```python\nd['x']\n```" in error


def test_collapsed_code_inside_an_admonition_keeps_both_indentations():
    body = '??? success "Solução"\n    ```python output=markdown\n    print(1)\n    ```\n'
    page = render(body, BlockResult(stdout="| 1 |\n| --- |\n")).page
    assert '\n    ??? ver-codigo "Ver o código desta tabela"\n\n        ```python\n        print(1)\n        ```' in page


def test_blank_lines_inside_code_are_kept():
    page = render("```python\ndef f():\n    pass\n\n\ng = 1\n```\n", BlockResult()).page
    assert "```python\ndef f():\n    pass\n\n\ng = 1\n```" in page
