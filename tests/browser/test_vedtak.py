"""§17-vedtak in headless Chromium against the sample warehouse: the total on screen
equals the warehouse, a page control and a global filter change it, axe is clean and
the console is quiet."""
from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.select import Select

from dashboard.formatting import fmt_int
from tests.browser.helpers import (
    assert_no_serious_axe_violations,
    assert_page_healthy,
    click,
    free_port,
    plain,
    wait_for,
)

pytestmark = pytest.mark.browser

CHART = "#vedtak-tid-graf .main-svg"


def _sql_total(paragraf, region=None) -> int:
    """Straight from the warehouse (the app's own read-only connection: DuckDB allows
    one configuration per file and process)."""
    from dashboard.queries import fetch_value

    return int(fetch_value("SELECT sum(n) FROM decisions WHERE paragraf = $p AND ($r IS NULL OR region_id = $r)",
                           {"p": paragraf, "r": region}))


def _kpi(dash_duo, id_) -> str:
    found = dash_duo.find_elements(f"#{id_} .kpi-value")
    return found[0].text.replace("\xa0", " ") if found else ""  # Selenium gives NBSP as a space


def test_vedtak_numbers_filters_and_accessibility(dash_duo, app, sample_warehouse):
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/vedtak")
    dash_duo.wait_for_element(CHART, timeout=20)
    expected = plain(fmt_int(_sql_total("17")))
    wait_for(lambda: _kpi(dash_duo, "vedtak-kpi-totalt") == expected,
          message=f"Vedtak i alt viste {_kpi(dash_duo, 'vedtak-kpi-totalt')!r}, ventet {expected}")
    assert "01.01.2018–31.12.2018" in dash_duo.find_element("#vedtak-vinduer").text
    assert dash_duo.find_element("#vedtak-endring-grid .ag-row")  # the table has rows

    # a page control: § 20 a
    click(dash_duo, "label[for='_dbcprivate_radioitems_vedtak-paragraf_input_20a']")
    expected_20a = plain(fmt_int(_sql_total("20a")))
    wait_for(lambda: _kpi(dash_duo, "vedtak-kpi-totalt") == expected_20a, message="§ 20 a ga ikke riktig total")

    # a global filter: region
    Select(dash_duo.find_element("#filter-region")).select_by_value("agder")
    expected_agder = plain(fmt_int(_sql_total("20a", "agder")))
    wait_for(lambda: _kpi(dash_duo, "vedtak-kpi-totalt") == expected_agder, message="regionfilteret virket ikke")
    dash_duo.wait_for_element(CHART, timeout=10)
    time.sleep(0.5)  # let the charts settle before axe looks
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)
