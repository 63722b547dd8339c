"""Figures for the Egenvurdering page: pure functions, DataFrame -> plotly Figure.

Scores only in distributions and means; 'Ikke relevant' and blank answers are drawn
in their own columns beside the bars, never as part of the scale.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from dashboard.components import empty_figure, style_figure
from dashboard.formatting import COLORS, fmt_decimal, fmt_int, fmt_pct

NOT_SCORES = ("Ikke relevant", "Blank")


def question_label(no, theme) -> str:
    return f"{int(no)}. {theme}"


def published_text(published: dict) -> str | None:
    """'Publisert: typetall 3, snitt 2,7' (None without both figures)."""
    mode, mean = published.get("mode"), published.get("mean")
    if mode is None or mean is None or pd.isna(mode) or pd.isna(mean):
        return None
    mode_text = fmt_decimal(mode, 0) if float(mode).is_integer() else fmt_decimal(mode, 1)
    return f"Publisert: typetall {mode_text}, snitt {fmt_decimal(mean, 1)}"


def scale_colors(n: int) -> list[str]:
    """n ordinal colours, light (lowest score) to dark (top score): cividis, which is
    readable with red-green colour blindness."""
    if n <= 1:
        return [sample_colorscale(COLORS.sequential, [0.0])[0]]
    return sample_colorscale(COLORS.sequential, [1 - i / (n - 1) * 0.9 - 0.1 for i in range(n)])


def _text_color(rgb: str) -> str:
    """Black or white, whichever reads better on the colour 'rgb(r, g, b)'."""
    parts = [float(x) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    r, g, b = (p / 255 for p in parts)
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if lum > 0.45 else "#FFFFFF"


def distribution_figure(dist: pd.DataFrame, summary: pd.DataFrame) -> go.Figure:
    """Per question, 100 % stacked bars over the scale (labels from ref_scale), and
    beside them two columns with the number of 'Ikke relevant' and blank answers.

    dist: question_no, score, label, n, share. summary: question_no, theme,
    question_text, n_scored, n_not_relevant, n_blank."""
    if dist is None or dist.empty or summary is None or summary.empty or summary["n_scored"].sum() == 0:
        return empty_figure()
    labels = {r.question_no: question_label(r.question_no, r.theme) for r in summary.itertuples()}
    order = [labels[q] for q in summary["question_no"]]
    scores = dist[["score", "label"]].drop_duplicates().sort_values("score")
    colors = scale_colors(len(scores))
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.82, 0.18], horizontal_spacing=0.03)
    answered = dict(zip(summary["question_no"], summary["n_scored"]))
    for (score, label), color in zip(scores.itertuples(index=False), colors):
        part = dist[dist["score"] == score]
        pct = part["share"] * 100
        fig.add_trace(
            go.Bar(
                x=pct, y=[labels[q] for q in part["question_no"]], orientation="h",
                name=f"{score} = {label}" if not str(label).startswith(str(score)) else str(label),
                marker_color=color,
                text=[fmt_pct(s, 0) if s >= 0.06 else "" for s in part["share"]],
                textposition="inside", insidetextanchor="middle",
                insidetextfont={"color": _text_color(color)},
                customdata=[[fmt_int(n), fmt_pct(s), fmt_int(answered.get(q, 0))]
                            for n, s, q in zip(part["n"], part["share"], part["question_no"])],
                hovertemplate="%{y}<br>" + str(label).replace("%", "%%")
                + ": %{customdata[1]} (%{customdata[0]} av %{customdata[2]} som svarte på skalaen)<extra></extra>",
            ),
            row=1, col=1,
        )
    for col_name, field in zip(NOT_SCORES, ("n_not_relevant", "n_blank")):
        fig.add_trace(
            go.Scatter(
                x=[col_name] * len(summary), y=[labels[q] for q in summary["question_no"]], mode="text",
                text=[fmt_int(v) for v in summary[field]], textfont={"size": 14, "color": COLORS.text},
                showlegend=False, hovertemplate="%{y}<br>" + col_name + ": %{text}<extra></extra>",
            ),
            row=1, col=2,
        )
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_xaxes(range=[0, 100], ticksuffix=" %", title="Andel av svarene på skalaen", row=1, col=1)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(NOT_SCORES),
                     showgrid=False,
                     row=1, col=2)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], automargin=True, title=None)
    fig = style_figure(fig, height=max(320, 34 * len(order) + 140))
    fig.update_layout(legend={"traceorder": "normal"}, margin={"t": 70})
    return fig


def mean_figure(summary: pd.DataFrame, scale_min: float, scale_max: float, published: dict | None = None,
                overall_mean: float | None = None) -> go.Figure:
    """Mean score per question on the whole scale (scale_min..scale_max), so the
    ceiling effect shows as dots crowded at the top; a dashed line for the published
    mean (pass `published` only when it is on this scale) and a dotted one for the
    mean over all items here."""
    if summary is None or summary.empty or summary["mean_score"].notna().sum() == 0:
        return empty_figure()
    s = summary[summary["mean_score"].notna()]
    labels = [question_label(r.question_no, r.theme) for r in s.itertuples()]
    order = [question_label(r.question_no, r.theme) for r in summary.itertuples()]
    fig = go.Figure(
        go.Scatter(
            x=s["mean_score"], y=labels, mode="markers", marker={"size": 12, "color": COLORS.categorical[0]},
            name="Snitt per spørsmål",
            customdata=[[fmt_decimal(m, 2), fmt_pct(t), fmt_int(n)] for m, t, n in
                        zip(s["mean_score"], s["share_top"], s["n_scored"])],
            hovertemplate="%{y}<br>Snitt: %{customdata[0]}<br>Andel toppverdi: %{customdata[1]}"
                          "<br>Svar på skalaen: %{customdata[2]}<extra></extra>",
        )
    )
    text = published_text(published or {})
    if text and published.get("mean") is not None:
        fig.add_vline(x=float(published["mean"]), line_dash="dash", line_color=COLORS.categorical[5], line_width=2)
        fig.add_annotation(x=float(published["mean"]), y=1.0, yref="paper", yanchor="bottom", yshift=20,
                           showarrow=False, text=text, font={"color": COLORS.categorical[5], "size": 13},
                           xanchor="right")
    if overall_mean is not None and not math.isnan(overall_mean):
        fig.add_vline(x=overall_mean, line_dash="dot", line_color=COLORS.text, line_width=1)
        fig.add_annotation(x=overall_mean, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"Snitt her: {fmt_decimal(overall_mean, 2)}", font={"size": 12}, xanchor="right")
    fig.update_xaxes(range=[scale_min - 0.15, scale_max + 0.15], dtick=1, title="Snitt (hele skalaen)",
                     tickformat=",d")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], automargin=True, title=None)
    fig = style_figure(fig, height=max(320, 28 * len(order) + 140))
    fig.update_layout(showlegend=False, margin={"t": 70, "b": 50})
    return fig


def year_figure(df: pd.DataFrame, scale_min: float, scale_max: float, published: dict | None = None) -> go.Figure:
    """Mean over all items per report year, on the whole scale, with the published
    mean as a dashed line when it is on this scale."""
    if df is None or df.empty or df["mean_score"].notna().sum() == 0:
        return empty_figure()
    d = df[df["mean_score"].notna()]
    fig = go.Figure(
        go.Scatter(
            x=d["report_year"].astype(str), y=d["mean_score"], mode="lines+markers+text",
            marker={"size": 10, "color": COLORS.categorical[0]}, line={"color": COLORS.categorical[0]},
            text=[fmt_decimal(m, 2) for m in d["mean_score"]], textposition="top center",
            customdata=[[fmt_pct(t), fmt_int(n)] for t, n in zip(d["share_top"], d["n_scored"])],
            hovertemplate="%{x}: snitt %{text}<br>Andel toppverdi: %{customdata[0]}"
                          "<br>Svar på skalaen: %{customdata[1]}<extra></extra>",
            name="Snitt",
        )
    )
    text = published_text(published or {})
    if text and published.get("mean") is not None:
        fig.add_hline(y=float(published["mean"]), line_dash="dash", line_color=COLORS.categorical[5], line_width=2,
                      annotation_text=text, annotation_position="bottom right",
                      annotation_font={"color": COLORS.categorical[5], "size": 13})
    fig.update_yaxes(range=[scale_min - 0.15, scale_max + 0.3], dtick=1, title="Snitt (hele skalaen)")
    fig.update_xaxes(type="category", title=None)
    fig = style_figure(fig, height=300)
    fig.update_layout(showlegend=False)
    return fig
