"""Who is asking. Every callback gets its Scope from `current_scope()`, which reads
the identity from the request, never from callback inputs.

Roles: ``direktorat`` (everything), ``referansegruppe`` (every view, read-only),
``statsforvalter`` bound to one region (office-level data of that region only;
national aggregates allowed), ``admin`` (the directorate's view, plus loading data
and the audit log). The query layer applies the Scope (`Scope.office_region`).

Modes (TILTAKSMONITOR_AUTH, see dashboard/config.py and docs/security.md):

- ``dev`` (default): the local run. Full access as the directorate, and a clearly
  marked "Utviklingsmodus" bar in the shell to try each role (kept in the Flask
  session). When the mode is not set explicitly, only requests from this machine
  (loopback, not proxied) are served, so an unconfigured server on a network
  exposes nothing.
- ``proxy``: identity and role from headers set by an authenticating reverse proxy
  (names configurable); trusted only in this mode. Missing user -> 401, unknown role
  or region -> 403. Optionally a shared secret header proves the request came
  through the proxy.
- ``local``: a user file (dashboard/users.py) with werkzeug password hashes, and a
  Norwegian login page at /logg-inn.

`init_app(app)` wires it into the Dash app: secret key and secure session cookies,
a before_request guard that refuses unauthenticated requests to pages and to
/_dash-* (except the login page and static assets), 403 for /admin/* unless admin,
security headers, the login page, the shell's user bar and its callbacks, and the
audit log's request hooks.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import html as _html
import ipaddress
import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from werkzeug.security import check_password_hash, generate_password_hash

from dashboard import config
from dashboard.queries.core import FULL_ACCESS, ROLES, Scope

log = logging.getLogger(__name__)

ROLE_LABELS = {
    "direktorat": "Direktoratet",
    "referansegruppe": "Referansegruppen",
    "statsforvalter": "Statsforvalter",
    "admin": "Administrator",
}
LOGIN_PATH = "/logg-inn"
ADMIN_PREFIX = "/admin"
PROXY_SECRET_HEADER = "X-Tiltaksmonitor-Proxy-Secret"
#: Paths served without identity: static files only (and the login page).
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/static/")
PUBLIC_PATHS = ("/_favicon.ico", LOGIN_PATH)
SESSION_HOURS = 8
#: Failed logins per user name before a pause (per process), and the window.
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60

DEV_USER = "utvikler"


class AuthError(Exception):
    """The request has no valid identity: 401 (not logged in) or 403 (not allowed)."""

    def __init__(self, status: int, message: str, reason: str = ""):
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason or message


@dataclass(frozen=True)
class Identity:
    user: str
    role: str
    region_id: str | None
    mode: str

    @property
    def scope(self) -> Scope:
        """The query layer's Scope: role and region only (no user name), so callers
        with the same access share cached query results."""
        if self.role == "direktorat":
            return FULL_ACCESS
        return Scope(self.role, self.region_id if self.role == "statsforvalter" else None)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        text = ROLE_LABELS.get(self.role, self.role)
        if self.role == "statsforvalter" and self.region_id:
            text += f" ({region_name(self.region_id)})"
        return text


DEV_IDENTITY = Identity(DEV_USER, "direktorat", None, "dev")


def mode() -> str:
    return config.settings().auth


def mode_is_explicit() -> bool:
    return bool(os.environ.get("TILTAKSMONITOR_AUTH", "").strip())


def regions() -> dict[str, str]:
    """region_id -> name, from the reference data (no warehouse needed)."""
    from etl import reference

    return {r["region_id"]: r["region_name"] for r in reference.regions()}


def region_name(region_id: str | None) -> str:
    return regions().get(region_id or "", region_id or "")


def _region(value: str | None) -> str | None:
    """A region id from an id or a name; None when blank or unknown."""
    if value is None or not str(value).strip() or len(str(value)) > 100:
        return None
    from etl.offices import resolve_region

    rid, _err = resolve_region(str(value))
    return rid


# ----------------------------------------------------------- identity per mode

def _request():
    from flask import has_request_context, request

    return request if has_request_context() else None


def client_address() -> str | None:
    """The client's address: the proxy's first X-Forwarded-For entry in proxy mode
    (where a proxy is in front by definition), else the socket's peer."""
    req = _request()
    if req is None:
        return None
    if mode() == "proxy" and req.access_route:
        return req.access_route[0]
    return req.remote_addr


def is_local_request(req) -> bool:
    """From this machine, and not relayed by a proxy."""
    if any(h in req.headers for h in ("X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host")):
        return False
    try:
        return ipaddress.ip_address((req.remote_addr or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def _dev_identity(req) -> Identity:
    if not mode_is_explicit() and not is_local_request(req):
        raise AuthError(403, "Utviklingsmodus er bare åpen fra denne maskinen. Sett TILTAKSMONITOR_AUTH til "
                             "proxy eller local for en tjener andre skal bruke.", "utviklingsmodus fra annen maskin")
    from flask import session

    role = session.get("dev_role")
    if role not in ROLES:
        return DEV_IDENTITY
    region = _region(session.get("dev_region")) if role == "statsforvalter" else None
    if role == "statsforvalter" and region is None:
        return DEV_IDENTITY
    return Identity(DEV_USER, role, region, "dev")


def _clean_header(value: str | None, limit: int = 200) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > limit or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    return value


def _proxy_identity(req) -> Identity:
    s = config.settings()
    if s.auth_proxy_secret:
        given = req.headers.get(PROXY_SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), s.auth_proxy_secret.encode("utf-8")):
            raise AuthError(403, "Forespørselen kom ikke gjennom innloggingstjenesten.", "feil proxy-hemmelighet")
    user = _clean_header(req.headers.get(s.auth_user_header))
    if user is None:
        raise AuthError(401, "Du er ikke logget inn.", "mangler brukerheader")
    role = (_clean_header(req.headers.get(s.auth_role_header), 40) or "").lower()
    if role not in ROLES:
        raise AuthError(403, "Brukeren din har ingen gyldig rolle i Tiltaksmonitor. Ta kontakt med administrator.",
                        f"ugyldig rolle «{role[:40]}»")
    region = None
    if role == "statsforvalter":
        region = _region(_clean_header(req.headers.get(s.auth_region_header), 100))
        if region is None:
            raise AuthError(403, "Brukeren din mangler en gyldig region. Ta kontakt med administrator.",
                            "statsforvalter uten gyldig region")
    return Identity(user, role, region, "proxy")


def _password_stamp(password_hash: str) -> str:
    """A short fingerprint of the stored hash: a new password ends old sessions."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def _local_identity(req) -> Identity:
    from flask import session

    from dashboard import users

    name = session.get("user")
    if not isinstance(name, str):
        raise AuthError(401, "Du er ikke logget inn.", "ikke innlogget")
    user = users.find_user(config.settings().users_file, name)
    if user is None or not hmac.compare_digest(session.get("pw", ""), _password_stamp(user.password_hash)):
        session.clear()
        raise AuthError(401, "Økten er ikke lenger gyldig. Logg inn på nytt.", "brukeren finnes ikke lenger")
    return Identity(user.username, user.role, user.region_id, "local")


def current_identity() -> Identity:
    """The identity of the current request (cached on flask.g). Outside a request:
    the development identity in dev mode; AuthError otherwise (fail closed)."""
    req = _request()
    current = mode()
    if req is None:
        if current == "dev":
            return DEV_IDENTITY
        raise AuthError(401, "Ingen forespørsel å hente identitet fra.", "utenfor forespørsel")
    from flask import g

    cached = g.get("tm_identity")
    if cached is not None and cached.mode == current:
        return cached
    if current == "proxy":
        ident = _proxy_identity(req)
    elif current == "local":
        ident = _local_identity(req)
    else:
        ident = _dev_identity(req)
    g.tm_identity = ident
    return ident


#: Outside a request in proxy/local mode (e.g. Dash checking the shell layout at
#: import): a region that has no offices, so office-level queries return nothing.
NO_ACCESS = Scope("statsforvalter", "ingen-tilgang", "ingen")


def current_scope() -> Scope:
    """The Scope of the current request. Callbacks call this; never pass a region
    or role from the browser instead.

    Without a valid identity (outside a request in proxy/local mode, or Dash's own
    first-request setup building the shell layout while serving a static file) it
    is NO_ACCESS; the guard refuses such requests to pages and callbacks anyway."""
    if _request() is None and mode() != "dev":
        return NO_ACCESS
    try:
        return current_identity().scope
    except AuthError:
        return NO_ACCESS


def is_admin() -> bool:
    try:
        return current_identity().is_admin
    except AuthError:
        return False


# --------------------------------------------------------------- secret key

def secret_key() -> bytes:
    """TILTAKSMONITOR_SECRET_KEY, else the key file (created 0600 on first run,
    atomically, so several workers starting at once agree on one key)."""
    s = config.settings()
    if s.secret_key:
        if len(s.secret_key) < 32:
            log.warning("TILTAKSMONITOR_SECRET_KEY er kortere enn 32 tegn; bruk en lang, tilfeldig verdi")
        return s.secret_key.encode("utf-8")
    path = Path(s.secret_key_file)
    for _ in range(50):
        try:
            key = path.read_bytes().strip()
        except FileNotFoundError:
            key = b""
        if len(key) >= 32:
            return key
        if path.exists():  # another worker is writing it (or it is too short): wait, then replace
            time.sleep(0.05)
            if path.exists() and len(path.read_bytes().strip()) < 32 and time.time() - path.stat().st_mtime > 2:
                path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_hex(32).encode("ascii"))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another worker won the race: then use theirs
            log.info("lagde ny nøkkel for sesjonskapsler i %s", path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    raise RuntimeError(f"kunne ikke lese eller lage nøkkelfilen {path}")


# ---------------------------------------------------------------- sessions

def _session_interface():
    from flask.sessions import SecureCookieSessionInterface

    class SessionInterface(SecureCookieSessionInterface):
        """HttpOnly, SameSite=Lax, Secure (and the __Host- prefix) unless dev mode;
        resolved per request, since the mode is a setting."""

        def get_cookie_secure(self, app) -> bool:
            return mode() != "dev"

        def get_cookie_name(self, app) -> str:
            return "__Host-tiltaksmonitor" if mode() != "dev" else "tiltaksmonitor"

        def get_cookie_httponly(self, app) -> bool:
            return True

        def get_cookie_samesite(self, app) -> str:
            return "Lax"

        def get_cookie_domain(self, app):
            return None

        def get_cookie_path(self, app) -> str:
            return "/"

    return SessionInterface()


def _csrf_token() -> str:
    from flask import session

    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 20:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _csrf_ok(given) -> bool:
    from flask import session

    token = session.get("csrf")
    return isinstance(token, str) and isinstance(given, str) and hmac.compare_digest(token, given)


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (another host, scheme,
    '//', backslashes) becomes '/'."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or len(target) > 1000 or any(ord(c) < 32 for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path.startswith(LOGIN_PATH):
        return "/"
    return target


# ------------------------------------------------------------ login throttle

_failures: dict[str, deque] = defaultdict(deque)
_failures_lock = threading.Lock()


def _throttled(key: str) -> bool:
    now = time.monotonic()
    with _failures_lock:
        q = _failures[key]
        while q and now - q[0] > FAILURE_WINDOW:
            q.popleft()
        return len(q) >= MAX_FAILURES


def _record_failure(key: str) -> None:
    with _failures_lock:
        _failures[key].append(time.monotonic())


def _clear_failures(key: str) -> None:
    with _failures_lock:
        _failures.pop(key, None)


# ----------------------------------------------------------- plain HTML pages

def _html_page(title: str, body: str, status: int = 200, headers: dict | None = None):
    from flask import make_response

    doc = f"""<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_html.escape(title)} – Tiltaksmonitor</title>
<link rel="stylesheet" href="/assets/00_bootstrap.min.css">
<link rel="stylesheet" href="/assets/10_tiltaksmonitor.css">
<link rel="stylesheet" href="/assets/20_tilgang.css">
</head>
<body>
<header class="shell-header"><div class="container py-3"><span class="brand-name">Tiltaksmonitor</span></div></header>
<main class="container py-4 auth-page" id="hovedinnhold">
{body}
</main>
</body>
</html>"""
    resp = make_response(doc, status)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    resp.headers["Cache-Control"] = "no-store"
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _refusal_page(err: AuthError):
    title = "Ikke innlogget" if err.status == 401 else "Ingen tilgang"
    body = (f"<h1>{title}</h1>"
            f'<div class="alert alert-{"warning" if err.status == 401 else "danger"}" role="alert">'
            f"{_html.escape(err.message)}</div>")
    if mode() == "local" and err.status == 401:
        body += f'<p><a href="{LOGIN_PATH}">Logg inn</a></p>'
    elif err.status == 403:
        body += '<p><a href="/">Til forsiden</a></p>'
    headers = {"WWW-Authenticate": 'Bearer realm="Tiltaksmonitor"'} if err.status == 401 else None
    return _html_page(title, body, err.status, headers)


def _login_form(message: str | None = None, username: str = "", next_path: str = "/", status: int = 200):
    alert = (f'<div class="alert alert-danger" role="alert" id="innlogging-feil">{_html.escape(message)}</div>'
             if message else "")
    body = f"""<h1>Logg inn</h1>
<p>Tiltaksmonitor er bare for Arbeids- og velferdsdirektoratet, referansegruppen og Statsforvalterne.</p>
{alert}
<form method="post" action="{LOGIN_PATH}" class="auth-form" novalidate>
  <input type="hidden" name="csrf" value="{_html.escape(_csrf_token())}">
  <input type="hidden" name="neste" value="{_html.escape(safe_next(next_path))}">
  <div class="mb-3">
    <label class="form-label" for="brukernavn">Brukernavn</label>
    <input class="form-control" id="brukernavn" name="brukernavn" autocomplete="username" required
           maxlength="64" value="{_html.escape(username)}">
  </div>
  <div class="mb-3">
    <label class="form-label" for="passord">Passord</label>
    <input class="form-control" id="passord" name="passord" type="password" autocomplete="current-password"
           required maxlength="1000">
  </div>
  <button class="btn btn-primary" type="submit">Logg inn</button>
</form>"""
    return _html_page("Logg inn", body, status)


def login_view():
    """GET: the form. POST: check the user file; on success a fresh session."""
    from flask import redirect, request, session

    from dashboard import audit_log, users

    if mode() != "local":
        return redirect("/")
    if request.method == "GET":
        if isinstance(session.get("user"), str):
            try:
                current_identity()
                return redirect(safe_next(request.args.get("neste")))
            except AuthError:
                pass
        return _login_form(next_path=request.args.get("neste") or "/")
    form = request.form
    username = (form.get("brukernavn") or "").strip()[:64]
    password = form.get("passord") or ""
    next_path = safe_next(form.get("neste"))
    if not _csrf_ok(form.get("csrf")):
        return _login_form("Skjemaet var utløpt. Prøv igjen.", username, next_path, 400)
    key = username.casefold()
    user = users.find_user(config.settings().users_file, username)
    if _throttled(key):  # a typed name is logged only if it is a user (it may be a password typed in the wrong box)
        audit_log.log_event("innlogging_feilet", {"grunn": "for mange forsøk"},
                            user=user.username if user else "(ukjent bruker)")
        return _login_form("For mange mislykkede forsøk. Vent et kvarter og prøv igjen.", username, next_path, 429)
    if user is not None:
        ok = user.check_password(password)
    else:  # check a hash anyway, so the time taken does not tell whether the user exists
        check_password_hash(_dummy_hash(), password)
        ok = False
    if not ok:
        _record_failure(key)
        audit_log.log_event("innlogging_feilet", {"grunn": "feil brukernavn eller passord"},
                            user=user.username if user else "(ukjent bruker)")
        return _login_form("Feil brukernavn eller passord.", username, next_path, 401)
    _clear_failures(key)
    session.clear()  # no fixation: a new session on login
    session.permanent = True
    session["user"] = user.username
    session["pw"] = _password_stamp(user.password_hash)
    session["csrf"] = secrets.token_urlsafe(32)
    from flask import g

    g.pop("tm_identity", None)
    audit_log.log_event("innlogging", None, user=user.username, role=user.role, region_id=user.region_id)
    return redirect(next_path)


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


# ------------------------------------------------------------------ the guard

def _strip_prefix(path: str) -> str:
    from flask import current_app

    prefix = current_app.config.get("TM_ROUTES_PREFIX", "/")
    if prefix != "/" and path.startswith(prefix):
        return "/" + path[len(prefix):]
    return path


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _guard():
    """before_request: refuse what the caller may not have."""
    from flask import redirect, request

    from dashboard import audit_log, upload

    request.max_content_length = upload.max_request_bytes()
    path = _strip_prefix(request.path)
    if is_public(path):
        return None
    try:
        ident = current_identity()
    except AuthError as err:
        if err.status == 403:
            audit_log.log_event("tilgang_nektet", {"grunn": err.reason}, page=path)
        dash_call = path.startswith("/_dash-") or path.startswith("/_reload")
        if err.status == 401 and mode() == "local" and not dash_call and request.method == "GET":
            nxt = request.full_path if request.query_string else path
            return redirect(f"{LOGIN_PATH}?neste={quote(nxt, safe='/')}")
        if dash_call:
            from flask import make_response

            resp = make_response(err.message, err.status)
            resp.headers["Content-Type"] = "text/plain; charset=utf-8"
            return resp
        return _refusal_page(err)
    _note_proxy_login(ident)
    if (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")) and not ident.is_admin:
        audit_log.log_event("tilgang_nektet", {"grunn": "ikke administrator"}, page=path)
        return _refusal_page(AuthError(403, "Denne siden er bare for administratorer.", "ikke administrator"))
    return None


def _note_proxy_login(ident: Identity) -> None:
    """Proxy mode has no login page: the first request of a session is the login."""
    if ident.mode != "proxy":
        return
    from flask import session

    from dashboard import audit_log

    seen = f"{ident.user}|{ident.role}|{ident.region_id or ''}"
    if session.get("proxy_seen") != seen:
        session["proxy_seen"] = seen
        session.permanent = True
        audit_log.log_event("innlogging", {"via": "proxy"})


CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _after(response):
    """after_request: security headers; audit of page views and downloads."""
    from flask import request

    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    if mode() != "dev":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    path = _strip_prefix(request.path)
    if path == "/_dash-update-component" and response.status_code == 200:
        from dashboard import audit_log

        try:
            audit_log.record_dash_request(request, response)
        except Exception:
            log.exception("revisjonslogg: kunne ikke registrere forespørselen")
    if path.startswith("/_dash-") or path == LOGIN_PATH:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _too_large(_err):
    from flask import request

    from dashboard import upload

    message = (f"Forespørselen er for stor. Filer kan være høyst {upload.max_mb_text()} MB.")
    if _strip_prefix(request.path).startswith("/_dash-"):
        from flask import make_response

        resp = make_response(message, 413)
        resp.headers["Content-Type"] = "text/plain; charset=utf-8"
        return resp
    return _html_page("For stor forespørsel", f'<h1>For stor forespørsel</h1><p role="alert">{_html.escape(message)}</p>',
                      413)


def init_app(app) -> None:
    """Wire access control into the Dash app (call once, after creating it)."""
    from dashboard import upload

    server = app.server
    s = config.settings()  # a bad setting stops the app here, with a clear message
    server.secret_key = secret_key()
    server.session_interface = _session_interface()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=s.auth != "dev",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=upload.max_request_bytes(),
        TM_ROUTES_PREFIX=app.config.routes_pathname_prefix or "/",
    )
    # First of all before_request hooks: nothing of Dash (not even its first-request
    # setup, which builds the shell layout) runs for a request without identity.
    server.before_request_funcs.setdefault(None, []).insert(0, _guard)
    server.after_request(_after)
    server.add_url_rule(LOGIN_PATH, "tm_login", login_view, methods=["GET", "POST"])
    server.register_error_handler(413, _too_large)
    if s.auth == "dev":
        if "gunicorn" in os.environ.get("SERVER_SOFTWARE", "") and not mode_is_explicit():
            log.warning("Tiltaksmonitor kjører i utviklingsmodus under gunicorn: bare forespørsler fra denne "
                        "maskinen slipper inn. Sett TILTAKSMONITOR_AUTH=proxy eller local i produksjon.")
        else:
            log.info("tilgangsstyring: utviklingsmodus (full tilgang, rollevelger i skallet)")
    else:
        log.info("tilgangsstyring: %s", s.auth)
    from dashboard import shell_auth  # noqa: F401  (registers the user bar's callbacks)


def user_bar():
    """The shell's strip under the header: who you are, log out, admin links, and
    in dev mode the role picker. Never raises."""
    from dashboard import shell_auth

    return shell_auth.user_bar()
