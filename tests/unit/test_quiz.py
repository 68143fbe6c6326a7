"""Self-check questions (```pergunta): parsing, errors with file:line, answers evaluated where the
question stands, the cache key, and the page (escaped author text, the answer's value, never its
expression)."""

import json
import re

import markdown
import pytest

from curso.pipeline.cache import lesson_key
from curso.pipeline.execute import LessonResult, execute_lesson
from curso.pipeline.notebook import build_notebook
from curso.pipeline.quiz import CHOICE, NUMBER, Question
from curso.pipeline.render import render_lesson
from curso.pipeline.source import LessonSourceError, parse_lesson

from tests.helpers import lesson_text

PATH = "lessons_src/01-x.md"
EXTENSIONS = ["attr_list", "md_in_html", "toc", "pymdownx.superfences", "pymdownx.arithmatex"]
CHOICE_QUESTION = """\
```pergunta
tipo: escolha
enunciado: Qual perda é mínima na mediana?
- [ ] MSE
- [x] MAE
explicação: A mediana só olha a ordem.
```
"""
NUMBER_QUESTION = """\
```pergunta
tipo: número
enunciado: Quanto vale o total?
resposta: sum(numbers) / 8
tolerância: 1%
explicação: A soma dividida por oito.
```
"""
CODE = "```python\nnumbers = [1, 2, 3]\n```\n"


def parse(body: str):
    return parse_lesson(lesson_text(body), PATH, slug="01-x")


def error_of(body: str) -> str:
    with pytest.raises(LessonSourceError) as caught:
        parse(body)
    return str(caught.value)


def executed(tmp_path, body: str) -> tuple:
    path = tmp_path / "01-x.md"
    path.write_text(lesson_text(body), encoding="utf-8")
    lesson = parse_lesson(path.read_text(encoding="utf-8"), PATH, slug="01-x")
    return lesson, execute_lesson(lesson, path)


def page_html(lesson, result: LessonResult) -> str:
    page = render_lesson(lesson, result, notebook_href="nb.ipynb", figure_dir="figuras", position=(1, 1)).page
    return markdown.markdown(page.split("---\n", 2)[2], extensions=EXTENSIONS,
                             extension_configs={"pymdownx.arithmatex": {"generic": True}})


def test_a_choice_and_a_number_question_are_typed_blocks_with_ids_from_the_slug_and_order():
    lesson = parse(CODE + "\n" + CHOICE_QUESTION + "\n" + NUMBER_QUESTION)
    choice, number = lesson.questions
    assert choice == Question(line=10, kind=CHOICE, prompt="Qual perda é mínima na mediana?",
                              explanation="A mediana só olha a ordem.", options=("MSE", "MAE"), correct=1,
                              id="01-x-1")
    assert (number.kind, number.answer, number.answer_line, number.tolerance, number.id) == (
        NUMBER, "sum(numbers) / 8", 21, (0.01, True), "01-x-2")
    assert lesson.code == "numbers = [1, 2, 3]\n"  # questions are not code


def test_continuation_lines_unaccented_keys_an_explicit_id_and_an_absolute_tolerance():
    body = ("```pergunta\nid: minha-pergunta\ntipo: numero\nenunciado: Primeira linha\n  e a segunda.\n"
            "resposta: 2\ntolerancia: 0,5\nexplicacao: Porque.\n```\n")
    question = parse(body).questions[0]
    assert (question.id, question.prompt, question.tolerance) == ("minha-pergunta", "Primeira linha\ne a segunda.",
                                                                   (0.5, False))


@pytest.mark.parametrize("body, line, message", [
    ("```pergunta\ntipo: escolha\nenunciado: E?\n- [ ] a\n- [ ] b\nexplicação: x\n```\n", 6,
     "exatamente uma opção certa ('- [x]'); marcadas: nenhuma"),
    ("```pergunta\ntipo: escolha\nenunciado: E?\n- [x] a\n- [x] b\nexplicação: x\n```\n", 6,
     "marcadas: 2 (linhas 9, 10)"),
    ("```pergunta\ntipo: escolha\nenunciado: E?\n- [x] a\nexplicação: x\n```\n", 6, "menos de duas opções"),
    ("```pergunta\ntipo: escolha\nenunciado: E?\ndica: x\n```\n", 9, "chave desconhecida na pergunta: 'dica'"),
    ("```pergunta\ntipo: número\nenunciado: E?\nexplicação: x\n```\n", 6, "sem 'resposta:'"),
    ("```pergunta\ntipo: número\nenunciado: E?\nresposta: 1 +\nexplicação: x\n```\n", 9,
     "não é uma expressão Python válida"),
    ("```pergunta\ntipo: número\nenunciado: E?\nresposta: 1\ntolerância: pouca\nexplicação: x\n```\n", 10,
     "tolerância inválida: 'pouca'"),
    ("```pergunta\ntipo: texto\nenunciado: E?\nexplicação: x\n```\n", 7, "tipo de pergunta desconhecido"),
    ("```pergunta\ntipo: escolha\n- [x] a\n- [ ] b\nexplicação: x\n```\n", 6, "não tem 'enunciado:'"),
    ("```pergunta\ntipo: escolha\nenunciado: E?\nenunciado: F?\n```\n", 9, "aparece duas vezes"),
    ("```pergunta\ntipo: escolha\nsolto no meio\n```\n", 8, "linha fora do formato da pergunta"),
    ("```pergunta\nid: Com Espaço\ntipo: número\nenunciado: E?\nresposta: 1\nexplicação: x\n```\n", 7,
     "id de pergunta inválido"),
    ("```pergunta\nid: a\ntipo: número\nenunciado: E?\nresposta: 1\nexplicação: x\n```\n\n"
     "```pergunta\nid: a\ntipo: número\nenunciado: E?\nresposta: 1\nexplicação: x\n```\n", 14,
     "duas perguntas com o id 'a'"),
])
def test_a_malformed_question_is_an_error_with_file_and_line(body, line, message):
    error = error_of(body)
    assert error.startswith(f"{PATH}:{line}: ") and message in error, error


def test_the_answer_is_evaluated_after_the_blocks_above_it_and_before_those_below(tmp_path):
    body = (CODE + "\n" + NUMBER_QUESTION + "\n```python\nnumbers = [100]\n```\n\n"
            + NUMBER_QUESTION.replace("tolerância: 1%\n", ""))
    _, result = executed(tmp_path, body)
    assert result.answers == [6 / 8, 100 / 8]


@pytest.mark.parametrize("answer, message", [
    ("undefined_name", "a resposta 'undefined_name' falhou: NameError: name 'undefined_name' is not defined"),
    ("'texto'", "a resposta \"'texto'\" não é um número (é str: texto)"),
    ("numbers", "não é um número (é list: [1, 2, 3])"),
    ("float('nan')", "não é um número"),
])
def test_an_answer_that_fails_or_is_not_a_number_is_an_error_with_its_line(tmp_path, answer, message):
    with pytest.raises(LessonSourceError) as caught:
        executed(tmp_path, CODE + "\n" + NUMBER_QUESTION.replace("sum(numbers) / 8", answer))
    assert str(caught.value).startswith(f"{PATH}:13: ") and message in str(caught.value), str(caught.value)


def test_the_question_prose_is_not_in_the_cache_key_but_the_expression_and_its_place_are():
    key = lesson_key(parse(CODE + "\n" + NUMBER_QUESTION), "f")
    assert lesson_key(parse(CODE + "\n" + NUMBER_QUESTION.replace("o total", "a soma")), "f") == key
    assert lesson_key(parse(CODE + "\n" + NUMBER_QUESTION.replace("/ 8", "/ 9")), "f") != key
    assert lesson_key(parse(NUMBER_QUESTION + "\n" + CODE), "f") != key


def test_the_page_has_one_section_with_the_answer_key_and_never_the_expression(tmp_path):
    lesson, result = executed(tmp_path, CODE + "\n" + CHOICE_QUESTION + "\n" + NUMBER_QUESTION)
    page = page_html(lesson, result)
    assert page.count('<section class="autoteste"') == 1
    assert re.search(r'<section class="autoteste"[^>]*>\s*<h2 id="teste-seu-entendimento">Teste seu entendimento</h2>',
                     page)
    questions = re.findall(r'<form class="autoteste-questao".*?</form>', page, re.S)
    assert len(questions) == 2
    choice, number = questions
    assert 'data-correta="1"' in choice and choice.count('type="radio"') == 2
    assert re.search(r'class="autoteste-resposta"[^>]*>\s*<p><strong>Resposta:</strong> MAE</p>\s*'
                     r"<p>A mediana só olha a ordem.</p>", choice)
    assert 'inputmode="decimal"' in number and 'data-valor="0.75"' in number and 'data-tolerancia="0.0075"' in number
    assert "<strong>Resposta:</strong> 0,75" in number
    assert "sum(numbers)" not in page
    assert 'aria-live' in page or 'role="status"' in page
    assert "<legend>" in choice and "<fieldset>" in choice


def test_author_text_in_a_question_is_escaped(tmp_path):
    body = CHOICE_QUESTION.replace("Qual perda", "Qual <script>alert(1)</script> perda").replace(
        "- [ ] MSE", "- [ ] MSE <img src=x onerror=alert(1)>{: onclick=x }")
    lesson, result = executed(tmp_path, body)
    page = page_html(lesson, result)
    assert "<script>" not in page and "<img" not in page and "onclick" not in page.replace("&#123;: onclick", "")
    assert "&lt;script&gt;" in page or "&lt;script>" in page


def test_the_notebook_has_the_questions_with_each_answer_in_a_closed_details(tmp_path):
    lesson, result = executed(tmp_path, CODE + "\n" + CHOICE_QUESTION + "\n" + NUMBER_QUESTION)
    cells = json.loads(build_notebook(lesson, result))["cells"]
    quiz = ["".join(cell["source"]) for cell in cells if "Teste seu entendimento" in "".join(cell["source"])]
    assert len(quiz) == 1 and quiz[0].startswith("## Teste seu entendimento")
    assert "**Pergunta 1.** Qual perda é mínima na mediana?\n\n- a) MSE\n- b) MAE" in quiz[0]
    assert quiz[0].count("<details><summary>Ver a resposta</summary>") == 2
    assert "**Resposta:** MAE" in quiz[0] and "**Resposta:** 0,75" in quiz[0]
    assert "sum(numbers)" not in quiz[0]
