"""The office register of the sample data: real NAV offices in the 2021 structure.

Real names, municipalities and counties make the sample data recognisable to the
people who will use the dashboard; employee counts are rough guesses (only used for
size classes and decision volumes). Scale > 1 adds invented offices, clearly named
'NAV Eksempelkontor <n>', so nobody mistakes them for real ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import reference
from .randomness import rng

#: (office name as NAV wrote it in 2021, kommune, kommunenummer 2021, fylke 2021, ansatte ~)
REAL_OFFICES: tuple[tuple[str, str, str, str, int], ...] = (
    # Oslo: every district office
    ("NAV Alna", "Oslo", "0301", "Oslo", 110),
    ("NAV Bjerke", "Oslo", "0301", "Oslo", 75),
    ("NAV Frogner", "Oslo", "0301", "Oslo", 85),
    ("NAV Gamle Oslo", "Oslo", "0301", "Oslo", 120),
    ("NAV Grorud", "Oslo", "0301", "Oslo", 70),
    ("NAV Grünerløkka", "Oslo", "0301", "Oslo", 105),
    ("NAV Nordre Aker", "Oslo", "0301", "Oslo", 60),
    ("NAV Nordstrand", "Oslo", "0301", "Oslo", 65),
    ("NAV Sagene", "Oslo", "0301", "Oslo", 70),
    ("NAV St. Hanshaugen", "Oslo", "0301", "Oslo", 65),
    ("NAV Stovner", "Oslo", "0301", "Oslo", 80),
    ("NAV Søndre Nordstrand", "Oslo", "0301", "Oslo", 95),
    ("NAV Ullern", "Oslo", "0301", "Oslo", 45),
    ("NAV Vestre Aker", "Oslo", "0301", "Oslo", 50),
    ("NAV Østensjø", "Oslo", "0301", "Oslo", 80),
    # Viken
    ("NAV Asker", "Asker", "3025", "Viken", 120),
    ("NAV Bærum", "Bærum", "3024", "Viken", 160),
    ("NAV Drammen", "Drammen", "3005", "Viken", 170),
    ("NAV Lillestrøm", "Lillestrøm", "3030", "Viken", 130),
    ("NAV Fredrikstad", "Fredrikstad", "3004", "Viken", 150),
    ("NAV Sarpsborg", "Sarpsborg", "3003", "Viken", 110),
    ("NAV Ringerike", "Ringerike", "3007", "Viken", 60),
    ("NAV Moss", "Moss", "3002", "Viken", 80),
    # Innlandet
    ("NAV Ringsaker", "Ringsaker", "3411", "Innlandet", 55),
    ("NAV Hamar", "Hamar", "3403", "Innlandet", 65),
    ("NAV Stange", "Stange", "3413", "Innlandet", 30),
    ("NAV Løten", "Løten", "3412", "Innlandet", 14),
    ("NAV Lillehammer", "Lillehammer", "3405", "Innlandet", 55),
    ("NAV Gjøvik", "Gjøvik", "3407", "Innlandet", 60),
    ("NAV Elverum", "Elverum", "3420", "Innlandet", 40),
    # Vestfold og Telemark
    ("NAV Midt-Telemark", "Midt-Telemark", "3817", "Vestfold og Telemark", 22),
    ("NAV Skien", "Skien", "3807", "Vestfold og Telemark", 110),
    ("NAV Porsgrunn", "Porsgrunn", "3806", "Vestfold og Telemark", 70),
    ("NAV Tønsberg", "Tønsberg", "3803", "Vestfold og Telemark", 95),
    ("NAV Sandefjord", "Sandefjord", "3804", "Vestfold og Telemark", 85),
    ("NAV Larvik", "Larvik", "3805", "Vestfold og Telemark", 80),
    ("NAV Notodden", "Notodden", "3808", "Vestfold og Telemark", 28),
    # Agder
    ("NAV Grimstad", "Grimstad", "4202", "Agder", 45),
    ("NAV Lindesnes", "Lindesnes", "4205", "Agder", 55),
    ("NAV Lister", "Farsund", "4206", "Agder", 45),
    ("NAV Kristiansand", "Kristiansand", "4204", "Agder", 210),
    ("NAV Arendal", "Arendal", "4203", "Agder", 90),
    ("NAV Vennesla", "Vennesla", "4223", "Agder", 22),
    ("NAV Lillesand", "Lillesand", "4215", "Agder", 18),
    # Rogaland
    ("NAV Stavanger", "Stavanger", "1103", "Rogaland", 230),
    ("NAV Sandnes", "Sandnes", "1108", "Rogaland", 120),
    ("NAV Haugesund", "Haugesund", "1106", "Rogaland", 75),
    ("NAV Karmøy", "Karmøy", "1149", "Rogaland", 65),
    ("NAV Sola", "Sola", "1124", "Rogaland", 35),
    ("NAV Eigersund", "Eigersund", "1101", "Rogaland", 24),
    ("NAV Klepp", "Klepp", "1120", "Rogaland", 28),
    # Vestland
    ("NAV Øygarden", "Øygarden", "4626", "Vestland", 55),
    ("NAV Bergenhus", "Bergen", "4601", "Vestland", 95),
    ("NAV Årstad", "Bergen", "4601", "Vestland", 90),
    ("NAV Åsane", "Bergen", "4601", "Vestland", 70),
    ("NAV Askøy", "Askøy", "4627", "Vestland", 45),
    ("NAV Sunnfjord", "Sunnfjord", "4647", "Vestland", 40),
    ("NAV Voss", "Voss", "4621", "Vestland", 25),
    # Møre og Romsdal
    ("NAV Ålesund", "Ålesund", "1507", "Møre og Romsdal", 110),
    ("NAV Molde", "Molde", "1506", "Møre og Romsdal", 60),
    ("NAV Kristiansund", "Kristiansund", "1505", "Møre og Romsdal", 55),
    ("NAV Volda", "Volda", "1577", "Møre og Romsdal", 20),
    ("NAV Sula", "Sula", "1531", "Møre og Romsdal", 18),
    ("NAV Hustadvika", "Hustadvika", "1579", "Møre og Romsdal", 24),
    # Trøndelag
    ("NAV Falkenborg", "Trondheim", "5001", "Trøndelag", 95),
    ("NAV Midtbyen", "Trondheim", "5001", "Trøndelag", 100),
    ("NAV Steinkjer", "Steinkjer", "5006", "Trøndelag", 35),
    ("NAV Levanger", "Levanger", "5037", "Trøndelag", 40),
    ("NAV Stjørdal", "Stjørdal", "5035", "Trøndelag", 45),
    ("NAV Namsos", "Namsos", "5007", "Trøndelag", 30),
    ("NAV Orkland", "Orkland", "5059", "Trøndelag", 30),
    # Nordland
    ("NAV Bodø", "Bodø", "1804", "Nordland", 90),
    ("NAV Narvik", "Narvik", "1806", "Nordland", 45),
    ("NAV Rana", "Rana", "1833", "Nordland", 50),
    ("NAV Vefsn", "Vefsn", "1824", "Nordland", 30),
    ("NAV Vestvågøy", "Vestvågøy", "1860", "Nordland", 22),
    ("NAV Sortland", "Sortland", "1870", "Nordland", 20),
    # Troms og Finnmark
    ("NAV Tromsø", "Tromsø", "5401", "Troms og Finnmark", 120),
    ("NAV Harstad", "Harstad", "5402", "Troms og Finnmark", 50),
    ("NAV Alta", "Alta", "5403", "Troms og Finnmark", 45),
    ("NAV Hammerfest", "Hammerfest", "5406", "Troms og Finnmark", 30),
    ("NAV Sør-Varanger", "Sør-Varanger", "5444", "Troms og Finnmark", 30),
    ("NAV Senja", "Senja", "5421", "Troms og Finnmark", 28),
    ("NAV Vadsø", "Vadsø", "5405", "Troms og Finnmark", 18),
)

#: The four offices of the PROFH internal-control project (2019).
PROFH_OFFICES = ("NAV Ringsaker", "NAV Hamar", "NAV Stange", "NAV Løten")
#: Pilot offices of "Helhetlig oppfølging av lavinntektsfamilier" 2015-2016.
PILOT_OFFICES = ("NAV Ringerike", "NAV Sarpsborg", "NAV Søndre Nordstrand")
#: The office whose decisions jump > 3x in 2020-01: Lindesnes merged with Mandal and
#: Marnardal on 1 Jan 2020, so the office suddenly serves about four times as many people.
JUMP_OFFICE = "NAV Lindesnes"
JUMP_MONTH = (2020, 1)
JUMP_FACTOR = 4.5

VALID_FROM = "2015-01-01"
MAX_OFFICES = 250


@dataclass(frozen=True)
class Office:
    kontor_id: str
    navn: str
    kommune: str
    kommunenr: str
    fylke: str
    region_id: str
    region_name: str
    ansatte: int
    invented: bool = False

    @property
    def base(self) -> str:
        """The name without the 'NAV ' prefix ('Alna')."""
        return self.navn[4:]

    def spelled(self, year: int, style: str = "canonical") -> str:
        """The name as a file from `year` writes it: 'NAV' until 2021, 'Nav' since.

        style 'lower' gives 'nav alna', 'ascii' gives 'NAV Grunerlokka'.
        """
        name = ("NAV " if year <= 2021 else "Nav ") + self.base
        if style == "lower":
            return name.lower()
        if style == "ascii":
            return ascii_fold(name)
        return name

    @property
    def aliases(self) -> list[str]:
        """'Nav …' and the ascii folds; case variants resolve by case-insensitive match."""
        out = ["Nav " + self.base, "NAV " + ascii_fold(self.base), "Nav " + ascii_fold(self.base)]
        if "å" in self.base.lower():
            out.append("NAV " + ascii_fold(self.base, aa=True))
        seen: list[str] = []
        for a in out:
            if a != self.navn and a not in seen:
                seen.append(a)
        return seen


_FOLD = {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "å": "a", "Å": "A", "ü": "u", "é": "e"}


def ascii_fold(text: str, aa: bool = False) -> str:
    """'Grünerløkka' -> 'Grunerlokka'; with aa=True å is written 'aa' ('Aasane')."""
    table = dict(_FOLD)
    if aa:
        table.update({"å": "aa", "Å": "Aa"})
    return "".join(table.get(ch, ch) for ch in text)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "-", ascii_fold(text).upper()).strip("-")


def _region_of(county: str) -> tuple[str, str]:
    rid = reference.region_for_county(county)
    name = next(r["region_name"] for r in reference.regions() if r["region_id"] == rid)
    return rid, name


def real_offices() -> list[Office]:
    out = []
    for navn, kommune, nr, fylke, ansatte in REAL_OFFICES:
        rid, rname = _region_of(fylke)
        out.append(Office(f"K{nr}-{_slug(navn[4:])}", navn, kommune, nr, fylke, rid, rname, ansatte))
    return out


def register(scale: int, seed: int) -> list[Office]:
    """Real offices, then (scale > 1) invented ones up to min(real x scale, 250).

    Invented offices go round-robin over the regions and, within a region, over the
    municipalities of its real offices; their kommune says '(eksempelkontor)'.
    """
    offices = real_offices()
    target = min(len(offices) * scale, MAX_OFFICES) if scale > 1 else len(offices)
    regions = sorted(reference.regions(), key=lambda r: int(r["sort_order"]))
    by_region: dict[str, list[Office]] = {}
    for o in offices:
        kommuner = by_region.setdefault(o.region_id, [])
        if all(k.kommune != o.kommune for k in kommuner):
            kommuner.append(o)
    r = rng(seed, "offices")
    sizes = r.choice([o.ansatte for o in offices], size=MAX_OFFICES)
    n = 0
    while len(offices) < target:
        region = regions[n % len(regions)]
        kommuner = by_region[region["region_id"]]
        home = kommuner[(n // len(regions)) % len(kommuner)]
        n += 1
        offices.append(Office(
            f"K{home.kommunenr}-EKS{n:03d}", f"NAV Eksempelkontor {n}",
            f"{home.kommune} (eksempelkontor)", home.kommunenr, home.fylke,
            home.region_id, home.region_name, int(sizes[n - 1]), invented=True,
        ))
    return offices


def by_name(offices: list[Office]) -> dict[str, Office]:
    return {o.navn: o for o in offices}


def register_rows(offices: list[Office]) -> list[dict[str, object]]:
    """Rows of the kontorer file (contract columns)."""
    return [
        {
            "kontor_id": o.kontor_id, "navn": o.navn, "aliaser": "|".join(o.aliases),
            "kommune": o.kommune, "fylke": o.fylke, "statsforvalter": o.region_name,
            "ansatte": o.ansatte, "gyldig_fra": VALID_FROM, "gyldig_til": "",
        }
        for o in offices
    ]
