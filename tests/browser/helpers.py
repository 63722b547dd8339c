"""Checks every browser test ends with: axe-core, console and network."""
from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlparse

from axe_selenium_python import Axe
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
)

BLOCKING_IMPACTS = ("serious", "critical")
#: axe-core 4.x (see vendor/README.md); axe-selenium-python's own copy is 3.1.1.
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v.get('impact')}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v.get("nodes", [])[:5]:
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    - {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
            html = (node.get("html") or "")[:200]
            if html:
                lines.append(f"      {html}")
        if len(v.get("nodes", [])) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_serious_axe_violations(driver, context: str | None = None, options: dict | None = None) -> dict:
    """Run axe-core on the current page; fail on 'serious' or 'critical' impacts.
    Lesser ones are printed (pytest -s shows them) but do not fail."""
    axe = Axe(driver, script_url=str(AXE_SCRIPT))
    axe.inject()
    results = axe.run(context=context, options=options)
    violations = results["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    minor = [v for v in violations if v.get("impact") not in BLOCKING_IMPACTS]
    if minor:
        print("axe (ikke blokkerende):\n" + format_violations(minor))
    assert not blocking, f"axe fant {len(blocking)} alvorlige brudd på {driver.current_url}:\n" + format_violations(blocking)
    return results


def assert_no_console_errors(dash_duo) -> None:
    logs = dash_duo.get_logs()
    assert logs == [], "feil i nettleserkonsollen:\n" + "\n".join(f"{e.get('level')}: {e.get('message')}" for e in logs)


def assert_only_local_requests(driver) -> None:
    """Every resource the page loaded came from the app's own origin and succeeded
    (nothing from a CDN: the browser has no internet in production either)."""
    origin = urlparse(driver.current_url).netloc
    entries = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) {"
        " return {name: e.name, status: e.responseStatus === undefined ? null : e.responseStatus}; });"
    )
    foreign = [e["name"] for e in entries if urlparse(e["name"]).scheme in ("http", "https")
               and urlparse(e["name"]).netloc != origin]
    assert not foreign, f"ressurser hentet fra andre verter: {foreign}"
    failed = [e for e in entries if e["status"] not in (None, 0) and e["status"] >= 400]
    assert not failed, f"forespørsler som feilet: {failed}"


def assert_page_healthy(dash_duo) -> None:
    """The standard ending: no console errors, no foreign or failed requests."""
    assert_no_console_errors(dash_duo)
    assert_only_local_requests(dash_duo.driver)


# ------------------------------------------------------------ driving the browser

def free_port() -> int:
    """A free loopback port: other test sessions may hold dash_duo's default 8050."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plain(text: str) -> str:
    """Selenium returns the no-break spaces of Norwegian numbers ('1 234') as is."""
    return text.replace("\xa0", " ")


def wait_for(cond, timeout: float = 15, message: str = "timed out"):
    """Poll `cond` until it returns something truthy; a re-rendered element is no error."""
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


def click(dash_duo, target, tries: int = 20) -> None:
    """Click a selector or element, retrying while charts still render and shift the page."""
    for attempt in range(tries):
        element = dash_duo.find_element(target) if isinstance(target, str) else target
        dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        try:
            element.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if attempt == tries - 1:
                raise
            time.sleep(0.25)
