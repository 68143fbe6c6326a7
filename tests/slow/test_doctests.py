"""Every `>>>` example in lessons_src/ runs as a doctest, in its lesson's namespace."""

import doctest

import pytest

from curso.pipeline.source import read_lesson

from tests.helpers import LESSONS


def examples_in(path) -> int:
    blocks = read_lesson(path).code_blocks
    return sum(len(doctest.DocTestParser().get_examples(b.code)) for b in blocks if b.is_doctest)


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_doctests_pass(path, lesson_globals):
    """Executing the lesson runs its doctest blocks; a mismatch raises `lessons_src/<file>:<line>: ...`."""
    lesson_globals(path.name)


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_no_doctest_prompt_hides_in_a_plain_code_block(path):
    """A `>>>` line inside a block that does not start with `>>>` would never be checked."""
    for block in read_lesson(path).code_blocks:
        if not block.is_doctest:
            assert not any(line.startswith(">>> ") for line in block.code.splitlines()), \
                f"{path.name}:{block.line}: exemplo >>> fora de um bloco doctest"
