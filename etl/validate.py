"""The contract's rules as SQL over a file's raw text columns.

Each column type has one parser (a SQL expression over the trimmed text) and one
rule (when the parser could not read a non-blank value). A row that breaks any rule
keeps all its reasons; the caller quarantines it whole. Everything runs inside
DuckDB so that a file of millions of decisions streams through in one pass.
Only identifiers from contracts.py and literals from this module are put into SQL
text; cell values never are.
"""
from __future__ import annotations

from . import contracts as C
from . import reference
from .normalize import fold_value

SPACES = r"[\s\x{00A0}\x{202F}]"
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%d.%m.%y"]
TIMESTAMP_FORMATS = [
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y kl. %H:%M", "%d.%m.%Y",
]
LIST_SEPARATOR = {"aliaser": "|"}

#: column types resolved in Python on a column's distinct values, joined as map_<col>
MAPPED = (C.OFFICE, C.REGION, C.PSEUDONYM)


def q(name: str) -> str:
    """Quote an identifier from the contract."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A SQL string literal for text defined in this code base (never cell values)."""
    return "'" + text.replace("'", "''") + "'"


def _fmt_list(formats: list[str]) -> str:
    return "[" + ", ".join(lit(f) for f in formats) + "]"


def _folded(v: str) -> str:
    return f"lower(trim(regexp_replace(replace({v}, '§', ' '), '\\s+', ' ', 'g')))"


def parse_expr(col: C.Column, v: str) -> tuple[str, str | None]:
    """(value expression, error expression or None) for one column.

    `v` is the trimmed, blank-as-NULL text. The error expression is a SQL string
    (the reason) or NULL when the value is fine or blank.
    """
    t = col.type
    if t in (C.TEXT, C.KEY):
        return v, None
    if t in (C.INT, C.AMOUNT):
        expr = f"try_cast(regexp_replace({v}, '{SPACES}', '', 'g') AS BIGINT)"
        what = "et heltall" if t == C.INT else "et beløp i hele kroner"
        return expr, f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL THEN 'ikke {what}: «' || {v} || '»' END"
    if t == C.DECIMAL:
        expr = f"try_cast(replace(regexp_replace({v}, '{SPACES}', '', 'g'), ',', '.') AS DOUBLE)"
        return expr, f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL THEN 'ikke et tall: «' || {v} || '»' END"
    if t == C.DATE:
        expr = f"CAST(try_strptime({v}, {_fmt_list(DATE_FORMATS)}) AS DATE)"
        return expr, f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL THEN 'ugyldig dato: «' || {v} || '»' END"
    if t == C.TIMESTAMP:
        expr = f"try_strptime({v}, {_fmt_list(TIMESTAMP_FORMATS)})"
        return expr, f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL THEN 'ugyldig tidspunkt: «' || {v} || '»' END"
    if t == C.PERIOD:
        expr = (f"CAST(date_trunc('month', coalesce(try_strptime({v}, '%Y-%m'), "
                f"try_strptime({v}, {_fmt_list(DATE_FORMATS)}))) AS DATE)")
        return expr, (f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL "
                      f"THEN 'ugyldig periode (bruk ÅÅÅÅ-MM eller en dato): «' || {v} || '»' END")
    if t == C.YESNO:
        f = _folded(v)
        expr = f"CASE {f} WHEN 'ja' THEN 'ja' WHEN 'nei' THEN 'nei' WHEN 'ikke relevant' THEN 'ikke relevant' END"
        return expr, (f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL "
                      f"THEN 'ikke ja/nei/ikke relevant: «' || {v} || '»' END")
    if t == C.ENUM:
        allowed = list(col.allowed)
        squeezed = "[" + ", ".join(lit(a.replace(" ", "")) for a in allowed) + "]"
        expr = (f"([{', '.join(lit(a) for a in allowed)}])"
                f"[nullif(list_position({squeezed}, replace({_folded(v)}, ' ', '')), 0)]")
        return expr, (f"CASE WHEN {v} IS NOT NULL AND {expr} IS NULL "
                      f"THEN 'ugyldig verdi «' || {v} || '» (tillatt: {', '.join(allowed)})' END")
    if t == C.LIST:
        sep = LIST_SEPARATOR.get(col.name, ";")
        expr = f"list_filter(list_transform(string_split({v}, {lit(sep)}), lambda x: trim(x)), lambda x: x <> '')"
        return expr, None
    if t == C.SCORE:
        # resolved against ref_scale for the row's form version (see score_sql)
        return v, None
    raise ValueError(f"no parser for type {t}")


def _range_errors(col: C.Column, value: str) -> list[str]:
    errs = []
    if col.min_value is not None:
        errs.append(f"CASE WHEN {value} < {col.min_value} THEN 'mindre enn {col.min_value}' END")
    if col.max_value is not None:
        errs.append(f"CASE WHEN {value} > {col.max_value} THEN 'større enn {col.max_value}' END")
    return errs


def score_sql(qcol: str, version_expr: str) -> str:
    """The score of a self-assessment cell on the row's scale, or NULL.

    Digits must lie on the scale; labels are looked up on it. The scales come from
    etl/reference/scale.csv, written out as literals (no per-row subqueries).
    'Ikke relevant' and blank are answers but not scores: see `answer_kind_sql`.
    """
    v = f"nullif(trim({q(qcol)}), '')"
    f = _folded(v)
    num = f"try_cast({v} AS INTEGER)"
    bounds, labels = [], []
    scales: dict[int, list[tuple[int, str]]] = {}
    for r in reference.rows("scale"):
        scales.setdefault(int(r["form_version"]), []).append((int(r["score"]), r["label"]))
    for version, points in sorted(scales.items()):
        lo, hi = min(p[0] for p in points), max(p[0] for p in points)
        bounds.append(f"WHEN {version} THEN {num} BETWEEN {lo} AND {hi}")
        labels += [f"{lit(f'{version}|{fold_value(label)}')}: {score}" for score, label in points]
    on_scale = f"(CASE {version_expr} {' '.join(bounds)} ELSE false END)"
    by_label = f"MAP {{{', '.join(labels)}}}[{version_expr} || '|' || {f}]"
    return f"CASE WHEN {on_scale} THEN {num} ELSE {by_label} END"


def answer_kind_sql(qcol: str) -> str:
    """'score' | 'ikke_relevant' | 'blank', or NULL for a value that is none of them."""
    raw = q("_raw_" + qcol)
    return (f"CASE WHEN {raw} IS NULL THEN 'blank' WHEN {_folded(raw)} = 'ikke relevant' THEN 'ikke_relevant' "
            f"WHEN {q(qcol)} IS NOT NULL THEN 'score' END")


def extra_checks(kind: str) -> list[tuple[str, str]]:
    """Rules that span columns: (column, SQL reason-or-NULL) over typed values."""
    checks = []
    if kind in ("rapportering", "metoder"):
        checks.append(("alder_til", "CASE WHEN alder_fra > alder_til THEN 'alder_fra er større enn alder_til' END"))
    if kind == "rapportering":
        checks.append(("startaar", "CASE WHEN startaar > rapportaar THEN 'startår etter rapportår' END"))
    if kind == "kontorer":
        checks.append(("gyldig_til", "CASE WHEN gyldig_til < gyldig_fra THEN 'gyldig_til før gyldig_fra' END"))
    if kind == "replikering":
        checks.append(("slutt", "CASE WHEN slutt < start THEN 'slutt før start' END"))
    if kind == "stikkprove":
        for i in range(1, C.MAX_POINTS + 1):
            p = f"p{i:02d}"
            size = "CASE paragraf WHEN '17' THEN 12 ELSE 16 END"
            checks.append((p, f"CASE WHEN {i} > {size} AND {q(p)} IS NOT NULL "
                              f"THEN 'punkt {i} finnes ikke i § ' || paragraf || '-skjemaet' END"))
    return checks


def typed_select(kind: str, present: list[str]) -> str:
    """SELECT that turns `raw_v` (text) into typed columns plus `_errors`.

    `present`: contract columns the file has; absent optional columns are NULL.
    Mapped columns join `map_<col>(raw, val, err)` tables prepared by the caller.
    """
    spec = C.KINDS[kind]
    fields, errors, joins = ["r._line", "r._n"], [], []

    def err(column: str, reason_sql: str) -> str:
        return f"CASE WHEN ({reason_sql}) IS NOT NULL THEN {{'column': {lit(column)}, 'reason': ({reason_sql})}} END"

    errors.append(err("*", "CASE WHEN r._ncols <> r._width THEN 'feil antall kolonner: fant ' "
                           "|| r._ncols || ', ventet ' || r._width END"))
    version_expr = "coalesce(try_cast(nullif(trim(r.skjemaversjon), '') AS INTEGER), 1)" \
        if "skjemaversjon" in present else "1"
    for col in spec.columns:
        name = col.name
        if name not in present:
            fields.append(f"NULL AS {q(name)}")
            if col.type == C.SCORE:
                fields.append(f"NULL::VARCHAR AS {q('_raw_' + name)}")
            if col.required:  # map_header refuses such files; belt and braces
                errors.append(err(name, "'mangler kolonne'"))
            continue
        v = f"nullif(trim(r.{q(name)}), '')"
        if col.type in MAPPED:
            alias = f"m_{name}"
            joins.append(f"LEFT JOIN map_{name} {alias} ON {alias}.raw = {v}")
            fields.append(f"{alias}.val AS {q(name)}")
            if col.type != C.PSEUDONYM:
                errors.append(err(name, f"CASE WHEN {v} IS NOT NULL THEN {alias}.err END"))
        elif col.type == C.SCORE:
            fields.append(f"{score_sql(name, version_expr)} AS {q(name)}")
            fields.append(f"{v} AS {q('_raw_' + name)}")
        else:
            value, e = parse_expr(col, v)
            fields.append(f"{value} AS {q(name)}")
            if e:
                errors.append(err(name, e))
            for re_ in _range_errors(col, value):
                errors.append(err(name, re_))
        if col.required:
            errors.append(err(name, f"CASE WHEN {v} IS NULL THEN 'mangler verdi' END"))
    fields.append("[" + ",\n  ".join(errors) + "] AS _errs")
    return ("SELECT " + ",\n  ".join(fields) + "\nFROM raw_v r\n" + "\n".join(joins))


def finish_select(kind: str, typed: str) -> str:
    """Adds answer kinds and cross-column rules to `typed` (typed_select's SQL), and
    compacts the error list."""
    scores = [c.name for c in C.KINDS[kind].columns if c.type == C.SCORE]
    extra = [(col, sql) for col, sql in extra_checks(kind)]
    for name in scores:
        version = "coalesce(skjemaversjon, 1)"
        extra.append((name, f"CASE WHEN ({answer_kind_sql(name)}) IS NULL THEN 'ikke en verdi på skala ' "
                            f"|| {version} || ': «' || {q('_raw_' + name)} || '»' END"))
    items = [f"CASE WHEN ({sql}) IS NOT NULL THEN {{'column': {lit(col)}, 'reason': ({sql})}} END"
             for col, sql in extra]
    errs = "list_concat(_errs, [" + ", ".join(items) + "])" if items else "_errs"
    kinds = "".join(f", {answer_kind_sql(n)} AS {q(n + '_svar')}" for n in scores)
    drop = ", ".join(["_errs", *(q("_raw_" + n) for n in scores)])
    return (f"SELECT * EXCLUDE ({drop}){kinds}, list_filter({errs}, lambda x: x IS NOT NULL) AS _errors "
            f"FROM ({typed}) typed0")
