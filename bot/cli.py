"""Command line: ``python -m bot ask|complete|mystery|episode|chat|check|run|health``.

Uses the same core as the Discord bot: ``ask``, ``complete`` (autocomplete), ``mystery`` and
``episode`` print exactly what a fan would see, so every surface can be checked offline."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bot.health import main as health_main
from bot.health import seconds
from bot.knowledge.loader import KnowledgeError, load_knowledge, more_problems, summarize
from bot.answering.lore import Lore
from bot.site import command as site_command

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
    _fan_options(ask)
    ask.add_argument(
        "--batch", metavar="FILE",
        help='JSON lines {"question": ..., "upto": ...} from FILE ("-" for stdin), optionally with "command": '
        '"ask" | "complete" | "mystery" | "episode"; one JSON object out per line (see docs/commands.md)',
    )

    complete = commands.add_parser("complete", help="the autocomplete choices a fan sees while typing TEXT")
    complete.add_argument("question", metavar="TEXT", help="what is typed so far")
    complete.add_argument("--mystery", action="store_true", help="/mystery's topic autocomplete instead of /ask's")
    _fan_options(complete)

    mystery = commands.add_parser("mystery", help="answer /mystery KEY offline")
    mystery.add_argument("question", metavar="KEY", help="the mystery, e.g. mother")
    _fan_options(mystery)

    episode = commands.add_parser("episode", help="answer /episode N offline")
    episode.add_argument("number", type=_number, metavar="N", help="the episode number")
    _fan_options(episode)

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

    site_command.add_parser(commands)
    return parser


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number") from None


def _fan_options(parser: argparse.ArgumentParser) -> None:
    """The options every fan-facing command shares: whose horizon, which server, which output."""
    parser.add_argument("--upto", type=_episode, metavar="N", help="only what is revealed up to episode N")
    parser.add_argument(
        "--spoiler-free", type=_episode, default=0, metavar="N",
        help="episodes up to N are shown without spoiler bars (the server's horizon; default 0)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--knowledge", default=None, metavar="DIR", help="knowledge folder (default: $KNOWLEDGE_DIR or knowledge/)"
    )


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
    if args.command == "site":
        return site_command.run(args, knowledge_dir(args.knowledge), out, err)
    if args.command == "check":
        return _check(knowledge_dir(args.folder), out, err)
    if args.command == "chat":
        return _chat(args, out, err)
    return _fan_command(args, out, err)


def _check(folder: Path, out: TextIO, err: TextIO) -> int:
    try:
        kb = load_knowledge(folder)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=err)
        if error.omitted:
            print(more_problems(error.omitted), file=err)
        count = error.total
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


def _fan_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """ask, complete, mystery or episode: print what a fan would see."""
    batch = getattr(args, "batch", None)
    if args.command == "ask" and (args.question is None) == (batch is None):
        print("give a question, or --batch FILE, but not both", file=err)
        return 2
    lore = _load_lore(args.knowledge, err)
    if lore is None:
        return 1
    if batch is not None:
        return _batch(lore, batch, args.spoiler_free, out, err)
    argument = args.number if args.command == "episode" else args.question
    result = run_request(
        lore, args.command, argument, upto=args.upto, spoiler_free=args.spoiler_free,
        mystery=getattr(args, "mystery", False),
    )
    if args.json:
        print(json.dumps(result, ensure_ascii=False), file=out)
    elif args.command == "complete":
        for choice in result["choices"]:
            print(choice["name"], file=out)
    else:
        print(result["text"], file=out)
    return 0


def run_request(
    lore: Lore, command: str, argument: str | int, *, upto: int | None, spoiler_free: int, mystery: bool = False
) -> dict[str, Any]:
    """One fan-facing request, as JSON: an answer's fields, or ``{"choices": [...]}`` for complete."""
    if command == "complete":
        complete = lore.complete_mystery if mystery else lore.complete
        choices = complete(str(argument), upto=upto, spoiler_free=spoiler_free)
        return {"choices": [choice.to_json() for choice in choices]}
    if command == "mystery":
        answer = lore.mystery(str(argument), upto=upto, spoiler_free=spoiler_free)
    elif command == "episode":
        answer = lore.episode(int(argument), upto=upto, spoiler_free=spoiler_free)
    else:
        answer = lore.ask(str(argument), upto=upto, spoiler_free=spoiler_free)
    return answer.to_json()


#: the shape of a batch line, per command, for the error message
_BATCH_SHAPES = {
    "ask": '{"question": "text", "upto": episode or null}',
    "complete": '{"command": "complete", "question": "text", "upto": episode or null, "mystery": false}',
    "mystery": '{"command": "mystery", "question": "key", "upto": episode or null}',
    "episode": '{"command": "episode", "number": n, "upto": episode or null}',
}


def _parse_request(line: str) -> tuple[str, dict[str, Any]]:
    """A batch line as (command, request); raises ValueError with the expected shape."""
    command = "ask"
    try:
        request = json.loads(line)
        command = request.get("command", "ask")
        if command not in _BATCH_SHAPES:
            raise ValueError('expected "command": "ask", "complete", "mystery" or "episode"')
        upto = request.get("upto")
        key = "number" if command == "episode" else "question"
        value = request[key]
        wanted = int if command == "episode" else str
        if isinstance(value, bool) or not isinstance(value, wanted):
            raise TypeError
        if isinstance(upto, bool) or not (upto is None or (isinstance(upto, int) and upto >= 0)):
            raise TypeError
        if not isinstance(request.get("mystery", False), bool):
            raise TypeError
    except ValueError as error:
        if str(error).startswith('expected "command"'):
            raise
        raise ValueError(f"expected {_BATCH_SHAPES.get(command, _BATCH_SHAPES['ask'])}") from None
    except (KeyError, TypeError, AttributeError):
        raise ValueError(f"expected {_BATCH_SHAPES.get(command, _BATCH_SHAPES['ask'])}") from None
    return command, request


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
                command, request = _parse_request(line)
            except ValueError as error:
                failures += 1
                print(json.dumps({"line": number, "error": str(error)}), file=out)
                continue
            key = "number" if command == "episode" else "question"
            result = run_request(
                lore, command, request[key], upto=request.get("upto"), spoiler_free=spoiler_free,
                mystery=request.get("mystery", False),
            )
            echo = {"command": command} if "command" in request else {}
            print(json.dumps({**echo, key: request[key], **result}, ensure_ascii=False), file=out)
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
