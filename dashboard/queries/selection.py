"""Utvelgelse: how the promising methods were picked from one cohort of funded tiltak.

The funnel (funded -> not blank -> screened -> depth review -> joint discussion ->
case study -> promising method), the raters' 2x2 crosstab per phase with Cohen's
kappa as Stata's `kap` reports it, and the tiltak the two raters disagreed on.

Cohort: the tiltak with a report for the cohort year (default 2021, the published
selection). `ratings` is keyed by (tiltak, phase, rater) with no cohort column, so a
tiltak's ratings are matched to the cohort by tiltak_id. Each stage is computed from
the one before it:

  funded      distinct tiltak with a report for the cohort year
  not blank   minus tiltak whose report(s) that year are all blank forms
  screened    of those, rated in 'screening'
  depth       of those, not excluded by every rater in 'screening' (both said 'ut')
  felles      of those, rated in 'dybde' and not excluded by every rater there
  case        of those, rated 'inn' in 'felles'
  methods     of those, rated 'inn' in 'case'

Access: the funnel and the agreement statistics are national aggregates (no office
breakdown) and ignore filters and scope. The list of disagreements names tiltak and
offices, so it follows the region/office filters and is restricted to a
Statsforvalter's own region.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from dashboard import stats
from dashboard.queries import Filters, Scope, cached, fetch, filter_params

#: The cohort whose selection is published (NTNU/SØF 2023): its figures are shown
#: beside the computed ones.
PUBLISHED_COHORT = 2021
DEFAULT_COHORT = 2021
#: Phases with two independent raters (kappa) and their prefix in ref_published.
KAPPA_PHASES = {"screening": "screening", "dybde": "depth"}
PHASE_LABELS = {"screening": "Screening", "dybde": "Dybdegjennomgang", "felles": "Felles diskusjon",
                "case": "Casestudie"}
#: Categories of the crosstab, in table order (rows: rater 1, columns: rater 2).
DECISIONS = ("ut", "inn")
DECISION_LABELS = {"ut": "Ut", "inn": "Inn"}

COHORT_YEARS_SQL = """
SELECT report_year, count(DISTINCT tiltak_id) AS n_tiltak
FROM reports WHERE report_year IS NOT NULL
GROUP BY report_year ORDER BY report_year
"""

# National: tiltak ids and the blank flag only (no names, no offices).
COHORT_SQL = """
SELECT tiltak_id, bool_and(coalesce(is_blank_form, false)) AS is_blank
FROM reports
WHERE report_year = $cohort_year
GROUP BY tiltak_id
ORDER BY tiltak_id
"""

RATINGS_SQL = """
SELECT tiltak_id, phase, rater, decision
FROM ratings
WHERE decision IN ('inn', 'ut')
ORDER BY tiltak_id, phase, rater
"""

PUBLISHED_SQL = "SELECT figure_id, value, description, source FROM ref_published"

# Tiltak-level, scoped: the tiltak's name and office from its cohort-year report
# (the final report's when it has both), and every rater's judgement in one phase.
PHASE_RATINGS_SQL = """
WITH rep AS (
    SELECT DISTINCT ON (tiltak_id) tiltak_id, tiltak_name, office_id, region_id
    FROM reports
    WHERE report_year = $cohort_year
    ORDER BY tiltak_id, report_type = 'slutt' DESC
), o AS (
    SELECT DISTINCT ON (office_id) office_id, office_name
    FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST, valid_from DESC NULLS LAST
)
SELECT r.tiltak_id, rep.tiltak_name, rep.office_id, coalesce(o.office_name, rep.office_id) AS office_name,
       rep.region_id, coalesce(g.region_name, rep.region_id) AS region_name,
       r.phase, r.rater, r.decision, r.reason
FROM ratings r
JOIN rep USING (tiltak_id)
LEFT JOIN o USING (office_id)
LEFT JOIN ref_regions g ON g.region_id = rep.region_id
WHERE r.phase = $phase
  AND ($region_id IS NULL OR rep.region_id = $region_id)
  AND ($office_id IS NULL OR rep.office_id = $office_id)
ORDER BY r.tiltak_id, r.rater
"""

STAGES = (
    # stage_id, label, published figure id (or a derivation), explanation
    ("funded", "Finansierte tiltak", "funded_2021", "Tiltak med rapport for kohortåret"),
    ("not_blank", "Med utfylt skjema", "funded_2021-blank_forms_2021",
     "Minus tiltak med praktisk talt blankt rapporteringsskjema"),
    ("screened", "Vurdert i screening", "screening_n",
     "Vurdert av begge forskerne hver for seg"),
    ("depth", "Til dybdegjennomgang", "depth_n", "Ikke utelukket av begge i screeningen"),
    ("felles", "Til felles diskusjon", "joint_discussion", "Ikke utelukket av begge i dybdegjennomgangen"),
    ("case", "Til casestudie", "case_studies", "Tatt videre etter felles diskusjon"),
    ("methods", "Lovende metoder", "promising_methods", "Tatt videre etter casestudien (intervjuer)"),
)

FUNNEL_COLUMNS = ["stage_no", "stage_id", "stage_label", "explanation", "n_tiltak", "n_removed", "published",
                  "matches_published"]


# ------------------------------------------------------------------ pure helpers

def _phase_ratings(ratings: pd.DataFrame, phase: str, ids: set) -> pd.DataFrame:
    sub = ratings[(ratings["phase"] == phase) & ratings["tiltak_id"].isin(ids)]
    return sub


def _passes(ratings: pd.DataFrame, phase: str, ids: set, rule: str) -> set:
    """Tiltak in `ids` rated in `phase` that go on: rule 'not_all_out' (not excluded
    by every rater: with two raters, not both 'ut') or 'all_in' (every rating 'inn')."""
    sub = _phase_ratings(ratings, phase, ids)
    if sub.empty:
        return set()
    grouped = sub.groupby("tiltak_id")["decision"]
    if rule == "not_all_out":
        keep = grouped.apply(lambda d: not (d == "ut").all())
    else:
        keep = grouped.apply(lambda d: (d == "inn").all())
    return set(keep[keep].index)


def funnel_sets(cohort: pd.DataFrame, ratings: pd.DataFrame) -> dict[str, set]:
    """The tiltak ids at every stage (see the module docstring), in STAGES order."""
    funded = set(cohort["tiltak_id"])
    not_blank = set(cohort.loc[~cohort["is_blank"].astype(bool), "tiltak_id"])
    screened = not_blank & set(ratings.loc[ratings["phase"] == "screening", "tiltak_id"])
    depth = _passes(ratings, "screening", screened, "not_all_out")
    felles = _passes(ratings, "dybde", depth, "not_all_out")
    case = _passes(ratings, "felles", felles, "all_in")
    methods = _passes(ratings, "case", case, "all_in")
    return {"funded": funded, "not_blank": not_blank, "screened": screened, "depth": depth,
            "felles": felles, "case": case, "methods": methods}


def _published_value(spec: str | None, published: dict[str, float]) -> float | None:
    if not spec:
        return None
    if "-" in spec:
        a, b = spec.split("-", 1)
        if a in published and b in published:
            return published[a] - published[b]
        return None
    return published.get(spec)


def compute_funnel(cohort: pd.DataFrame, ratings: pd.DataFrame, published: dict[str, float] | None = None
                   ) -> pd.DataFrame:
    """Pure: FUNNEL_COLUMNS, one row per stage. `published` (figure_id -> value) is
    the published selection's figures, or None for a cohort that has none."""
    sets = funnel_sets(cohort, ratings)
    rows, previous = [], None
    for no, (stage_id, label, spec, explanation) in enumerate(STAGES, start=1):
        n = len(sets[stage_id])
        pub = _published_value(spec, published) if published else None
        rows.append({
            "stage_no": no, "stage_id": stage_id, "stage_label": label, "explanation": explanation,
            "n_tiltak": n, "n_removed": None if previous is None else previous - n,
            "published": None if pub is None else int(round(pub)),
            "matches_published": None if pub is None else bool(n == int(round(pub))),
        })
        previous = n
    df = pd.DataFrame(rows, columns=FUNNEL_COLUMNS)
    df["n_removed"] = df["n_removed"].astype("Int64")
    df["published"] = df["published"].astype("Int64")
    df["matches_published"] = df["matches_published"].astype("boolean")
    return df


def phase_pairs(ratings: pd.DataFrame, phase: str, ids: set) -> tuple[list[str], pd.DataFrame]:
    """The phase's two raters (the first two distinct `rater` values, sorted) and one
    row per tiltak in `ids` rated by both: tiltak_id, decision_1, decision_2."""
    sub = _phase_ratings(ratings, phase, ids)
    raters = sorted(sub["rater"].dropna().unique().tolist())[:2]
    if len(raters) < 2:
        return raters, pd.DataFrame(columns=["tiltak_id", "decision_1", "decision_2"])
    wide = (sub[sub["rater"].isin(raters)]
            .pivot_table(index="tiltak_id", columns="rater", values="decision", aggfunc="first")
            .dropna(subset=raters))
    pairs = pd.DataFrame({"tiltak_id": wide.index, "decision_1": wide[raters[0]].to_numpy(),
                          "decision_2": wide[raters[1]].to_numpy()})
    return raters, pairs.reset_index(drop=True)


def crosstab_counts(pairs: pd.DataFrame) -> list[list[int]]:
    """2x2 counts, rows rater 1 and columns rater 2, in DECISIONS order (Ut, Inn)."""
    return [[int(((pairs["decision_1"] == a) & (pairs["decision_2"] == b)).sum()) for b in DECISIONS]
            for a in DECISIONS]


@dataclass(frozen=True)
class PhaseAgreement:
    phase: str
    raters: tuple[str, ...]
    n_rated: int          # tiltak in the phase's stage rated by at least one rater
    n_pairs: int          # ... by both (the crosstab's n)
    table: tuple[tuple[int, int], tuple[int, int]]
    kappa: stats.Kappa | None
    n_other_raters: int   # distinct raters beyond the two used


# ------------------------------------------------------------------ query functions

@cached
def cohort_years() -> list[int]:
    """Report years that can be chosen as a cohort (years with reports)."""
    df = fetch(COHORT_YEARS_SQL)
    return [int(y) for y in df["report_year"]]


@cached
def selection_cohorts() -> list[int]:
    """Cohort years whose selection is in the data: years where tiltak were screened
    and every screened tiltak had a filled-in report that year. (ratings has no
    cohort column, so a year that merely shares tiltak with the rated cohort would
    give a misleading funnel.) Falls back to the years with any screened tiltak."""
    ratings = _ratings()
    screened = set(ratings.loc[ratings["phase"] == "screening", "tiltak_id"])
    exact, partial = [], []
    for year in cohort_years():
        cohort = _cohort(year)
        not_blank = set(cohort.loc[~cohort["is_blank"].astype(bool), "tiltak_id"])
        if screened & not_blank:
            partial.append(year)
            if screened <= not_blank:
                exact.append(year)
    return exact or partial


def valid_cohort(value, choices: list[int] | None = None) -> int:
    """The cohort year in `value` (text from a select) if it is a choice, else the
    default (DEFAULT_COHORT when it is a choice, else the latest choice)."""
    choices = selection_cohorts() if choices is None else choices
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year in choices:
        return year
    if DEFAULT_COHORT in choices or not choices:
        return DEFAULT_COHORT
    return max(choices)


@cached
def published_figures() -> dict[str, float]:
    """ref_published as figure_id -> value."""
    df = fetch(PUBLISHED_SQL)
    return {k: float(v) for k, v in zip(df["figure_id"], df["value"])}


@cached
def _cohort(cohort_year: int) -> pd.DataFrame:
    return fetch(COHORT_SQL, {"cohort_year": int(cohort_year)})


@cached
def _ratings() -> pd.DataFrame:
    return fetch(RATINGS_SQL)


def _published_for(cohort_year: int) -> dict[str, float] | None:
    return published_figures() if int(cohort_year) == PUBLISHED_COHORT else None


@cached
def funnel(filters: Filters, scope: Scope, cohort_year: int = DEFAULT_COHORT) -> pd.DataFrame:
    """The selection funnel for a cohort (FUNNEL_COLUMNS). National: filters and scope
    are not applied (no office-level numbers)."""
    return compute_funnel(_cohort(cohort_year), _ratings(), _published_for(cohort_year))


@cached
def funnel_notes(filters: Filters, scope: Scope, cohort_year: int = DEFAULT_COHORT) -> dict[str, int]:
    """Counts that explain gaps in the funnel: not_screened (filled-in forms with no
    screening rating), rated_outside (tiltak rated in screening that are not in the
    cohort's filled-in forms), one_rater (screened or depth-reviewed by one rater only)."""
    cohort, ratings = _cohort(cohort_year), _ratings()
    sets = funnel_sets(cohort, ratings)
    screening_ids = set(ratings.loc[ratings["phase"] == "screening", "tiltak_id"])
    one_rater = 0
    for phase, stage in (("screening", "screened"), ("dybde", "depth")):
        counts = _phase_ratings(ratings, phase, sets[stage]).groupby("tiltak_id")["rater"].nunique()
        one_rater += int((counts < 2).sum())
    return {"not_screened": len(sets["not_blank"] - screening_ids),
            "rated_outside": len(screening_ids - sets["not_blank"]),
            "one_rater": one_rater}


_STAGE_OF_PHASE = {"screening": "screened", "dybde": "depth"}


def _agreement(cohort_year: int, phase: str) -> PhaseAgreement:
    if phase not in KAPPA_PHASES:
        raise ValueError(f"ukjent fase: {phase!r}")
    ratings = _ratings()
    ids = funnel_sets(_cohort(cohort_year), ratings)[_STAGE_OF_PHASE[phase]]
    raters, pairs = phase_pairs(ratings, phase, ids)
    sub = _phase_ratings(ratings, phase, ids)
    all_raters = sub["rater"].dropna().nunique()
    table = crosstab_counts(pairs)
    k = stats.kappa(table) if len(raters) == 2 else None
    return PhaseAgreement(phase=phase, raters=tuple(raters), n_rated=int(sub["tiltak_id"].nunique()),
                          n_pairs=len(pairs), table=tuple(tuple(r) for r in table), kappa=k,
                          n_other_raters=max(0, int(all_raters) - 2))


@cached
def agreement(filters: Filters, scope: Scope, cohort_year: int = DEFAULT_COHORT,
              phase: str = "screening") -> PhaseAgreement:
    """Raters, crosstab and Cohen's kappa (stats.kappa: Stata's `kap`) for one phase
    ('screening' or 'dybde'). National; filters and scope are not applied."""
    return _agreement(int(cohort_year), phase)


@cached
def crosstab(filters: Filters, scope: Scope, cohort_year: int = DEFAULT_COHORT,
             phase: str = "screening") -> pd.DataFrame:
    """The 2x2 table in long form for display and download: rater_1_decision,
    rater_2_decision (labels 'Ut'/'Inn'), n; plus rater_1, rater_2 (names)."""
    a = _agreement(int(cohort_year), phase)
    r1, r2 = (list(a.raters) + [None, None])[:2]
    rows = [{"rater_1": r1, "rater_2": r2, "rater_1_decision": DECISION_LABELS[d1],
             "rater_2_decision": DECISION_LABELS[d2], "n": a.table[i][j]}
            for i, d1 in enumerate(DECISIONS) for j, d2 in enumerate(DECISIONS)]
    return pd.DataFrame(rows, columns=["rater_1", "rater_2", "rater_1_decision", "rater_2_decision", "n"])


MEASURES = (
    # measure, label, attribute of stats.Kappa, published suffix
    ("n", "Antall vurderte tiltak (n)", "n", "n"),
    ("observed", "Observert enighet", "observed", "agreement"),
    ("expected", "Forventet enighet", "expected", "expected"),
    ("kappa", "Kappa", "kappa", "kappa"),
    ("z", "Z", "z", "z"),
    ("p", "P > Z", "p", "p"),
)


@cached
def agreement_table(filters: Filters, scope: Scope, cohort_year: int = DEFAULT_COHORT) -> pd.DataFrame:
    """Computed beside published statistics, both phases: phase, phase_label,
    measure, measure_label, computed, published (NaN when not published), band
    (Landis-Koch, on the kappa row). National."""
    published = _published_for(cohort_year) or {}
    rows = []
    for phase, prefix in KAPPA_PHASES.items():
        a = _agreement(int(cohort_year), phase)
        k = a.kappa
        for measure, label, attr, suffix in MEASURES:
            value = getattr(k, attr) if k is not None else (a.n_pairs if measure == "n" else math.nan)
            pub = published.get(f"{prefix}_{suffix}") if suffix else None
            rows.append({"phase": phase, "phase_label": PHASE_LABELS[phase], "measure": measure,
                         "measure_label": label, "computed": float(value) if value is not None else math.nan,
                         "published": math.nan if pub is None else float(pub),
                         "band": (k.band if k is not None else None) if measure == "kappa" else None})
    return pd.DataFrame(rows, columns=["phase", "phase_label", "measure", "measure_label", "computed",
                                       "published", "band"])


DISAGREEMENT_COLUMNS = ["phase", "tiltak_id", "tiltak_name", "office_name", "region_name", "rater_1",
                        "decision_1", "reason_1", "rater_2", "decision_2", "reason_2"]


@cached
def disagreements(filters: Filters, scope: Scope, cohort_year: int = DEFAULT_COHORT,
                  phase: str = "screening") -> pd.DataFrame:
    """Tiltak in the phase's stage on which the two raters disagreed, to discuss:
    DISAGREEMENT_COLUMNS (decisions as 'Inn'/'Ut'). Tiltak-level: follows the region
    and office filters; a Statsforvalter gets its own region's tiltak only."""
    if phase not in KAPPA_PHASES:
        raise ValueError(f"ukjent fase: {phase!r}")
    a = _agreement(int(cohort_year), phase)
    if len(a.raters) < 2:
        return pd.DataFrame(columns=DISAGREEMENT_COLUMNS)
    ids = funnel_sets(_cohort(cohort_year), _ratings())[_STAGE_OF_PHASE[phase]]
    params = filter_params(PHASE_RATINGS_SQL, filters, scope, cohort_year=int(cohort_year), phase=phase)
    rows = fetch(PHASE_RATINGS_SQL, params)
    rows = rows[rows["tiltak_id"].isin(ids) & rows["rater"].isin(a.raters)]
    info = rows.drop_duplicates("tiltak_id").set_index("tiltak_id")[
        ["tiltak_name", "office_name", "region_name"]]
    by_rater = {r: rows[rows["rater"] == r].set_index("tiltak_id")[["decision", "reason"]] for r in a.raters}
    wide = info.join(by_rater[a.raters[0]].add_suffix("_1"), how="inner") \
               .join(by_rater[a.raters[1]].add_suffix("_2"), how="inner")
    wide = wide[wide["decision_1"] != wide["decision_2"]].reset_index()
    wide["phase"] = PHASE_LABELS[phase]
    wide["rater_1"], wide["rater_2"] = a.raters
    for col in ("decision_1", "decision_2"):
        wide[col] = wide[col].map(DECISION_LABELS)
    return wide.loc[:, DISAGREEMENT_COLUMNS].sort_values(["office_name", "tiltak_id"]).reset_index(drop=True)
