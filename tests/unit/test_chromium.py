"""The browser helpers never wait for ever (devtools/chromium.py)."""

from __future__ import annotations

import asyncio

import pytest

from devtools.chromium import run_in_page


class PageThatNeverAnswers:
    url = "http://127.0.0.1/redes-neurais/licoes/x/"

    async def evaluate(self, script, arg=None):
        await asyncio.Event().wait()


class PageThatAnswers:
    url = "http://127.0.0.1/redes-neurais/"

    async def evaluate(self, script, arg=None):
        return [script, arg]


def test_a_page_that_stops_answering_fails_with_its_address_and_the_script():
    with pytest.raises(TimeoutError, match=r"licoes/x/: a página não respondeu em 0 s a `async \(\) => \{`"):
        asyncio.run(run_in_page(PageThatNeverAnswers(), "async () => {\n  await nothing;\n}", seconds=0.05))


def test_an_answer_in_time_is_returned_as_is():
    assert asyncio.run(run_in_page(PageThatAnswers(), "() => 1", arg=2)) == ["() => 1", 2]
