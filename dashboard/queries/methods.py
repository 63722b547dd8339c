"""Lovende metoder and Replikering: the seven promising methods, the Vedlegg A
criteria the researchers judged them on, their tiltak's reports, and where each
method is tried again (replication, the follow-up project, comparison offices).

Parameters only; Filters and Scope applied here.

Access:
- The method catalogue (`methods`, the criteria judgements in `ratings`) is the
  published result of the 2023 evaluation, the same for every role: a Statsforvalter
  needs the national methods to advise applicants in its own region.
- Office-level rows are restricted to `scope.office_region(...)`: the replication
  rows behind the matrix, the timeline and a method's own list of offices, and a
  method's tiltak's reports (grant, continuation, self-assessment).
- Counts of replications per method and per region have no office breakdown and are
  national aggregates (they follow the region the caller asked for, not the scope).

Comparison offices (role 'sammenligning') are never counted as replications:
a replication is a row with role 'replikering' or 'folgeprosjekt'.

The data horizon (for open-ended rows) is the latest date the warehouse has seen,
never the wall clock: see HORIZON_SQL.
"""
from __future__ import annotations

import datetime as _dt
import re

import pandas as pd

from dashboard.queries import Filters, Scope, cached, fetch, fetch_value

# ---------------------------------------------------------------- display labels
#: The one mapping from warehouse codes to Norwegian display labels (pages, figures
#: and downloads all use these).
ROLE_LABELS = {
    "opprinnelig": "Opprinnelig",
    "replikering": "Replikering",
    "folgeprosjekt": "Følgeprosjekt",
    "sammenligning": "Sammenligning",
}
STATUS_LABELS = {
    "planlagt": "Planlagt",
    "pagaar": "Pågår",
    "i_drift": "I drift",
    "avsluttet": "Avsluttet",
    "avbrutt": "Avbrutt",
}
#: Vedlegg A judgements; NULL (not judged) is shown as 'ukjent'.
ANSWER_LABELS = {"ja": "Oppfylt", "nei": "Ikke oppfylt", "ukjent": "Ukjent"}
PHASE_LABELS = {"case": "casestudien", "felles": "fellesvurderingen"}
REPORT_TYPE_LABELS = {"status": "Statusrapport", "slutt": "Sluttrapport"}
CONTINUATION_LABELS = {"ja": "Ja", "delvis": "Delvis", "nei": "Nei"}

ROLE_ORDER = tuple(ROLE_LABELS)
STATUS_ORDER = tuple(STATUS_LABELS)
#: Roles that count as a replication of the method (never 'sammenligning').
REPLICATION_ROLES = ("replikering", "folgeprosjekt")
#: Statuses of a row that is still going on (an open end is drawn to the horizon).
OPEN_STATUSES = ("planlagt", "pagaar", "i_drift")

#: What a method id in a URL may look like; anything else is not looked up.
METHOD_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")

_CRITERIA_COLUMNS = ", ".join(f"k{i:02d}" for i in range(1, 14))
_CRITERIA_CASE = "CASE c.criterion_code " + " ".join(
    f"WHEN 'k{i:02d}' THEN r.k{i:02d}" for i in range(1, 14)) + " END"

# ----------------------------------------------------------------------- SQL

# The latest phase that has criteria for a tiltak: 'case', else 'felles'; within a
# phase the latest judgement (one joint rater in practice).
_LATEST_RATING = f"""
latest AS (
    SELECT tiltak_id, phase, rated_on, {_CRITERIA_COLUMNS}
    FROM ratings
    WHERE phase IN ('case', 'felles')
      AND NOT ({' AND '.join(f'k{i:02d} IS NULL' for i in range(1, 14))})
    QUALIFY row_number() OVER (
        PARTITION BY tiltak_id
        ORDER BY phase = 'case' DESC, rated_on DESC NULLS LAST, rater
    ) = 1
)
"""

_REF_CRITERIA = """
c AS (SELECT CAST(criterion_no AS INTEGER) AS criterion_no, criterion_code, criterion_text FROM ref_criteria)
"""

# One row per method and criterion (13 per method); a method whose tiltak has no
# judgement gets 'ukjent' throughout and phase NULL.
_CRITERIA_SELECT = f"""
SELECT m.method_id, m.method_name, c.criterion_no, c.criterion_code, c.criterion_text,
       coalesce({_CRITERIA_CASE}, 'ukjent') AS answer, r.phase, r.rated_on
FROM methods m
CROSS JOIN c
LEFT JOIN latest r ON r.tiltak_id = m.tiltak_id
WHERE $method_id IS NULL OR m.method_id = $method_id
ORDER BY m.start_year, m.method_name, c.criterion_no
"""
CRITERIA_SQL = f"WITH {_LATEST_RATING}, {_REF_CRITERIA} {_CRITERIA_SELECT}"

METHODS_SQL = """
SELECT m.method_id, m.method_name, m.office_id, coalesce(m.office_name, m.office_id) AS office_name,
       m.region_id, coalesce(g.region_name, 'Ukjent region') AS region_name, m.tiltak_id, m.start_year,
       m.status, m.target_group, m.age_from, m.age_to, m.description, m.categories, m.source, m.is_sample
FROM methods m LEFT JOIN ref_regions g USING (region_id)
WHERE $method_id IS NULL OR m.method_id = $method_id
ORDER BY m.start_year, m.method_name
"""

# The latest date the data know of: replication starts, report submissions, the last
# day of the latest decision month, control dates and rating dates. End dates are
# left out: a planned end is not an observation.
HORIZON_SQL = """
SELECT greatest(
    (SELECT max(start_date) FROM replications),
    (SELECT CAST(max(submitted_at) AS DATE) FROM reports),
    (SELECT CAST(last_day(max(month)) AS DATE) FROM decisions),
    (SELECT max(control_date) FROM audit_cases),
    (SELECT max(rated_on) FROM ratings)
)
"""

# Office-level replication rows: region ($region_id, the scope applied), office and
# the year range (a row is kept when its period, open ends to $horizon, overlaps it).
REPLICATIONS_SQL = """
SELECT p.method_id, m.method_name, m.start_year AS method_start_year, p.office_id,
       coalesce(p.office_name, p.office_id) AS office_name, p.region_id,
       coalesce(g.region_name, 'Ukjent region') AS region_name, g.sort_order AS region_order,
       p.role, p.status, p.start_date, p.end_date, p.funding, p.source, p.note, p.is_sample
FROM replications p
JOIN methods m USING (method_id)
LEFT JOIN ref_regions g ON g.region_id = p.region_id
WHERE ($region_id IS NULL OR p.region_id = $region_id)
  AND ($office_id IS NULL OR p.office_id = $office_id)
  AND ($method_id IS NULL OR p.method_id = $method_id)
  AND (p.start_date IS NULL OR p.start_date <= make_date($year_to, 12, 31))
  AND (coalesce(p.end_date, $horizon) IS NULL OR coalesce(p.end_date, $horizon) >= make_date($year_from, 1, 1))
ORDER BY m.start_year, m.method_name,
         list_position(['opprinnelig', 'replikering', 'folgeprosjekt', 'sammenligning'], p.role),
         p.start_date, office_name
"""

# National aggregate: replications (not comparison offices) per method and role, in
# the region asked for (not the scope: no office breakdown) and the year range.
COUNTS_BY_METHOD_SQL = """
SELECT m.method_id, m.method_name, m.start_year,
       count(p.office_id) FILTER (WHERE p.role = 'replikering') AS n_replikering,
       count(p.office_id) FILTER (WHERE p.role = 'folgeprosjekt') AS n_folgeprosjekt,
       count(p.office_id) FILTER (WHERE p.role IN ('replikering', 'folgeprosjekt')) AS n_replications,
       count(p.office_id) FILTER (WHERE p.role = 'sammenligning') AS n_comparison
FROM methods m
LEFT JOIN replications p
  ON p.method_id = m.method_id
 AND ($region_id IS NULL OR p.region_id = $region_id)
 AND (p.start_date IS NULL OR p.start_date <= make_date($year_to, 12, 31))
 AND (coalesce(p.end_date, $horizon) IS NULL OR coalesce(p.end_date, $horizon) >= make_date($year_from, 1, 1))
GROUP BY ALL
ORDER BY m.start_year, m.method_name
"""

# National aggregate: replications per region of the office that replicates (all ten
# regions, zeros included), in the year range.
COUNTS_BY_REGION_SQL = """
WITH p AS (
    SELECT * FROM replications
    WHERE role IN ('replikering', 'folgeprosjekt')
      AND (start_date IS NULL OR start_date <= make_date($year_to, 12, 31))
      AND (coalesce(end_date, $horizon) IS NULL OR coalesce(end_date, $horizon) >= make_date($year_from, 1, 1))
)
SELECT g.region_id, g.region_name,
       count(p.office_id) AS n_replications,
       count(DISTINCT p.method_id) AS n_methods
FROM ref_regions g LEFT JOIN p USING (region_id)
GROUP BY ALL
ORDER BY min(g.sort_order), g.region_name
"""

# A method's tiltak's reports, with the mean self-assessment score of each report;
# office-level, so restricted to $region_id (the scope).
METHOD_REPORTS_SQL = """
WITH s AS (
    SELECT tiltak_id, report_year, report_type,
           avg(score) AS self_assessment_mean, count(score) AS n_scores,
           min(scale_min) AS scale_min, max(scale_max) AS scale_max
    FROM self_assessment
    WHERE tiltak_id = $tiltak_id AND answer_kind = 'score'
    GROUP BY ALL
)
SELECT r.report_year, r.report_type, r.office_id, r.region_id, r.grant_kr, r.fte, r.continuation,
       r.is_blank_form, s.self_assessment_mean, coalesce(s.n_scores, 0) AS n_scores, s.scale_min, s.scale_max
FROM reports r LEFT JOIN s USING (tiltak_id, report_year, report_type)
WHERE r.tiltak_id = $tiltak_id
  AND ($region_id IS NULL OR r.region_id = $region_id)
ORDER BY r.report_year, r.report_type = 'slutt'
"""

# Mean self-assessment over all the tiltak's reports, per scale (form version).
METHOD_SELF_ASSESSMENT_SQL = """
SELECT form_version, min(scale_min) AS scale_min, max(scale_max) AS scale_max,
       avg(score) AS mean_score, count(score) AS n_scores,
       count(DISTINCT (report_year, report_type)) AS n_reports
FROM self_assessment
WHERE tiltak_id = $tiltak_id AND answer_kind = 'score'
  AND ($region_id IS NULL OR region_id = $region_id)
GROUP BY form_version
ORDER BY form_version
"""


# ------------------------------------------------------------------ helpers

def short_name(name: str | None) -> str:
    """'SSA – Sysselsetting, …' -> 'SSA': the part before the first ' – '."""
    if not isinstance(name, str):
        return ""
    return name.split(" – ", 1)[0].strip()


def valid_method_id(method_id) -> str | None:
    """The id if it looks like a method id (so it may be looked up), else None."""
    if isinstance(method_id, str) and METHOD_ID.fullmatch(method_id):
        return method_id
    return None


def _year_params(filters: Filters) -> dict:
    year_from, year_to = filters.years()
    return {"year_from": year_from, "year_to": year_to}


# ------------------------------------------------------------ query functions

@cached
def data_horizon() -> _dt.date | None:
    """The latest date in the data (not today): where open-ended rows stop."""
    value = fetch_value(HORIZON_SQL)
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


@cached
def criteria(filters: Filters, scope: Scope, method_id: str | None = None) -> pd.DataFrame:
    """Vedlegg A per method, 13 rows each: method_id, method_name, criterion_no,
    criterion_code, criterion_text, answer ('ja'/'nei'/'ukjent'), answer_label,
    phase ('case'/'felles'/None), rated_on. The published judgements: the same for
    every scope and filter."""
    df = fetch(CRITERIA_SQL, {"method_id": method_id})
    df["answer_label"] = df["answer"].map(ANSWER_LABELS).fillna(df["answer"])
    df["short_name"] = df["method_name"].map(short_name)
    return df


@cached
def methods(filters: Filters, scope: Scope) -> pd.DataFrame:
    """The method catalogue, one row per method: method_id, method_name, short_name,
    office_id, office_name, region_id, region_name, tiltak_id, start_year, status,
    target_group, age_from, age_to, ages (text), description, categories (list),
    categories_text, source, criteria_phase, n_met, n_not_met, n_unknown,
    criteria_text ('11 av 13'). National (see the module docstring)."""
    df = fetch(METHODS_SQL, {"method_id": None})
    return _with_criteria_counts(df, criteria(filters, scope))


def _with_criteria_counts(df: pd.DataFrame, crit: pd.DataFrame) -> pd.DataFrame:
    df["short_name"] = df["method_name"].map(short_name)
    df["ages"] = [_ages(a, b) for a, b in zip(df["age_from"], df["age_to"])]
    df["categories"] = df["categories"].map(lambda v: list(v) if isinstance(v, (list, tuple)) or hasattr(v, "tolist")
                                            else [])
    df["categories_text"] = df["categories"].map(lambda v: ", ".join(v))
    counts = (
        crit.assign(n_met=crit["answer"].eq("ja"), n_not_met=crit["answer"].eq("nei"),
                    n_unknown=crit["answer"].eq("ukjent"))
        .groupby("method_id", as_index=False)
        .agg(n_met=("n_met", "sum"), n_not_met=("n_not_met", "sum"), n_unknown=("n_unknown", "sum"),
             n_criteria=("criterion_no", "count"), criteria_phase=("phase", "first"))
    )
    df = df.merge(counts, on="method_id", how="left")
    for col in ("n_met", "n_not_met", "n_unknown", "n_criteria"):
        df[col] = df[col].fillna(0).astype("int64")
    df["criteria_text"] = [f"{m} av {n}" for m, n in zip(df["n_met"], df["n_criteria"])]
    return df


def _ages(age_from, age_to) -> str:
    has_from, has_to = pd.notna(age_from), pd.notna(age_to)
    if has_from and has_to:
        return f"{int(age_from)}–{int(age_to)} år"
    if has_from:
        return f"fra {int(age_from)} år"
    if has_to:
        return f"til {int(age_to)} år"
    return ""


@cached
def method(method_id: str) -> pd.DataFrame:
    """One method's catalogue row (columns as `methods`), or an empty DataFrame when
    the id is unknown or malformed."""
    mid = valid_method_id(method_id)
    if mid is None:
        return pd.DataFrame(columns=["method_id", "method_name"])
    df = fetch(METHODS_SQL, {"method_id": mid})
    if df.empty:
        return df
    return _with_criteria_counts(df, criteria(Filters(), Scope(), mid))


@cached
def replications(filters: Filters, scope: Scope, method_id: str | None = None) -> pd.DataFrame:
    """Office-level replication rows within the scope and filters (region, office,
    years): method_id, method_name, short_name, office_id, office_name, region_id,
    region_name, role, role_label, status, status_label, start_date, end_date,
    funding, source, note, is_replication (role counts as a replication),
    is_comparison, is_open (no end date), plot_end (end date or the data horizon),
    horizon."""
    horizon = data_horizon()
    params = {
        **_year_params(filters),
        "region_id": scope.office_region(filters.region_id),
        "office_id": filters.office_id,
        "method_id": method_id,
        "horizon": horizon,
    }
    df = fetch(REPLICATIONS_SQL, params)
    df["short_name"] = df["method_name"].map(short_name)
    df["role_label"] = df["role"].map(ROLE_LABELS).fillna(df["role"])
    df["status_label"] = df["status"].map(STATUS_LABELS).fillna(df["status"])
    df["is_replication"] = df["role"].isin(REPLICATION_ROLES)
    df["is_comparison"] = df["role"].eq("sammenligning")
    df["is_open"] = df["end_date"].isna()
    horizon_ts = pd.Timestamp(horizon) if horizon else pd.NaT
    df["start_date"] = pd.to_datetime(df["start_date"])
    df["end_date"] = pd.to_datetime(df["end_date"])
    df["plot_end"] = df["end_date"].fillna(horizon_ts)
    # a start after the horizon (planned) still gets a visible sliver
    df["plot_end"] = df[["plot_end", "start_date"]].max(axis=1)
    df["horizon"] = horizon_ts
    return df


def replication_matrix(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Method x office: one row per office (region_name, office_name, office_id) and
    one column per method (method_id), each cell 'Rolle: status' or '' when the
    office does not take part. Office rows are those `replications` returns, so the
    scope applies."""
    rows = replications(filters, scope)
    all_methods = methods(filters, scope)[["method_id", "method_name"]]
    cols = list(all_methods["method_id"])
    if rows.empty:
        return pd.DataFrame(columns=["region_name", "office_name", "office_id", *cols])
    rows = rows.assign(cell=rows["role_label"] + ": " + rows["status_label"].str.lower())
    wide = (
        rows.groupby(["region_order", "region_name", "office_name", "office_id", "method_id"], dropna=False)["cell"]
        .agg("; ".join)
        .unstack("method_id")
        .reindex(columns=cols)
        .astype(object)
        .fillna("")
        .reset_index()
        .sort_values(["region_order", "office_name"], na_position="last")
        .drop(columns="region_order")
        .reset_index(drop=True)
    )
    wide.columns.name = None
    return wide


@cached
def counts_by_method(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Replications per method (all seven, zeros included): method_id, method_name,
    short_name, n_replikering, n_folgeprosjekt, n_replications (their sum) and
    n_comparison (comparison offices, shown apart, never in n_replications). A
    national aggregate in the region asked for and the year range."""
    params = {**_year_params(filters), "region_id": filters.region_id, "horizon": data_horizon()}
    df = fetch(COUNTS_BY_METHOD_SQL, params)
    df["short_name"] = df["method_name"].map(short_name)
    for col in ("n_replikering", "n_folgeprosjekt", "n_replications", "n_comparison"):
        df[col] = df[col].astype("int64")
    return df


@cached
def counts_by_region(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Replications per region of the replicating office (all ten regions):
    region_id, region_name, n_replications, n_methods. A national aggregate in the
    year range (the region and office filters do not apply)."""
    params = {**_year_params(filters), "horizon": data_horizon()}
    df = fetch(COUNTS_BY_REGION_SQL, params)
    for col in ("n_replications", "n_methods"):
        df[col] = df[col].astype("int64")
    return df


@cached
def method_reports(method_id: str, scope: Scope) -> pd.DataFrame:
    """The reports of a method's tiltak over the years, within the scope:
    report_year, report_type, report_type_label, grant_kr, fte, continuation,
    continuation_label, is_blank_form, self_assessment_mean, n_scores, scale_min,
    scale_max. Empty for an unknown method."""
    m = method(method_id)
    if m.empty or pd.isna(m["tiltak_id"].iloc[0]):
        return _empty_reports()
    df = fetch(METHOD_REPORTS_SQL, {"tiltak_id": m["tiltak_id"].iloc[0], "region_id": scope.office_region(None)})
    df["report_type_label"] = df["report_type"].map(REPORT_TYPE_LABELS).fillna(df["report_type"])
    df["continuation_label"] = df["continuation"].map(CONTINUATION_LABELS).fillna("Ikke oppgitt")
    return df


def _empty_reports() -> pd.DataFrame:
    return pd.DataFrame({
        "report_year": pd.Series(dtype="int64"), "report_type": pd.Series(dtype=object),
        "report_type_label": pd.Series(dtype=object), "grant_kr": pd.Series(dtype="int64"),
        "fte": pd.Series(dtype=float), "continuation": pd.Series(dtype=object),
        "continuation_label": pd.Series(dtype=object), "is_blank_form": pd.Series(dtype=bool),
        "self_assessment_mean": pd.Series(dtype=float), "n_scores": pd.Series(dtype="int64"),
        "scale_min": pd.Series(dtype=float), "scale_max": pd.Series(dtype=float),
    })


@cached
def method_self_assessment(method_id: str, scope: Scope) -> pd.DataFrame:
    """Mean self-assessment score over all of a method's tiltak's reports, one row per
    scale (form version): form_version, scale_min, scale_max, mean_score, n_scores,
    n_reports. Within the scope; empty for an unknown method."""
    m = method(method_id)
    if m.empty or pd.isna(m["tiltak_id"].iloc[0]):
        return pd.DataFrame(columns=["form_version", "scale_min", "scale_max", "mean_score", "n_scores", "n_reports"])
    return fetch(METHOD_SELF_ASSESSMENT_SQL,
                 {"tiltak_id": m["tiltak_id"].iloc[0], "region_id": scope.office_region(None)})


def method_replications(method_id: str, scope: Scope) -> pd.DataFrame:
    """A method's offices (origin, replications, follow-up, comparison) within the
    scope, all years: the columns of `replications`."""
    mid = valid_method_id(method_id)
    if mid is None:
        return replications(Filters(), scope).iloc[0:0]
    return replications(Filters(), scope, mid)
