"""extract -> validate -> load into a new snapshot -> marts -> atomic publish.

History lives in the warehouse itself: every accepted row is kept in `hist_<kind>`
with the load that brought it, and a build starts from the previous snapshot's
history, so rows from files no longer in the raw folder stay queryable and a file
already loaded (same bytes) is skipped.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import shutil
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import config, contracts, marts, publish, reference
from .extract import Source, fingerprint, open_source
from .offices import OfficeIndex, resolve_region
from .pseudonym import load_key, pseudonym
from .validate import MAPPED, finish_select, lit, q, typed_select

SCHEMA_VERSION = 1
SQL_TYPES = {
    contracts.INT: "BIGINT", contracts.AMOUNT: "BIGINT", contracts.DECIMAL: "DOUBLE",
    contracts.DATE: "DATE", contracts.PERIOD: "DATE", contracts.TIMESTAMP: "TIMESTAMP",
    contracts.LIST: "VARCHAR[]", contracts.SCORE: "INTEGER",
    **{t: "VARCHAR" for t in (contracts.TEXT, contracts.KEY, contracts.ENUM, contracts.YESNO,
                              contracts.OFFICE, contracts.REGION, contracts.PSEUDONYM)},
}
HISTORY_TABLES = [f"hist_{k}" for k in contracts.KINDS] + ["load_log", "quarantine"]


class BuildError(Exception):
    """The build stopped; the published warehouse is as it was."""


@dataclass
class FileResult:
    file_name: str
    kind: str | None
    status: str                   # lastet | uendret | ukjent_type
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Summary:
    build_id: str
    db: Path
    snapshot: Path | None = None
    files: list[FileResult] = field(default_factory=list)
    warnings: Counter = field(default_factory=Counter)
    published: bool = False
    seconds: float = 0.0

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def unknown_files(self) -> list[str]:
        return [f.file_name for f in self.files if f.status == "ukjent_type"]


def discover(raw: Path) -> list[Path]:
    if not raw.is_dir():
        raise BuildError(f"fant ikke mappen med råfiler: {raw}")
    return sorted(p for p in raw.rglob("*") if p.is_file() and not any(
        part.startswith(".") for part in p.relative_to(raw).parts))


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), config=config.duckdb_config())
    con.execute("SET preserve_insertion_order = true")
    return con


def _init(con: duckdb.DuckDBPyConnection, previous: Path | None) -> int:
    """Reference tables, and history carried over from the previous snapshot."""
    for table, filename in reference.TABLES.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv(?, header=true, all_varchar=false)",
                    [str(reference.REFERENCE_DIR / filename)])
    con.execute("""CREATE OR REPLACE TABLE ref_scale AS SELECT *, score = max(score) OVER (PARTITION BY form_version)
                   AS is_top FROM ref_scale""")
    con.execute("""CREATE OR REPLACE TABLE ref_checklist AS
                   SELECT CAST(paragraf AS VARCHAR) AS paragraf, point_no, 'p' || lpad(point_no::VARCHAR, 2, '0') AS point_code,
                          point_text FROM ref_checklist""")
    con.execute("CREATE OR REPLACE TABLE ref_risks AS SELECT * REPLACE (CAST(paragraf AS VARCHAR) AS paragraf) FROM ref_risks")
    carried = set()
    if previous is not None:
        con.execute("ATTACH ? AS prev (READ_ONLY)", [str(previous)])
        have = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'prev'").fetchall()}
        for t in HISTORY_TABLES:
            if t in have:
                con.execute(f"CREATE TABLE {t} AS SELECT * FROM prev.main.{t}")
                carried.add(t)
        con.execute("DETACH prev")
    if "load_log" not in carried:
        con.execute("""CREATE TABLE load_log (build_id VARCHAR, load_seq INTEGER, file_name VARCHAR,
            file_hash VARCHAR, kind VARCHAR, loaded_at TIMESTAMP, status VARCHAR, rows_read BIGINT,
            rows_loaded BIGINT, rows_quarantined BIGINT, is_sample BOOLEAN, message VARCHAR)""")
    if "quarantine" not in carried:
        con.execute("""CREATE TABLE quarantine (load_seq INTEGER, file_name VARCHAR, file_hash VARCHAR,
            kind VARCHAR, line BIGINT, column_name VARCHAR, reason VARCHAR, raw_values VARCHAR)""")
    for kind in contracts.KINDS:
        if f"hist_{kind}" not in carried:
            _create_history(con, kind)
    return con.execute("SELECT coalesce(max(load_seq), 0) FROM load_log").fetchone()[0]


def _create_history(con, kind: str) -> None:
    """An empty history table typed from the contract (the shape history_select yields)."""
    cols = ["_load_seq INTEGER", "_line BIGINT"]
    for c in contracts.KINDS[kind].columns:
        if kind == "vedtak" and c.name == "antall":
            continue
        cols.append(f"{q(c.name)} {SQL_TYPES[c.type]}")
        if c.type == contracts.SCORE:
            cols.append(f"{q(c.name + '_svar')} VARCHAR")
    if kind == "vedtak":
        cols.append("antall BIGINT")
    con.execute(f"CREATE TABLE hist_{kind} ({', '.join(cols)})")


def history_select(kind: str, typed: str) -> str:
    """Accepted rows as kept in history. Decisions are summed per key within a file:
    'antall' absent means one row per decision, and the marts never need the records."""
    if kind == "vedtak":
        return (f"SELECT min(_line) AS _line, nav_kontor, periode, paragraf, vedtakstype, "
                f"coalesce(aldersgruppe, 'ukjent') AS aldersgruppe, sum(coalesce(antall, 1) * _n)::BIGINT AS antall "
                f"FROM {typed} t WHERE len(_errors) = 0 GROUP BY ALL")
    return f"SELECT * EXCLUDE (_errors, _n) FROM {typed} t WHERE len(_errors) = 0"


class Loader:
    """Loads the new files of one build into the open snapshot."""

    def __init__(self, con, build_id: str, db: Path, tmpdir: Path, seq: int):
        self.con, self.build_id, self.tmpdir, self.seq = con, build_id, tmpdir, seq
        self.key = load_key(db)
        self.offices: OfficeIndex | None = None

    def refresh_offices(self) -> None:
        marts.build_offices(self.con)
        rows = self.con.execute("SELECT office_id, office_name, region_id, aliases FROM offices_all").fetchall()
        self.offices = OfficeIndex([dict(office_id=r[0], office_name=r[1], region_id=r[2], aliases=r[3] or [])
                                    for r in rows])

    def _read_raw(self, src: Source, grouped: bool) -> int:
        """raw0 + raw_v for one source; returns DuckDB's rejected-record count.

        `grouped`: read the file once, streaming, into its distinct rows with a count
        (`_n`) — decisions repeat heavily, so rules then run on a few hundred thousand
        distinct rows instead of tens of millions. Lines are unknown in that form; a
        file with any broken row is read again row by row for exact lines.
        """
        con = self.con
        width = len(src.columns)
        if src.numbered:
            names = ["_line", "_ncols", *[f"c{i}" for i in range(width)]]
        else:
            names = list(src.columns)
        columns = {n: "VARCHAR" for n in names}
        con.execute("DROP TABLE IF EXISTS raw0")
        present = [c for c in src.columns if not c.startswith("_extra_")]
        select = (f"SELECT {', '.join(q(c) for c in present)}, count(*) AS _n" if grouped else "SELECT *")
        con.execute(
            f"CREATE TEMP TABLE raw0 AS {select} FROM read_csv(?, header=true, delim=?, quote='\"', escape='\"', "
            "auto_detect=false, columns=?, store_rejects=true, rejects_table='rejects_now', "
            "rejects_scan='rejects_scan_now', max_line_size=10000000, strict_mode=true)"
            + (" GROUP BY ALL" if grouped else ""),
            [str(src.csv_path), src.delimiter, columns])
        rejected = con.execute("SELECT count(*) FROM rejects_now").fetchone()[0]
        if grouped:
            sel = ", ".join(q(c) for c in present)
            con.execute(f"CREATE OR REPLACE TEMP VIEW raw_v AS SELECT NULL::BIGINT AS _line, {width} AS _ncols, "
                        f"{width} AS _width, _n, {sel} FROM raw0")
        elif src.numbered:
            sel = ", ".join(f"c{i} AS {q(c)}" for i, c in enumerate(src.columns) if not c.startswith("_extra_"))
            con.execute(f"CREATE OR REPLACE TEMP VIEW raw_v AS SELECT CAST(_line AS BIGINT) AS _line, "
                        f"CAST(_ncols AS INTEGER) AS _ncols, {width} AS _width, 1 AS _n, {sel} FROM raw0")
        else:
            sel = ", ".join(q(c) for c in present)
            con.execute(f"CREATE OR REPLACE TEMP VIEW raw_v AS SELECT rowid + 2 AS _line, {width} AS _ncols, "
                        f"{width} AS _width, 1 AS _n, {sel} FROM raw0")
        return rejected

    def _maps(self, kind: str, present: list[str]) -> None:
        for col in contracts.KINDS[kind].columns:
            if col.type not in MAPPED:
                continue
            values = []
            if col.name in present:
                values = [r[0] for r in self.con.execute(
                    f"SELECT DISTINCT nullif(trim({q(col.name)}), '') v FROM raw_v WHERE v IS NOT NULL").fetchall()]
            out = {"raw": [], "val": [], "err": []}
            for v in values:
                if col.type == contracts.OFFICE:
                    val, _, err = self.offices.resolve(v)
                elif col.type == contracts.REGION:
                    val, err = resolve_region(v)
                else:
                    val, err = pseudonym(self.key, v), None
                out["raw"].append(v), out["val"].append(val), out["err"].append(err)
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE map_{col.name} AS SELECT unnest(?::VARCHAR[]) AS raw, "
                             "unnest(?::VARCHAR[]) AS val, unnest(?::VARCHAR[]) AS err",
                             [out["raw"], out["val"], out["err"]])

    def load(self, src: Source, result: FileResult, grouped: bool | None = None) -> None:
        con, kind = self.con, src.kind
        present = [c for c in src.columns if not c.startswith("_extra_")]
        if grouped is None:
            grouped = kind in GROUPED_KINDS and not src.numbered
        rejected = self._read_raw(src, grouped)
        if rejected:
            raise _NeedsExact()
        self._maps(kind, present)
        # one statement: binding the generated expressions is most of a small file's cost
        con.execute(f"CREATE OR REPLACE TEMP TABLE typed AS {finish_select(kind, typed_select(kind, present))}")
        total, bad = con.execute("SELECT coalesce(sum(_n), 0), coalesce(sum(_n) FILTER (len(_errors) > 0), 0) "
                                 "FROM typed").fetchone()
        if grouped and bad:
            return self.load(src, result, grouped=False)
        self.seq += 1
        # quarantine: the raw text of each broken row, pseudonymised columns replaced by their hash
        pseud = {c.name for c in contracts.KINDS[kind].columns if c.type == contracts.PSEUDONYM}
        parts = []
        for c in present:
            parts.append(f"{lit(c)}, " + (f"(SELECT val FROM map_{c} m WHERE m.raw = nullif(trim(r.{q(c)}), ''))"
                                         if c in pseud else f"r.{q(c)}"))
        raw_json = f"json_object({', '.join(parts)})" if parts else "'{}'"
        if bad:
            con.execute(f"""INSERT INTO quarantine
                SELECT ?, ?, ?, ?, t._line, e.column, e.reason, {raw_json}
                FROM (SELECT _line, unnest(_errors) AS e FROM typed WHERE len(_errors) > 0) t
                JOIN raw_v r ON r._line = t._line ORDER BY t._line""",
                        [self.seq, src.path.name, src.sha256, kind])
            for reason, n in con.execute("""SELECT regexp_replace(e.reason, ':? «.*$', ''), count(DISTINCT _line)
                    FROM (SELECT _line, unnest(_errors) AS e FROM typed WHERE len(_errors) > 0) GROUP BY 1""").fetchall():
                result.reasons[f"{reason}"] += n
        con.execute(f"INSERT INTO hist_{kind} BY NAME SELECT {self.seq} AS _load_seq, * "
                    f"FROM ({history_select(kind, 'typed')})")
        result.rows_read, result.rows_loaded, result.rows_quarantined = total, total - bad, bad
        con.execute("INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, 'lastet', ?, ?, ?, ?, ?)",
                    [self.build_id, self.seq, src.path.name, src.sha256, kind, dt.datetime.now(),
                     total, total - bad, bad, src.is_sample, "; ".join(src.notes) or None])
        for t in ("typed", "raw0"):
            con.execute(f"DROP TABLE IF EXISTS {t}")


#: kinds whose history keeps only sums, so their files can be read as distinct rows
GROUPED_KINDS = ("vedtak",)


class _NeedsExact(Exception):
    """DuckDB rejected records (ragged rows): reread the file on the exact path."""


@contextlib.contextmanager
def _build_lock(db: Path):
    """One build at a time per warehouse (CLI, release step and uploads alike): each
    build starts from the previous snapshot, so two at once would lose one's files."""
    with open(db.with_name(db.name + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build(raw: Path | str | None = None, db: Path | str | None = None, strict: bool = False,
          fresh: bool = False, progress=None) -> Summary:
    """Build and publish a warehouse. Raises BuildError/FileError; then nothing is published."""
    db_path = config.db_path(db)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(db_path):
        return _build(config.raw_dir(raw), db_path, strict, fresh, progress)


def _build(raw_dir: Path, db_path: Path, strict: bool, fresh: bool, progress) -> Summary:
    started = time.monotonic()
    build_id = dt.datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    summary = Summary(build_id, db_path)
    files = discover(raw_dir)
    previous = None if fresh else publish.current_snapshot(db_path)
    snapshot = publish.new_snapshot_path(db_path, build_id)
    summary.snapshot = snapshot
    tmpdir = Path(tempfile.mkdtemp(prefix="tiltaksmonitor-"))
    con = None
    try:
        con = _connect(snapshot)
        con.execute("SET temp_directory = ?", [str(tmpdir)])
        seq = _init(con, previous)
        loaded = {r[0] for r in con.execute("SELECT file_hash FROM load_log WHERE status = 'lastet'").fetchall()}
        loader = Loader(con, build_id, db_path, tmpdir, seq)
        loader.refresh_offices()
        plan: dict[str, list[tuple[Path, object]]] = {k: [] for k in contracts.LOAD_ORDER}
        for path in files:
            kind = contracts.kind_of_filename(path.name)
            if kind is None:
                note = "ukjent filtype (navnet må starte med " + ", ".join(contracts.KINDS) + ")"
                summary.files.append(FileResult(path.name, None, "ukjent_type", notes=[note]))
                con.execute("INSERT INTO load_log VALUES (?, NULL, ?, NULL, NULL, ?, 'ukjent_type', 0, 0, 0, false, ?)",
                            [build_id, path.name, dt.datetime.now(), note])
                continue
            fp = fingerprint(path)
            if fp.sha256 in loaded:
                summary.files.append(FileResult(path.name, kind, "uendret", notes=["allerede lastet (samme innhold)"]))
                con.execute("INSERT INTO load_log VALUES (?, NULL, ?, ?, ?, ?, 'uendret', 0, 0, 0, ?, "
                            "'allerede lastet (samme innhold)')",
                            [build_id, path.name, fp.sha256, kind, dt.datetime.now(),
                             contracts.is_sample_filename(path.name)])
                continue
            loaded.add(fp.sha256)
            plan[kind].append((path, fp))
        for kind in contracts.LOAD_ORDER:
            for path, fp in plan[kind]:
                result = FileResult(path.name, kind, "lastet")
                t0 = time.monotonic()
                if progress:
                    progress.start_file(path.name, path.stat().st_size)
                src = open_source(path, kind, tmpdir, fp)
                try:
                    try:
                        loader.load(src, result)
                    except _NeedsExact:
                        src.cleanup()
                        src = open_source(path, kind, tmpdir, fp, exact=True)
                        loader.load(src, result)
                finally:
                    src.cleanup()
                result.notes = src.notes
                result.seconds = time.monotonic() - t0
                summary.files.append(result)
                if progress:
                    progress.end_file(path.name)
            if kind == "kontorer":
                loader.refresh_offices()
        marts.build_all(con)
        summary.warnings = Counter(dict(con.execute(
            "SELECT warning_code, count(*) FROM dq_warnings GROUP BY 1").fetchall()))
        has_sample = con.execute("SELECT coalesce(bool_or(is_sample), false) FROM load_log WHERE status='lastet'").fetchone()[0]
        n_files = con.execute("SELECT count(*) FROM load_log WHERE status='lastet'").fetchone()[0]
        meta = {"build_id": build_id, "built_at": dt.datetime.now().isoformat(timespec="seconds"),
                "files_total": str(n_files), "has_sample": "true" if has_sample else "false",
                "schema_version": str(SCHEMA_VERSION), "contract_version": str(contracts.CONTRACT_VERSION),
                "raw_dir": str(raw_dir)}
        con.execute("CREATE OR REPLACE TABLE meta (key VARCHAR, value VARCHAR)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
        if strict and summary.rows_quarantined:
            raise BuildError(f"--strict: {summary.rows_quarantined} rader i karantene; ingenting publisert")
        con.execute("CHECKPOINT")
        con.close()
        con = None
        publish.publish(db_path, snapshot)
        summary.published = True
        publish.prune(db_path)
    except BaseException:
        if con is not None:
            con.close()
        publish.discard(snapshot)
        summary.snapshot = None
        raise
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    summary.seconds = time.monotonic() - started
    return summary
