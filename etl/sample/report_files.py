"""How each year's reporting export looks: format, encoding, header spellings.

Real exports differ by year (the form tool changed, people saved from Excel), so the
sample shows every variant the contract accepts: XLSX; semicolon CSV in Windows-1252
with decimal comma, '610 000' amounts and Norwegian dates; header names in other
case, with spaces, or with æ/ø/å; scale labels instead of digits.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import contracts, reference
from . import writers
from .reports import Report

COLUMNS = contracts.KINDS["rapportering"].column_names
QUESTIONS = set(contracts.QUESTIONS)
AMOUNTS = {"tilskudd_kr", "brukt_lonn_kr", "brukt_kompetanse_kr", "overfort_kr"}

#: header spellings per report year (contract name -> as written); others as the contract
HEADER_VARIANTS = {
    2020: {"tiltak_id": "Tiltak_ID", "rapportaar": " rapportår ", "arsverk": "Årsverk",
           "nav_kontor": "NAV_kontor", "malgruppe": "Målgruppe", "overfort_kr": "overført_kr"},
    2022: {"tiltak_id": "TILTAK_ID", "rapportaar": "Rapportår", "videreforing": "videreføring",
           "videreforing_hvordan": "Videreføring_hvordan", "maaloppnaelse_metode": "måloppnåelse_metode",
           "utviklet_oppnadd": "utviklet_oppnådd"},
}
#: years whose export has no statsforvalter column (it comes from the register)
NO_REGION_COLUMN = {2019, 2020}
XLSX_YEAR = 2021
SHEET = "rapportering"


def _label(value: object, version: int, labels_wanted: bool) -> object:
    if labels_wanted and isinstance(value, int):
        return reference.scale_labels(version)[value]
    return value


def _columns(year: int) -> list[str]:
    return [c for c in COLUMNS if not (c == "statsforvalter" and year in NO_REGION_COLUMN)]


def write_year(out_dir: Path, year: int, reports: list[Report]) -> tuple[Path, int]:
    """One report year's export: XLSX for 2021, cp1252 semicolon CSV otherwise."""
    cols = _columns(year)
    variants = HEADER_VARIANTS.get(year, {})
    header = [variants.get(c, c) for c in cols]
    if year == XLSX_YEAR:
        rows = [[_xlsx_value(rep, c) for c in cols] for rep in reports]
        path = out_dir / f"rapportering_eksempeldata_{year}.xlsx"
        n = writers.write_xlsx(path, [(SHEET, header, rows), ("Les meg", ["merknad"], [[
            "Eksempeldata laget av etl sample. Ikke ekte tiltak; kontorene er ekte."]])])
        return path, n
    rows = [[_csv_value(rep, c, year, k) for c in cols] for k, rep in enumerate(reports)]
    path = out_dir / f"rapportering_eksempeldata_{year}.csv"
    n = writers.write_csv(path, header, rows, delimiter=";", encoding="cp1252", crlf=True)
    return path, n


def write_corrections(out_dir: Path, reports: list[Report]) -> tuple[Path, int]:
    """The 2022 re-export of two 2021 reports: UTF-8, comma, ISO timestamps."""
    cols = _columns(2021)
    rows = []
    for rep in reports:
        row = []
        for c in cols:
            v = rep.values.get(c)
            if c == "nav_kontor":
                v = v.spelled(2022)
            elif c == "innsendt":
                v = writers.iso_datetime(v)
            elif c in QUESTIONS:
                v = _label(v, int(rep.values["skjemaversjon"]), rep.label_style)
            row.append(v)
        rows.append(row)
    path = out_dir / "rapportering_eksempeldata_2021_korrigert.csv"
    return path, writers.write_csv(path, cols, rows, delimiter=",", encoding="utf-8")


def _xlsx_value(rep: Report, c: str) -> object:
    v = rep.values.get(c)
    if c == "nav_kontor":
        return v.spelled(rep.year)
    if c in QUESTIONS:
        return _label(v, int(rep.values["skjemaversjon"]), rep.label_style)
    return v


def _csv_value(rep: Report, c: str, year: int, k: int) -> object:
    v = rep.values.get(c)
    if v is None:
        return None
    if c == "nav_kontor":
        return v.spelled(year, "lower" if (year == 2023 and k % 9 == 4) else "canonical")
    if c in AMOUNTS:
        return writers.nok(v)
    if c == "arsverk":
        return writers.decimal_comma(v)
    if c == "innsendt":
        return writers.no_datetime(v) if isinstance(v, dt.datetime) else v
    if c in QUESTIONS:
        return _label(v, int(rep.values["skjemaversjon"]), rep.label_style)
    return v
