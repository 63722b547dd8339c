"""Deterministic sample data in the input-file contract's raw formats (`etl sample`).

`generate(out_dir, scale, seed)` writes one file set a newcomer can load at once:
every format the contract accepts (XLSX, CSV with comma or semicolon, UTF-8 with and
without BOM, Windows-1252, decimal comma, Norwegian dates, header and office-name
variants) and content that reproduces the published figures of the 2021 cohort and
the PROFH audit. Files are named `<kind>_eksempeldata_<what>.<ext>`; the ETL flags
anything with 'eksempeldata' in its name as sample data.

The published slice (the 2021 reports, the ratings, the methods, the replications,
PROFH 2019 spot checks and PROFH decisions) is byte-identical at every scale; scale
only adds offices, earlier years, audit cases and decisions. Same seed and scale,
same bytes: every random draw comes from a stream keyed by what it is for.

Deliberately bad rows, for the quarantine and the data-quality page, are listed as
data below (DELIBERATE_ERRORS, DELIBERATE_WARNINGS); none touches a published figure.
"""
from __future__ import annotations

from pathlib import Path

from . import audits, decisions, methods, offices, ratings, report_files, reports, writers
from .ideas import METHOD_TEXTS

PUBLISHED_SLICE_YEAR = reports.PUBLISHED_SLICE_YEAR          # 2021
FUNDED_2021 = reports.FUNDED_2021                            # 203
BLANK_FORMS_2021 = reports.BLANK_FORMS_2021                  # 22
OVER_CAP_2021 = reports.OVER_CAP_2021                        # 3
REPORT_YEARS = (reports.FIRST_REPORT_YEAR, reports.LAST_REPORT_YEAR)   # at scale 1
DECISION_YEARS = (2018, 2023)                                # at scale 1
SCREENING_CROSSTAB = ratings.SCREENING
DEPTH_CROSSTAB = ratings.DEPTH
CASE_DROPOUTS = ratings.CASE_DROPOUTS
RATERS = (ratings.RATER_A, ratings.RATER_B)
METHOD_TILTAK = {m.metode_id: m.tiltak_id for m in methods.METHODS}
METHOD_OFFICES = {m.metode_id: m.office for m in methods.METHODS}
PROFH_OFFICES = offices.PROFH_OFFICES
PILOT_OFFICES = offices.PILOT_OFFICES
JUMP_OFFICE, JUMP_MONTH = offices.JUMP_OFFICE, offices.JUMP_MONTH
UNKNOWN_OFFICE = decisions.UNKNOWN_OFFICE
SAMPLE_MARK = "eksempeldata"

#: one entry per row the ETL must quarantine: (kind, the column whose value is wrong)
DELIBERATE_ERRORS: list[tuple[str, str]] = [
    ("vedtak", "nav_kontor"),         # 'NAV Atlantis', 31.03.2021, §17   (profh_aggregert file)
    ("vedtak", "nav_kontor"),         # 'NAV Atlantis', 31.03.2021, §20 a (profh_aggregert file)
    ("rapportering", "innsendt"),     # '31.02.2022' for T2022-076 in the 2022 export
    ("stikkprove", "paragraf"),       # paragraf '21', NAV Hamar, 2019 runde 1
]
#: one entry per data-quality warning (warning codes as in docs/warehouse.md), any scale
DELIBERATE_WARNINGS: list[tuple[str, str]] = (
    [("rapportering", "tomt_skjema")] * BLANK_FORMS_2021          # the 22 blank 2021 forms
    + [("rapportering", "over_kostnadstak")] * OVER_CAP_2021      # 3 grants above the cap, 2021
    + [("stikkprove", "tom_kontroll")]                            # NAV Løten 2019 runde 2, all blank
    + [("vedtak", "hopp_i_vedtak")]                               # NAV Lindesnes 2020-01 (merger)
)


def generate(out_dir: Path, scale: int = 1, seed: int = 2021) -> list[Path]:
    """Write the sample files into out_dir and return their paths (in load order)."""
    return [p for p, _ in generate_with_counts(out_dir, scale, seed)]


def generate_with_counts(out_dir: Path, scale: int = 1, seed: int = 2021) -> list[tuple[Path, int]]:
    """As generate(), with the number of data rows of each file (first sheet for XLSX)."""
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, not {scale!r}")
    scale = int(scale)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.iterdir()):
        if old.is_file() and SAMPLE_MARK in old.name:
            old.unlink()
    register = offices.register(scale, seed)
    real = register[:len(offices.REAL_OFFICES)]
    by_name = offices.by_name(register)
    out: list[tuple[Path, int]] = []

    out.append(_kontorer(out_dir, register))
    files, reports_2021 = _rapportering(out_dir, real, seed, scale)
    out.extend(files)
    out.extend(_stikkprove(out_dir, register, by_name, seed, scale))
    out.extend(_vedtak(out_dir, register, by_name, seed, scale))
    out.extend(_vurderinger(out_dir, reports_2021, seed))
    out.extend(_metoder_replikering(out_dir))
    return out


def _kontorer(out_dir: Path, register: list[offices.Office]) -> tuple[Path, int]:
    rows = offices.register_rows(register)
    path = out_dir / "kontorer_eksempeldata_register.csv"
    header = list(rows[0])
    return path, writers.write_csv(path, header, [[r[c] for c in header] for r in rows],
                                   delimiter=",", encoding="utf-8-sig", crlf=True)


def _rapportering(out_dir, real, seed, scale):
    first_year = reports.FIRST_REPORT_YEAR - min(scale - 1, 4)
    tiltak = reports.build_tiltak(real, seed, scale)
    by_year = reports.build_reports(tiltak, seed, first_year)
    by_year[2022].append(reports.invalid_report(real, seed))
    by_year[2022].sort(key=lambda rep: rep.tiltak.tiltak_id)
    out = [report_files.write_year(out_dir, y, by_year[y]) for y in sorted(by_year)]
    out.append(report_files.write_corrections(out_dir, reports.corrections(by_year[PUBLISHED_SLICE_YEAR], seed)))
    return out, by_year[PUBLISHED_SLICE_YEAR]


def _stikkprove(out_dir, register, by_name, seed, scale):
    rows = audits.base_rows(by_name, seed)
    cols = ["runde", "nav_kontor", "kontrolldato", "paragraf", "saksnummer", "veileder", "ny_bruker",
            "kontrollert_av", *audits.POINTS, *(f"kommentar_{p}" for p in audits.POINTS)]
    variants = {"runde": "Runde", "nav_kontor": "NAV_kontor", "kontrolldato": "Kontrolldato",
                "saksnummer": "Saksnummer", "veileder": "Veileder"}
    path = out_dir / "stikkprove_eksempeldata_profh_2019.xlsx"
    out = [(path, writers.write_xlsx(path, [("Ark1", [variants.get(c, c) for c in cols],
                                             [[r[c] for c in cols] for r in rows])]))]
    bulk = audits.bulk_frame(register, seed, scale)
    if bulk is not None:
        bpath = out_dir / "stikkprove_eksempeldata_flere_kontorer.csv"
        bpath.write_bytes(bulk.to_csv(index=False, sep=";", lineterminator="\n").encode("utf-8"))
        out.append((bpath, len(bulk)))
    return out


def _vedtak(out_dir, register, by_name, seed, scale):
    agg = decisions.aggregated_rows(by_name, seed, scale)
    path = out_dir / "vedtak_eksempeldata_profh_aggregert.csv"
    out = [(path, writers.write_csv(path, ["nav_kontor", "periode", "paragraf", "vedtakstype",
                                           "aldersgruppe", "antall"], agg))]
    for year in decisions.years(scale):
        p = out_dir / f"vedtak_eksempeldata_{year}.csv"
        out.append((p, decisions.write_bulk(p, register, year, seed, scale)))
    return out


def _vurderinger(out_dir, reports_2021, seed):
    phases = ratings.build(reports_2021, seed)
    base = ["tiltak_id", "fase", "vurderer", "vurdering", "dato", "begrunnelse"]
    out = []
    scr = [[r["tiltak_id"], r["fase"], r["vurderer"], r["vurdering"].capitalize(), r["dato"].isoformat(),
            r["begrunnelse"]] for r in phases["screening"]]
    p = out_dir / "vurderinger_eksempeldata_2021_screening.csv"
    out.append((p, writers.write_csv(p, base, scr, delimiter=",", encoding="utf-8")))
    dyb = [[r["tiltak_id"], r["fase"], r["vurderer"], r["vurdering"], writers.no_date(r["dato"]),
            r["begrunnelse"]] for r in phases["dybde"]]
    p = out_dir / "vurderinger_eksempeldata_2021_dybde.csv"
    out.append((p, writers.write_csv(p, base, dyb, delimiter=";", encoding="utf-8")))
    cols = base + list(ratings.CRITERIA)
    joint = [[r[c].isoformat() if c == "dato" else r.get(c) for c in cols]
             for r in phases["felles"] + phases["case"]]
    p = out_dir / "vurderinger_eksempeldata_2021_felles_og_case.csv"
    out.append((p, writers.write_csv(p, cols, joint, delimiter=";", encoding="utf-8-sig", crlf=True)))
    return out


def _metoder_replikering(out_dir):
    rows = methods.method_rows(METHOD_TEXTS)
    cols = list(rows[0])
    p = out_dir / "metoder_eksempeldata_lovende.csv"
    out = [(p, writers.write_csv(p, cols, [[r[c] for c in cols] for r in rows], delimiter=",", encoding="utf-8"))]
    rep = methods.replication_rows()
    cols = list(rep[0])
    p = out_dir / "replikering_eksempeldata_metoder.csv"
    out.append((p, writers.write_csv(p, cols, [[r[c] for c in cols] for r in rep], delimiter=";",
                                     encoding="cp1252", crlf=True)))
    return out
