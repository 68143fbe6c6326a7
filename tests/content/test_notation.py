"""One notation across the course: every symbol in the lessons' formulas is explained in
docs/notacao.md for the lessons that use it, and the clashes the course once had stay gone."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from tests.helpers import LESSONS, ROOT
from curso.pipeline.source import CodeBlock, TextBlock, read_lesson

NOTATION = ROOT / "docs" / "notacao.md"

# Typesetting and relations, not symbols with a meaning of their own.
LAYOUT = {"frac", "tfrac", "dfrac", "left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr",
          "begin", "end", "quad", "qquad", "dots", "ldots", "cdots", "cdot", "le", "ge", "ne",
          "approx", "to", "mapsto", "in", "leftarrow", "Longrightarrow", "pm", "times", "mid",
          "infty", "lfloor", "rfloor", "lVert", "rVert", "underbrace", "sqrt", "text"}
ENVIRONMENTS_AND_BREAKS = re.compile(r"\\(?:begin|end)\{[^{}]*\}|\\\\(?:\[[^\]]*\])?")
TEXT = re.compile(r"\\(?:text|mathrm|textrm)\{([^{}]*)\}")
NAMED_FUNCTION = re.compile(r"\\operatorname\*?\{([^{}]*)\}")
BOLD = re.compile(r"\\(?:mathbf|boldsymbol)\s*(?:\{(\\?[A-Za-z0-9]+)\}|(\\[A-Za-z]+|[A-Za-z]))")
STYLED = re.compile(r"\\(mathcal|mathbb)\{([A-Za-z0-9]+)\}")
CODE_NAMES = {"eps"}  # PyTorch argument names written as symbols
FORMULA = re.compile(r"\$\$(.+?)\$\$|\$((?:[^$\n]|\n(?![ \t]*\n))+?)\$", re.S)


def prose(lesson: Path) -> str:
    """A lesson's reader text: no code blocks, no fenced or inline code, no escaped dollars."""
    blocks = read_lesson(lesson).blocks
    text = "".join(block.text for block in blocks if isinstance(block, TextBlock))
    text = re.sub(r"^([ \t]*)(`{3,}).*?^\1\2[ \t]*$", "", text, flags=re.S | re.M)
    return re.sub(r"(`+)[^`]*?\1", "", text).replace("\\$", "")


def code_formulas(lesson: Path) -> list[str]:
    """Formulas the code prints or draws (table cells, plot labels): `$...$` inside one code line,
    with Python's doubled backslashes undone; f-string fields such as `{name}` are not formulas."""
    found = []
    for block in read_lesson(lesson).blocks:
        if isinstance(block, CodeBlock):
            for line in block.code.replace("R\\\\$", "").replace("R\\$", "").replace("R$", "").splitlines():
                found += [tex.replace("\\\\", "\\") for tex in re.findall(r"\$([^$]+)\$", line)
                          if not re.search(r"\{[a-z_][a-z0-9_]{2,}", tex)]
    return found


def formulas(text: str) -> list[str]:
    return [match.group(1) or match.group(2) for match in FORMULA.finditer(text)]


def names_a_quantity(word: str) -> bool:
    """MSE, VP, HuberLoss, eps: names set in \\text that stand for a quantity, not ordinary words."""
    if word in CODE_NAMES:
        return True
    return re.fullmatch(r"[A-Z][A-Za-z0-9]*", word) is not None and sum(map(str.isupper, word)) >= 2


def symbols(tex: str) -> set[str]:
    """The symbols of one formula: letters, TeX commands with a meaning, named functions,
    acronyms in \\text, and bold letters as `bold:x` (bold and plain are different symbols)."""
    tex = ENVIRONMENTS_AND_BREAKS.sub(" ", tex)
    found = {word for word in TEXT.findall(tex) if names_a_quantity(word)}
    tex = TEXT.sub(" ", tex)
    found |= {name.replace("\\,", " ") for name in NAMED_FUNCTION.findall(tex)}
    tex = NAMED_FUNCTION.sub(" ", tex)
    found |= {"bold:" + (braced or bare).lstrip("\\") for braced, bare in BOLD.findall(tex)}
    tex = BOLD.sub(" ", tex)
    found |= {f"\\{style}{{{letter}}}" for style, letter in STYLED.findall(tex)}
    tex = STYLED.sub(" ", tex)
    found |= {"\\" + name for name in re.findall(r"\\([A-Za-z]+)", tex) if name not in LAYOUT}
    return found | set(re.findall(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", " ", tex)))


def lesson_symbols(lesson: Path) -> set[str]:
    return set().union(*map(symbols, formulas(prose(lesson)) + code_formulas(lesson)))


def notation_rows() -> list[tuple[set[str], set[str]]]:
    """(symbols of the first cell, lesson numbers linked in the last cell) for each table row."""
    rows = []
    for line in NOTATION.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("$"):
            cell_symbols = set().union(*map(symbols, formulas(cells[0])))
            rows.append((cell_symbols, set(re.findall(r"\[(\d\d)\]\(licoes/", cells[3]))))
    return rows


def lesson_number(lesson: Path) -> str:
    return lesson.name[:2]


def formulas_of(number: str) -> list[str]:
    lesson = next(lesson for lesson in LESSONS if lesson_number(lesson) == number)
    return formulas(prose(lesson))


def used_in() -> dict[str, set[str]]:
    uses = defaultdict(set)
    for lesson in LESSONS:
        for symbol in lesson_symbols(lesson):
            uses[symbol].add(lesson_number(lesson))
    return uses


def test_the_symbol_extractor_reads_bold_names_and_acronyms():
    found = symbols(r"\begin{aligned} \hat{y} &= \operatorname{softmax}(\mathbf{W}_l\mathbf{x})_k"
                    r" + \text{VP} \\[4pt] \text{se } \lambda_{\text{max}} + \text{eps} \end{aligned}")
    assert found == {"\\hat", "y", "softmax", "bold:W", "l", "bold:x", "k", "VP", "\\lambda", "eps"}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_symbol_of_a_lesson_is_in_the_notation_page_for_that_lesson(lesson):
    rows = notation_rows()
    number = lesson_number(lesson)
    missing = sorted(symbol for symbol in lesson_symbols(lesson)
                     if not any(symbol in row_symbols and number in row_lessons
                                for row_symbols, row_lessons in rows))
    assert not missing, f"{lesson.name}: símbolos sem linha em notacao.md para a lição {number}: {missing}"


def test_the_notation_page_lists_only_lessons_that_use_the_symbols():
    uses = used_in()
    wrong = [(sorted(row_symbols), sorted(row_lessons - set().union(*(uses[s] for s in row_symbols))))
             for row_symbols, row_lessons in notation_rows()
             if row_lessons - set().union(*(uses[s] for s in row_symbols))]
    assert not wrong


def test_log_is_natural_and_written_log_everywhere():
    for lesson in LESSONS:
        assert not re.search(r"\\ln(?![A-Za-z])", lesson.read_text(encoding="utf-8")), lesson.name
    assert "**$\\log$ é sempre o logaritmo natural**" in NOTATION.read_text(encoding="utf-8")


def test_eta_is_only_the_learning_rate():
    """Lesson 02 once called its additive noise η_i; the noise is ε_i (and ξ_i the multiplicative one)."""
    for lesson in LESSONS:
        assert not re.search(r"\\eta_", lesson.read_text(encoding="utf-8")), lesson.name
    noise = next(formula for formula in formulas_of("02") if "\\sim \\mathcal{N}" in formula)
    assert "(1 + \\xi_i) + \\varepsilon_i" in noise


def test_epsilon_is_only_noise_and_label_smoothing_has_its_own_letter():
    assert used_in()["\\varepsilon"] == {"02"}
    assert "\\epsilon" not in used_in()
    assert any("(1 - \\kappa)\\,[k = y] + \\frac{\\kappa}{K}" in formula for formula in formulas_of("07"))


def test_the_line_is_w_x_plus_b():
    """Lesson 01 wrote the line a + b x and lesson 02 used b as the x coefficient and c as the bias."""
    assert any(formula.strip().startswith("\\hat{y} = w\\,x + b") for formula in formulas_of("01"))
    assert not any("a + b\\,x" in formula for formula in formulas_of("01"))
    assert any(formula.strip().startswith("\\hat{y} = a x^2 + w x + b") for formula in formulas_of("02"))
    assert not any("b x + c" in formula or "b x_i + c" in formula for formula in formulas_of("02"))
    assert used_in()["c"] == {"01"}  # only the constant prediction


def test_classes_are_counted_from_zero():
    for lesson in LESSONS:
        for formula in formulas(prose(lesson)):
            assert not re.search(r"_\{?[jk]\s*=\s*1\}?\^\{?K\}?|z_K\b|z_\{K\}", formula), (lesson.name, formula)


def test_n_counts_examples_and_no_other_letter_does():
    assert "N" not in used_in()  # lesson 03 once wrote N for it, lesson 02 for the number of ReLUs
    assert used_in()["J"] == {"02"}


def test_softmax_outputs_are_p_everywhere():
    assert not any(re.search(r"\bs_[kj]\b", formula)
                   for lesson in LESSONS for formula in formulas(prose(lesson)))
    assert not any("\\lambda_k" in formula for formula in formulas_of("03"))  # the categorical too


def test_features_are_indexed_by_j():
    assert not any("w_i" in formula for formula in formulas_of("04"))


def test_matrices_and_parameter_vectors_are_bold():
    uses = used_in()
    for plain in ("W", "X", "\\theta", "\\phi"):
        assert plain not in uses, plain
    assert {"bold:W", "bold:X", "bold:theta"} <= uses.keys()


def test_one_phi_and_the_prince_swap_is_said():
    for lesson in LESSONS:
        assert not re.search(r"\\phi(?![A-Za-z])", lesson.read_text(encoding="utf-8")), lesson.name
    assert used_in()["bold:varphi"] == {"03"}
    page = " ".join(NOTATION.read_text(encoding="utf-8").split())
    assert "notação do livro do Prince" not in page
    assert "o livro do Prince escreve $\\mathbf{f}[\\mathbf{x}, \\boldsymbol\\varphi]$" in page


def test_adam_step_and_decision_threshold_are_different_letters():
    uses = used_in()
    assert uses["t"] == {"02"} and uses["\\tau"] == {"08"}


def test_one_loss_letter_and_one_indicator():
    for lesson in LESSONS:
        for formula in formulas(prose(lesson)):
            assert "\\mathcal{L}" not in formula and "\\mathbb{1}" not in formula, (lesson.name, formula)
    assert used_in()["\\delta"] == {"01"}  # no Kronecker delta, no backpropagated delta


@pytest.mark.parametrize("page", ["glossario.md", "index.md", "referencias.md"])
def test_hand_written_pages_use_only_symbols_of_the_notation_page(page):
    text = (ROOT / "docs" / page).read_text(encoding="utf-8").replace("\\$", "")
    used = set().union(*map(symbols, formulas(text)))
    explained = set().union(*(row_symbols for row_symbols, _ in notation_rows()))
    assert used <= explained, sorted(used - explained)
