"""Shared helpers: the cache of generated samples and built warehouses, scale
estimates, tables, JSON results, processes on loopback."""
from __future__ import annotations

import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
#: generated samples and built warehouses are reused between runs from here
CACHE = Path(os.environ.get("TILTAKSMONITOR_BENCH_CACHE", "/tmp/tiltaksmonitor-bench"))
COMPLETE = ".complete"  # marker in a raw dir (the ETL ignores dot files)


# ------------------------------------------------------------------ scales

def decision_records(scale: int, seed: int = 2021) -> int:
    """Decision records `etl sample --scale` writes (the bulk files, one row per
    decision), computed from the generator's own counts without writing anything."""
    cache = CACHE / "records.json"
    known = json.loads(cache.read_text()) if cache.exists() else {}
    key = f"{scale}:{seed}"
    if key not in known:
        from etl.sample import decisions, offices

        reg = offices.register(scale, seed)
        known[key] = sum(int(decisions.counts(o, y, seed, scale).sum())
                         for y in decisions.years(scale) for o in reg if o.navn not in offices.PROFH_OFFICES)
        CACHE.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(known))
    return known[key]


def scale_for(records: float) -> int:
    """The --scale whose decision records are nearest `records` (on a log scale)."""
    lo, hi = 1, 1
    while decision_records(hi) < records and hi < 1024:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if decision_records(mid) < records else (lo, mid)
    return min((lo, hi), key=lambda s: abs(math.log(decision_records(s) / records)))


def parse_records(text: str) -> float:
    """'10M' / '1.5m' / '500k' / '10000000' -> a number."""
    t = text.strip().lower()
    mult = {"k": 1e3, "m": 1e6}.get(t[-1:], 1)
    return float(t[:-1] if mult != 1 else t) * mult


# ------------------------------------------------------------------ cache

def run(cmd: list[str], log: Path | None = None, env: dict | None = None, timeout: float | None = None,
        cwd: Path = ROOT) -> float:
    """Run a command from the repo root; its output to `log` (or discarded). Returns
    wall seconds; raises on a non-zero exit, with the log's tail."""
    t0 = time.perf_counter()
    with open(log or os.devnull, "wb") as out:
        proc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=timeout, check=False)
    if proc.returncode:
        tail = log.read_text(errors="replace")[-2000:] if log else ""
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{tail}")
    return time.perf_counter() - t0


def ensure_sample(scale: int) -> tuple[Path, float | None]:
    """cache/raw/s<N>: `python -m etl sample --scale N`; (dir, seconds or None if cached)."""
    raw = CACHE / "raw" / f"s{scale}"
    if (raw / COMPLETE).exists():
        return raw, None
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    secs = run([sys.executable, "-m", "etl", "sample", "--out", str(raw), "--scale", str(scale)],
               log=CACHE / f"sample-s{scale}.log")
    (raw / COMPLETE).touch()
    return raw, secs


def ensure_warehouse(scale: int) -> tuple[Path, dict]:
    """cache/wh/s<N>/warehouse.duckdb, built by `python -m etl build --fresh` unless
    already there; info has the generation and build seconds (None when cached)."""
    raw, gen = ensure_sample(scale)
    db = CACHE / "wh" / f"s{scale}" / "warehouse.duckdb"
    built = None
    if not (db.is_symlink() and db.exists()):
        shutil.rmtree(db.parent, ignore_errors=True)
        db.parent.mkdir(parents=True)
        built = run([sys.executable, "-m", "etl", "build", "--raw", str(raw), "--db", str(db), "--fresh"],
                    log=CACHE / f"build-s{scale}.log")
    return db, {"scale": scale, "raw": str(raw), "db": str(db), "sample_seconds": gen, "build_seconds": built}


def warehouse_facts(db: Path) -> dict:
    import duckdb

    from etl import config

    con = duckdb.connect(os.path.realpath(db), read_only=True, config=config.duckdb_config(read_only=True))
    try:
        n = con.execute("SELECT coalesce(sum(n), 0), count(*) FROM decisions").fetchone()
        build_id = con.execute("SELECT value FROM meta WHERE key = 'build_id'").fetchone()[0]
    finally:
        con.close()
    return {"decision_records": int(n[0]), "decision_rows": int(n[1]), "build_id": build_id,
            "db_mb": round(os.path.getsize(os.path.realpath(db)) / 2**20, 1)}


# ------------------------------------------------------------------ output

def pct(values, p: float) -> float | None:
    """Percentile by linear interpolation (p in 0..100)."""
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * p / 100
    f = math.floor(k)
    c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)


def median(values):
    return pct(values, 50)


def fmt(v, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(rows: list[dict], columns: list[str] | None = None, title: str | None = None, digits: int = 1) -> str:
    columns = columns or (list(rows[0]) if rows else [])
    cells = [[fmt(r.get(c), digits) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(vals):
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(vals, widths)))

    out = [title] if title else []
    out += [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    text = "\n".join(out)
    print(text + "\n", flush=True)
    return text


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "loadavg": [round(x, 2) for x in os.getloadavg()], "host": platform.node()}


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"benchmark": name, "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), **data}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    print(f"results: {path.relative_to(ROOT)}")
    return path


# ------------------------------------------------------------------ processes

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def copy_code(dest: Path) -> Path:
    """A private copy of the code (others edit the working tree while benchmarks run:
    a server and the processes that check its answers must run the same code)."""
    shutil.rmtree(dest, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    for d in ("dashboard", "etl", "assets", "bench"):
        shutil.copytree(ROOT / d, dest / d, ignore=ignore)
    return dest


def start_gunicorn(db: Path, port: int, workers: int = 3, threads: int = 4, logdir: Path | None = None,
                   timeout: float = 90, cwd: Path = ROOT) -> subprocess.Popen:
    """`gunicorn dashboard.app:server` on 127.0.0.1:<port> reading `db`; started in
    its own process group and waited for."""
    logdir = logdir or CACHE / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TILTAKSMONITOR_DB": str(db), "PYTHONUNBUFFERED": "1"}
    env.pop("DASH_DEBUG", None)
    cmd = [sys.executable, "-m", "gunicorn", "dashboard.app:server", "-w", str(workers), "--threads", str(threads),
           "-b", f"127.0.0.1:{port}", "--timeout", "120",
           "--access-logfile", str(logdir / "gunicorn-access.log"),
           "--error-logfile", str(logdir / "gunicorn-error.log"),
           "--access-logformat", '%(s)s %(m)s "%(U)s" %(L)s']
    for f in ("gunicorn-access.log", "gunicorn-error.log"):
        (logdir / f).unlink(missing_ok=True)
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/_dash-layout", timeout, proc)
    except BaseException:
        stop(proc)
        raise
    return proc


def stop(proc: subprocess.Popen | None, grace: float = 10) -> None:
    """Stop a process we started (and its process group, if it leads one)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        pgid = os.getpgid(proc.pid)
        target = (lambda s: os.killpg(pgid, s)) if pgid == proc.pid else proc.send_signal
        target(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            target(signal.SIGKILL)
            proc.wait(5)
    except ProcessLookupError:
        pass

