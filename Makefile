# The two commands of the README: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow install lint docs mutate lab bench render-check bench-review same-outputs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/gradlib demo --out demo --output-dir outputs/demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider --basetemp=.pytest-tmp -m "not slow" tests

# the slow tests (the 1,048,577-row grades CSV); .ci/run runs them after `make test`
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider --basetemp=.pytest-tmp -m slow tests

# ruff, and import-linter's layers contract: each wing imports only from the wings below it (pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check gradlib tests benchmarks setup.py
	$(BIN)/lint-imports

# mutation testing of rules/, sources/values.py and decide over the fast tests (~15 min on 2 cores; not in CI):
# score and surviving mutants in outputs/mutation/report.md, equivalents judged in tests/mutation/equivalent.txt
mutate: $(STAMP)
	$(BIN)/python tests/mutation/mutate.py

# the documentation pages generated from the package's tables (docs/reasons.md, docs/lists.md, README tables)
docs: $(STAMP)
	$(BIN)/python -m gradlib.docgen

# decisions.csv and every list cell identical to the last commit before the layout move (or BASE=ref)
same-outputs: $(STAMP)
	$(BIN)/python benchmarks/same_outputs.py $(if $(BASE),--base $(BASE))

# JupyterLab on 127.0.0.1 to open notebooks/cohort.ipynb interactively (review panel with live widgets)
lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

bench-review: $(STAMP)
	$(BIN)/python benchmarks/review_filter.py

# Print a public list and a class-teacher packet to PDF with LibreOffice and render page 1 to PNG
# (Debian: apt-get install libreoffice-calc poppler-utils); look at outputs/render-check/*.png.
render-check: $(STAMP)
	GRADLIB_RENDER_DIR=outputs/render-check $(BIN)/python -m pytest -q -p no:cacheprovider -rs tests/test_render.py
	@ls outputs/render-check/*.png
