"""Performance benchmarks (issue 5). Not part of the test run; see bench/README.md.

    python -m bench.load          ETL build vs DuckDB's bare read_csv, peak memory
    python -m bench.views         page queries and callbacks at 1/10/50 million decisions
    python -m bench.concurrency   gunicorn + locust while `etl build` publishes twice
    python -m bench.page          payload and time to first chart in headless Chromium
    python -m bench.profile       cProfile / DuckDB operator profile of a slow view
"""
