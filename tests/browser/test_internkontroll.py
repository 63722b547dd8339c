"""Internkontroll in headless Chromium against the sample warehouse: the heatmap is
drawn, the key figures and the risk table equal the warehouse, the paragraf selector
and the region filter work, axe is clean and the console is quiet."""
from __future__ import annotations

import time

import pytest
from selenium.webdriver.support.select import Select

from dashboard.figures import audits as figures
from dashboard.queries import FULL_ACCESS, Filters, audits
from tests.browser.helpers import (
    assert_no_serious_axe_violations,
    assert_page_healthy,
    click,
    free_port,
    plain,
    wait_for,
)

pytestmark = pytest.mark.browser

HEATMAP = "#internkontroll-varmekart-graf .heatmaplayer"


def _text(dash_duo, selector) -> str:
    found = dash_duo.find_elements(selector)
    return found[0].text.replace("\xa0", " ") if found else ""


def _kpis(dash_duo) -> dict[str, str]:
    out = {}
    for card in dash_duo.find_elements("#internkontroll-kpi .kpi-card"):
        out[card.find_element("css selector", ".kpi-label").text] = card.find_element(
            "css selector", ".kpi-value").text.replace("\xa0", " ")
    return out


def test_internkontroll_heatmap_risks_and_accessibility(dash_duo, app):
    df = audits.compliance(Filters(), FULL_ACCESS, "20a")
    summary = audits.risk_summary(Filters(), FULL_ACCESS)
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/internkontroll")
    dash_duo.wait_for_element(HEATMAP, timeout=20)
    assert dash_duo.driver.title == "Internkontroll – Tiltaksmonitor"

    # the key figures and the text summary equal the warehouse
    expected_summary = plain(figures.heatmap_summary(df, "20a"))
    wait_for(lambda: _text(dash_duo, "#internkontroll-varmekart-sammendrag") == expected_summary,
          message=f"sammendraget var {_text(dash_duo, '#internkontroll-varmekart-sammendrag')!r}")
    kpis = _kpis(dash_duo)
    assert kpis["Kontorer"] == str(df["office_id"].nunique()) == "4"
    assert kpis["Skjulte andeler"] == str(int(df["suppressed"].sum()))
    # suppressed cells are marked ':' in the heatmap
    marks = [t.text for t in dash_duo.find_elements("#internkontroll-varmekart-graf .heatmaplayer text")]
    assert marks.count(":") == int(df["suppressed"].sum())

    # the risk table: computed beside published, all five the same
    table = _text(dash_duo, "#internkontroll-risiko-tabell-innhold")
    for r in summary.itertuples():
        assert r.risk_text in table
    assert table.count("3 av 4 kontorer") == 4 and table.count("2 av 4 kontorer") == 6
    assert dash_duo.find_element("#internkontroll-risiko-tabell-innhold caption")
    dash_duo.wait_for_element("#internkontroll-risikofigur-graf .scatterlayer", timeout=10)
    time.sleep(0.5)
    assert_no_serious_axe_violations(dash_duo.driver, context="#hovedinnhold")  # the shell has its own test

    # the paragraf selector: § 17
    click(dash_duo, "label[for='_dbcprivate_radioitems_internkontroll-paragraf_input_17']")
    wait_for(lambda: _text(dash_duo, "#internkontroll-varmekart-sammendrag").startswith("§ 17: 4 kontorer, 2 runder, "
                                                                                     "12 punkter."),
          message="§ 17 ble ikke vist")

    # a region without internal control data: clear empty state, no error
    Select(dash_duo.find_element("#filter-region")).select_by_value("agder")
    wait_for(lambda: "Ingen data for valgte filtre" in dash_duo.find_element("#internkontroll-varmekart-graf").text,
          message="tom tilstand ble ikke vist for Agder")
    assert _text(dash_duo, "#internkontroll-varmekart-sammendrag") == "Ingen kontrollerte saker for valgte filtre."
    assert not [e for e in dash_duo.find_elements("#shell-feil") if e.is_displayed()], "feilmelding i skallet"
    assert_page_healthy(dash_duo)
