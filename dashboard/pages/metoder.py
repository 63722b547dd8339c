"""Lovende metoder: the seven promising methods of the 2021 cohort (NTNU/SØF 2023)
and which of the Vedlegg A criteria each meets, as a compact matrix with text.
The catalogue is the published result and the same for every role and filter, so
the filter bar is hidden here. Each method links to its detail page (metode.py)."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard.auth import current_scope
from dashboard.components import (
    chart_card,
    empty_notice,
    filters_from_search,
    register_download,
)
from dashboard.figures.methods import ANSWER_BACKGROUNDS, ANSWER_SYMBOLS
from dashboard.formatting import MISSING, fmt_int
from dashboard.queries import methods as q

dash.register_page(__name__, path="/metoder", name="Lovende metoder", title="Lovende metoder – Tiltaksmonitor",
                   order=6, filters=False)

LIST_COLUMNS = {
    "method_name": "Metode", "office_name": "Kontor", "region_name": "Region", "start_year": "Startår",
    "target_group": "Målgruppe", "ages": "Alder", "status": "Status", "categories_text": "Kategorier",
    "criteria_text": "Kriterier oppfylt", "n_not_met": "Ikke oppfylt", "n_unknown": "Ukjent",
    "criteria_phase_label": "Vurdert i", "source": "Kilde",
}
CRITERIA_COLUMNS = {
    "method_name": "Metode", "criterion_no": "Nr.", "criterion_code": "Kode", "criterion_text": "Kriterium",
    "answer_label": "Vurdering", "phase_label": "Vurdert i",
}


def method_list(filters, scope) -> pd.DataFrame:
    df = q.methods(filters, scope)
    df["criteria_phase_label"] = df["criteria_phase"].map(q.PHASE_LABELS).fillna("ikke vurdert")
    return df


def criteria_table(filters, scope) -> pd.DataFrame:
    df = q.criteria(filters, scope)
    df["phase_label"] = df["phase"].map(q.PHASE_LABELS).fillna("ikke vurdert")
    return df


register_download("metoder-liste", method_list, LIST_COLUMNS, filename="lovende metoder")
register_download("metoder-kriterier", criteria_table, CRITERIA_COLUMNS, filename="lovende metoder kriterier")


# ------------------------------------------------------------------ rendering

def detail_href(method_id: str) -> str:
    return f"/metoder/{method_id}"


def answer_cell(answer: str, label: str):
    """A judgement as symbol and text on a light tint (never colour alone)."""
    return html.Td(
        [html.Span(ANSWER_SYMBOLS.get(answer, "?"), className="me-1", **{"aria-hidden": "true"}), label],
        className="text-nowrap",
        style={"backgroundColor": ANSWER_BACKGROUNDS.get(answer, "#FFFFFF")},
    )


def _text(value) -> str:
    return MISSING if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def list_table(df: pd.DataFrame):
    """The methods as a table; the name links to the detail page."""
    if df.empty:
        return empty_notice("Ingen lovende metoder i datagrunnlaget.")
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Metode", "Kontor", "Startår", "Målgruppe og alder", "Status", "Kriterier oppfylt")]))
    rows = []
    for r in df.itertuples(index=False):
        target = _text(r.target_group)
        if r.ages:
            target = f"{target} ({r.ages})" if target != MISSING else r.ages
        unknown = f", {fmt_int(r.n_unknown)} ukjent" if r.n_unknown else ""
        not_met = f", {fmt_int(r.n_not_met)} ikke oppfylt" if r.n_not_met else ""
        rows.append(html.Tr([
            html.Th(dcc.Link(r.method_name, href=detail_href(r.method_id)), scope="row"),
            html.Td([r.office_name, html.Br(),
                     html.Span(r.region_name, className="small", style={"color": "#4d4d4d"})]),
            html.Td(str(r.start_year) if pd.notna(r.start_year) else MISSING),
            html.Td(target),
            html.Td(_text(r.status)),
            html.Td(f"{fmt_int(r.n_met)} av {fmt_int(r.n_criteria)}{not_met}{unknown}"),
        ]))
    return html.Div(
        html.Table(
            [html.Caption("De sju lovende metodene: kontor, start, målgruppe, status og kriterier oppfylt"),
             head, html.Tbody(rows)],
            className="table table-sm table-striped caption-top mb-0",
            id="metoder-liste-tabell-innhold",
        ),
        className="table-responsive",
    )


def criteria_matrix(crit: pd.DataFrame, catalogue: pd.DataFrame):
    """Criteria (rows) x methods (columns): 'Oppfylt' / 'Ikke oppfylt' / 'Ukjent'."""
    if crit.empty or catalogue.empty:
        return empty_notice("Ingen vurderinger av kriteriene i datagrunnlaget.")
    method_ids = list(catalogue["method_id"])
    names = dict(zip(catalogue["method_id"], catalogue["short_name"]))
    phases = dict(zip(catalogue["method_id"], catalogue["criteria_phase"]))
    cells = {(m, c): (a, label) for m, c, a, label in
             crit[["method_id", "criterion_no", "answer", "answer_label"]].itertuples(index=False)}
    criteria = crit.drop_duplicates("criterion_no").sort_values("criterion_no")
    head = html.Thead(html.Tr(
        [html.Th("Kriterium (Vedlegg A)", scope="col")]
        + [html.Th(dcc.Link(names[m], href=detail_href(m)), scope="col") for m in method_ids]
    ))
    rows = []
    for no, text in criteria[["criterion_no", "criterion_text"]].itertuples(index=False):
        row = [html.Th(f"{int(no)}. {text}", scope="row", className="fw-normal")]
        for m in method_ids:
            answer, label = cells.get((m, no), ("ukjent", q.ANSWER_LABELS["ukjent"]))
            row.append(answer_cell(answer, label))
        rows.append(html.Tr(row))
    met = crit[crit["answer"] == "ja"].groupby("method_id").size()
    total = crit.groupby("method_id").size()
    foot = html.Tfoot([
        html.Tr([html.Th("Oppfylt i alt", scope="row")]
                + [html.Td(f"{fmt_int(met.get(m, 0))} av {fmt_int(total.get(m, 0))}", className="fw-semibold")
                   for m in method_ids]),
        html.Tr([html.Th("Vurdert i", scope="row", className="fw-normal")]
                + [html.Td(q.PHASE_LABELS.get(phases.get(m), "ikke vurdert")) for m in method_ids]),
    ])
    return html.Div(
        html.Table(
            [html.Caption("Kriteriene i Vedlegg A per metode: oppfylt, ikke oppfylt eller ukjent"),
             head, html.Tbody(rows), foot],
            className="table table-sm table-bordered caption-top mb-0 small",
            id="metoder-kriterier-matrise",
        ),
        className="table-responsive",
        role="region",
        tabIndex="0",
        **{"aria-label": "Kriteriematrise, kan rulles sidelengs"},
    )


# ----------------------------------------------------------------------- layout

def layout(**_query):
    return html.Div(
        [
            html.H1("Lovende metoder"),
            html.P(
                "Sju metoder fra tiltakene som fikk tilskudd i 2021, valgt ut av forskere ved NTNU og SØF (2023) "
                "etter screening, dybdegjennomgang, felles drøfting og casestudier. Kriteriene i Vedlegg A "
                "er ikke utelukkelsesregler, men grunnlag for en helhetlig vurdering. Listen er den samme "
                "for alle brukere og påvirkes ikke av filtrene. Velg en metode for å se detaljene.",
                className="lead-text",
            ),
            chart_card(
                "metoder-liste",
                "De sju lovende metodene",
                "Én rad per metode: kontoret som startet den, startår, målgruppe, status slik rapporten "
                "beskriver den, og hvor mange av de 13 kriteriene i Vedlegg A forskerne vurderte som oppfylt.",
                html.Div(id="metoder-liste-tabell", **{"aria-live": "polite"}),
            ),
            chart_card(
                "metoder-kriterier",
                "Kriteriene i Vedlegg A per metode",
                "Hver rad er ett kriterium, hver kolonne én metode. ✓ Oppfylt, ✗ Ikke oppfylt og ? Ukjent "
                "(ikke vurdert eller uklart). Vurderingen er fra casestudien der den finnes, ellers fra "
                "fellesvurderingen; raden «Vurdert i» sier hvilken.",
                html.Div(id="metoder-kriterier-tabell"),
            ),
        ]
    )


# -------------------------------------------------------------------- callbacks

@callback(
    Output("metoder-liste-tabell", "children"),
    Output("metoder-kriterier-tabell", "children"),
    Input("url", "search"),
)
def update(search):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    catalogue = method_list(filters, scope)
    return list_table(catalogue), criteria_matrix(criteria_table(filters, scope), catalogue)
