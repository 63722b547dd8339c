"""The shell in headless Chromium: banner, freshness, filters in the URL, navigation,
downloads, accessibility (axe-core) and a clean console."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.support.select import Select

from tests.browser.helpers import (
    assert_no_serious_axe_violations,
    assert_page_healthy,
    click,
    wait_for,
)

pytestmark = pytest.mark.browser

FIRST_CHART = "#oversikt-fordeling-graf .main-svg"


def _query(dash_duo) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(dash_duo.driver.current_url).query).items()}


def _kpi(dash_duo, label: str) -> str:
    for card in dash_duo.find_elements("#oversikt-kpi .kpi-card"):
        if card.find_element("css selector", ".kpi-label").text == label:
            return card.find_element("css selector", ".kpi-value").text
    return ""


def test_home_shows_banner_freshness_and_first_chart(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#shell-eksempeldata", timeout=10)
    dash_duo.wait_for_element(FIRST_CHART, timeout=30)
    banner = dash_duo.find_element("#shell-eksempeldata")
    assert banner.get_attribute("role") == "status"
    assert "Eksempeldata" in banner.text and "ikke ekte" in banner.text
    fresh = dash_duo.find_element("#shell-ferskhet").text
    assert "kl." in fresh and "filer" in fresh, fresh
    assert dash_duo.driver.find_element("css selector", "html").get_attribute("lang") == "nb"
    assert dash_duo.driver.title == "Oversikt – Tiltaksmonitor"
    dash_duo.wait_for_text_to_equal("#oversikt-kpi .kpi-label", "Finansierte tiltak", timeout=10)
    nav = [a.text for a in dash_duo.find_elements("#shell-nav a.nav-link")]
    assert nav[0] == "Oversikt" and nav[-1] == "Tilgjengelighet", nav
    current = dash_duo.find_element("#shell-nav a.nav-link[aria-current='page']")
    assert current.text == "Oversikt"
    assert_page_healthy(dash_duo)


def test_filter_change_updates_url_and_content(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element(FIRST_CHART, timeout=30)
    dash_duo.wait_for_text_to_equal("#oversikt-kpi .kpi-label", "Finansierte tiltak", timeout=10)
    before = wait_for(lambda: _kpi(dash_duo, "Finansierte tiltak"), message="ingen KPI")
    region = Select(dash_duo.find_element("#filter-region"))
    options = [o.get_attribute("value") for o in region.options if o.get_attribute("value") not in ("", "alle")]
    region.select_by_value(options[-1] if "agder" not in options else "agder")
    chosen = region.first_selected_option.get_attribute("value")
    wait_for(lambda: _query(dash_duo).get("region") == chosen, message=f"URL fikk ikke region={chosen}")
    wait_for(lambda: _kpi(dash_duo, "Finansierte tiltak") not in ("", before),
          message=f"KPI endret seg ikke fra {before}")
    # the office list is narrowed to the region
    offices = Select(dash_duo.find_element("#filter-kontor")).options
    labels = {o.get_attribute("value"): o.get_attribute("textContent") for o in offices}
    assert labels["alle"] == "Alle kontorer"
    # report type radio
    click(dash_duo, "label[for='_dbcprivate_radioitems_filter-type_input_slutt']")
    wait_for(lambda: _query(dash_duo).get("type") == "slutt", message="URL fikk ikke type=slutt")
    # reset clears URL and controls
    click(dash_duo, "#filter-nullstill")
    wait_for(lambda: _query(dash_duo) == {}, message="Nullstill tømte ikke URL-en")
    assert Select(dash_duo.find_element("#filter-region")).first_selected_option.get_attribute("value") == "alle"
    wait_for(lambda: _kpi(dash_duo, "Finansierte tiltak") == before, message="KPI kom ikke tilbake etter Nullstill")
    assert_page_healthy(dash_duo)


def test_shared_url_sets_the_filter_bar(dash_duo, app):
    from dashboard.components import filter_choices

    choices = filter_choices()
    years = choices["years"]
    region = next(iter(choices["regions"]))
    office = next((o for o, (_n, r) in choices["offices"].items() if r == region), None)
    query = f"?fra={years[0]}&til={years[-1]}&region={region}&type=status"
    if office:
        query += f"&kontor={office}"
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/" + query)
    dash_duo.wait_for_element(FIRST_CHART, timeout=30)

    def value(id_):
        return Select(dash_duo.find_element(id_)).first_selected_option.get_attribute("value")

    wait_for(lambda: value("#filter-region") == region, message="regionen ble ikke valgt fra URL-en")
    assert value("#filter-fra") == str(years[0])
    assert value("#filter-til") == str(years[-1])
    if office:
        assert value("#filter-kontor") == office
    assert dash_duo.find_element("#_dbcprivate_radioitems_filter-type_input_status").is_selected()
    # menu links carry the filters along
    href = dash_duo.find_element("#shell-nav a.nav-link").get_attribute("href")
    assert f"region={region}" in href
    assert_page_healthy(dash_duo)


def test_hostile_url_is_ignored(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?fra=1e9&region=%27%3BDROP%20TABLE%20reports%3B--&kontor=%3Cscript%3E&type=alle")
    dash_duo.wait_for_element(FIRST_CHART, timeout=30)
    assert Select(dash_duo.find_element("#filter-region")).first_selected_option.get_attribute("value") == "alle"
    assert not any(e.is_displayed() for e in dash_duo.find_elements("#shell-feil"))
    assert_page_healthy(dash_duo)


def test_navigation_and_accessibility_page(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element(FIRST_CHART, timeout=30)
    link = next(a for a in dash_duo.find_elements("#shell-nav a.nav-link") if a.text == "Tilgjengelighet")
    link.click()
    dash_duo.wait_for_text_to_equal("h1", "Tilgjengelighetserklæring", timeout=10)
    assert urlparse(dash_duo.driver.current_url).path == "/tilgjengelighet"
    wait_for(lambda: not dash_duo.find_element("#filter-bar").is_displayed(), message="filterlinjen vises fortsatt")
    assert "axe-core" in dash_duo.find_element("main").text
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)


def test_axe_on_home(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element(FIRST_CHART, timeout=30)
    dash_duo.wait_for_element("#oversikt-tabell-grid .ag-row", timeout=30)
    dash_duo.wait_for_element("#oversikt-varsler-tabell table, #oversikt-varsler-tabell .empty-notice", timeout=10)
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)


def test_unknown_path_shows_norwegian_404(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/finnes-ikke")
    dash_duo.wait_for_text_to_equal("h1", "Fant ikke siden", timeout=10)
    assert_page_healthy(dash_duo)


def test_csv_download(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#oversikt-tabell-grid .ag-row", timeout=30)
    click(dash_duo, "#oversikt-tabell-last-ned-csv")
    import pathlib

    folder = pathlib.Path(dash_duo.download_path)
    files = wait_for(lambda: [p for p in folder.glob("*.csv")], timeout=10, message="ingen CSV lastet ned")
    text = files[0].read_bytes().decode("utf-8-sig")
    assert files[0].name.startswith("tiltaksmonitor_tiltak-og-tilskudd_")
    assert text.splitlines()[0] == "År;Region;Finansierte tiltak;Tilskudd (kr)"
    assert_page_healthy(dash_duo)


def test_missing_warehouse_shows_a_norwegian_message(dash_duo, no_warehouse):
    from dashboard.app import app

    dash_duo.start_server(app)
    alert = dash_duo.wait_for_element("#shell-feil", timeout=10)
    dash_duo.wait_for_contains_text("#shell-feil", "Datagrunnlaget er ikke tilgjengelig", timeout=10)
    assert alert.get_attribute("role") == "alert"
    assert not dash_duo.find_elements("#shell-eksempeldata")
    assert "Traceback" not in dash_duo.find_element("body").text
    dash_duo.wait_for_text_to_equal("#shell-ferskhet", "Ingen data lastet inn", timeout=5)
    assert_page_healthy(dash_duo)


def _menu_paths():
    from dashboard.app import nav_pages

    return [p["path"] for p in nav_pages()]


@pytest.mark.parametrize("path", _menu_paths())
def test_every_menu_page_renders_cleanly(dash_duo, app, path):
    """Every page in the menu: renders its heading, keeps the shell (banner, filters
    in the URL), has no serious axe violations and a clean console."""
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + path + "?region=agder")
    dash_duo.wait_for_element("main h1", timeout=30)
    dash_duo.wait_for_element("#shell-eksempeldata", timeout=10)
    time.sleep(2)  # let the page's callbacks finish
    assert dash_duo.find_element("main h1").text.strip()
    assert "Denne siden kunne ikke vises" not in dash_duo.find_element("main").text
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)
