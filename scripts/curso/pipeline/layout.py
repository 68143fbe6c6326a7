"""Where things live: the project's folders and the site paths of what the build generates.

The pipeline writes every generated file (lesson pages, figures, notebooks, the report) into
`GENERATED`, a build folder under `.cache/`, never into `docs/`: the lessons hook hands them to
MkDocs as files of the site (`on_files`), so `docs/` holds only hand-written pages and
`mkdocs serve` never sees its own writes. Paths below are site paths (relative to the docs).
"""

from __future__ import annotations

import posixpath

LESSONS_SRC = "lessons_src"
DOCS = "docs"
CACHE = ".cache"
GENERATED = f"{CACHE}/gerado"
RESULTS = f"{CACHE}/lessons"
RENDERED = f"{CACHE}/renderizado"  # pure rendering work (KaTeX output) cached by content hash
RENDERED_LESSONS = f"{RENDERED}/licoes.json"  # what each lesson's generated files were rendered from
RENDERED_TEMPLATES = f"{RENDERED}/jinja"  # the theme's compiled templates (hooks/templates_hook.py)
LOCK = f"{CACHE}/build.lock"

PAGES = "licoes"
FIGURES = "figuras"  # under PAGES
PHONE_FIGURES = "celular"  # under FIGURES, and under EXPLORABLES for the phone renditions' states
EXPLORABLES = "explorar"  # under PAGES: the states of each explorable block (explore=), as JSON
NOTEBOOKS = "notebooks"
REPORT_PAGE = "sobre-a-execucao.md"
GENERATED_DIRS = (PAGES, NOTEBOOKS)  # everything in them is the build's (stale files are removed)
# The course as PDFs: made by `make pdf` (devtools/course_pdf.py) after the build, into the built site.
PDF = "pdf"
COURSE_PDF = f"{PDF}/curso.pdf"
TEACHER_PDF = f"{PDF}/curso-professor.pdf"
# Site paths of files made after the build, into the built site (the Pages workflow runs `make pdf`): the
# link checker accepts that they are missing, and the site opened from disk links them on the published site.
MADE_AFTER_BUILD = frozenset({COURSE_PDF, TEACHER_PDF})


def lesson_page(slug: str) -> str:
    return f"{PAGES}/{slug}.md"


def figure_file(name: str) -> str:
    return f"{PAGES}/{FIGURES}/{name}"


def states_file(name: str) -> str:
    return f"{PAGES}/{EXPLORABLES}/{name}"


def notebook_file(slug: str) -> str:
    """The notebook view's source: notebook_hook.py makes it the page ``notebooks/<slug>/``."""
    return f"{NOTEBOOKS}/{slug}.ipynb"


def notebook_download(slug: str) -> str:
    """The standalone notebook, published beside its view (the "Baixar notebook" file)."""
    return f"{NOTEBOOKS}/{slug}/{slug}.ipynb"


def page_url(site_path: str) -> str:
    """The URL of the page made from a Markdown or notebook file (``use_directory_urls``)."""
    return posixpath.splitext(site_path)[0] + "/"


def relative_url(target: str, page: str) -> str:
    """`target` (a site path or page URL) as a link from the page whose URL is `page`."""
    relative = posixpath.relpath(target, page)
    return relative + "/" if target.endswith("/") else relative


def lesson_source(slug: str) -> str:
    """The lesson's source, relative to the repository root."""
    return f"{LESSONS_SRC}/{slug}.md"


def lesson_slug(site_path: str) -> str | None:
    """The lesson a generated lesson page or notebook belongs to (``licoes/02-x.md`` -> ``02-x``)."""
    folder, name = posixpath.split(site_path)
    stem, extension = posixpath.splitext(name)
    if (folder, extension) in ((PAGES, ".md"), (NOTEBOOKS, ".ipynb")):
        return stem
    return None


def lesson_edit_url(edit_url: str, site_path: str) -> str:
    """The "Editar esta página" link of a generated page, pointed at its lesson source.

    MkDocs builds it as ``<repo>/<edit_uri ending in docs/><site path>``; the source sits beside docs/.
    """
    base = edit_url[: -len(site_path)].removesuffix(f"{DOCS}/")
    return base + lesson_source(lesson_slug(site_path))

# Offline reading (scripts/curso/offline.py, scripts/curso/hooks/offline_hook.py).
OFFLINE_SITE = f"{CACHE}/site-offline"  # the variant of the site that works opened from disk (file://)
OFFLINE_ZIP = "treinando-redes-neurais-offline.zip"  # site path of that variant, zipped
OFFLINE_ZIP_BUILT = f"{CACHE}/{OFFLINE_ZIP}"  # where `make offline` leaves it for the site build to publish
OFFLINE_ZIP_FOLDER = "treinando-redes-neurais"  # the one folder inside the zip
OFFLINE_MANIFEST = "offline.json"  # site path: what "Salvar para ler offline" downloads, with sizes
SERVICE_WORKER = "sw.js"  # site path: at the root, so its scope is the whole site
WORKER_SHIM = "javascripts/iframe-worker.js"  # site path: the search worker from file://
