"""Last opp data (admin only): one contract file through the browser, checked and
loaded exactly like `python -m etl build` (dashboard/upload.py), with the result,
the reasons and the file's quarantined rows. Others get a 403 message; the callback
checks the role itself (a crafted request from another role loads nothing).

The browser checks the size first (a file over the limit is never sent); the server
checks it again, and Flask's MAX_CONTENT_LENGTH stops far larger requests."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import audit_log, auth, upload
from dashboard.components import data_grid, simple_table
from dashboard.formatting import fmt_int
from etl import contracts

dash.register_page(__name__, path="/admin/last-opp", name="Last opp data", title="Last opp data – Tiltaksmonitor",
                   nav=False, filters=False)

PREFIX = "admin-last-opp"
FORBIDDEN = "Ingen tilgang: bare administratorer kan laste opp data."
QUARANTINE_COLUMNS = {"line": "Linje", "column_name": "Kolonne", "reason": "Årsak"}
WARNING_COLUMNS = {"line": "Linje", "warning_code": "Varsel", "message": "Melding"}
REASON_COLUMNS = {"reason": "Årsak", "n": "Rader"}
SUMMARY_COLUMNS = {"label": "", "value": "Antall"}
STATUS_LABELS = {"lastet": "lastet inn", "uendret": "uendret (lastet før)", "ukjent_type": "ukjent filtype"}


def forbidden():
    return dbc.Alert([html.Strong("403 – "), FORBIDDEN], color="danger", id=f"{PREFIX}-nektet", class_name="mt-3")


def _kinds_list():
    return html.Ul([html.Li([html.Code(k), f" – {spec.description}"]) for k, spec in contracts.KINDS.items()])


def layout(**_query):
    admin = auth.is_admin()
    content = html.Div(
        [
            html.P(
                "Last opp én fil etter datakontrakten. Den kontrolleres og lastes inn på samme måte som "
                "«python -m etl build»: rader som bryter en regel havner i karantene, resten publiseres med én "
                "gang. Kan filen ikke leses i det hele tatt, lastes ingenting inn, filen slettes igjen og "
                "datagrunnlaget er som før.",
                className="lead-text",
            ),
            html.H2("Hvilke filer", className="h5"),
            html.P(["CSV (.csv) eller Excel (.xlsx), høyst ", html.Strong(f"{upload.max_mb_text()} MB"),
                    ". Filnavnet må begynne med filtypen, for eksempel ", html.Code("rapportering_2024.csv"),
                    ". Filtyper i datakontrakten:"]),
            _kinds_list(),
            dcc.Upload(
                id=f"{PREFIX}-fil",
                children=html.Div(["Dra en fil hit, eller ", html.Span("velg en fil", className="btn btn-dark btn-sm")]),
                multiple=False,
                accept=".csv,.xlsx",
                className="upload-zone",
                style={"border": "2px dashed #6c757d", "borderRadius": ".5rem", "padding": "1.5rem",
                       "textAlign": "center", "background": "#fff", "cursor": "pointer"},
            ),
            dcc.Store(id=f"{PREFIX}-grense", data=upload.max_bytes()),
            dcc.Store(id=f"{PREFIX}-a11y"),
            dcc.Store(id=f"{PREFIX}-klar"),
            html.P(id=f"{PREFIX}-melding", role="status", className="mt-3"),
            dcc.Loading(html.Div(id=f"{PREFIX}-resultat"), type="default"),
        ],
        hidden=not admin,
        id=f"{PREFIX}-innhold",
        className="admin-page",
    )
    return html.Div([html.H1("Last opp data"), None if admin else forbidden(), content])


# dcc.Upload's file input has no label of its own: name it for screen readers.
clientside_callback(
    """
    function(limit) {
        function label() {
            var input = document.querySelector("#admin-last-opp-fil input[type=file]");
            if (!input) { return false; }
            input.setAttribute("aria-label", "Velg en fil å laste opp (CSV eller Excel)");
            return true;
        }
        if (!label()) { setTimeout(label, 0); setTimeout(label, 500); }
        return window.dash_clientside.no_update;
    }
    """,
    Output(f"{PREFIX}-a11y", "data"),
    Input(f"{PREFIX}-grense", "data"),
)


# The size is checked in the browser before anything is sent; the file's contents
# go to the server callback through the store only when within the limit.
clientside_callback(
    """
    function(contents, filename, limit) {
        var nu = window.dash_clientside.no_update;
        if (!contents) { return [nu, nu]; }
        var comma = contents.indexOf(",");
        var bytes = Math.floor((contents.length - comma - 1) * 3 / 4);
        var name = filename || "filen";
        if (limit && bytes > limit) {
            var mb = function (b) { return (b / 1048576).toFixed(1).replace(".", ","); };
            return [nu, "«" + name + "» er for stor (" + mb(bytes) + " MB). Største tillatte størrelse er " +
                        mb(limit) + " MB. Ingenting er lastet opp."];
        }
        return [{contents: contents, filename: filename, sent: Date.now()},
                "Kontrollerer og laster inn «" + name + "» …"];
    }
    """,
    Output(f"{PREFIX}-klar", "data"),
    Output(f"{PREFIX}-melding", "children"),
    Input(f"{PREFIX}-fil", "contents"),
    State(f"{PREFIX}-fil", "filename"),
    State(f"{PREFIX}-grense", "data"),
    prevent_initial_call=True,
)


def _summary_table(result: upload.UploadResult):
    rows = pd.DataFrame({
        "label": ["Rader lest", "Rader lastet inn", "Rader i karantene"],
        "value": [result.rows_read, result.rows_loaded, result.rows_quarantined],
    })
    return simple_table(rows, SUMMARY_COLUMNS, f"Filen {result.file_name} ({result.kind})", formats={"value": fmt_int},
                        id=f"{PREFIX}-sammendrag")


def render(result: upload.UploadResult):
    """The result as components (every text from the file shown as text)."""
    if not result.ok:
        return dbc.Alert([html.Strong("Filen ble ikke lastet inn. "), result.message], color="danger",
                         id=f"{PREFIX}-feil")
    parts = [dbc.Alert(result.message, color="success" if not result.rows_quarantined else "warning",
                       id=f"{PREFIX}-ok")]
    if result.status != "lastet":
        return parts
    parts.append(html.Div(_summary_table(result), className="mb-3"))
    if result.build_files:
        others = ", ".join(f"{fmt_int(n)} {STATUS_LABELS.get(k, k)}" for k, n in sorted(result.build_files.items()))
        parts.append(html.P(f"Filer i rådatamappen ved denne innlastingen: {others}.", className="small"))
    if result.reasons:
        reasons = pd.DataFrame({"reason": list(result.reasons), "n": list(result.reasons.values())})
        parts.append(html.H2("Karantene etter årsak", className="h5 mt-3"))
        parts.append(simple_table(reasons, REASON_COLUMNS, "Rader i karantene etter årsak", formats={"n": fmt_int}))
    if result.quarantine is not None and len(result.quarantine):
        parts.append(html.H2("Rader i karantene", className="h5 mt-3"))
        parts.append(html.P("Linjenummeret er raden slik et regneark viser den (overskriften er linje 1). Rett "
                            "radene i kildefilen og last den opp på nytt.", className="small"))
        parts.append(data_grid(f"{PREFIX}-karantene", result.quarantine, QUARANTINE_COLUMNS,
                               label="Rader i karantene fra filen", page_size=20))
    if result.warnings is not None and len(result.warnings):
        parts.append(html.H2("Varsler om datakvalitet", className="h5 mt-3"))
        parts.append(data_grid(f"{PREFIX}-varsler", result.warnings, WARNING_COLUMNS,
                               label="Varsler om datakvalitet fra filen", page_size=20))
    return parts


@callback(
    Output(f"{PREFIX}-resultat", "children"),
    Output(f"{PREFIX}-melding", "children", allow_duplicate=True),
    Input(f"{PREFIX}-klar", "data"),
    prevent_initial_call=True,
)
def receive(data):
    if not auth.is_admin():
        audit_log.log_event("tilgang_nektet", {"grunn": "opplasting krever administrator"})
        return dbc.Alert(FORBIDDEN, color="danger", id=f"{PREFIX}-feil"), ""
    if not isinstance(data, dict):
        return dash.no_update, dash.no_update
    filename = data.get("filename")
    result = upload.process_upload(data.get("contents"), filename)
    audit_log.log_event("opplasting", {
        "fil": result.file_name or (str(filename)[:200] if filename else None),
        "opprinnelig_navn": str(filename)[:200] if filename else None,
        "type": result.kind,
        "sha256": result.sha256,
        "resultat": ("lastet" if result.status == "lastet" else result.status) if result.ok else "avvist",
        "melding": result.message[:500],
        "rader_lastet": result.rows_loaded,
        "rader_karantene": result.rows_quarantined,
        "lagret_som": str(result.saved) if result.saved else None,
    })
    return render(result), ""
