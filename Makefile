# AMU Desk: `make run` starts the app, `make test` runs the tests. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots translations package clean

$(STAMP): pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	@if [ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && command -v xvfb-run >/dev/null; then \
		echo "No screen found: starting AMU Desk on a virtual display (xvfb-run)."; \
		xvfb-run -a $(PY) -m amudesk $(ARGS); \
	else \
		$(PY) -m amudesk $(ARGS); \
	fi

# The PostgreSQL half runs on a throwaway server started for the run when PostgreSQL is
# installed (scripts/postgres.sh), or on $$AMUDESK_TEST_POSTGRES; else it is skipped, saying why.
# The tests run on every core (pytest-xdist); PYTEST_ARGS= runs them in one process.
PYTEST_ARGS ?= -n auto
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen bash scripts/postgres.sh run $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check amudesk tests scripts benchmarks
	$(VENV)/bin/ruff format --check amudesk tests scripts benchmarks
	$(VENV)/bin/mypy --strict amudesk --exclude 'amudesk/migrations/'

# `make bench POSTGRES=1` adds the shared office's figures on a throwaway PostgreSQL server.
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(if $(POSTGRES),bash scripts/postgres.sh run )$(PY) benchmarks/bench.py $(if $(POSTGRES),--postgres)

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py docs/screenshots
	$(PY) scripts/document_pngs.py docs/screenshots

translations: $(STAMP)
	$(PY) scripts/catalogs.py

# The one-folder app for this system in dist/amudesk/ (README: Getting the app on Windows or macOS).
package: $(STAMP)
	$(PY) -m pip install --quiet 'pyinstaller>=6.10,<7'
	$(PY) -m PyInstaller --noconfirm build.spec

clean:
	rm -rf $(VENV) build dist *.egg-info
