"""Turn a fan's question into the words that carry its meaning.

"Who's Rouge’s MOM??" and "rouge mother" should look the same to the matcher, so both the
question and the knowledge go through :func:`normalize`: Unicode folding, case, punctuation,
possessives, filler words, and the knowledge base's own synonyms (``mom: mother``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

#: Words that carry no meaning for lore lookup. Question words go too: "who is Gene" and
#: "what is Gene" ask for the same entry.
FILLER_WORDS = frozenset(
    """
    a about actually again all also am an and any anybody anyone anything are as at be been being
    bot but by can could can't did do does doing done dont explain for from get give go going got
    had has have having he gm gn hello help her hey hi him his how i i'm if im in info information into
    is isnt it its just know let lets like me mean means more my of on or our please pls plz
    really remind say show so some somebody someone something tell than thank thanks that thats
    the their them then there these they this those tho though to u uh um us wait want was wanna
    we were what whats when whens where wheres which who whos whom why whys will with would ya
    yeah yo you your
    """.split()
) | frozenset(
    # Chat shorthand, the rest of the usual English function words and the vaguest nouns: they
    # never tell two entries apart, and a word the matcher cannot explain makes it less sure.
    """
    above after again against anyway because before below between both btw cuz
    did didnt does doesnt down during each else even ever every exactly few further guys hasnt
    havent here hers herself himself idk imo itself kinda lmao lol lul many maybe might most
    much must myself n no nor not now off once only other ours ourselves out over own pls r
    rn same shall she should since sorta such tbh too under until ur very w was wasnt wat whatever
    whether while whose why wot wut y yall yours yourself
    theyre youre hes shes weve theyve ive wont cant arent werent wouldnt couldnt shouldnt aint
    whatre theres heres hows whered whatd youll theyll hed itll hadnt ima imma
    bit deal guy kind lot name person sort stuff type way dudes legally
    """.split()
) | frozenset(
    # The words that make a comparison ("X vs Y", "the difference between X and Y"): the answering
    # layer reads the question's form before matching (bot.answering.forms); to the matcher they
    # name nothing.
    """
    compare compared comparison difference differences different differ vs versus
    """.split()
) | frozenset(
    # Chat slang and reactions: "bro", "lmaooo", "ngl", "fr". They name nothing in the lore, and
    # as unknown words they would count against every entry.
    """
    aha ahh bestie bro bruh damn dang dude fr frfr gonna gotta guys haha hahaha hmm hmmm idc kk
    tf wtf istg ong icl tbf lowkey highkey deadass fam plsss
    lel lmao lmaoo lmaooo lmfao nah ngl nope ok okay omfg omg rofl sheesh smh sry thx ty tysm
    umm welp wow xd yea yep
    kawaii sugoi daebak jaja jajaja jeje hehe hihi wkwk wkwkwk blin mano nossa kkk
    """.split()
) | frozenset(
    # Question and function words of the languages an international server mixes into its English
    # ("quien dirigio el episodio 6", "bitte, what is the title of folge 8", "apa yang terjadi"):
    # unknown words would count against every entry. Only words that are no English word.
    """
    quien quienes que como donde cuando cual porque pq el los las del es esta estoy una por favor
    para muy tambien pero
    quem onde quando qual voce vc nao sim pra uma com tambem mas
    wer wann warum wie welche welcher ist und nicht bitte danke auch
    qui quoi pourquoi quand ou est les et
    apa siapa kenapa kapan dimana yang itu ini tidak dong sih
    po ba naman kasi ano sino bakit
    """.split()
)

#: Words that never name a topic: intensifiers, hedges, vague evaluations, generic nouns and
#: verbs, and the kinds of thing a name is ("ochrona organization"). Not the adjectives of
#: "how old / long / big": those ask for a fact. Unlike filler they are kept, and match when the knowledge uses them ("true
#: identity"); but when it does not, the matcher barely counts them, whereas an unknown word
#: that could name something ("goku", "sequel", "birthday") counts against every candidate.
VAGUE_WORDS = frozenset(
    """
    absolute absolutely actual again already apparently awesome bad basically best better certain
    certainly cool crazy definitely detail details entire exact fact faction facts fine full
    general generally good great group honest honestly idea important interesting kinda literally
    little main nice organisation organization overall particular point possibly pretty probably
    proper real really reason seriously simple simply so special specific still story strange
    supposedly sure team thing things think thought total totally true truly weird whole wonder
    called confused confusing curious question quick random remember wondering
    power powers ability abilities arc arcs
    """.split()
)

#: Everyday verbs, adverbs and pronoun-like words of chat that name no topic: "i keep seeing",
#: "so far", "every site says", "does he come back". Where the knowledge uses one, it matches
#: like any word; where it does not, it weighs like a vague word rather than counting against
#: every entry as an unknown word that could name something ("birthday", "sequel") does.
CHAT_WORDS = frozenset(
    """
    keep keeps kept keeping say says saying said tell tells telling told feel feels feeling felt
    seem seems seemed look looks looking looked need needs needed try tries tried trying ever
    still yet far pull pulls pulled pulling drop drops dropped put puts putting use uses used using
    guess understand understood suppose supposed bother notice noticed realize realized realise
    talk talks talking talked ask asks asking asked answer seeing watching watched mention mentioned
    everyone everybody everything nothing nobody people ppl anyway anymore somehow literally
    basically suddenly totally honestly apparently kept happened happening part parts moment
    moments time times scene scenes bit lot whole thing things same different again back around
    away along
    obsessed creepy funny cute pretty familiar blown glosses gloss wild insane hype hyped vibe vibes
    chill sad crying cried scared scary annoying annoyed tired bored boring excited curious
    forget forgets forgot forgotten forgetting
    summarise summarize summarised summarized summary
    """.split()
)

#: Ordinals in words, for an episode named by its place ("the first episode", "the 3rd ep").
ORDINAL_WORDS = {
    word: number
    for number, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth".split(), start=1
    )
}

#: Spelled-out numbers, so "immortal nine" and "immortal 9", "episode one" and "ep 1" agree.
NUMBER_WORDS = {
    word: str(number)
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen".split()
    )
}
#: words after which "one" is the number ("episode one", "season one"); elsewhere it is filler
_COUNTED = frozenset({"episode", "season", "part", "number", "chapter", "volume", "cour", "mk"})
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
#: consonants doubled before -ed and -ing ("stabbed", "ripping"); not l, s, z: "kill", "miss"
_DOUBLED = frozenset("bdgmnprt")
_VOWELS = "aeiou"

#: Always-on rewrites, before the knowledge base's own synonyms.
BUILT_IN_SYNONYMS = {
    "ep": "episode",
    "eps": "episode",
    "episodes": "episode",
    "epi": "episode",
    "jp": "japanese",
    "jpn": "japanese",
    "eng": "english",
    "tech": "technology",
    "sub": "subtitles",
    "subs": "subtitles",
    "subbed": "subtitled",
    "fav": "favorite",
    # The show's words as an international server mixes them in (accents are folded first).
    **dict.fromkeys("episodio capitulo folge odcinek episodyo".split(), "episode"),
    **dict.fromkeys("titulo titel titre judul".split(), "title"),
    **dict.fromkeys("regisseur regie".split(), "director"),
    **dict.fromkeys("dirigio dirigiu".split(), "directed"),
    **dict.fromkeys("dublador dubladora doblador dobladora synchronsprecher synchronsprecherin".split(), "va"),
    **dict.fromkeys("madre mae mutter ibu".split(), "mother"),
    **dict.fromkeys("padre pai vater pere ayah".split(), "father"),
    **dict.fromkeys("hermano irmao bruder frere".split(), "brother"),
    **dict.fromkeys("hermana irma schwester soeur".split(), "sister"),
    "marte": "mars",
    "terjadi": "happened",
    # Month abbreviations, so "jan 10" meets "10 January" ("mar" is Mars, "may" a verb: left alone).
    "jan": "january", "feb": "february", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
    "dec": "december",
    "fave": "favorite",
    "biggest": "largest",
    "favourite": "favorite",
    **{
        # Irregular past forms, so "who gave them the tech" meets "gives" and "give": the stemmer
        # only strips regular endings. Applied to the knowledge and the question alike.
        past: present
        for present, forms in {
            "become": "became", "begin": "began begun", "break": "broke broken", "bring": "brought",
            "buy": "bought", "catch": "caught", "choose": "chose chosen",
            "die": "died dies dying", "fall": "fell fallen", "fight": "fought", "find": "found",
            "fly": "flew flown", "forget": "forgot forgotten", "give": "gave given", "go": "went gone",
            "hide": "hid hidden",
            "hold": "held", "lead": "led", "lose": "lost", "make": "made", "meet": "met",
            "run": "ran", "see": "saw seen", "sell": "sold", "send": "sent", "shoot": "shot",
            "stand": "stood", "steal": "stole stolen", "take": "took taken", "wake": "woke woken",
            "write": "wrote written",
        }.items()
        for past in forms.split()
    },
    **{
        # A word and its derived forms that the stemmer leaves apart ("freedom" and "free",
        # "create" and "created": a silent e or a noun ending), as one word.
        other: word
        for word, forms in {
            "free": "freedom freed", "survive": "survival", "betray": "betrayal", "arrive": "arrival",
            "released": "release", "related": "relate", "disguised": "disguise disguises",
            "escaped": "escape escapes", "captured": "capture captures",
            # a doer, a deed or a doubled l ("writer", "theft", "controlled") and the verb
            "write": "writer writers writing", "investigate": "investigation investigator investigators",
            "decide": "decision", "destroy": "destruction", "transform": "transformation transformations",
            "control": "controlled controlling controller", "steal": "theft thief thieves",
            "compose": "composer composers composition", "invade": "invaded invading invasion",
            "manipulate": "manipulated manipulating manipulation", "confess": "confession", "reveal": "revelation",
        }.items()
        for other in forms.split()
    },
    **{
        # Everyday words for what the knowledge says otherwise ("who built the nine": "made them";
        # "who wrote ep 4's script": "written by"): the same in every story, so the reader's own.
        other: word
        for word, forms in {
            "make": "build builds built create creates created creating creation",
            "defeat": "beat beats beaten beating",
            "write": "script scripts scripted scriptwriter scriptwriters screenwriter screenwriters",
            "tear": "rip rips ripped ripping torn",
            "executive": "exec execs",
        }.items()
        for other in forms.split()
    },
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_POSSESSIVE = re.compile(r"(?<=\w)'s\b|(?<=s)'(?=\s|$)")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NON_WORD = re.compile(r"[^\w']+|_+")
_DIGIT = re.compile(r"\d")
_REPEATED = re.compile(r"([a-z])\1{2,}")
_HANGUL_JAMO = re.compile(r"[\u1100-\u11ff\u3130-\u318f]+")
#: filler -> "" (dropped), built-in synonyms and number words -> their replacement
_REWRITES: dict[str, str] = {
    **{word: "" for word in FILLER_WORDS},
    **BUILT_IN_SYNONYMS,
    **NUMBER_WORDS,
}


def reads_as(word: str) -> str:
    """How the reader takes one folded word before the knowledge's synonyms apply: "" for filler,
    the built-in rewrite or spelled-out number ("built" -> "build", "nine" -> "9"), else the word."""
    return _REWRITES.get(word, word)


def fold(text: str) -> str:
    """Lower-case, accent-free, compatibility-folded text (｢Ｒｏｕｇｅ｣ -> "rouge")."""
    if text.isascii():  # the common case, and ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold().translate(_APOSTROPHES)


#: "who did rouge kill before ep 1", "before the show even starts": before the story, as the
#: knowledge says it (not a question about episode 1)
_BEFORE_THE_STORY = re.compile(
    r"\bbefore (?:(?:ep|episode)\s*(?:1|one)\b|the (?:first (?:ep|episode)|show|series|anime|story)\b"
    r"(?: (?:even |really )?(?:starts|started|begins|began|start|begin)\b)?)"
)


#: "the show", "this series": the anime itself (alone, "show" is filler: "show me rouge's mother")
_THE_SHOW = re.compile(r"\b(?:the|this|that) (?:show|series|anime)\b")


#: "she ends up staying with Ash": the idiom says nothing about an ending
_ENDS_UP = re.compile(r"\b(?:end|ends|ended|ending) up\b")

#: "naomi turns out to be an official", "it turned out": how something came to light, not what
_TURNS_OUT = re.compile(r"\b(?:turn|turns|turned|turning) out(?: to be)?\b")

#: "what happens to naomi at the end", "who is left by the end": the series' end, the finale; not
#: "at the end of the voyage" nor "at the end of ep 8", and not "in the end" ("is roy human in the
#: end": ultimately)
_THE_END = re.compile(r"\b(?:at|by|until|till|til) the (?:very )?end\b(?!\s+of\b)")

#: "who dies in the first episode", "the third ep": an episode named by its place is that episode
#: (not "the first episode" of the premiere's air date alone: it names episode 1, whose entry tells it)
_ORDINAL_EPISODE = re.compile(r"\b(" + "|".join([*ORDINAL_WORDS, "last", "final"]) + r")\s+(?:ep|episode)\b")


def _episode_in_place(found: re.Match[str]) -> str:
    number = ORDINAL_WORDS.get(found.group(1))
    return f"episode {number}" if number else "finale"


#: "aletheia is the ministry of truth right?": a tag asking to be told yes, not a word of the question
#: ("neans have rights", "the right answer" keep theirs)
_RIGHT_TAG = re.compile(r"\b(?:right|correct|yeah|innit)\s*\?")

#: "catch me up on ep 11": a recap (not a slip of "watch")
_CATCH_UP = re.compile(r"\bcatch (?:me |us )?up\b")

#: "lore dump on the nine", "break down who the alter are", "refresh my memory on eden": asking to
#: be told, like "explain" and "remind me" (filler words); "tldr of ep 5" asks for a recap
_ASK_TO_TELL = re.compile(
    r"\b(?:lore[\s-]?dump|break (?:it |this |that )?down|refresh (?:my|our) memor(?:y|ies)|fill (?:me|us) in"
    r"|(?:run|walk|take) (?:me|us) through|(?:some |more |need |give me |for )*context (?:for|on|about|of))\b"
)
_TLDR = re.compile(r"\btl\W?dr\b")

#: "when did it come out": released ("out" alone is filler, and "come" is "where does rouge come from")
_COME_OUT = re.compile(r"\b(?:come|comes|came|coming) out\b")

#: "who is dead so far", "so far in the show": up to now, which the asker's horizon already says;
#: "which ones": the question word's pronoun (not "The Ones Who Visited")
_SO_FAR = re.compile(r"\b(?:so far|as of now|up (?:until|till|to) now|until now|till now)\b|(?<=\bwhich) ones\b")

#: "no spoilers pls", "spoiler free", "dont spoil me": how to answer, not what about (the answer is
#: spoiler-safe anyway); "ep 4 spoilers" asks what happens in it and keeps its words
_NO_SPOILERS = re.compile(
    r"\b(?:(?:no|without|avoid|don'?t|dont|do not|w/o)\s+(?:any\s+)?(?:major\s+|big\s+)?spoil(?:er|ers|ing|s)?"
    r"(?:\s+(?:me|anything|please|pls|plz|too hard|too much))?|spoiler[\s-]*free)\b"
)

#: "was dumas jaron the whole time", "all along": how long something was so, not a time period
_ALL_ALONG = re.compile(
    r"\b(?:(?:the|this|that) (?:whole|entire) time|all along|in the first place|at this point|at that point|for real"
    r"|right now|last night|the other day|at all)\b"
)

#: "i keep losing track", "ive lost track of who is who": the asker's state, not the lore's
_LOSE_TRACK = re.compile(r"\b(?:lose|loses|losing|lost)\s+track(?:\s+of)?\b")

#: "explain code eve like im 5", "eli5": how to answer, not what about (the 5 is no episode)
_LIKE_IM_FIVE = re.compile(r"\b(?:(?:like|as if)\s+(?:i'?m|im|i am)\s+(?:5|five)(?:\s+years?\s+old)?|eli5)\b")

#: "what's the op called", "what is ep 6 named": the word asks for a name, like "what is the op";
#: only at the end of a "what" clause ("who called rouge a tool" keeps it)
_WHAT_CALLED = re.compile(
    r"\b(what(?:'?s|\s+is|\s+are|\s+was|\s+were)?\b[^?.!,;:\n]*?)\s+(?:called|named)\b(?=\s*(?:$|[?.!,;:\n]|and\b|or\b|but\b|tho\b|though\b))"
)


#: a word spelled out letter by letter, as dictation and some typists write an acronym ("the c f n",
#: "what are i d s", "c.f.n."): three letters or more apart, or two or more each with a dot (not
#: "u r a legend": "you are")
_SPELLED_OUT = re.compile(r"(?<![\w'])(?!u r |r u )(?:[a-z] ){2,}[a-z](?![\w'])|(?<![\w'])(?:[a-z]\. ?){2,}")


#: punctuation said aloud to a phone's dictation, at the end of a message or a line ("who is roosh
#: mom question mark"); "what time period is it set in" and "whats the time period" keep theirs
_SAID_MARK = re.compile(
    r"(?<!\btime)\s+(?:question mark|exclamation (?:mark|point)|full stop|period)\s*(?=$|\n)", re.IGNORECASE
)


def without_said_marks(question: str) -> str:
    """A fan's message without the punctuation its dictation spelled out ("... question mark"):
    read in questions only, where a knowledge text's "time period" keeps its word."""
    return _SAID_MARK.sub("?", question)


def _letters_joined(found: re.Match[str]) -> str:
    return re.sub(r"[ .]", "", found.group(0)) + " "


#: phrases rewritten before the words are split: (substrings one of which the text must hold for
#: the pattern to be tried, pattern, replacement), in this order
_PHRASES: tuple[tuple[tuple[str, ...], re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (("before",), _BEFORE_THE_STORY, "before the story"),
    (("the ", "this ", "that "), _THE_SHOW, "anime"),
    (("end",), _ENDS_UP, " "),
    (("turn",), _TURNS_OUT, " "),
    (("the end", "very end"), _THE_END, " finale "),
    (("right", "correct", "yeah", "innit"), _RIGHT_TAG, "?"),
    (("catch",), _CATCH_UP, "recap"),
    (("lore", "break", "memor", "fill", " through", "context"), _ASK_TO_TELL, " "),
    (("tl",), _TLDR, "recap"),
    ((" out",), _COME_OUT, "release"),
    (("far", "now", "ones"), _SO_FAR, " "),
    (("spoil",), _NO_SPOILERS, " "),
    (("track",), _LOSE_TRACK, " "),
    (
        ("whole time", "entire time", "all along", "first place", "this point", "that point", "for real", "right now",
         "last night", "other day", "at all"),
        _ALL_ALONG,
        " ",
    ),
    (("5", "five"), _LIKE_IM_FIVE, " "),
    ((" ep",), _ORDINAL_EPISODE, _episode_in_place),
    (("called", "named"), _WHAT_CALLED, r"\1"),
    ((" ", "."), _SPELLED_OUT, _letters_joined),
)


#: each rewrite with its guards as one search: "any(guard in text ...)" in Python cost as much as
#: the rewrites themselves on every text the knowledge and the questions hold
_PHRASE_STEPS = tuple(
    (re.compile("|".join(map(re.escape, guards))), pattern, replacement) for guards, pattern, replacement in _PHRASES
)


def tokens(
    text: str, synonyms: Mapping[str, str] | None = None, before: Callable[[str], str] | None = None
) -> list[str]:
    """The meaningful words of ``text`` in order, synonyms applied and filler removed; ``before``
    rewrites the folded text first (the matcher reads the show's title as the show)."""
    text = fold(text)
    if before is not None:
        text = before(text)
    for guard, pattern, replacement in _PHRASE_STEPS:
        if guard.search(text):
            text = pattern.sub(replacement, text)
    if "'" in text:
        text = _POSSESSIVE.sub("", text)
    if _DIGIT.search(text):
        text = _LETTER_DIGIT.sub(" ", text)
    words: list[str] = []
    rewrite = _REWRITES.get
    drawn_out = _REPEATED.search(text) is not None
    for word in _NON_WORD.split(text):
        if "'" in word:
            word = word.strip("'").replace("'", "")
        if not word or _HANGUL_JAMO.fullmatch(word):
            continue  # "ㅋㅋㅋ", "ㅠㅠ": laughing and crying, in Korean letters
        if drawn_out and len(word) <= 20 and _REPEATED.search(word):  # "hiii", "lmaooo", "noooid"
            once, twice = _REPEATED.sub(r"\1", word), _REPEATED.sub(r"\1\1", word)
            if len(once) >= 2 or twice in _REWRITES:  # "xxxxxx" is junk, not the letter x; "kkkkkk" is "kk"
                word = twice if (twice in _REWRITES or twice in VAGUE_WORDS) and once not in _REWRITES else once
        new = rewrite(word, word)
        if not new or new in FILLER_WORDS:
            continue  # filler, or a form of it ("went" -> "go")
        if new in _ORDINAL_SUFFIXES and words and words[-1].isdigit():
            continue  # "1st" -> "1"
        if word == "one" and not (words and words[-1] in _COUNTED):
            continue  # "which one", "the one who": not a number; "episode one" is
        if synonyms:
            mapped = synonyms.get(new)
            if mapped is None and len(new) > 3 and new.endswith("s"):
                mapped = synonyms.get(new[:-1])  # a possessive without its apostrophe: "sylvias"
            if mapped:
                # the knowledge's word read as the reader reads it: "created: made" meets "made"
                # and "make" as typed (the loader refuses a word this drops as filler)
                new = rewrite(mapped, mapped)
                if not new:
                    continue
        words.append(new)
    return words


def stem(word: str) -> str:
    """A word's plain form for matching: "killers", "killed", "killing" -> "kill".

    Deliberately crude (plural, possessive-without-apostrophe, -ed, -ing, -er, -or) and applied to
    the knowledge and the question alike, so it only has to be consistent, not correct English.
    Not part of :func:`normalize`: two aliases that differ by a plural stay distinct phrasings.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ity") and len(word) >= 8:
        word = word[:-3]  # "humanity" -> "human"
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    stripped = True
    ended = False
    while stripped:  # "murderer" -> "murder" -> "murd", like "murdered" and "murder"
        stripped = False
        for suffix in ("ing", "ed", "er", "or"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                stripped = ended = True
                break
    if not ended and word.endswith(("ing", "ed")):
        short = word[:-3] if word.endswith("ing") else word[:-2]
        if len(short) == 3 and short[0] not in _VOWELS and short[1] in _VOWELS and short[2] not in _VOWELS + "wxy":
            return short + "e"  # "taking", "made up" -> "take", like "take"; "hated" -> "hate"
    if ended:
        if word[-1] == word[-2] and word[-1] in _DOUBLED:
            word = word[:-1]  # "stabbed" -> "stabb" -> "stab", like "stabs"
        elif word[-1] in "cvzu":
            word += "e"  # "voiced" -> "voic" -> "voice", like "voices"
    return word


#: spellings that sound alike, in order (see :func:`sound_key`)
_SOUNDS_ALIKE = (
    ("ph", "f"), ("th", "t"), ("dt", "t"), ("ck", "k"), ("ch", "k"), ("sh", "s"), ("tz", "ts"),
    ("q", "k"), ("x", "ks"), ("w", "u"), ("v", "b"), ("l", "r"), ("z", "s"),
)  # fmt: skip
_SOFT_C = re.compile(r"c(?=[eiy])")
_FIRST_Y = re.compile(r"^y(?=[aeiou])")
_SILENT_H = re.compile(r"(?<=[aeiou])h")
_SOFT_G = re.compile(r"g(?=[ei])")
_GLIDE_J = re.compile(r"ji(?=[aeiou])")
_DOUBLE = re.compile(r"(.)\1+")
_ADDED_VOWEL = re.compile(r"(?<=[^aeiou])[uo](?=[^aeiou]|$)")
_LONG_END = re.compile(r"(?<=[aeiou])r$")


def sound_key(word: str) -> str:
    """How a name sounds, roughly, so that spellings by ear and romanisations of its Japanese
    reading meet: "giyaron", "jaron" and "giallon"; "okurona" and "ochrona"; "berude" and
    "verde". It folds what a Japanese reading or an English ear blurs: l and r, v and b, soft
    c and g, doubled letters, the u or o a katakana reading adds after a consonant ("gu-ra-u-fon"),
    a final r read as a long vowel ("nekuta"). Lossy on purpose: only a name the knowledge knows
    is looked up by it, and only for a word that is nothing the knowledge knows.
    """
    key = word.lower()
    for written, sound in _SOUNDS_ALIKE:
        key = key.replace(written, sound)
    key = _SOFT_C.sub("s", key).replace("c", "k")
    key = _FIRST_Y.sub("j", key).replace("y", "i")
    key = _DOUBLE.sub(r"\1", _SILENT_H.sub("", key))
    key = _GLIDE_J.sub("j", _SOFT_G.sub("j", key))
    key = _LONG_END.sub("", _ADDED_VOWEL.sub("", key))
    return _DOUBLE.sub(r"\1", key)


def normalize(text: str, synonyms: Mapping[str, str] | None = None) -> str:
    return " ".join(tokens(text, synonyms))
