"""The "Sobre a execução" page: how each lesson's outputs were produced.

It shows only what the results hold (the execution time recorded when each was produced), never
whether this build took them from the cache: then a rebuild that executes nothing rewrites nothing,
and `serve` does not rebuild again because of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .execute import LessonResult
from .source import Lesson


@dataclass(frozen=True)
class LessonRun:
    lesson: Lesson
    result: LessonResult
    from_cache: bool


def render_report(runs: list[LessonRun]) -> str:
    rows = "\n".join(_row(run) for run in runs)
    versions = runs[0].result.versions if runs else {}
    version_rows = "\n".join(f"| {name} | {value} |" for name, value in versions.items())
    return f"""---
title: Sobre a execução
description: Como e com quais versões o código de cada lição foi executado para gerar este site.
---

# Sobre a execução

Todo o código das lições é executado pelo script `scripts/curso/build.py` antes de o site ser montado:
as saídas impressas e as figuras que você vê nas páginas foram produzidas por esse código, nunca
digitadas à mão. Cada lição roda em um processo Python próprio, de cima para baixo, com sementes
aleatórias fixas. Uma lição só é executada de novo quando o seu código, o código que executa as
lições ou as versões fixadas das dependências mudam; uma mudança só no texto reaproveita os
resultados guardados.

## Lições

| Lição | Tempo de execução |
| --- | ---: |
{rows}

O tempo é o da execução que gerou as saídas mostradas, medido em uma única thread.

## Versões

| Pacote | Versão |
| --- | --- |
{version_rows}
"""


def _row(run: LessonRun) -> str:
    seconds = f"{run.result.seconds:.1f}".replace(".", ",")
    return f"| [{run.lesson.title}](licoes/{run.lesson.slug}.md) | {seconds} s |"
