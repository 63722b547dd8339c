"""The audit log: who viewed which page (with its filters), downloaded, uploaded,
logged in and out, and who was refused. An append-only SQLite file
(TILTAKSMONITOR_AUDIT_DB, default ``audit.sqlite`` beside the warehouse), created on
first use.

- Append-only: triggers refuse UPDATE and DELETE, and this module has no API for
  either. (Whoever can write the file can of course replace it: keep it on a volume
  the app's user owns, mode 0600, and ship it to central logging if that matters.)
- Safe across gunicorn workers and threads: WAL journal, a busy timeout, one short
  transaction per event, a connection per thread and process.
- Page views and downloads are recorded from the requests themselves
  (`init_app` hooks /_dash-update-component): the pages router's call is a view,
  a callback answering a dcc.Download is a download, so every page's downloads are
  logged however the page wires them. `log_event(kind, detail)` is for anything else.

Writing never breaks a request: a failure is logged and the call returns False.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

log = logging.getLogger(__name__)

#: kind -> Norwegian label (the log page shows these)
KINDS = {
    "visning": "Visning",
    "nedlasting": "Nedlasting",
    "opplasting": "Opplasting",
    "innlogging": "Innlogging",
    "innlogging_feilet": "Mislykket innlogging",
    "utlogging": "Utlogging",
    "rollebytte": "Rollebytte (utviklingsmodus)",
    "tilgang_nektet": "Tilgang nektet",
}
PAGES_LOCATION = "_pages_location"  # dash's own dcc.Location for the pages router
MAX_DETAIL = 4000
MAX_TEXT = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,   -- UTC, ISO 8601 with microseconds
    user        TEXT,
    role        TEXT,
    region_id   TEXT,
    auth_mode   TEXT,
    kind        TEXT NOT NULL,
    page        TEXT,            -- path and query string
    detail      TEXT,            -- JSON object
    remote_addr TEXT
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'revisjonsloggen kan bare utvides'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'revisjonsloggen kan bare utvides'); END;
"""

INSERT_SQL = """INSERT INTO events (at, user, role, region_id, auth_mode, kind, page, detail, remote_addr)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"""

LIST_SQL = """
SELECT id, at, user, role, region_id, auth_mode, kind, page, detail, remote_addr
FROM events
WHERE (:kind IS NULL OR kind = :kind)
  AND (:user IS NULL OR user = :user COLLATE NOCASE)
  AND (:since IS NULL OR at >= :since)
  AND (:until IS NULL OR at < :until)
  AND (:text IS NULL OR instr(lower(coalesce(page, '') || ' ' || coalesce(detail, '') || ' ' || coalesce(user, '')),
                              lower(:text)) > 0)
ORDER BY id DESC
LIMIT :limit
"""

COLUMNS = ["id", "at", "user", "role", "region_id", "auth_mode", "kind", "page", "detail", "remote_addr"]

_local = threading.local()
_ready: set[tuple[int, str]] = set()
_ready_lock = threading.Lock()


def db_path() -> Path:
    from dashboard import config

    return Path(config.settings().audit_db)


def _connect(path: Path) -> sqlite3.Connection:
    """This thread's connection to `path` (new after a fork or a path change)."""
    key = (os.getpid(), str(path))
    cached = getattr(_local, "conn", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # owner only, before SQLite creates it
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    with _ready_lock:
        fresh = key not in _ready
    if fresh:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("revisjonsloggen kjører uten WAL (journal_mode=%s)", mode)
        conn.executescript(SCHEMA)
        with _ready_lock:
            _ready.add(key)
    conn.execute("PRAGMA synchronous = FULL")
    _local.conn = (key, conn)
    return conn


def _clip(value, limit: int = MAX_TEXT):
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _request_facts() -> dict:
    """Who and from where, for the current Flask request (empty outside one)."""
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover
        return {}
    if not has_request_context():
        return {}
    from dashboard import auth

    facts = {"remote_addr": auth.client_address()}
    try:
        ident = auth.current_identity()
    except auth.AuthError:
        ident = None
    if ident is not None:
        facts.update(user=ident.user, role=ident.role, region_id=ident.region_id, auth_mode=ident.mode)
    else:
        facts.update(auth_mode=auth.mode())
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host:  # the page the browser was on
            facts["page"] = parts.path + (f"?{parts.query}" if parts.query else "")
    return facts


def log_event(kind: str, detail: dict | str | None = None, *, page: str | None = None,
              user: str | None = None, role: str | None = None, region_id: str | None = None) -> bool:
    """Append one event. `kind` is one of KINDS; `detail` a small JSON-able dict (or a
    text). Who and from where come from the current request; `user`/`role` override
    (e.g. a failed login, where nobody is logged in). Returns False if it could not
    be written (logged as an error; the request goes on)."""
    if kind not in KINDS:
        raise ValueError(f"ukjent hendelsestype {kind!r}")
    facts = _request_facts()
    if page is not None:
        facts["page"] = page
    for key, value in (("user", user), ("role", role), ("region_id", region_id)):
        if value is not None:
            facts[key] = value
    if detail is None:
        detail_text = None
    else:
        detail_text = json.dumps(detail if isinstance(detail, dict) else {"tekst": str(detail)},
                                 ensure_ascii=False, default=str, sort_keys=True)
        if len(detail_text) > MAX_DETAIL:
            detail_text = json.dumps({"avkortet": detail_text[:MAX_DETAIL]}, ensure_ascii=False)
    row = (
        dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        _clip(facts.get("user"), 200), _clip(facts.get("role"), 40), _clip(facts.get("region_id"), 60),
        _clip(facts.get("auth_mode"), 10), kind, _clip(facts.get("page"), 1000), detail_text,
        _clip(facts.get("remote_addr"), 100),
    )
    try:
        conn = _connect(db_path())
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(INSERT_SQL, row)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except (sqlite3.Error, OSError, ValueError) as err:
        log.error("kunne ikke skrive til revisjonsloggen (%s): %s", kind, err)
        return False
    return True


def events(kind: str | None = None, user: str | None = None, since: dt.date | None = None,
           until: dt.date | None = None, text: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Events newest first (COLUMNS; `at` as a UTC pandas Timestamp). `since`/`until`
    are dates, inclusive, in Norwegian time; `text` searches page, detail and user."""
    from zoneinfo import ZoneInfo

    oslo = ZoneInfo("Europe/Oslo")

    def utc(day: dt.date | None, add: int = 0) -> str | None:
        if day is None:
            return None
        start = dt.datetime.combine(day + dt.timedelta(days=add), dt.time(0), tzinfo=oslo)
        return start.astimezone(dt.UTC).isoformat(timespec="microseconds")

    params = {
        "kind": kind or None,
        "user": (user or "").strip() or None,
        "since": utc(since),
        "until": utc(until, 1),
        "text": (text or "").strip()[:200] or None,
        "limit": max(1, min(int(limit), 10_000)),
    }
    path = db_path()
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS)
    conn = _connect(path)
    rows = conn.execute(LIST_SQL, params).fetchall()
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["at"] = pd.to_datetime(df["at"], utc=True, format="ISO8601")
    return df


# ------------------------------------------------------ request-level recording

def _json_body(req) -> dict | None:
    try:
        body = req.get_json(silent=True, cache=True)
    except Exception:  # noqa: BLE001 - a body we cannot read is not ours to log
        return None
    return body if isinstance(body, dict) else None


def _value_of(items, id_, prop):
    for item in items or []:
        if isinstance(item, dict) and item.get("id") == id_ and item.get("property") == prop:
            return item.get("value")
    return None


def _outputs(body: dict) -> list[dict]:
    outs = body.get("outputs")
    if isinstance(outs, dict):
        return [outs]
    return [o for o in outs or [] if isinstance(o, dict)]


def record_dash_request(req, response) -> None:
    """Called after each successful /_dash-update-component: a pages-router call is
    a page view (path and filters); a response carrying dcc.Download data is a
    download (file name, size, the filters it was made with)."""
    body = _json_body(req)
    if body is None:
        return
    inputs = body.get("inputs") or []
    pathname = _value_of(inputs, PAGES_LOCATION, "pathname")
    if isinstance(pathname, str):
        search = _value_of(inputs, PAGES_LOCATION, "search") or ""
        search = search if isinstance(search, str) else ""
        log_event("visning", {"filtre": _clip(search, 1000)} if search else None,
                  page=_clip(pathname + search, 1000))
        return
    if not any(o.get("property") == "data" for o in _outputs(body)):
        return
    try:
        raw = response.get_data()
        encoding = (response.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":  # in case compression ran before this hook
            import gzip

            raw = gzip.decompress(raw)
        elif encoding:
            log.warning("revisjonslogg: kan ikke lese et svar kodet som %s; nedlastingen er ikke logget", encoding)
            return
        payload = json.loads(raw)
    except (ValueError, TypeError, OSError, EOFError):
        return
    for comp_id, props in (payload.get("response") or {}).items():
        data = props.get("data") if isinstance(props, dict) else None
        if isinstance(data, dict) and "filename" in data and "content" in data:
            content = data.get("content") or ""
            size = len(content) * 3 // 4 if data.get("base64") else len(content.encode("utf-8", "replace"))
            search = _value_of(body.get("state"), "url", "search") or _value_of(inputs, "url", "search")
            log_event("nedlasting", {
                "fil": _clip(data.get("filename"), 300),
                "komponent": _clip(comp_id, 300),
                "byte": size,
                **({"filtre": _clip(search, 1000)} if isinstance(search, str) and search else {}),
            })
