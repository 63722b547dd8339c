"""Shared building blocks for pages: the URL filters, the filter bar, cards, the grid,
figure styling and downloads. No SQL here: values come from dashboard.queries.

Adding a page: one module in dashboard/pages/ and, if it needs SQL, one in
dashboard/queries/. Ids start with the page's prefix ('vedtak-…'); the shell owns
'url', 'filter-…' and 'shell-…'. The menu is built from dash.page_registry (name
and order); register_page(..., filters=False) hides the filter bar, nav=False
hides the page from the menu. A page module::

    import dash
    from dash import Input, Output, callback, html

    from dashboard.auth import current_scope
    from dashboard.components import (chart_card, empty_figure, filters_from_search, register_download,
                                      style_figure)
    from dashboard.queries import decisions  # the page's query module

    dash.register_page(__name__, path="/vedtak", name="§17-vedtak", title="§17-vedtak – Tiltaksmonitor", order=10)

    COLUMNS = {"year": "År", "n": "Vedtak"}
    register_download("vedtak-per-ar", decisions.per_year, COLUMNS, filename="vedtak per år")

    def layout(**_query):  # a function: built per visit; takes the URL's query params
        return html.Div([
            html.H1("§17-vedtak"),
            chart_card("vedtak-per-ar", "Vedtak per år", "Hva figuren viser og hvordan den leses.",
                       empty_figure("Henter data …")),   # -> dcc.Graph id 'vedtak-per-ar-graf'
        ])

    @callback(Output("vedtak-per-ar-graf", "figure"), Input("url", "search"))
    def update(search):
        df = decisions.per_year(filters_from_search(search), current_scope())
        return style_figure(bar(df)) if len(df) else empty_figure()

Errors: a callback that raises (e.g. the warehouse is missing) leaves its outputs
as they were and the shell shows a Norwegian message (app.on_error); a page
layout that raises shows a notice on that page only. Neither is a substitute
for tests: tests/test_shell.py builds every page's layout and checks that every
download button is wired.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from typing import Callable, Iterable, Mapping
from urllib.parse import parse_qs, parse_qsl, quote, urlencode
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import duckdb
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import export
from dashboard.auth import current_scope
from dashboard.figures import TEMPLATE
from dashboard.formatting import MISSING, PLOTLY_SEPARATORS, fmt_decimal, fmt_int
from dashboard.queries import Filters, NoWarehouse, Scope, meta

OSLO = ZoneInfo("Europe/Oslo")

# ------------------------------------------------------------------- URL filters

#: URL key -> Filters field. The order is the order in a shared link.
URL_KEYS = {"fra": "year_from", "til": "year_to", "region": "region_id", "kontor": "office_id", "type": "report_type"}
REPORT_TYPES = {"status": "Statusrapport", "slutt": "Sluttrapport"}
_MAX_SEARCH = 1000  # a longer query string is not ours: ignored whole
_MAX_VALUE = 100
_YEAR = re.compile(r"[0-9]{4}")

#: Errors that mean "the warehouse is not there or not readable", not a bug.
DATA_ERRORS = (NoWarehouse, duckdb.Error, OSError)


def _first_values(search: str | None) -> dict[str, str]:
    if not search or not isinstance(search, str) or len(search) > _MAX_SEARCH:
        return {}
    try:
        parsed = parse_qs(search.removeprefix("?"), max_num_fields=len(URL_KEYS) * 4, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return {}
    out = {}
    for key in URL_KEYS:
        values = parsed.get(key)
        if values and len(values[0]) <= _MAX_VALUE:
            out[key] = values[0].strip()
    return out


def filter_choices(scope: Scope | None = None) -> dict:
    """What the filter bar offers and the URL may name: {'years': [int],
    'regions': {region_id: name}, 'offices': {office_id: (name, region_id)},
    'available': bool}. Falls back to the reference regions and no offices or years
    when the warehouse cannot be read."""
    try:
        years = meta.years()
        reg = meta.regions()
        regions = dict(zip(reg["region_id"], reg["region_name"]))
        off = meta.offices(None, scope) if scope is not None else meta.offices()
        offices = {o: (n, r) for o, n, r in off[["office_id", "office_name", "region_id"]].itertuples(index=False)}
        available = True
    except DATA_ERRORS:
        from etl import reference

        years, offices, available = [], {}, False
        regions = {r["region_id"]: r["region_name"] for r in reference.regions()}
    if scope is not None and scope.role == "statsforvalter":
        regions = {k: v for k, v in regions.items() if scope.may_see_region(k)}
    return {"years": years, "regions": regions, "offices": offices, "available": available}


def filters_from_search(search: str | None, scope: Scope | None = None) -> Filters:
    """The validated Filters in a URL query string ('?fra=2019&til=2021&region=agder&
    kontor=…&type=status'). Anything unknown (a region, office or year that is not in
    the warehouse, a malformed or over-long value, an office outside the chosen
    region) is dropped, so no raw URL text ever reaches SQL. fra > til is swapped.
    With a scope, regions and offices the caller may not see are dropped too."""
    raw = _first_values(search)
    if not raw:
        return Filters()
    choices = filter_choices(scope)
    years = set(choices["years"])

    def year(key):
        v = raw.get(key, "")
        return int(v) if _YEAR.fullmatch(v) and int(v) in years else None

    year_from, year_to = year("fra"), year("til")
    if year_from and year_to and year_from > year_to:
        year_from, year_to = year_to, year_from
    region = raw.get("region")
    region = region if region in choices["regions"] else None
    office = raw.get("kontor")
    if office not in choices["offices"] or (region and choices["offices"][office][1] != region):
        office = None
    report_type = raw.get("type")
    report_type = report_type if report_type in REPORT_TYPES else None
    return Filters(year_from, year_to, region, office, report_type)


def search_from_filters(filters: Filters, keep: str | None = None) -> str:
    """The query string for Filters ('' when nothing is chosen): the inverse of
    filters_from_search for valid values. `keep`: a current query string whose
    other parameters (a page's own, e.g. '?fane=tabell') are kept, after the filters."""
    pairs = [(key, getattr(filters, field)) for key, field in URL_KEYS.items()]
    pairs = [(k, str(v)) for k, v in pairs if v not in (None, "")]
    if keep and isinstance(keep, str) and len(keep) <= _MAX_SEARCH:
        try:
            others = parse_qsl(keep.removeprefix("?"), max_num_fields=20)
        except ValueError:
            others = []
        pairs += [(k, v) for k, v in others if k not in URL_KEYS]
    return "?" + urlencode(pairs, quote_via=quote, safe="") if pairs else ""


# -------------------------------------------------------------------- filter bar
# ACCESSIBILITY: native <select> (dbc.Select) and radio inputs with visible <label>s,
# not dcc.Dropdown: Dash 4's dcc.Dropdown has been seen marking a focusable element
# aria-hidden, an axe 'serious' violation (aria-hidden-focus), and a native select
# works with every screen reader and keyboard without extra code.

FILTER_IDS = ("filter-fra", "filter-til", "filter-region", "filter-kontor", "filter-type")
# Value of the "Alle …" option in every select. Not "": dbc.Select renders its own
# hidden placeholder <option value="">, which would then be the one shown.
_ALL = "alle"


def _options(pairs: Iterable[tuple[object, str]], all_label: str) -> list[dict]:
    return [{"label": all_label, "value": _ALL}] + [{"label": label, "value": str(v)} for v, label in pairs]


def office_options(choices: dict, region_id: str | None) -> list[dict]:
    offices = sorted(
        ((o, n) for o, (n, r) in choices["offices"].items() if region_id in (None, r)),
        key=lambda p: (p[1].casefold(), p[0]),
    )
    return _options(offices, "Alle kontorer")


def _select(id_: str, label: str, options: list[dict], value: str = _ALL):
    return html.Div(
        [dbc.Label(label, html_for=id_, class_name="mb-1"), dbc.Select(id=id_, options=options, value=value, size="sm")]
    )


def filter_bar(filters: Filters | None = None, scope: Scope | None = None):
    """The global filter bar (ids 'filter-…'); its state lives in the URL."""
    filters = filters or Filters()
    choices = filter_choices(scope)
    years = [(y, str(y)) for y in choices["years"]]
    report_types = [{"label": "Alle", "value": _ALL}] + [
        {"label": name.removesuffix("rapport").capitalize(), "value": key} for key, name in REPORT_TYPES.items()
    ]
    return html.Form(
        dbc.Row(
            [
                dbc.Col(
                    dbc.Row(
                        [
                            dbc.Col(_select("filter-fra", "Fra år", _options(years, "Første år"),
                                            str(filters.year_from or _ALL))),
                            dbc.Col(_select("filter-til", "Til år", _options(years, "Siste år"),
                                            str(filters.year_to or _ALL))),
                        ],
                        class_name="g-2",
                    ),
                    xs=12, md=6, xl=3,
                ),
                dbc.Col(
                    _select("filter-region", "Region (Statsforvalter)",
                            _options(choices["regions"].items(), "Alle regioner"), filters.region_id or _ALL),
                    xs=12, md=6, xl=True,
                ),
                dbc.Col(
                    _select("filter-kontor", "NAV-kontor", office_options(choices, filters.region_id),
                            filters.office_id or _ALL),
                    xs=12, md=6, xl=True,
                ),
                dbc.Col(
                    html.Fieldset(
                        [
                            html.Legend("Rapporttype", className="form-label mb-1 fs-6"),
                            dbc.RadioItems(id="filter-type", options=report_types,
                                           value=filters.report_type or _ALL, inline=True),
                        ],
                        className="mb-0",
                    ),
                    xs=8, md=4, xl="auto",
                ),
                dbc.Col(
                    dbc.Button("Nullstill", id="filter-nullstill", color="secondary", outline=True, size="sm",
                               type="button", n_clicks=0, title="Fjern alle filtre"),
                    xs=4, md=2, xl="auto", class_name="d-flex justify-content-end",
                ),
            ],
            class_name="g-3 align-items-end",
        ),
        id="filter-bar",
        className="filter-bar",
        role="search",
        **{"aria-label": "Filtre for alle sider"},
    )


@callback(
    Output("url", "search"),
    Output("filter-fra", "value"),
    Output("filter-til", "value"),
    Output("filter-region", "value"),
    Output("filter-kontor", "options"),
    Output("filter-kontor", "value"),
    Output("filter-type", "value"),
    Input("url", "search"),
    Input("filter-fra", "value"),
    Input("filter-til", "value"),
    Input("filter-region", "value"),
    Input("filter-kontor", "value"),
    Input("filter-type", "value"),
    Input("filter-nullstill", "n_clicks"),
)
def _sync_filters(search, fra, til, region, kontor, report_type, _reset):
    """URL <-> filter bar, in one callback (Dash allows a circular dependency only
    within one callback). The URL is the state: a changed control writes a new,
    validated query string; a changed URL (a shared link, back/forward) sets the
    controls. The shell's 'url' has refresh=False, so writing it does not re-render
    the page; pages react through their Input('url', 'search')."""
    trigger = ctx.triggered_id
    scope = current_scope()
    if trigger == "filter-nullstill":
        filters = Filters()
    elif trigger in FILTER_IDS:
        if trigger == "filter-region":
            kontor = _ALL  # a new region empties the office choice
        wanted = {"fra": fra, "til": til, "region": region, "kontor": kontor, "type": report_type}
        filters = filters_from_search("?" + urlencode({k: v for k, v in wanted.items() if v and v != _ALL}), scope)
    else:
        filters = filters_from_search(search, scope)
    new_search = search_from_filters(filters, keep=search)
    write_url = trigger not in (None, "url") and new_search != (search or "")
    return (
        new_search if write_url else no_update,
        str(filters.year_from or _ALL),
        str(filters.year_to or _ALL),
        filters.region_id or _ALL,
        office_options(filter_choices(scope), filters.region_id),
        filters.office_id or _ALL,
        filters.report_type or _ALL,
    )


# ------------------------------------------------------------------------ figures


#: dcc.Graph config. No 'locale': Plotly's Norwegian locale file does not ship with
#: the installed packages and nothing may be fetched at run time; number formatting
#: comes from layout.separators instead, and axis dates are formatted by the pages.
GRAPH_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def style_figure(fig: go.Figure, height: int | None = None) -> go.Figure:
    """House style (dashboard.figures' template: Norwegian separators '1 234,5',
    Okabe–Ito colours, system font, legend above the plot) and no figure title: the
    card has the heading."""
    fig.update_layout(template=TEMPLATE, separators=PLOTLY_SEPARATORS, title=None)
    if height:
        fig.update_layout(height=height)
    return fig


def empty_figure(message: str = "Ingen data for valgte filtre", height: int = 320) -> go.Figure:
    """A blank figure that says why it is blank (instead of an error or empty axes)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": 16})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style_figure(fig, height)


def empty_notice(message: str = "Ingen data for valgte filtre"):
    """Text in place of a table or list that has no rows."""
    return html.P(message, className="empty-notice")


def graph(id_: str, figure: go.Figure | None = None, height: int | None = None):
    """dcc.Graph with the house config; a None figure shows the empty state."""
    return dcc.Graph(
        id=id_,
        figure=style_figure(figure, height) if figure is not None else empty_figure("Henter data …"),
        config=GRAPH_CONFIG,
        responsive=True,
        className="chart",
    )


# -------------------------------------------------------------------------- cards

def download_ids(id_prefix: str) -> dict[str, str]:
    """Ids of a card's download parts: 'csv' and 'xlsx' buttons, 'download' target."""
    return {"csv": f"{id_prefix}-last-ned-csv", "xlsx": f"{id_prefix}-last-ned-xlsx", "download": f"{id_prefix}-last-ned"}


def chart_card(id_prefix: str, title: str, description, figure_or_children=None, *,
               download: bool = True, heading_level: int = 2, footer=None):
    """A titled card: heading, a short text on what it shows and how to read it, the
    chart (a go.Figure becomes dcc.Graph id '<prefix>-graf') or any children, and
    'Last ned CSV' / 'Last ned Excel' buttons (wire them with register_download)."""
    heading = getattr(html, f"H{heading_level}")(title, id=f"{id_prefix}-tittel", className="card-title h5")
    if isinstance(figure_or_children, go.Figure):
        body = graph(f"{id_prefix}-graf", figure_or_children)
    else:
        body = figure_or_children
    parts = [
        heading,
        html.P(description, id=f"{id_prefix}-beskrivelse", className="chart-description"),
        html.Div(body, id=f"{id_prefix}-innhold", className="chart-body"),
    ]
    if footer is not None:
        parts.append(footer)
    if download:
        ids = download_ids(id_prefix)
        parts.append(
            html.Div(
                [
                    # html.Button, not dbc.Button: dbc has no aria-* props. The title is
                    # the buttons' description, so "Last ned CSV" is not ambiguous.
                    html.Button("Last ned CSV", id=ids["csv"], type="button", n_clicks=0,
                                className="btn btn-outline-primary btn-sm",
                                **{"aria-describedby": f"{id_prefix}-tittel"}),
                    html.Button("Last ned Excel", id=ids["xlsx"], type="button", n_clicks=0,
                                className="btn btn-outline-primary btn-sm",
                                **{"aria-describedby": f"{id_prefix}-tittel"}),
                    dcc.Download(id=ids["download"]),
                ],
                className="chart-downloads",
            )
        )
    return html.Section(
        dbc.Card(dbc.CardBody(parts)),
        id=f"{id_prefix}-kort",
        className="chart-card mb-4",
        **{"aria-labelledby": f"{id_prefix}-tittel"},
    )


def send_table(df: pd.DataFrame, columns: Mapping[str, str], slug: str, as_csv: bool,
               sheet_name: str | None = None) -> dict:
    """A table download (CSV or XLSX, Norwegian headers, formula injection
    neutralised by dashboard/export.py): the one path every download button takes."""
    today = _dt.datetime.now(OSLO).date()
    if as_csv:
        return dcc.send_bytes(export.to_csv_bytes(df, columns), export.filename(slug, "csv", today),
                              type=export.CSV_MIME)
    return dcc.send_bytes(export.to_xlsx_bytes(df, columns, sheet_name or slug),
                          export.filename(slug, "xlsx", today), type=export.XLSX_MIME)


def register_download(id_prefix: str, data_fn: Callable[[Filters, Scope], pd.DataFrame],
                      columns: Mapping[str, str], filename: str | None = None,
                      sheet_name: str | None = None) -> None:
    """Wire a chart_card's download buttons, once, at a page module's import.

    data_fn(filters, scope) returns the DataFrame (usually the query function the
    chart uses); `columns` maps its column names to Norwegian headers, and only
    those columns are written (dashboard/export.py neutralises formula injection).
    """
    ids = download_ids(id_prefix)
    slug = filename or id_prefix
    columns = dict(columns)

    @callback(
        Output(ids["download"], "data"),
        Input(ids["csv"], "n_clicks"),
        Input(ids["xlsx"], "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def _download(_csv, _xlsx, search):
        if ctx.triggered_id not in (ids["csv"], ids["xlsx"]) or not (_csv or _xlsx):
            raise PreventUpdate
        df = data_fn(filters_from_search(search), current_scope())
        return send_table(df, columns, slug, ctx.triggered_id == ids["csv"], sheet_name or slug)


def kpi_card(label: str, value, note: str | None = None, id: str | None = None):
    """A key figure: label, big value (a number is formatted with fmt_int; pass a
    string from fmt_kr/fmt_pct for money and shares), optional note."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        shown = MISSING
    elif isinstance(value, str):
        shown = value
    else:
        shown = fmt_int(value) if float(value).is_integer() else fmt_decimal(value)
    body = [html.P(label, className="kpi-label"), html.P(shown, className="kpi-value")]
    if note:
        body.append(html.P(note, className="kpi-note"))
    kwargs = {"id": id} if id else {}
    return dbc.Card(dbc.CardBody(body), className="kpi-card h-100", **kwargs)


# --------------------------------------------------------------------------- grid

#: AG Grid's interface text in bokmål (only the keys the community grid shows).
AG_GRID_LOCALE_NB = {
    "page": "Side", "more": "Flere", "to": "til", "of": "av", "next": "Neste", "last": "Siste",
    "first": "Første", "previous": "Forrige", "loadingOoo": "Laster …", "loadingError": "Feil",
    "noRowsToShow": "Ingen data for valgte filtre", "filterOoo": "Filtrer …", "searchOoo": "Søk …",
    "selectAll": "Velg alle", "selectAllSearchResults": "Velg alle søkeresultater", "blanks": "(Tomme)",
    "noMatches": "Ingen treff", "equals": "Lik", "notEqual": "Ikke lik", "blank": "Tom", "notBlank": "Ikke tom",
    "empty": "Velg en", "lessThan": "Mindre enn", "greaterThan": "Større enn",
    "lessThanOrEqual": "Mindre enn eller lik", "greaterThanOrEqual": "Større enn eller lik",
    "inRange": "Mellom", "inRangeStart": "Fra", "inRangeEnd": "Til", "contains": "Inneholder",
    "notContains": "Inneholder ikke", "startsWith": "Starter med", "endsWith": "Slutter med",
    "before": "Før", "after": "Etter", "andCondition": "OG", "orCondition": "ELLER",
    "applyFilter": "Bruk", "resetFilter": "Nullstill", "clearFilter": "Tøm", "cancelFilter": "Avbryt",
    "textFilter": "Tekstfilter", "numberFilter": "Tallfilter", "dateFilter": "Datofilter", "setFilter": "Verdifilter",
    "columns": "Kolonner", "filters": "Filtre", "pinColumn": "Fest kolonne", "pinLeft": "Fest til venstre",
    "pinRight": "Fest til høyre", "noPin": "Ikke fest", "autosizeThiscolumn": "Tilpass bredden på denne kolonnen",
    "autosizeAllColumns": "Tilpass bredden på alle kolonner", "resetColumns": "Tilbakestill kolonner",
    "sortAscending": "Sorter stigende", "sortDescending": "Sorter synkende", "sortUnSort": "Fjern sortering",
    "columnFilter": "Kolonnefilter", "columnChooser": "Velg kolonner", "columnMenu": "Kolonnemeny",
    "copy": "Kopier", "copyWithHeaders": "Kopier med overskrifter", "export": "Eksporter",
    "ariaChecked": "avkrysset", "ariaColumn": "Kolonne", "ariaColumnGroup": "Kolonnegruppe",
    "ariaColumnFiltered": "Kolonnen er filtrert", "ariaColumnSelectAll": "Velg alle kolonner",
    "ariaDateFilterInput": "Datofilter", "ariaDefaultListName": "Liste", "ariaFilterColumnsInput": "Filtrer kolonner",
    "ariaFilterFromValue": "Filtrer fra verdi", "ariaFilterInput": "Filterfelt", "ariaFilterList": "Filterliste",
    "ariaFilterToValue": "Filtrer til verdi", "ariaFilterValue": "Filterverdi", "ariaFilterMenuOpen": "Åpne filtermeny",
    "ariaFilteringOperator": "Filteroperator", "ariaHidden": "skjult", "ariaIndeterminate": "ubestemt",
    "ariaMenuColumn": "Trykk Alt+Pil ned for å åpne kolonnemenyen", "ariaFilterColumn": "Trykk Ctrl+Enter for å åpne filteret",
    "ariaRowDeselect": "Trykk Mellomrom for å fjerne valget av raden", "ariaRowSelect": "Trykk Mellomrom for å velge raden",
    "ariaRowSelectAll": "Trykk Mellomrom for å velge alle rader", "ariaSearch": "Søk",
    "ariaSortableColumn": "Trykk Enter for å sortere", "ariaToggleVisibility": "Trykk Mellomrom for å vise eller skjule",
    "ariaUnchecked": "ikke avkrysset", "ariaVisible": "synlig", "ariaSearchFilterValues": "Søk i filterverdier",
    "ariaPageSizeSelectorLabel": "Rader per side", "pageSizeSelectorLabel": "Rader per side",
    "ariaLabelColumnMenu": "Kolonnemeny", "ariaLabelColumnFilter": "Kolonnefilter", "ariaLabelDialog": "Dialog",
    "ariaLabelSelectField": "Velg felt", "ariaLabelTooltip": "Verktøytips",
    "ariaLabelRichSelectField": "Velg felt", "ariaLabelLoadingContextMenu": "Laster kontekstmeny",
    "ariaLabelContextMenu": "Kontekstmeny", "ariaLabelSubMenu": "Undermeny",
}


_NOT_AMOUNTS = re.compile(r"(^|_)(year|line|no|nr|id|code)$")


def _format_for(field: str, dtype) -> str | None:
    """The Norwegian number formatter (assets/dashAgGridFunctions.js) a numeric
    column gets, from its name's unit suffix (STYLE: *_kr; *_pct and share* are
    fractions) and dtype; None for text and for years, line and other numbers that
    are labels, not amounts ('2 021' would be wrong)."""
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return None
    if _NOT_AMOUNTS.search(field):
        return None
    if field.endswith("_kr"):
        return "nbKr"
    if field.endswith("_pct") or field.startswith("share") or field.endswith("_share"):
        return "nbPct"
    if pd.api.types.is_integer_dtype(dtype) or field.startswith("n_"):
        return "nbInt"
    return "nbDecimal"


def grid_records(df: pd.DataFrame, columns: Iterable[str]) -> list[dict]:
    """JSON-safe rows (NaN -> null, dates -> ISO text) for AgGrid.rowData."""
    return json.loads(df.loc[:, list(columns)].to_json(orient="records", date_format="iso", force_ascii=False))


def data_grid(id: str, df: pd.DataFrame, columns: Mapping[str, str], *, label: str,
              page_size: int | None = 20, height: int | None = None,
              formats: Mapping[str, str] | None = None):
    """An accessible, sortable and filterable table (dash_ag_grid) in bokmål.

    columns maps df columns to Norwegian headers (only these are shown). Numbers are
    formatted the Norwegian way by unit suffix (see _format_for) unless `formats`
    names a formatter ('nbInt', 'nbDecimal', 'nbKr', 'nbPct') or None per
    column. `label` names the table for screen readers (a labelled region). The grid
    is as tall as its rows, `page_size` rows a page (None: no paging); with `height`
    (px) it is that tall instead and scrolls. Update it from a callback via
    Output(id, 'rowData') and grid_records(df, columns).
    """
    formats = dict(formats or {})
    defs = []
    for field, header in columns.items():
        dtype = df[field].dtype if field in df.columns else object
        fmt = formats.get(field, _format_for(field, dtype))
        numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
        col = {"field": field, "headerName": header, "headerTooltip": header,
               "filter": "agNumberColumnFilter" if numeric else "agTextColumnFilter"}
        if fmt:
            col["valueFormatter"] = {"function": f"{fmt}(params.value)"}
            col["type"] = "rightAligned"
        defs.append(col)
    auto = height is None
    paging = {"pagination": True, "paginationPageSize": page_size,
              "paginationPageSizeSelector": False} if page_size else {}
    grid = dag.AgGrid(
        id=id,
        rowData=grid_records(df, columns) if len(df.columns) else [],
        columnDefs=defs,
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90, "flex": 1},
        dashGridOptions={
            "localeText": AG_GRID_LOCALE_NB,
            "domLayout": "autoHeight" if auto else "normal",
            "ensureDomOrder": True,
            "suppressColumnVirtualisation": True,
            "enableCellTextSelection": True,
            "tooltipShowDelay": 500,
            **paging,
        },
        style={"height": None if auto else f"{height}px", "width": "100%"},
        className="data-grid",
    )
    return html.Div(grid, role="region", className="data-grid-wrap", **{"aria-label": label})


def simple_table(df: pd.DataFrame, columns: Mapping[str, str], caption: str,
                 formats: Mapping[str, Callable] | None = None, id: str | None = None):
    """A small static HTML table (for a handful of rows; use data_grid for more):
    a caption, column headers with scope, values formatted by `formats` (column ->
    function, e.g. fmt_int) or shown as text. Empty df -> empty_notice()."""
    if df is None or df.empty:
        return empty_notice()
    formats = dict(formats or {})
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in columns.values()]))
    rows = []
    for rec in df.loc[:, list(columns)].itertuples(index=False, name=None):
        cells = []
        for field, value in zip(columns, rec):
            fn = formats.get(field)
            text = fn(value) if fn else (MISSING if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value))
            cells.append(html.Td(text, className="text-end" if fn else None))
        rows.append(html.Tr(cells))
    kwargs = {"id": id} if id else {}
    return dbc.Table([html.Caption(caption), head, html.Tbody(rows)], size="sm", striped=True,
                     class_name="caption-top mb-0", **kwargs)
