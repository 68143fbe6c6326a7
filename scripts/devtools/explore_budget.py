"""Bytes of the explorable figures (explore=) in a built site: what a page adds, and each one's states.

A lesson page with explorables loads the default state only (its figure, like any figure) and
docs/javascripts/explorar.js; the states files are fetched at the first touch of a slider. Sizes are
gzip level 9, as GitHub Pages (and devtools/static_server.py) sends them. `make bench-site` prints
them; tests/site/test_explore_budget.py holds them to the budget of issue 13.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from curso.pipeline.layout import EXPLORABLES, PAGES, PHONE_FIGURES

SCRIPT = "javascripts/explorar.js"
JS_BUDGET = 10_000  # bytes gzipped added to a page
STATES_BUDGET = 400_000  # bytes gzipped of all the states of one explorable, both renditions
STATES_REFERENCE = re.compile(r'data-estados(?:-celular)?="(?P<url>[^"]+)"')


@dataclass(frozen=True)
class Explorable:
    page: str  # site path of the lesson page's HTML
    states: str  # site path of its states file (the phone rendition sits in PHONE_FIGURES/ beside it)
    count: int  # number of states
    gzipped: int  # the states file, gzipped
    phone_gzipped: int  # the phone rendition's states file, gzipped

    @property
    def total(self) -> int:
        return self.gzipped + self.phone_gzipped


def gzipped_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def explorables(site: Path) -> list[Explorable]:
    found = []
    for states in sorted((site / PAGES / EXPLORABLES).glob("*.json")):
        phone = states.parent / PHONE_FIGURES / states.name
        slug = states.stem.rsplit("-", 1)[0]
        found.append(Explorable(f"{PAGES}/{slug}/index.html", f"{PAGES}/{EXPLORABLES}/{states.name}",
                                len(json.loads(states.read_text(encoding="utf-8"))["estados"]),
                                gzipped_size(states), gzipped_size(phone)))
    return found


def script_size(site: Path) -> int:
    return gzipped_size(site / SCRIPT)


def print_explorables(site: Path) -> None:
    found = explorables(site)
    print(f"\nFiguras exploráveis (explore=): {SCRIPT} = {script_size(site) / 1000:.1f} KB com gzip por página "
          f"(limite {JS_BUDGET // 1000} KB); estados de cada uma, com gzip (limite {STATES_BUDGET // 1000} KB, "
          "as duas versões; o leitor baixa só a da sua tela)")
    for item in found:
        print(f"  {item.states}: {item.count} estados, {item.gzipped / 1000:.0f} KB (computador) + "
              f"{item.phone_gzipped / 1000:.0f} KB (celular) = {item.total / 1000:.0f} KB")
