"""Tiltak: the searchable list (one row per tiltak, its latest report within the
filters), one tiltak's reports and self-assessment over the years, its office's
decision and internal-control context, and the frame the similarity search runs on.

Scope: reports are office-level, so every query here is restricted to
`scope.office_region(...)`: a Statsforvalter sees its own region's tiltak only, and
a tiltak elsewhere is simply not found. Decision and audit counts at one office are
returned raw with the columns `suppress` needs; the page suppresses and blanks them.
Case keys and adviser keys never leave this module (only counts are selected).
"""
from __future__ import annotations

import re

import pandas as pd

from dashboard import similarity
from dashboard.queries import FULL_ACCESS, Filters, Scope, cached, fetch, filter_params

#: What a tiltak id may look like in a URL; anything else is not looked up at all.
TILTAK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")

_REPORT_FILTER = """
    report_year BETWEEN $year_from AND $year_to
    AND ($region_id IS NULL OR region_id = $region_id)
    AND ($office_id IS NULL OR office_id = $office_id)
    AND ($report_type IS NULL OR report_type = $report_type)
"""

# Current name per office (an office may have several validity periods).
_OFFICES = """
    SELECT DISTINCT ON (office_id) office_id, office_name, municipality
    FROM offices
    ORDER BY office_id, valid_to DESC NULLS FIRST, valid_from DESC NULLS LAST
"""

# One row per tiltak. "Latest" = the latest year, the final report before the status
# report of the same year. The grant counts each year once (the final report's when a
# year has both), as on Oversikt. Free text comes from the latest report that has it,
# so a blank latest form does not hide what the tiltak is about.
TILTAK_LIST_SQL = f"""
WITH r AS (
    SELECT *, report_year * 2 + CAST(report_type = 'slutt' AS INTEGER) AS recency
    FROM reports
    WHERE {_REPORT_FILTER}
),
per_year AS (
    SELECT DISTINCT ON (tiltak_id, report_year) tiltak_id, report_year, grant_kr
    FROM r
    ORDER BY tiltak_id, report_year, report_type = 'slutt' DESC
),
grants AS (
    SELECT tiltak_id, CAST(sum(grant_kr) AS BIGINT) AS grant_kr,
           string_agg(CAST(report_year AS VARCHAR), ', ' ORDER BY report_year) AS years_reported,
           count(*) AS n_years, min(report_year) AS first_year, max(report_year) AS last_year
    FROM per_year
    GROUP BY tiltak_id
),
texts AS (
    SELECT tiltak_id,
           arg_max(target_group, recency) FILTER (WHERE nullif(trim(target_group), '') IS NOT NULL) AS target_group,
           arg_max(description, recency) FILTER (WHERE nullif(trim(description), '') IS NOT NULL) AS description,
           arg_max(continuation, recency) FILTER (WHERE continuation IS NOT NULL) AS continuation,
           bool_or(report_type = 'slutt') AS has_final
    FROM r
    GROUP BY tiltak_id
),
latest AS (
    SELECT DISTINCT ON (tiltak_id) *
    FROM r
    ORDER BY tiltak_id, recency DESC
),
o AS ({_OFFICES})
SELECT l.tiltak_id, l.tiltak_name, l.office_id, coalesce(o.office_name, l.office_id) AS office_name,
       l.region_id, coalesce(g.region_name, 'Ukjent region') AS region_name,
       gr.years_reported, gr.n_years, gr.first_year, gr.last_year,
       l.report_type AS latest_type, gr.grant_kr,
       array_to_string(list_sort(l.categories), ', ') AS categories,
       l.age_from, l.age_to,
       array_to_string(l.law_sections, ', ') AS law_sections,
       t.continuation, t.has_final, l.is_blank_form,
       t.target_group, t.description
FROM latest l
JOIN grants gr USING (tiltak_id)
JOIN texts t USING (tiltak_id)
LEFT JOIN o USING (office_id)
LEFT JOIN ref_regions g ON g.region_id = l.region_id
ORDER BY gr.last_year DESC, l.tiltak_name, l.tiltak_id
"""

# All of one tiltak's reports (the scope decides whether it is visible at all).
TILTAK_REPORTS_SQL = f"""
WITH o AS ({_OFFICES})
SELECT r.tiltak_id, r.report_year, r.report_type, r.office_id, coalesce(o.office_name, r.office_id) AS office_name,
       o.municipality, r.region_id, coalesce(g.region_name, 'Ukjent region') AS region_name, r.tiltak_name,
       r.grant_kr, r.used_salary_kr, r.used_competence_kr,
       r.used_salary_kr + r.used_competence_kr AS used_kr, r.carried_over_kr, r.fte, r.start_year,
       r.grant_cap_kr, r.is_over_cap, r.submitted_at,
       array_to_string(list_sort(r.categories), ', ') AS categories, r.age_from, r.age_to,
       array_to_string(r.law_sections, ', ') AS law_sections, r.form_version,
       r.target_group, r.description, r.changes, r.developed_achieved, r.goal_method, r.success_factors,
       r.challenges, r.erfaringsbasen, r.continuation, r.continuation_how, r.is_blank_form
FROM reports r
LEFT JOIN o USING (office_id)
LEFT JOIN ref_regions g ON g.region_id = r.region_id
WHERE r.tiltak_id = $tiltak_id
  AND ($region_id IS NULL OR r.region_id = $region_id)
ORDER BY r.report_year, r.report_type = 'slutt'
"""

SELF_ASSESSMENT_SQL = """
SELECT s.report_year, s.report_type, s.question_no, s.question_code, q.theme, q.question_text,
       s.form_version, s.answer_kind, s.score, s.label, s.is_top, s.scale_min, s.scale_max
FROM self_assessment s
LEFT JOIN ref_questions q USING (question_no)
WHERE s.tiltak_id = $tiltak_id
  AND ($region_id IS NULL OR s.region_id = $region_id)
ORDER BY s.report_year, s.report_type = 'slutt', s.question_no
"""

# Decisions at one office per year and paragraph, with the months that have data.
OFFICE_DECISIONS_SQL = """
SELECT CAST(year(month) AS INTEGER) AS year, paragraf,
       CAST(sum(n) AS BIGINT) AS n, count(DISTINCT month) AS n_months
FROM decisions
WHERE office_id = $office_id
  AND ($region_id IS NULL OR region_id = $region_id)
GROUP BY ALL
ORDER BY year, paragraf
"""

# Internal control at one office: per round and paragraph, the number of checked
# cases and the answers over all points. Counts only: no case or adviser key.
OFFICE_AUDIT_SQL = """
WITH cases AS (
    SELECT round_label, paragraf, min(round_start) AS round_start, count(*) AS n_cases
    FROM audit_cases
    WHERE office_id = $office_id AND ($region_id IS NULL OR region_id = $region_id)
    GROUP BY ALL
),
answers AS (
    SELECT round_label, paragraf, CAST(sum(n_ja) AS BIGINT) AS n_ja, CAST(sum(n_nei) AS BIGINT) AS n_nei,
           CAST(sum(n_ikke_relevant) AS BIGINT) AS n_ikke_relevant, CAST(sum(n_blank) AS BIGINT) AS n_blank
    FROM audit_compliance
    WHERE office_id = $office_id AND ($region_id IS NULL OR region_id = $region_id)
    GROUP BY ALL
)
SELECT c.round_label, c.round_start, c.paragraf, c.n_cases,
       coalesce(a.n_ja, 0) AS n_ja, coalesce(a.n_nei, 0) AS n_nei,
       coalesce(a.n_ikke_relevant, 0) AS n_ikke_relevant, coalesce(a.n_blank, 0) AS n_blank
FROM cases c LEFT JOIN answers a USING (round_label, paragraf)
ORDER BY c.round_start, c.round_label, c.paragraf
"""

# The similarity search's frame: every tiltak the caller may see, whatever the
# filters (an applicant should find what was tried in any year). Categories and ages
# from the latest report that has them; 'place' = office and municipality names,
# whose words are not counted as shared content.
SIMILARITY_FRAME_SQL = f"""
WITH r AS (
    SELECT *, report_year * 2 + CAST(report_type = 'slutt' AS INTEGER) AS recency
    FROM reports
    WHERE $region_id IS NULL OR region_id = $region_id
),
t AS (
    SELECT tiltak_id,
           arg_max(tiltak_name, recency) AS tiltak_name,
           arg_max(office_id, recency) AS office_id,
           arg_max(region_id, recency) AS region_id,
           arg_max(target_group, recency) FILTER (WHERE nullif(trim(target_group), '') IS NOT NULL) AS target_group,
           arg_max(description, recency) FILTER (WHERE nullif(trim(description), '') IS NOT NULL) AS description,
           arg_max(categories, recency) FILTER (WHERE len(categories) > 0) AS categories,
           arg_max(age_from, recency) FILTER (WHERE age_from IS NOT NULL) AS age_from,
           arg_max(age_to, recency) FILTER (WHERE age_to IS NOT NULL) AS age_to,
           arg_max(continuation, recency) FILTER (WHERE continuation IS NOT NULL) AS continuation,
           bool_or(report_type = 'slutt') AS has_final,
           min(report_year) AS first_year, max(report_year) AS last_year
    FROM r
    GROUP BY tiltak_id
),
o AS ({_OFFICES})
SELECT t.*, coalesce(o.office_name, t.office_id) AS office_name,
       trim(coalesce(o.office_name, '') || ' ' || coalesce(o.municipality, '')) AS place,
       coalesce(g.region_name, 'Ukjent region') AS region_name
FROM t
LEFT JOIN o USING (office_id)
LEFT JOIN ref_regions g ON g.region_id = t.region_id
ORDER BY t.tiltak_id
"""


def valid_tiltak_id(tiltak_id) -> bool:
    return isinstance(tiltak_id, str) and TILTAK_ID.fullmatch(tiltak_id) is not None


@cached
def tiltak_list(filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row per tiltak with a report within the filters: tiltak_id, tiltak_name,
    office_id, office_name, region_id, region_name, years_reported ('2019, 2020'),
    n_years, first_year, last_year, latest_type, grant_kr (sum over the years),
    categories, age_from, age_to, law_sections (texts), continuation (latest
    answer), has_final, is_blank_form (latest report), target_group, description."""
    return fetch(TILTAK_LIST_SQL, filter_params(TILTAK_LIST_SQL, filters, scope))


@cached
def tiltak_reports(tiltak_id: str, scope: Scope) -> pd.DataFrame:
    """Every report of one tiltak (oldest first); empty when it does not exist or the
    caller may not see it."""
    if not valid_tiltak_id(tiltak_id):
        return fetch(TILTAK_REPORTS_SQL, {"tiltak_id": "", "region_id": scope.office_region(None)})
    return fetch(TILTAK_REPORTS_SQL, {"tiltak_id": tiltak_id, "region_id": scope.office_region(None)})


@cached
def self_assessment(tiltak_id: str, scope: Scope) -> pd.DataFrame:
    """The tiltak's answers per report and question: report_year, report_type,
    question_no, question_code, theme, question_text, form_version, answer_kind
    ('score'/'ikke_relevant'/'blank'), score, label, is_top, scale_min, scale_max."""
    tid = tiltak_id if valid_tiltak_id(tiltak_id) else ""
    return fetch(SELF_ASSESSMENT_SQL, {"tiltak_id": tid, "region_id": scope.office_region(None)})


@cached
def office_decisions(office_id: str, scope: Scope) -> pd.DataFrame:
    """year, paragraf ('17'/'20a'), n (decisions), n_months at one office; raw counts,
    suppress before showing."""
    return fetch(OFFICE_DECISIONS_SQL, {"office_id": office_id, "region_id": scope.office_region(None)})


@cached
def office_audits(office_id: str, scope: Scope) -> pd.DataFrame:
    """round_label, round_start, paragraf, n_cases, n_ja, n_nei, n_ikke_relevant,
    n_blank at one office (empty when it has had no internal control)."""
    return fetch(OFFICE_AUDIT_SQL, {"office_id": office_id, "region_id": scope.office_region(None)})


@cached
def similarity_frame(scope: Scope = FULL_ACCESS) -> pd.DataFrame:
    """One row per tiltak the caller may see, for dashboard.similarity: the
    REQUIRED_COLUMNS plus office_name, region_name, place, first_year, last_year."""
    return fetch(SIMILARITY_FRAME_SQL, {"region_id": scope.office_region(None)})


@cached
def similarity_index(scope: Scope = FULL_ACCESS) -> similarity.SimilarityIndex:
    """The similarity index over similarity_frame(scope), built once per published
    warehouse and scope (cached like the queries)."""
    return similarity.build_index(
        similarity_frame(scope),
        keep=("tiltak_name", "office_name", "region_name", "first_year", "last_year"),
    )


def similar_tiltak(tiltak_id: str, scope: Scope, n: int = 5) -> pd.DataFrame:
    """The n most similar other tiltak the caller may see (see dashboard.similarity)."""
    if not valid_tiltak_id(tiltak_id):
        return similarity.most_similar(similarity_index(scope), "", n=n)
    return similarity.most_similar(similarity_index(scope), tiltak_id, n=n)
