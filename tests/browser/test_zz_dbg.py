import time
from tests.browser.test_security_browser import *  # noqa

def test_dbg(dash_duo, app):
    dash_duo.start_server(app, port=_free_port())
    dash_duo.driver.get(dash_duo.server_url + "/")
    dash_duo.wait_for_element("#auth-bar .auth-dev-badge", timeout=15)
    Select(dash_duo.find_element("#auth-rolle")).select_by_value("statsforvalter")
    Select(dash_duo.find_element("#auth-region")).select_by_value("agder")
    _click(dash_duo, "#auth-bytt")
    time.sleep(5)
    print("URL", dash_duo.driver.current_url)
    print("ROLE", dash_duo.find_element("#auth-rolle").get_attribute("value"))
    print("BAR", dash_duo.find_element("#auth-bar").text[-100:])
    print("OPTS", [o.get_attribute("value") for o in Select(dash_duo.find_element("#filter-region")).options])
    print(dash_duo.get_logs())
    assert 0
