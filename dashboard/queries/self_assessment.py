"""Egenvurdering: the 14 self-assessment items of the reporting form, per form version.

Rules the numbers follow:
- one form version (one scale) at a time: scales are never mixed in a distribution,
  a mean or a share;
- only answers on the scale (`answer_kind = 'score'`) are scores: 'Ikke relevant'
  and blank answers are counted apart and never enter a mean or a share;
- blank forms (`is_blank_form`) are left out of everything and counted separately;
- question texts and scale labels come from the warehouse (ref_questions,
  ref_scale), the published reference figures from ref_published.

Scope: rows are per tiltak (office-level), so every query is restricted to
`scope.office_region(...)` like the other pages.
"""
from __future__ import annotations

import pandas as pd

from dashboard.queries import Filters, Scope, cached, fetch, filter_params

DEFAULT_VERSION = 1

_FILTER = """
    s.report_year BETWEEN $year_from AND $year_to
    AND ($region_id IS NULL OR s.region_id = $region_id)
    AND ($office_id IS NULL OR s.office_id = $office_id)
    AND ($report_type IS NULL OR s.report_type = $report_type)
"""
_ANSWERS = f"""
    {_FILTER} AND s.form_version = $form_version AND NOT s.is_blank_form
"""

SCALE_SQL = """
SELECT score, label, is_top FROM ref_scale WHERE form_version = $form_version ORDER BY score
"""

# Every form version in the reference, with how many (non-blank) reports use it
# within the filters.
VERSIONS_SQL = f"""
WITH v AS (
    SELECT form_version, min(score) AS scale_min, max(score) AS scale_max FROM ref_scale GROUP BY form_version
), r AS (
    SELECT s.form_version, count(*) AS n_reports
    FROM reports s
    WHERE {_FILTER} AND NOT s.is_blank_form
    GROUP BY ALL
)
SELECT v.form_version, v.scale_min, v.scale_max, coalesce(r.n_reports, 0) AS n_reports
FROM v LEFT JOIN r USING (form_version)
ORDER BY v.form_version
"""

# Counts per question and scale value; every (question, value) pair is present.
DISTRIBUTION_SQL = f"""
WITH a AS (
    SELECT s.question_no, s.score, count(*) AS n
    FROM self_assessment s
    WHERE {_ANSWERS} AND s.answer_kind = 'score'
    GROUP BY ALL
)
SELECT q.question_no, sc.score, sc.label, sc.is_top, coalesce(a.n, 0) AS n
FROM ref_questions q
CROSS JOIN (SELECT score, label, is_top FROM ref_scale WHERE form_version = $form_version) sc
LEFT JOIN a ON a.question_no = q.question_no AND a.score = sc.score
ORDER BY q.question_no, sc.score
"""

QUESTION_SUMMARY_SQL = f"""
WITH a AS (
    SELECT s.question_no,
           count(*) FILTER (WHERE s.answer_kind = 'score') AS n_scored,
           avg(s.score) FILTER (WHERE s.answer_kind = 'score') AS mean_score,
           count(*) FILTER (WHERE s.answer_kind = 'score' AND s.is_top) AS n_top,
           count(*) FILTER (WHERE s.answer_kind = 'ikke_relevant') AS n_not_relevant,
           count(*) FILTER (WHERE s.answer_kind = 'blank') AS n_blank
    FROM self_assessment s
    WHERE {_ANSWERS}
    GROUP BY ALL
)
SELECT q.question_no, q.question_code, q.theme, q.question_text, q.wording_source,
       coalesce(a.n_scored, 0) AS n_scored, a.mean_score, coalesce(a.n_top, 0) AS n_top,
       coalesce(a.n_not_relevant, 0) AS n_not_relevant, coalesce(a.n_blank, 0) AS n_blank
FROM ref_questions q LEFT JOIN a USING (question_no)
ORDER BY q.question_no
"""

OVERALL_SQL = f"""
SELECT count(*) FILTER (WHERE s.answer_kind = 'score') AS n_scored,
       avg(s.score) FILTER (WHERE s.answer_kind = 'score') AS mean_score,
       count(*) FILTER (WHERE s.answer_kind = 'score' AND s.is_top) AS n_top,
       count(*) FILTER (WHERE s.answer_kind = 'ikke_relevant') AS n_not_relevant,
       count(*) FILTER (WHERE s.answer_kind = 'blank') AS n_blank
FROM self_assessment s
WHERE {_ANSWERS}
"""

SCORE_COUNTS_SQL = f"""
SELECT s.score, count(*) AS n
FROM self_assessment s
WHERE {_ANSWERS} AND s.answer_kind = 'score'
GROUP BY ALL
ORDER BY n DESC, s.score DESC
"""

# Reports (not answers): with answers in the distribution, and blank forms left out.
REPORT_COUNTS_SQL = f"""
SELECT count(*) FILTER (WHERE NOT s.is_blank_form) AS n_reports,
       count(*) FILTER (WHERE s.is_blank_form) AS n_blank_forms
FROM reports s
WHERE {_FILTER} AND s.form_version = $form_version
"""

# Blank forms are not tied to a scale: counted over all versions too.
BLANK_FORMS_ALL_SQL = f"""
SELECT count(*) AS n_blank_forms FROM reports s WHERE {_FILTER} AND s.is_blank_form
"""

BY_YEAR_SQL = f"""
SELECT s.report_year,
       count(*) FILTER (WHERE s.answer_kind = 'score') AS n_scored,
       avg(s.score) FILTER (WHERE s.answer_kind = 'score') AS mean_score,
       count(*) FILTER (WHERE s.answer_kind = 'score' AND s.is_top) AS n_top
FROM self_assessment s
WHERE {_ANSWERS}
GROUP BY ALL
ORDER BY s.report_year
"""

PUBLISHED_SQL = """
SELECT figure_id, value, description, source FROM ref_published
WHERE figure_id IN ('self_assessment_mode', 'self_assessment_mean')
"""


def _version(form_version) -> int:
    try:
        return int(form_version)
    except (TypeError, ValueError):
        return DEFAULT_VERSION


def _params(sql: str, filters: Filters, scope: Scope, form_version=None) -> dict:
    extra = {"form_version": _version(form_version)} if "$form_version" in sql else {}
    return filter_params(sql, filters, scope, **extra)


@cached
def versions(filters: Filters, scope: Scope) -> pd.DataFrame:
    """form_version, scale_min, scale_max, n_reports (non-blank reports in the filters)."""
    return fetch(VERSIONS_SQL, _params(VERSIONS_SQL, filters, scope))


@cached
def scale(form_version: int = DEFAULT_VERSION) -> pd.DataFrame:
    """score, label, is_top for one form version, lowest score first."""
    return fetch(SCALE_SQL, {"form_version": _version(form_version)})


@cached
def distribution(filters: Filters, scope: Scope, form_version: int = DEFAULT_VERSION) -> pd.DataFrame:
    """question_no, score, label, is_top, n, share: answers per question and scale value
    (scores only), share of the question's scored answers (0 when none)."""
    df = fetch(DISTRIBUTION_SQL, _params(DISTRIBUTION_SQL, filters, scope, form_version))
    df["n"] = df["n"].astype("int64")
    totals = df.groupby("question_no")["n"].transform("sum")
    df["share"] = (df["n"] / totals.where(totals > 0)).fillna(0.0)
    return df


@cached
def question_summary(filters: Filters, scope: Scope, form_version: int = DEFAULT_VERSION) -> pd.DataFrame:
    """One row per question: question_no, question_code, theme, question_text,
    wording_source, n_scored, mean_score (NaN when none), n_top, share_top,
    n_not_relevant, n_blank. Blank forms are not in any count."""
    df = fetch(QUESTION_SUMMARY_SQL, _params(QUESTION_SUMMARY_SQL, filters, scope, form_version))
    for col in ("n_scored", "n_top", "n_not_relevant", "n_blank"):
        df[col] = df[col].astype("int64")
    df["mean_score"] = df["mean_score"].astype("float64")
    df["share_top"] = (df["n_top"] / df["n_scored"].where(df["n_scored"] > 0)).astype("float64")
    return df


@cached
def overall(filters: Filters, scope: Scope, form_version: int = DEFAULT_VERSION) -> dict:
    """Over all 14 items: n_scored, mean_score, mode_score (the most frequent score;
    ties go to the higher), n_top, share_top, n_not_relevant, n_blank (blank answers
    on forms that are not blank), n_reports, n_blank_forms (this version),
    n_blank_forms_all (every version)."""
    v = _version(form_version)
    row = fetch(OVERALL_SQL, _params(OVERALL_SQL, filters, scope, v)).iloc[0]
    counts = fetch(SCORE_COUNTS_SQL, _params(SCORE_COUNTS_SQL, filters, scope, v))
    reports = fetch(REPORT_COUNTS_SQL, _params(REPORT_COUNTS_SQL, filters, scope, v)).iloc[0]
    blank_all = fetch(BLANK_FORMS_ALL_SQL, _params(BLANK_FORMS_ALL_SQL, filters, scope)).iloc[0]
    n_scored = int(row["n_scored"] or 0)
    mean = row["mean_score"]
    return {
        "form_version": v,
        "n_scored": n_scored,
        "mean_score": None if mean is None or pd.isna(mean) else float(mean),
        "mode_score": int(counts["score"].iloc[0]) if len(counts) else None,
        "n_top": int(row["n_top"] or 0),
        "share_top": (int(row["n_top"] or 0) / n_scored) if n_scored else None,
        "n_not_relevant": int(row["n_not_relevant"] or 0),
        "n_blank": int(row["n_blank"] or 0),
        "n_reports": int(reports["n_reports"] or 0),
        "n_blank_forms": int(reports["n_blank_forms"] or 0),
        "n_blank_forms_all": int(blank_all["n_blank_forms"] or 0),
    }


@cached
def by_year(filters: Filters, scope: Scope, form_version: int = DEFAULT_VERSION) -> pd.DataFrame:
    """report_year, n_scored, mean_score, n_top, share_top for one form version."""
    df = fetch(BY_YEAR_SQL, _params(BY_YEAR_SQL, filters, scope, form_version))
    df["share_top"] = (df["n_top"] / df["n_scored"].where(df["n_scored"] > 0)).astype("float64")
    return df


@cached
def published() -> dict:
    """The published reference: {'mode': 3.0, 'mean': 2.7, 'source': 'NTNU/SØF 2023',
    'description': …}; values None when the warehouse lacks them."""
    df = fetch(PUBLISHED_SQL)
    values = dict(zip(df["figure_id"], df["value"]))
    sources = sorted(set(df["source"].dropna()))
    descr = dict(zip(df["figure_id"], df["description"]))
    return {
        "mode": values.get("self_assessment_mode"),
        "mean": values.get("self_assessment_mean"),
        "source": ", ".join(sources) if sources else None,
        "description": descr.get("self_assessment_mean") or descr.get("self_assessment_mode"),
        "scale_version": DEFAULT_VERSION,  # the published figures are on the 0-3 scale
    }
