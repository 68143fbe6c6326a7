"""`mkdocs serve` by itself: editing a lesson rebuilds it, the page changes, the server settles."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

from curso.pipeline.runner import STARTED

from tests.helpers import TINY_LESSON, copy_repo

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


@contextlib.contextmanager
def serving(tmp_path, config):
    """`mkdocs serve` over a copy of the repository whose lessons are all tiny (a fast first build):
    yields (the copy, the URL of a lesson page, the server's log so far)."""
    repo = copy_repo(tmp_path / "repo")
    first_lesson = sorted((repo / "lessons_src").glob("[0-9][0-9]-*.md"))[0]
    for lesson in (repo / "lessons_src").glob("[0-9][0-9]-*.md"):
        lesson.write_text(TINY_LESSON, encoding="utf-8")  # small lessons keep the test fast
    base_path = urlparse(config["site_url"]).path
    port = free_port()
    page_url = f"http://127.0.0.1:{port}{base_path}licoes/{first_lesson.stem}/"
    log_path = tmp_path / "serve.log"
    # The copy's own package, not the installed one: the test edits the copy's pipeline code.
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(repo / "scripts"))
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                                  cwd=repo, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        assert wait_for(lambda: fetch(page_url), WAIT_FOR_PAGE, server), log_path.read_text()[-3000:]
        yield first_lesson, page_url, log_path.read_text, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def edit_and_wait(lesson, text: str, page_url: str, marker: str, log, server) -> str:
    """Write `text` into the lesson, wait until the page shows `marker`; the log of that rebuild."""
    before = len(log())
    lesson.write_text(text, encoding="utf-8")
    assert wait_for(lambda: marker in (fetch(page_url) or ""), WAIT_FOR_PAGE, server), log()[-3000:]
    assert wait_for(lambda: "Lições executadas:" in log()[before:], WAIT_FOR_PAGE, server), log()[-3000:]
    return log()[before:]


def test_editing_prose_while_serving_updates_the_page_without_executing_and_the_server_settles(tmp_path, config):
    with serving(tmp_path, config) as (lesson, page_url, log, server):
        rebuilt = edit_and_wait(lesson, TINY_LESSON + "\nMarcador de edição 314159.\n", page_url, "314159", log, server)
        assert "Lições executadas: nenhuma;" in rebuilt and f"executadas: {lesson.stem}" not in rebuilt
        rebuilds = lambda: log().count("Detected file changes")  # noqa: E731
        time.sleep(QUIET_PERIOD)
        settled = rebuilds()
        time.sleep(QUIET_PERIOD)
        assert rebuilds() == settled, "o servidor continua reconstruindo o site sozinho (laço de rebuild)"
        assert settled == 1, log()  # one build per edit: nothing the build writes is watched


def test_code_edits_while_serving_reuse_one_warm_executor_and_pipeline_edits_take_effect(tmp_path, config):
    with serving(tmp_path, config) as (lesson, page_url, log, server):
        started = lambda: log().count(STARTED)  # noqa: E731
        assert started() == 1  # the first build executed the tiny lessons
        for number in (1, 2):
            code = TINY_LESSON.replace("numbers = [1, 2, 3]", f"numbers = [1, 2, 3, {1000 + number}]")
            rebuilt = edit_and_wait(lesson, code, page_url, f"soma: {1006 + number}", log, server)
            assert f"Lições executadas: {lesson.stem};" in rebuilt
        assert started() == 1, log()
        render = lesson.parent.parent / "scripts" / "curso" / "pipeline" / "render.py"
        original = render.read_text(encoding="utf-8")
        changed = original.replace('.rstrip() + "\\n"\n    return RenderedLesson',
                                   '.rstrip() + "\\n\\nMarcador do render 271828.\\n"\n    return RenderedLesson')
        assert changed != original
        rebuilt = edit_and_wait(render, changed, page_url, "271828", log, server)
        assert "O código de scripts/curso/pipeline/ mudou" in rebuilt and "Lições executadas: nenhuma;" in rebuilt
