"""dashboard.stats against published and independently known values."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.stats import (
    LANDIS_KOCH_BANDS,
    PRIMARY,
    SECONDARY,
    SUPPRESSED_MARK,
    Change,
    blank_suppressed,
    change,
    is_sensitive,
    kappa,
    landis_koch,
    rate_per_1000,
    suppress,
    unprotected_totals,
    wilson_interval,
)

SCREENING = [[34, 20], [20, 107]]  # Ut/Inn, rater 1 rows, rater 2 columns
DEPTH = [[124, 9], [9, 5]]


# ---------------------------------------------------------------------- kappa

@pytest.mark.parametrize(
    "table, n, agreement, expected, kap, z, p, band",
    [
        # NTNU/SØF 2023, as printed by Stata's kap
        (SCREENING, 181, "77.90", "58.13", "0.4721", "6.35", "0.0000", "Moderat"),
        (DEPTH, 147, "87.76", "82.77", "0.2895", "3.51", "0.0002", "Rimelig"),
    ],
)
def test_kappa_reproduces_published_figures(table, n, agreement, expected, kap, z, p, band):
    r = kappa(table)
    assert r.n == n
    assert f"{100 * r.observed:.2f}" == agreement
    assert f"{100 * r.expected:.2f}" == expected
    assert f"{r.kappa:.4f}" == kap
    assert f"{r.z:.2f}" == z
    assert f"{r.p:.4f}" == p
    assert r.band == band
    assert not r.degenerate and r.note is None


def test_kappa_matches_stata_stored_results_to_full_precision():
    # Stata `kap` r() results for this table, posted to Statalist (2009-12):
    # r(kappa)=.3411969207847029 r(se)=.0220367175735475 r(z)=15.48310993440647
    # r(prop_o)=.8038302277432712 r(prop_e)=.7022330671398995
    r = kappa(np.array([[1395, 118], [261, 158]]))
    assert r.n == 1932
    assert r.kappa == pytest.approx(0.3411969207847029, abs=1e-13)
    assert r.se == pytest.approx(0.0220367175735475, abs=1e-13)
    assert r.z == pytest.approx(15.48310993440647, abs=1e-10)
    assert r.observed == pytest.approx(0.8038302277432712, abs=1e-13)
    assert r.expected == pytest.approx(0.7022330671398995, abs=1e-13)


def test_kappa_three_categories_against_direct_formula():
    t = np.array([[25, 3, 2], [4, 30, 6], [1, 5, 24]], dtype=float)
    n = t.sum()
    po = np.trace(t) / n
    r_, c_ = t.sum(1) / n, t.sum(0) / n
    pe = float(r_ @ c_)
    var0 = (pe + pe**2 - sum(r_[i] * c_[i] * (r_[i] + c_[i]) for i in range(3))) / (
        n * (1 - pe) ** 2)
    r = kappa(t.tolist())
    assert r.kappa == pytest.approx((po - pe) / (1 - pe), abs=1e-12)
    assert r.se == pytest.approx(math.sqrt(var0), abs=1e-12)
    # who is rater 1 and the order of the categories must not matter
    same = [kappa(t.T), kappa(t[[2, 0, 1]][:, [2, 0, 1]])]
    for other in same:
        assert other.kappa == pytest.approx(r.kappa, abs=1e-12)
        assert other.se == pytest.approx(r.se, abs=1e-12)


def test_kappa_result_is_frozen():
    r = kappa(SCREENING)
    with pytest.raises(AttributeError):
        r.kappa = 1.0  # type: ignore[misc]


def test_kappa_perfect_and_negative():
    assert kappa([[10, 0], [0, 10]]).kappa == pytest.approx(1.0)
    assert kappa([[10, 0], [0, 10]]).band == "Nesten perfekt"
    r = kappa([[0, 10], [10, 0]])
    assert r.kappa == pytest.approx(-1.0)
    assert r.band == "Dårlig"
    assert r.z < 0 and r.p > 0.99  # one-sided upper tail


@pytest.mark.parametrize(
    "table, expected_agreement",
    [
        ([[0, 0], [0, 0]], None),   # n = 0
        ([[5, 0], [0, 0]], 1.0),    # both raters used one category only
        ([[7]], 1.0),               # a 1 x 1 table
    ],
)
def test_kappa_degenerate_tables_do_not_crash(table, expected_agreement):
    r = kappa(table)
    assert r.degenerate
    assert r.note
    assert r.band is None
    for value in (r.kappa, r.se, r.z, r.p):
        assert math.isnan(value)
    if expected_agreement is None:
        assert math.isnan(r.expected)
    else:
        assert r.expected == expected_agreement


@pytest.mark.parametrize(
    "table", [[[1, 2, 3], [4, 5, 6]], [], [[1, -1], [0, 2]], [[1, float("nan")], [0, 2]]]
)
def test_kappa_rejects_invalid_tables(table):
    with pytest.raises(ValueError):
        kappa(table)


@pytest.mark.parametrize(
    "value, label",
    [
        (-0.01, "Dårlig"), (0.0, "Svak"), (0.2, "Svak"), (0.1 + 0.1, "Svak"),
        (0.2001, "Rimelig"), (0.40, "Rimelig"), (0.41, "Moderat"), (0.60, "Moderat"),
        (0.61, "Betydelig"), (0.80, "Betydelig"), (0.81, "Nesten perfekt"),
        (1.0, "Nesten perfekt"), (float("nan"), None), (None, None),
    ],
)
def test_landis_koch_bands(value, label):
    assert landis_koch(value) == label


def test_landis_koch_bands_are_one_table():
    assert [label for _, label in LANDIS_KOCH_BANDS] == [
        "Dårlig", "Svak", "Rimelig", "Moderat", "Betydelig", "Nesten perfekt"]


# -------------------------------------------------------------------- wilson

@pytest.mark.parametrize(
    "successes, n, confidence, low, high",
    [
        (8, 10, 0.95, 0.4902, 0.9433),
        (0, 10, 0.95, 0.0000, 0.2775),
        (10, 10, 0.95, 0.7225, 1.0000),
        (1, 2, 0.95, 0.0945, 0.9055),
        (81, 263, 0.95, 0.2553, 0.3662),  # Newcombe (1998) example 1
        (8, 10, 0.90, 0.5408, 0.9314),  # z = 1.6449, worked by hand
    ],
)
def test_wilson_interval_known_values(successes, n, confidence, low, high):
    lo, hi = wilson_interval(successes, n, confidence)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_wilson_interval_empty_sample():
    lo, hi = wilson_interval(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize("args", [(11, 10), (-1, 10), (1, -1), (1, 10, 1.0), (1, 10, 0)])
def test_wilson_interval_rejects_nonsense(args):
    with pytest.raises(ValueError):
        wilson_interval(*args)


# ---------------------------------------------------------------- rate, change

@pytest.mark.parametrize(
    "count, denominator, expected",
    [(3, 200, 15.0), (0, 50, 0.0), (203, 203, 1000.0), (7, 0, None), (7, -5, None),
     (None, 5, None), (5, None, None), (pd.NA, 5, None), (float("nan"), 5, None)],
)
def test_rate_per_1000_scalars(count, denominator, expected):
    result = rate_per_1000(count, denominator)
    assert isinstance(result, float)
    if expected is None:
        assert math.isnan(result)
    else:
        assert result == expected


def test_rate_per_1000_series_keeps_index():
    counts = pd.Series([1, 2, None], index=["a", "b", "c"])
    denominators = pd.Series([10, 0, 5], index=["a", "b", "c"])
    result = rate_per_1000(counts, denominators)
    assert list(result.index) == ["a", "b", "c"]
    assert result["a"] == 100.0
    assert math.isnan(result["b"]) and math.isnan(result["c"])
    np.testing.assert_array_equal(rate_per_1000([1, 2], [10, 20]), [100.0, 100.0])


@pytest.mark.parametrize(
    "before, after, absolute, relative",
    [
        (100, 125, 25.0, 0.25),
        (100, 75, -25.0, -0.25),
        (-100, -50, 50.0, 0.5),   # relative to |before|: the sign is the direction
        (0, 0, 0.0, 0.0),
        (0, 5, 5.0, None),        # from zero: relative undefined
        (None, 5, None, None),
        (5, float("nan"), None, None),
        (pd.NA, 5, None, None),
    ],
)
def test_change(before, after, absolute, relative):
    c = change(before, after)
    assert isinstance(c, Change)
    for got, want in ((c.absolute, absolute), (c.relative, relative)):
        if want is None:
            assert math.isnan(got)
        else:
            assert got == pytest.approx(want)


# --------------------------------------------------------------- suppression

@pytest.mark.parametrize(
    "n, sensitive",
    [(0, False), (1, True), (4, True), (5, False), (4.5, True), (None, False),
     (float("nan"), False)],
)
def test_is_sensitive(n, sensitive):
    assert is_sensitive(n) is sensitive


def _reasons(result):
    return [r if r is not None else "" for r in result["suppression_reason"]]


def test_primary_only_without_totals_and_zero_is_publishable():
    df = pd.DataFrame({"kontor": list("ABCDE"), "n": [0, 1, 4, 5, 30]})
    out = suppress(df, "n", totals=())
    assert out["suppressed"].tolist() == [False, True, True, False, False]
    assert _reasons(out) == ["", PRIMARY, PRIMARY, "", ""]


def test_input_is_not_changed_and_values_keep_their_meaning():
    df = pd.DataFrame({"kontor": list("ABC"), "n": [2, 8, 30]})
    before = df.copy()
    out = suppress(df, "n")
    pd.testing.assert_frame_equal(df, before)
    assert out["n"].tolist() == [2, 8, 30]
    assert out.index.equals(df.index)
    assert out["suppressed"].dtype == bool


def test_secondary_against_grand_total_picks_smallest_positive():
    df = pd.DataFrame({"kontor": list("ABCDE"), "n": [3, 0, 12, 7, 40]})
    out = suppress(df, "n")  # default: a grand total is published
    assert _reasons(out) == [PRIMARY, "", "", SECONDARY, ""]


def test_two_primaries_protect_each_other():
    df = pd.DataFrame({"kontor": list("ABC"), "n": [1, 2, 50]})
    assert _reasons(suppress(df, "n")) == [PRIMARY, PRIMARY, ""]


def test_zero_complement_only_as_last_resort_and_ties_go_to_first_row():
    only_zero = pd.DataFrame({"k": list("AB"), "n": [3, 0]})
    assert _reasons(suppress(only_zero, "n")) == [PRIMARY, SECONDARY]
    tie = pd.DataFrame({"k": list("ABC"), "n": [3, 9, 9]})
    assert _reasons(suppress(tie, "n")) == [PRIMARY, SECONDARY, ""]


def test_missing_values_are_neither_sensitive_nor_complements():
    df = pd.DataFrame({"k": list("ABC"), "n": [3, None, 9]})
    assert _reasons(suppress(df, "n")) == [PRIMARY, "", SECONDARY]


def test_groups_in_long_table():
    # per-region totals are published; each region is protected on its own
    df = pd.DataFrame({
        "region": ["Agder"] * 3 + ["Rogaland"] * 3,
        "aar": [2019, 2020, 2021] * 2,
        "n": [2, 10, 11, 6, 7, 8],
    })
    out = suppress(df, "n", totals=["region"])
    assert _reasons(out) == [PRIMARY, SECONDARY, "", "", "", ""]
    same = suppress(df, "n", totals="region")  # a bare column name is one total
    assert _reasons(same) == _reasons(out)


def test_two_dimensional_secondary_suppression_cascades():
    #        X   Y   Z       row totals and column totals are both published
    #   A    3  10  20
    #   B   12  30  15
    #   C   25  14  40
    # Pass 1: row A hides AY (10); column X hides BX (12); column Y hides CY (14).
    # Pass 2: row B now has one hidden cell -> BZ (15); row C -> CX (25);
    #         column Z now has one hidden cell -> AZ (20).
    # Pass 3: every row and column has 0 or >= 2 hidden cells: stable.
    df = pd.DataFrame({
        "rad": list("AAABBBCCC"),
        "kol": list("XYZ") * 3,
        "n": [3, 10, 20, 12, 30, 15, 25, 14, 40],
    })
    out = suppress(df, "n", totals=[["rad"], ["kol"]])
    assert _reasons(out) == [
        PRIMARY, SECONDARY, SECONDARY,
        SECONDARY, "", SECONDARY,
        SECONDARY, SECONDARY, "",
    ]
    for keys in ("rad", "kol"):
        hidden_per_group = out.groupby(keys)["suppressed"].sum()
        assert not (hidden_per_group == 1).any()
    assert unprotected_totals(out, [["rad"], ["kol"]]).empty
    # deterministic: same input, same answer, whatever the row order
    shuffled = suppress(df.iloc[::-1], "n", totals=[["rad"], ["kol"]]).sort_index()
    assert shuffled["suppressed"].tolist() == out["suppressed"].tolist()


def test_suppress_is_deterministic():
    df = pd.DataFrame({"r": list("AABB"), "c": list("XYXY"), "n": [1, 9, 9, 1]})
    first = suppress(df, "n", totals=[["r"], ["c"]])
    second = suppress(df, "n", totals=[["r"], ["c"]])
    pd.testing.assert_frame_equal(first, second)


def test_unprotected_totals_reports_one_cell_groups():
    df = pd.DataFrame({"region": ["Agder", "Rogaland", "Rogaland"], "n": [3, 20, 30]})
    out = suppress(df, "n", totals=["region"])
    report = unprotected_totals(out, ["region"])
    assert report.to_dict("records") == [{"totals": ("region",), "group": ("Agder",)}]


def test_suppress_unknown_columns():
    df = pd.DataFrame({"k": ["A"], "n": [1]})
    with pytest.raises(KeyError):
        suppress(df, "antall")
    with pytest.raises(KeyError):
        suppress(df, "n", totals=["region"])


def test_blank_suppressed_for_download_and_display():
    df = pd.DataFrame({"k": list("ABC"), "n": [3, 8, 30], "andel": [0.07, 0.19, 0.74],
                       "tekst": ["a", "b", "c"]})
    out = suppress(df, "n")
    blank = blank_suppressed(out, ["n", "andel", "tekst"])
    assert blank["n"].dtype == "Int64"
    assert blank["n"].isna().tolist() == [True, True, False]
    assert blank["n"].iloc[2] == 30
    assert blank["andel"].isna().tolist() == [True, True, False]
    assert blank["tekst"].tolist() == [None, None, "c"]
    shown = blank_suppressed(out, "n", mark=SUPPRESSED_MARK)
    assert shown["n"].tolist() == [":", ":", 30]
    # the original and the flags are untouched
    assert out["n"].tolist() == [3, 8, 30]
    assert blank["suppressed"].tolist() == [True, True, False]


@pytest.mark.parametrize("k, n", [(0, 7), (7, 7), (1, 1)])
def test_wilson_bounds_are_exact_at_the_ends(k, n):
    low, high = wilson_interval(k, n)
    assert (low == 0.0) == (k == 0) and (high == 1.0) == (k == n)


def test_wilson_bounds_equal_the_scalar_interval():
    from dashboard.stats import wilson_bounds

    ks, ns = [0, 3, 8, 7, 0, 5], [7, 10, 10, 7, 0, 1_000]
    low, high = wilson_bounds(ks, ns)
    for k, n, lo, hi in zip(ks, ns, low, high):
        if n == 0:
            assert math.isnan(lo) and math.isnan(hi)
        else:
            assert (lo, hi) == pytest.approx(wilson_interval(k, n), abs=1e-12)
