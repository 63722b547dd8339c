"""Regioner in headless Chromium against the sample warehouse: ten tiles whose numbers
equal the warehouse, a tile opens its region page, whose offices and tiltak are the
warehouse's; axe is clean and the console is quiet."""
from __future__ import annotations

import time

import pytest

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


def test_tiles_and_a_region_page(dash_duo, app):
    from dashboard.queries import FULL_ACCESS, Filters, regions

    tiles = regions.region_tiles(Filters(2021, 2021)).set_index("region_id")
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/regioner?fra=2021&til=2021")
    dash_duo.wait_for_element("#regioner-fliser li a", timeout=20)
    links = dash_duo.find_elements("#regioner-fliser li a")
    assert len(links) == 10
    shown = {}
    for a in links:
        region_id = a.get_attribute("id").removeprefix("regioner-flis-")
        lines = plain(a.text).split("\n")
        shown[region_id] = lines[1]
        assert lines[0] == tiles.loc[region_id, "region_name"]
    assert shown == {r: f"{plain(fmt_int(n))} tiltak" for r, n in tiles["n_tiltak"].items()}
    assert sum(int(v.split()[0].replace(" ", "")) for v in shown.values()) == 203
    total_row = dash_duo.find_elements("#regioner-tabell tbody tr")[-1].text
    assert total_row.startswith("Hele landet 203")
    assert_no_serious_axe_violations(dash_duo.driver)

    # open Agder from its tile (years carried along)
    click(dash_duo, "#regioner-flis-agder")
    wait_for(lambda: dash_duo.driver.current_url.endswith("/region/agder?fra=2021&til=2021"),
          message=f"åpnet {dash_duo.driver.current_url}")
    dash_duo.wait_for_text_to_equal("h1", "Agder", timeout=20)
    wait_for(lambda: dash_duo.find_element("#region-utvalg").text == "Viser 2021.", message="årene fulgte ikke med")
    wait_for(lambda: dash_duo.find_elements("#region-kpi .kpi-value"), message="ingen nøkkeltall")
    assert dash_duo.find_element("#region-kpi .kpi-value").text == plain(fmt_int(tiles.loc["agder", "n_tiltak"]))
    offices = regions.region_offices("agder", Filters(2021, 2021), FULL_ACCESS)
    rows = wait_for(lambda: dash_duo.find_elements("#region-kontorer-tabell tbody tr"), message="ingen kontortabell")
    assert len(rows) == len(offices) + 1  # + the national median
    dash_duo.wait_for_element("#region-tiltak-grid .ag-center-cols-container .ag-row", timeout=15)
    dash_duo.wait_for_element("#region-kontorer-graf .main-svg", timeout=15)
    links = [a.get_attribute("href") for a in dash_duo.find_elements("#region-lenker a")]
    assert any(h.endswith("/vedtak?fra=2021&til=2021&region=agder") for h in links), links
    # a page control: the measure in the figure
    click(dash_duo, "label[for='_dbcprivate_radioitems_region-maal_input_per_month_17']")
    wait_for(lambda: "§ 17-vedtak per måned" in dash_duo.find_element("#region-kontorer-graf").text,
          message="målet i figuren ble ikke byttet")
    time.sleep(0.3)
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)


def test_unknown_region(dash_duo, app):
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/region/finnes-ikke")
    dash_duo.wait_for_text_to_equal("h1", "Fant ikke regionen", timeout=20)
    assert len(dash_duo.find_elements("main li a")) == 10
    assert_page_healthy(dash_duo)
