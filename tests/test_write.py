import os

from pipeline.write import sync_generated, write_atomic, write_if_changed


def test_write_atomic_leaves_no_temporary_files(tmp_path):
    write_atomic(tmp_path / "a" / "b.md", b"conteudo")
    assert (tmp_path / "a" / "b.md").read_bytes() == b"conteudo"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["b.md"]


def test_unchanged_content_is_not_rewritten(tmp_path):
    path = tmp_path / "page.md"
    assert write_if_changed(path, b"x")
    os.utime(path, (1, 1))
    assert not write_if_changed(path, b"x")
    assert path.stat().st_mtime == 1
    assert write_if_changed(path, b"y") and path.read_bytes() == b"y"


def test_sync_writes_changed_and_removes_stale_generated_files_only_in_owned_folders(tmp_path):
    (tmp_path / "licoes").mkdir()
    (tmp_path / "licoes" / "antiga.md").write_text("velha")
    (tmp_path / "index.md").write_text("escrita à mão")
    changed = sync_generated(tmp_path, {"licoes/nova.md": b"nova", "relatorio.md": b"r"}, owned_dirs=["licoes"])
    assert sorted(changed) == ["licoes/antiga.md", "licoes/nova.md", "relatorio.md"]
    assert not (tmp_path / "licoes" / "antiga.md").exists()
    assert (tmp_path / "index.md").read_text() == "escrita à mão"
    assert sync_generated(tmp_path, {"licoes/nova.md": b"nova", "relatorio.md": b"r"}, ["licoes"]) == []
