"""The seven promising methods (NTNU/SØF 2023) and where each is tried.

Facts come from the report as summarised in DOMAIN.md. Where the report is silent
(the follow-up project's three offices per method, the comparison offices of the
2016 trial) the rows are invented and say so in `merknad`.
"""
from __future__ import annotations

from dataclasses import dataclass

SOURCE = "NTNU/SØF 2023"
SOURCE_FOLLOWUP = "Arbeids- og velferdsdirektoratet"
SOURCE_TRIAL = "Helhetlig oppfølging av lavinntektsfamilier (AVdir)"


@dataclass(frozen=True)
class Method:
    metode_id: str
    navn: str
    office: str            # register name (2021 spelling)
    tiltak_id: str         # its tiltak in the 2021 cohort
    startaar: int          # the method's start
    funded: tuple[int, int]  # report years of its tiltak (first, last)
    status: str
    alder: tuple[int, int]
    kategorier: tuple[str, ...]
    lovparagrafer: tuple[str, ...]


METHODS: tuple[Method, ...] = (
    Method("festesona", "Festesona", "NAV Alna", "T2021-001", 2021, (2021, 2022),
           "Videreføres i ordinær drift", (18, 30), ("ungdom", "kriminalomsorg", "arbeid", "bolig"), ("§17",)),
    Method("jobbsentralen", "Jobbsentralen – for unge ressurser", "NAV Asker", "T2019-001", 2019, (2019, 2021),
           "Pågår", (15, 24), ("ungdom", "arbeid"), ("§17",)),
    Method("ssa", "SSA – Sysselsetting, språkombud og arbeidsnorsk", "NAV Frogner", "T2020-001", 2020, (2020, 2022),
           "Pågår: 12 lærlinger i 2021 (4 i arbeid), 12 i 2022 (6 i arbeid), over 60 språkombud lært opp",
           (18, 67), ("innvandrere", "opplæring", "arbeid"), ("§17", "§29")),
    Method("nye-monstre", "Nye mønstre – trygg oppvekst", "NAV Grimstad", "T2019-002", 2018, (2019, 2021),
           "Avsluttet i Grimstad; NAV Lindesnes og NAV Lister har også fått tilskudd",
           (0, 17), ("familiekoordinator", "barnefamilier", "arbeid", "bolig"), ("§17", "§18")),
    Method("skolekompasset", "Skolekompasset", "NAV Grünerløkka", "T2019-003", 2018, (2019, 2021),
           "Avsluttet; videreført gjennom et prosjekt mot skolefrafall og mal for et Stimulab-prosjekt",
           (14, 17), ("ungdom", "opplæring", "barnefamilier"), ("§17",)),
    Method("back-to-school", "Back to School / Stay at School", "NAV Midt-Telemark", "T2020-002", 2019, (2020, 2022),
           "Ordinær drift fra 2023; om lag 90 eksamener tatt, om lag 80 bestått",
           (16, 30), ("ungdom", "opplæring"), ("§17", "§20a")),
    Method("oygarden-modellen", "Øygarden-modellen", "NAV Øygarden", "T2020-003", 2019, (2020, 2022),
           "Videreført som kontorets gruppetiltak", (18, 29), ("ungdom", "arbeid", "aktivitetsplikt"), ("§20a",)),
)

#: Nye mønstre replications funded by the scheme: (office, tiltak_id, report years)
NYE_MONSTRE_REPLICATIONS = (
    ("NAV Lindesnes", "T2021-002", (2021, 2023)),
    ("NAV Lister", "T2021-003", (2021, 2022)),
)
#: Where Nye mønstre started (Kristiansand kommune, 2016): an earlier tiltak
NYE_MONSTRE_ORIGIN = ("NAV Kristiansand", "T2017-001", (2017, 2019), 2016)

#: The follow-up project's offices are not published: these three per method are examples.
FOLLOWUP_OFFICES = {
    "ssa": ("NAV Drammen", "NAV Sandnes", "NAV Tromsø"),
    "back-to-school": ("NAV Skien", "NAV Gjøvik", "NAV Molde"),
}
FOLLOWUP_NOTE = "Eksempeldata: kontorene i følgeprosjektet er ikke publisert"
#: Comparison offices of the randomised trial (14 Oct 2016) are not listed in DOMAIN.md.
COMPARISON_OFFICES = ("NAV Fredrikstad", "NAV Haugesund", "NAV Bodø")
COMPARISON_NOTE = ("Eksempeldata: sammenligningskontor i forsøket med familiekoordinator "
                   "(randomisert 14.10.2016); hvilke kontorer det var, er ikke publisert her")


def method_rows(texts: dict[str, dict[str, str]]) -> list[dict[str, object]]:
    """Rows of the metoder file. Office names as written in 2023 ('Nav …')."""
    rows = []
    for m in METHODS:
        t = texts[m.metode_id]
        rows.append({
            "metode_id": m.metode_id, "navn": m.navn, "opprinnelig_kontor": "Nav " + m.office[4:],
            "tiltak_id": m.tiltak_id, "startaar": m.startaar, "status": m.status,
            "malgruppe": t["malgruppe"], "alder_fra": m.alder[0], "alder_til": m.alder[1],
            "beskrivelse": t["beskrivelse"], "kategorier": ";".join(m.kategorier), "kilde": SOURCE,
        })
    return rows


def replication_rows() -> list[dict[str, object]]:
    """Rows of the replikering file: origin, replications, follow-up, comparison."""
    def row(mid, office, rolle, status, start, slutt="", fin="", kilde=SOURCE, merknad=""):
        return {"metode_id": mid, "nav_kontor": office, "rolle": rolle, "status": status,
                "start": start, "slutt": slutt, "finansiering": fin, "kilde": kilde, "merknad": merknad}

    rows = [
        row("festesona", "nav alna", "opprinnelig", "i_drift", "2021-01-01", fin="drift",
            merknad="Videreføres i ordinær drift"),
        row("jobbsentralen", "Nav Asker", "opprinnelig", "pagaar", "2019-01-01",
            merknad="Startet januar 2019; drives utenfor NAV-kontoret"),
        row("ssa", "Nav Frogner", "opprinnelig", "pagaar", "2020-01-01", fin="tilskudd",
            merknad="12 lærlinger i 2021 (4 i arbeid), 12 i 2022 (6 i arbeid); over 60 språkombud"),
        row("nye-monstre", "Nav Grimstad", "opprinnelig", "avsluttet", "2018-10-01", "2021-12-31", "tilskudd",
            merknad="Opprinnelig kontor i tilskuddsordningen; modellen ble startet av Kristiansand kommune "
                    "i 2016 og er prøvd i 12 kommuner, 10 i Agder og Stavanger"),
        row("nye-monstre", "Nav Lindesnes", "replikering", "pagaar", "2021-01-01", fin="tilskudd",
            merknad="Tilskudd i to år til"),
        row("nye-monstre", "Nav Lister", "replikering", "pagaar", "2021-01-01", fin="tilskudd",
            merknad="Ordinært budsjett fra 2023 hvis det vedtas"),
        row("skolekompasset", "Nav Grunerlokka", "opprinnelig", "avsluttet", "2018-01-01", "2021-12-31", "tilskudd",
            merknad="Videreført gjennom et prosjekt mot skolefrafall; mal for et Stimulab-prosjekt"),
        row("back-to-school", "Nav Midt-Telemark", "opprinnelig", "i_drift", "2019-01-01", fin="drift",
            merknad="Tilskudd ut 2022, ordinær drift fra 2023; om lag 90 eksamener tatt, om lag 80 bestått"),
        row("oygarden-modellen", "Nav Øygarden", "opprinnelig", "i_drift", "2019-09-01", fin="drift",
            merknad="Tilskudd september 2019-2022; videreført som kontorets gruppetiltak"),
    ]
    for mid, offices in FOLLOWUP_OFFICES.items():
        for office in offices:
            rows.append(row(mid, "Nav " + office[4:], "folgeprosjekt", "pagaar", "2023-09-01",
                            fin="tilskudd", kilde=SOURCE_FOLLOWUP, merknad=FOLLOWUP_NOTE))
    for office in COMPARISON_OFFICES:
        rows.append(row("nye-monstre", office, "sammenligning", "avsluttet", "2016-10-14", "2018-12-31",
                        "annet", kilde=SOURCE_TRIAL, merknad=COMPARISON_NOTE))
    return rows
