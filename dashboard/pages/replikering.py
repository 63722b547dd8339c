"""Replikering: where the seven methods are tried again. A method x office matrix
of role and status, a timeline of the original and each replication (open ends
drawn to the data horizon), and replication counts per method and per region.
Comparison offices are shown as such and never counted as replications.

Scope: office rows (matrix, timeline, notes) are the caller's region only; the
counts are national aggregates. Filters: years (a row is shown when its period
overlaps them), region and office (office rows; the per-method count follows the
region); the report type does not apply."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.auth import current_scope
from dashboard.components import (
    chart_card,
    empty_notice,
    filters_from_search,
    graph,
    kpi_card,
    register_download,
    simple_table,
)
from dashboard.figures import methods as fig
from dashboard.formatting import MISSING, fmt_date, fmt_int
from dashboard.queries import methods as q

dash.register_page(__name__, path="/replikering", name="Replikering", title="Replikering – Tiltaksmonitor", order=7)

ROWS_COLUMNS = {
    "method_name": "Metode", "office_name": "Kontor", "region_name": "Region", "role_label": "Rolle",
    "status_label": "Status", "start_date": "Fra", "end_date": "Til", "open_text": "Åpen slutt",
    "funding": "Finansiering", "source": "Kilde", "note": "Merknad",
}
BY_METHOD_COLUMNS = {
    "method_name": "Metode", "n_replikering": "Replikering", "n_folgeprosjekt": "Følgeprosjekt",
    "n_replications": "Replikeringer i alt", "n_comparison": "Sammenligningskontorer (ikke telt)",
}
BY_REGION_COLUMNS = {"region_name": "Region", "n_replications": "Replikeringer", "n_methods": "Metoder"}


def replication_rows(filters, scope) -> pd.DataFrame:
    """The office rows with dates as dates and the open end said in words (downloads)."""
    df = q.replications(filters, scope)
    df["open_text"] = df["is_open"].map({True: "ja", False: "nei"})
    for col in ("start_date", "end_date"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


register_download("replikering-matrise", replication_rows, ROWS_COLUMNS, filename="replikering kontorer")
register_download("replikering-tidslinje", replication_rows, ROWS_COLUMNS, filename="replikering tidslinje")
register_download("replikering-merknader", replication_rows, ROWS_COLUMNS, filename="replikering merknader")
register_download("replikering-per-metode", q.counts_by_method, BY_METHOD_COLUMNS, filename="replikering per metode")
register_download("replikering-per-region", q.counts_by_region, BY_REGION_COLUMNS, filename="replikering per region")


# ------------------------------------------------------------------ rendering

def _is_example(note) -> bool:
    return isinstance(note, str) and note.strip().lower().startswith("eksempeldata")


def matrix_table(rows: pd.DataFrame, catalogue: pd.DataFrame):
    """Offices (rows, by region) x methods (columns); each cell names role and
    status in words, on a light tint by role; comparison offices say so."""
    if rows.empty:
        return empty_notice("Ingen kontorer å vise for valgte filtre.")
    method_ids = list(catalogue["method_id"])
    names = dict(zip(catalogue["method_id"], catalogue["short_name"]))
    cells: dict[tuple[str, str], list] = {}
    for r in rows.itertuples(index=False):
        cells.setdefault((r.office_id, r.method_id), []).append(r)
    offices = (rows.drop_duplicates("office_id")
               .sort_values(["region_order", "office_name"], na_position="last")[["office_id", "office_name",
                                                                                   "region_name"]])
    head = html.Thead(html.Tr(
        [html.Th("Kontor", scope="col"), html.Th("Region", scope="col")]
        + [html.Th(dcc.Link(names.get(m, m), href=f"/metoder/{m}"), scope="col") for m in method_ids]
    ))
    body = []
    for office_id, office_name, region_name in offices.itertuples(index=False):
        tr = [html.Th(office_name, scope="row"), html.Td(region_name)]
        for m in method_ids:
            entries = cells.get((office_id, m), [])
            if not entries:
                tr.append(html.Td(MISSING, className="text-center"))
                continue
            # one text child per cell (lines via pre-line): a large matrix of nested
            # components is slow for the Dash renderer
            lines = []
            for e in entries:
                lines += ["Sammenligning (ikke replikering)" if e.role == "sammenligning" else e.role_label,
                          e.status_label]
                if _is_example(e.note):
                    lines.append("Eksempeldata")
            style = {"backgroundColor": fig.ROLE_BACKGROUNDS.get(entries[0].role, "#FFFFFF"),
                     "whiteSpace": "pre-line"}
            if entries[0].role == "sammenligning":
                style["border"] = f"2px dashed {fig.PURPLE}"
            tr.append(html.Td("\n".join(lines), style=style, className="small"))
        body.append(html.Tr(tr))
    return html.Div(
        html.Table(
            [html.Caption("Metode og kontor: rolle og status"), head, html.Tbody(body)],
            className="table table-sm table-bordered caption-top mb-0",
            id="replikering-matrise-tabell-innhold",
        ),
        className="table-responsive",
        role="region",
        tabIndex="0",
        **{"aria-label": "Matrise over metoder og kontorer, kan rulles sidelengs"},
    )


def notes_table(rows: pd.DataFrame):
    if rows.empty:
        return empty_notice("Ingen kontorer å vise for valgte filtre.")
    shown = rows.assign(
        start_text=rows["start_date"].map(fmt_date),
        end_text=[fmt_date(e) if pd.notna(e) else "åpen" for e in rows["end_date"]],
        note_text=rows["note"].fillna(MISSING),
    )
    columns = {"short_name": "Metode", "office_name": "Kontor", "role_label": "Rolle", "status_label": "Status",
               "start_text": "Fra", "end_text": "Til", "source": "Kilde", "note_text": "Merknad"}
    return html.Div(simple_table(shown, columns, "Kontorene med kilde og merknad", id="replikering-merknader-tabell"),
                    className="table-responsive")


def kpis(by_method: pd.DataFrame, horizon):
    n_rep = int(by_method["n_replications"].sum()) if len(by_method) else 0
    n_methods = int((by_method["n_replications"] > 0).sum()) if len(by_method) else 0
    n_comp = int(by_method["n_comparison"].sum()) if len(by_method) else 0
    cards = [
        kpi_card("Replikeringer", n_rep, "Kontorer som tar i bruk en metode (med følgeprosjekt)"),
        kpi_card("Metoder som replikeres", f"{fmt_int(n_methods)} av {fmt_int(len(by_method))}"),
        kpi_card("Sammenligningskontorer", n_comp, "Kontrollgruppe, ikke telt som replikering"),
        kpi_card("Datagrense", fmt_date(horizon),
                 "Siste dato i dataene; åpne perioder tegnes hit"),
    ]
    return [html.Div(c, className="col-6 col-lg-3") for c in cards]


# ----------------------------------------------------------------------- layout

def layout(**_query):
    return html.Div(
        [
            html.H1("Replikering"),
            html.P(
                "Hvor de lovende metodene er tatt i bruk på nytt: det opprinnelige kontoret, replikeringer, "
                "kontorer i følgeprosjektet og sammenligningskontorer. Replikering er rapportens viktigste "
                "anbefaling: den prøver om kunnskapen holder og om metoden lar seg overføre. "
                "Års-, region- og kontorfiltrene gjelder; rapporttype brukes ikke her.",
                className="lead-text",
            ),
            html.Div(id="replikering-omfang"),
            html.Div(id="replikering-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            chart_card(
                "replikering-matrise",
                "Metode og kontor",
                "Hver rad er ett kontor, hver kolonne én metode. Cellen sier kontorets rolle (opprinnelig, "
                "replikering, følgeprosjekt eller sammenligning) og status. Sammenligningskontorer har stiplet "
                "ramme og er ikke replikeringer. «Eksempeldata» betyr at kontoret er oppdiktet i eksempeldataene.",
                html.Div(id="replikering-matrise-tabell"),
            ),
            chart_card(
                "replikering-tidslinje",
                "Tidslinje per metode",
                "Hver stolpe er ett kontor, fra start til slutt. Stolper uten sluttdato går til datagrensen "
                "(siste dato i dataene, prikket linje) og har en pil i enden. Farge og forklaring viser rollen; "
                "sammenligningskontorer er skravert.",
                [graph("replikering-tidslinje-graf"),
                 html.P(id="replikering-tidslinje-sammendrag", className="chart-summary small mt-2")],
            ),
            dbc.Row(
                [
                    dbc.Col(
                        chart_card(
                            "replikering-per-metode",
                            "Replikeringer per metode",
                            "Antall kontorer som replikerer hver metode, delt i replikering og følgeprosjekt. "
                            "Sammenligningskontorer er ikke telt. Tellingen gjelder hele landet, eller valgt region.",
                            [graph("replikering-per-metode-graf"),
                             html.P(id="replikering-per-metode-sammendrag", className="chart-summary small mt-2")],
                        ),
                        lg=6,
                    ),
                    dbc.Col(
                        chart_card(
                            "replikering-per-region",
                            "Replikeringer per region",
                            "Antall replikeringer etter regionen til kontoret som replikerer, for alle regioner. "
                            "Region- og kontorfilteret brukes ikke her.",
                            [graph("replikering-per-region-graf"),
                             html.P(id="replikering-per-region-sammendrag", className="chart-summary small mt-2")],
                        ),
                        lg=6,
                    ),
                ]
            ),
            chart_card(
                "replikering-merknader",
                "Kilder og merknader",
                "Alle kontorene over med kilde og merknad. Merknaden sier blant annet når et kontor er "
                "eksempeldata fordi de virkelige kontorene ikke er publisert.",
                html.Div(id="replikering-merknader-innhold"),
            ),
        ]
    )


# -------------------------------------------------------------------- callbacks

@callback(
    Output("replikering-omfang", "children"),
    Output("replikering-matrise-tabell", "children"),
    Output("replikering-tidslinje-graf", "figure"),
    Output("replikering-tidslinje-sammendrag", "children"),
    Output("replikering-merknader-innhold", "children"),
    Input("url", "search"),
)
def update_offices(search):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    rows = q.replications(filters, scope)
    catalogue = q.methods(filters, scope)
    scope_note = None
    if scope.role == "statsforvalter":
        scope_note = dbc.Alert("Kontorradene (matrise, tidslinje og merknader) viser bare kontorer i din region. "
                               "Tellingene per metode og region gjelder hele landet.", color="info")
    return (scope_note, matrix_table(rows, catalogue), fig.timeline(rows), fig.timeline_summary(rows),
            notes_table(rows))


@callback(
    Output("replikering-kpi", "children"),
    Output("replikering-per-metode-graf", "figure"),
    Output("replikering-per-metode-sammendrag", "children"),
    Output("replikering-per-region-graf", "figure"),
    Output("replikering-per-region-sammendrag", "children"),
    Input("url", "search"),
)
def update_counts(search):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    by_method = q.counts_by_method(filters, scope)
    by_region = q.counts_by_region(filters, scope)
    return (kpis(by_method, q.data_horizon()), fig.counts_by_method(by_method), fig.counts_by_method_summary(by_method),
            fig.counts_by_region(by_region), fig.counts_by_region_summary(by_region))
