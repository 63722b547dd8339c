"""Where things live. Precedence: explicit argument > environment variable > default."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data/warehouse.duckdb")
DEFAULT_RAW = Path("data/raw")
DB_ENV = "TILTAKSMONITOR_DB"
KEY_ENV = "TILTAKSMONITOR_PSEUDONYM_KEY"
KEY_FILE_ENV = "TILTAKSMONITOR_KEY_FILE"

#: DuckDB defaults are 80 % of RAM and every core per process; a build and several
#: app workers share one machine, so each sets its own bounds.
DUCKDB_MEMORY_LIMIT = os.environ.get("TILTAKSMONITOR_DUCKDB_MEMORY", "4GB")
DUCKDB_THREADS = int(os.environ.get("TILTAKSMONITOR_DUCKDB_THREADS", "2"))


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(DB_ENV) or DEFAULT_DB)


def raw_dir(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit) if explicit else DEFAULT_RAW


def key_file(db: Path) -> Path:
    """The pseudonymisation key lives beside the warehouse (outside git) unless set."""
    explicit = os.environ.get(KEY_FILE_ENV)
    return Path(explicit) if explicit else db.parent / "pseudonym.key"


def duckdb_config(read_only: bool = False) -> dict:
    cfg = {
        "memory_limit": DUCKDB_MEMORY_LIMIT,
        "threads": DUCKDB_THREADS,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if read_only:
        cfg["access_mode"] = "READ_ONLY"
    return cfg
