"""Self-check questions on the page: each run of ```pergunta blocks becomes one "Teste seu entendimento"
section of accessible forms (docs/javascripts/quiz.js checks the answers in the browser).

The markup is a contract with the printable teacher's edition: `section.autoteste` wraps a group and
starts with its heading, each question is a `.autoteste-questao`, and its `.autoteste-resposta` holds
the right answer and the explanation (hidden by the CSS until the student answers). Author text is
Markdown without raw HTML (untrusted.safe_markdown); the answer expression never reaches the page, only
its value.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from string import ascii_lowercase

from .numbers import pt_br_number
from .quiz import CHOICE, Question
from .source import Lesson, TextBlock
from .untrusted import safe_markdown

HEADING = "Teste seu entendimento"
INTRO = ("Responda e confira na hora. As respostas ficam guardadas só neste navegador; "
         "\u201cRecomeçar\u201d apaga as desta lição.")
# The answer as the page checks it: 12 significant digits, so that the last bits of a float, which
# differ between runs of some computations (a float32 least-squares solve), never change the page.
STORED_DIGITS = 12


def group_questions(blocks: tuple) -> list:
    """The blocks with each run of questions (only blank text between them) as one tuple."""
    grouped: list = []
    for block in blocks:
        if isinstance(block, Question) and grouped and isinstance(grouped[-1], tuple):
            grouped[-1] += (block,)
        elif isinstance(block, Question):
            grouped.append((block,))
        elif not (isinstance(block, TextBlock) and not block.text.strip() and grouped
                  and isinstance(grouped[-1], tuple)):
            grouped.append(block)
    return grouped


def render_questions(questions: tuple[Question, ...], answers: Iterator[float], lesson: Lesson) -> str:
    """One "Teste seu entendimento" section; `answers` yields the numeric answers in order."""
    forms = [_question(question, number, answers, lesson) for number, question in enumerate(questions, start=1)]
    return "\n\n".join([
        f'<section class="autoteste" data-licao="{html.escape(lesson.slug)}" markdown="1">',
        f"## {HEADING}",
        f'<p class="autoteste-intro">{html.escape(INTRO)}</p>',
        *forms,
        f'<div class="autoteste-placar-linha"><p class="autoteste-placar" role="status">'
        f'{len(questions)} perguntas</p> <button type="button" class="md-button autoteste-recomecar">'
        f"Recomeçar</button></div>",
        "</section>",
    ]) + "\n"


def questions_markdown(questions: tuple[Question, ...], answers: Iterator[float], lesson: Lesson) -> str:
    """The same section for a notebook: plain Markdown, each answer in a closed `<details>`."""
    parts = [f"## {HEADING}"]
    for number, question in enumerate(questions, start=1):
        key = _AnswerKey(question, answers, lesson)
        # Lettered: an option that is only inline code would leave a bare "-" in mkdocs-jupyter's
        # table of contents, which drops code spans (a "-" line under another is a heading).
        options = "\n".join(f"- {letter}) {key.text(option)}" for letter, option in zip(ascii_lowercase, question.options))
        parts += [f"**Pergunta {number}.** {key.text(question.prompt)}", *([options] if options else []),
                  f"<details><summary>Ver a resposta</summary>\n\n**Resposta:** {key.shown}\n\n"
                  f"{key.text(question.explanation)}\n\n</details>"]
    return "\n\n".join(parts)


class _AnswerKey:
    """A question's right answer (its value, for a number, is the next of `answers`) and its author
    text made safe."""

    def __init__(self, question: Question, answers: Iterator[float], lesson: Lesson):
        self.question, self.lesson = question, lesson
        self.value = None if question.kind == CHOICE else next(answers)
        self.shown = self.text(question.options[question.correct]) if self.value is None else pt_br_number(self.value)

    def text(self, markdown: str) -> str:
        return safe_markdown(markdown, self.lesson.path, self.question.line)


def _question(question: Question, number: int, answers: Iterator[float], lesson: Lesson) -> str:
    key = _AnswerKey(question, answers, lesson)
    text, shown_answer = key.text, key.shown
    if question.kind == CHOICE:
        attributes = f'data-tipo="escolha" data-correta="{question.correct}"'
        answer_field = _options(question, text)
    else:
        attributes = 'data-tipo="numero"'
        answer_field = _number_input(question, key.value)
    ident = html.escape(question.id)
    return "\n".join([
        f'<form class="autoteste-questao" data-questao="{ident}" {attributes} markdown="1">',
        '<fieldset markdown="1">',
        f'<legend markdown="span"><span class="autoteste-ordem">Pergunta {number}.</span> {text(question.prompt)}</legend>',
        answer_field,
        '<div class="autoteste-acoes"><button type="submit" class="md-button">Verificar</button></div>',
        '<p class="autoteste-retorno" role="status"></p>',
        '<div class="autoteste-resposta" data-search-exclude markdown="1">',  # the key stays out of search
        "",
        f"**Resposta:** {shown_answer}",
        "",
        text(question.explanation),
        "",
        "</div>",
        "</fieldset>",
        "</form>",
    ])


def _options(question: Question, text) -> str:
    name = html.escape(question.id)
    options = [f'<div class="autoteste-opcao" markdown="span"><label><input type="radio" name="{name}" '
               f'value="{index}"> <span>{text(option)}</span></label></div>'
               for index, option in enumerate(question.options)]
    return "\n".join(['<div class="autoteste-opcoes" markdown="1">', *options, "</div>"])


def _number_input(question: Question, value: float) -> str:
    amount, relative = question.tolerance
    tolerance = amount * abs(value) if relative else amount
    field = html.escape(f"{question.id}-valor")
    return (f'<div class="autoteste-campo"><label for="{field}">Sua resposta (use vírgula ou ponto)</label> '
            f'<input type="text" id="{field}" inputmode="decimal" autocomplete="off" spellcheck="false" '
            f'data-valor="{value:.{STORED_DIGITS}g}" data-tolerancia="{tolerance:.{STORED_DIGITS}g}"></div>')
