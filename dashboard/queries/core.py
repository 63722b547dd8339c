"""The only place that talks to DuckDB.

Every query goes through `fetch(sql, params)` with bound parameters; SQL text is
module constants, never built from user strings. Connections are read-only, one
per published snapshot and process, re-resolved when a build publishes a new one,
so there is no per-request reconnect cost and no reader sees a half-built file.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

import duckdb
import pandas as pd

from etl import config as etl_config
from etl.publish import current_snapshot

ROLES = ("direktorat", "referansegruppe", "statsforvalter", "admin")


class NoWarehouse(RuntimeError):
    """The warehouse file does not exist (yet)."""


@dataclass(frozen=True)
class Scope:
    """Who is asking. Applied by every query function, never by the layout."""

    role: str = "direktorat"
    region_id: str | None = None  # only for role 'statsforvalter'
    user: str = "lokal"

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"ukjent rolle: {self.role!r}")
        if self.role == "statsforvalter" and not self.region_id:
            raise ValueError("rollen statsforvalter må ha en region")

    def office_region(self, requested: str | None) -> str | None:
        """Region to which office-level data must be restricted for this caller.

        A Statsforvalter sees office-level data of its own region only, whatever it
        asks for; others get what they asked for (None = all regions).
        """
        if self.role == "statsforvalter":
            return self.region_id
        return requested

    def may_see_region(self, region_id: str | None) -> bool:
        return self.role != "statsforvalter" or region_id == self.region_id

    @property
    def can_load(self) -> bool:
        return self.role == "admin"


FULL_ACCESS = Scope("direktorat")


@dataclass(frozen=True)
class Filters:
    """The global filter bar: every page reads these."""

    year_from: int | None = None
    year_to: int | None = None
    region_id: str | None = None
    office_id: str | None = None
    report_type: str | None = None  # 'status' | 'slutt' | None

    def years(self) -> tuple[int, int]:
        return (self.year_from or 1900, self.year_to or 2999)


class Warehouse:
    """Read-only access to the published snapshot behind a (symlinked) path."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._retired: list[duckdb.DuckDBPyConnection] = []
        self._local = threading.local()

    def _connection(self) -> tuple[Path, duckdb.DuckDBPyConnection]:
        snap = current_snapshot(self.path)
        if snap is None:
            raise NoWarehouse(f"Fant ikke datavarehuset {self.path}")
        if snap != self._snapshot:
            with self._lock:
                if snap != self._snapshot:
                    conn = duckdb.connect(str(snap), read_only=True, config=etl_config.duckdb_config(read_only=True))
                    if self._conn is not None:
                        # keep the previous snapshot open a while: other threads may be mid-query
                        self._retired.append(self._conn)
                        while len(self._retired) > 2:
                            self._retired.pop(0).close()
                    self._snapshot, self._conn = snap, conn
        return self._snapshot, self._conn

    def cursor(self) -> tuple[str, duckdb.DuckDBPyConnection]:
        """A per-thread cursor on the current snapshot, and that snapshot's version."""
        snap, conn = self._connection()
        cached = getattr(self._local, "cur", None)
        if cached is None or cached[0] != snap:
            self._local.cur = (snap, conn.cursor())
        return snap.stem, self._local.cur[1]

    def version(self) -> str:
        snap = current_snapshot(self.path)
        if snap is None:
            raise NoWarehouse(f"Fant ikke datavarehuset {self.path}")
        return snap.stem


_warehouse: Warehouse | None = None
_wh_lock = threading.Lock()


def warehouse() -> Warehouse:
    global _warehouse
    path = etl_config.db_path()
    if _warehouse is None or _warehouse.path != path:
        with _wh_lock:
            if _warehouse is None or _warehouse.path != path:
                _warehouse = Warehouse(path)
    return _warehouse


def fetch(sql: str, params: dict | list | tuple = ()) -> pd.DataFrame:
    """Run one read query with bound parameters and return a DataFrame."""
    _, cur = warehouse().cursor()
    return cur.execute(sql, params).df()


def fetch_value(sql: str, params: dict | list | tuple = ()):
    _, cur = warehouse().cursor()
    row = cur.execute(sql, params).fetchone()
    return None if row is None else row[0]


class _LRU:
    def __init__(self, maxsize: int = 512):
        self.maxsize = maxsize
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return True, self.data[key]
        return False, None

    def put(self, key, value):
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.maxsize:
                self.data.popitem(last=False)

    def clear(self):
        with self.lock:
            self.data.clear()


_cache = _LRU()


def cached(fn):
    """Memoise a query function by its arguments and the warehouse version.

    A publish changes the version, so stale results are never served. Callers get a
    copy, so they may modify it.
    """

    @wraps(fn)
    def wrapper(*args, **kwargs):
        key = (fn.__module__, fn.__qualname__, warehouse().version(), args, tuple(sorted(kwargs.items())))
        hit, value = _cache.get(key)
        if not hit:
            value = fn(*args, **kwargs)
            _cache.put(key, value)
        return value.copy() if isinstance(value, pd.DataFrame) else value

    wrapper.uncached = fn
    return wrapper


def clear_cache() -> None:
    _cache.clear()
