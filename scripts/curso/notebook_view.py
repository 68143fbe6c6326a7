"""The notebook views' HTML, rendered by mkdocs-jupyter's nbconvert setup with our template, and kept
by the notebook's hash (`.cache/renderizado/notebooks.json`).

A view is converted as soon as its notebook is known (`prefetch`, which the pipeline calls when it
renders a lesson), in a forked process: the conversion overlaps with MkDocs reading the other pages,
or with the other lessons executing, instead of holding the view's page. nbconvert and
mkdocs-jupyter (~0.9 s of CPU to import) are imported only when a view must be converted, so a
no-op build does not pay them.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import posixpath
import re
from pathlib import Path

from markdown.extensions.toc import nest_toc_tokens

from curso.pipeline.layout import RENDERED, notebook_file
from curso.render_cache import RenderCache

CODE = Path(__file__).resolve().parent
TEMPLATES = CODE / "hooks" / "notebook_templates"
TEMPLATE = TEMPLATES / "vista.html.j2"
_HEADING = re.compile(r'<h(?P<level>[1-6])\b[^>]*\bid="(?P<id>[^"]+)"[^>]*>(?P<inner>.*?)</h[1-6]>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
_REMOTE_ATTR = re.compile(
    r'<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*\b(?:src|href)\s*=\s*["\']?(?:https?:)?//[^"\'\s>]*',
    re.I,
)
# The lab template's cell inputs and outputs (nbconvert/templates/lab/base.html.j2), up to their class.
_FOCUSABLE = re.compile(r'<div (?:id="[^"]*" )?class="(?:jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)"')
_REMOTE_IMPORT = re.compile(r'\bimport\s*\(\s*["\'](?:https?:)?//[^"\']*', re.I)


_WARM_UP = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Título\n\nTexto com *ênfase*."},
    {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1, "source": "print(1 + 1)",
     "outputs": [{"output_type": "stream", "name": "stdout", "text": "2\n"}]}]}).encode()


class RemoteLoad(Exception):
    """The view would load something from another host (the message: what)."""

_views: RenderCache | None = None  # opened by notebook_hook.py for the site being built


def open_cache(root: Path) -> RenderCache:
    """The views of the site at `root`, tagged with what else the HTML depends on (the template, this
    code, the pinned versions of mkdocs-jupyter and nbconvert)."""
    global _views
    if _views is None or _views.path != root / RENDERED / "notebooks.json":
        _views = RenderCache(root / RENDERED / "notebooks.json",
                             depends_on=(*sorted(TEMPLATES.glob("*.j2")), CODE / "notebook_view.py",
                                         root / "requirements.txt"))
    return _views


def view(notebook: bytes) -> dict:
    """{"content": HTML, "toc_tokens": the headings as MkDocs' table of contents wants them} of the
    view whose notebook is `notebook`."""
    key = _key(notebook)
    found = _views.get(key) if _views else None
    if found is None:
        found = render_view(notebook)
        if _views:
            _views.put(key, found)
    return found


def prefetch(files: dict[str, bytes]) -> None:
    """Start converting, each in a forked process, the views among `files` that are not cached yet."""
    if _views is None:
        return
    missing = {_key(notebook): notebook for name, notebook in sorted(files.items()) if is_view(name)}
    missing = {key: work for key, work in missing.items() if not _views.known(key)}
    if missing:
        import_converter()  # once, here: not in every forked child
    for key, notebook in missing.items():
        _views.start(key, lambda notebook=notebook: render_view(notebook))


def is_view(site_path: str) -> bool:
    """Whether the generated file at `site_path` is a notebook view (not a standalone download)."""
    slug = posixpath.splitext(posixpath.basename(site_path))[0]
    return site_path.endswith(".ipynb") and site_path == notebook_file(slug)


def _key(notebook: bytes) -> str:
    return hashlib.sha256(notebook).hexdigest()


def render_view(notebook: bytes) -> dict:
    """The conversion itself (see `view`)."""
    from mkdocs_jupyter import nbconvert2  # its lowercase heading ids, and the copy buttons' counter

    nbconvert2.cell_id = 0  # the copied code's ids restart on each page, as the template's copy buttons
    content, _ = _exporter().from_file(io.StringIO(notebook.decode("utf-8")), resources={
        "mkdocs": {"include_requirejs": False}})
    remote = remote_load(content)
    if remote:
        raise RemoteLoad(remote)  # checked once, here: a cached view was checked when it was converted
    return {"content": content, "toc_tokens": toc_tokens(content)}


@functools.cache
def _exporter():
    """One exporter per process, set up as mkdocs-jupyter sets up nbconvert, with our template: it
    compiles its templates once (a forked conversion inherits them, see `import_converter`).

    It is nbconvert's HTML exporter without its last step, a pass through BeautifulSoup that took 60%
    of a conversion (about 0.45 s a lesson) to give each cell's input and output `tabindex="0"` (so
    the keyboard can reach and scroll them: done here by `_FOCUSABLE`, on the tags the lab template
    writes) and a placeholder alt text to images without one (ours all have theirs)."""
    from mkdocs_jupyter import convert
    from mkdocs_jupyter.config import settings
    from mkdocs_jupyter.preprocessors import SubCell
    from nbconvert.exporters.html import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter, default_filters
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ViewExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _FOCUSABLE.sub(r'\g<0> tabindex="0"', page), resources

    app = convert.get_nbconvert_app(no_prompt=True, allow_errors=False)
    default_filters["clean_html"] = _as_text  # as mkdocs-jupyter: SVG in an output is kept as is
    return ViewExporter(
        config=app.config,
        template_file=TEMPLATE.name,
        extra_template_paths=[str(TEMPLATES), settings.templates_dir],
        preprocessors=[SubCell],
        filters={"highlight_code": convert.mk_custom_highlight_code()},  # registered by the constructor
    )


def remote_load(content: str) -> str | None:
    """What in `content` would load from another host, if anything."""
    remote = _REMOTE_ATTR.search(content) or _REMOTE_IMPORT.search(content)
    return remote.group(0) if remote else None


@functools.cache
def import_converter() -> None:
    """Import nbconvert and have it convert a small notebook now (a `serve` session, at its start),
    before any conversion is forked: its templates compiled and its lazy imports done here, a forked
    conversion pays only itself (about 0.1 s less each)."""
    render_view(_WARM_UP)


def toc_tokens(content: str) -> list[dict]:
    """The headings nbconvert wrote, with their ids and titles as the page shows them."""
    flat = [{"level": int(found["level"]), "id": found["id"], "children": [],
             "name": _heading_text(found["inner"])}
            for found in _HEADING.finditer(content)]
    return nest_toc_tokens(flat)


def _heading_text(inner: str) -> str:
    """A heading's text as HTML, its characters as themselves: nbconvert writes a heading's accents as
    character references (`&#231;`), which the table of contents would show as they are written."""
    return html.escape(html.unescape(_TAG.sub("", _ANCHOR_LINK.sub("", inner))).strip(), quote=False)


def _as_text(element) -> str:
    return element.decode() if isinstance(element, bytes) else str(element)
