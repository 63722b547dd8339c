"""dashboard.export: Norwegian-Excel CSV, value-only XLSX, injection-safe cells."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dashboard.export import filename, neutralise, to_csv_bytes, to_xlsx_bytes

COLUMNS = {"kontor": "NAV-kontor", "antall": "Antall vedtak", "belop": "Beløp (kr)"}


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({
        "kontor": ["NAV Alna", "Nav Øygarden", "=HYPERLINK(\"http://x\",\"klikk\")"],
        "antall": [12, -3, 0],
        "belop": [610000.5, -20000.25, np.nan],
        "saksnummer": ["2019/1", "2019/2", "2019/3"],  # must never be exported
    })


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


# ------------------------------------------------------------------- neutralise

@pytest.mark.parametrize(
    "text, expected",
    [
        ("=1+1", "'=1+1"),
        ("+47 22 22 22 22", "'+47 22 22 22 22"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),       # leading spaces do not hide a formula
        ("-5", "-5"),                # a number written as text carries no formula
        ("-12,5", "-12,5"),
        ("-", "-"),                  # nil mark in a table
        ("NAV Alna", "NAV Alna"),
        ("1-2", "1-2"),
        ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


# -------------------------------------------------------------------------- CSV

def test_csv_is_utf8_bom_semicolon_decimal_comma(table):
    data = to_csv_bytes(table, COLUMNS)
    assert data.startswith("\ufeff".encode("utf-8"))
    assert b"\r\n" in data
    rows = _rows(data)
    assert rows[0] == ["NAV-kontor", "Antall vedtak", "Beløp (kr)"]
    assert rows[1] == ["NAV Alna", "12", "610000,5"]
    assert rows[2] == ["Nav Øygarden", "-3", "-20000,25"]   # negatives stay numbers
    assert rows[3] == ["'=HYPERLINK(\"http://x\",\"klikk\")", "0", ""]
    assert len(rows) == 4


def test_csv_exports_only_named_columns_in_order(table):
    rows = _rows(to_csv_bytes(table, {"belop": "Beløp", "kontor": "Kontor"}))
    assert rows[0] == ["Beløp", "Kontor"]
    assert all(len(r) == 2 for r in rows)
    assert "2019/1" not in to_csv_bytes(table, COLUMNS).decode("utf-8-sig")


def test_csv_mixed_object_column():
    df = pd.DataFrame({"v": [1.5, -3, "-x", None, dt.date(2021, 6, 30), "a;b", True]})
    rows = _rows(to_csv_bytes(df, {"v": "Verdi"}))
    assert [r[0] for r in rows[1:]] == [
        "1,5", "-3", "'-x", "", "2021-06-30", "a;b", "True"]


def test_csv_dates_nullable_and_categorical():
    df = pd.DataFrame({
        "d": pd.to_datetime(["2021-06-30", None]),
        "n": pd.array([5, None], dtype="Int64"),
        "f": pd.array([2.7, None], dtype="Float64"),
        "c": pd.Categorical(["=x", "ok"]),
    })
    rows = _rows(to_csv_bytes(df, {"d": "Dato", "n": "N", "f": "Snitt", "c": "Kat"}))
    assert rows[1:] == [["2021-06-30", "5", "2,7", "'=x"], ["", "", "", "ok"]]


def test_csv_neutralises_headers_too():
    rows = _rows(to_csv_bytes(pd.DataFrame({"a": [1]}), {"a": "=Sum"}))
    assert rows[0] == ["'=Sum"]


@pytest.mark.parametrize("columns, error", [({"nope": "X"}, KeyError), ({}, ValueError),
                                            ({"a": "X", "b": "X"}, ValueError)])
def test_bad_column_mappings(columns, error):
    df = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(error):
        to_csv_bytes(df, columns)
    with pytest.raises(error):
        to_xlsx_bytes(df, columns)


# ------------------------------------------------------------------------- XLSX

def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_xlsx_values_headers_and_types(table):
    ws = _sheet(to_xlsx_bytes(table, COLUMNS, "Vedtak"))
    assert ws.title == "Vedtak"
    assert [c.value for c in ws[1]] == ["NAV-kontor", "Antall vedtak", "Beløp (kr)"]
    assert all(c.font.bold for c in ws[1])
    assert [c.value for c in ws[2]] == ["NAV Alna", 12, 610000.5]
    assert [c.value for c in ws[3]] == ["Nav Øygarden", -3, -20000.25]
    assert ws["B3"].data_type == "n" and ws["C3"].data_type == "n"
    assert ws["C4"].value is None
    assert ws.max_column == 3 and ws.max_row == 4
    assert ws.freeze_panes == "A2"


def test_xlsx_never_writes_formulas(table):
    data = to_xlsx_bytes(table, COLUMNS, "Vedtak")
    ws = _sheet(data)
    cell = ws["A4"]
    assert cell.value == "=HYPERLINK(\"http://x\",\"klikk\")"   # shown as typed
    assert cell.data_type == "s"
    assert cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_xlsx_dates_booleans_and_control_characters():
    df = pd.DataFrame({
        "d": [dt.date(2021, 6, 30), None],
        "t": pd.to_datetime(["2016-10-14 12:30", None]),
        "b": [True, False],
        "s": ["a\x00b\x07c", "-x"],
    })
    ws = _sheet(to_xlsx_bytes(df, {"d": "Dato", "t": "Tid", "b": "Ja/nei", "s": "Tekst"}))
    assert ws["A2"].value == dt.datetime(2021, 6, 30)
    assert ws["A2"].number_format == "DD.MM.YYYY"
    assert ws["B2"].value == dt.datetime(2016, 10, 14, 12, 30)
    assert ws["B2"].number_format == "DD.MM.YYYY HH:MM"
    assert ws["A3"].value is None and ws["B3"].value is None
    assert ws["C2"].value is True and ws["C3"].value is False
    assert ws["D2"].value == "abc"
    assert ws["D3"].value == "-x" and ws["D3"].data_type == "s"


@pytest.mark.parametrize(
    "name, title",
    [("Vedtak", "Vedtak"), ("a/b:c", "a-b-c"), ("", "Data"),
     ("x" * 40, "x" * 31)],
)
def test_xlsx_sheet_names_are_valid(name, title):
    ws = _sheet(to_xlsx_bytes(pd.DataFrame({"a": [1]}), {"a": "A"}, name))
    assert ws.title == title


# -------------------------------------------------------------------- filename

@pytest.mark.parametrize(
    "slug, ext, today, expected",
    [
        ("vedtak", "csv", dt.date(2026, 11, 23), "tiltaksmonitor_vedtak_2026-11-23.csv"),
        ("Vedtak", ".XLSX", dt.date(2026, 1, 2), "tiltaksmonitor_vedtak_2026-01-02.xlsx"),
        ("Egenvurdering – Møre og Romsdal", "csv", dt.date(2021, 6, 30),
         "tiltaksmonitor_egenvurdering-more-og-romsdal_2021-06-30.csv"),
        ("Lovende metoder/Grünerløkka", "xlsx", dt.datetime(2023, 5, 17, 23, 59),
         "tiltaksmonitor_lovende-metoder-grunerlokka_2023-05-17.xlsx"),
        ("Ærlig språk", "csv", dt.date(2024, 2, 29), "tiltaksmonitor_aerlig-sprak_2024-02-29.csv"),
    ],
)
def test_filename(slug, ext, today, expected):
    assert filename(slug, ext, today) == expected


@pytest.mark.parametrize("slug, ext", [("", "csv"), ("---", "csv"), ("vedtak", "")])
def test_filename_rejects_empty(slug, ext):
    with pytest.raises(ValueError):
        filename(slug, ext, dt.date(2026, 11, 23))
