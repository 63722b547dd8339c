"""File -> a UTF-8 CSV that DuckDB can read, with its kind, header map and hash.

CSV files that are already UTF-8 are read in place (DuckDB streams them); Windows-1252
files are transcoded and XLSX sheets are written out as CSV first, both streaming.
Anything that cannot be read raises FileError with a one-line reason.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import contracts
from .normalize import fold, header_key

CHUNK = 1 << 20
_BLANK_LINE = re.compile(rb"\n\r?\n")
#: refuse XLSX whose unpacked size or compression ratio says "zip bomb"
XLSX_MAX_UNPACKED = 1 << 30
XLSX_MAX_RATIO = 200
XLSX_MAX_ENTRIES = 10_000


class FileError(Exception):
    """A file that cannot be read at all: the build stops and publishes nothing."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{Path(path).name}: {reason}")
        self.path = Path(path)
        self.reason = reason


@dataclass
class Source:
    path: Path                      # the file as dropped in
    kind: str
    sha256: str
    csv_path: Path                  # UTF-8 CSV for DuckDB (may be `path` itself)
    delimiter: str
    columns: list[str]              # contract name (or '_extra_<n>') per file column
    encoding: str
    #: True when the CSV carries `_line` and `_ncols` before the data columns (the
    #: exact path); False when DuckDB reads the file in place and line = record + 1
    numbered: bool = False
    is_sample: bool = False
    notes: list[str] = field(default_factory=list)
    temp: bool = False

    def cleanup(self) -> None:
        if self.temp and self.csv_path.exists():
            self.csv_path.unlink()


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    utf8: bool
    blank_lines: bool  # DuckDB skips blank lines, which would shift line numbers


def fingerprint(path: Path) -> Fingerprint:
    """Hash, UTF-8 validity and blank lines of a file, in one streaming pass."""
    h = hashlib.sha256()
    dec = codecs.getincrementaldecoder("utf-8")()
    utf8, blank, tail = True, False, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            if not blank:
                blank = bool(_BLANK_LINE.search(chunk) or _BLANK_LINE.search(tail + chunk[:2]))
                tail = chunk[-2:]
            # ASCII needs no decoding unless a multi-byte character is pending
            if utf8 and not (chunk.isascii() and not dec.getstate()[0]):
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return Fingerprint(h.hexdigest(), utf8, blank)


def map_header(path: Path, kind: str, header: list[str]) -> tuple[list[str], list[str]]:
    """Contract names for a file's header cells; notes about extra columns.

    A missing required column or two cells naming the same column make the file
    unreadable: no row of it could be interpreted.
    """
    spec = contracts.KINDS[kind]
    by_key = {header_key(c): c for c in spec.column_names}
    names, notes, seen = [], [], set()
    for i, cell in enumerate(header):
        name = by_key.get(header_key(cell or ""))
        if name is None:
            names.append(f"_extra_{i}")
            if (cell or "").strip():
                notes.append(f"ukjent kolonne «{cell.strip()}» ignorert")
            continue
        if name in seen:
            raise FileError(path, f"kolonnen «{name}» står to ganger i overskriften")
        seen.add(name)
        names.append(name)
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    if missing:
        raise FileError(path, f"mangler påkrevd kolonne: {', '.join(missing)}")
    return names, notes


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_first_line(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as fh:
        line = fh.readline()
    return line.lstrip("\ufeff").rstrip("\r\n")


def write_numbered(path: Path, encoding: str, delimiter: str, width: int, tmpdir: Path) -> Path:
    """Rewrite a CSV as UTF-8 with each record's first file line and column count.

    The exact path: for files DuckDB cannot number (blank lines, ragged rows) and for
    Windows-1252 files, which must be transcoded anyway. Ragged rows are padded or cut
    to the header's width and quarantined later by their `_ncols`.
    """
    fd, out = tempfile.mkstemp(suffix=".csv", dir=tmpdir)
    with open(path, encoding=encoding, newline="") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src, delimiter=delimiter)
        w = csv.writer(dst, quoting=csv.QUOTE_ALL, lineterminator="\n")
        next(reader)  # header, mapped separately
        w.writerow(["_line", "_ncols", *[f"c{i}" for i in range(width)]])
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            cells = row[:width] + [""] * (width - len(row))
            w.writerow([start, len(row), *cells])
    return Path(out)


def open_csv(path: Path, kind: str, fp: Fingerprint, tmpdir: Path, exact: bool = False) -> Source:
    encoding = "utf-8" if fp.utf8 else "cp1252"
    try:
        first = _read_first_line(path, encoding)
    except UnicodeDecodeError as e:  # cp1252 leaves five bytes undefined
        raise FileError(path, f"ukjent tegnkoding ({e.reason})") from None
    if not first.strip():
        raise FileError(path, "filen er tom eller mangler overskriftsrad")
    delim = _sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delim))
    columns, notes = map_header(path, kind, header)
    src = Source(path, kind, fp.sha256, path, delim, columns, encoding, notes=notes,
                 is_sample=contracts.is_sample_filename(path.name))
    if not fp.utf8:
        notes.append("lest som Windows-1252")
    if exact or not fp.utf8 or fp.blank_lines:
        try:
            src.csv_path = write_numbered(path, encoding, delim, len(columns), tmpdir)
        except UnicodeDecodeError as e:
            raise FileError(path, f"ukjent tegnkoding ({e.reason})") from None
        except csv.Error as e:
            raise FileError(path, f"ugyldig CSV ({e})") from None
        src.numbered, src.temp, src.delimiter = True, True, ","
    return src


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise FileError(path, "ikke en gyldig XLSX-fil (ødelagt zip)") from None
    if len(infos) > XLSX_MAX_ENTRIES:
        raise FileError(path, "XLSX-filen har unormalt mange deler; avvist")
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > XLSX_MAX_UNPACKED or unpacked / packed > XLSX_MAX_RATIO:
        raise FileError(path, f"XLSX-filen pakker ut til {unpacked // (1 << 20)} MB "
                              f"(forhold {unpacked // packed}:1); avvist som mulig zip-bombe")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_xlsx(path: Path, kind: str, sha: str, tmpdir: Path) -> Source:
    """First sheet (or the one named like the kind) to a numbered CSV, streaming."""
    _check_zip(path)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken files
        raise FileError(path, f"kan ikke lese XLSX ({type(e).__name__})") from None
    try:
        sheet = next((ws for ws in wb.worksheets if fold(ws.title).startswith(kind)), wb.worksheets[0])
        rows = sheet.iter_rows(values_only=True)
        header_row, header = 0, None
        for header_row, row in enumerate(rows, start=1):
            if any(v not in (None, "") for v in row):
                header = [_cell_text(v) for v in row]
                break
        if header is None:
            raise FileError(path, "arket er tomt")
        columns, notes = map_header(path, kind, header)
        fd, out = tempfile.mkstemp(suffix=".csv", dir=tmpdir)
        width = len(header)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            w = csv.writer(dst, quoting=csv.QUOTE_ALL, lineterminator="\n")
            w.writerow(["_line", "_ncols", *[f"c{i}" for i in range(width)]])
            for line, row in enumerate(rows, start=header_row + 1):
                cells = [_cell_text(v) for v in row[:width]]
                if not any(c.strip() for c in cells):
                    continue
                cells += [""] * (width - len(cells))
                w.writerow([line, width, *cells])
    except FileError:
        raise
    except Exception as e:
        raise FileError(path, f"kan ikke lese XLSX ({type(e).__name__}: {e})") from None
    finally:
        wb.close()
    notes.append(f"ark «{sheet.title}»")
    return Source(path, kind, sha, Path(out), ",", columns, "xlsx", numbered=True,
                  notes=notes, temp=True, is_sample=contracts.is_sample_filename(path.name))


def open_source(path: Path, kind: str, tmpdir: Path, fp: Fingerprint | None = None, exact: bool = False) -> Source:
    fp = fp or fingerprint(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return open_xlsx(path, kind, fp.sha256, tmpdir)
    if suffix in (".csv", ".txt"):
        return open_csv(path, kind, fp, tmpdir, exact)
    raise FileError(path, f"filtypen {suffix or '(ingen)'} støttes ikke; bruk CSV eller XLSX")
