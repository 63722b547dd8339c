"""Egenvurdering: the 14 self-assessment items of the reporting form — distribution
over the scale, share at the top value and mean, per form version, against the
published figures, with the ceiling effect explained."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.auth import current_scope
from dashboard.components import (
    DATA_ERRORS,
    GRAPH_CONFIG,
    chart_card,
    download_ids,
    empty_figure,
    empty_notice,
    filters_from_search,
    graph,
    kpi_card,
    send_table,
    simple_table,
)
from dashboard.figures import self_assessment as fig
from dashboard.formatting import fmt_decimal, fmt_int, fmt_pct
from dashboard.queries import self_assessment as q

dash.register_page(__name__, path="/egenvurdering", name="Egenvurdering",
                   title="Egenvurdering – Tiltaksmonitor", order=3)

SUMMARY_COLUMNS = {
    "question_no": "Nr.", "question_text": "Spørsmål", "n_scored": "Svar på skalaen", "mean_text": "Snitt",
    "share_top_text": "Andel toppverdi", "n_not_relevant": "Ikke relevant", "n_blank": "Blank",
    "wording_source": "Kilde for ordlyden",
}


# --------------------------------------------------------------------- data

def version_options(filters, scope) -> list[dict]:
    """Radio options for the form versions in the reference, each with its scale and
    how many reports in the filters use it."""
    try:
        v = q.versions(filters, scope)
    except DATA_ERRORS:
        return [{"label": "Versjon 1", "value": str(q.DEFAULT_VERSION)}]
    return [
        {"label": f"Versjon {int(r.form_version)} (skala {int(r.scale_min)}–{int(r.scale_max)}, "
                  f"{fmt_int(r.n_reports)} {'rapport' if r.n_reports == 1 else 'rapporter'})",
         "value": str(int(r.form_version))}
        for r in v.itertuples()
    ]


def summary_table(filters, scope, form_version) -> tuple[pd.DataFrame, dict]:
    """Per question: counts per scale value (labels from ref_scale as headers), the
    scored total, mean, share at the top value, 'Ikke relevant' and blank apart."""
    summ = q.question_summary(filters, scope, form_version)
    dist = q.distribution(filters, scope, form_version)
    scale = q.scale(form_version)
    wide = dist.pivot_table(index="question_no", columns="score", values="n", aggfunc="sum").reindex(
        columns=list(scale["score"]), fill_value=0)
    wide.columns = [f"score_{int(c)}" for c in wide.columns]
    out = summ.merge(wide.reset_index(), on="question_no", how="left")
    out["mean_round"] = out["mean_score"].round(2)
    out["share_top_pct"] = (out["share_top"] * 100).round(1)
    out["mean_text"] = [fmt_decimal(m, 2) for m in out["mean_score"]]
    out["share_top_text"] = [fmt_pct(s) for s in out["share_top"]]
    columns = {"question_no": "Nr.", "theme": "Tema", "question_text": "Spørsmål"}
    for r in scale.itertuples():
        label = str(r.label) if str(r.label).startswith(str(r.score)) else f"{r.score} = {r.label}"
        columns[f"score_{int(r.score)}"] = label
    columns.update({"n_scored": "Svar på skalaen", "mean_round": "Snitt", "share_top_pct": "Andel toppverdi (%)",
                    "n_not_relevant": "Ikke relevant", "n_blank": "Blank (ubesvart)",
                    "wording_source": "Kilde for ordlyden"})
    return out, columns


def _version(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return q.DEFAULT_VERSION


def _scale_range(form_version) -> tuple[int, int]:
    s = q.scale(form_version)
    if s.empty:
        return 0, 3
    return int(s["score"].min()), int(s["score"].max())


def published_for(form_version) -> dict:
    """The published reference, only when it is on this version's scale."""
    pub = q.published()
    return pub if _version(form_version) == pub["scale_version"] else {}


# ------------------------------------------------------------------ download

def year_table(filters, scope, form_version) -> tuple[pd.DataFrame, dict]:
    df = q.by_year(filters, scope, form_version)
    df["mean_round"] = df["mean_score"].round(2)
    df["share_top_pct"] = (df["share_top"] * 100).round(1)
    return df, {"report_year": "År", "n_scored": "Svar på skalaen", "mean_round": "Snitt",
                "share_top_pct": "Andel toppverdi (%)"}


def _register_download(prefix: str, data_fn, filename: str) -> None:
    """Download for the chosen form version (the page's own control, which
    components.register_download cannot see); data_fn(filters, scope, version)
    returns (DataFrame, {column: Norwegian header})."""
    ids = download_ids(prefix)

    @callback(
        Output(ids["download"], "data"),
        Input(ids["csv"], "n_clicks"),
        Input(ids["xlsx"], "n_clicks"),
        State("url", "search"),
        State("egenvurdering-versjon", "value"),
        prevent_initial_call=True,
    )
    def _download(csv_clicks, xlsx_clicks, search, version):
        if ctx.triggered_id not in (ids["csv"], ids["xlsx"]) or not (csv_clicks or xlsx_clicks):
            raise PreventUpdate
        scope = current_scope()
        df, columns = data_fn(filters_from_search(search, scope), scope, _version(version))
        name = f"{filename} versjon {_version(version)}"
        return send_table(df, columns, name, ctx.triggered_id == ids["csv"], "Egenvurdering")


_register_download("egenvurdering-fordeling", summary_table, "egenvurdering per spørsmål")
_register_download("egenvurdering-snitt", summary_table, "egenvurdering per spørsmål")
_register_download("egenvurdering-aar", year_table, "egenvurdering per år")
_register_download("egenvurdering-tabell", summary_table, "egenvurdering per spørsmål")


# -------------------------------------------------------------------- layout

def sized_graph(id_: str):
    """components.graph is responsive=True, which squeezes a figure into the
    container's 450 px; 'auto' keeps the figure's height (one row per question)."""
    return dcc.Graph(id=id_, figure=empty_figure("Henter data …"), config=GRAPH_CONFIG, responsive="auto",
                     className="chart")


CEILING_TEXT = [
    html.P(
        "De aller fleste tiltakene krysser av på de to øverste verdiene, og flest på den øverste. Når nesten "
        "alle svarer «Ja, i stor grad», skiller skalaen lite mellom tiltak som lykkes og tiltak som ikke gjør "
        "det: dette kalles en takeffekt. I tillegg vurderer tiltakene seg selv, og de som søker om penger har "
        "grunn til å vise seg fra sin beste side."
    ),
    html.P(
        "NTNU/SØF (2023) fant typetall 3 og snitt 2,7 på fire sentrale spørsmål, og svært få svar under 2. "
        "Rapporten oppgir ikke hvilke fire spørsmål det gjelder, så tallene på denne siden gjelder alle 14; de "
        "er derfor ikke helt sammenlignbare med det publiserte tallet."
    ),
    html.P("Forskerne konkluderer med at skalaen har liten verdi slik den er, og anbefaler:"),
    html.Ul(
        [
            html.Li("en lengre skala, med 7 eller 10 punkter;"),
            html.Li("å dele opp spørsmål som spør om flere ting på en gang;"),
            html.Li("et eget svaralternativ «Ikke relevant»;"),
            html.Li("en egen mal for sluttrapporter, ikke den samme som for statusrapporter;"),
            html.Li(
                "metadata om hvert tiltak (kategori som familiekoordinator, gjeldsrådgivning, opplæring eller "
                "innvandrere; aldersgruppe; lovparagraf; kontaktrolle), slik at tiltak kan søkes opp i en database "
                "og søkere kan se om et lignende tiltak finnes fra før, også de som ikke lyktes."
            ),
        ]
    ),
    html.P(
        "Skjemaversjon 2 bruker en skala fra 1 til 7. Versjonene vises hver for seg, aldri blandet i samme "
        "fordeling eller snitt. «Ikke relevant» og ubesvarte spørsmål telles for seg og regnes ikke med i snitt "
        "og andeler. Praktisk talt blanke skjema er holdt utenfor og telles for seg."
    ),
]


def layout(**_query):
    return html.Div(
        [
            html.H1("Egenvurdering"),
            html.P(
                "Hvert tiltak svarer i rapporteringsskjemaet på 14 spørsmål om hvor godt det oppfyller kriteriene "
                "i forskriften. Her er svarfordelingen per spørsmål, andelen som svarer den øverste verdien og "
                "snittet, sammenlignet med det som er publisert. Filtrene for år, region, kontor og rapporttype "
                "gjelder.",
                className="lead-text",
            ),
            html.Form(
                html.Fieldset(
                    [
                        html.Legend("Skjemaversjon", className="form-label fs-6 fw-semibold mb-1"),
                        dbc.RadioItems(id="egenvurdering-versjon",
                                       options=[{"label": "Versjon 1", "value": str(q.DEFAULT_VERSION)}],
                                       value=str(q.DEFAULT_VERSION), inline=True),
                    ]
                ),
                className="filter-bar",
                **{"aria-label": "Valg for egenvurderingssiden"},
            ),
            html.Div(id="egenvurdering-kpi", className="row g-3 mb-4", **{"aria-live": "polite"}),
            html.Section(
                [html.H2("Takeffekt: hvorfor nesten alle svarer høyt", id="egenvurdering-takeffekt-tittel",
                         className="h5"),
                 *CEILING_TEXT],
                className="prose mb-4",
                **{"aria-labelledby": "egenvurdering-takeffekt-tittel"},
            ),
            chart_card(
                "egenvurdering-fordeling",
                "Svarfordeling per spørsmål",
                "Hver søyle er ett spørsmål og viser hvordan svarene på skalaen fordeler seg (i prosent av dem "
                "som svarte på skalaen); mørkest er den øverste verdien. Kolonnene til høyre viser antall «Ikke "
                "relevant» og ubesvarte: de er ikke med i prosentene.",
                [sized_graph("egenvurdering-fordeling-graf"),
                 html.P(id="egenvurdering-fordeling-sammendrag", className="small mt-2")],
            ),
            chart_card(
                "egenvurdering-snitt",
                "Snitt per spørsmål, på hele skalaen",
                "Hvert punkt er snittet for ett spørsmål. Aksen dekker hele skalaen, så takeffekten ses som punkter "
                "samlet helt øverst. Den stiplede linjen er det publiserte snittet (bare for versjon 1, som har "
                "samme skala); den prikkete er snittet over alle spørsmål her.",
                [sized_graph("egenvurdering-snitt-graf"),
                 html.P(id="egenvurdering-snitt-sammendrag", className="small mt-2")],
            ),
            chart_card(
                "egenvurdering-aar",
                "Snitt per år",
                "Snittet over alle spørsmål per rapporteringsår, for valgt skjemaversjon.",
                [graph("egenvurdering-aar-graf")],
            ),
            chart_card(
                "egenvurdering-tabell",
                "Tabell: spørsmålene med tekst",
                "Spørsmålstekstene slik de står i datavarehuset, med antall svar på skalaen, snitt, andel "
                "toppverdi, og «Ikke relevant» og ubesvarte for seg. «Kilde for ordlyden» sier om teksten er "
                "hentet fra rapporten eller er antatt.",
                html.Div(id="egenvurdering-tabell-innhold-tabell"),
            ),
        ]
    )


# ----------------------------------------------------------------- callbacks

def kpi_cards(o: dict, published: dict, scale_max: int) -> list:
    pub = fig.published_text(published) if published else None
    return [
        kpi_card("Snitt", None if o["mean_score"] is None else fmt_decimal(o["mean_score"], 2),
                 pub or f"Skala opp til {scale_max}; ikke sammenlignbar med publisert tall", id="egenvurdering-kpi-snitt"),
        kpi_card("Typetall", o["mode_score"], "Den vanligste verdien", id="egenvurdering-kpi-typetall"),
        kpi_card("Andel toppverdi", fmt_pct(o["share_top"]), f"av {fmt_int(o['n_scored'])} svar på skalaen",
                 id="egenvurdering-kpi-topp"),
        kpi_card("Rapporter i fordelingen", o["n_reports"],
                 f"{fmt_int(o['n_not_relevant'])} «Ikke relevant» og {fmt_int(o['n_blank'])} ubesvarte svar "
                 "telles for seg", id="egenvurdering-kpi-rapporter"),
        kpi_card("Blanke skjema", o["n_blank_forms_all"], "Praktisk talt tomme skjema (alle versjoner): "
                 "holdt utenfor fordelingen", id="egenvurdering-kpi-blanke"),
    ]


def distribution_summary(summary: pd.DataFrame, o: dict) -> str:
    if summary.empty or o["n_scored"] == 0:
        return "Ingen svar for valgte filtre og skjemaversjon."
    s = summary[summary["n_scored"] > 0]
    lo, hi = s.loc[s["share_top"].idxmin()], s.loc[s["share_top"].idxmax()]
    return (f"Andelen som svarer den øverste verdien varierer fra {fmt_pct(lo['share_top'])} "
            f"({fig.question_label(lo['question_no'], lo['theme'])}) til {fmt_pct(hi['share_top'])} "
            f"({fig.question_label(hi['question_no'], hi['theme'])}). I alt {fmt_int(o['n_scored'])} svar på skalaen, "
            f"{fmt_int(o['n_not_relevant'])} «Ikke relevant» og {fmt_int(o['n_blank'])} ubesvarte.")


def mean_summary(summary: pd.DataFrame, o: dict, published: dict, scale_min: int, scale_max: int) -> str:
    if summary.empty or o["mean_score"] is None:
        return "Ingen svar for valgte filtre og skjemaversjon."
    s = summary[summary["mean_score"].notna()]
    text = (f"Snittene ligger mellom {fmt_decimal(s['mean_score'].min(), 2)} og {fmt_decimal(s['mean_score'].max(), 2)} "
            f"på en skala fra {scale_min} til {scale_max}; snittet over alle spørsmål er "
            f"{fmt_decimal(o['mean_score'], 2)}.")
    pub = fig.published_text(published) if published else None
    if pub:
        text += f" {pub} ({published.get('source') or 'publisert rapport'})."
    return text


@callback(
    Output("egenvurdering-versjon", "options"),
    Input("url", "search"),
)
def update_versions(search):
    scope = current_scope()
    return version_options(filters_from_search(search, scope), scope)


@callback(
    Output("egenvurdering-kpi", "children"),
    Output("egenvurdering-fordeling-graf", "figure"),
    Output("egenvurdering-fordeling-sammendrag", "children"),
    Output("egenvurdering-snitt-graf", "figure"),
    Output("egenvurdering-snitt-sammendrag", "children"),
    Output("egenvurdering-aar-graf", "figure"),
    Output("egenvurdering-tabell-innhold-tabell", "children"),
    Input("url", "search"),
    Input("egenvurdering-versjon", "value"),
)
def update(search, version):
    scope = current_scope()
    filters = filters_from_search(search, scope)
    v = _version(version)
    o = q.overall(filters, scope, v)
    summary = q.question_summary(filters, scope, v)
    dist = q.distribution(filters, scope, v)
    lo, hi = _scale_range(v)
    pub = published_for(v)
    table, _cols = summary_table(filters, scope, v)
    if o["n_scored"]:
        table_view = simple_table(table, SUMMARY_COLUMNS, f"Egenvurdering per spørsmål, skjemaversjon {v}",
                                  formats={"n_scored": fmt_int, "n_not_relevant": fmt_int, "n_blank": fmt_int},
                                  id="egenvurdering-tabell-tabell")
    else:
        table_view = empty_notice("Ingen svar for valgte filtre og skjemaversjon.")
    return (
        [html.Div(c, className="col-6 col-md-4 col-xl") for c in kpi_cards(o, pub, hi)],
        fig.distribution_figure(dist, summary),
        distribution_summary(summary, o),
        fig.mean_figure(summary, lo, hi, pub, o["mean_score"]),
        mean_summary(summary, o, pub, lo, hi),
        fig.year_figure(q.by_year(filters, scope, v), lo, hi, pub),
        table_view,
    )
