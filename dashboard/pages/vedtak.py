"""§17-vedtak: decisions under sosialtjenesteloven §17 and §20 a per period and type,
before and after a date (PROFH started 01.01.2019), and a ranking of the offices.
Office-level counts below the threshold are hidden, with secondary suppression."""
from __future__ import annotations

import datetime as _dt
import re

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import stats
from dashboard.auth import current_scope
from dashboard.components import (
    GRAPH_CONFIG,
    chart_card,
    data_grid,
    download_ids,
    empty_figure,
    filters_from_search,
    graph,
    grid_records,
    kpi_card,
    send_table,
)
from dashboard.figures import decisions as fig
from dashboard.formatting import fmt_date, fmt_decimal, fmt_int, fmt_pct
from dashboard.queries import decisions as q
from dashboard.queries import meta

dash.register_page(__name__, path="/vedtak", name="§17-vedtak", title="§17-vedtak – Tiltaksmonitor", order=2)

_ALL = "alle"
MARK = stats.SUPPRESSED_MARK
MARK_EXPLANATION = (
    f"«{MARK}» betyr at tallet er skjult for å verne personopplysninger: det er under "
    f"{q.threshold()}, eller det er skjult i tillegg for at et annet skjult tall ikke skal kunne regnes ut "
    "fra summene. Et kontor som er skjult i rangeringen, er også skjult i før/etter-tabellen, og omvendt. "
    "Skjulte tall står tomme i nedlastingene."
)

PARAGRAF_OPTIONS = [{"label": "§ 17", "value": "17"}, {"label": "§ 20 a", "value": "20a"},
                    {"label": "Begge", "value": _ALL}]
TYPE_OPTIONS = [{"label": "Alle typer", "value": _ALL}] + [
    {"label": fig.TYPE_LABELS[t], "value": t} for t in q.DECISION_TYPES]
GRAIN_OPTIONS = [{"label": fig.GRAIN_LABELS[g], "value": g} for g in q.GRAINS]
WINDOW_OPTIONS = [{"label": f"{m} måneder", "value": str(m)} for m in q.WINDOW_MONTHS]
MEASURE_OPTIONS = [{"label": "Antall vedtak", "value": "n"},
                   {"label": "Vedtak per ansatt", "value": "rate_per_employee"}]

BA_GRID_COLUMNS = {"office_name": "Kontor", "n_before": "Før", "n_after": "Etter",
                   "change_abs": "Endring", "change_pct": "Endring (%)", "note": "Merknad"}


# ---------------------------------------------------------------- page state

def _choice(value, allowed, default=None):
    return value if value in allowed else default


_DATE = re.compile(r"\s*([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\s*")


def parse_date(text) -> _dt.date | None:
    """'01.01.2019' (also '1.1.2019' and ISO '2019-01-01') -> date; None if invalid."""
    if isinstance(text, _dt.date):
        return text
    if not isinstance(text, str) or len(text) > 20:
        return None
    m = _DATE.fullmatch(text)
    try:
        if m:
            return _dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def page_state(paragraf=None, decision_type=None, grain=None, cutoff=None, window=None, measure=None) -> dict:
    """Validated page controls (anything unknown falls back to the default)."""
    cut = q.first_of_month(parse_date(cutoff)) or q.DEFAULT_CUTOFF
    try:
        months = int(window)
    except (TypeError, ValueError):
        months = q.DEFAULT_WINDOW
    return {
        "paragraf": _choice(paragraf, q.PARAGRAFS),
        "decision_type": _choice(decision_type, q.DECISION_TYPES),
        "grain": _choice(grain, q.GRAINS, "month"),
        "cutoff": cut,
        "months": months if months in q.WINDOW_MONTHS else q.DEFAULT_WINDOW,
        "measure": _choice(measure, ("n", "rate_per_employee"), "n"),
    }


def selection_text(state: dict) -> str:
    para = fig.PARAGRAF_LABELS[state["paragraf"]]
    kind = fig.TYPE_LABELS[state["decision_type"]].lower() if state["decision_type"] else "alle typer"
    return f"{para}, {kind}"


def _region_names() -> dict:
    try:
        reg = meta.regions()
        return dict(zip(reg["region_id"], reg["region_name"]))
    except Exception:  # noqa: BLE001 - a label lookup must not break a download
        return {}


# -------------------------------------------------------------- data for views

def period_table(filters, scope, state) -> pd.DataFrame:
    win = q.windows(filters, scope, state["cutoff"], state["months"])
    df = q.suppressed_periods(filters, scope, state["grain"], state["paragraf"], state["decision_type"], win)
    df["period_label"] = [fig.period_label(p, state["grain"]) for p in df["period"]]
    df["type_label"] = df["decision_type"].map(fig.TYPE_LABELS)
    df["hidden"] = df["suppressed"].map({True: "ja", False: "nei"})
    return df


def office_views(filters, scope, state) -> dict:
    views = q.office_tables(filters, scope, state["paragraf"], state["decision_type"], state["cutoff"], state["months"])
    ba = views["before_after"]
    notes = []
    for _, r in ba.iterrows():
        if r["suppressed"]:
            notes.append("Skjult")
        elif not r["complete"]:
            notes.append("Mangler data for noen måneder")
        elif pd.isna(r["change_pct"]):
            notes.append("Ingen vedtak før: prosent kan ikke beregnes")
        else:
            notes.append("")
    ba["note"] = notes
    ba["change_pct100"] = (ba["change_pct"] * 100).round(1)
    ba["hidden"] = ba["suppressed"].map({True: "ja", False: "nei"})
    rk = views["ranking"]
    regions = _region_names()
    rk["region_name"] = rk["region_id"].map(regions).fillna(rk["region_id"])
    rk["rate_round"] = rk["rate_per_employee"].round(3)
    rk["hidden"] = rk["suppressed"].map({True: "ja", False: "nei"})
    return views


def window_text(win: q.Windows | None) -> str:
    if win is None:
        return ("Datoen gir ingen hele måneder med vedtak både før og etter. Velg en dato inne i perioden "
                "som har data.")
    text = (f"Sammenligner {win.months} måneder før ({fmt_date(win.before_start)}–{fmt_date(win.before_last)}) "
            f"med {win.months} måneder fra og med datoen ({fmt_date(win.cutoff)}–{fmt_date(win.after_last)}): "
            "like lange perioder.")
    if win.shortened:
        text += (f" Du valgte {win.requested_months} måneder, men dataene rekker ikke så langt på begge sider, "
                 f"så periodene er kortet ned til {win.months}.")
    return text


# ------------------------------------------------------------------ downloads

def _period_download(filters, scope, state):
    df = stats.blank_suppressed(period_table(filters, scope, state), ["n"])
    return df, {"period_label": "Periode", "type_label": "Vedtakstype", "n": "Antall vedtak", "hidden": "Skjult"}


def _ranking_download(filters, scope, state):
    rk = office_views(filters, scope, state)["ranking"]
    rk = stats.blank_suppressed(rk, ["n", "rate_round"])
    return rk, {"office_name": "Kontor", "region_name": "Region", "n": "Antall vedtak", "employees": "Ansatte",
                "rate_round": "Vedtak per ansatt", "hidden": "Skjult"}


def _before_after_download(filters, scope, state):
    views = office_views(filters, scope, state)
    ba, win = views["before_after"], views["windows"]
    ba = stats.blank_suppressed(ba, ["n_before", "n_after", "change_abs", "change_pct100", "months_before",
                                     "months_after"])
    before = f"Før ({fmt_date(win.before_start)}–{fmt_date(win.before_last)})" if win else "Før"
    after = f"Etter ({fmt_date(win.cutoff)}–{fmt_date(win.after_last)})" if win else "Etter"
    return ba, {"office_name": "Kontor", "n_before": before, "n_after": after, "change_abs": "Endring",
                "change_pct100": "Endring (%)", "months_before": "Måneder med data før",
                "months_after": "Måneder med data etter", "hidden": "Skjult", "note": "Merknad"}


CONTROL_STATES = ("vedtak-paragraf", "vedtak-type", "vedtak-inndeling", "vedtak-dato", "vedtak-vindu", "vedtak-maal")


def _register_download(prefix: str, data_fn, filename: str) -> None:
    """Like components.register_download, but the data also follow this page's own
    controls (paragraf, type, granularity, date, window), not only the URL filters."""
    ids = download_ids(prefix)

    @callback(
        Output(ids["download"], "data"),
        Input(ids["csv"], "n_clicks"),
        Input(ids["xlsx"], "n_clicks"),
        State("url", "search"),
        *[State(c, "value") for c in CONTROL_STATES],
        prevent_initial_call=True,
    )
    def _download(csv_clicks, xlsx_clicks, search, *controls):
        if ctx.triggered_id not in (ids["csv"], ids["xlsx"]) or not (csv_clicks or xlsx_clicks):
            raise PreventUpdate
        scope = current_scope()
        df, columns = data_fn(filters_from_search(search, scope), scope, page_state(*controls))
        return send_table(df, columns, filename, ctx.triggered_id == ids["csv"], filename)


_register_download("vedtak-tid", _period_download, "vedtak per periode")
_register_download("vedtak-rangering", _ranking_download, "vedtak per kontor")
_register_download("vedtak-endring", _before_after_download, "vedtak før og etter")


# --------------------------------------------------------------------- layout

def tall_graph(id_: str, label: str):
    """A graph as tall as its figure (one bar per office), in a scroll box when
    there are many offices. components.graph is responsive=True, which squeezes a
    figure into the container's 450 px; 'auto' keeps the figure's height and
    follows the width. The box is focusable so keyboard users can scroll it."""
    return html.Div(
        dcc.Graph(id=id_, figure=empty_figure("Henter data …"), config=GRAPH_CONFIG, responsive="auto",
                  className="chart"),
        className="scroll-box", tabIndex="0", role="region",
        style={"maxHeight": "760px", "overflowY": "auto", "overflowX": "hidden"},
        **{"aria-label": label},
    )


def _radios(id_, legend, options, value):
    return html.Fieldset(
        [html.Legend(legend, className="form-label fs-6 fw-semibold mb-1"),
         dbc.RadioItems(id=id_, options=options, value=value, inline=True)],
        className="mb-2",
    )


def _select(id_, label, options, value):
    return html.Div([dbc.Label(label, html_for=id_, class_name="fw-semibold mb-1"),
                     dbc.Select(id=id_, options=options, value=value, size="sm")], className="mb-2")


def layout(**_query):
    empty_ba = pd.DataFrame({"office_name": pd.Series(dtype=object), "n_before": pd.Series(dtype="int64"),
                             "n_after": pd.Series(dtype="int64"), "change_abs": pd.Series(dtype="float64"),
                             "change_pct": pd.Series(dtype="float64"), "note": pd.Series(dtype=object)})
    return html.Div(
        [
            html.H1("Vedtak etter § 17 og § 20 a"),
            html.P(
                "Vedtak om opplysning, råd og veiledning (sosialtjenesteloven § 17) og vilkår for økonomisk "
                "stønad (§ 20 a) per kontor: over tid, før og etter en dato, og kontorene rangert. PROFH-prosjektet "
                "(internkontroll ved Nav Ringsaker, Hamar, Stange og Løten) startet 01.01.2019 og førte til flere "
                "§ 17-vedtak ved alle fire kontorene. Filtrene for år, region og kontor gjelder; rapporttype gjelder "
                "ikke vedtak.",
                className="lead-text",
            ),
            html.Form(
                [
                    html.H2("Valg for denne siden", className="visually-hidden"),
                    dbc.Row(
                        [
                            dbc.Col(_radios("vedtak-paragraf", "Paragraf", PARAGRAF_OPTIONS, "17"), xs=12, md=4),
                            dbc.Col(_select("vedtak-type", "Vedtakstype", TYPE_OPTIONS, _ALL), xs=12, md=4),
                            dbc.Col(_radios("vedtak-inndeling", "Tidsinndeling", GRAIN_OPTIONS, "month"), xs=12, md=4),
                        ],
                        class_name="g-3",
                    ),
                ],
                className="filter-bar",
                **{"aria-label": "Valg for vedtakssiden"},
            ),
            html.Div(id="vedtak-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            chart_card(
                "vedtak-tid",
                "Vedtak over tid",
                "Antall vedtak per periode for kontorene i utvalget (velg ett kontor i filteret over for å se "
                "ett kontor), fordelt på vedtakstype. Søylens høyde er summen av typene.",
                [graph("vedtak-tid-graf"), html.P(id="vedtak-tid-sammendrag", className="small mt-2")],
            ),
            chart_card(
                "vedtak-endring",
                "Før og etter en dato",
                "Endring per kontor fra perioden før datoen til like lang periode fra og med datoen. Søylene viser "
                "endringen i prosent; tallet bak viser endringen i antall. Fra år og til år påvirker ikke denne "
                "sammenligningen: periodene styres av datoen og lengden du velger her. Vedtakene telles per måned, "
                "så datoen rundes ned til den første i måneden.",
                [
                    dbc.Row(
                        [
                            dbc.Col(
                                html.Div(
                                    [
                                        dbc.Label("Dato (dd.mm.åååå)", html_for="vedtak-dato",
                                                  class_name="fw-semibold mb-1 d-block"),
                                        # A plain text field, not dcc.DatePickerSingle: Dash 4's picker
                                        # puts aria-expanded on a div (axe: aria-allowed-attr, critical).
                                        dbc.Input(id="vedtak-dato", type="text", value=fmt_date(q.DEFAULT_CUTOFF),
                                                  debounce=True, size="sm", autocomplete="off",
                                                  inputmode="numeric", maxlength=10),
                                        dbc.FormText("Trykk Enter eller gå ut av feltet for å oppdatere.",
                                                     id="vedtak-dato-hjelp"),
                                        dbc.FormFeedback("Skriv datoen som dd.mm.åååå, for eksempel 01.01.2019.",
                                                         type="invalid"),
                                    ],
                                    className="mb-2",
                                ),
                                xs=12, md=4,
                            ),
                            dbc.Col(_select("vedtak-vindu", "Lengde på hver periode", WINDOW_OPTIONS,
                                            str(q.DEFAULT_WINDOW)), xs=12, md=4),
                        ],
                        class_name="g-3",
                    ),
                    html.P(id="vedtak-vinduer", className="fw-semibold"),
                    tall_graph("vedtak-endring-graf", "Diagram: endring per kontor"),
                    html.P(id="vedtak-endring-sammendrag", className="small mt-2"),
                    html.Div(id="vedtak-hopp"),
                    data_grid("vedtak-endring-grid", empty_ba, BA_GRID_COLUMNS, label="Vedtak før og etter datoen per kontor",
                              formats={"n_before": "nbInt", "n_after": "nbInt", "change_abs": "nbInt",
                                       "change_pct": "nbDecimal"}),
                ],
            ),
            chart_card(
                "vedtak-rangering",
                "Kontorene rangert",
                "Kontorene sortert fra flest til færrest vedtak i valgte år. «Vedtak per ansatt» deler på antall "
                "ansatte i kontorregisteret (ett tall per kontor, ikke per år), og vises bare når antall ansatte "
                "er kjent. Det finnes ikke befolkningstall i datagrunnlaget, så vedtak per 1 000 innbyggere kan "
                "ikke beregnes.",
                [
                    html.Div(_radios("vedtak-maal", "Vis", MEASURE_OPTIONS, "n"), id="vedtak-maal-felt"),
                    tall_graph("vedtak-rangering-graf", "Diagram: kontorene rangert"),
                    html.P(id="vedtak-rangering-sammendrag", className="small mt-2"),
                ],
            ),
            html.P(MARK_EXPLANATION, id="vedtak-skjult-forklaring", className="chart-description"),
        ]
    )


# ------------------------------------------------------------------ callbacks

def _count(n: int, one: str, many: str) -> str:
    return f"{fmt_int(n)} {one if n == 1 else many}"


def period_summary(df: pd.DataFrame, state: dict) -> str:
    if df.empty or df["n"].sum() == 0:
        return "Ingen vedtak for valgte filtre."
    grain = state["grain"]
    per = df.groupby("period", sort=True).agg(n=("n", "sum"), hidden=("suppressed", "any"))
    visible = per[~per["hidden"]]
    first, last = fig.period_label(per.index[0], grain), fig.period_label(per.index[-1], grain)
    parts = [f"{selection_text(state).capitalize()}, {first}–{last}."]
    if len(visible):
        top = visible["n"].idxmax()
        parts.append(f"Flest vedtak: {fig.period_label(top, grain)} ({fmt_int(visible.loc[top, 'n'])}).")
    n_hidden = int(df["suppressed"].sum())
    if n_hidden:
        parts.append(f"{_count(n_hidden, 'tall', 'tall')} er skjult («{MARK}»).")
    return " ".join(parts)


def ranking_summary(rk: pd.DataFrame, measure: str) -> str:
    if rk.empty:
        return "Ingen kontorer med vedtak for valgte filtre."
    col = "rate_per_employee" if measure == "rate_per_employee" else "n"
    fmt = (lambda v: fmt_decimal(v, 2)) if col != "n" else fmt_int
    shown = rk[~rk["suppressed"] & rk[col].notna()].sort_values([col, "office_name"], ascending=[False, True])
    parts = [f"{_count(len(rk), 'kontor', 'kontorer')}."]
    if len(shown):
        hi, lo = shown.iloc[0], shown.iloc[-1]
        parts.append(f"Høyest: {hi['office_name']} ({fmt(hi[col])}). Lavest: {lo['office_name']} ({fmt(lo[col])}).")
    n_hidden = int(rk["suppressed"].sum())
    if n_hidden:
        parts.append(f"{_count(n_hidden, 'kontor', 'kontorer')} er skjult («{MARK}»).")
    return " ".join(parts)


def change_summary(ba: pd.DataFrame) -> str:
    if ba.empty:
        return "Ingen kontorer med vedtak i periodene."
    ok = ba[~ba["suppressed"] & ba["change_pct"].notna()]
    up, down = int((ok["change_abs"] > 0).sum()), int((ok["change_abs"] < 0).sum())
    if len(ok):
        parts = [f"Flere vedtak etter datoen ved {fmt_int(up)} og færre ved {fmt_int(down)} av "
                 f"{_count(len(ok), 'kontor', 'kontorer')} med sammenlignbare tall."]
    else:
        parts = ["Ingen kontorer med sammenlignbare tall."]
    if len(ok):
        best = ok.sort_values(["change_pct", "office_name"], ascending=[False, True]).iloc[0]
        parts.append(f"Størst økning: {best['office_name']} ({fmt_pct(best['change_pct'], 0, signed=True)}, "
                     f"{fmt_int(best['change_abs'], signed=True)}).")
    n_hidden = int(ba["suppressed"].sum())
    if n_hidden:
        parts.append(f"{_count(n_hidden, 'kontor', 'kontorer')} er skjult («{MARK}»).")
    return " ".join(parts)


def ba_grid_rows(ba: pd.DataFrame) -> list[dict]:
    shown = ba.assign(change_pct=ba["change_pct"] * 100)
    shown = stats.blank_suppressed(shown, ["n_before", "n_after", "change_abs", "change_pct"], mark=MARK)
    return grid_records(shown.sort_values("office_name"), BA_GRID_COLUMNS)


@callback(
    Output("vedtak-tid-graf", "figure"),
    Output("vedtak-tid-sammendrag", "children"),
    Input("url", "search"),
    Input("vedtak-paragraf", "value"),
    Input("vedtak-type", "value"),
    Input("vedtak-inndeling", "value"),
    Input("vedtak-dato", "value"),
    Input("vedtak-vindu", "value"),
)
def update_periods(search, paragraf, decision_type, grain, cutoff=None, window=None):
    """The chart's suppression also protects the before/after totals, so it follows
    the date and window."""
    scope = current_scope()
    state = page_state(paragraf, decision_type, grain, cutoff, window)
    df = period_table(filters_from_search(search, scope), scope, state)
    return fig.period_figure(df, state["grain"]), period_summary(df, state)


def kpi_row(filters, state: dict, views: dict) -> list:
    rk, ba, win = views["ranking"], views["before_after"], views["windows"]
    total = int(rk["n"].sum()) if len(rk) else None
    total_hidden = len(rk) > 0 and q.column_total_hidden(rk, "n")
    before = int(ba["n_before"].sum()) if len(ba) else None
    after = int(ba["n_after"].sum()) if len(ba) else None
    ba_hidden = len(ba) > 0 and (q.column_total_hidden(ba, "n_before") or q.column_total_hidden(ba, "n_after"))
    change = stats.change(before, after)
    if (filters.year_from, filters.year_to) == (None, None):
        years = "alle år"
    else:
        years = f"{filters.year_from or 'første år'}–{filters.year_to or 'siste år'}"
    cards = [
        kpi_card("Vedtak i alt", MARK if total_hidden else total, f"{selection_text(state)}, {years}",
                 id="vedtak-kpi-totalt"),
        kpi_card("Før datoen", MARK if ba_hidden else before,
                 f"{fmt_date(win.before_start)}–{fmt_date(win.before_last)}" if win else None, id="vedtak-kpi-for"),
        kpi_card("Etter datoen", MARK if ba_hidden else after,
                 f"{fmt_date(win.cutoff)}–{fmt_date(win.after_last)}" if win else None, id="vedtak-kpi-etter"),
        kpi_card("Endring", MARK if ba_hidden else fmt_pct(change.relative, 1, signed=True),
                 None if ba_hidden else f"{fmt_int(change.absolute, signed=True)} vedtak", id="vedtak-kpi-endring"),
    ]
    return [html.Div(c, className="col-6 col-lg-3") for c in cards]


def jump_note(filters, scope):
    jumps = q.jump_warnings(filters, scope)
    if jumps.empty:
        return None
    return dbc.Alert(
        [html.Strong("Merk: "), "brått hopp i antall vedtak (mulig endring i registreringen) ved "
         + "; ".join(f"{r.office_name} ({r.message})" for r in jumps.itertuples()) + "."],
        color="warning", class_name="py-2 small",
    )


@callback(
    Output("vedtak-kpi", "children"),
    Output("vedtak-vinduer", "children"),
    Output("vedtak-endring-graf", "figure"),
    Output("vedtak-endring-sammendrag", "children"),
    Output("vedtak-endring-grid", "rowData"),
    Output("vedtak-hopp", "children"),
    Output("vedtak-dato", "invalid"),
    Input("url", "search"),
    Input("vedtak-paragraf", "value"),
    Input("vedtak-type", "value"),
    Input("vedtak-dato", "value"),
    Input("vedtak-vindu", "value"),
)
def update_before_after(search, paragraf, decision_type, cutoff, window):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    state = page_state(paragraf, decision_type, None, cutoff, window)
    views = office_views(filters, scope, state)
    ba, win = views["before_after"], views["windows"]
    return (
        kpi_row(filters, state, views),
        window_text(win),
        fig.change_figure(ba) if win else empty_figure("Ingen perioder å sammenligne"),
        change_summary(ba) if win else "",
        ba_grid_rows(ba),
        jump_note(filters, scope),
        parse_date(cutoff) is None,
    )


@callback(
    Output("vedtak-rangering-graf", "figure"),
    Output("vedtak-rangering-sammendrag", "children"),
    Output("vedtak-maal-felt", "hidden"),
    Input("url", "search"),
    Input("vedtak-paragraf", "value"),
    Input("vedtak-type", "value"),
    Input("vedtak-dato", "value"),
    Input("vedtak-vindu", "value"),
    Input("vedtak-maal", "value"),
)
def update_ranking(search, paragraf, decision_type, cutoff, window, measure):
    """The ranking hides the same offices as the before/after table, so it follows
    the date and window too."""
    scope = current_scope()
    filters = filters_from_search(search, scope)
    state = page_state(paragraf, decision_type, None, cutoff, window, measure)
    rk = office_views(filters, scope, state)["ranking"]
    has_rate = bool(rk["employees"].notna().any()) if len(rk) else False
    measure = state["measure"] if has_rate else "n"
    return fig.ranking_figure(rk, measure), ranking_summary(rk, measure), not has_rate
