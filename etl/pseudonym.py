"""Keyed pseudonyms for case numbers and advisers.

HMAC-SHA-256 with a secret key: the same clear value always gives the same
pseudonym (so a case can be followed between rounds), but without the key nobody
can test a guessed case number against the warehouse. The key comes from the
environment, else from a key file created on first use beside the warehouse
(outside git, mode 0600).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from . import config


def load_key(db: Path) -> bytes:
    env = os.environ.get(config.KEY_ENV)
    if env:
        return env.encode("utf-8")
    path = config.key_file(db)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


def pseudonym(key: bytes, value: str) -> str:
    """A 16-hex-digit keyed pseudonym (64 bits: no collisions at audit scale)."""
    return hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()[:16]
