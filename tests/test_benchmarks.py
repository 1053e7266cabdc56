"""The benchmark's scoring rules: a figure in docs/performance.md is only as honest as these."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks import cases, probe, quality
from benchmarks.adapter import Ours, Reply
from benchmarks.baselines import BM25Baseline, ByHorizon, WRatioBaseline, docs_of
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from tests.conftest import MINI


def _cite(kb: KnowledgeBase, entry_id: str, episode: int, *facts: str) -> KnowledgeBase:
    entry = kb.entries[entry_id]
    reveals = tuple(replace(r, facts=facts) if r.episode == episode else r for r in entry.reveals)
    return replace(kb, entries={**kb.entries, entry_id: replace(entry, reveals=reveals)})


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    kb = load_knowledge(MINI)
    kb = _cite(kb, "rouge-mother", 5, "rouge/4")
    kb = _cite(kb, "rouge-mother", 8, "eva/1")
    return _cite(kb, "studio", 0, "production/1")


def _heldout(tmp_path: Path, kb: KnowledgeBase, text: str) -> list[cases.Case]:
    path = tmp_path / "heldout.yaml"
    path.write_text(text, "utf-8")
    return cases.load_heldout(path, kb).cases


def test_heldout_facts_resolve_to_the_entries_citing_them_at_the_askers_horizon(tmp_path, kb):
    found = _heldout(
        tmp_path,
        kb,
        """
- {q: "who is rouges mom", facts: [eva/1], form: who}
- {q: "who is rouges mom", facts: [eva/1], upto: 6}
- {q: "im on ep 6, who is rouges mom", facts: [eva/1, rouge/4], upto: 9, horizon: 6}
- {q: "what studio", facts: [production/1], upto: 0}
- {q: "rouge's favourite food", facts: []}
- {q: "who voices naomi", facts: [naomi/9]}
""",
    )
    assert [(c.right, c.kind) for c in found] == [
        ({"rouge-mother"}, cases.ANSWERABLE),
        (frozenset(), cases.WITHHELD),  # the only citing reveal is from episode 8
        ({"rouge-mother"}, cases.ANSWERABLE),  # the episode-5 reveal answers at horizon 6
        ({"studio"}, cases.ANSWERABLE),  # off-screen facts are visible before episode 1
        (frozenset(), cases.NOT_IN_SHEET),
        (frozenset(), cases.NOT_CITED),
    ]
    assert (found[2].upto, found[2].horizon) == (9, 6)  # the bot is told 9, scored at 6
    assert found[0].form == "who"


def test_a_horizon_is_never_later_than_what_the_bot_was_told(tmp_path, kb):
    (case,) = _heldout(tmp_path, kb, '- {q: "who is rouges mom", facts: [eva/1], upto: 6, horizon: 9}')
    assert case.horizon == 6 and not case.answerable


def test_malformed_fact_references_are_refused(tmp_path, kb):
    with pytest.raises(ValueError, match="topic/n"):
        _heldout(tmp_path, kb, '- {q: "x", facts: ["eva 1"]}')


def test_scoring_counts_right_wrong_and_honest_abstention(kb):
    answerable = cases.Case("q", None, None, frozenset({"rouge"}), cases.ANSWERABLE)
    decline = cases.Case("q", 3, 3, frozenset(), cases.WITHHELD)
    s = quality.Scores()
    assert s.add(answerable, Reply("answered", "rouge"), kb)
    assert not s.add(answerable, Reply("answered", "studio"), kb)
    assert not s.add(answerable, Reply("suggest", None, ("rouge",)), kb)
    assert s.add(decline, Reply("unknown"), kb)
    assert s.add(decline, Reply("suggest", None, ("rouge",)), kb)
    assert s.add(decline, Reply("withheld"), kb)
    assert not s.add(decline, Reply("answered", "rouge-mother"), kb)  # first revealed in episode 5
    assert (s.right, s.near, s.answerable) == (1, 2, 3)
    assert (s.wrong, s.wrong_decline, s.past_horizon) == (2, 1, 1)
    assert (s.abstained, s.strict, s.decline) == (3, 2, 4)


def test_baseline_cutoff_with_no_wrong_answers_is_chosen_on_the_tuning_set(kb):
    right = cases.Case("a", None, None, frozenset({"rouge"}), cases.ANSWERABLE)
    other = cases.Case("b", None, None, frozenset(), cases.UNANSWERABLE)
    best = {right: ("rouge", 90.0), other: ("studio", 70.0)}
    assert quality.tune_cutoff(best, [right, other], kb, no_wrong=True) == 90.0
    cautious = quality.tune_cutoff({right: ("rouge", 60.0), other: ("studio", 70.0)}, [right, other], kb, no_wrong=True)
    assert cautious > 70.0  # answering nothing is the only way to no wrong answers


def test_baselines_see_only_the_knowledge_at_the_askers_horizon(kb):
    bm25 = ByHorizon(kb, BM25Baseline)
    assert bm25.best("scientist eva cristella", None)[0] == "rouge-mother"  # found from a reveal's words
    assert bm25.best("scientist eva cristella", 6)[0] != "rouge-mother"  # that reveal is from episode 8
    for upto in (0, 2, 4):
        entry_id, _ = ByHorizon(kb, WRatioBaseline).best("who is rouges mother", upto)
        assert entry_id is None or kb.entries[entry_id].first_episode <= upto


def test_wratio_baseline_uses_the_bots_normalisation(kb):
    wratio = WRatioBaseline(docs_of(kb), kb.series.synonyms)
    entry_id, score = wratio.best("WHO'S ROUGE'S MOM??")
    assert entry_id == "rouge-mother" and score == 100


def test_ours_through_the_adapter_reports_what_ask_json_reports(kb):
    ours = Ours(load_knowledge(MINI))
    reply = ours.ask("who is rouge's mother")
    assert (reply.status, reply.entry, reply.answered) == ("answered", "rouge-mother", True)
    before = ours.ask("who is rouge's mother", 2)  # first revealed in episode 5
    assert not before.answered and before.entry is None


def test_probe_measures_memory_and_latency(tmp_path):
    workload = {"questions": ["rouge mom", "studio"], "prefixes": ["rou"], "same": 1, "repeat": 2}
    for recipe in probe.RECIPES:
        found = probe.probe(recipe, MINI, workload)
        assert found["entries"] == len(load_knowledge(MINI).entries)
        assert found["peak"] >= found["rss"] > 0
        assert len(found["timings"]["match"]["cpu"]) == (4 if recipe == "ours" else 1)
        assert len(found["timings"]["match"]["wall"]) == len(found["timings"]["match"]["cpu"])


def test_a_comparison_counts_when_either_side_is_right_and_is_wrong_when_neither_is(kb):
    answerable = cases.Case("rouge vs studio", None, None, frozenset({"rouge"}), cases.ANSWERABLE)
    s = quality.Scores()
    assert s.add(answerable, Reply("answered", "studio", (), "rouge"), kb)
    assert not s.add(answerable, Reply("answered", "studio", (), "gene-father"), kb)
    assert (s.right, s.wrong) == (1, 1)
    early = cases.Case("q", 3, 3, frozenset({"rouge"}), cases.ANSWERABLE)
    spoiled = quality.Scores()
    spoiled.add(early, Reply("answered", "rouge", (), "rouge-mother"), kb)
    assert spoiled.past_horizon == 1  # the other side is first revealed in episode 5


def test_a_tuning_question_may_list_every_entry_that_answers_it(tmp_path, kb):
    path = tmp_path / "questions.yaml"
    path.write_text(
        '- {q: "who is rouge or her mother", expect: [rouge, rouge-mother], upto: 3}\n'
        '- {q: "rouge mother", expect: [rouge-mother], upto: 3}\n',
        "utf-8",
    )
    listed, later = cases.load_tuning(path, kb)
    assert listed.right == frozenset({"rouge"}) and listed.kind == cases.ANSWERABLE  # rouge-mother is from ep 5
    assert later.right == frozenset() and later.kind == cases.WITHHELD
    path.write_text('- {q: "x", expect: [rouge, nobody]}\n', "utf-8")
    with pytest.raises(ValueError, match="nobody"):
        cases.load_tuning(path, kb)


def test_a_threshold_sweep_measures_quality_only(tmp_path, monkeypatch, capsys):
    """``--tune`` prints the sweep and stops: it once went on to the twenty-minute speed run."""
    from benchmarks import __main__ as bench, speed

    def no_speed_run(*args, **kwargs):
        raise AssertionError("a sweep ran the speed benchmarks")

    monkeypatch.setattr(speed, "run", no_speed_run)
    asked = tmp_path / "questions.yaml"
    asked.write_text('- {q: "who made the show", expect: studio}\n', encoding="utf-8")
    assert bench.main(["--tune", "--grid", "answer=80", "--questions", str(asked), "--no-pin"]) == 0
    assert "Threshold sweep on the tuning set" in capsys.readouterr().out
