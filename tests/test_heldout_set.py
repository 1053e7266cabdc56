"""The held-out question set stays well formed: its fact refs exist and its horizons are right.

The set is never tuned on (see its header); this only keeps it honest as the fact sheet is read.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.check_heldout import check, read_facts

ROOT = Path(__file__).resolve().parent.parent


def test_heldout_set_is_well_formed(capsys) -> None:
    questions = yaml.safe_load((ROOT / "tests" / "data" / "heldout.yaml").read_text(encoding="utf-8"))
    episodes, low = read_facts(ROOT / "sources" / "metallic-rouge-facts.yaml")
    problems = check(questions, episodes, low, per_question=False)
    assert not problems, "\n".join(problems)
    assert len(questions) >= 150
    unanswerable = sum(1 for q in questions if not q["facts"])
    assert 0.15 <= unanswerable / len(questions) <= 0.25
