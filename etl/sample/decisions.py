"""Monthly decisions (vedtak) under §17 and §20 a, for every office.

Volumes follow office size, season and a mild trend. PROFH's four offices make more
§17 decisions from February 2019 (the project's effect) and are written as one small
aggregated file with `antall`; every other office is written one row per decision,
one file per year, so 'decision records' = rows and the volume is a real load test.
Lines are built per (office, month, cell) by string repetition, never per record.

Scale N: offices up to 250, years back to 2014 (10 years) and each non-PROFH office's
volume x N**0.7, so scale 1 ≈ 0.5 million, scale 10 ≈ 11 million, scale 100 ≈ 50 million.
"""
from __future__ import annotations

import calendar
from pathlib import Path

import numpy as np

from .offices import JUMP_FACTOR, JUMP_MONTH, JUMP_OFFICE, PROFH_OFFICES, Office
from .randomness import rng

LAST_YEAR = 2023
BASE_YEARS = 6                      # 2018-2023 at scale 1
MAX_YEARS = 10
VOLUME_EXPONENT = 0.7
PER_EMPLOYEE = 1.1                  # decisions per employee and month, both paragrafs
PARAGRAF_SHARE = {"17": 0.6, "20a": 0.4}
FLOOR = 10.0                        # minimum expected decisions per office, month, paragraf
TYPES = ("innvilget", "avslag", "stans", "endring")
AGES = ("under 30", "30 og over")
TYPE_P = {"17": (0.80, 0.08, 0.07, 0.05), "20a": (0.70, 0.05, 0.10, 0.15)}
UNDER30_P = {"17": 0.35, "20a": 0.85}
SEASON = np.array([1.08, 1.0, 1.05, 0.98, 1.0, 0.97, 0.78, 0.95, 1.05, 1.05, 1.02, 0.9])
NOISE_SD = 0.08
#: §17 uplift per PROFH office once the project is under way (ramp Feb-Jun 2019)
PROFH_UPLIFT = {"NAV Ringsaker": 1.8, "NAV Hamar": 1.5, "NAV Stange": 1.7, "NAV Løten": 1.45}
UNKNOWN_OFFICE = "NAV Atlantis"

PARAGRAFS = ("17", "20a")
#: the 16 cells of one office-month, in file order: (paragraf, type, age)
CELLS = [(p, t, a) for p in PARAGRAFS for t in TYPES for a in AGES]


def years(scale: int) -> range:
    n = min(BASE_YEARS + scale - 1, MAX_YEARS)
    return range(LAST_YEAR - n + 1, LAST_YEAR + 1)


def volume_factor(office: Office, scale: int) -> float:
    return 1.0 if office.navn in PROFH_OFFICES else float(scale) ** VOLUME_EXPONENT


def counts(office: Office, year: int, seed: int, scale: int) -> np.ndarray:
    """(12, 16) decision counts for one office and year; PROFH independent of scale."""
    r = rng(seed, "vedtak", office.kontor_id, year)
    trend = 1 + 0.02 * (year - 2018) + (0.05 if year == 2020 else 0)
    out = np.zeros((12, len(CELLS)), dtype=np.int64)
    for pi, par in enumerate(PARAGRAFS):
        lam = max(PER_EMPLOYEE * office.ansatte * PARAGRAF_SHARE[par], FLOOR) * volume_factor(office, scale)
        lam = lam * SEASON * trend * np.exp(np.clip(r.normal(0, NOISE_SD, 12), -2.5 * NOISE_SD, 2.5 * NOISE_SD))
        if par == "17" and office.navn in PROFH_UPLIFT and year >= 2019:
            ramp = np.clip((np.arange(1, 13) - 1) / 5, 0, 1) if year == 2019 else np.ones(12)
            lam = lam * (1 + (PROFH_UPLIFT[office.navn] - 1) * ramp)
        if office.navn == JUMP_OFFICE and year < JUMP_MONTH[0]:
            lam = lam / JUMP_FACTOR
        total = np.maximum(np.rint(lam), 1).astype(np.int64)
        p_type = np.array(TYPE_P[par])
        p_age = np.array([UNDER30_P[par], 1 - UNDER30_P[par]])
        p = np.outer(p_type, p_age).ravel()
        out[:, pi * 8:(pi + 1) * 8] = r.multinomial(total, p)
    return out


def spelling_style(year: int) -> str:
    """Old exports folded æøå, 2020's system wrote lower case, later ones proper names."""
    if year <= 2019:
        return "ascii"
    if year == 2020:
        return "lower"
    return "canonical"


def write_bulk(path: Path, offices: list[Office], year: int, seed: int, scale: int) -> int:
    """One row per decision for every non-PROFH office in `year`; returns rows written."""
    suffix = [f",{p},{t},{a}\n" for p, t, a in CELLS]
    n_rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("nav_kontor,periode,paragraf,vedtakstype,aldersgruppe\n")
        for office in offices:
            if office.navn in PROFH_OFFICES:
                continue
            c = counts(office, year, seed, scale)
            name = office.spelled(year, spelling_style(year))
            parts = []
            for m in range(12):
                head = f"{name},{year}-{m + 1:02d}"
                for k, n in enumerate(c[m]):
                    if n:
                        parts.append((head + suffix[k]) * int(n))
            fh.write("".join(parts))
            n_rows += int(c.sum())
    return n_rows


def aggregated_rows(by_name: dict[str, Office], seed: int, scale: int) -> list[list[object]]:
    """PROFH offices as monthly counts (antall), plus two rows for an unknown office."""
    rows: list[list[object]] = []
    for oname in PROFH_OFFICES:
        office = by_name[oname]
        for year in years(scale):
            c = counts(office, year, seed, scale)
            name = office.spelled(year)
            for m in range(12):
                last_day = f"{calendar.monthrange(year, m + 1)[1]:02d}.{m + 1:02d}.{year}"
                for (p, t, a), n in zip(CELLS, c[m]):
                    if n:
                        rows.append([name, last_day, p, t, a, int(n)])
    rows.append([UNKNOWN_OFFICE, "31.03.2021", "17", "innvilget", "under 30", 4])
    rows.append([UNKNOWN_OFFICE, "31.03.2021", "20a", "innvilget", "under 30", 3])
    return rows
