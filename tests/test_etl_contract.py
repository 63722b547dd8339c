"""One test per contract rule: a small bad file, what loads and what is quarantined."""
from __future__ import annotations

import json

import pytest

from etl.build import BuildError, build
from etl.extract import FileError
from tests.etl_helpers import REPORT_HEADER, query, raw_with_register, write, write_xlsx


def _build(tmp_path, files: dict[str, str], encoding="utf-8", **kw):
    raw = raw_with_register(tmp_path)
    for name, text in files.items():
        write(raw, name, text, encoding)
    db = tmp_path / "wh.duckdb"
    return build(raw, db, **kw), db


def _quarantine(db):
    return query(db, "SELECT file_name, line, column_name, reason FROM quarantine ORDER BY line, column_name")


GOOD = "T1;2021;status;NAV Alna;Festesona;610 000;15.01.2022;1,0;3;Ja, i stor grad"


@pytest.mark.parametrize("row, column, reason", [
    ("T2;2021;status;NAV Atlantis;X;100;2022-01-15;1;2;1", "nav_kontor", "ukjent kontor «NAV Atlantis»"),
    ("T2;2021;status;NAV Alnna;X;100;2022-01-15;1;2;1", "nav_kontor", "nærmeste: NAV Alna"),
    ("T2;2021;status;NAV Alna;X;abc;2022-01-15;1;2;1", "tilskudd_kr", "ikke et beløp i hele kroner: «abc»"),
    ("T2;2021;status;NAV Alna;X;100;31.02.2022;1;2;1", "innsendt", "ugyldig tidspunkt: «31.02.2022»"),
    ("T2;2021;midtveis;NAV Alna;X;100;2022-01-15;1;2;1", "rapporttype", "ugyldig verdi «midtveis»"),
    ("T2;2021;status;NAV Alna;;100;2022-01-15;1;2;1", "tiltak_navn", "mangler verdi"),
    ("T2;2021;status;NAV Alna;X;100;2022-01-15;1;4;1", "q01", "ikke en verdi på skala 1: «4»"),
    ("T2;2021;status;NAV Alna;X;100;2022-01-15;1;Ja, veldig;1", "q01", "ikke en verdi på skala 1"),
    ("T2;2021;status;NAV Alna;X;-5;2022-01-15;1;2;1", "tilskudd_kr", "mindre enn 0"),
    ("T2;1921;status;NAV Alna;X;5;2022-01-15;1;2;1", "rapportaar", "mindre enn 2000"),
    ("T2;2021;status;NAV Alna;X;5;2022-01-15;1,5x;2;1", "arsverk", "ikke et tall"),
])
def test_report_rule_quarantines_row_and_loads_the_rest(tmp_path, row, column, reason):
    summary, db = _build(tmp_path, {"rapportering_2021.csv": f"{REPORT_HEADER}\n{GOOD}\n{row}\n"})
    q = _quarantine(db)
    assert [(f, line, c) for f, line, c, _ in q] == [("rapportering_2021.csv", 3, column)]
    assert reason in q[0][3]
    assert query(db, "SELECT tiltak_id, grant_kr, fte FROM reports") == [("T1", 610000, 1.0)]
    raw = json.loads(query(db, "SELECT raw_values FROM quarantine")[0][0])
    assert raw["tiltak_id"] == "T2"  # the raw values are kept, not fixed
    assert summary.rows_quarantined == 1


def test_scores_labels_ikke_relevant_and_blank(tmp_path):
    rows = ["T1;2021;status;NAV Alna;A;1;2022-01-15;1;Ja, i stor grad;Ikke relevant",
            "T2;2021;status;Nav Alna;B;1;2022-01-15;1;0;"]
    _, db = _build(tmp_path, {"rapportering_2021.csv": REPORT_HEADER + "\n" + "\n".join(rows) + "\n"})
    got = query(db, """SELECT tiltak_id, question_code, answer_kind, score, label FROM self_assessment
                       WHERE question_code IN ('q01', 'q02', 'q03') ORDER BY 1, 2""")
    assert got == [
        ("T1", "q01", "score", 3, "Ja, i stor grad"), ("T1", "q02", "ikke_relevant", None, None),
        ("T1", "q03", "blank", None, None),
        ("T2", "q01", "score", 0, "Ikke i det hele tatt"), ("T2", "q02", "blank", None, None),
        ("T2", "q03", "blank", None, None),
    ]


def test_second_scale_version(tmp_path):
    header = REPORT_HEADER + ";skjemaversjon"
    rows = ["T1;2023;status;NAV Alna;A;1;2024-01-15;1;7;1;2", "T2;2023;status;NAV Alna;B;1;2024-01-15;1;0;1;2"]
    _, db = _build(tmp_path, {"rapportering_2023.csv": header + "\n" + "\n".join(rows) + "\n"})
    assert query(db, "SELECT score, is_top, scale_min, scale_max FROM self_assessment WHERE question_code='q01'") \
        == [(7, True, 1, 7)]
    assert [r[2] for r in _quarantine(db)] == ["q01"]  # 0 is not on the 1–7 scale


def test_blank_form_is_loaded_and_flagged(tmp_path):
    _, db = _build(tmp_path, {"rapportering_2021.csv": f"{REPORT_HEADER}\n{GOOD}\nT9;2021;status;NAV Alna;Tom;5;2022-01-15;;;\n"})
    assert query(db, "SELECT tiltak_id FROM reports WHERE is_blank_form") == [("T9",)]
    assert query(db, "SELECT warning_code, tiltak_id FROM dq_warnings") == [("tomt_skjema", "T9")]


def test_grant_over_cap_is_a_warning_not_a_quarantine(tmp_path):
    row = "T2;2021;status;NAV Alna;X;700 000;2022-01-15;1;2;1"
    _, db = _build(tmp_path, {"rapportering_2021.csv": f"{REPORT_HEADER}\n{row}\n"})
    assert _quarantine(db) == []
    assert query(db, "SELECT warning_code, tiltak_id FROM dq_warnings") == [("over_kostnadstak", "T2")]
    assert query(db, "SELECT grant_cap_kr, is_over_cap FROM reports") == [(630000, True)]


def test_windows_1252_semicolon_decimal_comma_and_header_variants(tmp_path):
    text = (" Tiltak_ID ;Rapportår;RAPPORTTYPE;nav_kontor;tiltak_navn;tilskudd_kr;innsendt;Årsverk;q01;q02\n"
            "T1;2021;status;NAV Løten;Økonomi – «gjeld»;1 234 567;30.06.2021;1,5;3;2\n")
    _, db = _build(tmp_path, {"rapportering_2021.csv": text}, encoding="cp1252")
    assert query(db, "SELECT tiltak_name, grant_kr, fte, office_id, submitted_at::DATE::VARCHAR FROM reports") == \
        [("Økonomi – «gjeld»", 1234567, 1.5, "K3412-LOTEN", "2021-06-30")]


def test_utf8_bom_and_comma(tmp_path):
    text = "\ufefftiltak_id,rapportaar,rapporttype,nav_kontor,tiltak_navn,tilskudd_kr,innsendt\nT1,2021,slutt,nav alna,Å,5,2022-01-01\n"
    _, db = _build(tmp_path, {"rapportering_x.csv": text})
    assert query(db, "SELECT tiltak_id, tiltak_name, office_id FROM reports") == [("T1", "Å", "K0301-ALNA")]


def test_xlsx_named_sheet_and_dates(tmp_path):
    import datetime as dt

    raw = raw_with_register(tmp_path)
    write_xlsx(raw / "vedtak_2021.xlsx", [
        ["nav_kontor", "periode", "paragraf", "vedtakstype", "antall"],
        ["NAV Alna", dt.datetime(2021, 3, 1), 17, "innvilget", 4],
        [None, None, None, None, None],
        ["NAV Alna", "2021-04", "20a", "avslag", "x"],
    ], sheet="vedtak")
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    assert query(db, "SELECT month::VARCHAR, paragraf, n FROM decisions") == [("2021-03-01", "17", 4)]
    assert [(line, col) for _, line, col, _ in _quarantine(db)] == [(4, "antall")]  # Excel row 4


def test_ragged_and_blank_lines_keep_line_numbers(tmp_path):
    text = ("nav_kontor,periode,paragraf,vedtakstype\n"
            "NAV Alna,2021-01,17,innvilget\n"
            "\n"
            "NAV Alna,2021-01,17,innvilget,ekstra\n"
            "NAV Alna,2021-02,§ 20 a,stans\n")
    _, db = _build(tmp_path, {"vedtak_a.csv": text})
    assert [(line, col) for _, line, col, _ in _quarantine(db)] == [(4, "*")]
    assert "feil antall kolonner: fant 5, ventet 4" in _quarantine(db)[0][3]
    assert query(db, "SELECT month::VARCHAR, paragraf, decision_type, n FROM decisions ORDER BY 1") == \
        [("2021-01-01", "17", "innvilget", 1), ("2021-02-01", "20a", "stans", 1)]


def test_decision_records_and_counts_sum_per_month(tmp_path):
    text = ("nav_kontor,periode,paragraf,vedtakstype,aldersgruppe\n"
            + "NAV Alna,2021-01-15,17,innvilget,under 30\n" * 3 + "NAV Alna,2021-01,17,avslag,30 og over\n")
    _, db = _build(tmp_path, {"vedtak_records.csv": text})
    assert query(db, "SELECT decision_type, age_group, n FROM decisions ORDER BY 1") == \
        [("avslag", "30 og over", 1), ("innvilget", "under 30", 3)]


def test_audit_points_beyond_the_form_and_pseudonyms(tmp_path):
    header = "nav_kontor,kontrolldato,paragraf,saksnummer,veileder," + ",".join(f"p{i:02d}" for i in range(1, 17))
    ok17 = "NAV Løten,2019-06-10,17,SAK-SECRET-1,Veileder Hemmelig," + ",".join(["ja"] * 12 + [""] * 4)
    bad17 = "NAV Løten,2019-06-10,17,SAK-SECRET-2,Veileder Hemmelig," + ",".join(["ja"] * 13 + [""] * 3)
    ok20 = "NAV Løten,2019-10-10,20a,SAK-SECRET-3,Veileder Hemmelig," + ",".join(["nei"] * 15 + ["ikke relevant"])
    _, db = _build(tmp_path, {"stikkprove_2019.csv": "\n".join([header, ok17, bad17, ok20]) + "\n"})
    assert [(line, col) for _, line, col, _ in _quarantine(db)] == [(3, "p13")]
    assert query(db, "SELECT round_label, paragraf, n_cases, n_ja, n_nei, n_ikke_relevant FROM audit_compliance "
                     "WHERE point_no = 1 ORDER BY 1") == [("2019 runde 1", "17", 1, 1, 0, 0), ("2019 runde 2", "20a", 1, 0, 1, 0)]
    snapshot = (tmp_path / "wh.duckdb").resolve().read_bytes()
    assert b"SAK-SECRET" not in snapshot and b"Hemmelig" not in snapshot
    raw = query(db, "SELECT raw_values FROM quarantine")[0][0]
    assert "SAK-SECRET" not in raw and "Hemmelig" not in raw


def test_unknown_file_is_reported_not_guessed(tmp_path):
    summary, db = _build(tmp_path, {"budsjett_2021.csv": "a,b\n1,2\n"})
    assert summary.unknown_files == ["budsjett_2021.csv"]
    assert query(db, "SELECT status, rows_loaded FROM load_log WHERE file_name = 'budsjett_2021.csv'") == \
        [("ukjent_type", 0)]


@pytest.mark.parametrize("name, text, message", [
    ("rapportering_1.csv", "tiltak_id;rapportaar\nT1;2021\n", "mangler påkrevd kolonne"),
    ("vedtak_1.csv", "", "tom"),
    ("vedtak_2.xlsx", "not a zip", "ikke en gyldig XLSX"),
    ("vedtak_3.pdf", "%PDF", "støttes ikke"),
    ("vedtak_4.csv", "nav_kontor,periode,paragraf,vedtakstype,Periode\n", "to ganger"),
])
def test_unreadable_file_fails_the_build_and_keeps_the_warehouse(tmp_path, name, text, message):
    raw = raw_with_register(tmp_path)
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    before = db.resolve()
    write(raw, name, text)
    with pytest.raises((FileError, BuildError)) as e:
        build(raw, db)
    assert message in str(e.value) and name in str(e.value)
    assert db.resolve() == before
    assert query(db, "SELECT count(*) FROM offices") == [(2,)]


def test_strict_fails_on_quarantine_and_publishes_nothing(tmp_path):
    raw = raw_with_register(tmp_path)
    db = tmp_path / "wh.duckdb"
    build(raw, db)
    before = db.resolve()
    write(raw, "vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype\nNAV Atlantis,2021-01,17,innvilget\n")
    with pytest.raises(BuildError, match="strict"):
        build(raw, db, strict=True)
    assert db.resolve() == before


def test_office_aliases_resolve(tmp_path):
    text = "nav_kontor,periode,paragraf,vedtakstype\n" + "".join(
        f"{name},2021-01,17,innvilget\n" for name in ("NAV Løten", "Nav Loten", "nav løten", "Løten", "NAV LOTEN"))
    _, db = _build(tmp_path, {"vedtak_1.csv": text})
    assert _quarantine(db) == []
    assert query(db, "SELECT office_id, n FROM decisions") == [("K3412-LOTEN", 5)]


@pytest.mark.parametrize("name, text, line, column, reason", [
    ("kontorer_2.csv", "kontor_id,navn,kommune,fylke,statsforvalter,gyldig_fra\nK9,NAV X,X,Y,Nordvestlandet,2015-01-01\n",
     2, "statsforvalter", "ukjent statsforvalter «Nordvestlandet»"),
    ("kontorer_2.csv", "kontor_id,navn,kommune,fylke,statsforvalter,gyldig_fra,gyldig_til\n"
                       "K9,NAV X,X,Y,Agder,2015-01-01,2014-01-01\n", 2, "gyldig_til", "gyldig_til før gyldig_fra"),
    ("vurderinger_1.csv", "tiltak_id,fase,vurderer,vurdering\nT1,screening,A,kanskje\n", 2, "vurdering", "ugyldig verdi «kanskje»"),
    ("vurderinger_1.csv", "tiltak_id,fase,vurderer,vurdering\nT1,forfase,A,inn\n", 2, "fase", "ugyldig verdi «forfase»"),
    ("vurderinger_1.csv", "tiltak_id,fase,vurderer,vurdering,k01\nT1,case,A,inn,kanskje\n", 2, "k01", "tillatt: ja, nei, ukjent"),
    ("metoder_1.csv", "metode_id,navn,opprinnelig_kontor,startaar,status,malgruppe,alder_fra,alder_til,beskrivelse,kategorier,kilde\n"
                      "m1,M,NAV Alna,2019,i drift,unge,30,15,b,ungdom,k\n", 2, "alder_til", "alder_fra er større enn alder_til"),
    ("replikering_1.csv", "metode_id,nav_kontor,rolle,status,start,kilde\nm1,NAV Alna,kopi,pagaar,2021-01-01,k\n",
     2, "rolle", "ugyldig verdi «kopi»"),
    ("replikering_1.csv", "metode_id,nav_kontor,rolle,status,start,slutt,kilde\nm1,NAV Alna,replikering,pagaar,2021-01-01,2020-01-01,k\n",
     2, "slutt", "slutt før start"),
    ("vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype,antall\nNAV Alna,2021-01,17,innvilget,-1\n", 2, "antall", "mindre enn 0"),
    ("vedtak_1.csv", "nav_kontor,periode,paragraf,vedtakstype,aldersgruppe\nNAV Alna,2021-01,18,innvilget,under 30\n",
     2, "paragraf", "ugyldig verdi «18»"),
    ("stikkprove_1.csv", "nav_kontor,kontrolldato,paragraf,saksnummer,p01\nNAV Alna,2019-06-01,17,S1,kanskje\n",
     2, "p01", "ikke ja/nei/ikke relevant"),
    ("stikkprove_1.csv", "nav_kontor,kontrolldato,paragraf,saksnummer,p01\nNAV Alna,2019-06-01,17,,ja\n",
     2, "saksnummer", "mangler verdi"),
])
def test_rules_of_the_other_kinds(tmp_path, name, text, line, column, reason):
    _, db = _build(tmp_path, {name: text})
    q = _quarantine(db)
    assert [(f, ln, c) for f, ln, c, _ in q] == [(name, line, column)]
    assert reason in q[0][3]


def test_fingerprint_across_chunk_boundaries(tmp_path):
    from etl.extract import CHUNK, fingerprint

    def fp(data: bytes):
        path = tmp_path / "f.csv"
        path.write_bytes(data)
        return fingerprint(path)

    assert fp(b"a" * (CHUNK - 1) + b"\n\nb").blank_lines            # blank line across the boundary
    assert fp(b"x\r\n\r\nx").blank_lines and not fp(b"x\r\ny\r\n").blank_lines
    assert fp(b"a" * (CHUNK - 1) + "ø".encode() + b"rest").utf8      # a character split by the boundary
    assert not fp(b"a" * (CHUNK - 1) + "ø".encode()[:1]).utf8        # cut off at the end
    assert not fp("æøå".encode("cp1252")).utf8
