"""Figures for Regioner and the region pages: DataFrame in, plotly Figure out.

No callbacks or layout here; house style and the empty state come from
dashboard.components (style_figure, empty_figure), colours from formatting.COLORS.
"""
from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.components import empty_figure, style_figure
from dashboard.formatting import COLORS, fmt_decimal, fmt_int, fmt_kr

#: measure -> (axis title, formatter for values in text and hover). The column of
#: that name in the office frame holds the values.
OFFICE_MEASURES: dict[str, tuple[str, object]] = {
    "n_tiltak": ("Finansierte tiltak", fmt_int),
    "grant_kr": ("Tilskudd (kr)", fmt_kr),
    "per_month_17": ("§ 17-vedtak per måned", lambda v: fmt_decimal(v, 1)),
    "per_month_20a": ("§ 20 a-vedtak per måned", lambda v: fmt_decimal(v, 1)),
}

HIDDEN_TEXT = "skjult (få vedtak)"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def office_comparison(df: pd.DataFrame, measure: str, national_median: float | None) -> go.Figure:
    """One horizontal bar per office (`office_name`, the `measure` column), with a
    dashed line at the national median office. A missing value (suppressed or no
    data) gets no bar and a text saying so, never a zero bar.

    df: office_name, <measure>, and optionally `suppressed` (bool per row).
    """
    if measure not in OFFICE_MEASURES:
        raise KeyError(f"unknown measure {measure!r}")
    title, fmt = OFFICE_MEASURES[measure]
    if df is None or df.empty:
        return empty_figure("Ingen kontorer å vise")
    data = df.sort_values("office_name", key=lambda s: s.str.casefold())
    values = pd.to_numeric(data[measure], errors="coerce").astype("float64")
    hidden = data["suppressed"].fillna(False).astype(bool) if "suppressed" in data else pd.Series(False, index=data.index)
    texts = [HIDDEN_TEXT if h else ("ingen data" if _missing(v) else fmt(v)) for v, h in zip(values, hidden)]
    fig = go.Figure(
        go.Bar(
            x=values.fillna(0).where(~(values.isna() | hidden), None),
            y=data["office_name"],
            orientation="h",
            marker_color=COLORS.categorical[0],
            text=texts,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
            name=title,
        )
    )
    upper = values[~hidden].max() if (~hidden).any() else None
    if national_median is not None and not _missing(national_median):
        fig.add_vline(x=national_median, line_dash="dash", line_color=COLORS.categorical[5], line_width=2)
        fig.add_annotation(x=national_median, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"Landsmedian: {fmt(national_median)}", font={"color": COLORS.text, "size": 12})
        upper = max(v for v in (upper, national_median) if v is not None and not _missing(v))
    if upper is not None and not _missing(upper) and upper > 0:
        fig.update_xaxes(range=[0, upper * 1.3])
    fig.update_xaxes(title=title, rangemode="tozero")
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_layout(showlegend=False)
    return style_figure(fig, height=max(240, 34 * len(data) + 110))


def office_comparison_summary(df: pd.DataFrame, measure: str, national_median: float | None) -> str:
    """The figure in one or two sentences, for screen readers and a quick read:
    highest and lowest office, and how many are above the national median."""
    title, fmt = OFFICE_MEASURES[measure]
    if df is None or df.empty:
        return "Ingen kontorer å vise."
    hidden = df["suppressed"].fillna(False).astype(bool) if "suppressed" in df else pd.Series(False, index=df.index)
    values = pd.to_numeric(df[measure], errors="coerce").astype("float64").where(~hidden)
    known = df.assign(_v=values).dropna(subset=["_v"])
    if known.empty:
        return f"{title}: ingen tall å vise for kontorene."
    top = known.loc[known["_v"].idxmax()]
    low = known.loc[known["_v"].idxmin()]
    text = f"{title}: høyest {top['office_name']} ({fmt(top['_v'])}), lavest {low['office_name']} ({fmt(low['_v'])})."
    if national_median is not None and not _missing(national_median):
        above = int((known["_v"] > national_median).sum())
        text += f" {above} av {len(known)} kontorer ligger over landsmedianen ({fmt(national_median)})."
    if hidden.any():
        text += f" {int(hidden.sum())} kontor(er) vises ikke på grunn av få vedtak."
    return text
