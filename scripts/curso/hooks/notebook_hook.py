"""MkDocs hook: tie each lesson page to its notebook page, and keep notebook pages offline.

The pipeline writes two notebooks per lesson: the view ``notebooks/NN-slug.ipynb``, which
mkdocs-jupyter turns into the page ``notebooks/NN-slug/`` (its figures are the lesson's SVG files
and its links between lessons already lead to the lesson pages), and the standalone
``notebooks/NN-slug/NN-slug.ipynb`` for "Baixar notebook". This hook

* on a lesson page, points the "Baixar notebook" link (an ``<a download="NN-slug.ipynb">``,
  which MkDocs rewrote to the notebook *page*) at the ``.ipynb`` file, adds a
  "Ver como notebook" button next to it, and sends "Abrir no Colab" (``data-colab``) to Colab;
* on a notebook page, removes nbconvert's Mermaid loader (a module script that imports
  Mermaid from a CDN; mkdocs-jupyter has no setting for it) and the inert MathJax configuration,
  translates the copy button, points the table of contents at the headings' real anchors, adds
  "Voltar para a lição" / "Baixar notebook" buttons, marks the title "(notebook)", keeps the page
  out of the search index, and fails the build if anything would still load from another host;
* in the published standalone ``.ipynb``, points links between lessons at the published lesson
  pages (the site's address is known only here).
"""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import quote, urljoin

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from curso.pipeline.layout import NOTEBOOKS, lesson_page, notebook_download, page_url
from curso.pipeline.notebook import LESSON_LINK

# The branch where .github/workflows/pages.yml publishes the executed notebooks, for Colab.
COLAB_BRANCH = "notebooks"

_DOWNLOAD_LINK = re.compile(r'<a\b(?P<attrs>[^>]*\bdownload="(?P<name>[^"/]+\.ipynb)"[^>]*)>(?P<text>.*?)</a>', re.S)
_COLAB_LINK = re.compile(r'<a\b(?P<attrs>[^>]*\bdata-colab="(?P<name>[^"/]+\.ipynb)"[^>]*)>')
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_HREF = re.compile(r'\bhref="[^"]*"')
_MERMAID = re.compile(r'<script type="module">(?:(?!</script>).)*?\bmermaid\b.*?</script>\s*', re.S)
_MATHJAX_CONFIG = re.compile(r'<script type="text/x-mathjax-config">.*?</script>\s*', re.S)
_REMOTE_ATTR = re.compile(
    r'<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*\b(?:src|href)\s*=\s*["\']?(?:https?:)?//[^"\'\s>]*',
    re.I,
)
_REMOTE_IMPORT = re.compile(r'\bimport\s*\(\s*["\'](?:https?:)?//[^"\']*', re.I)
_FIRST_H1_END = re.compile(r"</h1>")
_HEADING = re.compile(r'<h[1-6]\b[^>]*\bid="(?P<id>[^"]+)"[^>]*>(?P<inner>.*?)</h[1-6]>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def notebook_file(files, name: str):
    """The mkdocs-jupyter page for ``notebooks/<name>``, or None."""
    file = files.get_file_from_path(f"{NOTEBOOKS}/{name}")
    if file is None or not file.src_uri.endswith(".ipynb") or not file.is_documentation_page():
        return None
    return file


def download_url(notebook) -> str:
    """Site-relative URL of the standalone ``.ipynb`` that the pipeline publishes beside the view."""
    return notebook_download(posixpath.basename(notebook.src_uri).removesuffix(".ipynb"))


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


def colab_url(repo_name: str, notebook: str) -> str:
    """Where Colab opens ``notebook`` from the repository's notebooks branch.

    Colab reads notebooks straight from GitHub:
    ``https://colab.research.google.com/github/<dono>/<repositório>/blob/<ramo>/<caminho>``.
    ``repo_name`` is mkdocs.yml's ``repo_name`` ("dono/repositório"), which the Pages workflow
    takes from the repository it runs in, so a fork links to its own notebooks.
    """
    if not _REPO_NAME.fullmatch(repo_name or ""):
        raise PluginError(f"repo_name do mkdocs.yml deve ser 'dono/repositório' para o link do Colab, não {repo_name!r}")
    return f"https://colab.research.google.com/github/{repo_name}/blob/{COLAB_BRANCH}/{quote(notebook)}"


def link_lesson_to_colab(content: str, repo_name: str) -> str:
    """Point each "Abrir no Colab" button (``data-colab="NN-slug.ipynb"``) at Colab."""

    def fix(match: re.Match[str]) -> str:
        return "<a" + _HREF.sub(f'href="{colab_url(repo_name, match["name"])}"', match["attrs"]) + ">"

    return _COLAB_LINK.sub(fix, content)


def link_lessons_on_the_web(notebook_text: str, site_url: str, site_dir: Path) -> str:
    """Point a downloaded notebook's links between lessons (``](03-x.md)``) at the published pages.

    The file is opened in Jupyter or Colab, far from the site, where a relative link leads nowhere.
    """

    def fix(match: re.Match[str]) -> str:
        page = page_url(lesson_page(match["slug"]))
        built = (site_dir / page / "index.html", site_dir / (page.removesuffix("/") + ".html"))  # .html: offline build
        if not any(path.is_file() for path in built):
            raise PluginError(f"o notebook liga para a lição {match['slug']}.md, que não existe no site")
        return f"]({urljoin(site_url, page)}{match['fragment'] or ''})"

    return LESSON_LINK.sub(fix, notebook_text)


def toc_anchors(toc):
    for anchor in toc:
        yield anchor
        yield from toc_anchors(anchor.children)


def match_toc_to_headings(content: str, page) -> None:
    """Take the table of contents' anchors and titles from the headings themselves, in order.

    mkdocs-jupyter builds the table of contents from the Markdown, where inline code is
    dropped ("Os três modos de `reduction`" -> "Os três modos de", ``#os-tres-modos-de``), but
    nbconvert's headings keep it (``id="os-tres-modos-de-reduction"``), so those sidebar links
    led nowhere and their titles lost words.
    """
    anchors = list(toc_anchors(page.toc))
    headings = list(_HEADING.finditer(content))
    if len(anchors) != len(headings):
        raise PluginError(f"{page.file.src_uri}: o sumário tem {len(anchors)} títulos, mas a página "
                          f"tem {len(headings)}; não dá para ligar um ao outro")
    for anchor, heading in zip(anchors, headings):
        anchor.id = heading["id"]
        anchor.title = _TAG.sub("", _ANCHOR_LINK.sub("", heading["inner"])).strip()


def clean_notebook_page(content: str, page, files) -> str:
    """Offline, translated notebook page with buttons back to the lesson and to the file."""
    content = _MERMAID.sub("", content)
    content = _MATHJAX_CONFIG.sub("", content)
    # The template writes `for="cell-1", aria-label=...`: the stray comma becomes an attribute.
    content = content.replace('<clipboard-copy ,=""', "<clipboard-copy")
    content = content.replace('aria-label="Copy to Clipboard"', 'role="button" aria-label="Copiar código"')
    content = content.replace(">Copied!<", ">Copiado!<")

    remote = _REMOTE_ATTR.search(content) or _REMOTE_IMPORT.search(content)
    if remote:
        raise PluginError(f"{page.file.src_uri}: a página do notebook carregaria da rede: {remote.group(0)!r}")

    name = posixpath.basename(page.file.src_uri)
    buttons = []
    lesson = files.get_file_from_path(lesson_page(name.removesuffix(".ipynb")))
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
            page.meta["description"] = (f"A lição “{page.title}” como notebook Jupyter já executado, "
                                        "para ler aqui ou baixar e rodar no Jupyter ou no Colab.")
            page.title = f"{page.title} (notebook)"  # the browser tab tells it apart from the lesson
            page.meta["title"] = page.title  # already HTML text: the theme's `striptags` would unescape it
        html = clean_notebook_page(html, page, files)
        match_toc_to_headings(html, page)
        return html
    if "data-colab=" in html:
        html = link_lesson_to_colab(html, config.repo_name)
    if "download=" in html:
        html = link_lesson_to_notebook(html, page, files)
    return html


def on_post_build(config):
    if not config.site_url:
        return  # no published address to point at: the links stay relative
    site_dir = Path(config.site_dir)
    for notebook in sorted((site_dir / NOTEBOOKS).rglob("*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        linked = link_lessons_on_the_web(text, config.site_url, site_dir)
        if linked != text:
            notebook.write_text(linked, encoding="utf-8")
