"""Real Dash requests for the benchmarks, built from the app itself: the page
routing callback a browser sends on load, and each page's filter-driven callbacks
with the values their controls start with. Works over HTTP (a running server) or
in-process (Flask's test client), so bench.views and bench.concurrency send the
same payloads. Pages and callbacks are discovered, never listed by hand."""
from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field

#: inputs that make a callback "filter-driven"
URL_INPUTS = {("url", "search"), ("url", "pathname")}
#: a callback triggered by these is a button (downloads), not a view
CLICK_PROPS = {"n_clicks", "n_clicks_timestamp"}
#: texts the shell shows when a callback failed (dashboard.app): a 200 that is an error
ERROR_MARKERS = ("shell-feil",)


class HttpClient:
    def __init__(self, base: str, timeout: float = 60):
        self.base, self.timeout = base.rstrip("/"), timeout

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()


class FlaskClient:
    """The app in this process (TILTAKSMONITOR_DB must be set before import)."""

    def __init__(self):
        from dashboard.app import app

        self.client = app.server.test_client()

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        r = self.client.open(path, method=method, json=body)
        return r.status_code, r.get_data()


def _outputs(output: str) -> list[dict] | dict:
    def one(s):
        cid, prop = s.rsplit(".", 1)
        return {"id": cid, "property": prop}

    if output.startswith("..") and output.endswith(".."):
        return [one(s) for s in output[2:-2].split("...")]
    return one(output)


def walk(tree, props: dict) -> dict:
    """component id -> its props, for every component in a layout (JSON form)."""
    if isinstance(tree, list):
        for t in tree:
            walk(t, props)
    elif isinstance(tree, dict):
        p = tree.get("props")
        if isinstance(p, dict) and "type" in tree:
            if isinstance(p.get("id"), str):
                props[p["id"]] = p
            for v in p.values():
                walk(v, props)
        else:
            for v in tree.values():
                walk(v, props)
    return props


@dataclass
class Callback:
    page: str
    name: str                   # the output string, shortened
    dep: dict
    values: dict = field(default_factory=dict)  # (id, prop) -> initial value

    def payload(self, path: str, search: str) -> dict:
        def item(i):
            key = (i["id"], i["property"])
            if key == ("url", "search"):
                value = search
            elif key == ("url", "pathname"):
                value = path
            else:
                value = self.values.get(key)
            return {"id": i["id"], "property": i["property"], "value": value}

        inputs = [item(i) for i in self.dep["inputs"]]
        return {"output": self.dep["output"], "outputs": _outputs(self.dep["output"]), "inputs": inputs,
                "state": [item(s) for s in self.dep.get("state", [])],
                "changedPropIds": [f"{i['id']}.{i['property']}" for i in self.dep["inputs"]
                                   if (i["id"], i["property"]) in URL_INPUTS]}


class DashApp:
    """What a browser would send to the app behind `client`."""

    def __init__(self, client):
        self.client = client
        status, body = client.request("GET", "/_dash-dependencies")
        if status != 200:
            raise RuntimeError(f"/_dash-dependencies answered {status}")
        self.deps = json.loads(body)
        self.router = next((d for d in self.deps if d["output"].startswith(".._pages_content.children")), None)
        status, body = client.request("GET", "/_dash-layout")
        self.shell = walk(json.loads(body), {})

    def router_payload(self, path: str, search: str = "") -> dict:
        d = self.router
        return {"output": d["output"], "outputs": _outputs(d["output"]),
                "inputs": [{"id": i["id"], "property": i["property"],
                            "value": path if i["property"] == "pathname" else search if i["property"] == "search"
                            else None} for i in d["inputs"]],
                "state": [], "changedPropIds": ["_pages_location.pathname"]}

    def page_layout(self, path: str) -> dict:
        status, body = self.client.request("POST", "/_dash-update-component", self.router_payload(path))
        if status != 200:
            raise RuntimeError(f"routing callback for {path} answered {status}")
        return json.loads(body)["response"]["_pages_content"]["children"]

    def callbacks(self, path: str) -> list[Callback]:
        """The page's callbacks that read the URL, whose outputs are all on the page."""
        page = walk(self.page_layout(path), {})
        known = {**self.shell, **page}
        out = []
        for d in self.deps:
            if d.get("clientside_function") or d is self.router:
                continue
            ins = [(i["id"], i["property"]) for i in d["inputs"]]
            outs = _outputs(d["output"])
            outs = outs if isinstance(outs, list) else [outs]
            if any(i[0].startswith("{") for i in ins) or any(o["id"].startswith("{") for o in outs):
                continue  # pattern-matching ids
            if not URL_INPUTS & set(ins) or any(p in CLICK_PROPS for _, p in ins):
                continue
            if not all(o["id"] in page for o in outs):
                continue
            values = {}
            for cid, prop in ins + [(s["id"], s["property"]) for s in d.get("state", [])]:
                values[(cid, prop)] = known.get(cid, {}).get(prop)
            name = re.sub(r"\.\.+", " ", d["output"]).strip()
            out.append(Callback(path, name[:70], d, values))
        return out


def is_error(status: int, body: bytes) -> bool:
    return status >= 400 or any(m.encode() in body for m in ERROR_MARKERS)


def template_values(db_path: str, names: set[str]) -> dict:
    """A real value for each page-path variable (<region_id>, <tiltak_id>, …): the
    first non-NULL value of a column of that name in the warehouse."""
    import os

    import duckdb

    from etl import config

    con = duckdb.connect(os.path.realpath(db_path), read_only=True, config=config.duckdb_config(read_only=True))
    try:
        cols = con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                           "WHERE NOT internal ORDER BY table_name").fetchall()
        out: dict = {}
        for table, col in cols:
            if col in out or col not in names or not re.fullmatch(r"[a-z_][a-z0-9_]*", col + table):
                continue
            row = con.execute(f'SELECT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL ORDER BY 1 LIMIT 1').fetchone()
            if row is not None:
                out[col] = str(row[0])
        return out
    finally:
        con.close()


def page_paths(db_path: str) -> list[tuple[str, str]]:
    """(name, path) for every page; templated paths filled from the warehouse."""
    import dash

    import dashboard.app  # noqa: F401

    pages = [p for p in dash.page_registry.values() if not p["module"].endswith("not_found_404")]
    wanted = {n for p in pages for n in re.findall(r"<([^>]+)>", p.get("path_template") or "")}
    values = template_values(db_path, wanted) if wanted else {}
    out = []
    for p in pages:
        path = p.get("path_template") or p["path"]
        if "<" in path:
            names = re.findall(r"<([^>]+)>", path)
            if not all(n in values for n in names):
                continue
            for n in names:
                path = path.replace(f"<{n}>", values[n])
        out.append((p["name"], path))
    return sorted(out, key=lambda x: x[1])
