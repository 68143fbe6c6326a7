import os
import time

import pytest

from curso.pipeline.write import exclusive, sync_generated, write_atomic


def test_write_atomic_leaves_no_temporary_files(tmp_path):
    write_atomic(tmp_path / "a" / "b.md", b"conteudo")
    assert (tmp_path / "a" / "b.md").read_bytes() == b"conteudo"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.md"]


def test_unchanged_content_is_not_rewritten(tmp_path):
    path = tmp_path / "page.md"
    assert sync_generated(tmp_path, {"page.md": b"x"}, owned_dirs=[]) == ["page.md"]
    os.utime(path, (1, 1))
    assert sync_generated(tmp_path, {"page.md": b"x"}, owned_dirs=[]) == []
    assert path.stat().st_mtime == 1
    assert sync_generated(tmp_path, {"page.md": b"y"}, owned_dirs=[]) == ["page.md"] and path.read_bytes() == b"y"


def test_sync_writes_changed_and_removes_stale_generated_files_only_in_owned_folders(tmp_path):
    (tmp_path / "licoes").mkdir()
    (tmp_path / "licoes" / "antiga.md").write_text("velha")
    (tmp_path / "index.md").write_text("escrita à mão")
    changed = sync_generated(tmp_path, {"licoes/nova.md": b"nova", "relatorio.md": b"r"}, owned_dirs=["licoes"])
    assert sorted(changed) == ["licoes/antiga.md", "licoes/nova.md", "relatorio.md"]
    assert not (tmp_path / "licoes" / "antiga.md").exists()
    assert (tmp_path / "index.md").read_text() == "escrita à mão"
    assert sync_generated(tmp_path, {"licoes/nova.md": b"nova", "relatorio.md": b"r"}, ["licoes"]) == []


def test_a_failing_rename_puts_back_every_file_already_replaced(tmp_path):
    (tmp_path / "licoes").mkdir()
    (tmp_path / "licoes" / "a.md").write_text("velha a")
    (tmp_path / "licoes" / "antiga.md").write_text("velha")
    (tmp_path / "licoes" / "z.md").mkdir()  # a folder where a file must go: its rename fails last
    with pytest.raises(OSError) as caught:
        sync_generated(tmp_path, {"licoes/a.md": b"nova a", "licoes/z.md": b"z"}, owned_dirs=["licoes"])
    assert caught.value.filename == str(tmp_path / "licoes" / "z.md")
    assert (tmp_path / "licoes" / "a.md").read_text() == "velha a"
    assert (tmp_path / "licoes" / "antiga.md").read_text() == "velha"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.md", "antiga.md", "licoes", "z.md"]


def test_a_folder_that_cannot_be_created_changes_nothing(tmp_path):
    (tmp_path / "licoes").mkdir()
    (tmp_path / "licoes" / "a.md").write_text("velha a")
    (tmp_path / "notebooks").write_text("um arquivo onde devia haver uma pasta")
    with pytest.raises(OSError):
        sync_generated(tmp_path, {"licoes/a.md": b"nova a", "notebooks/a.ipynb": b"{}"}, ["licoes", "notebooks"])
    assert (tmp_path / "licoes" / "a.md").read_text() == "velha a"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.md", "licoes", "notebooks"]


def test_one_build_at_a_time_the_second_says_it_waits(tmp_path, capsys):
    import threading

    lock = tmp_path / ".cache" / "build.lock"
    order = []
    said = ""
    with exclusive(lock, "esperando"):
        second = threading.Thread(target=lambda: exclusive_run(lock, order), daemon=True)
        second.start()
        deadline = time.monotonic() + 30  # bounds a regression; not a timing assertion
        while "esperando" not in said and time.monotonic() < deadline:
            second.join(0.05)
            said += capsys.readouterr().err
        order.append("primeiro")
    second.join(30)
    assert said == "esperando\n"
    assert order == ["primeiro", "segundo"]


def exclusive_run(lock, order):
    with exclusive(lock, "esperando"):
        order.append("segundo")
