"""The fact-labelled question sets stay well formed: their fact refs exist and their horizons are right.

The held-out sets are never tuned on (see their headers); this only keeps them honest as the fact
sheet is read. The fact-labelled tuning set is checked the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.check_heldout import check, read_facts

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["heldout.yaml", "heldout2.yaml", "heldout3.yaml", "heldout4.yaml", "tuning_facts.yaml", "tuning_chat.yaml"])
def test_fact_labelled_set_is_well_formed(name: str) -> None:
    questions = yaml.safe_load((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))
    episodes, low = read_facts(ROOT / "sources" / "metallic-rouge-facts.yaml")
    problems = check(questions, episodes, low, per_question=False)
    assert not problems, "\n".join(problems)
    assert len(questions) >= 150
    unanswerable = sum(1 for q in questions if not q["facts"])
    assert 0.15 <= unanswerable / len(questions) <= 0.25
