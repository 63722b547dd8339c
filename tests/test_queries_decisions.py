"""§17-vedtak queries against the sample warehouse (built once per session by the real
ETL): counts equal direct SQL sums, PROFH's four offices made more §17 decisions
after 01.01.2019, small cells are suppressed with a secondary cell, a Statsforvalter
sees only its own region; and the page callbacks as plain functions."""
from __future__ import annotations

import datetime as dt
import sys

import dash
import pandas as pd
import pytest

from dashboard import stats
from dashboard.queries import FULL_ACCESS, Filters, Scope, fetch, fetch_value
from dashboard.queries import decisions as q

PROFH = ("Ringsaker", "Hamar", "Stange", "Løten")
AGDER = Scope("statsforvalter", "agder")


@pytest.fixture(scope="module")
def wh(sample_warehouse):
    return sample_warehouse


def _sql_sum(where: str, params: dict | None = None) -> int:
    return int(fetch_value(f"SELECT coalesce(sum(n), 0) FROM decisions WHERE {where}", params or {}))


def _office_id(name_part: str) -> str:
    return fetch_value("SELECT office_id FROM offices WHERE office_name ILIKE $p LIMIT 1", {"p": f"%{name_part}%"})


# ------------------------------------------------------------ counts = SQL sums

@pytest.mark.parametrize("grain", q.GRAINS)
@pytest.mark.parametrize("paragraf", ["17", "20a", None])
def test_period_counts_equal_direct_sql(wh, grain, paragraf):
    df = q.counts_by_period(Filters(2019, 2021), FULL_ACCESS, grain, paragraf)
    assert set(df["decision_type"]) == set(q.DECISION_TYPES)
    para = "TRUE" if paragraf is None else "paragraf = $p"
    params = {} if paragraf is None else {"p": paragraf}
    assert df["n"].sum() == _sql_sum(f"year(month) BETWEEN 2019 AND 2021 AND {para}", params)
    # one period, one type, straight from SQL
    first = df["period"].min()
    expected = int(fetch(
        f"SELECT coalesce(sum(n), 0) AS n FROM decisions WHERE date_trunc('{grain}', month) = $d "
        f"AND decision_type = 'avslag' AND year(month) BETWEEN 2019 AND 2021 AND {para}",
        {"d": first.date(), **params})["n"].iloc[0])
    got = df[(df["period"] == first) & (df["decision_type"] == "avslag")]["n"].iloc[0]
    assert got == expected
    periods = {"month": 36, "quarter": 12, "year": 3}[grain]
    assert df["period"].nunique() == periods


def test_office_totals_and_before_after_equal_direct_sql(wh):
    rk = q.office_totals(Filters(2020, 2020), FULL_ACCESS, "20a", "stans")
    direct = fetch("SELECT office_id, sum(n) AS n FROM decisions WHERE year(month) = 2020 AND paragraf = '20a' "
                   "AND decision_type = 'stans' GROUP BY office_id")
    merged = rk.merge(direct, on="office_id", how="left", suffixes=("", "_sql")).fillna({"n_sql": 0})
    assert (merged["n"] == merged["n_sql"]).all()
    assert rk["n"].sum() == _sql_sum("year(month) = 2020 AND paragraf = '20a' AND decision_type = 'stans'")

    ba = q.before_after_counts(Filters(), FULL_ACCESS, dt.date(2020, 7, 1), 6, "17", None)
    assert ba["n_before"].sum() == _sql_sum("month >= DATE '2020-01-01' AND month < DATE '2020-07-01' AND paragraf = '17'")
    assert ba["n_after"].sum() == _sql_sum("month >= DATE '2020-07-01' AND month < DATE '2021-01-01' AND paragraf = '17'")
    assert (ba["months_before"] <= 6).all() and (ba["months_after"] <= 6).all()


def test_grand_total_kpi_equals_sql(wh):
    views = q.office_tables(Filters(), FULL_ACCESS, "17")
    assert views["ranking"]["n"].sum() == _sql_sum("paragraf = '17'")
    assert not views["ranking"]["suppressed"].any()  # whole years per office: no small cells


# ------------------------------------------------------------------ PROFH

def test_profh_offices_more_s17_after_2019(wh):
    views = q.office_tables(Filters(), FULL_ACCESS, "17", None, q.DEFAULT_CUTOFF, 12)
    win, ba = views["windows"], views["before_after"]
    assert (win.cutoff, win.months, win.before_start, win.after_end) == (
        dt.date(2019, 1, 1), 12, dt.date(2018, 1, 1), dt.date(2020, 1, 1))  # same-length windows
    for name in PROFH:
        row = ba[ba["office_name"].str.contains(name, case=False)]
        assert len(row) == 1, name
        r = row.iloc[0]
        assert r["complete"] and r["months_before"] == r["months_after"] == 12
        assert not r["suppressed"]
        assert r["n_after"] > r["n_before"], f"{r['office_name']}: {r['n_before']} -> {r['n_after']}"
        assert r["change_abs"] == r["n_after"] - r["n_before"] and r["change_pct"] > 0


def test_windows_are_clamped_to_the_data_and_never_unequal(wh):
    win = q.windows(Filters(), FULL_ACCESS, dt.date(2018, 4, 17), 24)
    assert win.cutoff == dt.date(2018, 4, 1) and win.months == 3 and win.shortened
    assert q.windows(Filters(), FULL_ACCESS, dt.date(1990, 1, 1), 12) is None
    assert q.windows(Filters(), FULL_ACCESS, "not a date", 12) is None


# ------------------------------------------------------------- suppression

def test_suppression_marks_small_cells_and_a_secondary_cell(wh):
    loten = _office_id("Løten")
    df = q.suppressed_periods(Filters(office_id=loten), FULL_ACCESS, "month", "17")
    small = df[(df["n"] > 0) & (df["n"] < q.threshold())]
    assert len(small) and small["suppressed"].all()
    assert ((df["n"] >= q.threshold()) & df["suppressed"]).any(), "no secondary cell"
    # no published total (period, type, grand) is left with exactly one hidden cell
    for keys in (["period"], ["decision_type"]):
        assert (df.groupby(keys)["suppressed"].sum() != 1).all()
    assert int(df["suppressed"].sum()) != 1


def test_period_suppression_protects_the_before_after_totals(wh):
    loten = Filters(office_id=_office_id("Løten"))
    win = q.windows(loten, FULL_ACCESS, dt.date(2019, 1, 1), 3)
    df = q.suppressed_periods(loten, FULL_ACCESS, "month", "20a", "avslag", win)
    before = df[(df["period"] >= "2018-10-01") & (df["period"] < "2019-01-01")]
    after = df[(df["period"] >= "2019-01-01") & (df["period"] < "2019-04-01")]
    # the page shows the window sums ('Før', 'Etter'): never exactly one hidden month in them
    assert before["suppressed"].sum() != 1 and after["suppressed"].sum() != 1
    assert df[(df["n"] > 0) & (df["n"] < 5)]["suppressed"].all()


def test_linked_office_suppression_hides_a_second_office():
    ranking = pd.DataFrame({"office_id": ["a", "b", "c", "d"], "n": [3, 40, 12, 90]})
    ba = pd.DataFrame({"office_id": ["a", "b", "c", "d"], "n_before": [1, 20, 6, 45], "n_after": [2, 20, 6, 45]})
    hidden = q._link_offices([(ranking, ["n"]), (ba, ["n_before", "n_after"])], 5)
    assert "a" in hidden and "c" in hidden and "d" not in hidden  # c: the smallest other office
    # an office hidden in one table only is hidden in both
    ba2 = ba.assign(n_before=[20, 2, 6, 45])
    hidden2 = q._link_offices([(ranking, ["n"]), (ba2, ["n_before", "n_after"])], 5)
    assert {"a", "b"} <= hidden2


def test_office_tables_hide_the_same_offices_and_blank_downloads(wh):
    views = q.office_tables(Filters(), FULL_ACCESS, "20a", "avslag", dt.date(2019, 1, 1), 3)
    rk, ba = views["ranking"], views["before_after"]
    assert ba["suppressed"].sum() >= 2
    assert set(rk.loc[rk["suppressed"], "office_id"]) == set(ba.loc[ba["suppressed"], "office_id"]) & set(rk["office_id"])
    small = ba[((ba["n_before"] > 0) & (ba["n_before"] < 5)) | ((ba["n_after"] > 0) & (ba["n_after"] < 5))]
    assert small["suppressed"].all()
    blanked = stats.blank_suppressed(ba, ["n_before", "n_after", "change_abs", "change_pct"])
    assert blanked.loc[blanked["suppressed"], ["n_before", "n_after", "change_abs"]].isna().all().all()


def test_one_office_hides_its_own_total_when_small(wh):
    loten = _office_id("Løten")
    views = q.office_tables(Filters(office_id=loten), FULL_ACCESS, "20a", "avslag", dt.date(2019, 1, 1), 3)
    ba = views["before_after"]
    assert len(ba) == 1
    if ba["suppressed"].iloc[0]:
        assert q.column_total_hidden(ba, "n_before")


# ------------------------------------------------------------------- scope

def test_statsforvalter_gets_only_its_own_region(wh):
    asked = Filters(region_id="oslo-viken")
    views = q.office_tables(asked, AGDER, "17")
    for df in (views["ranking"], views["before_after"]):
        assert len(df) and set(df["region_id"]) == {"agder"}
    agder_offices = set(fetch("SELECT office_id FROM offices WHERE region_id = 'agder'")["office_id"])
    assert set(views["ranking"]["office_id"]) <= agder_offices
    periods = q.counts_by_period(asked, AGDER, "year", "17")
    assert periods["n"].sum() == _sql_sum("region_id = 'agder' AND paragraf = '17'")
    # an office outside the region: nothing
    oslo_office = fetch_value("SELECT office_id FROM offices WHERE region_id = 'oslo-viken' LIMIT 1")
    assert q.office_totals(Filters(office_id=oslo_office), AGDER, "17").empty
    assert q.counts_by_period(Filters(office_id=oslo_office), AGDER).empty
    assert q.jump_warnings(asked, AGDER)["office_id"].isin(agder_offices).all()


# ---------------------------------------------------------------- callbacks

@pytest.fixture(scope="module")
def page(wh):
    from dashboard.app import app  # noqa: F401 - registers the pages

    entry = next(p for p in dash.page_registry.values() if p["path"] == "/vedtak")
    return sys.modules[entry["module"]]


def test_page_registered_and_layout_builds(page):
    entry = next(p for p in dash.page_registry.values() if p["path"] == "/vedtak")
    assert entry["name"] == "§17-vedtak" and entry["order"] == 2
    assert page.layout() is not None


@pytest.mark.parametrize("search", ["", "?fra=2019&til=2019", "?region=agder", "?fra=1800&region=%27%3B--",
                                    "?kontor=finnes-ikke"])
@pytest.mark.parametrize("controls", [("17", "alle", "month"), ("20a", "endring", "year"), (None, None, None),
                                      ("x", "DROP TABLE", "century")])
def test_callbacks_as_plain_functions(page, search, controls):
    paragraf, dtype, grain = controls
    figure, summary = page.update_periods(search, paragraf, dtype, grain)
    assert figure is not None and isinstance(summary, str)
    out = page.update_before_after(search, paragraf, dtype, "01.01.2019", "12")
    assert len(out) == 7
    fig, text, hidden = page.update_ranking(search, paragraf, dtype, "01.01.2019", "12", "rate_per_employee")
    assert fig is not None and hidden is False  # the sample knows every office's employees


def test_callback_kpi_equals_sql_and_date_handling(page):
    kpis = page.update_before_after("", "17", "alle", "01.01.2019", "12")[0]
    values = [c.children.children.children[1].children for c in kpis]
    assert values[0] == page.fmt_int(_sql_sum("paragraf = '17'"))
    assert values[1] == page.fmt_int(_sql_sum("paragraf = '17' AND year(month) = 2018"))
    assert values[2] == page.fmt_int(_sql_sum("paragraf = '17' AND year(month) = 2019"))
    # Norwegian and ISO dates, rounded to the month; nonsense falls back to 01.01.2019 and is flagged
    assert page.parse_date("15.03.2020") == dt.date(2020, 3, 15)
    assert page.parse_date("2020-03-15") == dt.date(2020, 3, 15)
    assert page.parse_date("31.02.2020") is None and page.parse_date("<script>") is None
    out = page.update_before_after("", "17", "alle", "tull", "12")
    assert out[-1] is True and "01.01.2018–31.12.2018" in out[1]
    out = page.update_before_after("", "17", "alle", "01.01.1990", "12")
    assert "ingen hele måneder" in out[1] and out[4] == []


def test_downloads_blank_suppressed_cells(page):
    state = page.page_state("20a", "avslag", "month", "01.01.2019", "3")
    df, columns = page._before_after_download(Filters(), FULL_ACCESS, state)
    hidden = df[df["hidden"] == "ja"]
    assert len(hidden) >= 2
    assert hidden[["n_before", "n_after", "change_abs", "change_pct100"]].isna().all().all()
    assert "Før (01.10.2018–31.12.2018)" in columns.values()
    df, _ = page._period_download(Filters(office_id=_office_id("Løten")), FULL_ACCESS, state)
    assert df.loc[df["hidden"] == "ja", "n"].isna().all() and (df["hidden"] == "ja").any()
    df, _ = page._ranking_download(Filters(), FULL_ACCESS, state)
    assert df.loc[df["hidden"] == "ja", ["n", "rate_round"]].isna().all().all()


def test_callbacks_and_downloads_use_the_callers_scope(page, monkeypatch):
    monkeypatch.setattr(page, "current_scope", lambda: AGDER)
    agder_names = set(fetch("SELECT office_name FROM offices WHERE region_id = 'agder'")["office_name"])
    figure, _text, _hidden = page.update_ranking("?region=oslo-viken", "17", "alle", "01.01.2019", "12", "n")
    assert set(figure.data[0].y) and set(figure.data[0].y) <= agder_names
    rows = page.update_before_after("?region=oslo-viken", "17", "alle", "01.01.2019", "12")[4]
    assert {r["office_name"] for r in rows} <= agder_names
    df, _ = page._ranking_download(page.filters_from_search("?region=oslo-viken", AGDER), AGDER,
                                   page.page_state("17"))
    assert set(df["office_name"]) <= agder_names
