"""scripts/curso/hooks/math_hook.py: arithmatex output -> KaTeX HTML + MathML, at build time."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import SimpleNamespace

import markdown
import pytest
from mkdocs.exceptions import PluginError

from curso.hooks import math_hook
from curso.hooks.math_hook import KatexRenderer, katex_css, render_math
from curso.render_cache import RenderCache

ROOT = Path(__file__).resolve().parents[2]

HARD_PAGE = r"""
Parâmetros $\boldsymbol{\theta}$, previsão $\hat{y}_i$ e a condição $a < b$.

$$
\hat{\boldsymbol{\theta}} = \operatorname*{arg\,min}_{\boldsymbol{\theta}} \frac{1}{n}\sum_{i=1}^{n} L\big(y_i, f(x_i;\boldsymbol{\theta})\big)
$$

$$
L_\delta(e) =
\begin{cases}
\frac{1}{2} e^2 & \text{se } |e| \le \delta, \\
\delta \left(|e| - \frac{1}{2}\delta\right) & \text{caso contrário.}
\end{cases}
$$

$$
\begin{aligned}
\frac{\partial L}{\partial w} &= \frac{\partial L}{\partial \hat{y}}\,\frac{\partial \hat{y}}{\partial w} \\
&= -2\,(y - \hat{y})\,x
\end{aligned}
$$
"""


def to_html(source: str) -> str:
    """What MkDocs gives the hook: Markdown converted with arithmatex in generic mode."""
    md = markdown.Markdown(extensions=["pymdownx.arithmatex"],
                           extension_configs={"pymdownx.arithmatex": {"generic": True}})
    return md.convert(source)


@pytest.fixture(scope="module")
def renderer():
    if not (ROOT / "node_modules" / "katex").is_dir():
        pytest.fail("node_modules/katex não existe: rode `make test`, que instala tudo")
    katex = KatexRenderer()
    yield katex
    katex.close()


def test_hard_formulas_become_katex_html_with_mathml(renderer):
    html = render_math(to_html(HARD_PAGE), renderer, "licoes/teste.md")

    assert html.count('<span class="arithmatex"><span class="katex">') == 3
    assert html.count('<div class="arithmatex"><span class="katex-display">') == 3
    assert html.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') == 6
    assert "\\(" not in html and "\\[" not in html
    # The TeX is kept (unescaped) in MathML annotations, for copy and for screen readers.
    assert '<annotation encoding="application/x-tex">a &lt; b</annotation>' in html
    assert "\\operatorname*{arg\\,min}" in html
    # The hard parts, in both the visual HTML and the MathML.
    assert 'class="mord boldsymbol"' in html and '<mi mathvariant="bold-italic">' in html  # \boldsymbol
    assert 'class="mop op-limits"' in html and "<munder>" in html  # arg min with θ underneath
    assert 'class="delimsizing size4"' in html  # the cases brace is stretched
    assert 'columnalign="left left"' in html  # cases
    assert 'columnalign="right left"' in html  # aligned: aligned at the =
    assert '<mover accent="true">' in html  # \hat


def test_text_between_formulas_is_untouched(renderer):
    html = render_math(to_html("Antes $x$ meio $$y$$ depois."), renderer, "p.md")
    assert html.startswith("<p>Antes <span class=\"arithmatex\"><span class=\"katex\">")
    assert " meio " in html and html.endswith(" depois.</p>")


def test_bad_formula_fails_with_page_and_formula(renderer):
    with pytest.raises(PluginError) as caught:
        render_math(to_html("Texto.\n\n$$\n\\frac{1}{n\n$$\n"), renderer, "licoes/01-quebrada.md")
    message = str(caught.value)
    assert "licoes/01-quebrada.md" in message
    assert "\\frac{1}{n" in message
    assert "KaTeX parse error" in message


def test_unknown_command_fails(renderer):
    with pytest.raises(PluginError, match=r"\\naoexiste"):
        render_math(to_html("$\\naoexiste{x}$"), renderer, "x.md")


def test_katex_strict_warning_is_logged_with_page(renderer, caplog):
    with caplog.at_level(logging.WARNING, logger="mkdocs.hooks.math"):
        render_math(to_html("$é$"), renderer, "licoes/acentos.md")
    assert "licoes/acentos.md" in caplog.text
    assert "unicodeTextInMathMode" in caplog.text


def test_formulas_are_rendered_once_per_build(renderer, monkeypatch):
    asked = []
    original = renderer._ask
    monkeypatch.setattr(renderer, "_ask", lambda request: asked.append(request) or original(request))
    page = to_html("$\\hat{z}_9$ e $\\hat{z}_9$ e de novo $\\hat{z}_9$.")
    render_math(page, renderer, "a.md")
    render_math(page, renderer, "b.md")
    assert asked == [{"tex": "\\hat{z}_9", "display": False}]


def test_one_node_process_serves_every_formula_and_closes():
    katex = KatexRenderer()
    katex.render("x", False)
    process = katex._proc
    katex.render("y^2", True)
    assert katex._proc is process
    katex.close()
    assert process.returncode == 0
    assert katex._proc is None
    katex.close()  # closing twice is harmless


def test_a_formula_rendered_by_a_previous_build_does_not_start_node(tmp_path):
    katex = KatexRenderer(RenderCache(tmp_path / "katex.json"))
    rendered = katex.render("\\hat{y}", False)
    katex.close()
    katex.save()
    again = KatexRenderer(RenderCache(tmp_path / "katex.json"))
    assert again.render("\\hat{y}", False) == rendered
    assert again._proc is None
    assert again.render("\\hat{y}", True) != rendered  # display math is another formula
    again.close()


def test_page_without_math_is_returned_as_is():
    html = "<p>Sem fórmulas, só R$ 5 e um <code>$x$</code>.</p>"
    assert math_hook.on_page_content(html, page=None, config=None, files=None) == html


def test_formulas_are_hidden_from_search_then_rendered(renderer, monkeypatch):
    """on_page_content marks formulas for the search plugin; on_page_context renders them."""
    marked = math_hook.on_page_content(to_html("Seja $\\hat{y}$.\n\n$$\nx^2\n$$\n"), None, None, None)
    assert marked.count(" data-search-exclude>") == 2
    monkeypatch.setattr(math_hook, "_renderer", renderer)
    page = SimpleNamespace(content=marked, file=SimpleNamespace(src_uri="licoes/x.md"))
    context = {"page": page}
    assert math_hook.on_page_context(context, page=page, config=None, nav=None) is context
    assert page.content.count('class="katex"') == 2
    assert "data-search-exclude" not in page.content and "\\(" not in page.content


def test_published_css_uses_only_woff2_fonts_that_exist():
    css = katex_css()
    fonts = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert fonts, "o CSS do KaTeX deveria declarar fontes"
    assert all(font.endswith(".woff2") for font in fonts)
    assert all((math_hook.KATEX_DIR / font).is_file() for font in fonts)
