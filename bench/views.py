"""Views: every page query function that takes (filters, scope), uncached, over ~30
filter combinations, at several warehouse sizes; beside the bare DuckDB time of the
same SQL (captured from dashboard.queries.core.fetch and replayed on a plain
connection); then each page's filter-driven Dash callbacks as real POSTs to
/_dash-update-component through Flask's test client (no network).

    python -m bench.views [--records 1M,10M,50M | --scales 2,9,86] [--no-callbacks]

Warehouses are built once and reused from $TILTAKSMONITOR_BENCH_CACHE
(/tmp/tiltaksmonitor-bench). Goal: p95 under 150 ms at 10 million decision records.
Writes bench/results/views.json.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

from bench import common

GOAL_MS = 150
MIN_SAMPLES = 5  # combos measured even past the time budget
SKIP_MODULES = {"core"}


# ---------------------------------------------------------------- child: one warehouse

def combos():
    """~30 (label, Filters, Scope): all, each region, year ranges, report types,
    offices, mixes, and a Statsforvalter's restricted view."""
    from dashboard.queries import FULL_ACCESS, Filters, Scope, meta

    years = sorted(meta.years())
    regions = list(meta.regions()["region_id"])
    offices = meta.offices().sort_values("office_id")
    out = [("all", Filters(), FULL_ACCESS)]
    out += [(f"region={r}", Filters(region_id=r), FULL_ACCESS) for r in regions]
    if years:
        y0, y1 = years[0], years[-1]
        out += [(f"years={y1}", Filters(year_from=y1, year_to=y1), FULL_ACCESS),
                (f"years={y1 - 2}-{y1}", Filters(year_from=y1 - 2, year_to=y1), FULL_ACCESS),
                (f"years={y0}-{y0 + 2}", Filters(year_from=y0, year_to=y0 + 2), FULL_ACCESS),
                ("years=2021", Filters(year_from=2021, year_to=2021), FULL_ACCESS)]
    out += [("type=status", Filters(report_type="status"), FULL_ACCESS),
            ("type=slutt", Filters(report_type="slutt"), FULL_ACCESS)]
    n = len(offices)
    picks = sorted({int(i * (n - 1) / 5) for i in range(6)}) if n else []
    for i in picks:
        o = offices.iloc[i]
        out.append((f"office={o.office_id}", Filters(region_id=o.region_id, office_id=o.office_id), FULL_ACCESS))
    if years and regions:
        y1 = years[-1]
        for k, r in enumerate(regions[:4]):
            out.append((f"region={r},years={y1 - 3}-{y1},type={('status', 'slutt', None, 'status')[k]}",
                        Filters(year_from=y1 - 3, year_to=y1, region_id=r,
                                report_type=("status", "slutt", None, "status")[k]), FULL_ACCESS))
        for r in regions[-3:]:
            out.append((f"statsforvalter {r}", Filters(), Scope("statsforvalter", region_id=r)))
    return out


def query_functions() -> list[tuple[str, object, list[str]]]:
    """(module.name, fn, extra required params) for every public function of
    dashboard/queries/*.py that takes `filters` (and usually `scope`); extra
    required parameters are filled only when named like a Filters field."""
    import dashboard.queries as Q
    from dashboard.queries import Filters

    fields = set(Filters.__dataclass_fields__)
    out = []
    for m in pkgutil.iter_modules(Q.__path__):
        if m.name in SKIP_MODULES:
            continue
        mod = importlib.import_module(f"dashboard.queries.{m.name}")
        for name, fn in sorted(vars(mod).items()):
            if name.startswith("_") or not inspect.isfunction(getattr(fn, "uncached", fn)):
                continue
            if getattr(fn, "__module__", None) != mod.__name__:
                continue
            params = inspect.signature(fn).parameters
            if "filters" not in params:
                continue
            required = [p for p, v in params.items() if v.default is v.empty and p not in ("filters", "scope")]
            out.append((f"{m.name}.{name}", fn, required))
    return out, fields


class Recorder:
    """Wraps fetch/fetch_value wherever the query modules bound them."""

    def __init__(self):
        from dashboard.queries import core

        self.calls: list[tuple[str, object]] = []
        self.originals = {"fetch": core.fetch, "fetch_value": core.fetch_value}
        mods = [sys.modules[n] for n in list(sys.modules) if n.startswith("dashboard.queries")]
        for mod in mods:
            for attr, orig in self.originals.items():
                if getattr(mod, attr, None) is orig:
                    setattr(mod, attr, self._wrap(orig))

    def _wrap(self, orig):
        def wrapper(sql, params=()):
            self.calls.append((sql, params))
            return orig(sql, params)
        return wrapper


def log(msg: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def measure(db: Path, no_callbacks: bool, budget: float) -> dict:
    os.environ["TILTAKSMONITOR_DB"] = str(db)
    import duckdb

    from dashboard.queries import clear_cache
    from etl import config

    plain = duckdb.connect(os.path.realpath(db), read_only=True, config=config.duckdb_config(read_only=True))
    facts = common.warehouse_facts(db)
    cases = combos()
    fns, fields = query_functions()
    rec = Recorder()
    regions = [f.region_id for _, f, _ in cases if f.region_id]
    offices = [f.office_id for _, f, _ in cases if f.office_id]
    results, notes = {}, {}
    for name, fn, required in fns:
        target = getattr(fn, "uncached", fn)
        if any(p not in fields for p in required):
            notes[name] = f"skipped: needs {', '.join(p for p in required if p not in fields)}"
            continue
        takes_scope = "scope" in inspect.signature(fn).parameters
        samples = []
        started = time.perf_counter()
        for i, (label, filters, scope) in enumerate([cases[0]] + cases):  # first: warm-up
            if len(samples) >= MIN_SAMPLES and time.perf_counter() - started > budget:
                notes[name] = f"stopped after {len(samples)} of {len(cases)} combos (--budget {budget:.0f} s)"
                break
            extra = {p: getattr(filters, p) or {"region_id": regions[0] if regions else None,
                                                 "office_id": offices[0] if offices else None}.get(p)
                     for p in required}
            kwargs = {"filters": filters, **extra, **({"scope": scope} if takes_scope else {})}
            clear_cache()
            rec.calls.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                target(**kwargs)
            except Exception as e:  # noqa: BLE001  a page still being written: note it, go on
                notes[name] = f"failed on {label}: {type(e).__name__}: {str(e)[:160]}"
                break
            ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
            sql_ms = 0.0
            for sql, params in rec.calls:
                t1 = time.perf_counter()
                plain.execute(sql, params).fetchall()
                sql_ms += (time.perf_counter() - t1) * 1000
            if i:
                samples.append({"combo": label, "ms": ms, "cpu_ms": cpu, "sql_ms": sql_ms, "queries": len(rec.calls)})
        if samples and not notes.get(name, "stopped").startswith(("failed", "skipped")):
            results[name] = samples
            log(f"{name}: p95 {common.pct([x['ms'] for x in samples], 95):.1f} ms")
        else:
            log(f"{name}: {notes.get(name)}")
    cb_results, cb_notes = ({}, {}) if no_callbacks else callbacks(db, cases, budget)
    return {"db": str(db), **facts, "functions": results, "notes": notes,
            "callbacks": cb_results, "callback_notes": cb_notes}


def callbacks(db: Path, cases, budget: float) -> tuple[dict, dict]:
    """Each page's URL-driven callbacks, POSTed in-process, caches cleared first
    (the filter bar's own lookups are warmed: they are shared by every page)."""
    from bench import dashapp
    from dashboard.components import filter_choices, filters_from_search, search_from_filters
    from dashboard.queries import FULL_ACCESS, clear_cache

    client = dashapp.FlaskClient()
    app = dashapp.DashApp(client)
    searches = [(label, search_from_filters(f)) for label, f, s in cases if s == FULL_ACCESS]
    out, notes = {}, {}
    for page, path in dashapp.page_paths(str(db)):
        try:
            cbs = app.callbacks(path)
        except Exception as e:  # noqa: BLE001  note it, measure the other pages
            notes[path] = f"page failed: {type(e).__name__}: {str(e)[:160]}"
            continue
        for cb in cbs:
            key = f"{path} {cb.name}"
            samples, errors = [], 0
            started = time.perf_counter()
            for i, (label, search) in enumerate([searches[0]] + searches):
                if len(samples) >= MIN_SAMPLES and time.perf_counter() - started > budget:
                    notes[key] = f"stopped after {len(samples)} of {len(searches)} combos (--budget {budget:.0f} s)"
                    break
                clear_cache()
                filter_choices(), filter_choices(FULL_ACCESS), filters_from_search(search)
                t0, c0 = time.perf_counter(), time.process_time()
                status, body = client.request("POST", "/_dash-update-component", cb.payload(path, search))
                ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
                if dashapp.is_error(status, body):
                    errors += 1
                if i:
                    samples.append({"combo": label, "ms": ms, "cpu_ms": cpu, "kb": len(body) / 1024})
            out[key] = samples
            if errors:
                notes[key] = f"{errors} of {len(samples) + 1} calls answered with an error"
            log(f"{key}: p95 {common.pct([x['ms'] for x in samples], 95):.1f} ms, {errors} errors")
    return out, notes


# ---------------------------------------------------------------- parent

def summarize(samples: list[dict], key: str = "ms") -> dict:
    v = [s[key] for s in samples]
    return {"p50": common.pct(v, 50), "p95": common.pct(v, 95), "max": max(v) if v else None, "n": len(v)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.views", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", default="1M,10M,50M", help="decision records per warehouse (default 1M,10M,50M)")
    p.add_argument("--scales", help="etl sample --scale values instead, e.g. 2,9,86")
    p.add_argument("--no-callbacks", action="store_true", help="only the query functions")
    p.add_argument("--budget", type=float, default=30,
                   help="seconds per function or callback; later combos are skipped (default 30)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per warehouse (build + measure)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        res = measure(Path(args.child), args.no_callbacks, args.budget)
        Path(args.out).write_text(json.dumps(res, default=str))
        return 0

    scales = ([int(s) for s in args.scales.split(",")] if args.scales else
              [common.scale_for(common.parse_records(r)) for r in args.records.split(",")])
    runs = []
    for scale in scales:
        print(f"scale {scale}: ~{common.decision_records(scale) / 1e6:.1f} million decision records …", flush=True)
        t0 = time.perf_counter()
        db, info = common.ensure_warehouse(scale)
        if info["build_seconds"]:
            print(f"  sample {info['sample_seconds'] or 0:.0f} s, build {info['build_seconds']:.0f} s", flush=True)
        out = common.CACHE / f"views-s{scale}.json"
        cmd = [sys.executable, "-m", "bench.views", "--child", str(db), "--out", str(out), "--budget", str(args.budget)]
        if args.no_callbacks:
            cmd.append("--no-callbacks")
        with open(common.CACHE / f"views-s{scale}.log", "wb") as err:  # the app's own logging
            rc = subprocess.run(cmd, cwd=common.ROOT, stderr=err, timeout=args.timeout, check=False).returncode
        if rc:
            raise RuntimeError(f"measuring scale {scale} failed; see {err.name}")
        res = json.loads(out.read_text())
        res.update(info)
        res["measure_seconds"] = time.perf_counter() - t0
        runs.append(res)
        report(res)
    if len(runs) > 1:
        growth(runs)
    common.write_results("views", {"goal_ms": GOAL_MS, "runs": runs})
    return 0


def report(res: dict) -> None:
    m = res["decision_records"] / 1e6
    rows, everything, sql_all = [], [], []
    for name, samples in res["functions"].items():
        s, q = summarize(samples), summarize(samples, "sql_ms")
        everything += [x["ms"] for x in samples]
        sql_all += [x["sql_ms"] for x in samples]
        rows.append({"function": name, "p50 ms": s["p50"], "p95 ms": s["p95"], "max ms": s["max"],
                     "CPU p50": summarize(samples, "cpu_ms")["p50"],
                     "SQL p50": q["p50"], "SQL p95": q["p95"], "queries": samples[0]["queries"], "n": s["n"],
                     "goal": "ok" if s["p95"] < GOAL_MS else "MISS"})
    rows.sort(key=lambda r: -r["p95 ms"])
    rows.append({"function": "ALL (every call)", "p50 ms": common.pct(everything, 50),
                 "p95 ms": common.pct(everything, 95), "max ms": max(everything, default=None),
                 "SQL p50": common.pct(sql_all, 50), "SQL p95": common.pct(sql_all, 95),
                 "goal": "ok" if (common.pct(everything, 95) or 0) < GOAL_MS else "MISS"})
    common.table(rows, title=f"Query functions, uncached, {m:.1f} million decision records "
                             f"({res['decision_rows']:,} rows in `decisions`, scale {res['scale']}); "
                             f"CPU = process CPU time (all threads); SQL = bare DuckDB execute+fetchall of the same statements")
    for name, note in res["notes"].items():
        if not note.startswith("stopped"):  # budget stops show as n < combos
            print(f"  note: {name}: {note}")
    if res["callbacks"]:
        rows, everything = [], []
        for name, samples in res["callbacks"].items():
            s = summarize(samples)
            everything += [x["ms"] for x in samples]
            rows.append({"callback (page output)": name, "p50 ms": s["p50"], "p95 ms": s["p95"],
                         "max ms": s["max"], "CPU p50": summarize(samples, "cpu_ms")["p50"], "KB": samples[0]["kb"], "n": s["n"],
                         "goal": "ok" if s["p95"] < GOAL_MS else "MISS"})
        rows.sort(key=lambda r: -r["p95 ms"])
        rows.append({"callback (page output)": "ALL", "p50 ms": common.pct(everything, 50),
                     "p95 ms": common.pct(everything, 95), "max ms": max(everything, default=None)})
        common.table(rows, title="Dash callbacks (POST /_dash-update-component in-process, query cache cleared)")
    for name, note in res.get("callback_notes", {}).items():
        if not note.startswith("stopped"):
            print(f"  note: {name}: {note}")
    print()


def growth(runs: list[dict]) -> None:
    first, last = runs[0], runs[-1]
    label = lambda r: f"{r['decision_records'] / 1e6:.1f}M"
    rows = []
    for kind in ("functions", "callbacks"):
        for name in first[kind]:
            if not all(name in r[kind] for r in runs):
                continue
            row = {"name": name}
            for r in runs:
                row[f"p95 {label(r)}"] = summarize(r[kind][name])["p95"]
            a, b = summarize(first[kind][name])["p95"], summarize(last[kind][name])["p95"]
            row["growth p95"] = b / a if a else None
            rows.append(row)
    for kind in ("functions", "callbacks"):
        row = {"name": f"ALL {kind}"}
        for r in runs:
            row[f"p95 {label(r)}"] = common.pct([x["ms"] for v in r[kind].values() for x in v], 95)
        a, b = row[f"p95 {label(first)}"], row[f"p95 {label(last)}"]
        row["growth p95"] = b / a if a and b else None
        rows.append(row)
    common.table(rows, title=f"Growth {label(first)} -> {label(last)} decision records (p95 ms)", digits=1)


if __name__ == "__main__":
    sys.exit(main())
