-- Marts the app reads. English names; contract values kept as the contract spells them.

CREATE OR REPLACE TABLE offices AS
SELECT office_id, office_name, municipality, county, region_id, employees,
       CASE WHEN employees IS NULL THEN NULL WHEN employees < 30 THEN 'liten'
            WHEN employees < 100 THEN 'mellomstor' ELSE 'stor' END AS size_class,
       valid_from, valid_to, coalesce(is_sample, false) AS is_sample
FROM offices_all;

CREATE OR REPLACE TABLE office_aliases AS
SELECT office_id, unnest(aliases) AS alias FROM offices_all;

CREATE OR REPLACE TABLE regions AS
SELECT region_id, region_name, tile_row, tile_col, sort_order FROM ref_regions;

-- Reports: every version, then the current one per (tiltak, year, type).
CREATE OR REPLACE TABLE reports_history AS
SELECT h.tiltak_id, h.rapportaar AS report_year, h.rapporttype AS report_type,
       h.nav_kontor AS office_id, coalesce(o.region_id, h.statsforvalter) AS region_id,
       h.tiltak_navn AS tiltak_name, h.tilskudd_kr AS grant_kr, h.innsendt AS submitted_at,
       h.startaar AS start_year, h.arsverk AS fte, h.brukt_lonn_kr AS used_salary_kr,
       h.brukt_kompetanse_kr AS used_competence_kr, h.overfort_kr AS carried_over_kr,
       list_transform(h.lovparagrafer, lambda x: '§' || lower(replace(replace(x, '§', ''), ' ', ''))) AS law_sections,
       list_transform(h.kategorier, lambda x: lower(x)) AS categories,
       h.alder_fra AS age_from, h.alder_til AS age_to, coalesce(h.skjemaversjon, 1) AS form_version,
       h.malgruppe AS target_group, h.beskrivelse AS description, h.endringer AS changes,
       h.utviklet_oppnadd AS developed_achieved, h.maaloppnaelse_metode AS goal_method,
       h.suksessfaktorer AS success_factors, h.utfordringer AS challenges,
       CASE h.erfaringsbasen WHEN 'ja' THEN true WHEN 'nei' THEN false END AS erfaringsbasen,
       h.videreforing AS continuation, h.videreforing_hvordan AS continuation_how,
       (h.q01_svar = 'blank' AND h.q02_svar = 'blank' AND h.q03_svar = 'blank' AND h.q04_svar = 'blank'
        AND h.q05_svar = 'blank' AND h.q06_svar = 'blank' AND h.q07_svar = 'blank' AND h.q08_svar = 'blank'
        AND h.q09_svar = 'blank' AND h.q10_svar = 'blank' AND h.q11_svar = 'blank' AND h.q12_svar = 'blank'
        AND h.q13_svar = 'blank' AND h.q14_svar = 'blank'
        AND h.malgruppe IS NULL AND h.beskrivelse IS NULL AND h.endringer IS NULL AND h.utviklet_oppnadd IS NULL
        AND h.maaloppnaelse_metode IS NULL AND h.suksessfaktorer IS NULL AND h.utfordringer IS NULL) AS is_blank_form,
       CASE WHEN h.arsverk IS NOT NULL
            THEN round(h.arsverk * (SELECT value FROM ref_published WHERE figure_id = 'cost_cap_per_fte_kr')
                 + (SELECT value FROM ref_published WHERE figure_id = 'competence_cap_kr'))::BIGINT END AS grant_cap_kr,
       coalesce(l.is_sample, false) AS is_sample,
       h._load_seq AS load_seq, l.file_name, h._line AS line,
       h.q01, h.q02, h.q03, h.q04, h.q05, h.q06, h.q07, h.q08, h.q09, h.q10, h.q11, h.q12, h.q13, h.q14,
       h.q01_svar, h.q02_svar, h.q03_svar, h.q04_svar, h.q05_svar, h.q06_svar, h.q07_svar,
       h.q08_svar, h.q09_svar, h.q10_svar, h.q11_svar, h.q12_svar, h.q13_svar, h.q14_svar
FROM hist_rapportering h
LEFT JOIN offices o ON o.office_id = h.nav_kontor
LEFT JOIN load_log l ON l.load_seq = h._load_seq;

CREATE OR REPLACE TABLE reports_history AS
SELECT *, grant_kr > grant_cap_kr AS is_over_cap,
       row_number() OVER w AS version_no,
       row_number() OVER w = count(*) OVER (PARTITION BY tiltak_id, report_year, report_type) AS is_current
FROM reports_history
WINDOW w AS (PARTITION BY tiltak_id, report_year, report_type ORDER BY submitted_at NULLS FIRST, load_seq, line);

CREATE OR REPLACE TABLE reports AS
SELECT * EXCLUDE (load_seq, file_name, line, version_no, is_current,
                  q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14,
                  q01_svar, q02_svar, q03_svar, q04_svar, q05_svar, q06_svar, q07_svar,
                  q08_svar, q09_svar, q10_svar, q11_svar, q12_svar, q13_svar, q14_svar)
FROM reports_history WHERE is_current;

-- Self-assessment answers in long form, joined to the scale definition.
CREATE OR REPLACE TABLE self_assessment AS
WITH cur AS (SELECT * FROM reports_history WHERE is_current),
long AS (
  UNPIVOT (SELECT tiltak_id, report_year, report_type, office_id, region_id, form_version, is_blank_form, is_sample,
                  {'s': q01, 'k': q01_svar} AS q01, {'s': q02, 'k': q02_svar} AS q02, {'s': q03, 'k': q03_svar} AS q03,
                  {'s': q04, 'k': q04_svar} AS q04, {'s': q05, 'k': q05_svar} AS q05, {'s': q06, 'k': q06_svar} AS q06,
                  {'s': q07, 'k': q07_svar} AS q07, {'s': q08, 'k': q08_svar} AS q08, {'s': q09, 'k': q09_svar} AS q09,
                  {'s': q10, 'k': q10_svar} AS q10, {'s': q11, 'k': q11_svar} AS q11, {'s': q12, 'k': q12_svar} AS q12,
                  {'s': q13, 'k': q13_svar} AS q13, {'s': q14, 'k': q14_svar} AS q14
           FROM cur)
  ON q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14
  INTO NAME question_code VALUE answer
)
SELECT l.tiltak_id, l.report_year, l.report_type, l.office_id, l.region_id,
       qq.question_no, l.question_code, l.form_version, l.answer.k AS answer_kind,
       CAST(l.answer.s AS INTEGER) AS score, s.label, coalesce(s.is_top, false) AS is_top,
       b.scale_min, b.scale_max, l.is_blank_form, l.is_sample
FROM long l
JOIN ref_questions qq ON qq.question_code = l.question_code
LEFT JOIN ref_scale s ON s.form_version = l.form_version AND s.score = l.answer.s
LEFT JOIN (SELECT form_version, min(score) AS scale_min, max(score) AS scale_max FROM ref_scale GROUP BY 1) b
       ON b.form_version = l.form_version;

-- Decisions: per key, the count from the latest file that reported it.
CREATE OR REPLACE TABLE decisions_history AS
SELECT h._load_seq AS load_seq, l.file_name, h.nav_kontor AS office_id, o.region_id, h.periode AS month,
       h.paragraf, h.vedtakstype AS decision_type, h.aldersgruppe AS age_group, h.antall AS n,
       coalesce(l.is_sample, false) AS is_sample
FROM hist_vedtak h LEFT JOIN offices o ON o.office_id = h.nav_kontor
LEFT JOIN load_log l ON l.load_seq = h._load_seq;

CREATE OR REPLACE TABLE decisions AS
SELECT office_id, region_id, month, paragraf, decision_type, age_group, n, is_sample
FROM decisions_history
QUALIFY row_number() OVER (PARTITION BY office_id, month, paragraf, decision_type, age_group
                           ORDER BY load_seq DESC) = 1
ORDER BY region_id, office_id, month;

-- Internal control: cases (pseudonymised), checks in long form, compliance per point.
CREATE OR REPLACE TABLE audit_cases AS
SELECT h.saksnummer AS case_key, h.veileder AS adviser_key, h.nav_kontor AS office_id, o.region_id,
       h.kontrolldato AS control_date,
       coalesce(h.runde, strftime(h.kontrolldato, '%Y') || ' runde ' || CASE WHEN month(h.kontrolldato) <= 6 THEN '1' ELSE '2' END) AS round_label,
       h.paragraf, CASE h.ny_bruker WHEN 'ja' THEN true WHEN 'nei' THEN false END AS is_new_user,
       CASE h.paragraf WHEN '17' THEN (SELECT count(*) FROM ref_checklist WHERE paragraf = '17')
                       ELSE (SELECT count(*) FROM ref_checklist WHERE paragraf = '20a') END AS n_points,
       h._load_seq AS load_seq, l.file_name, h._line AS line, coalesce(l.is_sample, false) AS is_sample,
       [h.p01, h.p02, h.p03, h.p04, h.p05, h.p06, h.p07, h.p08, h.p09, h.p10, h.p11, h.p12, h.p13, h.p14, h.p15, h.p16] AS answers
FROM hist_stikkprove h LEFT JOIN offices o ON o.office_id = h.nav_kontor
LEFT JOIN load_log l ON l.load_seq = h._load_seq
QUALIFY row_number() OVER (PARTITION BY h.saksnummer, h.paragraf, h.kontrolldato ORDER BY h._load_seq DESC, h._line DESC) = 1;

CREATE OR REPLACE TABLE audit_cases AS
SELECT c.* EXCLUDE (answers),
       min(control_date) OVER (PARTITION BY office_id, round_label) AS round_start,
       len(list_filter(answers[1:n_points], lambda x: x IS NOT NULL)) AS n_answered,
       answers
FROM audit_cases c;

CREATE OR REPLACE TABLE audit_checks AS
SELECT c.case_key, c.office_id, c.region_id, c.round_label, c.round_start, c.paragraf, k.point_no,
       CASE c.answers[k.point_no] WHEN 'ja' THEN 'ja' WHEN 'nei' THEN 'nei'
            WHEN 'ikke relevant' THEN 'ikke_relevant' ELSE 'blank' END AS answer,
       c.is_sample
FROM audit_cases c JOIN ref_checklist k ON k.paragraf = c.paragraf;

ALTER TABLE audit_cases DROP COLUMN answers;

CREATE OR REPLACE TABLE audit_compliance AS
SELECT a.office_id, a.region_id, a.round_label, min(a.round_start) AS round_start, a.paragraf, a.point_no,
       any_value(k.point_text) AS point_text, count(*) AS n_cases,
       count(*) FILTER (answer = 'ja') AS n_ja, count(*) FILTER (answer = 'nei') AS n_nei,
       count(*) FILTER (answer = 'ikke_relevant') AS n_ikke_relevant, count(*) FILTER (answer = 'blank') AS n_blank,
       bool_or(a.is_sample) AS is_sample
FROM audit_checks a JOIN ref_checklist k ON k.paragraf = a.paragraf AND k.point_no = a.point_no
GROUP BY a.office_id, a.region_id, a.round_label, a.paragraf, a.point_no;

-- Ratings of tiltak (selection of promising methods).
CREATE OR REPLACE TABLE ratings AS
SELECT h.tiltak_id, h.fase AS phase, h.vurderer AS rater, h.vurdering AS decision, h.dato AS rated_on,
       h.begrunnelse AS reason, h.k01, h.k02, h.k03, h.k04, h.k05, h.k06, h.k07, h.k08, h.k09, h.k10, h.k11, h.k12, h.k13,
       coalesce(l.is_sample, false) AS is_sample
FROM hist_vurderinger h LEFT JOIN load_log l ON l.load_seq = h._load_seq
QUALIFY row_number() OVER (PARTITION BY h.tiltak_id, h.fase, h.vurderer ORDER BY h._load_seq DESC, h._line DESC) = 1;

CREATE OR REPLACE TABLE methods AS
SELECT h.metode_id AS method_id, h.navn AS method_name, h.opprinnelig_kontor AS office_id, o.office_name,
       o.region_id, h.tiltak_id, h.startaar AS start_year, h.status, h.malgruppe AS target_group,
       h.alder_fra AS age_from, h.alder_til AS age_to, h.beskrivelse AS description,
       list_transform(h.kategorier, lambda x: lower(x)) AS categories, h.kilde AS source,
       coalesce(l.is_sample, false) AS is_sample
FROM hist_metoder h LEFT JOIN offices o ON o.office_id = h.opprinnelig_kontor
LEFT JOIN load_log l ON l.load_seq = h._load_seq
QUALIFY row_number() OVER (PARTITION BY h.metode_id ORDER BY h._load_seq DESC, h._line DESC) = 1;

CREATE OR REPLACE TABLE replications AS
SELECT h.metode_id AS method_id, h.nav_kontor AS office_id, o.office_name, o.region_id, h.rolle AS role,
       h.status, h.start AS start_date, h.slutt AS end_date, h.finansiering AS funding, h.kilde AS source,
       h.merknad AS note, coalesce(l.is_sample, false) AS is_sample
FROM hist_replikering h LEFT JOIN offices o ON o.office_id = h.nav_kontor
LEFT JOIN load_log l ON l.load_seq = h._load_seq
QUALIFY row_number() OVER (PARTITION BY h.metode_id, h.nav_kontor, h.rolle ORDER BY h._load_seq DESC, h._line DESC) = 1;
