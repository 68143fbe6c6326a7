"""MkDocs hook: the notebook views as pages of the site, and each lesson page tied to its notebook.

The pipeline writes two notebooks per lesson: the view ``notebooks/NN-slug.ipynb``, which this hook
makes the page ``notebooks/NN-slug/``, and the standalone ``notebooks/NN-slug/NN-slug.ipynb`` for
"Baixar notebook". The view needs no repair: its figures are the lesson's SVG files, its links lead
to the lesson pages, its buttons and its math (arithmatex's markup, rendered by math_hook.py) are in
it. mkdocs-jupyter's nbconvert setup renders it with our template (``notebook_templates/``: no
MathJax or Mermaid loader from a CDN, the copy button in Portuguese); the HTML and the table of
contents are kept by the notebook's hash, and a changed view is converted in a forked process as
soon as the pipeline renders its lesson (``curso/notebook_view.py``), so a no-op build neither runs
nor imports nbconvert, and an edit does not wait for it. This hook also

* on a notebook page, marks the title "(notebook)", keeps the page out of the search index, and
  fails the build if anything would load from another host;
* on a lesson page, points the "Baixar notebook" link (an ``<a download="NN-slug.ipynb">``,
  which MkDocs rewrote to the notebook *page*) at the ``.ipynb`` file, adds a
  "Ver como notebook" button next to it, and sends "Abrir no Colab" (``data-colab``) to Colab;
* in the published standalone ``.ipynb``, points links between lessons at the published lesson
  pages (the site's address is known only here).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import quote, urljoin

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from curso import notebook_view
from curso.notebook_view import is_view
from curso.pipeline.layout import NOTEBOOKS, lesson_page, notebook_download, page_url
from curso.pipeline.notebook import LESSON_LINK

# The branch where .github/workflows/pages.yml publishes the executed notebooks, for Colab.
COLAB_BRANCH = "notebooks"

_DOWNLOAD_LINK = re.compile(r'<a\b(?P<attrs>[^>]*\bdownload="(?P<name>[^"/]+\.ipynb)"[^>]*)>(?P<text>.*?)</a>', re.S)
_COLAB_LINK = re.compile(r'<a\b(?P<attrs>[^>]*\bdata-colab="(?P<name>[^"/]+\.ipynb)"[^>]*)>')
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_HREF = re.compile(r'\bhref="[^"]*"')


class NotebookView(File):
    """A notebook view (``notebooks/NN-slug.ipynb``): a page of the site, ``notebooks/NN-slug/``."""

    def is_documentation_page(self) -> bool:
        return True


def render_view(page, config) -> None:
    """The view's HTML and table of contents, cached or converted (``page.render``)."""
    try:
        view = notebook_view.view(page.file.content_bytes)
    except notebook_view.RemoteLoad as exc:
        raise PluginError(f"{page.file.src_uri}: a página do notebook carregaria da rede: {str(exc)!r}") from None
    page.content = view["content"]
    page.toc = get_toc(view["toc_tokens"])
    title = view["toc_tokens"][0]["name"] if view["toc_tokens"] else page.file.name
    page.meta["title"] = f"{title} (notebook)"  # already HTML text: the theme's `striptags` would unescape it
    page.meta["description"] = (f"A lição “{title}” como notebook Jupyter já executado, "
                                "para ler aqui ou baixar e rodar no Jupyter ou no Colab.")
    page.meta["search"] = {"exclude": True}  # the lesson page already holds this text


def view_page(files, name: str) -> NotebookView | None:
    """The notebook view's page made from ``notebooks/<name>``, or None."""
    file = files.get_file_from_path(f"{NOTEBOOKS}/{name}")
    return file if isinstance(file, NotebookView) else None


def download_url(notebook) -> str:
    """Site-relative URL of the standalone ``.ipynb`` that the pipeline publishes beside the view."""
    return notebook_download(posixpath.basename(notebook.src_uri).removesuffix(".ipynb"))


def link_lesson_to_notebook(content: str, page, files) -> str:
    """Make "Baixar notebook" download the file and add "Ver como notebook" beside it."""

    def fix(match: re.Match[str]) -> str:
        notebook = view_page(files, match["name"])
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


# --- MkDocs events -------------------------------------------------------------


def on_config(config):
    notebook_view.open_cache(Path(config.config_file_path).resolve().parent)
    return config


def on_files(files, config):
    for file in [file for file in files if is_view(file.src_uri)]:
        files.remove(file)
        files.append(NotebookView(file.src_uri, file.src_dir, file.dest_dir, file.use_directory_urls,
                                  inclusion=file.inclusion))
    return files


def on_serve(server, config, builder):
    """A `serve` session imports nbconvert once, at its start: an edit that changes a notebook
    then pays only the conversion (a one-off `mkdocs build` imports it only on a cache miss)."""
    notebook_view.import_converter()
    return server


def on_pre_page(page, config, files):
    if isinstance(page.file, NotebookView):
        page.render = lambda config, files: render_view(page, config)
    return page


def on_page_content(html, page, config, files):
    if isinstance(page.file, NotebookView):
        return html  # its conversion checked that it loads nothing from the network (notebook_view.py)
    if "data-colab=" in html:
        html = link_lesson_to_colab(html, config.repo_name)
    if "download=" in html:
        html = link_lesson_to_notebook(html, page, files)
    return html


def on_post_build(config):
    notebook_view.open_cache(Path(config.config_file_path).resolve().parent).save()
    if not config.site_url:
        return  # no published address to point at: the links stay relative
    site_dir = Path(config.site_dir)
    for notebook in sorted((site_dir / NOTEBOOKS).rglob("*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        linked = link_lessons_on_the_web(text, config.site_url, site_dir)
        if linked != text:
            notebook.write_text(linked, encoding="utf-8")
