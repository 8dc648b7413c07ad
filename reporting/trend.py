"""Posts per week as a small chart: an inline SVG for pages and mail (no script, no external
reference, so it survives mail clients that show SVG at all), and a line of block characters for
text (the account card in a terminal)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

BAR_W, GAP, HEIGHT = 4, 1, 24
BLOCKS = "▁▂▃▄▅▆▇█"


def trend_svg(counts: Sequence[int], weeks: Sequence[date] = (), colour: str = "#1d4ed8") -> str:
    """One bar a week, oldest left; the tallest week fills the height, a week with no post is a
    grey tick, so a gap shows. Two paths (bars, ticks) keep it small: a page of 10,000 accounts
    carries 10,000 of them. The title names the weeks, the total and the busiest week."""
    n = len(counts)
    width = n * (BAR_W + GAP)
    top = max(counts, default=0)
    span = f"{weeks[0]:%Y-%m-%d} 起" if weeks else ""
    label = f"近{n}周{span}每周发布条数：共 {sum(counts)} 条，最多一周 {top} 条"
    bars, ticks = [], []
    for i, count in enumerate(counts):
        x = i * (BAR_W + GAP)
        if count:
            h = max(2, round(HEIGHT * count / top))
            bars.append(f"M{x} {HEIGHT}v-{h}h{BAR_W}v{h}z")
        else:
            ticks.append(f"M{x} {HEIGHT}v-1h{BAR_W}v1z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{escape(label)}" class="trend">'
        f"<title>{escape(label)}</title>"
        + (f'<path fill="{colour}" d="{"".join(bars)}"/>' if bars else "")
        + (f'<path fill="#d1d5db" d="{"".join(ticks)}"/>' if ticks else "")
        + "</svg>"
    )


def trend_text(counts: Sequence[int]) -> str:
    """▁▂▅█… : one character a week, oldest first; a space for a week with no post."""
    top = max(counts, default=0)
    if not top:
        return " " * len(counts)
    return "".join(
        " " if c == 0 else BLOCKS[min(len(BLOCKS) - 1, (c * len(BLOCKS) - 1) // top)] for c in counts
    )
