"""DataFrame -> plotly Figure, one module per topic; no Dash imports.

The house style is one lean plotly template registered here as the default, so every
figure gets it at construction. Setting plotly's stock 'plotly_white' per figure
cost ~75 ms a figure (it copies and validates a large template); this costs ~1 ms.
"""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.formatting import COLORS, PLOTLY_SEPARATORS

TEMPLATE = "tiltaksmonitor"
FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
_GRID = "#E5E5E5"
_LINE = "#BDBDBD"

pio.templates[TEMPLATE] = go.layout.Template(layout={
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "separators": PLOTLY_SEPARATORS,
    "colorway": list(COLORS.categorical),
    "font": {"family": FONT_FAMILY, "size": 14, "color": COLORS.text},
    "hoverlabel": {"font": {"family": FONT_FAMILY}, "bgcolor": "white"},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": {"text": ""}},
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "xaxis": {"gridcolor": _GRID, "linecolor": _LINE, "zerolinecolor": _LINE, "automargin": True},
    "yaxis": {"gridcolor": _GRID, "linecolor": _LINE, "zerolinecolor": _LINE, "automargin": True},
})
pio.templates.default = TEMPLATE
