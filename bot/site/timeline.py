"""A mystery's timeline as inline SVG: one line per question, one dot per reveal, by episode.

Drawn from the reveals it is given and nothing else (no chart library, no request elsewhere);
colours come from the page's stylesheet, so it follows light and dark mode.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.answering.render import clip
from bot.knowledge.model import OFF_SCREEN_EPISODE, Reveal

WIDTH = 720
MARGIN = 28
ROW_HEIGHT = 46
LABEL_CHARS = 90


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    #: the page the row's dots link to (each dot to its reveal's anchor there)
    href: str
    reveals: tuple[Reveal, ...]


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def timeline_svg(
    rows: Sequence[Row],
    episode_count: int,
    horizon: int | None,
    *,
    describe: Callable[[Reveal], str],
    label: str,
) -> str:
    """The SVG element. ``horizon`` shades the episodes not watched yet (None: nothing shaded);
    ``describe`` gives each dot's tooltip, so the caller decides whether it may quote the reveal."""
    first = OFF_SCREEN_EPISODE if any(r.episode == OFF_SCREEN_EPISODE for row in rows for r in row.reveals) else 1
    span = max(episode_count - first, 1)
    step = (WIDTH - 2 * MARGIN) / span

    def x(episode: int) -> float:
        return MARGIN + (episode - first) * step

    axis_y = 16 + len(rows) * ROW_HEIGHT
    height = axis_y + 30
    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="group" aria-label="{_esc(label)}">'
    ]
    if horizon is not None and horizon < episode_count:
        left = x(horizon) + step / 2
        parts.append(
            f'<rect class="tl-unwatched" x="{left:.1f}" y="0" width="{WIDTH - left:.1f}" height="{axis_y:.1f}"/>'
            f'<text class="tl-note" x="{WIDTH - 8}" y="{axis_y - 6}" text-anchor="end">not watched yet</text>'
        )
    for episode in range(first, episode_count + 1):
        parts.append(f'<line class="tl-grid" x1="{x(episode):.1f}" y1="8" x2="{x(episode):.1f}" y2="{axis_y:.1f}"/>')
        parts.append(
            f'<text class="tl-tick" x="{x(episode):.1f}" y="{axis_y + 20}" text-anchor="middle">{episode}</text>'
        )
    for index, row in enumerate(rows):
        top = 16 + index * ROW_HEIGHT
        line_y = top + 22
        parts.append(f'<text class="tl-label" x="{MARGIN - 12}" y="{top + 4}">{_esc(clip(row.label, LABEL_CHARS))}</text>')
        parts.append(f'<line class="tl-track" x1="{x(first):.1f}" y1="{line_y}" x2="{x(episode_count):.1f}" y2="{line_y}"/>')
        if row.reveals:
            start, end = x(row.reveals[0].episode), x(row.reveals[-1].episode)
            parts.append(f'<line class="tl-span" x1="{start:.1f}" y1="{line_y}" x2="{end:.1f}" y2="{line_y}"/>')
        for reveal in row.reveals:
            kind = "tl-dot unconfirmed" if reveal.unconfirmed else "tl-dot"
            parts.append(
                f'<a href="{_esc(row.href)}#ep-{reveal.episode}"><title>{_esc(describe(reveal))}</title>'
                f'<circle class="{kind}" cx="{x(reveal.episode):.1f}" cy="{line_y}" r="7"/></a>'
            )
    parts.append("</svg>")
    return "".join(parts)
