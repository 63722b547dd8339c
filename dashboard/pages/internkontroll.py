"""Internkontroll: the spot checks of § 17 and § 20 a cases (PROFH) per office and
round: the share 'ja' per checklist point with Wilson intervals, the change from one
round to the next, and the offices flagged per risk beside the published count.
Aggregates only (audit_compliance): never a case or an adviser."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, html
from dash.exceptions import PreventUpdate

from dashboard import stats
from dashboard.auth import current_scope
from dashboard.components import (
    chart_card,
    data_grid,
    download_ids,
    filters_from_search,
    graph,
    grid_records,
    kpi_card,
    register_download,
    send_table,
    simple_table,
)
from dashboard.figures import audits as figures
from dashboard.formatting import fmt_int, fmt_pct
from dashboard.queries import audits

dash.register_page(__name__, path="/internkontroll", name="Internkontroll",
                   title="Internkontroll – Tiltaksmonitor", order=4)

PREFIX = "internkontroll"
PARAGRAF_OPTIONS = [{"label": "§ 17 (12 punkter)", "value": "17"}, {"label": "§ 20 a (16 punkter)", "value": "20a"}]
DEFAULT_PARAGRAF = "20a"
MEASURE_OPTIONS = [{"label": "Andel ja", "value": "compliance"},
                   {"label": "Endring fra forrige runde", "value": "change"}]
STATUS_LABELS = {
    audits.STATUS_OK: "",
    audits.STATUS_SUPPRESSED: "Skjult: færre enn {threshold} vurderte saker",
    audits.STATUS_NONE: "Ingen vurderte saker (bare «ikke relevant» eller blanke)",
}

# Grid: fractions (compliance) are shown as percentages by nbPct.
GRID_COLUMNS = {
    "office_name": "Kontor", "round_label": "Runde", "point_no": "Punkt", "point_text": "Kontrollpunkt",
    "n_assessed": "Vurdert (ja + nei)", "compliance": "Andel ja", "ci_text": "95 % KI",
    "n_ikke_relevant": "Ikke relevant", "n_blank": "Blanke", "change_pp": "Endring (pp)",
    "status_label": "Merknad",
}
GRID_FORMATS = {"point_no": "nbInt", "n_assessed": "nbInt", "compliance": "nbPct", "n_ikke_relevant": "nbInt",
                "n_blank": "nbInt", "change_pp": "nbDecimal"}
#: Relative column widths (AG Grid flex) and minimum widths in px: the grid scrolls
#: sideways on narrow screens rather than cutting every value short.
GRID_FLEX = {"office_name": 1.3, "round_label": 1.2, "point_no": 0.7, "point_text": 3.2, "ci_text": 1.4,
             "status_label": 2.2}
GRID_MIN_WIDTH = {"office_name": 130, "round_label": 120, "point_no": 100, "point_text": 260, "n_assessed": 110,
                  "compliance": 100, "ci_text": 130, "n_ikke_relevant": 115, "n_blank": 105, "change_pp": 115,
                  "status_label": 220}
# Downloads: percentages as numbers 0-100 (Excel users sum and sort them).
DOWNLOAD_COLUMNS = {
    "office_name": "Kontor", "round_label": "Runde", "round_start": "Rundens første kontrolldato",
    "paragraf_label": "Paragraf", "point_no": "Punkt", "point_text": "Kontrollpunkt",
    "n_cases": "Kontrollerte saker", "n_assessed": "Vurdert (ja + nei)", "n_ja": "Ja", "n_nei": "Nei",
    "n_ikke_relevant": "Ikke relevant", "n_blank": "Blanke", "compliance_pct": "Andel ja (%)",
    "ci_low_pct": "95 % KI nedre (%)", "ci_high_pct": "95 % KI øvre (%)",
    "change_pp": "Endring fra forrige runde (prosentpoeng)", "status_label": "Merknad",
}
RISK_COLUMNS = {
    "risk_text": "Risiko", "point_label": "Kontrollpunkt (§ 20 a)", "threshold_text": "Terskel (ja)",
    "flagged_offices": "Flaggede kontorer", "flagged_text": "Beregnet", "published_text": "Publisert",
    "match_text": "Samsvar",
}
RISK_DOWNLOAD_COLUMNS = {
    "risk_text": "Risiko", "point_no": "Punkt (§ 20 a)", "point_text": "Kontrollpunkt",
    "threshold_pct": "Terskel (% ja)", "flagged_offices": "Flaggede kontorer", "n_flagged": "Flaggede",
    "n_offices": "Kontorer med data", "n_unjudged": "Kan ikke vurderes (skjult)",
    "published_offices": "Publisert (av 4 kontorer)", "match_text": "Samsvar",
}
RISK_OFFICE_COLUMNS = {
    "risk_text": "Risiko", "point_no": "Punkt (§ 20 a)", "office_name": "Kontor", "round_label": "Siste runde",
    "n_assessed": "Vurdert (ja + nei)", "compliance_pct": "Andel ja (%)", "ci_low_pct": "95 % KI nedre (%)",
    "ci_high_pct": "95 % KI øvre (%)", "threshold_pct": "Terskel (% ja)", "flag_text": "Flagget",
}


def _paragraf(value) -> str:
    return value if value in ("17", "20a") else DEFAULT_PARAGRAF


def _status_label(status: str) -> str:
    return STATUS_LABELS.get(status, "").format(threshold=audits.suppression_threshold())


def _pct(series: pd.Series) -> pd.Series:
    return (pd.to_numeric(series, errors="coerce") * 100).round(1)


def compliance_table(filters, scope, paragraf: str = DEFAULT_PARAGRAF) -> pd.DataFrame:
    """The compliance frame with display and download columns (suppressed cells are
    blank already: the query layer blanks them)."""
    df = audits.compliance(filters, scope, _paragraf(paragraf))
    df = stats.blank_suppressed(df, audits.SUPPRESSED_VALUES)  # belt and braces: already blank
    df["status_label"] = df["status"].map(_status_label)
    df["paragraf_label"] = df["paragraf"].map(figures.PARAGRAF_LABELS)
    for col in ("compliance", "ci_low", "ci_high"):
        df[f"{col}_pct"] = _pct(df[col])
    df["change_pp"] = pd.to_numeric(df["change_pp"], errors="coerce").round(1)
    df["ci_text"] = [figures.ci_text(lo, hi) for lo, hi in zip(df["ci_low"], df["ci_high"])]
    return df


def risk_table(filters, scope) -> pd.DataFrame:
    df = audits.risk_summary(filters, scope)
    df["point_label"] = [f"{int(p)}. {t}" for p, t in zip(df["point_no"], df["point_text"])]
    df["threshold_text"] = [f"< {fmt_pct(t, 0)}" for t in df["threshold"]]
    df["threshold_pct"] = _pct(df["threshold"])
    df["match_text"] = df["matches_published"].map({True: "Ja", False: "Nei"}).fillna("–")
    df["flagged_offices"] = df["flagged_offices"].replace("", "Ingen")
    return df


def risk_office_table(filters, scope) -> pd.DataFrame:
    df = audits.risk_offices(filters, scope)
    for col in ("compliance", "ci_low", "ci_high", "threshold"):
        df[f"{col}_pct"] = _pct(df[col])
    df["flag_text"] = df["is_flagged"].map({True: "Ja", False: "Nei"}).fillna("Kan ikke vurderes (skjult)")
    return df


def _register_download_with(id_prefix: str, data_fn, columns: dict, filename: str, states: list[tuple[str, str]]):
    """register_download, but data_fn also gets the values of this page's own
    controls (`states`: (id, property)), which are not in the URL."""
    ids = download_ids(id_prefix)

    @callback(Output(ids["download"], "data"), Input(ids["csv"], "n_clicks"), Input(ids["xlsx"], "n_clicks"),
              State("url", "search"), *[State(i, p) for i, p in states], prevent_initial_call=True)
    def _download(_csv, _xlsx, search, *values):
        if ctx.triggered_id not in (ids["csv"], ids["xlsx"]) or not (_csv or _xlsx):
            raise PreventUpdate
        scope = current_scope()
        df = data_fn(filters_from_search(search, scope), scope, *values)
        return send_table(df, columns, filename, ctx.triggered_id == ids["csv"], filename)

    return _download


download_heatmap = _register_download_with(f"{PREFIX}-varmekart", compliance_table, DOWNLOAD_COLUMNS,
                                           "internkontroll etterlevelse", [(f"{PREFIX}-paragraf", "value")])
download_table = _register_download_with(f"{PREFIX}-tabell", compliance_table, DOWNLOAD_COLUMNS,
                                         "internkontroll etterlevelse", [(f"{PREFIX}-paragraf", "value")])
register_download(f"{PREFIX}-risiko", risk_table, RISK_DOWNLOAD_COLUMNS, filename="internkontroll risikoer")
register_download(f"{PREFIX}-risikofigur", risk_office_table, RISK_OFFICE_COLUMNS,
                  filename="internkontroll risiko per kontor")


# ----------------------------------------------------------------------- layout

def _radios(id_: str, legend: str, options: list[dict], value: str):
    return html.Fieldset(
        [html.Legend(legend, className="form-label fs-6 fw-semibold mb-1"),
         dbc.RadioItems(id=id_, options=options, value=value, inline=True)],
        className="mb-2 me-4",
    )


def _compliance_grid():
    numeric = {"point_no", "n_assessed", "compliance", "n_ikke_relevant", "n_blank", "change_pp"}
    empty = pd.DataFrame({c: pd.Series(dtype="float64" if c in numeric else object) for c in GRID_COLUMNS})
    wrap = data_grid(f"{PREFIX}-tabell-grid", empty, GRID_COLUMNS,
                     label="Etterlevelse per kontrollpunkt, kontor og runde", formats=GRID_FORMATS)
    grid = wrap.children
    grid.columnDefs = [{**c, "flex": GRID_FLEX.get(c["field"], 1), "minWidth": GRID_MIN_WIDTH.get(c["field"], 90),
                        "wrapHeaderText": True,
                        "autoHeaderHeight": True, "tooltipField": c["field"]} for c in grid.columnDefs]
    return wrap


def layout(**_query):
    threshold = audits.suppression_threshold()
    return html.Div(
        [
            html.H1("Internkontroll"),
            html.P(
                "Stikkprøvekontroll av saker etter sosialtjenesteloven § 17 (opplysning, råd og veiledning) og "
                "§ 20 a (vilkår for stønad til personer under 30 år), to runder i året. Hver kontrollert sak "
                "vurderes mot et skjema med ja eller nei per punkt. Siden viser andelen «ja» per kontor, runde "
                "og punkt, aldri enkeltsaker eller veiledere. År-, region- og kontorfiltrene gjelder (året er når "
                "runden startet); rapporttype gjelder ikke her.",
                className="lead-text",
            ),
            html.Div(id=f"{PREFIX}-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            html.Div(
                [_radios(f"{PREFIX}-paragraf", "Paragraf", PARAGRAF_OPTIONS, DEFAULT_PARAGRAF),
                 _radios(f"{PREFIX}-maal", "Vis i varmekartet", MEASURE_OPTIONS, "compliance")],
                className="d-flex flex-wrap",
            ),
            chart_card(
                f"{PREFIX}-varmekart",
                "Andel «ja» per kontrollpunkt, kontor og runde",
                [
                    "Hver rute er ett kontrollpunkt (rad) for ett kontor i én runde (kolonne). Tallet er andelen "
                    "saker der punktet var oppfylt, av sakene der det ble vurdert (ja + nei): mørk farge er lav "
                    "andel, lys er høy. «Ikke relevant» og blanke svar er holdt utenfor og telles for seg. Hold "
                    "musen over en rute for antall saker og 95 % konfidensintervall (Wilson). Velg «Endring fra "
                    "forrige runde» for å se endringen i prosentpoeng (rødt er nedgang, blått er økning). ",
                    html.Strong("Grå rute med «:»"),
                    f" betyr at andelen er skjult fordi den bygger på færre enn {threshold} saker; ",
                    html.Strong("grå rute med «–»"),
                    " betyr at ingen saker kunne vurderes på punktet.",
                ],
                [
                    graph(f"{PREFIX}-varmekart-graf"),
                    html.P(id=f"{PREFIX}-varmekart-sammendrag", className="chart-description mt-2 mb-0"),
                ],
            ),
            chart_card(
                f"{PREFIX}-tabell",
                "Tabell: etterlevelse per punkt, kontor og runde",
                "De samme tallene som i varmekartet, med konfidensintervall og endring fra kontorets forrige "
                "runde. Skjulte celler er tomme også i nedlastingen. Klikk på en kolonneoverskrift for å sortere.",
                _compliance_grid(),
            ),
            html.H2("Risikoer etter siste runde", className="section-title"),
            html.P(
                "Etter andre runde i 2019 ble risikoer vurdert per kontor. Her flagges et kontor når andelen "
                "«ja» i kontorets siste runde, på kontrollpunktet risikoen gjelder, er under terskelen. "
                "Publisert er antallet kontorer (av fire) som rapporten oppga.",
                className="lead-text",
            ),
            chart_card(
                f"{PREFIX}-risiko",
                "Flaggede kontorer per risiko",
                "Beregnet fra dataene ved siden av det publiserte tallet. «Samsvar» sier om de to er like. "
                "Et kontor med skjult andel (for få saker) kan ikke vurderes og flagges ikke.",
                html.Div(id=f"{PREFIX}-risiko-tabell"),
                heading_level=3,
            ),
            chart_card(
                f"{PREFIX}-risikofigur",
                "Andel «ja» i siste runde ved risikoenes kontrollpunkt",
                "Ett merke per kontor, med 95 % konfidensintervall som strek. Den stiplede loddrette streken er "
                "terskelen: kontorer til venstre for den er flagget. Skjulte andeler er ikke tegnet.",
                [graph(f"{PREFIX}-risikofigur-graf"),
                 html.P(id=f"{PREFIX}-risikofigur-sammendrag", className="chart-description mt-2 mb-0")],
                heading_level=3,
            ),
        ]
    )


# -------------------------------------------------------------------- callbacks

def _kpis(df: pd.DataFrame) -> list:
    if df.empty:
        values = (0, 0, 0, 0)
    else:
        per_round = df.groupby(["office_id", "round_label"])["n_cases"].max()
        values = (df["office_id"].nunique(), df["round_label"].nunique(), int(per_round.sum()),
                  int((df["status"] == audits.STATUS_SUPPRESSED).sum()))
    cases = stats.SUPPRESSED_MARK if stats.is_sensitive(values[2], audits.suppression_threshold()) else values[2]
    cards = [
        kpi_card("Kontorer", values[0]),
        kpi_card("Runder", values[1]),
        kpi_card("Kontrollerte saker", cases, "Summert over kontorer og runder"),
        kpi_card("Skjulte andeler", values[3], "Bygger på færre enn "
                 f"{audits.suppression_threshold()} saker"),
    ]
    return [html.Div(c, className="col-6 col-lg-3") for c in cards]


@callback(
    Output(f"{PREFIX}-kpi", "children"),
    Output(f"{PREFIX}-varmekart-graf", "figure"),
    Output(f"{PREFIX}-varmekart-sammendrag", "children"),
    Output(f"{PREFIX}-tabell-grid", "rowData"),
    Input("url", "search"),
    Input(f"{PREFIX}-paragraf", "value"),
    Input(f"{PREFIX}-maal", "value"),
)
def update_compliance(search, paragraf, measure):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    paragraf = _paragraf(paragraf)
    measure = measure if measure in ("compliance", "change") else "compliance"
    df = compliance_table(filters, scope, paragraf)
    fig = figures.compliance_heatmap(df, audits.checklist(paragraf), measure, audits.suppression_threshold())
    return _kpis(df), fig, figures.heatmap_summary(df, paragraf), grid_records(df, GRID_COLUMNS)


@callback(
    Output(f"{PREFIX}-risiko-tabell", "children"),
    Output(f"{PREFIX}-risikofigur-graf", "figure"),
    Output(f"{PREFIX}-risikofigur-sammendrag", "children"),
    Input("url", "search"),
)
def update_risks(search):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    summary = risk_table(filters, scope)
    per_office = audits.risk_offices(filters, scope)
    table = html.Div(simple_table(summary, RISK_COLUMNS, "Kontorer under terskelen i siste runde, beregnet og "
                                  "publisert", id=f"{PREFIX}-risiko-tabell-innhold"), className="table-responsive")
    if summary.empty or summary["n_offices"].sum() == 0:
        text = "Ingen kontrollerte saker for valgte filtre."
    else:
        matches = int(summary["matches_published"].fillna(False).astype(bool).sum())
        text = (f"{fmt_int(matches)} av {fmt_int(len(summary))} risikoer har samme antall flaggede kontorer "
                "som publisert. " + " ".join(f"{r.risk_text}: {r.flagged_text}." for r in summary.itertuples()))
    return table, figures.risk_figure(per_office), text
