"""The app shell: header with data freshness, the sample-data banner, navigation built
from dash.page_registry, the global filter bar, and dash.page_container.

Serve with `gunicorn dashboard.app:server` or run `python -m dashboard`. Nothing is
read from the warehouse at import; the shell layout is a function, so every page
load sees the currently published snapshot. Pages live in dashboard/pages/ (one
module each, see dashboard/pages/oversikt.py), assets in the top-level assets/
(Bootstrap 5.3 CSS is bundled there: nothing is fetched from the internet).
"""
from __future__ import annotations

import logging
import re
from functools import wraps
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, callback, clientside_callback, dcc, html, no_update, set_props

from dashboard import auth, config
from dashboard.auth import current_scope
from dashboard.components import DATA_ERRORS, OSLO, filter_bar, filters_from_search, search_from_filters
from dashboard.formatting import fmt_date, fmt_int
from dashboard.queries import meta

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SAMPLE_TEXT = "Eksempeldata – tallene er generert for demonstrasjon og er ikke ekte."
DATA_UNAVAILABLE = (
    "Datagrunnlaget er ikke tilgjengelig: datavarehuset finnes ikke ennå eller kan ikke leses. "
    "Tallene vises når dataene er lastet inn (python -m etl build). "
    "Ta kontakt med administrator hvis feilen varer ved."
)
CALLBACK_FAILED = "Noe gikk galt da siden skulle hente data. Prøv igjen, eller ta kontakt med administrator."

# lang="nb" for screen readers and hyphenation; Dash's default template wraps the
# scripts in a <footer>, which would be a second contentinfo landmark: not here.
INDEX_STRING = """<!DOCTYPE html>
<html lang="nb">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


def _on_callback_error(err: Exception):
    """Any callback that raises: keep its outputs as they were and say so in Norwegian
    in the shell, instead of a traceback. Bugs are logged (and re-raised in debug)."""
    if isinstance(err, DATA_ERRORS):
        log.warning("datavarehuset kunne ikke leses: %s", err)
        message = DATA_UNAVAILABLE
    else:
        log.error("callback feilet", exc_info=err)
        if config.settings().debug:
            raise err
        message = CALLBACK_FAILED
    set_props("shell-feil", {"children": message, "is_open": True})
    return None


class _App(Dash):
    """Dash with the pre-render placeholder in Norwegian."""

    def interpolate_index(self, **kwargs):
        kwargs["app_entry"] = kwargs["app_entry"].replace("Loading...", "Laster …")
        return super().interpolate_index(**kwargs)


app = _App(
    __name__,
    use_pages=True,
    pages_folder=str(HERE / "pages"),
    assets_folder=str(ROOT / "assets"),
    serve_locally=True,
    compress=True,  # gzip/brotli via flask-compress: plotly.js and the page registry shrink ~4x
    title="Tiltaksmonitor",
    update_title=None,
    index_string=INDEX_STRING,
    meta_tags=[
        {"name": "viewport", "content": "width=device-width, initial-scale=1"},
        {"name": "description", "content": "Tilskuddsordningen for utvikling av sosiale tjenester i NAV-kontor: "
                                           "tiltak, rapportering, internkontroll og lovende metoder."},
    ],
    include_pages_meta=False,  # social-media preview tags: no use in an internal tool
    on_error=_on_callback_error,
)
server = app.server
auth.init_app(app)  # identity, roles, secure sessions, login, audit hooks (dashboard/auth.py)


def _guard_layout(page: dict) -> None:
    """A page whose layout raises shows a Norwegian notice instead of taking the
    whole app down (Dash builds every page's layout on the first request). Logged;
    re-raised in debug mode. The original is `page['layout'].__wrapped__`."""
    layout = page["layout"]
    if not callable(layout) or hasattr(layout, "__wrapped__"):
        return

    @wraps(layout)
    def guarded(**kwargs):
        try:
            return layout(**kwargs)
        except Exception:
            log.exception("siden %s kunne ikke bygges", page["path"])
            if config.settings().debug:
                raise
            return html.Div(
                [html.H1(page["name"]), dbc.Alert("Denne siden kunne ikke vises på grunn av en feil. "
                                                  "Ta kontakt med administrator.", color="danger")]
            )

    page["layout"] = guarded


for _page in dash.page_registry.values():
    _guard_layout(_page)


# ---------------------------------------------------------------------- the shell

def nav_pages() -> list[dict]:
    """Pages in the menu, in register_page(order=…) order; nav=False hides one."""
    pages = [p for p in dash.page_registry.values()
             if p.get("nav", True) and not p["module"].endswith("not_found_404")]
    return sorted(pages, key=lambda p: (p.get("order") is None, p.get("order") or 0, p["name"]))


def warehouse_status() -> dict:
    """{'ok', 'freshness_text', 'has_sample'}; never raises for a missing warehouse."""
    try:
        fresh = meta.freshness()
        sample = meta.has_sample()
    except DATA_ERRORS as err:
        log.warning("datavarehuset kunne ikke leses: %s", err)
        return {"ok": False, "freshness_text": "Ingen data lastet inn", "has_sample": False}
    return {"ok": True, "freshness_text": freshness_text(fresh), "has_sample": sample}


def freshness_text(fresh: dict) -> str:
    """'Data sist oppdatert 01.02.2026 kl. 13:45 fra 37 filer'."""
    built = fresh.get("built_at")
    if built is None:
        when = "Tidspunkt for siste innlasting er ukjent"
    else:
        if built.tzinfo is not None:
            built = built.tz_convert(OSLO)
        when = f"Data sist oppdatert {fmt_date(built)} kl. {built:%H:%M}"
    n = fresh.get("n_files")
    if n is None:
        return when
    return f"{when} fra {fmt_int(n)} {'fil' if n == 1 else 'filer'}"


def sample_banner(has_sample: bool):
    if not has_sample:
        return None
    return html.Div(SAMPLE_TEXT, role="status", className="sample-banner", id="shell-eksempeldata")


def layout():
    status = warehouse_status()
    scope = current_scope()
    links = [
        dbc.NavItem(dbc.NavLink(p["name"], href=p["relative_path"], id={"type": "shell-nav", "index": p["path"]}))
        for p in nav_pages()
    ]
    return html.Div(
        [
            html.A("Hopp til hovedinnholdet", href="#hovedinnhold", className="skip-link"),
            dcc.Location(id="url", refresh=False),
            html.Header(
                dbc.Container(
                    html.Div(
                        [
                            dcc.Link(
                                [
                                    html.Img(src=dash.get_asset_url("logo.svg"), alt="", width=36, height=36),
                                    html.Span(
                                        [html.Span("Tiltaksmonitor", className="brand-name d-block"),
                                         html.Span("Tilskudd til utvikling av sosiale tjenester i NAV",
                                                   className="brand-sub d-block")]
                                    ),
                                ],
                                href="/",
                                className="brand",
                            ),
                            html.P(status["freshness_text"], id="shell-ferskhet", className="shell-freshness"),
                        ],
                        className="d-flex flex-wrap justify-content-between align-items-center gap-2 py-2",
                    )
                ),
                className="shell-header",
            ),
            auth.user_bar(),
            html.Nav(
                dbc.Container(dbc.Nav(links, id="shell-nav-list", class_name="flex-wrap")),
                id="shell-nav",
                className="shell-nav",
                **{"aria-label": "Hovedmeny"},
            ),
            dbc.Container(
                [
                    html.Div(sample_banner(status["has_sample"]), id="shell-banner"),
                    dbc.Alert(
                        DATA_UNAVAILABLE if not status["ok"] else "",
                        id="shell-feil",
                        color="danger",
                        is_open=not status["ok"],
                        dismissable=True,
                        class_name="mt-3",
                    ),
                    filter_bar(scope=scope),
                    html.Main(dash.page_container, id="hovedinnhold", tabIndex="-1"),
                ]
            ),
            html.Footer(
                dbc.Container(
                    [
                        html.Span("Arbeids- og velferdsdirektoratet · Tiltaksmonitor · "),
                        dcc.Link("Tilgjengelighetserklæring", href="/tilgjengelighet"),
                    ]
                ),
                className="shell-footer",
            ),
        ]
    )


app.layout = layout


def page_for_path(pathname: str | None) -> dict | None:
    """The registered page a pathname shows (path templates like '/tiltak/<tiltak_id>'
    included), or None (the 404 page)."""
    current = (pathname or "/").rstrip("/") or "/"
    for page in dash.page_registry.values():
        if page["path"] == current:
            return page
    for page in dash.page_registry.values():
        template = page.get("path_template")
        if template:
            pattern = re.sub(r"<[^>]+>", "[^/]+", re.escape(template))  # re.escape leaves < > alone
            if re.fullmatch(pattern, current):
                return page
    return None


@callback(
    Output({"type": "shell-nav", "index": ALL}, "href"),
    Output({"type": "shell-nav", "index": ALL}, "active"),
    Output("filter-bar", "hidden"),
    Input("url", "pathname"),
    Input("url", "search"),
    State({"type": "shell-nav", "index": ALL}, "id"),
)
def _update_nav(pathname, search, ids):
    """Menu links carry the filters along (a link reproduces the view); the current
    section is marked (also on its sub-pages, '/tiltak/…' under 'Tiltak'); pages
    registered with filters=False, and unknown paths, hide the filter bar."""
    current = (pathname or "/").rstrip("/") or "/"
    page = page_for_path(current)
    filters = search_from_filters(filters_from_search(search))  # the filters only, not a page's own
    hrefs = [i["index"] + filters for i in ids]
    active = [i["index"] == current or (i["index"] != "/" and current.startswith(i["index"] + "/")) for i in ids]
    return hrefs, active, page is None or not page.get("filters", True)


@callback(
    Output("shell-ferskhet", "children"),
    Output("shell-banner", "children"),
    Input("url", "pathname"),
    State("shell-ferskhet", "children"),
    State("shell-banner", "children"),
    prevent_initial_call=True,
)
def _update_status(_pathname, shown_text, shown_banner):
    """On navigation, re-read freshness and the sample flag (a new build may have
    been published while the page was open). Unchanged -> untouched, so the banner's
    live region is not announced again on every page."""
    status = warehouse_status()
    if not status["ok"]:
        set_props("shell-feil", {"children": DATA_UNAVAILABLE, "is_open": True})
    text = status["freshness_text"] if status["freshness_text"] != shown_text else no_update
    banner = sample_banner(status["has_sample"]) if status["has_sample"] != bool(shown_banner) else no_update
    return text, banner


# aria-current="page" on the current menu link (dbc.NavLink has no aria props).
clientside_callback(
    """
    function(pathname) {
        var current = (pathname || "/").replace(/\\/+$/, "") || "/";
        document.querySelectorAll("#shell-nav a.nav-link").forEach(function (a) {
            var path = (a.pathname || "/").replace(/\\/+$/, "") || "/";
            if (path === current) { a.setAttribute("aria-current", "page"); }
            else { a.removeAttribute("aria-current"); }
        });
        return window.dash_clientside.no_update;
    }
    """,
    Output("shell-nav", "title"),
    Input("url", "pathname"),
    Input({"type": "shell-nav", "index": ALL}, "href"),
)
