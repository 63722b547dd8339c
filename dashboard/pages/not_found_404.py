"""Shown for any path no page claims."""
import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Fant ikke siden", title="Fant ikke siden – Tiltaksmonitor", nav=False,
                   filters=False)


def layout(**_query):
    return html.Div(
        [
            html.H1("Fant ikke siden"),
            html.P("Adressen finnes ikke i Tiltaksmonitor. Den kan være skrevet feil, eller siden kan være flyttet."),
            html.P(dcc.Link("Gå til oversikten", href="/")),
        ]
    )
