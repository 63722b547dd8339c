"""Tiltak in headless Chromium against the sample warehouse: the grid holds the
warehouse's tiltak, the quick filter narrows it, a tiltak's page opens from the
grid, free text with markup stays text, axe is clean and the console is quiet."""
from __future__ import annotations

import sys

import pytest

from tests.browser.helpers import (
    assert_no_serious_axe_violations,
    assert_page_healthy,
    click,
    free_port,
    wait_for,
)

pytestmark = pytest.mark.browser

GRID_ROW = "#tiltak-grid .ag-center-cols-container .ag-row"


def _count_text(dash_duo) -> str:
    return dash_duo.find_element("#tiltak-antall").text.replace("\xa0", " ")


def test_grid_quick_filter_and_open_a_tiltak(dash_duo, app):
    from dashboard.queries import FULL_ACCESS, Filters
    from dashboard.queries import tiltak as queries

    expected = queries.tiltak_list(Filters(2021, 2021), FULL_ACCESS)
    assert len(expected) == 203
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + "/tiltak?fra=2021&til=2021")
    dash_duo.wait_for_element(GRID_ROW, timeout=20)
    wait_for(lambda: _count_text(dash_duo) == "Viser alle 203 tiltak.", message=f"fikk {_count_text(dash_duo)!r}")
    assert dash_duo.find_element("#tiltak-kpi .kpi-value").text == "203"

    # the quick filter looks in the free text too: 'gjeld' narrows to the rows that say so
    word = "gjeld"
    page = sys.modules["pages.tiltak"]
    frame = page.table_frame(Filters(2021, 2021), FULL_ACCESS)
    text_cols = [c for c in page.GRID_COLUMNS if c not in ("tiltak_link", "grant_kr")] + ["tiltak_id"]
    hits = frame[text_cols].astype(str).apply(lambda col: col.str.lower().str.contains(word, regex=False)).any(axis=1)
    assert 0 < hits.sum() < 203
    box = dash_duo.find_element("#tiltak-sok")
    box.send_keys(word)
    wait_for(lambda: _count_text(dash_duo) == f"Viser {hits.sum()} av 203 tiltak.",
          message=f"hurtigfilteret ga {_count_text(dash_duo)!r}, ventet {hits.sum()}")
    first_name = wait_for(lambda: dash_duo.find_element(f"{GRID_ROW}[row-index='0'] [col-id='tiltak_name']").text)
    assert first_name in set(frame.loc[hits, "tiltak_name"])
    # labelled search box
    assert dash_duo.find_element("label[for='tiltak-sok']").text == "Søk i tabellen"
    assert_no_serious_axe_violations(dash_duo.driver)

    # open the first tiltak from its link
    # (the id column is pinned to the left: its own row container)
    link_selector = "#tiltak-grid .ag-row[row-index='0'] [col-id='tiltak_link'] a"
    tiltak_id = dash_duo.find_element(link_selector).text
    click(dash_duo, link_selector)
    wait_for(lambda: dash_duo.driver.current_url.endswith(f"/tiltak/{tiltak_id}"), message="lenken åpnet ikke tiltaket")
    reports = queries.tiltak_reports(tiltak_id, FULL_ACCESS)
    latest_name = reports["tiltak_name"].iloc[-1]
    dash_duo.wait_for_text_to_equal("h1", latest_name, timeout=20)
    rows = dash_duo.find_elements("#tiltak-detalj-okonomi tbody tr")
    assert len(rows) == len(reports)
    assert dash_duo.driver.title == f"Tiltak {tiltak_id} – Tiltaksmonitor"
    dash_duo.wait_for_element("#tiltak-detalj-lignende-liste li", timeout=10)
    assert_no_serious_axe_violations(dash_duo.driver)
    assert_page_healthy(dash_duo)


def test_free_text_with_markup_is_shown_as_text(dash_duo, app, monkeypatch):
    from dashboard.queries import FULL_ACCESS
    from dashboard.queries import tiltak as queries

    tiltak_id = queries.similarity_frame(FULL_ACCESS)["tiltak_id"].iloc[0]
    real = queries.tiltak_reports(tiltak_id, FULL_ACCESS)
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

    def hostile(tid, scope):
        df = real.copy()
        df["tiltak_name"] = "<b>Fet</b> " + payload
        df["description"] = payload
        return df

    monkeypatch.setattr(queries, "tiltak_reports", hostile)
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.get(dash_duo.server_url + f"/tiltak/{tiltak_id}")
    dash_duo.wait_for_text_to_equal("h1", "<b>Fet</b> " + payload, timeout=20)
    assert payload in dash_duo.find_element("#tiltak-detalj-tekst").text
    assert dash_duo.driver.execute_script("return window.__xss === undefined")
    assert not dash_duo.find_elements("main img[src='x']") and not dash_duo.find_elements("main b")
    assert_page_healthy(dash_duo)
