"""dashboard.similarity on hand-made frames: the signals, the weights, the labels of
ended and discontinued tiltak, the reasons, and (printed, not asserted) the time at
national scale."""
from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from dashboard import similarity as sim


def _row(tiltak_id, name, target="", description="", categories=(), ages=(None, None),
         has_final=False, continuation=None, place=""):
    return {"tiltak_id": tiltak_id, "tiltak_name": name, "target_group": target, "description": description,
            "categories": list(categories), "age_from": ages[0], "age_to": ages[1], "has_final": has_final,
            "continuation": continuation, "place": place}


BASE = dict(
    name="Gjeldsrådgivning for unge",
    target="Unge voksne med betalingsproblemer og inkassosaker.",
    description="Egen økonomirådgiver gir individuell gjeldsrådgivning og holder kurs i privatøkonomi.",
    categories=("gjeldsrådgivning", "ungdom"),
    ages=(18, 30),
)


@pytest.fixture
def frame() -> pd.DataFrame:
    rows = [
        _row("A", BASE["name"], BASE["target"], BASE["description"], BASE["categories"], BASE["ages"],
             place="NAV Voss Voss"),
        # the same tiltak tried at another office
        _row("B", BASE["name"], BASE["target"], BASE["description"], BASE["categories"], BASE["ages"],
             place="NAV Alta Alta"),
        # similar, ended and not continued: must be found and labelled
        _row("C", "Økonomikurs for unge", "Unge med betalingsproblemer.",
             "Kurs i privatøkonomi og gjeldsrådgivning.", ("gjeldsrådgivning",), (16, 24),
             has_final=True, continuation="nei", place="NAV Bodø Bodø"),
        # ended, continued
        _row("D", "Gjeldshjelp i familier", "Barnefamilier med gjeld.", "Rådgivning om gjeld hjemme hos familien.",
             ("gjeldsrådgivning", "barnefamilier"), (25, 50), has_final=True, continuation="ja"),
        # nothing in common
        _row("E", "Språkombud på arbeidsplassen", "Innvandrere med lite norsk.",
             "Språkmentorer følger opp lærlinger i bedrift.", ("innvandrere", "arbeid"), (30, 60)),
        # only the place is shared with A: must not count as similar text
        _row("F", "Fritid for barn i Voss", "Barn i Voss.", "Fritidskort i Voss.", ("fritid",), (6, 12)),
        # nothing known at all
        _row("G", "", None, None, (), (None, None)),
    ]
    return pd.DataFrame(rows)


def test_identical_tiltak_scores_highest(frame):
    res = sim.similar_to(frame, "A", n=10)
    assert res["tiltak_id"].iloc[0] == "B"
    assert res["score"].iloc[0] == pytest.approx(1.0)
    assert res[["score_categories", "score_ages", "score_text"]].iloc[0].tolist() == pytest.approx([1, 1, 1])
    assert res["score"].is_monotonic_decreasing
    assert "A" not in set(res["tiltak_id"]), "a tiltak is not similar to itself"


def test_ended_and_not_continued_are_included_and_labelled(frame):
    res = sim.similar_to(frame, "A", n=10).set_index("tiltak_id")
    assert {"C", "D"} <= set(res.index)
    assert res.loc["C", "status_labels"] == (sim.STATUS_ENDED, sim.STATUS_NOT_CONTINUED)
    assert res.loc["C", "status"] == "Avsluttet, Ikke videreført"
    assert res.loc["D", "status_labels"] == (sim.STATUS_ENDED,)
    assert res.loc["B", "status_labels"] == ()
    # C (ended, 'nei') ranks by its content, above the unrelated E
    assert res.index.get_loc("C") < (res.index.get_loc("E") if "E" in res.index else math.inf)


def test_signals_by_hand(frame):
    res = sim.similar_to(frame, "A", n=10).set_index("tiltak_id")
    # categories: {gjeld, ungdom} vs {gjeld} -> 1/2; vs {gjeld, barnefamilier} -> 1/3
    assert res.loc["C", "score_categories"] == pytest.approx(1 / 2)
    assert res.loc["D", "score_categories"] == pytest.approx(1 / 3)
    # ages: 18-30 vs 16-24 -> 18..24 = 7 years of 16..30 = 15 years
    assert res.loc["C", "score_ages"] == pytest.approx(7 / 15)
    assert res.loc["D", "score_ages"] == pytest.approx(6 / 33)
    assert 0 < res.loc["C", "score_text"] < 1


def test_weights_are_one_constant_and_used(frame):
    assert sum(sim.WEIGHTS.values()) == pytest.approx(1.0)
    assert set(sim.WEIGHTS) == {"categories", "ages", "text"}
    res = sim.similar_to(frame, "A", n=10).set_index("tiltak_id")
    for tid in res.index:
        expected = sum(sim.WEIGHTS[k] * res.loc[tid, f"score_{k}"] for k in sim.WEIGHTS)
        assert res.loc[tid, "score"] == pytest.approx(expected)
    only_ages = sim.most_similar(sim.build_index(frame), "A", n=10, weights={"categories": 0, "ages": 1, "text": 0})
    assert only_ages["score"].tolist() == pytest.approx(only_ages["score_ages"].tolist())
    with pytest.raises(KeyError):
        sim.most_similar(sim.build_index(frame), "A", weights={"farge": 1})


def test_reasons_name_what_is_shared(frame):
    res = sim.similar_to(frame, "A", n=10).set_index("tiltak_id")
    reasons = res.loc["C", "reasons"]
    assert reasons[0] == "Felles kategorier: gjeldsrådgivning"
    assert reasons[1] == "Overlappende aldersgruppe: 18–24 år"
    assert reasons[2].startswith("Felles ord: ")
    assert "privatøkonomi" in reasons[2] or "betalingsproblemer" in reasons[2]
    assert res.loc["B", "reasons"][0] == "Felles kategorier: gjeldsrådgivning, ungdom"


def test_own_place_is_not_shared_content(frame):
    index = sim.build_index(frame)
    res = sim.most_similar(index, "F", n=10, weights={"categories": 0, "ages": 0, "text": 1})
    # F's only word in common with A would be 'voss', F's and A's own place
    assert "A" not in set(res["tiltak_id"])


def test_missing_signals_count_zero_and_unknown_id(frame):
    index = sim.build_index(frame)
    assert sim.most_similar(index, "G").empty  # nothing known -> nothing similar
    assert sim.most_similar(index, "finnes-ikke").empty
    assert list(sim.most_similar(index, "finnes-ikke").columns)[:8] == list(sim.RESULT_COLUMNS)
    assert sim.age_overlap(None, None, 18, 30) == 0.0
    assert sim.age_overlap(0, 17, 18, 30) == 0.0
    assert sim.age_overlap(18, 30, 18, 30) == 1.0


def test_ties_are_ordered_by_id():
    rows = [_row(t, "Samme navn", "Samme", "Samme tekst", ("arbeid",), (18, 30)) for t in ("Z", "M", "A", "Q")]
    res = sim.similar_to(pd.DataFrame(rows), "Q", n=3)
    assert res["tiltak_id"].tolist() == ["A", "M", "Z"]


def test_cosine_equals_dense_computation(frame):
    """The inverted-index dot product equals a dense TF-IDF cosine."""
    index = sim.build_index(frame)
    n, v = len(index), len(index.surface)
    dense = np.zeros((n, v))
    for i in range(n):
        a, b = index.doc_ptr[i], index.doc_ptr[i + 1]
        dense[i, index.doc_terms[a:b]] = index.doc_weights[a:b]
    norms = np.linalg.norm(dense, axis=1)
    assert np.allclose(norms[norms > 0], 1.0)
    cos = dense @ dense.T
    res = sim.most_similar(index, "C", n=10, weights={"categories": 0, "ages": 0, "text": 1})
    for tid, score in zip(res["tiltak_id"], res["score_text"]):
        assert score == pytest.approx(cos[index.position["C"], index.position[tid]])


def test_categories_as_text_and_missing_columns():
    frame = pd.DataFrame([_row("A", "x"), _row("B", "y")])
    frame["categories"] = ["bolig; rus", "rus,bolig"]
    res = sim.similar_to(frame, "A")
    assert res["score_categories"].iloc[0] == pytest.approx(1.0)
    with pytest.raises(KeyError):
        sim.build_index(frame.drop(columns=["has_final"]))


def test_norwegian_tokens():
    assert sim.stem("familiene") == sim.stem("familier") == sim.stem("familie")
    assert sim.stem("ungdommen") == sim.stem("ungdom")
    assert sim.stem("innvandrere") == sim.stem("innvandrer")
    words = [w for _s, w in sim.tokenize("Tiltaket følger opp ungdom i Voss og på skolen, 15-24 år.", ignore={"voss"})]
    assert words == ["følger", "ungdom", "skolen"]


def _synthetic(n: int, seed: int = 7) -> pd.DataFrame:
    """n tiltak with Norwegian-looking words: 4 000 distinct word forms (each a stem
    with one of the usual endings), 46 words of text each, 1-3 of 14 categories."""
    import random

    rnd = random.Random(seed)
    syllables = ["ar", "be", "bo", "fa", "gjel", "hjem", "inn", "jobb", "kurs", "lig", "mil", "ny", "opp",
                 "plan", "råd", "sko", "tje", "ung", "vei", "øko", "dom", "nes", "sam", "tid"]
    endings = ["", "en", "er", "ene", "et", "ing", "ingen"]
    stems = sorted({"".join(rnd.sample(syllables, 3)) for _ in range(800)})
    words = [s + e for s in stems for e in endings][:4000]
    cats = ["arbeid", "ungdom", "bolig", "rus", "gjeldsrådgivning", "barnefamilier", "innvandrere", "opplæring",
            "psykisk helse", "familiekoordinator", "kompetanse", "fritid", "digitalisering", "aktivitetsplikt"]
    rows = []
    for i in range(n):
        lo = rnd.randrange(0, 50)
        rows.append(_row(
            f"T{i:05d}", " ".join(rnd.choices(words, k=4)), " ".join(rnd.choices(words, k=12)),
            " ".join(rnd.choices(words, k=30)), rnd.sample(cats, rnd.randint(1, 3)), (lo, lo + rnd.randint(5, 30)),
            has_final=rnd.random() < 0.5, continuation=rnd.choice(["ja", "delvis", "nei", None]),
        ))
    return pd.DataFrame(rows)


def test_performance_at_national_scale(capsys):
    """3 000 tiltak: printed, not asserted (see the report for the numbers)."""
    frame = _synthetic(3000)
    sim.stem.cache_clear()
    t0, c0 = time.perf_counter(), time.process_time()
    index = sim.build_index(frame)
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    ids = frame["tiltak_id"].sample(100, random_state=1).tolist()
    t0, c0 = time.perf_counter(), time.process_time()
    for tid in ids:
        res = sim.most_similar(index, tid, n=5)
    per_query, per_query_cpu = ((time.perf_counter() - t0) / len(ids), (time.process_time() - c0) / len(ids))
    assert len(res) == 5
    with capsys.disabled():
        print(f"\nlikhet, 3 000 tiltak ({len(index.surface)} termer): indeks {build * 1000:.0f} ms "
              f"(CPU {build_cpu * 1000:.0f} ms; én gang per publisert varehus og tilgang), "
              f"oppslag {per_query * 1000:.2f} ms (CPU {per_query_cpu * 1000:.2f} ms)")
