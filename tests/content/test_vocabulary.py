"""One vocabulary across the course: every lesson opens with "Antes de começar", links between
lessons resolve, and the reader never sees the spellings the course replaced (English terms outside
their one parenthesis, "multi-rótulo", a list of decimal-comma numbers separated by commas).

"What the reader sees" is the prose, the alt text and captions of figures, and the strings and
comments of the lesson code (what it prints, its plot labels); code identifiers stay in English.
"""

from __future__ import annotations

import io
import re
import textwrap
import tokenize
import unicodedata
from pathlib import Path

import pytest

from tests.helpers import LESSONS, ROOT

DOCS = ROOT / "docs"
HAND_WRITTEN = [DOCS / "index.md", DOCS / "notacao.md", DOCS / "referencias.md", DOCS / "glossario.md",
                ROOT / "includes" / "abreviacoes.md"]
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$",
                   re.S | re.M)
OPTION_TEXT = re.compile(r'\b(?:alt|caption)="([^"]*)"')
LESSON_LINK = re.compile(r"\]\((?P<file>\d\d-[a-z0-9-]+\.md)(?:#(?P<anchor>[^)\s]+))?\)")
REPLACEMENT_FIELD = re.compile(r"\{(?:[^{}]|\{[^{}]*\})*\}")  # {expressão} de uma f-string
ANTES = re.compile(r'\A!!! info "Antes de começar"\n(?P<body>(?:    .*\n|\n)+?)(?=\S)')


def body_of(path: Path) -> str:
    return re.sub(r"\A---\n.*?\n---\n\s*", "", path.read_text(encoding="utf-8"), flags=re.S)


def code_words(code: str) -> str:
    """The strings and comments of a Python block: what it prints, labels and explains."""
    code = textwrap.dedent(code)
    if code.lstrip().startswith(">>>"):
        return code  # a doctest is shown whole, prompts and expected output included
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code
    words = [t.string for t in tokens if t.type in (tokenize.STRING, tokenize.COMMENT)
             or t.type == getattr(tokenize, "FSTRING_MIDDLE", -1)]
    return "\n".join(REPLACEMENT_FIELD.sub(" ", w) if re.match(r"[rbRB]?[fF]", w) else w for w in words)


def reader_text(path: Path) -> str:
    """Everything a reader of this page reads as words, one piece per line group."""
    text = body_of(path)
    pieces = []
    for fence in FENCE.finditer(text):
        pieces += OPTION_TEXT.findall(fence["info"])
        if fence["info"].strip().startswith("python"):
            pieces.append(code_words(fence["body"]))
        if fence["info"].strip() == "pergunta":  # a self-check question: all but its answer expression and id
            pieces.append(re.sub(r"^(?:resposta|id):.*$", " ", fence["body"], flags=re.M))
    prose = FENCE.sub("\n", text)
    prose = re.sub(r"`[^`\n]+`", " ", prose)  # inline code: identifiers and API names
    prose = re.sub(r"\{ #[a-z0-9-]+ \}", " ", prose)  # heading anchors
    prose = re.sub(r"\]\([^)\s]*\)", "]", prose)  # link addresses
    prose = re.sub(r"^\*\*Inglês:\*\*.*$", " ", prose, flags=re.M)  # the glossary's English line
    prose = re.sub(r"^\*\[[^\]]+\]: ", " ", prose, flags=re.M)  # the word an abbreviation explains
    return "\n".join([prose, *pieces])


PAGES = LESSONS + HAND_WRITTEN


def page_id(path: Path) -> str:
    return path.name


# --- Antes de começar -----------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS, ids=page_id)
def test_every_lesson_opens_with_antes_de_comecar(lesson):
    opening = ANTES.match(body_of(lesson))
    assert opening, f'{lesson.name}: o corpo começa com !!! info "Antes de começar"'
    earlier = {other.name for other in LESSONS if other.name < lesson.name}
    linked = {m["file"] for m in LESSON_LINK.finditer(opening["body"])}
    if earlier:
        assert linked & earlier, f"{lesson.name}: 'Antes de começar' liga as lições de que depende"
    else:
        assert "fora do curso" in opening["body"], (
            f"{lesson.name}: a primeira lição diz o que supõe de fora do curso")


def heading_anchors(lesson: Path) -> set[str]:
    """The ids Python-Markdown's toc gives the headings (its default slugify: no accents)."""
    anchors = set()
    for title in re.findall(r"^#{2,6} (.+?)\s*$", FENCE.sub("", body_of(lesson)), re.M):
        title = re.sub(r"[`*]", "", title)
        ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
        anchors.add(re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_title).strip().lower()))
    return anchors


@pytest.mark.parametrize("lesson", LESSONS, ids=page_id)
def test_links_between_lessons_resolve(lesson):
    by_name = {other.name: other for other in LESSONS}
    for link in LESSON_LINK.finditer(body_of(lesson)):
        target = by_name.get(link["file"])
        assert target, f"{lesson.name}: liga {link['file']}, que não existe em lessons_src/"
        assert target != lesson, f"{lesson.name}: link para a própria lição com o nome do arquivo"
        if link["anchor"]:
            assert link["anchor"] in heading_anchors(target), (
                f"{lesson.name}: {link['file']}#{link['anchor']} não é uma seção daquela lição")


def test_lesson_01_points_to_the_noise_behind_each_loss():
    """Lesson 01 tells the reader where the link between noise and loss is derived (lesson 03)."""
    linked = {m["file"] for m in LESSON_LINK.finditer(body_of(LESSONS[0]))}
    assert "03-maxima-verossimilhanca.md" in linked


def test_lesson_04_points_to_lesson_03_for_the_derivations():
    links = [m for m in LESSON_LINK.finditer(body_of(ROOT / "lessons_src" / "04-classificacao.md"))
             if m["file"] == "03-maxima-verossimilhanca.md"]
    anchors = {m["anchor"] for m in links}
    assert {"bernoulli-e-sigmoide-a-entropia-cruzada-binaria",
            "categorica-e-softmax-a-entropia-cruzada"} <= anchors


# --- Termos ----------------------------------------------------------------------

# English term -> the Portuguese the course uses. The English shows up once, in italics, in a
# parenthesis right after the Portuguese; anywhere else it is the wrong spelling.
ENGLISH_ONCE = {
    "outlier": "valor atípico|valores atípicos",
    "gating": "portão",
    "weight decay": "decaimento de pesos",
    "batch norm": "normalização em lote",
    "LLM": "modelos? de linguagem",
    "log-sum-exp": "log-soma-exp",
}
BANNED = {
    "overflow": "estouro",
    "características": "atributos",
    "multi-rótulo": "multirrótulo",
    "multilabel": "multirrótulo",
}


def english_uses(term: str, text: str) -> list[str]:
    return [m[0] for m in re.finditer(rf"(?<![\w-])\(?\*?{re.escape(term)}s?\*?(?![\w-])", text, re.I)]


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_english_terms_appear_once_beside_the_portuguese(page):
    text = reader_text(page)
    for term, portuguese in ENGLISH_ONCE.items():
        uses = english_uses(term, text)
        if not uses:
            continue
        assert len(uses) == 1, f"{page.name}: {term!r} aparece {len(uses)} vezes; depois da primeira, use {portuguese!r}"
        assert uses[0].startswith(("(*", "*")) and uses[0].endswith("*"), (
            f"{page.name}: {term!r} só em itálico, entre parênteses ao lado de {portuguese!r}")
        assert re.search(portuguese, text, re.I), f"{page.name}: {term!r} sem {portuguese!r}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_replaced_spellings_are_gone(page):
    text = reader_text(page)
    found = [f"{word} (use {instead})" for word, instead in BANNED.items()
             if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I)]
    assert not found, f"{page.name}: {found}"


# --- Vírgula decimal: listas separadas por ";" -------------------------------------

DECIMAL_LIST = re.compile(r"(?<![\d.,])\d+,\d+%?\)?, (?:[−-]?\d|[\w()'′]+ = )")
def formatted_then_comma(source: str) -> list[str]:
    """f-string fields `{fmt_br(...)}` followed by ", ": a decimal-comma number closing a list item.
    A field formatted with 0 digits is an integer and may be followed by a comma."""
    found = []
    for start in (m.start() for m in re.finditer(r"\{fmt_\w+\(", source)):
        depth, end = 0, start
        for end in range(start, len(source)):
            depth += {"{": 1, "}": -1}.get(source[end], 0)
            if depth == 0:
                break
        field, after = source[start:end + 1], source[end + 1:end + 5]
        if re.match(r"[%)]*, ", after) and not re.search(r", 0\)(:[^}]*)?\}$", field):
            found.append(field + after)
    return found


JOINED_WITH_COMMA = re.compile(r"""["'], ["']\.join\([^\n]*fmt_""")


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_decimal_comma_numbers_are_listed_with_semicolons(page):
    """0,5; 1 e 2 — never 0,5, 1 e 2, in the prose, the alt text or what the code prints."""
    text = reader_text(page)
    found = [m[0] for m in DECIMAL_LIST.finditer(text)]
    source = body_of(page)
    found += formatted_then_comma(source)
    found += [m[0] for m in JOINED_WITH_COMMA.finditer(source)]
    assert not found, f"{page.name}: separe com ';' números escritos com vírgula decimal: {found}"


def test_the_checks_see_printed_strings_and_alt_text():
    """The reader text includes code strings and figure text, and leaves identifiers out."""
    lesson = ROOT / "lessons_src" / "01-funcoes-de-custo-regressao.md"
    text = reader_text(lesson)
    assert "valores atípicos" in text and "Dezesseis valores atípicos" in text  # print / caption
    assert "outlier_train" not in text
