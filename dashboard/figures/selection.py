"""Figures for Utvelgelse: pure functions, DataFrame -> plotly Figure (no Dash)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components import empty_figure, style_figure
from dashboard.formatting import COLORS, MISSING, fmt_decimal, fmt_int, fmt_pct


def funnel_figure(df: pd.DataFrame) -> go.Figure:
    """The selection funnel: one bar per stage, widest first, the number of tiltak in
    the bar; hover tells how many the stage removed and the published figure."""
    if df is None or df.empty or int(df["n_tiltak"].max() or 0) == 0:
        return empty_figure("Ingen tiltak i valgt kohort")
    custom = []
    for r in df.itertuples(index=False):
        removed = "" if pd.isna(r.n_removed) else f"<br>Fjernet i dette trinnet: {fmt_int(r.n_removed)}"
        published = "" if pd.isna(r.published) else f"<br>Publisert: {fmt_int(r.published)}"
        custom.append([r.explanation, removed, published])
    fig = go.Figure(go.Funnel(
        y=df["stage_label"],
        x=df["n_tiltak"],
        text=[fmt_int(v) for v in df["n_tiltak"]],
        textinfo="text",
        textposition="inside",
        insidetextfont={"color": "#ffffff", "size": 15},
        outsidetextfont={"color": COLORS.text},
        marker={"color": COLORS.categorical[0]},
        connector={"fillcolor": "#dbe6f0", "line": {"width": 0}},
        customdata=custom,
        hovertemplate="%{y}: %{text} tiltak<br>%{customdata[0]}%{customdata[1]}%{customdata[2]}<extra></extra>",
    ))
    fig.update_yaxes(title=None, automargin=True)
    return style_figure(fig, height=60 * len(df) + 80)


def funnel_summary(df: pd.DataFrame, cohort_year: int) -> str:
    """The funnel as one sentence, for screen readers."""
    if df is None or df.empty:
        return "Ingen tiltak i valgt kohort."
    steps = " → ".join(f"{label.lower()} {fmt_int(n)}" for label, n in zip(df["stage_label"], df["n_tiltak"]))
    return f"Kohort {cohort_year}: {steps}."


def kappa_text(value) -> str:
    """Kappa with four decimals, as published: 0.47214 -> '0,4721'."""
    return fmt_decimal(value, 4)


def measure_text(measure: str, value) -> str:
    """One statistic of the agreement table as Stata prints it, the Norwegian way."""
    if value is None or pd.isna(value):
        return MISSING
    if measure == "n":
        return fmt_int(value)
    if measure in ("observed", "expected"):
        return fmt_pct(value, 2)
    if measure == "kappa":
        return kappa_text(value)
    if measure == "z":
        return fmt_decimal(value, 2)
    if measure == "p":
        return fmt_decimal(value, 4)
    return fmt_decimal(value, 4)
