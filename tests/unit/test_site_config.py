"""The site's configuration: mkdocs.yml, theme overrides and the KaTeX pin (publishing: test_publish.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import material
import mkdocs
import pytest

ROOT = Path(__file__).resolve().parents[2]
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def configured(entries: list, name: str, kind: str) -> dict:
    """The options of `name` in a plugins/markdown_extensions list (a bare name has none)."""
    for entry in entries:
        if entry == name:
            return {}
        if isinstance(entry, dict) and name in entry:
            return entry[name] or {}
    raise AssertionError(f"{kind} {name} ausente do mkdocs.yml")


def plugin(config: dict, name: str) -> dict:
    return configured(config["plugins"], name, "plugin")


def extension(config: dict, name: str) -> dict:
    return configured(config["markdown_extensions"], name, "extensão")


def test_project_is_in_brazilian_portuguese_under_a_sub_path(config):
    assert config["site_name"] == "Treinando Redes Neurais"
    assert re.fullmatch(r"https://[^/]+/[^/]+/", config["site_url"]), "o site deve funcionar sob um subcaminho"
    assert config["theme"]["name"] == "material"
    assert config["theme"]["language"] == "pt-BR"
    assert config.get("use_directory_urls", True) is True  # custom_mathjax_url conta com isso


def test_theme_loads_nothing_from_the_network(config):
    theme = config["theme"]
    assert theme["font"] is False, "sem font: false o Material pede o Google Fonts"
    assert theme["custom_dir"] == "overrides"
    for asset in config.get("extra_css", []) + config.get("extra_javascript", []):
        path = asset if isinstance(asset, str) else asset["path"]
        assert not REMOTE.match(path) and not path.startswith("/"), path
        generated = path.startswith("assets/katex/")  # copiado de node_modules pelo math_hook
        assert generated or (ROOT / "docs" / path).is_file(), f"{path} não existe em docs/"


def test_theme_features_and_light_dark_toggle(config):
    features = set(config["theme"]["features"])
    assert {"navigation.sections", "content.code.copy", "content.action.edit", "content.tabs.link",
            "search.highlight", "search.suggest", "toc.follow"} <= features
    assert "navigation.instant" not in features  # quebraria os scripts das páginas de notebook
    palette = config["theme"]["palette"]
    assert {p["scheme"] for p in palette} == {"default", "slate"}
    for choice in palette:
        assert "prefers-color-scheme" in choice["media"]
        assert choice["toggle"]["icon"] and choice["toggle"]["name"].startswith("Mudar para o modo")


def test_search_is_portuguese_and_accent_insensitive(config):
    search = plugin(config, "search")
    assert search["lang"] == "pt"
    assert {"title_ascii", "text_ascii"} <= set(search["fields"])
    separator = re.compile(search["separator"])
    assert separator.split("torch.nn.functional.l1_loss(y_hat") == ["torch", "nn", "functional", "l1_loss", "y_hat"]
    assert separator.split("0.5") == ["0.5"]


def test_notebook_views_are_pages_of_the_hook_not_of_the_plugin(config):
    """notebook_hook.py renders the views (mkdocs-jupyter's nbconvert setup, imported only on a cache miss):
    the plugin would import nbconvert on every build and load MathJax and Mermaid from a CDN."""
    assert not [entry for entry in config["plugins"] if "mkdocs-jupyter" in (entry if isinstance(entry, str) else entry)]
    assert any(line.strip() == "/notebooks/" for line in config["not_in_nav"].splitlines())


def test_hooks_are_listed_and_exist(config):
    hooks = config["hooks"]
    for hook in ("scripts/curso/hooks/lessons_hook.py", "scripts/curso/hooks/math_hook.py",
                 "scripts/curso/hooks/highlight_hook.py", "scripts/curso/hooks/notebook_hook.py",
                 "scripts/curso/hooks/search_hook.py", "scripts/curso/hooks/templates_hook.py"):
        assert hook in hooks
    for hook in hooks:
        assert (ROOT / hook).is_file(), hook
    assert hooks.index("scripts/curso/hooks/lessons_hook.py") < hooks.index("scripts/curso/hooks/math_hook.py")


def test_markdown_extensions(config):
    assert extension(config, "pymdownx.arithmatex") == {"generic": True}
    assert extension(config, "pymdownx.tabbed")["alternate_style"] is True
    assert extension(config, "pymdownx.highlight")["anchor_linenums"] is False
    assert extension(config, "toc")["permalink_title"] == "Link para esta seção"
    for name in ("admonition", "pymdownx.details", "pymdownx.superfences", "pymdownx.inlinehilite",
                 "attr_list", "md_in_html", "tables", "footnotes", "abbr", "def_list"):
        extension(config, name)
    snippets = extension(config, "pymdownx.snippets")
    base = Path(snippets["base_path"][0])  # !relative $config_dir/includes
    assert base == ROOT / "includes"
    for name in snippets["auto_append"]:
        assert (base / name).is_file()


def test_nav(config):
    home, lessons, report, reference = config["nav"]
    assert home == {"Início": "index.md"}
    assert report == {"Sobre a execução": "sobre-a-execucao.md"}
    assert reference == {"Consulta": [{"Glossário": "glossario.md"}, {"Notação": "notacao.md"},
                                      {"Referências": "referencias.md"}]}
    pages = lessons["Lições"]
    assert pages[0] == "licoes/01-funcoes-de-custo-regressao.md"
    assert pages == sorted(pages), "lições em ordem de número"
    for page in pages:  # each lesson page is generated from a source in lessons_src/
        assert re.fullmatch(r"licoes/\d\d-[a-z0-9-]+\.md", page)
        assert (ROOT / "lessons_src" / page.removeprefix("licoes/")).is_file(), page
    assert config["edit_uri"] == "edit/main/docs/"


def test_home_page_links_only_to_lessons_in_the_nav(config):
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((licoes/[^)#]+)\)", home))
    assert "licoes/01-funcoes-de-custo-regressao.md" in linked
    assert linked <= set(config["nav"][1]["Lições"]), "a página inicial não pode apontar para lição inexistente"


def changed_lines(ours: str, stock: Path) -> list[str]:
    """Lines of an override (after its header comment) that the stock template does not have."""
    stock_body = stock.read_text(encoding="utf-8").split("-#}", 1)[-1].splitlines()
    return [line for line in ours.split("-#}", 1)[1].splitlines() if line.strip() and line not in stock_body]


def test_overrides_change_only_what_they_must():
    stock = Path(material.__file__).parent / "templates" / "partials"
    search = (ROOT / "overrides/partials/search.html").read_text(encoding="utf-8")
    assert 'role="dialog" aria-label="{{ lang.t(\'search\') }}"' in search
    source = (ROOT / "overrides/partials/source.html").read_text(encoding="utf-8")
    assert 'data-md-component="source"' not in source.split("-#}", 1)[1]  # sem consulta à API do GitHub
    language = (ROOT / "overrides/partials/language.html").read_text(encoding="utf-8")
    assert '{% if key == "language" %}{{ config.theme.language }}' in language  # <html lang="pt-BR">, não "pt"
    for name, text in (("search.html", search), ("source.html", source), ("language.html", language)):
        assert len(changed_lines(text, stock / name)) == 1, changed_lines(text, stock / name)
    sitemap = (ROOT / "overrides/sitemap.xml").read_text(encoding="utf-8")
    changed = changed_lines(sitemap, Path(mkdocs.__file__).parent / "templates" / "sitemap.xml")
    assert len(changed) == 2, changed
    assert "sort(attribute='src_uri')" in changed[0]  # na ordem dos caminhos, não na ordem em que foram escritas
    assert "'.ipynb'" in changed[1]  # sem as páginas de notebook


@pytest.mark.parametrize("name, parent, blocks", [
    ("main.html", "base.html", {"extrahead", "content", "scripts"}),  # Open Graph; leitura e scripts em tarefas curtas
    ("404.html", "main.html", {"htmltitle", "content"}),  # página 404 em português
])
def test_page_templates_extend_the_theme_and_replace_only_their_blocks(name, parent, blocks):
    template = (ROOT / "overrides" / name).read_text(encoding="utf-8")
    assert re.findall(r'{%-?\s*extends\s+"([^"]+)"', template) == [parent]
    assert set(re.findall(r"{%-?\s*block\s+(\w+)", template)) == blocks


def test_katex_is_pinned_exactly_and_locked():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    version = package["dependencies"]["katex"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "fixe a versão exata (sem ^ ou ~)"
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/katex"]["version"] == version
