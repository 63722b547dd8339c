"""Tiltak list and tiltak page against the sample warehouse: the published count, the
page's content equal to the warehouse, scope, suppression, and free text that stays
text (an XSS payload in a report)."""
from __future__ import annotations

import sys

import pandas as pd
import pytest
from dash import dcc

from dashboard import stats
from dashboard.formatting import fmt_kr
from dashboard.queries import FULL_ACCESS, Filters, Scope, fetch, overview
from dashboard.queries import tiltak as queries

AGDER = Scope("statsforvalter", "agder")
XSS = ['<script>window.__xss = 1</script>', '<img src=x onerror="window.__xss=1">',
       '[klikk](javascript:alert(1))', '**fet** <b>html</b>']


def _page(name: str):
    from dashboard.app import app  # noqa: F401 - registers the pages

    return sys.modules[f"pages.{name}"]


def _sql(_db, sql, params=()):
    """Raw SQL on the published sample (through the app's read-only connection: a
    second connection with other settings is refused by DuckDB)."""
    return fetch(sql, list(params))


def _walk(component):
    """Every component in a layout tree."""
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None and not isinstance(children, (str, int, float)):
        yield from _walk(children)


def _texts(component) -> list[str]:
    out = []
    for c in _walk(component):
        if isinstance(c, str):
            out.append(c)
        ch = getattr(c, "children", None)
        if isinstance(ch, str):
            out.append(ch)
        elif isinstance(ch, (list, tuple)):
            out += [x for x in ch if isinstance(x, str)]
    return out


@pytest.fixture
def sample_tiltak(sample_warehouse) -> str:
    """A tiltak with several reports at an audited office (the PROFH offices)."""
    df = _sql(sample_warehouse, """
        SELECT tiltak_id FROM reports WHERE office_id IN (SELECT office_id FROM audit_cases)
        GROUP BY tiltak_id ORDER BY count(*) DESC, tiltak_id LIMIT 1""")
    return df["tiltak_id"].iloc[0]


# ------------------------------------------------------------------ the list

def test_published_203_tiltak_in_2021(sample_warehouse):
    df = queries.tiltak_list(Filters(2021, 2021), FULL_ACCESS)
    assert len(df) == 203
    assert df["tiltak_id"].is_unique
    published = _sql(sample_warehouse, "SELECT value FROM ref_published WHERE figure_id = 'funded_2021'")
    assert len(df) == int(float(published["value"].iloc[0]))
    # the grant is counted as on Oversikt (one report per tiltak and year)
    assert df["grant_kr"].sum() == overview.funded_by_year_region(Filters(2021, 2021), FULL_ACCESS)["grant_kr"].sum()
    assert int(df["is_blank_form"].sum()) == 22  # the 22 practically blank forms of 2021


def test_list_row_equals_the_latest_report(sample_warehouse, sample_tiltak):
    row = queries.tiltak_list(Filters(), FULL_ACCESS).set_index("tiltak_id").loc[sample_tiltak]
    latest = _sql(sample_warehouse, """
        SELECT * FROM reports WHERE tiltak_id = ?
        ORDER BY report_year DESC, report_type = 'slutt' DESC LIMIT 1""", [sample_tiltak]).iloc[0]
    years = _sql(sample_warehouse, "SELECT DISTINCT report_year FROM reports WHERE tiltak_id = ? ORDER BY 1",
                 [sample_tiltak])["report_year"].tolist()
    assert row["tiltak_name"] == latest["tiltak_name"]
    assert row["latest_type"] == latest["report_type"]
    assert row["years_reported"] == ", ".join(str(y) for y in years)
    assert row["categories"] == ", ".join(sorted(latest["categories"]))
    assert row["age_from"] == latest["age_from"] and row["age_to"] == latest["age_to"]


def test_list_filters_and_scope(sample_warehouse):
    all_ = queries.tiltak_list(Filters(), FULL_ACCESS)
    assert len(all_) == _sql(sample_warehouse, "SELECT count(DISTINCT tiltak_id) n FROM reports")["n"].iloc[0]
    final = queries.tiltak_list(Filters(report_type="slutt"), FULL_ACCESS)
    assert set(final["latest_type"]) == {"slutt"}
    agder = queries.tiltak_list(Filters(), AGDER)
    assert len(agder) and set(agder["region_id"]) == {"agder"}
    # a Statsforvalter asking for another region still gets its own
    assert set(queries.tiltak_list(Filters(region_id="vestland"), AGDER)["region_id"]) == {"agder"}
    assert queries.tiltak_list(Filters(2999, 2999), FULL_ACCESS).empty


@pytest.mark.parametrize("search", ["", "?fra=2021&til=2021", "?fra=2999", "?region=%3Cscript%3E", "?type=slutt",
                                    "?fra=2023&til=2023&region=agder&type=status"])
def test_table_callback_as_plain_function(sample_warehouse, search):
    page = _page("tiltak")
    cards, rows = page.update_table(search)
    assert len(cards) == 4
    assert all(set(r) >= set(page.GRID_COLUMNS) for r in rows)
    if search == "?fra=2021&til=2021":
        assert len(rows) == 203


# ------------------------------------------------------------------ the page

def test_detail_page_equals_the_warehouse(sample_warehouse, sample_tiltak):
    page = _page("tiltak_detalj")
    layout = page.layout(sample_tiltak)
    texts = _texts(layout)
    reports = _sql(sample_warehouse, "SELECT * FROM reports WHERE tiltak_id = ? ORDER BY report_year, report_type",
                   [sample_tiltak])
    assert reports["tiltak_name"].iloc[-1] in texts
    for grant in reports["grant_kr"]:
        assert fmt_kr(grant) in texts
    for field in ("target_group", "description", "challenges"):
        for value in reports[field].dropna():
            assert value.strip() in texts
    # self-assessment: every answer of every report, 'Ikke relevant' and blank apart
    sa = page.assessment_frame(sample_tiltak, FULL_ACCESS)
    raw = _sql(sample_warehouse, "SELECT answer_kind, count(*) n FROM self_assessment WHERE tiltak_id = ? GROUP BY 1",
               [sample_tiltak]).set_index("answer_kind")["n"]
    assert len(sa) == raw.sum()
    assert (sa["answer_text"] == "Ikke relevant").sum() == raw.get("ikke_relevant", 0)
    assert (sa["answer_text"] == "Ikke besvart").sum() == raw.get("blank", 0)
    assert all(t.split(" – ")[0].isdigit() for t in sa.loc[sa["answer_kind"] == "score", "answer_text"])


def test_office_context_equals_the_warehouse(sample_warehouse, sample_tiltak):
    page = _page("tiltak_detalj")
    office = _sql(sample_warehouse, """SELECT office_id FROM reports WHERE tiltak_id = ?
        ORDER BY report_year DESC, report_type = 'slutt' DESC LIMIT 1""", [sample_tiltak])["office_id"].iloc[0]
    dec = page.decisions_frame(office, FULL_ACCESS).set_index("year")
    raw = _sql(sample_warehouse, """SELECT year(month) AS year, paragraf, sum(n) AS n FROM decisions
        WHERE office_id = ? GROUP BY ALL""", [office])
    for rec in raw.itertuples():
        shown = dec.loc[rec.year, "n_17" if rec.paragraf == "17" else "n_20a"]
        assert pd.isna(shown) or int(shown) == int(rec.n)
    aud = page.audits_frame(office, FULL_ACCESS)
    cases = _sql(sample_warehouse, "SELECT round_label, paragraf, count(*) n FROM audit_cases WHERE office_id = ? "
                                   "GROUP BY ALL", [office])
    assert len(aud) == len(cases) > 0
    assert aud["n_cases"].sum() == cases["n"].sum()
    assert not {"case_key", "adviser_key"} & set(queries.office_audits(office, FULL_ACCESS).columns)


def test_decision_suppression_with_secondary_cells(monkeypatch):
    page = _page("tiltak_detalj")
    small = pd.DataFrame({"year": [2020, 2020, 2021, 2021, 2022], "paragraf": ["17", "20a", "17", "20a", "17"],
                          "n": [3, 40, 50, 60, 0], "n_months": [12, 12, 12, 12, 12]})
    monkeypatch.setattr(queries, "office_decisions", lambda office_id, scope: small.copy())
    df = page.decisions_frame("K-TEST", FULL_ACCESS).set_index("year")
    assert pd.isna(df.loc[2020, "n_17"]) and pd.isna(df.loc[2020, "n_20a"])  # primary + its complement
    assert df.loc[2020, "n_total"] == 43  # the year's sum stays: it does not reveal either cell
    assert df.loc[2021, "n_17"] == 50 and df.loc[2022, "n_17"] == 0  # zero is publishable
    table = page._decision_table(df.reset_index(), "NAV Test")
    assert stats.SUPPRESSED_MARK in _texts(table)


def test_detail_scope_and_unknown_ids(sample_warehouse, monkeypatch):
    page = _page("tiltak_detalj")
    other = _sql(sample_warehouse, "SELECT tiltak_id FROM reports WHERE region_id <> 'agder' LIMIT 1")["tiltak_id"].iloc[0]
    assert queries.tiltak_reports(other, AGDER).empty
    assert queries.self_assessment(other, AGDER).empty
    assert not queries.tiltak_reports(other, FULL_ACCESS).empty
    with monkeypatch.context() as m:
        m.setattr(page, "current_scope", lambda: AGDER)
        assert "Fant ikke tiltaket" in _texts(page.layout(other))
    for bad in ("finnes-ikke", "<script>", "../../etc", "x" * 500):
        assert "Fant ikke tiltaket" in _texts(page.layout(bad))
    # similar tiltak for a Statsforvalter: its own region only
    own = queries.tiltak_list(Filters(), AGDER)["tiltak_id"].iloc[0]
    sims = queries.similar_tiltak(own, AGDER, n=10)
    assert len(sims) and set(sims["region_name"]) == {"Agder"}


def test_similar_tiltak_include_ended_and_not_continued(sample_warehouse):
    frame = queries.similarity_frame(FULL_ACCESS)
    nei = frame[frame["continuation"] == "nei"].iloc[0]
    # the most similar tiltak of a discontinued one's twin: the discontinued one is found
    res = queries.similar_tiltak(nei["tiltak_id"], FULL_ACCESS, n=5)
    assert len(res) == 5 and (res["score"] > 0).all()
    found_nei = any(
        "Ikke videreført" in labels
        for tid in frame["tiltak_id"].head(60)
        for labels in queries.similar_tiltak(tid, FULL_ACCESS, n=5)["status_labels"]
    )
    assert found_nei, "tiltak that were not continued must show up among similar ones"


# ----------------------------------------------------------------------- XSS

def _payload_reports(real: pd.DataFrame) -> pd.DataFrame:
    df = real.copy()
    df["tiltak_name"] = XSS[0]
    df["target_group"] = XSS[1]
    df["description"] = XSS[2]
    df["challenges"] = XSS[3]
    df["office_name"] = XSS[1]
    return df


def test_free_text_is_rendered_as_text_on_the_page(sample_warehouse, sample_tiltak, monkeypatch):
    page = _page("tiltak_detalj")
    real = queries.tiltak_reports(sample_tiltak, FULL_ACCESS)
    monkeypatch.setattr(queries, "tiltak_reports", lambda tid, scope: _payload_reports(real))
    layout = page.layout(sample_tiltak)
    texts = _texts(layout)
    for payload in XSS:
        assert payload in texts, f"{payload!r} not shown as plain text"
    for c in _walk(layout):
        assert not isinstance(c, dcc.Markdown), "no markdown on the tiltak page"
        assert "dangerouslySetInnerHTML" not in getattr(c, "_prop_names", ())
    # strings are children of ordinary html components: React escapes them
    holders = [c for c in _walk(layout) if getattr(c, "children", None) in XSS]
    assert holders and all(type(c).__module__.startswith("dash.html") for c in holders)


def test_free_text_in_the_grid_is_plain_cell_text(sample_warehouse, monkeypatch):
    page = _page("tiltak")
    real = queries.tiltak_list(Filters(2021, 2021), FULL_ACCESS)

    def payload(filters, scope):
        df = real.copy()
        df.loc[df.index[0], ["tiltak_name", "target_group", "description", "categories"]] = XSS
        df.loc[df.index[1], "tiltak_id"] = "[x](javascript:alert(1))"
        return df

    monkeypatch.setattr(queries, "tiltak_list", payload)
    _cards, rows = page.update_table("?fra=2021&til=2021")
    assert [rows[0][k] for k in ("tiltak_name", "target_group", "description", "categories")] == XSS
    assert "javascript" not in rows[1]["tiltak_link"] or "](" not in rows[1]["tiltak_link"]
    grid = page.grid().children
    renderers = {c["field"]: c.get("cellRenderer") for c in grid.columnDefs}
    assert renderers.pop("tiltak_link") == "markdown"  # built from a checked id only
    assert set(renderers.values()) == {None}, "free text columns must use the default (text) renderer"
    assert page.tiltak_link("T2021-001") == "[T2021-001](/tiltak/T2021-001)"
    assert "](" not in page.tiltak_link("[x](javascript:alert(1))")


def test_valid_ids_only_reach_sql():
    assert queries.valid_tiltak_id("T2021-006")
    for bad in (None, "", "<script>", "a b", "T'; DROP TABLE reports;--", "x" * 65, "../x"):
        assert not queries.valid_tiltak_id(bad)


def test_downloads_have_their_columns(sample_warehouse, sample_tiltak):
    from dashboard import export

    detail, table = _page("tiltak_detalj"), _page("tiltak")
    for data_fn, columns in [(detail.reports_frame, detail.REPORT_DOWNLOAD_COLUMNS),
                             (detail.assessment_frame, detail.ASSESSMENT_DOWNLOAD_COLUMNS),
                             (detail._decision_download, detail.DECISION_COLUMNS),
                             (detail._audit_download, detail.AUDIT_COLUMNS),
                             (detail.similar_frame, detail.SIMILAR_COLUMNS)]:
        csv = export.to_csv_bytes(data_fn(sample_tiltak, FULL_ACCESS), columns).decode("utf-8-sig")
        assert csv.splitlines()[0] == ";".join(columns.values())
        assert len(csv.splitlines()) > 1
    csv = export.to_csv_bytes(table.table_frame(Filters(2021, 2021), FULL_ACCESS), table.DOWNLOAD_COLUMNS)
    assert len(csv.decode("utf-8-sig").splitlines()) == 204
    assert detail._tiltak_from_path(f"/tiltak/{sample_tiltak}") == sample_tiltak
    assert detail._tiltak_from_path("/tiltak/<script>") is None
