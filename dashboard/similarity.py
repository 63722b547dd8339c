"""Which other tiltak are most like this one? Pure: a DataFrame of tiltak in, ranked
neighbours with their reasons out; no Dash, no database.

Three signals, combined with the weights in WEIGHTS (one constant):
- categories: Jaccard index of the category sets (|A ∩ B| / |A ∪ B|);
- ages: overlap of the target age ranges, as a Jaccard index of whole years
  (16–24 vs 18–30: 7 shared years of 15 -> 0.47);
- text: TF-IDF cosine over name + target group + description, Norwegian tokens
  (lower case, stop words removed, a light Snowball-style stemmer so 'familiene' and
  'familier' meet). Words naming the tiltak's own place (office, municipality) are
  dropped from its text, so two tiltak do not look alike just for being in Voss.
A missing signal (no categories, no ages, no text) counts 0, never as a match.

Ended tiltak and ones that will not be continued are *included* and labelled
('Avsluttet', 'Ikke videreført'): an applicant must see what has been tried, also
what did not work (the file-drawer problem).

Use: build_index(frame) once per published warehouse (cache it), then
most_similar(index, tiltak_id) per request: a sparse dot product through an inverted
index and a few vector operations, about a millisecond at national scale.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "WEIGHTS",
    "STATUS_ENDED",
    "STATUS_NOT_CONTINUED",
    "REQUIRED_COLUMNS",
    "SimilarityIndex",
    "tokenize",
    "stem",
    "age_overlap",
    "build_index",
    "most_similar",
    "similar_to",
]

#: How much each signal counts; they sum to 1, so the score is in [0, 1].
WEIGHTS: Mapping[str, float] = {"categories": 0.4, "ages": 0.2, "text": 0.4}

STATUS_ENDED = "Avsluttet"
STATUS_NOT_CONTINUED = "Ikke videreført"

#: Columns build_index needs; others named in `keep` are passed through to results.
REQUIRED_COLUMNS = ("tiltak_id", "tiltak_name", "target_group", "description", "categories",
                    "age_from", "age_to", "has_final", "continuation")

# Snowball's Norwegian stop words (bokmål and nynorsk), plus words every report uses.
STOP_WORDS = frozenset("""
og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg men ett har om vi
min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans hvor eller hva skal selv
sjøl her alle vil bli ble blei blitt kunne inn når være kom noen noe ville dere deres kun ja etter ned
skulle denne for deg si sine sitt mot å meget hvorfor dette disse uten hvordan ingen din ditt blir samme
hvilken hvilke sånn inni mellom vår hver hvem vors hvis både bare enn fordi før mange også slik vært
båe begge siden dykk dykkar dei deira deires deim di då eg ein eit eitt elles honom hjå ho hoe henne
hennar hennes hoss hossen ingi inkje korleis korso kva kvar kvarhelst kven kvi kvifor me medan mi mine
mykje no nokon noka nokor noko nokre sia sidan so somt somme um upp vere vore verte vort varte vart
nav kontor kontoret tiltak tiltaket tiltakene år
""".split())

_TOKEN = re.compile(r"[0-9a-zæøåäöéèáüß]+")
_VOWELS = set("aeiouyæøå")
_STEP1 = ("hetenes", "hetene", "hetens", "heten", "heter", "endes", "ande", "ende", "edes", "enes",
          "erne", "erte", "ere", "ede", "ane", "ene", "ens", "ers", "ets", "het", "ast", "ert", "en", "ar", "er",
          "as", "es", "et", "a", "e")
_STEP3 = ("hetslov", "eleg", "elig", "elov", "slov", "leg", "eig", "lig", "els", "lov", "ig")
_S_ENDING = set("bcdfghjlmnoprtvyz")


def _r1(word: str) -> int:
    """Start of Snowball's R1: after the first non-vowel that follows a vowel, at least 3."""
    for i in range(1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            return max(3, i + 1)
    return len(word)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light Norwegian stemmer (Snowball's three steps, plus plural '-ere'/'-erne'
    and a doubled final consonant): 'familiene', 'familier' -> 'famili';
    'ungdommen', 'ungdom' -> 'ungdom'; 'innvandrere', 'innvandrer' -> 'innvandr'."""
    r1 = _r1(word)
    for suffix in _STEP1:
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = word[: -len(suffix)]
            break
    else:
        if word.endswith("erte") or word.endswith("ert"):
            pass
        elif word.endswith("s") and len(word) - 1 >= r1 and len(word) > 1 and (
            word[-2] in _S_ENDING or (word[-2] == "k" and len(word) > 2 and word[-3] not in _VOWELS)
        ):
            word = word[:-1]
    if (word.endswith("dt") or word.endswith("vt")) and len(word) - 1 >= r1:
        word = word[:-1]
    for suffix in _STEP3:
        if word.endswith(suffix) and len(word) - len(suffix) >= r1:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in _VOWELS:
        word = word[:-1]  # 'ungdomm' (from 'ungdommen') -> 'ungdom'
    return word


def tokenize(text: str | None, ignore: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(stem, surface word) pairs of a text: lower case, stop words, numbers, one- and
    two-letter words and the `ignore` words (e.g. the tiltak's own place) removed."""
    if not isinstance(text, str) or not text:
        return []
    ignored = set(ignore)
    out = []
    for word in _TOKEN.findall(text.lower()):
        if len(word) < 3 or word.isdigit() or word in STOP_WORDS or word in ignored:
            continue
        out.append((stem(word), word))
    return out


def age_overlap(a_from, a_to, b_from, b_to) -> float:
    """Overlap of two age ranges (whole years, both ends included) as a Jaccard index;
    0 when either range is unknown. Works on scalars and numpy arrays."""
    af, at, bf, bt = (np.asarray(v, dtype="float64") for v in (a_from, a_to, b_from, b_to))
    with np.errstate(invalid="ignore"):
        inter = np.minimum(at, bt) - np.maximum(af, bf) + 1
        union = np.maximum(at, bt) - np.minimum(af, bf) + 1
        out = np.where((inter > 0) & (union > 0), inter / np.where(union > 0, union, 1), 0.0)
    out = np.nan_to_num(out, nan=0.0)
    return float(out) if out.ndim == 0 else out


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[;,]", value) if v.strip()]
    try:
        if pd.isna(value):
            return []
    except (TypeError, ValueError):
        pass  # list-likes: pd.isna gives an array
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def _place_words(row: Mapping, columns: Sequence[str]) -> set[str]:
    words: set[str] = set()
    for col in columns:
        value = row.get(col)
        if isinstance(value, str):
            words.update(w for w in _TOKEN.findall(value.lower()) if w not in STOP_WORDS)
    return words


def status_labels(has_final, continuation) -> tuple[str, ...]:
    """('Avsluttet',) for a tiltak with a final report, plus 'Ikke videreført' when
    its latest answer on continuation is 'nei'."""
    labels = []
    if has_final is not None and not pd.isna(has_final) and bool(has_final):
        labels.append(STATUS_ENDED)
    if continuation == "nei":
        labels.append(STATUS_NOT_CONTINUED)
    return tuple(labels)


@dataclass(frozen=True)
class SimilarityIndex:
    """Everything most_similar needs, precomputed from one frame of tiltak."""

    ids: np.ndarray               # tiltak_id per row
    id_rank: np.ndarray           # rank of the id in sorted order (ties are broken by id)
    position: Mapping[str, int]   # tiltak_id -> row
    categories: np.ndarray        # (n, c) float32 0/1
    category_names: tuple[str, ...]
    n_categories: np.ndarray      # (n,) categories per tiltak
    age_from: np.ndarray          # (n,) float, NaN unknown
    age_to: np.ndarray
    doc_ptr: np.ndarray           # CSR of the L2-normalised TF-IDF rows
    doc_terms: np.ndarray
    doc_weights: np.ndarray
    term_ptr: np.ndarray          # the same matrix by term (CSC): the inverted index
    term_docs: np.ndarray
    term_weights: np.ndarray
    surface: tuple[str, ...]      # a readable word per term
    labels: tuple[tuple[str, ...], ...]
    passthrough: tuple[dict, ...]  # per row: the frame's columns to show with a result
    passthrough_columns: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.ids)


def build_index(frame: pd.DataFrame, keep: Sequence[str] = ("tiltak_name",),
                place_columns: Sequence[str] = ("place",)) -> SimilarityIndex:
    """Precompute category sets, age ranges and the TF-IDF matrix (sublinear tf,
    smoothed idf as scikit-learn's TfidfVectorizer, rows L2-normalised).

    `frame`: one row per tiltak with REQUIRED_COLUMNS; `categories` a list (or a
    ';'/','-separated text); `place_columns` (optional) hold text whose words are
    removed from that tiltak's own text. `keep` columns are passed to the results.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"similarity frame lacks columns: {missing}")
    frame = frame.drop_duplicates("tiltak_id").reset_index(drop=True)
    n = len(frame)
    records = frame.to_dict("records")
    places = [c for c in place_columns if c in frame.columns]

    # categories -> 0/1 matrix
    cat_lists = [sorted(set(_as_list(r["categories"]))) for r in records]
    names = tuple(sorted({c for cats in cat_lists for c in cats}))
    col = {c: j for j, c in enumerate(names)}
    cats = np.zeros((n, len(names)), dtype=np.float32)
    for i, cs in enumerate(cat_lists):
        for c in cs:
            cats[i, col[c]] = 1.0

    # text -> term counts
    vocab: dict[str, int] = {}
    surfaces: list[Counter] = []
    doc_counts: list[Counter] = []
    for r in records:
        text = " ".join(str(r[c]) for c in ("tiltak_name", "target_group", "description")
                        if isinstance(r[c], str))
        counts: Counter = Counter()
        for st, word in tokenize(text, _place_words(r, places)):
            j = vocab.setdefault(st, len(vocab))
            if j == len(surfaces):
                surfaces.append(Counter())
            surfaces[j][word] += 1
            counts[j] += 1
        doc_counts.append(counts)
    v = len(vocab)
    lengths = np.fromiter((len(c) for c in doc_counts), dtype=np.int64, count=n)
    doc_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=doc_ptr[1:])
    doc_terms = np.fromiter((t for c in doc_counts for t in c), dtype=np.int64, count=int(doc_ptr[-1]))
    tf = np.fromiter((k for c in doc_counts for k in c.values()), dtype=np.float64, count=int(doc_ptr[-1]))
    df = np.bincount(doc_terms, minlength=v).astype(np.float64)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    weights = (1.0 + np.log(tf)) * idf[doc_terms]
    row_of = np.repeat(np.arange(n), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=weights * weights, minlength=n))
    weights = weights / np.where(norms > 0, norms, 1.0)[row_of]

    order = np.lexsort((row_of, doc_terms))  # by term, then document
    term_ptr = np.zeros(v + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc_terms, minlength=v), out=term_ptr[1:])

    ages = frame[["age_from", "age_to"]].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    labels = tuple(status_labels(r["has_final"], r["continuation"]) for r in records)
    ids = frame["tiltak_id"].astype(str).to_numpy()
    keep_cols = [c for c in dict.fromkeys(("tiltak_id", *keep)) if c in frame.columns]
    return SimilarityIndex(
        ids=ids,
        id_rank=np.argsort(np.argsort(ids, kind="stable"), kind="stable"),
        position={t: i for i, t in enumerate(ids)},
        categories=cats,
        category_names=names,
        n_categories=cats.sum(axis=1),
        age_from=ages[:, 0],
        age_to=ages[:, 1],
        doc_ptr=doc_ptr,
        doc_terms=doc_terms,
        doc_weights=weights,
        term_ptr=term_ptr,
        term_docs=row_of[order],
        term_weights=weights[order],
        surface=tuple(s.most_common(1)[0][0] for s in surfaces),
        labels=labels,
        passthrough=tuple(frame.loc[:, [c for c in keep_cols if c != "tiltak_id"]].to_dict("records")),
        passthrough_columns=tuple(c for c in keep_cols if c != "tiltak_id"),
    )


RESULT_COLUMNS = ("tiltak_id", "score", "score_categories", "score_ages", "score_text",
                  "status_labels", "status", "reasons")


def _empty_result(index: SimilarityIndex) -> pd.DataFrame:
    cols = list(RESULT_COLUMNS) + list(index.passthrough_columns)
    return pd.DataFrame({c: pd.Series(dtype="float64" if c.startswith("score") else object) for c in cols})


def _fmt_age_range(lo: float, hi: float) -> str:
    return f"{int(lo)}–{int(hi)} år"


def most_similar(index: SimilarityIndex, tiltak_id: str, n: int = 5,
                 weights: Mapping[str, float] = WEIGHTS, min_score: float = 0.0) -> pd.DataFrame:
    """The n tiltak most like `tiltak_id` (itself excluded), best first; ties by id.

    Columns: tiltak_id, score (weighted, 0–1), score_categories, score_ages,
    score_text, status_labels (tuple), status ('Avsluttet, Ikke videreført' or ''),
    reasons (tuple of Norwegian sentences), plus the index's passthrough columns.
    Only tiltak with a score above `min_score` are returned; an unknown id gives an
    empty frame.
    """
    unknown = set(weights) - {"categories", "ages", "text"}
    if unknown:
        raise KeyError(f"unknown weights: {sorted(unknown)}")
    i = index.position.get(tiltak_id)
    if i is None or len(index) < 2 or n <= 0:
        return _empty_result(index)
    size = len(index)

    # categories: Jaccard
    inter = index.categories @ index.categories[i] if index.categories.shape[1] else np.zeros(size)
    union = index.n_categories + index.n_categories[i] - inter
    s_cat = np.divide(inter, union, out=np.zeros(size), where=union > 0)

    # ages: Jaccard of the ranges
    s_age = age_overlap(index.age_from, index.age_to, index.age_from[i], index.age_to[i])

    # text: cosine through the inverted index (only documents sharing a term)
    lo, hi = index.doc_ptr[i], index.doc_ptr[i + 1]
    q_terms, q_weights = index.doc_terms[lo:hi], index.doc_weights[lo:hi]
    starts, ends = index.term_ptr[q_terms], index.term_ptr[q_terms + 1]
    lens = ends - starts
    total = int(lens.sum())
    if total:
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(total)
        s_text = np.bincount(index.term_docs[offsets], weights=index.term_weights[offsets] * np.repeat(q_weights, lens),
                             minlength=size)
    else:
        s_text = np.zeros(size)
    s_text = np.clip(s_text, 0.0, 1.0)

    score = (weights.get("categories", 0.0) * s_cat + weights.get("ages", 0.0) * s_age
             + weights.get("text", 0.0) * s_text)
    score[i] = -np.inf
    candidates = np.flatnonzero(score > min_score)
    if not len(candidates):
        return _empty_result(index)
    # best first; equal scores by id, so the order is stable between requests
    if len(candidates) > 4 * n:  # keep the top few (and all ties with them) before sorting
        cut = np.partition(score[candidates], len(candidates) - n)[len(candidates) - n]
        candidates = candidates[score[candidates] >= cut - 1e-12]
    order = candidates[np.lexsort((index.id_rank[candidates], -np.round(score[candidates], 12)))][:n]

    q_cats = set(np.flatnonzero(index.categories[i]))
    q_term_weight = dict(zip(q_terms.tolist(), q_weights.tolist()))
    rows = []
    for j in order:
        reasons = []
        shared = sorted(index.category_names[c] for c in q_cats & set(np.flatnonzero(index.categories[j])))
        if shared:
            reasons.append("Felles kategorier: " + ", ".join(shared))
        if s_age[j] > 0:
            lo_age = max(index.age_from[i], index.age_from[j])
            hi_age = min(index.age_to[i], index.age_to[j])
            reasons.append("Overlappende aldersgruppe: " + _fmt_age_range(lo_age, hi_age))
        if s_text[j] > 0:
            a, b = index.doc_ptr[j], index.doc_ptr[j + 1]
            contrib = [(q_term_weight[t] * w, index.surface[t])
                       for t, w in zip(index.doc_terms[a:b].tolist(), index.doc_weights[a:b].tolist())
                       if t in q_term_weight]
            words = [w for _, w in sorted(contrib, key=lambda p: (-p[0], p[1]))[:5]]
            reasons.append("Felles ord: " + ", ".join(words))
        rows.append({
            "tiltak_id": index.ids[j],
            "score": float(score[j]),
            "score_categories": float(s_cat[j]),
            "score_ages": float(s_age[j]),
            "score_text": float(s_text[j]),
            "status_labels": index.labels[j],
            "status": ", ".join(index.labels[j]),
            "reasons": tuple(reasons),
            **index.passthrough[j],
        })
    return pd.DataFrame(rows, columns=[*RESULT_COLUMNS, *index.passthrough_columns])


def similar_to(frame: pd.DataFrame, tiltak_id: str, n: int = 5, weights: Mapping[str, float] = WEIGHTS,
               keep: Sequence[str] = ("tiltak_name",)) -> pd.DataFrame:
    """build_index + most_similar in one call (for tests and one-off use)."""
    return most_similar(build_index(frame, keep=keep), tiltak_id, n=n, weights=weights)
