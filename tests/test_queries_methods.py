"""Lovende metoder and Replikering against the generated sample warehouse: the seven
methods and their offices and start years as DOMAIN.md gives them, the Vedlegg A
matrix, replication counts (comparison offices never counted), the Statsforvalter
scope, the figures, and the pages' callbacks and layouts called as plain functions."""
from __future__ import annotations

import sys

import dash
import pandas as pd
import pytest

from dashboard.queries import FULL_ACCESS, Filters, Scope
from dashboard.queries import methods as q

AGDER = Scope("statsforvalter", "agder")
OSLO_VIKEN = Scope("statsforvalter", "oslo-viken")

#: DOMAIN.md, 'The seven promising methods': method -> (office, start year)
SEVEN = {
    "festesona": ("NAV Alna", 2021),
    "jobbsentralen": ("NAV Asker", 2019),
    "ssa": ("NAV Frogner", 2020),
    "nye-monstre": ("NAV Grimstad", 2018),
    "skolekompasset": ("NAV Grünerløkka", 2018),
    "back-to-school": ("NAV Midt-Telemark", 2019),
    "oygarden-modellen": ("NAV Øygarden", 2019),
}


@pytest.fixture
def wh(sample_warehouse, monkeypatch):
    """The sample warehouse for this test (other tests may point elsewhere)."""
    from dashboard.queries import clear_cache
    from etl import config as etl_config

    monkeypatch.setenv(etl_config.DB_ENV, str(sample_warehouse))
    clear_cache()
    yield sample_warehouse
    clear_cache()


def _page(path: str):
    import dashboard.app  # noqa: F401  (registers the pages)

    page = next(p for p in dash.page_registry.values() if p.get("path_template") == path or p["path"] == path)
    return sys.modules[page["module"]]


# ------------------------------------------------------------------- catalogue

def test_seven_methods_with_their_offices_and_start_years(wh):
    df = q.methods(Filters(), FULL_ACCESS)
    assert len(df) == 7
    got = {m: (o, int(y)) for m, o, y in df[["method_id", "office_name", "start_year"]].itertuples(index=False)}
    assert got == SEVEN
    assert sorted(df["office_name"]) == ["NAV Alna", "NAV Asker", "NAV Frogner", "NAV Grimstad",
                                         "NAV Grünerløkka", "NAV Midt-Telemark", "NAV Øygarden"]
    ssa = df.set_index("method_id").loc["ssa"]
    assert ssa["short_name"] == "SSA" and ssa["ages"] == "18–67 år"
    assert "innvandrere" in ssa["categories"]


def test_catalogue_is_the_same_for_every_scope(wh):
    national = q.methods(Filters(), FULL_ACCESS)
    agder = q.methods(Filters(region_id="agder"), AGDER)
    pd.testing.assert_frame_equal(national, agder)


def test_criteria_matrix_has_13_rows_per_method(wh):
    df = q.criteria(Filters(), FULL_ACCESS)
    assert df.groupby("method_id").size().to_dict() == {m: 13 for m in SEVEN}
    assert set(df["answer"]) <= {"ja", "nei", "ukjent"}
    assert set(df["criterion_code"]) == {f"k{i:02d}" for i in range(1, 14)}
    assert df["criterion_text"].notna().all() and (df["criterion_text"].str.len() > 5).all()
    k07 = df.loc[df["criterion_code"] == "k07", "criterion_text"].iloc[0]
    assert k07.startswith("Ikke avhengig av knappe innsatsfaktorer")
    assert set(df["answer_label"]) <= {"Oppfylt", "Ikke oppfylt", "Ukjent"}


def test_criteria_come_from_the_case_phase_when_it_has_them(wh):
    from dashboard.queries import fetch

    df = q.criteria(Filters(), FULL_ACCESS)
    assert set(df["phase"]) == {"case"}
    # SSA: the case study's judgement, not the joint review's (they differ in k01)
    ssa = df[df["method_id"] == "ssa"].set_index("criterion_code")["answer"]
    raw = fetch("SELECT phase, k01 FROM ratings WHERE tiltak_id = 'T2020-001' AND phase IN ('case', 'felles')")
    assert ssa["k01"] == raw.set_index("phase").loc["case", "k01"]
    counts = q.methods(Filters(), FULL_ACCESS).set_index("method_id")
    assert (counts["n_met"] + counts["n_not_met"] + counts["n_unknown"] == 13).all()
    assert counts.loc["ssa", "n_met"] == int((ssa == "ja").sum())


def test_one_method_and_unknown_ids(wh):
    assert q.method("ssa")["office_name"].iloc[0] == "NAV Frogner"
    for bad in ("finnes-ikke", "SSA'; DROP TABLE methods;--", "", None, "../etc/passwd", "x" * 500):
        assert q.method(bad).empty
    assert q.method_reports("finnes-ikke", FULL_ACCESS).empty
    assert q.method_replications("x'; --", FULL_ACCESS).empty


# ------------------------------------------------------------------ replication

def test_follow_up_offices_and_nye_monstre_replications(wh):
    rows = q.replications(Filters(), FULL_ACCESS)
    follow = rows[rows["role"] == "folgeprosjekt"].groupby("method_id")["office_name"].apply(set)
    assert follow.to_dict() == {"ssa": {"NAV Drammen", "NAV Sandnes", "NAV Tromsø"},
                                "back-to-school": {"NAV Skien", "NAV Gjøvik", "NAV Molde"}}
    nye = rows[(rows["method_id"] == "nye-monstre") & (rows["role"] == "replikering")]
    assert set(nye["office_name"]) == {"NAV Lindesnes", "NAV Lister"}
    origin = rows[rows["role"] == "opprinnelig"].set_index("method_id")["office_name"].to_dict()
    assert origin == {m: o for m, (o, _y) in SEVEN.items()}
    # the sample's invented offices say so in the note
    assert rows.loc[rows["role"] == "folgeprosjekt", "note"].str.startswith("Eksempeldata").all()
    assert set(rows["role_label"]) == {"Opprinnelig", "Replikering", "Følgeprosjekt", "Sammenligning"}


def test_counts_never_include_comparison_offices(wh):
    by_method = q.counts_by_method(Filters(), FULL_ACCESS).set_index("method_id")
    assert len(by_method) == 7
    assert by_method.loc["ssa", "n_folgeprosjekt"] == 3 and by_method.loc["ssa", "n_replications"] == 3
    assert by_method.loc["back-to-school", "n_folgeprosjekt"] == 3
    assert by_method.loc["nye-monstre", "n_replikering"] == 2
    assert by_method.loc["nye-monstre", "n_comparison"] == 3
    assert by_method.loc["nye-monstre", "n_replications"] == 2  # not 5
    assert by_method.loc["festesona", "n_replications"] == 0
    assert by_method["n_replications"].sum() == 8
    rows = q.replications(Filters(), FULL_ACCESS)
    assert not rows.loc[rows["role"] == "sammenligning", "is_replication"].any()
    by_region = q.counts_by_region(Filters(), FULL_ACCESS).set_index("region_id")
    assert len(by_region) == 10 and by_region["n_replications"].sum() == 8
    assert by_region.loc["agder", "n_replications"] == 2  # Lindesnes, Lister
    # the comparison offices' regions (Nordland: Bodø) get nothing
    assert by_region.loc["nordland", "n_replications"] == 0


def test_open_ends_stop_at_the_data_horizon_not_today(wh):
    from dashboard.queries import fetch_value

    horizon = q.data_horizon()
    latest_report = fetch_value("SELECT CAST(max(submitted_at) AS DATE) FROM reports")
    assert horizon >= latest_report and horizon.year < 2100
    rows = q.replications(Filters(), FULL_ACCESS)
    open_rows = rows[rows["is_open"]]
    assert len(open_rows) > 0
    assert (open_rows["plot_end"] == pd.Timestamp(horizon)).all()
    closed = rows[~rows["is_open"]]
    assert (closed["plot_end"] == closed["end_date"]).all()


def test_statsforvalter_sees_own_region_in_the_matrix(wh):
    matrix = q.replication_matrix(Filters(), AGDER)
    assert set(matrix["office_name"]) == {"NAV Grimstad", "NAV Lindesnes", "NAV Lister"}
    assert "NAV Alna" not in set(matrix["office_name"])
    # asking for another region does not help
    other = q.replication_matrix(Filters(region_id="oslo-viken"), AGDER)
    assert "NAV Alna" not in set(other["office_name"]) and "NAV Grimstad" in set(other["office_name"])
    assert set(q.replications(Filters(), AGDER)["region_id"]) == {"agder"}
    national = q.replication_matrix(Filters(), FULL_ACCESS)
    assert {"NAV Alna", "NAV Grimstad"} <= set(national["office_name"])
    cell = national.set_index("office_name").loc["NAV Lindesnes", "nye-monstre"]
    assert cell == "Replikering: pågår"
    # counts per method stay national aggregates for a Statsforvalter
    assert q.counts_by_method(Filters(), AGDER)["n_replications"].sum() == 8


def test_method_detail_is_scoped(wh):
    reps = q.method_replications("nye-monstre", AGDER)
    assert set(reps["office_name"]) == {"NAV Grimstad", "NAV Lindesnes", "NAV Lister"}
    assert q.method_reports("ssa", AGDER).empty  # Frogner is in Oslo og Viken
    assert q.method_self_assessment("ssa", AGDER).empty
    reports = q.method_reports("ssa", OSLO_VIKEN)
    assert list(reports["report_year"]) == [2020, 2021, 2022]
    assert reports["self_assessment_mean"].between(0, 3).all()
    sa = q.method_self_assessment("ssa", FULL_ACCESS)
    assert len(sa) == 1 and 0 <= sa["mean_score"].iloc[0] <= 3


def test_filters_narrow_office_rows(wh):
    rows = q.replications(Filters(2016, 2017), FULL_ACCESS)
    assert set(rows["role"]) == {"sammenligning"}  # only the 2016 trial overlaps those years
    assert set(q.replications(Filters(office_id="K4205-LINDESNES"), FULL_ACCESS)["office_name"]) == {"NAV Lindesnes"}
    assert q.replications(Filters(1990, 1991), FULL_ACCESS).empty
    assert q.counts_by_method(Filters(region_id="agder"), FULL_ACCESS)["n_replications"].sum() == 2


# --------------------------------------------------------------------- figures

def test_figures_mark_comparison_offices_and_open_ends(wh):
    from dashboard.figures import methods as fig

    rows = q.replications(Filters(), FULL_ACCESS)
    f = fig.timeline(rows)
    names = [t.name for t in f.data]
    assert "Sammenligningskontor (ikke replikering)" in names
    comp = next(t for t in f.data if t.name == "Sammenligningskontor (ikke replikering)")
    assert comp.marker.pattern.shape == "/"
    assert fig.OPEN_END_LEGEND in names
    assert f.layout.separators == ", "
    assert any("Datagrense" in a.text for a in f.layout.annotations)
    summary = fig.timeline_summary(rows)
    assert "18 kontorer" in summary and "3 sammenligningskontorer" in summary
    counts = fig.counts_by_method(q.counts_by_method(Filters(), FULL_ACCESS))
    assert {t.name for t in counts.data if t.showlegend is not False} == {"Replikering", "Følgeprosjekt (replikering)"}
    text = fig.counts_by_method_summary(q.counts_by_method(Filters(), FULL_ACCESS))
    assert text.startswith("8 replikeringer i alt") and "Ikke telt: 3 sammenligningskontorer" in text


def test_figures_empty_state():
    from dashboard.figures import methods as fig

    empty = pd.DataFrame(columns=["start_date", "plot_end", "role"])
    assert fig.timeline(empty).layout.annotations[0].text.startswith("Ingen kontorer")
    assert fig.counts_by_method(pd.DataFrame()).layout.annotations
    assert fig.counts_by_region(pd.DataFrame()).layout.annotations


# ----------------------------------------------------------- pages as functions

def test_detail_page_for_unknown_id_says_not_found(wh):
    page = _page("/metoder/<method_id>")
    for bad in ("finnes-ikke", "<script>alert(1)</script>", None):
        text = str(page.layout(method_id=bad))
        assert "Fant ikke metoden" in text
    assert "«finnes-ikke»" in str(page.layout(method_id="finnes-ikke"))
    assert page._title(method_id="ssa").startswith("SSA – Sysselsetting")
    assert page._title(method_id="finnes-ikke") == "Fant ikke metoden – Tiltaksmonitor"
    assert page._title() == "Lovende metode – Tiltaksmonitor"
    ok = str(page.layout(method_id="ssa"))
    assert "SSA – Sysselsetting" in ok and "Fant ikke metoden" not in ok
    assert "NAV Drammen" in ok and "Eksempeldata" in ok


def test_detail_page_download(wh):
    from contextvars import copy_context

    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    page = _page("/metoder/<method_id>")

    def run():
        context_value.set(AttributeDict(triggered_inputs=[
            {"prop_id": '{"table":"rapporter","type":"metode-csv"}.n_clicks', "value": 1}]))
        return page.download(1, 0, "/metoder/ssa")

    out = copy_context().run(run)
    text = out["content"]
    import base64

    csv = base64.b64decode(text).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("År;Rapporttype;Tilskudd (kr)")
    assert len(csv.splitlines()) == 4


def test_page_callbacks_as_functions(wh):
    metoder = _page("/metoder")
    table, matrix = metoder.update("")
    assert "NAV Grünerløkka" in str(table) and "/metoder/ssa" in str(table)
    assert str(matrix).count("Tr(") >= 13
    rep = _page("/replikering")
    note, matrix, timeline, summary, notes = rep.update_offices("?region=agder")
    assert "NAV Grimstad" in str(matrix) and "NAV Alna" not in str(matrix)
    assert note is None
    _kpi, by_method, by_method_text, by_region, _text = rep.update_counts("?fra=1990&til=1991")
    # hostile / unknown filters are dropped, so this is the national picture
    assert by_method_text.startswith("8 replikeringer")
    out = rep.update_offices("?kontor=%3Cscript%3E&region=%27--")
    assert "NAV Alna" in str(out[1])


def test_callbacks_take_the_scope_from_auth(wh, monkeypatch):
    rep = _page("/replikering")
    monkeypatch.setattr(rep, "current_scope", lambda: AGDER)
    note, matrix, _timeline, summary, notes = rep.update_offices("?region=oslo-viken")
    assert "NAV Grimstad" in str(matrix) and "NAV Alna" not in str(matrix) and "NAV Alna" not in str(notes)
    assert "bare kontorer i din region" in str(note)
    assert summary.startswith("Tidslinjen viser 3 kontorer")
    detail = _page("/metoder/<method_id>")
    monkeypatch.setattr(detail, "current_scope", lambda: AGDER)
    text = str(detail.layout(method_id="ssa"))
    assert "vises bare for brukere med tilgang til Oslo og Viken" in text
    assert "NAV Drammen" not in text and "798 000" not in text
    assert "NAV Lindesnes" in str(detail.layout(method_id="nye-monstre"))


def test_every_download_has_its_columns(wh):
    from dashboard import export

    metoder, rep, detail = _page("/metoder"), _page("/replikering"), _page("/metoder/<method_id>")
    tables = [
        (metoder.method_list, metoder.LIST_COLUMNS), (metoder.criteria_table, metoder.CRITERIA_COLUMNS),
        (rep.replication_rows, rep.ROWS_COLUMNS), (q.counts_by_method, rep.BY_METHOD_COLUMNS),
        (q.counts_by_region, rep.BY_REGION_COLUMNS),
    ]
    for fn, columns in tables:
        for scope in (FULL_ACCESS, AGDER):
            text = export.to_csv_bytes(fn(Filters(), scope), columns).decode("utf-8-sig")
            assert text.splitlines()[0] == ";".join(columns.values())
    for rows_fn, columns, _slug in detail.DOWNLOADS.values():
        assert export.to_xlsx_bytes(rows_fn("nye-monstre"), columns)[:2] == b"PK"
    rows = rep.replication_rows(Filters(), FULL_ACCESS)
    csv = export.to_csv_bytes(rows, rep.ROWS_COLUMNS).decode("utf-8-sig")
    assert "Eksempeldata: kontorene i følgeprosjektet er ikke publisert" in csv
    assert "2023-09-01" in csv  # dates as ISO for Excel


def test_pages_without_a_warehouse(no_warehouse):
    detail = _page("/metoder/<method_id>")
    assert "ikke tilgjengelig" in str(detail.layout(method_id="ssa"))
    assert detail._title(method_id="ssa") == "Lovende metode – Tiltaksmonitor"
    # layouts of the list pages read nothing at build time
    assert "metoder-liste-tabell" in str(_page("/metoder").layout())
    assert "replikering-tidslinje-graf" in str(_page("/replikering").layout())
