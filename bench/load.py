"""Load: `etl.build.build(raw, db, fresh=True)` against DuckDB's bare
`CREATE TABLE t AS SELECT * FROM read_csv(<the vedtak files>)`, alternately, each in
its own process (same memory_limit/threads from etl.config.duckdb_config()).

    python -m bench.load [--records 10M | --scale N] [--repeats 2]

Prints the build per kind and phase, the bare load, the ratio of the decision files'
build time to the bare load (goal <= 1.5x; medians over the repeats) and each
process's peak RSS. Writes bench/results/load.json.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench import common

GOAL_RATIO = 1.5


# ---------------------------------------------------------------- children

def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def vedtak_files(raw: Path) -> list[str]:
    from etl import contracts

    return sorted(str(p) for p in raw.iterdir()
                  if p.is_file() and not p.name.startswith(".") and contracts.kind_of_filename(p.name) == "vedtak")


def child_bare(raw: Path, db: Path) -> dict:
    import duckdb

    from etl import config

    files = vedtak_files(raw)
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    con = duckdb.connect(str(db), config=config.duckdb_config())
    # the files do not share one header (the PROFH file has 'antall'): by name
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, union_by_name = true)", [files])
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()  # checkpoints, as the build does before publishing
    return {"seconds": time.perf_counter() - t0, "rows": rows, "files": len(files),
            "rss_start_mb": rss0, "peak_rss_mb": _rss_mb()}


def child_build(raw: Path, db: Path) -> dict:
    """The real build, with timers around its phases (wrappers only, no change)."""
    from etl import build as B
    from etl import contracts, marts, publish

    phases: dict = defaultdict(float)
    per_kind: dict = defaultdict(lambda: defaultdict(float))
    active: set = set()

    def kind_of(args) -> str:
        """The kind a call is about: a Source's .kind, a kind name, or a file path."""
        for a in args:
            if isinstance(getattr(a, "kind", None), str):
                return a.kind
        for a in args:
            if isinstance(a, str) and a in contracts.KINDS:
                return a
            if isinstance(a, (str, Path)) and contracts.kind_of_filename(Path(a).name):
                return contracts.kind_of_filename(Path(a).name)
        return "?"

    def timed(owner, attr: str, name: str, by_kind: bool = False) -> None:
        fn = getattr(owner, attr, None)
        if fn is None:  # the ETL changed: time what is still there
            return

        def wrapper(*args, **kwargs):
            if attr in active:  # a recursive call (load retrying row by row): timed by the outer one
                return fn(*args, **kwargs)
            active.add(attr)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                active.discard(attr)
                dt = time.perf_counter() - t0
                if by_kind:
                    per_kind[kind_of(args)][name] += dt
                else:
                    phases[name] += dt
        setattr(owner, attr, wrapper)

    timed(B, "fingerprint", "hash", by_kind=True)
    timed(B, "open_source", "open_source", by_kind=True)
    timed(B, "_init", "init (reference, history)")
    timed(marts, "build_all", "marts")
    timed(publish, "publish", "publish")
    timed(B.Loader, "refresh_offices", "offices index")
    timed(B.Loader, "_read_raw", "read_csv -> raw0", by_kind=True)
    timed(B.Loader, "_maps", "value maps", by_kind=True)
    timed(B.Loader, "load", "load (all)", by_kind=True)

    rss0 = _rss_mb()
    t0 = time.perf_counter()
    s = B.build(raw, db, fresh=True)
    seconds = time.perf_counter() - t0
    kinds: dict = defaultdict(lambda: {"files": 0, "rows": 0, "seconds": 0.0})
    for f in s.files:
        k = kinds[f.kind or "ukjent"]
        k["files"] += 1
        k["rows"] += f.rows_read
        k["seconds"] += f.seconds
    for kind, ph in per_kind.items():
        load = ph.pop("load (all)", 0.0)
        ph["typed + history (rest of load)"] = load - ph.get("read_csv -> raw0", 0) - ph.get("value maps", 0)
        kinds[kind]["phases"] = dict(ph)
    return {"seconds": seconds, "summary_seconds": s.seconds, "kinds": kinds, "phases": dict(phases),
            "rss_start_mb": rss0, "peak_rss_mb": _rss_mb(), "build_id": s.build_id}


def run_child(mode: str, raw: Path, workdir: Path, timeout: float) -> dict:
    """One measurement in a fresh process and a fresh database directory."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    db = workdir / ("bare.duckdb" if mode == "bare" else "warehouse.duckdb")
    out = workdir / "result.json"
    log = common.CACHE / f"load-{mode}.log"
    t0 = time.perf_counter()
    common.run([sys.executable, "-m", "bench.load", "--child", mode, "--raw", str(raw), "--db", str(db),
                "--out", str(out)], log=log, timeout=timeout)
    res = json.loads(out.read_text())
    res["process_seconds"] = time.perf_counter() - t0
    snap = os.path.realpath(db)
    res["db_mb"] = round(os.path.getsize(snap) / 2**20, 1) if os.path.exists(snap) else None
    shutil.rmtree(workdir, ignore_errors=True)
    return res


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", default="10M", help="decision records to generate (default 10M)")
    p.add_argument("--scale", type=int, help="etl sample --scale (overrides --records)")
    p.add_argument("--repeats", type=int, default=2, help="bare/build pairs, alternated (default 2)")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per measurement before giving up")
    p.add_argument("--child", choices=["bare", "build"], help=argparse.SUPPRESS)
    p.add_argument("--raw", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        fn = child_bare if args.child == "bare" else child_build
        res = fn(Path(args.raw), Path(args.db))
        Path(args.out).write_text(json.dumps(res, default=float))
        return 0

    scale = args.scale or common.scale_for(common.parse_records(args.records))
    expected = common.decision_records(scale)
    print(f"bench.load: scale {scale} (~{expected / 1e6:.1f} million decision records), "
          f"{args.repeats} x (bare, build), load average {os.getloadavg()[0]:.1f}", flush=True)
    raw, gen = common.ensure_sample(scale)
    files = vedtak_files(raw)
    vedtak_mb = sum(os.path.getsize(f) for f in files) / 2**20
    made = f"generated in {gen:.1f} s" if gen else "cached"
    print(f"sample: {raw} ({made}); "
          f"{len(files)} vedtak files, {vedtak_mb:,.0f} MB\n", flush=True)

    runs = {"bare": [], "build": []}
    work = common.CACHE / "load-work"
    for i in range(args.repeats):
        for mode in ("bare", "build"):
            res = run_child(mode, raw, work / mode, args.timeout)
            runs[mode].append(res)
            print(f"  run {i + 1} {mode:5s}: {res['seconds']:7.1f} s, peak RSS {res['peak_rss_mb']:,.0f} MB",
                  flush=True)
    print()

    med = common.median
    bare_s = med([r["seconds"] for r in runs["bare"]])
    build_s = med([r["seconds"] for r in runs["build"]])
    kinds = sorted({k for r in runs["build"] for k in r["kinds"]})
    rows = []
    for k in kinds:
        vals = [r["kinds"].get(k, {}) for r in runs["build"]]
        rows.append({"kind": k, "files": vals[0].get("files"), "rows": vals[0].get("rows"),
                     "seconds (median)": med([v.get("seconds", 0.0) for v in vals]),
                     "hash s": med([v.get("phases", {}).get("hash", 0.0) for v in vals])})
    rows.append({"kind": "whole build", "seconds (median)": build_s})
    common.table(rows, title="Build per kind (FileResult.seconds summed; 'hash' is the planning pass, not in seconds)")

    vedtak = [r["kinds"]["vedtak"] for r in runs["build"]]
    phase_names = sorted({n for v in vedtak for n in v.get("phases", {})})
    common.table([{"phase": n, "seconds (median)": med([v["phases"].get(n, 0.0) for v in vedtak])}
                  for n in phase_names], title="Vedtak files, by phase")
    other = sorted({n for r in runs["build"] for n in r["phases"]})
    common.table([{"phase": n, "seconds (median)": med([r["phases"].get(n, 0.0) for r in runs["build"]])}
                  for n in other], title="Build, once per build")

    v_files = med([v["seconds"] for v in vedtak])
    v_hash = med([v.get("phases", {}).get("hash", 0.0) for v in vedtak])
    ratios = {
        "vedtak files / bare": v_files / bare_s,
        "vedtak files + hash / bare": (v_files + v_hash) / bare_s,
        "whole build / bare": build_s / bare_s,
    }
    rows = [
        {"measure": "bare read_csv (vedtak files)", "seconds": bare_s,
         "rows": runs["bare"][0]["rows"], "peak RSS MB": med([r["peak_rss_mb"] for r in runs["bare"]]),
         "RSS after import MB": med([r["rss_start_mb"] for r in runs["bare"]]),
         "db MB": runs["bare"][0]["db_mb"]},
        {"measure": "build: vedtak files", "seconds": v_files, "rows": vedtak[0]["rows"]},
        {"measure": "build: vedtak files + hash", "seconds": v_files + v_hash},
        {"measure": "build: whole", "seconds": build_s,
         "peak RSS MB": med([r["peak_rss_mb"] for r in runs["build"]]),
         "RSS after import MB": med([r["rss_start_mb"] for r in runs["build"]]),
         "db MB": runs["build"][0]["db_mb"]},
    ]
    common.table(rows, title=f"Load, medians of {args.repeats} alternated runs")
    common.table([{"ratio": k, "x": v, "goal": f"<= {GOAL_RATIO}", "met": "yes" if v <= GOAL_RATIO else "NO"}
                  for k, v in ratios.items()], title="Ratios (goal on the vedtak files)", digits=2)
    common.write_results("load", {
        "scale": scale, "expected_decision_records": expected, "vedtak_files": len(files),
        "vedtak_mb": round(vedtak_mb, 1), "sample_seconds": gen, "repeats": args.repeats,
        "duckdb_config": __import__("etl.config", fromlist=["x"]).duckdb_config(),
        "median": {"bare_seconds": bare_s, "build_seconds": build_s, "vedtak_files_seconds": v_files,
                   "vedtak_hash_seconds": v_hash}, "ratios": ratios, "goal_ratio": GOAL_RATIO, "runs": runs})
    return 0


if __name__ == "__main__":
    sys.exit(main())
