"""One promising method: description, categories, source, the Vedlegg A criteria,
where it is replicated, and its tiltak's reports over the years with the mean
self-assessment. Path '/metoder/<method_id>'; an unknown id gives a friendly
'fant ikke metoden' page. Office-level parts (replications, reports) follow the
caller's scope. Rendered when the page is opened: no data callbacks, only the
downloads (pattern-matching ids, since the page exists once per method)."""
from __future__ import annotations

import re

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_scope
from dashboard.components import (
    DATA_ERRORS,
    chart_card,
    empty_notice,
    kpi_card,
    send_table,
    simple_table,
)
from dashboard.figures.methods import ANSWER_BACKGROUNDS, ANSWER_SYMBOLS
from dashboard.formatting import MISSING, fmt_date, fmt_decimal, fmt_int, fmt_kr
from dashboard.queries import methods as q

NOT_FOUND_TITLE = "Fant ikke metoden"
DATA_UNAVAILABLE = "Datagrunnlaget er ikke tilgjengelig akkurat nå. Prøv igjen senere."
_PATH = re.compile(r"^/metoder/([^/?#]+)/?$")


def _title(method_id=None, **_query):
    """The method's name in the browser tab; no error for an unknown id or no data."""
    if method_id is None:
        return "Lovende metode – Tiltaksmonitor"
    mid = q.valid_method_id(method_id)
    try:
        found = q.method(mid) if mid else None
    except DATA_ERRORS:
        return "Lovende metode – Tiltaksmonitor"
    if found is None or found.empty:
        return f"{NOT_FOUND_TITLE} – Tiltaksmonitor"
    return f"{found['method_name'].iloc[0]} – Tiltaksmonitor"


dash.register_page(
    __name__,
    path_template="/metoder/<method_id>",
    name="Metode",
    title=_title,
    nav=False,
    filters=False,
)


CRITERIA_COLUMNS = {"criterion_no": "Nr.", "criterion_text": "Kriterium", "answer_label": "Vurdering",
                    "phase_label": "Vurdert i"}
REPLICATION_COLUMNS = {
    "office_name": "Kontor", "region_name": "Region", "role_label": "Rolle", "status_label": "Status",
    "start_date": "Fra", "end_date": "Til", "funding": "Finansiering", "source": "Kilde", "note": "Merknad",
}
REPORT_COLUMNS = {
    "report_year": "År", "report_type_label": "Rapporttype", "grant_kr": "Tilskudd (kr)", "fte": "Årsverk",
    "continuation_label": "Videreføres", "self_assessment_mean": "Egenvurdering (snitt)",
    "n_scores": "Besvarte spørsmål", "scale_text": "Skala",
}


# ------------------------------------------------------------ data for tables

def criteria_rows(method_id: str) -> pd.DataFrame:
    df = q.criteria(q.Filters(), current_scope(), method_id)
    df["phase_label"] = df["phase"].map(q.PHASE_LABELS).fillna("ikke vurdert")
    return df


def replication_rows(method_id: str) -> pd.DataFrame:
    df = q.method_replications(method_id, current_scope())
    for col in ("start_date", "end_date"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def report_rows(method_id: str) -> pd.DataFrame:
    df = q.method_reports(method_id, current_scope())
    df["scale_text"] = [f"{int(a)}–{int(b)}" if pd.notna(a) and pd.notna(b) else ""
                        for a, b in zip(df["scale_min"], df["scale_max"])]
    return df


#: table key in the download ids -> (rows for a method id, columns, file name)
DOWNLOADS = {
    "kriterier": (criteria_rows, CRITERIA_COLUMNS, "metode kriterier"),
    "replikering": (replication_rows, REPLICATION_COLUMNS, "metode replikering"),
    "rapporter": (report_rows, REPORT_COLUMNS, "metode rapporter"),
}


def method_id_from_path(pathname: str | None) -> str | None:
    match = _PATH.match(pathname or "")
    return q.valid_method_id(match.group(1)) if match else None


# ------------------------------------------------------------------ rendering

def not_found(method_id=None):
    shown = str(method_id)[:60] if method_id else ""
    text = (f"Det finnes ingen lovende metode med id «{shown}». " if shown else "Ingen metode er valgt. ")
    return html.Div(
        [
            html.H1(NOT_FOUND_TITLE),
            html.P(text + "Adressen kan være skrevet feil, eller metoden kan være fjernet fra datagrunnlaget.",
                   id="metode-ikke-funnet"),
            html.P(dcc.Link("Til listen over lovende metoder", href="/metoder")),
        ]
    )


def _download_buttons(table: str, title_id: str):
    return html.Div(
        [
            html.Button("Last ned CSV", id={"type": "metode-csv", "table": table}, type="button", n_clicks=0,
                        className="btn btn-outline-primary btn-sm", **{"aria-describedby": title_id}),
            html.Button("Last ned Excel", id={"type": "metode-xlsx", "table": table}, type="button", n_clicks=0,
                        className="btn btn-outline-primary btn-sm", **{"aria-describedby": title_id}),
            dcc.Download(id={"type": "metode-nedlasting", "table": table}),
        ],
        className="chart-downloads",
    )


def _card(prefix: str, table: str, title: str, description: str, body):
    return chart_card(prefix, title, description, body, download=False,
                      footer=_download_buttons(table, f"{prefix}-tittel"))


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return MISSING
    return str(value)


def facts(m: pd.Series):
    categories = m["categories"] if isinstance(m["categories"], list) else []
    items = [
        ("Kontor", f"{m['office_name']} ({m['region_name']})"),
        ("Startår", str(m["start_year"]) if pd.notna(m["start_year"]) else MISSING),
        ("Målgruppe", _text(m["target_group"])),
        ("Alder", m["ages"] or MISSING),
        ("Status", _text(m["status"])),
        ("Kategorier", html.Ul([html.Li(c, className="list-inline-item") for c in categories],
                               className="list-inline mb-0") if categories else MISSING),
        ("Kilde", _text(m["source"])),
        ("Tiltak", _text(m["tiltak_id"])),
    ]
    children = []
    for term, value in items:
        children += [html.Dt(term, className="col-sm-3"), html.Dd(value, className="col-sm-9")]
    return html.Dl(children, className="row mb-0", id="metode-fakta")


def criteria_list(df: pd.DataFrame):
    if df.empty:
        return empty_notice("Ingen vurdering av kriteriene.")
    rows = [
        html.Tr([
            html.Td(fmt_int(no), className="text-end"),
            html.Th(text, scope="row", className="fw-normal"),
            html.Td([html.Span(ANSWER_SYMBOLS.get(a, "?"), className="me-1", **{"aria-hidden": "true"}), label],
                    className="text-nowrap", style={"backgroundColor": ANSWER_BACKGROUNDS.get(a, "#FFFFFF")}),
        ])
        for no, text, a, label in df[["criterion_no", "criterion_text", "answer", "answer_label"]].itertuples(
            index=False)
    ]
    head = html.Thead(html.Tr([html.Th("Nr.", scope="col", className="text-end"),
                               html.Th("Kriterium", scope="col"), html.Th("Vurdering", scope="col")]))
    return dbc.Table([html.Caption("Kriteriene i Vedlegg A"), head, html.Tbody(rows)], size="sm",
                     class_name="caption-top mb-0", id="metode-kriterier-tabell")


def replication_table(df: pd.DataFrame, scope):
    shown = df.assign(start_text=df["start_date"].map(fmt_date),
                      end_text=[fmt_date(e) if pd.notna(e) else "åpen" for e in df["end_date"]])
    columns = {"office_name": "Kontor", "region_name": "Region", "role_label": "Rolle", "status_label": "Status",
               "start_text": "Fra", "end_text": "Til", "note": "Merknad"}
    parts = []
    if scope.role == "statsforvalter":
        parts.append(html.P("Viser bare kontorer i din region.", className="small text-body-secondary"))
    if shown.empty:
        parts.append(empty_notice("Ingen kontorer å vise."))
    else:
        parts.append(html.Div(simple_table(shown, columns, "Kontorer som har tatt i bruk metoden",
                                           id="metode-replikering-tabell"), className="table-responsive"))
    n_comp = int(df["is_comparison"].sum()) if len(df) else 0
    if n_comp:
        parts.append(html.P(f"{fmt_int(n_comp)} {'sammenligningskontor' if n_comp == 1 else 'sammenligningskontorer'}"
                            " er med som kontrollgruppe og er ikke replikeringer.", className="small mt-2"))
    return parts


def self_assessment_cards(sa: pd.DataFrame, visible: bool = True):
    if sa.empty:
        note = "Ingen besvarte spørsmål" if visible else "Vises bare for brukere med tilgang til regionen"
        return [kpi_card("Egenvurdering (snitt)", None, note, id="metode-egenvurdering")]
    cards = []
    for r in sa.itertuples(index=False):
        scale = f"{int(r.scale_min)}–{int(r.scale_max)}"
        cards.append(kpi_card(
            "Egenvurdering (snitt)", f"{fmt_decimal(r.mean_score, 2)} av {int(r.scale_max)}",
            f"Skala {scale}, {fmt_int(r.n_scores)} svar i {fmt_int(r.n_reports)} rapporter",
            id="metode-egenvurdering" if not cards else None,
        ))
    return cards


def report_table(df: pd.DataFrame, m: pd.Series, scope):
    if df.empty:
        if not scope.may_see_region(m["region_id"]):
            return empty_notice(f"Rapportene fra tiltaket vises bare for brukere med tilgang til {m['region_name']}.")
        return empty_notice("Ingen rapporter fra tiltaket i datagrunnlaget.")
    shown = df.assign(
        mean_text=[f"{fmt_decimal(v, 2)} av {int(m)}" if pd.notna(v) and pd.notna(m) else MISSING
                   for v, m in zip(df["self_assessment_mean"], df["scale_max"])],
        fte_text=df["fte"].map(lambda v: fmt_decimal(v, 1)),
        year_text=df["report_year"].astype(str),
    )
    columns = {"year_text": "År", "report_type_label": "Rapporttype", "grant_kr": "Tilskudd", "fte_text": "Årsverk",
               "continuation_label": "Videreføres", "mean_text": "Egenvurdering (snitt)",
               "n_scores": "Besvarte spørsmål"}
    return html.Div(simple_table(shown, columns, "Tiltakets rapporter per år",
                                 formats={"grant_kr": fmt_kr, "n_scores": fmt_int}, id="metode-rapporter-tabell"),
                    className="table-responsive")


def detail(m: pd.Series, scope):
    mid = m["method_id"]
    crit = criteria_rows(mid)
    reps = replication_rows(mid)
    reports = report_rows(mid)
    sa = q.method_self_assessment(mid, scope)
    phase = crit["phase"].dropna()
    phase_text = (f"Vurderingen er fra {q.PHASE_LABELS.get(phase.iloc[0], phase.iloc[0])}."
                  if len(phase) else "Metoden er ikke vurdert.")
    return html.Div(
        [
            html.Nav(html.Ol([html.Li(dcc.Link("Lovende metoder", href="/metoder"), className="breadcrumb-item"),
                              html.Li(m["method_name"], className="breadcrumb-item active",
                                      **{"aria-current": "page"})],
                             className="breadcrumb mt-3 mb-2"),
                     **{"aria-label": "Brødsmulesti"}),
            html.H1(m["method_name"], id="metode-tittel"),
            html.P(f"{m['office_name']}, {m['region_name']} · startet {m['start_year']} · "
                   f"{m['criteria_text']} kriterier oppfylt", className="lead-text"),
            dbc.Card(dbc.CardBody([html.H2("Fakta", className="card-title h5"), facts(m)]), className="mb-4"),
            html.Section(
                [html.H2("Beskrivelse", className="h5"), html.P(_text(m["description"]), className="prose")],
                className="mb-4",
            ),
            _card("metode-kriterier", "kriterier", "Kriteriene i Vedlegg A",
                  "Forskernes vurdering av hvert av de 13 kriteriene: ✓ Oppfylt, ✗ Ikke oppfylt, ? Ukjent. "
                  + phase_text, criteria_list(crit)),
            _card("metode-replikering", "replikering", "Hvor metoden er tatt i bruk",
                  "Det opprinnelige kontoret, replikeringer, kontorer i følgeprosjektet og eventuelle "
                  "sammenligningskontorer, med status og merknad. Sammenligningskontorer er ikke replikeringer.",
                  replication_table(reps, scope)),
            _card("metode-rapporter", "rapporter", "Tiltakets rapporter over årene",
                  "Rapportene tiltaket har sendt: år, type, tilskudd, om det skal videreføres, og snittet av "
                  "egenvurderingen (de 14 spørsmålene; høyere er bedre). Mange svarer nær toppen av skalaen, "
                  "så snittet skiller lite mellom tiltak.",
                  [dbc.Row([dbc.Col(c, xs=12, md=6, lg=4)
                            for c in self_assessment_cards(sa, scope.may_see_region(m["region_id"]))],
                           class_name="g-3 mb-3"),
                   report_table(reports, m, scope)]),
        ]
    )


# ----------------------------------------------------------------------- layout

def layout(method_id: str | None = None, **_query):
    """The detail page for `method_id`, or 'fant ikke metoden'. Called with no
    argument (Dash's layout validation) it reads nothing from the warehouse."""
    mid = q.valid_method_id(method_id)
    if mid is None:
        return not_found(method_id)
    try:
        found = q.method(mid)
        if found.empty:
            return not_found(method_id)
        return detail(found.iloc[0], current_scope())
    except DATA_ERRORS:
        return html.Div([html.H1("Lovende metode"), html.P(DATA_UNAVAILABLE, role="alert")])


# -------------------------------------------------------------------- downloads

@callback(
    Output({"type": "metode-nedlasting", "table": MATCH}, "data"),
    Input({"type": "metode-csv", "table": MATCH}, "n_clicks"),
    Input({"type": "metode-xlsx", "table": MATCH}, "n_clicks"),
    State("url", "pathname"),
    prevent_initial_call=True,
)
def download(csv_clicks, xlsx_clicks, pathname):
    trigger = ctx.triggered_id
    mid = method_id_from_path(pathname)
    if not isinstance(trigger, dict) or trigger.get("table") not in DOWNLOADS or mid is None \
            or not (csv_clicks or xlsx_clicks):
        raise PreventUpdate
    rows_fn, columns, slug = DOWNLOADS[trigger["table"]]
    df = rows_fn(mid)
    return send_table(df, columns, f"{slug} {mid}", trigger["type"] == "metode-csv", slug)
