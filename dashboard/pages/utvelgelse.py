"""Utvelgelse: how the promising methods were selected from one cohort of funded
tiltak. The funnel, the two raters' agreement (crosstab and Cohen's kappa as Stata's
`kap` reports it) beside the published figures, and the tiltak they disagreed on."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_scope
from dashboard.components import (
    DATA_ERRORS,
    chart_card,
    data_grid,
    download_ids,
    empty_notice,
    filters_from_search,
    graph,
    send_table,
    simple_table,
)
from dashboard.figures import selection as figures
from dashboard.formatting import MISSING, fmt_int
from dashboard.queries import selection
from dashboard.stats import landis_koch

dash.register_page(__name__, path="/utvelgelse", name="Utvelgelse", title="Utvelgelse – Tiltaksmonitor", order=5)

PREFIX = "utvelgelse"
PHASES = tuple(selection.KAPPA_PHASES)  # ('screening', 'dybde')
PHASE_IDS = {"screening": "screening", "dybde": "dybde"}

FUNNEL_COLUMNS = {"stage_label": "Trinn", "explanation": "Hva som skjer", "n_tiltak_text": "Beregnet",
                  "published_text": "Publisert", "match_text": "Samsvar"}
FUNNEL_DOWNLOAD_COLUMNS = {"cohort_year": "Kohort", "stage_no": "Trinn nr.", "stage_label": "Trinn",
                           "explanation": "Hva som skjer", "n_tiltak": "Tiltak (beregnet)",
                           "n_removed": "Fjernet i trinnet", "published": "Publisert", "match_text": "Samsvar"}
AGREEMENT_DOWNLOAD_COLUMNS = {"cohort_year": "Kohort", "phase_label": "Fase", "measure_label": "Mål",
                              "computed": "Beregnet", "published": "Publisert", "band": "Styrke (Landis og Koch)"}
DISAGREEMENT_BASE = {"tiltak_id": "Tiltak-id", "tiltak_name": "Tiltak", "office_name": "Kontor",
                     "region_name": "Region"}


def _cohort_choices() -> list[int]:
    try:
        return selection.selection_cohorts()
    except DATA_ERRORS:
        return []


def _cohort(value) -> int:
    return selection.valid_cohort(value)


def _yes_no(value) -> str:
    if value is None or pd.isna(value):
        return MISSING
    return "Ja" if bool(value) else "Nei"


def funnel_table(filters, scope, cohort=None) -> pd.DataFrame:
    year = _cohort(cohort)
    df = selection.funnel(filters, scope, year)
    df["cohort_year"] = year
    df["n_tiltak_text"] = df["n_tiltak"].map(fmt_int)
    df["published_text"] = df["published"].map(lambda v: MISSING if pd.isna(v) else fmt_int(v))
    df["match_text"] = df["matches_published"].map(_yes_no)
    return df


def agreement_rows(filters, scope, cohort=None, phase: str | None = None) -> pd.DataFrame:
    """Crosstab cells and statistics of one phase (or both) in one long table."""
    year = _cohort(cohort)
    frames = []
    for ph in ([phase] if phase in PHASES else PHASES):
        tab = selection.crosstab(filters, scope, year, ph)
        cells = pd.DataFrame({
            "phase": ph, "phase_label": selection.PHASE_LABELS[ph],
            "measure": "cell",
            "measure_label": [f"{a} {d1} / {b} {d2}" for a, b, d1, d2 in
                              zip(tab["rater_1"], tab["rater_2"], tab["rater_1_decision"], tab["rater_2_decision"])],
            "computed": tab["n"].astype(float), "published": float("nan"), "band": None,
        })
        stats_ = selection.agreement_table(filters, scope, year)
        frames += [cells, stats_[stats_["phase"] == ph]]
    df = pd.concat(frames, ignore_index=True)
    df["cohort_year"] = year
    return df


def disagreement_table(filters, scope, cohort=None, phase: str = "screening") -> pd.DataFrame:
    return selection.disagreements(filters, scope, _cohort(cohort), phase if phase in PHASES else "screening")


def disagreement_columns(df: pd.DataFrame) -> dict[str, str]:
    """Headers with the raters' names ('Forsker A: vurdering')."""
    r1 = df["rater_1"].iloc[0] if len(df) else "Vurderer 1"
    r2 = df["rater_2"].iloc[0] if len(df) else "Vurderer 2"
    return {**DISAGREEMENT_BASE, "decision_1": f"{r1}: vurdering", "reason_1": f"{r1}: begrunnelse",
            "decision_2": f"{r2}: vurdering", "reason_2": f"{r2}: begrunnelse"}


def _register_download_with(id_prefix: str, data_fn, columns, filename: str, states: list[tuple[str, str]]):
    """register_download, but data_fn also gets this page's own control values
    (`states`), which are not in the URL. `columns` may be a function of the frame."""
    ids = download_ids(id_prefix)

    @callback(Output(ids["download"], "data"), Input(ids["csv"], "n_clicks"), Input(ids["xlsx"], "n_clicks"),
              State("url", "search"), *[State(i, p) for i, p in states], prevent_initial_call=True)
    def _download(_csv, _xlsx, search, *values):
        if ctx.triggered_id not in (ids["csv"], ids["xlsx"]) or not (_csv or _xlsx):
            raise PreventUpdate
        scope = current_scope()
        df = data_fn(filters_from_search(search, scope), scope, *values)
        cols = columns(df) if callable(columns) else columns
        return send_table(df, cols, filename, ctx.triggered_id == ids["csv"], filename)

    return _download


_COHORT_STATE = [(f"{PREFIX}-kohort", "value")]
download_funnel = _register_download_with(f"{PREFIX}-trakt", funnel_table, FUNNEL_DOWNLOAD_COLUMNS,
                                          "utvelgelse trakt", _COHORT_STATE)
for _phase in PHASES:
    _register_download_with(f"{PREFIX}-kappa-{PHASE_IDS[_phase]}",
                            lambda f, s, c, _p=_phase: agreement_rows(f, s, c, _p),
                            AGREEMENT_DOWNLOAD_COLUMNS, f"utvelgelse enighet {_phase}", _COHORT_STATE)
    _register_download_with(f"{PREFIX}-uenighet-{PHASE_IDS[_phase]}",
                            lambda f, s, c, _p=_phase: disagreement_table(f, s, c, _p),
                            lambda df: {"phase": "Fase", **disagreement_columns(df)},
                            f"utvelgelse uenighet {_phase}", _COHORT_STATE)


# ----------------------------------------------------------------------- layout

def layout(**_query):
    choices = _cohort_choices()
    default = selection.valid_cohort(None, choices) if choices else selection.DEFAULT_COHORT
    options = [{"label": str(y), "value": str(y)} for y in (choices or [default])]
    phase_cards = []
    for phase in PHASES:
        pid = PHASE_IDS[phase]
        label = selection.PHASE_LABELS[phase]
        phase_cards.append(dbc.Col(chart_card(
            f"{PREFIX}-kappa-{pid}",
            f"{label}: enighet mellom vurdererne",
            "Krysstabellen viser hvordan de to forskerne vurderte de samme tiltakene hver for seg (første "
            "vurderer i radene, andre i kolonnene). Kappa er enigheten utover det som kan ventes ved en "
            "tilfeldighet (Cohens kappa; Z og P som Statas kap). Publiserte tall står ved siden av.",
            html.Div(id=f"{PREFIX}-kappa-{pid}-innhold"),
            heading_level=3,
        ), lg=6))
    disagreement_cards = [
        chart_card(
            f"{PREFIX}-uenighet-{PHASE_IDS[phase]}",
            f"{selection.PHASE_LABELS[phase]}: tiltak vurdererne var uenige om",
            "Tiltakene den ene ville ta med og den andre ville utelukke, med begrunnelsene: listen de "
            "drøftet. Følger region- og kontorfilteret; en statsforvalter ser bare egen region.",
            html.Div(id=f"{PREFIX}-uenighet-{PHASE_IDS[phase]}-innhold"),
            heading_level=3,
        )
        for phase in PHASES
    ]
    return html.Div(
        [
            html.H1("Utvelgelse av lovende metoder"),
            html.P(
                "Slik ble de lovende metodene plukket ut fra tiltakene som fikk tilskudd: to forskere vurderte "
                "hvert tiltak hver for seg, først i en screening og så i en dybdegjennomgang; tiltakene som ikke "
                "var utelukket av begge, ble drøftet i fellesskap, noen ble studert nærmere (casestudier), og "
                "de som holdt, ble lovende metoder. Trakten og enigheten gjelder hele landet og følger ikke "
                "filtrene (velg kohort under); listen over uenigheter følger region- og kontorfilteret.",
                className="lead-text",
            ),
            html.Div(
                [dbc.Label("Kohort (rapportår)", html_for=f"{PREFIX}-kohort", class_name="mb-1 fw-semibold"),
                 dbc.Select(id=f"{PREFIX}-kohort", options=options, value=str(default), size="sm",
                            style={"maxWidth": "12rem"})],
                className="mb-3",
            ),
            chart_card(
                f"{PREFIX}-trakt",
                "Fra finansierte tiltak til lovende metoder",
                "Hvert trinn er antallet tiltak som gikk videre, beregnet fra rapportene og vurderingene. "
                "Tabellen under viser de publiserte tallene (NTNU/SØF 2023, kohort 2021) ved siden av, og om "
                "de stemmer.",
                [
                    graph(f"{PREFIX}-trakt-graf"),
                    html.P(id=f"{PREFIX}-trakt-sammendrag", className="chart-description mt-2"),
                    html.Div(id=f"{PREFIX}-trakt-tabell"),
                    html.Div(id=f"{PREFIX}-trakt-merknader"),
                ],
            ),
            html.H2("Enighet mellom vurdererne", className="section-title"),
            dbc.Row(phase_cards),
            html.H2("Uenigheter til drøfting", className="section-title"),
            *disagreement_cards,
        ]
    )


# -------------------------------------------------------------------- callbacks

def crosstab_table(a: selection.PhaseAgreement, phase: str):
    """The 2x2 table with row and column sums: rater 1 rows, rater 2 columns."""
    label = selection.PHASE_LABELS[phase]
    if len(a.raters) < 2:
        return empty_notice(f"{label}: færre enn to vurderere i fasen, så kappa kan ikke beregnes.")
    r1, r2 = a.raters
    cats = [selection.DECISION_LABELS[d] for d in selection.DECISIONS]
    # Each header names its rater for screen readers ("Forsker B: Ut"); on screen the
    # corner cell and the caption say which rater is rows and which is columns.
    head = html.Thead(html.Tr([html.Th(f"{r1} (rad) / {r2} (kolonne)", scope="col")]
                              + [html.Th([html.Span(f"{r2}: ", className="visually-hidden"), c], scope="col",
                                         className="text-end") for c in cats]
                              + [html.Th("Sum", scope="col", className="text-end")]))
    body = []
    for i, cat in enumerate(cats):
        row = a.table[i]
        body.append(html.Tr([html.Th([html.Span(f"{r1}: ", className="visually-hidden"), cat], scope="row")]
                            + [html.Td(fmt_int(v), className="text-end") for v in row]
                            + [html.Td(fmt_int(sum(row)), className="text-end")]))
    cols = [sum(a.table[i][j] for i in range(2)) for j in range(2)]
    body.append(html.Tr([html.Th("Sum", scope="row")] + [html.Td(fmt_int(v), className="text-end") for v in cols]
                        + [html.Td(fmt_int(sum(cols)), className="text-end")]))
    return dbc.Table([html.Caption(f"{label}: {r1} i radene, {r2} i kolonnene (antall tiltak)"), head,
                      html.Tbody(body)], size="sm", bordered=True, class_name="caption-top",
                     id=f"{PREFIX}-krysstabell-{PHASE_IDS[phase]}")


def stats_table(df: pd.DataFrame, phase: str, show_published: bool):
    sub = df[df["phase"] == phase]
    cols = ["Mål", "Beregnet"] + (["Publisert"] if show_published else [])
    head = html.Thead(html.Tr([html.Th(c, scope="col", className=None if c == "Mål" else "text-end")
                               for c in cols]))
    rows = []
    for r in sub.itertuples(index=False):
        cells = [html.Th(r.measure_label, scope="row"),
                 html.Td(figures.measure_text(r.measure, r.computed), className="text-end",
                         id=f"{PREFIX}-verdi-{r.measure}-{PHASE_IDS[phase]}")]
        if show_published:
            cells.append(html.Td(figures.measure_text(r.measure, r.published), className="text-end"))
        rows.append(html.Tr(cells))
    kappa_row = sub[sub["measure"] == "kappa"]
    band = kappa_row["band"].iloc[0] if len(kappa_row) else None
    published_band = landis_koch(kappa_row["published"].iloc[0]) if len(kappa_row) else None
    rows.append(html.Tr([html.Th("Styrke (Landis og Koch)", scope="row"),
                         html.Td(band or MISSING, className="text-end", id=f"{PREFIX}-band-{PHASE_IDS[phase]}")]
                        + ([html.Td(published_band or MISSING, className="text-end")] if show_published else [])))
    caption = f"{selection.PHASE_LABELS[phase]}: enighet og kappa" + (", beregnet og publisert" if show_published
                                                                       else "")
    return dbc.Table([html.Caption(caption), head, html.Tbody(rows)], size="sm", striped=True,
                     class_name="caption-top mb-0")


def _notes(notes: dict) -> list:
    out = []
    if notes["not_screened"]:
        out.append(f"{fmt_int(notes['not_screened'])} tiltak med utfylt skjema er ikke vurdert i screeningen.")
    if notes["rated_outside"]:
        out.append(f"{fmt_int(notes['rated_outside'])} tiltak vurdert i screeningen hører ikke til kohorten "
                   "(ingen utfylt rapport for året) og er ikke med.")
    if notes["one_rater"]:
        out.append(f"{fmt_int(notes['one_rater'])} tiltak er vurdert av bare én av forskerne i screening eller "
                   "dybdegjennomgang; de er med i trakten, men ikke i krysstabellene.")
    return [html.P(n, className="chart-description mb-1") for n in out]


@callback(
    Output(f"{PREFIX}-trakt-graf", "figure"),
    Output(f"{PREFIX}-trakt-sammendrag", "children"),
    Output(f"{PREFIX}-trakt-tabell", "children"),
    Output(f"{PREFIX}-trakt-merknader", "children"),
    Output(f"{PREFIX}-kappa-screening-innhold", "children"),
    Output(f"{PREFIX}-kappa-dybde-innhold", "children"),
    Input("url", "search"),
    Input(f"{PREFIX}-kohort", "value"),
)
def update_selection(search, cohort):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    year = _cohort(cohort)
    df = funnel_table(filters, scope, year)
    show_published = year == selection.PUBLISHED_COHORT
    columns = FUNNEL_COLUMNS if show_published else {k: v for k, v in FUNNEL_COLUMNS.items()
                                                     if k not in ("published_text", "match_text")}
    table = simple_table(df, columns, f"Trakten for kohort {year}" + (", beregnet og publisert"
                                                                       if show_published else ""),
                         id=f"{PREFIX}-trakt-tabell-innhold")
    notes = _notes(selection.funnel_notes(filters, scope, year))
    stats_df = selection.agreement_table(filters, scope, year)
    phase_blocks = []
    for phase in PHASES:
        a = selection.agreement(filters, scope, year, phase)
        parts = [crosstab_table(a, phase), stats_table(stats_df, phase, show_published)]
        if a.kappa is not None and a.kappa.note:
            parts.append(html.P(a.kappa.note, className="chart-description"))
        if a.n_other_raters:
            parts.append(html.P(f"Fasen har {fmt_int(a.n_other_raters)} vurderer(e) til; bare de to første "
                                "(alfabetisk) er med i kappa.", className="chart-description"))
        phase_blocks.append(parts)
    return (figures.funnel_figure(df), figures.funnel_summary(df, year), table, notes,
            phase_blocks[0], phase_blocks[1])


#: Relative column widths of the disagreement list (AG Grid flex); the rest get 1.
DISAGREEMENT_FLEX = {"tiltak_id": 0.9, "tiltak_name": 2, "office_name": 1.2, "region_name": 1.2,
                     "decision_1": 0.8, "decision_2": 0.8, "reason_1": 2, "reason_2": 2}
DISAGREEMENT_MIN_WIDTH = {"tiltak_id": 110, "tiltak_name": 220, "office_name": 140, "region_name": 140,
                          "decision_1": 110, "decision_2": 110, "reason_1": 220, "reason_2": 220}


def _disagreement_grid(id_: str, df: pd.DataFrame, columns: dict, label: str):
    wrap = data_grid(id_, df, columns, label=label, page_size=10)
    grid = wrap.children
    grid.columnDefs = [{**c, "flex": DISAGREEMENT_FLEX.get(c["field"], 1),
                        "minWidth": DISAGREEMENT_MIN_WIDTH.get(c["field"], 100), "wrapHeaderText": True,
                        "autoHeaderHeight": True, "tooltipField": c["field"]} for c in grid.columnDefs]
    return wrap


@callback(
    Output(f"{PREFIX}-uenighet-screening-innhold", "children"),
    Output(f"{PREFIX}-uenighet-dybde-innhold", "children"),
    Input("url", "search"),
    Input(f"{PREFIX}-kohort", "value"),
)
def update_disagreements(search, cohort):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    year = _cohort(cohort)
    out = []
    for phase in PHASES:
        df = disagreement_table(filters, scope, year, phase)
        label = selection.PHASE_LABELS[phase]
        if df.empty:
            out.append(empty_notice(f"Ingen uenigheter i {label.lower()} for valgte filtre."))
            continue
        cols = disagreement_columns(df)
        out.append([
            html.P(f"{fmt_int(len(df))} tiltak.", className="chart-description mb-1",
                   id=f"{PREFIX}-uenighet-{PHASE_IDS[phase]}-antall"),
            _disagreement_grid(f"{PREFIX}-uenighet-{PHASE_IDS[phase]}-grid", df, cols,
                               f"{label}: tiltak vurdererne var uenige om"),
        ])
    return out[0], out[1]
