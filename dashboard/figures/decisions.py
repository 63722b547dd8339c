"""Figures for the §17-vedtak page: pure functions, DataFrame -> plotly Figure.

Suppressed cells (column `suppressed`) are never drawn as values: they get the
marker ':' (Statistics Norway's symbol) and a hover text saying why. Hidden offices
are listed last, by name, so their position in a ranking says nothing about size.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.components import empty_figure, style_figure
from dashboard.formatting import COLORS, fmt_decimal, fmt_int, fmt_month, fmt_pct
from dashboard.stats import SUPPRESSED_MARK

DECISION_TYPES = ("innvilget", "avslag", "stans", "endring")
TYPE_LABELS = {"innvilget": "Innvilget", "avslag": "Avslag", "stans": "Stans", "endring": "Endring"}
TYPE_COLORS = dict(zip(DECISION_TYPES, COLORS.categorical[:4]))
PARAGRAF_LABELS = {"17": "§ 17", "20a": "§ 20 a", None: "§ 17 og § 20 a"}
GRAIN_LABELS = {"month": "Måned", "quarter": "Kvartal", "year": "År"}
HIDDEN_TEXT = "Skjult: tallet er under 5, eller skjult for at et annet skjult tall ikke skal kunne regnes ut"
MARK_COLOR = COLORS.text


def period_label(value, grain: str) -> str:
    """'jan. 2021', '1. kv. 2021' or '2021'."""
    ts = pd.Timestamp(value)
    if grain == "year":
        return str(ts.year)
    if grain == "quarter":
        return f"{(ts.month - 1) // 3 + 1}. kv. {ts.year}"
    return fmt_month(ts, short=True)


def period_figure(df: pd.DataFrame, grain: str = "month") -> go.Figure:
    """Stacked bars: decisions per period, one colour per decision type. Hidden cells
    are left out of the stack and the period gets a ':' marker above it."""
    if df is None or df.empty or df["n"].sum() == 0:
        return empty_figure()
    df = df.sort_values("period").copy()
    df["label"] = [period_label(p, grain) for p in df["period"]]
    order = list(dict.fromkeys(df["label"]))
    fig = go.Figure()
    for t in DECISION_TYPES:
        part = df[df["decision_type"] == t]
        if part.empty:
            continue
        shown = part["n"].where(~part["suppressed"])
        fig.add_bar(
            x=part["label"], y=shown, name=TYPE_LABELS[t], marker_color=TYPE_COLORS[t],
            customdata=[fmt_int(v) if not pd.isna(v) else SUPPRESSED_MARK for v in shown],
            hovertemplate="%{x}<br>" + TYPE_LABELS[t] + ": %{customdata}<extra></extra>",
        )
    hidden = df[df["suppressed"]]
    if len(hidden):
        tops = df.assign(v=df["n"].where(~df["suppressed"], 0)).groupby("label", sort=False)["v"].sum()
        labels = list(dict.fromkeys(hidden["label"]))
        fig.add_scatter(
            x=labels, y=[tops[lab] for lab in labels], mode="text", text=[SUPPRESSED_MARK] * len(labels),
            textposition="top center", textfont={"size": 18, "color": MARK_COLOR},
            name=f"«{SUPPRESSED_MARK}» skjult tall", hovertemplate="%{x}<br>" + HIDDEN_TEXT + "<extra></extra>",
            showlegend=True,
        )
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order, title=None)
    fig.update_yaxes(title="Antall vedtak", rangemode="tozero", tickformat=",d")
    return style_figure(fig, height=380)


def ranking_figure(df: pd.DataFrame, measure: str = "n") -> go.Figure:
    """Horizontal bars, offices sorted from most to fewest (or highest rate); hidden
    offices last with ':' and no bar. measure: 'n' or 'rate_per_employee'."""
    if df is None or df.empty:
        return empty_figure()
    rate = measure == "rate_per_employee"
    value = "rate_per_employee" if rate else "n"
    shown = df[~df["suppressed"] & df[value].notna()].sort_values([value, "office_name"], ascending=[False, True])
    rest = df[df["suppressed"] | df[value].isna()].sort_values("office_name")
    if shown.empty and rest.empty:
        return empty_figure()
    fmt = (lambda v: fmt_decimal(v, 2)) if rate else fmt_int
    names = list(shown["office_name"]) + list(rest["office_name"])
    fig = go.Figure()
    fig.add_bar(
        x=shown[value], y=shown["office_name"], orientation="h", marker_color=COLORS.categorical[0],
        text=[fmt(v) for v in shown[value]], textposition="outside", cliponaxis=False,
        name="Per ansatt" if rate else "Antall vedtak",
        hovertemplate="%{y}: %{text}<extra></extra>", showlegend=False,
    )
    if len(rest):
        reasons = [HIDDEN_TEXT if s else "Antall ansatte er ukjent" for s in rest["suppressed"]]
        fig.add_scatter(
            x=[0] * len(rest), y=rest["office_name"], mode="text",
            text=[SUPPRESSED_MARK if s else "–" for s in rest["suppressed"]],
            textposition="middle right", textfont={"size": 16, "color": MARK_COLOR},
            customdata=reasons, hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False,
        )
    top = shown[value].max() if len(shown) else 1
    fig.update_xaxes(title="Vedtak per ansatt" if rate else "Antall vedtak", rangemode="tozero",
                     range=[0, (top if top and not math.isnan(top) else 1) * 1.18],
                     tickformat=",.2f" if rate else ",d")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names[::-1], title=None,
                     automargin=True)
    return style_figure(fig, height=max(240, 24 * len(names) + 90))


def change_figure(df: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the relative change per office (after vs before), sorted
    from largest increase to largest decrease; the bar text gives % and absolute.
    Hidden offices and those without a comparable change are listed last."""
    if df is None or df.empty:
        return empty_figure()
    ok = df[~df["suppressed"] & df["change_pct"].notna()].sort_values(["change_pct", "office_name"],
                                                                       ascending=[False, True])
    rest = df[df["suppressed"] | df["change_pct"].isna()].sort_values("office_name")
    names = list(ok["office_name"]) + list(rest["office_name"])
    fig = go.Figure()
    colors = [COLORS.categorical[0] if v >= 0 else COLORS.categorical[5] for v in ok["change_pct"]]
    fig.add_bar(
        x=ok["change_pct"] * 100, y=ok["office_name"], orientation="h", marker_color=colors,
        text=[f"{fmt_pct(p, 0, signed=True)} ({fmt_int(a, signed=True)})" for p, a in zip(ok["change_pct"], ok["change_abs"])],
        textposition="outside", cliponaxis=False, showlegend=False,
        customdata=list(zip([fmt_int(v) for v in ok["n_before"]], [fmt_int(v) for v in ok["n_after"]])),
        hovertemplate="%{y}<br>Før: %{customdata[0]}, etter: %{customdata[1]}<br>Endring: %{text}<extra></extra>",
    )
    if len(rest):
        why = []
        for _, r in rest.iterrows():
            if r["suppressed"]:
                why.append(HIDDEN_TEXT)
            elif not r["complete"]:
                why.append("Ikke data for alle måneder i begge periodene")
            else:
                why.append("Ingen vedtak før datoen: endring i prosent kan ikke beregnes")
        fig.add_scatter(
            x=[0] * len(rest), y=rest["office_name"], mode="text",
            text=[SUPPRESSED_MARK if s else "–" for s in rest["suppressed"]], textposition="middle right",
            textfont={"size": 16, "color": MARK_COLOR}, customdata=why,
            hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False,
        )
    lo = min(0.0, float((ok["change_pct"] * 100).min())) if len(ok) else 0.0
    hi = max(0.0, float((ok["change_pct"] * 100).max())) if len(ok) else 10.0
    pad = max(hi - lo, 10.0) * 0.35
    fig.update_xaxes(title="Endring i prosent", ticksuffix=" %", zeroline=True, zerolinecolor=COLORS.text,
                     range=[lo - (pad if lo < 0 else 0), hi + pad])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=names[::-1], title=None,
                     automargin=True)
    return style_figure(fig, height=max(240, 24 * len(names) + 90))
