"""Egenvurdering queries against the sample warehouse (built once per session by the
real ETL): the published figures for 2021 (mode 3, mean about 2.7; 203 funded, 22
blank forms), 'Ikke relevant' and blank never in a mean, one scale at a time,
scope; and the page callbacks as plain functions."""
from __future__ import annotations

import sys

import dash
import pytest

from dashboard.queries import FULL_ACCESS, Filters, Scope, fetch, fetch_value
from dashboard.queries import self_assessment as q

Y2021 = Filters(2021, 2021)
AGDER = Scope("statsforvalter", "agder")


@pytest.fixture(scope="module")
def wh(sample_warehouse):
    return sample_warehouse


def _published(figure_id: str) -> float:
    return float(fetch_value("SELECT value FROM ref_published WHERE figure_id = $f", {"f": figure_id}))


def test_2021_version_1_matches_the_published_figures(wh):
    o = q.overall(Y2021, FULL_ACCESS, 1)
    assert o["mode_score"] == _published("self_assessment_mode") == 3
    assert 2.6 <= o["mean_score"] <= 2.8
    assert abs(o["mean_score"] - _published("self_assessment_mean")) < 0.1
    # blank forms left out and counted apart: 203 funded = answered + blank
    assert o["n_blank_forms"] == _published("blank_forms_2021") == 22
    assert o["n_reports"] + o["n_blank_forms"] == _published("funded_2021") == 203
    pub = q.published()
    assert (pub["mode"], pub["mean"]) == (3.0, 2.7)


def test_not_relevant_and_blank_never_in_the_mean(wh):
    o = q.overall(Y2021, FULL_ACCESS, 1)
    direct = fetch("""
        SELECT avg(score) FILTER (WHERE answer_kind = 'score') AS mean_scores,
               count(*) FILTER (WHERE answer_kind = 'score') AS n_scores,
               count(*) FILTER (WHERE answer_kind = 'ikke_relevant') AS n_ir,
               count(*) FILTER (WHERE answer_kind = 'blank') AS n_blank,
               count(*) FILTER (WHERE answer_kind <> 'score' AND score IS NOT NULL) AS n_scored_non_scores
        FROM self_assessment WHERE report_year = 2021 AND form_version = 1 AND NOT is_blank_form""").iloc[0]
    assert o["n_not_relevant"] == direct["n_ir"] > 0 and o["n_blank"] == direct["n_blank"] > 0
    assert o["n_scored"] == direct["n_scores"]
    assert o["mean_score"] == pytest.approx(direct["mean_scores"])
    # counting 'Ikke relevant'/blank as 0 would have pulled the mean down: it did not
    as_zero = direct["mean_scores"] * direct["n_scores"] / (direct["n_scores"] + direct["n_ir"] + direct["n_blank"])
    assert o["mean_score"] > as_zero + 0.05
    summary = q.question_summary(Y2021, FULL_ACCESS, 1)
    dist = q.distribution(Y2021, FULL_ACCESS, 1)
    assert len(summary) == 14 and summary["question_text"].notna().all()
    assert summary["n_scored"].sum() == o["n_scored"] == dist["n"].sum()
    assert summary["n_not_relevant"].sum() == o["n_not_relevant"]
    # per question, the distribution's shares are over scores only and sum to 1
    assert dist.groupby("question_no")["share"].sum().round(9).eq(1).all()
    per_q = dist.assign(w=dist["score"] * dist["n"]).groupby("question_no")[["w", "n"]].sum()
    assert (per_q["w"] / per_q["n"]).round(9).tolist() == summary["mean_score"].round(9).tolist()


def test_question_texts_and_labels_come_from_the_warehouse(wh):
    summary = q.question_summary(Filters(), FULL_ACCESS, 1)
    ref = fetch("SELECT question_no, question_text FROM ref_questions ORDER BY question_no")
    assert summary["question_text"].tolist() == ref["question_text"].tolist()
    labels = fetch("SELECT label FROM ref_scale WHERE form_version = 1 ORDER BY score")["label"].tolist()
    assert q.scale(1)["label"].tolist() == labels


def test_version_2_distribution_uses_1_to_7_and_is_not_mixed(wh):
    dist = q.distribution(Filters(), FULL_ACCESS, 2)
    assert sorted(dist["score"].unique()) == list(range(1, 8))
    assert dist["n"].sum() == fetch_value(
        "SELECT count(*) FROM self_assessment WHERE form_version = 2 AND answer_kind = 'score' AND NOT is_blank_form")
    v1 = q.distribution(Filters(), FULL_ACCESS, 1)
    assert sorted(v1["score"].unique()) == [0, 1, 2, 3]
    o2 = q.overall(Filters(), FULL_ACCESS, 2)
    assert 1 <= o2["mean_score"] <= 7 and o2["n_reports"] == 5
    top = dist[dist["is_top"]]
    assert set(top["score"]) == {7}
    versions = q.versions(Filters(), FULL_ACCESS)
    assert versions.set_index("form_version")[["scale_min", "scale_max"]].loc[2].tolist() == [1, 7]


def test_scope_and_filters(wh):
    asked = Filters(region_id="oslo-viken")
    o = q.overall(asked, AGDER, 1)
    expected = fetch_value("SELECT count(*) FROM self_assessment WHERE region_id = 'agder' AND form_version = 1 "
                           "AND answer_kind = 'score' AND NOT is_blank_form")
    assert o["n_scored"] == expected
    slutt = q.overall(Filters(2021, 2021, report_type="slutt"), FULL_ACCESS, 1)
    assert slutt["n_reports"] == fetch_value(
        "SELECT count(*) FROM reports WHERE report_year = 2021 AND report_type = 'slutt' AND form_version = 1 "
        "AND NOT is_blank_form")
    empty = q.overall(Filters(2021, 2021), FULL_ACCESS, 2)  # version 2 only in 2023
    assert empty["n_scored"] == 0 and empty["mean_score"] is None and empty["mode_score"] is None


# ---------------------------------------------------------------- callbacks

@pytest.fixture(scope="module")
def page(wh):
    from dashboard.app import app  # noqa: F401 - registers the pages

    entry = next(p for p in dash.page_registry.values() if p["path"] == "/egenvurdering")
    return sys.modules[entry["module"]]


def _kpi_values(cards) -> dict:
    out = {}
    for c in cards:
        label, value, note = (p.children for p in c.children.children.children)
        out[label] = (value, note)
    return out


def test_callback_shows_published_reference_and_warehouse_numbers(page):
    kpis = _kpi_values(page.update("?fra=2021&til=2021", "1")[0])
    assert kpis["Snitt"] == (page.fmt_decimal(q.overall(Y2021, FULL_ACCESS, 1)["mean_score"], 2),
                             "Publisert: typetall 3, snitt 2,7")
    assert kpis["Typetall"][0] == "3"
    assert kpis["Blanke skjema"][0] == "22"
    kpis2 = _kpi_values(page.update("", "2")[0])
    assert "ikke sammenlignbar" in kpis2["Snitt"][1]  # the published figure is on the 0-3 scale


@pytest.mark.parametrize("search", ["", "?fra=2021&til=2021", "?region=agder&type=slutt", "?kontor=%3Cscript%3E"])
@pytest.mark.parametrize("version", ["1", "2", None, "99", "x"])
def test_callbacks_as_plain_functions(page, search, version):
    out = page.update(search, version)
    assert len(out) == 7
    options = page.update_versions(search)
    assert [o["value"] for o in options] == ["1", "2"]


def test_download_tables_have_scale_labels_as_headers(page):
    df, columns = page.summary_table(Filters(), FULL_ACCESS, 2)
    assert "7 – Svært mye" in columns.values() and "Ikke relevant" in columns.values()
    assert len(df) == 14
    df, columns = page.summary_table(Filters(), FULL_ACCESS, 1)
    assert "3 = Ja, i stor grad" in columns.values()


def test_callback_uses_the_callers_scope(page, monkeypatch):
    monkeypatch.setattr(page, "current_scope", lambda: AGDER)
    kpis = _kpi_values(page.update("?region=oslo-viken", "1")[0])
    expected = fetch_value("SELECT count(*) FROM reports WHERE region_id = 'agder' AND form_version = 1 "
                           "AND NOT is_blank_form")
    assert kpis["Rapporter i fordelingen"][0] == page.fmt_int(expected)
