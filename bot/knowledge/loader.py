"""Load and validate a folder of knowledge YAML files.

Loading is all or nothing: :func:`load_knowledge` returns a complete :class:`KnowledgeBase` or
raises :class:`KnowledgeError` carrying the problems found, each as ``path:line: reason`` in
words a moderator understands. Bad content never produces a traceback.

Bad content is bounded too: a file over :data:`MAX_FILE_BYTES` or a folder over
:data:`MAX_FOLDER_BYTES` is refused before it is parsed (``path: too large (N MB; the limit is M MB)``),
and only the first :data:`MAX_PROBLEMS` problems are kept (the rest are counted), so a runaway file
cannot take the time, memory or mod-log space of thousands of problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.gc_pause import paused_gc
from bot.knowledge.model import Alias, Entry, Episode, KnowledgeBase, Link, Reveal, Series
from bot.answering.normalize import normalize, reads_as

try:  # libyaml is several times faster; fall back to the pure-Python parser.
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

MAX_REVEAL_CHARS = 1500
MAX_QUESTION_CHARS = 100  # autocomplete choice names and button labels are limited to 100 / 80
MAX_ALIAS_CHARS = 200
DISCORD_MESSAGE_LIMIT = 2000
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WORD_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
YAML_SUFFIXES = (".yaml", ".yml")
#: the largest knowledge file read (the biggest shipped file is under 70 KB)
MAX_FILE_BYTES = 1024 * 1024
#: the most all knowledge files together may hold (parsing takes memory in proportion)
MAX_FOLDER_BYTES = 4 * 1024 * 1024
#: problems kept in a KnowledgeError; the rest are only counted ("and N more")
MAX_PROBLEMS = 100

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TYPE_NAMES = {
    _STR: "text",
    _INT: "a whole number",
    _BOOL: "true/false",
    _NULL: "empty",
    "tag:yaml.org,2002:float": "a decimal number",
    "tag:yaml.org,2002:seq": "a list",
    "tag:yaml.org,2002:map": "a mapping (key: value lines)",
}


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:  # about the whole file or folder
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge folder is not valid: ``problems`` (at most :data:`MAX_PROBLEMS` of them) say why,
    and ``omitted`` counts the problems found beyond those."""

    def __init__(self, problems: Iterable[Problem], omitted: int = 0) -> None:
        self.problems = sorted(problems)
        self.omitted = omitted + getattr(problems, "omitted", 0)
        lines = [str(p) for p in self.problems]
        if self.omitted:
            lines.append(more_problems(self.omitted))
        super().__init__("\n".join(lines))

    @property
    def total(self) -> int:
        """How many problems were found, including the omitted ones."""
        return len(self.problems) + self.omitted


def more_problems(omitted: int) -> str:
    return f"... and {omitted} more problem{'s' if omitted != 1 else ''} (fix these first)"


class _Problems(list[Problem]):
    """A list of problems that keeps the first ``limit`` and counts the rest."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        super().__init__()
        self.limit = limit
        self.omitted = 0

    def append(self, problem: Problem) -> None:
        if len(self) < self.limit:
            super().append(problem)
        else:
            self.omitted += 1


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def display_path(path: Path) -> str:
    """A path as a moderator would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return _TYPE_NAMES.get(node.tag, "a value")
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "a mapping (key: value lines)"


class _FileReader:
    """Walks one file's YAML node tree, turning nodes into values and collecting problems."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.shown = display_path(path)
        self.problems = problems

    def problem(self, node_or_line: yaml.Node | int, message: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        self.problems.append(Problem(self.shown, line, message))

    # -- typed scalars -------------------------------------------------------------------------
    def text(self, node: yaml.Node, what: str, *, max_chars: int | None = None) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _INT):
            self.problem(node, f"{what} must be text, not {_kind(node)}")
            return None
        value = " ".join(str(node.value).split())
        if not value:
            self.problem(node, f"{what} is empty")
            return None
        if max_chars is not None and len(value) > max_chars:
            self.problem(
                node, f"{what} is {len(value)} characters long; the most allowed is {max_chars}"
            )
            return None
        return value

    def integer(self, node: yaml.Node, what: str) -> int | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT:
            try:
                if node.value.isdigit():  # the usual "5": skip YAML's general int rules (speed)
                    return int(node.value)
                return int(yaml.SafeLoader.construct_yaml_int(yaml.SafeLoader(""), node))
            except ValueError:
                pass
        self.problem(node, f"{what} must be a whole number, not {_kind(node)} ({_snippet(node)})")
        return None

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return node.value.lower() in ("true", "yes", "on")
        self.problem(node, f"{what} must be true or false, not {_snippet(node)}")
        return None

    def items(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            return []
        self.problem(node, f"{what} must be a list (lines starting with '- '), not {_kind(node)}")
        return []

    def text_list(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        out = []
        for item in self.items(node, what):
            value = self.text(item, f"each of {what}")
            if value is not None:
                out.append((item, value))
        return out

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        *,
        required: tuple[str, ...],
        optional: tuple[str, ...],
    ) -> dict[str, yaml.Node] | None:
        """A mapping's values by key, after checking for unknown, missing and repeated keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping (key: value lines), not {_kind(node)}")
            return None
        allowed = required + optional
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in found:
                self.problem(key_node, f"'{key}' appears twice in {what}; keep only one")
            elif key not in allowed:
                hint = _closest(key, allowed)
                suggestion = f" (did you mean '{hint}'?)" if hint else ""
                self.problem(
                    key_node,
                    f"unknown key '{key}' in {what}{suggestion}; allowed keys: {', '.join(allowed)}",
                )
            else:
                found[key] = value_node
        for key in required:
            if key not in found:
                self.problem(node, f"{what} is missing '{key}'")
        return found


def _snippet(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        return repr(value if len(value) <= 30 else value[:27] + "...")
    return _kind(node)


def _closest(key: str, allowed: tuple[str, ...]) -> str | None:
    from rapidfuzz import process

    match = process.extractOne(key, allowed, score_cutoff=70)
    return match[0] if match else None


@dataclass(slots=True)
class _RawEntry:
    """An entry read from its file, with the line of each part the cross-checks may report on.

    Lines, not YAML nodes: holding the nodes kept every file's node tree alive until the end of
    the load, most of the loader's peak memory on a large knowledge."""

    entry: Entry
    reader: _FileReader
    see_also_lines: list[tuple[int, Link]]
    alias_lines: list[tuple[int, Alias]]
    episode_lines: list[int]
    mystery_line: int | None


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def iter_knowledge_files(folder: Path) -> Iterator[Path]:
    """The YAML files the bot reads from a folder: directly inside it, in name order."""
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in YAML_SUFFIXES and not path.name.startswith("."):
            yield path


@paused_gc()
def load_knowledge(
    folder: str | Path,
    overrides: Mapping[Path, str] | None = None,
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    max_folder_bytes: int = MAX_FOLDER_BYTES,
) -> KnowledgeBase:
    """Load and validate every YAML file in ``folder``; raise KnowledgeError listing the problems.

    ``overrides`` maps a file of the folder to the text to read instead of what is on disk: the
    folder is validated as it would be with that change, before anything is written.
    """
    folder = Path(folder)
    overrides = {path.resolve(): text for path, text in (overrides or {}).items()}
    problems = _Problems()
    if not folder.is_dir():
        raise KnowledgeError([Problem(display_path(folder), 0, "no such folder")])

    series_found: list[tuple[_FileReader, yaml.Node, Series | None]] = []
    raw_entries: list[_RawEntry] = []
    try:
        files = list(iter_knowledge_files(folder))
    except OSError as error:
        raise KnowledgeError([Problem(display_path(folder), 0, f"cannot read the folder: {error.strerror or error}")]) from None
    if not files:
        problems.append(Problem(display_path(folder), 0, "no .yaml files in this folder"))
    _check_sizes(folder, files, problems, max_file_bytes, max_folder_bytes)
    if problems:  # too large: nothing is parsed
        raise KnowledgeError(problems)

    for path in files:
        reader = _FileReader(path, problems)
        root = _compose(path, reader, max_file_bytes, overrides.get(path.resolve()) if overrides else None)
        if root is None:
            continue
        top = reader.mapping(root, "the file", required=(), optional=("series", "entries"))
        if top is None:
            continue
        if not top:
            reader.problem(root, "the file needs 'series:' or 'entries:' at the top")
        elif len(top) == 2:
            reader.problem(root, "a file holds either 'series:' or 'entries:', not both")
        if "series" in top:
            series_found.append((reader, top["series"], _read_series(reader, top["series"])))
        if "entries" in top:
            for item in reader.items(top["entries"], "'entries'"):
                raw = _read_entry(reader, item)
                if raw is not None:
                    raw_entries.append(raw)

    series: Series | None = None
    if len(series_found) > 1:
        for reader, node, _ in series_found[1:]:
            reader.problem(
                node, f"a second series; the series is already described in {series_found[0][0].shown}"
            )
    elif not series_found and files:
        problems.append(
            Problem(display_path(folder), 0, "no series file: one file must start with 'series:'")
        )
    if series_found:
        series = series_found[0][2]

    entries, mysteries = _cross_check(raw_entries, series, problems)
    if problems:
        raise KnowledgeError(problems)
    assert series is not None
    return KnowledgeBase(series=series, entries=entries, mysteries=mysteries, source_dir=folder)


def _check_sizes(folder: Path, files: list[Path], problems: list[Problem], max_file: int, max_folder: int) -> None:
    total = 0
    for path in files:
        try:
            size = path.stat().st_size
        except OSError:
            continue  # reported when it is read
        total += size
        if size > max_file:
            problems.append(
                Problem(display_path(path), 0, f"too large ({_megabytes(size)}; the limit is {_megabytes(max_file)})")
            )
    if total > max_folder:
        problems.append(
            Problem(
                display_path(folder), 0,
                f"too large: the knowledge files hold {_megabytes(total)} together; the limit is {_megabytes(max_folder)}",
            )
        )


def _compose(path: Path, reader: _FileReader, max_bytes: int = MAX_FILE_BYTES, text: str | None = None) -> yaml.Node | None:
    data = b""
    try:
        if text is not None:  # the file as a change would make it (load_knowledge's overrides)
            data = text.encode("utf-8")
        else:
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)  # never more, even if the file grew since it was measured
        if len(data) > max_bytes:
            reader.problem(0, f"too large (over {_megabytes(max_bytes)}; the limit is {_megabytes(max_bytes)})")
            return None
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reader.problem(line, "the file is not UTF-8 text; save it as UTF-8")
        return None
    except OSError as error:
        reader.problem(0, f"cannot read the file: {error.strerror or error}")
        return None
    try:
        root = yaml.compose(text, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as error:
        line, message = _plain_yaml_error(error)
        reader.problem(line, message)
        return None
    except yaml.YAMLError as error:
        reader.problem(0, f"not valid YAML: {error}")
        return None
    if root is None:
        reader.problem(1, "the file is empty; it needs 'series:' or 'entries:' at the top")
    return root


def _plain_yaml_error(error: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line to blame and a moderator-friendly reason for a YAML syntax error."""
    problem = (error.problem or "").strip()
    context = (error.context or "").strip()
    at = error.problem_mark or error.context_mark
    line = at.line + 1 if at else 0
    if "quoted scalar" in context and error.context_mark is not None:
        return error.context_mark.line + 1, "a quoted text starts here but its closing quote is missing"
    if "'\\t'" in problem or "tab" in problem:
        return line, "a tab character is used for indentation; YAML needs spaces"
    if "mapping values are not allowed" in problem:
        return line, "not valid YAML: a ':' where a value was expected; put text that contains ': ' in quotes"
    if "could not find expected ':'" in problem:
        return line, "not valid YAML: a line is missing its ':' (or a quote above it is not closed)"
    if "found character" in problem and "that cannot start any token" in problem:
        return line, f"not valid YAML: {problem}; put the text in quotes"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return line, f"not valid YAML: the indentation does not line up ({problem})"
    return line, f"not valid YAML: {problem or error}"


def _read_series(reader: _FileReader, node: yaml.Node) -> Series | None:
    fields = reader.mapping(
        node, "the series", required=("title", "episodes"), optional=("synonyms",)
    )
    if fields is None:
        return None
    title = reader.text(fields["title"], "the series title") if "title" in fields else None
    episodes: list[Episode] = []
    episode_items = reader.items(fields["episodes"], "'episodes'") if "episodes" in fields else []
    for item in episode_items:
        episode_fields = reader.mapping(
            item, "an episode", required=("number", "title"), optional=("summary",)
        )
        if episode_fields is None or "number" not in episode_fields:
            continue
        number = reader.integer(episode_fields["number"], "the episode number")
        episode_title = (
            reader.text(episode_fields["title"], "the episode title", max_chars=100)
            if "title" in episode_fields
            else None
        )
        summary = (
            reader.text(episode_fields["summary"], "the episode summary", max_chars=MAX_REVEAL_CHARS)
            if "summary" in episode_fields
            else None
        )
        if number is None or episode_title is None:
            continue
        expected = len(episodes) + 1
        if number != expected:
            reader.problem(
                episode_fields["number"],
                f"episode {number} is out of order; episodes are numbered 1, 2, 3, ... "
                f"and episode {expected} was expected here",
            )
            continue
        episodes.append(Episode(number, episode_title, summary))
    if "episodes" in fields and not episodes and isinstance(fields["episodes"], yaml.SequenceNode):
        if not fields["episodes"].value:
            reader.problem(fields["episodes"], "the series needs at least one episode")
    synonyms: dict[str, str] = {}
    if "synonyms" in fields:
        synonym_node = fields["synonyms"]
        if not isinstance(synonym_node, yaml.MappingNode):
            reader.problem(synonym_node, f"'synonyms' must be a mapping (word: word), not {_kind(synonym_node)}")
        else:
            for key_node, value_node in synonym_node.value:
                word = reader.text(key_node, "a synonym")
                target = reader.text(value_node, f"the word for synonym '{key_node.value}'")
                if word is None or target is None:
                    continue
                word, target = word.lower(), target.lower()
                if not WORD_PATTERN.match(word) or not WORD_PATTERN.match(target):
                    reader.problem(key_node, f"synonym '{word}: {target}' must map one word to one word")
                elif word in synonyms:
                    reader.problem(key_node, f"synonym '{word}' is given twice")
                elif word == target:
                    reader.problem(key_node, f"synonym '{word}' maps to itself")
                elif reads_as(word) != word:
                    # the bot's own rewrite comes first, so this synonym would never be looked up
                    read = reads_as(word)
                    reader.problem(
                        key_node,
                        f"synonym '{word}' is never used: the bot already reads '{word}' as '{read}'; "
                        f"map '{read}' instead"
                        if read
                        else f"synonym '{word}' is never used: the bot ignores '{word}' as a filler word",
                    )
                elif not reads_as(target):
                    reader.problem(
                        value_node,
                        f"synonym '{word}: {target}' maps to a word the bot ignores as filler; "
                        "map it to a word that names something",
                    )
                else:
                    synonyms[word] = target
            for word, target in synonyms.items():
                read = reads_as(target)
                if read in synonyms:
                    reader.problem(
                        synonym_node,
                        f"synonym '{word}: {target}' leads to another synonym "
                        f"'{read}: {synonyms[read]}'; map '{word}' to '{synonyms[read]}' directly",
                    )
    if title is None or not episodes:
        return None
    return Series(title=title, episodes=tuple(episodes), synonyms=synonyms)


_ENTRY_KEYS = ("id", "question", "reveals")
_ENTRY_OPTIONAL = ("aliases", "tags", "mystery", "see_also")
_REVEAL_KEYS = ("episode", "text", "sources")
_REVEAL_OPTIONAL = ("facts", "unconfirmed")


def _read_entry(reader: _FileReader, node: yaml.Node) -> _RawEntry | None:
    fields = reader.mapping(node, "an entry", required=_ENTRY_KEYS, optional=_ENTRY_OPTIONAL)
    if fields is None:
        return None
    entry_id = None
    if "id" in fields:
        entry_id = reader.text(fields["id"], "the id")
        if entry_id is not None and not ID_PATTERN.match(entry_id):
            reader.problem(
                fields["id"],
                f"id '{entry_id}' must be lower-case letters, digits and dashes (like 'rouge-mother')",
            )
            entry_id = None
    what = f"entry '{entry_id}'" if entry_id else "the entry"
    question = (
        reader.text(fields["question"], f"the question of {what}", max_chars=MAX_QUESTION_CHARS)
        if "question" in fields
        else None
    )
    read = _read_reveals(reader, fields["reveals"], what) if "reveals" in fields else None
    reveals = [reveal for reveal, _ in read] if read else None

    alias_nodes: list[tuple[yaml.Node, Alias]] = []
    for item in reader.items(fields["aliases"], f"the aliases of {what}") if "aliases" in fields else []:
        alias = _read_alias(reader, item, what)
        if alias is not None:
            alias_nodes.append((item, alias))
    tags = tuple(
        value.lower()
        for _, value in (reader.text_list(fields["tags"], f"the tags of {what}") if "tags" in fields else [])
    )
    mystery = None
    if "mystery" in fields:
        mystery = reader.text(fields["mystery"], f"the mystery key of {what}")
        if mystery is not None and not WORD_PATTERN.match(mystery):
            reader.problem(
                fields["mystery"],
                f"the mystery key '{mystery}' must be one lower-case word (dashes allowed), like 'mother'",
            )
            mystery = None
    see_also_nodes: list[tuple[yaml.Node, Link]] = []
    for item in reader.items(fields["see_also"], f"'see_also' of {what}") if "see_also" in fields else []:
        link = _read_link(reader, item, what)
        if link is not None:
            see_also_nodes.append((item, link))
    if entry_id is None or question is None or not reveals:
        return None
    entry = Entry(
        id=entry_id,
        question=question,
        reveals=tuple(reveals),
        aliases=tuple(alias for _, alias in alias_nodes),
        tags=tags,
        mystery=mystery,
        see_also=tuple(link for _, link in see_also_nodes),
        path=reader.path,
        line=_line(node),
    )
    return _RawEntry(
        entry,
        reader,
        [(_line(item), link) for item, link in see_also_nodes],
        [(_line(item), alias) for item, alias in alias_nodes],
        [_line(episode_node) for _, episode_node in read or []],
        _line(fields["mystery"]) if "mystery" in fields else None,
    )


def _read_alias(reader: _FileReader, node: yaml.Node, what: str) -> Alias | None:
    if isinstance(node, yaml.MappingNode):
        fields = reader.mapping(node, f"an alias of {what}", required=("text",), optional=("episode",))
        if fields is None or "text" not in fields:
            return None
        text = reader.text(fields["text"], f"an alias of {what}", max_chars=MAX_ALIAS_CHARS)
        episode = reader.integer(fields["episode"], "the alias episode") if "episode" in fields else None
        if text is None or ("episode" in fields and episode is None):
            return None
        return Alias(text, episode)
    text = reader.text(node, f"an alias of {what}", max_chars=MAX_ALIAS_CHARS)
    return Alias(text) if text is not None else None


def _read_link(reader: _FileReader, node: yaml.Node, what: str) -> Link | None:
    if isinstance(node, yaml.MappingNode):
        fields = reader.mapping(node, f"a see_also link of {what}", required=("id",), optional=("episode",))
        if fields is None or "id" not in fields:
            return None
        target = reader.text(fields["id"], f"a see_also link of {what}")
        episode = reader.integer(fields["episode"], "the link episode") if "episode" in fields else None
        if target is None or ("episode" in fields and episode is None):
            return None
        return Link(target, episode)
    target = reader.text(node, f"each of 'see_also' of {what}")
    return Link(target) if target is not None else None


def _read_reveals(
    reader: _FileReader, node: yaml.Node, what: str
) -> list[tuple[Reveal, yaml.Node]] | None:
    """The reveals with the node their episode was written at (for the range check later)."""
    items = reader.items(node, f"the reveals of {what}")
    if not items:
        if isinstance(node, (yaml.SequenceNode, yaml.ScalarNode)):
            reader.problem(node, f"{what} needs at least one reveal")
        return None
    reveals: list[tuple[Reveal, yaml.Node]] = []
    ok = True
    previous: tuple[int, yaml.Node] | None = None
    for item in items:
        fields = reader.mapping(item, f"a reveal of {what}", required=_REVEAL_KEYS, optional=_REVEAL_OPTIONAL)
        if fields is None or any(key not in fields for key in _REVEAL_KEYS):
            ok = False
            continue
        episode = reader.integer(fields["episode"], "the reveal episode")
        text = reader.text(fields["text"], f"the text of a reveal of {what}", max_chars=MAX_REVEAL_CHARS)
        sources = reader.text_list(fields["sources"], f"the sources of a reveal of {what}")
        sources_node = fields["sources"]
        if not sources and (
            isinstance(sources_node, yaml.SequenceNode) and not sources_node.value
            or isinstance(sources_node, yaml.ScalarNode) and sources_node.tag == _NULL
        ):
            reader.problem(sources_node, "every reveal needs at least one source (a URL or an article title)")
            ok = False
        facts = reader.text_list(fields["facts"], "'facts'") if "facts" in fields else []
        unconfirmed = (
            reader.boolean(fields["unconfirmed"], "'unconfirmed'") if "unconfirmed" in fields else False
        )
        if episode is None or text is None or unconfirmed is None:
            ok = False
            continue
        if previous is not None and episode <= previous[0]:
            reader.problem(
                fields["episode"],
                f"reveals of {what} are out of order: episode {episode} comes after episode "
                f"{previous[0]}; list reveals oldest first, one per episode",
            )
            ok = False
        previous = (episode, fields["episode"])
        reveal = Reveal(
            episode=episode,
            text=text,
            sources=tuple(value for _, value in sources),
            facts=tuple(value for _, value in facts),
            unconfirmed=unconfirmed,
        )
        reveals.append((reveal, fields["episode"]))
    return reveals if ok else None


def _cross_check(
    raw_entries: list[_RawEntry], series: Series | None, problems: list[Problem]
) -> tuple[dict[str, Entry], dict[str, str]]:
    """Checks that span entries and files: unique ids, aliases and mysteries, links, episodes."""
    from bot.answering.render import render_answer  # the loader checks that every answer fits a message

    entries: dict[str, Entry] = {}
    first_seen: dict[str, _RawEntry] = {}
    for raw in raw_entries:
        entry = raw.entry
        if entry.id in first_seen:
            other = first_seen[entry.id]
            raw.reader.problem(
                entry.line, f"duplicate id '{entry.id}': already used at {other.reader.shown}:{other.entry.line}"
            )
            continue
        first_seen[entry.id] = raw
        entries[entry.id] = entry

    phrasing_owner: dict[str, tuple[str, str]] = {}  # normalised text -> (entry id, where)
    mysteries: dict[str, str] = {}
    synonyms = series.synonyms if series else {}
    for raw in first_seen.values():
        entry = raw.entry
        where = f"{raw.reader.shown}:{entry.line}"
        key = normalize(entry.question, synonyms)
        if key and key in phrasing_owner and phrasing_owner[key][0] != entry.id:
            raw.reader.problem(
                entry.line,
                f"the question of '{entry.id}' is the same as '{phrasing_owner[key][0]}' "
                f"({phrasing_owner[key][1]}); make it distinct",
            )
        phrasing_owner.setdefault(key, (entry.id, where))
    for raw in first_seen.values():
        entry = raw.entry
        for line, alias in raw.alias_lines:
            key = normalize(alias.text, synonyms)
            if not key:
                raw.reader.problem(line, f"alias '{alias.text}' has no words the bot can match on")
                continue
            owner = phrasing_owner.get(key)
            if owner is not None and owner[0] != entry.id:
                raw.reader.problem(
                    line,
                    f"alias '{alias.text}' of '{entry.id}' is already claimed by '{owner[0]}' "
                    f"({owner[1]}); an alias can point to one entry only",
                )
            elif owner is None:
                phrasing_owner[key] = (entry.id, f"{raw.reader.shown}:{line}")
            if series is not None and alias.episode is not None:
                _check_episode(raw.reader, line, alias.episode, series, allow_zero=False)
        if entry.mystery:
            if entry.mystery in mysteries:
                raw.reader.problem(
                    raw.mystery_line if raw.mystery_line is not None else entry.line,
                    f"mystery '{entry.mystery}' is already the key of '{mysteries[entry.mystery]}'",
                )
            else:
                mysteries[entry.mystery] = entry.id
        for line, link in raw.see_also_lines:
            target = link.id
            if series is not None and link.episode is not None:
                _check_episode(raw.reader, line, link.episode, series, allow_zero=False)
            if target == entry.id:
                raw.reader.problem(line, f"'{entry.id}' lists itself in see_also")
            elif target not in entries:
                hint = _closest(target, tuple(entries))
                suggestion = f" (did you mean '{hint}'?)" if hint else ""
                raw.reader.problem(line, f"see_also points to '{target}', which is not an entry id{suggestion}")
        if series is not None:
            for reveal, line in zip(entry.reveals, raw.episode_lines):
                _check_episode(raw.reader, line, reveal.episode, series, allow_zero=True)
        if series is not None:
            rendered = render_answer(entry, series=series, upto=None, spoiler_free=0, limit=None)
            if len(rendered) > DISCORD_MESSAGE_LIMIT:
                raw.reader.problem(
                    entry.line,
                    f"the answer of '{entry.id}' is {len(rendered)} characters once rendered; a Discord "
                    f"message holds {DISCORD_MESSAGE_LIMIT}: shorten its reveals or split the entry",
                )
    return entries, mysteries


def _check_episode(reader: _FileReader, line: int, episode: int, series: Series, *, allow_zero: bool) -> None:
    low = 0 if allow_zero else 1
    if not low <= episode <= series.episode_count:
        zero = " (0 = not from an episode)" if allow_zero else ""
        reader.problem(
            line,
            f"episode {episode} is not an episode of {series.title}: use {low} to {series.episode_count}{zero}",
        )


def summarize(kb: KnowledgeBase) -> str:
    return (
        f"1 series ({kb.series.episode_count} episodes), {len(kb.entries)} entries, "
        f"{len(kb.mysteries)} mysteries, {kb.alias_count} aliases"
    )
