"""Security in headless Chromium: free text carrying script, HTML and Markdown,
loaded by the real ETL, is inert and shown literally on the Tiltak list and detail
pages; the development role picker changes what the shell offers; the admin pages
(audit log, upload) work through the picker and show hostile text as text."""
from __future__ import annotations

import socket
import time

import pytest
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    NoSuchElementException,
    StaleElementReferenceException,
)
from selenium.webdriver.support.select import Select

from etl import config as etl_config
from tests.browser.helpers import assert_no_serious_axe_violations, assert_page_healthy
from tests.security_helpers import MARKDOWN, XSS, build_hostile_warehouse

pytestmark = pytest.mark.browser

GRID_ROW = "#tiltak-grid .ag-center-cols-container .ag-row"


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-browser")
    build_hostile_warehouse(root)
    return root


@pytest.fixture
def app(hostile_root, tmp_path, monkeypatch):
    from dashboard.app import app
    from dashboard.queries import clear_cache

    monkeypatch.setenv(etl_config.DB_ENV, str(hostile_root / "warehouse.duckdb"))
    monkeypatch.setenv("TILTAKSMONITOR_RAW", str(hostile_root / "raw"))
    monkeypatch.setenv("TILTAKSMONITOR_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    monkeypatch.delenv("TILTAKSMONITOR_AUTH", raising=False)
    clear_cache()
    yield app
    clear_cache()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(cond, timeout=15, message="timed out"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = cond()
        except (StaleElementReferenceException, NoSuchElementException):  # mid-reload
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(message)


def _click(dash_duo, selector, tries=20):
    for attempt in range(tries):
        element = dash_duo.find_element(selector)
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        try:
            element.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if attempt == tries - 1:
                raise
            time.sleep(0.25)


def _inert(dash_duo) -> None:
    driver = dash_duo.driver
    assert driver.execute_script("return window.__xss === undefined"), "skript fra dataene ble kjørt"
    assert not driver.find_elements("css selector", "img[src='x']")
    assert not driver.find_elements("css selector", "a[href^='javascript']")
    assert not driver.find_elements("css selector", "main strong, main b") or all(
        "fet" not in e.text for e in driver.find_elements("css selector", "main strong, main b"))


def _switch_role(dash_duo, role: str, region: str | None = None) -> None:
    Select(dash_duo.find_element("#auth-rolle")).select_by_value(role)
    if region:
        Select(dash_duo.find_element("#auth-region")).select_by_value(region)
    old = dash_duo.find_element("#auth-bar")
    _click(dash_duo, "#auth-bytt")
    _wait(lambda: old.id != dash_duo.find_element("#auth-bar").id and
          dash_duo.find_element("#auth-rolle").get_attribute("value") == role, 20, "rollen ble ikke byttet")


def test_hostile_free_text_is_inert_on_the_tiltak_pages(dash_duo, app):
    dash_duo.start_server(app, port=_free_port())
    dash_duo.driver.get(dash_duo.server_url + "/tiltak")
    _wait(lambda: len(dash_duo.find_elements(GRID_ROW)) == 2, 20, "tabellen fikk ikke to rader")
    _wait(lambda: any(XSS in c.text for c in dash_duo.find_elements("#tiltak-grid .ag-cell")), 10,
          "navnet vises ikke som tekst")
    cells = " ".join(c.get_attribute("textContent") for c in dash_duo.find_elements("#tiltak-grid .ag-cell"))
    assert MARKDOWN in cells and f"{XSS}\n{MARKDOWN}".replace("\n", " ") in cells.replace("\n", " ")
    _inert(dash_duo)
    assert_page_healthy(dash_duo)

    dash_duo.driver.get(dash_duo.server_url + "/tiltak/XSS-1")
    dash_duo.wait_for_text_to_equal("h1", f"{XSS} {MARKDOWN}", timeout=20)
    body = dash_duo.find_element("main").text
    assert XSS in body and MARKDOWN in body
    _inert(dash_duo)
    assert dash_duo.driver.title.startswith("Tiltak XSS-1")
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)


def test_role_picker_and_admin_pages(dash_duo, app):
    from dashboard import audit_log

    audit_log.log_event("opplasting", {"fil": XSS, "melding": MARKDOWN}, user=XSS, role="admin")
    dash_duo.start_server(app, port=_free_port())
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_element("#auth-bar .auth-dev-badge", timeout=15)
    assert "utviklingsmodus" in dash_duo.find_element("#auth-bar").text.lower()
    assert_no_serious_axe_violations(dash_duo.driver)  # the dev strip included

    # a Statsforvalter for Agder: the filter bar offers Agder only
    _switch_role(dash_duo, "statsforvalter", "agder")
    _wait(lambda: [o.get_attribute("value") for o in Select(dash_duo.find_element("#filter-region")).options
                   if o.get_attribute("value")] == ["alle", "agder"], 15, "regionvalget er ikke begrenset til Agder")
    assert "Statsforvalter (Agder)" in dash_duo.find_element("#auth-bar").text
    dash_duo.driver.get(dash_duo.server_url + "/admin/logg")
    assert "bare for administratorer" in dash_duo.driver.find_element("css selector", "body").text
    assert [e for e in dash_duo.get_logs() if "403" not in e["message"]] == []  # the 403 itself is expected

    # admin: the audit log shows the hostile entry as text
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_element("#auth-rolle", timeout=15)
    _switch_role(dash_duo, "admin")
    _click(dash_duo, "#auth-bar a[href='/admin/logg']")
    _wait(lambda: any(XSS in c.text for c in dash_duo.find_elements("#admin-logg-grid .ag-cell")), 20,
          "loggen viser ikke hendelsen som tekst")
    _inert(dash_duo)
    assert "Rollebytte" in dash_duo.find_element("#admin-logg-grid").text
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)


def test_upload_in_the_browser(dash_duo, app, tmp_path, monkeypatch):
    from dashboard.queries import clear_cache

    root = tmp_path / "wh"
    build_hostile_warehouse(root)
    monkeypatch.setenv(etl_config.DB_ENV, str(root / "warehouse.duckdb"))
    monkeypatch.setenv("TILTAKSMONITOR_RAW", str(root / "raw"))
    monkeypatch.setenv("TILTAKSMONITOR_UPLOAD_MAX_MB", "0.05")  # ~50 KB
    clear_cache()
    good = tmp_path / "rapportering_2022.csv"
    good.write_text("tiltak_id;rapportaar;rapporttype;nav_kontor;tiltak_navn;tilskudd_kr;innsendt\n"
                    "UP-1;2022;status;NAV Alna;Fra nettleseren;100 000;2022-12-01\n"
                    "UP-2;2022;status;NAV Ukjent;Feil kontor;100 000;2022-12-01\n", encoding="utf-8")
    big = tmp_path / "rapportering_stor.csv"
    big.write_bytes(b"x" * 80_000)

    dash_duo.start_server(app, port=_free_port())
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_element("#auth-rolle", timeout=15)
    _switch_role(dash_duo, "admin")
    dash_duo.driver.get(dash_duo.server_url + "/admin/last-opp")
    dash_duo.wait_for_element("#admin-last-opp-fil input[type='file'][aria-label]", timeout=15)
    assert_no_serious_axe_violations(dash_duo.driver)

    dash_duo.find_element("#admin-last-opp-fil input[type='file']").send_keys(str(big))
    _wait(lambda: "for stor" in dash_duo.find_element("#admin-last-opp-melding").text, 10, "ingen melding om størrelse")

    dash_duo.find_element("#admin-last-opp-fil input[type='file']").send_keys(str(good))
    dash_duo.wait_for_element("#admin-last-opp-ok", timeout=60)
    text = dash_duo.find_element("#admin-last-opp-resultat").text
    assert "lastet inn og publisert" in text and "Rader i karantene" in text
    _wait(lambda: "nav_kontor" in dash_duo.find_element("#admin-last-opp-karantene").text, 10, "karantene mangler")
    assert_page_healthy(dash_duo)
