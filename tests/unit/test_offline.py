"""Offline reading, one function at a time: the manifest of "Salvar para ler offline", the
deterministic zip, the links of the site that opens from disk, the home page's panel."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from curso.hooks.offline_hook import download_panel, html_site_links, published_links, service_worker
from curso.offline import course_manifest, size_text, write_zip
from curso.pipeline import layout
from tests.helpers import ROOT

LESSON_HTML = """<html><head>
<link rel="stylesheet" href="../../assets/main.0123abcd.min.css">
<link rel="canonical" href="https://example.github.io/redes-neurais/licoes/01-a/">
<script src="../../javascripts/extra.js"></script></head><body>
<a href="../02-b/">Lição 2</a>
<picture><source media="(max-width: 600px)" srcset="../figuras/celular/01-a-01.svg"><img src="../figuras/01-a-01.svg" alt=""></picture>
<img src="data:image/svg+xml,%3Csvg%3E" alt="">
</body></html>"""
CSS = ("@font-face{src:url(fonts/KaTeX_Main.woff2) format('woff2'),url(fonts/KaTeX_Main.woff) format('woff'),"
       "url(fonts/KaTeX_Main.ttf)}")


def write(site: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    write(site, {
        "index.html": '<link rel="stylesheet" href="assets/main.0123abcd.min.css"><a href="licoes/01-a/">1</a>',
        "licoes/01-a/index.html": LESSON_HTML,
        "licoes/02-b/index.html": "<p>Lição 2</p>",
        "licoes/figuras/01-a-01.svg": "<svg/>",
        "licoes/figuras/celular/01-a-01.svg": "<svg></svg>",
        "assets/main.0123abcd.min.css": CSS,
        "assets/fonts/KaTeX_Main.woff2": "w2", "assets/fonts/KaTeX_Main.woff": "w1", "assets/fonts/KaTeX_Main.ttf": "t",
        "javascripts/extra.js": "//",
        "search/search_index.json": "{}",
        "assets/javascripts/workers/search.0123abcd.min.js": "//",
        "assets/javascripts/lunr/min/lunr.stemmer.support.min.js": "//",
        "assets/javascripts/lunr/min/lunr.pt.min.js": "//",
        "assets/javascripts/lunr/min/lunr.de.min.js": "//",
    })
    return site


PAGES = {"./": "index.html", "licoes/01-a/": "licoes/01-a/index.html", "licoes/02-b/": "licoes/02-b/index.html"}


def test_manifest_lists_every_page_and_the_files_they_load_with_their_sizes(site):
    manifest = course_manifest(site, PAGES, ["pt"])
    files = {entry["url"]: entry["bytes"] for entry in manifest["arquivos"]}
    assert set(files) == set(PAGES) | {
        "assets/main.0123abcd.min.css", "assets/fonts/KaTeX_Main.woff2", "javascripts/extra.js",
        "licoes/figuras/01-a-01.svg", "licoes/figuras/celular/01-a-01.svg", "search/search_index.json",
        "assets/javascripts/workers/search.0123abcd.min.js",
        "assets/javascripts/lunr/min/lunr.stemmer.support.min.js", "assets/javascripts/lunr/min/lunr.pt.min.js"}
    assert files["licoes/01-a/"] == len(LESSON_HTML.encode())
    assert files["licoes/figuras/celular/01-a-01.svg"] == len("<svg></svg>")
    assert manifest["total"] == sum(files.values())
    network = {entry["url"]: entry["rede"] for entry in manifest["arquivos"]}
    assert network["assets/fonts/KaTeX_Main.woff2"] == files["assets/fonts/KaTeX_Main.woff2"]  # sent as it is
    assert network["licoes/01-a/"] < files["licoes/01-a/"]  # HTML goes compressed
    assert manifest["total_rede"] == sum(network.values())


def test_manifest_version_changes_with_any_file_and_only_then(site):
    first = course_manifest(site, PAGES, ["pt"])["versao"]
    assert course_manifest(site, PAGES, ["pt"])["versao"] == first
    (site / "licoes/figuras/01-a-01.svg").write_text("<svg />", encoding="utf-8")  # same size, new content
    assert course_manifest(site, PAGES, ["pt"])["versao"] != first


def test_zip_is_the_same_bytes_for_the_same_site_and_leaves_out_server_files(site, tmp_path):
    write(site, {"404.html": "x", "sw.js": "x", "offline.json": "{}", "assets/bundle.js.map": "{}",
                 "sitemap.xml": "<lastmod>2026-01-01</lastmod>"})
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    write_zip(site, first)
    os.utime(site / "index.html", (0, 0))  # the files' dates never reach the zip
    write_zip(site, second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read(f"{layout.OFFLINE_ZIP_FOLDER}/licoes/01-a/index.html").decode() == LESSON_HTML
    assert names == sorted(names) and all(name.startswith(f"{layout.OFFLINE_ZIP_FOLDER}/") for name in names)
    assert not [name for name in names if name.endswith(("404.html", "sw.js", "offline.json", ".map", "sitemap.xml"))]
    assert not list(tmp_path.glob("*.parcial"))


def test_zip_that_fails_leaves_the_previous_one(site, tmp_path, monkeypatch):
    zip_path = tmp_path / "curso.zip"
    zip_path.write_bytes(b"anterior")

    def disk_full(*args, **kwargs):
        raise OSError("disco cheio")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", disk_full)
    with pytest.raises(OSError, match="disco cheio"):
        write_zip(site, zip_path)
    assert zip_path.read_bytes() == b"anterior" and not list(tmp_path.glob("*.parcial"))


SITE_FILES = {"index.html", "licoes/01-a.html", "licoes/02-b.html", "licoes/figuras/01-a-01.svg",
              "notebooks/01-a.html", "javascripts/extra.js", "assets/main.css"}


def test_links_written_for_directory_urls_lead_to_the_html_files():
    lesson = ('<img src="../figuras/01-a-01.svg"><a href="../02-b/#ideia">2</a>'
              '<a href="02-b.html">2</a><link href="../assets/main.css"><a href="../nao-existe/">?</a>')
    assert html_site_links(lesson, "licoes/01-a.html", SITE_FILES) == (
        '<img src="figuras/01-a-01.svg"><a href="02-b.html#ideia">2</a>'
        '<a href="02-b.html">2</a><link href="../assets/main.css"><a href="../nao-existe/">?</a>')
    notebook = '<script src="../../javascripts/extra.js"></script><a href="../..">Início</a><a href="../../licoes/02-b/">2</a>'
    assert html_site_links(notebook, "notebooks/01-a.html", SITE_FILES) == (
        '<script src="../javascripts/extra.js"></script><a href="../index.html">Início</a>'
        '<a href="../licoes/02-b.html">2</a>')


def test_home_page_links_the_zip_only_when_it_was_built():
    assert layout.OFFLINE_ZIP not in download_panel(None)
    assert "Salvar para ler offline" in download_panel(None)
    with_zip = download_panel(4_701_966)
    assert f"({layout.OFFLINE_ZIP})" in with_zip and "4,7 MB" in with_zip


@pytest.mark.parametrize(("size", "text"), [(999, "1 KB"), (120_400, "120 KB"), (4_701_966, "4,7 MB"),
                                            (11_642_069, "11,6 MB")])
def test_sizes_read_as_on_a_phone_in_portuguese(size, text):
    assert size_text(size) == text


def test_service_worker_carries_the_version_of_the_build():
    assert 'const VERSAO = "abc123";' in service_worker("abc123")


def test_from_disk_the_files_made_after_the_build_are_linked_on_the_published_site():
    html = ('<a href="pdf/curso.pdf" download>PDF</a> <a href="pdf/curso-professor.pdf#page=2" download>professor</a> '
            '<a href="pdf/outro.pdf">outro</a>')
    assert published_links(html, "index.html", "https://ana.github.io/redes/") == (
        '<a href="https://ana.github.io/redes/pdf/curso.pdf" download>PDF</a> '
        '<a href="https://ana.github.io/redes/pdf/curso-professor.pdf#page=2" download>professor</a> '
        '<a href="pdf/outro.pdf">outro</a>')
    from_a_lesson = '<a href="../pdf/curso.pdf">PDF</a>'
    assert published_links(from_a_lesson, "licoes/01-a.html", "https://ana.github.io/redes/") == (
        '<a href="https://ana.github.io/redes/pdf/curso.pdf">PDF</a>')


def test_a_no_op_build_compresses_nothing_and_the_manifest_is_the_same(site, tmp_path, monkeypatch):
    from curso import offline
    from curso.hooks import offline_hook
    from curso.render_cache import RenderCache

    expected = course_manifest(site, PAGES, ["pt"])
    monkeypatch.setattr(offline_hook, "_compressed", RenderCache(tmp_path / "rede.json"))
    assert course_manifest(site, PAGES, ["pt"], offline_hook._network_bytes) == expected
    offline_hook._compressed.save()
    monkeypatch.setattr(offline_hook, "_compressed", RenderCache(tmp_path / "rede.json"))  # the next build
    monkeypatch.setattr(offline_hook, "network_bytes", lambda path, data: pytest.fail(f"{path} comprimido de novo"))
    assert course_manifest(site, PAGES, ["pt"], offline_hook._network_bytes) == expected
    (site / "javascripts/extra.js").write_text("// novo", encoding="utf-8")
    monkeypatch.setattr(offline_hook, "network_bytes", offline.network_bytes)
    assert course_manifest(site, PAGES, ["pt"], offline_hook._network_bytes) != expected
