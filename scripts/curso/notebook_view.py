"""The notebook view's HTML, rendered by mkdocs-jupyter's nbconvert setup with our template.

Imported only when a view must be rendered (a notebook not yet in the cache): importing nbconvert
and mkdocs-jupyter costs ~0.9 s of CPU, which a no-op build does not pay.
"""

from __future__ import annotations

import re
from pathlib import Path

from markdown.extensions.toc import nest_toc_tokens
from mkdocs_jupyter import convert  # its nbconvert setup, and the lowercase heading ids it patches in
from mkdocs_jupyter.config import settings
from mkdocs_jupyter.preprocessors import SubCell
from nbconvert.exporters.html import HTMLExporter
from nbconvert.exporters.templateexporter import default_filters

TEMPLATES = Path(__file__).resolve().parent / "hooks" / "notebook_templates"
TEMPLATE = TEMPLATES / "vista.html.j2"
_HEADING = re.compile(r'<h(?P<level>[1-6])\b[^>]*\bid="(?P<id>[^"]+)"[^>]*>(?P<inner>.*?)</h[1-6]>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def render_view(notebook: Path, notebook_js: str) -> dict:
    """{"content": HTML, "toc_tokens": the headings as MkDocs' table of contents wants them}.

    `notebook_js`: the URL of docs/javascripts/notebook.js from the view's page.
    """
    app = convert.get_nbconvert_app(no_prompt=True, allow_errors=False)
    default_filters["clean_html"] = _as_text  # as mkdocs-jupyter: SVG in an output is kept as is
    exporter = HTMLExporter(
        config=app.config,
        template_file=TEMPLATE.name,
        extra_template_paths=[str(TEMPLATES), settings.templates_dir],
        preprocessors=[SubCell],
        filters={"highlight_code": convert.mk_custom_highlight_code()},
    )
    convert.cell_id = 0  # the copy buttons' ids restart on each page
    content, _ = exporter.from_filename(str(notebook), resources={
        "mkdocs": {"include_requirejs": False}, "notebook_js": notebook_js})
    return {"content": content, "toc_tokens": toc_tokens(content)}


def toc_tokens(content: str) -> list[dict]:
    """The headings nbconvert wrote, with their ids and titles as the page shows them."""
    flat = [{"level": int(found["level"]), "id": found["id"], "children": [],
             "name": _TAG.sub("", _ANCHOR_LINK.sub("", found["inner"])).strip()}
            for found in _HEADING.finditer(content)]
    return nest_toc_tokens(flat)


def _as_text(element) -> str:
    return element.decode() if isinstance(element, bytes) else str(element)
