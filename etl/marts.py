"""Runs the SQL in etl/sql/ (one statement list per file, in name order)."""
from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).parent / "sql"


def run_file(con, name: str) -> None:
    con.execute((SQL_DIR / name).read_text(encoding="utf-8"))


def build_offices(con) -> None:
    run_file(con, "00_offices.sql")


def build_all(con) -> None:
    for path in sorted(SQL_DIR.glob("*.sql")):
        run_file(con, path.name)
