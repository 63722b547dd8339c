"""Tiltak: every funded tiltak in one searchable, sortable, filterable table (its
latest report within the filters), with a link to each tiltak's own page.

Free text (name, target group, description) is user-supplied: the grid shows it as
plain cell text (no HTML or markdown renderer); only the id column is a markdown
link, built from an id that matched queries.tiltak.TILTAK_ID.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, html

from dashboard.auth import current_scope
from dashboard.components import (
    chart_card,
    data_grid,
    filters_from_search,
    grid_records,
    kpi_card,
    register_download,
)
from dashboard.formatting import MISSING, fmt_decimal, fmt_kr
from dashboard.queries import tiltak as queries

dash.register_page(__name__, path="/tiltak", name="Tiltak", title="Tiltak – Tiltaksmonitor", order=8)

GRID_ID = "tiltak-grid"

REPORT_TYPE_LABELS = {"status": "Statusrapport", "slutt": "Sluttrapport"}
CONTINUATION_LABELS = {"ja": "Ja", "delvis": "Delvis", "nei": "Nei"}

#: Shown in the grid (the id column as a link to the tiltak's page).
GRID_COLUMNS = {
    "tiltak_link": "ID",
    "tiltak_name": "Navn",
    "office_name": "NAV-kontor",
    "region_name": "Region",
    "years_reported": "År med rapport",
    "latest_type_label": "Siste rapport",
    "grant_kr": "Tilskudd (kr)",
    "categories": "Kategorier",
    "ages": "Alder",
    "law_sections": "Lovparagrafer",
    "continuation_label": "Videreføres",
    "blank_label": "Tomt skjema",
    "target_group": "Målgruppe",
    "description": "Beskrivelse",
}
#: The same in downloads, with the plain id instead of the link.
DOWNLOAD_COLUMNS = {"tiltak_id": "ID", **{k: v for k, v in GRID_COLUMNS.items() if k != "tiltak_link"}}

#: Minimum column widths (px): the grid scrolls sideways rather than squeezing text.
_MIN_WIDTH = {"tiltak_name": 220, "target_group": 260, "description": 320, "categories": 180, "office_name": 150,
              "region_name": 150, "years_reported": 130, "latest_type_label": 125, "grant_kr": 130,
              "ages": 95, "law_sections": 120, "continuation_label": 115, "blank_label": 110}
_TOOLTIP = {"tiltak_name", "target_group", "description", "categories"}


def age_text(age_from, age_to) -> str:
    """'16–24 år', 'fra 16 år', 'til 24 år' or '–'."""
    lo = None if pd.isna(age_from) else int(age_from)
    hi = None if pd.isna(age_to) else int(age_to)
    if lo is not None and hi is not None:
        return f"{lo}–{hi} år"
    if lo is not None:
        return f"fra {lo} år"
    if hi is not None:
        return f"til {hi} år"
    return MISSING


def tiltak_link(tiltak_id: str) -> str:
    """Markdown link to the tiltak's page, only for ids of the expected shape (so no
    markdown or HTML can be smuggled in through an id); others as plain text."""
    if queries.valid_tiltak_id(tiltak_id):
        return f"[{tiltak_id}](/tiltak/{tiltak_id})"
    return "" if tiltak_id is None else str(tiltak_id).replace("[", "(").replace("]", ")")


def table_frame(filters, scope) -> pd.DataFrame:
    """queries.tiltak_list with the display columns of GRID_COLUMNS added."""
    df = queries.tiltak_list(filters, scope)
    df["tiltak_link"] = [tiltak_link(t) for t in df["tiltak_id"]]
    df["latest_type_label"] = df["latest_type"].map(REPORT_TYPE_LABELS).fillna(MISSING)
    df["ages"] = [age_text(a, b) for a, b in zip(df["age_from"], df["age_to"])]
    df["continuation_label"] = df["continuation"].map(CONTINUATION_LABELS).fillna("Ikke oppgitt")
    df["blank_label"] = df["is_blank_form"].map({True: "Ja", False: "Nei"}).fillna(MISSING)
    for col in ("categories", "law_sections", "target_group", "description"):
        df[col] = df[col].fillna("")
    return df


register_download("tiltak-tabell", table_frame, DOWNLOAD_COLUMNS, filename="tiltak", sheet_name="Tiltak")


def _empty_table() -> pd.DataFrame:
    dtypes = {"grant_kr": "int64"}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in GRID_COLUMNS})


def grid():
    """The grid: data_grid plus the link renderer on the id column, a quick filter
    that looks at the id (not the link text), and wider free-text columns."""
    wrap = data_grid(GRID_ID, _empty_table(), GRID_COLUMNS, label="Alle tiltak", page_size=25)
    ag = wrap.children
    for col in ag.columnDefs:
        if col["field"] == "tiltak_link":
            col.update({
                "cellRenderer": "markdown",
                "getQuickFilterText": {"function": "params.data.tiltak_id"},
                "comparator": {"function": "(a, b) => (a || '').localeCompare(b || '', 'nb')"},
                "minWidth": 120,
                "pinned": "left",
            })
        else:
            col["minWidth"] = _MIN_WIDTH.get(col["field"], 100)
            if col["field"] in _TOOLTIP:
                col["tooltipField"] = col["field"]
    ag.dashGridOptions = {**ag.dashGridOptions, "quickFilterText": "", "cacheQuickFilter": True}
    return wrap


def layout(**_query):
    return html.Div(
        [
            html.H1("Tiltak"),
            html.P(
                "Alle tiltak som har sendt rapport i de valgte årene, med den siste rapporten. Søk i navn, kontor, "
                "kategorier, målgruppe og beskrivelse, sorter ved å klikke på en kolonneoverskrift, og åpne et "
                "tiltak ved å klikke på ID-en. På tiltakets egen side ser du alle rapportene, egenvurderingen og "
                "lignende tiltak – også avsluttede og de som ikke ble videreført.",
                className="lead-text",
            ),
            html.Div(id="tiltak-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            chart_card(
                "tiltak-tabell",
                "Alle tiltak",
                "Én rad per tiltak. «Tilskudd» er summen for årene med rapport innenfor filtrene (et år telles én "
                "gang selv om tiltaket har både status- og sluttrapport). «Siste rapport», kategorier, alder, "
                "lovparagrafer og «Tomt skjema» gjelder den siste rapporten; målgruppe og beskrivelse er fra den "
                "siste rapporten som har dem. Menyen i hver kolonneoverskrift filtrerer kolonnen.",
                [
                    html.Div(
                        [
                            dbc.Label("Søk i tabellen", html_for="tiltak-sok", class_name="fw-semibold mb-1"),
                            dbc.Input(id="tiltak-sok", type="search", value="", debounce=250, autocomplete="off",
                                      placeholder="For eksempel «gjeld», «ungdom» eller et kontor"),
                            html.Small("Søket ser i alle kolonnene, også målgruppe og beskrivelse.",
                                       id="tiltak-sok-hjelp", className="text-muted d-block"),
                            html.P(id="tiltak-antall", className="mt-2 mb-0", role="status"),
                        ],
                        className="mb-2",
                        style={"maxWidth": "40rem"},
                    ),
                    grid(),
                ],
            ),
        ]
    )


@callback(
    Output("tiltak-kpi", "children"),
    Output(GRID_ID, "rowData"),
    Input("url", "search"),
)
def update_table(search):
    filters, scope = filters_from_search(search), current_scope()
    df = table_frame(filters, scope)
    n = len(df)
    cards = [
        kpi_card("Tiltak", n, "med rapport i de valgte årene"),
        kpi_card("Tilskudd", f"{fmt_decimal((df['grant_kr'].sum() if n else 0) / 1e6, 1)} mill. kr",
                 f"{fmt_kr(df['grant_kr'].sum() if n else 0)} for de valgte årene"),
        kpi_card("Avsluttet", int(df["has_final"].sum()) if n else 0, "har sendt sluttrapport"),
        kpi_card("Ikke videreført", int((df["continuation"] == "nei").sum()) if n else 0,
                 "siste svar om videreføring er «nei»"),
    ]
    return [html.Div(c, className="col-6 col-lg-3") for c in cards], grid_records(df, ["tiltak_id", *GRID_COLUMNS])


# The quick filter runs in the browser: no round trip per keystroke.
clientside_callback(
    """
    function (text, options) {
        return Object.assign({}, options || {}, {quickFilterText: text || ""});
    }
    """,
    Output(GRID_ID, "dashGridOptions"),
    Input("tiltak-sok", "value"),
    State(GRID_ID, "dashGridOptions"),
    prevent_initial_call=True,
)

clientside_callback(
    """
    function (rows, all) {
        var shown = (rows || []).length, total = (all || []).length;
        var fmt = function (n) { return String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, "\\u00a0"); };
        if (shown === total) { return "Viser alle " + fmt(total) + " tiltak."; }
        return "Viser " + fmt(shown) + " av " + fmt(total) + " tiltak.";
    }
    """,
    Output("tiltak-antall", "children"),
    Input(GRID_ID, "virtualRowData"),
    State(GRID_ID, "rowData"),
)
