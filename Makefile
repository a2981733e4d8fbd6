# Customer Review Playbook. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install fonts demo demo-en test lab bench lint clean cdnow

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-9s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) fonts ## create .venv and install the package with its test tools (reused when up to date)

fonts: ## make sure plots can draw Chinese: install a CJK font (Debian fonts-wqy-microhei) if none is found
	@if $(PY) -c "import sys; from playbook.fonts import find_cjk_font; sys.exit(0 if find_cjk_font() else 1)" 2>/dev/null; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "installing fonts-wqy-microhei for Chinese plot labels"; \
		(apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null)); \
	else echo "warning: no CJK font found; install fonts-wqy-microhei (Debian) or fonts-noto-cjk for Chinese plot labels"; fi

demo: install ## generate the sample company, run every unit and stage, print the index path
	$(VENV)/bin/playbook demo

demo-en: install ## the same demo in English
	$(VENV)/bin/playbook demo --language en

test: install ## run the whole test suite
	$(PY) -m pytest -n 2 --dist loadgroup -q

lab: install ## open JupyterLab on notebooks/ with the demo parameters
	$(VENV)/bin/playbook lab

bench: install ## run the benchmarks in bench/ and print time and peak memory
	$(PY) bench/run.py

cdnow: install ## run collect and clean on the CDNOW data set shipped in the lifetimes wheel
	$(PY) bench/cdnow.py

lint: install ## ruff over the package, tests and benchmarks
	$(VENV)/bin/ruff check playbook tests bench

clean: ## remove generated outputs and sample data (keeps .venv)
	rm -rf outputs/* data/sample data/sample_en .pytest_cache
	@touch outputs/.gitkeep
