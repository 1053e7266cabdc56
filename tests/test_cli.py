"""The offline CLI, run as a moderator or a script would run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
BROKEN = ROOT / "tests" / "data" / "broken"


def run_cli(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KNOWLEDGE_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=60,
    )


def test_ask_prints_the_rendered_answer() -> None:
    result = run_cli("ask", "--knowledge", str(MINI), "whos rouges mom", "--upto", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "**Who is Rouge's mother?**",
        "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)",
    ]


def test_ask_json_fields() -> None:
    result = run_cli("ask", "--knowledge", str(MINI), "what is the alter", "--upto", "5", "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"status", "entry", "also", "episode", "text", "suggestions", "score"}
    # the Alter is first revealed at 9: at 5 that is the one "can't answer" reply, status unknown
    assert data["status"] == "unknown"
    assert data["entry"] is None and data["episode"] is None and data["suggestions"] == []
    assert data["text"].startswith("I can't answer “what is the alter” as of episode 5.")


def test_complete_prints_the_choices_a_fan_sees() -> None:
    result = run_cli("complete", "--knowledge", str(MINI), "rouge mo", "--upto", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Who is Rouge's mother?"
    early = run_cli("complete", "--knowledge", str(MINI), "rouge mo", "--upto", "4", "--json")
    assert "rouge-mother" not in [c["value"] for c in json.loads(early.stdout)["choices"]]
    # with no progress, choices (which cannot hold spoiler bars) stop at the server's horizon
    everything = run_cli("complete", "--knowledge", str(MINI), "", "--json")
    assert json.loads(everything.stdout) == {"choices": [{"name": "Which studio made Metallic Rouge?", "value": "studio"}]}
    server = run_cli("complete", "--knowledge", str(MINI), "", "--spoiler-free", "5", "--json")
    assert {c["value"] for c in json.loads(server.stdout)["choices"]} == {"rouge-mother", "gene-father", "rouge", "studio"}
    mysteries = run_cli("complete", "--mystery", "--knowledge", str(MINI), "", "--upto", "3")
    assert mysteries.stdout == "father: Who is Gene's father?\n"


def test_mystery_and_episode_print_the_answer() -> None:
    mother = run_cli("mystery", "--knowledge", str(MINI), "mother", "--upto", "5")
    assert mother.returncode == 0, mother.stderr
    assert mother.stdout.startswith("**Who is Rouge's mother?**\n")
    unknown = json.loads(run_cli("mystery", "--knowledge", str(MINI), "naruto", "--upto", "3", "--json").stdout)
    assert unknown["status"] == "unknown"
    assert unknown["text"].endswith("\n-# Mysteries I know: father")
    episode = run_cli("episode", "--knowledge", str(MINI), "8", "--spoiler-free", "8")
    assert episode.stdout.startswith("**Episode 8:** Nowhere House\n")
    later = json.loads(run_cli("episode", "--knowledge", str(MINI), "8", "--upto", "5", "--json").stdout)
    assert later["status"] == "withheld" and "Nowhere House" not in later["text"]
    assert run_cli("episode", "--knowledge", str(MINI), "eight").returncode == 2


def test_batch_reads_json_lines_and_reports_bad_lines() -> None:
    lines = "\n".join(
        [
            json.dumps({"question": "rouge mom", "upto": 5}),
            json.dumps({"question": "who is naruto"}),
            "not json",
            json.dumps({"question": "rouge mom", "upto": "five"}),
            "",
            json.dumps({"question": "alter", "upto": 3}),
        ]
    )
    result = run_cli("ask", "--knowledge", str(MINI), "--batch", "-", stdin=lines)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("status") for o in out] == ["answered", "unknown", None, None, "unknown"]
    assert out[0]["entry"] == "rouge-mother" and out[0]["episode"] == 5
    assert out[2] == {"line": 3, "error": 'expected {"question": "text", "upto": episode or null}'}
    assert result.returncode == 1
    assert "2 line(s) were not valid requests" in result.stderr


def test_batch_lines_may_name_any_fan_command() -> None:
    lines = "\n".join(
        json.dumps(request)
        for request in [
            {"command": "ask", "question": "rouge mom", "upto": 5},
            {"command": "complete", "question": "rouge mo", "upto": 5},
            {"command": "complete", "question": "", "upto": 3, "mystery": True},
            {"command": "mystery", "question": "mother", "upto": 5},
            {"command": "episode", "number": 8, "upto": 5},
            {"command": "episode", "number": "8"},
            {"command": "explain", "question": "rouge"},
        ]
    )
    result = run_cli("ask", "--knowledge", str(MINI), "--batch", "-", "--spoiler-free", "5", stdin=lines)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["command"] == "ask" and out[0]["entry"] == "rouge-mother"
    assert out[1]["choices"][0] == {"name": "Who is Rouge's mother?", "value": "rouge-mother"}
    assert out[2] == {"command": "complete", "question": "", "choices": [{"name": "father: Who is Gene's father?", "value": "father"}]}
    assert out[3]["text"] == out[0]["text"]  # /mystery mother and /ask rouge mom: one answer
    assert out[4]["number"] == 8 and out[4]["status"] == "withheld"
    assert out[5] == {"line": 6, "error": 'expected {"command": "episode", "number": n, "upto": episode or null}'}
    assert out[6] == {"line": 7, "error": 'expected "command": "ask", "complete", "mystery" or "episode"'}
    assert result.returncode == 1


def test_batch_handles_thousands_quickly(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text("".join(json.dumps({"question": f"rouge mom {n}"}) + "\n" for n in range(2000)))
    result = run_cli("ask", "--knowledge", str(MINI), "--batch", str(questions))
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 2000


def test_check_valid_folder() -> None:
    result = run_cli("check", str(MINI))
    assert result.returncode == 0
    assert "is valid: 1 series (13 episodes), 5 entries, 2 mysteries, 11 aliases" in result.stdout


def test_check_broken_folder_lists_problems_and_exits_1(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "kb")
    shutil.copy(BROKEN / "see_also_missing.yaml", tmp_path / "kb")
    result = run_cli("check", "kb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "kb/see_also_missing.yaml:4: see_also points to 'gene-fathr', which is not an entry id "
        "(did you mean 'gene-father'?)",
        "kb: 1 problem; nothing was loaded",
    ]
    assert "Traceback" not in result.stderr


def test_check_defaults_to_knowledge_folder(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "knowledge")
    assert run_cli("check", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", "--upto", "-1", "x"), "an episode number cannot be negative"),
        (("ask", "--upto", "five", "x"), "'five' is not an episode number"),
        (("ask",), "give a question, or --batch FILE, but not both"),
    ],
)
def test_bad_arguments_get_a_clear_message(args: tuple[str, ...], message: str) -> None:
    result = run_cli(*args[:1], "--knowledge", str(MINI), *args[1:])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_with_broken_knowledge_reports_problems(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "kb")
    shutil.copy(BROKEN / "tab_indent.yaml", tmp_path / "kb")
    result = run_cli("ask", "--knowledge", "kb", "rouge", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "kb/tab_indent.yaml:3: a tab character is used for indentation; YAML needs spaces"


def test_chat_answers_a_mention_as_the_bot_would() -> None:
    result = run_cli("chat", "--knowledge", str(MINI), "@LoreBot wait im on ep 6 lol who is rouges mom?? 😭")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "**Who is Rouge's mother?**",
        "||Rouge and Gene share a mother; her identity is unrevealed.|| (ep 5)",
        "-# That is what is known as of episode 6; later episodes may reveal more.",
        "-# See also: Who is Gene's father?",
        "-# As of episode 6, as you said.",
    ]


def test_chat_json_says_who_sees_the_reply_and_which_horizon() -> None:
    def chat(*args: str) -> dict:
        result = run_cli("chat", "--knowledge", str(MINI), "--json", *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    menu = chat("who is gene's dad?", "--progress", "3", "--picker", "13")
    assert (menu["place"], menu["delivery"], menu["horizon"]) == ("menu", "public", {"upto": 3, "source": "author"})
    assert "Eden" not in menu["text"]
    assert menu["text"].endswith("-# As of episode 3, the progress its author saved with /progress.")
    unknown = chat("who voices naruto?")
    assert (unknown["place"], unknown["delivery"]) == ("mention", "none")
    dm = chat("who voices naruto?", "--dm")
    assert dm["delivery"] == "private" and dm["text"].startswith("I don't know the answer to “who voices naruto”")
    chatter = chat("thanks!! 🙏")
    assert (chatter["questions"], chatter["delivery"], chatter["text"]) == ([], "none", None)
