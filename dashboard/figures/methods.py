"""Figures for Lovende metoder and Replikering: pure functions, DataFrame -> plotly
Figure (and short Norwegian text summaries of what each figure shows, for screen
readers and for the card text). The frames are those of dashboard.queries.methods.

Comparison offices ('sammenligning') are drawn with a hatch pattern and a legend
entry that says they are not replications; they are never in the counts.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components import empty_figure, style_figure
from dashboard.formatting import COLORS, fmt_date, fmt_int
from dashboard.queries.methods import ROLE_ORDER

ORANGE, BLUE, GREEN, PURPLE = (COLORS.okabe_ito[k] for k in ("orange", "blue", "bluish_green", "reddish_purple"))

#: Bar colour per role (Okabe–Ito); comparison offices are white with a hatch.
ROLE_COLORS = {"opprinnelig": BLUE, "replikering": ORANGE, "folgeprosjekt": GREEN, "sammenligning": "#FFFFFF"}
#: Legend text per role: says what counts as a replication.
ROLE_LEGEND = {
    "opprinnelig": "Opprinnelig kontor",
    "replikering": "Replikering",
    "folgeprosjekt": "Følgeprosjekt (replikering)",
    "sammenligning": "Sammenligningskontor (ikke replikering)",
}
COMPARISON_PATTERN = {"shape": "/", "fgcolor": PURPLE, "bgcolor": "#FFFFFF", "solidity": 0.35, "size": 8}
OPEN_END_LEGEND = "Pågår ved datagrensen (åpen slutt)"
_DAY_MS = 24 * 3600 * 1000


def _row_labels(df: pd.DataFrame) -> list[str]:
    """'SSA · NAV Drammen'; the role is added where a method has an office twice."""
    base = df["short_name"] + " · " + df["office_name"]
    dup = base.duplicated(keep=False)
    return [f"{b} ({r.lower()})" if d else b for b, r, d in zip(base, df["role_label"], dup)]


def timeline(df: pd.DataFrame) -> go.Figure:
    """Gantt-like timeline: one bar per method and office from start to end, or to
    the data horizon (the latest date in the data) when the row has no end, marked
    with an arrow. Colour and legend by role; comparison offices hatched."""
    df = df[df["start_date"].notna()] if len(df) else df
    if df.empty:
        return empty_figure("Ingen kontorer å vise for valgte filtre")
    df = df.reset_index(drop=True).copy()
    df["label"] = _row_labels(df)
    order = list(dict.fromkeys(df["label"]))
    start = pd.to_datetime(df["start_date"])
    end = pd.to_datetime(df["plot_end"]).fillna(start)
    duration = ((end - start).dt.total_seconds() * 1000).clip(lower=_DAY_MS * 20)  # at least a sliver
    df["end_text"] = [fmt_date(e) if not o else "åpen (pågår)" for e, o in zip(df["end_date"], df["is_open"])]
    df["start_text"] = df["start_date"].map(fmt_date)
    df["note_text"] = df["note"].fillna("").map(lambda s: f"<br>Merknad: {s}" if s else "")
    custom = df[["office_name", "method_name", "role_label", "status_label", "start_text", "end_text", "note_text"]]
    hover = ("<b>%{customdata[0]}</b><br>%{customdata[1]}<br>Rolle: %{customdata[2]}<br>"
             "Status: %{customdata[3]}<br>Fra %{customdata[4]} til %{customdata[5]}%{customdata[6]}<extra></extra>")
    fig = go.Figure()
    for role in list(ROLE_ORDER) + sorted(set(df["role"]) - set(ROLE_ORDER)):
        mask = df["role"] == role
        if not mask.any():
            continue
        comparison = role == "sammenligning"
        fig.add_trace(go.Bar(
            y=df.loc[mask, "label"],
            x=duration[mask],
            base=start[mask].dt.strftime("%Y-%m-%d"),
            orientation="h",
            name=ROLE_LEGEND.get(role, role),
            marker={
                "color": ROLE_COLORS.get(role, COLORS.missing),
                "line": {"color": PURPLE if comparison else "rgba(0,0,0,0.35)", "width": 1.5 if comparison else 0.5},
                **({"pattern": COMPARISON_PATTERN} if comparison else {}),
            },
            customdata=custom[mask].to_numpy(),
            hovertemplate=hover,
        ))
    open_rows = df[df["is_open"]]
    if len(open_rows):
        fig.add_trace(go.Scatter(
            y=open_rows["label"],
            x=pd.to_datetime(open_rows["plot_end"]).dt.strftime("%Y-%m-%d"),
            mode="markers",
            name=OPEN_END_LEGEND,
            marker={"symbol": "triangle-right", "size": 11, "color": COLORS.text},
            customdata=custom.loc[open_rows.index].to_numpy(),
            hovertemplate=hover,
        ))
    horizon = df["horizon"].dropna()
    if len(horizon):
        h = pd.Timestamp(horizon.iloc[0]).strftime("%Y-%m-%d")
        fig.add_shape(type="line", x0=h, x1=h, y0=0, y1=1, yref="paper",
                      line={"color": COLORS.text, "width": 1, "dash": "dot"})
        fig.add_annotation(x=h, y=1, yref="paper", yanchor="bottom", showarrow=False, xanchor="right",
                           text=f"Datagrense {fmt_date(horizon.iloc[0])}", font={"size": 12})
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig.update_xaxes(type="date", title=None, tickformat="%Y", dtick="M12", showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=order, autorange="reversed", title=None)
    style_figure(fig, height=max(260, 30 * len(order) + 150))
    fig.update_layout(legend={"y": 1.04})
    return fig


def timeline_summary(df: pd.DataFrame) -> str:
    """'Tidslinjen viser 18 kontorer for 7 metoder …' (what the chart shows, in words)."""
    if df.empty:
        return "Ingen kontorer å vise for valgte filtre."
    n_rows, n_methods = len(df), df["method_id"].nunique()
    n_open = int(df["is_open"].sum())
    n_comp = int(df["is_comparison"].sum())
    n_rep = int(df["is_replication"].sum())
    horizon = df["horizon"].dropna()
    parts = [
        f"Tidslinjen viser {fmt_int(n_rows)} {'kontor' if n_rows == 1 else 'kontorer'} for "
        f"{fmt_int(n_methods)} {'metode' if n_methods == 1 else 'metoder'}: "
        f"{fmt_int(n_rep)} {'replikering' if n_rep == 1 else 'replikeringer'} (inkludert følgeprosjekt)",
    ]
    if n_comp:
        parts.append(f"{fmt_int(n_comp)} {'sammenligningskontor' if n_comp == 1 else 'sammenligningskontorer'}, "
                     "som ikke er replikeringer")
    text = ", ".join(parts) + "."
    if n_open and len(horizon):
        text += (f" {fmt_int(n_open)} har ingen sluttdato og er tegnet til datagrensen "
                 f"{fmt_date(horizon.iloc[0])} (siste dato i dataene), markert med en pil.")
    return text


def counts_by_method(df: pd.DataFrame) -> go.Figure:
    """Replications per method, stacked: replication and follow-up project.
    Comparison offices are not counted (they are said in the summary)."""
    if df.empty:
        return empty_figure()
    labels = df["short_name"]
    fig = go.Figure()
    for col, role in (("n_replikering", "replikering"), ("n_folgeprosjekt", "folgeprosjekt")):
        fig.add_trace(go.Bar(
            y=labels, x=df[col], orientation="h", name=ROLE_LEGEND[role],
            marker_color=ROLE_COLORS[role],
            text=[fmt_int(v) if v else "" for v in df[col]], textposition="inside", insidetextanchor="middle",
            hovertemplate="%{y}: %{x} " + ROLE_LEGEND[role].lower() + "<extra></extra>",
        ))
    total = df["n_replications"]
    fig.add_trace(go.Scatter(
        y=labels, x=total, mode="text", text=[fmt_int(v) for v in total], textposition="middle right",
        showlegend=False, hoverinfo="skip",
    ))
    top = max(int(total.max()), 1)
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(title="Antall kontorer som replikerer", dtick=1, range=[0, top + 0.8], tickformat="d")
    fig.update_yaxes(autorange="reversed", title=None)
    return style_figure(fig, height=max(240, 38 * len(df) + 110))


def counts_by_method_summary(df: pd.DataFrame) -> str:
    if df.empty:
        return "Ingen metoder å vise."
    total = int(df["n_replications"].sum())
    with_rep = df[df["n_replications"] > 0]
    parts = [f"{short} {fmt_int(n)}" for short, n in zip(with_rep["short_name"], with_rep["n_replications"])]
    text = (f"{fmt_int(total)} {'replikering' if total == 1 else 'replikeringer'} i alt, "
            f"for {fmt_int(len(with_rep))} av {fmt_int(len(df))} metoder")
    text += (": " + ", ".join(parts) + ".") if parts else "."
    comp = df[df["n_comparison"] > 0]
    if len(comp):
        text += " Ikke telt: " + ", ".join(
            f"{fmt_int(n)} {'sammenligningskontor' if n == 1 else 'sammenligningskontorer'} for {short}"
            for short, n in zip(comp["short_name"], comp["n_comparison"])) + "."
    return text


def counts_by_region(df: pd.DataFrame) -> go.Figure:
    """Replications per region of the office that replicates (all regions)."""
    if df.empty:
        return empty_figure()
    fig = go.Figure(go.Bar(
        y=df["region_name"], x=df["n_replications"], orientation="h",
        marker_color=ORANGE,
        text=[fmt_int(v) for v in df["n_replications"]], textposition="outside", cliponaxis=False,
        customdata=df[["n_methods"]].to_numpy(),
        hovertemplate="%{y}: %{x} replikeringer av %{customdata[0]} metoder<extra></extra>",
        name="Replikeringer",
    ))
    top = max(int(df["n_replications"].max()), 1)
    fig.update_xaxes(title="Antall kontorer som replikerer", dtick=1, range=[0, top + 0.8], tickformat="d")
    fig.update_yaxes(autorange="reversed", title=None)
    return style_figure(fig, height=max(240, 32 * len(df) + 90))


def counts_by_region_summary(df: pd.DataFrame) -> str:
    if df.empty:
        return "Ingen regioner å vise."
    with_rep = df[df["n_replications"] > 0]
    if with_rep.empty:
        return "Ingen replikeringer i noen region for valgte år."
    parts = [f"{r} {fmt_int(n)}" for r, n in zip(with_rep["region_name"], with_rep["n_replications"])]
    without = len(df) - len(with_rep)
    text = "Replikeringer per region: " + ", ".join(parts) + "."
    if without:
        text += f" {fmt_int(without)} {'region har' if without == 1 else 'regioner har'} ingen."
    return text


# ------------------------------------------------------- criteria (for tables)
#: Vedlegg A judgement -> (symbol, light background); the text label is
#: queries.methods.ANSWER_LABELS, always shown beside the symbol (not colour alone).
ANSWER_SYMBOLS = {"ja": "✓", "nei": "✗", "ukjent": "?"}
ANSWER_BACKGROUNDS = {"ja": "#DDF1E8", "nei": "#FBE3D4", "ukjent": "#EEEEEE"}
#: Matrix cell background per role (light tints; the text names the role).
ROLE_BACKGROUNDS = {"opprinnelig": "#DCEBF5", "replikering": "#FCEFD2", "folgeprosjekt": "#DDF1E8",
                    "sammenligning": "#FFFFFF"}
