"""Publishing: the GitHub Pages workflow, the addresses it hands to mkdocs.yml, and `mkdocs gh-deploy`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from devtools.repo_copy import copy_repo
from curso.hooks.notebook_hook import COLAB_BRANCH, colab_url
from curso.pipeline import layout
from devtools import course_pdf
from devtools.static_server import SUB_PATH

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_VARIABLES = ("SITE_URL", "REPO_URL", "REPO_NAME")
FORK = "professora/curso-de-redes"
FORK_PAGES = "https://professora.github.io/curso-de-redes"  # configure-pages' base_url: no trailing slash
GIT_IDENTITY = {  # CI machines have no git configuration at all
    "GIT_AUTHOR_NAME": "Professora", "GIT_AUTHOR_EMAIL": "professora@example.com",
    "GIT_COMMITTER_NAME": "Professora", "GIT_COMMITTER_EMAIL": "professora@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(scope="module")
def workflow() -> dict:
    with open(ROOT / ".github/workflows/pages.yml", encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def step_using(steps: list[dict], action: str) -> dict:
    found = [step for step in steps if step.get("uses", "").startswith(f"{action}@")]
    assert len(found) == 1, f"o job deve usar {action} uma vez"
    return found[0]


def build_target() -> tuple[str, str]:
    """The Makefile target whose recipe runs `mkdocs build`, and that recipe line."""
    target = ""
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"([^\s:#=]+):(?!=)", line):
            target = match[1]
        elif line.startswith("\t") and "mkdocs build" in line:
            return target, line
    raise AssertionError("nenhum alvo do Makefile roda `mkdocs build`")


def readme_section(heading_word: str) -> str:
    sections = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")
    return next(section for section in sections if heading_word in section.splitlines()[0])


def build_step(workflow: dict) -> dict:
    steps = [step for step in workflow["jobs"]["build"]["steps"] if "run" in step]
    assert len(steps) == 1, "o job de build roda um único comando"
    return steps[0]


def evaluated(text: str, values: dict[str, str]) -> str:
    """``text`` with its ``${{ expression }}`` replaced as GitHub Actions would, from ``values``."""

    def evaluate(match: re.Match) -> str:
        assert match[1] in values, f"expressão desconhecida no workflow: {match[0]}"
        return values[match[1]]

    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", evaluate, str(text))


def build_environment(workflow: dict, base_url: str) -> dict[str, str]:
    """The build step's environment as GitHub Actions would set it in the fork FORK."""
    pages = step_using(workflow["jobs"]["build"]["steps"], "actions/configure-pages")
    values = {f"steps.{pages.get('id')}.outputs.base_url": base_url,
              "github.server_url": "https://github.com", "github.repository": FORK}
    return {name: evaluated(value, values) for name, value in build_step(workflow).get("env", {}).items()}


def config_with(monkeypatch, environment: dict[str, str]):
    """mkdocs.yml loaded and validated by MkDocs with only these address variables set."""
    for name in ADDRESS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return load_config(str(ROOT / "mkdocs.yml"))


def test_workflow_runs_on_push_to_main_one_deploy_at_a_time(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_build_job_runs_the_readme_build_command(workflow):
    target, recipe = build_target()
    assert "--strict" in recipe
    command = f"make {target}"
    assert build_step(workflow)["run"].split()[:2] == command.split()
    assert f"`{command}`" in readme_section("GitHub Pages"), "o README deve dizer como o site é publicado"
    steps = workflow["jobs"]["build"]["steps"]
    step_using(steps, "actions/checkout")
    python = step_using(steps, "actions/setup-python")
    assert str(python["with"]["python-version"]) == "3.11"


def test_official_pages_actions_publish_the_site_folder(workflow, config):
    steps = workflow["jobs"]["build"]["steps"]
    order = [step.get("uses", "").split("@")[0] or "run" for step in steps]
    assert order.index("actions/configure-pages") < order.index("run") < order.index("actions/upload-pages-artifact")
    artifact = step_using(steps, "actions/upload-pages-artifact")
    assert artifact["with"]["path"] == config.get("site_dir", "site")
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert step_using(deploy["steps"], "actions/deploy-pages")["id"] in deploy["environment"]["url"]


def test_the_build_command_prints_the_course_pdfs_into_the_published_site(workflow):
    target, _ = build_target()
    make_goals = build_step(workflow)["run"].split()
    assert make_goals == ["make", target, "pdf"], "o mesmo make constrói o site (uma vez) e depois o PDF"
    recipe = makefile_recipe("pdf")
    assert recipe[0].split()[:2] == [target, "browser"], "make pdf usa o site construído e o Chromium do Debian"
    assert recipe[1].strip() == "$(PY) -m devtools.course_pdf"
    assert "poppler-utils" in "".join(makefile_recipe("browser")), "o pdftotext acha as páginas do sumário"
    published = step_using(workflow["jobs"]["build"]["steps"], "actions/upload-pages-artifact")["with"]["path"]
    assert course_pdf.SITE == ROOT / published, f"make pdf escreve em {published}/{layout.PDF}/, que é publicado"


def makefile_recipe(target: str) -> list[str]:
    """The prerequisites of a Makefile target, then its recipe lines."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = [lines[start].split(":", 1)[1]]
    for line in lines[start + 1:]:
        if not line.startswith("\t") and not recipe[-1].rstrip().endswith("\\"):
            break
        recipe.append(line)
    return recipe


def test_only_the_deploy_and_notebooks_jobs_may_publish(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    # configure-pages reads the site's address from the Pages API: it needs pages: read.
    assert workflow["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["jobs"]["notebooks"]["permissions"] == {"contents": "write"}
    assert set(workflow["jobs"]) == {"build", "deploy", "notebooks"}


def notebooks_push_step(workflow: dict) -> dict:
    steps = [step for step in workflow["jobs"]["notebooks"]["steps"] if "run" in step]
    assert len(steps) == 1, "o job dos notebooks roda um único script"
    return steps[0]


def test_the_built_notebooks_travel_from_the_build_job_to_the_notebooks_job(workflow):
    upload = step_using(workflow["jobs"]["build"]["steps"], "actions/upload-artifact")
    job = workflow["jobs"]["notebooks"]
    assert job["needs"] == "build"
    download = step_using(job["steps"], "actions/download-artifact")
    assert download["with"]["name"] == upload["with"]["name"]
    assert upload["with"]["path"] == "site/notebooks/*/*.ipynb"  # the files "Baixar notebook" serves
    step_using(job["steps"], "actions/checkout")  # its credentials let `git push origin` write
    step = notebooks_push_step(workflow)
    assert evaluated(step["env"]["NOTEBOOKS"], {"runner.temp": "T"}) == \
        evaluated(download["with"]["path"], {"runner.temp": "T"})
    assert f"git push --force origin {COLAB_BRANCH}" in step["run"]


def run_push_step(workflow: dict, checkout: Path, artifact: Path, commit: str) -> None:
    step = notebooks_push_step(workflow)
    values = {"runner.temp": str(artifact.parent), "github.sha": commit}
    env = dict(os.environ, **GIT_IDENTITY, **{name: evaluated(value, values) for name, value in step["env"].items()})
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=checkout, env=env, capture_output=True, text=True)  # the shell Actions uses
    assert done.returncode == 0, done.stderr


def test_the_push_step_force_pushes_only_the_notebooks_to_the_branch_colab_opens(workflow, tmp_path, monkeypatch):
    remote, source, artifact = tmp_path / "remote.git", tmp_path / "source", tmp_path / "notebooks"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(tmp_path, "clone", "-q", str(remote), str(source))
    (source / "README.md").write_text("fonte\n")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "main")
    git(source, "push", "-q", "origin", "HEAD:main")
    lessons = [path.stem for path in sorted((ROOT / "lessons_src").glob("[0-9][0-9]-*.md"))]
    for version in ("1", "2"):  # the second publication replaces the first, from a fresh checkout of main
        for stem in lessons:
            (artifact / stem).mkdir(parents=True, exist_ok=True)
            (artifact / stem / f"{stem}.ipynb").write_text(f'{{"versao": {version}}}\n')
        checkout = tmp_path / f"checkout-{version}"
        git(tmp_path, "clone", "-q", "-b", "main", str(remote), str(checkout))
        run_push_step(workflow, checkout, artifact, commit=f"abc{version}")
    published = git(remote, "ls-tree", "--name-only", COLAB_BRANCH).split()
    assert published == [f"{stem}.ipynb" for stem in lessons]
    assert git(remote, "log", "--format=%s", COLAB_BRANCH).splitlines() == ["Notebooks executados de abc2"]
    assert git(remote, "show", f"{COLAB_BRANCH}:{lessons[0]}.ipynb") == '{"versao": 2}\n'
    assert git(remote, "ls-tree", "--name-only", "main").split() == ["README.md"]
    config = config_with(monkeypatch, {"REPO_NAME": FORK})
    for stem in lessons:  # each lesson's Colab link names a file of that branch
        url = colab_url(config.repo_name, f"{stem}.ipynb")
        assert url.split(f"/github/{FORK}/blob/{COLAB_BRANCH}/")[1] in published


def test_a_fork_links_colab_to_its_own_notebooks(workflow, monkeypatch):
    environment = build_environment(workflow, FORK_PAGES)
    config = config_with(monkeypatch, {name: environment[name] for name in ADDRESS_VARIABLES})
    assert colab_url(config.repo_name, "01-x.ipynb") == \
        f"https://colab.research.google.com/github/{FORK}/blob/{COLAB_BRANCH}/01-x.ipynb"


def test_a_fork_is_built_with_its_own_addresses(workflow, monkeypatch):
    environment = build_environment(workflow, FORK_PAGES)
    assert set(ADDRESS_VARIABLES) <= set(environment)
    config = config_with(monkeypatch, {name: environment[name] for name in ADDRESS_VARIABLES})
    assert config.site_url == f"{FORK_PAGES}/"
    assert config.repo_url == f"https://github.com/{FORK}"
    assert config.repo_name == FORK


def test_an_empty_pages_address_stops_the_build(workflow, monkeypatch):
    """Without a site_url the build would go on, with no canonical URLs and no sitemap."""
    environment = build_environment(workflow, "")
    with pytest.raises(Abort):
        config_with(monkeypatch, {name: environment[name] for name in ADDRESS_VARIABLES})


def test_without_the_variables_the_site_lives_under_the_local_sub_path(monkeypatch):
    config = config_with(monkeypatch, {})
    assert urlsplit(config.site_url).path == SUB_PATH
    assert config.repo_url.endswith(f"/{config.repo_name}")


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                          env=dict(os.environ, **GIT_IDENTITY))
    assert done.returncode == 0, done.stderr
    return done.stdout


def committed_copy(destination: Path) -> Path:
    """A fresh clone's state: this repository's sources (and warm cache) in one commit on main."""
    repo = copy_repo(destination)
    git(repo, "init", "-q", "-b", "main")
    with open(repo / ".git/info/exclude", "a", encoding="utf-8") as exclude:
        exclude.write("node_modules\n")  # a link in this copy; .gitignore's node_modules/ covers the real folder
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Cópia de teste")
    return repo


def test_gh_deploy_publishes_the_built_site_to_the_gh_pages_branch(tmp_path):
    repo = committed_copy(tmp_path / "repo")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    addresses = {"SITE_URL": f"{FORK_PAGES}/", "REPO_URL": f"https://github.com/{FORK}", "REPO_NAME": FORK}
    env = {key: value for key, value in os.environ.items() if key not in ADDRESS_VARIABLES}
    env.update(GIT_IDENTITY, NO_MKDOCS_2_WARNING="1", **addresses)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "gh-deploy", "--strict", "--force"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-5000:]

    published = set(git(remote, "ls-tree", "-r", "-z", "--name-only", "gh-pages").split("\0")) - {""}
    built = {path.relative_to(repo / "site").as_posix() for path in (repo / "site").rglob("*") if path.is_file()}
    assert published == built | {".nojekyll"}
    lesson = sorted((repo / "lessons_src").glob("[0-9][0-9]-*.md"))[0].stem
    for name in ("index.html", "404.html", ".nojekyll", "sitemap.xml",
                 f"licoes/{lesson}/index.html", f"notebooks/{lesson}/{lesson}.ipynb"):
        assert name in published, name
    assert any(re.fullmatch(r"licoes/figuras/[^/]+\.svg", name) for name in published)
    home = git(remote, "show", "gh-pages:index.html")
    assert f'<link rel="canonical" href="{FORK_PAGES}/">' in home
    assert git(repo, "rev-parse", "--short", "HEAD").strip() in git(remote, "log", "-1", "--format=%s", "gh-pages")
    assert git(repo, "status", "--porcelain") == "", "o deploy não pode deixar arquivos na main"
