"""Figures for Internkontroll: pure functions, DataFrame -> plotly Figure (no Dash).

Input is the frame of dashboard.queries.audits.compliance / risk_offices, where
suppressed cells are already blanked. A suppressed cell is drawn grey with ':'
(Statistics Norway's symbol) and a hover text saying why; a cell where no case could
be judged (every answer 'ikke relevant' or blank) is grey with '–'.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.components import empty_figure, style_figure
from dashboard.formatting import COLORS, MISSING, fmt_decimal, fmt_int, fmt_pct
from dashboard.stats import SUPPRESSED_MARK

PARAGRAF_LABELS = {"17": "§ 17", "20a": "§ 20 a"}
SUPPRESSED_TEXT = "Skjult: færre enn {threshold} vurderte saker (ja + nei)"
NONE_TEXT = "Ingen vurderte saker: alle svar er «ikke relevant» eller blanke"
NO_PREVIOUS_TEXT = "Ingen tidligere runde å sammenligne med"
LABEL_WIDTH = 46


def short_label(point_no, text: str, width: int = LABEL_WIDTH) -> str:
    """'6. Det er tydelig hva vilkåret er og …' for an axis."""
    text = str(text or "")
    label = f"{int(point_no)}. {text}"
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def ci_text(low, high) -> str:
    """'45,2–88,1 %' or '–'."""
    if _missing(low) or _missing(high):
        return MISSING
    return f"{fmt_decimal(low * 100, 1)}–{fmt_pct(high, 1)}"


def change_text(pp) -> str:
    """'+12,5 prosentpoeng' or '–'."""
    return MISSING if _missing(pp) else f"{fmt_decimal(pp, 1, signed=True)} prosentpoeng"


def count_text(n) -> str:
    return MISSING if _missing(n) else fmt_int(n)


def round_tick(label: str) -> str:
    """'2019 runde 1' -> '2019<br>runde 1': two short lines read upright under the office."""
    text = str(label)
    return text.replace(" runde ", "<br>runde ", 1) if " runde " in text else text


def _columns(df: pd.DataFrame) -> list[tuple[str, str, str, int]]:
    """(office_id, office_name, round_label, round_no), offices by name, rounds in order."""
    cols = (df[["office_id", "office_name", "round_label", "round_no"]].drop_duplicates()
            .sort_values(["office_name", "office_id", "round_no"]))
    return list(cols.itertuples(index=False, name=None))


def compliance_heatmap(df: pd.DataFrame, points: pd.DataFrame | None = None, measure: str = "compliance",
                       threshold: int = 5) -> go.Figure:
    """Checklist points (rows, in order) by office and round (columns, grouped by
    office). measure='compliance': the share 'ja' of the cases judged (ja + nei),
    colour and number in the cell; measure='change': change in percentage points
    from the office's previous round (diverging colours, rounds after the first).
    Hover: the point's full text, the share with its 95 % Wilson interval, the
    number of cases judged, 'ikke relevant' and blank answers apart."""
    if df is None or df.empty:
        return empty_figure()
    if measure == "change":
        df = df[df["round_no"] > 1]
        if df.empty:
            return empty_figure("Bare én runde: ingen endring å vise")
    if points is None or points.empty:
        points = df[["point_no", "point_text"]].drop_duplicates().sort_values("point_no")
    points = points.sort_values("point_no")
    y_labels = [short_label(p, t) for p, t in zip(points["point_no"], points["point_text"])]
    row_of = {int(p): i for i, p in enumerate(points["point_no"])}
    columns = _columns(df)
    col_of = {(c[0], c[2]): j for j, c in enumerate(columns)}
    x = [[c[1] for c in columns], [round_tick(c[2]) for c in columns]]

    n_rows, n_cols = len(y_labels), len(columns)
    z = [[math.nan] * n_cols for _ in range(n_rows)]
    grey = [[math.nan] * n_cols for _ in range(n_rows)]
    text = [[""] * n_cols for _ in range(n_rows)]
    grey_text = [[""] * n_cols for _ in range(n_rows)]
    custom = [[[""] * 3 for _ in range(n_cols)] for _ in range(n_rows)]
    full_text = dict(zip(points["point_no"].astype(int), points["point_text"].astype(str)))

    for r in df.itertuples(index=False):
        i, j = row_of.get(int(r.point_no)), col_of.get((r.office_id, r.round_label))
        if i is None or j is None:
            continue
        head = f"{r.office_name}, {r.round_label}<br>Punkt {int(r.point_no)}: {full_text.get(int(r.point_no), '')}"
        if r.status == "skjult":
            grey[i][j], grey_text[i][j] = 0, SUPPRESSED_MARK
            body = SUPPRESSED_TEXT.format(threshold=threshold)
        elif measure == "change" and _missing(r.change_pp):
            grey[i][j] = 0
            grey_text[i][j] = MISSING
            body = NONE_TEXT if r.status == "ingen_vurderte" else (
                f"Andel ja: {fmt_pct(r.compliance)}<br>Endring kan ikke beregnes: "
                f"forrige runde ({r.previous_round_label}) mangler eller er skjult")
        elif r.status == "ingen_vurderte":
            grey[i][j], grey_text[i][j] = 0, MISSING
            body = f"{NONE_TEXT}<br>Ikke relevant: {count_text(r.n_ikke_relevant)} · Blanke: {count_text(r.n_blank)}"
        else:
            if measure == "change":
                z[i][j] = float(r.change_pp)
                text[i][j] = fmt_decimal(r.change_pp, 0, signed=True)
            else:
                z[i][j] = float(r.compliance) * 100
                text[i][j] = fmt_int(r.compliance * 100)
            body = (f"Andel ja: {fmt_pct(r.compliance)} (95 % KI {ci_text(r.ci_low, r.ci_high)})"
                    f"<br>Vurderte saker (ja + nei): {count_text(r.n_assessed)}"
                    f"<br>Ikke relevant: {count_text(r.n_ikke_relevant)} · Blanke: {count_text(r.n_blank)}"
                    f"<br>Endring fra forrige runde: "
                    f"{change_text(r.change_pp) if r.round_no > 1 else NO_PREVIOUS_TEXT}")
        custom[i][j] = [head, body, ""]

    hover = "%{customdata[0]}<br>%{customdata[1]}<extra></extra>"
    if measure == "change":
        scale = {"colorscale": COLORS.diverging, "zmid": 0, "zmin": -100, "zmax": 100,
                 "colorbar": {"title": {"text": "Endring<br>(prosentpoeng)"}, "ticksuffix": ""}}
    else:
        scale = {"colorscale": COLORS.sequential, "zmin": 0, "zmax": 100,
                 "colorbar": {"title": {"text": "Andel ja"}, "ticksuffix": " %"}}
    fig = go.Figure()
    fig.add_trace(go.Heatmap(
        z=grey, x=x, y=y_labels, text=grey_text, texttemplate="%{text}", customdata=custom,
        hovertemplate=hover, hoverongaps=False, colorscale=[[0, COLORS.missing], [1, COLORS.missing]],
        showscale=False, xgap=2, ygap=2, textfont={"color": COLORS.text}, name="Ikke vist",
    ))
    fig.add_trace(go.Heatmap(
        z=z, x=x, y=y_labels, text=text, texttemplate="%{text}", customdata=custom,
        hovertemplate=hover, hoverongaps=False, xgap=2, ygap=2, name="Andel ja", **scale,
    ))
    fig.update_yaxes(autorange="reversed", title=None, automargin=True)
    fig.update_xaxes(title=None, side="top", automargin=True, tickangle=0)
    return style_figure(fig, height=max(320, 34 * n_rows + 170))


def heatmap_summary(df: pd.DataFrame, paragraf: str) -> str:
    """A sentence for screen readers: what the heatmap holds and its extremes."""
    if df is None or df.empty:
        return "Ingen kontrollerte saker for valgte filtre."
    shown = df[df["status"] == "vist"]
    offices = df["office_id"].nunique()
    rounds = df["round_label"].nunique()
    parts = [f"{PARAGRAF_LABELS.get(paragraf, paragraf)}: {fmt_int(offices)} kontorer, {fmt_int(rounds)} "
             f"{'runde' if rounds == 1 else 'runder'}, {fmt_int(df['point_no'].nunique())} punkter."]
    if len(shown):
        low = shown.loc[shown["compliance"].idxmin()]
        parts.append(f"Lavest andel ja: {fmt_pct(low['compliance'])} ({low['office_name']}, {low['round_label']}, "
                     f"punkt {int(low['point_no'])}).")
    n_hidden = int((df["status"] == "skjult").sum())
    n_none = int((df["status"] == "ingen_vurderte").sum())
    parts.append(f"{fmt_int(n_hidden)} celler er skjult fordi de bygger på færre enn 5 saker, "
                 f"{fmt_int(n_none)} har ingen vurderte saker.")
    return " ".join(parts)


def risk_figure(df: pd.DataFrame) -> go.Figure:
    """Per risk (rows): each office's share 'ja' at the risk's point in its latest
    round (a dot with its 95 % interval), and the threshold (a dashed mark): dots
    left of it are flagged. Suppressed rates are not drawn."""
    if df is None or df.empty:
        return empty_figure()
    shown = df[df["compliance"].notna()]
    if shown.empty:
        return empty_figure("Ingen andeler kan vises (for få saker)")
    risks = list(dict.fromkeys(df["risk_id"]))
    label_of = {r: f"Punkt {int(p)}: {short_label(p, t, 40).split('. ', 1)[1]}"
                for r, p, t in df[["risk_id", "point_no", "risk_text"]].drop_duplicates("risk_id")
                .itertuples(index=False, name=None)}
    labels = [label_of[r] for r in risks]
    fig = go.Figure()
    symbols = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "pentagon")
    for k, (office, sub) in enumerate(shown.groupby("office_name", sort=True)):
        sub = sub.set_index("risk_id").reindex([r for r in risks if r in set(sub["risk_id"])])
        fig.add_trace(go.Scatter(
            x=sub["compliance"] * 100,
            y=[label_of[r] for r in sub.index],
            mode="markers",
            name=str(office),
            marker={"size": 11, "symbol": symbols[k % len(symbols)],
                    "color": COLORS.categorical[k % len(COLORS.categorical)],
                    "line": {"width": 1, "color": "#ffffff"}},
            error_x={"type": "data", "symmetric": False, "array": (sub["ci_high"] - sub["compliance"]) * 100,
                     "arrayminus": (sub["compliance"] - sub["ci_low"]) * 100, "thickness": 1, "width": 0},
            customdata=[[f"{office}, {rnd}", fmt_pct(c), ci_text(lo, hi), fmt_int(n),
                         "Ja (under terskelen)" if flag is True else "Nei"]
                        for rnd, c, lo, hi, n, flag in zip(sub["round_label"], sub["compliance"], sub["ci_low"],
                                                           sub["ci_high"], sub["n_assessed"], sub["is_flagged"])],
            hovertemplate="%{y}<br>%{customdata[0]}<br>Andel ja: %{customdata[1]} (95 % KI %{customdata[2]})"
                          "<br>Vurderte saker: %{customdata[3]}<br>Flagget: %{customdata[4]}<extra></extra>",
        ))
    thresholds = df.drop_duplicates("risk_id").set_index("risk_id")["threshold"]
    for i, r in enumerate(risks):  # the threshold: a dashed mark across the risk's row
        fig.add_shape(type="line", xref="x", yref="y", x0=float(thresholds[r]) * 100,
                      x1=float(thresholds[r]) * 100, y0=i - 0.45, y1=i + 0.45,
                      line={"color": COLORS.text, "width": 2, "dash": "dash"})
    fig.update_layout(scattermode="group", scattergap=0.4)
    fig.update_xaxes(title="Andel ja i siste runde (%)", range=[0, 102], ticksuffix=" %")
    fig.update_yaxes(autorange="reversed", title=None, automargin=True, categoryorder="array", categoryarray=labels)
    return style_figure(fig, height=max(300, 70 * len(risks) + 120))
