"""Two-rater selection of the 2021 cohort (vurderinger), with the published crosstabs.

The cell counts are the report's (screening 34/20/20/107, depth 124/9/9/5, 23 to the
joint discussion, 10 to case studies, 7 promising). Which tiltak land in which cell
follows each tiltak's latent quality plus noise, with the seven methods forced in.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from .. import contracts
from .methods import METHODS, NYE_MONSTRE_REPLICATIONS
from .randomness import rng

RATER_A = "Forsker A"
RATER_B = "Forsker B"
JOINT = "Felles"
#: (rater A, rater B) -> count; 'I' = inn, 'U' = ut
SCREENING = {("U", "U"): 34, ("U", "I"): 20, ("I", "U"): 20, ("I", "I"): 107}
DEPTH = {("U", "U"): 124, ("U", "I"): 9, ("I", "U"): 9, ("I", "I"): 5}
JOINT_IN = 10
CASE_DROPOUTS = ("Ingen respondent", "Ikke nytt likevel", "Den innovative delen drives ikke av NAV")
CRITERIA = contracts.CRITERIA

SCREEN_UT = ("Ordinær drift, ikke utvikling", "Lite nytt sammenlignet med andre tiltak",
             "For lite dokumentasjon i skjemaet", "Tiltaket er ikke kommet i gang",
             "Svak kobling til forskriftens mål")
DEPTH_UT = ("Ingen dokumenterte resultater", "Avhenger av særskilt kompetanse eller ildsjeler",
            "Ikke videreført etter tilskuddsperioden", "Lignende tiltak finnes allerede flere steder",
            "Vanskelig å overføre til andre kontorer")
JOINT_UT = ("Enighet om at tiltaket ikke er nytt nok", "For tynt grunnlag for casestudie",
            "Resultatene kan ikke knyttes til tiltaket", "Avhengig av ekstern finansiering")


def build(reports_2021, seed: int) -> dict[str, list[dict[str, object]]]:
    """Rows per phase: 'screening', 'dybde', 'felles', 'case'."""
    r = rng(seed, "ratings")
    latent = {rep.tiltak.tiltak_id: rep.tiltak.latent for rep in reports_2021}
    nonblank = sorted(rep.tiltak.tiltak_id for rep in reports_2021 if not _blank(rep.values))
    methods = [m.tiltak_id for m in METHODS]
    replications = [tid for _, tid, _ in NYE_MONSTRE_REPLICATIONS]
    others = [t for t in nonblank if t not in methods and t not in replications]
    others = [others[i] for i in np.argsort([latent[t] + r.normal(0, 1.0) for t in others], kind="stable")]

    # screening: replications and the weakest out by both, methods in by both
    scr: dict[str, tuple[str, str]] = {t: ("I", "I") for t in methods}
    scr.update({t: ("U", "U") for t in replications})
    n_uu = SCREENING[("U", "U")] - len(replications)
    n_split = SCREENING[("U", "I")] + SCREENING[("I", "U")]
    for t in others[:n_uu]:
        scr[t] = ("U", "U")
    split = others[n_uu:n_uu + n_split]
    for k, i in enumerate(r.permutation(len(split))):
        scr[split[int(i)]] = ("U", "I") if k < SCREENING[("U", "I")] else ("I", "U")
    for t in others[n_uu + n_split:]:
        scr[t] = ("I", "I")

    # depth: the 147 not excluded by both
    depth_pool = [t for t in others if scr[t] != ("U", "U")]          # weakest first
    dep: dict[str, tuple[str, str]] = {}
    mperm = [methods[int(i)] for i in r.permutation(len(methods))]
    for t, cell in zip(mperm, [("I", "I")] * 4 + [("U", "I")] * 2 + [("I", "U")]):
        dep[t] = cell
    strong = depth_pool[::-1]                                       # strongest first
    dropouts = strong[:3]
    for t, cell in zip(dropouts, [("I", "I"), ("U", "I"), ("I", "U")]):
        dep[t] = cell
    joint_out = strong[3:3 + 13]
    cells = [("U", "I")] * (DEPTH[("U", "I")] - 3) + [("I", "U")] * (DEPTH[("I", "U")] - 2)
    for t, i in zip(joint_out, r.permutation(len(cells))):
        dep[t] = cells[int(i)]
    for t in depth_pool:
        dep.setdefault(t, ("U", "U"))

    joint = sorted(t for t, c in dep.items() if c != ("U", "U"))
    case = sorted(methods + dropouts)
    dropout_reason = dict(zip(dropouts, CASE_DROPOUTS))
    return {
        "screening": _pair_rows(scr, "screening", dt.date(2022, 9, 1), SCREEN_UT, replications, r),
        "dybde": _pair_rows(dep, "dybde", dt.date(2022, 10, 17), DEPTH_UT, [], r),
        "felles": [_joint_row(t, "felles", t in methods or t in dropouts, dt.date(2022, 12, 7),
                              None if (t in methods or t in dropouts) else str(r.choice(JOINT_UT)),
                              t in methods, r) for t in joint],
        "case": [_joint_row(t, "case", t in methods, dt.date(2023, 1, 16) + dt.timedelta(days=7 * k),
                            dropout_reason.get(t, "Lovende metode"), t in methods, r)
                 for k, t in enumerate(case)],
    }


def _blank(v: dict[str, object]) -> bool:
    return all(v.get(c) in (None, "") for c in (*contracts.QUESTIONS, *contracts.FREE_TEXT))


def _pair_rows(cells, fase, start, reasons_out, replications, r):
    rows = []
    for k, t in enumerate(sorted(cells)):
        for rater, vote in zip((RATER_A, RATER_B), cells[t]):
            if vote == "U":
                reason = ("Replikering av Nye mønstre, ikke nytt i seg selv" if t in replications
                          else str(r.choice(reasons_out)))
            else:
                reason = None if fase == "screening" else "Aktuell for felles diskusjon"
            rows.append({"tiltak_id": t, "fase": fase, "vurderer": rater,
                         "vurdering": "inn" if vote == "I" else "ut",
                         "dato": start + dt.timedelta(days=k // 12), "begrunnelse": reason})
    return rows


def _joint_row(t, fase, inn, dato, reason, promising, r):
    p = (0.88, 0.04, 0.08) if promising else ((0.6, 0.15, 0.25) if inn else (0.35, 0.4, 0.25))
    ks = r.choice(["ja", "nei", "ukjent"], size=len(CRITERIA), p=p)
    row = {"tiltak_id": t, "fase": fase, "vurderer": JOINT, "vurdering": "inn" if inn else "ut",
           "dato": dato, "begrunnelse": reason}
    row.update({k: str(v) for k, v in zip(CRITERIA, ks)})
    return row
