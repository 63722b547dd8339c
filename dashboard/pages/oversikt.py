"""Oversikt: where the grant goes (tiltak and kroner by region and year), whether
tiltak will be continued, blank forms, and the data's health (warnings, quarantine)."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, callback, html

from dashboard.auth import current_scope
from dashboard.components import (
    chart_card,
    data_grid,
    empty_figure,
    filters_from_search,
    graph,
    grid_records,
    kpi_card,
    register_download,
    simple_table,
    style_figure,
)
from dashboard.formatting import COLORS, fmt_int, fmt_kr, fmt_pct
from dashboard.queries import meta, overview

dash.register_page(__name__, path="/", name="Oversikt", title="Oversikt – Tiltaksmonitor", order=0)

FUNDED_COLUMNS = {"report_year": "År", "region_name": "Region", "n_tiltak": "Finansierte tiltak", "grant_kr": "Tilskudd (kr)"}
CONTINUATION_COLUMNS = {"continuation_label": "Videreføres", "n_reports": "Rapporter", "share": "Andel"}
WARNING_COLUMNS = {"warning_label": "Varsel", "n": "Antall"}
QUARANTINE_COLUMNS = {"reason": "Årsak", "n": "Rader"}
QUARANTINE_LIST_COLUMNS = {"file_name": "Fil", "line": "Linje", "column_name": "Kolonne", "reason": "Årsak"}

CONTINUATION_LABELS = {"ja": "Ja", "delvis": "Delvis", "nei": "Nei", "ikke_oppgitt": "Ikke oppgitt"}
CONTINUATION_COLORS = {"ja": COLORS.categorical[2], "delvis": COLORS.categorical[1],
                       "nei": COLORS.categorical[5], "ikke_oppgitt": COLORS.missing}
WARNING_LABELS = {
    "over_kostnadstak": "Tilskudd over kostnadstaket",
    "tomt_skjema": "Tomt rapporteringsskjema",
    "tom_kontroll": "Tom kontroll (ingen punkter besvart)",
    "hopp_i_vedtak": "Brått hopp i antall vedtak",
}


def continuation_table(filters, scope) -> pd.DataFrame:
    df = overview.continuation(filters, scope)
    df["continuation_label"] = df["continuation"].map(CONTINUATION_LABELS)
    return df


def warnings_table(filters, scope) -> pd.DataFrame:
    df = overview.warnings_by_code(filters, scope)
    df["warning_label"] = df["warning_code"].map(WARNING_LABELS).fillna(df["warning_code"])
    return df


register_download("oversikt-fordeling", overview.funded_by_year_region, FUNDED_COLUMNS, filename="tiltak og tilskudd")
register_download("oversikt-tabell", overview.funded_by_year_region, FUNDED_COLUMNS, filename="tiltak og tilskudd")
register_download("oversikt-videreforing", continuation_table, CONTINUATION_COLUMNS, filename="videreforing")
register_download("oversikt-varsler", warnings_table, WARNING_COLUMNS, filename="datakvalitetsvarsler")


# ------------------------------------------------------------------ figures (pure)

def funding_heatmap(df: pd.DataFrame, measure: str = "tiltak") -> go.Figure:
    """Regions (rows) by year (columns); cells show the number of funded tiltak or
    the grant in million kroner, colour and text both."""
    if df.empty:
        return empty_figure()
    value = "n_tiltak" if measure == "tiltak" else "grant_kr"
    regions = list(dict.fromkeys(df["region_name"]))
    wide = df.pivot_table(index="region_name", columns="report_year", values=value, aggfunc="sum").reindex(regions)
    z = wide.to_numpy(dtype=float)
    if measure == "tiltak":
        texttemplate, hover, bar = "%{z:,.0f}", "Tiltak: %{z:,.0f}", {"title": {"text": "Tiltak"}, "tickformat": ",~r"}
        if np.nanmax(z) < 6:  # whole ticks only: no '1,2 tiltak'
            bar["dtick"] = 1
    else:
        z = z / 1e6
        texttemplate, hover, bar = "%{z:,.1f}", "Tilskudd: %{z:,.1f} mill. kr", {"title": {"text": "Mill. kr"}}
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(c) for c in wide.columns],
            y=regions,
            colorscale=COLORS.sequential,
            zmin=0,  # colour proportional to the value, not stretched over the range
            texttemplate=texttemplate,
            hovertemplate="%{y}, %{x}<br>" + hover + "<extra></extra>",
            colorbar=bar,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(type="category", title=None, side="top")
    return style_figure(fig, height=max(220, 48 * len(regions) + 80))


def continuation_bar(df: pd.DataFrame) -> go.Figure:
    """Share of reports by answer to 'will the tiltak be continued?'."""
    if df.empty or df["n_reports"].sum() == 0:
        return empty_figure()
    labels = df["continuation"].map(CONTINUATION_LABELS)
    fig = go.Figure(
        go.Bar(
            x=df["share"] * 100,
            y=labels,
            orientation="h",
            marker_color=[CONTINUATION_COLORS[c] for c in df["continuation"]],
            text=[f"{fmt_pct(s)} ({fmt_int(n)})" for s, n in zip(df["share"], df["n_reports"])],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(title="Andel av rapportene (%)", range=[0, 115], ticksuffix=" %")
    fig.update_yaxes(autorange="reversed", title=None)
    return style_figure(fig, height=260)


# ----------------------------------------------------------------------- layout

def layout(**_query):
    return html.Div(
        [
            html.H1("Oversikt"),
            html.P(
                "Hvor tilskuddet går, om tiltakene videreføres, og hvor gode dataene er. "
                "Tallene følger filtrene over; lenken i adressefeltet gjengir visningen.",
                className="lead-text",
            ),
            html.Div(id="oversikt-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            chart_card(
                "oversikt-fordeling",
                "Finansierte tiltak og tilskudd per region og år",
                "Hver rute er én region i ett år. Tallet i ruten og fargen viser antall finansierte "
                "tiltak (tiltak med rapport) eller tilskuddet i millioner kroner: mørkere farge er "
                "færre, lysere er flere. Et tiltak telles én gang per år selv om det har både status- "
                "og sluttrapport.",
                [
                    html.Fieldset(
                        [
                            html.Legend("Vis", className="form-label fs-6 fw-semibold mb-1"),
                            dbc.RadioItems(
                                id="oversikt-maal",
                                options=[{"label": "Antall tiltak", "value": "tiltak"},
                                         {"label": "Tilskudd (mill. kr)", "value": "kroner"}],
                                value="tiltak",
                                inline=True,
                            ),
                        ],
                        className="mb-2",
                    ),
                    graph("oversikt-fordeling-graf"),
                ],
            ),
            chart_card(
                "oversikt-tabell",
                "Tabell: tiltak og tilskudd per år og region",
                "De samme tallene som over, som tabell. Klikk på en kolonneoverskrift for å sortere; "
                "menyen i overskriften filtrerer.",
                data_grid("oversikt-tabell-grid", pd.DataFrame({c: pd.Series(dtype="int64" if c != "region_name" else object)
                                                                 for c in FUNDED_COLUMNS}),
                          FUNDED_COLUMNS, label="Tiltak og tilskudd per år og region"),
            ),
            chart_card(
                "oversikt-videreforing",
                "Skal tiltaket videreføres?",
                "Andel av rapportene som svarer ja, delvis eller nei på om tiltaket skal videreføres "
                "etter tilskuddsperioden. «Ikke oppgitt» er rapporter uten svar. Velg «Slutt» under "
                "Rapporttype for å se bare sluttrapportene.",
                graph("oversikt-videreforing-graf"),
            ),
            html.H2("Datakvalitet", className="section-title"),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            "oversikt-varsler",
                            "Varsler om datakvalitet",
                            "Rader som ble lastet inn, men som bør sjekkes, etter type varsel. "
                            "Følger år-, region- og kontorfiltrene.",
                            html.Div(id="oversikt-varsler-tabell"),
                            heading_level=3,
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            "oversikt-karantene",
                            "Rader i karantene",
                            "Rader som ikke ble lastet inn fordi de bryter filkontrakten, og som venter på "
                            "retting i kildefilen. Gjelder alle regioner og år. Innholdet i radene vises "
                            "ikke, da det kan inneholde personopplysninger.",
                            html.Div(id="oversikt-karantene-innhold"),
                            heading_level=3,
                            download=False,
                        ),
                        lg=6,
                    ),
                ]
            ),
        ]
    )


# -------------------------------------------------------------------- callbacks

@callback(
    Output("oversikt-kpi", "children"),
    Output("oversikt-tabell-grid", "rowData"),
    Input("url", "search"),
)
def update_funding(search):
    filters, scope = filters_from_search(search), current_scope()
    k = overview.kpis(filters, scope)
    df = overview.funded_by_year_region(filters, scope)
    share = k["n_continued"] / k["n_continuation_answered"] if k["n_continuation_answered"] else None
    cards = [
        kpi_card("Finansierte tiltak", k["n_tiltak"], f"{fmt_int(k['n_reports'])} rapporter"),
        kpi_card("Tilskudd", fmt_kr(k["grant_kr"]), "Sum tildelt, ifølge rapportene"),
        kpi_card("Tomme skjema", k["n_blank"], "Rapporter uten innhold"),
        kpi_card("Videreføres", fmt_pct(share), "Andel «ja» av rapportene som har svart"),
    ]
    return [html.Div(c, className="col-6 col-lg-3") for c in cards], grid_records(df, FUNDED_COLUMNS)


@callback(
    Output("oversikt-fordeling-graf", "figure"),
    Input("url", "search"),
    Input("oversikt-maal", "value"),
)
def update_heatmap(search, measure):
    df = overview.funded_by_year_region(filters_from_search(search), current_scope())
    return funding_heatmap(df, measure or "tiltak")


@callback(Output("oversikt-videreforing-graf", "figure"), Input("url", "search"))
def update_continuation(search):
    return continuation_bar(overview.continuation(filters_from_search(search), current_scope()))


@callback(
    Output("oversikt-varsler-tabell", "children"),
    Output("oversikt-karantene-innhold", "children"),
    Input("url", "search"),
)
def update_quality(search):
    filters, scope = filters_from_search(search), current_scope()
    warnings = simple_table(warnings_table(filters, scope), WARNING_COLUMNS, "Varsler etter type",
                            formats={"n": fmt_int})
    reasons = overview.quarantine_by_reason()
    latest = overview.quarantine_list(scope)
    total = meta.quarantine_count()
    quarantine = [
        html.P([html.Strong(fmt_int(total)), " rader venter i karantene."]),
        simple_table(reasons, QUARANTINE_COLUMNS, "Etter årsak", formats={"n": fmt_int}),
    ]
    if len(latest):
        quarantine.append(
            html.Div(simple_table(latest, QUARANTINE_LIST_COLUMNS, f"De {len(latest)} siste radene",
                                  ), className="mt-3")
        )
    return warnings, quarantine
