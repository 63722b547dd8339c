"""Office and region names as files write them -> register ids.

Real exports spell one office many ways (NAV/Nav, case, ø as o, with or without the
prefix); the register lists aliases. Unknown names are a quarantine reason that
names the closest known offices, so the fix is obvious to whoever made the file.
"""
from __future__ import annotations

import difflib

from . import reference
from .normalize import fold, fold_office


class OfficeIndex:
    def __init__(self, offices: list[dict]):
        """`offices`: dicts with office_id, office_name, region_id and aliases (list)."""
        self.by_fold: dict[str, tuple[str, str]] = {}
        self.names: dict[str, str] = {}
        for o in offices:
            self.names[o["office_id"]] = o["office_name"]
            for name in (o["office_name"], o["office_id"], *(o.get("aliases") or [])):
                if name:
                    self.by_fold.setdefault(fold_office(name), (o["office_id"], o["region_id"]))

    def resolve(self, name: str) -> tuple[str | None, str | None, str | None]:
        """(office_id, region_id, error) for one name as written in a file."""
        hit = self.by_fold.get(fold_office(name))
        if hit:
            return hit[0], hit[1], None
        if not self.names:
            return None, None, f"ukjent kontor «{name}»: kontorregisteret er tomt (last en kontorer-fil)"
        close = difflib.get_close_matches(fold_office(name), list(self.by_fold), n=3, cutoff=0.6)
        suggestions = []
        for key in close:
            office = self.names[self.by_fold[key][0]]
            if office not in suggestions:
                suggestions.append(office)
        hint = f"; nærmeste: {', '.join(suggestions)}" if suggestions else ""
        return None, None, f"ukjent kontor «{name}»{hint}"


def _region_keys() -> dict[str, str]:
    keys = {}
    for r in reference.regions():
        for k in (r["region_id"], r["region_name"], f"statsforvalteren i {r['region_name']}"):
            keys[fold(k).replace("-", " ")] = r["region_id"]
    return keys


def resolve_region(name: str) -> tuple[str | None, str | None]:
    """(region_id, error) for a Statsforvalter region written by name or id."""
    key = fold(name).replace("-", " ")
    hit = _region_keys().get(key)
    if hit:
        return hit, None
    names = [r["region_name"] for r in reference.regions()]
    return None, f"ukjent statsforvalter «{name}»; gyldige: {', '.join(names)}"
