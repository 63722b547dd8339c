"""Utvelgelse queries against the sample warehouse built by the real ETL: the funnel,
the raters' crosstabs and Cohen's kappa against the published figures, the
disagreement list and its scope, and the page's callbacks as plain functions."""
from __future__ import annotations

import sys

import dash
import pandas as pd
import pytest

from dashboard.figures import selection as figures
from dashboard.queries import FULL_ACCESS, Filters, Scope, clear_cache, selection

FORBIDDEN = {"case_key", "adviser_key", "saksnummer", "veileder"}
AGDER = Scope("statsforvalter", "agder")
F = Filters()


@pytest.fixture(scope="module")
def wh(sample_warehouse):
    clear_cache()
    return sample_warehouse


def _page():
    from dashboard.app import app  # noqa: F401  (registers the pages)

    page = next(p for p in dash.page_registry.values() if p["path"] == "/utvelgelse")
    return sys.modules[page["module"]]


# ----------------------------------------------------------------------- funnel

def test_funnel_matches_the_published_selection(wh):
    df = selection.funnel(F, FULL_ACCESS, 2021)
    assert list(df["stage_id"]) == ["funded", "not_blank", "screened", "depth", "felles", "case", "methods"]
    assert list(df["n_tiltak"]) == [203, 181, 181, 147, 23, 10, 7]
    assert list(df["n_removed"].fillna(-1)) == [-1, 22, 0, 34, 124, 13, 3]
    published = df.dropna(subset=["published"])
    assert list(published["stage_id"]) == ["funded", "not_blank", "screened", "depth", "felles", "case", "methods"]
    assert published["matches_published"].all()


def test_funnel_is_national(wh):
    national = selection.funnel(F, FULL_ACCESS, 2021)
    assert selection.funnel(Filters(region_id="agder"), AGDER, 2021).equals(national)


def test_cohort_choices(wh):
    assert selection.cohort_years() == [2019, 2020, 2021, 2022, 2023]
    assert selection.selection_cohorts() == [2021]  # the only year the ratings belong to
    assert selection.valid_cohort("2021") == 2021
    for junk in (None, "", "2019", "2021 OR 1=1", "x" * 500, 3.5):
        assert selection.valid_cohort(junk) == 2021
    assert selection.funnel_notes(F, FULL_ACCESS, 2021) == {"not_screened": 0, "rated_outside": 0, "one_rater": 0}


def test_other_cohort_has_no_published_figures(wh):
    df = selection.funnel(F, FULL_ACCESS, 2022)
    assert df["published"].isna().all() and df["n_tiltak"].iloc[0] == 200
    assert selection.agreement_table(F, FULL_ACCESS, 2022)["published"].isna().all()


def test_compute_funnel_pure():
    cohort = pd.DataFrame({"tiltak_id": list("abcdef"), "is_blank": [False] * 5 + [True]})
    r = [  # (tiltak, phase, rater, decision)
        ("a", "screening", "X", "inn"), ("a", "screening", "Y", "inn"),
        ("b", "screening", "X", "ut"), ("b", "screening", "Y", "ut"),      # out by both
        ("c", "screening", "X", "ut"), ("c", "screening", "Y", "inn"),     # out by one: goes on
        ("d", "screening", "X", "inn"),                                     # one rater only
        ("f", "screening", "X", "inn"), ("f", "screening", "Y", "inn"),    # blank form: not counted
        ("a", "dybde", "X", "inn"), ("a", "dybde", "Y", "ut"),
        ("c", "dybde", "X", "ut"), ("c", "dybde", "Y", "ut"),
        ("a", "felles", "F", "inn"), ("a", "case", "F", "inn"),
    ]
    ratings = pd.DataFrame(r, columns=["tiltak_id", "phase", "rater", "decision"])
    df = selection.compute_funnel(cohort, ratings)
    assert list(df["n_tiltak"]) == [6, 5, 4, 3, 1, 1, 1]  # e not screened; d not rated in depth
    assert df["published"].isna().all()
    sets = selection.funnel_sets(cohort, ratings)
    raters, pairs = selection.phase_pairs(ratings, "screening", sets["screened"])
    assert raters == ["X", "Y"] and len(pairs) == 3  # d has one rater only
    assert selection.crosstab_counts(pairs) == [[1, 1], [0, 1]]


def test_raters_are_found_not_hard_coded():
    ratings = pd.DataFrame([("a", "screening", "Zoe", "inn"), ("a", "screening", "Ada", "ut")],
                           columns=["tiltak_id", "phase", "rater", "decision"])
    raters, pairs = selection.phase_pairs(ratings, "screening", {"a"})
    assert raters == ["Ada", "Zoe"]
    assert pairs.iloc[0].to_dict() == {"tiltak_id": "a", "decision_1": "ut", "decision_2": "inn"}


# ---------------------------------------------------------------- agreement

@pytest.mark.parametrize("phase,table,kappa,z,observed,expected,band", [
    ("screening", ((34, 20), (20, 107)), 0.4721, 6.35, 0.7790, 0.5813, "Moderat"),
    ("dybde", ((124, 9), (9, 5)), 0.2895, 3.51, 0.8776, 0.8277, "Rimelig"),
])
def test_crosstab_and_kappa_as_published(wh, phase, table, kappa, z, observed, expected, band):
    a = selection.agreement(F, FULL_ACCESS, 2021, phase)
    assert a.raters == ("Forsker A", "Forsker B")
    assert a.table == table and a.n_pairs == sum(map(sum, table))
    assert round(a.kappa.kappa, 4) == kappa
    assert round(a.kappa.z, 2) == z
    assert round(a.kappa.observed, 4) == observed and round(a.kappa.expected, 4) == expected
    assert a.kappa.band == band
    tab = selection.crosstab(F, FULL_ACCESS, 2021, phase)
    assert list(tab["n"]) == [table[0][0], table[0][1], table[1][0], table[1][1]]
    assert list(tab["rater_1_decision"]) == ["Ut", "Ut", "Inn", "Inn"]


def test_p_values_as_stata_prints_them(wh):
    screening = selection.agreement(F, FULL_ACCESS, 2021, "screening").kappa
    depth = selection.agreement(F, FULL_ACCESS, 2021, "dybde").kappa
    assert figures.measure_text("p", screening.p) == "0,0000"
    assert figures.measure_text("p", depth.p) == "0,0002"


def test_agreement_table_computed_beside_published(wh):
    df = selection.agreement_table(F, FULL_ACCESS, 2021)
    published = df.dropna(subset=["published"])
    assert len(published) == 12  # n, observed, expected, kappa, Z and P for each phase
    for r in published.itertuples():
        decimals = 2 if r.measure == "z" else 4
        assert round(r.computed, decimals) == pytest.approx(r.published), (r.phase, r.measure)
    kappas = df[df["measure"] == "kappa"].set_index("phase")
    assert figures.kappa_text(kappas.loc["screening", "computed"]) == "0,4721"
    assert figures.kappa_text(kappas.loc["dybde", "computed"]) == "0,2895"


# ------------------------------------------------------------ disagreements

def test_disagreements_are_the_off_diagonal(wh):
    screening = selection.disagreements(F, FULL_ACCESS, 2021, "screening")
    depth = selection.disagreements(F, FULL_ACCESS, 2021, "dybde")
    assert len(screening) == 40 and len(depth) == 18
    for df in (screening, depth):
        assert list(df.columns) == selection.DISAGREEMENT_COLUMNS
        assert (df["decision_1"] != df["decision_2"]).all()
        assert set(df["rater_1"]) == {"Forsker A"} and set(df["rater_2"]) == {"Forsker B"}
        assert df["tiltak_name"].notna().all() and df["office_name"].notna().all()
        assert df["tiltak_id"].is_unique
    assert (screening["decision_1"] == "Ut").sum() == 20


def test_statsforvalter_sees_own_region_only(wh):
    national = selection.disagreements(F, FULL_ACCESS, 2021, "screening")
    for phase in ("screening", "dybde"):
        agder = selection.disagreements(Filters(region_id="innlandet"), AGDER, 2021, phase)
        assert set(agder["region_name"]) <= {"Agder"}
        assert "Innlandet" not in set(agder["region_name"])
    agder = selection.disagreements(F, AGDER, 2021, "screening")
    assert len(agder) == (national["region_name"] == "Agder").sum()
    chosen = selection.disagreements(Filters(region_id="innlandet"), FULL_ACCESS, 2021, "screening")
    assert set(chosen["region_name"]) <= {"Innlandet"}


def test_no_case_or_adviser_columns_anywhere(wh):
    page = _page()
    frames = [
        selection.funnel(F, FULL_ACCESS), selection.agreement_table(F, FULL_ACCESS),
        selection.crosstab(F, FULL_ACCESS, 2021, "screening"),
        selection.disagreements(F, FULL_ACCESS, 2021, "dybde"), page.funnel_table(F, FULL_ACCESS, "2021"),
        page.agreement_rows(F, FULL_ACCESS, "2021"), page.disagreement_table(F, FULL_ACCESS, "2021", "screening"),
    ]
    for df in frames:
        assert not FORBIDDEN & {c.lower() for c in df.columns}, df.columns


def test_bad_phase_is_refused(wh):
    with pytest.raises(ValueError):
        selection.agreement(F, FULL_ACCESS, 2021, "felles")
    with pytest.raises(ValueError):
        selection.disagreements(F, FULL_ACCESS, 2021, "x'; --")


# ---------------------------------------------------------- callbacks, no browser

@pytest.mark.parametrize("search", ["", "?region=agder", "?region=innlandet&kontor=nope", "?" + "x" * 2000])
@pytest.mark.parametrize("cohort", ["2021", "1999", None, "<script>"])
def test_callbacks_as_functions(wh, search, cohort):
    page = _page()
    fig, summary, table, notes, screening, depth = page.update_selection(search, cohort)
    assert summary.startswith("Kohort 2021: finansierte tiltak 203")
    assert list(fig.data[0].x) == [203, 181, 181, 147, 23, 10, 7]
    assert "0,4721" in str(screening) and "0,2895" in str(depth)
    assert "6,35" in str(screening) and "3,51" in str(depth)
    screening_list, depth_list = page.update_disagreements(search, cohort)
    if "agder" in search:
        assert "Innlandet" not in str(screening_list) + str(depth_list)


def test_download_frames(wh):
    from dashboard import export

    page = _page()
    csv = export.to_csv_bytes(page.funnel_table(F, FULL_ACCESS, "2021"), page.FUNNEL_DOWNLOAD_COLUMNS)
    text = csv.decode("utf-8-sig")
    assert "2021;1;Finansierte tiltak;Tiltak med rapport for kohortåret;203;;203;Ja" in text
    assert "2021;7;Lovende metoder;Tatt videre etter casestudien (intervjuer);7;3;7;Ja" in text
    rows = page.agreement_rows(F, FULL_ACCESS, "2021", "screening")
    assert set(rows["phase"]) == {"screening"} and len(rows) == 4 + len(selection.MEASURES)
    export.to_xlsx_bytes(rows, page.AGREEMENT_DOWNLOAD_COLUMNS)
    df = page.disagreement_table(F, FULL_ACCESS, "2021", "dybde")
    export.to_csv_bytes(df, {"phase": "Fase", **page.disagreement_columns(df)})


def test_download_callback_uses_the_cohort(wh):
    import base64
    from contextvars import copy_context

    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    page = _page()

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "utvelgelse-trakt-last-ned-csv.n_clicks",
                                                           "value": None}]))
        return page.download_funnel(1, 0, "", "2021")

    out = copy_context().run(run)
    text = base64.b64decode(out["content"]).decode("utf-8-sig")
    assert [line.split(";")[4] for line in text.splitlines()[1:]] == ["203", "181", "181", "147", "23", "10", "7"]
