"""Admin: what one loaded file brought (load_log, quarantine, data-quality warnings),
for the upload page. Admin only: the page checks the role before calling these.

Quarantine rows are shown without raw_values (the rejected row may hold personal
data; the uploader has the file and the line number), and reasons quoting a value
from an internal-control file are masked, as on Oversikt.
"""
from __future__ import annotations

import pandas as pd

from dashboard.queries.core import fetch

FILE_LOAD_SQL = """
SELECT build_id, load_seq, file_name, kind, status, rows_read, rows_loaded, rows_quarantined, message
FROM load_log
WHERE file_hash = $file_hash AND status = 'lastet'
ORDER BY load_seq DESC
LIMIT 1
"""

_REASON = """CASE WHEN kind = 'stikkprove' THEN regexp_replace(reason, '«[^»]*»', '«…»', 'g')
     ELSE reason END"""

FILE_QUARANTINE_SQL = f"""
SELECT line, column_name, {_REASON} AS reason
FROM quarantine
WHERE load_seq = $load_seq
ORDER BY line, column_name
LIMIT $limit
"""

FILE_REASONS_SQL = f"""
SELECT regexp_replace({_REASON}, ':? «.*$', '') AS reason, count(DISTINCT line) AS n
FROM quarantine
WHERE load_seq = $load_seq
GROUP BY 1
ORDER BY n DESC, reason
"""

FILE_WARNINGS_SQL = """
SELECT line, warning_code, message
FROM dq_warnings
WHERE load_seq = $load_seq
ORDER BY line, warning_code
LIMIT $limit
"""


def file_load(file_hash: str) -> dict | None:
    """The load of a file with these bytes (latest), or None if never loaded."""
    df = fetch(FILE_LOAD_SQL, {"file_hash": str(file_hash)})
    return None if df.empty else df.iloc[0].to_dict()


def file_quarantine(load_seq: int, limit: int = 1000) -> pd.DataFrame:
    """line, column_name, reason for one load (no raw values)."""
    return fetch(FILE_QUARANTINE_SQL, {"load_seq": int(load_seq), "limit": int(limit)})


def file_warnings(load_seq: int, limit: int = 1000) -> pd.DataFrame:
    """line, warning_code, message for one load."""
    return fetch(FILE_WARNINGS_SQL, {"load_seq": int(load_seq), "limit": int(limit)})


def reasons(load_seq: int) -> dict[str, int]:
    """Quarantined lines per reason (the quoted value stripped), most frequent first."""
    df = fetch(FILE_REASONS_SQL, {"load_seq": int(load_seq)})
    return {str(r): int(n) for r, n in zip(df["reason"], df["n"])}
