"""Writing files the way Norwegian users' tools write them, byte-for-byte reproducibly.

CSV in UTF-8 (with or without BOM) or Windows-1252, comma or semicolon; XLSX with
the zip timestamps and document dates pinned, because openpyxl stamps the wall clock
into both and the generator must give the same bytes for the same seed.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

import openpyxl
from openpyxl.utils import get_column_letter

#: every date stamped into an XLSX file (zip entries, docProps)
FIXED_STAMP = dt.datetime(2024, 1, 1, 0, 0, 0)


def nok(amount: int | float | None) -> str:
    """610000 -> '610 000' (whole kroner with space thousands separator)."""
    if amount is None:
        return ""
    return f"{int(round(amount)):,}".replace(",", " ")


def decimal_comma(x: float | None) -> str:
    """1.5 -> '1,5'; 2.0 -> '2'."""
    if x is None:
        return ""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s.replace(".", ",")


def no_date(d: dt.date | None) -> str:
    return "" if d is None else d.strftime("%d.%m.%Y")


def no_datetime(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime("%d.%m.%Y %H:%M")


def iso_datetime(t: dt.datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M:%S")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              delimiter: str = ",", encoding: str = "utf-8", crlf: bool = False) -> int:
    """Write rows (None -> empty) and return how many data rows were written.

    encoding 'utf-8-sig' writes the BOM Excel puts first; 'cp1252' is what Norwegian
    Excel saves as 'CSV (semikolonseparert)', with CRLF line ends.
    """
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    n = 0
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
        n += 1
    path.write_bytes(buf.getvalue().encode(encoding))
    return n


def write_xlsx(path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[object]]]]) -> int:
    """One workbook, one sheet per (name, header, rows); dates get Norwegian formats.

    Returns the number of data rows of the first sheet.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append(list(header))
        for row in rows:
            ws.append([None if v == "" else v for v in row])
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd.mm.yyyy hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "dd.mm.yyyy"
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(h)) + 2))
        ws.freeze_panes = "A2"
    wb.properties.creator = "Tiltaksmonitor eksempeldata"
    wb.properties.created = FIXED_STAMP
    raw = io.BytesIO()
    wb.save(raw)
    path.write_bytes(_pin_zip(raw.getvalue()))
    return len(sheets[0][2])


_STAMP_RE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _pin_zip(data: bytes) -> bytes:
    """Rewrite an XLSX zip with fixed entry times and fixed docProps dates."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _STAMP_RE.sub(lambda m: m.group(1) + stamp + m.group(2), content)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()
