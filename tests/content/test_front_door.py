"""The "front door" pages: início (trilha), glossário, notação, referências e as abreviações.

Tudo é conferido contra as fontes das lições (lessons_src/) e o nav do mkdocs.yml, então os testes
falham quando uma lição nova entra no nav sem aparecer na trilha, quando uma lição passa a usar um
termo do glossário sem que o glossário aponte para ela, ou quando um símbolo da notação some das
lições.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SOURCES = {p.name: p for p in sorted((ROOT / "lessons_src").glob("[0-9][0-9]-*.md"))}
CONSULTA = {"Glossário": "glossario.md", "Notação": "notacao.md", "Referências": "referencias.md"}
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.S | re.M)
LESSON_LINK = re.compile(r"\]\(licoes/(\d\d-[a-z0-9-]+\.md)(?:#[^)]*)?\)")


def nav_pages(nav) -> list[str]:
    """Every page path in the nav, in order, whatever the nesting."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    return []


@pytest.fixture(scope="module")
def published(config) -> dict[str, Path]:
    """Lesson sources that are in the nav (licoes/NN-slug.md -> lessons_src/NN-slug.md)."""
    pages = [p.removeprefix("licoes/") for p in nav_pages(config["nav"]) if p.startswith("licoes/")]
    assert pages, "nenhuma lição no nav"
    return {name: SOURCES[name] for name in pages if name in SOURCES}


def prose(text: str) -> str:
    """Lesson text a reader sees as words: no front matter, code blocks, inline code, math, links
    to other lessons (naming the lesson "Classificação" is not using the term) or link addresses."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = FENCE.sub(" ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"(?<!\\)\$[^$\n]+?(?<!\\)\$", " ", text)
    text = re.sub(r"\[[^\]]*\]\(\d\d-[a-z0-9-]+\.md[^)\s]*\)", " ", text)
    text = re.sub(r"\]\([^)\s]*\)", "]", text)
    return re.sub(r"`[^`\n]+`", " ", text)


def occurs(term: str, text: str) -> bool:
    """Case-insensitive, at a word start; a prefix match also catches plurals (logit -> logits).
    An acronym (AP, VP, Fβ) only as a whole word in capitals, or its plural: "AP" is not the start
    of "aparece"."""
    if re.fullmatch(r"[A-Z][A-Z0-9²β]{0,4}", term):
        return re.search(rf"(?<!\w){re.escape(term)}s?(?!\w)", text) is not None
    return re.search(r"(?<!\w)" + re.escape(term), text, re.I) is not None


# Glossary words that are also everyday Portuguese: these phrases use the everyday sense and do
# not count as a lesson using the glossary term.
EVERYDAY_SENSES = {
    "temperatura": r"temperaturas? (de amanhã|altas)|\(preço, temperatura\)",
    "suporte": r"um suporte técnico",
    "atributo": r"atributo\s+de cada parâmetro",  # o atributo .grad de um objeto Python
    "momento": r"\b(no|neste|nesse|naquele|a todo|do) momento\b|momento em que",
    "precisão": r"(com|sem perder|perde|perder) precisão|precisão do\b",  # a precisão numérica
    "sensibilidade": r"sensibilidade dela\b",  # a sensibilidade da média a valores atípicos
    "paciência": r"botões e paciência",
}


def uses(form: str, text: str) -> bool:
    """Does the lesson text use this glossary form in its technical sense?"""
    everyday = EVERYDAY_SENSES.get(form.lower())
    return occurs(form, re.sub(everyday, " ", text, flags=re.I) if everyday else text)


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# --- Glossário ---------------------------------------------------------------

ENTRY = re.compile(r"^### (?P<term>.+?) \{ #(?P<anchor>[a-z0-9-]+) \}\n(?P<body>.*?)(?=^##|\Z)", re.M | re.S)


def glossary() -> list[dict]:
    entries = []
    for m in ENTRY.finditer(read("glossario.md")):
        body = m["body"]
        english = re.search(r"^\*\*Inglês:\*\* \*(.+?)\*", body, re.M)
        also = re.search(r"\*\*Também:\*\* (.+)$", body, re.M)
        lessons_line = re.search(r"^\*\*Lições:\*\* (.+)$", body, re.M)
        entries.append({
            "term": m["term"],
            "anchor": m["anchor"],
            "english": english and english[1],
            "forms": [m["term"]] + ([f.strip() for f in also[1].split(",")] if also else []),
            "lessons": set(LESSON_LINK.findall(lessons_line[1])) if lessons_line else None,
            "definition": body,
        })
    return entries


def test_glossary_entries_are_complete():
    entries = glossary()
    assert len(entries) >= 60
    for entry in entries:
        assert entry["english"], f"{entry['term']}: falta o termo em inglês"
        assert entry["lessons"] is not None, f"{entry['term']}: falta a linha **Lições:**"
        text = re.sub(r"^\*\*(Inglês|Lições):\*\*.*$", "", entry["definition"], flags=re.M).strip()
        assert len(text) > 30, f"{entry['term']}: falta a definição"


def test_glossary_anchors_are_unique_and_headings_too():
    entries = glossary()
    anchors = [e["anchor"] for e in entries]
    assert len(anchors) == len(set(anchors)), "âncora repetida no glossário"
    headings = re.findall(r"\{ #([a-z0-9-]+) \}", read("glossario.md"))
    assert len(headings) == len(set(headings))
    terms = [e["term"].lower() for e in entries]
    assert len(terms) == len(set(terms)), "termo repetido no glossário"


def test_glossary_has_the_core_terms():
    english = " | ".join(e["english"].lower() for e in glossary())
    for term in ["loss function", "likelihood", "logit", "residual", "gradient descent", "learning rate",
                 "epoch", "batch", "overfitting", "underfitting", "early stopping", "activation function",
                 "vanishing gradients", "dead neuron", "cross-entropy", "softmax", "sigmoid", "one-hot",
                 "backpropagation", "automatic differentiation", "xavier", "kaiming", "confusion matrix",
                 "precision", "recall", "specificity", "accuracy", "f1", "roc", "area under the curve",
                 "coefficient of determination", "mean squared error", "mean absolute error",
                 "root mean squared error", "huber", "outlier", "validation", "test set", "multiclass",
                 "multilabel"]:
        assert term in english, f"o glossário não tem {term!r}"


def test_glossary_has_the_terms_of_the_lessons_in_portuguese():
    """Terms the lessons use, under the name the lessons use (a heading or an "também" form)."""
    forms = {f.lower() for e in glossary() for f in e["forms"]}
    for term in ["valor atípico", "multirrótulo", "atributo", "decaimento de pesos", "normalização em lote",
                 "portão", "grande modelo de linguagem", "log-soma-exp", "log-sum-exp", "estouro", "minilote",
                 "momento", "adam", "ap", "curva pr", "limiar de decisão", "macro", "micro", "média ponderada",
                 "suporte", "fβ", "vp", "fp", "fn", "vn", "jacobiana", "temperatura", "pré-ativação",
                 "auto-normalizante", "classes desbalanceadas", "calibração", "pontuação de brier", "mcc",
                 "bootstrap", "acurácia balanceada", "diagrama de confiabilidade", "intervalo de confiança"]:
        assert term in forms, f"o glossário não tem {term!r}"


def test_glossary_lists_every_published_lesson_that_uses_a_term(published):
    texts = {name: prose(path.read_text(encoding="utf-8")) for name, path in published.items()}
    missing = []
    for entry in glossary():
        using = {name for name, text in texts.items() if any(uses(f, text) for f in entry["forms"])}
        if not using <= entry["lessons"]:
            missing.append(f"{entry['term']} (#{entry['anchor']}): faltam {sorted(using - entry['lessons'])}")
    assert not missing, "termos usados em lições que o glossário não cita:\n" + "\n".join(missing)


def test_glossary_lists_only_lessons_that_mention_the_term(published):
    """The other way round: a lesson in an entry's list names the term somewhere (its prose, its
    code or a link to the lesson that explains it)."""
    sources = {name: path.read_text(encoding="utf-8") for name, path in published.items()}
    extra = [f"{entry['term']} (#{entry['anchor']}): {name}" for entry in glossary()
             for name in sorted(entry["lessons"] & set(sources))
             if not any(occurs(form, sources[name]) for form in entry["forms"])]
    assert not extra, "o glossário cita lições que não falam do termo:\n" + "\n".join(extra)


def test_glossary_links_only_to_published_lessons(published):
    linked = set(LESSON_LINK.findall(read("glossario.md")))
    assert linked <= set(published), f"lições fora do nav: {sorted(linked - set(published))}"


# --- Abreviações (dicas ao passar o mouse, em todas as páginas) --------------

def abbreviations() -> dict[str, str]:
    text = (ROOT / "includes" / "abreviacoes.md").read_text(encoding="utf-8")
    pairs = re.findall(r"^\*\[(.+?)\]: (.+)$", text, re.M)
    assert len(pairs) == len([line for line in text.splitlines() if line.strip()]), "linha fora do formato *[X]: ..."
    return dict(pairs)


def test_every_abbreviation_has_a_glossary_entry():
    forms = {f.lower() for e in glossary() for f in e["forms"]}
    words = {w for f in forms for w in re.split(r"\s+", f)}
    for abbr, text in abbreviations().items():
        key = abbr.lower()
        assert key in forms or key in words or key.removesuffix("s") in forms | words, (
            f"a abreviação {abbr!r} não tem entrada no glossário")
        assert " — " in text and len(text) > 20, f"{abbr}: use 'inglês — definição curta'"


def test_abbreviations_are_used_and_not_noise(published):
    texts = " ".join(prose(p.read_text(encoding="utf-8")) for p in published.values())
    for abbr in abbreviations():
        # exact, case-sensitive words, as the abbr extension matches them
        assert not re.fullmatch(r"[a-zà-ú]{1,3}", abbr), f"{abbr!r} é curta demais e casaria com palavras comuns"
        assert re.search(rf"(?<!\w){re.escape(abbr)}(?!\w)", texts), f"{abbr!r} não aparece em nenhuma lição"


# --- Página inicial ------------------------------------------------------------

def test_home_links_every_lesson_in_the_nav(published):
    home = read("index.md")
    linked = LESSON_LINK.findall(home)
    assert set(linked) == set(published), (
        f"a trilha deve ligar exatamente as lições do nav: faltam {sorted(set(published) - set(linked))}, "
        f"sobram {sorted(set(linked) - set(published))}")
    assert linked == sorted(linked), "a trilha segue a ordem das lições"


def test_home_lists_unpublished_lessons_as_coming_soon(published):
    trilha = re.search(r'<div class="trilha" markdown>(.*?)</div>', read("index.md"), re.S)
    assert trilha, "a trilha é um <div class=\"trilha\" markdown> com uma lista numerada"
    items = re.findall(r"^(\d+)\. (.+)$", trilha[1], re.M)
    numbers = [int(n) for n, _ in items]
    assert numbers == list(range(1, len(items) + 1))
    highest = max(int(name[:2]) for name in SOURCES)
    assert len(items) >= max(highest, 8), "a trilha mostra todas as lições, também as que ainda não saíram"
    for number, line in items:
        name = next((n for n in published if int(n[:2]) == int(number)), None)
        if name:
            assert f"(licoes/{name})" in line
        else:
            assert "em breve" in line and "licoes/" not in line, f"lição {number}: sem link e marcada 'em breve'"


def test_home_has_no_mermaid_and_explains_how_to_run():
    home = read("index.md")
    assert "mermaid" not in home.lower()
    for needle in ["make serve", "http://127.0.0.1:8000/redes-neurais/", "Baixar notebook",
                   "Arquivo → Fazer upload de notebook", "Lightning", "glossario.md", "notacao.md",
                   "referencias.md"]:
        assert needle in home, needle


def test_consulta_pages_are_in_the_nav(config):
    sections = [item for item in config["nav"] if isinstance(item, dict) and "Consulta" in item]
    assert sections, "seção Consulta ausente do nav"
    assert sections[0]["Consulta"] == [{k: v} for k, v in CONSULTA.items()]
    for page in CONSULTA.values():
        text = read(page)
        assert text.startswith("---\ndescription: ")
        assert "mermaid" not in text.lower()


# --- Referências ---------------------------------------------------------------

def references_section(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index("## Referências"):] if "## Referências" in text else ""


def test_references_match_the_lessons_that_cite_them(published):
    refs = read("referencias.md")
    for author in ["Prince", "Huber", "Rosenblatt", "Glorot", "He, K.", "Nair", "Maas", "Clevert",
                   "Klambauer", "Hendrycks", "Ramachandran", "Misra", "Fawcett"]:
        assert author in refs, author
    articles = refs[refs.index("## Artigos"):]
    for item in re.split(r"\n- ", articles)[1:]:
        author = item.split(",")[0].strip()
        for name in LESSON_LINK.findall(item):
            assert author in references_section(published[name]), f"{name} não cita {author}"
    # and the other way round: an author cited by a published lesson is in the bibliography
    for name, path in published.items():
        for author in re.findall(r"^- ([A-Z][a-zà-ü]+), [A-Z]\.", references_section(path), re.M):
            assert author in refs, f"{author} (citado em {name}) falta nas Referências"
