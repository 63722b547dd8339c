"""Round trip of the generated sample: the published figures read back with plain SQL."""
from __future__ import annotations

import pytest

from etl import reference
from etl.sample import DELIBERATE_ERRORS
from tests.etl_helpers import query


def crosstab(db, phase):
    rows = query(db, """
        WITH r AS (SELECT tiltak_id, rater, decision FROM ratings WHERE phase = ?),
             raters AS (SELECT list(DISTINCT rater ORDER BY rater) AS rs FROM r)
        SELECT a.decision, b.decision, count(*) FROM r a JOIN r b USING (tiltak_id), raters
        WHERE a.rater = rs[1] AND b.rater = rs[2] GROUP BY ALL ORDER BY ALL""", [phase])
    return {(a, b): n for a, b, n in rows}


def test_funded_and_blank_forms_2021(sample_warehouse):
    assert query(sample_warehouse, "SELECT count(DISTINCT tiltak_id) FROM reports WHERE report_year = 2021") == [(203,)]
    assert query(sample_warehouse, "SELECT count(DISTINCT tiltak_id) FROM reports WHERE report_year = 2021 "
                                   "AND is_blank_form") == [(22,)]
    assert query(sample_warehouse, "SELECT count(DISTINCT region_id) FROM reports WHERE report_year = 2021") == [(10,)]


def test_self_assessment_mode_and_mean(sample_warehouse):
    (mode, mean, below2), = query(sample_warehouse, """
        SELECT mode(score), avg(score), avg((score < 2)::INT) FROM self_assessment
        WHERE report_year = 2021 AND answer_kind = 'score' AND form_version = 1""")
    assert mode == reference.published("self_assessment_mode")
    assert abs(mean - reference.published("self_assessment_mean")) < 0.1
    assert below2 < 0.1


def test_ratings_reproduce_the_published_crosstabs_and_funnel(sample_warehouse):
    assert crosstab(sample_warehouse, "screening") == {("ut", "ut"): 34, ("ut", "inn"): 20, ("inn", "ut"): 20, ("inn", "inn"): 107}
    assert crosstab(sample_warehouse, "dybde") == {("ut", "ut"): 124, ("ut", "inn"): 9, ("inn", "ut"): 9, ("inn", "inn"): 5}
    assert query(sample_warehouse, "SELECT phase, count(*), count(*) FILTER (decision = 'inn') FROM ratings "
                                   "WHERE phase IN ('felles', 'case') GROUP BY 1 ORDER BY 1") == [("case", 10, 7), ("felles", 23, 10)]
    assert query(sample_warehouse, """SELECT count(*) FROM methods m JOIN ratings r ON r.tiltak_id = m.tiltak_id
                                      AND r.phase = 'case' AND r.decision = 'inn'""") == [(7,)]


def test_methods_and_replications(sample_warehouse):
    got = dict(query(sample_warehouse, "SELECT office_name, start_year FROM methods"))
    assert got == {"NAV Alna": 2021, "NAV Asker": 2019, "NAV Frogner": 2020, "NAV Grimstad": 2018,
                   "NAV Grünerløkka": 2018, "NAV Midt-Telemark": 2019, "NAV Øygarden": 2019}
    follow = query(sample_warehouse, """SELECT m.method_name, count(*) FROM replications r JOIN methods m USING (method_id)
                                        WHERE r.role = 'folgeprosjekt' GROUP BY 1 ORDER BY 1""")
    assert [n for _, n in follow] == [3, 3]


def test_profh_audits_and_published_risks(sample_warehouse):
    offices = query(sample_warehouse, """SELECT o.office_name, count(DISTINCT round_label), count(*)
        FROM audit_cases a JOIN offices o USING (office_id) GROUP BY 1 ORDER BY 1""")
    assert [o for o, _, _ in offices] == ["NAV Hamar", "NAV Løten", "NAV Ringsaker", "NAV Stange"]
    assert all(rounds == 2 for _, rounds, _ in offices)
    for risk_id, paragraf, point, threshold, published in query(
            sample_warehouse, "SELECT risk_id, paragraf, point_no, threshold, published_offices FROM ref_risks"):
        flagged = query(sample_warehouse, """
            SELECT count(*) FROM audit_compliance
            WHERE round_label = '2019 runde 2' AND paragraf = ? AND point_no = ?
              AND n_ja::DOUBLE / nullif(n_ja + n_nei, 0) < ?""", [paragraf, point, threshold])[0][0]
        assert flagged == published, risk_id


def test_decisions_rise_at_every_profh_office(sample_warehouse):
    rows = query(sample_warehouse, """
        SELECT o.office_name,
               sum(n) FILTER (month BETWEEN DATE '2018-01-01' AND DATE '2018-12-01'),
               sum(n) FILTER (month BETWEEN DATE '2019-01-01' AND DATE '2019-12-01')
        FROM decisions d JOIN offices o USING (office_id)
        WHERE d.paragraf = '17' AND o.office_name IN ('NAV Ringsaker', 'NAV Hamar', 'NAV Stange', 'NAV Løten')
        GROUP BY 1""")
    assert len(rows) == 4
    assert all(after > before for _, before, after in rows)
    assert query(sample_warehouse, "SELECT count(DISTINCT office_id) = (SELECT count(*) FROM offices) FROM decisions") == [(True,)]


def test_deliberate_errors_and_warnings(sample_warehouse):
    n_quarantined = query(sample_warehouse, "SELECT count(DISTINCT (load_seq, line)) FROM quarantine")[0][0]
    assert n_quarantined == len(DELIBERATE_ERRORS)
    codes = dict(query(sample_warehouse, "SELECT warning_code, count(*) FROM dq_warnings GROUP BY 1"))
    assert codes["tomt_skjema"] == 22 + query(sample_warehouse, "SELECT count(*) FROM reports WHERE is_blank_form "
                                                                "AND report_year <> 2021")[0][0]
    assert codes["over_kostnadstak"] >= 3 and codes["tom_kontroll"] == 1 and codes["hopp_i_vedtak"] >= 1


def test_sample_is_flagged(sample_warehouse):
    assert query(sample_warehouse, "SELECT value FROM meta WHERE key = 'has_sample'") == [("true",)]
    assert query(sample_warehouse, "SELECT bool_and(is_sample) FROM reports") == [(True,)]


def test_supersede_in_the_sample(sample_warehouse):
    assert query(sample_warehouse, "SELECT count(*) FROM reports_history WHERE NOT is_current") == [(2,)]


@pytest.mark.parametrize("region_id", [r["region_id"] for r in reference.regions()])
def test_every_region_has_offices(sample_warehouse, region_id):
    assert query(sample_warehouse, "SELECT count(*) > 0 FROM offices WHERE region_id = ?", [region_id]) == [(True,)]
