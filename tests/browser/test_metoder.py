"""Lovende metoder, one method's detail page, and Replikering in headless Chromium
against the sample warehouse: content equals the warehouse, the click-through works,
a filter narrows the matrix, axe is clean and the console is quiet."""
from __future__ import annotations

import pytest
from selenium.webdriver.support.select import Select

from dashboard.queries import FULL_ACCESS, Filters
from dashboard.queries import methods as q
from tests.browser.helpers import (
    assert_no_serious_axe_violations,
    assert_page_healthy,
    click,
    wait_for,
)

pytestmark = pytest.mark.browser

LIST = "#metoder-liste-tabell-innhold tbody tr"
MATRIX = "#replikering-matrise-tabell-innhold tbody tr"
TIMELINE = "#replikering-tidslinje-graf .main-svg"


def test_methods_list_and_detail(dash_duo, app):
    catalogue = q.methods(Filters(), FULL_ACCESS)
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/metoder")
    dash_duo.wait_for_text_to_equal("h1", "Lovende metoder", timeout=15)
    rows = wait_for(lambda: dash_duo.find_elements(LIST), message="metodelisten kom ikke")
    assert len(rows) == len(catalogue) == 7
    shown = [r.find_element("css selector", "th").text for r in rows]
    assert shown == list(catalogue["method_name"])
    matrix = dash_duo.find_elements("#metoder-kriterier-matrise tbody tr")
    assert len(matrix) == 13
    assert "Oppfylt" in matrix[0].text
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)

    ssa = dash_duo.find_element("#metoder-liste-tabell-innhold a[href='/metoder/ssa']")
    click(dash_duo, ssa)
    dash_duo.wait_for_text_to_equal("h1", catalogue.set_index("method_id").loc["ssa", "method_name"], timeout=15)
    assert dash_duo.driver.current_url.endswith("/metoder/ssa")
    wait_for(lambda: dash_duo.driver.title.startswith("SSA – Sysselsetting"), message="fanetittelen er ikke metoden")
    assert len(dash_duo.find_elements("#metode-kriterier-tabell tbody tr")) == 13
    offices = dash_duo.find_element("#metode-replikering-tabell").text
    assert "NAV Drammen" in offices and "Eksempeldata" in offices
    reports = dash_duo.find_elements("#metode-rapporter-tabell tbody tr")
    assert len(reports) == len(q.method_reports("ssa", FULL_ACCESS)) == 3
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)


def test_unknown_method_is_a_friendly_page(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/metoder/finnes-ikke")
    dash_duo.wait_for_text_to_equal("h1", "Fant ikke metoden", timeout=15)
    assert "finnes-ikke" in dash_duo.find_element("#metode-ikke-funnet").text
    assert_page_healthy(dash_duo)


def test_replication_page(dash_duo, app):
    rows = q.replications(Filters(), FULL_ACCESS)
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/replikering")
    dash_duo.wait_for_text_to_equal("h1", "Replikering", timeout=15)
    dash_duo.wait_for_element(TIMELINE, timeout=20)
    matrix = wait_for(lambda: dash_duo.find_elements(MATRIX), message="matrisen kom ikke")
    assert len(matrix) == rows["office_id"].nunique()
    legend = dash_duo.find_element("#replikering-tidslinje-graf").text
    assert "Sammenligningskontor (ikke replikering)" in legend
    summary = dash_duo.find_element("#replikering-tidslinje-sammendrag").text
    assert f"{len(rows)} kontorer" in summary
    wait_for(lambda: dash_duo.find_element("#replikering-per-metode-sammendrag").text.startswith(
        f"{int(q.counts_by_method(Filters(), FULL_ACCESS)['n_replications'].sum())} replikeringer"),
        message="tellingen per metode stemmer ikke")
    assert_no_serious_axe_violations(dash_duo.driver)

    Select(dash_duo.find_element("#filter-region")).select_by_value("agder")
    wait_for(lambda: len(dash_duo.find_elements(MATRIX)) == 3, message="regionfilteret snevret ikke inn matrisen")
    text = dash_duo.find_element("#replikering-matrise-tabell-innhold").text
    assert "NAV Grimstad" in text and "NAV Alna" not in text
    assert_page_healthy(dash_duo)
