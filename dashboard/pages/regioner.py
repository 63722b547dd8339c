"""Regioner: the ten Statsforvalter regions as a tile map (a CSS grid of links laid
out roughly like the map of Norway, no geodata), each with its funded tiltak and
grant in the selected years, and a link to the region's own page.

The figures are national aggregates per region (no office rows), so every role sees
all ten tiles; the region and office filters do not apply here.
"""
from __future__ import annotations

from dataclasses import replace

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.auth import current_scope
from dashboard.components import (
    chart_card,
    filters_from_search,
    kpi_card,
    register_download,
    search_from_filters,
    simple_table,
)
from dashboard.formatting import COLORS, fmt_decimal, fmt_int, fmt_kr
from dashboard.queries import Filters, regions

dash.register_page(__name__, path="/regioner", name="Regioner", title="Regioner – Tiltaksmonitor", order=9)

TILE_COLUMNS = {
    "region_name": "Region",
    "n_tiltak": "Finansierte tiltak",
    "grant_kr": "Tilskudd (kr)",
    "n_offices_funded": "Kontorer med tiltak",
    "n_offices": "Kontorer i alt",
}

_TILE_STYLE = {
    "display": "block", "height": "100%", "padding": ".5rem .6rem", "borderRadius": ".5rem",
    "border": f"2px solid {COLORS.categorical[0]}", "background": "#fff", "color": COLORS.text,
    "textDecoration": "none", "lineHeight": 1.25,
}
_TILE_SELECTED = {**_TILE_STYLE, "background": "#e3eef7", "borderWidth": "4px"}


def tiles_frame(filters: Filters, _scope=None) -> pd.DataFrame:
    """The tiles' numbers (national: the same for every role)."""
    return regions.region_tiles(_national(filters))


register_download("regioner-kart", tiles_frame, TILE_COLUMNS, filename="regioner", sheet_name="Regioner")


def _national(filters: Filters) -> Filters:
    return replace(filters, region_id=None, office_id=None)


def mill_kr(value) -> str:
    """'12,3 mill. kr' (a tile has little room)."""
    return f"{fmt_decimal(value / 1e6, 1)} mill. kr"


def region_href(region_id: str, filters: Filters) -> str:
    """The region page, keeping the years and report type (not region or office)."""
    return f"/region/{region_id}" + search_from_filters(_national(filters))


def tile_map(df: pd.DataFrame, filters: Filters):
    """A list of links placed on a grid by ref_regions.tile_row/tile_col; the list is
    in reference order, so a screen reader reads the regions in that order."""
    if df.empty:
        return html.P("Ingen regioner.", className="empty-notice")
    n_cols = int(df["tile_col"].max())
    n_rows = int(df["tile_row"].max()) + 1
    items = []
    for rec in df.to_dict("records"):
        selected = rec["region_id"] == filters.region_id
        items.append(html.Li(
            dcc.Link(
                [
                    html.Span(rec["region_name"], className="d-block fw-bold"),
                    html.Span(f"{fmt_int(rec['n_tiltak'])} tiltak", className="d-block"),
                    html.Span(mill_kr(rec["grant_kr"]), className="d-block small"),
                    html.Span("Valgt i filteret", className="d-block small fst-italic") if selected else None,
                ],
                href=region_href(rec["region_id"], filters),
                id=f"regioner-flis-{rec['region_id']}",
                style=_TILE_SELECTED if selected else _TILE_STYLE,
            ),
            style={"gridRow": int(rec["tile_row"]) + 1, "gridColumn": int(rec["tile_col"]) - int(df["tile_col"].min()) + 1},
        ))
    return html.Ul(
        items,
        id="regioner-fliser",
        className="region-tiles",
        style={"display": "grid", "gridTemplateColumns": f"repeat({n_cols - int(df['tile_col'].min()) + 1}, minmax(0, 1fr))",
               "gridTemplateRows": f"repeat({n_rows}, auto)", "gap": ".5rem", "listStyle": "none",
               "padding": 0, "margin": 0, "maxWidth": "40rem"},
    )


def tiles_table(df: pd.DataFrame, totals: dict):
    shown = pd.concat([df[list(TILE_COLUMNS)], pd.DataFrame([{
        "region_name": "Hele landet", "n_tiltak": totals["n_tiltak"], "grant_kr": totals["grant_kr"],
        "n_offices_funded": totals["n_offices_funded"], "n_offices": int(df["n_offices"].sum()),
    }])], ignore_index=True)
    return simple_table(shown, TILE_COLUMNS, "Finansierte tiltak og tilskudd per region",
                        formats={"n_tiltak": fmt_int, "grant_kr": fmt_kr, "n_offices_funded": fmt_int,
                                 "n_offices": fmt_int}, id="regioner-tabell")


def layout(**_query):
    return html.Div(
        [
            html.H1("Regioner"),
            html.P(
                "De ti Statsforvalter-regionene, omtrent plassert som på kartet. Hver rute viser hvor mange tiltak "
                "som fikk tilskudd i de valgte årene, og hvor mye. Klikk på en region for å se kontorene der "
                "sammenlignet med landet, og tiltakene i regionen.",
                className="lead-text",
            ),
            html.Div(id="regioner-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            chart_card(
                "regioner-kart",
                "Tiltak og tilskudd per region",
                "Rutene er regionene, ordnet omtrent som på kartet (nord øverst). Tallene følger års- og "
                "rapporttypefiltrene; region- og kontorfilteret gjelder ikke her. Et tiltak telles én gang selv om "
                "det har rapportert flere år. Tabellen under har de samme tallene og summen for hele landet.",
                [
                    html.Div(id="regioner-kart-fliser", className="mb-3"),
                    html.Div(id="regioner-kart-tabell", className="table-responsive"),
                ],
            ),
        ]
    )


@callback(
    Output("regioner-kpi", "children"),
    Output("regioner-kart-fliser", "children"),
    Output("regioner-kart-tabell", "children"),
    Input("url", "search"),
)
def update_tiles(search):
    filters = filters_from_search(search, current_scope())
    df = tiles_frame(filters)
    totals = regions.national_totals(_national(filters))
    cards = [
        kpi_card("Finansierte tiltak", totals["n_tiltak"], "hele landet, de valgte årene"),
        kpi_card("Tilskudd", mill_kr(totals["grant_kr"]), f"{fmt_kr(totals['grant_kr'])}, hele landet"),
        kpi_card("Kontorer med tiltak", totals["n_offices_funded"], f"av {fmt_int(df['n_offices'].sum())} i registeret"),
    ]
    if totals["n_tiltak_unknown_region"]:
        cards.append(kpi_card("Uten kjent region", totals["n_tiltak_unknown_region"], "tiltak som ikke er med i rutene"))
    return ([html.Div(c, className="col-6 col-lg-3") for c in cards], tile_map(df, filters), tiles_table(df, totals))
