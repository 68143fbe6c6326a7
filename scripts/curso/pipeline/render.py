"""Turn a lesson and its execution results into the Markdown page MkDocs publishes.

Captured output is text: it goes into a fenced block (escaped by the highlighter); only a block
with `output=markdown` or `output=html` puts its output into the page as markup.
"""

from __future__ import annotations

import doctest
import html
import json
import re
import textwrap
from dataclasses import dataclass, field, replace

import markdown
import yaml

from .execute import BlockResult, LessonResult
from .explore import default_setting, settings, with_values
from .layout import EXPLORABLES, PHONE_FIGURES
from .quiz_render import group_questions, render_questions
from .source import CodeBlock, Lesson, TextBlock

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Characters that would end or break the `{ ... }` attribute list of a fence's header.
ATTRIBUTE_ESCAPES = str.maketrans({"\n": "&#10;", "{": "&#123;", "}": "&#125;", "`": "&#96;"})
MARKDOWN_TABLE_RULE = re.compile(r"^\|? *:?-{3,}", re.M)
TIMING_START = "<!-- saída com tempos medidos: varia a cada execução -->"
TIMING_END = "<!-- fim da saída com tempos medidos -->"
# Screens up to this wide get a figure's phone rendition; wider ones, the full-size figure. At 600 px
# the full-size figure (6.4 in = 461 pt) is shown ~570 px wide, so its 10 pt text is ~12 px.
PHONE_MEDIA = "(max-width: 600px)"
WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 20
TIMING_NOTE = (
    '!!! info "Tempos medidos na compilação desta página"\n'
    "    Estes números vêm da máquina que gerou o site e mudam a cada execução. "
    "Rode o código no seu computador ou no Colab para ver os seus."
)


@dataclass(frozen=True)
class RenderedLesson:
    page: str
    figures: dict[str, str]  # file name (in the figure folder) -> SVG text
    states: dict[str, str] = field(default_factory=dict)  # file name (in the EXPLORABLES folder) -> JSON


def figure_name(slug: str, number: int) -> str:
    return f"{slug}-{number:02d}.svg"


def render_lesson(lesson: Lesson, result: LessonResult, notebook_href: str, figure_dir: str,
                  position: tuple[int, int]) -> RenderedLesson:
    """``position``: (number of this lesson, number of lessons), in the order they were discovered."""
    parts = [front_matter(lesson), _header(lesson, notebook_href, position)]
    figures: dict[str, str] = {}
    states: dict[str, str] = {}
    results = iter(result.blocks)
    answers = iter(result.answers)
    for block in group_questions(lesson.blocks):
        if isinstance(block, tuple):
            parts.append(render_questions(block, answers, lesson))
            continue
        if isinstance(block, TextBlock):
            parts.append(block.text)
            continue
        block_result = next(results)
        if block.options.explore:
            name = figure_name(lesson.slug, len(figures) // 2 + 1)
            if block_result.figure:
                figures[name] = block_result.figure
                figures[f"{PHONE_FIGURES}/{name}"] = block_result.phone_figure
            states_name = states_name_for(lesson.slug, len(states) // 2 + 1)
            states[states_name] = _states_json(block, block_result, phone=False)
            states[f"{PHONE_FIGURES}/{states_name}"] = _states_json(block, block_result, phone=True)
            src = f"{figure_dir}/{name}" if block_result.figure else None
            parts.append(_explorable(block, block_result, src, states_name, len(states) // 2))
        elif block_result.figure:
            name = figure_name(lesson.slug, len(figures) // 2 + 1)  # two renditions per figure
            figures[name] = block_result.figure
            figures[f"{PHONE_FIGURES}/{name}"] = block_result.phone_figure
            parts.append(_code_and_results(block, block_result, f"{figure_dir}/{name}"))
        else:
            parts.append(_code_and_results(block, block_result, None))
    page = "\n".join(part for part in parts if part is not None).rstrip() + "\n"
    return RenderedLesson(page, figures, states)


def front_matter(lesson: Lesson) -> str:
    """The page's front matter: its title (the navigation shows it on every page) and description."""
    meta = {"title": lesson.title, "description": lesson.description}
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{text}---\n"


def _header(lesson: Lesson, notebook_href: str, position: tuple[int, int]) -> str:
    """Title, where the lesson sits and how long it takes, the notebook buttons, and what to install.

    "Abrir no Colab" points at the notebook file here; scripts/curso/hooks/notebook_hook.py, which knows the
    repository, sends it to Colab.
    """
    number, total = position
    parts = [
        f"<!-- Gerado a partir de {lesson.path} por scripts/curso/build.py: não edite este arquivo. -->",
        f"# {lesson.title}",
        f"Lição {number} de {total} · ≈ {reading_minutes(lesson)} min de leitura\n{{ .lesson-meta }}",
        f'[Abrir no Colab]({notebook_href}){{ .md-button .md-button--primary data-colab="{lesson.slug}.ipynb" }} '
        f'[Baixar notebook]({notebook_href}){{ .md-button download="{lesson.slug}.ipynb" }}\n'
        "{ .lesson-actions }",
    ]
    if lesson.pip:
        parts.append(_pip_install(lesson.pip))
    return "\n\n".join(parts) + "\n"


def reading_minutes(lesson: Lesson) -> int:
    """Estimated reading time, in whole minutes (at least 1).

    Prose at 200 words a minute, plus the code shown on the page at 20 non-blank lines a minute
    (3 s a line: code is read slower than prose). Outputs and figures are not counted.
    """
    words = sum(len(re.findall(r"\w+", block.text)) for block in lesson.blocks if isinstance(block, TextBlock))
    code_lines = sum(1 for block in lesson.blocks if isinstance(block, CodeBlock) and not block.options.hide_code
                     for line in block.code.splitlines() if line.strip())
    return max(1, round(words / WORDS_PER_MINUTE + code_lines / CODE_LINES_PER_MINUTE))


def _pip_install(packages: tuple[str, ...]) -> str:
    """The pinned packages Colab lacks; the notebook's first cell installs the same ones."""
    return (
        "Esta lição usa pacotes que o Colab não traz. Antes de rodar o código, instale as versões "
        "fixadas (numa célula do Colab ou do Jupyter, comece a linha com `%`):\n\n"
        + _fence(f"pip install {' '.join(packages)}", "bash")
    )


def _code_and_results(block: CodeBlock, result: BlockResult, figure_src: str | None) -> str:
    pieces = []
    if not block.options.hide_code:
        code = _doctest_fence(block) if block.is_doctest else _fence(block.code.rstrip("\n"), "python")
        pieces.append(_collapsed(code, _summary(result)) if _only_computes_a_table(block, result) else code)
    pieces.extend(_outputs(block, result))
    if figure_src:
        pieces.append(_figure(block, result, figure_src))
    text = "\n\n".join(pieces)
    indented = "\n".join(block.indent + line if line else line for line in text.splitlines())
    return f"\n{indented}\n"


def _doctest_fence(block: CodeBlock) -> str:
    """A console session whose copy button copies only the code, runnable as pasted.

    mkdocs-material copies the `data-copy` attribute of the nearest element that has one instead
    of the text of `<code>`: here the examples' source, without `>>>`/`...` prompts and without
    the expected output. Escaped for an HTML attribute on one line of the fence's header.
    """
    examples = doctest.DocTestParser().get_examples(block.code)
    runnable = "".join(example.source for example in examples).rstrip("\n")
    attribute = html.escape(runnable, quote=True).translate(ATTRIBUTE_ESCAPES)
    return _fence(block.code.rstrip("\n"), f'{{ .pycon data-copy="{attribute}" }}')


def _only_computes_a_table(block: CodeBlock, result: BlockResult) -> bool:
    """An `output=markdown` block without a figure: its Markdown output is what the reader needs."""
    return block.options.output == "markdown" and not result.exception and not result.figure


def _summary(result: BlockResult) -> str:
    return "Ver o código desta tabela" if MARKDOWN_TABLE_RULE.search(result.stdout) else "Ver o código"


def _collapsed(text: str, summary: str) -> str:
    """`text` inside a closed `<details>` (pymdownx.details) whose summary is `summary`."""
    return f'??? ver-codigo "{summary}"\n\n' + textwrap.indent(text, "    ")


def _outputs(block: CodeBlock, result: BlockResult) -> list[str]:
    text = _shown_text(block, result)
    if not text.strip():
        return []
    kind = block.options.output
    if kind == "markdown" and not result.exception:
        shown = [text.strip("\n")]
    elif kind == "html" and not result.exception:
        shown = [f'<div class="output-html" markdown="0">\n{text.strip()}\n</div>']
    else:
        shown = [_fence(text.rstrip("\n"), "{ .text .output }")]
    if block.options.timing:
        shown = [TIMING_START, *shown, TIMING_NOTE, TIMING_END]
    return shown


def _shown_text(block: CodeBlock, result: BlockResult) -> str:
    if block.is_doctest:
        return result.exception or ""
    pieces = [] if block.options.hide_output else [result.stdout, result.value or ""]
    if result.exception:
        pieces.append(result.exception)
    text = "\n".join(piece.rstrip("\n") for piece in pieces if piece)
    return ANSI_ESCAPE.sub("", text)


def _fence(text: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    separator = " " if info.startswith("{") else ""
    return f"{ticks}{separator}{info}\n{text}\n{ticks}"


def _figure(block: CodeBlock, result: BlockResult, src: str) -> str:
    """The image, and with a caption a `/// caption` block around it.

    A caption block (pymdownx.blocks.caption) makes a valid <figure> at any depth; raw
    `<figure markdown>` HTML only works at the top level and breaks inside an admonition.
    """
    alt = re.sub(r"([\\\[\]])", r"\\\1", block.options.alt)
    width, height = result.figure_size
    image = _picture(f'![{alt}]({src}){{ width="{width}" height="{height}" loading=lazy }}', src, result)
    caption = block.options.caption
    if not caption:
        return image
    return f"{image}\n/// caption\n    attrs: {{class: lesson-figure}}\n{html.escape(caption)}\n///"


def _picture(image: str, src: str, result: BlockResult) -> str:
    """The image inside a <picture> whose <source> gives phones the phone rendition.

    Only the rendition that matches the screen is downloaded. The image stays Markdown (MkDocs
    fixes its address); the <source> is raw HTML, which MkDocs leaves as it is, so its address is
    written relative to the page's URL: with directory URLs, `licoes/x.md` is served at
    `licoes/x/`, one folder below the Markdown file.
    """
    folder, name = src.rsplit("/", 1)
    width, height = result.phone_figure_size
    source = (f'<source media="{PHONE_MEDIA}" srcset="../{folder}/{PHONE_FIGURES}/{name}" '
              f'width="{width}" height="{height}">')
    return f"<picture>{source}{image}</picture>"


# --- Explorable blocks (explore=): the default state on the page, the others in a states file ----


def states_name_for(slug: str, number: int) -> str:
    return f"{slug}-{number:02d}.json"


def _explorable(block: CodeBlock, result: BlockResult, figure_src: str | None, states_name: str, number: int) -> str:
    """Code (with the default values bound), default figure, sliders, and the printed text in a live region.

    docs/javascripts/explorar.js loads the states file at the first touch of a slider, never before.
    """
    parameters = block.options.explore
    default = default_setting(parameters)
    shown = replace(block, options=replace(block.options, alt=_filled(block.options.alt, block, default),
                                           caption=_filled(block.options.caption, block, default)))
    pieces = []
    if not block.options.hide_code:
        pieces.append(_fence(_default_bindings(block) + block.code.rstrip("\n"), "python"))
    if figure_src:
        pieces.append(_figure(shown, result, figure_src))
    pieces.append(_sliders(block, number))
    pieces.append('<div class="explorar-saida" aria-live="polite" markdown="1">\n\n'
                  + "\n\n".join(_outputs(block, result)) + "\n\n</div>")
    body = "\n\n".join(pieces)
    wrapper = (f'<div class="explorar" data-estados="../{EXPLORABLES}/{states_name}" '
               f'data-estados-celular="../{EXPLORABLES}/{PHONE_FIGURES}/{states_name}" '
               f'data-celular="{PHONE_MEDIA}" markdown="1">')
    text = f"{wrapper}\n\n{body}\n\n</div>"
    indented = "\n".join(block.indent + line if line else line for line in text.splitlines())
    return f"\n{indented}\n"


def _filled(text: str | None, block: CodeBlock, setting: tuple[int, ...]) -> str | None:
    return text and with_values(text, block.options.explore, setting)


def _default_bindings(block: CodeBlock) -> str:
    """One line per parameter, so that the code copied from the page runs as it is."""
    return "".join(f"{parameter.name} = {parameter.literals[parameter.default]}  "
                   "# valor padrão; os controles abaixo da figura mostram outros valores\n"
                   for parameter in block.options.explore)


def _sliders(block: CodeBlock, number: int) -> str:
    controls = []
    for parameter in block.options.explore:
        control = f"explorar-{number}-{parameter.name}"
        label = parameter.labels[parameter.default]
        controls.append(
            f'<span class="explorar-controle"><label for="{control}">{html.escape(parameter.symbol)}</label>'
            f'<input type="range" id="{control}" min="0" max="{len(parameter.literals) - 1}" step="1" '
            f'value="{parameter.default}" aria-valuetext="{html.escape(parameter.symbol)} = {label}" '
            f'data-simbolo="{html.escape(parameter.symbol)}" data-valores="{html.escape(";".join(parameter.labels))}">'
            f'<output for="{control}" aria-hidden="true">{label}</output></span>')
    # Inline elements in one paragraph: valid HTML also inside an admonition, where md_in_html does not
    # see raw block HTML (it would wrap a <div> in a <p>).
    return f'<span class="explorar-controles">{"".join(controls)}</span>'


def _states_json(block: CodeBlock, result: BlockResult, phone: bool) -> str:
    """Every state in grid order (the last parameter varies fastest): SVG, alt text, caption, output."""
    states = []
    for setting, state in zip(settings(block.options.explore), result.states):
        states.append({
            "svg": (state.phone_figure if phone else state.figure) or "",
            "alt": _filled(block.options.alt, block, setting) or "",
            "legenda": _filled(block.options.caption, block, setting) or "",
            "saida": _output_html(block, state),
        })
    return json.dumps({"estados": states}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _output_html(block: CodeBlock, result: BlockResult) -> str:
    """A state's printed text as the page shows it: a text block, or Markdown made HTML (output=markdown)."""
    text = _shown_text(block, result)
    if not text.strip():
        return ""
    if block.options.output == "markdown" and not result.exception:
        return markdown.markdown(text, extensions=["tables"])
    if block.options.output == "html" and not result.exception:
        return f'<div class="output-html">{text.strip()}</div>'
    return f'<div class="text output highlight"><pre><span></span><code>{html.escape(text.rstrip())}</code></pre></div>'
