"""The query layer: the only package that sends SQL.

`core` holds the connection, Scope, Filters, fetch and cached; `meta` the shell's
facts; one module per page (or theme) holds that page's SQL as module constants with
bound parameters and returns DataFrames. A page's query module looks like::

    from dashboard.queries import Filters, Scope, cached, fetch, filter_params

    FUNDED_SQL = '''
    SELECT report_year, count(*) AS n_reports FROM reports
    WHERE report_year BETWEEN $year_from AND $year_to
      AND ($region_id IS NULL OR region_id = $region_id)
    GROUP BY report_year ORDER BY report_year
    '''

    @cached
    def funded(filters: Filters, scope: Scope):
        return fetch(FUNDED_SQL, filter_params(FUNDED_SQL, filters, scope))
"""
from __future__ import annotations

import re

from dashboard.queries.core import (
    FULL_ACCESS,
    ROLES,
    Filters,
    NoWarehouse,
    Scope,
    Warehouse,
    cached,
    clear_cache,
    fetch,
    fetch_value,
    warehouse,
)

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def filter_params(sql: str, filters: Filters, scope: Scope, **extra) -> dict:
    """Bound parameters for `sql` from the global filters, with the Scope applied.

    Names: $year_from, $year_to (always set; 1900/2999 when open), $region_id (for a
    Statsforvalter its own region, whatever was asked), $office_id, $report_type
    ('status'/'slutt' or NULL for both), plus any `extra`. Only the names the SQL
    uses are returned, since DuckDB rejects unused named parameters.
    """
    year_from, year_to = filters.years()
    values = {
        "year_from": year_from,
        "year_to": year_to,
        "region_id": scope.office_region(filters.region_id),
        "office_id": filters.office_id,
        "report_type": filters.report_type,
        **extra,
    }
    used = set(_PARAM.findall(sql))
    missing = used - values.keys()
    if missing:
        raise KeyError(f"ingen verdi for parameter(e): {sorted(missing)}")
    return {k: v for k, v in values.items() if k in used}


__all__ = [
    "FULL_ACCESS",
    "ROLES",
    "Filters",
    "NoWarehouse",
    "Scope",
    "Warehouse",
    "cached",
    "clear_cache",
    "fetch",
    "fetch_value",
    "filter_params",
    "warehouse",
]
