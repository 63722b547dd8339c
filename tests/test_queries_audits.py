"""Internkontroll queries against the sample warehouse built by the real ETL: rates
recomputed by hand from the mart, Wilson bounds, change between rounds, the risk
flags against the published counts, suppression, scope, and the page's callbacks
called as plain functions."""
from __future__ import annotations

import math
import sys

import dash
import pandas as pd
import pytest

from dashboard import export, stats
from dashboard.figures import audits as figures
from dashboard.queries import FULL_ACCESS, Filters, Scope, audits, clear_cache

FORBIDDEN = {"case_key", "adviser_key", "saksnummer", "veileder"}
AGDER = Scope("statsforvalter", "agder")
INNLANDET = Scope("statsforvalter", "innlandet")


@pytest.fixture(scope="module")
def wh(sample_warehouse):
    clear_cache()
    return sample_warehouse


def _mart(db, sql, params=()):
    """Read the mart directly (through the query layer's read-only connection: a
    second connection with another configuration is refused by DuckDB)."""
    from dashboard.queries import fetch

    return fetch(sql, params)


def _page():
    from dashboard.app import app  # noqa: F401  (registers the pages)

    page = next(p for p in dash.page_registry.values() if p["path"] == "/internkontroll")
    return sys.modules[page["module"]]


def _row(df, office_id, round_label, point_no):
    hit = df[(df["office_id"] == office_id) & (df["round_label"] == round_label) & (df["point_no"] == point_no)]
    assert len(hit) == 1
    return hit.iloc[0]


# ------------------------------------------------------------------ rates by hand

def test_rate_recomputed_by_hand_from_the_mart(wh):
    raw = _mart(wh, "SELECT * FROM audit_compliance WHERE office_id = 'K3403-HAMAR' AND paragraf = '20a' "
                    "AND point_no = 6 ORDER BY round_start")
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    for r in raw.itertuples():
        got = _row(df, "K3403-HAMAR", r.round_label, 6)
        assert got["n_assessed"] == r.n_ja + r.n_nei
        assert got["compliance"] == pytest.approx(r.n_ja / (r.n_ja + r.n_nei))
        assert got["n_ikke_relevant"] == r.n_ikke_relevant and got["n_blank"] == r.n_blank
        assert got["n_cases"] == r.n_cases
    # the sample: Hamar, 2nd round, § 20 a point 6: 6 ja, 4 nei -> 60 %, Wilson 31,3-83,2 %
    second = _row(df, "K3403-HAMAR", "2019 runde 2", 6)
    assert (second["n_ja"], second["n_nei"], second["compliance"]) == (6, 4, pytest.approx(0.6))
    assert second["ci_low"] == pytest.approx(0.312674, abs=1e-6)
    assert second["ci_high"] == pytest.approx(0.831820, abs=1e-6)


def test_ikke_relevant_and_blank_are_left_out_of_the_rate(wh):
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    # Ringsaker round 1 point 6: 6 ja, 3 nei, 0 ikke relevant, 1 blank -> 6/9, not 6/10
    row = _row(df, "K3411-RINGSAKER", "2019 runde 1", 6)
    assert (row["n_ja"], row["n_nei"], row["n_blank"]) == (6, 3, 1)
    assert row["compliance"] == pytest.approx(6 / 9)


def test_wilson_bounds_match_stats_and_the_formula(wh):
    df = audits.compliance(Filters(), FULL_ACCESS, "17")
    shown = df[df["status"] == audits.STATUS_OK]
    assert len(shown) > 20
    z = 1.959963984540054
    for r in shown.itertuples():
        n, k = int(r.n_assessed), int(r.n_ja)
        assert (r.ci_low, r.ci_high) == pytest.approx(stats.wilson_interval(k, n), abs=1e-12)
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        assert r.ci_low == pytest.approx(max(0.0, centre - half), abs=1e-9)
        assert r.ci_high == pytest.approx(min(1.0, centre + half), abs=1e-9)
        assert r.ci_low <= r.compliance <= r.ci_high


def test_change_from_previous_round(wh):
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    first, second = _row(df, "K3403-HAMAR", "2019 runde 1", 1), _row(df, "K3403-HAMAR", "2019 runde 2", 1)
    assert first["round_no"] == 1 and pd.isna(first["change_pp"])
    assert second["round_no"] == 2 and second["previous_round_label"] == "2019 runde 1"
    assert second["change_pp"] == pytest.approx((second["compliance"] - first["compliance"]) * 100)
    # a change next to a suppressed rate is not computed
    hidden = df[df["suppressed"]]
    for r in hidden.itertuples():
        nxt = df[(df["office_id"] == r.office_id) & (df["point_no"] == r.point_no) & (df["round_no"] == r.round_no + 1)]
        assert nxt["change_pp"].isna().all()


def test_every_office_round_and_point_is_there(wh):
    for paragraf, points in (("17", 12), ("20a", 16)):
        df = audits.compliance(Filters(), FULL_ACCESS, paragraf)
        assert df.groupby(["office_id", "round_label"])["point_no"].nunique().eq(points).all()
        assert df["office_id"].nunique() == 4 and df["round_label"].nunique() == 2
        assert len(audits.checklist(paragraf)) == points


# ------------------------------------------------------------------- suppression

def test_rate_on_fewer_than_five_cases_is_suppressed(wh):
    raw = _mart(wh, "SELECT * FROM audit_compliance WHERE n_ja + n_nei BETWEEN 1 AND 4 AND paragraf = '20a'")
    assert len(raw) > 0, "the sample should have small cells"
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    for r in raw.itertuples():
        got = _row(df, r.office_id, r.round_label, r.point_no)
        assert bool(got["suppressed"]) and got["status"] == audits.STATUS_SUPPRESSED
        for col in audits.SUPPRESSED_VALUES:
            assert pd.isna(got[col]), col
        assert got["n_cases"] == r.n_cases  # the number of cases checked is not secret
    # cells with 0 judged cases are not suppressed (nothing to hide) but have no rate
    none = df[df["status"] == audits.STATUS_NONE]
    assert len(none) and (none["n_assessed"] == 0).all() and none["compliance"].isna().all()
    # five or more: shown
    assert (df.loc[df["status"] == audits.STATUS_OK, "n_assessed"] >= 5).all()


def test_suppressed_cells_are_blank_in_downloads(wh):
    page = _page()
    df = page.compliance_table(Filters(), FULL_ACCESS, "20a")
    hidden = df[df["suppressed"]].iloc[0]
    csv = export.to_csv_bytes(df, page.DOWNLOAD_COLUMNS).decode("utf-8-sig").splitlines()
    header = csv[0].split(";")
    line = next(row.split(";") for row in csv[1:]
                if row.split(";")[header.index("Kontor")] == hidden["office_name"]
                and row.split(";")[header.index("Runde")] == hidden["round_label"]
                and row.split(";")[header.index("Punkt")] == str(hidden["point_no"]))
    for col in ("Vurdert (ja + nei)", "Ja", "Nei", "Ikke relevant", "Blanke", "Andel ja (%)",
                "95 % KI nedre (%)", "95 % KI øvre (%)"):
        assert line[header.index(col)] == "", col
    assert "Skjult" in line[header.index("Merknad")]


def test_threshold_comes_from_config_when_present(wh, monkeypatch):
    from dashboard import config

    class WithThreshold:
        suppression_threshold = 10

    monkeypatch.setattr(config, "settings", lambda *a, **k: WithThreshold())
    assert audits.suppression_threshold() == 10
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    shown = df.loc[df["n_assessed"].notna(), "n_assessed"]
    assert (shown.eq(0) | shown.ge(10)).all()  # zero is publishable
    assert df["suppressed"].sum() > 16  # 16 at the default threshold of 5
    monkeypatch.undo()
    monkeypatch.setenv("TILTAKSMONITOR_SUPPRESSION_MIN", "7")
    assert audits.suppression_threshold() == 7
    monkeypatch.delenv("TILTAKSMONITOR_SUPPRESSION_MIN")
    assert audits.suppression_threshold() == stats.SUPPRESSION_THRESHOLD


def test_compute_compliance_pure():
    raw = pd.DataFrame({
        "office_id": ["a", "a", "a", "a"], "office_name": ["A"] * 4, "region_id": ["r"] * 4,
        "round_label": ["r1", "r2", "r1", "r2"],
        "round_start": pd.to_datetime(["2019-06-01", "2019-11-01", "2019-06-01", "2019-11-01"]),
        "paragraf": ["17"] * 4, "point_no": [1, 1, 2, 2], "point_text": ["x", "x", "y", "y"],
        "n_cases": [10, 10, 10, 10], "n_ja": [8, 9, 3, 0], "n_nei": [2, 1, 1, 0],
        "n_ikke_relevant": [0, 0, 6, 10], "n_blank": [0, 0, 0, 0],
    })
    df = audits.compute_compliance(raw, threshold=5)
    assert list(df["status"]) == ["vist", "skjult", "vist", "ingen_vurderte"]
    assert df.loc[2, "change_pp"] == pytest.approx(10.0)
    assert pd.isna(df.loc[1, "compliance"]) and pd.isna(df.loc[1, "n_ikke_relevant"])
    empty = audits.compute_compliance(raw.iloc[0:0], threshold=5)
    assert empty.empty and list(empty.columns) == audits.COMPLIANCE_COLUMNS


# ------------------------------------------------------------------------ risks

def test_risk_flags_equal_the_published_counts(wh):
    summary = audits.risk_summary(Filters(), FULL_ACCESS)
    assert len(summary) == 5
    assert list(summary["n_flagged"]) == list(summary["published_offices"])
    assert sorted(summary["n_flagged"]) == [2, 2, 2, 3, 3]
    assert (summary["n_offices"] == 4).all() and summary["matches_published"].all()
    assert set(summary["flagged_text"]) == {"2 av 4 kontorer", "3 av 4 kontorer"}


def test_risk_flag_is_latest_round_rate_below_threshold(wh):
    per_office = audits.risk_offices(Filters(), FULL_ACCESS)
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    for r in per_office.itertuples():
        latest = df[(df["office_id"] == r.office_id)]["round_no"].max()
        row = df[(df["office_id"] == r.office_id) & (df["round_no"] == latest) & (df["point_no"] == r.point_no)]
        assert r.compliance == pytest.approx(row["compliance"].iloc[0])
        assert bool(r.is_flagged) == (row["compliance"].iloc[0] < r.threshold)
    # endringsvedtak (point 15): Hamar 7/10 and Ringsaker 6/10 are under 75 %
    flagged = per_office[(per_office["risk_id"] == "endringsvedtak") & per_office["is_flagged"].fillna(False)]
    assert sorted(flagged["office_name"]) == ["NAV Hamar", "NAV Ringsaker"]


def test_an_office_filter_narrows_the_count(wh):
    summary = audits.risk_summary(Filters(office_id="K3403-HAMAR"), FULL_ACCESS)
    assert (summary["n_offices"] == 1).all()
    assert summary["flagged_text"].str.endswith("av 1 kontorer").all()


# ------------------------------------------------------------------------ scope

def test_statsforvalter_agder_gets_no_innlandet_offices(wh):
    for paragraf in ("17", "20a"):
        assert audits.compliance(Filters(), AGDER, paragraf).empty
        # asking for Innlandet does not help
        assert audits.compliance(Filters(region_id="innlandet"), AGDER, paragraf).empty
    assert audits.risk_offices(Filters(region_id="innlandet"), AGDER).empty
    summary = audits.risk_summary(Filters(), AGDER)
    assert (summary["n_offices"] == 0).all() and summary["flagged_offices"].eq("").all()
    own = audits.compliance(Filters(), INNLANDET, "20a")
    assert own["office_id"].nunique() == 4 and set(own["region_id"]) == {"innlandet"}


def test_year_filter(wh):
    assert audits.compliance(Filters(2021, 2023), FULL_ACCESS, "17").empty
    assert len(audits.compliance(Filters(2019, 2019), FULL_ACCESS, "17")) == 96


def test_no_case_or_adviser_columns_anywhere(wh):
    page = _page()
    frames = [audits.compliance(Filters(), FULL_ACCESS, p) for p in ("17", "20a")] + [
        audits.risk_offices(Filters(), FULL_ACCESS), audits.risk_summary(Filters(), FULL_ACCESS),
        audits.risks(), audits.checklist("17"), page.compliance_table(Filters(), FULL_ACCESS, "17"),
        page.risk_table(Filters(), FULL_ACCESS), page.risk_office_table(Filters(), FULL_ACCESS),
    ]
    for df in frames:
        assert not FORBIDDEN & {c.lower() for c in df.columns}, df.columns
    for sql in (audits.COMPLIANCE_SQL, audits.RISKS_SQL, audits.CHECKLIST_SQL):
        assert "audit_cases" not in sql and "audit_checks" not in sql
        assert not any(word in sql for word in FORBIDDEN)


def test_bad_paragraf_is_refused(wh):
    with pytest.raises(ValueError):
        audits.compliance(Filters(), FULL_ACCESS, "17'; DROP TABLE x; --")


# ---------------------------------------------------------- callbacks, no browser

@pytest.mark.parametrize("search", ["", "?region=agder", "?fra=2021&til=2023", "?kontor=K3412-LOTEN",
                                    "?region=%27%3B--", "?" + "x" * 2000])
@pytest.mark.parametrize("paragraf,measure", [("20a", "compliance"), ("17", "change"), ("evil", None)])
def test_callbacks_as_functions(wh, search, paragraf, measure):
    page = _page()
    kpis, fig, summary, rows = page.update_compliance(search, paragraf, measure)
    assert len(kpis) == 4 and isinstance(summary, str)
    assert fig.layout.separators == ", "
    if not rows:
        assert fig.layout.annotations  # the empty state says why
    for r in rows:
        assert not FORBIDDEN & set(r)
    table, risk_fig, text = page.update_risks(search)
    assert isinstance(text, str) and risk_fig.layout.separators == ", "


def test_heatmap_marks_suppressed_cells(wh):
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    fig = figures.compliance_heatmap(df, audits.checklist("20a"))
    grey, values = fig.data
    marks = [t for row in grey.text for t in row]
    assert marks.count(":") == int(df["suppressed"].sum())
    assert marks.count("–") == int((df["status"] == audits.STATUS_NONE).sum())
    assert len(values.y) == 16 and len(values.x[0]) == 8
    shown = [t for row in values.text for t in row if t]
    assert len(shown) == int((df["status"] == audits.STATUS_OK).sum())
    assert figures.compliance_heatmap(df.iloc[0:0]).layout.annotations[0].text == "Ingen data for valgte filtre"


def _run_with_trigger(fn, prop_id, *args):
    from contextvars import copy_context

    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": None}]))
        return fn(*args)

    return copy_context().run(run)


def test_download_callback_uses_the_paragraf_and_blanks_hidden_cells(wh):
    import base64
    import io

    from openpyxl import load_workbook

    page = _page()
    out = _run_with_trigger(page.download_heatmap, "internkontroll-varmekart-last-ned-csv.n_clicks", 1, 0, "", "17")
    text = base64.b64decode(out["content"]).decode("utf-8-sig")
    assert out["filename"].startswith("tiltaksmonitor_internkontroll-etterlevelse_")
    assert out["filename"].endswith(".csv")
    lines = text.splitlines()
    assert len(lines) == 1 + 96 and all(";§ 17;" in line for line in lines[1:])
    hidden = [line.split(";") for line in lines[1:] if "Skjult" in line]
    assert len(hidden) == int(audits.compliance(Filters(), FULL_ACCESS, "17")["suppressed"].sum())
    header = lines[0].split(";")
    for row in hidden:
        assert row[header.index("Andel ja (%)")] == "" and row[header.index("Ikke relevant")] == ""
    out = _run_with_trigger(page.download_table, "internkontroll-tabell-last-ned-xlsx.n_clicks", 0, 1,
                            "?region=agder", "20a")
    sheet = load_workbook(io.BytesIO(base64.b64decode(out["content"]))).active
    assert sheet.max_row == 1  # Agder: headers only
