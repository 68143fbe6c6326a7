"""Turn a lesson and its results into an executed `.ipynb` that runs as-is in Jupyter or Colab.

The notebook imports only what Colab already has: the house plot style is inlined into its first
code cell, and mkdocs-material syntax (admonitions, tabs) becomes plain Jupyter Markdown.
What a block prints with `output=markdown` is stored as Markdown (tables show as tables), and each
figure as HTML that carries its alt text and caption, which Jupyter, Colab and nbconvert all show.

The same notebook, given `SiteLinks`, is the notebook view of the site (mkdocs-jupyter's nbconvert
setup renders it as is, see scripts/curso/hooks/notebook_hook.py): its figures are the lesson's
published SVG files instead of inlined copies, its links between lessons lead to the lesson pages,
its title is followed by the buttons back to the lesson and to the file, and its math is
arithmatex's markup, which the math hook renders with KaTeX at build time as on a lesson page.
"""

from __future__ import annotations

import ast
import doctest
import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from .execute import STYLE_FILE, BlockResult, LessonResult
from .quiz_render import group_questions, questions_markdown
from .render import figure_name
from .source import CodeBlock, Lesson, TextBlock

CONTAINER = re.compile(r'^(?P<indent>[ \t]*)(?P<kind>!!!|\?\?\?\+?|===)\s*(?P<type>[\w-]*)\s*(?:"(?P<title>.*)")?\s*$')
# A currency sign, escaped for MkDocs as `\$`. Jupyter and Colab pair any two `$` of a cell's source
# into math, even across table cells, and `\$` does not stop all of them (a DOM typesetter sees the
# bare `$` the Markdown renderer leaves). An entity is no `$` for a source scanner, and alone in its
# element it has no partner for a typesetter that reads one text node at a time.
ESCAPED_DOLLAR = re.compile(r"\\\$")
JUPYTER_DOLLAR = "<span>&#36;</span>"
CODE_SPAN = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
# A link to another lesson, as lessons write it: [texto](07-camada-de-saida.md#secao).
LESSON_LINK = re.compile(r'\]\((?P<slug>\d\d-[a-z0-9-]+)\.md(?P<fragment>#[^)\s"]*)?\)')
# Math as lessons write it (arithmatex's syntax): `$$` on lines of their own, `$...$` inside a line.
DISPLAY_MATH = re.compile(r"^(?P<quote>(?:> )*)\$\$(?P<tex>.+?)\$\$[ \t]*$", re.M | re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)(?P<tex>(?:\\.|[^\\$])+?)(?<!\s)\$")
# What stays readable in an SVG data URI; the rest ('"', '<', '>', '#', '%', '&', '$'...) is percent-encoded.
URI_SAFE = "/=:;,.-_()!*'?+@~[]{}"
INTERACT_SETUP = (
    "# Controles para as figuras exploráveis: o ipywidgets vem no Jupyter e no Colab. Sem ele, cada\n"
    "# célula com @interact roda uma vez, com o primeiro valor de cada lista (o valor padrão).\n"
    "try:\n"
    "    from ipywidgets import interact\n"
    "except ImportError:\n"
    "    def interact(**choices):\n"
    "        return lambda show: show(**{name: values[0] for name, values in choices.items()})"
)
ADMONITION_TITLES = {
    "note": "Nota", "info": "Informação", "tip": "Dica", "warning": "Atenção", "danger": "Perigo",
    "question": "Pergunta", "success": "Solução", "example": "Exemplo", "abstract": "Resumo",
    "bug": "Erro comum", "quote": "Citação", "failure": "Falha",
}


@dataclass(frozen=True)
class SiteLinks:
    """Where the notebook view, a page of the site, finds the lesson's figures and the other lessons."""

    figure: Callable[[str], str]  # figure file name -> its URL, relative to the notebook view
    lesson: Callable[[str], str]  # lesson slug -> its page's URL, relative to the notebook view
    download: str  # the standalone notebook's URL, relative to the notebook view


def build_notebook(lesson: Lesson, result: LessonResult, site: SiteLinks | None = None) -> str:
    """The standalone notebook, or with `site` the notebook view of the site."""
    cells = [_markdown_cell(_intro(lesson, site))]  # the title first: it heads the notebook view too
    if lesson.pip:
        install = _code_cell(f"%pip install -q {' '.join(lesson.pip)}", [])
        install["metadata"]["tags"] = ["pip-install"]  # what pip prints depends on the machine
        cells.append(install)
    cells.append(_code_cell(_style_cell_source(), []))
    text = JupyterMarkdown()
    results = iter(result.blocks)
    answers = iter(result.answers)
    figures = 0
    explorable = next((block for block in lesson.code_blocks if block.options.explore), None)
    for block in group_questions(lesson.blocks):
        if isinstance(block, tuple):
            cells.append(_markdown_cell(_for_site(jupyter_dollars(questions_markdown(block, answers, lesson)), site)))
            continue
        if isinstance(block, TextBlock):
            markdown = _trim(jupyter_dollars(text.convert(block.text)))
            if markdown:
                cells.append(_markdown_cell(_for_site(_linked_lessons(markdown, site) if site else markdown, site)))
            continue
        block_result = next(results)
        if block is explorable:
            cells.append(_code_cell(INTERACT_SETUP, []))
        figures += bool(block_result.figure)
        image_src = site.figure(figure_name(lesson.slug, figures)) if site and block_result.figure else None
        cells.extend(_cells_for_code(block, block_result, image_src, site))
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number:03d}"
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _intro(lesson: Lesson, site: SiteLinks | None) -> str:
    return (
        f"# {lesson.title}\n\n"
        + (f"{_view_actions(lesson, site)}\n\n" if site else "")
        + f"Notebook gerado a partir de `{lesson.path}`, já executado. Rode as células na ordem "
        "(no Colab: *Ambiente de execução → Executar tudo*); os números impressos devem ser os mesmos da página."
    )


def _view_actions(lesson: Lesson, site: SiteLinks) -> str:
    """The view's buttons, under its title: back to the lesson, and the file to download."""
    name = escape(f"{lesson.slug}.ipynb")
    return (f'<p class="notebook-actions"><a class="md-button" href="{escape(site.lesson(lesson.slug))}">'
            'Voltar para a lição</a> <a class="md-button md-button--primary" '
            f'href="{escape(site.download)}" download="{name}">Baixar notebook</a></p>')


def _for_site(markdown: str, site: SiteLinks | None) -> str:
    """In the view, each formula becomes arithmatex's markup, as on the lesson pages, which the math hook
    renders with KaTeX at build time; standalone, Jupyter and Colab typeset the `$...$` themselves."""
    return _outside_code(markdown, site_math) if site else markdown


def site_math(markdown: str) -> str:
    """`$$...$$` -> `<div class="arithmatex">\\[...\\]</div>`, `$...$` -> `<span class="arithmatex">\\(...\\)</span>`.

    The TeX is written as character references, so the notebook's Markdown renderer (mistune) reads
    no emphasis, escape, table cell or math of its own in it (a `<div>` that opens a line is raw HTML;
    inside a line, the references come out as the characters, with `<`, `>` and `&` escaped).
    """

    def display(found: re.Match[str]) -> str:
        tex = "\n".join(line.removeprefix(found["quote"]) for line in found["tex"].split("\n")).strip()
        return found["quote"] + '<div class="arithmatex">' + _references("\\[" + tex + "\\]") + "</div>"

    def inline(found: re.Match[str]) -> str:
        tex = "\n".join(line.lstrip("> ") for line in found["tex"].split("\n"))
        return '<span class="arithmatex">' + _references("\\(" + tex + "\\)") + "</span>"

    return INLINE_MATH.sub(inline, DISPLAY_MATH.sub(display, markdown))


def _references(text: str) -> str:
    return "".join(character if character.isalnum() or character == " " else f"&#{ord(character)};"
                   for character in text)


def _trim(markdown: str) -> str:
    """Drop the blank (or bare-quote) lines a split around code leaves at a cell's edges."""
    lines = markdown.splitlines()
    blank = [not line.strip(" >") for line in lines]
    if all(blank):
        return ""
    first, last = blank.index(False), len(blank) - 1 - blank[::-1].index(False)
    return "\n".join(lines[first : last + 1])


def _style_cell_source() -> str:
    settings = {}
    for line in STYLE_FILE.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if line.strip() and not line.lstrip().startswith("#"):
            settings[key.strip()] = value.strip()
    body = ",\n".join(f"    {key!r}: {value!r}" for key, value in settings.items())
    return (
        "# Estilo dos gráficos usado no site (opcional: sem esta célula o código funciona igual).\n"
        "import matplotlib.pyplot as plt\n\n"
        f"plt.rcParams.update({{\n{body},\n}})"
    )


def _linked_lessons(markdown: str, site: SiteLinks) -> str:
    def link(text: str) -> str:
        return LESSON_LINK.sub(lambda found: f"]({site.lesson(found['slug'])}{found['fragment'] or ''})", text)

    return _outside_code(markdown, link)


def _cells_for_code(block: CodeBlock, result: BlockResult, image_src: str | None,
                    site: SiteLinks | None = None) -> list[dict]:
    """`image_src`: where the view finds the block's figure; None inlines the figure."""
    if block.is_doctest:
        return _doctest_cells(block)
    if block.options.raises:
        return [_code_cell(_caught(block), [_stream(result.exception + "\n")])]
    outputs = []
    if result.stdout and block.options.output == "markdown":
        outputs.append(_display({"text/markdown": _for_site(jupyter_dollars(result.stdout), site),
                                 "text/plain": result.stdout}))
    elif result.stdout:
        outputs.append(_stream(result.stdout))
    if result.value is not None:
        outputs.append({"data": {"text/plain": _lines(result.value)}, "execution_count": None,
                        "metadata": {}, "output_type": "execute_result"})
    if result.figure:
        outputs.append(_figure(block, result, image_src))
    cell = _code_cell(_interact_source(block) if block.options.explore else block.code.rstrip("\n"), outputs)
    if block.options.timing:
        cell["metadata"]["tags"] = ["timing"]  # its measured times differ on every run
    return [cell]


def _interact_source(block: CodeBlock) -> str:
    """The block as a function that `interact` reruns for each choice: the default value comes first
    (it is what the cell shows when it runs), and the names the block defines stay in the notebook."""
    choices = ", ".join(f"{parameter.name}=[{', '.join(_default_first(parameter))}]"
                        for parameter in block.options.explore)
    names = sorted(_assigned_names(block.code))
    declared = f"    global {', '.join(names)}\n" if names else ""
    return (f"@interact({choices})\n"
            "def explore(**setting):\n"
            f"{declared}"
            "    globals().update(setting)  # os valores escolhidos valem também nas células seguintes\n"
            + textwrap.indent(block.code.rstrip("\n"), "    "))


def _default_first(parameter) -> list[str]:
    literals = list(parameter.literals)
    return [literals.pop(parameter.default), *literals]


def _assigned_names(code: str) -> set[str]:
    """Names the block binds at its top level (assignments, loops, imports, functions)."""
    names = set()
    for node in ast.parse(code).body:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                names.add(inner.id)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def jupyter_dollars(markdown: str) -> str:
    """Turn MkDocs' `\\$` into a dollar sign that no notebook renderer reads as math (code untouched)."""
    return _outside_code(markdown, lambda text: ESCAPED_DOLLAR.sub(JUPYTER_DOLLAR, text))


def _outside_code(markdown: str, change: Callable[[str], str]) -> str:
    pieces = CODE_SPAN.split(markdown)
    return "".join(piece if number % 2 else change(piece) for number, piece in enumerate(pieces))


def _figure(block: CodeBlock, result: BlockResult, image_src: str | None) -> dict:
    """The SVG as an `<img>` with its alt text (and caption): Colab ignores alt text in metadata.

    Standalone, the SVG is inlined: a percent-encoded data URI compresses as well as the SVG itself
    (base64 would be 50 % bigger gzipped). In the view, the lesson's published file is shown, which
    the browser may already have and loads only when the reader gets near it.
    """
    width, height = result.figure_size
    alt = block.options.alt
    source = f'"{escape(image_src)}" loading="lazy"' if image_src else \
        f'"data:image/svg+xml,{quote(result.figure, safe=URI_SAFE)}"'
    image = (f'<img src={source} alt="{escape(alt)}" '
             f'width="{width}" height="{height}" style="max-width: 100%; height: auto">')
    caption = block.options.caption
    html = f"<figure>{image}<figcaption>{escape(caption)}</figcaption></figure>" if caption else image
    return _display({"text/html": html, "text/plain": f"<Figura: {alt}>"})


def _display(data: dict[str, str]) -> dict:
    return {"data": {kind: _lines(text) for kind, text in data.items()}, "metadata": {},
            "output_type": "display_data"}


def _caught(block: CodeBlock) -> str:
    """An error shown on purpose must not stop "Executar tudo", so the notebook catches it."""
    name = block.options.raises
    return (
        f"# Este bloco lança {name} de propósito; o try/except só deixa o notebook seguir em frente.\n"
        f"try:\n{textwrap.indent(block.code.rstrip(), '    ')}\n"
        f"except {name} as erro:\n"
        f"    print(f\"{{type(erro).__name__}}: {{erro}}\")"
    )


def _doctest_cells(block: CodeBlock) -> list[dict]:
    cells = []
    for example in doctest.DocTestParser().get_examples(block.code):
        source = example.source.rstrip("\n")
        if not example.want:
            outputs = []
        elif _is_expression(source):
            outputs = [{"data": {"text/plain": _lines(example.want.rstrip("\n"))}, "execution_count": None,
                        "metadata": {}, "output_type": "execute_result"}]
        else:
            outputs = [_stream(example.want)]
        cells.append(_code_cell(source, outputs))
    return cells


def _is_expression(source: str) -> bool:
    body = ast.parse(source).body
    is_print = isinstance(body[-1], ast.Expr) and isinstance(body[-1].value, ast.Call) and \
        getattr(body[-1].value.func, "id", None) == "print"
    return len(body) == 1 and isinstance(body[0], ast.Expr) and not is_print


def _stream(text: str) -> dict:
    return {"name": "stdout", "output_type": "stream", "text": _lines(text)}


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _code_cell(source: str, outputs: list[dict]) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": outputs,
            "source": _lines(source)}


def _markdown_cell(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(source)}


def _next_text(lines: list[str], number: int) -> str | None:
    return next((line for line in lines[number + 1 :] if line.strip()), None)


class JupyterMarkdown:
    """Rewrites admonitions, collapsible blocks and tabs as Markdown that Jupyter understands.

    Keeps state across text blocks, because code blocks can sit inside an admonition.
    """

    def __init__(self):
        self.containers: list[tuple[int, bool]] = []  # (content indent, quoted?)

    def convert(self, text: str) -> str:
        lines = text.splitlines()
        return "\n".join(self._line(line, _next_text(lines, number)) for number, line in enumerate(lines))

    def _line(self, line: str, next_text: str | None) -> str:
        """A blank line belongs to the containers that the next non-blank line is still in."""
        self._close_before(line if line.strip() else next_text)
        quotes = "> " * sum(quoted for _, quoted in self.containers)
        match = CONTAINER.match(line)
        if match:
            return self._open(match, quotes)
        depth_indent = self.containers[-1][0] if self.containers else 0
        return (quotes + line[depth_indent:]).rstrip()

    def _close_before(self, line: str | None) -> None:
        if line is None:
            return
        indent = len(line) - len(line.lstrip(" "))
        while self.containers and indent < self.containers[-1][0]:
            self.containers.pop()

    def _open(self, match: re.Match, quotes: str) -> str:
        indent = len(match["indent"])
        if match["kind"] == "===":
            self.containers.append((indent + 4, False))
            return f"{quotes}**{match['title']}**"
        title = match["title"] or ADMONITION_TITLES.get(match["type"], match["type"].capitalize())
        self.containers.append((indent + 4, True))
        return f"{quotes}> **{title}**" if title else f"{quotes}>"
