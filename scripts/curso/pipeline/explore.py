"""Explorable blocks: `explore="delta=0.5,1,*2,5"` runs a block once per setting of its parameters.

This module reads the option and names the settings; execute.py runs them, render.py shows the
default one and writes the others to a states file that docs/javascripts/explorar.js loads.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass

from .numbers import pt_br_number

# Every setting of the grid is executed and its figure published (two renditions). Measured on lesson
# 02's parabola (one panel, 20 points): ~0.4 s of CPU a state, so 48 states are ~20 s of build, and
# 139 KB + 110 KB gzipped in its two states files (README, "Figuras exploráveis").
MAX_STATES = 48
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")
SYMBOLS = {"alpha": "α", "beta": "β", "delta": "δ", "eta": "η", "lr": "η", "learning_rate": "η", "tau": "τ",
           "gamma": "γ", "lambda_": "λ", "lam": "λ", "sigma": "σ", "mu": "μ", "theta": "θ", "omega": "ω"}


class ExploreError(ValueError):
    """A problem in an `explore=` value; source.py adds the file and line."""


@dataclass(frozen=True)
class Parameter:
    name: str
    literals: tuple[str, ...]  # the values as the lesson wrote them (the notebook repeats them)
    default: int  # index of the default value

    @property
    def values(self) -> tuple[float | int, ...]:
        return tuple(ast.literal_eval(literal) for literal in self.literals)

    @property
    def symbol(self) -> str:
        return SYMBOLS.get(self.name, self.name)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(pt_br_number(value) for value in self.values)


def parse_explore(text: str) -> tuple[Parameter, ...]:
    parameters = tuple(_parameter(part) for part in text.split(";") if part.strip())
    if not parameters:
        raise ExploreError("explore= sem parâmetros; escreva como explore=\"delta=0.5,1,*2\"")
    names = [parameter.name for parameter in parameters]
    repeated = next((name for name in names if names.count(name) > 1), None)
    if repeated:
        raise ExploreError(f"explore= repete o parâmetro '{repeated}'")
    count = state_count(parameters)
    if count > MAX_STATES:
        raise ExploreError(f"explore= pede {count} combinações de valores; o limite é {MAX_STATES} "
                           "(cada uma é executada e publicada): use menos valores")
    return parameters


def _parameter(part: str) -> Parameter:
    name, equals, listed = (piece.strip() for piece in part.partition("="))
    if not equals or not NAME.match(name):
        raise ExploreError(f"explore=: '{part.strip()}' não é nome=valores, como delta=0.5,1,*2")
    literals = [item.strip() for item in listed.split(",")]
    if not listed.strip() or not all(literals):
        raise ExploreError(f"explore=: o parâmetro '{name}' precisa de valores separados por vírgula, "
                           "como delta=0.5,1,2")
    defaults = [number for number, literal in enumerate(literals) if literal.startswith("*")]
    if len(defaults) > 1:
        raise ExploreError(f"explore=: o parâmetro '{name}' tem mais de um valor padrão marcado com *")
    literals = [literal.removeprefix("*").strip() for literal in literals]
    for literal in literals:
        _check_number(name, literal)
    if len(set(literals)) != len(literals):
        raise ExploreError(f"explore=: o parâmetro '{name}' repete um valor")
    return Parameter(name, tuple(literals), defaults[0] if defaults else 0)


def _check_number(name: str, literal: str) -> None:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExploreError(f"explore=: '{literal}' (parâmetro '{name}') não é um número do Python, "
                           "como 0.5, -1 ou 1e-3 (ponto decimal)")


def state_count(parameters: tuple[Parameter, ...]) -> int:
    count = 1
    for parameter in parameters:
        count *= len(parameter.literals)
    return count


def settings(parameters: tuple[Parameter, ...]) -> list[tuple[int, ...]]:
    """Every setting, as indices into each parameter's values, the last parameter varying fastest."""
    return list(itertools.product(*(range(len(parameter.literals)) for parameter in parameters)))


def default_setting(parameters: tuple[Parameter, ...]) -> tuple[int, ...]:
    return tuple(parameter.default for parameter in parameters)


def bindings(parameters: tuple[Parameter, ...], setting: tuple[int, ...]) -> dict:
    return {parameter.name: parameter.values[index] for parameter, index in zip(parameters, setting)}


def described(parameters: tuple[Parameter, ...], setting: tuple[int, ...]) -> str:
    """`delta=5, alpha=0.1`: a setting as the lesson wrote it (in error messages)."""
    return ", ".join(f"{parameter.name}={parameter.literals[index]}" for parameter, index in zip(parameters, setting))


def with_values(text: str, parameters: tuple[Parameter, ...], setting: tuple[int, ...]) -> str:
    """`{delta}` in an alt text or caption replaced by the setting's value, written in pt-BR."""
    labels = {parameter.name: parameter.labels[index] for parameter, index in zip(parameters, setting)}
    return PLACEHOLDER.sub(lambda found: labels.get(found["name"], found[0]), text)
