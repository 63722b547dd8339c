"""Tiltak and their yearly reports (rapportering), built so the 2021 cohort matches
the published figures exactly: 203 tiltak, 22 blank forms, mode 3 and mean ~2.7.

Counts are fixed by design (COHORTS) and do not depend on the seed; the seed only
moves details (which office, which idea, the amounts). Each cohort draws from its own
random stream, so extra years at larger scales leave the 2021 slice untouched.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from .. import contracts, reference
from . import ideas as ideas_mod
from .ideas import IDEAS, METHOD_TEXTS, Idea
from .methods import METHODS, NYE_MONSTRE_ORIGIN, NYE_MONSTRE_REPLICATIONS
from .offices import Office
from .randomness import rng

PUBLISHED_SLICE_YEAR = 2021
FIRST_REPORT_YEAR = 2019
LAST_REPORT_YEAR = 2023
COST_CAP_PER_FTE = int(reference.published("cost_cap_per_fte_kr"))
COMPETENCE_CAP = int(reference.published("competence_cap_kr"))
FUNDED_2021 = int(reference.published("funded_2021"))
BLANK_FORMS_2021 = int(reference.published("blank_forms_2021"))
OVER_CAP_2021 = 3
CORRECTED_2021 = 2
FORM_V2_2023 = 5
QUESTIONS = contracts.QUESTIONS
FREE_TEXT = contracts.FREE_TEXT

#: first funded year -> ((duration in years, number of tiltak), ...); the 2021 cohort is
#: 2019/d3 (45) + 2020/d2 (25) + 2020/d3 (45) + 2021/all (88) = 203
COHORTS: dict[int, tuple[tuple[int, int], ...]] = {
    2017: ((3, 55),),
    2018: ((2, 30), (3, 35)),
    2019: ((1, 10), (2, 15), (3, 45)),
    2020: ((1, 10), (2, 25), (3, 45)),
    2021: ((1, 8), (2, 20), (3, 60)),
    2022: ((1, 10), (2, 25), (3, 40)),
    2023: ((1, 10), (2, 25), (3, 35)),
}
#: cohorts before 2017 exist only at scale > 1 (their reports end by 2018)
EARLY_COHORT = ((1, 10), (2, 25), (3, 30))

#: 2021 answer distribution over answered items of non-blank forms (fractions)
SCORE_SHARES_2021 = {0: 0.010, 1: 0.025, 2: 0.245}          # rest is 3
IKKE_RELEVANT_2021 = 63
BLANK_ITEMS_2021 = 30
#: per-item answer probabilities in other years: 0, 1, 2, 3 (2021 is shaped exactly)
SCORE_P = (0.01, 0.03, 0.25, 0.71)
SCORE_P_V2 = (0.02, 0.04, 0.08, 0.16, 0.28, 0.27, 0.15)   # 1..7


@dataclass
class Tiltak:
    tiltak_id: str
    office: Office
    navn: str
    idea: Idea | None
    method_id: str | None
    startaar: int
    first: int
    last: int
    arsverk: float
    kategorier: tuple[str, ...]
    lovparagrafer: tuple[str, ...]
    alder: tuple[int, int]
    fate: str                      # videreforing in the final report: ja / delvis / nei
    latent: float                  # how well it tends to score itself
    texts: dict[str, str] = field(default_factory=dict)

    def years(self) -> range:
        return range(self.first, self.last + 1)


def _place(office: Office) -> str:
    if office.kommune in ("Oslo",):
        return f"bydel {office.base}"
    if office.kommune in ("Bergen", "Trondheim"):
        return f"{office.kommune} ({office.base})"
    return office.kommune


def _texts_for(idea: Idea, office: Office, r: np.random.Generator) -> dict[str, str]:
    sted = _place(office)
    return {
        "malgruppe": idea.malgruppe.format(sted=sted),
        "beskrivelse": idea.beskrivelse.format(sted=sted),
        "utviklet_oppnadd": " ".join(idea.utviklet[: int(r.integers(1, len(idea.utviklet) + 1))]),
        "suksessfaktorer": str(r.choice(idea.suksess)),
        "utfordringer": str(r.choice(idea.utfordringer)),
        "hvordan": idea.hvordan,
        "feilet": idea.feilet,
    }


def _weights(offices: list[Office]) -> np.ndarray:
    w = np.sqrt(np.array([o.ansatte for o in offices], dtype=float))
    return w / w.sum()


def build_tiltak(real: list[Office], seed: int, scale: int) -> list[Tiltak]:
    """Every tiltak with at least one report year in the written range."""
    by_name = {o.navn: o for o in real}
    method_offices = {m.office for m in METHODS}
    first_year = FIRST_REPORT_YEAR - min(scale - 1, 4)
    cohorts = dict(COHORTS)
    for f0 in range(first_year - 2, min(COHORTS)):
        cohorts[f0] = EARLY_COHORT
    out: list[Tiltak] = []
    for f0 in sorted(cohorts):
        r = rng(seed, "tiltak", f0)
        specials = _specials(f0, by_name)
        slots = [(d, f0 + d - 1) for d, n in cohorts[f0] for _ in range(n)]
        # specials take a slot of their duration
        for s in specials:
            slots.remove((s.last - s.first + 1, s.last))
        in_2021 = [s for s in slots if s[1] >= PUBLISHED_SLICE_YEAR and f0 <= PUBLISHED_SLICE_YEAR]
        # offices: 2021-cohort tiltak avoid the methods' offices (one tiltak each there)
        pool = [o for o in real if o.navn not in method_offices]
        office_of: list[Office] = []
        if in_2021:
            office_of = _spread_over_regions(pool, len(slots), r)
        else:
            idx = r.choice(len(real), size=len(slots), p=_weights(real))
            office_of = [real[i] for i in idx]
        order = r.permutation(len(slots))
        serial = len(specials)
        out.extend(specials)
        for k in order:
            d, last = slots[k]
            serial += 1
            office = office_of[k]
            idea = IDEAS[int(r.integers(len(IDEAS)))]
            out.append(_make(f"T{f0}-{serial:03d}", office, idea, f0, last, r))
    return out


def _spread_over_regions(pool: list[Office], n: int, r: np.random.Generator) -> list[Office]:
    """n offices, at least three per region, the rest weighted by office size."""
    chosen: list[Office] = []
    regions = sorted({o.region_id for o in pool})
    for rid in regions:
        local = [o for o in pool if o.region_id == rid]
        pick = r.choice(len(local), size=min(3, len(local)), replace=False)
        chosen.extend(local[i] for i in pick)
    rest = r.choice(len(pool), size=n - len(chosen), p=_weights(pool))
    chosen.extend(pool[i] for i in rest)
    return [chosen[i] for i in r.permutation(len(chosen))]


def _make(tid: str, office: Office, idea: Idea, f0: int, last: int, r: np.random.Generator) -> Tiltak:
    name = str(r.choice(idea.names)).format(sted=_place(office))
    kat = list(idea.kategorier)
    if r.random() < 0.3:
        extra = str(r.choice(["arbeid", "opplæring", "bolig", "ungdom", "barnefamilier", "innvandrere"]))
        if extra not in kat:
            kat.append(extra)
    a0, a1 = idea.alder
    if r.random() < 0.3 and a1 - a0 > 5:
        a0 = a0 + int(r.integers(0, 3))
    fate = str(r.choice(["ja", "delvis", "nei"], p=[0.55, 0.30, 0.15]))
    return Tiltak(tid, office, name, idea, None, f0, f0, last,
                  float(r.choice([0.5, 0.8, 1.0, 1.0, 1.0, 1.5, 2.0, 2.0, 2.5, 3.0])),
                  tuple(kat), idea.lovparagrafer, (a0, a1), fate, float(r.normal()),
                  _texts_for(idea, office, r))


def _specials(f0: int, by_name: dict[str, Office]) -> list[Tiltak]:
    """The methods' tiltak and the Nye mønstre family, at fixed ids and offices."""
    out = []
    for m in METHODS:
        if m.funded[0] != f0:
            continue
        t = METHOD_TEXTS[m.metode_id]
        texts = {"malgruppe": t["malgruppe"], "beskrivelse": t["beskrivelse"],
                 "utviklet_oppnadd": t["utviklet"], "suksessfaktorer": t["suksess"],
                 "utfordringer": t["utfordringer"], "hvordan": t["hvordan"], "feilet": ""}
        out.append(Tiltak(m.tiltak_id, by_name[m.office], m.navn, None, m.metode_id, m.startaar,
                          m.funded[0], m.funded[1], 1.5, m.kategorier, m.lovparagrafer, m.alder,
                          "ja" if m.metode_id != "nye-monstre" else "delvis", 2.5, texts))
    nm = next(m for m in METHODS if m.metode_id == "nye-monstre")
    nm_texts = METHOD_TEXTS["nye-monstre"]
    family = [(o, tid, yrs, yrs[0]) for o, tid, yrs in NYE_MONSTRE_REPLICATIONS]
    family.append(NYE_MONSTRE_ORIGIN)
    for office_name, tid, (y0, y1), start in family:
        if y0 != f0:
            continue
        office = by_name[office_name]
        texts = {"malgruppe": nm_texts["malgruppe"],
                 "beskrivelse": nm_texts["beskrivelse"].replace("Modellen", f"{office.navn} bruker modellen, som"),
                 "utviklet_oppnadd": "Familiekoordinator for ti familier.",
                 "suksessfaktorer": nm_texts["suksess"], "utfordringer": nm_texts["utfordringer"],
                 "hvordan": "Videreføres med tilskudd og deretter i ordinært budsjett.", "feilet": ""}
        out.append(Tiltak(tid, office, f"{nm.navn} i {office.kommune}", None, None, start, y0, y1, 1.0,
                          nm.kategorier, nm.lovparagrafer, nm.alder, "ja", 1.0, texts))
    return sorted(out, key=lambda t: t.tiltak_id)


# --------------------------------------------------------------------------- reports

@dataclass
class Report:
    tiltak: Tiltak
    year: int
    values: dict[str, object]      # contract column -> python value (None = blank)
    label_style: bool = False      # q-items written as scale labels


def build_reports(tiltak: list[Tiltak], seed: int, first_year: int) -> dict[int, list[Report]]:
    """Reports per report year; the 2021 slice follows the published figures."""
    by_year: dict[int, list[Report]] = {}
    for t in tiltak:
        for y in t.years():
            if first_year <= y <= LAST_REPORT_YEAR:
                by_year.setdefault(y, []).append(_report(t, y, seed))
    for y, reports in by_year.items():
        reports.sort(key=lambda rep: rep.tiltak.tiltak_id)
    if PUBLISHED_SLICE_YEAR in by_year:
        _shape_2021(by_year[PUBLISHED_SLICE_YEAR], seed)
    if LAST_REPORT_YEAR in by_year:
        _form_v2(by_year[LAST_REPORT_YEAR], seed)
    return by_year


def _report(t: Tiltak, y: int, seed: int) -> Report:
    r = rng(seed, "report", t.tiltak_id, y)
    final = y == t.last
    cap = COST_CAP_PER_FTE * t.arsverk + COMPETENCE_CAP
    grant = int(round(cap * r.uniform(0.55, 0.98), -3))
    komp = int(min(COMPETENCE_CAP, round(r.uniform(0, COMPETENCE_CAP), -3)))
    over = 0 if (final or r.random() < 0.7) else int(round(grant * r.uniform(0.05, 0.3), -3))
    v: dict[str, object] = {
        "tiltak_id": t.tiltak_id, "rapportaar": y, "rapporttype": "slutt" if final and y <= LAST_REPORT_YEAR else "status",
        "nav_kontor": t.office, "tiltak_navn": t.navn, "tilskudd_kr": grant,
        "innsendt": dt.datetime(y + 1, int(r.integers(1, 4)), int(r.integers(1, 29)),
                                int(r.integers(8, 16)), int(r.integers(0, 60))),
        "statsforvalter": t.office.region_name, "startaar": t.startaar, "arsverk": t.arsverk,
        "brukt_lonn_kr": grant - komp - over, "brukt_kompetanse_kr": komp, "overfort_kr": over,
        "lovparagrafer": ";".join(t.lovparagrafer), "kategorier": ";".join(t.kategorier),
        "alder_fra": t.alder[0], "alder_til": t.alder[1], "skjemaversjon": 1,
    }
    p = np.array(SCORE_P) + np.array([0, 0, 0.01, -0.01]) * (LAST_REPORT_YEAR - y) / 2
    scores = r.choice(4, size=len(QUESTIONS), p=p / p.sum())
    kind = r.random(len(QUESTIONS))
    for i, q in enumerate(QUESTIONS):
        v[q] = "Ikke relevant" if kind[i] < 0.03 else (None if kind[i] < 0.04 else int(scores[i]))
    tx = t.texts
    v.update({
        "malgruppe": tx["malgruppe"], "beskrivelse": tx["beskrivelse"],
        "endringer": None if y == t.first else str(r.choice(ideas_mod.ENDRINGER)),
        "utviklet_oppnadd": tx["utviklet_oppnadd"], "maaloppnaelse_metode": str(r.choice(ideas_mod.MAALOPPNAELSE)),
        "suksessfaktorer": tx["suksessfaktorer"], "utfordringer": tx["utfordringer"],
        "erfaringsbasen": "ja" if r.random() < (0.3 if final else 0.1) else "nei",
    })
    for col in ("utviklet_oppnadd", "maaloppnaelse_metode", "suksessfaktorer", "utfordringer"):
        if r.random() < 0.08:
            v[col] = None
    if final:
        v["videreforing"] = t.fate
        v["videreforing_hvordan"] = {"ja": tx["hvordan"], "delvis": "Deler videreføres: " + tx["hvordan"],
                                     "nei": tx["feilet"]}[t.fate]
        if t.fate == "nei":
            v["utfordringer"] = tx["feilet"]
    else:
        v["videreforing"] = None if r.random() < 0.6 else "ja"
        v["videreforing_hvordan"] = None
    return Report(t, y, v, label_style=bool(r.random() < 0.15))


def _shape_2021(reports: list[Report], seed: int) -> None:
    """Blank forms, exact answer counts, cost-cap overruns: the published 2021 slice."""
    r = rng(seed, "slice2021")
    assert len(reports) == FUNDED_2021, len(reports)
    protected = {m.tiltak_id for m in METHODS} | {tid for _, tid, _ in NYE_MONSTRE_REPLICATIONS}
    ordinary = [i for i, rep in enumerate(reports) if rep.tiltak.tiltak_id not in protected]
    pick = r.permutation(ordinary)
    blank = set(int(i) for i in pick[:BLANK_FORMS_2021])
    over = [int(i) for i in pick[BLANK_FORMS_2021:BLANK_FORMS_2021 + OVER_CAP_2021]]
    for i in blank:
        v = reports[i].values
        for col in (*QUESTIONS, *FREE_TEXT, "videreforing_hvordan", "erfaringsbasen", "videreforing",
                    "kategorier", "lovparagrafer", "alder_fra", "alder_til"):
            v[col] = None
    for i in over:
        v = reports[i].values
        cap = COST_CAP_PER_FTE * float(v["arsverk"]) + COMPETENCE_CAP
        v["tilskudd_kr"] = int(round(cap, -3)) + int(r.choice([40_000, 85_000, 150_000]))
        v["overfort_kr"] = 0
        v["brukt_lonn_kr"] = int(v["tilskudd_kr"]) - int(v["brukt_kompetanse_kr"])
    # exact answer counts over the non-blank forms, lower scores to lower-latent tiltak
    rows = [i for i in range(len(reports)) if i not in blank]
    slots = [(i, q) for i in rows for q in QUESTIONS]
    special_cols = {"q09", "q10", "q11", "q13"}
    ir_candidates = [k for k, (i, q) in enumerate(slots) if q in special_cols]
    ir = set(int(k) for k in r.choice(ir_candidates, size=IKKE_RELEVANT_2021, replace=False))
    rest = [k for k in range(len(slots)) if k not in ir]
    bl = set(int(k) for k in r.choice(rest, size=BLANK_ITEMS_2021, replace=False))
    answered = [k for k in rest if k not in bl]
    n = len(answered)
    counts = {s: int(round(share * n)) for s, share in SCORE_SHARES_2021.items()}
    counts[3] = n - sum(counts.values())
    scores = np.repeat([0, 1, 2, 3], [counts[0], counts[1], counts[2], counts[3]])
    key = np.array([reports[slots[k][0]].tiltak.latent for k in answered]) + r.normal(0, 1.2, n)
    ordered = np.array(answered)[np.argsort(key, kind="stable")]
    for k, s in zip(ordered, scores):
        i, q = slots[int(k)]
        reports[i].values[q] = int(s)
    for k in ir:
        i, q = slots[k]
        reports[i].values[q] = "Ikke relevant"
    for k in bl:
        i, q = slots[k]
        reports[i].values[q] = None
    for i in blank:
        reports[i].label_style = False


def _form_v2(reports: list[Report], seed: int) -> None:
    """Five 2023 reports on the new 1-7 scale (form version 2)."""
    r = rng(seed, "formv2")
    new = [rep for rep in reports if rep.tiltak.first == LAST_REPORT_YEAR and rep.tiltak.method_id is None]
    for rep in [new[int(i)] for i in r.choice(len(new), size=FORM_V2_2023, replace=False)]:
        rep.values["skjemaversjon"] = 2
        scores = r.choice(7, size=len(QUESTIONS), p=SCORE_P_V2) + 1
        for q, s in zip(QUESTIONS, scores):
            rep.values[q] = int(s)
        rep.values[QUESTIONS[10]] = "Ikke relevant"


def corrections(reports_2021: list[Report], seed: int) -> list[Report]:
    """Two 2021 reports re-exported in May 2022 with a corrected grant."""
    r = rng(seed, "corrections")
    protected = {m.tiltak_id for m in METHODS}
    ok = [rep for rep in reports_2021
          if rep.tiltak.tiltak_id not in protected and rep.values["q01"] is not None
          and rep.values["beskrivelse"] is not None and not over_cap(rep.values)]
    out = []
    for k, i in enumerate(sorted(r.choice(len(ok), size=CORRECTED_2021, replace=False))):
        src = ok[int(i)]
        v = dict(src.values)
        v["tilskudd_kr"] = int(v["tilskudd_kr"]) - 40_000
        v["brukt_lonn_kr"] = int(v["tilskudd_kr"]) - int(v["brukt_kompetanse_kr"]) - int(v["overfort_kr"])
        v["innsendt"] = dt.datetime(2022, 5, 10 + 7 * k, 9, 30)
        v["endringer"] = "Korrigert tilskudd: 40 000 kr ble betalt tilbake til Statsforvalteren."
        out.append(Report(src.tiltak, src.year, v, src.label_style))
    return out


def over_cap(v: dict[str, object]) -> bool:
    if v.get("arsverk") is None:
        return False
    return int(v["tilskudd_kr"]) > COST_CAP_PER_FTE * float(v["arsverk"]) + COMPETENCE_CAP


def invalid_report(real: list[Office], seed: int) -> Report:
    """One 2022 report with an impossible date (31.02.2022): a quarantine example."""
    r = rng(seed, "invalid")
    office = real[int(r.integers(len(real)))]
    idea = IDEAS[int(r.integers(len(IDEAS)))]
    t = _make("T2022-076", office, idea, 2022, 2024, r)
    rep = _report(t, 2022, seed)
    rep.values["innsendt"] = "31.02.2022"
    return rep


def is_blank_form(v: dict[str, object]) -> bool:
    return all(v.get(c) in (None, "") for c in (*QUESTIONS, *FREE_TEXT))
