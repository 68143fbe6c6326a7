""""Teste seu entendimento" in a real browser (docs/javascripts/quiz.js): right and wrong answers get
the right feedback, a numeric answer is accepted with a decimal comma, progress survives a reload and
"Recomeçar" clears it, the keyboard alone answers, and axe finds nothing serious once answers show.

The numbers typed are read from the built page (the value the lesson computed), never written here.
"""

from __future__ import annotations

import pytest

from devtools.chromium import THEME_STARTED, run_in_page
from tests.browser.site_audit import Visit, axe_violations, new_context, open_loaded
from tests.browser.test_browser import SERIOUS, base_url, browser, in_browser, loop  # noqa: F401 - shared fixtures

RIGHT = "Certo!"
WRONG = "Ainda não"
QUESTIONS = "section.autoteste .autoteste-questao"
FIRST_CHOICE = '.autoteste-questao[data-tipo="escolha"]'
FIRST_NUMBER = '.autoteste-questao[data-tipo="numero"]'

READ_QUIZ = """() => {
  const forms = [...document.querySelectorAll("section.autoteste .autoteste-questao")];
  const shown = element => element.getClientRects().length > 0 && getComputedStyle(element).display !== "none";
  return {
    score: document.querySelector(".autoteste-placar").textContent,
    questions: forms.map(form => ({
      id: form.dataset.questao, kind: form.dataset.tipo, right: form.dataset.correta,
      classes: form.className, feedback: form.querySelector(".autoteste-retorno").textContent,
      answerShown: shown(form.querySelector(".autoteste-resposta")),
      value: form.querySelector("input[type=text]")?.dataset.valor,
      typed: form.querySelector("input[type=text]")?.value,
      checked: form.querySelector("input[type=radio]:checked")?.value ?? null,
    })),
  };
}"""


def comma_decimal(value: str) -> str:
    """The build's value as a student writes it: decimal comma, six significant digits."""
    return f"{float(value):.6g}".replace(".", ",")


def wrong_number(value: str) -> str:
    return comma_decimal(str(2 * float(value) + 1))


async def quiz(page) -> dict:
    return await page.evaluate(READ_QUIZ)


def by_id(state: dict, question_id: str) -> dict:
    return next(q for q in state["questions"] if q["id"] == question_id)


async def answer_choice(page, question: dict, option: str) -> None:
    form = page.locator(f'.autoteste-questao[data-questao="{question["id"]}"]')
    await form.locator(f'input[type=radio][value="{option}"]').locator("xpath=..").click()  # the label, as a tap
    await form.get_by_role("button", name="Verificar").click()


async def answer_number(page, question: dict, text: str) -> None:
    form = page.locator(f'.autoteste-questao[data-questao="{question["id"]}"]')
    await form.locator("input[type=text]").fill(text)
    await form.get_by_role("button", name="Verificar").click()


async def phone_scenario(browser, base_url: str) -> dict:  # noqa: F811
    url = f"{base_url}licoes/01-funcoes-de-custo-regressao/"
    visit = Visit(url, "celular")
    context = await new_context(browser, "celular", base_url.split("/redes-neurais/")[0], visit, color_scheme="dark")
    steps = {}
    try:
        page = await context.new_page()
        await open_loaded(page, url)
        start = await quiz(page)
        steps["start"] = start
        choice = next(q for q in start["questions"] if q["kind"] == "escolha")
        number = next(q for q in start["questions"] if q["kind"] == "numero")
        wrong_option = "0" if choice["right"] != "0" else "1"
        await answer_choice(page, choice, wrong_option)
        await answer_number(page, number, wrong_number(number["value"]))
        steps["wrong"] = await quiz(page)
        await answer_choice(page, choice, choice["right"])
        await answer_number(page, number, comma_decimal(number["value"]))
        steps["right"] = await quiz(page)
        steps["axe"] = await axe_violations(page, context="section.autoteste")
        await page.reload()
        await open_loaded(page, url)
        steps["reloaded"] = await quiz(page)
        await page.get_by_role("button", name="Recomeçar").click()
        steps["reset"] = await quiz(page)
        await page.reload()
        await run_in_page(page, THEME_STARTED)  # quiz.js runs after the first paint
        steps["reset_reloaded"] = await quiz(page)
        steps["ids"] = (choice["id"], number["id"])
    finally:
        await context.close()
    assert visit.console_errors == [] and visit.off_site == []
    return steps


@pytest.fixture(scope="module")
def phone(loop, browser, base_url):  # noqa: F811
    return loop.run_until_complete(phone_scenario(browser, base_url))


def test_a_wrong_answer_says_ainda_nao_and_shows_the_answer_and_explanation(phone):
    choice_id, number_id = phone["ids"]
    for question_id in (choice_id, number_id):
        before, after = by_id(phone["start"], question_id), by_id(phone["wrong"], question_id)
        assert before["feedback"] == "" and not before["answerShown"]
        assert after["feedback"].startswith(WRONG) and after["answerShown"]
        assert "autoteste-errada" in after["classes"]


def test_a_right_answer_says_certo_and_a_decimal_comma_is_accepted(phone):
    choice_id, number_id = phone["ids"]
    number = by_id(phone["right"], number_id)
    assert "," in number["typed"] or float(number["value"]).is_integer()
    for question_id in (choice_id, number_id):
        assert by_id(phone["right"], question_id)["feedback"] == RIGHT
    total = len(phone["start"]["questions"])
    assert phone["right"]["score"] == f"2 de {total} certas"


def test_progress_survives_a_reload_and_recomecar_clears_it(phone):
    choice_id, number_id = phone["ids"]
    total = len(phone["start"]["questions"])
    reloaded = phone["reloaded"]
    assert reloaded["score"] == f"2 de {total} certas"
    assert by_id(reloaded, choice_id)["checked"] == by_id(reloaded, choice_id)["right"]
    assert by_id(reloaded, number_id)["feedback"] == RIGHT
    for state in (phone["reset"], phone["reset_reloaded"]):
        assert state["score"] == f"0 de {total} certas"
        assert all(q["feedback"] == "" and not q["answerShown"] and q["checked"] is None for q in state["questions"])


def test_answered_questions_have_no_serious_accessibility_violation_in_the_dark_scheme(phone):
    assert [v for v in phone["axe"] if v["impact"] in SERIOUS] == []


async def keyboard_scenario(browser, base_url: str) -> dict:  # noqa: F811
    url = f"{base_url}licoes/08-metricas-de-avaliacao/"
    visit = Visit(url, "computador")
    context = await new_context(browser, "computador", base_url.split("/redes-neurais/")[0], visit)
    try:
        page = await context.new_page()
        await open_loaded(page, url)
        start = await quiz(page)
        first = start["questions"][0]
        assert first["kind"] == "escolha"
        # Tab from the heading just before the first question reaches its first option.
        await page.locator("#teste-seu-entendimento .headerlink").focus()
        await page.keyboard.press("Tab")
        focused = await page.evaluate("() => document.activeElement.name + '|' + document.activeElement.value")
        for _ in range(int(first["right"])):
            await page.keyboard.press("ArrowDown")  # moves the choice within the radio group
        await page.keyboard.press("Space")
        await page.keyboard.press("Tab")  # to "Verificar"
        await page.keyboard.press("Enter")
        after_choice = by_id(await quiz(page), first["id"])
        # The next Tab leaves the first question for the second one's first control.
        await page.keyboard.press("Tab")
        second = start["questions"][1]
        if second["kind"] == "numero":
            await page.keyboard.type(comma_decimal(second["value"]))
            await page.keyboard.press("Enter")
        else:
            for _ in range(int(second["right"])):
                await page.keyboard.press("ArrowDown")
            await page.keyboard.press("Space")
            await page.keyboard.press("Tab")
            await page.keyboard.press("Space")
        after_second = by_id(await quiz(page), second["id"])
        axe = await axe_violations(page, context="section.autoteste")
    finally:
        await context.close()
    assert visit.console_errors == []
    return {"focused": focused, "first": first, "after_choice": after_choice, "after_second": after_second,
            "axe": axe}


def test_the_keyboard_alone_answers_a_choice_and_the_next_question(in_browser):  # noqa: F811
    result = in_browser(keyboard_scenario)
    assert result["focused"] == f"{result['first']['id']}|0"
    assert result["after_choice"]["feedback"] == RIGHT
    assert result["after_second"]["feedback"] == RIGHT
    assert [v for v in result["axe"] if v["impact"] in SERIOUS] == []  # light scheme, focus on a button
