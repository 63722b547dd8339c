"""Small, pure statistics for the dashboard: inter-rater agreement (Cohen's kappa as
Stata's `kap` reports it), Wilson intervals, rates, changes and small-cell
suppression. No Dash, no database: every function takes plain values or a DataFrame
and returns new values, so each can be checked against published figures."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = [
    "LANDIS_KOCH_BANDS",
    "Kappa",
    "kappa",
    "landis_koch",
    "wilson_interval",
    "rate_per_1000",
    "Change",
    "change",
    "SUPPRESSION_THRESHOLD",
    "PRIMARY",
    "SECONDARY",
    "SUPPRESSED_MARK",
    "is_sensitive",
    "suppress",
    "unprotected_totals",
    "blank_suppressed",
]


# --------------------------------------------------------------------------- kappa

# Landis & Koch (1977) strength-of-agreement bands, in Norwegian: (upper bound, label).
# A kappa belongs to the first band whose upper bound it does not exceed, except that
# the first band excludes its bound: kappa 0.00 is 'Svak' (Landis & Koch: 0.00-0.20),
# 0.20 is 'Svak', 0.2001 is 'Rimelig'. Kappa is rounded to 10 decimals first so that
# floating-point noise does not move a value sitting on a bound.
LANDIS_KOCH_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "Dårlig"),          # < 0
    (0.20, "Svak"),           # 0.00-0.20
    (0.40, "Rimelig"),        # 0.21-0.40
    (0.60, "Moderat"),        # 0.41-0.60
    (0.80, "Betydelig"),      # 0.61-0.80
    (1.0, "Nesten perfekt"),  # 0.81-1.00
)


def landis_koch(value: float | None) -> str | None:
    """Norwegian Landis-Koch label for a kappa; None when kappa is undefined."""
    if value is None or not math.isfinite(value):
        return None
    value = round(value, 10)
    first_upper, first_label = LANDIS_KOCH_BANDS[0]
    if value < first_upper:
        return first_label
    for upper, label in LANDIS_KOCH_BANDS[1:]:
        if value <= upper:
            return label
    return LANDIS_KOCH_BANDS[-1][1]  # only reachable through rounding noise above 1


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa for two raters, with the test of H0: kappa = 0 as Stata's `kap`.

    `observed` and `expected` are proportions (0.7790, not 77.90). `p` is the one-sided
    upper tail P(Z > z), which is what Stata prints as "Prob>Z". When kappa is
    undefined (`degenerate` is True) kappa, se, z and p are NaN, `band` is None and
    `note` says why, so a page can show the table without a misleading number."""

    n: float
    observed: float
    expected: float
    kappa: float
    se: float
    z: float
    p: float
    band: str | None
    degenerate: bool = False
    note: str | None = None


def _as_square_table(table: Any) -> np.ndarray:
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"kappa needs a non-empty k x k table, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("kappa needs finite, non-negative counts")
    return arr


def kappa(table: Any) -> Kappa:
    """Cohen's (unweighted) kappa for a k x k crosstab: rater 1 in rows, rater 2 in
    columns, categories in the same order on both axes.

    The standard error is the asymptotic one under H0 (Fleiss, Cohen & Everitt 1969),
    exactly as Stata's `kap` computes it for two raters:

        se0 = sqrt(pe + pe**2 - sum_i r_i c_i (r_i + c_i)) / ((1 - pe) sqrt(n))

    with r_i, c_i the row and column marginal proportions. This reproduces the
    published figures (screening: kappa 0.4721, Z 6.35; depth review: 0.2895, 3.51).
    Tables where kappa is undefined (n = 0, or expected agreement 1 because both
    raters used a single category) come back with `degenerate=True`, not an error.
    """
    arr = _as_square_table(table)
    n = float(arr.sum())
    nan = math.nan
    if n == 0:
        return Kappa(n=0.0, observed=nan, expected=nan, kappa=nan, se=nan, z=nan,
                     p=nan, band=None, degenerate=True, note="Tom tabell (n = 0).")

    p = arr / n
    rows = p.sum(axis=1)
    cols = p.sum(axis=0)
    observed = float(np.trace(p))
    expected = float(np.dot(rows, cols))
    if math.isclose(expected, 1.0, rel_tol=0.0, abs_tol=1e-12):
        return Kappa(n=n, observed=observed, expected=1.0, kappa=nan, se=nan, z=nan,
                     p=nan, band=None, degenerate=True,
                     note="Kappa er udefinert: forventet enighet er 100 % "
                          "(begge har brukt bare én kategori).")

    k = (observed - expected) / (1.0 - expected)
    radicand = expected + expected**2 - float(np.sum(rows * cols * (rows + cols)))
    if radicand > 0:
        se = math.sqrt(radicand) / ((1.0 - expected) * math.sqrt(n))
        z = k / se
        pval = float(norm.sf(z))
        note = None
    else:  # cannot happen for a valid table with pe < 1; kept so pages never crash
        se = z = pval = nan
        note = "Standardfeil kan ikke beregnes for denne tabellen."
    return Kappa(n=n, observed=observed, expected=expected, kappa=k, se=se, z=z,
                 p=pval, band=landis_koch(k), degenerate=False, note=note)


# ----------------------------------------------------------------- proportions etc.

def wilson_interval(successes: float, n: float,
                    confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion: unlike the Wald interval it stays
    inside [0, 1] and behaves for the small counts per office we show. n = 0 gives
    (nan, nan) so a page can print '–' instead of an interval that means nothing."""
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be strictly between 0 and 1")
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return (math.nan, math.nan)
    z = float(norm.ppf(0.5 + confidence / 2.0))
    phat = successes / n
    denom = 1.0 + z * z / n
    centre = (phat + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(phat * (1.0 - phat) / n + z * z / (4.0 * n * n)) / denom
    # at 0 % and 100 % one bound is exactly 0 or 1; floating point gives 1 - 1e-16
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def wilson_bounds(successes, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """`wilson_interval` for whole columns at once (a page has thousands of cells);
    n = 0 gives NaN, 0 % and 100 % give exact 0 and 1 bounds."""
    k = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    z = float(norm.ppf(0.5 + confidence / 2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        phat = k / m
        denom = 1.0 + z * z / m
        centre = (phat + z * z / (2.0 * m)) / denom
        half = z * np.sqrt(phat * (1.0 - phat) / m + z * z / (4.0 * m * m)) / denom
        low = np.where(k == 0, 0.0, np.maximum(0.0, centre - half))
        high = np.where(k == m, 1.0, np.minimum(1.0, centre + half))
    empty = m <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def _to_float_array(value: Any) -> np.ndarray:
    """None, pd.NA and NaN (and text that is not a number) all become NaN."""
    arr = np.asarray(value, dtype=object)
    flat = pd.to_numeric(pd.Series(arr.ravel(), dtype=object), errors="coerce")
    return flat.to_numpy(dtype="float64", na_value=np.nan).reshape(arr.shape)


def rate_per_1000(count: Any, denominator: Any) -> Any:
    """count / denominator * 1000. Missing, zero or negative denominators give NaN
    (a rate over nobody is not zero). Scalars give a float; a Series gives a Series
    with the same index; other array-likes give a numpy array."""
    c = _to_float_array(count)
    d = _to_float_array(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, c / np.where(d > 0, d, 1.0) * 1000.0, np.nan)
    for arg in (count, denominator):
        if isinstance(arg, pd.Series):
            return pd.Series(out, index=arg.index)
    if np.ndim(out) == 0:
        return float(out)
    return out


@dataclass(frozen=True)
class Change:
    """Change from `before` to `after`: `absolute` = after - before; `relative` as a
    fraction of |before| (0.25 = +25 %), so the sign always tells the direction."""

    absolute: float
    relative: float


def _scalar_or_nan(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        if pd.isna(value):
            return math.nan
    except (TypeError, ValueError):
        pass
    return float(value)


def change(before: Any, after: Any) -> Change:
    """Absolute and relative change, safe for zero and missing values: a missing side
    gives NaN for both; from 0 to 0 is a relative change of 0; from 0 to anything
    else the relative change is NaN (undefined, not infinite) — show the absolute."""
    b, a = _scalar_or_nan(before), _scalar_or_nan(after)
    if math.isnan(b) or math.isnan(a):
        return Change(math.nan, math.nan)
    absolute = a - b
    if b == 0:
        return Change(absolute, 0.0 if a == 0 else math.nan)
    return Change(absolute, absolute / abs(b))


# ----------------------------------------------------------------- suppression

# Statistics Norway's practice: counts 1..threshold-1 are sensitive; 0 is not
# (an empty cell says no one, which is publishable), and neither is threshold or more.
SUPPRESSION_THRESHOLD = 5
PRIMARY = "primær"
SECONDARY = "sekundær"
# Statistics Norway's symbol for "not shown for confidentiality".
SUPPRESSED_MARK = ":"


def is_sensitive(n: Any, threshold: int = SUPPRESSION_THRESHOLD) -> bool:
    """True when a single count must not be shown: 0 < n < threshold. Use it for a
    lone number (a KPI card, a published total); use `suppress` for tables."""
    v = _scalar_or_nan(n)
    return not math.isnan(v) and 0 < v < threshold


def _normalise_totals(totals: Iterable[Sequence[str] | str]) -> list[list[str]]:
    if isinstance(totals, str):  # totals="region" means one total per region
        totals = [totals]
    out = []
    for spec in totals:
        out.append([spec] if isinstance(spec, str) else list(spec))
    return out


def _groups(df: pd.DataFrame, keys: list[str]) -> list[np.ndarray]:
    """Positional row indices per group, groups in order of first appearance."""
    if not keys:
        return [np.arange(len(df))]
    return [np.asarray(ix) for ix in
            df.groupby(keys, sort=False, dropna=False).indices.values()]


def suppress(
    df: pd.DataFrame,
    value_col: str,
    threshold: int = SUPPRESSION_THRESHOLD,
    totals: Iterable[Sequence[str] | str] = ((),),
) -> pd.DataFrame:
    """Mark cells of a long-format count table that must not be published.

    Primary: 0 < value < threshold (zero is publishable, as in Norwegian official
    statistics). Secondary: for every group whose total is published, a single
    hidden cell could be recovered by subtraction, so whenever a group has exactly
    one suppressed cell the smallest positive unsuppressed cell in the group is
    suppressed too (a hidden zero adds little doubt; a zero is used only if nothing
    else is left). Repeated over all groups until nothing changes, so a complement
    chosen for a row can force one in its column, and so on.

    `totals` lists the published sums, each as the key columns of its groups:
    ``()`` is a grand total (the default, since pages usually show one),
    ``[["region"], ["year"]]`` are row and column totals of a region x year table,
    ``()`` in the list as well if the grand total is shown too. Pass ``totals=()``
    when no total is shown at all (primary suppression only).

    Returns a copy with a boolean ``suppressed`` column and ``suppression_reason``
    ('primær', 'sekundær' or None); the values themselves are left as they were, use
    `blank_suppressed` before display or download. Publish the flag, never the
    reason: knowing which hidden cell is primary narrows it to 1..threshold-1. A
    published total that is itself small, or that is left with one hidden cell (see
    `unprotected_totals`), must be handled by the caller.
    """
    if value_col not in df.columns:
        raise KeyError(f"value column {value_col!r} not in table")
    specs = _normalise_totals(totals)
    missing = sorted({c for spec in specs for c in spec} - set(df.columns))
    if missing:
        raise KeyError(f"total key columns not in table: {missing}")

    values = pd.to_numeric(df[value_col], errors="coerce").astype("float64").to_numpy()
    reason: list[str | None] = [
        PRIMARY if (not math.isnan(v) and 0 < v < threshold) else None for v in values
    ]
    hidden = np.array([r is not None for r in reason], dtype=bool)
    groups = [g for spec in specs for g in _groups(df, spec)]

    changed = True
    while changed:
        changed = False
        for idx in groups:
            if len(idx) < 2 or hidden[idx].sum() != 1:
                continue
            candidates = [i for i in idx if not hidden[i] and not math.isnan(values[i])]
            if not candidates:
                continue
            positive = [i for i in candidates if values[i] > 0]
            pool = positive or candidates
            pick = min(pool, key=lambda i: (values[i], i))  # ties: first row wins
            hidden[pick] = True
            reason[pick] = SECONDARY
            changed = True

    out = df.copy()
    out["suppressed"] = hidden
    out["suppression_reason"] = pd.Series(reason, index=df.index, dtype=object)
    return out


def unprotected_totals(
    suppressed: pd.DataFrame,
    totals: Iterable[Sequence[str] | str] = ((),),
) -> pd.DataFrame:
    """Groups of a `suppress` result whose published total still reveals a hidden
    cell (exactly one suppressed cell: a one-cell group, or nothing left to hide
    with it). Empty when the table is safe; otherwise hide those totals."""
    rows = []
    for spec in _normalise_totals(totals):
        for idx in _groups(suppressed, spec):
            if suppressed["suppressed"].to_numpy()[idx].sum() == 1:
                first = suppressed.iloc[idx[0]]
                rows.append({"totals": tuple(spec),
                             "group": tuple(first[c] for c in spec)})
    return pd.DataFrame(rows, columns=["totals", "group"])


def blank_suppressed(
    df: pd.DataFrame,
    value_cols: Sequence[str] | str,
    mark: str | None = None,
    flag_col: str = "suppressed",
) -> pd.DataFrame:
    """Copy of `df` with `value_cols` emptied where `flag_col` is True, for display
    and download. Blank every column derived from the hidden count (shares, rates),
    not only the count. mark=None gives a missing value (numbers stay numeric, export
    writes an empty cell); mark=SUPPRESSED_MARK (':') is Statistics Norway's symbol
    for tables meant to be read by people."""
    cols = [value_cols] if isinstance(value_cols, str) else list(value_cols)
    out = df.copy()
    mask = out[flag_col].fillna(False).astype(bool).to_numpy()
    keep = ~mask
    for col in cols:
        series = out[col]
        if mark is not None:
            out[col] = series.astype(object).where(keep, mark)
        elif pd.api.types.is_bool_dtype(series):
            out[col] = series.astype("boolean").where(keep, pd.NA)
        elif pd.api.types.is_integer_dtype(series):
            out[col] = series.astype("Int64").where(keep, pd.NA)
        elif pd.api.types.is_float_dtype(series):
            out[col] = series.where(keep, np.nan)
        else:
            out[col] = series.astype(object).where(keep, None)
    return out
