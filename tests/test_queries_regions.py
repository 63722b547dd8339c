"""Regioner and the region pages against the sample warehouse: tiles that add up to
the national totals, offices against the national median, suppression, and the
Statsforvalter scope (another region's page shows no office rows)."""
from __future__ import annotations

import sys

import pandas as pd
import pytest
from dash.exceptions import PreventUpdate

from dashboard import stats
from dashboard.figures.regions import OFFICE_MEASURES, office_comparison, office_comparison_summary
from dashboard.queries import FULL_ACCESS, Filters, Scope, fetch, overview, regions
from dashboard.queries import tiltak as tiltak_queries

AGDER = Scope("statsforvalter", "agder")


def _page(name: str):
    from dashboard.app import app  # noqa: F401 - registers the pages

    return sys.modules[f"pages.{name}"]


def _texts(component) -> list[str]:
    out, stack = [], [component]
    while stack:
        c = stack.pop()
        if isinstance(c, str):
            out.append(c)
            continue
        ch = getattr(c, "children", None)
        if isinstance(ch, (list, tuple)):
            stack.extend(ch)
        elif ch is not None:
            stack.append(ch)
    return out


# ------------------------------------------------------------------- tiles

@pytest.mark.parametrize("filters", [Filters(), Filters(2021, 2021), Filters(2019, 2020, report_type="slutt"),
                                     Filters(2023, 2023, report_type="status"), Filters(2999, 2999)])
def test_tiles_sum_to_national_totals(sample_warehouse, filters):
    tiles = regions.region_tiles(filters)
    totals = regions.national_totals(filters)
    assert len(tiles) == 10
    assert tiles["n_tiltak"].sum() == totals["n_tiltak"]
    assert tiles["grant_kr"].sum() == totals["grant_kr"]
    year_from, year_to = filters.years()
    raw = fetch("""SELECT count(DISTINCT tiltak_id) AS n FROM reports WHERE report_year BETWEEN ? AND ?
                   AND (? IS NULL OR report_type = ?)""", [year_from, year_to, filters.report_type, filters.report_type])
    assert totals["n_tiltak"] == raw["n"].iloc[0]
    # the same grant as Oversikt
    assert totals["grant_kr"] == overview.funded_by_year_region(filters, FULL_ACCESS)["grant_kr"].sum()


def test_2021_tiles_hold_the_203(sample_warehouse):
    tiles = regions.region_tiles(Filters(2021, 2021))
    assert tiles["n_tiltak"].sum() == 203
    assert not tiles.duplicated(["tile_row", "tile_col"]).any(), "two regions on one tile"
    assert tiles["region_id"].tolist() == fetch("SELECT region_id FROM ref_regions ORDER BY sort_order")["region_id"].tolist()


def test_tiles_ignore_region_filter_and_scope(sample_warehouse):
    page = _page("regioner")
    _kpi, tiles, table = page.update_tiles("?fra=2021&til=2021&region=agder")
    links = [c for c in tiles.children]
    assert len(links) == 10
    hrefs = [li.children.href for li in links]
    assert "/region/agder?fra=2021&til=2021" in hrefs
    assert all("region=" not in h for h in hrefs)
    assert "Hele landet" in _texts(table)
    selected = [li.children for li in links if "Valgt i filteret" in _texts(li)]
    assert [s.href.split("?")[0] for s in selected] == ["/region/agder"]


# ----------------------------------------------------------------- offices

def test_region_offices_and_national_median(sample_warehouse):
    offices = regions.region_offices("innlandet", Filters(), FULL_ACCESS)
    registry = fetch("SELECT DISTINCT office_id FROM offices WHERE region_id = 'innlandet'")
    assert set(offices["office_id"]) == set(registry["office_id"])
    assert set(offices["region_id"]) == {"innlandet"}
    hamar = offices.set_index("office_id").loc["K3403-HAMAR"]
    raw = fetch("SELECT sum(n) n, count(DISTINCT month) m FROM decisions WHERE office_id = 'K3403-HAMAR' AND paragraf = '17'")
    assert hamar["n_17"] == raw["n"].iloc[0]
    assert hamar["per_month_17"] == pytest.approx(raw["n"].iloc[0] / raw["m"].iloc[0])
    assert hamar["n_cases"] == fetch("SELECT count(*) n FROM audit_cases WHERE office_id = 'K3403-HAMAR'")["n"].iloc[0]
    # the national median equals the median over every office's own figure
    medians = regions.national_office_medians(Filters())
    per_office = pd.concat([regions.region_offices(r, Filters(), FULL_ACCESS)
                            for r in regions.region_tiles(Filters())["region_id"]])
    assert medians["n_offices"] == len(per_office)
    assert medians["n_tiltak"] == pytest.approx(per_office["n_tiltak"].median())
    assert medians["per_month_20a"] == pytest.approx(per_office["per_month_20a"].median())
    assert medians["grant_kr"] == pytest.approx(per_office["grant_kr"].median())


def test_scope_no_office_rows_of_another_region(sample_warehouse, monkeypatch):
    assert regions.region_offices("vestland", Filters(), AGDER).empty
    assert not regions.region_offices("agder", Filters(), AGDER).empty
    page = _page("region")
    assert page.tiltak_table("vestland", Filters(), AGDER).empty
    monkeypatch.setattr(page, "current_scope", lambda: AGDER)
    (_utvalg, notice, kpis, table, offices_hidden, rows, tiltak_hidden, links, links_hidden) = \
        page.update_region("/region/vestland", "")
    assert notice is not None and table is None and rows == []
    assert offices_hidden and tiltak_hidden and links_hidden
    assert len(kpis) == 4  # region totals and national figures only
    own = page.update_region("/region/agder", "?fra=2021&til=2021")
    assert own[1] is None and not own[4] and len(own[5]) > 0
    ids = {r["tiltak_id"] for r in own[5]}
    assert ids == set(tiltak_queries.tiltak_list(Filters(2021, 2021, "agder"), FULL_ACCESS)["tiltak_id"])
    fig, summary = page.update_office_figure("/region/vestland", "", "n_tiltak")
    assert not any(len(t.y or ()) for t in fig.data), "no office bars for another region"
    assert summary == "Ingen kontorer å vise."


def test_region_page_callbacks_as_plain_functions(sample_warehouse):
    page = _page("region")
    out = page.update_region("/region/agder", "")
    assert out[0] == "Viser alle år."
    links = [li.children.href for li in out[7].children]
    assert "/vedtak?region=agder" in links and "/tiltak?region=agder" in links
    out = page.update_region("/region/agder", "?fra=2021&til=2021&type=slutt&region=vestland")
    assert out[0] == "Viser 2021, bare sluttrapporter."
    assert all(r["tiltak_id"] for r in out[5])
    assert "/vedtak?fra=2021&til=2021&region=agder&type=slutt" in [li.children.href for li in out[7].children]
    empty = page.update_region("/region/agder", "?fra=2999")
    for measure in OFFICE_MEASURES:
        page.update_office_figure("/region/agder", "?fra=2021&til=2021", measure)
    page.update_office_figure("/region/agder", "", "ukjent")
    with pytest.raises(PreventUpdate):
        page.update_region("/region/finnes-ikke", "")
    assert empty[0]


def test_unknown_region_is_a_friendly_message(sample_warehouse):
    page = _page("region")
    for bad in ("finnes-ikke", "<script>alert(1)</script>", "agder'--"):
        texts = _texts(page.layout(bad))
        assert "Fant ikke regionen" in texts
        assert bad not in texts
    assert page.region_from_path("/region/agder") == "agder"
    assert page.region_from_path("/region/../etc") is None
    assert "Agder" in _texts(page.layout("agder"))


def test_office_suppression(monkeypatch):
    page = _page("region")
    fake = pd.DataFrame({
        "office_id": ["A", "B", "C"], "office_name": ["NAV A", "NAV B", "NAV C"], "region_id": ["r"] * 3,
        "size_class": [None] * 3, "employees": [None] * 3, "n_tiltak": [1, 2, 3], "grant_kr": [1, 2, 3],
        "n_17": [3, 50, 70], "months_17": [12, 12, 12], "per_month_17": [0.25, 50 / 12, 70 / 12],
        "n_20a": [40, 0, 60], "months_20a": [12, 12, 12], "per_month_20a": [40 / 12, 0.0, 5.0],
        "n_cases": pd.array([None, 4, 20], dtype="Int64"), "n_rounds": pd.array([None, 1, 2], dtype="Int64"),
        "n_ja": pd.array([None, 30, 200], dtype="Int64"), "n_nei": pd.array([None, 5, 40], dtype="Int64"),
        "share_ja": [None, 30 / 35, 200 / 240],
    })
    monkeypatch.setattr(regions, "region_offices", lambda region_id, filters, scope: fake.copy())
    df = page.office_table("r", Filters(), FULL_ACCESS).set_index("office_id")
    # § 17: A primary (3), B secondary (smallest other), C shown
    assert df.loc["A", "suppressed_17"] and df.loc["B", "suppressed_17"] and not df.loc["C", "suppressed_17"]
    assert pd.isna(df.loc["A", "per_month_17"]) and pd.isna(df.loc["B", "n_17"]) and df.loc["C", "n_17"] == 70
    # § 20 a: nothing small (0 is publishable)
    assert not df["suppressed_20a"].any() and df.loc["B", "n_20a"] == 0
    # audits: B has 4 cases -> blanked with its share; C shown; A never audited
    assert df.loc["B", "suppressed_audit"] and pd.isna(df.loc["B", "share_ja"]) and pd.isna(df.loc["B", "n_cases"])
    assert df.loc["C", "share_ja"] == pytest.approx(200 / 240)
    shown = page._display_offices(df.reset_index(), {"n_offices": 3, "n_offices_audited": 1})
    assert shown.loc[1, "per_month_17"] == stats.SUPPRESSED_MARK
    assert shown.loc[0, "share_ja"] == "–", "a median over fewer than 3 audited offices is not shown"


def test_office_figure():
    empty = office_comparison(pd.DataFrame(), "n_tiltak", 3.0)
    assert empty.layout.annotations[0].text == "Ingen kontorer å vise"
    df = pd.DataFrame({"office_name": ["NAV B", "NAV A"], "per_month_17": [5.0, None], "suppressed": [False, True]})
    fig = office_comparison(df, "per_month_17", 4.5)
    assert list(fig.data[0].y) == ["NAV A", "NAV B"]
    assert list(fig.data[0].text) == ["skjult (få vedtak)", "5,0"]
    assert any(s.type == "line" and s.x0 == 4.5 for s in fig.layout.shapes)
    assert "Landsmedian: 4,5" in [a.text for a in fig.layout.annotations]
    assert fig.layout.separators == ", "
    summary = office_comparison_summary(df, "per_month_17", 4.5)
    assert summary == ("§ 17-vedtak per måned: høyest NAV B (5,0), lavest NAV B (5,0). 1 av 1 kontorer ligger over "
                       "landsmedianen (4,5). 1 kontor(er) vises ikke på grunn av få vedtak.")


def test_region_downloads(sample_warehouse):
    from dashboard import export

    page = _page("region")
    offices = page.office_table("agder", Filters(2021, 2021), FULL_ACCESS)
    csv = export.to_csv_bytes(offices, page.OFFICE_DOWNLOAD_COLUMNS).decode("utf-8-sig").splitlines()
    assert csv[0].split(";")[0] == "NAV-kontor" and len(csv) == len(offices) + 1
    tiltak = page.tiltak_table("agder", Filters(2021, 2021), FULL_ACCESS)
    assert len(export.to_csv_bytes(tiltak, page.TILTAK_DOWNLOAD_COLUMNS).decode("utf-8-sig").splitlines()) \
        == len(tiltak) + 1
    assert export.to_csv_bytes(page.tiltak_table("agder", Filters(), AGDER), page.TILTAK_DOWNLOAD_COLUMNS)
    empty = page.tiltak_table("vestland", Filters(), AGDER)
    assert export.to_csv_bytes(empty, page.TILTAK_DOWNLOAD_COLUMNS).decode("utf-8-sig").count("\n") == 1
