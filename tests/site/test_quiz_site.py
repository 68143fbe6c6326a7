"""The self-check questions of the real course: at least five per lesson, one "Teste seu entendimento"
section each, and every numeric answer on the built page equal to its expression evaluated in the
lesson's namespace (so no answer key can go stale)."""

from __future__ import annotations

import html
import math
import re

import pytest

from curso.pipeline import layout
from curso.pipeline.source import read_lesson

from tests.helpers import LESSONS

MIN_QUESTIONS = 5
QUESTION = re.compile(r'<form class="autoteste-questao"[^>]*data-tipo="(?P<kind>\w+)".*?</form>', re.S)
SECTION = re.compile(r'<section class="autoteste".*?</section>', re.S)
VALUE = re.compile(r'data-valor="(?P<value>[^"]+)"')


def built_page(built_site, lesson) -> str:
    return (built_site / layout.page_url(layout.lesson_page(lesson.stem)) / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_every_lesson_ends_with_at_least_five_questions_mixing_both_kinds(built_site, lesson):
    page = built_page(built_site, lesson)
    kinds = [found["kind"] for found in QUESTION.finditer(page)]
    assert len(kinds) >= MIN_QUESTIONS, f"{lesson.name}: {len(kinds)} perguntas"
    assert {"escolha", "numero"} <= set(kinds)
    assert page.count('<section class="autoteste"') == 1
    assert len(read_lesson(lesson).questions) == len(kinds)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_numeric_answers_on_the_page_are_the_lessons_own_values(built_site, lesson_globals, lesson):
    page = built_page(built_site, lesson)
    shown = [float(html.unescape(VALUE.search(found[0])["value"])) for found in QUESTION.finditer(page)
             if found["kind"] == "numero"]
    expressions = [question.answer for question in read_lesson(lesson).questions if question.answer]
    assert len(shown) == len(expressions)
    section = SECTION.search(page)[0]
    namespace = lesson_globals(lesson.name)
    for expression, value in zip(expressions, shown):
        assert expression not in section, f"{lesson.name}: a expressão {expression!r} aparece nas perguntas"
        assert math.isclose(value, float(eval(expression, namespace)), rel_tol=1e-11), expression  # noqa: S307
