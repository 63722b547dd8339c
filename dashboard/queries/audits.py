"""Internkontroll (§ 17 and § 20 a spot checks): compliance per office, round and
checklist point, Wilson intervals, change between rounds, risk flags per office.

Reads only the aggregated mart `audit_compliance` (never audit_cases/audit_checks:
case_key and adviser_key stay in the warehouse). Office-level, so every query is
restricted to `scope.office_region(...)`: a Statsforvalter gets its own region only.

Compliance = ja / (ja + nei); 'ikke relevant' and blank answers are left out of the
rate and counted apart. A rate built on fewer than the suppression threshold of
assessed cases (ja + nei) is suppressed here, in the query layer: the rate, its
interval, the counts it is built from and the counts that would let a reader
recover it (ikke relevant, blank: n_cases - those = ja + nei) are blanked, and
`suppressed` is True. Pages therefore never hold the hidden values.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from dashboard import stats
from dashboard.queries import Filters, Scope, cached, fetch, filter_params

PARAGRAFER = ("17", "20a")

# One row per office: the currently valid name.
_OFFICE_NAMES = """
    SELECT DISTINCT ON (office_id) office_id, office_name
    FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST, valid_from DESC NULLS LAST
"""

_AUDIT_FILTER = """
    year(c.round_start) BETWEEN $year_from AND $year_to
    AND ($region_id IS NULL OR c.region_id = $region_id)
    AND ($office_id IS NULL OR c.office_id = $office_id)
"""

COMPLIANCE_SQL = f"""
WITH o AS ({_OFFICE_NAMES})
SELECT c.office_id, coalesce(o.office_name, c.office_id) AS office_name, c.region_id,
       c.round_label, c.round_start, c.paragraf, c.point_no,
       coalesce(k.point_text, c.point_text) AS point_text,
       c.n_cases, c.n_ja, c.n_nei, c.n_ikke_relevant, c.n_blank
FROM audit_compliance c
LEFT JOIN o USING (office_id)
LEFT JOIN ref_checklist k ON k.paragraf = c.paragraf AND k.point_no = c.point_no
WHERE c.paragraf = $paragraf AND {_AUDIT_FILTER}
ORDER BY office_name, c.office_id, c.round_start, c.round_label, c.point_no
"""

CHECKLIST_SQL = """
SELECT paragraf, point_no, point_text FROM ref_checklist WHERE paragraf = $paragraf ORDER BY point_no
"""

RISKS_SQL = """
SELECT r.risk_id, r.risk_text, r.paragraf, r.point_no, k.point_text, r.threshold, r.published_offices
FROM ref_risks r LEFT JOIN ref_checklist k ON k.paragraf = r.paragraf AND k.point_no = r.point_no
ORDER BY r.paragraf, r.point_no, r.risk_id
"""

#: Columns the compliance frame has (and nothing else: no case or adviser keys).
COMPLIANCE_COLUMNS = [
    "office_id", "office_name", "region_id", "round_label", "round_start", "round_no", "paragraf",
    "point_no", "point_text", "n_cases", "n_assessed", "n_ja", "n_nei", "n_ikke_relevant", "n_blank",
    "compliance", "ci_low", "ci_high", "change_pp", "previous_round_label", "suppressed", "status",
]
#: Values blanked in a suppressed cell (everything derived from the small count).
SUPPRESSED_VALUES = ["n_assessed", "n_ja", "n_nei", "n_ikke_relevant", "n_blank", "compliance", "ci_low",
                     "ci_high", "change_pp"]

STATUS_OK = "vist"
STATUS_SUPPRESSED = "skjult"
STATUS_NONE = "ingen_vurderte"  # every case 'ikke relevant' or blank: no rate


def suppression_threshold() -> int:
    """dashboard.config.settings().suppression_threshold (TILTAKSMONITOR_SUPPRESSION_MIN,
    validated by config) when the setting exists, else stats.SUPPRESSION_THRESHOLD.
    A configuration error is raised, not papered over with a default."""
    from dashboard import config

    value = getattr(config.settings(), "suppression_threshold", None)
    return stats.SUPPRESSION_THRESHOLD if value is None else int(value)


def _paragraf(value) -> str:
    value = str(value or "").replace(" ", "").replace("§", "").lower()
    if value not in PARAGRAFER:
        raise ValueError(f"ukjent paragraf: {value!r}")
    return value


def compute_compliance(raw: pd.DataFrame, threshold: int = stats.SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """Pure: rates, Wilson intervals, suppression and change between rounds for rows
    of audit_compliance (office, round, point). Suppressed cells come back blanked."""
    df = raw.copy()
    for col in ("n_cases", "n_ja", "n_nei", "n_ikke_relevant", "n_blank"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0).astype("int64")
    df["n_assessed"] = df["n_ja"] + df["n_nei"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["compliance"] = np.where(df["n_assessed"] > 0, df["n_ja"] / df["n_assessed"].where(df["n_assessed"] > 0, 1),
                                    np.nan)
    df["ci_low"], df["ci_high"] = stats.wilson_bounds(df["n_ja"], df["n_assessed"])
    # No totals over offices or rounds are published: primary suppression only.
    df = stats.suppress(df, "n_assessed", threshold=threshold, totals=())
    df = df.drop(columns="suppression_reason")
    df.loc[df["suppressed"], "compliance"] = np.nan  # before the change is computed
    df["status"] = np.where(df["suppressed"], STATUS_SUPPRESSED,
                            np.where(df["n_assessed"] > 0, STATUS_OK, STATUS_NONE))

    # Round number per office (1, 2, ... by start date) and change from the previous round.
    df["round_start"] = pd.to_datetime(df["round_start"])
    rounds = (df[["office_id", "round_start", "round_label"]].drop_duplicates()
              .sort_values(["office_id", "round_start", "round_label"]))
    rounds["round_no"] = rounds.groupby("office_id").cumcount() + 1
    rounds["previous_round_label"] = rounds.groupby("office_id")["round_label"].shift(1)
    df = df.merge(rounds, on=["office_id", "round_start", "round_label"], how="left")
    df = df.sort_values(["office_id", "paragraf", "point_no", "round_no"]).reset_index(drop=True)
    previous = df.groupby(["office_id", "paragraf", "point_no"])["compliance"].shift(1)
    df["change_pp"] = (df["compliance"] - previous) * 100.0

    df = stats.blank_suppressed(df, SUPPRESSED_VALUES)
    df["round_start"] = df["round_start"].dt.date
    df = df.sort_values(["office_name", "office_id", "round_no", "point_no"]).reset_index(drop=True)
    return df.loc[:, COMPLIANCE_COLUMNS]


def compliance(filters: Filters, scope: Scope, paragraf: str = "20a") -> pd.DataFrame:
    """One row per office, round and checklist point of `paragraf` ('17'/'20a'):
    COMPLIANCE_COLUMNS. compliance is a fraction; change_pp is percentage points
    from the office's previous round; suppressed rows have their values blanked."""
    return _compliance(filters, scope, _paragraf(paragraf), suppression_threshold())


@cached
def _compliance(filters: Filters, scope: Scope, paragraf: str, threshold: int) -> pd.DataFrame:
    # the threshold is an argument so that the cache never serves another threshold's result
    sql_params = filter_params(COMPLIANCE_SQL, filters, scope, paragraf=paragraf)
    return compute_compliance(fetch(COMPLIANCE_SQL, sql_params), threshold)


@cached
def checklist(paragraf: str) -> pd.DataFrame:
    """paragraf, point_no, point_text: the points of one form, in order."""
    return fetch(CHECKLIST_SQL, {"paragraf": _paragraf(paragraf)})


@cached
def risks() -> pd.DataFrame:
    """The risks of the second round (ref_risks) with their checklist point text."""
    return fetch(RISKS_SQL)


def latest_round(df: pd.DataFrame) -> pd.DataFrame:
    """Each office's rows from its latest round in a compliance frame."""
    if df.empty:
        return df
    last = df.groupby("office_id")["round_no"].transform("max")
    return df[df["round_no"] == last]


def risk_offices(filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per risk and office: the office's latest-round rate at the risk's point and
    whether it is flagged (rate below the threshold). A suppressed or undefined rate
    is never flagged (is_flagged NULL: cannot be judged).

    risk_id, risk_text, paragraf, point_no, point_text, threshold, office_id,
    office_name, round_label, n_assessed, compliance, ci_low, ci_high, suppressed,
    status, is_flagged."""
    risk = risks()
    frames = []
    for paragraf in sorted(set(risk["paragraf"])):
        latest = latest_round(compliance(filters, scope, paragraf))
        frames.append(risk[risk["paragraf"] == paragraf].merge(latest.drop(columns=["paragraf", "point_text"]),
                                                               on="point_no", how="inner")
                      .assign(paragraf=paragraf))
    cols = ["risk_id", "risk_text", "paragraf", "point_no", "point_text", "threshold", "office_id", "office_name",
            "round_label", "n_assessed", "compliance", "ci_low", "ci_high", "suppressed", "status"]
    if not frames:
        return pd.DataFrame(columns=cols + ["is_flagged"])
    df = pd.concat(frames, ignore_index=True).loc[:, cols]
    flagged = df["compliance"].astype("float64") < df["threshold"].astype("float64")
    df["is_flagged"] = flagged.astype("boolean").where(df["compliance"].notna(), pd.NA)
    df["_order"] = df["risk_id"].map({r: i for i, r in enumerate(risk["risk_id"])})
    return df.sort_values(["_order", "office_name"]).drop(columns="_order").reset_index(drop=True)


def risk_summary(filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per risk: how many offices are flagged in their latest round, of how
    many with data, beside the published count (of the 4 PROFH offices).

    risk_id, risk_text, paragraf, point_no, point_text, threshold, published_offices,
    n_flagged, n_offices, n_unjudged, flagged_offices (names, comma separated),
    flagged_text ('2 av 4 kontorer'), published_text, matches_published."""
    risk = risks()
    per_office = risk_offices(filters, scope)
    rows = []
    for r in risk.itertuples(index=False):
        sub = per_office[per_office["risk_id"] == r.risk_id]
        flagged = sub[sub["is_flagged"].fillna(False).astype(bool)]
        n_offices = int(sub["office_id"].nunique())
        n_flagged = int(flagged["office_id"].nunique())
        rows.append({
            "risk_id": r.risk_id, "risk_text": r.risk_text, "paragraf": r.paragraf, "point_no": r.point_no,
            "point_text": r.point_text, "threshold": float(r.threshold),
            "published_offices": int(r.published_offices),
            "n_flagged": n_flagged, "n_offices": n_offices,
            "n_unjudged": int(sub["is_flagged"].isna().sum()),
            "flagged_offices": ", ".join(sorted(flagged["office_name"].astype(str))),
            "flagged_text": f"{n_flagged} av {n_offices} kontorer" if n_offices else "Ingen data",
            "published_text": f"{int(r.published_offices)} av 4 kontorer",
            "matches_published": (n_flagged == int(r.published_offices)) if n_offices else None,
        })
    cols = ["risk_id", "risk_text", "paragraf", "point_no", "point_text", "threshold", "published_offices",
            "n_flagged", "n_offices", "n_unjudged", "flagged_offices", "flagged_text", "published_text",
            "matches_published"]
    return pd.DataFrame(rows, columns=cols)
