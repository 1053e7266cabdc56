"""The lore service: one question in, one answer out. Shared by the CLI and the Discord layer.

A :class:`Lore` wraps one loaded knowledge base and its matcher. It is immutable (apart from
caches), so a reload builds a new one and swaps it in whole; an answer in flight keeps the
knowledge it started with.

**Spoiler noninterference.** Everything an asker at horizon ``h`` sees comes from
``Lore.at(h)``, a :class:`LoreView` holding only ``cut(kb, h)`` (the knowledge as episode ``h``
knows it) and the matcher's view at ``h``; it never sees the rest. So each reply, "did you
mean" list and label, autocomplete choice, mystery, episode page, "see also" and footer is
byte-identical whether or not the knowledge holds anything first revealed after ``h``. In
particular "not revealed yet" and "I don't know" are one reply, status ``unknown``.

With no horizon (``upto`` None: the whole series), the whole knowledge is used; whatever is first
visible after the server's spoiler-free episode ``s`` is named only inside spoiler bars (see
``render``), and the lists that cannot hold bars (autocomplete choices, "Mysteries I know") are
those of ``Lore.at(s)``: see :func:`listing_horizon`.

**What a question asks.** The view answers with the matcher's best entry, leading with the reveal
that answers the question (``Scored.focus``), and reads the question's form (bot.answering.forms,
from the wording only): a comparison is answered side by side, a yes/no question by the entry
that names its subject, a question about who voices someone by the cast entry, a question about an
attribute (age, height, real name) only by an entry that speaks of it, and a message asking two
things by both answers in one message, as a chat reply does. Each of these looks only at the view's
own knowledge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from rapidfuzz import fuzz

from bot.gc_pause import paused_gc
from bot.knowledge.horizon import cut
from bot.knowledge.loader import load_knowledge
from bot.answering.chat import MAX_QUESTIONS, WH_WORDS, is_question, parse_progress, refers_back, split_questions
from bot.answering.forms import Form, QuestionForm, asks_ahead, read_claim, read_form, shared_question
from bot.answering.normalize import CHAT_WORDS, ORDINAL_WORDS, VAGUE_WORDS, stem, tokens
from bot.answering.matcher import HorizonMatcher, Matcher, MatchResult, Scored, Verdict, episode_numbers
from bot.knowledge.model import Entry, KnowledgeBase, Reveal
from bot.answering.render import (
    clip,
    combine_answers,
    escape,
    MESSAGE_LIMIT,
    quote_user,
    render_answer,
    render_comparison,
    render_empty_question,
    render_episode,
    render_not_known,
    render_not_known_choice,
    render_suggestions,
    render_unknown,
    visible_reveals,
)

#: Longest question the bot reads; Discord allows 6000 characters in an option, nobody asks that.
MAX_QUESTION_CHARS = 300
#: what an episode's own entry tells besides its events, and those events asked for as a whole:
#: "ep 7 title", "when did ep 7 come out" (-> "release"), "what was episode 10 about"
_EPISODE_ASKS = frozenset(
    form
    for word in (
        "title titled call called name named air aired airing release released drop dropped date day premiere premiered "
        "happen happens happened about recap summary summarise summarize plot explain explained japanese kanji english "
        "japan stream streamed january february march april may june july august september october november december "
        "list"
    ).split()
    for form in (word, stem(word))
)
#: words that ask for nothing in such a question: the episode, the show itself, chat, and what
#: a fan says of when they saw it ("up a day early", "i binged it late")
_EPISODE_CHATTER = frozenset(
    {"episode", "anime", "up", "early", "late", "later", *CHAT_WORDS, *VAGUE_WORDS, *map(stem, CHAT_WORDS | VAGUE_WORDS)}
)
#: an episode named by its place: "the first episode", "the last ep", "the finale"
_LAST = frozenset({"last", "final", "finale"})
#: what a quoted title in a text is the title of: an episode, a song
_TITLED = frozenset(stem(word) for word in "episode finale song opening ending theme track ost title".split())


#: where a question's first clause ends and what the asker says of it begins ("who's the
#: director on this one, the action scenes are insane")
_CLAUSE_BREAK = re.compile(r"\s*[,;]\s+|\s+[-–—]\s+")
#: a question asked of the show itself, and the question in it: "does the show ever explain why roy
#: did all this", "do we ever find out who rouge's mom is", "is it ever revealed what code eve does"
_ASKED_OF_THE_SHOW = re.compile(
    r"^\W*(?:(?:so|wait|but|and|ok|okay|also|ngl|tbh)\W+)*"
    r"(?:(?:do|does|did|will)\s+(?:they|we|you|the\s+(?:show|anime|series|story|finale|ending))\s+(?:\w+\s+)?"
    r"(?:explain|reveal|say|find\s+out|show|tell(?:\s+us)?|learn|mention|clarify|get\s+to\s+(?:know|see)|know|see)"
    r"|is\s+it\s+(?:\w+\s+)?(?:explained|revealed|said|shown|mentioned))"
    r"\s+(?:about\s+)?(?P<asked>\w.*)$"
)
#: a claim put up to be checked, and where it is: "is it true that naomi works for aletheia",
#: "someone said giallon killed roy, is that legit?", "my friend swears gene is a nean, true?"
_CLAIM_ASKED_FIRST = re.compile(
    r"^\W*(?:(?:so|wait|ok|okay|hey|but|and|also|lol|ngl|tbh)\W+)*(?:is it|is that|it is|its|it's)\s+true\s+"
    r"(?:that\s+)?(?P<claim>\w.*)$"
)
_CLAIM_ASKED_AFTER = re.compile(
    r"^(?P<claim>.+?)[\s,;:.!-]+(?:(?:is|was)\s+(?:that|it|this)\s+|(?:that'?s|thats|it'?s|its)\s+)?"
    r"(?:true|legit|right|correct|accurate|real|a thing)\s*(?:\?+|or (?:not|nah|no)\W*|\W*$)\W*$"
)
#: who put the claim up, before it: "someone said", "my friend swears (that)", "i heard"
_CLAIMED_BY = re.compile(
    r"^\W*(?:(?:so|wait|ok|okay|but|and|lol|ngl)\W+)*"
    r"(?:(?:someone|somebody|people|my (?:friend|bf|gf|brother|sister)|a friend|(?:some|this) (?:guy|person|dude)|i)"
    r"\s+(?:\w+\s+)?(?:said|says|told me|swears?|claims?|thinks?|heard|read|saw)|i heard|i read)"
    r"(?:\s+(?:on|in) \w+)?\s+(?:that\s+)?"
)
#: a word as typed, to tell two words of one name ("roy junghardt") from two names
_TYPED_WORD = re.compile(r"[\w']+")
#: words giving a reason: "because", "to stop them", "out of love", "his motives"
_A_REASON = re.compile(
    r"\b(?:because|since|so that|in order to|out of|motives?|reasons?|why|wish(?:es)?|wants?|wanted|meant to"
    r"|to (?:stop|protect|free|save|punish|liberate|pressure|find|get|make))\b"
)
#: the original language, in a cast question ("who voices eva in japanese", "genes jp va")
_IN_JAPANESE = re.compile(r"\b(?:in\s+(?:the\s+)?)?(?:japanese|jp|jpn|original\s+japanese)\b(?:\s+(?:version|audio|sub|subs))?")
#: a question word after a few words of chat in the same sentence ("this soundtrack goes so hard
#: 🎷 who did the music"): where the question begins
_QUESTION_WORD_INSIDE = re.compile(r"(?<=\s)(?:who|whos|who's|what|whats|what's|when|where|why|how|which)\b(?=\s+\w)")
#: a question asking what an episode's own entry tells of "it", the episode the asker says they
#: are on ("just finished ep 4, who directed it?", "im on ep 6, what was it called again")
_IT = r"\b(?:it|this one|this ep|this episode|that one|that ep|that episode)\b"
_ASKS_OF_THE_EPISODE = re.compile(
    r"\b(?:directed|direct|directs|director|wrote|written|writer|storyboard\w*|called|titled|named|title|name|aired|air"
    rf"|released|release|come out|came out)\b[^.!?]{{0,12}}{_IT}"
    rf"|{_IT}[^.!?]{{0,12}}\b(?:called|titled|named|directed|written|aired|released)\b"
)
_THE_EPISODE = re.compile(_IT)
#: a question asking in which episode something happens, or someone first appears: "what ep does
#: cyan first show up", "which ep do we find out who rouge's mom is", "when does jill turn out to
#: be silvia", "when do the alter kidnap gene" (not "when did it / the show come out")
_WHICH_EPISODE = re.compile(
    r"\b(?:what|which|wat|wich)\s+(?:ep|eps|episode|epi|episodes)\b"
    r"|(?<!in the )(?<!on the )(?<!of the )\b(?:first|1st)\s+(?:ep|episode)\s+(?:with|where|that)\b"
    r"|^(?:\w+\s+){0,3}?when\s+(?:do|does|did|is|was|are|were)\b(?=.*\b(?:first|1st|show\s+up|shows\s+up|appear\w*"
    r"|introduc\w*|debut\w*|find\s+out|found\s+out|learn\w*|turn\w*\s+out|reveal\w*)\b)"
    r"|^(?:\w+\s+){0,3}?when\s+(?:do|does|did)\s+(?!it\b|the\s+(?:show|anime|series)\b)"
)
#: words of a which-episode question that name no event ("which ep number", "direct together")
_NO_EVENT = frozenset(stem(word) for word in "number together".split())
#: the words of such a question that only ask for the episode
_EPISODE_ASKING = re.compile(
    r"\b(?:what|which|wat|wich|when)(?:\s+(?:ep|eps|episode|epi|episodes))?(?:\s+(?:do|does|did|is|was|are|were|will))?"
    r"(?:\s+(?:we|you|they|i|u))?\b|\b(?:first|1st)\s+(?:ep|episode)\b"
    r"|\b(?:in|on)\s+(?:the\s+)?(?:show|anime|series)\b|\bthe\s+show\b|\b(?:actually|finally|even|exactly)\b"
    r"|\b(?:find|finds|found|finding)\s+out\b(?:\s+(?:that|about))?|\b(?:learn|learns|learned|learnt|hear|heard)\s+(?:that|about)\b"
    r"|\b(?:turn|turns|turned)\s+out(?:\s+to\s+be)?\b|\b(?:reveal|reveals|revealed)\b(?:\s+(?:that|about))?"
    r"|\b(?:is\s+|was\s+)?the\s+one\s+(?:where|with|when|that)\b|\b(?:has|had|have)\s+(?:the|that)\b"
)
#: the words of a first appearance: the answer is the first reveal of whom it names
_FIRST_APPEARANCE = re.compile(
    r"\b(?:first|1st)\b|\bshows?\s+up\b|\bshowed\s+up\b|\bappear\w*|\bintroduc\w*|\bdebut\w*|\bin\s+person\b"
    r"|\bpops?\s+up\b|\bcomes?\s+in\b"
)


def _episode_for_it(question: str, stated: int | None) -> str:
    """"im on ep 6 rn who directed it", "the tank scene in ep 7 was so well boarded, who directed
    that one": "it" in a question about an episode's title, staff or air date is the one episode
    the message names, or else the one its asker says they are on."""
    found = _ASKS_OF_THE_EPISODE.search(question)
    if found is None:
        return question
    named = {int(number) for number in episode_numbers(tokens(question[: found.start()]))}
    if re.search(r"\d", question[found.start():]) or len(named) > 1 or (not named and stated is None):
        return question
    number = named.pop() if named else stated
    asked = _THE_EPISODE.sub(f"episode {number}", found.group(0), count=1)
    return f"{question[: found.start()]}{asked}{question[found.end():]}"


def _proper_name_of(things: set[str], text: str) -> bool:
    """Whether ``text`` gives one of ``things`` a proper name: a word of it written capitalised
    inside a sentence beside another capitalised word ("the club" in "undercover at Club Canal");
    "the Visitors' home planet" names the Visitors, not their planet."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        written = re.findall(r"[A-Za-z][\w'’-]*", sentence)
        for i in range(1, len(written)):
            word = written[i]
            if word[0].isupper() and stem(word.lower()) in things:
                if (i + 1 < len(written) and written[i + 1][0].isupper()) or (i > 1 and written[i - 1][0].isupper()):
                    return True
    return False


#: Longest name and value of an autocomplete choice (Discord's limit).
CHOICE_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Suggestion:
    entry_id: str
    question: str
    score: float
    #: the button's label: the question, or its number when the question must stay in spoiler bars
    label: str = ""

    @property
    def button_label(self) -> str:
        return self.label or self.question


@dataclass(frozen=True, slots=True)
class Choice:
    """An autocomplete choice: what the asker sees (``name``) and what is sent back (``value``)."""

    name: str
    value: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value}


@dataclass(frozen=True, slots=True)
class Answer:
    status: Verdict
    text: str
    entry: Entry | None = None
    #: the episode of the newest reveal shown (None when nothing from an entry is shown)
    episode: int | None = None
    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)
    score: float = 0.0
    #: the other entry of a comparison answered side by side ("neans vs proto neans"), or of a
    #: message's second question
    also: Entry | None = None
    #: parts of a message asking several things that got no answer (noted for the moderators)
    unanswered: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "entry": self.entry.id if self.entry else None,
            "also": self.also.id if self.also else None,
            "episode": self.episode,
            "text": self.text,
            "suggestions": [
                {"entry": s.entry_id, "question": s.question, "label": s.button_label, "score": round(s.score, 1)}
                for s in self.suggestions
            ],
            "score": round(self.score, 1),
        }


def _together(answers: list[Answer], notes: list[str], unanswered: tuple[str, ...] = ()) -> Answer:
    """One message holding one or two answers (each shortened to fit), then ``notes``: the
    first answer's entry and "did you mean" choices, the second's entry as ``also``."""
    first = answers[0]
    text = combine_answers([answer.text for answer in answers], notes, MESSAGE_LIMIT)
    also = answers[1].entry if len(answers) > 1 else None
    episode = max((answer.episode for answer in answers if answer.episode is not None), default=None)
    score = min(answer.score for answer in answers)
    return Answer(first.status, text, first.entry, episode, first.suggestions, score, also, unanswered)


def _answered_by_cast(cast: Entry, result: MatchResult) -> MatchResult:
    """``cast`` (a character's linked cast entry) answers a cast question matched to the
    character, at the character's score, with the other entries offered after it."""
    best = Scored(cast, result.score, cast.question)
    others = [s for s in result.suggestions if s.entry.id != cast.id]
    return MatchResult(Verdict.ANSWERED, best, (best, *others[:2]))


def listing_horizon(upto: int | None, spoiler_free: int) -> int:
    """The horizon of lists that cannot hold spoiler bars (autocomplete, the mystery list): the
    asker's own, or with none, the server's spoiler-free episode."""
    return spoiler_free if upto is None else upto


class LoreView:
    """Everything the bot can say at one horizon, made from the knowledge cut there.

    ``horizon`` None is the whole series. Entries it returns are the cut ones (later reveals
    and links removed)."""

    def __init__(self, kb: KnowledgeBase, matcher: HorizonMatcher, horizon: int | None) -> None:
        self.kb = kb
        self.matcher = matcher
        self.horizon = horizon

    def ask(self, question: str, *, spoiler_free: int = 0) -> Answer:
        """Answer a free-text question; an entry id (an autocomplete choice) answers that entry."""
        question = question[:MAX_QUESTION_CHARS]
        if not question.strip():
            return Answer(Verdict.UNKNOWN, render_empty_question())
        if question.strip() in self.kb.entries:
            return self.answer_entry(question.strip(), spoiler_free=spoiler_free)
        whole = self.matcher.match(question)
        if whole.verdict is not Verdict.UNKNOWN and not self._names_a_topic(question):
            whole = MatchResult(Verdict.UNKNOWN)  # "gm everyone": no word of it names anything
        form = read_form(question)
        by_form = self._by_form(question, form, whole, spoiler_free)
        if by_form is not None:
            return by_form
        answer = self._answer_for(whole, question, form, spoiler_free)
        if answer.status is Verdict.ANSWERED:
            return answer
        alone = (
            self._asked_alone(question)
            or self._claim_checked(question)
            or self._asked_of_the_show(question)
            or self._cast_in_the_original(question, form)
        )
        return answer if alone is None else self._reply(alone[1], alone[0], spoiler_free)

    def _claim_checked(self, question: str) -> tuple[str, MatchResult] | None:
        """"is it true that dazbee sings the opening", "someone said giallon killed roy, is that
        legit?": a claim put up to be checked is a yes/no question asked in a statement's order
        ("dazbee sings the opening?"), whose "true" and "someone said" only lower its match. The
        claim alone (its words and its answer) if it is answered alone."""
        text = question.strip()
        found = _CLAIM_ASKED_FIRST.match(text) or _CLAIM_ASKED_AFTER.match(text)
        if found is None:
            return None
        claim = _CLAIMED_BY.sub("", found["claim"]).strip(" ,;:.!?-")
        if not claim or claim.lower() == text.lower():
            return None
        claim += "?"
        return self._answered_alone(claim, read_claim(claim))

    def _cast_in_the_original(self, question: str, form: QuestionForm) -> tuple[str, MatchResult] | None:
        """"who voices eva in japanese", "who does genes voice in jp": the cast entries tell the
        original, Japanese cast (the English dub's is said as such), so "in japanese" only lowers
        the match, pulling the cast list ahead of the one asked for. The question without it, if it
        is answered alone."""
        if not form.cast or not _IN_JAPANESE.search(question.lower()):
            return None
        asked = _IN_JAPANESE.sub(" ", question.lower()).strip()
        return self._answered_alone(asked) if asked else None

    def _asked_of_the_show(self, question: str) -> tuple[str, MatchResult] | None:
        """"does the show ever explain why roy did all this": a question asked of the show holds the
        question a fan wants answered ("why roy did all this"), and the words around it only lower
        its match. That question alone (its words and its answer) if it is answered alone; what the
        asker's horizon holds is all it can be answered with, as for any question."""
        found = _ASKED_OF_THE_SHOW.match(question.strip().lower())
        if found is None:
            return None
        asked = found["asked"].strip(" ,;:.!-")
        if not tokens(asked, self.kb.series.synonyms):
            return None
        return self._answered_alone(asked)

    def _answered_alone(self, text: str, form: QuestionForm | None = None) -> tuple[str, MatchResult] | None:
        """``text`` and its answer, if it is answered as a question of its own (the form's checks
        included); None when it is not."""
        result = self._refine(text, form or read_form(text), self.matcher.match(text))
        if result.verdict is Verdict.ANSWERED and result.entry is not None:
            return text, result
        return None

    def _asked_alone(self, question: str) -> tuple[str, MatchResult] | None:
        """"who wrote the screenplays? i keep seeing nemoto and izubuchi both credited", "who's the
        director on this one, the action scenes are insane", "this soundtrack goes so hard 🎷 who
        did the music": one question with chat around it, before its first clause or its question
        word, whose words pull the whole message to "did you mean". The question alone (its words
        and its answer) if it is answered alone; not when it points back to the chat ("is she
        immortal nine too?": alone, it would be about someone else), nor when the chat asks too,
        nor when the chat cut off names something or a number ("the carnival episode, ep 5")."""
        # no piece with a question form: the question word is too far in ("... so hard 🎷 who did")
        parts = split_questions(question, topic_words=0, keep_together=False) or [question.strip()]
        if len(parts) != 1 or refers_back(parts[0], to_things=False):
            return None
        part = parts[0]
        asked = [(part, False)] if part.strip().lower() != question.strip().lower() else []
        clause, *after = _CLAUSE_BREAK.split(part, maxsplit=1)
        if after and is_question(clause):
            asked.append((clause, True))
        opening = _QUESTION_WORD_INSIDE.search(part)
        if opening is not None and not is_question(part[: opening.start()]):
            # chat before it, not a question whose clause it is ("was she made by the one who made rouge")
            asked.append((part[opening.start() :], True))
        for alone, cut_off in asked:
            start = question.find(alone)
            if start < 0:
                continue  # a misspelled question word was put right: not the words as typed
            around = f"{question[:start]} {question[start + len(alone):]}"
            if not WH_WORDS.isdisjoint(re.findall(r"[a-z]+", around.lower())):
                return None  # the chat asks something too ("im still confused who killed roy")
            said = self._stems(around)
            if cut_off and (any(word.isdigit() for word in said) or self.matcher.names_in(said)):
                continue  # the chat cut off says of what: not asked alone
            if question[start + len(alone):].lstrip().startswith("?"):
                alone += "?"  # "afdal is immortal nine?" asks; without its mark it names a topic
            answered = self._answered_alone(alone)
            if answered is not None:
                return answered
        return None

    def _by_form(self, question: str, form: QuestionForm, whole: MatchResult, spoiler_free: int) -> Answer | None:
        """Where the question's form asks for more than one entry (bot.answering.forms): a comparison
        answered side by side ("neans vs proto neans") unless one other entry answers it whole; and
        for a message asking two things, both answered in one message (:meth:`_answer_parts`).
        Read from the wording and the knowledge at this horizon only, like everything here."""
        answered = whole.verdict is Verdict.ANSWERED and whole.entry is not None
        if form.sides:
            results = [self.matcher.match(side) for side in form.sides]
            entries = [r.entry for r in results if r.verdict is Verdict.ANSWERED and r.entry is not None]
            distinct = len(entries) == 2 and entries[0].id != entries[1].id
            if len(entries) == 2 and not distinct and not answered:
                # One entry tells both sides ("izubuchi vs hori": the director entry names both).
                return self._answer_for(results[0], question, form, spoiler_free)
            if distinct and (not answered or whole.entry.id in (entries[0].id, entries[1].id)):
                sides = [(self.kb.entries[e.id], r.best.focus if r.best else None) for e, r in zip(entries, results)]
                text = render_comparison(sides, upto=self.horizon, spoiler_free=spoiler_free)
                episode = max(reveal.episode for entry, _ in sides for reveal in visible_reveals(entry, self.horizon))
                score = min(r.score for r in results)
                return Answer(Verdict.ANSWERED, text, sides[0][0], episode, score=score, also=sides[1][0])
            return None
        parts = split_questions(question, topic_words=None, keep_together=False)
        if len(parts) < 2:
            parts = self._shared_parts(question)
        if len(parts) < 2:
            return None
        # A later part that points back ("what was that fight about", "when does it come out")
        # means what the message said before it: alone, it would be answered about something else.
        # Each part is answered as it would be asked alone, its form read on its own.
        results = [
            (part, self._refine(part, read_form(part), self.matcher.match(part)))
            for n, part in enumerate(parts)
            if not (n and refers_back(part))
        ]
        # A part with chat around it ("this soundtrack goes so hard 🎷 who did the music"), asked alone.
        results = [
            (part, result) if result.verdict is Verdict.ANSWERED else (self._asked_alone(part) or (part, result))
            for part, result in results
        ]
        found = [(part, r) for part, r in results if r.verdict is Verdict.ANSWERED and r.entry is not None]
        if answered and len({r.entry.id for _, r in found}) < 2:
            return None  # the whole message has one answer, and its parts no more than one
        if not found:
            return None
        return self._answer_parts(results, found, spoiler_free)

    def _shared_parts(self, question: str) -> list[str]:
        """"who voices ash and noid" as two questions, when each of the two names someone the
        visible knowledge knows ("who is the red and blue gladiator" stays one)."""
        shared = shared_question(question)
        if shared is None or not all(self.matcher.names_in(self._stems(thing)) for thing, _ in shared):
            return []
        return [asked for _, asked in shared]

    def _answer_parts(
        self, asked: list[tuple[str, MatchResult]], found: list[tuple[str, MatchResult]], spoiler_free: int
    ) -> Answer:
        """One reply to a message asking several things, as the chat reply answers them: the first
        :data:`MAX_QUESTIONS` parts with distinct answers, each as if asked alone; a line for a part
        without one (the same line whatever the reason), and a note when more were asked."""
        chosen: dict[str, tuple[str, MatchResult]] = {}
        for part, result in found:
            chosen.setdefault(result.entry.id, (part, result))
        answered_parts = list(chosen.values())[:MAX_QUESTIONS]
        answers = [self._reply(result, part, spoiler_free) for part, result in answered_parts]
        answered = {part for part, _ in found}
        unanswered = tuple(part for part, _ in asked if part not in answered)
        notes = [f"-# Nothing I can tell you about {quote_user(part)} here; ask it on its own." for part in unanswered]
        if len(chosen) > len(answered_parts):
            notes.append(f"-# I answered the first {len(answered_parts)} questions; ask the others separately.")
        if len(answers) == 1 and not notes:
            return answers[0]  # the rest only went on from it ("...? not a nean?"), or had its answer
        return _together(answers, notes, unanswered)

    def answer_entry(self, entry_id: str, *, spoiler_free: int = 0, lead: Reveal | None = None) -> Answer:
        """Answer a chosen entry (a "did you mean" button, an autocomplete choice, /mystery);
        ``lead`` is the reveal that answers the question asked, shown first."""
        entry = self.kb.entries.get(entry_id)
        if entry is None:
            return Answer(Verdict.UNKNOWN, render_not_known_choice(self.horizon))
        shown = visible_reveals(entry, self.horizon)
        text = render_answer(
            entry, series=self.kb.series, upto=self.horizon, spoiler_free=spoiler_free, kb=self.kb, lead=lead
        )
        return Answer(Verdict.ANSWERED, text, entry, episode=shown[-1].episode, score=100.0)

    def mystery(self, key: str, *, spoiler_free: int = 0) -> Answer:
        entry = self.kb.mystery(key)
        if entry is None:
            # Accept the mystery's question or a near spelling of its key, as typed without autocomplete.
            found = self.matcher.complete_mystery(key, limit=1)
            entry = found[0] if found else None
        if entry is None:
            return Answer(Verdict.UNKNOWN, self._not_known(key))
        return self.answer_entry(entry.id, spoiler_free=spoiler_free)

    def episode(self, number: int, *, spoiler_free: int = 0) -> Answer:
        text = render_episode(self.kb, number, upto=self.horizon, spoiler_free=spoiler_free)
        known = self.kb.series.episode(number) is not None
        later = known and self.horizon is not None and number > self.horizon
        status = Verdict.WITHHELD if later else Verdict.ANSWERED if known else Verdict.UNKNOWN
        return Answer(status, text, episode=number if status is Verdict.ANSWERED else None)

    def complete(self, typed: str, *, limit: int = 25) -> list[Entry]:
        return [self.kb.entries[e.id] for e in self.matcher.complete(typed[:MAX_QUESTION_CHARS], limit=limit)]

    def complete_mystery(self, typed: str, *, limit: int = 25) -> list[Entry]:
        return [self.kb.entries[e.id] for e in self.matcher.complete_mystery(typed[:MAX_QUESTION_CHARS], limit=limit)]

    def _not_known(self, question: str) -> str:
        return render_unknown(question) if self.horizon is None else render_not_known(question, self.horizon)

    def _refine(self, question: str, form: QuestionForm, result: MatchResult) -> MatchResult:
        """What the question's form says about the matcher's answer: each check below may move it
        to another visible entry or make it "did you mean"; an unanswered result stays as it is,
        but for a yes/no question whose doubt its subject settles."""
        guide = self._episode_asked(question, result)
        if guide is not None:
            return guide  # it asks for nothing but what the episode's entry opens with, or all of it
        which = self._which_episode(question, result)
        if which is not None:
            return which
        if result.verdict is Verdict.SUGGEST and not form.cast:
            result = self._character_before_cast(result)
        if result.verdict is Verdict.SUGGEST:
            result = self._settled_by_subject(question, form, result)
        if result.verdict is Verdict.SUGGEST:
            result = self._cast_suggested(form, result)
        if result.verdict is Verdict.SUGGEST:
            result = self._cast_of_the_named(question, form, result)
        if result.verdict is Verdict.SUGGEST:
            result = self._topic_or_cause(question, form, result)
        if result.verdict is Verdict.SUGGEST:
            result = self._only_one_tells_it(question, form, result)
        if result.verdict is Verdict.SUGGEST:
            result = self._between_two_named(question, result)
        if result.verdict is Verdict.SUGGEST and form.form is Form.CHOICE:
            result = self._both_options_told(question, result)
        if result.verdict is Verdict.ANSWERED and result.best is not None:
            result = self._about_named_topic(question, form, result)
        for check in (self._about_subject, self._cast_entry):
            if result.verdict is not Verdict.ANSWERED or result.best is None:
                return result
            result = check(form, result, result.best.entry)
        if result.verdict is Verdict.ANSWERED and result.best is not None:
            result = self._vague_through_a_name(question, result)
        if result.verdict is Verdict.ANSWERED and result.best is not None:
            result = self._tells_attribute(question, form, result, result.best.entry)
        if result.verdict is Verdict.ANSWERED and result.best is not None and result.best.focus is None:
            result = self._led_by_a_reason(question, form, result)
        if result.verdict is Verdict.ANSWERED and result.best is not None:
            result = self._ahead_of_the_asker(question, result)
        return result

    @staticmethod
    def _character_before_cast(result: MatchResult) -> MatchResult:
        """"did roy junghardt play the piano" asks nothing of his voice: offered first, the cast
        entry ("who plays roy") gives way to the first entry offered that is no cast entry."""
        offered = result.suggestions
        if not offered or not offered[0].entry.is_cast:
            return result
        for n, suggestion in enumerate(offered):
            if not suggestion.entry.is_cast:
                ordered = (suggestion, *offered[:n], *offered[n + 1 :])
                return MatchResult(result.verdict, suggestion, ordered)
        return result

    def _ahead_of_the_asker(self, question: str, result: MatchResult) -> MatchResult:
        """"im on ep 8, does giallon ever die": the asker asks past what they have seen. The entry
        as it stands by then ("he is still alive after his fall") does not answer what is to come;
        it is offered, not answered, even where a sentence of it holds every word asked ("up to ep
        11, does rouge end up triggering code eve": "Code Eve cannot be triggered without Rouge's ID")."""
        if self.horizon is None or self.horizon >= self.kb.series.episode_count or not asks_ahead(question):
            return result
        if result.best is None:
            return result
        return MatchResult(Verdict.SUGGEST, result.best, result.suggestions)

    def _led_by_a_reason(self, question: str, form: QuestionForm, result: MatchResult) -> MatchResult:
        """"why did roy do all this" is answered by Roy's entry, which tells his reasons in one
        reveal ("his motives are never explained", episode 13) and his story in the others: when no
        reveal was found to lead, a why-question leads with the visible reveal that gives a reason
        and shares most of the question's words (the latest on a tie). The rest follows as ever."""
        if form.form is not Form.WHY or result.best is None:
            return result
        shown = visible_reveals(self.kb.entries[result.best.entry.id], self.horizon)
        giving = [reveal for reveal in shown if _A_REASON.search(reveal.text.lower())]
        if not giving:
            return result
        asked = set(self._stems(question))
        lead = max(range(len(giving)), key=lambda i: (len(asked & set(self._stems(giving[i].text))), i))
        return MatchResult(result.verdict, replace(result.best, focus=giving[lead]), result.suggestions)

    def _episode_asked(self, question: str, result: MatchResult) -> MatchResult | None:
        """"ep 7 title", "when did ep 7 come out", "what was episode 10 about, i forgot": a question
        naming one episode and asking only for what its entry (tagged ``episode-guide``, its first
        reveal from that episode) opens with, its title and air date, or its events as a whole.
        No phrasing says "title" or "come out", so the matcher is torn between that entry and others
        naming the episode, or finds nothing. "the first episode", "the finale" name episodes 1 and
        the last one. Any other word the knowledge knows (a name, "directed", "end") asks something
        else: None, the form's other checks decide. Words it does not know are chat ("for my blog")."""
        numbers: set[int] = set()
        named = asks = False
        for word, means in self.matcher.meanings(question):
            if word.isdigit():
                numbers.add(int(word))
            elif word in ORDINAL_WORDS or word in _LAST:
                numbers.add(ORDINAL_WORDS.get(word) or self.kb.series.episode_count)
                named = named or word == "finale"
            elif word == "episode" or "episode" in means:
                named = True
            elif word in _EPISODE_ASKS or not means.isdisjoint(_EPISODE_ASKS):
                asks = True
            elif means and word not in _EPISODE_CHATTER:
                return None
        # The words asking may be fillers the matcher never reads ("name", "about").
        asks = asks or not _EPISODE_ASKS.isdisjoint(re.findall(r"[a-z]+", question.lower()))
        if len(numbers) != 1 or not named or not asks:
            return None
        guide = self._episode_guide(numbers.pop())
        if guide is None:
            return None
        if result.verdict is Verdict.ANSWERED and result.entry is not None and result.entry.id == guide.id:
            return result
        return MatchResult(Verdict.ANSWERED, Scored(guide, 100.0, guide.question), result.suggestions)

    def _which_episode(self, question: str, result: MatchResult) -> MatchResult | None:
        """"what ep does cyan first show up", "which ep do we find out who rouge's mom is": the
        episode is in every reveal's "(ep N)", so what is asked is the event, or whom it names.
        The rest of the question is matched alone; answered, it leads with the reveal telling the
        event, or for a first appearance with the entry's first reveal; an entry none of whose
        visible reveals speaks of the event asked is only offered. None when the question asks no
        episode, or its rest is not answered: the form's other checks decide."""
        text = question.lower()
        if not _WHICH_EPISODE.search(text):
            return None
        first = bool(_FIRST_APPEARANCE.search(text))
        rest = _EPISODE_ASKING.sub(" ", text)
        if first:
            rest = _FIRST_APPEARANCE.sub(" ", rest)
        if not tokens(rest, self.kb.series.synonyms):
            # "which eps are those": the episode of something said before it, or of nothing; no
            # entry tells that ("how many episodes" is no answer)
            return MatchResult(Verdict.UNKNOWN)
        if _WHICH_EPISODE.search(rest):
            return None  # still asking for an episode: not read apart again
        found = self._refine(rest, read_form(rest), self.matcher.match(rest))
        if found.verdict is not Verdict.ANSWERED or found.best is None:
            return None
        if self.matcher.unmentioned(question, found.best.entry):
            return None
        entry = self.kb.entries[found.best.entry.id]
        shown = visible_reveals(entry, self.horizon)
        said = [set(self._stems(reveal.text)) for reveal in shown]
        # the event asked, in the words of its phrasings ("giallon death") or of a reveal
        telling = [self.matcher.phrasing_words(found.best.entry), *said]
        event = [
            means
            for word, means in self.matcher.meanings(rest)
            if means and not self.matcher.names_in(means)
            and word not in CHAT_WORDS and word not in VAGUE_WORDS and word not in _NO_EVENT
        ]
        if not first and event and not any(means & words for means in event for words in telling):
            # "which ep does hermann hayward get killed": Panacea's entry names him and tells
            # nothing of a killing, so it cannot say in which episode that happens
            return MatchResult(Verdict.SUGGEST, found.best, found.suggestions)
        lead = shown[0] if first and shown else found.best.focus
        if lead is None and shown:
            # the first reveal that tells most of what is asked beyond what the entry is about
            asked = set(self._stems(rest)) - set(self._stems(entry.question))
            told = [len(asked & words) for words in said]
            most = max(range(len(shown)), key=lambda n: (told[n], -n))
            lead = shown[most] if told[most] else None
        return MatchResult(found.verdict, replace(found.best, focus=lead), found.suggestions)

    def _episode_guide(self, number: int) -> Entry | None:
        """The one entry telling episode ``number`` (tagged ``episode-guide``, with a reveal of that
        episode), found as /episode and the lore site find it; the view's knowledge is cut at its
        horizon, so a later episode has none."""
        guides = self._guides.get(number, ())
        return guides[0] if len(guides) == 1 else None

    @cached_property
    def _guides(self) -> dict[int, list[Entry]]:
        """Episode -> the entries telling it, read once per view (``Lore.warm`` reads it): reading
        the episode's reveals instead takes thousands of steps at scale, and a question may look
        for its episode's entry three times (whole, asked alone, which episode)."""
        guides: dict[int, list[Entry]] = {}
        for entry in self.kb.entries.values():
            if entry.is_episode_guide:
                for episode in dict.fromkeys(reveal.episode for reveal in entry.reveals):
                    guides.setdefault(episode, []).append(entry)
        return guides

    def _names_a_topic(self, question: str) -> bool:
        """Whether a word of ``question`` could name something: one that is not chat ("everyone",
        "happened") or vague ("real", "thing"). Those match where the knowledge uses them, but a
        question made only of them ("gm everyone 😄") asks about nothing."""
        return any(word not in CHAT_WORDS and word not in VAGUE_WORDS for word in tokens(question, self.kb.series.synonyms))

    def _stems(self, text: str) -> list[str]:
        """The stems of ``text``'s meaningful words, in order, with the knowledge's synonyms."""
        return [stem(word) for word in tokens(text, self.kb.series.synonyms)]

    def _names_subject(self, form: QuestionForm, entry: Entry) -> bool | None:
        """Whether the entry's question names the yes/no question's subject (None: it has none)."""
        wanted = self._stems(form.subject) if form.subject else []
        if not wanted:
            return None
        return wanted[0] in self._stems(entry.question)

    def _about_subject(self, form: QuestionForm, result: MatchResult, entry: Entry) -> MatchResult:
        """"is ash a nean" is about Ash: a yes/no question answered with an entry whose question
        does not name its subject goes to the best suggested entry whose question does. Not a
        choice between two accounts ("did giallon really kill roy or was he lying"): the entry
        telling the event answers it, and the subject only settles a doubt (``_settled_by_subject``)."""
        if form.form is not Form.YES_NO or self._names_subject(form, entry) is not False:
            return result
        for suggestion in result.suggestions:
            if suggestion.entry.is_cast and not form.cast:
                continue  # "is the voice in cyans head the puppeteer": no question of who voices her
            if self._names_subject(form, suggestion.entry):
                if self._tells_of_subject(form, result, suggestion):
                    return result
                return MatchResult(Verdict.ANSWERED, suggestion, result.suggestions)
        return result

    def _tells_of_subject(self, form: QuestionForm, result: MatchResult, rival: Scored) -> bool:
        """"was naomi the spy in aletheia" at episode 7: the mole's entry is what is asked, far
        ahead of Naomi's, found by what is asked of her ("aletheia mole", not through her name),
        and a reveal of it speaks of her ("Naomi hints she leaked it")."""
        best = result.best
        t = self.matcher.thresholds
        if best is None or best.score < t.answer or best.score - rival.score < 2 * t.margin:
            return False
        subject = self._stems(form.subject or "")[:1]
        if not subject or subject[0] in self._stems(best.phrasing):
            return False  # "can neans have kids": Rion's "the nean kid" is found through the subject
        shown = visible_reveals(self.kb.entries[best.entry.id], self.horizon)
        return any(subject[0] in self._stems(reveal.text) for reveal in shown)

    def _about_named_topic(self, question: str, form: QuestionForm, result: MatchResult) -> MatchResult:
        """"sara fitzgerald the singer" names Sarah and asks nothing of her: Club Canal's phrasing
        "where does sarah fitzgerald sing" holds every word of it, yet the message is about her.
        A message without a question form answered by an entry whose question names none of the
        message's names goes to a suggestion that clears the answer bar, whose question names one,
        and that mentions all of them."""
        if form.form is not Form.TOPIC or result.best is None:
            return result
        named = self.matcher.names_asked(question)
        if not named or self.matcher.is_about(result.best.entry, named):
            return result
        t = self.matcher.thresholds
        for suggestion in result.suggestions:
            if (
                suggestion.score >= t.answer
                and self.matcher.is_about(suggestion.entry, named)
                and not self.matcher.unmentioned(question, suggestion.entry)
            ):
                return MatchResult(Verdict.ANSWERED, suggestion, result.suggestions)
        return result

    def _settled_by_subject(self, question: str, form: QuestionForm, result: MatchResult) -> MatchResult:
        """A yes/no question left in doubt ("is ash a nean": Noid's entry speaks of Ash's Nean
        partner; "does noid survive": no phrasing says "survive") is answered by the entry whose
        question names its subject, if it is the best suggestion, scores the subject bar, is clear
        of any other entry naming the subject, and speaks of everything the question names."""
        t = self.matcher.thresholds
        named = [s for s in result.suggestions if s.score >= t.subject_answer and self._names_subject(form, s.entry)]
        good = [s for s in named if s.score >= t.answer]
        if len(good) == 1:
            chosen = good[0]  # the one good enough to answer anyway
        elif named and not good and result.best is not None and named[0].entry.id == result.best.entry.id and (
            len(named) == 1 or named[0].score - named[1].score >= t.margin
        ):
            chosen = named[0]  # the best, below the answer bar, clear of any other naming the subject
        else:
            return result
        if self.matcher.unmentioned(question, chosen.entry):
            return result
        return MatchResult(Verdict.ANSWERED, chosen, result.suggestions)

    def _vague_through_a_name(self, question: str, result: MatchResult) -> MatchResult:
        """"what is the weapon" asks about one thing and names nobody: answered through a phrasing
        that names someone ("viola weapons"), it would claim to know whose weapon is meant. It
        becomes "did you mean" instead; "who is the journalist" (alias "journalist") stays."""
        asked = [word for word in self._stems(question) if word not in CHAT_WORDS and word not in VAGUE_WORDS]
        if len(asked) != 1 or self.matcher.names_in(asked):
            return result
        phrasing = result.best.phrasing.split()
        if asked[0] not in phrasing:
            return result  # "whos graufn": the phrasing names what the asker misspelled
        others = [name for name in self.matcher.names_in(phrasing) if fuzz.ratio(name, asked[0]) < 80]
        if not others:
            return result  # "who is the puppeter": the name is the word asked, misspelled
        return MatchResult(Verdict.SUGGEST, result.best, result.suggestions)

    def _topic_or_cause(self, question: str, form: QuestionForm, result: MatchResult) -> MatchResult:
        """A message that names a topic without asking a question of it ("rouge mother identity",
        "the dog scene was the st bernard really him fr") asks for that topic's entry, not for one
        detail the entry may lack; a question asking why something happened ("why did ash come to
        mars") asks for the event an entry narrates, reasons included. So a lower bar does for
        both: the best suggestion is answered when it scores ``topic_answer``, leads the others
        by the margin, and mentions every name and number the message does."""
        t = self.matcher.thresholds
        if form.form not in (Form.TOPIC, Form.WHY, Form.LIST) or result.best is None or not result.suggestions:
            return result
        best, *others = result.suggestions
        if best.entry.id != result.best.entry.id or best.score < t.topic_answer:
            return result
        if others and best.score - max(other.score for other in others) < t.margin:
            return result
        if self.matcher.unmentioned(question, best.entry):
            return result
        return MatchResult(Verdict.ANSWERED, best, result.suggestions)

    def _only_one_tells_it(self, question: str, form: QuestionForm, result: MatchResult) -> MatchResult:
        """"LMAOOO the dog scene why did rouge kick the st bernard": the one entry offered is
        Giallon's, about none of those words, but a sentence of its reveals speaks of the dog.
        A lone suggestion whose visible reveals tell something the question asks beyond what the
        entry is about (:meth:`HorizonMatcher.told_in_reveals`), and that mentions every name and
        number the question does, is answered, leading with that reveal; the form's checks after
        this one still apply. It stays "did you mean" when its reveals add nothing asked (the
        knowledge may not hold it: "how many chapters has the webtoon"), or when words nothing
        here knows weigh as much and make a good part of the question ("naruto mother identity").
        With others offered beside it ("who got blamed for roy's death at the start": who killed
        Roy, the deaths, the premiere), the best is answered so when it scores ``told_answer``,
        leads them by ``told_margin``, and none of their reveals tells as much of the question.
        A cast entry offered beside it is no rival unless the question asks for the cast ("just
        finished ep 8, who's gene's real dad": Gene, then who voices him)."""
        rivals = result.suggestions if form.cast else [s for s in result.suggestions if not s.entry.is_cast]
        if not rivals or result.best is None:
            return result
        offered, *others = rivals
        if offered.entry.id != result.best.entry.id or self.matcher.unmentioned(question, offered.entry):
            return result
        t = self.matcher.thresholds
        if others and (offered.score < t.told_answer or offered.score - max(o.score for o in others) < t.told_margin):
            return result
        told = self.matcher.told_in_reveals(question, offered.entry)
        if told.words < t.lone_evidence:
            return result
        if any(self.matcher.told_in_reveals(question, other.entry).words >= told.words for other in others):
            return result
        if told.unknown >= told.words and told.unknown * 4 > told.asked:
            return result
        return MatchResult(Verdict.ANSWERED, replace(offered, focus=told.reveal), result.suggestions)

    def _between_two_named(self, question: str, result: MatchResult) -> MatchResult:
        """"afdal or rion who was the actual immortal nine", "what does alethia want rouge to do with
        the immortal nine": a question about two things is told by a reveal that mentions both and
        says more of what is asked. Of the offered entries (not the cast), the one with a visible
        reveal that names both and holds ``between_evidence`` of the question's other words that
        its phrasings lack, more than any other offered entry's reveal does, is answered, leading
        with that reveal. Two words of one name ("roy junghardt") are one thing."""
        named = list(dict.fromkeys(self.matcher.names_asked(question)))
        if len(named) != 2 or result.best is None:
            return result
        typed = [set(self._stems(word)) for word in _TYPED_WORD.findall(question.lower())]
        first = [next((i for i, stems in enumerate(typed) if not stems.isdisjoint(names)), -2) for names in named]
        if abs(first[0] - first[1]) == 1:
            return result
        asked = set(self._stems(question)).difference(*named, CHAT_WORDS, VAGUE_WORDS)
        lacking = {offered.entry.id: asked - self.matcher.phrasing_words(offered.entry) for offered in result.suggestions}
        told: list[tuple[int, Scored, Reveal]] = []
        for offered, reveal in self._offered_reveals(question, result):
            said = set(self._stems(reveal.text))
            if all(not said.isdisjoint(names) for names in named):
                told.append((len(lacking[offered.entry.id] & said), offered, reveal))
        told.sort(key=lambda found: -found[0])
        if not told or told[0][0] < self.matcher.thresholds.between_evidence:
            return result
        most, offered, reveal = told[0]
        if any(words >= most and other.entry.id != offered.entry.id for words, other, _ in told[1:]):
            return result
        return MatchResult(Verdict.ANSWERED, replace(offered, focus=reveal), result.suggestions)

    def _both_options_told(self, question: str, result: MatchResult) -> MatchResult:
        """"is the dub va for rouge monica flatley or cassie ewulu", "is he human or a nean": a
        choice between two things is settled by a reveal that mentions both. The one offered entry
        (not the cast) with such a visible reveal, and mentioning every name the question does, is
        answered, leading with that reveal."""
        options = self.matcher.options_asked(question)
        if not options or result.best is None:
            return result
        telling: dict[str, tuple[Scored, Reveal]] = {}
        for offered, reveal in self._offered_reveals(question, result):
            if offered.entry.id in telling:
                continue  # its first such reveal leads
            said = set(self._stems(reveal.text))
            if any(one in said and other in said for one, other in options):
                telling[offered.entry.id] = (offered, reveal)
        if len(telling) != 1:
            return result
        offered, reveal = next(iter(telling.values()))
        return MatchResult(Verdict.ANSWERED, replace(offered, focus=reveal), result.suggestions)

    def _offered_reveals(self, question: str, result: MatchResult) -> Iterator[tuple[Scored, Reveal]]:
        """Each visible reveal of the offered entries that could answer ``question``: not the cast,
        and mentioning every name it does."""
        for offered in result.suggestions:
            if offered.entry.is_cast or self.matcher.unmentioned(question, offered.entry):
                continue
            for reveal in visible_reveals(self.kb.entries[offered.entry.id], self.horizon):
                yield offered, reveal

    def _cast_suggested(self, form: QuestionForm, result: MatchResult) -> MatchResult:
        """"grauphon va" in doubt between Graufon and his voice cast is about the cast: a cast
        question whose best suggestion is a character answers with that character's one visible
        cast entry (linked both ways), when that entry is among the suggestions too."""
        if not form.cast or result.best is None or result.score < self.matcher.thresholds.suggest:
            return result  # below the suggest bar, a chatty question named someone: only offered
        cast = self._linked_cast(result.best.entry)
        if cast is not None:
            for suggestion in result.suggestions:
                if suggestion.entry.id == cast.id:
                    return MatchResult(Verdict.ANSWERED, suggestion, result.suggestions)
            # the character is the one entry offered: its cast is what is asked
            if len(result.suggestions) == 1:
                return _answered_by_cast(cast, result)
        return result

    def _cast_of_the_named(self, question: str, form: QuestionForm, result: MatchResult) -> MatchResult:
        """"graufon va pls he has the deepest voice", "operas voice actress": a cast question
        whose best suggestion is the cast entry of someone it names is answered with it, when no
        other cast entry offered is about someone it names, and it mentions all it names. Not a
        yes/no question: "did hiroyuki yoshino voice anyone else" asks what the entry may not hold."""
        if not form.cast or form.form in (Form.YES_NO, Form.CHOICE) or result.best is None or not result.suggestions:
            return result
        best = result.suggestions[0]
        if best.entry.id != result.best.entry.id or not best.entry.is_cast:
            return result
        named = self.matcher.names_asked(question)
        if not named or not self.matcher.is_about(best.entry, named):
            return result
        others = [s for s in result.suggestions[1:] if s.entry.is_cast and self.matcher.is_about(s.entry, named)]
        if others or self.matcher.unmentioned(question, best.entry):
            return result
        return MatchResult(Verdict.ANSWERED, best, result.suggestions)

    def _linked_cast(self, entry: Entry) -> Entry | None:
        """The one visible cast entry (tagged ``cast``) that ``entry`` links to and that links back;
        None for a cast entry itself, or for none or several."""
        if entry.is_cast:
            return None
        linked = [self.kb.entries.get(link.id) for link in self.kb.entries[entry.id].see_also]
        cast = [e for e in linked if e is not None and e.is_cast and any(l.id == entry.id for l in e.see_also)]
        return cast[0] if len(cast) == 1 else None

    def _cast_entry(self, form: QuestionForm, result: MatchResult, entry: Entry) -> MatchResult:
        """"who voices the twins" is about the twins' voice actors, not the twins: an answer that is
        not a cast entry (tagged ``cast``) becomes its one visible cast entry that links back to
        it, or else "did you mean"."""
        if not form.cast or entry.is_cast or result.score >= 99.5:
            return result  # 99.5: the question is one of the entry's phrasings, a moderator taught it so
        # "who voices rouge in the english dub": the dub's entry came first, Rouge's cast entry
        # clears the answer bar too (the suggestions naming everything the question names first).
        offered = next((s for s in result.suggestions if s.entry.is_cast), None)
        if offered is not None and offered.score >= self.matcher.thresholds.answer:
            return MatchResult(Verdict.ANSWERED, offered, result.suggestions)
        cast = self._linked_cast(entry)
        if cast is not None:
            return _answered_by_cast(cast, result)
        return MatchResult(Verdict.SUGGEST, result.best, result.suggestions)

    def _tells_attribute(self, question: str, form: QuestionForm, result: MatchResult, entry: Entry) -> MatchResult:
        """"how old is gene" is answered only by an entry that says something about age: Gene's
        entry names Gene but not his age, so the question becomes "did you mean". "does noid
        survive" at episode 7 is the same: nothing Noid's entry says by then tells his fate.
        The answer leads with a visible reveal that tells it (the one sharing most of the question's
        words, the latest on a tie), unless its lead already does."""
        attribute = form.attribute
        if attribute is None or result.best is None:
            return result
        shown = self.kb.entries[entry.id]
        if attribute.told_by(shown.question):
            return result  # the whole entry is about it ("who is rouge's mother"): read in order
        words = tokens(question, self.kb.series.synonyms)
        # The question's words as the matcher reads them ("naomis bird" is Naomi's), but for those
        # asking for the attribute ("called", "name")
        read = [(word, means | {word}) for word, means in self.matcher.meanings(question) if not attribute.told_by(word)]
        # What it asks the attribute of beyond what the entry is about: a quoted title is the name of
        # an episode or a song, or of what the entry is about, not of a luxury liner its episode's
        # entry mentions ("whats the name of the luxury liner").
        subject = set(self._stems(shown.question))
        passing = {word for word, means in read if means.isdisjoint(subject)}
        quotes = passing <= _TITLED

        named = set(self._stems(" ".join([shown.question, *(alias.text for alias in shown.aliases)])))
        asked_about = subject.union(*(means for _, means in read))

        def tells(text: str) -> bool:
            if attribute.quoted and _proper_name_of(passing, text):
                return True
            if not attribute.told_by(text, quotes=quotes):
                return False
            # "called" in "the Usurpers, also called Junoids" names the Usurpers, not the carnival
            before = attribute.named_before(text)
            return not before or any(not asked_about.isdisjoint(self._stems(words)) for words in before)

        # "airship" in "carnival airship called"; who someone really is asks nothing of a detail
        detail = [] if attribute.identity else [means for _, means in read if means.isdisjoint(named)]
        said = ((reveal, set(self._stems(reveal.text))) for reveal in visible_reveals(shown, self.horizon))
        telling = [
            (reveal, stems)
            for reveal, stems in said
            if tells(reveal.text) and all(not means.isdisjoint(stems) for means in detail)
        ]
        focus = result.best.focus
        if telling and (focus is None or not tells(focus.text)):
            asked = {stem(word) for word in words}
            lead = max(range(len(telling)), key=lambda i: (len(asked & telling[i][1]), i))
            return MatchResult(result.verdict, replace(result.best, focus=telling[lead][0]), result.suggestions)
        if telling or (not attribute.identity and attribute.told_in(alias.text for alias in shown.aliases)):
            return result
        if attribute.quoted and not passing and shown.question.lower().startswith(("who ", "which ")):
            return result  # its answer is a name ("the name of the studio": "Which studio made it?")
        return MatchResult(Verdict.SUGGEST, result.best, result.suggestions)

    def _answer_for(self, result: MatchResult, question: str, form: QuestionForm, spoiler_free: int) -> Answer:
        refined = self._refine(question, form, result)
        tied = self._tied_pair(question, form, refined) if refined.verdict is Verdict.SUGGEST else None
        if tied is not None:
            answers = [self._reply(r, question, spoiler_free) for r in tied]
            return _together(answers, ["-# Two entries answer this equally well, so here are both."])
        return self._reply(refined, question, spoiler_free)

    def _tied_pair(
        self, question: str, form: QuestionForm, result: MatchResult
    ) -> tuple[MatchResult, MatchResult] | None:
        """"is rouge a nean or a human": Rouge's origin and her bond with Gene both answer it, at
        91.8 each, so the tie made it "did you mean". Two suggestions that each clear the answer
        bar, lead any third by the margin, mention every name the question does, and would each
        be answered alone as they are (the form's checks leave them be), are both answered."""
        t = self.matcher.thresholds
        if len(result.suggestions) < 2:
            return None
        first, second, *rest = result.suggestions
        if second.score < t.answer or (rest and second.score - rest[0].score < t.margin):
            return None
        pair = []
        for suggestion in (first, second):
            alone = self._refine(question, form, MatchResult(Verdict.ANSWERED, suggestion, result.suggestions))
            if alone.verdict is not Verdict.ANSWERED or alone.entry is None or alone.entry.id != suggestion.entry.id:
                return None
            if self.matcher.unmentioned(question, suggestion.entry):
                return None
            pair.append(alone)
        return pair[0], pair[1]

    def _reply(self, result: MatchResult, question: str, spoiler_free: int) -> Answer:
        """The reply to ``question`` for a result its form has already refined."""
        if result.verdict is Verdict.ANSWERED and result.entry is not None:
            answer = self.answer_entry(result.entry.id, spoiler_free=spoiler_free, lead=result.best.focus)
            suggestions = self._suggestions(result.suggestions, spoiler_free)
            return Answer(answer.status, answer.text, answer.entry, answer.episode, suggestions, result.score)
        if result.verdict is Verdict.SUGGEST and result.suggestions:
            suggestions = self._suggestions(result.suggestions, spoiler_free)
            barred = [self._barred(s.entry, spoiler_free) for s in result.suggestions]
            text = render_suggestions(question, [s.question for s in suggestions], barred)
            return Answer(Verdict.SUGGEST, text, suggestions=suggestions, score=result.score)
        return Answer(Verdict.UNKNOWN, self._not_known(question), score=result.score)

    def _barred(self, entry: Entry, spoiler_free: int) -> bool:
        """Whether naming ``entry`` outside bars would name what is first visible after ``spoiler_free``
        (only with no horizon: at a horizon the asker has seen everything the view holds)."""
        return self.horizon is None and entry.first_episode > spoiler_free

    def _suggestions(self, found: tuple[Scored, ...], spoiler_free: int) -> tuple[Suggestion, ...]:
        # A button cannot hold spoiler bars: if any choice must stay in bars, all are numbered.
        numbered = any(self._barred(s.entry, spoiler_free) for s in found)
        return tuple(
            Suggestion(s.entry.id, s.entry.question, s.score, str(number) if numbered else s.entry.question)
            for number, s in enumerate(found, start=1)
        )


class Lore:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher | None = None) -> None:
        """``matcher``: one built on ``kb`` with other thresholds or scoring (the benchmark's --tune)."""
        self.kb = kb
        self.matcher = matcher or Matcher(kb)
        self._views: dict[int | None, LoreView] = {}

    @classmethod
    def load(cls, folder: str | Path) -> Lore:
        return cls(load_knowledge(folder))

    def at(self, upto: int | None) -> LoreView:
        """The bot as an asker who has watched up to ``upto`` meets it (None: the whole series)."""
        h = self.clamp_upto(upto)
        view = self._views.get(h)
        if view is None:
            with paused_gc():  # thousands of small objects, no cycles: see bot/gc_pause.py
                view = self._views.setdefault(h, LoreView(cut(self.kb, h), self.matcher.at(h), h))
        return view

    def close(self) -> None:
        """Forget the views (see :meth:`Matcher.close`): replaced, this knowledge is freed as soon
        as the last reply using it is done. It still answers afterwards, building views anew."""
        self._views.clear()
        self.matcher.close()

    def warm(self) -> Lore:
        """Build the view at every horizon now (the store does it off the event loop, so no asker
        waits for a horizon's first use: some 60 ms at 10,000 entries)."""
        for h in (None, *range(self.kb.series.episode_count)):
            view = self.at(h)
            view.kb.reveals_in_episode(0)  # index its reveals by episode now, not on an /episode
            view._guides  # and find its episodes' own entries, not on a question
        return self

    def ask(self, question: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        """Answer a free-text question for an asker who has watched up to ``upto``.

        Progress the question states ("im on ep 4 so no spoilers") is the asker's horizon for this
        question when it is lower than ``upto`` (never higher), and its words are not matched."""
        stated = parse_progress(question[:MAX_QUESTION_CHARS])
        if stated.episode is not None:
            upto = stated.episode if upto is None else min(upto, stated.episode)
        if stated.phrases:
            question = stated.text
        return self.at(upto).ask(_episode_for_it(question, stated.episode if stated.phrases else None), spoiler_free=spoiler_free)

    def answer_entry(self, entry: Entry | str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        """Answer a known entry (a "did you mean" button, an autocomplete choice), as the knowledge
        at ``upto`` has it; an entry it lacks gets the same reply as an id it never had."""
        entry_id = entry if isinstance(entry, str) else entry.id
        return self.at(upto).answer_entry(entry_id, spoiler_free=spoiler_free)

    def mystery(self, key: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        answer = self.at(upto).mystery(key, spoiler_free=spoiler_free)
        if answer.status is Verdict.UNKNOWN:
            known = self.mystery_keys(upto=upto, spoiler_free=spoiler_free)
            if known:
                note = "\n-# Mysteries I know: " + ", ".join(escape(k) for k in known)
                answer = Answer(answer.status, answer.text + note, score=answer.score)
        return answer

    def episode(self, number: int, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        return self.at(upto).episode(number, spoiler_free=spoiler_free)

    def suggest(self, typed: str, *, upto: int | None = None, limit: int = 25) -> list[Entry]:
        """Entries matching what is typed, at ``upto`` (None: the whole series, for moderators' tools)."""
        return self.at(upto).complete(typed, limit=limit)

    def complete(self, typed: str, *, upto: int | None = None, spoiler_free: int = 0, limit: int = 25) -> list[Choice]:
        """/ask's autocomplete choices for a fan (value: the entry id)."""
        entries = self.suggest(typed, upto=listing_horizon(upto, spoiler_free), limit=limit)
        return [Choice(clip(e.question, CHOICE_LIMIT) or e.id, e.id) for e in entries if len(e.id) <= CHOICE_LIMIT]

    def complete_mystery(
        self, typed: str, *, upto: int | None = None, spoiler_free: int = 0, limit: int = 25
    ) -> list[Choice]:
        """/mystery's autocomplete choices for a fan (value: the mystery key)."""
        entries = self.at(listing_horizon(upto, spoiler_free)).complete_mystery(typed, limit=limit)
        return [
            Choice(clip(f"{e.mystery}: {e.question}", CHOICE_LIMIT), e.mystery)
            for e in entries
            if e.mystery and len(e.mystery) <= CHOICE_LIMIT
        ]

    def mystery_keys(self, *, upto: int | None = None, spoiler_free: int = 0) -> list[str]:
        """The mystery keys a fan may be shown (the list after an unknown /mystery)."""
        view = self.at(listing_horizon(upto, spoiler_free))
        return [e.mystery for e in view.complete_mystery("", limit=len(view.kb.mysteries)) if e.mystery]

    def clamp_upto(self, upto: int | None) -> int | None:
        return self.kb.series.clamp_progress(upto)
