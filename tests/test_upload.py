"""Upload through the app (admin only): file names, sizes, kinds, malformed and
bomb-like XLSX, the same build as the CLI, the summary and quarantine, a failed
upload that leaves the published warehouse as it was, and a server that keeps
serving after every refusal."""
from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest

from dashboard import upload
from dashboard.queries import clear_cache, fetch
from etl import config as etl_config
from etl.publish import current_snapshot, snapshots_dir
from tests.etl_helpers import REGISTER, REPORT_HEADER, write, write_xlsx
from tests.security_helpers import DashCaller, proxy_headers

GOOD_REPORT = (REPORT_HEADER + "\n"
               "T9001;2021;status;NAV Alna;Opplastet tiltak;500 000;2021-12-01;1;3;2\n"
               "T9002;1899;status;NAV Alna;Feil år;100 000;2021-12-01;1;3;2\n")


@pytest.fixture(scope="module")
def server():
    from dashboard.app import app

    return app.server


@pytest.fixture
def wh(tmp_path, monkeypatch):
    """A tiny published warehouse (register + one report) and its raw folder; proxy
    mode with its own audit log."""
    from etl.build import build

    raw = tmp_path / "raw"
    write(raw, "kontorer.csv", REGISTER)
    write(raw, "rapportering_2020.csv", REPORT_HEADER + "\nT1;2020;status;NAV Løten;Første;100 000;2020-12-01;1;2;2\n")
    db = tmp_path / "wh" / "warehouse.duckdb"
    build(raw, db)
    monkeypatch.setenv(etl_config.DB_ENV, str(db))
    monkeypatch.setenv("TILTAKSMONITOR_RAW", str(raw))
    monkeypatch.setenv("TILTAKSMONITOR_AUTH", "proxy")
    monkeypatch.setenv("TILTAKSMONITOR_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    monkeypatch.delenv("TILTAKSMONITOR_UPLOAD_MAX_MB", raising=False)
    clear_cache()
    yield {"raw": raw, "db": db}
    clear_cache()


def data_url(data: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def uploaded_files(raw: Path) -> list[Path]:
    return sorted(p for p in (raw / upload.UPLOAD_DIR).rglob("*") if p.is_file()) \
        if (raw / upload.UPLOAD_DIR).exists() else []


def published(db: Path) -> tuple:
    return current_snapshot(db), sorted(p.name for p in snapshots_dir(db).glob("*.duckdb"))


def bomb_xlsx(size: int = 64 << 20) -> bytes:
    """A zip that looks like an XLSX: one sheet entry of `size` bytes of a single
    repeated character, a few tens of kilobytes packed (ratio ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"A" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return buf.getvalue()


def post_upload(server, role: str, filename: str, contents: str):
    caller = DashCaller(server.test_client(), proxy_headers(role))
    dep = caller.dep("..admin-last-opp-resultat.children")
    return caller.post(dep, {("admin-last-opp-klar", "data"): {"contents": contents, "filename": filename}},
                       ["admin-last-opp-klar.data"])


def assert_still_serving(server):
    client = server.test_client()
    assert client.get("/_dash-layout", headers=proxy_headers("admin")).status_code == 200
    assert client.get("/", headers=proxy_headers("direktorat")).status_code == 200


# ------------------------------------------------------------------ names

@pytest.mark.parametrize("name,expected,kind", [
    ("rapportering_2021.csv", "rapportering_2021.csv", "rapportering"),
    ("Rapportering 2021.XLSX", "Rapportering_2021.xlsx", "rapportering"),
    ("stikkprøve_vår_Ålesund.csv", "stikkprove_vaar_Aalesund.csv", "stikkprove"),
    ("vedtak-æøå.csv", "vedtak-aeoaa.csv", "vedtak"),
    ("../../etc/rapportering.csv", "rapportering.csv", "rapportering"),
    ("/var/lib/rapportering.csv", "rapportering.csv", "rapportering"),
    ("C:\\Users\\x\\vedtak_2021.csv", "vedtak_2021.csv", "vedtak"),
    ("rapportering_<img src=x onerror=alert(1)>.csv", "rapportering_img_srcx_onerroralert1.csv", "rapportering"),
    ("rapportering_2021 (1).csv", "rapportering_2021_1.csv", "rapportering"),
])
def test_safe_filename_keeps_only_a_clean_basename(name, expected, kind):
    assert upload.safe_filename(name) == (expected, kind)


@pytest.mark.parametrize("name,message", [
    ("notater.csv", "Ukjent filtype"),
    ("rapportering.xls", "støttes ikke"),
    ("rapportering.csv.exe", "støttes ikke"),
    ("rapportering", "eller Excel"),
    (".rapportering.csv", "ikke gyldig"),
    ("rapportering..csv", "ikke gyldig"),
    ("..", "ikke gyldig"),
    ("rapportering\x00.csv", "ugyldige tegn"),
    ("", "mangler navn"),
    (None, "mangler navn"),
    ("/etc/passwd", "eller Excel"),
    ("rapportering_<script>x</script>.csv", "Ukjent filtype"),  # '/' is a folder: only 'script>.csv' is left
])
def test_safe_filename_refuses(name, message):
    with pytest.raises(upload.UploadRefused, match=message):
        upload.safe_filename(name)


def test_contents_are_checked_before_decoding(monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_UPLOAD_MAX_MB", "0.001")  # ~1 KB
    with pytest.raises(upload.UploadRefused, match="for stor"):
        upload.decode_contents(data_url(b"x" * 5000))
    assert upload.decode_contents(data_url(b"a;b\n1;2\n")) == b"a;b\n1;2\n"
    for bad in ("ikke en data-url", "data:text/csv;base64,@@@", None, 42):
        with pytest.raises(upload.UploadRefused):
            upload.decode_contents(bad)
    with pytest.raises(upload.UploadRefused, match="tom"):
        upload.decode_contents("data:text/csv;base64,")


def test_max_content_length_follows_the_setting(monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_UPLOAD_MAX_MB", "10")
    assert upload.max_bytes() == 10 << 20
    assert (10 << 20) * 4 / 3 < upload.max_request_bytes() < (10 << 20) * 4 / 3 + (2 << 20)


# ------------------------------------------------------------ the build

def test_upload_is_loaded_like_the_cli_with_summary_and_quarantine(wh):
    before = published(wh["db"])[0]
    result = upload.process_upload(data_url(GOOD_REPORT.encode("utf-8")), "rapportering_2021.csv")
    assert result.ok and result.status == "lastet", result.message
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 1, 1)
    assert result.reasons and sum(result.reasons.values()) == 1
    assert list(result.quarantine["line"]) == [3] and list(result.quarantine["column_name"]) == ["rapportaar"]
    saved = wh["raw"] / result.saved
    assert saved.parent.parent == wh["raw"] / "opplastet" and saved.name == "rapportering_2021.csv"
    assert saved.read_bytes() == GOOD_REPORT.encode("utf-8")
    assert published(wh["db"])[0] != before
    assert fetch("SELECT tiltak_name FROM reports WHERE tiltak_id = 'T9001'")["tiltak_name"].tolist() == ["Opplastet tiltak"]
    again = upload.process_upload(data_url(GOOD_REPORT.encode("utf-8")), "rapportering_kopi.csv")
    assert again.ok and again.status == "uendret" and "tidligere" in again.message
    assert len(uploaded_files(wh["raw"])) == 1


def test_an_xlsx_upload_is_loaded(wh, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", [REPORT_HEADER.split(";"),
                                            ["T9100", 2022, "slutt", "NAV Løten", "Fra Excel", "200 000",
                                             "2022-12-01", 1, 3, 3]], sheet="rapportering")
    result = upload.process_upload(data_url(path.read_bytes(), upload_mime()), "rapportering_2022.xlsx")
    assert result.ok and result.rows_loaded == 1, result.message


def upload_mime() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("name,data,message", [
    ("rapportering_feil.csv", b"tiltak_id;rapportaar\nT1;2021\n", "mangler påkrevd kolonne"),
    ("rapportering_binaer.csv", b"\x00\x01\x02\x03" * 100, "ikke ut som en tekstfil"),
    ("rapportering_tull.xlsx", b"dette er ikke en zip" * 20, "ikke en gyldig Excel-fil"),
    ("rapportering_brukket.xlsx", b"PK\x03\x04" + b"\x00" * 200, "ødelagt zip"),
    ("rapportering_bombe.xlsx", None, "zip-bombe"),
    ("notater.csv", b"a;b\n", "Ukjent filtype"),
    ("rapportering.txt", b"a;b\n", "støttes ikke"),
])
def test_a_refused_upload_leaves_nothing_behind(wh, name, data, message):
    data = bomb_xlsx() if data is None else data
    before = published(wh["db"])
    result = upload.process_upload(data_url(data), name)
    assert not result.ok and message in result.message, result.message
    assert uploaded_files(wh["raw"]) == []
    assert published(wh["db"]) == before
    clear_cache()
    assert fetch("SELECT count(*) AS n FROM reports")["n"].iloc[0] == 1


def test_a_broken_file_already_in_the_raw_folder_fails_the_upload_too(wh):
    before = published(wh["db"])
    write(wh["raw"], "vedtak_ødelagt.csv", "kolonne_som_ikke_finnes\n1\n")
    result = upload.process_upload(data_url(GOOD_REPORT.encode()), "rapportering_2021.csv")
    assert not result.ok and "annen fil" in result.message
    assert uploaded_files(wh["raw"]) == [] and published(wh["db"]) == before


# ------------------------------------------------------ through the app

def test_admin_uploads_through_the_callback(server, wh):
    r = post_upload(server, "admin", "rapportering_2021.csv", data_url(GOOD_REPORT.encode("utf-8")))
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "lastet inn og publisert" in text and "Rader i karantene" in text and "rapportaar" in text
    from dashboard import audit_log

    events = audit_log.events(kind="opplasting")
    assert len(events) == 1 and events["user"].iloc[0] == "adm" and "rapportering_2021.csv" in events["detail"].iloc[0]


@pytest.mark.parametrize("role", ["direktorat", "referansegruppe", "statsforvalter"])
def test_other_roles_cannot_upload(server, wh, role):
    before = published(wh["db"])
    r = post_upload(server, role, "rapportering_2021.csv", data_url(GOOD_REPORT.encode("utf-8")))
    assert r.status_code == 200 and "bare administratorer" in r.get_data(as_text=True)
    assert uploaded_files(wh["raw"]) == [] and published(wh["db"]) == before
    from dashboard import audit_log

    assert audit_log.events(kind="tilgang_nektet")["user"].tolist() == [proxy_headers(role)["X-Forwarded-User"]]


def test_path_tricks_in_the_callback_stay_inside_the_upload_folder(server, wh):
    r = post_upload(server, "admin", "../../../../tmp/rapportering_2021.csv", data_url(GOOD_REPORT.encode()))
    assert "lastet inn og publisert" in r.get_data(as_text=True)
    files = uploaded_files(wh["raw"])
    assert len(files) == 1 and files[0].name == "rapportering_2021.csv"
    assert files[0].resolve().is_relative_to((wh["raw"] / "opplastet").resolve())


def test_bomb_xlsx_through_the_callback_is_refused_and_the_server_keeps_serving(server, wh):
    before = published(wh["db"])
    r = post_upload(server, "admin", "rapportering_bombe.xlsx", data_url(bomb_xlsx(), upload_mime()))
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Filen ble ikke lastet inn" in text and "zip-bombe" in text
    assert published(wh["db"]) == before and uploaded_files(wh["raw"]) == []
    assert_still_serving(server)


def test_oversized_uploads_are_refused_and_the_server_keeps_serving(server, wh, monkeypatch):
    monkeypatch.setenv("TILTAKSMONITOR_UPLOAD_MAX_MB", "0.01")  # ~10 KB
    limit = upload.max_bytes()
    # a little over the limit: reaches the callback, which says so
    r = post_upload(server, "admin", "rapportering_stor.csv", data_url(b"x" * (limit + 100)))
    assert r.status_code == 200 and "for stor" in r.get_data(as_text=True)
    # far over: Flask refuses the request before it is read (MAX_CONTENT_LENGTH)
    r = post_upload(server, "admin", "rapportering_stor.csv", data_url(b"x" * (upload.max_request_bytes() * 2)))
    assert r.status_code == 413 and "for stor" in r.get_data(as_text=True)
    assert uploaded_files(wh["raw"]) == []
    assert_still_serving(server)


def test_the_upload_page_shows_the_rules(server, wh):
    page = DashCaller(server.test_client(), proxy_headers("admin")).render_page("/admin/last-opp")
    text = page.get_data(as_text=True)
    for kind in ("kontorer", "rapportering", "stikkprove", "vedtak", "vurderinger", "metoder", "replikering"):
        assert kind in text
    assert "50 MB" in text and "admin-last-opp-fil" in text
