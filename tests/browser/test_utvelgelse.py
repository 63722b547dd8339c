"""Utvelgelse in headless Chromium against the sample warehouse: the funnel numbers,
kappa, Z and the crosstabs with a Norwegian decimal comma beside the published
figures, the disagreement list follows the region filter, axe is clean and the
console is quiet."""
from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.select import Select

from dashboard.queries import FULL_ACCESS, Filters, selection
from tests.browser.helpers import (
    assert_no_serious_axe_violations,
    assert_page_healthy,
    free_port,
    wait_for,
)

pytestmark = pytest.mark.browser

FUNNEL = "#utvelgelse-trakt-graf .funnellayer"


def _text(dash_duo, selector) -> str:
    found = dash_duo.find_elements(selector)
    return found[0].text.replace("\xa0", " ") if found else ""


def test_utvelgelse_funnel_kappa_and_accessibility(dash_duo, app):
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/utvelgelse")
    dash_duo.wait_for_element(FUNNEL, timeout=20)
    assert dash_duo.driver.title == "Utvelgelse – Tiltaksmonitor"

    # kappa and Z as published, with a decimal comma
    wait_for(lambda: _text(dash_duo, "#utvelgelse-verdi-kappa-screening") == "0,4721",
          message=f"kappa screening: {_text(dash_duo, '#utvelgelse-verdi-kappa-screening')!r}")
    assert _text(dash_duo, "#utvelgelse-verdi-kappa-dybde") == "0,2895"
    assert _text(dash_duo, "#utvelgelse-verdi-z-screening") == "6,35"
    assert _text(dash_duo, "#utvelgelse-verdi-z-dybde") == "3,51"
    assert _text(dash_duo, "#utvelgelse-verdi-observed-screening") == "77,90 %"
    assert _text(dash_duo, "#utvelgelse-verdi-p-dybde") == "0,0002"
    assert _text(dash_duo, "#utvelgelse-band-screening") == "Moderat"
    screening_table = _text(dash_duo, "#utvelgelse-krysstabell-screening")
    assert "Forsker A" in screening_table and "Forsker B" in screening_table
    cells = [c.text for c in dash_duo.find_elements("#utvelgelse-krysstabell-screening td")]
    assert cells[:2] == ["34", "20"] and cells[3:5] == ["20", "107"]
    cells = [c.text for c in dash_duo.find_elements("#utvelgelse-krysstabell-dybde td")]
    assert cells[:2] == ["124", "9"] and cells[3:5] == ["9", "5"]

    # the funnel: computed numbers in the table and in the chart
    rows = dash_duo.find_elements("#utvelgelse-trakt-tabell-innhold tbody tr")
    computed = [r.find_elements("css selector", "td")[2].text for r in rows]
    assert computed == ["203", "181", "181", "147", "23", "10", "7"]
    assert all(r.find_elements("css selector", "td")[4].text in ("Ja", "–") for r in rows)
    chart = dash_duo.find_element("#utvelgelse-trakt-graf").text
    for n in ("203", "181", "147", "23", "10", "7"):
        assert n in chart

    # the disagreement list: all 40 nationally, then the region filter narrows it
    national = selection.disagreements(Filters(), FULL_ACCESS, 2021, "screening")
    wait_for(lambda: _text(dash_duo, "#utvelgelse-uenighet-screening-antall") == f"{len(national)} tiltak.",
          message="feil antall uenigheter")
    time.sleep(0.5)
    assert_no_serious_axe_violations(dash_duo.driver, context="#hovedinnhold")  # the shell has its own test

    Select(dash_duo.find_element("#filter-region")).select_by_value("agder")
    agder = int((national["region_name"] == "Agder").sum())
    expected = f"{agder} tiltak." if agder else "Ingen uenigheter i screening for valgte filtre."
    selector = "#utvelgelse-uenighet-screening-antall" if agder else "#utvelgelse-uenighet-screening-innhold"
    wait_for(lambda: _text(dash_duo, selector) == expected, message=f"Agder: {_text(dash_duo, selector)!r}")
    # the funnel and kappa are national: unchanged
    assert _text(dash_duo, "#utvelgelse-verdi-kappa-screening") == "0,4721"
    assert_page_healthy(dash_duo)
