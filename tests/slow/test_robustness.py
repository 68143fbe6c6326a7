"""A build that nothing can break: hung, crashing and hostile lessons, concurrent and interrupted builds.

Each case runs on a tiny throw-away project and checks the exact message, the exit status, that no
process of the build is left (every process started by the build carries a marker in its
environment, found through /proc), and that docs/ and .cache/ are as before or fully updated.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from curso.pipeline.build import INTERRUPTED, BuildError, build
from curso.pipeline.layout import GENERATED, REPORT_PAGE, RESULTS
from curso.pipeline.source import LessonSourceError
from curso.pipeline.untrusted import safe_markdown

from tests.helpers import ROOT, lesson_text, snapshot

CLI_GUARD = 120  # seconds: only so that a regression fails instead of hanging the suite
SETTLE = 10  # seconds allowed for killed processes to disappear


def processes_marked(mark: str) -> list[int]:
    """Live processes whose environment carries the marker (zombies have no environment left)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"ROBUSTEZ_MARCA={mark}".encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def assert_nothing_left(mark: str) -> None:
    deadline = time.monotonic() + SETTLE
    while processes_marked(mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_marked(mark) == []


@pytest.fixture
def small(project) -> Path:
    """The project with only its lesson without figures: each build imports less."""
    (project / "lessons_src" / "01-primeira.md").unlink()
    return project


@pytest.fixture
def mark(monkeypatch) -> str:
    """Marks every process this test's builds start (in-process builds and the CLI alike)."""
    value = uuid.uuid4().hex
    monkeypatch.setenv("ROBUSTEZ_MARCA", value)
    yield value
    assert_nothing_left(value)


def write_lesson(project: Path, body: str, name: str = "02-segunda.md", **header) -> None:
    text = lesson_text(body, "Segunda")
    extra = "".join(f"{key}: {value}\n" for key, value in header.items())
    (project / "lessons_src" / name).write_text(text.replace("---\n\n", extra + "---\n\n", 1), encoding="utf-8")


def state(project: Path) -> dict:
    return {folder: snapshot(project / folder) for folder in ("docs", GENERATED, RESULTS)}


def cli(project: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "curso.build", "--root", str(project)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def run_cli(project: Path) -> tuple[int, str]:
    process = cli(project)
    try:
        _, stderr = process.communicate(timeout=CLI_GUARD)
    finally:
        process.kill()  # only does something after a timeout: the lessons then die with the build
    return process.returncode, stderr


def wait_for_file(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + CLI_GUARD
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.exists(), process.stderr.read() if process.poll() is not None else "a lição não começou"


def test_a_hung_lesson_is_stopped_at_its_time_limit_naming_block_and_line(small, mark):
    write_lesson(small, "```python\nprint('rápida')\n```\n", name="01-primeira.md")
    write_lesson(small, "```python\nx = 1\n```\n\n```python\nprint('calculando')\nwhile True: x += 1\n```\n",
                 timeout=3)
    code, stderr = run_cli(small)
    assert code == 1
    assert stderr == (
        "Erro ao gerar as lições:\n"
        "lessons_src/02-segunda.md:13: tempo esgotado: a lição passou de 3 s e foi interrompida durante o bloco "
        "da linha 12 (se ela precisa de mais tempo, aumente 'timeout:' no cabeçalho)\n"
        "Saída do bloco até aqui:\ncalculando\n")
    assert snapshot(small / GENERATED) == {}
    assert [name.split("/")[0] for name in snapshot(small / RESULTS)] == ["01-primeira"] * 2


def test_processes_a_lesson_leaves_behind_are_killed_and_do_not_hold_the_build(small, mark):
    write_lesson(small, "```python\nimport subprocess\nsubprocess.Popen(['sleep', '600'])\n"
                          "subprocess.Popen(['sleep', '601'], start_new_session=True)\nprint('pronto')\n```\n")
    code, stderr = run_cli(small)
    assert (code, stderr) == (0, "")
    assert "pronto" in (small / GENERATED / "licoes" / "02-segunda.md").read_text()


@pytest.mark.parametrize("crash, expected", [
    ("import os\nos._exit(3)", "lessons_src/02-segunda.md:7: a lição encerrou o processo com o código 3 durante "
                               "o bloco da linha 7 sem terminar\nSaída do bloco até aqui:\nantes do fim"),
    ("import ctypes\nctypes.string_at(0)", "lessons_src/02-segunda.md:10: a lição caiu com o sinal SIGSEGV "
                                           "durante o bloco da linha 7\nSaída do bloco até aqui:\nantes do fim"),
])
def test_a_crash_names_the_block_the_signal_or_code_and_keeps_the_output(small, mark, crash, expected):
    write_lesson(small, f"```python\nimport sys\nprint('antes do fim')\n{crash}\n```\n")
    with pytest.raises(BuildError) as caught:
        build(small)
    assert str(caught.value) == expected


def test_output_that_is_not_valid_unicode_is_shown_escaped(small, mark):
    write_lesson(small, '```python\nprint("a\\udcffb")\n```\n')
    build(small)
    assert "a\\udcffb" in (small / GENERATED / "licoes" / "02-segunda.md").read_text(encoding="utf-8")


def test_a_corrupted_cache_entry_is_a_miss_with_a_one_line_warning(small, mark, capsys):
    build(small)
    before = state(small)
    [result] = (small / ".cache" / "lessons" / "02-segunda").glob("[0-9a-f]*.json")
    result.write_bytes(result.read_bytes()[:20])
    capsys.readouterr()
    assert build(small).executed == ["02-segunda"]
    assert capsys.readouterr().err == ("aviso: cache de 02-segunda ilegível (JSONDecodeError); "
                                       "a lição será executada de novo\n")
    after = state(small)
    for generated in (before, after):
        generated[GENERATED].pop(REPORT_PAGE)  # run times by design
        generated[RESULTS].pop(f"02-segunda/{result.name}")  # run time
        generated[RESULTS].pop("02-segunda/recent.json")  # run time
    assert after == before


def test_a_failed_write_leaves_every_generated_file_as_it_was(small, mark):
    build(small)
    write_lesson(small, "```python\nprint('nova versão')\n```\n")
    notebook = small / GENERATED / "notebooks" / "02-segunda.ipynb"
    notebook.unlink()
    notebook.mkdir()  # a folder where the notebook goes: its rename fails after the page's succeeded
    before = snapshot(small / GENERATED)
    with pytest.raises(BuildError) as caught:
        build(small)
    assert str(caught.value).startswith(f"não foi possível escrever {GENERATED}/notebooks/02-segunda.ipynb: ")
    assert str(caught.value).endswith("; nenhum arquivo gerado foi alterado")
    assert snapshot(small / GENERATED) == before
    assert [p.name for p in (small / GENERATED).iterdir() if p.name.startswith(".")] == []


def test_a_second_build_waits_for_the_first_and_says_so(small, mark):
    (small / ".cache").mkdir()
    with open(small / ".cache" / "build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        second = cli(small)
        line = second.stderr.readline()
        assert not (small / GENERATED / "licoes").exists()
    _, rest = second.communicate(timeout=CLI_GUARD)
    assert line == f"Outro build está gerando as lições nesta pasta ({small}); esperando ele terminar…\n"
    assert (second.returncode, rest) == (0, "")
    assert (small / GENERATED / "licoes" / "02-segunda.md").exists()


def test_ctrl_c_stops_the_lessons_and_exits_130_with_one_line(small, mark, tmp_path):
    started = tmp_path / "comecou"
    write_lesson(small, f"```python\nopen({str(started)!r}, 'w').close()\nwhile True:\n    pass\n```\n")
    build_process = cli(small)
    wait_for_file(started, build_process)
    build_process.send_signal(signal.SIGINT)
    _, stderr = build_process.communicate(timeout=CLI_GUARD)
    assert (build_process.returncode, stderr) == (130, INTERRUPTED + "\n")
    assert snapshot(small / GENERATED) == {}


def test_lessons_die_with_a_killed_build(small, mark, tmp_path):
    started = tmp_path / "comecou"
    write_lesson(small, f"```python\nopen({str(started)!r}, 'w').close()\nwhile True:\n    pass\n```\n")
    build_process = cli(small)
    wait_for_file(started, build_process)
    build_process.kill()
    build_process.communicate(timeout=CLI_GUARD)
    assert_nothing_left(mark)


def test_a_lesson_runs_without_the_repository_on_its_import_path(small, mark, monkeypatch):
    """The editable install puts scripts/ on every interpreter's path (.pth); the lessons' is cleaned."""
    assert importlib.util.find_spec("curso").origin == str(ROOT / "scripts" / "curso" / "__init__.py")
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "scripts"))
    repository = [str(ROOT), str(ROOT / "scripts")]
    write_lesson(small, "```python\nimport importlib.util, os, sys\n"
                          f"print([p for p in sys.path if p in {repository!r}], os.environ.get('PYTHONPATH'))\n"
                          "for name in ('curso', 'devtools', 'curso.pipeline'):\n"
                          "    try:\n        __import__(name)\n    except ImportError:\n        print('sem', name)\n```\n")
    build(small)
    assert "[] None\nsem curso\nsem devtools\nsem curso.pipeline\n" in (small / GENERATED / "licoes" / "02-segunda.md").read_text()


def test_a_lesson_that_writes_into_the_repository_fails_the_build_naming_the_file(small, mark):
    (small / "docs" / "index.md").write_text("escrita à mão\n")
    write_lesson(small, f"```python\nopen({str(small / 'docs' / 'index.md')!r}, 'w').write('estragado')\n```\n")
    with pytest.raises(BuildError) as caught:
        build(small)
    assert str(caught.value) == (
        "arquivos do repositório mudaram durante a execução de lessons_src/02-segunda.md: docs/index.md\n"
        "Uma lição só deve escrever na sua pasta de trabalho (a pasta atual quando ela roda); confira "
        "os arquivos com `git status`/`git diff`. Se foi você editando durante o build, rode de novo.")
    assert sorted(snapshot(small / "docs")) == ["index.md"]


def test_the_header_is_text_in_the_page_the_report_and_the_notebook(small, mark):
    (small / "lessons_src" / "02-segunda.md").write_text(
        "---\ntitle: \"Lição <script>alert(1)</script>\"\ndescription: 'x\"><script>alert(2)</script>'\n---\n\n"
        "Texto.\n", encoding="utf-8")
    build(small)
    page = (small / GENERATED / "licoes" / "02-segunda.md").read_text()
    assert page.startswith("---\ntitle: Lição &lt;script&gt;alert(1)&lt;/script&gt;\n"
                           "description: x&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\n---\n")
    assert "\n# Lição &lt;script&gt;alert(1)&lt;/script&gt;\n" in page
    report = (small / GENERATED / "sobre-a-execucao.md").read_text()
    assert "| [Lição &lt;script&gt;alert(1)&lt;/script&gt;](licoes/02-segunda.md) |" in report
    notebook = json.loads((small / GENERATED / "notebooks" / "02-segunda.ipynb").read_text())
    assert notebook["cells"][0]["source"][0] == "# Lição &lt;script&gt;alert(1)&lt;/script&gt;\n"
    assert "<script>" not in page + report


def test_output_markdown_keeps_tables_and_math_but_no_html(small, mark):
    write_lesson(small, "```python output=markdown\n"
                          "print('| a | b |\\n| --- | --- |\\n| <script>x</script> | $x < 1$ e `<b>` e R\\\\$ 2 |')\n"
                          "print('{: onclick=\"alert(1)\" }')\n```\n")
    build(small)
    page = (small / GENERATED / "licoes" / "02-segunda.md").read_text()
    assert ("| a | b |\n| --- | --- |\n| &lt;script>x&lt;/script> | $x < 1$ e `<b>` e R\\$ 2 |\n"
            "&#123;: onclick=\"alert(1)\" &#125;\n") in page


def test_output_markdown_with_a_javascript_link_is_an_error(small, mark):
    write_lesson(small, "```python output=markdown\nprint('[clique](javascript:alert(1))')\n```\n")
    with pytest.raises(BuildError) as caught:
        build(small)
    assert str(caught.value) == ("lessons_src/02-segunda.md:7: a saída (output=markdown) tem um link para "
                                 "'javascript:alert(1)': só endereços http(s), mailto, relativos ou âncoras (#)")


@pytest.mark.parametrize("link", ["[x]( JAVASCRIPT:a)", "[x]: java&#115;cript:alert(1)", "![i](vbscript:x)",
                                  "[x](data:text/html,1)"])
def test_only_web_mail_relative_and_anchor_links_pass(link):
    with pytest.raises(LessonSourceError, match="só endereços http"):
        safe_markdown(link, "lessons_src/01-x.md", 3)
    for fine in ("[x](https://pytorch.org/a_(b))", "[x](../a.md#b)", "[x](#secao)", "[x](mailto:a@b.c)"):
        assert safe_markdown(fine, "lessons_src/01-x.md", 3) == fine
