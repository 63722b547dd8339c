"""Reference data (regions, scale labels, questions, checklists, criteria, risks,
published figures): defined once, as CSV beside this module, and loaded into the
warehouse so SQL and the app read the same facts."""
from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent / "reference"

#: table name in the warehouse -> CSV file in etl/reference/
TABLES = {
    "ref_regions": "regions.csv",
    "ref_scale": "scale.csv",
    "ref_questions": "questions.csv",
    "ref_checklist": "checklist.csv",
    "ref_criteria": "criteria.csv",
    "ref_risks": "risks.csv",
    "ref_published": "published.csv",
}


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of one reference CSV (by file stem, e.g. 'regions'), as strings."""
    with open(REFERENCE_DIR / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def regions() -> list[dict[str, str]]:
    return list(rows("regions"))


def region_for_county(county: str) -> str:
    """Statsforvalter region id for a 2021 county name."""
    for r in rows("regions"):
        if county in r["counties"].split("|"):
            return r["region_id"]
    raise KeyError(f"ukjent fylke: {county!r}")


def scale_labels(form_version: int = 1) -> dict[int, str]:
    return {int(r["score"]): r["label"] for r in rows("scale") if int(r["form_version"]) == form_version}


def checklist(paragraf: str) -> list[dict[str, str]]:
    return [r for r in rows("checklist") if r["paragraf"] == paragraf]


def checklist_size(paragraf: str) -> int:
    return len(checklist(paragraf))


def question_codes() -> list[str]:
    return [r["question_code"] for r in rows("questions")]


def criterion_codes() -> list[str]:
    return [r["criterion_code"] for r in rows("criteria")]


def published(figure_id: str) -> float:
    for r in rows("published"):
        if r["figure_id"] == figure_id:
            return float(r["value"])
    raise KeyError(figure_id)
