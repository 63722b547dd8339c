"""One region's landing page: its offices compared with the national median office
(tiltak, grant, § 17 and § 20 a decisions per month, internal-control compliance),
its tiltak, and links to the other pages narrowed to the region.

Statsforvalter scope: on another region's page only region totals and national
figures are shown, never that region's office rows or tiltak list. Years and report
type come from the URL (the tile links on Regioner carry them).
"""
from __future__ import annotations

from dataclasses import replace

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import stats
from dashboard.auth import current_scope
from dashboard.components import (
    DATA_ERRORS,
    chart_card,
    data_grid,
    download_ids,
    empty_notice,
    filters_from_search,
    graph,
    grid_records,
    kpi_card,
    search_from_filters,
    send_table,
    simple_table,
)
from dashboard.figures.regions import (
    OFFICE_MEASURES,
    office_comparison,
    office_comparison_summary,
)
from dashboard.formatting import MISSING, fmt_decimal, fmt_int, fmt_kr, fmt_pct
from dashboard.queries import Filters, meta, regions
from dashboard.queries import tiltak as tiltak_queries


def _region_names() -> dict[str, str]:
    try:
        df = meta.regions()
        return dict(zip(df["region_id"], df["region_name"]))
    except DATA_ERRORS:
        from etl import reference

        return {r["region_id"]: r["region_name"] for r in reference.regions()}


def _title(region_id=None, **_query):
    name = _region_names().get(region_id) if isinstance(region_id, str) else None
    return f"{name} – Regioner – Tiltaksmonitor" if name else "Region – Tiltaksmonitor"


dash.register_page(
    __name__,
    path_template="/region/<region_id>",
    name="Region",
    title=_title,
    nav=False,
)

PREFIX = "region"
#: Pages that are not linked "narrowed to the region" (this family and non-data pages).
_NOT_LINKED = {"/regioner", "/404", "/tilgjengelighet"}

OFFICE_COLUMNS = {
    "office_name": "NAV-kontor",
    "n_tiltak": "Finansierte tiltak",
    "grant_kr": "Tilskudd (kr)",
    "per_month_17": "§ 17-vedtak per måned",
    "per_month_20a": "§ 20 a-vedtak per måned",
    "n_cases": "Kontrollerte saker (internkontroll)",
    "share_ja": "Andel kontrollpunkter i orden",
}
OFFICE_DOWNLOAD_COLUMNS = {
    "office_name": "NAV-kontor", "n_tiltak": "Finansierte tiltak", "grant_kr": "Tilskudd (kr)",
    "n_17": "§ 17-vedtak", "months_17": "Måneder med § 17-tall", "per_month_17": "§ 17-vedtak per måned",
    "n_20a": "§ 20 a-vedtak", "months_20a": "Måneder med § 20 a-tall", "per_month_20a": "§ 20 a-vedtak per måned",
    "n_cases": "Kontrollerte saker", "share_ja": "Andel kontrollpunkter i orden",
}
TILTAK_COLUMNS = {
    "tiltak_link": "ID",
    "tiltak_name": "Navn",
    "office_name": "NAV-kontor",
    "years_reported": "År med rapport",
    "grant_kr": "Tilskudd (kr)",
    "categories": "Kategorier",
    "continuation_label": "Videreføres",
}
TILTAK_DOWNLOAD_COLUMNS = {"tiltak_id": "ID", **{k: v for k, v in TILTAK_COLUMNS.items() if k != "tiltak_link"}}
CONTINUATION_LABELS = {"ja": "Ja", "delvis": "Delvis", "nei": "Nei"}
#: Fewer audited offices than this: the national compliance median is not shown
#: (with one or two it would be those offices' own figures).
MIN_OFFICES_FOR_MEDIAN = 3


def threshold() -> int:
    from dashboard import config

    return int(getattr(config.settings(), "suppression_threshold", stats.SUPPRESSION_THRESHOLD))


def region_from_path(pathname) -> str | None:
    """'/region/agder' -> 'agder' when that region exists, else None."""
    if not isinstance(pathname, str) or not pathname.startswith("/region/"):
        return None
    candidate = pathname.removeprefix("/region/").strip("/")
    return candidate if candidate in _region_names() else None


def page_filters(search, region_id: str | None) -> Filters:
    """Years and report type from the URL; the region is the page's own."""
    f = filters_from_search(search)
    return Filters(f.year_from, f.year_to, region_id, None, f.report_type)


def years_text(filters: Filters) -> str:
    if filters.year_from and filters.year_to:
        span = str(filters.year_from) if filters.year_from == filters.year_to else f"{filters.year_from}–{filters.year_to}"
    elif filters.year_from:
        span = f"fra {filters.year_from}"
    elif filters.year_to:
        span = f"til {filters.year_to}"
    else:
        span = "alle år"
    kind = {"status": ", bare statusrapporter", "slutt": ", bare sluttrapporter"}.get(filters.report_type, "")
    return f"Viser {span}{kind}."


# --------------------------------------------------------------------- data

def office_table(region_id: str, filters: Filters, scope) -> pd.DataFrame:
    """The region's offices (empty unless the caller may see them), with decision
    counts below the threshold suppressed (secondary suppression against the region
    total per paragraph, which other pages publish) and audits with few cases
    blanked. Columns: OFFICE_DOWNLOAD_COLUMNS plus suppressed_17, suppressed_20a,
    suppressed_audit."""
    df = regions.region_offices(region_id, _years(filters), scope)
    if df.empty:
        return df.assign(suppressed_17=pd.Series(dtype=bool), suppressed_20a=pd.Series(dtype=bool),
                         suppressed_audit=pd.Series(dtype=bool))
    long = pd.concat([
        df[["office_id"]].assign(paragraf="17", n=df["n_17"].astype("Float64")),
        df[["office_id"]].assign(paragraf="20a", n=df["n_20a"].astype("Float64")),
    ], ignore_index=True)
    marked = stats.suppress(long, "n", threshold=threshold(), totals=[["paragraf"]])
    hidden = marked.pivot(index="office_id", columns="paragraf", values="suppressed")
    df["suppressed_17"] = df["office_id"].map(hidden["17"]).fillna(False).astype(bool)
    df["suppressed_20a"] = df["office_id"].map(hidden["20a"]).fillna(False).astype(bool)
    df = stats.blank_suppressed(df, ["n_17", "per_month_17"], flag_col="suppressed_17")
    df = stats.blank_suppressed(df, ["n_20a", "per_month_20a"], flag_col="suppressed_20a")
    audit = stats.suppress(df.assign(n_cases=df["n_cases"].astype("Float64")), "n_cases",
                           threshold=threshold(), totals=())
    df["suppressed_audit"] = audit["suppressed"].to_numpy()
    df = stats.blank_suppressed(df, ["n_cases", "n_ja", "n_nei", "share_ja"], flag_col="suppressed_audit")
    return df


def _years(filters: Filters) -> Filters:
    """Only years and report type: the region is passed separately."""
    return Filters(filters.year_from, filters.year_to, None, None, filters.report_type)


def tiltak_table(region_id: str, filters: Filters, scope) -> pd.DataFrame:
    """The region's tiltak (tiltak_list), or empty when the caller may not see them."""
    if not scope.may_see_region(region_id):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*TILTAK_DOWNLOAD_COLUMNS, "tiltak_link"]})
    df = tiltak_queries.tiltak_list(replace(_years(filters), region_id=region_id), scope)
    df = df[df["region_id"] == region_id].copy()  # belt and braces: never another region's rows
    df["tiltak_link"] = [f"[{t}](/tiltak/{t})" if tiltak_queries.valid_tiltak_id(t) else str(t) for t in df["tiltak_id"]]
    df["continuation_label"] = df["continuation"].map(CONTINUATION_LABELS).fillna("Ikke oppgitt")
    df["categories"] = df["categories"].fillna("")
    return df


def region_figures(region_id: str, filters: Filters) -> dict:
    """The region's own totals (as on the Regioner tiles: national aggregates)."""
    tiles = regions.region_tiles(_years(filters))
    row = tiles[tiles["region_id"] == region_id]
    if row.empty:
        return {"n_tiltak": 0, "grant_kr": 0, "n_offices": 0, "n_offices_funded": 0}
    r = row.iloc[0]
    return {k: int(r[k]) for k in ("n_tiltak", "grant_kr", "n_offices", "n_offices_funded")}


# ----------------------------------------------------------------- rendering

def _display_offices(df: pd.DataFrame, medians: dict) -> pd.DataFrame:
    def dec(v, hidden):
        return stats.SUPPRESSED_MARK if hidden else fmt_decimal(v, 1)

    rows = [{
        "office_name": f"Median for alle {fmt_int(medians.get('n_offices'))} kontorer i landet",
        "n_tiltak": fmt_decimal(medians.get("n_tiltak"), 1),
        "grant_kr": fmt_kr(medians.get("grant_kr")),
        "per_month_17": fmt_decimal(medians.get("per_month_17"), 1),
        "per_month_20a": fmt_decimal(medians.get("per_month_20a"), 1),
        "n_cases": MISSING,
        "share_ja": fmt_pct(medians.get("share_ja")) if (medians.get("n_offices_audited") or 0) >= MIN_OFFICES_FOR_MEDIAN
        else MISSING,
    }]
    for rec in df.to_dict("records"):
        audited = not pd.isna(rec.get("n_rounds"))
        rows.append({
            "office_name": rec["office_name"],
            "n_tiltak": fmt_int(rec["n_tiltak"]),
            "grant_kr": fmt_kr(rec["grant_kr"]),
            "per_month_17": dec(rec["per_month_17"], rec["suppressed_17"]),
            "per_month_20a": dec(rec["per_month_20a"], rec["suppressed_20a"]),
            "n_cases": (stats.SUPPRESSED_MARK if rec["suppressed_audit"] else fmt_int(rec["n_cases"])) if audited else MISSING,
            "share_ja": (stats.SUPPRESSED_MARK if rec["suppressed_audit"] else fmt_pct(rec["share_ja"])) if audited else MISSING,
        })
    return pd.DataFrame(rows)


def _links(region_id: str, filters: Filters):
    search = search_from_filters(Filters(filters.year_from, filters.year_to, region_id, None, filters.report_type))
    pages = sorted(
        (p for p in dash.page_registry.values()
         if p.get("nav", True) and p.get("filters", True) and not p.get("path_template")
         and p["path"] not in _NOT_LINKED),
        key=lambda p: (p.get("order") is None, p.get("order") or 0, p["name"]),
    )
    return html.Ul([html.Li(dcc.Link(f"{p['name']} for regionen", href=p["relative_path"] + search)) for p in pages],
                   className="region-links")


def _unknown_region():
    names = _region_names()
    return html.Div([
        html.H1("Fant ikke regionen"),
        html.P("Det finnes ingen region med denne adressen. Velg en av de ti regionene:"),
        html.Ul([html.Li(dcc.Link(name, href=f"/region/{rid}")) for rid, name in names.items()]),
        html.P(dcc.Link("Til kartet over regionene", href="/regioner")),
    ])


def layout(region_id: str | None = None, **_query):
    names = _region_names()
    if region_id is None:  # Dash's callback validation: the full page, never shown
        return html.Div(_page("validering", "Region"), hidden=True)
    if region_id not in names:
        return _unknown_region()
    return html.Div(_page(region_id, names[region_id]))


def _page(region_id: str, region_name: str) -> list:
    empty_tiltak = pd.DataFrame({c: pd.Series(dtype="int64" if c == "grant_kr" else object) for c in TILTAK_COLUMNS})
    grid = data_grid(f"{PREFIX}-tiltak-grid", empty_tiltak, TILTAK_COLUMNS, label=f"Tiltak i {region_name}",
                     page_size=15)
    for col in grid.children.columnDefs:
        if col["field"] == "tiltak_link":
            col.update({"cellRenderer": "markdown", "getQuickFilterText": {"function": "params.data.tiltak_id"},
                        "minWidth": 120})
        elif col["field"] == "tiltak_name":
            col["minWidth"] = 220
    return (
        [
            html.P(dcc.Link("← Alle regioner", href="/regioner"), className="mb-1 small"),
            html.H1(region_name, id=f"{PREFIX}-navn"),
            html.P([html.Span(id=f"{PREFIX}-utvalg"),
                    " Års- og rapporttypefiltrene gjelder; region- og kontorfilteret gjelder ikke her (bytt region på ",
                    dcc.Link("Regioner", href="/regioner"), ")."], className="lead-text"),
            html.Div(id=f"{PREFIX}-tilgang"),
            html.Div(id=f"{PREFIX}-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            html.Div(
                chart_card(
                    f"{PREFIX}-kontorer",
                    "Kontorene sammenlignet med landet",
                    "Hvert kontor i regionen mot medianen for alle kontorer i landet (den stiplede linjen): "
                    "finansierte tiltak, tilskudd, og vedtak etter § 17 og § 20 a per måned med tall. Velg mål "
                    "over figuren. Tabellen under har alle målene, også andelen kontrollpunkter som var i orden "
                    "ved internkontroll der kontoret har hatt det. «:» betyr at tallet ikke vises fordi det er "
                    f"færre enn {threshold()} vedtak eller saker, eller fordi det ellers kunne regnes ut.",
                    [
                        html.Fieldset(
                            [
                                html.Legend("Vis", className="form-label fs-6 fw-semibold mb-1"),
                                dbc.RadioItems(
                                    id=f"{PREFIX}-maal",
                                    options=[{"label": label, "value": key} for key, (label, _f) in OFFICE_MEASURES.items()],
                                    value="n_tiltak",
                                    inline=True,
                                ),
                            ],
                            className="mb-2",
                        ),
                        graph(f"{PREFIX}-kontorer-graf"),
                        html.P(id=f"{PREFIX}-kontorer-sammendrag", className="small mt-2", role="status"),
                        html.Div(id=f"{PREFIX}-kontorer-tabell", className="table-responsive mt-3"),
                    ],
                ),
                id=f"{PREFIX}-kontorer-seksjon",
            ),
            html.Div(
                chart_card(
                    f"{PREFIX}-tiltak",
                    "Tiltak i regionen",
                    "Tiltakene i regionen med rapport i de valgte årene. Klikk på ID-en for å åpne tiltaket.",
                    grid,
                ),
                id=f"{PREFIX}-tiltak-seksjon",
            ),
            html.Section(
                [html.H2("Se regionen på de andre sidene", className="section-title", id=f"{PREFIX}-lenker-tittel"),
                 html.Div(id=f"{PREFIX}-lenker")],
                id=f"{PREFIX}-lenker-seksjon",
                **{"aria-labelledby": f"{PREFIX}-lenker-tittel"},
            ),
        ]
    )


@callback(
    Output(f"{PREFIX}-utvalg", "children"),
    Output(f"{PREFIX}-tilgang", "children"),
    Output(f"{PREFIX}-kpi", "children"),
    Output(f"{PREFIX}-kontorer-tabell", "children"),
    Output(f"{PREFIX}-kontorer-seksjon", "hidden"),
    Output(f"{PREFIX}-tiltak-grid", "rowData"),
    Output(f"{PREFIX}-tiltak-seksjon", "hidden"),
    Output(f"{PREFIX}-lenker", "children"),
    Output(f"{PREFIX}-lenker-seksjon", "hidden"),
    Input("url", "pathname"),
    Input("url", "search"),
)
def update_region(pathname, search):
    region_id = region_from_path(pathname)
    if region_id is None:
        raise PreventUpdate
    scope = current_scope()
    filters = page_filters(search, region_id)
    figures = region_figures(region_id, filters)
    medians = regions.national_office_medians(_years(filters))
    national = regions.national_totals(_years(filters))
    share = figures["n_tiltak"] / national["n_tiltak"] if national["n_tiltak"] else None
    cards = [
        kpi_card("Finansierte tiltak", figures["n_tiltak"], f"{fmt_pct(share)} av landets {fmt_int(national['n_tiltak'])}"),
        kpi_card("Tilskudd", f"{fmt_decimal(figures['grant_kr'] / 1e6, 1)} mill. kr",
                 f"{fmt_kr(figures['grant_kr'])}; landet: {fmt_decimal(national['grant_kr'] / 1e6, 1)} mill. kr"),
        kpi_card("Kontorer med tiltak", figures["n_offices_funded"], f"av {fmt_int(figures['n_offices'])} i regionen"),
        kpi_card("Tiltak per kontor, median i landet", fmt_decimal(medians.get("n_tiltak"), 1),
                 f"over {fmt_int(medians.get('n_offices'))} kontorer"),
    ]
    kpis = [html.Div(c, className="col-6 col-lg-3") for c in cards]
    if not scope.may_see_region(region_id):
        notice = dbc.Alert(
            "Du har tilgang til tall per kontor bare for din egen region. For denne regionen vises summene for "
            "regionen og tallene for hele landet.", color="info", class_name="mb-3")
        return (years_text(filters), notice, kpis, None, True, [], True, None, True)
    offices = office_table(region_id, filters, scope)
    table = simple_table(_display_offices(offices, medians), OFFICE_COLUMNS,
                         "Kontorene i regionen og medianen for alle kontorer i landet",
                         formats={c: str for c in OFFICE_COLUMNS if c != "office_name"}) if len(offices) \
        else empty_notice("Ingen kontorer i regionen i kontorregisteret.")
    tiltak = tiltak_table(region_id, filters, scope)
    return (years_text(filters), None, kpis, table, False,
            grid_records(tiltak, ["tiltak_id", *TILTAK_COLUMNS]), False, _links(region_id, filters), False)


@callback(
    Output(f"{PREFIX}-kontorer-graf", "figure"),
    Output(f"{PREFIX}-kontorer-sammendrag", "children"),
    Input("url", "pathname"),
    Input("url", "search"),
    Input(f"{PREFIX}-maal", "value"),
)
def update_office_figure(pathname, search, measure):
    region_id = region_from_path(pathname)
    if region_id is None:
        raise PreventUpdate
    measure = measure if measure in OFFICE_MEASURES else "n_tiltak"
    scope = current_scope()
    filters = page_filters(search, region_id)
    offices = office_table(region_id, filters, scope)
    medians = regions.national_office_medians(_years(filters))
    flag = {"per_month_17": "suppressed_17", "per_month_20a": "suppressed_20a"}.get(measure)
    frame = offices[["office_name", measure]].assign(
        suppressed=offices[flag] if flag else False) if len(offices) else offices
    median = medians.get(measure)
    return office_comparison(frame, measure, median), office_comparison_summary(frame, measure, median)


# ------------------------------------------------------------------ downloads

def _register_download(id_prefix: str, data_fn, columns: dict, filename: str) -> None:
    """components.register_download, but the region comes from the path."""
    ids = download_ids(id_prefix)

    @callback(
        Output(ids["download"], "data"),
        Input(ids["csv"], "n_clicks"),
        Input(ids["xlsx"], "n_clicks"),
        State("url", "pathname"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _download(_csv, _xlsx, pathname, search):
        region_id = region_from_path(pathname)
        if ctx.triggered_id not in (ids["csv"], ids["xlsx"]) or not (_csv or _xlsx) or region_id is None:
            raise PreventUpdate
        df = data_fn(region_id, page_filters(search, region_id), current_scope())
        slug = f"{filename} {region_id}"
        return send_table(df, columns, slug, ctx.triggered_id == ids["csv"], filename)


_register_download(f"{PREFIX}-kontorer", office_table, OFFICE_DOWNLOAD_COLUMNS, "kontorer")
_register_download(f"{PREFIX}-tiltak", tiltak_table, TILTAK_DOWNLOAD_COLUMNS, "tiltak")
