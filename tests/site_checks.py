"""Helpers for the lore site's tests: made-up knowledge with a unique marker word in every piece
of text, and the checks every built page must pass (valid HTML, links that resolve)."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib
import yaml

#: elements that never have an end tag in HTML
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
#: text that would run as script or break out of an attribute if it were not escaped
NASTY = "<script>alert(\"x\")</script> & 'quoted' <b>"


def marker(rng: random.Random) -> str:
    """A word that occurs nowhere else, so finding it in a file proves where it came from."""
    return "zq" + "".join(rng.choice(string.ascii_lowercase) for _ in range(10))


@dataclass
class Generated:
    """Where each marker of the generated knowledge first becomes visible."""

    folder: Path
    episode_count: int
    #: marker -> the first horizon at which it may appear (a marker never in ep/<h>/ for h below it)
    first_visible: dict[str, int] = field(default_factory=dict)
    #: (entry id, linked id, first horizon of the link)
    links: list[tuple[str, str, int]] = field(default_factory=list)


def generate_knowledge(folder: Path, seed: int) -> Generated:
    """A random but valid knowledge folder: entries, reveals, aliases and links spread over the
    episodes, some naming twists, every text carrying its own marker and some HTML to escape."""
    rng = random.Random(seed)
    count = rng.randint(4, 9)
    folder.mkdir(parents=True, exist_ok=True)
    made = Generated(folder, count)
    episodes = []
    for number in range(1, count + 1):
        title, summary = marker(rng), marker(rng)
        made.first_visible[title] = made.first_visible[summary] = number
        episodes.append({"number": number, "title": f"Title {title} {NASTY}", "summary": f"Summary {summary} & more"})
    (folder / "series.yaml").write_text(
        yaml.safe_dump({"series": {"title": "Made-up <Show> & Co", "episodes": episodes}}), encoding="utf-8"
    )
    ids = [f"entry-{n}" for n in range(rng.randint(8, 16))]
    entries = []
    first_of: dict[str, int] = {}
    for entry_id in ids:
        shown = sorted(rng.sample(range(0, count + 1), rng.randint(1, min(4, count + 1))))
        first_of[entry_id] = shown[0]
    for index, entry_id in enumerate(ids):
        first = first_of[entry_id]
        question = marker(rng)
        made.first_visible[question] = first
        reveals = []
        for episode in sorted({first, *rng.sample(range(first, count + 1), rng.randint(0, 2))}):
            text, source = marker(rng), marker(rng)
            made.first_visible[text] = made.first_visible[source] = episode
            reveal = {
                "episode": episode,
                "text": f"Reveal {text} {NASTY}",
                "sources": [f"https://example.org/{source}?a=1&b=\"2\"", f"article: About {NASTY}"],
            }
            if rng.random() < 0.3:
                reveal["unconfirmed"] = True
            reveals.append(reveal)
        aliases: list = []
        for _ in range(rng.randint(0, 4)):
            word = marker(rng)
            if rng.random() < 0.5:
                twist = rng.randint(1, count)
                aliases.append({"text": f"alias {word}", "episode": twist})
                made.first_visible[word] = max(first, twist)
            else:
                aliases.append(f"alias {word}")
                made.first_visible[word] = first
        entry: dict = {
            "id": entry_id,
            "question": f"Question {question} {NASTY}?",
            "reveals": reveals,
            "aliases": aliases,
            "tags": [rng.choice(["alpha", "beta", "odd tag <x>", "odd-tag-x"])],
        }
        if rng.random() < 0.4:
            key = marker(rng)
            entry["mystery"] = key
            made.first_visible[key] = first
        links = []
        for target in rng.sample([i for i in ids if i != entry_id], rng.randint(0, 3)):
            episode = rng.choice([None, rng.randint(1, count)])
            links.append(target if episode is None else {"id": target, "episode": episode})
            made.links.append((entry_id, target, max(first, first_of[target], episode or 0)))
        entry["see_also"] = links
        entries.append(entry)
    half = len(entries) // 2
    for name, part in (("one.yaml", entries[:half]), ("two.yaml", entries[half:])):
        (folder / name).write_text(yaml.safe_dump({"entries": part}, allow_unicode=True), encoding="utf-8")
    return made


# -- checks on built pages -----------------------------------------------------------------------
class _Structure(HTMLParser):
    """Start and end tags must pair up (no reliance on implied end tags); collects ids and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(attrs)
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else 'nothing'}> at {self.getpos()}")
            return
        self.open.pop()

    def _attrs(self, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
            if name in ("href", "src") and value is not None:
                self.links.append(value)


@dataclass
class Page:
    ids: set[str]
    links: list[str]


def check_page(path: Path, *, strict: bool = True) -> Page:
    """Raise AssertionError unless ``path`` has balanced tags and unique ids and, with ``strict``,
    parses with no error by the HTML standard's parser (html5lib, slower)."""
    data = path.read_bytes()
    if strict:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            parser.parse(data)
        except html5lib.html5parser.ParseError as error:
            raise AssertionError(f"{path}: not valid HTML: {error}") from None
    structure = _Structure()
    structure.feed(data.decode("utf-8"))
    structure.close()
    assert not structure.problems, f"{path}: {structure.problems[:3]}"
    assert not structure.open, f"{path}: never closed: {structure.open}"
    duplicates = {i for i in structure.ids if structure.ids.count(i) > 1}
    assert not duplicates, f"{path}: duplicate ids {duplicates}"
    return Page(set(structure.ids), structure.links)


def check_site(root: Path, strict: Callable[[Path], bool] = lambda path: True) -> int:
    """Check every page under ``root`` (``strict(path)``: with html5lib too) and that every
    internal link and anchor resolves."""
    pages = sorted(root.rglob("*.html"))
    checked = {path.resolve(): check_page(path, strict=strict(path)) for path in pages}
    for path, page in checked.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                assert parts.scheme in ("http", "https"), f"{path}: odd link {link}"
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), f"{path}: link {link} points to a missing file"
            assert root.resolve() in target.parents, f"{path}: link {link} leaves the site"
            if parts.fragment and target.suffix == ".html":
                ids = checked[target].ids
                assert parts.fragment in ids, f"{path}: link {link}: no id {parts.fragment!r} there"
    return len(checked)


def files_under(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}
