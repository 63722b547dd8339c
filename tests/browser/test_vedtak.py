"""§17-vedtak in headless Chromium against the sample warehouse: the total on screen
equals the warehouse, a page control and a global filter change it, axe is clean and
the console is quiet."""
from __future__ import annotations

import time

import socket

import pytest
from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
from selenium.webdriver.support.select import Select

from dashboard.formatting import fmt_int
from tests.browser.helpers import assert_no_serious_axe_violations, assert_page_healthy

pytestmark = pytest.mark.browser

CHART = "#vedtak-tid-graf .main-svg"


@pytest.fixture
def app(sample_warehouse):
    from dashboard.app import app

    return app


def _sql_total(paragraf, region=None) -> int:
    """Straight from the warehouse (the app's own read-only connection: DuckDB allows
    one configuration per file and process)."""
    from dashboard.queries import fetch_value

    return int(fetch_value("SELECT sum(n) FROM decisions WHERE paragraf = $p AND ($r IS NULL OR region_id = $r)",
                           {"p": paragraf, "r": region}))


def _free_port() -> int:
    """Other test sessions may hold dash_duo's default port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _plain(text: str) -> str:
    return text.replace("\xa0", " ")


def _wait(cond, timeout=15, message="timed out"):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = cond()
        except StaleElementReferenceException:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(message)


def _kpi(dash_duo, id_) -> str:
    found = dash_duo.find_elements(f"#{id_} .kpi-value")
    return found[0].text.replace("\xa0", " ") if found else ""  # Selenium gives NBSP as a space


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


def test_vedtak_numbers_filters_and_accessibility(dash_duo, app, sample_warehouse):
    dash_duo.start_server(app, port=_free_port())
    dash_duo.driver.get(dash_duo.server_url + "/vedtak")
    dash_duo.wait_for_element(CHART, timeout=20)
    expected = _plain(fmt_int(_sql_total("17")))
    _wait(lambda: _kpi(dash_duo, "vedtak-kpi-totalt") == expected,
          message=f"Vedtak i alt viste {_kpi(dash_duo, 'vedtak-kpi-totalt')!r}, ventet {expected}")
    assert "01.01.2018–31.12.2018" in dash_duo.find_element("#vedtak-vinduer").text
    assert dash_duo.find_element("#vedtak-endring-grid .ag-row")  # the table has rows

    # a page control: § 20 a
    _click(dash_duo, "label[for='_dbcprivate_radioitems_vedtak-paragraf_input_20a']")
    expected_20a = _plain(fmt_int(_sql_total("20a")))
    _wait(lambda: _kpi(dash_duo, "vedtak-kpi-totalt") == expected_20a, message="§ 20 a ga ikke riktig total")

    # a global filter: region
    Select(dash_duo.find_element("#filter-region")).select_by_value("agder")
    expected_agder = _plain(fmt_int(_sql_total("20a", "agder")))
    _wait(lambda: _kpi(dash_duo, "vedtak-kpi-totalt") == expected_agder, message="regionfilteret virket ikke")
    dash_duo.wait_for_element(CHART, timeout=10)
    time.sleep(0.5)  # let the charts settle before axe looks
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)
