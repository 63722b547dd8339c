"""Profile evidence for a slow view: cProfile around query functions or a page's
callbacks, uncached, against a benchmark warehouse.

    python -m bench.profile selection.agreement audits.risk_summary [--records 10M]
    python -m bench.profile regions.region_offices --explain     # + DuckDB's EXPLAIN ANALYZE
    python -m bench.profile --page /utvelgelse [--records 10M]

Prints, per target, the wall time of each call and the top functions by cumulative
time (DuckDB's execute/df show up as such, pandas and plotly by their modules).
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import inspect
import io
import os
import pstats
import sys
import time
from pathlib import Path

from bench import common


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("functions", nargs="*", help="module.function in dashboard.queries")
    p.add_argument("--page", action="append", default=[], help="a page path: profile its URL-driven callbacks")
    p.add_argument("--records", default="10M")
    p.add_argument("--scale", type=int)
    p.add_argument("--search", default="", help="URL filters for --page, e.g. '?region=agder'")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--region", default="oslo-viken", help="region_id for functions that need one")
    p.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each SQL statement a function runs")
    args = p.parse_args(argv)

    scale = args.scale or common.scale_for(common.parse_records(args.records))
    db, _ = common.ensure_warehouse(scale)
    os.environ["TILTAKSMONITOR_DB"] = str(db)
    from dashboard.queries import FULL_ACCESS, Filters, clear_cache

    targets = []
    for name in args.functions:
        mod, fn = name.rsplit(".", 1)
        f = getattr(importlib.import_module(f"dashboard.queries.{mod}"), fn)
        f = getattr(f, "uncached", f)
        given = {"filters": Filters(), "scope": FULL_ACCESS, "region_id": args.region}
        kwargs = {k: v for k, v in given.items() if k in inspect.signature(f).parameters}
        targets.append((name, lambda f=f, kw=kwargs: f(**kw)))
    if args.page:
        from bench import dashapp

        client = dashapp.FlaskClient()
        app = dashapp.DashApp(client)
        for path in args.page:
            for cb in app.callbacks(path):
                body = cb.payload(path, args.search)
                targets.append((f"{path} {cb.name}",
                                lambda b=body: client.request("POST", "/_dash-update-component", b)))
    print(f"warehouse: {db} ({common.warehouse_facts(db)['decision_records'] / 1e6:.1f} million decision records)")
    for name, call in targets:
        clear_cache()
        call()  # warm the buffer cache and imports
        prof = cProfile.Profile()
        times = []
        for _ in range(args.repeat):
            clear_cache()
            t0 = time.perf_counter()
            prof.enable()
            call()
            prof.disable()
            times.append((time.perf_counter() - t0) * 1000)
        out = io.StringIO()
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats("cumulative").print_stats(args.top)
        print(f"\n=== {name}: {', '.join(f'{t:.0f}' for t in times)} ms (cProfile adds overhead)")
        print("\n".join(out.getvalue().splitlines()[6:]))
        if args.explain:
            explain(call)
    return 0


_RECORDER = None


def explain(call, top: int = 8) -> None:
    """DuckDB's profile of every statement `call` sends through dashboard.queries'
    fetch: total time and the most expensive operators."""
    import json
    import tempfile

    import duckdb

    from bench.views import Recorder
    from dashboard.queries import clear_cache, warehouse
    from etl import config

    global _RECORDER
    _RECORDER = rec = _RECORDER or Recorder()  # wraps fetch once per process
    rec.calls.clear()
    clear_cache()
    call()
    con = duckdb.connect(str(warehouse().path.resolve()), read_only=True, config=config.duckdb_config(read_only=True))
    out = Path(tempfile.mkdtemp()) / "profile.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{out}'")
    for k, (sql, params) in enumerate(rec.calls, 1):
        con.execute(sql, params).fetchall()
        prof = json.loads(out.read_text())
        root = prof.get("operator", prof)  # DuckDB 2.x nests the plan under 'operator'
        ops: list = []

        def walk(node, ops=ops):
            if isinstance(node, list):
                return [walk(n, ops) for n in node]
            ops.append((node.get("timing", node.get("operator_timing", 0.0)) or 0.0,
                        node.get("type") or node.get("operator_name") or node.get("operator_type"),
                        node.get("intermediate_rows", node.get("operator_cardinality")),
                        node.get("extra_info") or {}))
            for c in node.get("children", []):
                walk(c, ops)
        walk(root)
        total = (prof.get("query") or {}).get("total_time", prof.get("latency", 0.0)) or 0.0
        print(f"\n--- statement {k}: {total * 1000:.1f} ms in DuckDB; top operators:")
        for t, name, rows, extra in sorted(ops, key=lambda o: -o[0])[:top]:
            what = extra.get("Table") or extra.get("Groups") or extra.get("Conditions") or ""
            print(f"    {t * 1000:8.1f} ms  {name:<20} rows {rows!s:>10}  {str(what)[:70]}")


if __name__ == "__main__":
    sys.exit(main())
