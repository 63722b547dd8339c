"""Folding of names as Norwegian exports spell them: headers, office names, labels.

Real files write `rapportår`, `Rapportaar` and ` RAPPORTAR `; `NAV Grünerløkka`,
`Nav Grunerlokka` and `nav grünerløkka`. One fold makes each family compare equal.
"""
from __future__ import annotations

import re
import unicodedata

_NORDIC = str.maketrans({"ø": "o", "æ": "ae", "å": "aa", "ö": "o", "ä": "ae"})


def fold(text: str) -> str:
    """Lower-case, trim, and spell ø/æ/å as o/ae/aa; strip other accents (ü -> u)."""
    t = (text or "").strip().lower().translate(_NORDIC)
    t = unicodedata.normalize("NFKD", t)
    return "".join(ch for ch in t if not unicodedata.combining(ch))


def header_key(name: str) -> str:
    """A header reduced so that every spelling the contract allows compares equal.

    The contract itself writes å as 'aa' (`rapportaar`) and as 'a' (`arsverk`), and
    files may write ø/æ/å as o/ae/aa; so both sides drop to one skeleton.
    """
    t = fold(name.replace("\ufeff", ""))
    t = re.sub(r"[\s\-]+", "_", t)
    t = re.sub(r"[^a-z0-9_]", "", t)
    return t.replace("aa", "a").replace("ae", "a").replace("oe", "o")


def fold_office(name: str) -> str:
    """An office name for matching: no 'NAV ' prefix, punctuation and case ignored."""
    t = fold(name)
    t = re.sub(r"[.\-_/,]", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"^nav\s+", "", t)
    # 'aa' for 'å' is folded the same way whichever way the file wrote it
    return t.replace("aa", "a")


def fold_value(text: str) -> str:
    """An enumerated value: lower case, single spaces, no '§'."""
    t = (text or "").replace("§", " ").strip().lower()
    return re.sub(r"\s+", " ", t).strip()
