"""The input data contract (version 1) as data: per file kind, its columns, which are
required, their types and allowed values. Validation and documentation both read
this table; nothing else in the code names a contract column's rules."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import reference

CONTRACT_VERSION = 1

# Column types. Each has one parser (SQL expression) in validate.py.
TEXT = "text"            # free text, kept as is
KEY = "key"              # identifier text, trimmed
INT = "int"              # whole number
AMOUNT = "amount"        # whole kroner, spaces allowed ("610 000")
DECIMAL = "decimal"      # decimal comma or point ("1,5")
DATE = "date"            # 2021-06-30 or 30.06.2021
TIMESTAMP = "timestamp"  # date, optionally with time
PERIOD = "period"        # YYYY-MM or a date -> first day of month
YESNO = "yesno"          # ja / nei / ikke relevant / blank
ENUM = "enum"            # one of `allowed` (case-insensitive)
LIST = "list"            # ';'-separated values
SCORE = "score"          # self-assessment answer: number or scale label
OFFICE = "office"        # resolved through the office register
REGION = "region"        # a Statsforvalter region, by name or id
PSEUDONYM = "pseudonym"  # replaced by a keyed hash at load, clear value never stored


@dataclass(frozen=True)
class Column:
    name: str
    type: str = TEXT
    required: bool = False
    allowed: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    columns: tuple[Column, ...]
    #: columns that identify "the same row" in a later export (supersede key)
    key: tuple[str, ...] = ()
    #: column whose value orders versions of the same key (else load order)
    version_by: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name, type_=TEXT, required=False, allowed=(), min_value=None, max_value=None):
    return Column(name, type_, required, tuple(allowed), min_value, max_value)


YESNO_VALUES = ("ja", "nei", "ikke relevant")
QUESTIONS = reference.question_codes()      # q01..q14
CRITERIA = reference.criterion_codes()      # k01..k13
MAX_POINTS = max(reference.checklist_size(p) for p in ("17", "20a"))  # 16
POINTS = [f"p{i:02d}" for i in range(1, MAX_POINTS + 1)]
FREE_TEXT = ("malgruppe", "beskrivelse", "endringer", "utviklet_oppnadd",
             "maaloppnaelse_metode", "suksessfaktorer", "utfordringer")

KINDS: dict[str, Kind] = {
    "kontorer": Kind(
        "kontorer", "Kontorregister (referanse)",
        (
            _c("kontor_id", KEY, True),
            _c("navn", KEY, True),
            _c("aliaser", LIST),
            _c("kommune", KEY, True),
            _c("fylke", KEY, True),
            _c("statsforvalter", REGION, True),
            _c("ansatte", INT, min_value=0),
            _c("gyldig_fra", DATE, True),
            _c("gyldig_til", DATE),
        ),
        key=("kontor_id",),
    ),
    "rapportering": Kind(
        "rapportering", "Rapporteringsskjema, én rad per tiltak per rapport",
        (
            _c("tiltak_id", KEY, True),
            _c("rapportaar", INT, True, min_value=2000, max_value=2100),
            _c("rapporttype", ENUM, True, ("status", "slutt")),
            _c("nav_kontor", OFFICE, True),
            _c("tiltak_navn", TEXT, True),
            _c("tilskudd_kr", AMOUNT, True, min_value=0),
            _c("innsendt", TIMESTAMP, True),
            _c("statsforvalter", REGION),
            _c("startaar", INT, min_value=2000, max_value=2100),
            _c("arsverk", DECIMAL, min_value=0),
            _c("brukt_lonn_kr", AMOUNT, min_value=0),
            _c("brukt_kompetanse_kr", AMOUNT, min_value=0),
            _c("overfort_kr", AMOUNT, min_value=0),
            _c("lovparagrafer", LIST),
            _c("kategorier", LIST),
            _c("alder_fra", INT, min_value=0, max_value=120),
            _c("alder_til", INT, min_value=0, max_value=120),
            *(_c(q, SCORE) for q in QUESTIONS),
            _c("skjemaversjon", INT, min_value=1),
            *(_c(t, TEXT) for t in FREE_TEXT),
            _c("erfaringsbasen", YESNO),
            _c("videreforing", ENUM, allowed=("ja", "delvis", "nei")),
            _c("videreforing_hvordan", TEXT),
        ),
        key=("tiltak_id", "rapportaar", "rapporttype"),
        version_by="innsendt",
    ),
    "stikkprove": Kind(
        "stikkprove", "Stikkprøvekontroll, én rad per kontrollert sak",
        (
            _c("nav_kontor", OFFICE, True),
            _c("kontrolldato", DATE, True),
            _c("paragraf", ENUM, True, ("17", "20a")),
            _c("saksnummer", PSEUDONYM, True),
            *(_c(p, YESNO) for p in POINTS),
            _c("runde", KEY),
            _c("veileder", PSEUDONYM),
            _c("ny_bruker", YESNO),
            _c("kontrollert_av", PSEUDONYM),
            *(_c(f"kommentar_{p}", TEXT) for p in POINTS),
        ),
        key=("saksnummer", "paragraf", "kontrolldato"),
    ),
    "vedtak": Kind(
        "vedtak", "Vedtak etter § 17 og § 20 a",
        (
            _c("nav_kontor", OFFICE, True),
            _c("periode", PERIOD, True),
            _c("paragraf", ENUM, True, ("17", "20a")),
            _c("vedtakstype", ENUM, True, ("innvilget", "avslag", "stans", "endring")),
            _c("antall", INT, min_value=0),
            _c("aldersgruppe", ENUM, allowed=("under 30", "30 og over")),
        ),
        key=("nav_kontor", "periode", "paragraf", "vedtakstype", "aldersgruppe"),
    ),
    "vurderinger": Kind(
        "vurderinger", "Vurderinger av tiltak (to uavhengige vurderere)",
        (
            _c("tiltak_id", KEY, True),
            _c("fase", ENUM, True, ("screening", "dybde", "felles", "case")),
            _c("vurderer", KEY, True),
            _c("vurdering", ENUM, True, ("inn", "ut")),
            _c("dato", DATE),
            _c("begrunnelse", TEXT),
            *(_c(k, ENUM, allowed=("ja", "nei", "ukjent")) for k in CRITERIA),
        ),
        key=("tiltak_id", "fase", "vurderer"),
    ),
    "metoder": Kind(
        "metoder", "Katalog over lovende metoder",
        (
            _c("metode_id", KEY, True),
            _c("navn", TEXT, True),
            _c("opprinnelig_kontor", OFFICE, True),
            _c("tiltak_id", KEY),
            _c("startaar", INT, True, min_value=2000, max_value=2100),
            _c("status", TEXT, True),
            _c("malgruppe", TEXT, True),
            _c("alder_fra", INT, True, min_value=0, max_value=120),
            _c("alder_til", INT, True, min_value=0, max_value=120),
            _c("beskrivelse", TEXT, True),
            _c("kategorier", LIST, True),
            _c("kilde", TEXT, True),
        ),
        key=("metode_id",),
    ),
    "replikering": Kind(
        "replikering", "Hvor hver metode prøves, og hvordan det går",
        (
            _c("metode_id", KEY, True),
            _c("nav_kontor", OFFICE, True),
            _c("rolle", ENUM, True, ("opprinnelig", "replikering", "folgeprosjekt", "sammenligning")),
            _c("status", ENUM, True, ("planlagt", "pagaar", "i_drift", "avsluttet", "avbrutt")),
            _c("start", DATE, True),
            _c("slutt", DATE),
            _c("finansiering", ENUM, allowed=("tilskudd", "drift", "annet")),
            _c("kilde", TEXT, True),
            _c("merknad", TEXT),
        ),
        key=("metode_id", "nav_kontor", "rolle"),
    ),
}

#: kinds in load order (the register first: other kinds resolve offices through it)
LOAD_ORDER = ("kontorer", "rapportering", "stikkprove", "vedtak", "vurderinger", "metoder", "replikering")


def kind_of_filename(filename: str) -> str | None:
    """The kind of a file from its name prefix, or None for an unknown file."""
    from .normalize import fold

    stem = fold(filename.rsplit("/", 1)[-1])
    for kind in KINDS:
        if stem.startswith(kind):
            return kind
    return None


def is_sample_filename(filename: str) -> bool:
    """Files written by `etl sample` carry 'eksempeldata' in their names."""
    return "eksempeldata" in filename.lower()
