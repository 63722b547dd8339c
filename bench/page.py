"""Page: each page of the app, opened in headless Chromium with the browser cache
off (a first visit): what it downloads and when its first chart is drawn.

    python -m bench.page [--records 10M | --scale N] [--timeout 30]

Payload = the Performance API's navigation entry plus every resource entry
(transferSize: bytes on the wire incl. headers; decodedBodySize: after
decompression), split into static files and callback data. Times are
performance.now() (ms since navigation start), recorded in the page by a
MutationObserver installed before any script runs: 'first svg' when the first
`.js-plotly-plot .main-svg` appears (the 'Henter data …' placeholder counts),
'first data chart' when the first plot holding a trace appears. gunicorn serves
the app on loopback; writes bench/results/page.json.
"""
from __future__ import annotations

import argparse
import sys
import time

from bench import common, dashapp

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
OBSERVER = """
(function () {
  window.__bench = {svg: null, data: null};
  function check() {
    var b = window.__bench;
    if (b.svg === null && document.querySelector('.js-plotly-plot .main-svg')) b.svg = performance.now();
    if (b.data === null && document.querySelector('.js-plotly-plot .main-svg .trace')) b.data = performance.now();
  }
  new MutationObserver(check).observe(document, {subtree: true, childList: true});
})();
"""
ENTRIES = """
var nav = performance.getEntriesByType('navigation')[0];
var res = performance.getEntriesByType('resource').map(function (e) {
  return {name: e.name, type: e.initiatorType, transfer: e.transferSize, body: e.encodedBodySize,
          decoded: e.decodedBodySize, end: e.responseEnd};
});
return {nav: {transfer: nav.transferSize, body: nav.encodedBodySize, decoded: nav.decodedBodySize,
              dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd},
        res: res, bench: window.__bench, now: performance.now(),
        plots: document.querySelectorAll('.js-plotly-plot').length};
"""


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--no-first-run",
              "--window-size=1366,900"):
        opts.add_argument(a)
    opts.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER})
    return driver


def measure_page(driver, url: str, timeout: float, quiet: float = 1.5) -> dict:
    """Load `url`; wait until a data chart is drawn and the network has been quiet
    for `quiet` seconds (or `timeout`)."""
    driver.get("about:blank")
    driver.get(url)
    deadline = time.monotonic() + timeout
    count, still_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        e = driver.execute_script(ENTRIES)
        n = len(e["res"])
        if n != count:
            count, still_since = n, time.monotonic()
        done_chart = e["bench"]["data"] is not None or (e["plots"] == 0 and e["now"] > 3000)
        if done_chart and time.monotonic() - still_since >= quiet:
            break
        time.sleep(0.1)
    e = driver.execute_script(ENTRIES)
    static = [r for r in e["res"] if r["type"] not in ("fetch", "xmlhttprequest")]
    data = [r for r in e["res"] if r["type"] in ("fetch", "xmlhttprequest")]
    kb = lambda rows, k: sum(r[k] or 0 for r in rows) / 1024
    return {
        "html KB": e["nav"]["transfer"] / 1024,
        "static KB": kb(static, "transfer"),
        "data KB": kb(data, "transfer"),
        "total KB": (e["nav"]["transfer"] + sum(r["transfer"] or 0 for r in e["res"])) / 1024,
        "decoded KB": (e["nav"]["decoded"] + sum(r["decoded"] or 0 for r in e["res"])) / 1024,
        "requests": 1 + len(e["res"]), "callbacks": sum(1 for r in data if "_dash-update-component" in r["name"]),
        "DOMContentLoaded ms": e["nav"]["dcl"], "first svg ms": e["bench"]["svg"],
        "first data chart ms": e["bench"]["data"], "charts": e["plots"],
        "all callbacks done ms": max((r["end"] for r in data), default=None),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.page", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--records", default="10M", help="decision records in the warehouse (default 10M)")
    p.add_argument("--scale", type=int, help="etl sample --scale instead")
    p.add_argument("--timeout", type=float, default=30, help="seconds per page (default 30)")
    p.add_argument("--workers", type=int, default=3)
    args = p.parse_args(argv)

    scale = args.scale or common.scale_for(common.parse_records(args.records))
    db, _ = common.ensure_warehouse(scale)
    facts = common.warehouse_facts(db)
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    server = driver = None
    rows = []
    try:
        server = common.start_gunicorn(db, port, workers=args.workers, logdir=common.CACHE / "page-logs")
        client = dashapp.HttpClient(base)
        driver = browser()
        measure_page(driver, base + "/tilgjengelighet", args.timeout)  # the browser's own start-up
        for name, path in dashapp.page_paths(str(db)):
            status, _ = client.request("GET", path)
            if status != 200:
                print(f"  {path}: HTTP {status}, left out")
                continue
            row = {"page": path, **measure_page(driver, base + path, args.timeout)}
            rows.append(row)
            print(f"  {path}: {row['total KB']:,.0f} KB, first data chart {row['first data chart ms'] or '–'} ms",
                  flush=True)
    finally:
        if driver is not None:
            driver.quit()
        common.stop(server)
    cols = ["page", "total KB", "static KB", "data KB", "decoded KB", "requests", "callbacks",
            "DOMContentLoaded ms", "first svg ms", "first data chart ms", "all callbacks done ms"]
    common.table(rows, cols, title=f"First visit per page (cache off), {facts['decision_records'] / 1e6:.1f} million "
                                   f"decision records, {args.workers} gunicorn workers, loopback", digits=0)
    common.write_results("page", {"scale": scale, **facts, "pages": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
