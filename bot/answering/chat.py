"""Reading a chat message as lore questions: what it asks, and how far its author says they have watched.

Fans ask in the flow of a channel, not in a slash command: "@Bot wait who was the black gladiator
in ep 5?? im only on ep 6 lol". Before such a message reaches the matcher it is

1. cleaned (:func:`clean_message`): the bot's own mention, other mentions, custom emoji and links
   go; they carry no meaning for lore and would only add noise words;
2. searched for stated progress (:func:`parse_progress`): "im on ep 6", "only seen up to 9",
   "just finished ep 10", "watched 3 eps", "no spoilers past 7", "ep6 rn". The lowest episode
   stated is the message's horizon, and the phrases are removed, so "ep 6" does not pull in the
   episode-6 guide entry;
3. split into its questions (:func:`split_questions`): "?"-separated, "and also ...", "and who ...",
   one per sentence; chatter around them ("lol", "thanks") is dropped, and a message that asks
   nothing gives no question at all.

Then :func:`answer_questions` answers them at the lowest horizon known for the exchange
(:func:`lowest_horizon`: the stated progress, the author's saved progress, and for the message
context menu the progress of the member who picked it), with a footer saying which horizon was
used and why (:func:`horizon_footer`). Every answer comes from :func:`ask_lore`, the one place this
module reaches the lore service, so a reply at horizon ``h`` is made from what the service gives at
``h`` and nothing else: the parsing above looks only at the message, never at the knowledge.

Plain Python (no Discord): the chat cog, ``/ask`` and the tests share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from bot.answering.matcher import Verdict
from bot.answering.normalize import FILLER_WORDS, ORDINAL_WORDS, VAGUE_WORDS, fold, tokens
from bot.answering.render import MESSAGE_LIMIT, combine_answers, quote_user

if TYPE_CHECKING:
    from bot.answering.lore import Answer

#: Longest part of a message that is read; Discord allows 4000 characters with Nitro.
MAX_MESSAGE_CHARS = 2000
#: Questions answered from one message; more get a note to ask the rest separately.
MAX_QUESTIONS = 2
#: A message with no question form (no "?", no question word) still counts as a question when it is
#: this short: "@Bot black gladiator" asks about the black gladiator.
TOPIC_WORDS = 4

# -- cleaning ------------------------------------------------------------------------------------
_USER_MENTION = re.compile(r"<@!?(\d{1,20})>")
_OTHER_MARKUP = re.compile(
    r"<@&\d{1,20}>"  # role mentions
    r"|<#\d{1,20}>"  # channel mentions
    r"|<a?:\w{1,32}:\d{1,20}>"  # custom emoji
    r"|<t:-?\d{1,20}(?::[tTdDfFR])?>"  # timestamps
    r"|</[\w -]{1,100}:\d{1,20}>"  # command mentions
    r"|(?<![\w@])@[\w.-]{1,32}"  # @everyone, @here, and names typed as text ("@LoreBot")
    r"|<?https?://\S+>?"  # links: their words would match lore (".../metallic-rouge-episode-5")
    r"|\|\||[`*_~>]+",  # markdown and spoiler bars: the words inside still count
    re.IGNORECASE,
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_SPACES = re.compile(r"[ \t\u00a0]+")


def strip_mentions(text: str, user_ids: Iterable[int]) -> str:
    """``text`` without mentions of the given users (the bot's ``<@id>`` and ``<@!id>``)."""
    ids = {str(user_id) for user_id in user_ids}
    return _USER_MENTION.sub(lambda m: " " if m.group(1) in ids else m.group(0), text)


def clean_message(text: str, bot_ids: Iterable[int] = ()) -> str:
    """A message's words: the bot's mentions removed, and with them every other mention, custom
    emoji, link and markdown mark (none of them says anything about the lore). Line breaks stay:
    they separate questions."""
    text = strip_mentions(text[:MAX_MESSAGE_CHARS], bot_ids).translate(_APOSTROPHES)
    text = _USER_MENTION.sub(" ", text)
    text = _OTHER_MARKUP.sub(" ", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()


# -- stated progress -----------------------------------------------------------------------------
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUM = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_ORD = r"(\d{1,3}(?:st|nd|rd|th)?|" + "|".join([*_NUMBER_WORDS, *ORDINAL_WORDS]) + r")"
_EP_NAME = r"(?:episodes?|eps?|epis?)"
#: an episode named with the word episode: "ep 6", "episode six", "ep6", "ep. 6", "6th episode",
#: "the sixth ep", "3 eps", "s1e6"
_EPISODE = (
    rf"(?:\b{_EP_NAME}\.?\s*#?\s*{_NUM}\b"
    rf"|\b{_ORD}\s+{_EP_NAME}\b\.?"
    rf"|\bs0?1\s*e0?(\d{{1,2}})\b)"
)
#: what may follow a number alone for it to be an episode: the end of the clause, punctuation or an
#: emoji, or a word that starts the next clause ("seen up to 9 who is eden", "past 7 pls")
_CLAUSE_END = (
    r"(?=\s*(?:[^\w\s']|$)|\s+(?:and|but|so|tho|though|btw|lol|lmao|rn|now|yet|pls|plz|please|thanks|thx|ok|okay|"
    r"guys|who|whos|what|whats|when|where|why|how|which|is|are|was|were|does|did|do|can|could|any|anyone|"
    r"i|im|i'm|no|only|just|so far)\b)"
)
#: a number alone, where the words before it say it is an episode ("seen up to 9")
_BARE = rf"{_NUM}\b{_CLAUSE_END}"
_EPISODE_OR_BARE = rf"(?:{_EPISODE}|{_BARE})"
_SEEN = r"(?:finished|watched|seen|saw|completed|caught up (?:to|with|on)|got to|gotten to|reached|made it to|done with)"
_UP_TO = r"(?:up\s*to|upto|until|till|til|through|thru|as of)"
#: a statement about oneself starts a clause or follows "I": "haven't started yet", "i havent seen ep 9",
#: but not "why haven't the usurpers started the war"
_FIRST_PERSON = r"(?:^|(?<=[\n,.;:!?()])|\bi\s+|\bi'?ve\s+|\bive\s+)\s*"
_NEGATION = r"(?:haven'?t|havent|have not|didn'?t|didnt|did not)"


class _Kind(Enum):
    AT = "at"  # the episode named is the last one watched
    BEFORE = "before"  # the episode named is the first one not watched: one less
    NONE_YET = "none-yet"  # nothing watched: 0
    STARTED = "started"  # "just started": 1
    ASIDE = "aside"  # "finished it", "by ep 7": no horizon for the asker, and not words to match


_PROGRESS_PATTERNS: tuple[tuple[re.Pattern[str], _Kind], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind)
    for pattern, kind in (
        # "im on ep 6", "i'm only on 6", "i am currently at episode 6"
        (
            rf"\b(?:i'?m|i am|im)\s+(?:(?:currently|still|only|just|now|rn)\s+)?(?:on|at)\s+(?:the\s+)?{_EPISODE_OR_BARE}",
            _Kind.AT,
        ),
        # "currently on ep 6", "still at episode 4", "currently on 7"
        (rf"\b(?:currently|still|only|now)\s+(?:on|at)\s+(?:the\s+)?{_EPISODE_OR_BARE}", _Kind.AT),
        # "just finished ep 10", "i've only seen up to 9", "watched the first 3 episodes", "seen 3 eps",
        # "only seen to ep 5"
        (
            rf"\b(?:(?:i'?ve|ive|i|have|just|only|already|finally|recently)\s+){{0,4}}{_SEEN}\s+"
            rf"(?:(?:only|just)\s+)?(?:(?:{_UP_TO}|to)\s+)?(?:the\s+)?(?:first\s+)?{_EPISODE_OR_BARE}",
            _Kind.AT,
        ),
        # "up to ep 9", "as of episode 5", "spoilers only through 7"
        (rf"\b{_UP_TO}\s+(?:the\s+)?(?:end of\s+)?{_EPISODE_OR_BARE}", _Kind.AT),
        # "who is dead by ep 7", "by the end of episode 7": the question's scope, not the asker's
        # progress (titles inside it would lose their bars), but not words to match either (the
        # word episode is needed: "killed by 2 gladiators" says nothing of the kind)
        (rf"\bby\s+(?:the\s+)?(?:end of\s+)?{_EPISODE}", _Kind.ASIDE),
        # "no spoilers past 7", "nothing after ep 7", "dont spoil anything beyond episode 7"
        (
            rf"\b(?:(?:no|without|avoid|don'?t|dont|do not)\s+(?:any\s+)?(?:spoil(?:ers?|ing|s)?(?:\s+(?:me|anything))?)|nothing)\s+"
            rf"(?:(?:from|for|of)\s+)?(?:anything\s+)?(?:past|after|beyond|later than|above)\s+(?:the\s+)?{_EPISODE_OR_BARE}",
            _Kind.AT,
        ),
        # "no spoilers for ep 8 onwards": episode 8 is not watched yet
        (
            rf"\b(?:no|without|avoid|don'?t|dont)\s+(?:any\s+)?spoil(?:ers?|ing|s)?\s+(?:for|of|from)\s+(?:the\s+)?"
            rf"{_EPISODE}(?:\s+(?:on(?:wards?)?|and (?:after|later|up|beyond)))?",
            _Kind.BEFORE,
        ),
        # "ep6 rn", "episode 6 atm", "ep 4 so far"
        (rf"(?:\b(?:on|at)\s+(?:the\s+)?)?{_EPISODE}\s+(?:rn|right now|atm|at the moment|currently|so far)\b", _Kind.AT),
        # "3 eps in", "im only 3 in"
        (rf"\b{_NUM}\s+(?:episodes?|eps?)\s+in\b", _Kind.AT),
        (rf"\b(?:i'?m|im|i am)\s+(?:(?:only|just|like|about)\s+)?{_NUM}\s+in\b", _Kind.AT),
        # "haven't seen past 4", "i havent watched anything beyond ep 4"
        (
            rf"{_FIRST_PERSON}{_NEGATION}\s+(?:watched|seen|gotten|got|gone|been)\s+(?:anything\s+)?"
            rf"(?:past|after|beyond|further than)\s+(?:the\s+)?{_EPISODE_OR_BARE}",
            _Kind.AT,
        ),
        # "i stopped at episode 5", "paused after ep 5", "left off at 5"
        (rf"\b(?:stopped|paused|left off)\s+(?:at|after|on)\s+(?:the\s+)?{_EPISODE_OR_BARE}", _Kind.AT),
        # "watching ep 2 now": episode 2 is under way, so not seen yet (the safe reading)
        (rf"\bwatching\s+(?:the\s+)?{_EPISODE}", _Kind.BEFORE),
        # "halfway through ep 8", "in the middle of episode 8": under way too
        (
            rf"\b(?:(?:i'?m|im|i am)\s+(?:(?:only|just|like|about)\s+)?)?(?:(?:(?:half|mid|part)[\s-]?way|partly)\s+"
            rf"(?:through|thru|into)\s+(?:the\s+)?{_EPISODE_OR_BARE}|(?:in\s+the\s+middle\s+of|mid)\s+(?:the\s+)?{_EPISODE})",
            _Kind.BEFORE,
        ),
        # "haven't watched ep 9 yet", "i didn't see episode 9"
        (
            rf"{_FIRST_PERSON}{_NEGATION}\s+(?:yet\s+)?(?:watched|seen|saw|see|watch|finished|gotten to|got to|reached)\s+"
            rf"(?:the\s+)?{_EPISODE}(?:\s+yet)?",
            _Kind.BEFORE,
        ),
        # "haven't started yet", "i havent watched it yet", "haven't seen any"
        (
            rf"{_FIRST_PERSON}{_NEGATION}\s+(?:even\s+)?(?:yet\s+)?"
            r"(?:started|begun|watched (?:it|any(?:thing)?|the show|the anime)|seen (?:it|any(?:thing)?|the show|the anime))"
            r"(?:\s+(?:yet|watching))?\b(?!\s+(?:past|after|beyond|further)\b)",
            _Kind.NONE_YET,
        ),
        # "on ep 3, what is ...", "currently on episode 3": at the start of a clause (not "someone on ep 5 said")
        (rf"(?:^|(?<=[\n,.;:!?()]))\s*(?:(?:currently|still|only|now|just)\s+)?on\s+(?:the\s+)?{_EPISODE}", _Kind.AT),
        # "ep 3 here", "on episode 3 here"
        (rf"{_EPISODE}\s+here\b", _Kind.AT),
        # "ep 6 done, who is ...", "ok episode 6 finished:": a clause that opens with the episode
        (
            rf"(?:^|(?<=[\n,.;:!?()]))\s*(?:(?:ok|okay|so|alright|just)\s+)?(?:the\s+)?{_EPISODE}\s+"
            r"(?:(?:just|now)\s+)?(?:done|finished|watched|completed?)\b",
            _Kind.AT,
        ),
        # "just started ep 3": episode 3 is under way, so not seen yet (the safe reading)
        (
            rf"{_FIRST_PERSON}(?:(?:just|only just)\s+)?started\s+(?:watching\s+)?(?:the\s+)?{_EPISODE}",
            _Kind.BEFORE,
        ),
        # "just started (watching)", "i only just started"
        (
            rf"{_FIRST_PERSON}(?:just|only just)\s+started(?:\s+(?:watching|the show|the anime|it))?\b"
            rf"(?!\s+(?:watching\s+)?(?:the\s+)?(?:{_EP_NAME}\b|\d|{_ORD}\s+{_EP_NAME}))",
            _Kind.STARTED,
        ),
        # "finished it", "i've seen the whole thing", "watched all 13 eps": the whole series
        (
            r"(?:^|(?<=[\n,.;:!?()])|\b(?:i|i'?ve|ive|i'?m|im|just|already|finally|have)\s+)\s*"
            r"(?:(?:just|already|finally|recently|literally)\s+)?"
            r"(?:finished|watched|seen|completed|done with|binged)\s+"
            r"(?:it all|all of it|everything|the (?:whole )?(?:show|series|anime|season|thing)|all 13(?: episodes| eps)?|it)"
            r"(?:\s+(?:already|now|lol|lmao))?\b",
            _Kind.ASIDE,
        ),
    )
)


def _number(word: str) -> int:
    word = word.lower()
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    if word in ORDINAL_WORDS:
        return ORDINAL_WORDS[word]
    return int(re.sub(r"(st|nd|rd|th)$", "", word))


@dataclass(frozen=True, slots=True)
class StatedProgress:
    """What a message says about how far its author has watched."""

    #: the lowest episode the message says its author has watched; None when it says nothing
    episode: int | None
    #: the message without the phrases that said so
    text: str
    #: the phrases, as written
    phrases: tuple[str, ...] = ()


def parse_progress(text: str) -> StatedProgress:
    """Find every statement of progress in ``text``; the lowest one counts (the safe reading of
    "im on ep 3 with my sister, just finished ep 10 alone"). The phrases are removed from the
    returned text. Every pattern is free of nested repetition, so a hostile message cannot make
    the matching slow."""
    text = text.translate(_APOSTROPHES)
    found: list[tuple[int, int, int | None]] = []
    for pattern, kind in _PROGRESS_PATTERNS:
        for match in pattern.finditer(text):
            if kind is _Kind.ASIDE:
                found.append((match.start(), match.end(), None))
                continue
            if kind is _Kind.NONE_YET:
                episode = 0
            elif kind is _Kind.STARTED:
                episode = 1
            else:
                number = next(group for group in match.groups() if group)
                episode = _number(number) - (1 if kind is _Kind.BEFORE else 0)
            found.append((match.start(), match.end(), max(0, episode)))
    if not found:
        return StatedProgress(None, text)
    spans = _merge((start, end) for start, end, _ in found)
    phrases = tuple(text[start:end] for start, end in spans)
    kept, last = [], 0
    for start, end in spans:
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    episodes = [episode for _, _, episode in found if episode is not None]
    return StatedProgress(min(episodes, default=None), _tidy(" ".join(kept)), phrases)


def stated_progress(text: str) -> int | None:
    """The episode a message says its author has watched up to ("im on ep 6" -> 6), or None."""
    return parse_progress(text).episode


def without_progress(text: str) -> str:
    """``text`` with its statements of progress removed ("im on ep 6, who is naomi" -> "who is naomi")."""
    return parse_progress(text).text


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_EMPTY_BRACKETS = re.compile(r"\(\s*[,.;:!-]*\s*\)|\[\s*\]")
#: what is left of a removed phrase that opened a bracket: "(finished it, just checking)"
_BRACKET_THEN_COMMA = re.compile(r"\(\s*[,;:]\s*")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+(?=[,.;:!?])")
_REPEATED_COMMAS = re.compile(r"(?:\s*,){2,}")


def _tidy(text: str) -> str:
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = _BRACKET_THEN_COMMA.sub("(", text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = _SPACE_BEFORE_PUNCTUATION.sub("", text)
    text = _REPEATED_COMMAS.sub(",", text)
    return text.lstrip(" ,;:-.!\n").rstrip(" ,;:-\n")


# -- questions -----------------------------------------------------------------------------------
#: Words that open a question, misspellings and chat spellings included.
QUESTION_WORDS = frozenset(
    """
    who whos whose whom what whats wat wut wot wht waht whta when whens where wheres wher why whys
    how hows hwo which wich
    is isnt are arent was wasnt were werent do does doesnt did didnt can cant could will would
    should has hasnt have havent had
    tell explain remind describe define meaning anyone anybody
    """.split()
)
#: Wh-words: a question can start with chatter before them ("ok so wait who ...").
WH_WORDS = frozenset(
    "who whos whose whom what whats wat wut wot wht waht whta when whens where wheres wher why whys how hows hwo which wich".split()
)
#: Chatter that opens a message or stands alone and asks nothing.
CHATTER_WORDS = frozenset(
    """
    ok okay k kk so wait um uh umm hmm hm hey hi hello yo oh ah ahh aha bruh bro dude guys like lol
    lmao lmfao rofl omg omfg wow welp anyway anyways btw also and but plus pls please plz thanks
    thank thx ty tysm tyvm np gg nice cool great awesome good bad bot lorebot bestie yes yeah yep
    yea ya nope no nah right true fr frfr ngl tbh imo idk idc haha hahaha xd lel kek sheesh
    damn dang wild crazy insane love hate welcome sorry sry mb gm gn morning night bye cya
    question quick q real youre ur u theyre ive id ill lets gonna gotta wanna helped helpful help
    appreciate appreciated cheers perfect exactly makes sense got it see understand
    """.split()
)
#: a sentence ends at "." or "!" before a space, except after "vs" and "ep" ("neans vs. proto neans")
_SENTENCE_END = re.compile(r"(?<!\bvs)(?<!\bep)(?<!\beps)(?<!\bmr)(?<!\bdr)(?<!\bst)[.!]+(?=\s|$)", re.IGNORECASE)
_QUESTION_MARKS = re.compile(r"[?？¿]+[!.]*")
_WH_PATTERN = "|".join(sorted(WH_WORDS, key=len, reverse=True))
#: where one question ends and the next begins inside a sentence: "and also", "oh and", "also,", or
#: "and"/"also"/"plus"/"btw"/"but"/"or" right before a question word ("who is rouge and who is gene",
#: but not "how are rouge and gene related")
_CONNECTOR = re.compile(
    rf"\s*[,;]?\s*\b(?:and|also|plus|btw|but|or|and then)\s+(?=(?:{_WH_PATTERN})\b)"
    r"|\s*[,;]?\s*\b(?:and also|oh and|oh also|also,|plus also)\s+"
    # "whos the girl with the blue hair and is she evil": a yes/no question about the same one
    r"|\s*[,;]?\s*\band\s+(?=(?:is|was|are|were|does|did|do|can|could|will|would|has|had)\s+(?:she|he|they)\b)"
    # "whats nectar + who makes it", "who voices rouge / who voices naomi", "what studio made it, when did it air",
    # "what does chau warn gene about + was naomi the mole"
    rf"|\s+[&+/|]\s+(?=(?:{_WH_PATTERN}|is|was|are|were|does|did|do|can|will|has|had)\b)|\s*,\s*(?=(?:{_WH_PATTERN})\b)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w']+")
#: chat misspellings of question words, put right so the matcher sees a word it knows is filler
_QUESTION_WORD_SPELLINGS = {"wht": "what", "waht": "what", "whta": "what", "hwo": "who", "wich": "which", "wher": "where"}
_MISSPELLED_QUESTION_WORD = re.compile(r"\b(" + "|".join(_QUESTION_WORD_SPELLINGS) + r")\b", re.IGNORECASE)
#: A piece with nothing left after these is not a question.
#: chatter that is also a word of the lore: "id" opens "id love to know" but asks in "whats an id"
_LORE_CHATTER = frozenset({"id"})
_EMPTY_MEANING = FILLER_WORDS | VAGUE_WORDS | (CHATTER_WORDS - _LORE_CHATTER)


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    asked: bool  # ended with a question mark
    #: a question begins right after it in the same sentence ("ep 2 title and whats the op called")
    then_asks: bool = False


def _pieces(text: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for line in text.splitlines():
        parts = _QUESTION_MARKS.split(line)
        for index, part in enumerate(parts):
            asked = index < len(parts) - 1
            sentences = [s for s in _SENTENCE_END.split(part)]
            for number, sentence in enumerate(sentences):
                clauses = _CONNECTOR.split(sentence)
                for place, clause in enumerate(clauses):
                    last = number == len(sentences) - 1 and place == len(clauses) - 1
                    pieces.append(_Piece(clause.strip(" ,;:-"), asked and last, place < len(clauses) - 1))
    return [piece for piece in pieces if piece.text]


def _words(text: str) -> list[str]:
    """The words of ``text`` as the question words are spelled: "who's" is "whos"."""
    return [word.replace("'", "") for word in _WORD.findall(fold(text).translate(_APOSTROPHES)) if word.strip("'")]


def meaningful_words(text: str) -> list[str]:
    """The words of ``text`` that could name something in the lore (not filler, chatter or vague)."""
    return [word for word in tokens(text) if word not in _EMPTY_MEANING]


def _without_chatter_prefix(text: str) -> str:
    """"ok so wait who is rouge" -> "who is rouge": leading chatter goes, the rest stays as written."""
    match = re.match(r"(?:\s*[\w']+\s*[,:]?)", text)
    while match:
        word = match.group(0).strip(" ,:").lower().strip("'")
        if word not in CHATTER_WORDS or word in QUESTION_WORDS:
            break
        text = text[match.end():]
        match = re.match(r"(?:\s*[\w']+\s*[,:]?)", text)
    return text.strip()


def is_question(text: str, *, asked: bool = False) -> bool:
    """Whether a piece of a message asks something: a "?" at its end (``asked``), or a question
    word at its start after any chatter ("wait who ...", "so is gene ..."); and in either case
    at least one word that could name something in the lore ("lol what?" asks nothing)."""
    if not meaningful_words(text):
        return False
    if asked:
        return True
    words = _words(_without_chatter_prefix(text))
    if not words:
        return False
    if words[0] in QUESTION_WORDS:
        return True
    if words[0] in ("i", "im", "i'm") and len(words) > 2 and words[1] in ("wonder", "wondering", "curious"):
        return True  # "i wonder who ..."
    if words[0] in ("any", "anyone", "anybody", "someone", "somebody") or words[:2] == ["can", "someone"]:
        return True
    return any(word in WH_WORDS for word in words[:4])


#: a question that goes on from the one before it ("jean yunghart is human right? not a nean?")
_GOES_ON = re.compile(r"^\W*(?:not|or|nor|and|also|like|i mean|rather)\b", re.IGNORECASE)
#: or points back to someone it named ("who is naomi? is she human?")
_SOMEONE_BEFORE = re.compile(r"\b(?:he|him|his|she|her|hers|they|them|their)\b", re.IGNORECASE)
#: or to something ("whats the finale called and when does it come out"); but a message's "it" is
#: as often the show ("what studio made it, when did it air")
_SOMETHING_BEFORE = re.compile(r"\b(?:it|its|that|this|these|those)\b", re.IGNORECASE)
#: where a question's first clause ends
_CLAUSE_END = re.compile(r"[,;:]|\s[-–—]\s")


def refers_back(question: str, *, to_things: bool = True) -> bool:
    """Whether a question after the first means what the message said before it: alone, it would
    be answered about something else ("is she human", "when does it come out"). ``to_things``
    False: only a continuation or a pronoun for someone counts."""
    # A pronoun after the question's own first clause points inside it ("who is eva cristella,
    # i saw her name on the site"), not back.
    first_clause = _CLAUSE_END.split(question, maxsplit=1)[0]
    return bool(
        _GOES_ON.search(question)
        or _SOMEONE_BEFORE.search(first_clause)
        or (to_things and _SOMETHING_BEFORE.search(first_clause))
    )


def split_questions(text: str, *, topic_words: int | None = TOPIC_WORDS, keep_together: bool = True) -> list[str]:
    """The questions in ``text`` (already cleaned and without stated progress), in order.

    Pieces are separated by "?", line breaks, sentence ends and connectors that open a new
    question ("... and also ...", "... and who ..."); a piece counts when :func:`is_question` says so,
    with its leading chatter removed, and stays with the question before it when it points back
    to it (:func:`refers_back`) unless ``keep_together`` is False. When no piece asks anything, the
    whole text still counts as one question if it has at most ``topic_words`` meaningful words
    ("@Bot black gladiator"); pass ``topic_words=None`` to accept any length (a fan explicitly
    asked the bot about this message) or 0 to never accept a text without a question form.
    """
    return list(_questions(text, topic_words, keep_together)[0])


def _questions(text: str, topic_words: int | None, keep_together: bool = True) -> tuple[tuple[str, ...], bool]:
    """The questions, and whether they have a question form (False: the whole text as a topic)."""
    questions: list[str] = []
    pieces = _pieces(text)
    asks = [is_question(piece.text, asked=piece.asked) for piece in pieces]
    for piece, asking, then_asked in zip(pieces, asks, [*asks[1:], False]):
        if asking or _topic_before_question(piece, then_asked):
            question = _MISSPELLED_QUESTION_WORD.sub(
                lambda m: _QUESTION_WORD_SPELLINGS[m.group(1).lower()], _without_chatter_prefix(piece.text) or piece.text
            )
            if keep_together and questions and refers_back(question, to_things=False):
                questions[-1] = f"{questions[-1]}? {question}"
            elif question.lower() not in (q.lower() for q in questions):
                questions.append(question)
    if questions:
        return tuple(questions), True
    whole = _without_chatter_prefix(" ".join(p.text for p in pieces))
    meaning = meaningful_words(whole)
    if meaning and (topic_words is None or len(meaning) <= topic_words):
        return (whole,), False
    return (), False


def _topic_before_question(piece: _Piece, then_asked: bool) -> bool:
    """A few words naming a topic, joined to a question that follows (``then_asked``: "ep 2 title
    and whats the op song called"): a question of its own, though it has no question form."""
    if not (piece.then_asks and then_asked):
        return False
    named = meaningful_words(piece.text)
    words = [word for word in _words(piece.text) if word not in ("the", "a", "an")]
    return 0 < len(named) == len(words) <= TOPIC_WORDS  # "rouge was so cool and who ..." is chat


def asks_anything(text: str, *, topic_words: int | None = TOPIC_WORDS) -> bool:
    """Whether a message (as typed, mentions and stated progress included) asks the bot anything."""
    return bool(read_message(text, topic_words=topic_words).questions)


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message read for lore: its questions and the progress it states."""

    #: the lowest episode the message says its author has watched (None: it says nothing)
    stated: int | None
    #: its questions, in order, without mentions, links or stated progress
    questions: tuple[str, ...]
    #: the text the questions were read from
    cleaned: str
    #: False when no piece had a question form and the whole text stands as one topic
    #: ("@Bot black gladiator"); such a text may be chatter, so a miss is not worth recording
    question_form: bool = True


def read_message(text: str, *, bot_ids: Iterable[int] = (), topic_words: int | None = TOPIC_WORDS) -> ChatMessage:
    """Read a chat message: clean it, find stated progress, split it into questions."""
    cleaned = clean_message(text, bot_ids)
    progress = parse_progress(cleaned)
    questions, question_form = _questions(progress.text, topic_words)
    # Progress stated across sentence breaks ("im on. ep 6. rouge mom") is found in the questions
    # once their pieces are joined, as the lore service would find it: say so in the footer too.
    within = [parse_progress(question) for question in questions]
    if any(found.episode is not None for found in within):
        questions = tuple(found.text for found in within)
    stated = [found.episode for found in (progress, *within) if found.episode is not None]
    return ChatMessage(min(stated, default=None), questions, progress.text, question_form)


# -- whose horizon -------------------------------------------------------------------------------
class HorizonSource(Enum):
    """Where the horizon of an exchange came from (the footer says it)."""

    STATED = "stated"  # the message says how far its author has watched
    AUTHOR = "author"  # the message author's saved /progress
    PICKER = "picker"  # the saved /progress of the member who picked "Answer with lore"
    NONE = "none"  # nobody in the exchange said: the whole series, spoilers in bars


class Voice(Enum):
    """Who the footer talks to."""

    AUTHOR = "author"  # the reply answers the message's author (a mention, a DM, or they picked the menu)
    PICKER = "picker"  # someone else picked "Answer with lore" on the author's message


@dataclass(frozen=True, slots=True)
class ChatHorizon:
    upto: int | None
    source: HorizonSource


def lowest_horizon(*, stated: int | None, author: int | None, picker: int | None = None) -> ChatHorizon:
    """The horizon of an exchange read by several people: the lowest episode known for it.

    A public answer in a channel is read by the asker and everyone else, so it stops at the lowest
    of: the progress the message states, the message author's saved progress, and (message context
    menu) the progress of the member who picked it. ``None`` means "not known" and never wins over
    a number. On a tie the source earlier in that list is named.
    """
    known = [
        (episode, source)
        for episode, source in ((stated, HorizonSource.STATED), (author, HorizonSource.AUTHOR), (picker, HorizonSource.PICKER))
        if episode is not None
    ]
    if not known:
        return ChatHorizon(None, HorizonSource.NONE)
    episode, source = min(known, key=lambda item: item[0])
    return ChatHorizon(max(0, episode), source)


def _as_of(episode: int) -> str:
    return f"As of episode {episode}" if episode > 0 else "Before episode 1"


def horizon_footer(horizon: ChatHorizon, *, voice: Voice = Voice.AUTHOR) -> str:
    """One small line saying which horizon an answer used and why ("as of episode 6, as you said")."""
    if horizon.upto is None or horizon.source is HorizonSource.NONE:
        return (
            "-# Whole series, later reveals in spoiler bars. "
            "Say “im on ep 6” or use /progress to stop at your episode."
        )
    as_of = _as_of(horizon.upto)
    if horizon.source is HorizonSource.STATED:
        why = "as you said" if voice is Voice.AUTHOR else "as the message says"
    elif horizon.source is HorizonSource.AUTHOR:
        why = (
            "the progress you saved with /progress"
            if voice is Voice.AUTHOR
            else "the progress its author saved with /progress"
        )
    else:
        why = "the progress saved with /progress by the member who asked me to answer"
    return f"-# {as_of}, {why}."


# -- where a reply goes --------------------------------------------------------------------------
class Place(Enum):
    """Where a chat message asked the bot."""

    MENTION = "mention"  # a message in a server channel that mentions the bot (or a reply that does)
    DM = "dm"  # a direct message to the bot
    MENU = "menu"  # "Answer with lore" on a message


class Delivery(Enum):
    PUBLIC = "public"  # a reply to the message, for everyone in the channel
    PRIVATE = "private"  # for the asker only (the DM, or an ephemeral answer to the menu)
    NONE = "none"  # no reply at all


def delivery(place: Place, *, answered: bool) -> Delivery:
    """Who sees a reply. An answer is public where the question was asked in public; "I don't
    know", "not revealed yet" and "did you mean" are private, and for a mention, where a private
    reply to a plain message is impossible, there is none (never a public "I don't know")."""
    if place is Place.DM:
        return Delivery.PRIVATE
    if answered:
        return Delivery.PUBLIC
    return Delivery.PRIVATE if place is Place.MENU else Delivery.NONE


#: room kept below Discord's limit in a menu answer, for a note the Discord layer may add to it
#: ("only you see this")
NOTE_ROOM = 200


def topic_words_for(place: Place) -> int | None:
    """How long a text without a question form may be and still count as a question: any length
    for "Answer with lore" (someone asked the bot about that message), :data:`TOPIC_WORDS` else."""
    return None if place is Place.MENU else TOPIC_WORDS


def limit_for(place: Place) -> int:
    """The longest reply for ``place``."""
    return MESSAGE_LIMIT - NOTE_ROOM if place is Place.MENU else MESSAGE_LIMIT


# -- answering -----------------------------------------------------------------------------------
class LoreService(Protocol):
    """What chat answering needs from the lore service (:class:`bot.answering.lore.Lore`)."""

    def ask(self, question: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer: ...


def ask_lore(lore: LoreService, question: str, *, upto: int | None, spoiler_free: int) -> Answer:
    """The one call from chat answering into the lore service: a question at a horizon."""
    return lore.ask(question, upto=upto, spoiler_free=spoiler_free)


@dataclass(frozen=True, slots=True)
class ChatReply:
    """What the bot would say to a chat message."""

    #: the message, footer included, at most 2000 characters
    text: str
    #: True when at least one question was answered: a reply worth posting for everyone.
    #: False when it would only say "I don't know", "not revealed yet" or "did you mean".
    answered: bool
    #: the questions considered (at most :data:`MAX_QUESTIONS`) and their answers, in order
    questions: tuple[str, ...]
    answers: tuple[Answer, ...]
    horizon: ChatHorizon
    #: questions the message held beyond those considered
    skipped: int = 0

    @property
    def key(self) -> str:
        """What the reply is about, for the duplicate guard ("chat:rouge-mother+gene-father")."""
        ids = dict.fromkeys(a.entry.id for a in self.answers if a.status is Verdict.ANSWERED and a.entry is not None)
        return "chat:" + "+".join(ids or ["-"])  # an entry answered twice is shown once

    @property
    def suggestions(self) -> tuple:  # tuple[Suggestion, ...]
        """The "did you mean" choices, when the reply is one question's "did you mean"."""
        if len(self.answers) == 1 and self.answers[0].status is Verdict.SUGGEST:
            return tuple(self.answers[0].suggestions)
        return ()

    @property
    def misses(self) -> tuple[str, ...]:
        """The questions nobody could answer (recorded for moderators, without who asked), and the
        parts of an answered one that got no answer ("who is naomi and who is zorblax")."""
        missed = [q for q, a in zip(self.questions, self.answers) if a.status is Verdict.UNKNOWN]
        return (*missed, *(part for a in self.answers for part in a.unanswered))


def _answer_in_turn(lore: LoreService, questions: Sequence[str], *, upto: int | None, spoiler_free: int) -> list[Answer]:
    """Each question's answer; a later one that may point back to a thing ("whats the op called and
    who sings it") and has no answer alone is asked again after the question before it."""
    answers = []
    for n, question in enumerate(questions):
        answer = ask_lore(lore, question, upto=upto, spoiler_free=spoiler_free)
        if n and answer.status is not Verdict.ANSWERED and refers_back(question):
            joined = ask_lore(lore, f"{questions[n - 1]}? {question}", upto=upto, spoiler_free=spoiler_free)
            if joined.status is Verdict.ANSWERED:
                answer = joined
        answers.append(answer)
    return answers


def answer_questions(
    lore: LoreService,
    questions: Sequence[str],
    *,
    horizon: ChatHorizon,
    spoiler_free: int,
    voice: Voice = Voice.AUTHOR,
    limit: int = MESSAGE_LIMIT,
) -> ChatReply:
    """Answer a message's questions at ``horizon`` as one reply that fits ``limit`` characters.

    Two questions are both answered, each shortened to half the room when both do not fit; a third
    and later ones get a note. A question without an answer, beside one that has one, gets a short
    line that reads the same whatever the reason (unknown, not revealed yet, unsure), so it says
    nothing about later episodes.
    """
    considered = tuple(questions[:MAX_QUESTIONS])
    answers = tuple(_answer_in_turn(lore, considered, upto=horizon.upto, spoiler_free=spoiler_free))
    skipped = max(0, len(questions) - len(considered))
    footer = horizon_footer(horizon, voice=voice)
    parts: list[str] = []
    notes: list[str] = []
    answered_ids: set[str] = set()
    for question, answer in zip(considered, answers):
        if answer.status is Verdict.ANSWERED and answer.entry is not None:
            if answer.entry.id not in answered_ids:
                answered_ids.add(answer.entry.id)
                parts.append(answer.text)
        else:
            notes.append(f"-# Nothing I can tell you about {quote_user(question)} here; try /ask with other words.")
    answered = bool(parts)
    if not answered:  # the private reply: what each question got, as the service said it
        parts, notes = list(dict.fromkeys(a.text for a in answers)), []
    if skipped:
        notes.append(f"-# I answered the first {len(considered)} questions; ask the others separately.")
    text = combine_answers(parts, [*notes, footer], limit)
    return ChatReply(text, answered, considered, answers, horizon, skipped)
