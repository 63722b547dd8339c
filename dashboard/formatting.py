"""Norwegian (bokmål) formatting of numbers, money, percentages and dates, and the
dashboard's colour palettes: one place, so every page writes '1 234 567 kr' and
'77,9 %' the same way and uses the same colour-blind-safe colours.

Conventions (Språkrådet / Statistics Norway):
- thousands are grouped with U+00A0 NO-BREAK SPACE, so a number never wraps across
  lines in a table cell or card; the same space goes before 'kr' and '%';
- decimal comma; rounding is half away from zero on the decimal digits as written
  (2.675 -> '2,68', 0.5 -> '1'), not Python's banker's rounding;
- negative numbers use the ASCII hyphen-minus, so copied values paste as numbers;
- missing values (None, NaN, pd.NA, NaT, ±inf) are shown as an en dash '–'.
"""
from __future__ import annotations

import datetime as _dt
import math
import numbers
from types import MappingProxyType
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping

import pandas as pd

__all__ = [
    "NBSP",
    "MISSING",
    "PLOTLY_SEPARATORS",
    "NB_MONTHS",
    "NB_MONTHS_SHORT",
    "fmt_int",
    "fmt_decimal",
    "fmt_kr",
    "fmt_pct",
    "fmt_date",
    "fmt_month",
    "Palette",
    "COLORS",
]

NBSP = "\u00a0"
MISSING = "–"  # U+2013 EN DASH

# Plotly `layout.separators`: first character the decimal mark, second the
# thousands separator ("1 234,5"). A plain space is fine here: SVG text never wraps.
PLOTLY_SEPARATORS = ", "

# Full month names (used by fmt_month) and the CLDR nb abbreviations (the ones
# browsers use for nb-NO), for axis ticks where space is short. Index 0 = January.
NB_MONTHS: tuple[str, ...] = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)
NB_MONTHS_SHORT: tuple[str, ...] = (
    "jan.", "feb.", "mar.", "apr.", "mai", "jun.",
    "jul.", "aug.", "sep.", "okt.", "nov.", "des.",
)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # None, NaN, pd.NA, NaT; arrays raise -> not missing
    except (TypeError, ValueError):
        return False


def _to_decimal(value: Any) -> Decimal | None:
    """Decimal of the value as written (repr), or None if missing / not finite."""
    if _is_missing(value):
        return None
    if isinstance(value, Decimal):
        d = value
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"not a number: {value!r}") from None
        if not math.isfinite(number):
            return None
        # repr of the float gives the shortest digits that round-trip, i.e. what a
        # person typed: 2.675 stays 2.675 and rounds up, as they would expect.
        if isinstance(value, numbers.Integral):
            d = Decimal(int(value))  # exact, also beyond 2**53
        else:
            d = Decimal(repr(number))
    if not d.is_finite():
        return None
    return d


def _format(value: Any, decimals: int, signed: bool) -> str | None:
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    d = _to_decimal(value)
    if d is None:
        return None
    try:
        q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits for the context: format as is
        q = d
    if q == 0:
        q = abs(q)  # no '-0' or '-0,0'
    text = f"{q:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if signed and q > 0:
        text = "+" + text
    return text


def fmt_int(value: Any, signed: bool = False) -> str:
    """Whole number with no-break-space grouping: 1234567 -> '1 234 567'.
    signed=True prefixes '+' to positive values (for changes)."""
    out = _format(value, 0, signed)
    return MISSING if out is None else out


def fmt_decimal(value: Any, decimals: int = 1, signed: bool = False) -> str:
    """Number with decimal comma and fixed decimals: (2.7, 1) -> '2,7'."""
    out = _format(value, decimals, signed)
    return MISSING if out is None else out


def fmt_kr(value: Any, decimals: int = 0) -> str:
    """Amount in kroner: 1234567 -> '1 234 567 kr' (no-break space before 'kr')."""
    out = _format(value, decimals, False)
    return MISSING if out is None else f"{out}{NBSP}kr"


def fmt_pct(fraction: Any, decimals: int = 1, signed: bool = False) -> str:
    """A proportion as a percentage: 0.779 -> '77,9 %' (input is a fraction, not
    percent points; no-break space before '%' as Språkrådet writes it)."""
    d = _to_decimal(fraction)
    out = None if d is None else _format(d * 100, decimals, signed)
    return MISSING if out is None else f"{out}{NBSP}%"


def _to_date(value: Any) -> _dt.date | None:
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return _dt.date.fromisoformat(value[:10])  # ISO only: '01.02' is ambiguous
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return pd.Timestamp(value).date()


def fmt_date(value: Any) -> str:
    """Date as dd.mm.yyyy: date(2021, 6, 30) -> '30.06.2021'. Accepts date,
    datetime, pd.Timestamp, numpy datetime64 and ISO strings; time is dropped."""
    d = _to_date(value)
    return MISSING if d is None else f"{d.day:02d}.{d.month:02d}.{d.year}"


def fmt_month(value: Any, short: bool = False) -> str:
    """Month and year, written out: date(2021, 6, 30) -> 'juni 2021' (clearer than
    an abbreviation and reads well aloud). short=True gives 'jun. 2021' for axes."""
    d = _to_date(value)
    if d is None:
        return MISSING
    names = NB_MONTHS_SHORT if short else NB_MONTHS
    return f"{names[d.month - 1]} {d.year}"


# ------------------------------------------------------------------------ colours

@dataclass(frozen=True)
class Palette:
    """The dashboard's colours. `categorical` is Okabe & Ito (2008), safe for the
    common colour-vision deficiencies, ordered so the first colours contrast best on
    white (yellow, the weakest, comes last but one; black, the text colour, last).
    `sequential` and `diverging` are Plotly colour-scale names: cividis is
    perceptually uniform and readable with red-green colour blindness. `missing` is
    for NaN and suppressed cells in heatmaps and maps."""

    okabe_ito: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
    }))
    categorical: tuple[str, ...] = (
        "#0072B2",  # blue
        "#E69F00",  # orange
        "#009E73",  # bluish green
        "#CC79A7",  # reddish purple
        "#56B4E9",  # sky blue
        "#D55E00",  # vermillion
        "#F0E442",  # yellow
        "#000000",  # black
    )
    sequential: str = "cividis"
    diverging: str = "RdBu"
    missing: str = "#BBBBBB"
    text: str = "#262626"


COLORS = Palette()
