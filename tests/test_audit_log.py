"""The audit log: append-only SQLite, safe across processes, and what the app
records by itself (page views with filters, downloads, logins, refusals), shown to
admins only on /admin/logg."""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
import sqlite3
import stat

import pytest

from dashboard import audit_log, users
from tests.security_helpers import DashCaller, proxy_headers

PASSWORD = "et-langt-passord-1"


@pytest.fixture(scope="module")
def server():
    from dashboard.app import app

    return app.server


@pytest.fixture
def log_path(tmp_path, monkeypatch):
    path = tmp_path / "logg" / "audit.sqlite"
    monkeypatch.setenv("TILTAKSMONITOR_AUDIT_DB", str(path))
    monkeypatch.delenv("TILTAKSMONITOR_AUTH", raising=False)
    return path


@pytest.fixture
def proxy(monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "proxy")


def test_events_are_appended_and_listed_newest_first(log_path):
    assert audit_log.events().empty  # nothing yet, no file needed
    assert audit_log.log_event("innlogging", None, user="kari", role="statsforvalter", region_id="agder")
    assert audit_log.log_event("nedlasting", {"fil": "tiltaksmonitor_vedtak.csv"}, user="ola", page="/vedtak?fra=2020")
    assert audit_log.log_event("visning", "fri tekst <b>", user="kari", page="/tiltak")
    df = audit_log.events()
    assert list(df["kind"]) == ["visning", "nedlasting", "innlogging"]
    assert df["at"].is_monotonic_decreasing and str(df["at"].dt.tz) == "UTC"
    assert json.loads(df["detail"].iloc[0]) == {"tekst": "fri tekst <b>"}
    assert list(audit_log.events(kind="nedlasting")["user"]) == ["ola"]
    assert list(audit_log.events(user="KARI")["kind"]) == ["visning", "innlogging"]
    assert list(audit_log.events(text="vedtak.csv")["user"]) == ["ola"]
    today = dt.date.today()
    assert len(audit_log.events(since=today - dt.timedelta(days=1), until=today + dt.timedelta(days=1))) == 3
    assert audit_log.events(until=today - dt.timedelta(days=2)).empty
    assert len(audit_log.events(limit=2)) == 2
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_the_log_is_append_only(log_path):
    audit_log.log_event("innlogging", None, user="kari")
    con = sqlite3.connect(log_path)
    try:
        for sql in ("UPDATE events SET user = 'mallory'", "DELETE FROM events"):
            with pytest.raises(sqlite3.DatabaseError, match="bare utvides"):
                con.execute(sql)
    finally:
        con.close()
    assert list(audit_log.events()["user"]) == ["kari"]
    with pytest.raises(ValueError):
        audit_log.log_event("slett_alt", None)


def test_oversized_detail_is_cut(log_path):
    audit_log.log_event("visning", {"filtre": "x" * 100_000}, page="/" + "y" * 5000)
    row = audit_log.events().iloc[0]
    assert len(row["detail"]) < audit_log.MAX_DETAIL + 100 and len(row["page"]) <= 1000


def _writer(path: str, worker: int, n: int) -> None:
    import os

    os.environ["TILTAKSMONITOR_AUDIT_DB"] = path
    from dashboard import audit_log as log

    for i in range(n):
        assert log.log_event("visning", {"arbeider": worker, "i": i}, user=f"w{worker}")


def test_many_processes_write_at_once(log_path):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(log_path), w, 40)) for w in range(4)]
    for p in procs:
        p.start()
    _writer(str(log_path), 9, 40)  # and this process at the same time
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    df = audit_log.events(limit=10_000)
    assert len(df) == 200 and df["id"].is_unique
    assert df.groupby("user").size().to_dict() == {"w0": 40, "w1": 40, "w2": 40, "w3": 40, "w9": 40}
    con = sqlite3.connect(log_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_an_unwritable_log_does_not_break_requests(server, tmp_path, monkeypatch, fixture_warehouse):
    blocker = tmp_path / "ikke-en-mappe"
    blocker.write_text("")
    monkeypatch.setenv("TILTAKSMONITOR_AUDIT_DB", str(blocker / "audit.sqlite"))
    assert audit_log.log_event("innlogging", None) is False
    caller = DashCaller(server.test_client())
    assert caller.render_page("/", "?fra=2019").status_code == 200


# ------------------------------------------------ recorded by the app itself

def test_page_views_are_logged_with_filters_and_user(server, log_path, proxy, fixture_warehouse):
    caller = DashCaller(server.test_client(), proxy_headers("statsforvalter"))
    caller.render_page("/vedtak", "?fra=2019&region=agder")
    caller.render_page("/tiltak/T3")
    views = audit_log.events(kind="visning")
    assert list(views["page"]) == ["/tiltak/T3", "/vedtak?fra=2019&region=agder"]
    assert set(views["user"]) == {"sf-agder"} and set(views["role"]) == {"statsforvalter"}
    assert set(views["region_id"]) == {"agder"} and set(views["auth_mode"]) == {"proxy"}
    assert json.loads(views["detail"].iloc[1]) == {"filtre": "?fra=2019&region=agder"}
    # the first request of the proxy session counts as the login
    assert list(audit_log.events(kind="innlogging")["user"]) == ["sf-agder"]


def test_downloads_are_logged_whichever_page_wires_them(server, log_path, proxy, fixture_warehouse):
    caller = DashCaller(server.test_client(), proxy_headers("direktorat"))
    values = caller.layout_values("/", "?region=agder")
    dep = caller.dep("oversikt-tabell-last-ned.data")
    caller.headers["Accept-Encoding"] = "gzip, br"  # as a browser asks: the app compresses its answers
    r = caller.post(dep, {**values, ("oversikt-tabell-last-ned-csv", "n_clicks"): 1},
                    ["oversikt-tabell-last-ned-csv.n_clicks"])
    assert r.status_code == 200
    downloads = audit_log.events(kind="nedlasting")
    assert len(downloads) == 1 and downloads["user"].iloc[0] == "dir"
    detail = json.loads(downloads["detail"].iloc[0])
    assert re.fullmatch(r"tiltaksmonitor_tiltak-og-tilskudd_\d{4}-\d\d-\d\d\.csv", detail["fil"])
    assert detail["filtre"] == "?region=agder" and detail["komponent"] == "oversikt-tabell-last-ned"
    assert detail["byte"] > 10
    # a callback that merely fills a store is no download
    caller.post(caller.dep("..oversikt-kpi.children"), values, ["url.search"])
    assert len(audit_log.events(kind="nedlasting")) == 1


def test_logins_logouts_and_refusals_are_logged(server, log_path, tmp_path, monkeypatch, fixture_warehouse):
    users_file = tmp_path / "users.json"
    users.add_user(users_file, "kari", "statsforvalter", "agder", PASSWORD)
    monkeypatch.setenv("TILTAKSMONITOR_USERS_FILE", str(users_file))
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "local")
    from dashboard import auth

    auth._failures.clear()
    client = server.test_client()

    def login(password):
        page = client.get("/logg-inn").get_data(as_text=True)
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        return client.post("/logg-inn", data={"brukernavn": "kari", "passord": password, "csrf": token, "neste": "/"})

    assert login("feil-passord-123").status_code == 401
    assert login(PASSWORD).status_code == 302
    assert client.get("/admin/logg").status_code == 403
    caller = DashCaller(client)
    values = caller.layout_values("/")
    caller.post(caller.dep("auth-omdiriger.href@"), {**values, ("auth-logg-ut", "n_clicks"): 1},
                ["auth-logg-ut.n_clicks"])
    kinds = list(audit_log.events()["kind"])
    assert kinds[0] == "utlogging"
    assert {"innlogging_feilet", "innlogging", "tilgang_nektet", "visning"} <= set(kinds)
    failed = audit_log.events(kind="innlogging_feilet").iloc[0]
    assert failed["user"] == "kari" and PASSWORD not in str(failed["detail"])
    assert audit_log.events(kind="innlogging")["role"].iloc[0] == "statsforvalter"
    assert audit_log.events(kind="tilgang_nektet")["page"].iloc[0] == "/admin/logg"


def test_the_log_page_lists_events_for_admin(server, log_path, proxy, fixture_warehouse):
    audit_log.log_event("nedlasting", {"fil": "a.csv"}, user="ola", role="direktorat")
    audit_log.log_event("opplasting", {"fil": "<script>alert(1)</script>.csv"}, user="adm", role="admin")
    caller = DashCaller(server.test_client(), proxy_headers("admin"))
    dep = caller.dep("..admin-logg-grid.rowData")
    values = caller.layout_values("/admin/logg")
    r = caller.post(dep, values, ["admin-logg-type.value"]).get_json()["response"]
    rows = r["admin-logg-grid"]["rowData"]
    # newest first: the view of this page, the proxy session's login, then the two above
    assert [row["kind_label"] for row in rows] == ["Visning", "Innlogging", "Opplasting", "Nedlasting"]
    assert rows[2]["detail_text"] == "fil: <script>alert(1)</script>.csv"  # text; the grid renders no HTML
    assert rows[2]["role_label"] == "Administrator"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d", rows[0]["when"])
    only = caller.post(dep, {**values, ("admin-logg-type", "value"): "nedlasting"}, ["admin-logg-type.value"])
    assert [row["user"] for row in only.get_json()["response"]["admin-logg-grid"]["rowData"]] == ["ola"]
    assert "1 hendelser" in only.get_data(as_text=True)
