-- Data-quality warnings: loaded, but flagged for a human to look at.
-- Messages are shown to users: Norwegian number format (1 020 000, 1,5).
CREATE OR REPLACE TEMP MACRO nb_int(x) AS replace(format('{:,}', x), ',', ' ');
CREATE OR REPLACE TEMP MACRO nb_dec(x) AS replace(CAST(round(x, 2) AS VARCHAR), '.', ',');
CREATE OR REPLACE TABLE dq_warnings AS
SELECT load_seq, file_name, 'rapportering' AS kind, line, 'over_kostnadstak' AS warning_code,
       'Tilskudd ' || nb_int(grant_kr) || ' kr er over taket ' || nb_int(grant_cap_kr) || ' kr (610 000 kr × '
         || nb_dec(fte) || ' årsverk + 20 000 kr)' AS message,
       office_id, tiltak_id, report_year
FROM reports_history WHERE is_current AND is_over_cap
UNION ALL
SELECT load_seq, file_name, 'rapportering', line, 'tomt_skjema',
       'Tomt skjema: ingen egenvurdering og ingen fritekst', office_id, tiltak_id, report_year
FROM reports_history WHERE is_current AND is_blank_form
UNION ALL
SELECT load_seq, file_name, 'stikkprove', line, 'tom_kontroll',
       'Kontrollert sak uten ett eneste besvart punkt', office_id, NULL, year(control_date)
FROM audit_cases WHERE n_answered = 0
UNION ALL
SELECT NULL, NULL, 'vedtak', NULL, 'hopp_i_vedtak',
       'Vedtak ' || strftime(month, '%m.%Y') || ': ' || nb_int(n) || ' mot ' || nb_int(prev_n) || ' måneden før (mer enn tredoblet)',
       office_id, NULL, year(month)
FROM (
  SELECT office_id, month, n, lag(n) OVER (PARTITION BY office_id ORDER BY month) AS prev_n,
         lag(month) OVER (PARTITION BY office_id ORDER BY month) AS prev_month
  FROM (SELECT office_id, month, sum(n) AS n FROM decisions GROUP BY 1, 2)
) WHERE prev_month = month - INTERVAL 1 MONTH AND prev_n >= 10 AND n > 3 * prev_n;
