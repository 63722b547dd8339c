-- The office register: the latest version of each kontor_id.
CREATE OR REPLACE TABLE offices_all AS
SELECT h.kontor_id AS office_id, h.navn AS office_name, h.kommune AS municipality, h.fylke AS county,
       h.statsforvalter AS region_id, h.ansatte AS employees, h.gyldig_fra AS valid_from,
       h.gyldig_til AS valid_to, h.aliaser AS aliases, l.is_sample
FROM hist_kontorer h LEFT JOIN load_log l ON l.load_seq = h._load_seq
QUALIFY row_number() OVER (PARTITION BY h.kontor_id ORDER BY h._load_seq DESC, h._line DESC) = 1;
