"""The sample-data generator, checked on the RAW files it writes (no ETL involved):
formats and encodings, determinism, the published 2021 slice, and that scale never
changes that slice."""
from __future__ import annotations

import io
import re
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from etl import contracts, reference
import etl.sample as sample

KINDS = set(contracts.KINDS)
LABELS_V1 = {label: score for score, label in reference.scale_labels(1).items()}


# ----------------------------------------------------------------- fixtures/helpers

@pytest.fixture(scope="session")
def gen(tmp_path_factory):
    """Scale 1 twice (determinism) and scale 2 once; with the scale-1 wall time."""
    t0 = time.perf_counter()
    a = sample.generate(tmp_path_factory.mktemp("s1a"))
    seconds = time.perf_counter() - t0
    b = sample.generate(tmp_path_factory.mktemp("s1b"))
    c = sample.generate(tmp_path_factory.mktemp("s2"), scale=2)
    return {"a": a, "b": b, "s2": c, "seconds": seconds}


@pytest.fixture(scope="session")
def files(gen):
    return {p.name: p for p in gen["a"]}


def decode(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read(path: Path) -> pd.DataFrame:
    """A raw file as strings, columns renamed to the contract names."""
    if path.suffix == ".xlsx":
        df = pd.read_excel(path, sheet_name=0, dtype=object)
        df = df.astype(object).where(df.notna(), "")
        df = df.map(lambda v: v if isinstance(v, str) else str(v))
    else:
        text = decode(path)
        sep = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    kind = path.name.split("_", 1)[0]
    names = {header_key(c): c for c in contracts.KINDS[kind].column_names}
    return df.rename(columns={c: names.get(header_key(c), c) for c in df.columns})


def header_key(name: str) -> str:
    """The contract's header rule: case, surrounding spaces, ø/æ/å as o/ae/aa."""
    t = name.replace("\ufeff", "").strip().lower()
    for a, b in (("ø", "o"), ("æ", "ae"), ("å", "aa"), ("ü", "u")):
        t = t.replace(a, b)
    return t.replace("aa", "a")


def office_key(name: str) -> str:
    t = name.strip().lower()
    for a, b in (("ø", "o"), ("æ", "ae"), ("å", "a"), ("ü", "u"), ("aa", "a")):
        t = t.replace(a, b)
    return re.sub(r"\s+", " ", t)


def frames(files: dict[str, Path], kind: str, pattern: str = "") -> pd.DataFrame:
    parts = [read(p) for n, p in sorted(files.items()) if n.startswith(kind + "_") and pattern in n]
    return pd.concat(parts, ignore_index=True)


def score(v: str):
    if v in LABELS_V1:
        return LABELS_V1[v]
    return int(float(v)) if re.fullmatch(r"\d+(\.0)?", v) else None


# ----------------------------------------------------------------- files and formats

def test_names_kinds_and_speed(gen, files):
    assert gen["seconds"] < 30
    for name in files:
        kind, mark, _ = name.split("_", 2)
        assert kind in KINDS and mark == "eksempeldata" and name.endswith((".csv", ".xlsx"))
    assert {n.split("_")[0] for n in files} == KINDS


def test_same_bytes_for_same_seed(gen):
    assert [p.name for p in gen["a"]] == [p.name for p in gen["b"]]
    for p, q in zip(gen["a"], gen["b"]):
        assert p.read_bytes() == q.read_bytes(), p.name


def test_encodings_and_formats(files):
    assert files["kontorer_eksempeldata_register.csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert files["vurderinger_eksempeldata_2021_felles_og_case.csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    for year in (2019, 2020, 2022, 2023):
        raw = files[f"rapportering_eksempeldata_{year}.csv"].read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("cp1252")
        assert ";" in text.split("\r\n")[0] and re.search(r";\d,\d;", text)      # decimal comma
        assert re.search(r"\d \d{3} \d{3}|;\d{3} \d{3};", text)                    # '610 000'
        assert re.search(r"\d{2}\.\d{2}\.\d{4}", text)                              # Norwegian dates
    raw = files["vedtak_eksempeldata_2021.csv"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8")
    x = pd.ExcelFile(files["rapportering_eksempeldata_2021.xlsx"])
    assert x.sheet_names[0] == "rapportering"
    assert pd.ExcelFile(files["stikkprove_eksempeldata_profh_2019.xlsx"]).sheet_names


def test_every_header_is_a_contract_column(files):
    variants = 0
    for name, path in files.items():
        kind = name.split("_", 1)[0]
        df = read(path)
        cols = contracts.KINDS[kind].column_names
        assert set(df.columns) <= set(cols), (name, set(df.columns) - set(cols))
        required = {c.name for c in contracts.KINDS[kind].columns if c.required}
        assert required <= set(df.columns), (name, required - set(df.columns))
        raw_header = decode(path).split("\n", 1)[0] if path.suffix == ".csv" else ""
        variants += any(h not in cols for h in re.split("[;,]", raw_header.strip()))
    assert variants >= 2     # some files spell headers differently


def test_office_names_resolve_through_register(files):
    reg = read(files["kontorer_eksempeldata_register.csv"])
    known = set(reg["navn"].map(office_key))
    for aliases in reg["aliaser"]:
        known |= {office_key(a) for a in aliases.split("|") if a}
    assert set(reg["statsforvalter"]) == {r["region_name"] for r in reference.regions()}
    assert len(reg) >= 75 and reg["kontor_id"].is_unique
    used = Counter()
    for name, path in files.items():
        if name.startswith("kontorer"):
            continue
        df = read(path)
        for col in ("nav_kontor", "opprinnelig_kontor"):
            if col in df:
                used.update(df[col])
    unknown = {n for n in used if office_key(n) not in known}
    assert unknown == {sample.UNKNOWN_OFFICE}
    assert used[sample.UNKNOWN_OFFICE] == 2
    spellings = {n for n in used if office_key(n) == "nav alna"}
    assert {"NAV Alna", "Nav Alna", "nav alna"} <= spellings


# ----------------------------------------------------------------- reports

def test_2021_reports_match_published(files):
    df = read(files["rapportering_eksempeldata_2021.xlsx"])
    reg = read(files["kontorer_eksempeldata_register.csv"])
    assert df["tiltak_id"].nunique() == len(df) == sample.FUNDED_2021 == 203
    region = {office_key(n): r for n, r in zip(reg["navn"], reg["statsforvalter"])}
    assert len({region[office_key(n)] for n in df["nav_kontor"]}) == 10
    q = list(contracts.QUESTIONS)
    blank = (df[q + list(contracts.FREE_TEXT)] == "").all(axis=1)
    assert blank.sum() == 22
    answers = df.loc[~blank, q].stack()
    scores = answers.map(score).dropna()
    assert scores.mode().tolist() == [3]
    assert 2.6 <= scores.mean() <= 2.8
    assert (scores < 2).mean() < 0.06
    assert (answers == "Ikke relevant").sum() > 0 and answers.isin(LABELS_V1).sum() > 0
    cap = 610_000 * df["arsverk"].astype(float) + 20_000
    grant = df["tilskudd_kr"].astype(float)
    assert (grant > cap).sum() == 3
    used = df[["brukt_lonn_kr", "brukt_kompetanse_kr", "overfort_kr"]].astype(float).sum(axis=1)
    assert (used == grant).all()
    sent = pd.to_datetime(df["innsendt"])
    assert (sent.dt.year == 2022).all() and (sent.dt.month <= 3).all()


def test_report_years_trends_and_second_scale(files):
    years = {}
    for year in range(2019, 2024):
        name = f"rapportering_eksempeldata_{year}." + ("xlsx" if year == 2021 else "csv")
        years[year] = read(files[name])
        assert len(years[year]) > 150
    d23 = years[2023]
    v2 = d23[d23["skjemaversjon"] == "2"]
    assert len(v2) == 5
    assert set(v2[list(contracts.QUESTIONS)].stack()) - {"Ikke relevant"} <= \
        {"1 – Svært lite", "4 – Middels", "7 – Svært mye", *map(str, range(1, 8))}
    for year, df in years.items():
        if year == 2021:
            continue
        arsverk = df["arsverk"].str.replace(",", ".").astype(float)
        grant = df["tilskudd_kr"].str.replace(" ", "").astype(float)
        assert (grant <= 610_000 * arsverk + 20_000).all(), year
    assert (years[2022]["innsendt"] == "31.02.2022").sum() == 1
    slutt = pd.concat([df[df["rapporttype"] == "slutt"] for df in years.values()])
    assert set(slutt["videreforing"]) - {""} == {"ja", "delvis", "nei"}     # blank forms say nothing


def test_corrected_2021_rows_supersede(files):
    orig = read(files["rapportering_eksempeldata_2021.xlsx"]).set_index("tiltak_id")
    corr = read(files["rapportering_eksempeldata_2021_korrigert.csv"])
    assert len(corr) == 2
    for _, row in corr.iterrows():
        old = orig.loc[row["tiltak_id"]]
        assert row["rapportaar"] == "2021" and row["rapporttype"] == old["rapporttype"]
        assert pd.Timestamp(row["innsendt"]) > pd.Timestamp(old["innsendt"])
        assert float(row["tilskudd_kr"]) != float(old["tilskudd_kr"])


# ----------------------------------------------------------------- ratings, methods

def _crosstab(df: pd.DataFrame) -> dict[tuple[str, str], int]:
    wide = df.assign(v=df["vurdering"].str.lower()).pivot(index="tiltak_id", columns="vurderer", values="v")
    a, b = sample.RATERS
    return {(x[0].upper(), y[0].upper()): int(n)
            for (x, y), n in wide.groupby([a, b]).size().items()}


def test_rating_crosstabs_from_raw_files(files):
    scr = frames(files, "vurderinger", "screening")
    dyb = frames(files, "vurderinger", "dybde")
    joint = frames(files, "vurderinger", "felles")
    assert _crosstab(scr) == sample.SCREENING_CROSSTAB == \
        {("U", "U"): 34, ("U", "I"): 20, ("I", "U"): 20, ("I", "I"): 107}
    assert _crosstab(dyb) == {("U", "U"): 124, ("U", "I"): 9, ("I", "U"): 9, ("I", "I"): 5}
    reports = read(files["rapportering_eksempeldata_2021.xlsx"])
    blank = (reports[list(contracts.QUESTIONS) + list(contracts.FREE_TEXT)] == "").all(axis=1)
    assert set(scr["tiltak_id"]) == set(reports.loc[~blank, "tiltak_id"])
    both_out = {t for t, g in scr.groupby("tiltak_id") if (g["vurdering"].str.lower() == "ut").all()}
    assert set(dyb["tiltak_id"]) == set(scr["tiltak_id"]) - both_out
    felles = joint[joint["fase"] == "felles"]
    case = joint[joint["fase"] == "case"]
    assert len(felles) == 23 and (felles["vurdering"] == "inn").sum() == 10
    assert set(case["tiltak_id"]) == set(felles.loc[felles["vurdering"] == "inn", "tiltak_id"])
    assert set(case.loc[case["vurdering"] == "inn", "tiltak_id"]) == set(sample.METHOD_TILTAK.values())
    assert set(case.loc[case["vurdering"] == "ut", "begrunnelse"]) == set(sample.CASE_DROPOUTS)
    assert set(joint["vurderer"]) == {"Felles"}
    ks = joint[list(contracts.CRITERIA)]
    assert set(ks.stack()) <= {"ja", "nei", "ukjent"}
    seven = case[case["vurdering"] == "inn"][list(contracts.CRITERIA)]
    assert (seven == "ja").mean().mean() > 0.7


def test_methods_link_to_2021_reports_and_replications(files):
    met = read(files["metoder_eksempeldata_lovende.csv"])
    rep = read(files["replikering_eksempeldata_metoder.csv"])
    reports = read(files["rapportering_eksempeldata_2021.xlsx"]).set_index("tiltak_id")
    assert len(met) == 7 and set(met["kilde"]) == {"NTNU/SØF 2023"}
    for _, m in met.iterrows():
        assert office_key(reports.loc[m["tiltak_id"], "nav_kontor"]) == office_key(m["opprinnelig_kontor"])
        assert sample.METHOD_TILTAK[m["metode_id"]] == m["tiltak_id"]
    at_method_offices = reports[reports["nav_kontor"].map(office_key).isin(
        {office_key(o) for o in sample.METHOD_OFFICES.values()})]
    assert set(at_method_offices.index) == set(sample.METHOD_TILTAK.values())
    roles = rep.groupby(["metode_id", "rolle"]).size().to_dict()
    assert all(roles[(m, "opprinnelig")] == 1 for m in met["metode_id"])
    assert roles[("ssa", "folgeprosjekt")] == 3 and roles[("back-to-school", "folgeprosjekt")] == 3
    assert roles[("nye-monstre", "replikering")] == 2 and roles[("nye-monstre", "sammenligning")] >= 2
    assert set(rep["status"]) <= {"planlagt", "pagaar", "i_drift", "avsluttet", "avbrutt"}
    follow = rep[rep["rolle"] == "folgeprosjekt"]
    assert follow["merknad"].str.contains("ikke publisert").all()
    assert not set(follow["nav_kontor"].map(office_key)) & {office_key(o) for o in sample.METHOD_OFFICES.values()}


# ----------------------------------------------------------------- audits, decisions

def test_profh_audit_rounds_and_risks(files):
    df = read(files["stikkprove_eksempeldata_profh_2019.xlsx"])
    df["office"] = df["nav_kontor"].map(office_key)
    assert set(df["office"]) == {office_key(o) for o in sample.PROFH_OFFICES}
    points = [p for p in contracts.POINTS]
    bad = df[~df["paragraf"].isin(["17", "20a"])]
    assert bad["paragraf"].tolist() == ["21"]
    empty = df[(df[points] == "").all(axis=1)]
    assert len(empty) == 1
    ok = df.drop(bad.index).drop(empty.index)
    assert ok["veileder"].nunique() == 20
    per = ok.groupby(["runde", "veileder", "paragraf"])["ny_bruker"].agg(lambda s: sorted(s))
    assert len(per) == 2 * 20 * 2 and all(v == ["ja", "nei"] for v in per)
    months = ok["kontrolldato"].map(lambda d: pd.Timestamp(d) if "-" in d else pd.to_datetime(d, dayfirst=True)).dt.month
    assert set(months[ok["runde"] == "2019 runde 1"]) == {6}
    assert set(months[ok["runde"] == "2019 runde 2"]) <= {10, 11}
    for par, p in (("17", "p03"), ("20a", "p02")):
        col = ok.loc[ok["paragraf"] == par, p]
        assert (col == "ja").sum() / col.isin(["ja", "nei"]).sum() >= 0.9
    r2 = ok[(ok["runde"] == "2019 runde 2") & (ok["paragraf"] == "20a")]
    for risk in reference.rows("risks"):
        p = f"p{int(risk['point_no']):02d}"
        rate = r2.groupby("office")[p].agg(lambda s: (s == "ja").sum() / s.isin(["ja", "nei"]).sum())
        assert (rate < float(risk["threshold"])).sum() == int(risk["published_offices"]), risk["risk_id"]


def test_decisions_volumes_profh_rise_and_one_jump(files):
    bulk = frames(files, "vedtak", "_20")
    agg = read(files["vedtak_eksempeldata_profh_aggregert.csv"])
    assert 300_000 <= len(bulk) <= 600_000
    assert "antall" not in bulk.columns or (bulk["antall"] == "").all()
    agg = agg[agg["nav_kontor"] != sample.UNKNOWN_OFFICE]
    agg["periode"] = pd.to_datetime(agg["periode"], dayfirst=True).dt.strftime("%Y-%m")
    long = pd.concat([bulk.assign(n=1), agg.assign(n=agg["antall"].astype(int))])
    long["office"] = long["nav_kontor"].map(office_key)
    reg = read(files["kontorer_eksempeldata_register.csv"])
    assert long["office"].nunique() == len(reg)
    monthly = long.groupby(["office", "periode"])["n"].sum().unstack(fill_value=0)
    assert monthly.shape[1] == 72 and (monthly > 0).all().all()
    ratio = monthly.iloc[:, 1:].to_numpy() / monthly.iloc[:, :-1].to_numpy()
    jumps = [(monthly.index[i], monthly.columns[j + 1])
             for i, j in zip(*((ratio > 3) | (ratio < 1 / 3)).nonzero())]
    assert jumps == [(office_key(sample.JUMP_OFFICE), "%d-%02d" % sample.JUMP_MONTH)]
    s17 = long[long["paragraf"] == "17"].assign(year=lambda d: d["periode"].str[:4])
    by_year = s17.groupby(["office", "year"])["n"].sum().unstack()
    for office in sample.PROFH_OFFICES:
        rise = by_year.loc[office_key(office), "2020"] / by_year.loc[office_key(office), "2018"]
        assert 1.4 <= rise <= 2.05, (office, rise)
    others = by_year.drop(index=[office_key(o) for o in (*sample.PROFH_OFFICES, sample.JUMP_OFFICE)])
    assert (others["2020"] / others["2018"]).max() < 1.3


def test_deliberate_rows_are_listed(files):
    errors = Counter(k for k, _ in sample.DELIBERATE_ERRORS)
    assert errors == {"vedtak": 2, "rapportering": 1, "stikkprove": 1}
    warnings = Counter(sample.DELIBERATE_WARNINGS)
    assert warnings[("rapportering", "tomt_skjema")] == 22
    assert warnings[("rapportering", "over_kostnadstak")] == 3
    assert warnings[("stikkprove", "tom_kontroll")] == 1 and warnings[("vedtak", "hopp_i_vedtak")] == 1
    assert sample.PUBLISHED_SLICE_YEAR == 2021


# ----------------------------------------------------------------- scale

def test_scale_two_keeps_the_published_slice(gen):
    one = {p.name: p for p in gen["a"]}
    two = {p.name: p for p in gen["s2"]}
    for name in ("rapportering_eksempeldata_2021.xlsx", "rapportering_eksempeldata_2021_korrigert.csv",
                 "rapportering_eksempeldata_2019.csv", "rapportering_eksempeldata_2023.csv",
                 "stikkprove_eksempeldata_profh_2019.xlsx", "metoder_eksempeldata_lovende.csv",
                 "replikering_eksempeldata_metoder.csv", *[n for n in one if n.startswith("vurderinger")]):
        assert one[name].read_bytes() == two[name].read_bytes(), name
    agg1 = read(one["vedtak_eksempeldata_profh_aggregert.csv"])
    agg2 = read(two["vedtak_eksempeldata_profh_aggregert.csv"])
    agg2 = agg2[agg2["periode"].str[-4:].astype(int) >= 2018]
    assert agg1.reset_index(drop=True).equals(agg2.reset_index(drop=True))
    reg1, reg2 = (read(d["kontorer_eksempeldata_register.csv"]) for d in (one, two))
    assert reg2.head(len(reg1)).equals(reg1) and len(reg2) == 2 * len(reg1)
    assert reg2["navn"].str.startswith("NAV Eksempelkontor").sum() == len(reg1)
    assert "rapportering_eksempeldata_2018.csv" in two and "vedtak_eksempeldata_2017.csv" in two
    bulk = read(two["stikkprove_eksempeldata_flere_kontorer.csv"])
    profh = bulk["nav_kontor"].map(office_key).isin({office_key(o) for o in sample.PROFH_OFFICES})
    assert not (profh & bulk["runde"].str.startswith("2019")).any()
    n1 = sum(len(read(p)) for n, p in one.items() if n.startswith("vedtak_eksempeldata_20"))
    n2 = sum(len(read(p)) for n, p in two.items() if n.startswith("vedtak_eksempeldata_20"))
    assert n2 > 2 * n1


def test_only_own_files_are_removed(tmp_path):
    (tmp_path / "mine.csv").write_text("x")
    (tmp_path / "vedtak_eksempeldata_1999.csv").write_text("old")
    paths = sample.generate(tmp_path)
    assert (tmp_path / "mine.csv").exists()
    assert not (tmp_path / "vedtak_eksempeldata_1999.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["mine.csv", *(p.name for p in paths)])
