"""Shared fixtures: headless Chromium for dash_duo, the sample warehouse (built once
per session by the real ETL), and a tiny hand-made warehouse for shell unit tests."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest
from selenium.webdriver.chrome.options import Options

from etl import config as etl_config

CHROMIUM = "/usr/bin/chromium"


def pytest_setup_options():
    """ChromeOptions for dash[testing]'s dash_duo: headless, no network side traffic."""
    options = Options()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1366,900",
        "--lang=nb-NO",
    ):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    return options


def _use_warehouse(db: Path):
    """Point the query layer at `db` and forget cached results."""
    from dashboard.queries import clear_cache

    os.environ[etl_config.DB_ENV] = str(db)
    clear_cache()


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory):
    """The generated sample, built by the real ETL once per session; sets
    TILTAKSMONITOR_DB for the app (dash_duo runs it in this process)."""
    from etl.build import build
    from etl.sample import generate

    root = tmp_path_factory.mktemp("sample")
    raw, db = root / "raw", root / "warehouse.duckdb"
    raw.mkdir()
    old = os.environ.get(etl_config.DB_ENV)
    generate(raw)
    build(raw, db)
    _use_warehouse(db)
    yield db
    if old is None:
        os.environ.pop(etl_config.DB_ENV, None)
    else:
        os.environ[etl_config.DB_ENV] = old
    _use_warehouse(Path(old) if old else etl_config.DEFAULT_DB)


@pytest.fixture
def sample_sql(sample_warehouse, monkeypatch):
    """Run a check query on the sample warehouse through the app's own read-only
    connection (a second duckdb.connect with other settings on the same file fails
    in this process): sample_sql("SELECT count(*) AS n FROM reports WHERE region_id = $r", {"r": "agder"})."""
    from dashboard.queries import clear_cache, fetch

    monkeypatch.setenv(etl_config.DB_ENV, str(sample_warehouse))
    clear_cache()
    return fetch


# ----------------------------------------------------------- tiny fixture warehouse

FIXTURE_OFFICES = [
    # office_id, office_name, region_id
    ("0301-alna", "NAV Alna", "oslo-viken"),
    ("3203-asker", "NAV Asker", "oslo-viken"),
    ("4202-grimstad", "NAV Grimstad", "agder"),
    ("3403-hamar", "NAV Hamar", "innlandet"),
]

FIXTURE_REPORTS = [
    # tiltak_id, report_year, report_type, office_id, region_id, grant_kr, continuation, is_blank_form
    ("T1", 2019, "status", "0301-alna", "oslo-viken", 500_000, None, False),
    ("T1", 2020, "status", "0301-alna", "oslo-viken", 600_000, None, False),
    ("T1", 2021, "slutt", "0301-alna", "oslo-viken", 610_000, "ja", False),
    ("T2", 2020, "status", "3203-asker", "oslo-viken", 400_000, "delvis", False),
    ("T3", 2019, "status", "4202-grimstad", "agder", 300_000, None, True),
    ("T3", 2021, "status", "4202-grimstad", "agder", 350_000, None, False),
    ("T3", 2021, "slutt", "4202-grimstad", "agder", 350_000, "nei", False),
    ("T4", 2021, "slutt", "3403-hamar", "innlandet", 700_000, "ja", False),
]


def make_fixture_warehouse(db: Path, build_id: str = "fixture-1", has_sample: bool = True) -> Path:
    """A small warehouse with only the tables and columns the shell and Oversikt read
    (per docs/warehouse.md), written as a snapshot and published like a build."""
    from etl import reference
    from etl.publish import new_snapshot_path, publish

    db.parent.mkdir(parents=True, exist_ok=True)
    snap = new_snapshot_path(db, build_id)
    con = duckdb.connect(str(snap))
    try:
        con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
        con.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("build_id", build_id), ("built_at", "2024-03-05T14:07:00"), ("files_total", "12"),
            ("has_sample", "true" if has_sample else "false"), ("schema_version", "1"),
        ])
        con.execute("""CREATE TABLE load_log (build_id VARCHAR, load_seq INTEGER, file_name VARCHAR,
            file_hash VARCHAR, kind VARCHAR, loaded_at TIMESTAMP, status VARCHAR, rows_read BIGINT,
            rows_loaded BIGINT, rows_quarantined BIGINT, is_sample BOOLEAN, message VARCHAR)""")
        con.execute("INSERT INTO load_log VALUES (?, 1, 'rapportering_2021.csv', 'h', 'rapportering', ?, "
                    "'lastet', 8, 8, 2, true, NULL)", [build_id, dt.datetime(2024, 3, 5, 14, 6)])
        con.execute("""CREATE TABLE ref_regions (region_id VARCHAR, region_name VARCHAR, counties VARCHAR,
            tile_row INTEGER, tile_col INTEGER, sort_order INTEGER)""")
        con.executemany("INSERT INTO ref_regions VALUES (?, ?, ?, ?, ?, ?)", [
            (r["region_id"], r["region_name"], r["counties"], int(r["tile_row"]), int(r["tile_col"]),
             int(r["sort_order"])) for r in reference.regions()
        ])
        con.execute("""CREATE TABLE offices (office_id VARCHAR, office_name VARCHAR, municipality VARCHAR,
            county VARCHAR, region_id VARCHAR, employees INTEGER, size_class VARCHAR, valid_from DATE,
            valid_to DATE, is_sample BOOLEAN)""")
        con.executemany("INSERT INTO offices VALUES (?, ?, NULL, NULL, ?, NULL, NULL, NULL, NULL, true)",
                        FIXTURE_OFFICES)
        con.execute("""CREATE TABLE reports (tiltak_id VARCHAR, report_year INTEGER, report_type VARCHAR,
            office_id VARCHAR, region_id VARCHAR, grant_kr BIGINT, continuation VARCHAR,
            is_blank_form BOOLEAN, is_sample BOOLEAN)""")
        con.executemany("INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?, ?, ?, true)", FIXTURE_REPORTS)
        con.execute("""CREATE TABLE decisions (office_id VARCHAR, region_id VARCHAR, month DATE,
            paragraf VARCHAR, decision_type VARCHAR, age_group VARCHAR, n INTEGER)""")
        con.execute("INSERT INTO decisions VALUES ('3403-hamar', 'innlandet', DATE '2018-06-01', '17', "
                    "'innvilget', 'under 30', 4)")
        con.execute("""CREATE TABLE audit_cases (case_key VARCHAR, adviser_key VARCHAR, office_id VARCHAR,
            region_id VARCHAR, control_date DATE, round_label VARCHAR, paragraf VARCHAR)""")
        con.execute("""CREATE TABLE dq_warnings (load_seq INTEGER, file_name VARCHAR, kind VARCHAR,
            line INTEGER, warning_code VARCHAR, message VARCHAR, office_id VARCHAR, tiltak_id VARCHAR,
            report_year INTEGER)""")
        con.executemany("INSERT INTO dq_warnings VALUES (1, 'rapportering_2021.csv', 'rapportering', ?, ?, "
                        "'melding', ?, ?, ?)", [
                            (4, "tomt_skjema", "4202-grimstad", "T3", 2019),
                            (9, "over_kostnadstak", "3403-hamar", "T4", 2021),
                            (10, "over_kostnadstak", "0301-alna", "T1", 2021),
                        ])
        con.execute("""CREATE TABLE quarantine (load_seq INTEGER, file_name VARCHAR, file_hash VARCHAR,
            kind VARCHAR, line INTEGER, column_name VARCHAR, reason VARCHAR, raw_values VARCHAR)""")
        con.executemany("INSERT INTO quarantine VALUES (1, 'rapportering_2021.csv', 'h', 'rapportering', ?, ?, ?, "
                        "'{\"saksnummer\": \"HEMMELIG-123\"}')", [
                            (5, "rapportaar", "ugyldig år"),
                            (7, "tilskudd_kr", "ikke et tall"),
                        ])
        con.execute("INSERT INTO quarantine VALUES (2, 'stikkprove_2019.csv', 'h2', 'stikkprove', 3, "
                    "'saksnummer', 'ugyldig verdi «HEMMELIG-123»', '{}')")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    publish(db, snap)
    return db


@pytest.fixture(scope="session")
def fixture_warehouse_path(tmp_path_factory) -> Path:
    return make_fixture_warehouse(tmp_path_factory.mktemp("fixture") / "warehouse.duckdb")


@pytest.fixture
def fixture_warehouse(fixture_warehouse_path, monkeypatch):
    """The tiny warehouse, as TILTAKSMONITOR_DB for this test."""
    from dashboard.queries import clear_cache

    monkeypatch.setenv(etl_config.DB_ENV, str(fixture_warehouse_path))
    clear_cache()
    yield fixture_warehouse_path
    clear_cache()


@pytest.fixture
def no_warehouse(tmp_path, monkeypatch):
    """TILTAKSMONITOR_DB pointing at a file that does not exist."""
    from dashboard.queries import clear_cache

    monkeypatch.setenv(etl_config.DB_ENV, str(tmp_path / "mangler.duckdb"))
    clear_cache()
    yield tmp_path / "mangler.duckdb"
    clear_cache()


def pytest_configure(config):
    # selenium 4.2 calls a urllib3 API that warns on every request
    config.addinivalue_line("filterwarnings", "ignore:HTTPResponse.getheader:DeprecationWarning")
