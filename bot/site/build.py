"""Build the whole lore site: a tree per horizon, ``all/``, the front page and the assets.

Spoiler safety lives here: the tree ``ep/<h>/`` is rendered from ``cut(kb, h)`` alone, so no file
in it can depend on anything first revealed after ``h``. ``all/`` is rendered from the whole
knowledge, with reveals behind click-to-reveal spoilers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bot.knowledge.horizon import cut
from bot.knowledge.model import KnowledgeBase
from bot.site import urls
from bot.site.pages import landing_page, render_tree

#: marks a folder as a site built here, so a rebuild may replace it and nothing else
MARKER = ".lore-site"
STATIC_FILES = ("style.css", "site.js", "favicon.svg")


class SiteError(Exception):
    """The site cannot be written where asked (the message says why, in plain words)."""


@dataclass(frozen=True, slots=True)
class BuiltSite:
    folder: Path
    pages: int
    trees: int


def site_files(kb: KnowledgeBase, *, base_url: str | None = None) -> dict[str, str]:
    """Every file of the site, by path from the site's root."""
    files: dict[str, str] = {}
    horizons: list[int | None] = [*range(kb.series.episode_count), None]
    for horizon in horizons:
        shown = kb if horizon is None else cut(kb, horizon)
        tree = urls.tree_name(horizon)
        for path, text in render_tree(shown, horizon, base_url=base_url).items():
            files[f"{tree}/{path}"] = text
    files[urls.INDEX] = landing_page(cut(kb, 0), base_url=base_url)
    static = resources.files("bot.site") / "static"
    for name in STATIC_FILES:
        files[f"assets/{name}"] = (static / name).read_text(encoding="utf-8")
    if base_url:
        files["sitemap.xml"] = sitemap(base_url, [path for path in files if path.endswith(".html")])
    files[MARKER] = "Built by `python -m bot site`; the next build replaces this whole folder.\n"
    return files


def sitemap(base_url: str, pages: list[str]) -> str:
    from xml.sax.saxutils import escape

    root = base_url.rstrip("/")
    lines = [f"<url><loc>{escape(f'{root}/{page}')}</loc></url>" for page in sorted(pages)]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(lines) + "\n</urlset>\n"
    )


def build_site(kb: KnowledgeBase, out: Path, *, base_url: str | None = None) -> BuiltSite:
    """Write the site to ``out``, replacing an earlier build there as a whole (a page that no
    longer exists, or that moved to a later horizon, must not linger)."""
    files = site_files(kb, base_url=base_url)
    write_folder(files, out)
    pages = sum(1 for path in files if path.endswith(".html"))
    return BuiltSite(out, pages, kb.series.episode_count + 1)


def write_folder(files: dict[str, str], out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise SiteError(f"{out} is not empty and holds no site built by this command; choose a new or empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        os.chmod(staging, 0o755)
        for path, text in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "site")
            os.rename(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
