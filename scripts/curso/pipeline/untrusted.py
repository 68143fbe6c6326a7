"""Lesson-author text that lands in pages: the header as plain text, `output=markdown` without HTML.

MkDocs' templates do not escape, so the title and description are escaped (HTML and Markdown) before
they reach the page's front matter, its h1, the report and the notebook. What an `output=markdown` block
prints may use Markdown (tables, emphasis, math, code) but no raw HTML, no attribute lists, no
snippet includes or `///` blocks, and no links other than http(s), mailto, relative ones and anchors; only
`output=html` is trusted, as the README says.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from .execute import BlockResult, LessonResult
from .source import Lesson, LessonSourceError

# Math ($$...$$, $...$ without escaped dollars) and code spans pass as they are: there `<` and `{`
# are mathematics or code, and arithmatex/KaTeX and the highlighter escape them.
VERBATIM = re.compile(r"\$\$.+?\$\$|(?<!\\)\$(?:\\.|[^$\\\n])+?\$|(?P<ticks>`+).+?(?P=ticks)", re.S)
# After html.escape: what Markdown, arithmatex and attr_list would still read as markup in a title
# (emphasis, links, math, `{: ...}`, headings), skipping the entities html.escape just wrote.
HEADER_MARKUP = re.compile(r"(?P<entity>&(?:#\d+|#x[0-9a-f]+|[a-z]+);)|[\\`*_{}\[\]#$!|~]")
MARKUP = {"<": "&lt;", "{": "&#123;", "}": "&#125;"}  # raw HTML; attr_list's {: onclick=...}
LINK_TARGET = re.compile(r"\]\(\s*<?(?P<inline>(?:[^()\s>]|\([^()\s]*\))*)"  # [x](target), one level of ()
                         r"|^\s{0,3}\[[^\]]+\]:\s*<?(?P<reference>\S*?)>?(?:\s|$)", re.MULTILINE)  # [x]: target
BLOCK_SYNTAX = re.compile(r"^(?P<indent>[ \t]*)///", re.MULTILINE)  # pymdownx.blocks: /// caption, attrs
SCHEME = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*):")
SAFE_SCHEMES = {"http", "https", "mailto"}


def header_as_text(lesson: Lesson) -> Lesson:
    return replace(lesson, title=as_text(lesson.title), description=as_text(lesson.description))


def as_text(text: str) -> str:
    """Text that HTML, Markdown, math and attribute lists all show as it is (entities only)."""
    return HEADER_MARKUP.sub(lambda found: found["entity"] or f"&#{ord(found[0])};", html.escape(text))


def safe_results(lesson: Lesson, result: LessonResult) -> LessonResult:
    """The results with every `output=markdown` output made safe (the notebook shows them as text)."""
    blocks = [_safe_block(block, shown, lesson) for block, shown in zip(lesson.code_blocks, result.blocks)]
    return replace(result, blocks=blocks)


def _safe_block(block, shown: BlockResult, lesson: Lesson) -> BlockResult:
    if block.options.output != "markdown" or shown.exception:
        return shown
    return replace(shown, stdout=safe_markdown(shown.stdout, lesson.path, block.line),
                   value=shown.value and safe_markdown(shown.value, lesson.path, block.line),
                   states=[_safe_block(block, state, lesson) for state in shown.states])


def safe_markdown(text: str, path: str, line: int) -> str:
    _check_links(text, path, line)
    pieces, end = [], 0
    for verbatim in VERBATIM.finditer(text):
        pieces += [_escape_markup(text[end:verbatim.start()]), verbatim[0]]
        end = verbatim.end()
    return "".join([*pieces, _escape_markup(text[end:])])


def _escape_markup(text: str) -> str:
    escaped = "".join(MARKUP.get(char, char) for char in text)
    return BLOCK_SYNTAX.sub(r"\g<indent>&#47;//", escaped)


def _check_links(text: str, path: str, line: int) -> None:
    for found in LINK_TARGET.finditer(text):
        target = found["inline"] if found["inline"] is not None else found["reference"]
        plain = re.sub(r"[\s\\\x00-\x1f]", "", html.unescape(target)).lower()
        scheme = SCHEME.match(plain)
        if scheme and scheme["scheme"] not in SAFE_SCHEMES:
            raise LessonSourceError(path, line, f"a saída (output=markdown) tem um link para {target[:40]!r}: "
                                                "só endereços http(s), mailto, relativos ou âncoras (#)")
