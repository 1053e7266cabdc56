"""Command line: ``python -m bot ask|chat|check|run|health``. Uses the same core as the Discord bot."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.health import main as health_main
from bot.health import seconds
from bot.knowledge.loader import KnowledgeError, load_knowledge, summarize
from bot.answering.lore import Lore

DEFAULT_KNOWLEDGE_DIR = "knowledge"


def _episode(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not an episode number") from None
    if number < 0:
        raise argparse.ArgumentTypeError("an episode number cannot be negative")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Metallic Rouge lore bot: ask offline, check knowledge, run on Discord."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question offline, exactly as the bot would")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--upto", type=_episode, metavar="N", help="only what is revealed up to episode N")
    ask.add_argument(
        "--spoiler-free", type=_episode, default=0, metavar="N",
        help="episodes up to N are shown without spoiler bars (the server's horizon; default 0)",
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument(
        "--batch", metavar="FILE",
        help='JSON lines {"question": ..., "upto": ...} from FILE ("-" for stdin); one JSON object out per line',
    )
    ask.add_argument("--knowledge", default=None, metavar="DIR", help="knowledge folder (default: $KNOWLEDGE_DIR or knowledge/)")

    chat = commands.add_parser(
        "chat", help="answer a chat message (an @mention, a DM or 'Answer with lore') offline, as the bot would"
    )
    chat.add_argument("message", help='the message as typed, e.g. "@LoreBot im on ep 6 who is rouge\'s mom??"')
    chat.add_argument("--progress", type=_episode, metavar="N", help="the author's saved /progress")
    chat.add_argument("--dm", action="store_true", help="the message is a DM to the bot")
    chat.add_argument(
        "--picker", type=_episode, metavar="N", nargs="?", const=-1, default=None,
        help="'Answer with lore' picked by another member, whose saved /progress is N (no N: none saved)",
    )
    chat.add_argument(
        "--spoiler-free", type=_episode, default=0, metavar="N",
        help="the server's spoiler-free horizon (default 0; a DM has none)",
    )
    chat.add_argument("--json", action="store_true", help="print one JSON object")
    chat.add_argument("--knowledge", default=None, metavar="DIR", help="knowledge folder (default: $KNOWLEDGE_DIR or knowledge/)")

    check = commands.add_parser("check", help="validate a knowledge folder (exit 1 with path:line: errors)")
    check.add_argument("folder", nargs="?", default=None, metavar="DIR")

    commands.add_parser("run", help="run the Discord bot (configured from environment variables)")

    health = commands.add_parser("health", help="exit 0 while the running bot's heartbeat is fresh, 1 if not (HEALTHCHECK)")
    health.add_argument("--max-age", type=seconds, default=None, metavar="S", help="oldest acceptable heartbeat (default 60)")
    health.add_argument("--file", default=None, metavar="PATH", help="the heartbeat file (default: $HEALTH_FILE)")
    return parser


def knowledge_dir(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get("KNOWLEDGE_DIR") or DEFAULT_KNOWLEDGE_DIR)


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    if args.command == "run":
        from bot.app import run  # imports discord; the offline commands never do

        return run()
    if args.command == "health":
        return health_main(args.file, args.max_age, out, err)
    if args.command == "check":
        return _check(knowledge_dir(args.folder), out, err)
    if args.command == "chat":
        return _chat(args, out, err)
    return _ask(args, out, err)


def _check(folder: Path, out: TextIO, err: TextIO) -> int:
    try:
        kb = load_knowledge(folder)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=err)
        count = len(error.problems)
        print(f"{folder}: {count} problem{'s' if count != 1 else ''}; nothing was loaded", file=err)
        return 1
    print(f"{folder} is valid: {summarize(kb)}", file=out)
    return 0


def _load_lore(folder: str | None, err: TextIO) -> Lore | None:
    """The lore service over ``folder`` (default: $KNOWLEDGE_DIR or knowledge/); None, with every
    problem printed, when the knowledge is not valid."""
    try:
        return Lore.load(knowledge_dir(folder))
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=err)
        return None


def _ask(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if (args.question is None) == (args.batch is None):
        print("give a question, or --batch FILE, but not both", file=err)
        return 2
    lore = _load_lore(args.knowledge, err)
    if lore is None:
        return 1
    if args.batch is not None:
        return _batch(lore, args.batch, args.spoiler_free, out, err)
    answer = lore.ask(args.question, upto=args.upto, spoiler_free=args.spoiler_free)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), file=out)
    else:
        print(answer.text, file=out)
    return 0


def _batch(lore: Lore, source: str, spoiler_free: int, out: TextIO, err: TextIO) -> int:
    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8")
    except OSError as error:
        print(f"{source}: cannot read: {error.strerror or error}", file=err)
        return 2
    failures = 0
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                question = request["question"]
                upto = request.get("upto")
                if not isinstance(question, str) or not (upto is None or (isinstance(upto, int) and upto >= 0)):
                    raise TypeError
            except (ValueError, KeyError, TypeError, AttributeError):
                failures += 1
                print(
                    json.dumps({"line": number, "error": 'expected {"question": "text", "upto": episode or null}'}),
                    file=out,
                )
                continue
            answer = lore.ask(question, upto=upto, spoiler_free=spoiler_free)
            print(json.dumps({"question": question, **answer.to_json()}, ensure_ascii=False), file=out)
    if failures:
        print(f"{source}: {failures} line(s) were not valid requests", file=err)
    return 1 if failures else 0


def _chat(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """What the bot replies to a chat message, and who sees it ("public", "private" or "none")."""
    from bot.answering.chat import (
        Place, Voice, answer_questions, delivery, limit_for, lowest_horizon, read_message, topic_words_for,
    )

    if args.dm and args.picker is not None:
        print("--picker is for 'Answer with lore' in a server; a DM is answered to its author", file=err)
        return 2
    lore = _load_lore(args.knowledge, err)
    if lore is None:
        return 1
    place = Place.DM if args.dm else Place.MENU if args.picker is not None else Place.MENTION
    message = read_message(args.message, topic_words=topic_words_for(place))
    picker = None if args.picker is None or args.picker < 0 else args.picker
    horizon = lowest_horizon(stated=message.stated, author=args.progress, picker=picker)
    result: dict = {"place": place.value, "stated": message.stated, "questions": list(message.questions)}
    if not message.questions:
        result.update(delivery="none" if place is Place.MENTION else "private", horizon=None, text=None)
    else:
        reply = answer_questions(
            lore, message.questions, horizon=horizon, spoiler_free=0 if args.dm else args.spoiler_free,
            voice=Voice.PICKER if place is Place.MENU else Voice.AUTHOR, limit=limit_for(place),
        )
        result.update(
            delivery=delivery(place, answered=reply.answered).value,
            horizon={"upto": horizon.upto, "source": horizon.source.value},
            text=reply.text,
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False), file=out)
    elif result["delivery"] == "none":
        print("(no reply: the bot answers a mention only when it has an answer)", file=err)
    else:
        print(result["text"] or "(a hint: the message asks nothing)", file=out)
    return 0
