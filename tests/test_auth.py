"""Access control: settings, the three modes (dev, proxy, local), the user file and
its CLI, session cookies, the guard, admin pages, security headers, and crafted
callback requests (built from /_dash-dependencies) for every page, for every role:
a Statsforvalter never gets another region's office-level data, whatever it asks."""
from __future__ import annotations

import base64
import io
import json
import re
import stat
import sys

import pytest

from dashboard import auth, config, users
from dashboard.queries import FULL_ACCESS, Scope, clear_cache, fetch
from etl import config as etl_config
from tests.security_helpers import (
    FORMULA,
    ROLES,
    DashCaller,
    build_hostile_warehouse,
    proxy_headers,
    walk_layout,
)

HTTPS = "https://localhost"
PASSWORD = "et-langt-passord-1"


@pytest.fixture(scope="module")
def server():
    from dashboard.app import app

    return app.server


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Each test: its own audit log and user file; the mode set by the test."""
    for env in ("TILTAKSMONITOR_AUTH", "TILTAKSMONITOR_AUTH_PROXY_SECRET", "TILTAKSMONITOR_AUTH_USER_HEADER",
                "TILTAKSMONITOR_AUTH_ROLE_HEADER", "TILTAKSMONITOR_AUTH_REGION_HEADER"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("TILTAKSMONITOR_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("TILTAKSMONITOR_USERS_FILE", str(tmp_path / "users.json"))
    auth._failures.clear()
    yield


@pytest.fixture
def proxy(monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "proxy")


@pytest.fixture
def local(monkeypatch, tmp_path):
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "local")
    path = tmp_path / "users.json"
    users.add_user(path, "kari", "statsforvalter", "Agder", PASSWORD)
    users.add_user(path, "ola", "admin", None, PASSWORD)
    return path


def _login(client, username="kari", password=PASSWORD, next_path="/"):
    page = client.get(f"/logg-inn?neste={next_path}", base_url=HTTPS)
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/logg-inn", base_url=HTTPS, data={
        "brukernavn": username, "passord": password, "csrf": token, "neste": next_path})


# ---------------------------------------------------------------- settings

def test_suppression_threshold_setting(monkeypatch):
    monkeypatch.delenv("TILTAKSMONITOR_SUPPRESSION_MIN", raising=False)
    assert config.settings().suppression_threshold == 5
    monkeypatch.setenv("TILTAKSMONITOR_SUPPRESSION_MIN", "3")
    assert config.settings().suppression_threshold == 3
    for bad in ("0", "-1", "fem", "2.5"):
        monkeypatch.setenv("TILTAKSMONITOR_SUPPRESSION_MIN", bad)
        with pytest.raises(ValueError, match="TILTAKSMONITOR_SUPPRESSION_MIN"):
            config.settings()


def test_auth_and_upload_settings_are_validated(monkeypatch):
    assert config.settings().auth == "dev"
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "PROXY")
    assert config.settings().auth == "proxy"
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "open")
    with pytest.raises(ValueError, match="TILTAKSMONITOR_AUTH"):
        config.settings()
    monkeypatch.delenv("TILTAKSMONITOR_AUTH")
    monkeypatch.setenv("TILTAKSMONITOR_UPLOAD_MAX_MB", "0")
    with pytest.raises(ValueError, match="UPLOAD_MAX_MB"):
        config.settings()


def test_secrets_are_not_in_the_settings_repr(monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("TILTAKSMONITOR_AUTH_PROXY_SECRET", "p" * 40)
    text = repr(config.settings())
    assert "s" * 40 not in text and "p" * 40 not in text


def test_files_default_beside_the_warehouse(monkeypatch, tmp_path):
    for env in ("TILTAKSMONITOR_AUDIT_DB", "TILTAKSMONITOR_USERS_FILE", "TILTAKSMONITOR_SECRET_KEY_FILE"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv(etl_config.DB_ENV, str(tmp_path / "wh" / "warehouse.duckdb"))
    s = config.settings()
    assert s.audit_db == tmp_path / "wh" / "audit.sqlite"
    assert s.users_file == tmp_path / "wh" / "users.json"
    assert s.secret_key_file == tmp_path / "wh" / "secret.key"


def test_secret_key_file_is_created_private_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("TILTAKSMONITOR_SECRET_KEY", raising=False)
    monkeypatch.setenv("TILTAKSMONITOR_SECRET_KEY_FILE", str(tmp_path / "k" / "secret.key"))
    first = auth.secret_key()
    path = tmp_path / "k" / "secret.key"
    assert len(first) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.secret_key() == first
    monkeypatch.setenv("TILTAKSMONITOR_SECRET_KEY", "x" * 48)
    assert auth.secret_key() == b"x" * 48


# ----------------------------------------------------------- dev mode

def test_dev_mode_is_full_access_and_clearly_marked(server):
    assert auth.current_scope() == FULL_ACCESS
    client = server.test_client()
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    text = layout.get_data(as_text=True)
    assert "Utviklingsmodus" in text and "auth-rolle" in text
    values = walk_layout(layout.get_json(), {})
    assert values[("auth-rolle", "value")] == "direktorat"
    assert values[("auth-logg-ut", "hidden")] is True


def test_implicit_dev_mode_serves_this_machine_only(server, monkeypatch):
    client = server.test_client()
    assert client.get("/").status_code == 200
    remote = client.get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert remote.status_code == 403 and "Utviklingsmodus er bare åpen" in remote.get_data(as_text=True)
    proxied = client.get("/", headers={"X-Forwarded-For": "10.1.2.3"})
    assert proxied.status_code == 403
    assert client.post("/_dash-update-component", json={}, environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "dev")  # explicit: the operator chose it
    assert client.get("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_dev_role_picker_switches_the_scope(server, fixture_warehouse):
    client = server.test_client()
    caller = DashCaller(client)
    values = caller.layout_values("/")
    values[("auth-rolle", "value")] = "statsforvalter"
    values[("auth-region", "value")] = "agder"
    values[("auth-bytt", "n_clicks")] = 1
    r = caller.post(caller.dep("auth-omdiriger.href"), values, ["auth-bytt.n_clicks"])
    assert r.status_code == 200 and r.get_json()["response"]["auth-omdiriger"]["href"] == "/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # dev: plain http
    # the shell now offers Agder only, and queries are clamped to it
    filters = caller.post(caller.dep("..url.search"), {**values, ("url", "search"): "?region=oslo-viken"},
                          ["url.search"]).get_json()["response"]
    assert filters["filter-region"]["value"] == "alle"
    assert [o["value"] for o in filters["filter-kontor"]["options"]] == ["alle", "4202-grimstad"]
    layout = walk_layout(client.get("/_dash-layout").get_json(), {})
    assert layout[("auth-rolle", "value")] == "statsforvalter" and layout[("auth-region", "value")] == "agder"


def test_dev_role_picker_is_refused_in_other_modes(server, proxy, fixture_warehouse):
    caller = DashCaller(server.test_client(), proxy_headers("referansegruppe"))
    values = caller.layout_values("/")
    values.update({("auth-rolle", "value"): "admin", ("auth-bytt", "n_clicks"): 1})
    r = caller.post(caller.dep("auth-omdiriger.href"), values, ["auth-bytt.n_clicks"])
    assert r.status_code == 204  # PreventUpdate: nothing changes
    assert "dev_role" not in (r.headers.get("Set-Cookie") or "")


# ---------------------------------------------------------- proxy mode

@pytest.mark.parametrize("path,method", [("/", "GET"), ("/vedtak", "GET"), ("/_dash-layout", "GET"),
                                         ("/_dash-dependencies", "GET"), ("/_dash-update-component", "POST")])
def test_proxy_mode_refuses_requests_without_identity(server, proxy, path, method):
    client = server.test_client()
    r = client.open(path, method=method, json={} if method == "POST" else None)
    assert r.status_code == 401
    assert "ikke logget inn" in r.get_data(as_text=True)


def test_proxy_mode_serves_static_assets_without_identity(server, proxy):
    client = server.test_client()
    assert client.get("/assets/00_bootstrap.min.css").status_code == 200
    assert client.get("/_favicon.ico").status_code in (200, 304)


def test_dash_first_request_setup_never_runs_without_identity(server, proxy, monkeypatch):
    """Dash builds the shell layout on a worker's first request: that must neither
    fail nor run for a request without identity (static files, refused calls)."""
    from dashboard.app import app

    monkeypatch.setitem(app._got_first_request, "setup_server", False)
    client = server.test_client()
    assert client.get("/_dash-layout").status_code == 401
    assert app._got_first_request["setup_server"] is False  # the guard ran first
    assert client.get("/assets/00_bootstrap.min.css").status_code == 200  # public: setup runs, with no access
    assert app._got_first_request["setup_server"] is True
    assert client.get("/_dash-layout", headers=proxy_headers("admin")).status_code == 200


@pytest.mark.parametrize("headers,status", [
    ({"X-Forwarded-User": "a", "X-Tiltaksmonitor-Role": "superbruker"}, 403),
    ({"X-Forwarded-User": "a", "X-Tiltaksmonitor-Role": "statsforvalter"}, 403),
    ({"X-Forwarded-User": "a", "X-Tiltaksmonitor-Role": "statsforvalter", "X-Tiltaksmonitor-Region": "narnia"}, 403),
    ({"X-Forwarded-User": "  ", "X-Tiltaksmonitor-Role": "direktorat"}, 401),
    ({"X-Tiltaksmonitor-Role": "admin"}, 401),
    ({"X-Forwarded-User": "a", "X-Tiltaksmonitor-Role": "statsforvalter", "X-Tiltaksmonitor-Region": "Agder"}, 200),
    ({"X-Forwarded-User": "a", "X-Tiltaksmonitor-Role": "Direktorat"}, 200),
])
def test_proxy_headers_are_validated(server, proxy, headers, status):
    assert server.test_client().get("/_dash-layout", headers=headers).status_code == status


def test_proxy_scope_comes_from_the_headers(server, proxy):
    for role, expected in [("direktorat", FULL_ACCESS), ("referansegruppe", Scope("referansegruppe")),
                           ("statsforvalter", Scope("statsforvalter", "agder")), ("admin", Scope("admin"))]:
        with server.test_request_context("/", headers=proxy_headers(role)):
            assert auth.current_scope() == expected
            assert auth.current_identity().user == ROLES[role][0]


def test_proxy_header_names_are_configurable(server, proxy, monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_AUTH_USER_HEADER", "X-Remote-User")
    monkeypatch.setenv("TILTAKSMONITOR_AUTH_ROLE_HEADER", "X-Remote-Role")
    client = server.test_client()
    assert client.get("/_dash-layout", headers=proxy_headers("direktorat")).status_code == 401
    assert client.get("/_dash-layout", headers={"X-Remote-User": "a", "X-Remote-Role": "admin"}).status_code == 200


def test_proxy_secret_proves_the_request_came_through_the_proxy(server, proxy, monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_AUTH_PROXY_SECRET", "hemmelig-delt-verdi-1234567890")
    client = server.test_client()
    headers = proxy_headers("admin")
    assert client.get("/_dash-layout", headers=headers).status_code == 403
    assert client.get("/_dash-layout", headers={**headers, auth.PROXY_SECRET_HEADER: "feil"}).status_code == 403
    ok = {**headers, auth.PROXY_SECRET_HEADER: "hemmelig-delt-verdi-1234567890"}
    assert client.get("/_dash-layout", headers=ok).status_code == 200


def test_headers_are_not_trusted_outside_proxy_mode(server, local):
    client = server.test_client()
    r = client.get("/_dash-layout", headers=proxy_headers("admin"), base_url=HTTPS)
    assert r.status_code == 401


def test_outside_a_request_only_dev_mode_has_access(proxy):
    assert auth.current_scope() == auth.NO_ACCESS
    with pytest.raises(auth.AuthError):
        auth.current_identity()


# ----------------------------------------------------------- local mode

def test_local_mode_redirects_pages_to_login_and_refuses_dash_calls(server, local):
    client = server.test_client()
    r = client.get("/vedtak?region=agder", base_url=HTTPS)
    assert r.status_code == 302 and r.headers["Location"].startswith("/logg-inn?neste=/vedtak")
    assert client.get("/_dash-layout", base_url=HTTPS).status_code == 401
    assert client.post("/_dash-update-component", json={}, base_url=HTTPS).status_code == 401
    page = client.get("/logg-inn", base_url=HTTPS)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="nb">' in text and "Brukernavn" in text and "Passord" in text


def test_local_login_sets_a_secure_session(server, local):
    client = server.test_client()
    r = _login(client, next_path="/vedtak")
    assert r.status_code == 302 and r.headers["Location"] == "/vedtak"
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-tiltaksmonitor=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie
    layout = client.get("/_dash-layout", base_url=HTTPS)
    assert layout.status_code == 200
    values = walk_layout(layout.get_json(), {})
    assert values[("auth-logg-ut", "hidden")] is False
    assert "kari" in layout.get_data(as_text=True)
    assert client.get("/admin/logg", base_url=HTTPS).status_code == 403  # kari is no admin


def test_local_login_refuses_wrong_password_unknown_user_and_missing_token(server, local):
    client = server.test_client()
    r = _login(client, password="feil-passord-123")
    assert r.status_code == 401 and "Feil brukernavn eller passord" in r.get_data(as_text=True)
    r = _login(client, username="ukjent")
    assert r.status_code == 401 and "Feil brukernavn eller passord" in r.get_data(as_text=True)
    r = client.post("/logg-inn", base_url=HTTPS, data={"brukernavn": "kari", "passord": PASSWORD})
    assert r.status_code == 400  # no CSRF token
    assert client.get("/_dash-layout", base_url=HTTPS).status_code == 401


def test_local_login_is_throttled_after_repeated_failures(server, local):
    client = server.test_client()
    for _ in range(auth.MAX_FAILURES):
        assert _login(client, password="feil-passord-123").status_code == 401
    r = _login(client)
    assert r.status_code == 429 and "For mange" in r.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
                                    "/logg-inn"])
def test_login_never_redirects_off_site(server, local, target):
    r = _login(server.test_client(), next_path=target)
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_logout_ends_the_session(server, local, fixture_warehouse):
    client = server.test_client()
    _login(client, username="ola")
    caller = DashCaller(client)
    values = caller.layout_values("/")
    values[("auth-logg-ut", "n_clicks")] = 1
    r = caller.post(caller.dep("auth-omdiriger.href@"), values, ["auth-logg-ut.n_clicks"])
    assert r.status_code == 200
    assert list(r.get_json()["response"]["auth-omdiriger"].values()) == ["/logg-inn"]
    assert client.get("/_dash-layout").status_code == 401


def test_removed_user_or_new_password_ends_old_sessions(server, local):
    client = server.test_client()
    _login(client)
    assert client.get("/_dash-layout", base_url=HTTPS).status_code == 200
    users.set_password(local, "kari", "et-helt-nytt-passord-2")
    assert client.get("/_dash-layout", base_url=HTTPS).status_code == 401
    _login(client, password="et-helt-nytt-passord-2")
    assert client.get("/_dash-layout", base_url=HTTPS).status_code == 200
    users.remove_user(local, "kari")
    assert client.get("/_dash-layout", base_url=HTTPS).status_code == 401


# ------------------------------------------------------------ users file

def test_users_cli_adds_a_user_from_stdin(tmp_path, monkeypatch, capsys):
    path = tmp_path / "brukere.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert users.main(["--file", str(path), "add", "kari", "--role", "statsforvalter", "--region", "agder"]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    entry = data["users"][0]
    assert entry["username"] == "kari" and entry["region"] == "agder"
    assert entry["password_hash"].startswith("scrypt:") and PASSWORD not in path.read_text()
    assert users.find_user(path, "KARI").check_password(PASSWORD)
    capsys.readouterr()
    assert users.main(["--file", str(path), "list"]) == 0
    out = capsys.readouterr().out
    assert "kari\tstatsforvalter\tagder" in out and "scrypt" not in out


@pytest.mark.parametrize("args,stdin,message", [
    (["add", "per", "--role", "statsforvalter"], PASSWORD, "må ha en region"),
    (["add", "per", "--role", "statsforvalter", "--region", "narnia"], PASSWORD, "ukjent statsforvalter"),
    (["add", "per", "--role", "admin"], "kort", "minst 12 tegn"),
    (["add", "../per", "--role", "admin"], PASSWORD, "ugyldig brukernavn"),
])
def test_users_cli_refuses_bad_users(tmp_path, monkeypatch, capsys, args, stdin, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin + "\n"))
    assert users.main(["--file", str(tmp_path / "u.json"), *args]) == 1
    assert message in capsys.readouterr().err


def test_users_file_may_be_csv_and_bad_rows_cannot_log_in(tmp_path):
    from werkzeug.security import generate_password_hash

    path = tmp_path / "users.csv"
    good = generate_password_hash(PASSWORD, method="pbkdf2:sha256")
    path.write_text("username,role,region,password_hash\n"
                    f"kari,statsforvalter,Agder,{good}\n"
                    f"per,statsforvalter,,{good}\n"
                    "eva,admin,,klartekst-passord\n"
                    f"ola,superbruker,,{good}\n", encoding="utf-8")
    found = users.read_users(path)
    assert set(found) == {"kari"} and found["kari"].region_id == "agder"
    assert found["kari"].check_password(PASSWORD) and not found["kari"].check_password("feil")
    with pytest.raises(users.UserFileError):
        users.read_users(path, strict=True)


# ------------------------------------------------- guard, headers, admin

def test_security_headers(server):
    r = server.test_client().get("/")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "connect-src 'self'" in csp


@pytest.mark.parametrize("role", ["direktorat", "referansegruppe", "statsforvalter"])
@pytest.mark.parametrize("path", ["/admin/logg", "/admin/last-opp"])
def test_admin_pages_are_refused_to_other_roles(server, proxy, fixture_warehouse, role, path):
    client = server.test_client()
    r = client.get(path, headers=proxy_headers(role))
    assert r.status_code == 403 and "bare for administratorer" in r.get_data(as_text=True)
    # in-app navigation (the pages router): the page says 403 and holds nothing
    page = DashCaller(client, proxy_headers(role)).render_page(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "403" in text and "Ingen tilgang" in text
    values = walk_layout(page.get_json(), {})
    content = next(v for (id_, prop), v in values.items() if id_.endswith("-innhold") and prop == "hidden")
    assert content is True


@pytest.mark.parametrize("path", ["/admin/logg", "/admin/last-opp"])
def test_admin_pages_open_for_admin(server, proxy, fixture_warehouse, path):
    client = server.test_client()
    assert client.get(path, headers=proxy_headers("admin")).status_code == 200
    page = DashCaller(client, proxy_headers("admin")).render_page(path)
    assert "Ingen tilgang" not in page.get_data(as_text=True)


@pytest.mark.parametrize("role", ["direktorat", "referansegruppe", "statsforvalter"])
def test_audit_log_callback_refuses_other_roles(server, proxy, fixture_warehouse, role):
    from dashboard import audit_log

    audit_log.log_event("innlogging", None, user="hemmelig-bruker")
    caller = DashCaller(server.test_client(), proxy_headers(role))
    dep = caller.dep("..admin-logg-grid.rowData")
    r = caller.post(dep, {("admin-logg-type", "value"): "alle"}, ["admin-logg-type.value"])
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "hemmelig-bruker" not in body and "bare for administratorer" in body
    admin = DashCaller(server.test_client(), proxy_headers("admin"))
    assert "hemmelig-bruker" in admin.post(dep, {("admin-logg-type", "value"): "alle"},
                                           ["admin-logg-type.value"]).get_data(as_text=True)


# ------------------------------------- crafted callbacks: every page, every role

def _decoded(text: str) -> str:
    """The response text plus any CSV download inside it, decoded."""
    out = [text]
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    for props in (payload.get("response") or {}).values():
        data = props.get("data") if isinstance(props, dict) else None
        if isinstance(data, dict) and data.get("base64") and str(data.get("filename", "")).endswith(".csv"):
            out.append(base64.b64decode(data["content"]).decode("utf-8-sig", "replace"))
    return "\n".join(out)


@pytest.fixture(scope="module")
def sample_facts(sample_warehouse):
    clear_cache()
    offices = fetch("SELECT DISTINCT office_id, office_name, region_id FROM offices")
    methods = fetch("SELECT method_id, office_id, region_id, tiltak_id FROM methods")
    reports = fetch("SELECT DISTINCT tiltak_id, region_id FROM reports")
    public_offices = set(methods["office_id"])  # the seven methods' origin offices are published
    public_tiltak = set(methods["tiltak_id"].dropna())
    oslo = offices[(offices["region_id"] == "oslo-viken") & ~offices["office_id"].isin(public_offices)]
    other = offices[(offices["region_id"] != "agder") & ~offices["office_id"].isin(public_offices)]
    other_tiltak = sorted(set(reports.loc[reports["region_id"] != "agder", "tiltak_id"]) - public_tiltak)
    oslo_tiltak = sorted(reports.loc[reports["region_id"] == "oslo-viken", "tiltak_id"])
    oslo_method = methods.loc[methods["region_id"] == "oslo-viken", "method_id"].iloc[0]
    decisions = fetch("SELECT office_id, sum(n) n FROM decisions WHERE region_id = 'oslo-viken' "
                      "GROUP BY 1 ORDER BY n DESC LIMIT 1")
    words = sorted(set(other["office_id"]) | set(other["office_name"]) | set(other_tiltak), key=len, reverse=True)
    return {
        "pattern": re.compile(r"(?<![\wæøåÆØÅ-])(" + "|".join(map(re.escape, words)) + r")(?![\wæøåÆØÅ-])"),
        "office": decisions["office_id"].iloc[0] if len(decisions) else oslo["office_id"].iloc[0],
        "forbidden_ids": set(other["office_id"]),
        "forbidden_names": set(other["office_name"]),
        "forbidden_tiltak": set(other_tiltak),
        "oslo_tiltak": [t for t in oslo_tiltak if t not in public_tiltak][0],
        "oslo_method": oslo_method,
    }


def _pages(facts) -> dict[str, str]:
    """Path -> crafted search: another region and one of its offices."""
    search = f"?region=oslo-viken&kontor={facts['office']}"
    return {
        "/": search, "/vedtak": search, "/egenvurdering": search, "/internkontroll": search,
        "/utvelgelse": search, "/metoder": search, "/replikering": search, "/tiltak": search,
        "/regioner": search, "/region/oslo-viken": search, f"/tiltak/{facts['oslo_tiltak']}": search,
        f"/metoder/{facts['oslo_method']}": search,
    }


def _page_callbacks(caller, values: dict, shell: set) -> list[dict]:
    """The callbacks whose outputs are on this page (not the shell's)."""
    page_ids = {id_ for (id_, _prop) in values} - shell
    out = []
    for dep in caller.deps():
        if dep.get("clientside_function"):
            continue
        outputs = dep["output"].strip(".").split("...")
        ids = {o.split(".", 1)[0] for o in outputs}
        if ids & page_ids and not any(isinstance(i["id"], dict) for i in dep["inputs"] + dep["state"]):
            out.append(dep)
    return out


def _crafted_responses(caller, path: str, search: str) -> list[tuple[str, int, str]]:
    shell = {id_ for (id_, _p) in walk_layout(caller.client.get("/_dash-layout", headers=caller.headers).get_json(), {})}
    values = caller.layout_values(path, search)
    page = caller.render_page(path, search)
    results = [("sidens layout", page.status_code, page.get_data(as_text=True))]
    for dep in _page_callbacks(caller, values, shell):
        vals = dict(values)
        changed = None
        csv = [i for i in dep["inputs"] if i["property"] == "n_clicks" and str(i["id"]).endswith("-csv")]
        if csv:  # a download: press its CSV button
            vals[(csv[0]["id"], "n_clicks")] = 1
            changed = [f"{csv[0]['id']}.n_clicks"]
        r = caller.post(dep, vals, changed)
        results.append((dep["output"], r.status_code, _decoded(r.get_data(as_text=True))))
    return results


def _leaks(text: str, facts: dict, allowed: set) -> list[str]:
    """Other regions' office ids and names and tiltak ids found in `text` (one
    compiled pattern; whole words)."""
    return sorted({m for m in facts["pattern"].findall(text) if m not in allowed})


@pytest.mark.parametrize("role", ["statsforvalter", "direktorat", "referansegruppe", "admin"])
def test_crafted_callbacks_never_cross_regions(server, proxy, sample_facts, role):
    """For every page and each of its callbacks (downloads included), a request
    asking for Oslo og Viken and one of its offices: a Statsforvalter for Agder gets
    none of it (and no other region's offices); the national roles do get it (so the
    check can see a leak)."""
    caller = DashCaller(server.test_client(), proxy_headers(role))
    seen_other = []
    n_calls = 0
    for path, search in _pages(sample_facts).items():
        allowed = {path.rsplit("/", 1)[-1]}  # the id typed in the path is echoed in the title
        for name, status, text in _crafted_responses(caller, path, search):
            n_calls += 1
            assert status in (200, 204), (role, path, name, status, text[:300])
            leaks = _leaks(text, sample_facts, allowed)
            if role == "statsforvalter":
                assert not leaks, f"{path} {name}: Statsforvalter Agder fikk {leaks[:5]}"
            elif leaks:
                seen_other.append((path, name))
    assert n_calls > 40
    if role != "statsforvalter":
        assert {p for p, _ in seen_other} >= {"/vedtak", "/tiltak", "/region/oslo-viken"}, seen_other


def test_crafted_detail_requests_find_nothing_in_another_region(server, proxy, sample_facts):
    caller = DashCaller(server.test_client(), proxy_headers("statsforvalter"))
    tiltak = sample_facts["oslo_tiltak"]
    text = caller.render_page(f"/tiltak/{tiltak}").get_data(as_text=True)
    assert "ikke tilgang" in text or "finnes ikke" in text
    region = caller.render_page("/region/oslo-viken").get_data(as_text=True)
    assert not _leaks(region, sample_facts, {"oslo-viken"})
    # the method page's MATCH download of replication rows, crafted
    dep = caller.dep('{"table":["MATCH"],"type":"metode-nedlasting"}.data')
    body = {
        "output": dep["output"],
        "outputs": {"id": {"type": "metode-nedlasting", "table": "replikering"}, "property": "data"},
        "inputs": [{"id": {"type": "metode-csv", "table": "replikering"}, "property": "n_clicks", "value": 1},
                   {"id": {"type": "metode-xlsx", "table": "replikering"}, "property": "n_clicks", "value": 0}],
        "state": [{"id": "url", "property": "pathname", "value": f"/metoder/{sample_facts['oslo_method']}"}],
        "changedPropIds": ['{"table":"replikering","type":"metode-csv"}.n_clicks'],
    }
    r = caller.client.post("/_dash-update-component", json=body, headers=caller.headers)
    assert r.status_code in (200, 204)
    assert not _leaks(_decoded(r.get_data(as_text=True)), sample_facts, set())


# ---------------------------------------------------------- hostile input

@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    return build_hostile_warehouse(tmp_path_factory.mktemp("hostile"))


def test_export_neutralises_formulas_through_the_page_download(server, hostile_db, monkeypatch):
    monkeypatch.setenv(etl_config.DB_ENV, str(hostile_db))
    clear_cache()
    caller = DashCaller(server.test_client())
    values = caller.layout_values("/tiltak")
    dep = caller.dep("tiltak-tabell-last-ned.data")
    for button, ext in (("tiltak-tabell-last-ned-csv", "csv"), ("tiltak-tabell-last-ned-xlsx", "xlsx")):
        r = caller.post(dep, {**values, (button, "n_clicks"): 1}, [f"{button}.n_clicks"])
        data = r.get_json()["response"]["tiltak-tabell-last-ned"]["data"]
        raw = base64.b64decode(data["content"])
        if ext == "csv":
            text = raw.decode("utf-8-sig")
            assert "'" + FORMULA in text
            assert not re.search(r"(^|;)=cmd", text, re.MULTILINE) and not re.search(r"(^|;)\"?=", text, re.MULTILINE)
        else:
            import openpyxl

            wb = openpyxl.load_workbook(io.BytesIO(raw))
            cells = [c for row in wb.active.iter_rows() for c in row if isinstance(c.value, str)]
            hostile = [c for c in cells if "cmd|" in c.value]
            assert hostile and all(c.data_type == "s" for c in hostile)
            assert all(c.quotePrefix for c in hostile if c.value.startswith(("=", "@", "+", "-")))
    clear_cache()
