"""Regioner: key figures per Statsforvalter region (the tile map), and a region's
offices compared with the national figure.

Scope:
- region_tiles, national_totals and national_office_medians are national
  aggregates (no office rows), the same for every caller; they use the years and
  report type of the filters and ignore region and office.
- region_offices returns office rows, only for a region the caller may see
  (`scope.may_see_region`); anything else gives an empty frame, never another
  region's offices. Decision and audit counts come back raw with what `suppress`
  needs; the page suppresses and blanks them.
"""
from __future__ import annotations

import pandas as pd

from dashboard.queries import Filters, Scope, cached, fetch

# A tiltak with both a status and a final report in one year counts once, with the
# final report's grant (as on Oversikt).
_FUNDED = """
    SELECT DISTINCT ON (tiltak_id, report_year) tiltak_id, report_year, office_id, region_id, grant_kr
    FROM reports
    WHERE report_year BETWEEN $year_from AND $year_to
      AND ($report_type IS NULL OR report_type = $report_type)
    ORDER BY tiltak_id, report_year, report_type = 'slutt' DESC
"""

REGION_TILES_SQL = f"""
WITH f AS ({_FUNDED}),
agg AS (
    SELECT region_id, count(DISTINCT tiltak_id) AS n_tiltak, CAST(coalesce(sum(grant_kr), 0) AS BIGINT) AS grant_kr,
           count(DISTINCT office_id) AS n_offices_funded
    FROM f GROUP BY region_id
),
offices_now AS (
    SELECT region_id, count(DISTINCT office_id) AS n_offices FROM offices GROUP BY region_id
)
SELECT g.region_id, g.region_name, g.tile_row, g.tile_col, g.sort_order,
       coalesce(a.n_tiltak, 0) AS n_tiltak, coalesce(a.grant_kr, 0) AS grant_kr,
       coalesce(a.n_offices_funded, 0) AS n_offices_funded, coalesce(o.n_offices, 0) AS n_offices
FROM ref_regions g
LEFT JOIN agg a USING (region_id)
LEFT JOIN offices_now o USING (region_id)
ORDER BY g.sort_order, g.region_name
"""

NATIONAL_TOTALS_SQL = f"""
WITH f AS ({_FUNDED})
SELECT count(DISTINCT tiltak_id) AS n_tiltak, CAST(coalesce(sum(grant_kr), 0) AS BIGINT) AS grant_kr,
       count(DISTINCT office_id) AS n_offices_funded,
       count(DISTINCT tiltak_id) FILTER (WHERE region_id IS NULL
           OR region_id NOT IN (SELECT region_id FROM ref_regions)) AS n_tiltak_unknown_region
FROM f
"""

# One row per office (its current name and region) with, within the years: funded
# tiltak and grant; decisions per paragraph with the months that have data; internal
# control cases and answers. Used for one region's rows and for national medians.
_PER_OFFICE = f"""
f AS ({_FUNDED}),
o AS (
    SELECT DISTINCT ON (office_id) office_id, office_name, region_id, size_class, employees
    FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST, valid_from DESC NULLS LAST
),
t AS (
    SELECT office_id, count(DISTINCT tiltak_id) AS n_tiltak, CAST(coalesce(sum(grant_kr), 0) AS BIGINT) AS grant_kr
    FROM f GROUP BY office_id
),
d AS (
    SELECT office_id,
           CAST(sum(n) FILTER (WHERE paragraf = '17') AS BIGINT) AS n_17,
           count(DISTINCT month) FILTER (WHERE paragraf = '17') AS months_17,
           CAST(sum(n) FILTER (WHERE paragraf = '20a') AS BIGINT) AS n_20a,
           count(DISTINCT month) FILTER (WHERE paragraf = '20a') AS months_20a
    FROM decisions
    WHERE year(month) BETWEEN $year_from AND $year_to
    GROUP BY office_id
),
ac AS (
    SELECT office_id, count(*) AS n_cases, count(DISTINCT round_label) AS n_rounds
    FROM audit_cases
    WHERE year(control_date) BETWEEN $year_from AND $year_to
    GROUP BY office_id
),
aa AS (
    SELECT office_id, CAST(sum(n_ja) AS BIGINT) AS n_ja, CAST(sum(n_nei) AS BIGINT) AS n_nei
    FROM audit_compliance
    WHERE year(round_start) BETWEEN $year_from AND $year_to
    GROUP BY office_id
),
per_office AS (
    SELECT o.office_id, o.office_name, o.region_id, o.size_class, o.employees,
           coalesce(t.n_tiltak, 0) AS n_tiltak, coalesce(t.grant_kr, 0) AS grant_kr,
           d.n_17, d.months_17, d.n_17 / nullif(d.months_17, 0) AS per_month_17,
           d.n_20a, d.months_20a, d.n_20a / nullif(d.months_20a, 0) AS per_month_20a,
           ac.n_cases, ac.n_rounds, aa.n_ja, aa.n_nei,
           aa.n_ja / nullif(aa.n_ja + aa.n_nei, 0) AS share_ja
    FROM o
    LEFT JOIN t USING (office_id)
    LEFT JOIN d USING (office_id)
    LEFT JOIN ac USING (office_id)
    LEFT JOIN aa USING (office_id)
)
"""

REGION_OFFICES_SQL = f"""
WITH {_PER_OFFICE}
SELECT * FROM per_office
WHERE region_id = $region_id
ORDER BY office_name, office_id
"""

# Medians over every office in the register (offices without tiltak count as 0);
# decision rates and compliance only over offices that have such data.
NATIONAL_MEDIANS_SQL = f"""
WITH {_PER_OFFICE}
SELECT count(*) AS n_offices,
       median(n_tiltak) AS n_tiltak, median(grant_kr) AS grant_kr,
       median(per_month_17) AS per_month_17, median(per_month_20a) AS per_month_20a,
       median(share_ja) AS share_ja,
       count(share_ja) AS n_offices_audited
FROM per_office
"""

OFFICE_COLUMNS = ["office_id", "office_name", "region_id", "size_class", "employees", "n_tiltak", "grant_kr",
                  "n_17", "months_17", "per_month_17", "n_20a", "months_20a", "per_month_20a",
                  "n_cases", "n_rounds", "n_ja", "n_nei", "share_ja"]


def _params(filters: Filters, sql: str, **extra) -> dict:
    year_from, year_to = filters.years()
    values = {"year_from": year_from, "year_to": year_to, "report_type": filters.report_type, **extra}
    return {k: v for k, v in values.items() if f"${k}" in sql}


@cached
def region_tiles(filters: Filters) -> pd.DataFrame:
    """All ten regions in reference order: region_id, region_name, tile_row,
    tile_col, sort_order, n_tiltak (distinct tiltak funded in the years), grant_kr,
    n_offices_funded, n_offices (in the register). National: no scope needed."""
    return fetch(REGION_TILES_SQL, _params(filters, REGION_TILES_SQL))


@cached
def national_totals(filters: Filters) -> dict:
    """n_tiltak, grant_kr, n_offices_funded, n_tiltak_unknown_region for the years."""
    row = fetch(NATIONAL_TOTALS_SQL, _params(filters, NATIONAL_TOTALS_SQL)).iloc[0]
    return {k: int(row[k]) for k in row.index}


@cached
def national_office_medians(filters: Filters) -> dict:
    """The national figure a region's offices are compared with: the median office's
    n_tiltak, grant_kr, per_month_17, per_month_20a, share_ja, and n_offices,
    n_offices_audited. Aggregates only (no office rows), so any caller may see it."""
    row = fetch(NATIONAL_MEDIANS_SQL, _params(filters, NATIONAL_MEDIANS_SQL)).iloc[0]
    return {k: (None if pd.isna(row[k]) else float(row[k])) for k in row.index}


@cached
def region_offices(region_id: str, filters: Filters, scope: Scope) -> pd.DataFrame:
    """The region's offices (OFFICE_COLUMNS), or an empty frame when the caller may
    not see office-level data for that region."""
    if not isinstance(region_id, str) or not scope.may_see_region(region_id):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OFFICE_COLUMNS})
    return fetch(REGION_OFFICES_SQL, _params(filters, REGION_OFFICES_SQL, region_id=region_id))
