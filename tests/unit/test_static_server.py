"""The preview server: only files of the site folder, clean errors, a busy port, many clients at once."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devtools.static_server import serving


CLIENTS = 200
CLIENT_TIMEOUT = 60  # seconds: bounds the test on a busy machine, never a measured budget


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("servidor")
    site = root / "site"
    (site / "licoes").mkdir(parents=True)
    (site / "index.html").write_text("início")
    (site / "404.html").write_text("não encontrada")
    (site / "licoes" / "index.html").write_text("lições")
    (root / "segredo.txt").write_text("fora do site")
    (site / "atalho").symlink_to(root / "segredo.txt")
    return site


@pytest.fixture(scope="module")
def base(site):
    with serving(site) as url:
        yield url.removesuffix("/redes-neurais/")


def get(base: str, path: str) -> tuple[int, bytes]:
    """One raw GET: the path goes out exactly as written (no client-side normalisation)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=CLIENT_TIMEOUT)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serves_the_site(base):
    assert get(base, "/redes-neurais/") == (200, "início".encode())
    assert get(base, "/redes-neurais/licoes/") == (200, "lições".encode())


@pytest.mark.parametrize("path", [
    "/redes-neurais//etc/passwd", "/redes-neurais/%2fetc/passwd", "/redes-neurais/%2Fetc%2Fpasswd",
    "/redes-neurais/../segredo.txt", "/redes-neurais/%2e%2e/segredo.txt", "/redes-neurais/licoes/../../segredo.txt",
    "/redes-neurais/atalho", "//etc/passwd", "/etc/passwd",
])
def test_nothing_outside_the_site_folder_is_served(base, path):
    assert get(base, path) == (404, "não encontrada".encode())


@pytest.mark.parametrize("path, status", [
    ("/redes-neurais/" + "a" * 300, 414),
    ("/redes-neurais/" + "a/" * 1500, 414),
    ("/redes-neurais/a%00b", 400),
])
def test_bad_requests_get_a_status_not_a_traceback(base, path, status):
    assert get(base, path)[0] == status


def test_two_hundred_simultaneous_clients_are_all_answered(base):
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(lambda _: get(base, "/redes-neurais/")[0], range(CLIENTS)))
    assert statuses == [200] * CLIENTS


def test_the_listen_queue_holds_a_burst_of_two_hundred_connections(base):
    """A short queue (Python's default is 5) drops connections under a burst on a slow machine."""
    if not shutil.which("ss"):
        pytest.skip("sem o comando ss (iproute2) para ler a fila do socket")
    port = base.rsplit(":", 1)[1]
    listing = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True, check=True)
    queue = int(listing.stdout.split()[2])  # State Recv-Q Send-Q: for a listening socket, Send-Q is the backlog
    assert queue >= CLIENTS


def test_a_busy_port_is_a_message_and_exit_status_1(site):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "devtools.static_server", str(site),
                               "--port", str(port)], capture_output=True, text=True, timeout=CLIENT_TIMEOUT)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"a porta {port} já está em uso: pare o outro servidor ou use --port com outro número\n"
