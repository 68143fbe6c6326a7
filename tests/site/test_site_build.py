"""End to end: the real mkdocs.yml, theme overrides and site hooks build a tiny site offline.

The lesson pipeline is replaced by a stub hook and hand-written generated files, so this test
does not execute lessons. It checks what a reader's browser gets: KaTeX HTML instead of TeX,
only local scripts/styles/images, URLs that work under a sub-path, a notebook page that loads
nothing from a CDN, lesson <-> notebook links that resolve, and accent-free search.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from curso.hooks import notebook_hook
from curso.hooks import search_hook
from curso.pipeline.notebook import site_math

ROOT = Path(__file__).resolve().parents[2]
SLUG = "01-funcoes-de-custo-regressao"

LESSON = f"""\
---
title: "Funções de custo para regressão: MSE, MAE e Huber"
description: Página de teste.
---

<!-- Gerado a partir de lessons_src/{SLUG}.md por scripts/curso/build.py: não edite este arquivo. -->

# Funções de custo para regressão: MSE, MAE e Huber

[Baixar notebook](../notebooks/{SLUG}.ipynb){{ .md-button download="{SLUG}.ipynb" }}

A verossimilhança de $\\boldsymbol{{\\theta}}$ com previsão $\\hat{{y}}_i$:

$$
\\hat{{\\boldsymbol{{\\theta}}}} = \\operatorname*{{arg\\,min}}_{{\\boldsymbol{{\\theta}}}} \\frac{{1}}{{n}}\\sum_{{i=1}}^{{n}} (y_i - \\hat{{y}}_i)^2
$$

```python
print("MSE =", 0.25)
```

``` {{ .text .output }}
MSE = 0.25
```

![Uma reta subindo.](figuras/{SLUG}-01.svg){{ width="64" height="40" loading=lazy }}
/// caption
    attrs: {{class: lesson-figure}}
Uma reta.
///
"""

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="40"><path d="M0 40L64 0" stroke="#000"/></svg>\n'

NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {},
         "source": ["# Funções de custo para regressão: MSE, MAE e Huber\n", "\n", "Previsão $\\hat{y}_i$."]},
        {"cell_type": "markdown", "id": "c", "metadata": {}, "source": ["## Os três modos de `reduction`"]},
        {"cell_type": "code", "id": "b", "execution_count": 1, "metadata": {},
         "outputs": [{"name": "stdout", "output_type": "stream", "text": ["MSE = 0.25\n"]}],
         "source": ["print(\"MSE =\", 0.25)"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


# The view, as the pipeline writes it (build_notebook with SiteLinks): buttons under the title, math as
# arithmatex's markup.
VIEW = {**NOTEBOOK, "cells": [
    {**NOTEBOOK["cells"][0], "source": ["# Funções de custo para regressão: MSE, MAE e Huber\n", "\n",
                                        "Previsão " + site_math("$\\hat{y}_i$") + "."]},
    {"cell_type": "markdown", "id": "v", "metadata": {},
     "source": [f'<p class="notebook-actions"><a class="md-button" href="../../licoes/{SLUG}/">Voltar para a lição</a> '
                f'<a class="md-button md-button--primary" href="{SLUG}.ipynb" download="{SLUG}.ipynb">Baixar notebook</a></p>']},
    *NOTEBOOK["cells"][1:],
]}


def make_project(path: Path) -> Path:
    for name in ("mkdocs.yml", "package.json"):
        shutil.copy(ROOT / name, path / name)
    for name in ("overrides", "includes", "docs/stylesheets", "docs/javascripts"):
        shutil.copytree(ROOT / name, path / name)
    for name in ("index.md", "glossario.md", "notacao.md", "referencias.md"):
        shutil.copy(ROOT / "docs" / name, path / "docs" / name)
    (path / "scripts/curso/hooks").mkdir(parents=True)
    for name in ("math_hook.py", "highlight_hook.py", "templates_hook.py", "notebook_hook.py", "search_hook.py",
                 "offline_hook.py", "sw.js", "katex_render.mjs"):
        shutil.copy(ROOT / "scripts/curso/hooks" / name, path / "scripts/curso/hooks" / name)
    (path / "scripts/curso/hooks/lessons_hook.py").write_text(
        '"""Stub: the pipeline\'s files are written by the test; the edit links come from the real hook."""\n'
        "from curso.hooks.lessons_hook import on_page_markdown  # noqa: F401\n")
    (path / "node_modules").symlink_to(ROOT / "node_modules")
    docs = path / "docs"
    (docs / "licoes/figuras").mkdir(parents=True)
    (docs / "notebooks").mkdir()
    for other in {lesson.stem for lesson in (ROOT / "lessons_src").glob("[0-9][0-9]-*.md")} - {SLUG}:
        (docs / f"licoes/{other}.md").write_text(f"# Lição {other}\n\nEm construção.\n", encoding="utf-8")
    (docs / f"licoes/{SLUG}.md").write_text(LESSON, encoding="utf-8")
    (docs / f"licoes/figuras/{SLUG}-01.svg").write_text(SVG, encoding="utf-8")
    (docs / f"notebooks/{SLUG}").mkdir()
    (docs / f"notebooks/{SLUG}.ipynb").write_text(json.dumps(VIEW, ensure_ascii=False), encoding="utf-8")
    (docs / f"notebooks/{SLUG}/{SLUG}.ipynb").write_text(json.dumps(NOTEBOOK, ensure_ascii=False), encoding="utf-8")
    (docs / "sobre-a-execucao.md").write_text("# Sobre a execução\n\nRelatório de teste.\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if not (ROOT / "node_modules" / "katex").is_dir():
        pytest.fail("node_modules/katex não existe: rode `make test`, que instala tudo")
    project = make_project(tmp_path_factory.mktemp("project"))
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project,
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-5000:]
    return project / "site"


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def resolve(page: Path, url: str) -> Path:
    target = (page.parent / url.split("#")[0]).resolve()
    return target / "index.html" if target.is_dir() else target


def test_math_is_katex_html_and_css_is_local(site):
    page = (site / f"licoes/{SLUG}/index.html").read_text(encoding="utf-8")
    assert page.count('class="katex"') == 3
    assert "<math xmlns" in page and "\\(" not in page and "\\[" not in page
    assert 'href="../../assets/katex/katex.min.css"' in page
    assert "katex.min.js" not in page  # no math JavaScript on lesson pages
    assert not list((site / "assets/katex").glob("*.js"))  # nor anywhere: notebook views too are rendered
    fonts = list((site / "assets/katex/fonts").iterdir())
    assert fonts and all(font.suffix == ".woff2" for font in fonts)


def test_nothing_is_fetched_from_another_host(site):
    fetching = re.compile(r'<(script|img|iframe|source|link)\b[^>]*?\b(src|href)="([^"]*)"[^>]*>', re.I)
    for page in html_pages(site):
        html = page.read_text(encoding="utf-8")
        for tag in fetching.finditer(html):
            url = tag.group(3)
            if tag.group(1).lower() == "link" and re.search(r'rel="(canonical|alternate)"', tag.group(0)):
                continue
            assert not re.match(r"(?:https?:)?//", url), f"{page.relative_to(site)}: {tag.group(0)}"
        assert not re.search(r"import\(\s*[\"'](?:https?:)?//", html), page
        assert "fonts.googleapis" not in html and "cdnjs" not in html and "cdn.jsdelivr" not in html


def test_urls_are_relative_so_the_site_works_under_a_sub_path(site):
    for page in html_pages(site):
        html = page.read_text(encoding="utf-8")
        absolute = re.findall(r'\b(?:src|href)="(/(?!/)[^"]*)"', html)
        if page.name == "404.html":  # served at any depth: MkDocs uses site_url's path there
            assert absolute and all(url.startswith("/redes-neurais/") for url in absolute)
        else:
            assert not absolute, f"{page.relative_to(site)}: {absolute[:3]}"


def test_local_references_resolve(site):
    lesson = site / f"licoes/{SLUG}/index.html"
    html = lesson.read_text(encoding="utf-8")
    for url in re.findall(r'\b(?:src|href)="([^"#:]+)"', html):
        assert resolve(lesson, url).exists(), url


def test_lesson_links_to_notebook_file_and_page(site):
    lesson = site / f"licoes/{SLUG}/index.html"
    html = lesson.read_text(encoding="utf-8")
    download = re.search(rf'<a [^>]*download="{SLUG}.ipynb"[^>]*>Baixar notebook</a>', html).group(0)
    file = resolve(lesson, re.search(r'href="([^"]+)"', download).group(1))
    assert file.suffix == ".ipynb" and json.loads(file.read_text(encoding="utf-8"))["nbformat"] == 4
    view = re.search(r'<a class="md-button" href="([^"]+)">Ver como notebook</a>', html).group(1)
    assert resolve(lesson, view) == site / f"notebooks/{SLUG}/index.html"


def test_notebook_page_is_offline_and_links_back(site):
    page = site / f"notebooks/{SLUG}/index.html"
    html = page.read_text(encoding="utf-8")
    assert "jupyter-wrapper" in html
    assert "<title>Funções de custo para regressão: MSE, MAE e Huber (notebook) - " in html
    assert "notebook.js" not in html  # extra.js, run by the theme's start-up, handles the view's scroll boxes
    assert "mermaid" not in html and "<script type=\"module\">" not in html
    assert "mathjax" not in html.lower() and "require.js" not in html
    assert html.count('class="katex"') == 1 and "$" not in html.split('class="jupyter-wrapper"')[1].split("<style")[0]
    back = re.search(r'href="([^"]+)">Voltar para a lição</a>', html).group(1)
    assert resolve(page, back) == site / f"licoes/{SLUG}/index.html"
    assert "lessons_src/01-funcoes-de-custo-regressao.md" in html  # "Editar" points at the source
    buttons = [set(re.findall(r'[\w-]+="[^"]*"', tag)) for tag in re.findall(r"<clipboard-copy\b[^>]*>", html)]
    assert {'aria-label="Copiar código"', 'for="cell-1"', 'role="button"'} in buttons
    assert "Copied" not in html and "Copy to" not in html


def test_notebook_table_of_contents_leads_to_its_headings(site):
    html = (site / f"notebooks/{SLUG}/index.html").read_text(encoding="utf-8")
    toc = html.split('<label class="md-nav__title" for="__toc">', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)" class="md-nav__link">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>', toc, re.S)
    assert links == [("os-tres-modos-de-reduction", "Os três modos de reduction")]
    assert 'id="os-tres-modos-de-reduction"' in html


def test_notebook_page_is_not_in_nav_nor_in_search(site):
    lesson = (site / f"licoes/{SLUG}/index.html").read_text(encoding="utf-8")
    nav = lesson.split('<nav class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "notebooks/" not in nav
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert not [doc for doc in index["docs"] if doc["location"].startswith("notebooks/")]


def test_formulas_stay_out_of_the_search_index(site):
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    lesson = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith(f"licoes/{SLUG}/"))
    assert "A verossimilhança de  com previsão" in lesson
    assert "\\hat" not in lesson and "\u200b" not in lesson and "katex" not in lesson


def test_search_index_has_accent_free_words(site):
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["pt"]
    words = " ".join(doc.get("text_ascii", "") for doc in index["docs"]).split()
    assert "verossimilhanca" in words and "funcoes" in words
    titles = " ".join(doc.get("title_ascii", "") for doc in index["docs"]).split()
    assert "licao" in titles


# --- Unit tests of the hooks' plain functions -------------------------------------------------


def test_fold_keeps_plain_words_and_drops_accents():
    assert search_hook.fold("verossimilhança") == "verossimilhanca"
    assert search_hook.folded_words("A função <code>ação</code>, a FUNÇÃO e o erro.") == "funcao acao"


def fake_notebook_page(markdown_cell: str):
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": markdown_cell}]}
    return SimpleNamespace(file=SimpleNamespace(src_uri=f"notebooks/{SLUG}.ipynb",
                                                content_bytes=json.dumps(notebook).encode()), meta={})


@pytest.mark.parametrize("tag", [
    '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js"></script>',
    '<link rel="stylesheet" href="//cdn.example.org/x.css">',
    '<img src="https://example.org/x.png">',
])
def test_notebook_page_with_a_remote_resource_fails_the_build(tag):
    with pytest.raises(PluginError, match="carregaria da rede"):
        notebook_hook.render_view(fake_notebook_page(f"# T\n\n{tag}"), None)


def test_downloaded_notebook_links_lessons_by_address_and_a_missing_lesson_fails(tmp_path):
    (tmp_path / "licoes" / "01-a").mkdir(parents=True)
    (tmp_path / "licoes" / "01-a" / "index.html").write_text("", encoding="utf-8")
    site_url = "https://professora.github.io/curso/"
    cell = '"Veja [a lição](01-a.md#perda) e `f(x)`.\\n"'
    assert (notebook_hook.link_lessons_on_the_web(cell, site_url, tmp_path)
            == '"Veja [a lição](https://professora.github.io/curso/licoes/01-a/#perda) e `f(x)`.\\n"')
    with pytest.raises(PluginError, match="02-b.md"):
        notebook_hook.link_lessons_on_the_web('"[b](02-b.md)"', site_url, tmp_path)
