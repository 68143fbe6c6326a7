"""Cross-lesson content checks: what every reader-visible page (lessons and hand-written docs) must
not say, and what the glossary, the references and the home page must say about the lessons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import GENERATED, LESSONS, ROOT, one_line

DOCS = ROOT / "docs"
READER_PAGES = LESSONS + sorted(DOCS.glob("*.md")) + sorted(GENERATED.glob("*.md"))
PYTORCH_DOCS = "https://docs.pytorch.org/"

# Readers never saw the material the lessons were first written from.
UNSEEN_SOURCES = re.compile(r"\bslides?\b|projeto original|o próprio projeto|caderno que inspirou"
                            r"|de origem desta lição", re.IGNORECASE)


def references_section(lesson: Path) -> str:
    return lesson.read_text(encoding="utf-8").split("## Referências")[-1]


def cited_urls(lesson: Path) -> list[str]:
    return re.findall(r"\]\((https?://[^)\s]+)\)", references_section(lesson))


def lesson_number(lesson: Path) -> str:
    return lesson.name[:2]


@pytest.mark.parametrize("page", READER_PAGES, ids=lambda page: page.name)
def test_no_page_mentions_slides_or_the_original_project(page):
    found = [line.strip() for line in page.read_text(encoding="utf-8").splitlines()
             if UNSEEN_SOURCES.search(line)]
    assert not found, f"{page.name} fala de material que o leitor nunca viu: {found}"


def test_glossary_has_no_placeholder_text():
    text = (DOCS / "glossario.md").read_text(encoding="utf-8")
    for placeholder in ("tema das próximas lições", "ainda não aparece nas lições"):
        assert placeholder not in text
    assert not re.search(r"\)\.,|\.,\s*\[", text)  # a stray "., " glued before a lesson link


def glossary_entry(anchor: str) -> str:
    text = (DOCS / "glossario.md").read_text(encoding="utf-8")
    entry = text.split(f"{{ #{anchor} }}")[1].split("\n### ")[0]
    return " ".join(entry.split())


def test_glossary_r2_says_it_can_be_negative():
    assert "negativo" in glossary_entry("r2")


def test_glossary_leaky_relu_does_not_promise_to_prevent_dead_neurons():
    """Lesson 06 shows Leaky ReLU nets suffer the same accident; they recover instead."""
    entry = glossary_entry("leaky-relu")
    assert "evita neurônios mortos" not in entry
    assert "recuperação" in entry


def test_glossary_xavier_is_not_recommended_for_the_sigmoid():
    """The sigmoid is not centred on zero, and lesson 06 shows Xavier cannot save its gradient."""
    entry = glossary_entry("xavier")
    assert "simétricas como tanh e sigmoide" not in entry
    assert "centradas em zero" in entry and "sigmoide" in entry


def test_glossary_silu_name_and_swish_search_are_told_apart():
    entry = glossary_entry("silu")
    assert "Hendrycks e Gimpel (2016)" in entry
    assert entry.index("SiLU vem de") < entry.index("busca automática")
    assert "(com $\\beta = 1$ é a SiLU); encontrada por busca automática" not in entry


def test_glossary_does_not_type_how_long_the_lessons_take():
    assert "poucos segundos" not in glossary_entry("cpu")


def test_home_page_clone_line_has_no_placeholder_address():
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    clone_lines = [line for line in text.splitlines() if line.strip().startswith("git clone")]
    assert clone_lines
    for line in clone_lines:
        assert "example" not in line and "github.com" not in line  # a fork must not inherit it


def test_home_page_promises_close_numbers_not_identical_ones():
    text = one_line(DOCS / "index.md")
    assert "imprime o mesmo que a página mostra" not in text
    assert "Os números vão bater" not in text
    assert "muito próximos" in text


def test_pytorch_docs_entry_lists_exactly_the_lessons_that_cite_them():
    entry = one_line(DOCS / "referencias.md").split("PyTorch. [Documentação do PyTorch]")[1]
    entry = entry.split(" - ")[0]
    listed = set(re.findall(r"\[(\d\d)\]\(licoes/", entry))
    citing = {lesson_number(lesson) for lesson in LESSONS
              if any(url.startswith(PYTORCH_DOCS) for url in cited_urls(lesson))}
    assert listed == citing
    assert "todas as lições" not in entry or citing == {lesson_number(lesson) for lesson in LESSONS}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_every_reference_outside_pytorch_is_in_the_bibliography(lesson):
    """The PyTorch API pages are summarised in one entry; every other link must be listed."""
    bibliography = (DOCS / "referencias.md").read_text(encoding="utf-8")
    missing = [url for url in cited_urls(lesson)
               if not url.startswith(PYTORCH_DOCS) and url not in bibliography]
    assert not missing


def test_udl_chapter_8_is_not_presented_as_a_metrics_chapter():
    entry = one_line(DOCS / "referencias.md").split('Capítulo 8, "Measuring performance"')[1][:160]
    assert "generalização" in entry
