"""The explorable figures (explore=) keep to their budget: the page loads the default state only."""

from __future__ import annotations

import math

from bs4 import BeautifulSoup

from devtools.explore_budget import JS_BUDGET, STATES_BUDGET, SCRIPT, explorables, script_size


def test_the_script_is_small_and_every_explorable_states_file_within_budget(built_site):
    found = explorables(built_site)
    assert found, "nenhuma figura explorável no site"
    assert script_size(built_site) < JS_BUDGET
    for item in found:
        assert item.total < STATES_BUDGET, item


def explorer_script(soup):
    """The page's explorar.js: a script tag, or a preload that the theme's start-up runs
    (overrides/partials/javascripts/startup.html)."""
    name = SCRIPT.split("/")[-1]
    return (soup.find("script", src=lambda src: src and src.endswith(name))
            or soup.find("link", attrs={"data-partida": True}, href=lambda href: href and href.endswith(name)))


def test_a_page_references_only_the_default_state_and_loads_no_states_file(built_site):
    for page in {item.page for item in explorables(built_site)}:
        soup = BeautifulSoup((built_site / page).read_text(encoding="utf-8"), "html.parser")
        boxes = soup.select("div.explorar")
        assert boxes and explorer_script(soup)
        for box in boxes:
            assert len(box.find_all("img")) == 1 and len(box.find_all("source")) == 1
            sliders = box.select("input[type=range]")
            states = math.prod(int(slider["max"]) + 1 for slider in sliders)
            stem = box["data-estados"].rsplit("/", 1)[-1]
            assert next(item.count for item in explorables(built_site) if item.states.endswith(stem)) == states
        assert ".json" not in "".join(str(tag) for tag in soup.find_all(["link", "script", "img", "source"]))
