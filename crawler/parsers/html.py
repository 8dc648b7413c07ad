"""HTML fragments (post bodies, feed descriptions) turned into plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "section"}
)
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
# Weibo's "...全文" link that cuts a long post in a listing.
_FULL_TEXT_LINK = re.compile(
    r"(?:\.\.\.|…)?\s*<a\b[^>]*href=[\"']?[^\"'>]*/status/[^>]*>\s*全文\s*</a>", re.I
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def strip_html(html: str | None) -> str:
    """Plain text of an HTML fragment.

    <br> and block ends become newlines, an <img>'s alt text is kept (Weibo
    emoticons: `<img alt=[偷笑]>` -> "[偷笑]"), entities are unescaped, the
    "...全文" link of a cut post is dropped, and runs of spaces are collapsed.
    """
    if not html:
        return ""
    collector = _TextCollector()
    try:
        collector.feed(_FULL_TEXT_LINK.sub("", html))
        collector.close()
    except (AssertionError, ValueError):  # pragma: no cover - HTMLParser is lenient
        pass
    return _tidy("".join(collector.parts))


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
