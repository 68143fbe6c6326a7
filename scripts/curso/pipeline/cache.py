"""Execution results cached by what execution depends on, a few per lesson.

A lesson's key covers its code blocks in order with the options execution reads, its `pip:` list
and `timeout:`, the execution code (runner.py and the pipeline modules it imports, the house
style), the Python version and requirements.txt. Prose, headings, captions and the rendering code
are not in it: editing them re-renders from the cached result. Never keyed by modification time:
a fresh clone resets every mtime.

Each lesson keeps its last `KEPT` results (least recently used evicted), so undoing an edit is a
hit. A result is written whole under its key's name (the name comes last, by an atomic rename), so
an interrupted run leaves a miss, never a wrong hit; an entry that cannot be read (a truncated
file, a disk error) is a miss too, with a one-line warning.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from pathlib import Path

from .execute import STYLE_FILE, LessonResult
from .quiz import Question
from .source import CodeBlock, Lesson
from .write import write_atomic

PIPELINE_DIR = Path(__file__).parent
EXECUTION_ENTRY = "runner"  # the module the lesson processes start from
FORMAT_VERSION = "2"
KEPT = 4
RECENT = "recent.json"  # keys, most recently used first, with the execution time of each


def execution_code(pipeline_dir: Path | None = None) -> list[Path]:
    """runner.py, the pipeline modules it imports (directly or not) and the house style."""
    folder = pipeline_dir or PIPELINE_DIR
    found: set[str] = set()
    pending = [EXECUTION_ENTRY]
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
            pending += [node.module for node in ast.walk(tree)
                        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module]
    return [folder / f"{name}.py" for name in sorted(found)] + [folder / STYLE_FILE.name]


def pipeline_digest(pipeline_dir: Path | None = None) -> str:
    """A hash of all the pipeline's code and the house style: what rendering depends on besides its input."""
    digest = hashlib.sha256()
    for path in sorted((pipeline_dir or PIPELINE_DIR).glob("*")):
        if path.suffix in {".py", ".mplstyle"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def execution_fingerprint(pins_file: Path, pipeline_dir: Path | None = None) -> str:
    """What every lesson's result depends on besides its own code."""
    digest = hashlib.sha256(f"v{FORMAT_VERSION} python{sys.version_info[:2]}".encode())
    for path in execution_code(pipeline_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if pins_file.exists():
        digest.update(pins_file.read_bytes())
    return digest.hexdigest()


def lesson_key(lesson: Lesson, fingerprint: str) -> str:
    executed = {"pip": list(lesson.pip), "timeout": lesson.timeout,
                "blocks": [[block.code, *block.options.for_execution] for block in lesson.code_blocks],
                "answers": _answer_inputs(lesson)}
    return hashlib.sha256(f"{fingerprint}\0{json.dumps(executed)}".encode()).hexdigest()


def _answer_inputs(lesson: Lesson) -> list[tuple[int, str]]:
    """What execution reads of the questions: each answer expression, and how many code blocks run
    before it (the question's prose is not execution input)."""
    inputs, code_blocks = [], 0
    for block in lesson.blocks:
        code_blocks += isinstance(block, CodeBlock)
        if isinstance(block, Question) and block.answer is not None:
            inputs.append((code_blocks, block.answer))
    return inputs


def _block_lines(lesson: Lesson) -> list[int]:
    return [block.line for block in lesson.code_blocks]


def _mentions_its_file(result: LessonResult) -> bool:
    """Whether an output names the lesson file (a warning, a SyntaxError shown by raises=): then it
    also shows line numbers, and the result holds only while the blocks stay on the same lines."""
    name = f"{result.slug}.md"
    return any(name in (text or "") for block in result.blocks
               for text in (block.stdout, block.value, block.exception))


class ResultCache:
    def __init__(self, directory: Path):
        self.directory = directory

    def load(self, lesson: Lesson, key: str) -> LessonResult | None:
        """The stored result, or None (a miss) when absent, stale, or unreadable."""
        entry_file = self.directory / lesson.slug / f"{key}.json"
        if not entry_file.exists():
            return None
        try:
            entry = json.loads(entry_file.read_text(encoding="utf-8"))
            result = LessonResult.from_json(entry["result"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            print(f"aviso: cache de {lesson.slug} ilegível ({type(exc).__name__}); a lição será executada de novo",
                  file=sys.stderr)
            return None
        if entry.get("lines") not in (None, _block_lines(lesson)):
            return None
        self._remember(lesson.slug, key, result.seconds)
        return result

    def store(self, lesson: Lesson, result: LessonResult, key: str) -> None:
        entry = {"lines": _block_lines(lesson) if _mentions_its_file(result) else None, "result": result.to_json()}
        write_atomic(self.directory / lesson.slug / f"{key}.json", json.dumps(entry, ensure_ascii=False).encode())
        self._remember(lesson.slug, key, result.seconds)

    def last_seconds(self, slug: str) -> float | None:
        """How long the lesson's most recently used result took to execute (None: no history)."""
        recent = self._recent(slug)
        return recent[0]["seconds"] if recent else None

    def _recent(self, slug: str) -> list[dict]:
        try:
            recent = json.loads((self.directory / slug / RECENT).read_text(encoding="utf-8"))
            return [item for item in recent if isinstance(item["key"], str) and isinstance(item["seconds"], float)]
        except (OSError, ValueError, TypeError, KeyError):
            return []

    def _remember(self, slug: str, key: str, seconds: float) -> None:
        """`key` becomes the most recent; entries beyond the last `KEPT` are deleted."""
        before = self._recent(slug)
        recent = [{"key": key, "seconds": float(seconds)}, *(item for item in before if item["key"] != key)][:KEPT]
        if recent == before:
            return  # a no-op build writes nothing
        folder = self.directory / slug
        write_atomic(folder / RECENT, json.dumps(recent).encode())
        kept = {f"{item['key']}.json" for item in recent} | {RECENT}
        for stale in folder.iterdir():
            if stale.name not in kept:
                stale.unlink(missing_ok=True)
