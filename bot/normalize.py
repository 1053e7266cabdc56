"""Turn a fan's question into the words that carry its meaning.

"Who's Rouge’s MOM??" and "rouge mother" should look the same to the matcher, so both the
question and the knowledge go through :func:`normalize`: Unicode folding, case, punctuation,
possessives, filler words, and the knowledge base's own synonyms (``mom: mother``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

#: Words that carry no meaning for lore lookup. Question words go too: "who is Gene" and
#: "what is Gene" ask for the same entry.
FILLER_WORDS = frozenset(
    """
    a about actually again all also am an and any anybody anyone anything are as at be been being
    bot but by can could can't did do does doing done dont explain for from get give go going got
    had has have having he hello help her hey hi him his how i i'm if im in info information into
    is isnt it its just know let lets like me mean means more my of on or our please pls plz
    really remind say show so some somebody someone something tell than thank thanks that thats
    the their them then there these they this those tho though to u uh um us wait want was wanna
    we were what whats when whens where wheres which who whos whom why whys will with would ya
    yeah yo you your
    """.split()
)

#: Always-on rewrites, before the knowledge base's own synonyms.
BUILT_IN_SYNONYMS = {"ep": "episode", "eps": "episode", "episodes": "episode", "epi": "episode"}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_POSSESSIVE = re.compile(r"(?<=\w)'s\b|(?<=s)'(?=\s|$)")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NON_WORD = re.compile(r"[^\w']+|_+")


def fold(text: str) -> str:
    """Lower-case, accent-free, compatibility-folded text (｢Ｒｏｕｇｅ｣ -> "rouge")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.casefold().translate(_APOSTROPHES)


def tokens(text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """The meaningful words of ``text`` in order, synonyms applied and filler removed."""
    text = _POSSESSIVE.sub("", fold(text))
    text = _LETTER_DIGIT.sub(" ", text)
    words = []
    for raw in _NON_WORD.split(text):
        word = raw.strip("'").replace("'", "")
        if not word or word in FILLER_WORDS:
            continue
        word = BUILT_IN_SYNONYMS.get(word, word)
        if synonyms:
            word = synonyms.get(word, word)
        words.append(word)
    return words


def normalize(text: str, synonyms: Mapping[str, str] | None = None) -> str:
    return " ".join(tokens(text, synonyms))
