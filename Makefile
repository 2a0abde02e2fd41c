# `make bench`: one million ratings through the whole stack against the database floor (issue 7).
# Works from a fresh clone: creates .venv the way dev.py does, then the bench database
# `ratings_bench` (once; later runs reuse it), then measures. Results: docs/bench/latest.md/.png.
# BENCH_RATINGS=50000 make bench  runs a small scale (the database is rebuilt at the new size).

PYTHON := .venv/bin/python
export XDG_RUNTIME_DIR ?= /tmp

.PHONY: bench bench-data venv

venv:
	@if [ -f dev.py ]; then python3 dev.py setup; \
	elif [ ! -x $(PYTHON) ]; then python3 -m venv .venv && .venv/bin/pip install -e '.[test]'; fi

bench-data: venv
	$(PYTHON) bench/generate.py

bench: bench-data
	$(PYTHON) bench/run.py
