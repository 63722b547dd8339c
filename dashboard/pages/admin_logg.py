"""Revisjonslogg (admin only): who viewed, downloaded, uploaded, logged in and out,
newest first, filterable. Others get a 403 message (and a 403 status when they type
the address: dashboard.auth's guard); the callback checks the role itself too.

Everything in the log is shown as plain text in the grid (no HTML or Markdown)."""
from __future__ import annotations

import datetime as dt
import json

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, html

from dashboard import audit_log, auth
from dashboard.components import OSLO, data_grid, grid_records

dash.register_page(__name__, path="/admin/logg", name="Revisjonslogg", title="Revisjonslogg – Tiltaksmonitor",
                   nav=False, filters=False)

PREFIX = "admin-logg"
LIMIT = 1000
COLUMNS = {
    "when": "Tidspunkt",
    "user": "Bruker",
    "role_label": "Rolle",
    "region_name": "Region",
    "kind_label": "Hendelse",
    "page": "Side",
    "detail_text": "Detaljer",
    "remote_addr": "Adresse",
}
FORBIDDEN = "Ingen tilgang: revisjonsloggen er bare for administratorer."


def forbidden():
    return dbc.Alert([html.Strong("403 – "), FORBIDDEN], color="danger", id=f"{PREFIX}-nektet", class_name="mt-3")


def _detail_text(detail) -> str:
    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    if isinstance(data, dict):
        return "; ".join(f"{k}: {v}" for k, v in data.items())
    return str(data)


def table(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["when"] = [t.tz_convert(OSLO).strftime("%d.%m.%Y %H:%M:%S") if pd.notna(t) else "" for t in out["at"]]
    out["role_label"] = out["role"].map(auth.ROLE_LABELS).fillna(out["role"]).fillna("")
    names = auth.regions()
    out["region_name"] = out["region_id"].map(names).fillna(out["region_id"]).fillna("")
    out["kind_label"] = out["kind"].map(audit_log.KINDS).fillna(out["kind"])
    out["detail_text"] = out["detail"].map(_detail_text)
    for col in ("user", "page", "remote_addr"):
        out[col] = out[col].fillna("")
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def layout(**_query):
    admin = auth.is_admin()
    kinds = [{"label": "Alle hendelser", "value": "alle"}] + [{"label": v, "value": k}
                                                              for k, v in audit_log.KINDS.items()]
    controls = dbc.Row(
        [
            dbc.Col([dbc.Label("Hendelse", html_for=f"{PREFIX}-type", class_name="mb-1"),
                     dbc.Select(id=f"{PREFIX}-type", options=kinds, value="alle", size="sm")], xs=12, md=3),
            dbc.Col([dbc.Label("Bruker", html_for=f"{PREFIX}-bruker", class_name="mb-1"),
                     dbc.Input(id=f"{PREFIX}-bruker", type="text", value="", debounce=True, size="sm",
                               autocomplete="off", maxlength=200)], xs=12, md=2),
            dbc.Col([dbc.Label("Fra dato", html_for=f"{PREFIX}-fra", class_name="mb-1"),
                     dbc.Input(id=f"{PREFIX}-fra", type="date", value="", size="sm")], xs=6, md=2),
            dbc.Col([dbc.Label("Til dato", html_for=f"{PREFIX}-til", class_name="mb-1"),
                     dbc.Input(id=f"{PREFIX}-til", type="date", value="", size="sm")], xs=6, md=2),
            dbc.Col([dbc.Label("Søk i side og detaljer", html_for=f"{PREFIX}-sok", class_name="mb-1"),
                     dbc.Input(id=f"{PREFIX}-sok", type="search", value="", debounce=True, size="sm",
                               autocomplete="off", maxlength=200)], xs=12, md=3),
        ],
        class_name="g-2 align-items-end mb-3",
    )
    content = html.Div(
        [
            html.P("Hvem som har sett hvilke sider (med filtrene), lastet ned, lastet opp, logget inn og ut, og "
                   "hvem som ble nektet tilgang. Nyeste først; høyst 1 000 hendelser vises, bruk filtrene for å "
                   "finne eldre. Loggen kan bare utvides, ikke endres.", className="lead-text"),
            html.Div(controls, role="search", **{"aria-label": "Filtre for revisjonsloggen"}),
            html.Button("Oppdater", id=f"{PREFIX}-oppdater", type="button", n_clicks=0,
                        className="btn btn-dark btn-sm mb-3"),
            html.P(id=f"{PREFIX}-antall", role="status", className="small"),
            data_grid(f"{PREFIX}-grid", _empty(), COLUMNS, label="Revisjonslogg", page_size=50),
        ],
        hidden=not admin,
        id=f"{PREFIX}-innhold",
        className="admin-page",
    )
    return html.Div([html.H1("Revisjonslogg"), None if admin else forbidden(), content])


@callback(
    Output(f"{PREFIX}-grid", "rowData"),
    Output(f"{PREFIX}-antall", "children"),
    Input(f"{PREFIX}-type", "value"),
    Input(f"{PREFIX}-bruker", "value"),
    Input(f"{PREFIX}-fra", "value"),
    Input(f"{PREFIX}-til", "value"),
    Input(f"{PREFIX}-sok", "value"),
    Input(f"{PREFIX}-oppdater", "n_clicks"),
)
def update(kind, user, since, until, text, _n):
    if not auth.is_admin():
        audit_log.log_event("tilgang_nektet", {"grunn": "revisjonsloggen er bare for administratorer"})
        return [], FORBIDDEN
    kind = kind if kind in audit_log.KINDS else None
    df = audit_log.events(kind=kind, user=user if isinstance(user, str) else None, since=_date(since),
                          until=_date(until), text=text if isinstance(text, str) else None, limit=LIMIT)
    shown = table(df) if len(df) else _empty()
    n = len(df)
    note = f"{n} hendelser vises" + (" (de nyeste; bruk filtrene for å se flere)" if n >= LIMIT else ".")
    if n == 0:
        note = "Ingen hendelser med disse filtrene."
    return grid_records(shown, COLUMNS), note
