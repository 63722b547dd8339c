"""The shell without a browser: URL filters, settings, meta and Oversikt queries on a
tiny fixture warehouse, layouts, callbacks called as plain functions."""
from __future__ import annotations

import re
import sys
from contextvars import copy_context
from urllib.parse import quote

import dash
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashboard import config
from dashboard.auth import current_scope
from dashboard.components import (
    filter_choices,
    filters_from_search,
    search_from_filters,
)
from dashboard.queries import FULL_ACCESS, Filters, Scope, filter_params, meta, overview

AGDER_FVL = Scope("statsforvalter", "agder")


def _app():
    from dashboard.app import app

    return app


def _page_module(path: str):
    _app()
    page = next(p for p in dash.page_registry.values() if p["path"] == path)
    return sys.modules[page["module"]]


# ------------------------------------------------------------------ URL filters

@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(2019, 2021),
        Filters(2020, None, "oslo-viken"),
        Filters(None, 2021, "agder", "4202-grimstad", "slutt"),
        Filters(2018, 2018, None, "3403-hamar", "status"),
    ],
)
def test_filters_round_trip(fixture_warehouse, filters):
    search = search_from_filters(filters)
    assert filters_from_search(search) == filters
    assert search_from_filters(filters_from_search(search)) == search


def test_search_string_shape(fixture_warehouse):
    f = Filters(2019, 2021, "agder", "4202-grimstad", "status")
    assert search_from_filters(f) == "?fra=2019&til=2021&region=agder&kontor=4202-grimstad&type=status"
    assert search_from_filters(Filters()) == ""


def test_a_pages_own_parameters_are_kept(fixture_warehouse):
    f = Filters(2019, None, "agder")
    assert search_from_filters(f, keep="?fra=2020&fane=tabell&region=innlandet") == "?fra=2019&region=agder&fane=tabell"
    assert filters_from_search("?fane=tabell&fra=2019") == Filters(2019)


def test_years_are_swapped_when_reversed(fixture_warehouse):
    assert filters_from_search("?fra=2021&til=2019") == Filters(2019, 2021)


@pytest.mark.parametrize(
    "search",
    [
        None,
        "",
        "?",
        "?fra=",
        "?fra=abc",
        "?fra=1e9",
        "?fra=-2019",
        "?fra=2019.0",
        "?fra=1999",  # well-formed but not in the warehouse
        "?fra=%D9%A2%D9%A0%D9%A1%D9%A9",  # Arabic-Indic digits for 2019
        "?fra=20190",
        "?region=" + quote("agder' OR 1=1 --"),
        "?region=AGDER",
        "?region=" + quote("<script>alert(1)</script>"),
        "?region=%00agder",
        "?kontor=" + quote("'; DROP TABLE reports; --"),
        "?kontor=ukjent-kontor",
        "?type=alle",
        "?type=STATUS",
        "?type=" + quote("status' --"),
        "?fra=2019" + "&x=1" * 50,  # too many fields
        "?region=" + "a" * 5000,  # over-long
        "?%ff%fe=%ff",  # invalid UTF-8
        "?region=agder&kontor=0301-alna",  # office outside the chosen region
    ],
)
def test_hostile_values_are_dropped(fixture_warehouse, search):
    f = filters_from_search(search)
    for value in (f.region_id, f.office_id, f.report_type):
        assert value in (None, "agder", "4202-grimstad", "status", "slutt")
    assert f.year_from in (None, 2019)
    assert f.office_id != "0301-alna"
    if search and "DROP" in search or search and "OR 1=1" in search:
        assert f == Filters()


def test_non_string_search_is_empty(fixture_warehouse):
    assert filters_from_search(12) == Filters()  # type: ignore[arg-type]


def test_first_value_wins_for_repeated_keys(fixture_warehouse):
    assert filters_from_search("?region=agder&region=innlandet").region_id == "agder"


def test_scope_drops_other_regions(fixture_warehouse):
    assert filters_from_search("?region=innlandet", AGDER_FVL).region_id is None
    assert filters_from_search("?region=agder", AGDER_FVL).region_id == "agder"
    assert filters_from_search("?kontor=3403-hamar", AGDER_FVL).office_id is None


def test_without_warehouse_regions_come_from_reference(no_warehouse):
    choices = filter_choices()
    assert choices["available"] is False and len(choices["regions"]) == 10
    assert filters_from_search("?fra=2019&region=agder&kontor=x&type=slutt") == Filters(None, None, "agder", None, "slutt")


# ---------------------------------------------------------------- query helpers

def test_filter_params_applies_scope_and_drops_unused():
    sql = "SELECT 1 WHERE region_id = $region_id AND y BETWEEN $year_from AND $year_to"
    assert filter_params(sql, Filters(region_id="innlandet"), AGDER_FVL) == {
        "region_id": "agder", "year_from": 1900, "year_to": 2999}
    assert filter_params(sql, Filters(2019, 2020, "innlandet"), FULL_ACCESS)["region_id"] == "innlandet"
    with pytest.raises(KeyError):
        filter_params("SELECT $nope", Filters(), FULL_ACCESS)
    assert filter_params("SELECT $limit", Filters(), FULL_ACCESS, limit=5) == {"limit": 5}


def test_current_scope_is_full_access_in_development():
    assert current_scope() == FULL_ACCESS


# --------------------------------------------------------------------- settings

def test_settings_precedence(monkeypatch):
    for env in ("HOST", "PORT", "DASH_DEBUG", "TILTAKSMONITOR_DB", "TILTAKSMONITOR_RAW"):
        monkeypatch.delenv(env, raising=False)
    s = config.settings()
    assert (s.host, s.port, s.debug, str(s.db)) == ("127.0.0.1", 8050, False, "data/warehouse.duckdb")
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("DASH_DEBUG", "1")
    monkeypatch.setenv("TILTAKSMONITOR_DB", "/tmp/x.duckdb")
    s = config.settings()
    assert (s.host, s.port, s.debug, str(s.db)) == ("0.0.0.0", 9000, True, "/tmp/x.duckdb")
    s = config.settings(host="127.0.0.2", port=1234, debug=False, db="/tmp/y.duckdb")
    assert (s.host, s.port, s.debug, str(s.db)) == ("127.0.0.2", 1234, False, "/tmp/y.duckdb")


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_bad_port_is_refused(monkeypatch, port):
    monkeypatch.setenv("PORT", port)
    with pytest.raises(ValueError, match="PORT"):
        config.settings()


def test_every_setting_is_documented():
    text = config.help_text()
    for _name, env, _default, _help in config.SETTINGS:
        assert env in text


# ------------------------------------------------------------------ meta queries

def test_meta_queries(fixture_warehouse):
    fresh = meta.freshness()
    assert fresh["build_id"] == "fixture-1" and fresh["n_files"] == 12
    assert fresh["built_at"].strftime("%d.%m.%Y %H:%M") == "05.03.2024 14:07"
    assert meta.has_sample() is True
    assert meta.years() == [2018, 2019, 2020, 2021]
    assert list(meta.regions()["region_id"])[:2] == ["oslo-viken", "innlandet"]
    assert set(meta.offices("oslo-viken")["office_id"]) == {"0301-alna", "3203-asker"}
    assert set(meta.offices("oslo-viken", AGDER_FVL)["office_id"]) == {"4202-grimstad"}
    assert meta.quarantine_count() == 3
    assert dict(zip(*meta.warning_counts().T.values)) == {"over_kostnadstak": 2, "tomt_skjema": 1}


# -------------------------------------------------------------- overview queries

def test_funded_counts_a_tiltak_once_per_year(fixture_warehouse):
    df = overview.funded_by_year_region(Filters(), FULL_ACCESS)
    agder_2021 = df[(df.report_year == 2021) & (df.region_id == "agder")].iloc[0]
    assert agder_2021.n_tiltak == 1 and agder_2021.grant_kr == 350_000
    assert df["grant_kr"].dtype.kind == "i"
    k = overview.kpis(Filters(), FULL_ACCESS)
    assert k == {"n_reports": 8, "n_tiltak": 4, "n_blank": 1, "n_continued": 2,
                 "n_continuation_answered": 4, "grant_kr": 3_460_000}


def test_overview_respects_filters(fixture_warehouse):
    k = overview.kpis(Filters(2021, 2021, report_type="slutt"), FULL_ACCESS)
    assert (k["n_reports"], k["n_continued"]) == (3, 2)
    k = overview.kpis(Filters(office_id="3203-asker"), FULL_ACCESS)
    assert (k["n_tiltak"], k["grant_kr"]) == (1, 400_000)
    assert overview.kpis(Filters(2030, 2031), FULL_ACCESS)["n_reports"] == 0


def test_statsforvalter_sees_own_region_only(fixture_warehouse):
    df = overview.funded_by_year_region(Filters(region_id="oslo-viken"), AGDER_FVL)
    assert set(df["region_id"]) == {"agder"}
    warnings = overview.warnings_by_code(Filters(), AGDER_FVL)
    assert list(warnings["warning_code"]) == ["tomt_skjema"]
    assert overview.quarantine_list(AGDER_FVL).empty
    assert int(overview.quarantine_by_reason()["n"].sum()) == 3  # counts: aggregate, allowed


def test_quarantine_list_never_shows_raw_values(fixture_warehouse):
    df = overview.quarantine_list(FULL_ACCESS)
    assert list(df.columns) == ["file_name", "line", "column_name", "reason"]
    assert len(df) == 3 and "HEMMELIG" not in df.to_string()  # raw_values never; quotes masked
    assert "ugyldig verdi «…»" in set(df["reason"]) and "HEMMELIG" not in overview.quarantine_by_reason().to_string()


def test_continuation_shares(fixture_warehouse):
    df = overview.continuation(Filters(), FULL_ACCESS)
    assert list(df["continuation"]) == ["ja", "delvis", "nei", "ikke_oppgitt"]
    assert df["share"].sum() == pytest.approx(1.0)
    empty = overview.continuation(Filters(2030, 2031), FULL_ACCESS)
    assert empty["n_reports"].sum() == 0 and (empty["share"] == 0).all()


# ------------------------------------------------------------------ the shell

def _find(component, id_):
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    if children is None:
        return None
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            found = _find(child, id_)
            if found is not None:
                return found
    return None


def test_shell_layout_with_sample_data(fixture_warehouse):
    from dashboard import app as app_module

    layout = app_module.layout()
    assert _find(layout, "shell-ferskhet").children == "Data sist oppdatert 05.03.2024 kl. 14:07 fra 12 filer"
    banner = _find(layout, "shell-eksempeldata")
    assert banner is not None and banner.role == "status" and "ikke ekte" in banner.children
    assert _find(layout, "shell-feil").is_open is False
    nav = [p["name"] for p in app_module.nav_pages()]
    assert nav[0] == "Oversikt" and nav[-1] == "Tilgjengelighet" and "Fant ikke siden" not in nav


def test_shell_layout_without_warehouse(no_warehouse):
    from dashboard import app as app_module

    layout = app_module.layout()
    assert _find(layout, "shell-eksempeldata") is None
    alert = _find(layout, "shell-feil")
    assert alert.is_open is True and "Datagrunnlaget er ikke tilgjengelig" in alert.children
    assert _find(layout, "shell-ferskhet").children == "Ingen data lastet inn"


def test_index_page_is_norwegian_and_local(fixture_warehouse):
    app = _app()
    client = app.server.test_client()
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nb">' in html and "<title>Tiltaksmonitor</title>" in html
    assert "/assets/00_bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert client.get("/assets/00_bootstrap.min.css").status_code == 200


def test_every_page_layout_builds_and_every_download_is_wired(fixture_warehouse):
    app = _app()
    app.server.test_client().get("/")  # first request: registers page routing and callbacks
    outputs = set()
    for key in app.callback_map:
        outputs.update(part for part in key.strip(".").split("..") if part.endswith(".data"))
    for page in dash.page_registry.values():
        build = getattr(page["layout"], "__wrapped__", page["layout"])  # unguarded: errors surface here
        layout = build() if callable(build) else build
        downloads = [c.id for c in _walk(layout) if type(c).__name__ == "Download"]
        for id_ in downloads:
            assert f"{id_}.data" in outputs, f"{page['path']}: {id_} har ingen register_download"


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_pages_are_registered_with_norwegian_titles():
    _app()
    paths = {p["path"]: p for p in dash.page_registry.values()}
    assert paths["/"]["name"] == "Oversikt"
    assert paths["/tilgjengelighet"]["filters"] is False
    assert all(p["title"].endswith("Tiltaksmonitor") for p in paths.values() if isinstance(p["title"], str))
    from dashboard.app import nav_pages

    nav = [p["name"] for p in nav_pages()]
    assert nav[0] == "Oversikt" and nav[-1] == "Tilgjengelighet"


def test_page_for_path_matches_templates():
    from dashboard.app import page_for_path

    _app()
    assert page_for_path("/")["path"] == "/"
    assert page_for_path("/tilgjengelighet/")["path"] == "/tilgjengelighet"
    assert page_for_path("/finnes/ikke/her") is None
    templated = [p for p in dash.page_registry.values() if p.get("path_template")]
    for page in templated:
        example = re.sub(r"<[^>]+>", "x-1", page["path_template"])
        assert page_for_path(example) is page


# ------------------------------------------------------ callbacks, no browser

def _run_with_trigger(fn, prop_id, *args):
    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": None}]))
        return fn(*args)

    return copy_context().run(run)


def test_filter_sync_writes_a_validated_url(fixture_warehouse):
    from dashboard.components import _sync_filters

    fn = _sync_filters  # Dash 4: the decorator returns the plain function
    out = _run_with_trigger(fn, "filter-region.value", "", "2019", "alle", "agder", "0301-alna", "alle", 0)
    search, fra, til, region, kontor_options, kontor, typ = out
    assert search == "?fra=2019&region=agder"  # the Oslo office is dropped: not in Agder
    assert (fra, til, region, kontor, typ) == ("2019", "alle", "agder", "alle", "alle")
    assert [o["value"] for o in kontor_options] == ["alle", "4202-grimstad"]


def test_filter_sync_reads_the_url_without_rewriting_it(fixture_warehouse):
    from dashboard.components import _sync_filters

    fn = _sync_filters  # Dash 4: the decorator returns the plain function
    out = _run_with_trigger(fn, "url.search", "?type=slutt&region=nope", "alle", "alle", "alle", "alle", "alle", 0)
    assert out[0] is dash.no_update
    assert out[3] == "alle" and out[6] == "slutt"
    reset = _run_with_trigger(fn, "filter-nullstill.n_clicks", "?type=slutt", "alle", "alle", "alle", "alle",
                              "slutt", 1)
    assert reset[0] == "" and reset[6] == "alle"


def test_oversikt_callbacks_as_functions(fixture_warehouse):
    page = _page_module("/")
    cards, rows = page.update_funding("?region=agder")
    assert len(cards) == 4 and {r["region_name"] for r in rows} == {"Agder"}
    fig = page.update_heatmap("?kontor=3203-asker&type=slutt", "tiltak")  # no such reports
    assert fig.layout.annotations[0].text == "Ingen data for valgte filtre"
    fig = page.update_heatmap("", "kroner")
    assert fig.layout.separators == ", "
    warnings, quarantine = page.update_quality("")
    assert "HEMMELIG" not in str(quarantine)


def test_callback_error_handler_says_it_in_norwegian(no_warehouse, monkeypatch):
    from dashboard import app as app_module
    from dashboard.queries import NoWarehouse

    monkeypatch.delenv("DASH_DEBUG", raising=False)
    ctx = AttributeDict(updated_props={})

    def run(err):
        context_value.set(ctx)
        return app_module._on_callback_error(err)

    assert copy_context().run(run, NoWarehouse("x")) is None
    assert "Datagrunnlaget er ikke tilgjengelig" in str(ctx.updated_props)
    assert copy_context().run(run, ZeroDivisionError()) is None
    assert "Noe gikk galt" in str(ctx.updated_props)


def test_unreadable_warehouse_gives_the_message_not_a_traceback(tmp_path, monkeypatch):
    from dashboard import app as app_module
    from dashboard.queries import clear_cache

    bad = tmp_path / "ødelagt.duckdb"
    bad.write_bytes(b"dette er ikke en DuckDB-fil" * 100)
    monkeypatch.setenv("TILTAKSMONITOR_DB", str(bad))
    clear_cache()
    layout = app_module.layout()
    assert _find(layout, "shell-feil").is_open is True
    assert filters_from_search("?region=agder&fra=2019") == Filters(region_id="agder")
