"""Idempotency, supersede with history, and the publish scheme under DuckDB's rules."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import duckdb
import pytest

from etl import marts, publish
from etl.build import build
from tests.etl_helpers import REPORT_HEADER, query, raw_with_register, write

ROW = "T1;2021;status;NAV Alna;Festesona;500 000;15.01.2022;1;3;3"


def test_same_file_twice_changes_nothing(tmp_path):
    raw = raw_with_register(tmp_path)
    write(raw, "rapportering_2021.csv", f"{REPORT_HEADER}\n{ROW}\n")
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    tables = ("reports", "reports_history", "self_assessment", "quarantine", "offices")
    before = {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    write(raw, "kopi/rapportering_2021_kopi.csv", f"{REPORT_HEADER}\n{ROW}\n")  # same bytes, other name
    summary = build(raw, db)
    assert {f.status for f in summary.files} == {"uendret"}
    assert {t: query(db, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_later_export_supersedes_and_history_keeps_the_earlier(tmp_path):
    raw = raw_with_register(tmp_path)
    write(raw, "rapportering_2021.csv", f"{REPORT_HEADER}\n{ROW}\n")
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    newer = "T1;2021;status;NAV Alna;Festesona;450 000;20.02.2022;1;2;3"
    write(raw, "rapportering_2021_v2.csv", f"{REPORT_HEADER}\n{newer}\n")
    build(raw, db)
    assert query(db, "SELECT grant_kr FROM reports") == [(450000,)]
    assert query(db, "SELECT version_no, grant_kr, is_current FROM reports_history ORDER BY 1") == \
        [(1, 500000, False), (2, 450000, True)]
    assert query(db, "SELECT score FROM self_assessment WHERE question_code='q01'") == [(2,)]
    # an older export loaded later does not win: innsendt orders versions
    (raw / "rapportering_2021.csv").unlink()
    older = "T1;2021;status;NAV Alna;Festesona;999 999;01.01.2022;1;1;1"
    write(raw, "rapportering_2021_gammel.csv", f"{REPORT_HEADER}\n{older}\n")
    build(raw, db)
    assert query(db, "SELECT grant_kr FROM reports") == [(450000,)]
    assert query(db, "SELECT count(*) FROM reports_history") == [(3,)]


def test_rows_stay_in_history_when_their_file_is_gone(tmp_path):
    raw = raw_with_register(tmp_path)
    write(raw, "vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype,antall\nNAV Alna,2021-01,17,innvilget,4\n")
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    (raw / "vedtak_1.csv").unlink()
    write(raw, "vedtak_2.csv", "nav_kontor,periode,paragraf,vedtakstype,antall\nNAV Alna,2021-01,17,innvilget,6\n"
                               "NAV Alna,2021-02,17,innvilget,2\n")
    build(raw, db)
    assert query(db, "SELECT month::VARCHAR, n FROM decisions ORDER BY 1") == [("2021-01-01", 6), ("2021-02-01", 2)]
    assert query(db, "SELECT file_name, n FROM decisions_history WHERE month = DATE '2021-01-01' ORDER BY load_seq") == \
        [("vedtak_1.csv", 4), ("vedtak_2.csv", 6)]
    assert query(db, "SELECT count(*) FROM decisions", ) == [(2,)]
    fresh = build(raw, db, fresh=True)
    assert query(db, "SELECT count(*) FROM decisions_history") == [(2,)]
    assert fresh.published


def test_reader_keeps_its_snapshot_during_a_build(tmp_path):
    raw = raw_with_register(tmp_path)
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    reader = duckdb.connect(str(publish.current_snapshot(db)), read_only=True)
    write(raw, "vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype\nNAV Alna,2021-01,17,innvilget\n")
    build(raw, db)  # a reader holding the old snapshot does not block the build
    assert reader.execute("SELECT count(*) FROM decisions").fetchone() == (0,)
    assert query(db, "SELECT count(*) FROM decisions") == [(1,)]
    reader.close()


def test_build_failing_half_way_leaves_the_warehouse(tmp_path, monkeypatch):
    raw = raw_with_register(tmp_path)
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    before = db.resolve()
    write(raw, "vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype\nNAV Alna,2021-01,17,innvilget\n")

    def boom(con):
        raise RuntimeError("strømmen gikk")

    monkeypatch.setattr(marts, "build_all", boom)
    with pytest.raises(RuntimeError):
        build(raw, db)
    assert db.resolve() == before
    assert query(db, "SELECT count(*) FROM decisions") == [(0,)]
    assert sorted(p.name for p in publish.snapshots_dir(db).iterdir()) == [before.name]


def test_stray_wal_beside_the_live_path_is_not_replayed(tmp_path):
    """A crashed writer of a plain-file warehouse leaves `<db>.wal`; DuckDB would replay
    it onto whatever file is swapped in at that path. The publish removes it and
    readers open the snapshot path, which has no WAL."""
    db = tmp_path / "wh.duckdb"
    # a crashed writer: changes only in the WAL, never checkpointed
    code = textwrap.dedent(f"""
        import duckdb, os
        con = duckdb.connect({str(db)!r})
        con.execute("SET checkpoint_threshold = '1TB'")
        con.execute("CREATE TABLE offices AS SELECT 'stray' AS office_id")
        os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", code], check=True)
    assert os.path.exists(str(db) + ".wal")
    raw = raw_with_register(tmp_path)
    build(raw, db)
    assert not os.path.exists(str(db) + ".wal")
    assert sorted(r[0] for r in query(db, "SELECT office_id FROM offices")) == ["K0301-ALNA", "K3412-LOTEN"]
    con = duckdb.connect(str(db), read_only=True)  # even opening the live path directly
    assert sorted(r[0] for r in con.execute("SELECT office_id FROM offices").fetchall()) == ["K0301-ALNA", "K3412-LOTEN"]
    con.close()


def test_publish_refuses_a_snapshot_with_a_wal(tmp_path):
    snap = publish.new_snapshot_path(tmp_path / "wh.duckdb", "b1")
    duckdb.connect(str(snap)).close()
    (tmp_path / "wh.duckdb.snapshots" / "b1.duckdb.wal").write_bytes(b"x")
    with pytest.raises(RuntimeError, match="WAL"):
        publish.publish(tmp_path / "wh.duckdb", snap)


def test_another_process_reading_during_build(tmp_path):
    """Separate processes: a reader holds the warehouse read-only while a build runs
    and publishes; neither fails, and the reader sees the new data when it reopens."""
    raw = raw_with_register(tmp_path)
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    write(raw, "vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype\nNAV Alna,2021-01,17,innvilget\n")
    code = textwrap.dedent(f"""
        import duckdb, os, sys, time
        path = os.path.realpath({str(db)!r})
        con = duckdb.connect(path, read_only=True)
        print(con.execute("SELECT count(*) FROM decisions").fetchone()[0], flush=True)
        sys.stdin.readline()
        print(con.execute("SELECT count(*) FROM decisions").fetchone()[0], flush=True)
        con.close()
        con = duckdb.connect(os.path.realpath({str(db)!r}), read_only=True)
        print(con.execute("SELECT count(*) FROM decisions").fetchone()[0], flush=True)
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "0"
    build(raw, db)
    out, _ = p.communicate("go\n", timeout=60)
    assert out.split() == ["0", "1"]
    assert p.returncode == 0


def test_old_snapshots_are_pruned(tmp_path):
    raw = raw_with_register(tmp_path)
    db = tmp_path / "wh.duckdb"
    for i in range(5):
        write(raw, f"vedtak_{i}.csv", f"nav_kontor,periode,paragraf,vedtakstype\nNAV Alna,2021-0{i + 1},17,innvilget\n")
        build(raw, db)
    snaps = list(publish.snapshots_dir(db).glob("*.duckdb"))
    assert len(snaps) == publish.KEEP_SNAPSHOTS
    assert db.resolve() in [s.resolve() for s in snaps]


def test_concurrent_builds_are_serialised_and_lose_nothing(tmp_path):
    """Two builds at once (e.g. an upload during the release step): the lock makes the
    second start from the first's snapshot, so the warehouse keeps both files."""
    from concurrent.futures import ThreadPoolExecutor

    register = raw_with_register(tmp_path).joinpath("kontorer.csv").read_text()
    raws = []
    for month in ("01", "02"):
        raw = tmp_path / f"raw{month}"
        write(raw, "kontorer.csv", register)
        write(raw, f"vedtak_{month}.csv", f"nav_kontor,periode,paragraf,vedtakstype\nNAV Alna,2021-{month},17,innvilget\n")
        raws.append(raw)
    db = tmp_path / "wh.duckdb"
    with ThreadPoolExecutor(2) as pool:
        summaries = list(pool.map(lambda r: build(r, db), raws))
    assert all(s.published for s in summaries)
    assert query(db, "SELECT month::VARCHAR FROM decisions ORDER BY 1") == [("2021-01-01",), ("2021-02-01",)]


def test_reader_can_open_the_live_warehouse_while_a_build_writes(tmp_path, monkeypatch):
    """The reverse pitfall: a build holds its new snapshot read-write; readers in other
    processes open the live path meanwhile and are not refused."""
    raw = raw_with_register(tmp_path)
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    write(raw, "vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype\nNAV Alna,2021-01,17,innvilget\n")
    seen = []
    real = marts.build_all

    def during(con):
        real(con)
        code = (f"import duckdb, os; c = duckdb.connect(os.path.realpath({str(db)!r}), read_only=True); "
                f"print(c.execute('SELECT count(*) FROM decisions').fetchone()[0])")
        seen.append(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60))

    monkeypatch.setattr(marts, "build_all", during)
    build(raw, db)
    assert seen[0].returncode == 0, seen[0].stderr
    assert seen[0].stdout.strip() == "0"  # the old snapshot, complete
    assert query(db, "SELECT count(*) FROM decisions") == [(1,)]
