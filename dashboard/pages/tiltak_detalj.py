"""One tiltak: its reports year by year (economy and free text), its self-assessment,
its office's decisions and internal control, and the most similar other tiltak
(ended and discontinued ones included: what has been tried matters too).

The page does not follow the filter bar: it always shows the whole history. A
tiltak the caller may not see (another region, for a Statsforvalter) is "not found".
Free text is rendered as plain text in html components, never as HTML or markdown.
"""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import similarity, stats
from dashboard.auth import current_scope
from dashboard.components import (
    DATA_ERRORS,
    chart_card,
    download_ids,
    empty_notice,
    send_table,
    simple_table,
)
from dashboard.formatting import (
    MISSING,
    fmt_date,
    fmt_decimal,
    fmt_int,
    fmt_kr,
    fmt_pct,
)
from dashboard.queries import tiltak as queries


def _title(tiltak_id=None, **_query):
    if queries.valid_tiltak_id(tiltak_id):
        return f"Tiltak {tiltak_id} – Tiltaksmonitor"
    return "Tiltak – Tiltaksmonitor"


dash.register_page(
    __name__,
    path_template="/tiltak/<tiltak_id>",
    name="Tiltak (detaljer)",
    title=_title,
    nav=False,
    filters=False,
)

PREFIX = "tiltak-detalj"
N_SIMILAR = 5

REPORT_TYPE_LABELS = {"status": "Statusrapport", "slutt": "Sluttrapport"}
CONTINUATION_LABELS = {"ja": "Ja", "delvis": "Delvis", "nei": "Nei"}
PARAGRAF_LABELS = {"17": "§ 17", "20a": "§ 20 a"}

#: Free-text fields of a report, in the form's order.
FREE_TEXT = {
    "target_group": "Målgruppe",
    "description": "Beskrivelse",
    "changes": "Endringer",
    "developed_achieved": "Hva er utviklet og oppnådd",
    "goal_method": "Hvordan måloppnåelsen er undersøkt",
    "success_factors": "Suksessfaktorer",
    "challenges": "Utfordringer",
    "continuation_how": "Om og hvordan tiltaket videreføres",
}

ECONOMY_COLUMNS = {
    "report_year": "År",
    "report_type_label": "Rapport",
    "grant_kr": "Tilskudd (kr)",
    "used_salary_kr": "Brukt til lønn (kr)",
    "used_competence_kr": "Brukt til kompetanseheving (kr)",
    "carried_over_kr": "Overført til neste år (kr)",
    "fte": "Årsverk",
    "continuation_label": "Videreføres",
}
REPORT_DOWNLOAD_COLUMNS = {
    "tiltak_id": "ID", "tiltak_name": "Navn", "office_name": "NAV-kontor", **ECONOMY_COLUMNS,
    "grant_cap_kr": "Kostnadstak (kr)", "categories": "Kategorier", "law_sections": "Lovparagrafer",
    **FREE_TEXT, "blank_label": "Tomt skjema",
}
ASSESSMENT_DOWNLOAD_COLUMNS = {
    "report_year": "År", "report_type_label": "Rapport", "question_no": "Spørsmål nr.", "theme": "Tema",
    "question_text": "Spørsmål", "answer_text": "Svar", "score": "Poeng", "scale_text": "Skala",
}
DECISION_COLUMNS = {"year": "År", "n_17": "§ 17-vedtak", "n_20a": "§ 20 a-vedtak", "n_total": "Sum"}
AUDIT_COLUMNS = {
    "round_label": "Runde", "paragraf_label": "Paragraf", "n_cases": "Kontrollerte saker",
    "n_ja": "Punkter «ja»", "n_nei": "Punkter «nei»", "n_ikke_relevant": "Ikke relevant",
    "n_blank": "Ubesvart", "share_ja": "Andel «ja» av besvarte",
}
SIMILAR_COLUMNS = {
    "tiltak_id": "ID", "tiltak_name": "Navn", "office_name": "NAV-kontor", "region_name": "Region",
    "years": "År med rapport", "status_text": "Status", "score_pct": "Likhet", "reasons_text": "Hvorfor",
}


def threshold() -> int:
    """The suppression threshold: settings().suppression_threshold when the settings
    have it, else stats.SUPPRESSION_THRESHOLD."""
    from dashboard import config

    return int(getattr(config.settings(), "suppression_threshold", stats.SUPPRESSION_THRESHOLD))


def _text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    value = str(value).strip()
    return value or None


# --------------------------------------------------------------- data for the page

def reports_frame(tiltak_id: str, scope) -> pd.DataFrame:
    df = queries.tiltak_reports(tiltak_id, scope)
    df["report_type_label"] = df["report_type"].map(REPORT_TYPE_LABELS).fillna(MISSING)
    df["continuation_label"] = df["continuation"].map(CONTINUATION_LABELS).fillna("Ikke oppgitt")
    df["blank_label"] = df["is_blank_form"].map({True: "Ja", False: "Nei"}).fillna(MISSING)
    return df


def assessment_frame(tiltak_id: str, scope) -> pd.DataFrame:
    """Self-assessment with answer_text: '3 – Ja, i stor grad', 'Ikke relevant' or
    'Ikke besvart', and the scale ('0–3')."""
    df = queries.self_assessment(tiltak_id, scope)
    df["report_type_label"] = df["report_type"].map(REPORT_TYPE_LABELS).fillna(MISSING)

    def answer(kind, score, label):
        if kind == "score" and not pd.isna(score):
            label = _text(label)
            return f"{int(score)} – {label}" if label and not label.startswith(str(int(score))) else (label or str(int(score)))
        if kind == "ikke_relevant":
            return "Ikke relevant"
        return "Ikke besvart"

    df["answer_text"] = [answer(k, s, lab) for k, s, lab in zip(df["answer_kind"], df["score"], df["label"])]
    df["scale_text"] = [f"{int(a)}–{int(b)}" if not (pd.isna(a) or pd.isna(b)) else MISSING
                        for a, b in zip(df["scale_min"], df["scale_max"])]
    return df


def decisions_frame(office_id: str, scope) -> pd.DataFrame:
    """Decisions per year at the office, wide (§ 17, § 20 a, sum), with cells below
    the threshold suppressed (and the year's sum where it would reveal one)."""
    long = queries.office_decisions(office_id, scope)
    cols = ["year", "n_17", "n_20a", "n_total", "suppressed_17", "suppressed_20a", "suppressed_total"]
    if long.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    years = sorted(long["year"].unique())
    full = (pd.MultiIndex.from_product([years, ["17", "20a"]], names=["year", "paragraf"]).to_frame(index=False)
            .merge(long[["year", "paragraf", "n"]], on=["year", "paragraf"], how="left").fillna({"n": 0}))
    full["n"] = full["n"].astype("int64")
    # The view publishes each year's sum: protect it (secondary suppression per year).
    marked = stats.suppress(full, "n", threshold=threshold(), totals=[["year"]])
    wide = marked.pivot(index="year", columns="paragraf", values="n").reset_index()
    hidden = marked.pivot(index="year", columns="paragraf", values="suppressed").reset_index()
    out = pd.DataFrame({"year": wide["year"].astype("int64"),
                        "n_17": wide["17"].astype("int64"), "n_20a": wide["20a"].astype("int64")})
    out["n_total"] = out["n_17"] + out["n_20a"]
    out["suppressed_17"] = hidden["17"].astype(bool).to_numpy()
    out["suppressed_20a"] = hidden["20a"].astype(bool).to_numpy()
    # A small year total is itself sensitive; one hidden cell left would be recoverable.
    out["suppressed_total"] = [stats.is_sensitive(t, threshold()) or (a != b)
                               for t, a, b in zip(out["n_total"], out["suppressed_17"], out["suppressed_20a"])]
    for col in ("17", "20a", "total"):
        out = stats.blank_suppressed(out, f"n_{col}", flag_col=f"suppressed_{col}")
    return out[cols]


def audits_frame(office_id: str, scope) -> pd.DataFrame:
    """Internal control at the office per round and paragraph; rows with fewer
    checked cases than the threshold are blanked whole."""
    df = queries.office_audits(office_id, scope)
    if df.empty:
        return df.assign(paragraf_label=pd.Series(dtype=object), share_ja=pd.Series(dtype="float64"),
                         suppressed=pd.Series(dtype=bool))
    df["paragraf_label"] = df["paragraf"].map(PARAGRAF_LABELS).fillna(df["paragraf"])
    answered = df["n_ja"] + df["n_nei"]
    df["share_ja"] = (df["n_ja"] / answered.where(answered > 0)).astype("float64")
    marked = stats.suppress(df, "n_cases", threshold=threshold(), totals=())
    return stats.blank_suppressed(marked, ["n_cases", "n_ja", "n_nei", "n_ikke_relevant", "n_blank", "share_ja"])


def similar_frame(tiltak_id: str, scope) -> pd.DataFrame:
    df = queries.similar_tiltak(tiltak_id, scope, n=N_SIMILAR)
    df["status_text"] = [", ".join(s) if s else "Ingen sluttrapport ennå" for s in df["status_labels"]]
    df["score_pct"] = [fmt_pct(s, 0) for s in df["score"]]
    df["reasons_text"] = ["; ".join(r) for r in df["reasons"]]
    df["years"] = [f"{int(a)}–{int(b)}" if a != b else str(int(a)) for a, b in zip(df["first_year"], df["last_year"])] \
        if len(df) else pd.Series(dtype=object)
    return df


def _latest(reports: pd.DataFrame) -> pd.Series:
    """The latest report: the latest year, a final report before a status report."""
    recency = reports["report_year"] * 2 + (reports["report_type"] == "slutt").astype(int)
    return reports.loc[recency.idxmax()]


# -------------------------------------------------------------------- rendering

def _status_badges(labels) -> list:
    if not labels:
        return [dbc.Badge("Ingen sluttrapport ennå", color="light", text_color="dark", class_name="me-1 border")]
    colors = {similarity.STATUS_ENDED: "secondary", similarity.STATUS_NOT_CONTINUED: "danger"}
    return [dbc.Badge(label, color=colors.get(label, "secondary"), class_name="me-1") for label in labels]


def _facts(latest: pd.Series, reports: pd.DataFrame, labels) -> html.Dl:
    years = ", ".join(str(y) for y in sorted(reports["report_year"].unique()))
    age_from, age_to = latest.get("age_from"), latest.get("age_to")
    ages = MISSING if pd.isna(age_from) and pd.isna(age_to) else \
        f"{'' if pd.isna(age_from) else int(age_from)}–{'' if pd.isna(age_to) else int(age_to)} år"
    erfaring = reports["erfaringsbasen"].dropna()
    pairs = [
        ("ID", latest["tiltak_id"]),
        ("NAV-kontor", latest["office_name"]),
        ("Region", dcc.Link(latest["region_name"], href=f"/region/{latest['region_id']}")
         if isinstance(latest["region_id"], str) else latest["region_name"]),
        ("Startår", MISSING if pd.isna(latest.get("start_year")) else str(int(latest["start_year"]))),
        ("År med rapport", years),
        ("Kategorier", _text(latest["categories"]) or MISSING),
        ("Aldersgruppe", ages),
        ("Lovparagrafer", _text(latest["law_sections"]) or MISSING),
        ("Publisert i Erfaringsbasen", MISSING if erfaring.empty else ("Ja" if bool(erfaring.any()) else "Nei")),
        ("Status", html.Span(_status_badges(labels))),
    ]
    items = []
    for term, value in pairs:
        items += [html.Dt(term, className="col-sm-4 col-lg-3"), html.Dd(value, className="col-sm-8 col-lg-9 mb-1")]
    return html.Dl(items, className="row mb-0")


def _free_text_section(reports: pd.DataFrame) -> list:
    parts = []
    for rec in reports.sort_values(["report_year", "report_type"], ascending=[False, True]).to_dict("records"):
        heading = f"{rec['report_year']} – {REPORT_TYPE_LABELS.get(rec['report_type'], rec['report_type']).lower()}"
        submitted = rec.get("submitted_at")
        meta = f"Sendt {fmt_date(submitted)}" if submitted is not None and not pd.isna(submitted) else None
        items = []
        for field, label in FREE_TEXT.items():
            value = _text(rec.get(field))
            if value:
                items += [html.Dt(label), html.Dd(value, className="free-text", style={"whiteSpace": "pre-wrap"})]
        body = html.Dl(items) if items else html.P(
            "Tomt skjema: ingen fritekst." if rec.get("is_blank_form") else "Ingen fritekst i denne rapporten.",
            className="empty-notice")
        parts.append(html.Article(
            [html.H3(heading, className="h6 mt-3"), html.P(meta, className="text-muted small mb-1") if meta else None,
             body],
            className="report-text",
        ))
    return parts


def _assessment_table(df: pd.DataFrame):
    """Questions in rows, reports in columns; scores with their label; 'Ikke
    relevant' and 'Ikke besvart' kept apart, and counted under the table."""
    if df.empty:
        return empty_notice("Tiltaket har ingen egenvurdering i rapportene.")
    df = df.copy()
    df["column"] = [f"{y} {t.lower()} (skala {s})" for y, t, s in
                    zip(df["report_year"], df["report_type_label"], df["scale_text"])]
    order = list(dict.fromkeys(df["column"]))
    questions = df.drop_duplicates("question_no").sort_values("question_no")
    wide = df.pivot_table(index="question_no", columns="column", values="answer_text", aggfunc="first")
    head = html.Thead(html.Tr([html.Th("Spørsmål", scope="col")] + [html.Th(c, scope="col") for c in order]))
    rows = []
    for q in questions.itertuples(index=False):
        theme = _text(q.theme) or f"Spørsmål {q.question_no}"
        cells = [html.Th([f"{q.question_no}. {theme}",
                          html.Span(_text(q.question_text) or "", className="d-block small text-muted fw-normal")],
                         scope="row")]
        for c in order:
            value = wide.at[q.question_no, c] if c in wide.columns and q.question_no in wide.index else None
            value = value if isinstance(value, str) else MISSING
            cells.append(html.Td(value, className="text-muted fst-italic" if value in ("Ikke relevant", "Ikke besvart") else None))
        rows.append(html.Tr(cells))
    summary = []
    for c in order:
        part = df[df["column"] == c]
        scores = part.loc[part["answer_kind"] == "score", "score"].astype("float64")
        summary.append(html.Tr([
            html.Th(c, scope="row"),
            html.Td(fmt_int(len(scores))), html.Td(fmt_decimal(scores.mean(), 1) if len(scores) else MISSING),
            html.Td(fmt_int((part["answer_kind"] == "ikke_relevant").sum())),
            html.Td(fmt_int((part["answer_kind"] == "blank").sum())),
        ]))
    return html.Div([
        html.Div(dbc.Table([html.Caption("Svar per spørsmål og rapport"), head, html.Tbody(rows)],
                           size="sm", striped=True, class_name="caption-top"), className="table-responsive"),
        html.Div(dbc.Table([
            html.Caption("Oppsummert per rapport. Gjennomsnittet er bare over svarene med poeng: «Ikke relevant» "
                         "og ubesvarte spørsmål er holdt utenfor og talt for seg."),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                ("Rapport", "Svar med poeng", "Gjennomsnitt", "Ikke relevant", "Ikke besvart")])),
            html.Tbody(summary),
        ], size="sm", striped=True, class_name="caption-top"), className="table-responsive"),
    ])


def _decision_table(df: pd.DataFrame, office_name: str):
    if df.empty:
        return empty_notice(f"Ingen vedtakstall for {office_name}.")
    shown = df.copy()
    for col in ("n_17", "n_20a", "n_total"):
        shown[col] = [stats.SUPPRESSED_MARK if pd.isna(v) else fmt_int(v) for v in shown[col]]
    shown["year"] = shown["year"].astype(str)
    table = simple_table(shown, DECISION_COLUMNS, f"Vedtak etter § 17 og § 20 a ved {office_name}, per år",
                         formats={c: str for c in DECISION_COLUMNS if c != "year"})
    note = html.P(
        f"«{stats.SUPPRESSED_MARK}» betyr at tallet ikke vises fordi det er under {threshold()}, eller fordi det "
        "ellers kunne regnes ut fra summen.", className="small text-muted mt-1 mb-0")
    return html.Div([html.Div(table, className="table-responsive"), note])


def _audit_table(df: pd.DataFrame, office_name: str):
    if df.empty:
        return empty_notice(f"{office_name} har ikke hatt internkontroll (stikkprøver) som er lastet inn.")
    shown = df.copy()
    for col in ("n_cases", "n_ja", "n_nei", "n_ikke_relevant", "n_blank"):
        shown[col] = [stats.SUPPRESSED_MARK if s else fmt_int(v) for v, s in zip(shown[col], shown["suppressed"])]
    shown["share_ja"] = [stats.SUPPRESSED_MARK if s else fmt_pct(v) for v, s in zip(shown["share_ja"], shown["suppressed"])]
    table = simple_table(shown, AUDIT_COLUMNS, f"Stikkprøvekontroll ved {office_name}, per runde og paragraf",
                         formats={c: str for c in AUDIT_COLUMNS if c not in ("round_label", "paragraf_label")})
    note = html.P(
        "Antall punkter besvart «ja» og «nei» over alle kontrollerte saker i runden. Enkeltsaker vises ikke. "
        f"«{stats.SUPPRESSED_MARK}»: færre enn {threshold()} kontrollerte saker.", className="small text-muted mt-1 mb-0")
    return html.Div([html.Div(table, className="table-responsive"), note])


def _similar_list(df: pd.DataFrame):
    if df.empty:
        return empty_notice("Fant ingen lignende tiltak.")
    items = []
    for rec in df.to_dict("records"):
        link = dcc.Link(rec["tiltak_name"] or rec["tiltak_id"], href=f"/tiltak/{rec['tiltak_id']}") \
            if queries.valid_tiltak_id(rec["tiltak_id"]) else html.Span(rec["tiltak_name"])
        items.append(html.Li(
            [
                html.H3(link, className="h6 mb-1 d-inline"),
                html.P([f"{rec['office_name']} ({rec['region_name']}), {rec['years']}. ",
                        *_status_badges(rec["status_labels"]),
                        html.Span(f"Likhet {rec['score_pct']}", className="ms-1")], className="mb-1 small"),
                html.Ul([html.Li(r) for r in rec["reasons"]], className="small mb-0"),
            ],
            className="list-group-item",
        ))
    return html.Ol(items, className="list-group list-group-numbered similar-list")


def _not_found(message: str):
    return html.Div([
        html.H1("Fant ikke tiltaket"),
        html.P(message),
        html.P(dcc.Link("Til listen over alle tiltak", href="/tiltak")),
    ])


def _validation_layout():
    """Every component the page's callbacks name (Dash checks the callbacks against
    layout() called without a tiltak); never shown."""
    prefixes = ("rapporter", "egenvurdering", "vedtak", "internkontroll", "lignende")
    return html.Div([chart_card(f"{PREFIX}-{p}", "", "") for p in prefixes], hidden=True)


def layout(tiltak_id: str | None = None, **_query):
    if tiltak_id is None:
        return _validation_layout()
    scope = current_scope()
    if not queries.valid_tiltak_id(tiltak_id):
        return _not_found("Adressen peker ikke på et tiltak. Velg et tiltak fra listen.")
    try:
        reports = reports_frame(tiltak_id, scope)
        if reports.empty:
            return _not_found("Det finnes ikke noe tiltak med denne ID-en, eller du har ikke tilgang til det.")
        latest = _latest(reports)
        assessment = assessment_frame(tiltak_id, scope)
        office_id, office_name = latest["office_id"], latest["office_name"]
        decisions = decisions_frame(office_id, scope)
        audits = audits_frame(office_id, scope)
        similar = similar_frame(tiltak_id, scope)
    except DATA_ERRORS:
        return html.Div([html.H1("Tiltak"), html.P("Datagrunnlaget kan ikke leses akkurat nå. Prøv igjen senere.")])

    answered = reports["continuation"].dropna()
    labels = similarity.status_labels((reports["report_type"] == "slutt").any(),
                                      answered.iloc[-1] if len(answered) else None)
    economy = reports.copy()
    return html.Div(
        [
            html.P(dcc.Link("← Alle tiltak", href="/tiltak"), className="mb-1 small"),
            html.H1(_text(latest["tiltak_name"]) or tiltak_id, id=f"{PREFIX}-navn"),
            dbc.Card(dbc.CardBody(_facts(latest, reports, labels)), class_name="mb-4", id=f"{PREFIX}-fakta"),
            chart_card(
                f"{PREFIX}-rapporter",
                "Økonomi år for år",
                "Tilskudd, hvordan det ble brukt og hva som ble overført til neste år, slik tiltaket selv har "
                "rapportert det. En rad per rapport.",
                html.Div(simple_table(
                    economy, ECONOMY_COLUMNS, "Økonomi per rapport",
                    formats={"grant_kr": fmt_kr, "used_salary_kr": fmt_kr, "used_competence_kr": fmt_kr,
                             "carried_over_kr": fmt_kr, "fte": lambda v: fmt_decimal(v, 1)},
                    id=f"{PREFIX}-okonomi"), className="table-responsive"),
            ),
            html.Section(
                dbc.Card(dbc.CardBody([
                    html.H2("Rapportene i tekst", className="card-title h5", id=f"{PREFIX}-tekst-tittel"),
                    html.P("Fritekstfeltene slik de står i hver rapport, nyeste først.", className="chart-description"),
                    html.Div(_free_text_section(reports), id=f"{PREFIX}-tekst"),
                ])),
                className="chart-card mb-4", **{"aria-labelledby": f"{PREFIX}-tekst-tittel"},
            ),
            chart_card(
                f"{PREFIX}-egenvurdering",
                "Egenvurdering",
                "Tiltakets egne svar på de 14 spørsmålene i rapporteringsskjemaet, per rapport. Skalaen står i "
                "kolonneoverskriften (0–3 i det gamle skjemaet). «Ikke relevant» og ubesvarte spørsmål er ikke "
                "poeng og holdes for seg.",
                html.Div(_assessment_table(assessment), id=f"{PREFIX}-egenvurdering-tabell"),
            ),
            html.H2(f"Om {office_name}", className="section-title"),
            html.Div([
                chart_card(
                    f"{PREFIX}-vedtak",
                    "Vedtak ved kontoret",
                    "Antall vedtak etter sosialtjenesteloven § 17 (opplysning, råd og veiledning) og § 20 a "
                    "(vilkår for unge under 30) ved kontoret per år, alle vedtakstyper. Gir sammenheng for "
                    "tiltak som handler om disse paragrafene.",
                    html.Div(_decision_table(decisions, office_name), id=f"{PREFIX}-vedtak-tabell"),
                    heading_level=3,
                ),
                chart_card(
                    f"{PREFIX}-internkontroll",
                    "Internkontroll ved kontoret",
                    "Resultatet av stikkprøvekontrollene av § 17- og § 20 a-saker ved kontoret, per runde: hvor "
                    "mange saker som ble kontrollert og hvor mange av kontrollpunktene som var i orden («ja»).",
                    html.Div(_audit_table(audits, office_name), id=f"{PREFIX}-internkontroll-tabell"),
                    heading_level=3, download=not audits.empty,
                ),
            ]),
            chart_card(
                f"{PREFIX}-lignende",
                "Lignende tiltak",
                "Tiltakene som ligner mest på dette, etter felles kategorier (vekt "
                f"{fmt_pct(similarity.WEIGHTS['categories'], 0)}), overlappende aldersgruppe "
                f"({fmt_pct(similarity.WEIGHTS['ages'], 0)}) og felles ord i navn, målgruppe og beskrivelse "
                f"({fmt_pct(similarity.WEIGHTS['text'], 0)}). Avsluttede tiltak og tiltak som ikke ble videreført "
                "er med og merket: det er like nyttig å vite hva som er prøvd før, også det som ikke fungerte.",
                html.Div(_similar_list(similar), id=f"{PREFIX}-lignende-liste"),
            ),
        ]
    )


# ------------------------------------------------------------------- downloads

def _tiltak_from_path(pathname) -> str | None:
    if not isinstance(pathname, str) or not pathname.startswith("/tiltak/"):
        return None
    candidate = pathname.removeprefix("/tiltak/").strip("/")
    return candidate if queries.valid_tiltak_id(candidate) else None


def _office_of(tiltak_id: str, scope) -> str | None:
    reports = queries.tiltak_reports(tiltak_id, scope)
    return None if reports.empty else _latest(reports)["office_id"]


def _decision_download(tiltak_id, scope):
    office = _office_of(tiltak_id, scope)
    return decisions_frame(office, scope) if office else pd.DataFrame(columns=list(DECISION_COLUMNS))


def _audit_download(tiltak_id, scope):
    office = _office_of(tiltak_id, scope)
    return audits_frame(office, scope) if office else pd.DataFrame(columns=list(AUDIT_COLUMNS))


def register_path_download(id_prefix: str, data_fn, columns: dict, filename: str) -> None:
    """register_download for this page: the data depend on the tiltak in the path
    (components.register_download only passes the URL's filters)."""
    ids = download_ids(id_prefix)

    @callback(
        Output(ids["download"], "data"),
        Input(ids["csv"], "n_clicks"),
        Input(ids["xlsx"], "n_clicks"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )
    def _download(_csv, _xlsx, pathname):
        tiltak_id = _tiltak_from_path(pathname)
        if ctx.triggered_id not in (ids["csv"], ids["xlsx"]) or not (_csv or _xlsx) or tiltak_id is None:
            raise PreventUpdate
        df = data_fn(tiltak_id, current_scope())
        slug = f"{filename} {tiltak_id}"
        return send_table(df, columns, slug, ctx.triggered_id == ids["csv"], filename)


register_path_download(f"{PREFIX}-rapporter", reports_frame, REPORT_DOWNLOAD_COLUMNS, "rapporter")
register_path_download(f"{PREFIX}-egenvurdering", assessment_frame, ASSESSMENT_DOWNLOAD_COLUMNS, "egenvurdering")
register_path_download(f"{PREFIX}-vedtak", _decision_download, DECISION_COLUMNS, "vedtak ved kontoret")
register_path_download(f"{PREFIX}-internkontroll", _audit_download, AUDIT_COLUMNS, "internkontroll ved kontoret")
register_path_download(f"{PREFIX}-lignende", similar_frame, SIMILAR_COLUMNS, "lignende tiltak")
