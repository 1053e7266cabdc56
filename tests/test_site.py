"""The lore site: spoiler-safe per horizon down to the page source, valid HTML, working links."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import html5lib
import pytest

from bot.knowledge.horizon import cut, link_first_visible
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.site import urls
from bot.site.build import MARKER, build_site, site_files
from tests.site_checks import NASTY, Generated, check_site, files_under, generate_knowledge

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "knowledge"
MINI = ROOT / "tests" / "data" / "mini"
SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge(SHIPPED)


@pytest.fixture(scope="module")
def shipped_site(shipped: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(shipped, out)
    return out


def built_generated(tmp_path: Path, seed: int) -> tuple[Generated, KnowledgeBase, Path]:
    """Generated knowledge, loaded, and the site built from it."""
    made = generate_knowledge(tmp_path / "knowledge", seed)
    kb = load_knowledge(made.folder)
    out = tmp_path / "site"
    build_site(kb, out)
    return made, kb, out


def tree_files(files: dict[str, str], horizon: int | None) -> dict[str, str]:
    prefix = urls.tree_name(horizon) + "/"
    return {path: text for path, text in files.items() if path.startswith(prefix)}


def text_forms(text: str) -> set[str]:
    """How a piece of knowledge text could appear in a file: as is, escaped for HTML, in JSON."""
    return {text, html.escape(text, quote=True), html.escape(text, quote=False), json.dumps(text, ensure_ascii=False)[1:-1]}


# -- spoiler safety ------------------------------------------------------------------------------
def test_shipped_trees_hold_no_later_reveal_title_or_question(shipped: KnowledgeBase, shipped_site: Path) -> None:
    trees = 0
    for h in range(shipped.series.episode_count):
        later: list[str] = []
        for entry in shipped.entries.values():
            later += [r.text for r in entry.reveals if r.episode > h]
        for episode in shipped.series.episodes[h:]:
            later += [f"Episode {episode.number}: {episode.title}", *([episode.summary] if episode.summary else [])]
        blob = "\n".join(files_under(shipped_site / urls.tree_name(h)).values())
        for text in later:
            for form in text_forms(text):
                assert form not in blob, f"ep/{h}/ holds {text!r}, revealed later"
        trees += 1
    assert trees == 13


def _strings(tree: Path) -> set[str]:
    """Every text node and attribute value of the tree's pages, and every string in its search data."""
    found: set[str] = set()
    for path in tree.rglob("*.html"):
        document = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
        for element in document.iter():
            for piece in (element.text, element.tail, *element.attrib.values()):
                if piece and piece.strip():
                    found.add(" ".join(piece.split()).lower())
    data = (tree / urls.SEARCH_DATA).read_text(encoding="utf-8")
    payload = json.loads(data.removeprefix("window.LORE_SEARCH = ").rstrip().rstrip(";"))
    for item in payload["entries"]:
        found |= {item["q"].lower(), *(a.lower() for a in item["a"] + item.get("h", []))}
    return found


@pytest.mark.parametrize("h", [0, 5, 8, 12])
def test_shipped_trees_hold_no_later_alias_question_or_link(shipped: KnowledgeBase, shipped_site: Path, h: int) -> None:
    strings = _strings(shipped_site / urls.tree_name(h))
    for entry in shipped.entries.values():
        if entry.first_episode > h:
            assert entry.question.lower() not in strings, f"ep/{h}/ names {entry.id}, first seen later"
            assert not (shipped_site / urls.tree_name(h) / urls.entry_page(entry.id)).exists()
        for alias in entry.aliases:
            if max(entry.first_episode, alias.episode or 0) > h:
                assert alias.text.lower() not in strings, f"ep/{h}/ holds the later alias {alias.text!r}"
        for index, link in enumerate(entry.see_also):
            if entry.first_episode <= h < link_first_visible(shipped, entry, index):
                for page in (urls.entry_page(entry.id), *([urls.mystery_page(entry.mystery)] if entry.mystery else [])):
                    source = shipped_site / urls.tree_name(h) / page
                    if source.exists():
                        assert f"/{urls.entry_page(link.id)}\"" not in source.read_text(), (
                            f"ep/{h}/{page} links {link.id} before episode {link.episode}"
                        )


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_trees_hold_nothing_first_visible_later(seed: int, tmp_path: Path) -> None:
    made, kb, out = built_generated(tmp_path, seed)
    checked = 0
    for h in range(made.episode_count):
        blob = "\n".join(files_under(out / urls.tree_name(h)).values())
        for word, first in made.first_visible.items():
            if first > h:
                assert word not in blob, f"ep/{h}/ holds {word}, first visible at {first}"
                checked += 1
        for source, target, first in made.links:
            if kb.entries[source].first_episode <= h < first:
                page = (out / urls.tree_name(h) / urls.entry_page(source)).read_text()
                assert f'href="../{urls.entry_page(target)}"' not in page, f"ep/{h}: {source} -> {target} shown early"
                checked += 1
    assert checked > 20  # the generator did spread things over later episodes


def test_generated_markers_visible_at_h_do_appear(tmp_path: Path) -> None:
    """The leak test above would pass on an empty site: check the trees do show what they may."""
    made, _, out = built_generated(tmp_path, 7)
    for h in range(made.episode_count):
        blob = "\n".join(files_under(out / urls.tree_name(h)).values())
        missing = [w for w, first in made.first_visible.items() if first <= h and w not in blob]
        assert not missing, f"ep/{h}/ lacks {missing[:3]}"


@pytest.mark.parametrize("source", ["shipped", *(f"seed{s}" for s in SEEDS)])
def test_a_tree_is_the_same_whatever_comes_later(source: str, shipped: KnowledgeBase, tmp_path: Path) -> None:
    """Noninterference: ep/<h>/ built from the whole knowledge is byte-identical to ep/<h>/ built
    from knowledge that ends at h."""
    kb = shipped if source == "shipped" else load_knowledge(generate_knowledge(tmp_path / "k", int(source[4:])).folder)
    whole = site_files(kb)
    for h in range(kb.series.episode_count):
        assert tree_files(site_files(cut(kb, h)), h) == tree_files(whole, h), f"ep/{h}/ depends on later episodes"


# -- all/: the whole series behind spoilers ------------------------------------------------------
def _outside_spoilers(path: Path) -> str:
    """The page with every <details class="spoiler"> body removed (its summary kept)."""
    document = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
    for details in list(document.iter("details")):
        for child in list(details):
            if child.tag == "summary":
                child.tail = None
            else:
                details.remove(child)
        details.text = None
    return " ".join(ElementTree.tostring(document, encoding="unicode", method="html").split())


@pytest.mark.parametrize("seed", SEEDS)
def test_all_tree_shows_only_production_facts_and_the_pages_subject_outside_spoilers(seed: int, tmp_path: Path) -> None:
    """all/ with its spoilers closed names nothing first visible in an episode (as the bot with a
    spoiler-free horizon of 0), except the question a page is about, as its title."""
    made, kb, out = built_generated(tmp_path, seed)
    later = {word for word, first in made.first_visible.items() if first > 0}
    production = {word for word, first in made.first_visible.items() if first == 0}
    pages = sorted((out / "all").rglob("*.html"))
    shown_somewhere = ""
    for page in pages:
        subject = None
        if page.parent.name == "entry":
            subject = kb.entries[page.stem]
        elif page.parent.name == "mystery":
            subject = kb.mystery(page.stem)
        allowed = {subject.question.split()[1], subject.mystery or ""} if subject else set()
        outside = _outside_spoilers(page)
        leaked = [word for word in later - allowed if word in outside]
        assert not leaked, f"{page.relative_to(out)} shows {leaked[:3]} outside a spoiler"
        shown_somewhere += outside
    assert all(word in shown_somewhere for word in production), "production facts are never spoilers"
    whole = "\n".join(files_under(out / "all").values())
    assert all(word in whole for word in made.first_visible), "all/ holds the whole series, behind spoilers"


def test_all_tree_renders_spoilers_as_details(shipped_site: Path) -> None:
    page = (shipped_site / "all" / urls.entry_page("rouge-mother")).read_text()
    assert page.count('<details class="spoiler">') >= 4
    assert "She is Eva Cristella" in page  # in the source, behind the click
    index = _outside_spoilers(shipped_site / "all" / "index.html")
    assert "Which studio made Metallic Rouge?" in index  # production: no spoiler
    assert "Who is Eva Cristella?" not in index and "Who is Rouge's mother?" not in index


# -- escaping and HTML ---------------------------------------------------------------------------
def test_knowledge_text_is_escaped_everywhere(tmp_path: Path) -> None:
    made, _, out = built_generated(tmp_path, 11)
    for path in out.rglob("*.html"):
        text = path.read_text()
        assert "<script>alert" not in text and "<b>" not in text, path
        document = html5lib.parse(text, namespaceHTMLElements=False)
        scripts = [s for s in document.iter("script")]
        assert all(s.get("src") and not (s.text or "").strip() for s in scripts), path
    page = (out / "ep" / str(made.episode_count - 1) / "index.html").read_text()
    assert html.escape(NASTY, quote=True) in page


def test_every_shipped_page_is_valid_html_and_every_link_resolves(shipped_site: Path) -> None:
    """Tags balance and links resolve on all ~1,400 pages; html5lib (about 15 ms a page) parses the
    front page and four whole trees: the same page functions make the other trees from a cut."""
    strict_trees = [shipped_site / tree for tree in ("ep/0", "ep/6", "ep/12", "all")]
    in_strict_tree = lambda path: path.parent == shipped_site or any(t in path.parents for t in strict_trees)  # noqa: E731
    assert check_site(shipped_site, strict=in_strict_tree) > 1000


@pytest.mark.parametrize("seed", SEEDS)
def test_every_generated_page_is_valid_html_and_every_link_resolves(seed: int, tmp_path: Path) -> None:
    made, _, out = built_generated(tmp_path, seed)
    assert check_site(out) > 10 * made.episode_count


def test_the_check_catches_broken_pages(tmp_path: Path) -> None:
    """The HTML and link checks used above do fail on what they are meant to catch."""
    good = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{}</body></html>'
    for body in ["<p>a</div>", "<section><p>a</section>", '<p id="x">a</p><p id="x">b</p>', '<a href="gone.html">x</a>']:
        (tmp_path / "index.html").write_text(good.format(body))
        with pytest.raises(AssertionError):
            check_site(tmp_path)
    (tmp_path / "index.html").write_text(good.format('<a href="index.html#top">x</a>'))
    with pytest.raises(AssertionError, match="no id"):
        check_site(tmp_path)


# -- pages and picker ----------------------------------------------------------------------------
def test_the_picker_goes_to_the_same_page_or_that_trees_index(shipped_site: Path) -> None:
    page = (shipped_site / "ep" / "8" / urls.entry_page("eva-cristella")).read_text()
    picker = re.search(r'<nav class="picker".*?</nav>', page).group(0)
    hrefs = dict(re.findall(r'href="([^"]+)" data-horizon="([^"]+)"', picker))
    by_horizon = {value: href for href, value in hrefs.items()}
    first = load_knowledge(SHIPPED).entries["eva-cristella"].first_episode
    assert by_horizon["all"] == "../../../all/entry/eva-cristella.html"
    assert by_horizon[str(first)] == f"../../../ep/{first}/entry/eva-cristella.html"
    assert by_horizon[str(first - 1)] == f"../../../ep/{first - 1}/index.html"
    assert 'aria-current="page">8<' in picker


def test_pages_exist_for_entries_mysteries_and_episodes(shipped: KnowledgeBase, shipped_site: Path) -> None:
    tree = shipped_site / "ep" / "5"
    visible = cut(shipped, 5)
    assert {p.stem for p in (tree / "entry").iterdir()} == set(visible.entries)
    assert {p.stem for p in (tree / "mystery").iterdir()} == set(visible.mysteries)
    assert {p.stem for p in (tree / "episode").iterdir()} == {str(n) for n in range(6)}
    mother = (tree / urls.mystery_page("mother")).read_text()
    assert "<svg" in mother and 'class="tl-dot"' in mother and "not watched yet" in mother
    assert "Episode 5: Carnival Dances With Lost Memories" in mother
    episode = (tree / urls.episode_page(5)).read_text()
    assert "Rouge and Gene share a mother; her identity is unrevealed." in episode
    assert {p.stem for p in (shipped_site / "all" / "episode").iterdir()} == {str(n) for n in range(14)}


def test_unconfirmed_reveals_are_marked(shipped: KnowledgeBase, shipped_site: Path) -> None:
    entry, reveal = next((e, r) for e in shipped.entries.values() for r in e.reveals if r.unconfirmed)
    page = (shipped_site / "all" / urls.entry_page(entry.id)).read_text()
    item = re.search(rf'<li class="reveal" id="ep-{reveal.episode}">.*?</li>', page).group(0)
    assert '<strong class="flag">unconfirmed</strong>' in item


def test_search_data_holds_the_visible_questions_and_aliases(shipped: KnowledgeBase, shipped_site: Path) -> None:
    data = (shipped_site / "ep" / "8" / urls.SEARCH_DATA).read_text()
    payload = json.loads(data.removeprefix("window.LORE_SEARCH = ").rstrip().rstrip(";"))
    by_url = {item["u"]: item for item in payload["entries"]}
    assert set(by_url) == {urls.entry_page(i) for i in cut(shipped, 8).entries}
    mother = by_url[urls.entry_page("rouge-mother")]
    assert "is eva cristella rouge's mother" in mother["a"] and "roy faked his death" not in data
    everything = json.loads(
        (shipped_site / "all" / urls.SEARCH_DATA).read_text().removeprefix("window.LORE_SEARCH = ").rstrip().rstrip(";")
    )
    mother = next(i for i in everything["entries"] if i["u"] == urls.entry_page("rouge-mother"))
    assert "is eva cristella rouge's mother" in mother["h"] and "is eva cristella rouge's mother" not in mother["a"]


def test_base_url_adds_canonical_links_and_a_sitemap(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(load_knowledge(MINI), out, base_url="https://lore.example.org/guide/")
    page = (out / "ep" / "5" / urls.entry_page("rouge-mother")).read_text()
    assert '<link rel="canonical" href="https://lore.example.org/guide/ep/5/entry/rouge-mother.html">' in page
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://lore.example.org/guide/all/index.html</loc>" in sitemap


def test_read_more_urls() -> None:
    base = "https://lore.example.org/"
    assert urls.entry_url(base, "rouge-mother", 5, 13) == "https://lore.example.org/ep/5/entry/rouge-mother.html"
    assert urls.entry_url(base, "rouge-mother", None, 13) == "https://lore.example.org/all/entry/rouge-mother.html"
    assert urls.entry_url(base, "rouge-mother", 13, 13) == "https://lore.example.org/all/entry/rouge-mother.html"
    assert urls.entry_url("https://x.org/g", "a", 0, 13) == "https://x.org/g/ep/0/entry/a.html"


# -- building and serving ------------------------------------------------------------------------
def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KNOWLEDGE_DIR", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_cli_builds_replaces_an_old_build_and_refuses_other_folders(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_cli("site", str(out), "--knowledge", str(MINI))
    assert result.returncode == 0, result.stderr
    assert "pages" in result.stdout and (out / "ep" / "0" / "index.html").is_file() and (out / MARKER).is_file()
    stale = out / "ep" / "3" / "entry" / "stale.html"
    stale.write_text("old")
    assert run_cli("site", str(out), "--knowledge", str(MINI)).returncode == 0
    assert not stale.exists(), "a rebuild leaves no page of an older build behind"
    other = tmp_path / "photos"
    other.mkdir()
    (other / "cat.jpg").write_text("meow")
    refused = run_cli("site", str(other), "--knowledge", str(MINI))
    assert refused.returncode == 1 and "not empty" in refused.stderr and (other / "cat.jpg").exists()
    assert run_cli("site").returncode == 2


def test_cli_reports_broken_knowledge(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "series.yaml").write_text("series: [\n")
    result = run_cli("site", str(tmp_path / "out"), "--knowledge", str(broken))
    assert result.returncode == 1 and "series.yaml:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_serve_previews_the_site_on_loopback() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "site", "--serve", "--port", "0", "--knowledge", str(MINI)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        with urllib.request.urlopen(url + "ep/5/index.html", timeout=10) as response:
            assert response.status == 200 and b"Watched up to episode 5" in response.read()
    finally:
        process.terminate()
        process.wait(timeout=10)
