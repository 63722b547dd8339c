"""dashboard.formatting: exact strings, including the U+00A0 no-break spaces."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from dashboard.formatting import (
    COLORS,
    MISSING,
    NB_MONTHS,
    NB_MONTHS_SHORT,
    NBSP,
    PLOTLY_SEPARATORS,
    fmt_date,
    fmt_decimal,
    fmt_int,
    fmt_kr,
    fmt_month,
    fmt_pct,
)

S = "\u00a0"  # written out so the expected strings below are unambiguous

MISSING_VALUES = [None, float("nan"), np.nan, pd.NA, pd.NaT, float("inf"), -float("inf")]


def test_constants():
    assert NBSP == S
    assert MISSING == "\u2013"
    assert PLOTLY_SEPARATORS == ", "
    assert len(NB_MONTHS) == len(NB_MONTHS_SHORT) == 12
    assert NB_MONTHS[5] == "juni" and NB_MONTHS_SHORT[5] == "jun."


@pytest.mark.parametrize(
    "value, expected",
    [
        (1234567, f"1{S}234{S}567"),
        (0, "0"),
        (999, "999"),
        (1000, f"1{S}000"),
        (-1234, f"-1{S}234"),
        (1234.5, f"1{S}235"),          # half away from zero, not banker's rounding
        (2.5, "3"),
        (-2.5, "-3"),
        (-0.4, "0"),                   # never '-0'
        (np.int64(203), "203"),
        (Decimal("610000"), f"610{S}000"),
        (10**17 + 1, f"100{S}000{S}000{S}000{S}000{S}001"),  # ints stay exact
    ],
)
def test_fmt_int(value, expected):
    assert fmt_int(value) == expected


def test_fmt_int_signed():
    assert fmt_int(12, signed=True) == "+12"
    assert fmt_int(-12, signed=True) == "-12"
    assert fmt_int(0, signed=True) == "0"


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (2.7, 1, "2,7"),
        (2.75, 1, "2,8"),
        (2.675, 2, "2,68"),            # as written, not as the binary float
        (0.4721, 4, "0,4721"),
        (1234.5, 1, f"1{S}234,5"),
        (-0.04, 1, "0,0"),
        (3, 2, "3,00"),
    ],
)
def test_fmt_decimal(value, decimals, expected):
    assert fmt_decimal(value, decimals) == expected


def test_fmt_decimal_signed_and_invalid():
    assert fmt_decimal(1.5, 1, signed=True) == "+1,5"
    with pytest.raises(ValueError):
        fmt_decimal(1.5, -1)
    with pytest.raises(TypeError):
        fmt_decimal("mange", 1)


@pytest.mark.parametrize(
    "value, expected",
    [
        (1234567, f"1{S}234{S}567{S}kr"),
        (610000, f"610{S}000{S}kr"),
        (915000.4, f"915{S}000{S}kr"),
        (-20000, f"-20{S}000{S}kr"),
    ],
)
def test_fmt_kr(value, expected):
    assert fmt_kr(value) == expected


def test_fmt_kr_with_ore():
    assert fmt_kr(1234.5, decimals=2) == f"1{S}234,50{S}kr"


@pytest.mark.parametrize(
    "fraction, decimals, expected",
    [
        (0.779, 1, f"77,9{S}%"),
        (0.7790055, 2, f"77,90{S}%"),
        (0.5813, 2, f"58,13{S}%"),
        (1, 0, f"100{S}%"),
        (0.07, 0, f"7{S}%"),
        (0.005, 0, f"1{S}%"),
        (12.5, 0, f"1{S}250{S}%"),
        (-0.25, 0, f"-25{S}%"),
    ],
)
def test_fmt_pct(fraction, decimals, expected):
    assert fmt_pct(fraction, decimals) == expected


def test_fmt_pct_signed():
    assert fmt_pct(0.25, 0, signed=True) == f"+25{S}%"


@pytest.mark.parametrize("value", MISSING_VALUES)
def test_missing_numbers_show_a_dash(value):
    for fn in (fmt_int, fmt_decimal, fmt_kr, fmt_pct):
        assert fn(value) == "–"


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2021, 6, 30),
        dt.datetime(2021, 6, 30, 23, 59),
        pd.Timestamp("2021-06-30 08:00"),
        np.datetime64("2021-06-30"),
        "2021-06-30",
    ],
)
def test_fmt_date(value):
    assert fmt_date(value) == "30.06.2021"


def test_fmt_date_pads():
    assert fmt_date(dt.date(2016, 10, 14)) == "14.10.2016"
    assert fmt_date(dt.date(2019, 1, 1)) == "01.01.2019"


@pytest.mark.parametrize(
    "value, long, short",
    [
        (dt.date(2021, 6, 30), "juni 2021", "jun. 2021"),
        (dt.date(2019, 1, 1), "januar 2019", "jan. 2019"),
        (dt.date(2022, 5, 17), "mai 2022", "mai 2022"),
        (pd.Timestamp("2016-10-14"), "oktober 2016", "okt. 2016"),
        (dt.date(2018, 12, 31), "desember 2018", "des. 2018"),
    ],
)
def test_fmt_month(value, long, short):
    assert fmt_month(value) == long
    assert fmt_month(value, short=True) == short


@pytest.mark.parametrize("value", [None, pd.NaT, float("nan"), pd.NA])
def test_missing_dates_show_a_dash(value):
    assert fmt_date(value) == "–"
    assert fmt_month(value) == "–"


def test_colors():
    assert len(COLORS.categorical) == 8
    assert set(COLORS.categorical) == set(COLORS.okabe_ito.values())
    assert COLORS.categorical[0] == "#0072B2"
    assert COLORS.sequential == "cividis"
    with pytest.raises(TypeError):
        COLORS.okabe_ito["blue"] = "#FF0000"  # type: ignore[index]
    with pytest.raises(AttributeError):
        COLORS.sequential = "jet"  # type: ignore[misc]
