"""MkDocs hook: reading without a connection (the work lives in scripts/curso/offline.py).

Two builds use it:

* the published site (the usual build): publishes the zip that `make offline` left in
  ``layout.OFFLINE_ZIP_BUILT`` and links to it from the home page with its size, next to the
  "Salvar para ler offline" panel (docs/javascripts/offline.js); writes the manifest of what that
  panel downloads and the service worker (sw.js, beside this hook) at the site's root, with the
  manifest's version in its cache name;
* the site that works from disk (``OFFLINE=1``: Material's offline plugin, which switches to
  ``.html`` links and inlines the search index): here the plugin's search-worker shim from a CDN is
  replaced by a local one, the notebook views' links (written by the pipeline for directory URLs)
  are pointed at the ``.html`` files, and the service worker and the home page panel are left out.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from curso import offline
from curso.offline import course_manifest, manifest_json, network_bytes, size_text
from curso.pipeline.layout import (MADE_AFTER_BUILD, NOTEBOOKS, OFFLINE_MANIFEST, OFFLINE_ZIP, OFFLINE_ZIP_BUILT,
                                   RENDERED, SERVICE_WORKER, WORKER_SHIM)
from curso.render_cache import RenderCache

HOME = "index.md"
MARKER = "<!-- ler-offline -->"  # where docs/index.md gets the section "Ler sem internet"
WORKER_SOURCE = Path(__file__).with_name("sw.js")  # written into the site's root by on_post_build
VERSION_LINE = re.compile(r'^const VERSAO = "[^"]*";$', re.M)
SEARCH_PLUGIN = "material/search"
OFFLINE_PLUGIN = "material/offline"
_RELATIVE_LINK = re.compile(r'\b(href|src|srcset)="([^"#:?]+)(#[^"]*)?"')

_pages: dict[str, str] = {}  # URL -> built file of each page the panel saves, filled while building
_site_files: set[str] = set()  # every file of the site being built (the .html site's links)
_compressed: RenderCache | None = None  # each file's gzip size, by its content's hash (opened in on_config)


def offline_build(config) -> bool:
    """Whether this is the build that works from disk (Material's offline plugin is on)."""
    plugin = config.plugins.get(OFFLINE_PLUGIN)
    return bool(plugin and plugin.config.enabled)


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def service_worker(version: str) -> str:
    """sw.js (beside this hook) with the cache version of this build, for the site's root."""
    text = WORKER_SOURCE.read_text(encoding="utf-8")
    if len(VERSION_LINE.findall(text)) != 1:
        raise PluginError(f"{WORKER_SOURCE.name} precisa de uma linha 'const VERSAO = \"...\";' (o build põe a versão)")
    return VERSION_LINE.sub(f'const VERSAO = "{version}";', text)


def download_panel(zip_size: int | None) -> str:
    """The home page's block: the zip to download (when `make offline` built one) and the panel
    of docs/javascripts/offline.js, which stays hidden where a service worker cannot run."""
    parts = ["## Ler sem internet",
             "As páginas que você abre ficam guardadas neste aparelho e abrem de novo sem conexão. "
             "Para ter o curso inteiro sem internet, salve-o aqui ou baixe o site para abrir do disco.",
             '<div class="ler-offline" markdown>']
    if zip_size is not None:
        parts.append(f"[Baixar o site para ler sem internet]({OFFLINE_ZIP}){{ .md-button download }} "
                     f"<span class=\"ler-offline__tamanho\">arquivo .zip, {size_text(zip_size)}: descompacte e "
                     "abra <code>index.html</code> no navegador</span>")
    parts.append(f'<div class="salvar-offline" data-manifesto="{OFFLINE_MANIFEST}" hidden>'
                 '<button type="button" class="md-button md-button--primary salvar-offline__salvar">'
                 "Salvar para ler offline</button>"
                 '<button type="button" class="md-button salvar-offline__remover" hidden>Remover cópia salva</button>'
                 '<p class="salvar-offline__estado" role="status" aria-live="polite"></p></div>')
    parts.append("</div>")
    return "\n\n".join(parts)


def _built_file(path: str, site_files: set[str]) -> str | None:
    """The file of the ``.html`` site that `path` (a site path of the directory-URL site) names."""
    for candidate in (path, path + ".html", "index.html" if path == "." else None):
        if candidate in site_files:
            return candidate
    return None


def html_site_links(html: str, page_file_url: str, site_files: set[str]) -> str:
    """Relative links written as HTML for the page at its directory URL (``licoes/<slug>/``) —
    the figures and links that the pipeline writes — pointed at the files
    of the ``.html`` site, where the page is ``licoes/<slug>.html``. MkDocs already rewrote the
    Markdown links: those lead to a file from here, and stay."""
    here = posixpath.dirname(page_file_url)
    written_for = posixpath.splitext(page_file_url)[0]

    def fix(match: re.Match[str]) -> str:
        url = match[2]
        if _built_file(posixpath.normpath(posixpath.join(here, url)), site_files):
            return match[0]
        target = _built_file(posixpath.normpath(posixpath.join(written_for, url)), site_files)
        if target is None:
            return match[0]
        return f'{match[1]}="{posixpath.relpath(target, here or ".")}{match[3] or ""}"'

    return _RELATIVE_LINK.sub(fix, html)


# --- MkDocs events -------------------------------------------------------------


def on_config(config):
    global _compressed
    if _compressed is None:
        _compressed = RenderCache(_root(config) / RENDERED / "rede.json", depends_on=(Path(offline.__file__),))
    if not offline_build(config):
        return config
    polyfills = config.extra.get("polyfills", [])
    config.extra["polyfills"] = [WORKER_SHIM if "iframe-worker" in url else url for url in polyfills]
    return config


def on_env(env, config, files):
    """The site's files once they are all known: the lessons hook adds the figures of lessons that
    executed during this build only after they ran, later than on_files."""
    if offline_build(config):
        _site_files.clear()
        _site_files.update(file.dest_uri for file in files)
    return env


def on_files(files, config):
    if offline_build(config):
        return files
    shim = files.get_file_from_path(WORKER_SHIM)  # only the site opened from disk needs it
    if shim is not None:
        files.remove(shim)
    zip_built = _root(config) / OFFLINE_ZIP_BUILT
    if zip_built.is_file():
        files.append(File(OFFLINE_ZIP, src_dir=str(zip_built.parent), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    return files


def on_pre_build(config):
    _pages.clear()


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri != HOME:
        return markdown
    if MARKER not in markdown:
        raise PluginError(f"docs/{HOME} precisa do marcador {MARKER} (onde entra o link do site para baixar)")
    if offline_build(config):
        return markdown.replace(MARKER, "")
    zip_built = _root(config) / OFFLINE_ZIP_BUILT
    return markdown.replace(MARKER, download_panel(zip_built.stat().st_size if zip_built.is_file() else None))


def published_links(html: str, page_file_url: str, site_url: str) -> str:
    """Links to the files made after the build (`MADE_AFTER_BUILD`, left out of the zip) lead to the
    published site: from disk they would lead nowhere."""
    here = posixpath.dirname(page_file_url)

    def fix(match: re.Match[str]) -> str:
        path = posixpath.normpath(posixpath.join(here, match[2]))
        if path not in MADE_AFTER_BUILD:
            return match[0]
        return f'{match[1]}="{site_url.rstrip("/")}/{path}{match[3] or ""}"'

    return _RELATIVE_LINK.sub(fix, html)


def on_post_page(output, page, config):
    if offline_build(config):
        output = published_links(output, page.file.url, config.site_url or "")
        return output if page.file.name == "index" else html_site_links(output, page.file.url, _site_files)
    if not page.file.src_uri.startswith(f"{NOTEBOOKS}/") and page.file.dest_uri != "404.html":
        _pages[page.url or "./"] = page.file.dest_uri
    return output


def on_post_build(config):
    if offline_build(config):
        return
    site_dir = Path(config.site_dir)
    languages = config.plugins[SEARCH_PLUGIN].config.lang if SEARCH_PLUGIN in config.plugins else []
    manifest = course_manifest(site_dir, _pages, list(languages or []), _network_bytes)
    _compressed.save()
    (site_dir / OFFLINE_MANIFEST).write_text(manifest_json(manifest), encoding="utf-8")
    (site_dir / SERVICE_WORKER).write_text(service_worker(manifest["versao"]), encoding="utf-8")


def _network_bytes(path: str, data: bytes) -> int:
    """`offline.network_bytes`, kept by the file's hash: a no-op build compresses nothing (gzip of
    every text file of the site is most of what the manifest costs)."""
    key = f"{posixpath.splitext(path)[1]} {hashlib.sha256(data).hexdigest()}"
    size = _compressed.get(key)
    if size is None:
        size = network_bytes(path, data)
        _compressed.put(key, size)
    return size
