"""The shell's access strip (under the header): who is logged in and as what, a
log-out button (local mode), links to the admin pages (admin), and in development
mode a clearly marked role picker. Its callbacks write only the Flask session;
the identity is read from the request by dashboard.auth, never from these inputs.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import auth
from dashboard.queries.core import ROLES

ADMIN_LINKS = (("Revisjonslogg", "/admin/logg"), ("Last opp data", "/admin/last-opp"))


def user_bar():
    """The strip; every id is always present (hidden when not in use), so the
    callbacks below always find their components."""
    try:
        ident = auth.current_identity()
    except auth.AuthError:
        ident = None
    current = auth.mode()
    dev = current == "dev"
    regions = auth.regions()
    who = []
    if ident is not None:
        who = [html.Span("Innlogget som " if not dev else "Du ser appen som "),
               html.Strong(ident.user if not dev else ident.label, id="auth-bruker"),
               html.Span(f" · {ident.label}", id="auth-rolle-tekst") if not dev else None]
    admin = [dcc.Link(text, href=href, className="auth-link") for text, href in ADMIN_LINKS] \
        if ident is not None and ident.is_admin else []
    picker = html.Div(
        [
            html.Span("Utviklingsmodus", className="auth-dev-badge"),
            html.Span(" Ikke for produksjon: alle får full tilgang. Prøv appen med en annen rolle:",
                      className="auth-dev-text"),
            html.Div(
                [
                    dbc.Label("Rolle", html_for="auth-rolle", class_name="mb-0 small"),
                    dbc.Select(id="auth-rolle", size="sm",
                               options=[{"label": auth.ROLE_LABELS[r], "value": r} for r in ROLES],
                               value=ident.role if ident is not None else "direktorat"),
                ],
                className="auth-field",
            ),
            html.Div(
                [
                    dbc.Label("Region (for statsforvalter)", html_for="auth-region", class_name="mb-0 small"),
                    dbc.Select(id="auth-region", size="sm",
                               options=[{"label": n, "value": r} for r, n in regions.items()],
                               value=(ident.region_id if ident is not None and ident.region_id
                                      else next(iter(regions)))),
                ],
                className="auth-field",
            ),
            html.Button("Bytt rolle", id="auth-bytt", type="button", n_clicks=0, className="btn btn-sm btn-dark"),
        ],
        className="auth-dev",
        hidden=not dev,
    )
    return html.Div(
        dbc.Container(
            html.Div(
                [
                    picker,
                    html.Div(who, className="auth-who"),
                    html.Div(admin, className="auth-admin-links") if admin else None,
                    html.Button("Logg ut", id="auth-logg-ut", type="button", n_clicks=0,
                                className="btn btn-sm btn-outline-secondary", hidden=current != "local"),
                    dcc.Location(id="auth-omdiriger", refresh=True),
                ],
                className="auth-bar-inner",
            )
        ),
        id="auth-bar",
        className="auth-bar auth-bar-dev" if dev else "auth-bar",
        role="region",
        **{"aria-label": "Innlogging og rolle"},
    )


@callback(
    Output("auth-omdiriger", "href"),
    Input("auth-bytt", "n_clicks"),
    State("auth-rolle", "value"),
    State("auth-region", "value"),
    State("url", "pathname"),
    State("url", "search"),
    prevent_initial_call=True,
)
def switch_role(n_clicks, role, region, pathname, search):
    """Development mode only: keep the chosen role in the session and reload."""
    if not n_clicks or auth.mode() != "dev":
        raise PreventUpdate
    from flask import g, session

    from dashboard import audit_log

    auth.current_identity()  # refuses a development request from another machine
    if role not in ROLES:
        raise PreventUpdate
    region_id = auth._region(region) if role == "statsforvalter" else None
    if role == "statsforvalter" and region_id is None:
        raise PreventUpdate
    session["dev_role"], session["dev_region"] = role, region_id
    g.pop("tm_identity", None)
    audit_log.log_event("rollebytte", {"rolle": role, **({"region": region_id} if region_id else {})})
    return auth.safe_next((pathname or "/") + (search or ""))


@callback(
    Output("auth-omdiriger", "href", allow_duplicate=True),
    Input("auth-logg-ut", "n_clicks"),
    prevent_initial_call=True,
)
def log_out(n_clicks):
    """Local mode: end the session and go to the login page."""
    if not n_clicks:
        raise PreventUpdate
    from flask import g, session

    from dashboard import audit_log

    if auth.mode() == "local":
        audit_log.log_event("utlogging")
    session.clear()
    g.pop("tm_identity", None)
    return auth.LOGIN_PATH if auth.mode() == "local" else "/"
