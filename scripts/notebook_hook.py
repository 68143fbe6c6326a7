"""MkDocs hook: tie each lesson page to its notebook page, and keep notebook pages offline.

mkdocs-jupyter turns ``notebooks/NN-slug.ipynb`` into a page (``notebooks/NN-slug/``) and,
with ``include_source``, copies the ``.ipynb`` beside it. This hook

* on a lesson page, points the "Baixar notebook" link (an ``<a download="NN-slug.ipynb">``,
  which MkDocs rewrote to the notebook *page*) back at the ``.ipynb`` file, and adds a
  "Ver como notebook" button next to it;
* on a notebook page, removes nbconvert's Mermaid loader (a module script that imports
  Mermaid from a CDN) and the inert MathJax configuration, translates the copy button,
  adds "Voltar para a lição" / "Baixar notebook" buttons, marks the title "(notebook)",
  keeps the page out of the search index, points "Editar" at the lesson source, and fails
  the build if anything would still load from another host.
"""

from __future__ import annotations

import posixpath
import re

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

NOTEBOOKS = "notebooks"
LESSONS = "licoes"

_DOWNLOAD_LINK = re.compile(r'<a\b(?P<attrs>[^>]*\bdownload="(?P<name>[^"/]+\.ipynb)"[^>]*)>(?P<text>.*?)</a>', re.S)
_HREF = re.compile(r'\bhref="[^"]*"')
_MERMAID = re.compile(r'<script type="module">(?:(?!</script>).)*?\bmermaid\b.*?</script>\s*', re.S)
_MATHJAX_CONFIG = re.compile(r'<script type="text/x-mathjax-config">.*?</script>\s*', re.S)
_REMOTE_ATTR = re.compile(
    r'<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*\b(?:src|href)\s*=\s*["\']?(?:https?:)?//[^"\'\s>]*',
    re.I,
)
_REMOTE_IMPORT = re.compile(r'\bimport\s*\(\s*["\'](?:https?:)?//[^"\']*', re.I)
_FIRST_H1_END = re.compile(r"</h1>")


def notebook_file(files, name: str):
    """The mkdocs-jupyter page for ``notebooks/<name>``, or None."""
    file = files.get_file_from_path(f"{NOTEBOOKS}/{name}")
    if file is None or not file.src_uri.endswith(".ipynb") or not file.is_documentation_page():
        return None
    return file


def download_url(notebook) -> str:
    """Site-relative URL of the ``.ipynb`` that mkdocs-jupyter's include_source copies."""
    return posixpath.join(posixpath.dirname(notebook.dest_uri), posixpath.basename(notebook.src_uri))


def link_lesson_to_notebook(content: str, page, files) -> str:
    """Make "Baixar notebook" download the file and add "Ver como notebook" beside it."""

    def fix(match: re.Match[str]) -> str:
        notebook = notebook_file(files, match["name"])
        if notebook is None:
            return match.group(0)
        href = get_relative_url(download_url(notebook), page.file.url)
        attrs = _HREF.sub(f'href="{href}"', match["attrs"])
        view = notebook.url_relative_to(page.file)
        return (
            f'<a{attrs}>{match["text"]}</a> '
            f'<a class="md-button" href="{view}">Ver como notebook</a>'
        )

    return _DOWNLOAD_LINK.sub(fix, content)


def clean_notebook_page(content: str, page, files) -> str:
    """Offline, translated notebook page with buttons back to the lesson and to the file."""
    content = _MERMAID.sub("", content)
    content = _MATHJAX_CONFIG.sub("", content)
    content = content.replace('aria-label="Copy to Clipboard"', 'aria-label="Copiar código"')
    content = content.replace(">Copied!<", ">Copiado!<")

    remote = _REMOTE_ATTR.search(content) or _REMOTE_IMPORT.search(content)
    if remote:
        raise PluginError(f"{page.file.src_uri}: a página do notebook carregaria da rede: {remote.group(0)!r}")

    name = posixpath.basename(page.file.src_uri)
    buttons = []
    lesson = files.get_file_from_path(f"{LESSONS}/{name.removesuffix('.ipynb')}.md")
    if lesson is not None:
        buttons.append(f'<a class="md-button" href="{lesson.url_relative_to(page.file)}">Voltar para a lição</a>')
    file_href = get_relative_url(download_url(page.file), page.file.url)
    buttons.append(f'<a class="md-button md-button--primary" href="{file_href}" download="{name}">Baixar notebook</a>')
    bar = f'\n<p class="notebook-actions">{" ".join(buttons)}</p>\n'
    if _FIRST_H1_END.search(content):
        return _FIRST_H1_END.sub("</h1>" + bar, content, count=1)
    return bar + content


# --- MkDocs events -------------------------------------------------------------


def on_page_content(html, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        page.meta["search"] = {"exclude": True}  # the lesson page already holds this text
        if page.title and not page.title.endswith("(notebook)"):
            page.title = f"{page.title} (notebook)"  # the browser tab tells it apart from the lesson
        if page.edit_url:
            stem = posixpath.basename(page.file.src_uri).removesuffix(".ipynb")
            base = page.edit_url[: -len(page.file.src_uri)].removesuffix("docs/")
            page.edit_url = f"{base}lessons_src/{stem}.md"
        return clean_notebook_page(html, page, files)
    if "download=" in html:
        return link_lesson_to_notebook(html, page, files)
    return html
