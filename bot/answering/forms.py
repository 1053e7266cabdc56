"""The form of a fan's question, read from its wording alone (never from the knowledge).

Most questions are about one thing and go to the matcher whole. Two forms need more:

* a **comparison** ("neans vs proto neans", "what's the difference between the visitors and the
  usurpers", "how is code eve different from the asimov code") is about two things: when no one
  entry answers the whole question, each side is matched on its own and both are answered, briefly;
* a **choice** ("was it giallon or roy", "is naomi human or a nean") turns on one entry, so it
  goes to the matcher whole, like a yes/no question; its form is only reported.

Plain Python, no knowledge: the same question gets the same form at every horizon, so reading it
cannot leak anything (see bot.answering.lore).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum

from bot.answering.normalize import CHAT_WORDS, FILLER_WORDS, NUMBER_WORDS, fold


class Form(str, Enum):
    COMPARISON = "comparison"
    CHOICE = "choice"
    YES_NO = "yes/no"
    WHO = "who"
    WHEN = "when"
    WHERE = "where"
    WHY = "why"
    HOW = "how"
    WHAT = "what"
    LIST = "list"  # "list all the immortal nine", "which ones are dead so far"
    TOPIC = "topic"  # no question form: "rouge mother"


@dataclass(frozen=True, slots=True)
class Attribute:
    """What a text telling an attribute ("how old is gene", "what's the carnival called") uses."""

    #: what is asked, in plain words for maintainers ("age", "a fate")
    what: str
    #: any of these words
    words: frozenset[str]
    #: or a quoted title (an episode's: 'Episode 6, "Nameless Guest"')
    quoted: bool = False
    #: or a number that counts something ("Four of the nine are dead"; not "Immortal Nine")
    counted: bool = False
    #: of ``words``, those that tell a name only of what comes just before them ("the Usurpers,
    #: also called Junoids" names the Usurpers, not the carnival the sentence is about)
    naming: frozenset[str] = frozenset()
    #: who someone really is: the question's other words describe whom it asks about ("that creepy
    #: dude on the bus, who is he really"), and an alias naming the attribute ("puppeteer identity")
    #: only says what the entry is about, not that what it tells by then answers it
    identity: bool = False

    def told_by(self, text: str, *, quotes: bool = True) -> bool:
        """Whether ``text`` tells it; with ``quotes`` false, a quoted title does not count."""
        if self.quoted and quotes and _QUOTED.search(text):
            return True
        lowered = text.lower()
        if self.counted and _COUNT.search(_NOT_A_COUNT.sub(" ", lowered)):
            return True
        return not self.words.isdisjoint(re.findall(r"[a-z]+", lowered))

    def told_in(self, texts: Iterable[str]) -> bool:
        return any(self.told_by(text) for text in texts)

    def named_before(self, text: str) -> list[str]:
        """The few words before each of ``naming`` in ``text`` that the name it gives belongs to;
        empty when ``text`` tells the attribute by another of its words or by a quoted title."""
        found = re.findall(r"[a-z]+", text.lower())
        if not self.naming or (self.quoted and _QUOTED.search(text)) or not (self.words - self.naming).isdisjoint(found):
            return []
        return [" ".join(found[max(0, i - _NAMED_REACH) : i]) for i, word in enumerate(found) if word in self.naming]


_QUOTED = re.compile(r'"[^"]+"|“[^”]+”')
#: how many words before "called" may say what is called so ("the Usurpers, also called")
_NAMED_REACH = 4
#: a number that counts: digits or a number word ("13 episodes", "four of the nine")
_COUNT = re.compile(
    r"\b(?:\d[\d,.]*|" + "|".join(word for word in NUMBER_WORDS if word not in ("zero", "one"))
    + r"|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|several|both|half|couple)\b"
)
#: numbers that are names or places in a story, not counts: "Immortal Nine", "Noid 262", "episode 6"
_NOT_A_COUNT = re.compile(r"\bimmortal nine\b|\bnoid[\s-]*\d+|\b(?:episodes?|eps?)[\s-]+\d+(?:\s*(?:-|to|and)\s*\d+)?")


@dataclass(frozen=True, slots=True)
class QuestionForm:
    form: Form
    #: the two things a comparison is about, as typed (empty for the other forms)
    sides: tuple[str, ...] = ()
    #: what a yes/no question is about: the word after "is", "does"... ("is ash a nean": "ash")
    subject: str | None = None
    #: it asks who voices or plays someone (:func:`asks_for_cast`)
    cast: bool = False
    #: it asks about an attribute: how a text telling it reads (:func:`attribute_words`)
    attribute: Attribute | None = None


#: what is left around the two sides of a comparison: "what's the difference", "explain", "?"
_TRAILING = re.compile(
    r"[\s,;:!?.]*(?:\b(?:so|and|but|like|ok|okay|pls|please|lol)\b[\s,]*)*"
    r"(?:(?:what'?s|whats|what is|what are|what're)\s+(?:the|their)?\s*(?:real\s+)?differences?|how do they differ"
    r"|explain|eli5|pls|please)?[\s?!.]*$"
)
_LEADING = re.compile(
    r"^\s*(?:(?:what'?s|whats|what is|what are|what're|tell me|explain|so|ok|okay)\s+)*"
    r"(?:the\s+)?(?:real\s+)?(?:differences?|diff)\s+(?:between|b/w|btwn)\s+",
)
_VERSUS = re.compile(r"\s+(?:vs\.?|versus|v\.?)\s+")
_BETWEEN = re.compile(r"(?:differences?|diff)\s+(?:between|b/w|btwn)\s+(.+?)\s+(?:and|&)\s+(.+)")
_DIFFER = re.compile(
    r"^(?:how\s+(?:is|are|does|do|was|were)\s+)?(.+?)\s+"
    r"(?:different\s+(?:from|than|to)|differs?\s+from|compared?\s+(?:to|with))\s+(.+)$"
)
#: "is the cfn the same as the alter", "is a proto nean a different thing from a nean", "are
#: usurpers and visitors the same species", "how do aletheia and ochrona differ"
_KIND = r"(?:\s+(?:thing|things|species|kind|group|groups|people|person|org|orgs|organi[sz]ations?|side|faction|aliens))?"
_SAME = re.compile(
    rf"^(?:is|are|was|were)\s+(.+?)\s+(?:(?:the\s+)?same{_KIND}\s+as|(?:an?\s+)?different{_KIND}\s+(?:from|than|to))\s+(.+)$"
)
_SAME_AND = re.compile(
    rf"^(?:are|were)\s+(.+?)\s+(?:and|&)\s+(.+?)\s+(?:the\s+same|different){_KIND}(?:\s+or\s+(?:not|what|different))?$"
)
_HOW_DIFFER = re.compile(r"^how\s+(?:do|does|did|are|is)\s+(.+?)\s+(?:and|&)\s+(.+?)\s+(?:differ|different)$")
_AND_DIFFERENCE = re.compile(
    r"([^?!.,;]+?)\s+(?:and|&)\s+([^?!.,;]+?)\s*[,;:]?\s*(?:what'?s|whats|what is|what are)\s+(?:the|their)\s+differences?"
)
#: a question asking for every one of a group: "list all the immortal nine", "name every
#: gladiator", "who are all the villains", "which ones are dead so far", "immortal nine names"
#: (not "which of the twins is older": one of them)
_LIST = re.compile(
    r"\b(?:list|name (?:all|every|each)|who (?:are )?all|(?:all|every) (?:of )?(?:the )?[\w ]{1,30}? (?:names|members)"
    r"|which ones|which (?:characters|members|people)|(?:all|every) (?:the |of the )?(?:members|characters|villains))\b"
)
_CHOICE = re.compile(r"\b(?:is|was|are|were|did|does|do|has|had|can|could|will)\b.+\bor\b")
_YES_NO = re.compile(r"^(?:is|was|are|were|did|does|do|has|had|have|can|could|will|would|should|isn'?t|wasn'?t|didn'?t|doesn'?t)\b")
#: a yes/no question asked in the order of a statement, as chat and many first languages ask it:
#: "afdal is immortal nine?", "sarah fitzgerald is human or nean?" (about its first word)
_STATED = re.compile(r"^([a-z']+)(?:\s+[a-z']+)?\s+(?:is|are|was|were)\s[^?]*\?")
#: words after "is" / "does" that are not what the question is about ("is there a movie")
_NOT_A_SUBJECT = frozenset("the a an there it this that they he she his her their its any anyone someone".split())
#: of those, the words before what a choice is about ("is there an eng dub or is it sub only")
_NOT_A_PRONOUN = frozenset("the a an there".split())
_WH = {
    "who": Form.WHO, "whos": Form.WHO, "whose": Form.WHO, "whom": Form.WHO,
    "when": Form.WHEN, "whens": Form.WHEN, "where": Form.WHERE, "wheres": Form.WHERE,
    "why": Form.WHY, "whys": Form.WHY, "how": Form.HOW, "hows": Form.HOW,
    "what": Form.WHAT, "whats": Form.WHAT, "which": Form.WHAT,
}


#: words that ask who voices or plays someone: the answer is a cast entry (tagged ``cast``)
CAST_WORDS = frozenset("va vas voice voices voiced voicing seiyuu seiyu seiyuus cv actor actress plays played".split())


#: cast words that say nothing of the cast: "the voice in cyans head", "who plays the piano"
_NOT_CAST = re.compile(
    r"\bvoices? (?:(?:is|are|was|were) )?(?:in|inside) (?:the |that |this |her |his |their |my |your )?(?:[\w'-]+ ){0,3}(?:head|mind)\b"
    r"|\b(?:plays?|played|playing) (?:the |a |that )?(?:piano|song|tune|music|guitar|violin|game|games|dead|along)\b"
    r"|\bvoices? (?:that )?(?:comes?|coming|came|talks?|talking|speaks?|speaking) (?:out of|from|through)\b"
)


#: a question about what is still to come: "does giallon ever die", "do they go to venus at some
#: point", "will eden get his id back", "is jill gonna matter later"
_AHEAD = re.compile(
    r"\b(?:ever|at some point|eventually|later|in the future|gonna|going to|end up|ends up"
    r"|for good|twist|fake ?out|come back|comes back|coming back)\b"
    r"|(?<!\ba )(?<!\bher )(?<!\bhis )(?<!\bown )(?<!\bfree )(?<!\bthe )\bwill\b(?!\s+of\b)"  # not "a will of her own"
)


def asks_ahead(question: str) -> bool:
    """Whether ``question`` asks about what is still to come ("does giallon ever die")."""
    return _AHEAD.search(fold(question)) is not None


def asks_for_cast(question: str) -> bool:
    """Whether ``question`` asks who voices or plays someone ("who voices the twins", "rouge jp va")."""
    return any(word in CAST_WORDS for word in re.findall(r"[a-z]+", _NOT_CAST.sub(" ", fold(question))))


_IDENTITY = "an identity (who someone really is)"
#: words that give a name to what they follow ("also called Junoids", "a Nean named Noid")
_NAMING = frozenset("called named known".split())
#: questions about an attribute ("how old is gene", "opera's real name") and the words a text that
#: tells it would use; an entry that uses none of them does not answer such a question, however
#: well the rest of the question names it
_ATTRIBUTES: tuple[tuple[re.Pattern[str], Attribute], ...] = tuple(
    (
        re.compile(pattern),
        Attribute(what, frozenset(words.split()), quoted, *counted, naming=_NAMING & set(words.split()), identity=what == _IDENTITY),
    )
    for what, pattern, words, quoted, *counted in (
        (
            "another dub than the English one",
            r"\b(?:latin|latino|latam|spanish|castilian|german|french|portuguese|brazilian|italian|hindi|arabic|korean"
            r"|chinese|russian|polish|turkish|indonesian|tagalog|thai)\b.{0,20}\b(?:dub|dubbed|dubbing|audio|version)\b",
            "latin latino latam spanish castilian german french portuguese brazilian italian hindi arabic korean chinese"
            " russian polish turkish indonesian tagalog thai",
            False,
        ),
        (
            "a dub's cast",
            r"\b(?:english|eng|dub|dubbed)\b.{0,30}\b(?:va|vas|voice|voices|voiced|voice actor|actress|cast)\b"
            r"|\b(?:va|vas|voice|voices|voiced|actor|actress|cast|plays?|played)\b.{0,40}\b(?:english|eng|dub|dubbed)\b",
            "english dub dubbed",
            False,
        ),
        (
            "a length of time",
            r"\bhow long\b(?! (?:ago|is (?:the|each|an|one) (?:show|series|anime|episode|ep)s?\b))"
            r"|\bhow many (?:years|months|weeks|days|hours|decades|centuries)\b",
            "year years month months week weeks day days hour hours minute minutes decade decades century centuries"
            " lifespan",
            False,
        ),
        (
            "a date",
            r"\bwhen (?:did|does|do|was|were|is|will)\b.{1,40}\b(?:air|aired|airs|release|released|come out|came out"
            r"|drop|dropped|premiere|premiered|stream|streamed|broadcast)\b|\b(?:air|release|premiere|broadcast) date\b"
            r"|\bwhat (?:date|day)\b",
            "january february march april may june july august september october november december monday tuesday"
            " wednesday thursday friday saturday sunday weekly air aired airs release released drop dropped premiere"
            " premiered stream streamed broadcast date",
            False,
        ),
        ("a number", r"\bhow (?:many|much)\b|\bnumber of\b|\bpopulation\b", "", False, True),
        (
            "a meaning (what a name or word stands for)",
            r"\bstands? for\b|\bshort for\b|\bacronym\b|\babbreviation\b"
            r"|\bwhat (?:does|do|did)\b.{1,40}\bin (?:the |his |her |its |their )?(?:[\w']+ )?name\b.{0,10}\bmean\b",
            "means meaning stands stand short named refers reference references nod homage acronym derived",
            False,
        ),
        (
            "what something is made of",
            r"\bmade (?:out )?of\b|\bmade from\b|\bingredients?\b",
            "contains contain containing ingredient ingredients composed consists material materials substance"
            " substances extracted derived",
            False,
        ),
        ("an age", r"\bhow old\b|\bage\b|\bbirthday\b|\bwhen was \w+ born\b", "old age year years born birthday", False),
        (
            "a birthplace or hometown",
            r"\bwhere\b.{1,40}\bborn\b|\bbirth ?place\b|\bhome ?town\b|\bplace of birth\b|\bwhere\b.{1,40}\b(?:grow|grew) up\b",
            "born birthplace hometown native raised grew",
            False,
        ),
        (
            "a size",
            r"\bhow tall\b|\bheight\b|\bhow big\b|\bhow heavy\b|\bweight\b",
            "tall height metre metres meter meters cm feet size big weight",
            False,
        ),
        ("a name", r"\b(?:real|first|last|birth|true|full|actual) name\b|\bsurname\b", "name named names credited", False),
        (
            "a name or title",
            r"\bwhat(?:'?s| is| was| are| were)?\b.{1,40}\bcalled\b|\bits own name\b|\b(?:name|title)s? (?:of|for)\b"
            r"|\b(?:have|has|had|got|get|gets|given) (?:a |an |any )?(?:(?:real|proper|official|own) )?names?\b"
            r"|\bwhat do(?:es)? \w+ call (?:themselves|himself|herself|itself)\b",
            "name named names called known title titled",
            True,
        ),
        ("a favourite", r"\bfavou?rite\b|\bfave?\b", "favorite favourite love loves likes", False),
        (
            "a fate (whether someone lives or dies)",
            r"\b(?:die|dies|died|dead|death|survive[sd]?|alive)\b|\b(?:does|did|will|do)\b.{1,30}\bmake it\b",
            "die dies died dying dead death deaths kill kills killed killing survive survives survived alive murder"
            " murdered shot stabbed destroyed destroys destruct destructs sacrifice sacrifices sacrificed perish perishes fate",
            False,
        ),
        (
            "other roles or works",
            r"\bwhat else\b.{0,40}\b(?:been in|voiced?|played?|done|directed|made|worked on|written|wrote|composed)\b"
            r"|\b(?:voiced?|played?|been in|done|directed|made|worked on)\b.{0,20}\bbefore (?:this|that|metallic rouge)\b"
            r"|\bother (?:roles|works|anime|shows|series|projects|songs|tracks|albums)\b|\bknown for\b",
            "known roles role credits works previously earlier also other",
            False,
        ),
        (
            "a leader",
            r"\bwho(?:'?s| is| was| are| were)? (?:the |their |its )?(?:leader|head|boss|chief|founder)s?\b"
            r"|\bwho (?:leads|led|runs|ran|heads|headed|founded|commands|commanded)\b|\bleader'?s? (?:name|called)\b",
            "leader leaders lead leads led leading head heads headed boss chief runs ran run founder founded commander commands",
            False,
        ),
        (
            "who sent or hired someone",
            r"\bwho (?:hired|hires|sent|sends|ordered|orders|paid|pays|employed|employs|commissioned)\b",
            "hired hire hires sent send sends ordered order orders paid pay pays employer employed employs behind"
            " commissioned",
            False,
        ),
        (
            "a parent",
            r"\b(?:mom|moms|mum|mums|mother|mothers|mama|dad|dads|father|fathers|papa|pops|parents?)\b",
            "mom mum mother mothers mama dad father fathers papa parent parents",
            False,
        ),
        (
            "a child",
            # not a group's name: "the sons of ares"
            r"\b(?:kids?|child|children|son|sons(?! of\b)|daughter|daughters(?! of\b))\b",
            "kid kids child children son sons daughter daughters",
            False,
        ),
        (
            "a sibling",
            r"\b(?:sis|sisters?|bro|brothers?|siblings?)\b",
            "sister sisters brother brothers sibling siblings twin twins",
            False,
        ),
        (
            "a relation (family)",
            r"\b(?:related|relatives?|blood)\b|\bsame family\b",
            "related relative relatives brother brothers sister sisters sibling siblings mother father son daughter"
            " family parent parents twin twins blood",
            False,
        ),
        (
            "a partner",
            r"\b(?:wife|husband|girlfriend|boyfriend|gf|bf|lover|dated|dating|married|spouse)\b",
            "wife husband girlfriend boyfriend lover lovers dated dating couple married spouse love loved",
            False,
        ),
        (
            _IDENTITY,
            r"\bwho(?:'?s| is| was| are| were)\b[^?.!,;\n]{1,40}?\b(?:really|actually)\b(?!\s+(?:\w+ing|for|with|to|from)\b)"
            r"|\b(?:true|real|secret) identity\b|\bunder (?:the|that|his|her)(?: [\w']+)? (?:mask|helmet)\b"
            r"|\bsecretly (?:someone|somebody|one of)\b|\bmore than (?:s?he|they|it) (?:seems?|looks?)\b"
            r"|\b(?:good|bad) guys? or (?:an? )?(?:good|bad) guys?\b"
            r"|\bjust (?:an? |some )?(?:random|background|side characters?|passengers?|extras?)\b",
            "secretly secret revealed reveals unmasks unmasked unmask disguise disguised identity member members turns"
            " turned posing poses posed hides hiding impostor",
            False,
        ),
        (
            "a power (how someone fights)",
            r"\b(?:powers?|abilit(?:y|ies))\b",
            "power powers ability abilities fights fight fighting fought weapon weapons armour armor blades gravity"
            " shapeshifter copy copies fog hair",
            False,
        ),
        (
            "what someone is (human, Nean, alien)",
            r"^(?:(?:so|wait|ok|okay|but|and|like|also)\s+)*(?:is|are|was|were|isnt|isn't|arent|aren't)\s+(?:\w+\s+){1,4}?"
            r"(?:(?:even|really|actually|also|secretly|just|a|an|the|too)\s+)*(?:human|humans|nean|neans|android|androids"
            r"|robot|robots|alien|aliens|proto[\s-]?neans?)\b"
            r"|\b(?:human|nean|android|robot|alien)s? or (?:a |an )?(?:human|nean|android|robot|alien)s?\b",
            "human humans nean neans android androids robot robots alien aliens usurper usurpers visitor visitors"
            " proto",
            False,
        ),
        (
            "a colour",
            r"\bwhat colou?rs?\b|\bcolou?rs? (?:is|are|was|were|of)\b",
            "colour color colours colors coloured colored red blue black white green pink silver gold golden purple"
            " violet yellow orange grey gray brown blonde crimson scarlet",
            False,
        ),
        (
            "a brand or maker",
            r"\b(?:what|which) brands?\b|\bbrands? (?:is|of)\b",
            "brand brands company companies made makes maker manufacturer",
            False,
        ),
        (
            "an owner",
            r"\bowners?\b|\bwho (?:owns|owned)\b",
            "owner owners own owns owned",
            False,
        ),
        (
            "looks",
            r"\bwhat (?:does|did|do)\b.{1,40}\blook like\b|\bappearance\b",
            "look looks appearance resemble resembles face hair wears wearing",
            False,
        ),
    )
)


def attribute_words(question: str) -> Attribute | None:
    """For a question about an attribute, how a text telling it reads; else None."""
    text = fold(question)
    for pattern, attribute in _ATTRIBUTES:
        if pattern.search(text):
            return attribute
    return None


#: where the second side of "X vs Y" ends and the rest of the message begins: a clause break, or
#: a word that starts a new question ("visitors vs usurpers, arent they the same species")
_SIDE_END = re.compile(
    r"[,;:!?]|\s(?:what'?s|whats|what|who|whos|how|why|which|where|when|are|arent|aren't|is|isnt|isn't|"
    r"do|does|did|was|were|and|but|like|lol|tho|though)\b"
)


def _clean_side(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text.strip(" \t,;:!?.'\"")).strip()


def _right_side(text: str) -> str:
    """The second side of a comparison: up to where the rest of the message begins."""
    text = _TRAILING.sub("", text)
    end = _SIDE_END.search(text)
    return _clean_side(text[: end.start()] if end else text)


#: one or two words naming something, as a list item ("ash", "noid 262", "jill's")
_ITEM = r"[\w'.-]+(?:\s+[\w'.-]+)?"
#: what may follow the list and belongs to each question: "in japanese", "in the dub"
_LANGUAGE_TAIL = (
    r"(?:\s+in\s+(?:the\s+)?(?:(?:japanese|english|jp|eng|en)(?:\s+(?:dub|sub|version|audio))?|dub|sub|anime|show))?"
)
#: one question asked of two named things, its head first: "who voices ash and noid", "what
#: happened to noid and eden", "who are viola and verde", "vas for ash & noid in japanese"
_HEAD_THEN_PAIR = re.compile(
    r"^(?P<head>(?:.*?\b)?(?:who\s+(?:is|are|was|were|voices?|voiced|plays?|played)|whos|who's|"
    r"what\s+happened\s+to|what\s+happens\s+to|(?:vas?|voices?|voice\s+actors?|seiyuus?|actors?)\s+(?:of|for)))"
    rf"\s+(?P<first>{_ITEM})\s+(?:and|&|n)\s+(?P<second>{_ITEM})(?P<tail>{_LANGUAGE_TAIL})\s*[?!.]*$"
)
#: the same with the question after the pair: "ash and noid's vas", "ash and noid va in jp"
_PAIR_THEN_TAIL = re.compile(
    rf"^(?P<first>{_ITEM})\s+(?:and|&|n)\s+(?P<second>{_ITEM}?)(?:'s)?\s+"
    r"(?P<tail>(?:(?:jp|japanese|english|eng|dub)\s+)?(?:vas?|voices?|voice\s+actors?|seiyuus?|cv)"
    rf"{_LANGUAGE_TAIL})\s*[?!.]*$"
)


def shared_question(question: str) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """A question asked of two things at once, as (first thing, its question) and (second thing,
    its question): "who voices ash and noid" -> ("ash", "who voices ash"), ("noid", "who voices
    noid"). Read from the wording only; whether both things are named in the knowledge is the
    caller's to check (so "who is the red and blue gladiator" stays one question)."""
    text = fold(question).strip()
    found = _HEAD_THEN_PAIR.match(text) or _PAIR_THEN_TAIL.match(text)
    if found is None:
        return None
    first, second = _clean_side(found["first"]), _clean_side(found["second"])
    if not first or not second or first == second:
        return None
    head, tail = found.groupdict().get("head"), found["tail"]
    if head is None:
        return (first, f"{first} {tail}"), (second, f"{second} {tail}")
    return (first, f"{head} {first}{tail}"), (second, f"{head} {second}{tail}")


def read_form(question: str) -> QuestionForm:
    """The form of ``question`` (already without stated progress), and what else it asks for."""
    return replace(_shape(fold(question).strip()), cast=asks_for_cast(question), attribute=attribute_words(question))


def read_claim(claim: str) -> QuestionForm:
    """The form of a claim put up to be checked ("dazbee sings the opening", "the director did
    cowboy bebop"): a yes/no question about its first word, when its wording asks nothing else."""
    form = read_form(claim)
    if form.form is not Form.TOPIC:
        return form
    words = [word for word in re.findall(r"[a-z']+", fold(claim)) if word not in _NOT_A_SUBJECT]
    return replace(form, form=Form.YES_NO, subject=words[0] if words else None)


def _shape(text: str) -> QuestionForm:
    parts = _VERSUS.split(text, maxsplit=1)
    if len(parts) == 2:
        left, right = _clean_side(_LEADING.sub("", parts[0])), _right_side(parts[1])
        if left and right:
            return QuestionForm(Form.COMPARISON, (left, right))
    plain = _TRAILING.sub("", text)
    found = (
        _BETWEEN.search(text)
        or (_AND_DIFFERENCE.search(text) if "differen" in text else None)  # costly on long "a and a and ..."
        or _DIFFER.search(plain)
        or _SAME.search(plain)
        or _SAME_AND.search(plain)
        or _HOW_DIFFER.search(plain)
    )
    if found:
        left, right = _clean_side(found.group(1)), _clean_side(_TRAILING.sub("", found.group(2)))
        if left and right:
            return QuestionForm(Form.COMPARISON, (left, right))
    words = re.findall(r"[a-z']+", text)
    if not words:
        return QuestionForm(Form.TOPIC)
    if _LIST.search(text) and not _CHOICE.search(text):
        return QuestionForm(Form.LIST)
    stated = _STATED.match(text)
    if stated and (stated.group(1) in FILLER_WORDS or stated.group(1) in CHAT_WORDS):
        stated = None  # "wait is there an english dub?", "so it was roy?"
    if _CHOICE.search(text) and not words[0].replace("'", "") in _WH:
        # "is naomi aletheia or ochrona" asks about Naomi; "was it giallon or roy" about no one named
        if _YES_NO.match(text):
            after = [w for w in words[1:4] if w not in _NOT_A_PRONOUN]
        else:  # "sarah is human or nean?"
            after = [stated.group(1)] if stated else []
        return QuestionForm(Form.CHOICE, subject=after[0] if after and after[0] not in _NOT_A_SUBJECT else None)
    if _YES_NO.match(text):
        after = [w for w in words[1:4] if w not in _NOT_A_SUBJECT]
        return QuestionForm(Form.YES_NO, subject=after[0] if after else None)
    for word in words[:4]:
        form = _WH.get(word.replace("'", ""))
        if form is not None:
            return QuestionForm(form)
    if stated and stated.group(1) not in _NOT_A_SUBJECT:
        return QuestionForm(Form.YES_NO, subject=stated.group(1))
    return QuestionForm(Form.TOPIC)
