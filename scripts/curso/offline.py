"""Offline reading: the course as a zip that works opened from disk, and the list of what
"Salvar para ler offline" downloads.

`python -m curso.offline` (`make offline`) builds the variant of the site that works from
``file://`` (mkdocs.yml turns on Material's offline plugin when ``OFFLINE=1``; the offline hook
fixes what it leaves pointing at the network or at directory URLs) and zips it into
``layout.OFFLINE_ZIP_BUILT``; the next `make site` publishes the zip and prints its size on the
home page (scripts/curso/hooks/offline_hook.py).

The zip is deterministic (sorted entries, fixed timestamps and permissions): the same site gives
the same bytes. The manifest lists every page of the course and every file those pages load,
with its size in bytes, read from the built files; its hash is the version of the service
worker's cache, so a new deploy replaces the files a reader saved.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import posixpath
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urldefrag

from curso.pipeline.layout import (OFFLINE_MANIFEST, OFFLINE_SITE, OFFLINE_ZIP, OFFLINE_ZIP_BUILT,
                                   OFFLINE_ZIP_FOLDER, SERVICE_WORKER)

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build date in the bytes
# Files for debugging or for a server; the sitemaps also carry the build's date.
LEFT_OUT_OF_ZIP = (".map", "404.html", "sitemap.xml", "sitemap.xml.gz", OFFLINE_ZIP, OFFLINE_MANIFEST, SERVICE_WORKER)

# Two patterns that each begin with a literal, which the regex engine finds fast (one pattern with
# `\b(?:src|srcset)` tried every position of ~350 KB pages: 0.14 s a build); `src` must start a word.
_SRC = re.compile(r'src(?:set)?="([^"]+)"')
_LINK_HREF = re.compile(r'<link\b[^>]*\bhref="([^"]+)"')
_WORD_CHAR = re.compile(r"\w")
_CSS_ASSET = re.compile(r'url\(\s*["\']?([^"\')]+)["\']?\s*\)')
COMPRESSED_BY_THE_SERVER = (".html", ".css", ".js", ".json", ".svg")
_FONT = re.compile(r"\.(?:woff2?|ttf|otf|eot)$")


# --- The manifest of "Salvar para ler offline" --------------------------------------------


def _local(url: str) -> bool:
    return not re.match(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", url, re.I)


def _resolve(url: str, base: str) -> str:
    """`url` as written in the file at site path `base`, as a site path ("" if it leaves the site)."""
    path = unquote(urldefrag(url)[0].split("?")[0])
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(base), path))
    return "" if resolved.startswith("..") else resolved


def page_assets(html: str, page_file: str) -> set[str]:
    """Site paths of the files an HTML page loads (scripts, styles, images, icons)."""
    found = set()
    written = [match[1] for match in _SRC.finditer(html)
               if match.start() == 0 or not _WORD_CHAR.match(html, match.start() - 1)]
    for value in written + _LINK_HREF.findall(html):
        for url in value.split(","):
            url = url.strip().split(" ")[0]
            if url and _local(url):
                found.add(_resolve(url, page_file))
    return found - {""}


def css_assets(css: str, css_file: str) -> set[str]:
    """Site paths of what a stylesheet loads; of the fonts, only WOFF2, the format browsers pick."""
    found = set()
    for url in _CSS_ASSET.findall(css):
        if _local(url) and (not _FONT.search(url.split("?")[0]) or url.split("?")[0].endswith(".woff2")):
            found.add(_resolve(url, css_file))
    return found - {""}


def search_files(site_dir: Path, languages: list[str]) -> set[str]:
    """The search index, the search worker and the word stemmers it imports for `languages`."""
    files = {"search/search_index.json"}
    files |= {path.relative_to(site_dir).as_posix()
              for path in (site_dir / "assets/javascripts/workers").glob("search.*.min.js")}
    stemmers = [language for language in languages if language != "en"]
    if stemmers:
        files.add("assets/javascripts/lunr/min/lunr.stemmer.support.min.js")
        files |= {f"assets/javascripts/lunr/min/lunr.{language}.min.js" for language in stemmers}
    if len(languages) > 1:
        files.add("assets/javascripts/lunr/min/lunr.multi.min.js")
    return files


def course_manifest(site_dir: Path, pages: dict[str, str], languages: list[str],
                    over_the_network: Callable[[str, bytes], int] | None = None) -> dict:
    """What "Salvar para ler offline" downloads: `pages` (URL -> built file, both site paths)
    and every file they load, each with its size in bytes and about what it costs over the
    network (`over_the_network`, by default `network_bytes`), the totals, and a version (the hash
    of every file's content) that names the cache."""
    assets = search_files(site_dir, languages)
    for page_file in pages.values():
        assets |= page_assets((site_dir / page_file).read_text(encoding="utf-8"), page_file)
    for css in sorted(asset for asset in assets if asset.endswith(".css")):
        if (site_dir / css).is_file():
            assets |= css_assets((site_dir / css).read_text(encoding="utf-8"), css)
    entries = sorted({**{asset: asset for asset in assets if (site_dir / asset).is_file()}, **pages}.items())
    digest = hashlib.sha256()
    files = []
    for url, path in entries:
        data = (site_dir / path).read_bytes()
        digest.update(url.encode() + b"\0" + hashlib.sha256(data).digest())
        files.append({"url": url, "bytes": len(data), "rede": (over_the_network or network_bytes)(path, data)})
    return {"versao": digest.hexdigest()[:16], "total": sum(file["bytes"] for file in files),
            "total_rede": sum(file["rede"] for file in files), "arquivos": files}


def network_bytes(path: str, data: bytes) -> int:
    """About what the file costs over the network: GitHub Pages sends text compressed with gzip."""
    if path.endswith(COMPRESSED_BY_THE_SERVER):
        return len(gzip.compress(data, compresslevel=6, mtime=0))
    return len(data)


def manifest_json(manifest: dict) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# --- The zip ------------------------------------------------------------------------------


def zipped_files(site_dir: Path) -> list[Path]:
    return sorted((path for path in site_dir.rglob("*")
                   if path.is_file() and not path.name.endswith(LEFT_OUT_OF_ZIP)),
                  key=lambda path: path.relative_to(site_dir).as_posix())


def write_zip(site_dir: Path, zip_path: Path) -> None:
    """`site_dir` zipped under one folder, the same bytes for the same files; written beside
    `zip_path` first and then moved into place, so a failure leaves no half-written zip."""
    partial = zip_path.with_name(zip_path.name + ".parcial")
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for path in zipped_files(site_dir):
                entry = zipfile.ZipInfo(f"{OFFLINE_ZIP_FOLDER}/{path.relative_to(site_dir).as_posix()}", ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, path.read_bytes(), compresslevel=9)
        os.replace(partial, zip_path)
    finally:
        partial.unlink(missing_ok=True)


def size_text(size: int) -> str:
    """A size as a reader sees it on a phone, in pt-BR: ``12,3 MB`` (1 MB = 1 000 000 bytes)."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} KB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


# --- `make offline` -----------------------------------------------------------------------


def build_offline(root: Path) -> Path:
    """Build the site that works from disk into OFFLINE_SITE and zip it into OFFLINE_ZIP_BUILT."""
    site_dir = root / OFFLINE_SITE
    env = dict(os.environ, OFFLINE="true", NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)], cwd=root, env=env)
    if done.returncode != 0:
        raise SystemExit(f"o build do site para ler sem internet falhou (código {done.returncode}); "
                         f"o {OFFLINE_ZIP_BUILT} anterior ficou como estava")
    zip_path = root / OFFLINE_ZIP_BUILT
    write_zip(site_dir, zip_path)
    return zip_path


def main() -> None:
    root = Path.cwd()
    start = time.perf_counter()
    zip_path = build_offline(root)
    print(f"{zip_path.relative_to(root)}: {size_text(zip_path.stat().st_size)} "
          f"({zip_path.stat().st_size} bytes), em {time.perf_counter() - start:.0f} s. "
          "O próximo `make site` o publica e mostra o tamanho na página inicial.")


if __name__ == "__main__":
    main()
