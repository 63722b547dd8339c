"""Helpers for the access-control, upload, audit and browser security tests: crafted
Dash callback requests built from /_dash-dependencies, identities by proxy headers,
and a small warehouse with hostile free text."""
from __future__ import annotations

import json
from pathlib import Path

ROLE_HEADER = "X-Tiltaksmonitor-Role"
USER_HEADER = "X-Forwarded-User"
REGION_HEADER = "X-Tiltaksmonitor-Region"

#: (user, role, region) for each role the tests try
ROLES = {
    "direktorat": ("dir", "direktorat", None),
    "referansegruppe": ("ref", "referansegruppe", None),
    "statsforvalter": ("sf-agder", "statsforvalter", "agder"),
    "admin": ("adm", "admin", None),
}

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
MARKDOWN = "**fet** [lenke](javascript:alert(1))"
FORMULA = "=cmd|' /C calc'!A0"


def proxy_headers(role: str) -> dict:
    user, role_name, region = ROLES[role]
    headers = {USER_HEADER: user, ROLE_HEADER: role_name}
    if region:
        headers[REGION_HEADER] = region
    return headers


def _split_output(output: str) -> list[tuple[object, str]]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    out = []
    for part in parts:
        if part.startswith("{"):
            end = part.rindex("}") + 1
            out.append((json.loads(part[:end]), part[end + 1:]))
        else:
            id_, prop = part.split(".", 1)  # Dash ids cannot contain dots
            out.append((id_, prop))
    return out


def _key(id_) -> str:
    return json.dumps(id_, sort_keys=True) if isinstance(id_, dict) else id_


def walk_layout(node, found: dict) -> dict:
    """{(id key, prop): value} of every component with an id in a layout's JSON."""
    if isinstance(node, list):
        for item in node:
            walk_layout(item, found)
    elif isinstance(node, dict):
        props = node.get("props") if "type" in node and "namespace" in node else None
        if isinstance(props, dict):
            if "id" in props:
                for prop, value in props.items():
                    found[(_key(props["id"]), prop)] = value
            for value in props.values():
                walk_layout(value, found)
        else:
            for value in node.values():
                walk_layout(value, found)
    return found


class DashCaller:
    """Posts callback requests the way the Dash renderer does."""

    def __init__(self, client, headers: dict | None = None):
        self.client = client
        self.headers = dict(headers or {})
        self._deps = None

    def deps(self) -> list[dict]:
        if self._deps is None:
            r = self.client.get("/_dash-dependencies", headers=self.headers)
            assert r.status_code == 200, r.status_code
            self._deps = r.get_json()
        return self._deps

    def dep(self, output_prefix: str) -> dict:
        for d in self.deps():
            if d["output"].startswith(output_prefix) or d["output"].startswith(".." + output_prefix):
                return d
        raise KeyError(output_prefix)

    def post(self, dep: dict, values: dict, changed: list[str] | None = None):
        def fill(items):
            return [{"id": i["id"], "property": i["property"], "value": values.get((_key(i["id"]), i["property"]))}
                    for i in items]

        outputs = [{"id": id_, "property": prop} for id_, prop in _split_output(dep["output"])]
        inputs = fill(dep["inputs"])
        body = {
            "output": dep["output"],
            "outputs": outputs if dep["output"].startswith("..") else outputs[0],
            "inputs": inputs,
            "state": fill(dep["state"]),
            "changedPropIds": changed if changed is not None else [f"{_key(i['id'])}.{i['property']}" for i in inputs],
        }
        return self.client.post("/_dash-update-component", json=body, headers=self.headers)

    def render_page(self, pathname: str, search: str = ""):
        """The pages router's call for a path: (status, response JSON or None)."""
        dep = self.dep("_pages_content.children")
        r = self.post(dep, {("_pages_location", "pathname"): pathname, ("_pages_location", "search"): search})
        return r

    def layout_values(self, pathname: str, search: str = "") -> dict:
        r = self.render_page(pathname, search)
        assert r.status_code == 200, (pathname, r.status_code)
        layout = r.get_json()["response"]["_pages_content"]["children"]
        shell = self.client.get("/_dash-layout", headers=self.headers).get_json()
        values = walk_layout(shell, {})
        walk_layout(layout, values)
        values[("url", "pathname")] = pathname
        values[("url", "search")] = search
        return values


# --------------------------------------------------------- hostile warehouse

REGISTER = (
    "kontor_id,navn,aliaser,kommune,fylke,statsforvalter,ansatte,gyldig_fra\n"
    "K0301-ALNA,NAV Alna,Nav Alna,Oslo,Oslo,Oslo og Viken,120,2015-01-01\n"
    "K4202-GRIMSTAD,NAV Grimstad,Nav Grimstad,Grimstad,Agder,Agder,40,2015-01-01\n"
)


def hostile_reports_csv() -> str:
    """Two reports: one whose name and description carry script/HTML/Markdown and a
    formula, one plain (so lists are not empty for other regions)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["tiltak_id", "rapportaar", "rapporttype", "nav_kontor", "tiltak_navn", "tilskudd_kr", "innsendt",
                "arsverk", "q01", "q02", "malgruppe", "beskrivelse", "utfordringer", "videreforing"])
    w.writerow(["XSS-1", "2021", "status", "NAV Alna", f"{XSS} {MARKDOWN}", "500 000", "2021-12-01", "1",
                "3", "2", FORMULA, f"{XSS}\n{MARKDOWN}", "@SUM(1+1)*cmd|' /C calc'!A0", "ja"])
    w.writerow(["PLAIN-1", "2021", "status", "NAV Grimstad", "Helt vanlig tiltak", "300 000", "2021-12-01", "1",
                "2", "2", "Unge", "En vanlig beskrivelse", "", "nei"])
    return buf.getvalue()


def build_hostile_warehouse(root: Path) -> Path:
    from etl.build import build

    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "kontorer.csv").write_text(REGISTER, encoding="utf-8")
    (raw / "rapportering_2021.csv").write_text(hostile_reports_csv(), encoding="utf-8")
    db = root / "warehouse.duckdb"
    summary = build(raw, db)
    assert summary.published and summary.rows_quarantined == 0, [(f.file_name, f.reasons) for f in summary.files]
    return db
