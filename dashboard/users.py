"""The local user file (TILTAKSMONITOR_AUTH=local) and its command line.

One user a row: username, role, region (only for a Statsforvalter), password_hash
(werkzeug.security: scrypt, or pbkdf2 for files made elsewhere). JSON
(``{"users": [{...}, ...]}``, the default ``users.json``) or CSV with the header
``username,role,region,password_hash`` (a file whose name ends in ``.csv``). Clear
passwords are never stored or printed.

    python -m dashboard.users add kari --role statsforvalter --region agder   # asks for the password
    echo "$PASSWORD" | python -m dashboard.users add ola --role admin           # reads it from stdin
    python -m dashboard.users list | passwd NAME | remove NAME

No Dash here: the CLI runs without the app.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import fcntl
import getpass
import io
import json
import logging
import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("direktorat", "referansegruppe", "statsforvalter", "admin")
FIELDS = ("username", "role", "region", "password_hash")
USERNAME = re.compile(r"[\w.@+-]{1,64}")
MIN_PASSWORD = 12
#: Hash methods accepted in the file (werkzeug's own formats).
HASH_PREFIXES = ("scrypt:", "pbkdf2:")

log = logging.getLogger(__name__)


class UserFileError(ValueError):
    """The user file cannot be read or a user entry is not valid."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    region_id: str | None
    password_hash: str

    def check_password(self, password: str) -> bool:
        try:
            return check_password_hash(self.password_hash, password)
        except (ValueError, TypeError):  # a malformed hash never matches
            return False


def region_id(value: str | None) -> str | None:
    """The region id for a region written by id or name (None for blank); raises
    UserFileError for an unknown region."""
    if value is None or not str(value).strip():
        return None
    from etl.offices import resolve_region

    rid, err = resolve_region(str(value))
    if rid is None:
        raise UserFileError(err)
    return rid


def validate(username: str, role: str, region: str | None, password_hash: str) -> User:
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise UserFileError(f"ugyldig brukernavn «{username[:70]}» (bokstaver, tall og . _ @ + -, høyst 64 tegn)")
    role = (role or "").strip().lower()
    if role not in ROLES:
        raise UserFileError(f"ukjent rolle «{role}» for {username}; gyldige: {', '.join(ROLES)}")
    rid = region_id(region)
    if role == "statsforvalter" and rid is None:
        raise UserFileError(f"{username}: rollen statsforvalter må ha en region")
    if role != "statsforvalter":
        rid = None
    if not isinstance(password_hash, str) or not password_hash.startswith(HASH_PREFIXES):
        raise UserFileError(f"{username}: passord-hashen må være laget med werkzeug (scrypt eller pbkdf2)")
    return User(username, role, rid, password_hash)


def _rows(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise UserFileError(f"{path.name}: mangler kolonne(r) {', '.join(missing)}")
        return list(reader)
    try:
        data = json.loads(text) if text.strip() else {"users": []}
    except json.JSONDecodeError as err:
        raise UserFileError(f"{path.name}: ugyldig JSON ({err.msg}, linje {err.lineno})") from None
    rows = data.get("users") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise UserFileError(f"{path.name}: forventet {{\"users\": [...]}} eller en liste av brukere")
    return rows


def read_users(path: Path, strict: bool = False) -> dict[str, User]:
    """Users by case-folded username. An invalid entry is skipped (that user cannot log
    in) unless `strict`; a missing file is an empty user list."""
    path = Path(path)
    if not path.exists():
        return {}
    users: dict[str, User] = {}
    for row in _rows(path):
        try:
            user = validate(row.get("username"), row.get("role"), row.get("region"), row.get("password_hash"))
        except UserFileError:
            if strict:
                raise
            continue
        key = user.username.casefold()
        if key in users:
            if strict:
                raise UserFileError(f"brukernavnet {user.username} står to ganger")
            users.pop(key)  # ambiguous: nobody logs in under it
            continue
        users[key] = user
    return users


_cache: dict[Path, tuple[tuple, dict[str, User]]] = {}
_cache_lock = threading.Lock()


def load_users(path: Path) -> dict[str, User]:
    """read_users, re-read whenever the file changes (so a removed user or a changed
    role takes effect on the next request, in every worker)."""
    path = Path(path)
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    except FileNotFoundError:
        return {}
    with _cache_lock:
        hit = _cache.get(path)
        if hit and hit[0] == stamp:
            return hit[1]
    try:
        users = read_users(path)
    except (UserFileError, OSError, UnicodeDecodeError) as err:  # fail closed: nobody logs in
        log.error("brukerfilen %s kan ikke leses: %s", path, err)
        users = {}
    with _cache_lock:
        _cache[path] = (stamp, users)
    return users


def find_user(path: Path, username: str) -> User | None:
    if not isinstance(username, str):
        return None
    return load_users(path).get(username.strip().casefold())


# ------------------------------------------------------------------ writing

@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_users(path: Path, users: list[User]) -> None:
    """Replace the file atomically, readable by the owner only (0600)."""
    path = Path(path)
    rows = [{"username": u.username, "role": u.role, "region": u.region_id or "", "password_hash": u.password_hash}
            for u in users]
    if path.suffix.lower() == ".csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        text = buf.getvalue()
    else:
        text = json.dumps({"users": rows}, ensure_ascii=False, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def hash_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserFileError(f"passordet må ha minst {MIN_PASSWORD} tegn")
    return generate_password_hash(password)  # scrypt (werkzeug's default)


def add_user(path: Path, username: str, role: str, region: str | None, password: str,
             replace: bool = False) -> User:
    path = Path(path)
    user = validate(username, role, region, hash_password(password))
    with _locked(path):
        users = list(read_users(path, strict=True).values())
        if any(u.username.casefold() == user.username.casefold() for u in users):
            if not replace:
                raise UserFileError(f"brukeren {user.username} finnes allerede (bruk passwd eller remove)")
            users = [u for u in users if u.username.casefold() != user.username.casefold()]
        write_users(path, users + [user])
    return user


def set_password(path: Path, username: str, password: str) -> User:
    path = Path(path)
    with _locked(path):
        users = list(read_users(path, strict=True).values())
        for i, u in enumerate(users):
            if u.username.casefold() == username.strip().casefold():
                users[i] = User(u.username, u.role, u.region_id, hash_password(password))
                write_users(path, users)
                return users[i]
    raise UserFileError(f"fant ikke brukeren {username}")


def remove_user(path: Path, username: str) -> None:
    path = Path(path)
    with _locked(path):
        users = list(read_users(path, strict=True).values())
        kept = [u for u in users if u.username.casefold() != username.strip().casefold()]
        if len(kept) == len(users):
            raise UserFileError(f"fant ikke brukeren {username}")
        write_users(path, kept)


# ---------------------------------------------------------------------- CLI

def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("Passord: ")
    second = getpass.getpass("Gjenta passordet: ")
    if first != second:
        raise UserFileError("passordene er ikke like")
    return first


def default_file() -> Path:
    from dashboard import config

    return config.settings().users_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.users",
                                     description="Brukerfilen for TILTAKSMONITOR_AUTH=local.")
    parser.add_argument("--file", help="brukerfilen (standard: TILTAKSMONITOR_USERS_FILE eller users.json "
                                       "i mappen til datavarehuset)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="legg til en bruker (spør etter passord, eller leser det fra stdin)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--region", help="regionen (id eller navn), påkrevd for statsforvalter")
    add.add_argument("--password-stdin", action="store_true", help="les passordet fra første linje på stdin")
    add.add_argument("--replace", action="store_true", help="erstatt en bruker med samme navn")
    pw = sub.add_parser("passwd", help="nytt passord for en bruker")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    rm = sub.add_parser("remove", help="fjern en bruker")
    rm.add_argument("username")
    sub.add_parser("list", help="vis brukerne (uten hash)")
    args = parser.parse_args(argv)
    path = Path(args.file) if args.file else default_file()
    try:
        if args.command == "add":
            user = add_user(path, args.username, args.role, args.region, _read_password(args.password_stdin),
                            replace=args.replace)
            print(f"La til {user.username} ({user.role}{', ' + user.region_id if user.region_id else ''}) i {path}")
        elif args.command == "passwd":
            user = set_password(path, args.username, _read_password(args.password_stdin))
            print(f"Nytt passord for {user.username} i {path}")
        elif args.command == "remove":
            remove_user(path, args.username)
            print(f"Fjernet {args.username} fra {path}")
        else:
            for u in sorted(read_users(path).values(), key=lambda u: u.username.casefold()):
                print(f"{u.username}\t{u.role}\t{u.region_id or ''}")
    except (UserFileError, OSError) as err:
        print(f"Feil: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
