"""Loading a contract file through the app (admin only): checks, saving, and the
same build as `python -m etl build`. No Dash here; the page is
dashboard/pages/admin_last_opp.py.

1. The name: the basename only (no folders, no '..', no hidden or absolute names),
   Norwegian letters transliterated (ø -> o, æ -> ae, å -> aa), then
   werkzeug.secure_filename; .csv or .xlsx; and the contract must know its kind
   (etl.contracts.kind_of_filename: the name starts with the kind).
2. The size: TILTAKSMONITOR_UPLOAD_MAX_MB, checked on the encoded data before it is
   decoded (Flask's MAX_CONTENT_LENGTH stops far larger requests before they are read).
3. The content: an .xlsx must be a zip that passes the ETL's zip-bomb checks; this
   is checked before the file goes anywhere near the raw folder.
4. Saved as ``<raw>/opplastet/<timestamp>_<random>/<name>`` (the timestamp is the
   folder, because the contract reads a file's kind from the start of its name),
   written under a hidden name first so a concurrent build never sees half a file.
5. etl.build.build(raw, db): the CLI's build, under its lock. FileError/BuildError
   -> the file is removed again and nothing is published (the build publishes only
   on success). A file whose bytes were loaded before is removed as a duplicate.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import logging
import math
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from werkzeug.utils import secure_filename

from etl import contracts

log = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".csv", ".xlsx")
UPLOAD_DIR = "opplastet"
MAX_NAME = 120
_NORDIC = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "Æ": "Ae", "Ø": "O", "Å": "Aa"})
_DATA_URL = re.compile(r"data:[^,;]{0,200}(?:;[^,;]{0,200})*;base64,", re.ASCII)


class UploadRefused(Exception):
    """The file was refused; `message` is Norwegian and safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    from dashboard import config

    return int(config.settings().upload_max_mb * 1024 * 1024)


def max_mb_text() -> str:
    from dashboard import config
    from dashboard.formatting import fmt_decimal

    mb = config.settings().upload_max_mb
    return str(int(mb)) if float(mb).is_integer() else fmt_decimal(mb, 1)


def max_request_bytes() -> int:
    """Flask's MAX_CONTENT_LENGTH: the file base64-encoded in Dash's JSON, plus room
    for the rest of the callback request."""
    return math.ceil(max_bytes() / 3) * 4 + (1 << 20)


def kinds_text() -> str:
    return ", ".join(contracts.KINDS)


def safe_filename(name) -> tuple[str, str]:
    """(safe file name, contract kind) for a name from the browser; UploadRefused
    for anything else."""
    if not isinstance(name, str) or not name.strip():
        raise UploadRefused("Filen mangler navn.")
    if len(name) > 1000 or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise UploadRefused("Filnavnet inneholder ugyldige tegn.")
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if base in ("", ".", "..") or base.startswith(".") or ".." in base:
        raise UploadRefused("Filnavnet er ikke gyldig (skjulte navn og «..» er ikke tillatt).")
    text = unicodedata.normalize("NFC", base).translate(_NORDIC)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    safe = secure_filename(text)
    stem, dot, suffix = safe.rpartition(".")
    if not dot or not stem:
        raise UploadRefused("Filen må være CSV (.csv) eller Excel (.xlsx).")
    suffix = "." + suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise UploadRefused(f"Filtypen {suffix} støttes ikke. Last opp CSV (.csv) eller Excel (.xlsx).")
    safe = stem[: MAX_NAME - len(suffix)] + suffix
    kind = contracts.kind_of_filename(safe)
    if kind is None:
        raise UploadRefused(f"Ukjent filtype «{safe}»: navnet må begynne med en av filtypene i datakontrakten "
                            f"({kinds_text()}).")
    return safe, kind


def decode_contents(contents, limit: int | None = None) -> bytes:
    """The bytes of a dcc.Upload 'contents' value ('data:<type>;base64,<data>'),
    refused before decoding when larger than `limit` (default: the setting)."""
    limit = max_bytes() if limit is None else limit
    if not isinstance(contents, str):
        raise UploadRefused("Fant ingen fil i opplastingen.")
    head = _DATA_URL.match(contents)
    if head is None:
        raise UploadRefused("Opplastingen kunne ikke leses (forventet base64-data).")
    data = contents[head.end():]
    if len(data) * 3 // 4 - data[-2:].count("=") > limit:
        raise UploadRefused(f"Filen er for stor. Største tillatte størrelse er {max_mb_text()} MB.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UploadRefused("Opplastingen kunne ikke leses (ugyldig base64).") from None
    if len(raw) > limit:
        raise UploadRefused(f"Filen er for stor. Største tillatte størrelse er {max_mb_text()} MB.")
    if not raw:
        raise UploadRefused("Filen er tom.")
    return raw


def check_content(path: Path, suffix: str) -> None:
    """Refuse what the build would refuse for being dangerous (not for content):
    an .xlsx that is no zip, or unpacks like a zip bomb."""
    from etl.extract import FileError, _check_zip

    if suffix == ".xlsx":
        with open(path, "rb") as fh:
            magic = fh.read(4)
        if magic != b"PK\x03\x04":
            raise UploadRefused("Filen er ikke en gyldig Excel-fil (.xlsx).")
        try:
            _check_zip(path)
        except FileError as err:
            raise UploadRefused(f"Filen ble avvist: {err.reason}.") from None
    else:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        if b"\x00" in head:
            raise UploadRefused("Filen ser ikke ut som en tekstfil (CSV).")


@dataclass
class UploadResult:
    ok: bool
    message: str
    file_name: str | None = None
    kind: str | None = None
    sha256: str | None = None
    saved: Path | None = None
    status: str | None = None            # lastet | uendret
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    reasons: dict = field(default_factory=dict)
    warnings: pd.DataFrame | None = None
    quarantine: pd.DataFrame | None = None
    build_files: dict = field(default_factory=dict)  # status -> count of files in the build
    build_id: str | None = None
    seconds: float = 0.0


def _upload_folder(raw: Path, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    folder = raw / UPLOAD_DIR / f"{stamp}_{secrets.token_hex(3)}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _remove(saved: Path | None, raw: Path) -> None:
    if saved is None:
        return
    with contextlib.suppress(FileNotFoundError):
        saved.unlink()
    folder = saved.parent
    if folder.parent.name == UPLOAD_DIR and _inside(folder, raw):
        shutil.rmtree(folder, ignore_errors=True)


def process_upload(contents, filename, raw: Path | None = None, db: Path | None = None,
                   now: dt.datetime | None = None) -> UploadResult:
    """Check, save and load one uploaded file. Never raises for a bad file: the
    result says what happened (ok=False: refused, nothing saved or published)."""
    from dashboard import config
    from dashboard.queries import admin as admin_queries
    from etl.build import BuildError, build
    from etl.extract import FileError

    s = config.settings()
    raw = Path(raw or s.raw)
    db = Path(db or s.db)
    now = now or dt.datetime.now()
    try:
        name, kind = safe_filename(filename)
        data = decode_contents(contents)
    except UploadRefused as err:
        return UploadResult(False, err.message, file_name=filename if isinstance(filename, str) else None)
    sha = hashlib.sha256(data).hexdigest()
    result = UploadResult(False, "", file_name=name, kind=kind, sha256=sha)
    saved = None
    try:
        raw.mkdir(parents=True, exist_ok=True)
        folder = _upload_folder(raw, now)
        target = folder / name
        if not _inside(target, raw):  # cannot happen after safe_filename; checked anyway
            raise UploadRefused("Filnavnet er ikke gyldig.")
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=folder)  # hidden: builds skip it
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            check_content(Path(tmp), Path(name).suffix.lower())
        except BaseException:
            os.unlink(tmp)
            shutil.rmtree(folder, ignore_errors=True)
            raise
        os.replace(tmp, target)
        saved = target
        summary = build(raw, db)
    except UploadRefused as err:
        _remove(saved, raw)
        result.message = err.message
        return result
    except FileError as err:
        _remove(saved, raw)
        if saved is not None and err.path.resolve() == saved.resolve():
            result.message = f"Filen ble avvist: {err.reason}. Ingenting er lastet inn."
        else:
            result.message = (f"Innlastingen stoppet på en annen fil i rådatamappen ({err}). Den opplastede filen "
                              "er fjernet igjen, og ingenting er lastet inn.")
        return result
    except BuildError as err:
        _remove(saved, raw)
        result.message = f"Innlastingen stoppet: {err}. Den opplastede filen er fjernet igjen; ingenting er publisert."
        return result
    except Exception:
        _remove(saved, raw)
        log.exception("opplasting av %s feilet", name)
        result.message = "Innlastingen feilet av en uventet grunn. Ingenting er publisert. Ta kontakt med utvikler."
        return result
    except BaseException:
        _remove(saved, raw)
        raise
    result.build_id = summary.build_id
    result.seconds = summary.seconds
    counts: dict[str, int] = {}
    for f in summary.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    result.build_files = counts
    load = admin_queries.file_load(sha)
    if load is None or load["build_id"] != summary.build_id:  # loaded by an earlier build: a duplicate
        _remove(saved, raw)
        result.ok, result.status = True, "uendret"
        result.message = "Filen er lastet inn tidligere (samme innhold). Ingenting nytt å laste inn; kopien er fjernet."
        return result
    result.ok, result.status, result.saved = True, "lastet", saved.relative_to(raw)
    result.rows_read, result.rows_loaded = int(load["rows_read"]), int(load["rows_loaded"])
    result.rows_quarantined = int(load["rows_quarantined"])
    result.quarantine = admin_queries.file_quarantine(int(load["load_seq"]))
    result.reasons = admin_queries.reasons(int(load["load_seq"]))
    result.warnings = admin_queries.file_warnings(int(load["load_seq"]))
    result.message = (f"Filen er lastet inn og publisert: {result.rows_loaded} rader lastet"
                      + (f", {result.rows_quarantined} i karantene." if result.rows_quarantined else "."))
    return result
