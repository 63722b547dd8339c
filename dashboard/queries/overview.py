"""Oversikt: funded tiltak and grants by year and region, continuation, blank forms,
data-quality warnings and quarantine. Parameters only; Filters and Scope applied here.

Scope: report rows are office-level, so a Statsforvalter's queries are restricted to
its own region (filter_params does that). Quarantine rows carry no region: everyone
sees the counts by reason; only roles with national access get the list, and never
raw_values (the rejected row itself may hold case numbers or names).
"""
from __future__ import annotations

import pandas as pd

from dashboard.queries import Filters, Scope, cached, fetch, filter_params

_REPORT_FILTER = """
    report_year BETWEEN $year_from AND $year_to
    AND ($region_id IS NULL OR region_id = $region_id)
    AND ($office_id IS NULL OR office_id = $office_id)
    AND ($report_type IS NULL OR report_type = $report_type)
"""

# A tiltak can send both a status and a final report for one year: count it once.
FUNDED_SQL = f"""
WITH r AS (
    SELECT DISTINCT ON (tiltak_id, report_year) tiltak_id, report_year, region_id, grant_kr
    FROM reports
    WHERE {_REPORT_FILTER}
    ORDER BY tiltak_id, report_year, report_type = 'slutt' DESC
)
SELECT r.report_year, r.region_id, coalesce(g.region_name, 'Ukjent region') AS region_name,
       count(*) AS n_tiltak, CAST(coalesce(sum(r.grant_kr), 0) AS BIGINT) AS grant_kr
FROM r LEFT JOIN ref_regions g USING (region_id)
GROUP BY ALL
ORDER BY r.report_year, min(g.sort_order), region_name
"""

KPI_SQL = f"""
SELECT count(*) AS n_reports,
       count(DISTINCT tiltak_id) AS n_tiltak,
       count(*) FILTER (WHERE is_blank_form) AS n_blank,
       count(*) FILTER (WHERE continuation = 'ja') AS n_continued,
       count(*) FILTER (WHERE continuation IS NOT NULL) AS n_continuation_answered
FROM reports
WHERE {_REPORT_FILTER}
"""

CONTINUATION_SQL = f"""
SELECT coalesce(continuation, 'ikke_oppgitt') AS continuation, count(*) AS n_reports
FROM reports
WHERE {_REPORT_FILTER}
GROUP BY ALL
"""

# Warnings carry office_id and report_year (either may be NULL); the region comes
# from the office. Rows without a year are kept (they cannot be placed); rows without
# an office only when no region or office is chosen.
WARNINGS_SQL = """
WITH o AS (
    SELECT DISTINCT ON (office_id) office_id, region_id FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST
)
SELECT w.warning_code, count(*) AS n
FROM dq_warnings w LEFT JOIN o USING (office_id)
WHERE (w.report_year IS NULL OR w.report_year BETWEEN $year_from AND $year_to)
  AND ($region_id IS NULL OR o.region_id = $region_id)
  AND ($office_id IS NULL OR w.office_id = $office_id)
GROUP BY ALL
ORDER BY n DESC, w.warning_code
"""

# A reason may quote the rejected value («…»). In internal-control files a value can
# be a case number or an adviser: those quotes are masked.
_REASON = """CASE WHEN kind = 'stikkprove' THEN regexp_replace(reason, '«[^»]*»', '«…»', 'g')
     ELSE reason END"""

QUARANTINE_BY_REASON_SQL = f"""
SELECT {_REASON} AS reason, count(*) AS n FROM quarantine GROUP BY ALL ORDER BY n DESC, reason LIMIT $limit
"""

QUARANTINE_LIST_SQL = f"""
SELECT file_name, line, column_name, {_REASON} AS reason
FROM quarantine
ORDER BY load_seq DESC, file_name, line
LIMIT $limit
"""

CONTINUATION_ORDER = ("ja", "delvis", "nei", "ikke_oppgitt")


@cached
def funded_by_year_region(filters: Filters, scope: Scope) -> pd.DataFrame:
    """report_year, region_id, region_name, n_tiltak, grant_kr."""
    return fetch(FUNDED_SQL, filter_params(FUNDED_SQL, filters, scope))


@cached
def kpis(filters: Filters, scope: Scope) -> dict:
    """n_reports, n_tiltak, n_blank, n_continued, n_continuation_answered, grant_kr."""
    row = fetch(KPI_SQL, filter_params(KPI_SQL, filters, scope)).iloc[0]
    out = {k: int(row[k]) for k in row.index}
    out["grant_kr"] = int(funded_by_year_region(filters, scope)["grant_kr"].sum())
    return out


@cached
def continuation(filters: Filters, scope: Scope) -> pd.DataFrame:
    """continuation ('ja'/'delvis'/'nei'/'ikke_oppgitt'), n_reports, share (of all)."""
    df = fetch(CONTINUATION_SQL, filter_params(CONTINUATION_SQL, filters, scope))
    df = (
        pd.DataFrame({"continuation": CONTINUATION_ORDER})
        .merge(df, on="continuation", how="left")
        .fillna({"n_reports": 0})
        .astype({"n_reports": "int64"})
    )
    total = df["n_reports"].sum()
    df["share"] = df["n_reports"] / total if total else 0.0
    return df


@cached
def warnings_by_code(filters: Filters, scope: Scope) -> pd.DataFrame:
    """warning_code, n: data-quality warnings within the filters and scope."""
    return fetch(WARNINGS_SQL, filter_params(WARNINGS_SQL, filters, scope))


@cached
def quarantine_by_reason(limit: int = 20) -> pd.DataFrame:
    """reason, n: quarantined rows waiting, most frequent reasons first."""
    return fetch(QUARANTINE_BY_REASON_SQL, {"limit": int(limit)})


@cached
def quarantine_list(scope: Scope, limit: int = 10) -> pd.DataFrame:
    """The latest quarantined rows (file_name, line, column_name, reason; never
    raw_values); empty for a Statsforvalter, since quarantine has no region."""
    if scope.role == "statsforvalter":
        return pd.DataFrame(columns=["file_name", "line", "column_name", "reason"])
    return fetch(QUARANTINE_LIST_SQL, {"limit": int(limit)})
