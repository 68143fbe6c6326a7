"""Serve the built site the way GitHub Pages does, for the browser tests and the speed budget.

GitHub Pages publishes a project site under a sub-path (``https://<dono>.github.io/<repo>/``),
compresses text with gzip, answers a missing page with the site's ``404.html`` and status 404,
redirects a folder without its trailing slash, and lets browsers cache files for ten minutes.
This server does the same on 127.0.0.1, so a page that only works at the site root, or only
without compression, fails here before it fails in production. It serves nothing outside the site
folder (every path is resolved and checked), answers malformed requests with 400/414 and no
traceback, and keeps a long listen queue so that hundreds of simultaneous requests are all answered.

    python -m devtools.static_server site --port 8001   # http://127.0.0.1:8001/redes-neurais/
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gzip
import mimetypes
import sys
import threading
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SUB_PATH = "/redes-neurais/"
CACHE_CONTROL = "max-age=600"  # what GitHub Pages sends
MAX_URL = 2048  # longer paths get 414, like GitHub Pages' front end
LISTEN_QUEUE = 256
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
TYPES = {".ipynb": "application/x-ipynb+json", ".js": "application/javascript", ".mjs": "application/javascript",
         ".woff2": "font/woff2", ".svg": "image/svg+xml", ".json": "application/json"}


def content_type(path: Path) -> str:
    guessed = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def page_urls(site: Path) -> list[str]:
    """URL paths, relative to the sub-path, of every page of a built site: "" is the home page."""
    folders = (index.parent.relative_to(site).as_posix() for index in Path(site).rglob("index.html"))
    return sorted("" if folder == "." else f"{folder}/" for folder in folders)


@lru_cache(maxsize=512)
def gzipped(path: Path, mtime_ns: int) -> bytes:
    """Compressed once per file version (mtime_ns is part of the cache key)."""
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


class SiteHandler(BaseHTTPRequestHandler):
    """GET/HEAD of files under ``SUB_PATH``; everything else is the site's 404 page."""

    site: Path
    sub_path: str
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.respond(send_body=True)

    def do_HEAD(self):
        self.respond(send_body=False)

    def respond(self, send_body: bool) -> None:
        if len(self.path) > MAX_URL:
            return self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
        url_path = unquote(urlsplit(self.path).path)
        if "\0" in url_path or not url_path.startswith("/"):
            return self.send_error(HTTPStatus.BAD_REQUEST)
        if url_path + "/" == self.sub_path:
            return self.redirect(self.sub_path)
        try:
            target = self.resolve(url_path)
            kind = "dir" if target and target.is_dir() else "file" if target and target.is_file() else None
        except OSError as exc:
            too_long = exc.errno == errno.ENAMETOOLONG
            return self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG if too_long else HTTPStatus.NOT_FOUND)
        if kind == "dir":
            return self.redirect(url_path + "/")
        if kind is None:
            return self.send_file(self.site / "404.html", HTTPStatus.NOT_FOUND, send_body)
        return self.send_file(target, HTTPStatus.OK, send_body)

    def resolve(self, url_path: str) -> Path | None:
        """The file a URL names, or None outside the sub-path or the site folder.

        Resolved, then checked: `//etc/passwd`, `%2fetc`, `..` and links out of the site all end
        outside the site folder and are refused.
        """
        relative = url_path[len(self.sub_path):]
        if not url_path.startswith(self.sub_path) or relative.startswith("/"):
            return None
        target = (self.site / relative).resolve()
        if not target.is_relative_to(self.site):
            return None
        if url_path.endswith("/"):
            target = target / "index.html"
        return target

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_file(self, path: Path, status: HTTPStatus, send_body: bool) -> None:
        kind = content_type(path)
        compress = kind.startswith(COMPRESSIBLE) and "gzip" in self.headers.get("Accept-Encoding", "")
        body = gzipped(path, path.stat().st_mtime_ns) if compress else path.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", CACHE_CONTROL)
        self.send_header("Vary", "Accept-Encoding")
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class SiteServer(ThreadingHTTPServer):
    request_queue_size = LISTEN_QUEUE
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up mid-answer is not our error: no traceback on the console."""


@contextlib.contextmanager
def serving(site: Path, sub_path: str = SUB_PATH, port: int = 0):
    """Serve ``site`` on 127.0.0.1 in a background thread; yields the site's base URL."""
    handler = type("Handler", (SiteHandler,), {"site": Path(site).resolve(), "sub_path": sub_path})
    server = SiteServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{sub_path}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve o site gerado como o GitHub Pages serve.")
    parser.add_argument("site", type=Path, nargs="?", default=Path("site"), help="pasta do site (padrão: site)")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    if not (args.site / "404.html").is_file():
        print(f"{args.site} não é um site gerado (falta 404.html): rode `make site` antes", file=sys.stderr)
        return 1
    try:
        with serving(args.site, port=args.port) as url:
            print(f"Servindo {args.site} em {url} (Ctrl+C para parar)", flush=True)
            threading.Event().wait()
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"a porta {args.port} já está em uso: pare o outro servidor ou use --port com outro número",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Servidor parado.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
