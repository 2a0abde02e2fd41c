# `make bench`: one million ratings through the whole stack against the database floor (issue 7).
# Works from a fresh clone: creates .venv the way dev.py does, then the bench database
# `ratings_bench` (once; later runs reuse it), then measures. Results: docs/bench/latest.md/.png.
# BENCH_RATINGS=50000 make bench  runs a small scale (the database is rebuilt at the new size).
# BENCH_DB_NAME=<name> BENCH_REDIS_URL=redis://…/<n>  a bench database and Redis of one's own on a shared server.
# BENCH_CITUS=1 make bench  the same data on the Citus cluster of ../shared/citus/cluster too, and the same
#   rows on both, side by side (docs/bench/<output>-vs-citus.md).
# BENCH_ONLY='throughput pgbouncer' make bench  only the 2 vs 4 gunicorn workers behind PgBouncer.

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
