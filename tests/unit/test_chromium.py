"""The browser helpers never wait for ever, and open pages two at a time (devtools/chromium.py)."""

from __future__ import annotations

import asyncio

import pytest

from devtools.chromium import each_page, run_in_page


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


def test_pages_are_visited_two_at_a_time_and_the_results_come_in_the_order_of_the_jobs():
    open_now, most_open = 0, 0

    async def visit(job: int) -> str:
        nonlocal open_now, most_open
        open_now += 1
        most_open = max(most_open, open_now)
        await asyncio.sleep(0.01 * (5 - job))  # the first jobs finish last
        open_now -= 1
        return f"página {job}"

    assert asyncio.run(each_page(range(5), visit)) == [f"página {job}" for job in range(5)]
    assert most_open == 2, "duas páginas abertas ao mesmo tempo, uma por núcleo"
