"""Concurrency: gunicorn (3 workers x 4 threads) on loopback under locust (20 users)
while `python -m etl build` publishes a new snapshot of the same warehouse twice.

    python -m bench.concurrency [--duration 60] [--users 20] [--scale 1]

Each build adds one new monthly decision file (copied from the sample's December
figures into a new month) and builds incrementally, so every snapshot has different
data. Afterwards every callback answer seen under load is compared with the answers
of each published snapshot, computed one snapshot at a time in a separate process:
an answer that matches none would have come from a mix or a half-built file. Also
counted: failed requests, HTTP 5xx in gunicorn's access log, errors in its error log.
Writes bench/results/concurrency.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import common, dashapp

LOG_ERRORS = re.compile(r"Traceback|\[ERROR\]|callback feilet|kunne ikke leses|Exception", re.IGNORECASE)


def searches() -> list[str]:
    """A few filter sets as the URL carries them (the filter bar writes these)."""
    from dashboard.components import search_from_filters
    from dashboard.queries import Filters

    return [search_from_filters(f) for f in (
        Filters(), Filters(region_id="innlandet"), Filters(region_id="oslo-viken"),
        Filters(year_from=2021, year_to=2023), Filters(report_type="status"),
        Filters(year_from=2019, year_to=2022, region_id="agder", report_type="slutt"))]


def scenario(client, db: Path) -> tuple[dict, list[str]]:
    """Requests per page; pages this (development, full-access) user may not open
    (the admin pages answer 403 by design) are left out."""
    app = dashapp.DashApp(client)
    s = searches()
    pages, skipped = [], []
    for _name, path in dashapp.page_paths(str(db)):
        status, _ = client.request("GET", path)
        if status != 200:
            skipped.append(f"{path} ({status})")
            continue
        cbs = app.callbacks(path)
        pages.append({"path": path, "router": app.router_payload(path),
                      "callbacks": [{"name": cb.name, "payloads": [cb.payload(path, q) for q in s]} for cb in cbs]})
    return {"pages": pages, "searches": s}, skipped


def expected_hashes(scn: dict, keys: set[str]) -> dict:
    """In a process whose TILTAKSMONITOR_DB is one snapshot file: key -> body hash."""
    client = dashapp.FlaskClient()
    out = {}

    def put(key, status, body):
        if key in keys:
            out[key] = hashlib.sha1(body).hexdigest() if status == 200 else f"HTTP {status}"

    put("layout", *client.request("GET", "/_dash-layout"))
    for page in scn["pages"]:
        key = f"route {page['path']}"
        if key in keys:
            put(key, *client.request("POST", "/_dash-update-component", page["router"]))
        for cb in page["callbacks"]:
            for i, payload in enumerate(cb["payloads"]):
                key = f"{page['path']} {cb['name']} #{i}"
                if key in keys:
                    put(key, *client.request("POST", "/_dash-update-component", payload))
    return out


def new_month_file(raw: Path, src: Path, n: int) -> Path:
    """vedtak file for month 2024-<n>: the PROFH offices' December 2023 counts."""
    lines = src.read_text(encoding="utf-8").splitlines()
    rows = [ln.replace(",31.12.2023,", f",2024-{n:02d},") for ln in lines[1:] if ",31.12.2023," in ln]
    path = raw / f"vedtak_eksempeldata_bench_2024-{n:02d}.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    return path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.concurrency", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--scale", type=int, default=1, help="etl sample --scale of the warehouse (default 1)")
    p.add_argument("--builds", type=int, default=2, help="builds published during the run (default 2)")
    p.add_argument("--no-verify", action="store_true", help="skip comparing answers with the snapshots")
    p.add_argument("--expect", help=argparse.SUPPRESS)
    p.add_argument("--scenario", help=argparse.SUPPRESS)
    p.add_argument("--keys", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.expect:  # child: answers of one snapshot
        scn = json.loads(Path(args.scenario).read_text())
        keys = set(json.loads(Path(args.keys).read_text()))
        Path(args.out).write_text(json.dumps(expected_hashes(scn, keys)))
        return 0

    work = common.CACHE / "concurrency"
    shutil.rmtree(work, ignore_errors=True)
    raw, db, logs = work / "raw", work / "wh" / "warehouse.duckdb", work / "logs"
    for d in (raw, db.parent, logs):
        d.mkdir(parents=True)
    src = common.copy_code(work / "src")  # server, builds and checks all run this copy
    sample, _ = common.ensure_sample(args.scale)
    for f in sample.iterdir():
        if not f.name.startswith("."):
            (raw / f.name).symlink_to(f)
    t = common.run([sys.executable, "-m", "etl", "build", "--raw", str(raw), "--db", str(db)],
                   log=logs / "build-0.log", cwd=src)
    print(f"bench.concurrency: initial build (scale {args.scale}) {t:.1f} s; {args.workers} workers x "
          f"{args.threads} threads, {args.users} users, {args.duration:.0f} s, {args.builds} builds during the run",
          flush=True)

    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    server = build_thread = locust = None
    builds: list[dict] = []
    try:
        server = common.start_gunicorn(db, port, args.workers, args.threads, logdir=logs, cwd=src)
        scn, skipped = scenario(dashapp.HttpClient(base), db)
        scn_path = work / "scenario.json"
        scn_path.write_text(json.dumps(scn))
        n_cb = sum(len(pg["callbacks"]) for pg in scn["pages"])
        print(f"scenario: {len(scn['pages'])} pages, {n_cb} filter-driven callbacks, "
              f"{len(scn['searches'])} filter sets" + (f"; left out: {', '.join(skipped)}" if skipped else ""),
              flush=True)

        t0 = time.monotonic()
        stats_path = work / "locust.json"
        with open(logs / "locust.log", "wb") as locust_log:
            locust = subprocess.Popen(
                [sys.executable, "-m", "bench.locustfile", base, str(args.users), str(args.duration),
                 str(stats_path)],
                cwd=common.ROOT, env={**os.environ, "BENCH_SCENARIO": str(scn_path)},
                stdout=locust_log, stderr=subprocess.STDOUT, start_new_session=True)

            def run_builds():  # spread over the run: at 1/3 and 2/3 of it for two builds
                for n in range(1, args.builds + 1):
                    time.sleep(max(0.0, args.duration * n / (args.builds + 1) - (time.monotonic() - t0)))
                    new_month_file(raw, sample / "vedtak_eksempeldata_profh_aggregert.csv", n)
                    b = {"build": n, "start_s": time.monotonic() - t0}
                    with open(logs / f"build-{n}.log", "wb") as out:
                        proc = subprocess.run([sys.executable, "-m", "etl", "build", "--raw", str(raw), "--db", str(db)],
                                              cwd=src, stdout=out, stderr=subprocess.STDOUT,
                                              timeout=args.duration * 5 + 300, check=False)
                    b.update(end_s=time.monotonic() - t0, returncode=proc.returncode,
                             snapshot=Path(os.path.realpath(db)).stem)
                    builds.append(b)
                    if time.monotonic() - t0 > args.duration:
                        break

            build_thread = threading.Thread(target=run_builds, daemon=True)
            build_thread.start()
            locust.wait(timeout=args.duration + 120)
            build_thread.join(timeout=args.duration * 5 + 300)
    finally:
        if locust is not None and locust.poll() is None:
            common.stop(locust)
        common.stop(server)

    stats = json.loads(stats_path.read_text())
    published_during = [b for b in builds if b["returncode"] == 0 and b["end_s"] <= args.duration + 5]
    access = (logs / "gunicorn-access.log").read_text(errors="replace").splitlines()
    status_5xx = sum(1 for ln in access if ln[:1] == "5")
    error_lines = [ln for ln in (logs / "gunicorn-error.log").read_text(errors="replace").splitlines()
                   if LOG_ERRORS.search(ln)]

    verify = None
    if not args.no_verify:
        verify = check_answers(stats["bodies"], db, scn_path, work, src)

    common.table([{"build": b["build"], "started at s": b["start_s"], "published at s": b["end_s"],
                   "seconds": b["end_s"] - b["start_s"], "ok": b["returncode"] == 0, "snapshot": b["snapshot"]}
                  for b in builds], title="Builds during the run (seconds since load started)")
    rows = [{"request": n, "requests": s["requests"], "failures": s["failures"], "p50 ms": s["p50_ms"],
             "p95 ms": s["p95_ms"]} for n, s in sorted(stats["by_name"].items(), key=lambda x: -x[1]["p95_ms"])]
    common.table(rows, title="Per request")
    summary = [{"measure": "requests", "value": stats["requests"]},
               {"measure": "failures (goal 0)", "value": stats["failures"]},
               {"measure": "p50 ms", "value": stats["p50_ms"]},
               {"measure": "p95 ms", "value": stats["p95_ms"]},
               {"measure": "p99 ms", "value": stats["p99_ms"]},
               {"measure": "requests per second", "value": stats["rps"]},
               {"measure": "HTTP 5xx in access log", "value": status_5xx},
               {"measure": "errors in gunicorn error log", "value": len(error_lines)},
               {"measure": "snapshots published during the run", "value": len(published_during)}]
    if verify:
        summary += [{"measure": "answers checked against snapshots", "value": verify["checked"]},
                    {"measure": "answers matching no snapshot (goal 0)", "value": verify["unmatched"]},
                    {"measure": "request keys whose answer changed between snapshots", "value": verify["keys_changing"]}]
    common.table(summary, title=f"Concurrency: {args.users} users, {args.duration:.0f} s, "
                                f"{args.workers} workers x {args.threads} threads, scale {args.scale}")
    for e in stats["errors"][:10]:
        print(f"  failure: {e['count']} x {e['name']}: {e['error'][:200]}")
    for ln in error_lines[:10]:
        print(f"  gunicorn: {ln[:200]}")
    if verify and verify["unmatched_keys"]:
        print("  unmatched:", ", ".join(verify["unmatched_keys"][:10]))
    stats.pop("bodies")
    common.write_results("concurrency", {"args": vars(args), "builds": builds, "locust": stats,
                                         "http_5xx": status_5xx, "error_log_lines": error_lines[:50],
                                         "verify": verify})
    return 0


def check_answers(bodies: dict, db: Path, scn_path: Path, work: Path, src: Path) -> dict:
    """Every answer seen must equal that request's answer from one of the snapshots."""
    keys_path = work / "keys.json"
    keys_path.write_text(json.dumps(sorted(bodies)))
    expected: dict[str, set] = {k: set() for k in bodies}
    snaps = sorted(db.with_name(db.name + ".snapshots").glob("*.duckdb"))
    for snap in snaps:
        out = work / f"expect-{snap.stem}.json"
        common.run([sys.executable, "-m", "bench.concurrency", "--expect", str(snap), "--scenario", str(scn_path),
                    "--keys", str(keys_path), "--out", str(out)], log=work / "logs" / f"expect-{snap.stem}.log",
                   env={**os.environ, "TILTAKSMONITOR_DB": str(snap)}, timeout=1800, cwd=src)
        for k, h in json.loads(out.read_text()).items():
            expected[k].add(h)
    checked = sum(sum(v.values()) for v in bodies.values())
    unmatched_keys = [k for k, seen in bodies.items() if any(h not in expected[k] for h in seen)]
    unmatched = sum(n for k in unmatched_keys for h, n in bodies[k].items() if h not in expected[k])
    return {"snapshots": [s.stem for s in snaps], "checked": checked, "unmatched": unmatched,
            "unmatched_keys": unmatched_keys, "keys_changing": sum(1 for v in expected.values() if len(v) > 1),
            "keys": len(bodies)}


if __name__ == "__main__":
    sys.exit(main())
