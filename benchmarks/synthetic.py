"""Synthetic knowledge bases of any size, grown from the real one.

A synthetic entry is a real entry with its subject renamed: the word its phrasings share most
("rouge" in "Who is Rouge's mother?", "rouge mom", ...) becomes an invented name ("Kavori"), in
the question, every alias and every reveal. So the synthetic knowledge keeps the real shape of
questions, alias counts, twist aliases, reveal lengths and word frequencies, while the
vocabulary grows with the size the way a bigger wiki's would (one new name per entry).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.model import Entry, KnowledgeBase
from bot.answering.normalize import FILLER_WORDS, normalize, tokens

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "tr", "st", "gl")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou")
_CODAS = ("", "", "n", "r", "l", "x", "th")  # never "s": "krusa" + "s" would be "krusas"

ENTRIES_PER_FILE = 500


def invented_names(count: int, avoid: set[str], seed: int = 7) -> list[str]:
    """``count`` distinct pronounceable names, none of them a word of ``avoid``."""
    rng = random.Random(seed)
    names: list[str] = []
    seen = set(avoid)
    while len(names) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        name = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables)) + rng.choice(_CODAS)
        if name not in seen and name not in FILLER_WORDS:
            seen.add(name)
            names.append(name)
    return names


def subject_word(entry: Entry, synonyms: dict[str, str]) -> str | None:
    """The word an entry's phrasings repeat most: what the entry is about."""
    counts: Counter[str] = Counter()
    phrasings = [entry.question, *(alias.text for alias in entry.aliases)]
    for text in phrasings:
        counts.update({word for word in tokens(text, synonyms) if word.isalpha() and len(word) >= 3})
    if not counts:
        return None
    question_words = tokens(entry.question, synonyms)
    return max(counts, key=lambda w: (counts[w], w in question_words, -question_words.index(w) if w in question_words else -99))


def entry_to_yaml(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {"id": entry.id, "question": entry.question}
    if entry.aliases:
        data["aliases"] = [
            alias.text if alias.episode is None else {"text": alias.text, "episode": alias.episode}
            for alias in entry.aliases
        ]
    if entry.tags:
        data["tags"] = list(entry.tags)
    if entry.mystery:
        data["mystery"] = entry.mystery
    if entry.see_also:
        data["see_also"] = [
            link.id if link.episode is None else {"id": link.id, "episode": link.episode} for link in entry.see_also
        ]
    data["reveals"] = [
        {
            "episode": r.episode,
            "text": r.text,
            "sources": list(r.sources),
            **({"facts": list(r.facts)} if r.facts else {}),
            **({"unconfirmed": True} if r.unconfirmed else {}),
        }
        for r in entry.reveals
    ]
    return data


def _renamed(data: dict[str, Any], word: str, name: str, number: int) -> dict[str, Any] | None:
    pattern = re.compile(rf"\b{re.escape(word)}", re.IGNORECASE)
    capital = name.capitalize()

    def swap(text: str) -> str:
        return pattern.sub(capital, text)

    if not pattern.search(data["question"]):
        return None  # the canonical question must change, or it would repeat the original's
    out: dict[str, Any] = {"id": f"{data['id']}-{name}", "question": swap(data["question"])}
    if len(out["question"]) > 100:
        return None
    aliases = []
    for alias in data.get("aliases", []):
        text = alias if isinstance(alias, str) else alias["text"]
        if not pattern.search(text):
            continue  # an alias without the subject would be claimed twice
        aliases.append(swap(text) if isinstance(alias, str) else {"text": swap(text), "episode": alias["episode"]})
    if aliases:
        out["aliases"] = aliases
    if "tags" in data:
        out["tags"] = data["tags"]
    if "mystery" in data and number % 10 == 0:
        out["mystery"] = f"{data['mystery']}-{name}"
    if "see_also" in data:
        out["see_also"] = data["see_also"]  # the originals: always present
    out["reveals"] = [{**reveal, "text": swap(reveal["text"])} for reveal in data["reveals"]]
    return out


def grow(kb: KnowledgeBase, size: int, seed: int = 7) -> list[dict[str, Any]]:
    """``size`` entries as YAML-ready dicts: the real ones first, then renamed copies."""
    real = list(kb.entries.values())
    if size <= len(real):
        chosen = real[:size]
        ids = {entry.id for entry in chosen}
        out = []
        for entry in chosen:
            data = entry_to_yaml(entry)
            if "see_also" in data:
                data["see_also"] = [
                    link for link in data["see_also"] if (link if isinstance(link, str) else link["id"]) in ids
                ]
                if not data["see_also"]:
                    del data["see_also"]
            out.append(data)
        return out
    out = [entry_to_yaml(entry) for entry in real]
    synonyms = kb.series.synonyms
    templates = [(entry_to_yaml(e), subject_word(e, synonyms)) for e in real]
    templates = [(data, word) for data, word in templates if word]
    if not templates:
        raise ValueError("no entry to grow synthetic entries from")
    vocabulary = {w for e in real for t in (e.question, *(a.text for a in e.aliases)) for w in tokens(t)}
    vocabulary |= set(synonyms) | set(synonyms.values())
    names = iter(invented_names(size * 2, vocabulary, seed))
    claimed = {normalize(text, synonyms) for data in out for text in _phrasings(data)}
    number = 0
    while len(out) < size:
        data, word = templates[number % len(templates)]
        renamed = _renamed(data, word, next(names), number)
        number += 1
        if renamed is None:
            continue
        keys = {normalize(text, synonyms) for text in _phrasings(renamed)}
        if keys & claimed:
            continue  # the loader would refuse a phrasing claimed by two entries
        claimed |= keys
        out.append(renamed)
    return out


def _phrasings(data: dict[str, Any]) -> list[str]:
    return [data["question"], *(a if isinstance(a, str) else a["text"] for a in data.get("aliases", []))]


def write_knowledge(folder: Path, kb: KnowledgeBase, entries: list[dict[str, Any]]) -> list[Path]:
    """Write a loadable knowledge folder: the real series file and entries in 500-entry files."""
    folder.mkdir(parents=True, exist_ok=True)
    series: dict[str, Any] = {
        "title": kb.series.title,
        "episodes": [
            {"number": e.number, "title": e.title, **({"summary": e.summary} if e.summary else {})}
            for e in kb.series.episodes
        ],
    }
    if kb.series.synonyms:
        series["synonyms"] = dict(kb.series.synonyms)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = [folder / "series.yaml"]
    paths[0].write_text(yaml.dump({"series": series}, Dumper=dumper, allow_unicode=True, sort_keys=False), "utf-8")
    for start in range(0, len(entries), ENTRIES_PER_FILE):
        path = folder / f"entries-{start // ENTRIES_PER_FILE:03d}.yaml"
        chunk = entries[start : start + ENTRIES_PER_FILE]
        path.write_text(
            yaml.dump({"entries": chunk}, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100), "utf-8"
        )
        paths.append(path)
    return paths


# -- query workloads -----------------------------------------------------------------------------
OFF_TOPIC = (
    "what's the weather in tokyo tomorrow",
    "best pizza topping??",
    "who won the world cup in 2018",
    "how do i reset my discord password",
    "recommend me a good isekai",
    "is naruto better than one piece",
    "what time is it",
    "lol",
    "how tall is mount everest",
    "can you do my homework",
    "who is the prime minister of japan",
    "what does the fox say",
)


def typo(text: str, rng: random.Random) -> str:
    """The text with one slip of the fingers in one of its longer words."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # swapped letters
    elif kind == 1:
        w = w[:j] + w[j + 1 :]  # a letter dropped
    else:
        w = w[:j] + w[j] + w[j:]  # a letter doubled
    words[i] = w
    return " ".join(words)


def queries(kb: KnowledgeBase, count: int, seed: int = 11) -> list[str]:
    """A realistic mix: canonical questions, aliases with typos, lower-cased fragments, off-topic."""
    rng = random.Random(seed)
    entries = list(kb.entries.values())
    out: list[str] = []
    while len(out) < count:
        entry = rng.choice(entries)
        kind = rng.randrange(10)
        if kind < 3:
            out.append(entry.question)
        elif kind < 6 and entry.aliases:
            out.append(typo(rng.choice(entry.aliases).text, rng))
        elif kind < 8:
            out.append(typo(entry.question.lower().rstrip("?"), rng))
        elif kind < 9:
            words = entry.question.lower().rstrip("?").split()
            out.append(" ".join(words[-3:]))
        else:
            out.append(rng.choice(OFF_TOPIC))
    return out


def prefixes(kb: KnowledgeBase, count: int, seed: int = 13) -> list[str]:
    """What an asker has typed so far when autocomplete fires: 2 to 20 characters of a question."""
    rng = random.Random(seed)
    entries = list(kb.entries.values())
    out = []
    for _ in range(count):
        entry = rng.choice(entries)
        text = rng.choice([entry.question, *(a.text for a in entry.aliases)]).lower()
        out.append(text[: rng.randint(2, min(20, max(2, len(text))))])
    return out


def iter_sizes(sizes: str) -> Iterator[int]:
    for part in sizes.split(","):
        yield int(part.strip().replace("_", ""))
