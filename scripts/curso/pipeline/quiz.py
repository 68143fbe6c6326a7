"""Self-check questions ("Teste seu entendimento"): a ```pergunta fence read into a `Question`, and
its numeric answer evaluated in the lesson's namespace at the question's place.

The fence holds `chave: valor` lines; a line indented by at least two spaces continues the previous
value, and `- [x]` / `- [ ]` lines are the options of a multiple-choice question:

    ```pergunta
    tipo: número
    enunciado: Qual é o MSE das previsões acima?
    resposta: mse_value
    tolerância: 1%
    explicação: A média dos quadrados dos resíduos.
    ```

Only the answer expression (and how many code blocks run before it) is execution input; the prose
of a question only changes the page (see cache.py).
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass, replace

from .errors import LessonSourceError

QUESTION_FENCE = "pergunta"
CHOICE, NUMBER = "escolha", "número"
KEYS = {"id", "tipo", "enunciado", "resposta", "tolerância", "explicação"}
KEY_LINE = re.compile(r"^(?P<key>[^\s:]+):\s*(?P<value>.*)$")
OPTION_LINE = re.compile(r"^- \[(?P<mark>[ xX])\]\s+(?P<text>.+)$")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOLERANCE = re.compile(r"^(?P<number>\d+(?:[.,]\d+)?(?:e-?\d+)?)\s*(?P<percent>%?)$")
DEFAULT_TOLERANCE = (0.01, True)  # 1% of the answer: a student types a value rounded to 2-3 digits


def _plain(key: str) -> str:
    """A key without accents, so `tolerancia:` and `tolerância:` are the same key."""
    return "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c)).lower()


PLAIN_KEYS = {_plain(key): key for key in KEYS}
PLAIN_KINDS = {_plain(kind): kind for kind in (CHOICE, NUMBER)}


@dataclass(frozen=True)
class Question:
    line: int  # the line of the opening fence (1-based)
    kind: str  # CHOICE or NUMBER
    prompt: str  # Markdown, one paragraph
    explanation: str  # Markdown shown after answering
    options: tuple[str, ...] = ()  # CHOICE: the options' Markdown, in the lesson's order
    correct: int | None = None  # CHOICE: index of the right option
    answer: str | None = None  # NUMBER: a Python expression over the lesson's names
    answer_line: int = 0
    tolerance: tuple[float, bool] = DEFAULT_TOLERANCE  # NUMBER: (amount, relative to the answer?)
    id: str = ""  # stable across builds: written by the author or `<slug>-<order>`


@dataclass(frozen=True)
class _Field:
    value: str
    line: int


def parse_question(body: list[str], first_line: int, path: str) -> Question:
    """The lines between the fences (`first_line` is the number of the first one)."""
    opening = first_line - 1
    fields, options = _read_fields(body, first_line, path)
    for key in ("tipo", "enunciado", "explicação"):
        if key not in fields:
            raise LessonSourceError(path, opening, f"a pergunta não tem '{key}:'")
    kind = PLAIN_KINDS.get(_plain(fields["tipo"].value))
    if kind is None:
        raise LessonSourceError(path, fields["tipo"].line,
                                f"tipo de pergunta desconhecido: {fields['tipo'].value!r} (use escolha ou número)")
    common = {"line": opening, "kind": kind, "prompt": fields["enunciado"].value,
              "explanation": fields["explicação"].value, "id": _explicit_id(fields, path)}
    if kind == CHOICE:
        return Question(**common, **_choice(fields, options, opening, path))
    return Question(**common, **_number(fields, options, opening, path))


def _read_fields(body: list[str], first_line: int, path: str) -> tuple[dict[str, _Field], list[tuple[str, bool, int]]]:
    fields: dict[str, _Field] = {}
    options: list[tuple[str, bool, int]] = []
    last = None  # what a continuation line extends: a key or the last option
    for number, line in enumerate(body, start=first_line):
        if not line.strip():
            continue
        if line.startswith("  ") and last is not None:
            last = _continue(fields, options, last, line.strip())
            continue
        option = OPTION_LINE.match(line)
        if option:
            options.append((option["text"].strip(), option["mark"] != " ", number))
            last = len(options) - 1
            continue
        key = KEY_LINE.match(line)
        if not key:
            raise LessonSourceError(path, number, "linha fora do formato da pergunta: use 'chave: valor', "
                                                  "'- [x] opção certa', '- [ ] opção' ou recue 2 espaços para continuar")
        name = PLAIN_KEYS.get(_plain(key["key"]))
        if name is None:
            known = ", ".join(sorted(KEYS))
            raise LessonSourceError(path, number, f"chave desconhecida na pergunta: {key['key']!r} (conhecidas: {known})")
        if name in fields:
            raise LessonSourceError(path, number, f"a chave '{name}' aparece duas vezes na pergunta")
        fields[name] = _Field(key["value"].strip(), number)
        last = name
    return fields, options


def _continue(fields: dict[str, _Field], options: list, last, text: str):
    if isinstance(last, int):
        option_text, right, number = options[last]
        options[last] = (f"{option_text} {text}", right, number)
    else:
        fields[last] = replace(fields[last], value=f"{fields[last].value}\n{text}".strip())
    return last


def _explicit_id(fields: dict[str, _Field], path: str) -> str:
    if "id" not in fields:
        return ""
    if not ID_PATTERN.match(fields["id"].value):
        raise LessonSourceError(path, fields["id"].line, f"id de pergunta inválido: {fields['id'].value!r} "
                                                         "(letras minúsculas sem acento, dígitos e hífens)")
    return fields["id"].value


def _choice(fields: dict[str, _Field], options: list, opening: int, path: str) -> dict:
    for key in ("resposta", "tolerância"):
        if key in fields:
            raise LessonSourceError(path, fields[key].line, f"'{key}:' só vale em pergunta do tipo número; "
                                                            "numa de escolha, marque a opção certa com - [x]")
    if len(options) < 2:
        raise LessonSourceError(path, opening, "pergunta de escolha com menos de duas opções ('- [ ] opção')")
    right = [index for index, (_, is_right, _) in enumerate(options) if is_right]
    if len(right) != 1:
        lines = ", ".join(str(options[i][2]) for i in right)
        found = f"{len(right)} (linhas {lines})" if right else "nenhuma"
        raise LessonSourceError(path, opening, f"pergunta de escolha precisa de exatamente uma opção certa "
                                               f"('- [x]'); marcadas: {found}")
    return {"options": tuple(text for text, _, _ in options), "correct": right[0]}


def _number(fields: dict[str, _Field], options: list, opening: int, path: str) -> dict:
    if options:
        raise LessonSourceError(path, options[0][2], "pergunta do tipo número não tem opções '- [ ]'")
    if "resposta" not in fields or not fields["resposta"].value:
        raise LessonSourceError(path, opening, "pergunta do tipo número sem 'resposta:' (uma expressão Python "
                                               "com os nomes da lição, como resposta: mse_value)")
    answer = fields["resposta"]
    try:
        compile(answer.value, path, "eval")
    except SyntaxError as exc:
        raise LessonSourceError(path, answer.line, f"a resposta não é uma expressão Python válida ({exc.msg})") from None
    tolerance = _tolerance(fields.get("tolerância"), path)
    return {"answer": answer.value, "answer_line": answer.line, "tolerance": tolerance}


def _tolerance(written: _Field | None, path: str) -> tuple[float, bool]:
    if written is None:
        return DEFAULT_TOLERANCE
    found = TOLERANCE.match(written.value)
    if not found:
        raise LessonSourceError(path, written.line, f"tolerância inválida: {written.value!r} (um número, como "
                                                    "0,01, ou uma porcentagem da resposta, como 1%)")
    amount = float(found["number"].replace(",", "."))
    return (amount / 100, True) if found["percent"] else (amount, False)


def number_questions(blocks: tuple, slug: str, path: str) -> tuple:
    """Every question gets its id (`<slug>-<order>` unless written); two questions with one id are an error."""
    numbered, seen, order = [], set(), 0
    for block in blocks:
        if isinstance(block, Question):
            order += 1
            block = block if block.id else replace(block, id=f"{slug}-{order}")
            if block.id in seen:
                raise LessonSourceError(path, block.line, f"duas perguntas com o id {block.id!r}")
            seen.add(block.id)
        numbered.append(block)
    return tuple(numbered)


def evaluate_answer(question: Question, namespace: dict, path: str) -> float:
    """The answer's value where the question stands; a failure or a non-number is the author's error."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            value = eval(compile(question.answer, path, "eval"), namespace)  # noqa: S307 - the lesson's own code
    except Exception as exc:  # noqa: BLE001 - any error of the expression is reported the same way
        raise LessonSourceError(path, question.answer_line, f"a resposta {question.answer!r} falhou: "
                                                            f"{type(exc).__name__}: {exc}") from None
    number = _as_number(value)
    if number is None:
        raise LessonSourceError(path, question.answer_line, f"a resposta {question.answer!r} não é um número "
                                                            f"(é {type(value).__name__}: {str(value)[:60]})")
    return number


def _as_number(value) -> float | None:
    """A finite float from an int, a float, a NumPy scalar or a one-element tensor; else None."""
    if isinstance(value, (bool, str, bytes)) or not hasattr(value, "__float__"):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, RuntimeError):
        return None
    return number if math.isfinite(number) else None
