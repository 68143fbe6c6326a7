"""Read a lesson source (Markdown with front matter and ```python fences) into a `Lesson`."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from .errors import LessonSourceError
from .quiz import QUESTION_FENCE, Question, number_questions, parse_question
from .explore import ExploreError, Parameter, parse_explore

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# Inline math as Pandoc sees it: no space just inside the dollars (so "R$ 10 e R$ 20" is not math).
HEADING_WITH_MATH = re.compile(r"^ {0,3}#{1,6}\s.*(?<![\\\w])\$(\S|\S[^$]*\S)\$")
OUTPUT_KINDS = {"text", "markdown", "html"}
REQUIRED_META = ("title", "description")
KNOWN_META = {"title", "description", "pip", "timeout"}
DEFAULT_TIMEOUT = 900  # seconds a lesson may run; the slowest real lesson takes about a minute
YAML_PROBLEMS = {  # PyYAML's English problem -> what to do, in Portuguese
    "mapping values are not allowed here": "dois-pontos (:) no meio de um valor; se o valor tem ':', "
                                           'escreva-o entre aspas, como title: "Custo: MSE e MAE"',
    "could not find expected ':'": "falta ':' entre a chave e o valor (ou um valor continua na linha "
                                   "seguinte sem recuo)",
    "found unexpected end of stream": "aspas abertas e nunca fechadas",
    "did not find expected key": "linha fora do formato 'chave: valor' (recuo a mais?)",
    "found character '\\t' that cannot start any token": "tabulação no cabeçalho: use espaços",
    "found character '@' that cannot start any token": "um valor não pode começar com @: escreva-o entre aspas",
    "found character '`' that cannot start any token": "um valor não pode começar com `: escreva-o entre aspas",
}


@dataclass(frozen=True)
class BlockOptions:
    """What a ```python fence line asks for; the lesson writes `hide-code`, the code reads `hide_code`."""

    hide_code: bool = False  # show only the results
    hide_output: bool = False  # run, but do not show what the block printed
    timing: bool = False  # the output has measured times: the page warns that they vary
    alt: str | None = None  # the figure's alt text (required when the block draws one)
    caption: str | None = None  # the figure's caption
    raises: str | None = None  # the exception the block must raise
    output: str = "text"  # how printed text is shown: text, markdown or html
    explore: tuple[Parameter, ...] = ()  # run once per setting of these parameters (explore.py)

    @property
    def for_execution(self) -> tuple:
        """The part of the options that execution reads (see execute.py): the rest only changes the page."""
        explored = [[p.name, list(p.literals), p.default] for p in self.explore]
        return (self.raises, self.alt is not None, explored) if explored else (self.raises, self.alt is not None)


FLAG_OPTIONS = {f.name.replace("_", "-") for f in fields(BlockOptions) if f.type == "bool"}
PARSED_OPTIONS = {"explore": parse_explore}  # options whose text becomes a typed value
VALUE_OPTIONS = {f.name.replace("_", "-") for f in fields(BlockOptions)} - FLAG_OPTIONS


@dataclass(frozen=True)
class CodeBlock:
    code: str
    line: int  # line of the first code line in the source file (1-based)
    indent: str
    options: BlockOptions = field(default_factory=BlockOptions)

    @property
    def is_doctest(self) -> bool:
        return self.code.lstrip().startswith(">>>")


@dataclass(frozen=True)
class TextBlock:
    text: str


@dataclass(frozen=True)
class Lesson:
    path: str  # as shown in messages, e.g. "lessons_src/01-x.md"
    slug: str
    title: str
    description: str
    pip: tuple[str, ...]
    blocks: tuple
    source: str
    timeout: float = DEFAULT_TIMEOUT

    @property
    def code_blocks(self) -> list[CodeBlock]:
        return [b for b in self.blocks if isinstance(b, CodeBlock)]

    @property
    def questions(self) -> list[Question]:
        return [b for b in self.blocks if isinstance(b, Question)]

    @property
    def code(self) -> str:
        """All the executed code; execution reads nothing else of the source (see cache.py)."""
        return "".join(block.code for block in self.code_blocks)


def imports_package(source: str, package: str) -> bool:
    """Whether some line of the lesson imports `package` (used to import it ahead of time)."""
    return re.search(rf"^\s*(import|from)\s+{re.escape(package)}\b", source, re.MULTILINE) is not None


def read_lesson(path: Path, shown_as: str | None = None) -> Lesson:
    shown = shown_as or str(path)
    try:
        source = path.read_text(encoding="utf-8").removeprefix("\ufeff")  # editors may add a BOM
    except UnicodeDecodeError as exc:
        raise LessonSourceError(shown, 1, f"o arquivo não está em UTF-8 ({exc.reason})") from None
    return parse_lesson(source, shown, slug=path.stem)


def parse_lesson(source: str, path: str, slug: str) -> Lesson:
    lines = source.splitlines()
    meta, body_start = _front_matter(lines, path)
    blocks = number_questions(tuple(_split_blocks(lines, body_start, path)), slug, path)
    return Lesson(
        path=path,
        slug=slug,
        title=meta["title"],
        description=meta["description"],
        pip=tuple(meta.get("pip", ())),
        blocks=blocks,
        source=source,
        timeout=meta.get("timeout", DEFAULT_TIMEOUT),
    )


def _front_matter(lines: list[str], path: str) -> tuple[dict, int]:
    if not lines or lines[0].strip() != "---":
        raise LessonSourceError(path, 1, "a lição deve começar com um cabeçalho YAML entre linhas '---'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise LessonSourceError(path, 1, "cabeçalho YAML sem a linha '---' de fechamento") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if getattr(exc, "problem", None) == "found unexpected end of stream":
            mark = getattr(exc, "context_mark", None) or mark  # where the unclosed quote opened
        line = 2 + mark.line if mark else 1
        raise LessonSourceError(path, line, f"cabeçalho YAML inválido: {_yaml_problem(exc)}") from None
    if not isinstance(meta, dict):
        raise LessonSourceError(path, 2, "o cabeçalho YAML deve ser um mapeamento 'chave: valor'")
    _check_meta(meta, path)
    return meta, end + 1


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc)
    known = YAML_PROBLEMS.get(problem)
    if known:
        return known
    return f"{problem} (se um valor tem ':', '#' ou aspas, escreva-o entre aspas duplas)"


def _check_meta(meta: dict, path: str) -> None:
    for key in REQUIRED_META:
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise LessonSourceError(path, 1, f"falta a chave '{key}' (texto) no cabeçalho YAML")
    unknown = sorted(set(meta) - KNOWN_META)
    if unknown:
        known = ", ".join(sorted(KNOWN_META))
        raise LessonSourceError(path, 1, f"chave desconhecida no cabeçalho: {unknown[0]!r} (conhecidas: {known})")
    pip = meta.get("pip", [])
    if not isinstance(pip, list) or not all(isinstance(p, str) and "==" in p for p in pip):
        raise LessonSourceError(path, 1, "'pip' deve ser uma lista de pacotes fixados, como ['lightning==2.5.0']")
    timeout = meta.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise LessonSourceError(path, 1, "'timeout' deve ser o tempo máximo da lição em segundos, como timeout: 600")


def _split_blocks(lines: list[str], start: int, path: str):
    text: list[str] = []
    i = start
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            _check_heading(lines[i], path, i + 1)
            text.append(lines[i])
            i += 1
            continue
        end = _closing_fence(lines, i, match, path)
        language = match["info"].strip().split(" ", 1)[0].split("{", 1)[0]
        if language in ("python", QUESTION_FENCE):
            if text:
                yield TextBlock("\n".join(text))
                text = []
            yield _code_block(lines, i, end, match, path) if language == "python" else _question(lines, i, end, path)
        else:
            text.extend(lines[i : end + 1])
        i = end + 1
    if text:
        yield TextBlock("\n".join(text))


def _check_heading(line: str, path: str, number: int) -> None:
    if HEADING_WITH_MATH.match(line):
        raise LessonSourceError(path, number, "fórmula em título: o sumário da página não mostra matemática; "
                                              "escreva o título sem $...$")


def _closing_fence(lines: list[str], opening: int, match: re.Match, path: str) -> int:
    fence = match["fence"]
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for j in range(opening + 1, len(lines)):
        if closing.match(lines[j]):
            return j
    raise LessonSourceError(path, opening + 1, f"bloco de código aberto com {fence} e nunca fechado")


def _code_block(lines: list[str], opening: int, closing: int, match: re.Match, path: str) -> CodeBlock:
    indent = match["indent"]
    options = parse_options(match["info"].strip()[len("python") :], path, opening + 1)
    body = []
    for number in range(opening + 1, closing):
        line = lines[number]
        if line.strip() and not line.startswith(indent):
            raise LessonSourceError(path, number + 1, "linha de código com recuo menor que o da cerca ```python")
        body.append(line[len(indent) :] if line.strip() else "")
    return CodeBlock(code="\n".join(body) + "\n", line=opening + 2, indent=indent, options=options)


def _question(lines: list[str], opening: int, closing: int, path: str) -> Question:
    indent = len(lines[opening]) - len(lines[opening].lstrip())
    return parse_question([line[indent:] for line in lines[opening + 1 : closing]], opening + 2, path)


def parse_options(text: str, path: str, line: int) -> BlockOptions:
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise LessonSourceError(path, line, f"opções do bloco mal escritas ({exc}); use aspas duplas") from None
    options: dict = {}
    previous = None
    for token in tokens:
        name, has_value, value = token.partition("=")
        if name in FLAG_OPTIONS and not has_value:
            options[name] = True
        elif name in VALUE_OPTIONS and has_value and value.strip():
            options[name] = value
        elif previous in VALUE_OPTIONS and not has_value:
            raise LessonSourceError(path, line, f"o valor de '{previous}' tem espaços: use aspas, "
                                                f'como {previous}="{options[previous]} {token}"')
        else:
            raise LessonSourceError(path, line, _option_problem(name, has_value))
        previous = name
    if options.get("output", "text") not in OUTPUT_KINDS:
        raise LessonSourceError(path, line, f"output={options['output']!r} inválido: use text, markdown ou html")
    for name, parse in PARSED_OPTIONS.items():
        if name in options:
            options[name] = _parsed(parse, options[name], path, line)
    return BlockOptions(**{name.replace("-", "_"): value for name, value in options.items()})


def _parsed(parse, text: str, path: str, line: int):
    try:
        return parse(text)
    except ExploreError as exc:
        raise LessonSourceError(path, line, str(exc)) from None


def _option_problem(name: str, has_value: bool) -> str:
    if name in FLAG_OPTIONS:
        return f"a opção '{name}' não recebe valor"
    if name in VALUE_OPTIONS:
        return f"a opção '{name}' precisa de um valor, como {name}=\"...\""
    known = ", ".join(sorted(FLAG_OPTIONS | VALUE_OPTIONS))
    return f"opção de bloco desconhecida: '{name}' (conhecidas: {known})"
