"""Tests come in kinds, one folder each under tests/, each a registered marker (pytest.ini):
`make test-fast` runs the unit kind alone, so a unit test must not execute the real course."""

from __future__ import annotations

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
KINDS = ("unit", "content", "site", "browser", "slow")
COURSE_FIXTURES = frozenset({"built_site", "lesson_globals"})  # each executes the real lessons


class MisplacedTest(Exception):
    pass


def kind_of(test_file: Path) -> str:
    """The kind of a test is the folder under tests/ that holds it."""
    parts = test_file.resolve().relative_to(TESTS_DIR).parts
    if len(parts) < 2 or parts[0] not in KINDS:
        raise MisplacedTest(f"{test_file}: um teste fica numa das pastas {', '.join(KINDS)} de tests/")
    return parts[0]


def check_fixtures(node_id: str, kind: str, fixtures) -> None:
    """A unit test may not ask for a fixture that executes the real lessons."""
    course = COURSE_FIXTURES.intersection(fixtures)
    if kind == "unit" and course:
        raise MisplacedTest(f"{node_id}: um teste de unidade não pode usar {', '.join(sorted(course))} "
                            "(executa as lições); ele vai para tests/content, tests/site ou tests/slow")
