"""Dashboard settings. Precedence: explicit argument > environment variable > default.

SETTINGS is the one table of what can be set (name, environment variable, default,
help); `settings()` resolves it and `python -m dashboard --help` prints it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from etl import config as etl_config


class _Beside(str):
    """A default file that lives in the warehouse's folder (outside git)."""

    def __str__(self) -> str:
        return f"<mappen til datavarehuset>/{str.__str__(self)}"


#: (field, environment variable, default, help)
SETTINGS: tuple[tuple[str, str, object, str], ...] = (
    ("host", "HOST", "127.0.0.1", "adressen utviklingsserveren lytter på"),
    ("port", "PORT", 8050, "porten utviklingsserveren lytter på"),
    ("db", etl_config.DB_ENV, etl_config.DEFAULT_DB, "datavarehuset (DuckDB-fil, symlenke til siste snapshot)"),
    ("raw", "TILTAKSMONITOR_RAW", etl_config.DEFAULT_RAW, "mappen med rådata; eksempeldata skrives hit hvis varehuset mangler"),
    ("debug", "DASH_DEBUG", False, "1 slår på Dash sin feilsøkingsmodus (aldri i produksjon)"),
    ("suppression_threshold", "TILTAKSMONITOR_SUPPRESSION_MIN", 5,
     "minste antall som vises i tellinger på kontornivå; mindre tall skjules (prikking)"),
    ("auth", "TILTAKSMONITOR_AUTH", "dev",
     "tilgangsstyring: dev (utviklingsmodus med rollevelger), proxy (identitet fra reverse proxy) eller local "
     "(brukerfil med innlogging)"),
    ("auth_user_header", "TILTAKSMONITOR_AUTH_USER_HEADER", "X-Forwarded-User", "proxy: header med brukernavnet"),
    ("auth_role_header", "TILTAKSMONITOR_AUTH_ROLE_HEADER", "X-Tiltaksmonitor-Role",
     "proxy: header med rollen (direktorat, referansegruppe, statsforvalter, admin)"),
    ("auth_region_header", "TILTAKSMONITOR_AUTH_REGION_HEADER", "X-Tiltaksmonitor-Region",
     "proxy: header med regionen til en statsforvalter"),
    ("auth_proxy_secret", "TILTAKSMONITOR_AUTH_PROXY_SECRET", "",
     "proxy: hemmelighet proxyen sender i X-Tiltaksmonitor-Proxy-Secret (valgfri, anbefalt)"),
    ("users_file", "TILTAKSMONITOR_USERS_FILE", _Beside("users.json"),
     "local: brukerfil (JSON eller CSV) med brukernavn, rolle, region og passord-hash"),
    ("secret_key", "TILTAKSMONITOR_SECRET_KEY", "",
     "nøkkel som signerer sesjonskapsler; uten den brukes nøkkelfilen under"),
    ("secret_key_file", "TILTAKSMONITOR_SECRET_KEY_FILE", _Beside("secret.key"),
     "nøkkelfil for sesjonskapsler, lages (0600) ved første oppstart"),
    ("audit_db", "TILTAKSMONITOR_AUDIT_DB", _Beside("audit.sqlite"),
     "revisjonsloggen (SQLite, bare tillegg): visninger, nedlastinger, opplastinger, innlogginger"),
    ("upload_max_mb", "TILTAKSMONITOR_UPLOAD_MAX_MB", 50, "største fil som kan lastes opp i appen (MB)"),
)

AUTH_MODES = ("dev", "proxy", "local")

_TRUE = {"1", "true", "ja", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    db: Path
    raw: Path
    debug: bool
    suppression_threshold: int = 5
    auth: str = "dev"
    auth_user_header: str = "X-Forwarded-User"
    auth_role_header: str = "X-Tiltaksmonitor-Role"
    auth_region_header: str = "X-Tiltaksmonitor-Region"
    auth_proxy_secret: str = field(default="", repr=False)
    users_file: Path | None = None
    secret_key: str = field(default="", repr=False)
    secret_key_file: Path | None = None
    audit_db: Path | None = None
    upload_max_mb: float = 50.0


def _pick(name: str, explicit, env: str, default):
    if explicit is not None:
        return explicit
    value = os.environ.get(env)
    return default if value in (None, "") else value


def settings(
    host: str | None = None,
    port: int | str | None = None,
    db: str | os.PathLike | None = None,
    raw: str | os.PathLike | None = None,
    debug: bool | str | None = None,
) -> Settings:
    """Resolve every setting: explicit argument > environment > default."""
    given = {"host": host, "port": port, "db": db, "raw": raw, "debug": debug}
    values = {name: _pick(name, given.get(name), env, default) for name, env, default, _ in SETTINGS}
    try:
        port_no = int(values["port"])
    except (TypeError, ValueError):
        raise ValueError(f"PORT må være et heltall, fikk {values['port']!r}") from None
    if not 0 < port_no < 65536:
        raise ValueError(f"PORT må være mellom 1 og 65535, fikk {port_no}")
    dbg = values["debug"]
    db_file = Path(values["db"])
    return Settings(
        host=str(values["host"]),
        port=port_no,
        db=db_file,
        raw=Path(values["raw"]),
        debug=dbg if isinstance(dbg, bool) else str(dbg).strip().lower() in _TRUE,
        **_security_settings(values, db_file),
    )


def _security_settings(values: dict, db_file: Path) -> dict:
    """Access control, suppression and upload settings, validated: a bad value stops
    the app with a clear message rather than quietly opening small cells or access."""
    def beside(value) -> Path:
        return db_file.parent / str.__str__(value) if isinstance(value, _Beside) else Path(value)

    try:
        threshold = int(str(values["suppression_threshold"]).strip())
    except ValueError:
        threshold = 0
    if threshold < 1:
        raise ValueError("TILTAKSMONITOR_SUPPRESSION_MIN må være et heltall fra 1 og oppover, "
                         f"fikk {values['suppression_threshold']!r}")
    auth = str(values["auth"]).strip().lower()
    if auth not in AUTH_MODES:
        raise ValueError(f"TILTAKSMONITOR_AUTH må være én av {', '.join(AUTH_MODES)}, fikk {values['auth']!r}")
    try:
        max_mb = float(str(values["upload_max_mb"]).strip().replace(",", "."))
    except ValueError:
        max_mb = 0.0
    if not 0 < max_mb <= 4096:
        raise ValueError(f"TILTAKSMONITOR_UPLOAD_MAX_MB må være et tall mellom 0 og 4096, fikk {values['upload_max_mb']!r}")
    return {
        "suppression_threshold": threshold,
        "auth": auth,
        "auth_user_header": str(values["auth_user_header"]).strip(),
        "auth_role_header": str(values["auth_role_header"]).strip(),
        "auth_region_header": str(values["auth_region_header"]).strip(),
        "auth_proxy_secret": str(values["auth_proxy_secret"]),
        "users_file": beside(values["users_file"]),
        "secret_key": str(values["secret_key"]),
        "secret_key_file": beside(values["secret_key_file"]),
        "audit_db": beside(values["audit_db"]),
        "upload_max_mb": max_mb,
    }


def help_text() -> str:
    lines = ["Innstillinger (argument > miljøvariabel > standard):"]
    for name, env, default, text in SETTINGS:
        lines.append(f"  {env:<22} {text} (standard: {default})")
    return "\n".join(lines)
