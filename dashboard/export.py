"""Downloads (CSV and XLSX) of the tables the pages show, made for Norwegian Excel and
safe to open: only the columns a page names are written, under Norwegian headers,
and no cell can turn into a formula (CSV/formula injection, OWASP).

Pure functions: DataFrame in, bytes out; the date in a file name is a parameter.
Blank suppressed cells first (`stats.blank_suppressed`); these functions write what
they are given."""
from __future__ import annotations

import datetime as _dt
import io
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any, Mapping

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

__all__ = [
    "CSV_MIME",
    "XLSX_MIME",
    "FORMULA_PREFIXES",
    "neutralise",
    "to_csv_bytes",
    "to_xlsx_bytes",
    "filename",
]

CSV_MIME = "text/csv;charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP "CSV Injection": a cell starting with one of these may be run as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Text that is just a number ("-5", "+3,5"), or a lone "-" (nil in a table),
# cannot carry a formula: left alone.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?|-")

_DATE_FORMAT = "DD.MM.YYYY"
_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"


def _looks_like_formula(text: str) -> bool:
    # Leading spaces and line breaks are looked through: some spreadsheet imports
    # trim them before deciding whether a cell is a formula.
    head = text.lstrip(" \u00a0\n")
    if text.startswith(("\t", "\r")):
        return True
    return head.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(head)


def neutralise(text: str) -> str:
    """Prefix a single quote to text that a spreadsheet would read as a formula, so
    Excel and LibreOffice show it as text. Text that is just a number ('-5') is kept:
    it cannot carry a formula, and Excel reads it as the number it is."""
    return "'" + text if _looks_like_formula(text) else text


def _select(df: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """Only the named columns, in the mapping's order, under their Norwegian headers."""
    if not columns:
        raise ValueError("columns must name at least one column to export")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"columns not in table: {missing}")
    headers = list(columns.values())
    if len(set(headers)) != len(headers):
        raise ValueError(f"duplicate headers: {headers}")
    out = df.loc[:, list(columns)].copy()
    out.columns = headers
    return out.reset_index(drop=True)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal, np.integer, np.floating)) \
        and not isinstance(value, (bool, np.bool_))


# ---------------------------------------------------------------------------- CSV

def _csv_cell(value: Any) -> Any:
    """One cell of a text (object) column, ready for the CSV writer."""
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return neutralise(value)
    if _is_number(value):
        if isinstance(value, (float, np.floating, Decimal)):
            return str(value).replace(".", ",")  # pandas' decimal= skips object columns
        return value
    if isinstance(value, (_dt.datetime, pd.Timestamp)):
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return neutralise(str(value))


def to_csv_bytes(df: pd.DataFrame, columns: Mapping[str, str]) -> bytes:
    """CSV as Norwegian Excel opens it with a double click: UTF-8 with BOM (so 'æøå'
    survive), ';' between fields, decimal comma, CRLF line ends, empty cells for
    missing values, dates as ISO 8601 (Excel reads these in any locale). Numeric
    columns stay numbers (negative ones too); text cells that could be read as
    formulas get a leading single quote (see `neutralise`)."""
    out = _select(df, columns)
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            continue  # written by pandas with decimal=','
        if pd.api.types.is_datetime64_any_dtype(series):
            continue  # ISO 8601 from pandas
        out[col] = series.astype(object).map(_csv_cell)
    out.columns = [neutralise(str(h)) for h in out.columns]
    text = out.to_csv(sep=";", decimal=",", index=False, na_rep="",
                      lineterminator="\r\n")
    return text.encode("utf-8-sig")


# --------------------------------------------------------------------------- XLSX

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, not blank."""
    title = _SHEET_FORBIDDEN.sub("-", name).strip().strip("'")[:31]
    return title or "Data"


def _xlsx_value(value: Any) -> tuple[Any, str | None]:
    """(value for openpyxl, number format or None)."""
    if _is_missing(value):
        return None, None
    if isinstance(value, (bool, np.bool_)):
        return bool(value), None
    if isinstance(value, (np.integer,)):
        return int(value), None
    if isinstance(value, (np.floating, Decimal)):
        number = float(value)
        return (number if math.isfinite(number) else None), None
    if isinstance(value, float):
        return (value if math.isfinite(value) else None), None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        value = pd.Timestamp(value).to_pydatetime()
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:  # Excel has no time zones: keep the wall clock
            value = value.replace(tzinfo=None)
        if value.time() == _dt.time(0):
            return value, _DATE_FORMAT
        return value, _DATETIME_FORMAT
    if isinstance(value, _dt.date):
        return value, _DATE_FORMAT
    if isinstance(value, int):
        return value, None
    # Control characters are not allowed in XLSX; 32 767 is Excel's cell limit.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:32767], None


def to_xlsx_bytes(df: pd.DataFrame, columns: Mapping[str, str],
                  sheet_name: str = "Data") -> bytes:
    """XLSX with one sheet: bold header row, frozen under the header, a filter, and
    modest column widths. Every cell is a value: text is stored as a string cell
    (data_type 's', quote-prefixed so editing it in Excel cannot make it a formula),
    so '=SUM(A1)' shows as text; numbers and dates keep their types."""
    out = _select(df, columns)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(sheet_name)
    bold = Font(bold=True)

    widths = []
    for j, header in enumerate(out.columns, start=1):
        cell = ws.cell(row=1, column=j)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(header))
        cell.data_type = "s"
        cell.font = bold
        widths.append(len(str(header)))

    for i, row in enumerate(out.itertuples(index=False, name=None), start=2):
        for j, raw in enumerate(row, start=1):
            value, number_format = _xlsx_value(raw)
            if value is None:
                continue
            cell = ws.cell(row=i, column=j)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would make '=...' a formula
                if _looks_like_formula(value):
                    cell.quotePrefix = True
            if number_format:
                cell.number_format = number_format
            shown = 10 if number_format else len(str(value))
            widths[j - 1] = max(widths[j - 1], shown)

    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
    ws.freeze_panes = "A2"
    if len(out.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(out.columns))}{len(out) + 1}"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------- file name

_SLUG_MAP = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def filename(slug: str, ext: str, today: _dt.date) -> str:
    """'tiltaksmonitor_<slug>_<YYYY-MM-DD>.<ext>', ASCII only so every browser and
    Content-Disposition header keeps it: filename('Vedtak', 'csv',
    date(2026, 11, 23)) -> 'tiltaksmonitor_vedtak_2026-11-23.csv'. `today` is a
    parameter so the function stays pure (pass the user's local date)."""
    text = slug.translate(_SLUG_MAP).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    extension = re.sub(r"[^a-z0-9]", "", ext.lower())
    if not text or not extension:
        raise ValueError(f"empty slug or extension: {slug!r}, {ext!r}")
    if isinstance(today, _dt.datetime):
        today = today.date()
    return f"tiltaksmonitor_{text}_{today.isoformat()}.{extension}"
