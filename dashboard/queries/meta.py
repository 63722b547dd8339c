"""Shell-level facts: freshness, sample flag, the filter bar's choices, data-quality counts."""
from __future__ import annotations

import pandas as pd

from dashboard.queries.core import FULL_ACCESS, Scope, cached, fetch

META_SQL = "SELECT key, value FROM meta"

LOAD_LOG_SQL = """
SELECT max(loaded_at) AS last_loaded_at, count(DISTINCT file_name) AS n_files
FROM load_log
WHERE $build_id IS NULL OR build_id = $build_id
"""

REGIONS_SQL = "SELECT region_id, region_name FROM ref_regions ORDER BY sort_order, region_name"

# One row per office: the currently valid name (valid_to NULL first, then the latest).
OFFICES_SQL = """
SELECT office_id, office_name, region_id
FROM (
    SELECT DISTINCT ON (office_id) office_id, office_name, region_id
    FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST, valid_from DESC NULLS LAST
)
WHERE $region_id IS NULL OR region_id = $region_id
ORDER BY office_name, office_id
"""

YEARS_SQL = """
SELECT DISTINCT y AS year FROM (
    SELECT report_year AS y FROM reports
    UNION ALL SELECT year(month) FROM decisions
    UNION ALL SELECT year(control_date) FROM audit_cases
) WHERE y IS NOT NULL
ORDER BY year
"""

QUARANTINE_COUNT_SQL = "SELECT count(*) AS n FROM quarantine"

WARNING_COUNTS_SQL = """
SELECT warning_code, count(*) AS n FROM dq_warnings GROUP BY warning_code ORDER BY n DESC, warning_code
"""


@cached
def meta() -> dict[str, str]:
    """The `meta` table as a dict (build_id, built_at, files_total, has_sample, ...)."""
    df = fetch(META_SQL)
    return dict(zip(df["key"], df["value"]))


@cached
def freshness() -> dict:
    """When the warehouse was built and from how many files.

    Returns {'build_id', 'built_at' (pd.Timestamp or None), 'n_files' (int or None)}:
    built_at from meta, else the latest load_log time; n_files from meta.files_total,
    else the distinct files in this build's load_log.
    """
    m = meta()
    build_id = m.get("build_id")
    log = fetch(LOAD_LOG_SQL, {"build_id": build_id}).iloc[0]
    built_at = _timestamp(m.get("built_at"))
    if built_at is None:
        built_at = _timestamp(log["last_loaded_at"])
    try:
        n_files = int(m["files_total"])
    except (KeyError, TypeError, ValueError):
        n_files = None if pd.isna(log["n_files"]) else int(log["n_files"])
    return {"build_id": build_id, "built_at": built_at, "n_files": n_files}


def _timestamp(value) -> pd.Timestamp | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(ts) else ts


@cached
def has_sample() -> bool:
    """True when any published row came from generated sample files."""
    return str(meta().get("has_sample", "")).strip().lower() == "true"


@cached
def regions() -> pd.DataFrame:
    """The ten Statsforvalter regions: region_id, region_name, in reference order."""
    return fetch(REGIONS_SQL)


@cached
def offices(region_id: str | None = None, scope: Scope = FULL_ACCESS) -> pd.DataFrame:
    """Offices (office_id, office_name, region_id) in a region or all; a Statsforvalter
    gets its own region's offices whatever it asks for."""
    return fetch(OFFICES_SQL, {"region_id": scope.office_region(region_id)})


@cached
def years() -> list[int]:
    """Every year that has reports, decisions or internal-control cases."""
    return [int(y) for y in fetch(YEARS_SQL)["year"]]


@cached
def quarantine_count() -> int:
    """Rows waiting in quarantine (rejected by the contracts)."""
    return int(fetch(QUARANTINE_COUNT_SQL)["n"].iloc[0])


@cached
def warning_counts() -> pd.DataFrame:
    """Data-quality warnings per code: warning_code, n (all regions and years)."""
    return fetch(WARNING_COUNTS_SQL)
