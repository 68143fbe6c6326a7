"""`mkdocs serve` by itself: editing a lesson rebuilds it, the page changes, the server settles."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

from conftest import ROOT, TINY_LESSON, copy_repo

WAIT_FOR_PAGE = 120  # seconds: one lesson re-executed plus one site rebuild, on a slow CI machine
QUIET_PERIOD = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(predicate, seconds: float, server: subprocess.Popen):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    return None


def test_editing_a_lesson_while_serving_updates_the_page_and_the_server_settles(tmp_path, config):
    repo = copy_repo(tmp_path / "repo")
    first_lesson = sorted((repo / "lessons_src").glob("[0-9][0-9]-*.md"))[0]
    for lesson in (repo / "lessons_src").glob("[0-9][0-9]-*.md"):
        lesson.write_text(TINY_LESSON, encoding="utf-8")  # small lessons keep the test fast
    base_path = urlparse(config["site_url"]).path
    port = free_port()
    page_url = f"http://127.0.0.1:{port}{base_path}licoes/{first_lesson.stem}/"
    log_path = tmp_path / "serve.log"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=repo, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        assert wait_for(lambda: fetch(page_url), WAIT_FOR_PAGE, server), log_path.read_text()[-3000:]
        first_lesson.write_text(TINY_LESSON + "\nMarcador de edição 314159.\n", encoding="utf-8")
        assert wait_for(lambda: "314159" in (fetch(page_url) or ""), WAIT_FOR_PAGE, server), log_path.read_text()[-3000:]
        rebuilds = lambda: log_path.read_text().count("Detected file changes")  # noqa: E731
        time.sleep(QUIET_PERIOD)
        settled = rebuilds()
        time.sleep(QUIET_PERIOD)
        assert rebuilds() == settled, "o servidor continua reconstruindo o site sozinho (laço de rebuild)"
        assert settled == 1, log_path.read_text()  # one build per edit: nothing the build writes is watched
    finally:
        server.terminate()
        server.wait(timeout=30)
