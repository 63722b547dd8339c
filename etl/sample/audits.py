"""Internal-control spot checks (stikkprove) of §17 and §20 a decisions.

The base slice is PROFH 2019: four offices, five advisers each, two rounds, two
cases per adviser, round and form (one new user, one long-term). In round 2 the
compliance at each risk's checklist point is below the risk's threshold at exactly
`published_offices` of the four offices, as the evaluation reported. Larger scales
add a bulk CSV of other offices and years (about 20 000 check rows per scale unit,
so scale 50 reaches the national ceiling of one million), never touching PROFH 2019.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from .. import contracts, reference
from .offices import PROFH_OFFICES, Office
from .randomness import rng

POINTS = contracts.POINTS                      # p01..p16
N_POINTS = {"17": reference.checklist_size("17"), "20a": reference.checklist_size("20a")}
ADVISERS_PER_OFFICE = 5
AUDIT_YEAR = 2019
DEADLINE_POINT = {"17": 3, "20a": 2}
CHECK_ROWS_PER_SCALE = 20_000

#: per point: probabilities (ja, nei, ikke relevant, blank) in round 2; round 1 is weaker
P17 = {1: (.86, .10, .02, .02), 2: (.80, .15, .03, .02), 3: (.97, .03, 0, 0), 4: (.10, .04, .85, .01),
       5: (.76, .20, .02, .02), 6: (.35, .13, .50, .02), 7: (.72, .12, .14, .02), 8: (.22, .06, .70, .02),
       9: (.70, .25, .03, .02), 10: (.12, .06, .80, .02), 11: (.12, .07, .79, .02), 12: (.45, .15, .38, .02)}
P20A = {1: (.85, .12, .01, .02), 2: (.97, .03, 0, 0), 3: (.08, .04, .87, .01), 4: (.85, .10, .03, .02),
        5: (.20, .08, .70, .02), 6: (.74, .22, .02, .02), 7: (.72, .24, .02, .02), 8: (.70, .26, .02, .02),
        9: (.86, .10, .02, .02), 10: (.95, .02, .01, .02), 11: (.75, .20, .03, .02), 12: (.90, .08, 0, .02),
        13: (.25, .10, .63, .02), 14: (.35, .12, .51, .02), 15: (.50, .25, .23, .02), 16: (.55, .25, .18, .02)}
PROBS = {"17": P17, "20a": P20A}
ANSWERS = np.array(["ja", "nei", "ikke relevant", ""], dtype=object)

#: round-2 counts over ten §20 a cases (ja, nei, ikke relevant)
BELOW = ((7, 3, 0), (6, 3, 1), (6, 4, 0), (5, 4, 1))     # ja/(ja+nei) < 0.75
ABOVE = ((8, 2, 0), (9, 1, 0), (8, 1, 1), (10, 0, 0), (9, 0, 1))

COMMENTS = {
    ("20a", 6): "Vilkåret er formulert som krav om dokumentasjon",
    ("20a", 7): "Mange og generelle vilkår i samme vedtak",
    ("20a", 8): "Ikke notert at vilkåret er drøftet med bruker",
    ("20a", 15): "Mangler endringsvedtak etter at konsekvens ble iverksatt",
    ("20a", 16): "Ny rutine for vurdering av råd og veiledning er ikke fulgt",
    ("17", 1): "Kartleggingsnotat mangler",
    ("17", 5): "Standardtekst, ingen individuell vurdering",
    ("17", 9): "Ikke dokumentert hva som er gitt av veiledning",
}

#: control dates per office (order of PROFH_OFFICES) and round
ROUND_DATES = {
    1: (dt.date(2019, 6, 12), dt.date(2019, 6, 13), dt.date(2019, 6, 18), dt.date(2019, 6, 19)),
    2: (dt.date(2019, 10, 29), dt.date(2019, 10, 30), dt.date(2019, 11, 5), dt.date(2019, 11, 6)),
}


def risk_offices() -> dict[str, list[str]]:
    """risk_id -> the PROFH offices (register names) below the threshold in round 2."""
    out = {}
    for i, risk in enumerate(reference.rows("risks")):
        k = int(risk["published_offices"])
        out[risk["risk_id"]] = [PROFH_OFFICES[(i + j) % len(PROFH_OFFICES)] for j in range(k)]
    return out


def _idents(r: np.random.Generator, n: int) -> list[str]:
    letters = r.choice(list("ABDEGHJKLMNRST"), size=n)
    nums = r.choice(np.arange(100000, 999999), size=n, replace=False)
    return [f"{a}{b}" for a, b in zip(letters, nums)]


def base_rows(by_name: dict[str, Office], seed: int) -> list[dict[str, object]]:
    """PROFH 2019: 160 checked cases, one all-blank case and one case with paragraf '21'."""
    r = rng(seed, "audit-base")
    staff = _idents(r, len(PROFH_OFFICES) * (ADVISERS_PER_OFFICE + 1))
    coord = staff[-len(PROFH_OFFICES):]
    case_nos = iter(r.choice(np.arange(1000, 99999), size=400, replace=False))
    below = risk_offices()
    risk_points = {int(x["point_no"]): x["risk_id"] for x in reference.rows("risks")}
    rows = []
    for rnd in (1, 2):
        for oi, oname in enumerate(PROFH_OFFICES):
            office = by_name[oname]
            advisers = staff[oi * ADVISERS_PER_OFFICE:(oi + 1) * ADVISERS_PER_OFFICE]
            for par in ("17", "20a"):
                cases = [(a, nb) for a in advisers for nb in ("ja", "nei")]
                ans = _answers(r, par, rnd, len(cases))
                if rnd == 2 and par == "20a":
                    for p, rid in risk_points.items():
                        pattern = BELOW if oname in below[rid] else ABOVE
                        ja, nei, ir = pattern[int(r.integers(len(pattern)))]
                        col = ["ja"] * ja + ["nei"] * nei + ["ikke relevant"] * ir
                        ans[:, p - 1] = np.array(col, dtype=object)[r.permutation(len(cases))]
                for (adviser, nb), a in zip(cases, ans):
                    row = _row(office, oname, rnd, oi, par, f"19/{next(case_nos):05d}-{int(r.integers(1, 9))}",
                               adviser, nb, coord[(oi + 1) % len(coord)], a, r)
                    rows.append(row)
    # data-quality examples: an empty check (warning) and an unknown paragraf (quarantine)
    loten, hamar = PROFH_OFFICES.index("NAV Løten"), PROFH_OFFICES.index("NAV Hamar")
    empty = _row(by_name["NAV Løten"], "NAV Løten", 2, loten, "17", f"19/{next(case_nos):05d}-1",
                 staff[loten * ADVISERS_PER_OFFICE], "nei", coord[0], np.array([""] * 16, dtype=object), r)
    for p in POINTS:
        empty[f"kommentar_{p}"] = None
    bad = _row(by_name["NAV Hamar"], "NAV Hamar", 1, hamar, "17", f"19/{next(case_nos):05d}-2",
               staff[hamar * ADVISERS_PER_OFFICE + 1], "ja", coord[2], _answers(r, "17", 1, 1)[0], r)
    bad["paragraf"] = "21"
    rows.extend([empty, bad])
    return rows


def _answers(r: np.random.Generator, par: str, rnd: int, n: int) -> np.ndarray:
    out = np.full((n, len(POINTS)), "", dtype=object)
    for p, probs in PROBS[par].items():
        pr = np.array(probs, dtype=float)
        if rnd == 1 and p != DEADLINE_POINT[par]:
            pr = pr + np.array([-0.08, 0.08, 0, 0]) * (pr[0] > 0.2)
        out[:, p - 1] = ANSWERS[r.choice(4, size=n, p=pr / pr.sum())]
    return out


def _row(office, oname, rnd, oi, par, saksnummer, adviser, nb, controller, answers, r):
    date = ROUND_DATES[rnd][oi]
    written = office.spelled(AUDIT_YEAR, "ascii" if (oname == "NAV Løten" and rnd == 1) else "canonical")
    row = {"runde": f"{AUDIT_YEAR} runde {rnd}", "nav_kontor": written,
           "kontrolldato": date.strftime("%d.%m.%Y") if (oname == "NAV Stange" and rnd == 2) else date,
           "paragraf": par, "saksnummer": saksnummer, "veileder": adviser, "ny_bruker": nb,
           "kontrollert_av": controller}
    for i, p in enumerate(POINTS):
        row[p] = answers[i] or None
        text = COMMENTS.get((par, i + 1))
        row[f"kommentar_{p}"] = text if (answers[i] == "nei" and text and r.random() < 0.7) else None
    return row


def bulk_frame(offices: list[Office], seed: int, scale: int) -> pd.DataFrame | None:
    """Extra spot checks for scale > 1: other offices and 2019-2023, never PROFH 2019."""
    if scale <= 1:
        return None
    audit_offices = sorted(offices, key=lambda o: (o.navn not in PROFH_OFFICES, offices.index(o)))
    audit_offices = audit_offices[:min(4 * scale, len(offices))]
    rounds = [(y, k) for y in range(2019, 2024) for k in (1, 2)]
    units = [(oi, y, k) for oi, o in enumerate(audit_offices) for y, k in rounds
             if not (o.navn in PROFH_OFFICES and y == AUDIT_YEAR)]
    target_cases = CHECK_ROWS_PER_SCALE * scale / 14
    per = max(1, math.ceil(target_cases / (len(units) * ADVISERS_PER_OFFICE * 2)))
    r = rng(seed, "audit-bulk", scale)
    staff = np.array(_idents(r, len(audit_offices) * ADVISERS_PER_OFFICE), dtype=object)
    u = np.repeat(np.arange(len(units)), ADVISERS_PER_OFFICE * 2 * per)
    within = np.tile(np.arange(ADVISERS_PER_OFFICE * 2 * per), len(units))
    adviser = within // (2 * per)
    par_is_20a = (within // per) % 2 == 1
    case_k = within % per
    unit_arr = np.array(units)
    oi, year, rnd = unit_arr[u, 0], unit_arr[u, 1], unit_arr[u, 2]
    n = len(u)
    names = np.array([[o.spelled(y) for y in range(2019, 2024)] for o in audit_offices], dtype=object)
    day = np.where(rnd == 1, 10 + oi % 15, 20 + oi % 25)
    month = np.where(rnd == 1, 6, np.where(day > 31, 11, 10))
    day = np.where(day > 31, day - 31, day)
    df = pd.DataFrame({
        "runde": pd.Series(year).astype(str) + " runde " + pd.Series(rnd).astype(str),
        "nav_kontor": names[oi, year - 2019],
        "kontrolldato": [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(year, month, day)],
        "paragraf": np.where(par_is_20a, "20a", "17"),
        "saksnummer": [f"{y % 100:02d}/{s:06d}-1" for y, s in zip(year, np.arange(n) + 100000)],
        "veileder": staff[oi * ADVISERS_PER_OFFICE + adviser],
        "ny_bruker": np.where(case_k % 2 == 0, "ja", "nei"),
    })
    for p_i, p in enumerate(POINTS, start=1):
        col = np.full(n, "", dtype=object)
        for par, mask in (("17", ~par_is_20a), ("20a", par_is_20a)):
            probs = PROBS[par].get(p_i)
            if probs is None:
                continue
            pr = np.array(probs, dtype=float)
            col[mask] = ANSWERS[r.choice(4, size=int(mask.sum()), p=pr / pr.sum())]
        df[p] = col
    return df
