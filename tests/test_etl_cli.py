"""The fixed command-line interface: exit codes and what a user reads."""
from __future__ import annotations

import subprocess
import sys

from tests.etl_helpers import raw_with_register, write


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "etl", *args], capture_output=True, text=True, env=env, timeout=300)


def test_build_then_quarantine(tmp_path):
    raw = raw_with_register(tmp_path)
    write(raw, "vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype\nNAV Alna,2021-01,17,innvilget\n"
                               "NAV Atlantis,2021-01,17,innvilget\n")
    write(raw, "notat.txt", "ikke data")
    db = tmp_path / "wh.duckdb"
    r = run("build", "--raw", str(raw), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "Rader i karantene etter årsak" in r.stdout and "ukjent kontor" in r.stdout
    assert "Ukjente filer (ikke lastet): notat.txt" in r.stdout
    q = run("quarantine", "--db", str(db))
    assert q.returncode == 0
    assert "vedtak_1.csv" in q.stdout and "«NAV Atlantis»" in q.stdout and "Rader i karantene: 1" in q.stdout
    strict = run("build", "--raw", str(raw), "--db", str(tmp_path / "other.duckdb"), "--strict")
    assert strict.returncode == 1 and "--strict" in strict.stderr


def test_unreadable_file_is_one_line_naming_the_file(tmp_path):
    raw = raw_with_register(tmp_path)
    write(raw, "rapportering_2021.csv", "tiltak_id;rapportaar\nT1;2021\n")
    r = run("build", "--raw", str(raw), "--db", str(tmp_path / "wh.duckdb"))
    assert r.returncode == 1
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "rapportering_2021.csv" in lines[0] and "mangler påkrevd kolonne" in lines[0]
    assert not (tmp_path / "wh.duckdb").exists()


def test_db_from_environment(tmp_path):
    import os

    raw = raw_with_register(tmp_path)
    env = {**os.environ, "TILTAKSMONITOR_DB": str(tmp_path / "env.duckdb")}
    assert run("build", "--raw", str(raw), env=env).returncode == 0
    assert (tmp_path / "env.duckdb").is_symlink()
    assert "Ingen rader i karantene" in run("quarantine", env=env).stdout


def test_sample_writes_files(tmp_path):
    r = run("sample", "--out", str(tmp_path / "s"))
    assert r.returncode == 0
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert any(n.startswith("vedtak_eksempeldata") for n in names)
    assert all("eksempeldata" in n for n in names)
