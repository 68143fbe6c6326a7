"""Links of the built site: every internal link and anchor resolves; external links are listed, never fetched."""

import pytest
from devtools.site_links import Site, broken_links, external_links, external_report, main

from tests.helpers import ROOT

SITE_URL = "https://example.github.io/redes-neurais/"
REPORT = ROOT / "test-artifacts" / "links-externos.txt"
ARTICLE = "https://exemplo.org/artigo"

# A tiny built site whose links all resolve: page -> (address inside the site, stylesheet link, body).
GOOD_PAGES = {
    "index.html": ("", "estilo.css",
                   '<a href="#topo" id="topo">Topo</a> <a href="licao/">Lição</a> <a href="licao/#parte-2">Parte 2</a>'
                   ' <a href="licao/index.html#ancora-antiga">Âncora antiga</a> <a href="#">Nada</a>'
                   ' <a href="mailto:a@b.c">E-mail</a> <a href="javascript:void(0)">JS</a>'
                   f' <img src="data:image/png;base64,AAAA" alt=""> <a href="{ARTICLE}">Artigo</a>'),
    "licao/index.html": ("licao/", "../estilo.css",
                         '<h2 id="parte-2">Parte 2</h2> <a name="ancora-antiga"></a> <a href="../">Início</a>'
                         ' <img src="figura.svg" srcset="figura.svg 1x, figura@2x.png 2x" alt="Figura">'
                         f' <a href="../#topo">Topo</a> <a href="{ARTICLE}">Artigo</a>'),
    "404.html": ("404.html", "/redes-neurais/estilo.css",
                 '<a href="/redes-neurais/.">Início</a> <a href="/redes-neurais/licao/#parte-2">Parte 2</a>'
                 ' <script src="/redes-neurais/app.js"></script>'),
}
OTHER_FILES = {"licao/figura.svg": "<svg xmlns='http://www.w3.org/2000/svg'></svg>", "licao/figura@2x.png": "",
               "estilo.css": "", "app.js": ""}
SITEMAP = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
           f"<url><loc>{SITE_URL}</loc></url><url><loc>{SITE_URL}{{second}}</loc></url></urlset>")


def html_page(address: str, stylesheet: str, body: str) -> str:
    return (f'<!doctype html><html><head><link rel="canonical" href="{SITE_URL}{address}">'
            f'<link rel="stylesheet" href="{stylesheet}"></head><body>{body}</body></html>')


def make_site(folder, extra_links: dict[str, str] | None = None, sitemap_second: str = "licao/") -> Site:
    """The good site, with ``extra_links[page]`` appended to that page's body."""
    files = {name: html_page(address, stylesheet, body + (extra_links or {}).get(name, ""))
             for name, (address, stylesheet, body) in GOOD_PAGES.items()}
    files |= OTHER_FILES | {"sitemap.xml": SITEMAP.format(second=sitemap_second)}
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return Site(folder)


def broken(site: Site) -> list[tuple[str, str]]:
    return [(item.link.page, item.link.url) for item in broken_links(site)]


def test_good_site_has_no_broken_link(tmp_path):
    assert broken(make_site(tmp_path)) == []


def test_site_address_and_sub_path_come_from_the_canonical_link(tmp_path):
    site = make_site(tmp_path)
    assert (site.url, site.sub_path) == (SITE_URL, "/redes-neurais/")


def test_missing_page_is_reported(tmp_path):
    site = make_site(tmp_path, {"index.html": '<a href="licao-sumida/">Sumida</a>'})
    assert broken(site) == [("index.html", "licao-sumida/")]


def test_the_course_pdfs_made_after_the_build_may_be_missing_but_no_other_pdf(tmp_path):
    links = '<a href="pdf/curso.pdf">Curso</a> <a href="pdf/curso-professor.pdf">Professor</a> <a href="pdf/outro.pdf">Outro</a>'
    assert broken(make_site(tmp_path, {"index.html": links})) == [("index.html", "pdf/outro.pdf")]


def test_missing_anchor_is_reported_on_other_page_and_on_same_page(tmp_path):
    site = make_site(tmp_path, {"index.html": '<a href="licao/#parte-3">Parte 3</a> <a href="#rodape">Rodapé</a>'})
    assert broken(site) == [("index.html", "licao/#parte-3"), ("index.html", "#rodape")]


def test_missing_image_and_srcset_candidate_are_reported(tmp_path):
    images = '<img src="sumiu.svg" alt="a"> <img src="figura.svg" srcset="figura.svg 1x, sumiu@2x.png 2x" alt="b">'
    site = make_site(tmp_path, {"licao/index.html": images})
    assert broken(site) == [("licao/index.html", "sumiu.svg"), ("licao/index.html", "sumiu@2x.png")]


def test_broken_links_in_404_page_are_reported(tmp_path):
    links = ('<a href="/redes-neurais/licao-sumida/">Sumida</a> <a href="/redes-neurais/licao/#parte-9">Parte 9</a>'
             ' <a href="/licao/">Fora do subcaminho</a> <a href="licao/">Relativo</a>')
    assert broken(make_site(tmp_path, {"404.html": links})) == [
        ("404.html", "/redes-neurais/licao-sumida/"), ("404.html", "/redes-neurais/licao/#parte-9"),
        ("404.html", "/licao/"), ("404.html", "licao/")]


def test_link_leaving_the_site_folder_is_reported(tmp_path):
    site = make_site(tmp_path, {"index.html": '<a href="../fora/">Fora</a>'})
    assert broken(site) == [("index.html", "../fora/")]


def test_sitemap_entry_without_page_is_reported(tmp_path):
    site = make_site(tmp_path, sitemap_second="licao-sumida/")
    assert broken(site) == [("sitemap.xml", f"{SITE_URL}licao-sumida/")]


def test_external_links_are_grouped_by_url_with_their_pages(tmp_path):
    site = make_site(tmp_path, {"404.html": '<a href="https://exemplo.org/outro">Outro</a>'})
    assert external_links(site) == {ARTICLE: ["index.html", "licao/index.html"],
                                    "https://exemplo.org/outro": ["404.html"]}


def test_command_prints_broken_links_in_portuguese_and_fails(tmp_path, capsys):
    make_site(tmp_path, {"index.html": '<a href="sumida/">Sumida</a>'})
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "1 link(s) interno(s) quebrado(s):\n  index.html: <a> sumida/ — arquivo sumida não existe no site" in out
    assert f"{ARTICLE}\n    index.html\n    licao/index.html" in out


def test_command_passes_on_a_good_site(tmp_path, capsys):
    make_site(tmp_path)
    assert main([str(tmp_path)]) == 0
    assert "Nenhum link interno quebrado." in capsys.readouterr().out


@pytest.fixture(scope="module")
def real_site(built_site) -> Site:
    return Site(built_site)


def test_real_site_has_no_broken_internal_link_or_anchor(real_site):
    found = [f"{item.link.page}: {item.link.url} — {item.reason}" for item in broken_links(real_site)]
    assert not found, "links internos quebrados no site construído:\n" + "\n".join(found)


def test_real_site_external_links_are_reported(real_site, config):
    external = external_links(real_site)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(external_report(external) + "\n", encoding="utf-8")
    assert config["repo_url"] in external, "o relatório de links externos perdeu o link do repositório"
    assert [url for url in external if not url.startswith(("http://", "https://"))] == []
