"""Small raw folders for ETL tests: a two-office register and files written as users
would write them (encodings, separators, XLSX)."""
from __future__ import annotations

from pathlib import Path

import duckdb

REGISTER = (
    "kontor_id,navn,aliaser,kommune,fylke,statsforvalter,ansatte,gyldig_fra\n"
    "K0301-ALNA,NAV Alna,Nav Alna,Oslo,Oslo,Oslo og Viken,120,2015-01-01\n"
    "K3412-LOTEN,NAV Løten,Nav Løten,Løten,Innlandet,Innlandet,20,01.01.2015\n"
)

REPORT_HEADER = "tiltak_id;rapportaar;rapporttype;nav_kontor;tiltak_navn;tilskudd_kr;innsendt;arsverk;q01;q02"


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def raw_with_register(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    write(raw, "kontorer.csv", REGISTER)
    return raw


def write_xlsx(path: Path, rows: list[list], sheet: str = "Ark1") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def query(db: Path, sql: str, params=()):
    con = duckdb.connect(str(Path(db).resolve()), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()
