"""The theme's compiled templates kept between builds (scripts/curso/hooks/templates_hook.py)."""

from types import SimpleNamespace

import jinja2
import pytest

from curso.hooks.templates_hook import on_env
from curso.pipeline.layout import RENDERED_TEMPLATES


def build_environment(site, templates):
    """A new environment over the same templates, as MkDocs makes for each build, after the hook."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)))
    return on_env(env, SimpleNamespace(config_file_path=str(site / "mkdocs.yml")), files=None)


@pytest.fixture
def compiled(monkeypatch):
    """The templates Jinja compiles from source."""
    names = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def test_a_later_build_renders_without_compiling_and_a_changed_template_is_compiled_again(tmp_path, compiled):
    templates = tmp_path / "tema"
    templates.mkdir()
    (templates / "base.html").write_text("<p>{{ texto }}</p>", encoding="utf-8")
    assert build_environment(tmp_path, templates).get_template("base.html").render(texto="olá") == "<p>olá</p>"
    assert compiled == ["base.html"]
    assert list((tmp_path / RENDERED_TEMPLATES).iterdir())
    assert build_environment(tmp_path, templates).get_template("base.html").render(texto="olá") == "<p>olá</p>"
    assert compiled == ["base.html"]
    (templates / "base.html").write_text("<div>{{ texto }}</div>", encoding="utf-8")
    assert build_environment(tmp_path, templates).get_template("base.html").render(texto="olá") == "<div>olá</div>"
    assert compiled == ["base.html", "base.html"]
