"""§17- og §20 a-vedtak: counts per period and type, per office (ranking), and per
office before and after a date, with small-cell suppression.

The `decisions` table is already aggregated per office x month x paragraf x type x
age group (a few hundred thousand rows at 50 million decision records), and every
GROUP BY here runs in DuckDB: the frames that come back have one row per period and
type, or one row per office.

Scope: every query is office-level and restricted to `scope.office_region(...)`
(a Statsforvalter gets its own region's offices, whatever it asks for). The global
report-type filter does not apply to decisions.

Privacy: office-level counts 1..threshold-1 are suppressed with secondary cells
(`dashboard.stats.suppress`), and the ranking and the before/after table hide the
same offices (see `office_tables`), so one table cannot be used to recover what the
other hides.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from dashboard import stats
from dashboard.queries import Filters, Scope, cached, fetch, filter_params

GRAINS = ("month", "quarter", "year")
PARAGRAFS = ("17", "20a")
DECISION_TYPES = ("innvilget", "avslag", "stans", "endring")
WINDOW_MONTHS = (3, 6, 12, 24)
DEFAULT_CUTOFF = dt.date(2019, 1, 1)  # PROFH started 1 January 2019
DEFAULT_WINDOW = 12

# Whole-year window from the global filter; month is always the first of a month.
_YEAR_WINDOW = """
    d.month >= make_date($year_from, 1, 1) AND d.month < make_date($year_to + 1, 1, 1)
"""
_SCOPE = """
    ($region_id IS NULL OR d.region_id = $region_id)
    AND ($office_id IS NULL OR d.office_id = $office_id)
"""
_SELECTION = """
    ($paragraf IS NULL OR d.paragraf = $paragraf)
    AND ($decision_type IS NULL OR d.decision_type = $decision_type)
"""
# One row per office: the currently valid name and head count.
_OFFICES_CTE = """
o AS (
    SELECT DISTINCT ON (office_id) office_id, office_name, employees
    FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST, valid_from DESC NULLS LAST
)
"""

PERIOD_SQL = f"""
SELECT date_trunc($grain, d.month) AS period, d.decision_type, CAST(sum(d.n) AS BIGINT) AS n
FROM decisions d
WHERE {_YEAR_WINDOW} AND {_SCOPE} AND {_SELECTION}
GROUP BY ALL
ORDER BY period, d.decision_type
"""

# Offices with any decision in the window, so that a 0 for the chosen paragraf and
# type is a true zero and not a missing office.
OFFICE_TOTALS_SQL = f"""
WITH {_OFFICES_CTE}
SELECT d.office_id, coalesce(any_value(o.office_name), d.office_id) AS office_name,
       any_value(d.region_id) AS region_id, any_value(o.employees) AS employees,
       CAST(coalesce(sum(d.n) FILTER (WHERE {_SELECTION}), 0) AS BIGINT) AS n
FROM decisions d LEFT JOIN o USING (office_id)
WHERE {_YEAR_WINDOW} AND {_SCOPE}
GROUP BY d.office_id
ORDER BY n DESC, office_name
"""

BEFORE_AFTER_SQL = f"""
WITH {_OFFICES_CTE}
SELECT d.office_id, coalesce(any_value(o.office_name), d.office_id) AS office_name,
       any_value(d.region_id) AS region_id,
       CAST(coalesce(sum(d.n) FILTER (WHERE d.month < $cutoff AND {_SELECTION}), 0) AS BIGINT) AS n_before,
       CAST(coalesce(sum(d.n) FILTER (WHERE d.month >= $cutoff AND {_SELECTION}), 0) AS BIGINT) AS n_after,
       count(DISTINCT d.month) FILTER (WHERE d.month < $cutoff) AS months_before,
       count(DISTINCT d.month) FILTER (WHERE d.month >= $cutoff) AS months_after
FROM decisions d LEFT JOIN o USING (office_id)
WHERE d.month >= $cutoff - to_months($months) AND d.month < $cutoff + to_months($months)
  AND {_SCOPE}
GROUP BY d.office_id
ORDER BY office_name
"""

MONTH_RANGE_SQL = f"""
SELECT min(d.month) AS first_month, max(d.month) AS last_month
FROM decisions d
WHERE {_SCOPE}
"""

JUMP_WARNINGS_SQL = """
WITH o AS (
    SELECT DISTINCT ON (office_id) office_id, office_name, region_id FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST, valid_from DESC NULLS LAST
)
SELECT w.office_id, coalesce(o.office_name, w.office_id) AS office_name, w.report_year, w.message
FROM dq_warnings w JOIN o USING (office_id)
WHERE w.warning_code = 'hopp_i_vedtak'
  AND ($region_id IS NULL OR o.region_id = $region_id)
  AND ($office_id IS NULL OR w.office_id = $office_id)
ORDER BY office_name, w.report_year
"""


def threshold() -> int:
    """The suppression threshold: settings().suppression_threshold if the app's
    settings have one, else stats.SUPPRESSION_THRESHOLD (5)."""
    try:
        from dashboard.config import settings

        value = getattr(settings(), "suppression_threshold", None)
    except Exception:  # noqa: BLE001 - a broken setting must not switch suppression off
        value = None
    return int(value) if value else stats.SUPPRESSION_THRESHOLD


def _grain(grain: str | None) -> str:
    return grain if grain in GRAINS else "month"


def _paragraf(paragraf: str | None) -> str | None:
    return paragraf if paragraf in PARAGRAFS else None


def _decision_type(decision_type: str | None) -> str | None:
    return decision_type if decision_type in DECISION_TYPES else None


def _selection(paragraf, decision_type) -> dict:
    return {"paragraf": _paragraf(paragraf), "decision_type": _decision_type(decision_type)}


def first_of_month(value) -> dt.date | None:
    """A date (or ISO text) rounded down to the first of its month; None if invalid."""
    if value is None or value == "":
        return None
    try:
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    if isinstance(d, dt.datetime):
        d = d.date()
    return d.replace(day=1)


def _add_months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def _months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from a to b (both firsts of a month)."""
    return (b.year - a.year) * 12 + b.month - a.month


# ----------------------------------------------------------------- raw queries

@cached
def counts_by_period(filters: Filters, scope: Scope, grain: str = "month", paragraf: str | None = None,
                     decision_type: str | None = None) -> pd.DataFrame:
    """period (first day of the month/quarter/year), decision_type, n: decisions in the
    filters' years, summed over the offices in scope. Every (period, type) pair is
    present (0 where there were none) for the types selected."""
    params = filter_params(PERIOD_SQL, filters, scope, grain=_grain(grain), **_selection(paragraf, decision_type))
    df = fetch(PERIOD_SQL, params)
    types = [_decision_type(decision_type)] if _decision_type(decision_type) else list(DECISION_TYPES)
    if df.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[ns]"), "decision_type": pd.Series(dtype=object),
                             "n": pd.Series(dtype="int64")})
    df["period"] = pd.to_datetime(df["period"])
    full = pd.MultiIndex.from_product([sorted(df["period"].unique()), types], names=["period", "decision_type"])
    df = df.set_index(["period", "decision_type"]).reindex(full, fill_value=0).reset_index()
    df["n"] = df["n"].astype("int64")
    return df


@cached
def office_totals(filters: Filters, scope: Scope, paragraf: str | None = None,
                  decision_type: str | None = None) -> pd.DataFrame:
    """office_id, office_name, region_id, employees (nullable), n: decisions per office
    in the filters' years for the chosen paragraf and type."""
    params = filter_params(OFFICE_TOTALS_SQL, filters, scope, **_selection(paragraf, decision_type))
    df = fetch(OFFICE_TOTALS_SQL, params)
    df["employees"] = df["employees"].astype("Int64")
    df["n"] = df["n"].astype("int64")
    return df


@cached
def month_range(filters: Filters, scope: Scope) -> tuple[dt.date | None, dt.date | None]:
    """First and last month with decisions for the offices in scope (years ignored)."""
    row = fetch(MONTH_RANGE_SQL, filter_params(MONTH_RANGE_SQL, filters, scope)).iloc[0]
    first, last = row["first_month"], row["last_month"]
    if first is None or pd.isna(first):
        return None, None
    return pd.Timestamp(first).date(), pd.Timestamp(last).date()


@dataclass(frozen=True)
class Windows:
    """Two windows of the same length: [before_start, cutoff) and [cutoff, after_end)."""

    cutoff: dt.date
    months: int
    requested_months: int

    @property
    def before_start(self) -> dt.date:
        return _add_months(self.cutoff, -self.months)

    @property
    def after_end(self) -> dt.date:
        """First day after the after-window."""
        return _add_months(self.cutoff, self.months)

    @property
    def before_last(self) -> dt.date:
        return self.cutoff - dt.timedelta(days=1)

    @property
    def after_last(self) -> dt.date:
        return self.after_end - dt.timedelta(days=1)

    @property
    def shortened(self) -> bool:
        return self.months < self.requested_months


def windows(filters: Filters, scope: Scope, cutoff=DEFAULT_CUTOFF, months: int = DEFAULT_WINDOW) -> Windows | None:
    """Same-length windows around `cutoff` (rounded down to the first of its month),
    shortened so both lie within the months that have data; None when the cutoff
    leaves no whole month of data on one side."""
    cut = first_of_month(cutoff)
    requested = int(months) if months in WINDOW_MONTHS else DEFAULT_WINDOW
    first, last = month_range(filters, scope)
    if cut is None or first is None:
        return None
    available = min(_months_between(first, cut), _months_between(cut, _add_months(last, 1)))
    n = min(requested, available)
    return Windows(cut, n, requested) if n >= 1 else None


@cached
def before_after_counts(filters: Filters, scope: Scope, cutoff: dt.date, months: int,
                        paragraf: str | None = None, decision_type: str | None = None) -> pd.DataFrame:
    """office_id, office_name, region_id, n_before, n_after, months_before, months_after:
    decisions in the `months` months before `cutoff` and the `months` months from it,
    per office (offices with any decision in either window)."""
    params = filter_params(BEFORE_AFTER_SQL, filters, scope, cutoff=cutoff, months=int(months),
                           **_selection(paragraf, decision_type))
    df = fetch(BEFORE_AFTER_SQL, params)
    for col in ("n_before", "n_after", "months_before", "months_after"):
        df[col] = df[col].astype("int64")
    return df


@cached
def jump_warnings(filters: Filters, scope: Scope) -> pd.DataFrame:
    """office_id, office_name, report_year, message: abrupt jumps in decision counts
    (data-quality warnings from the build) for the offices in scope."""
    return fetch(JUMP_WARNINGS_SQL, filter_params(JUMP_WARNINGS_SQL, filters, scope))


# ------------------------------------------------------------ suppressed views

def _window_label(period: pd.Timestamp, grain: str, win: "Windows | None") -> str:
    """'før' / 'etter' when the whole period lies in that before/after window (its
    count is then part of a published window total), else the period itself."""
    start = period.date()
    step = {"month": 1, "quarter": 3, "year": 12}[grain]
    end = _add_months(start, step)
    if win is not None:
        if start >= win.before_start and end <= win.cutoff:
            return "før"
        if start >= win.cutoff and end <= win.after_end:
            return "etter"
    return start.isoformat()


def suppressed_periods(filters: Filters, scope: Scope, grain: str = "month", paragraf: str | None = None,
                       decision_type: str | None = None, win: "Windows | None" = None) -> pd.DataFrame:
    """counts_by_period with `suppressed`. Published totals: per period (stack heights;
    also what one office's ranking total can equal), per type, the grand total, and,
    with `win`, the before and after windows (their sums are the page's 'før' and
    'etter' figures), so no hidden cell can be recovered by subtraction. A cell that
    is itself a published total (one type chosen) is hidden when small."""
    df = counts_by_period(filters, scope, grain, paragraf, decision_type)
    if df.empty:
        df["suppressed"] = pd.Series(dtype=bool)
        return df
    g = _grain(grain)
    df["window"] = [_window_label(p, g, win) for p in df["period"]]
    out = stats.suppress(df, "n", threshold(), totals=[["period"], ["decision_type"], ["window"], ()])
    return out.drop(columns=["suppression_reason", "window"])


def period_total_hidden(df: pd.DataFrame) -> bool:
    """Whether the grand total of a suppressed period table must be hidden: it is
    itself small, or exactly one cell is hidden (total minus the rest gives it)."""
    if df.empty:
        return False
    total = int(df["n"].sum())
    return stats.is_sensitive(total, threshold()) or int(df["suppressed"].sum()) == 1


def _link_offices(tables: list[tuple[pd.DataFrame, list[str]]], limit: int) -> set[str]:
    """Offices to hide in every office-level table of the view.

    Each table is (frame with office_id, value columns whose column total is
    published). Start with the offices stats.suppress hides in any table (primary
    and secondary cells); a hidden office is hidden whole (all its cells, in every
    table), so the ranking cannot recover a before/after cell or the other way round.
    Then, while a table has exactly one hidden office (its column totals would give
    it away), hide that table's smallest other office too (positive counts first,
    ties by office_id, as stats.suppress does)."""
    hidden: set[str] = set()
    for df, cols in tables:
        if df.empty:
            continue
        long = df.melt(id_vars=["office_id"], value_vars=cols, var_name="column", value_name="value")
        flagged = stats.suppress(long, "value", limit, totals=[["column"]])
        hidden |= set(flagged.loc[flagged["suppressed"], "office_id"])
    changed = True
    while changed:
        changed = False
        for df, cols in tables:
            if len(df) < 2:
                continue
            is_hidden = df["office_id"].isin(hidden)
            if is_hidden.sum() != 1:
                continue
            rest = df.loc[~is_hidden].assign(_size=df.loc[~is_hidden, cols].sum(axis=1))
            positive = rest[rest["_size"] > 0]
            pool = positive if len(positive) else rest
            pick = pool.sort_values(["_size", "office_id"]).iloc[0]["office_id"]
            hidden.add(pick)
            changed = True
    return hidden


def office_tables(filters: Filters, scope: Scope, paragraf: str | None = None, decision_type: str | None = None,
                  cutoff=DEFAULT_CUTOFF, months: int = DEFAULT_WINDOW) -> dict:
    """The page's two office-level tables, suppressed together.

    Returns {'ranking': office_totals + rate_per_employee, suppressed;
             'before_after': before_after_counts + change_abs, change_pct, complete,
                             suppressed (empty when no windows);
             'windows': Windows or None}.
    Values are left as they are; blank them with stats.blank_suppressed before
    display or download (the page does). The ranking's published total is the grand
    total; the before/after table's are the two column totals.
    """
    limit = threshold()
    ranking = office_totals(filters, scope, paragraf, decision_type)
    win = windows(filters, scope, cutoff, months)
    if win is not None:
        ba = before_after_counts(filters, scope, win.cutoff, win.months, paragraf, decision_type)
    else:
        ba = pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
            ("office_id", object), ("office_name", object), ("region_id", object), ("n_before", "int64"),
            ("n_after", "int64"), ("months_before", "int64"), ("months_after", "int64"))})
    hidden = _link_offices([(ranking, ["n"]), (ba, ["n_before", "n_after"])], limit)

    ranking["suppressed"] = ranking["office_id"].isin(hidden)
    emp = ranking["employees"].astype("Float64")
    ranking["rate_per_employee"] = (ranking["n"] / emp.where(emp > 0)).astype("float64")

    ba["suppressed"] = ba["office_id"].isin(hidden)
    ba["complete"] = (ba["months_before"] == (win.months if win else 0)) & (ba["months_after"] == (win.months if win else 0))
    changes = [stats.change(b, a) for b, a in zip(ba["n_before"], ba["n_after"])]
    ba["change_abs"] = pd.Series([c.absolute for c in changes], index=ba.index, dtype="float64")
    ba["change_pct"] = pd.Series([c.relative for c in changes], index=ba.index, dtype="float64")
    # A change over windows with missing months compares unlike periods: not shown.
    ba.loc[~ba["complete"], ["change_abs", "change_pct"]] = math.nan
    return {"ranking": ranking, "before_after": ba, "windows": win}


def column_total_hidden(df: pd.DataFrame, col: str) -> bool:
    """Whether a published column total of an office table must be hidden: small
    itself, or exactly one office hidden (only possible when there is one office)."""
    if df.empty:
        return False
    return stats.is_sensitive(int(df[col].sum()), threshold()) or int(df["suppressed"].sum()) == 1
