"""Egenvurdering in headless Chromium against the sample warehouse: the mean on screen
equals the warehouse, the published reference is shown, the form-version selector
switches scale, axe is clean and the console is quiet."""
from __future__ import annotations

import time

import pytest

from dashboard.formatting import fmt_decimal
from tests.browser.helpers import (
    assert_no_serious_axe_violations,
    assert_page_healthy,
    click,
    free_port,
    wait_for,
)

pytestmark = pytest.mark.browser

CHART = "#egenvurdering-fordeling-graf .main-svg"


def _sql_mean(version, year=None) -> float:
    """Straight from the warehouse (the app's own read-only connection: DuckDB allows
    one configuration per file and process)."""
    from dashboard.queries import fetch_value

    return float(fetch_value(
        "SELECT avg(score) FROM self_assessment WHERE answer_kind = 'score' AND NOT is_blank_form "
        "AND form_version = $v AND ($y IS NULL OR report_year = $y)", {"v": version, "y": year}))


def _kpi(dash_duo, id_, part="kpi-value") -> str:
    found = dash_duo.find_elements(f"#{id_} .{part}")
    return found[0].text.replace("\xa0", " ") if found else ""  # Selenium gives NBSP as a space


def test_egenvurdering_numbers_versions_and_accessibility(dash_duo, app, sample_warehouse):
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/egenvurdering?fra=2021&til=2021")
    dash_duo.wait_for_element(CHART, timeout=20)
    expected = fmt_decimal(_sql_mean(1, 2021), 2)
    wait_for(lambda: _kpi(dash_duo, "egenvurdering-kpi-snitt") == expected,
          message=f"Snitt viste {_kpi(dash_duo, 'egenvurdering-kpi-snitt')!r}, ventet {expected}")
    assert _kpi(dash_duo, "egenvurdering-kpi-snitt", "kpi-note") == "Publisert: typetall 3, snitt 2,7"
    assert _kpi(dash_duo, "egenvurdering-kpi-typetall") == "3"
    assert "Publisert: typetall 3, snitt 2,7" in dash_duo.find_element("#egenvurdering-snitt-graf").text
    assert dash_duo.find_element("#egenvurdering-tabell-tabell caption")
    time.sleep(0.5)
    assert_no_serious_axe_violations(dash_duo.driver)

    # global filter: all years; then the page's form-version selector: version 2 (1-7)
    click(dash_duo, "#filter-nullstill")
    wait_for(lambda: _kpi(dash_duo, "egenvurdering-kpi-snitt") == fmt_decimal(_sql_mean(1), 2),
          message="Nullstill ga ikke snittet for alle år")
    click(dash_duo, "label[for='_dbcprivate_radioitems_egenvurdering-versjon_input_2']")
    expected_v2 = fmt_decimal(_sql_mean(2), 2)
    wait_for(lambda: _kpi(dash_duo, "egenvurdering-kpi-snitt") == expected_v2, message="versjon 2 ga ikke riktig snitt")
    legend = dash_duo.find_element("#egenvurdering-fordeling-graf").text
    assert "7 – Svært mye" in legend and "Ja, i stor grad" not in legend
    assert_page_healthy(dash_duo)
