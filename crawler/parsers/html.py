"""HTML fragments (post bodies, feed descriptions) turned into plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import lxml.html

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


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB_NAMES = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "gb_2312-80", "hz-gb-2312"})
# A few stray bytes in a UTF-8 page are just that; more means the page is in another encoding.
_STRAY_BYTES = 3


def decode_page(body: bytes | bytearray | str | None) -> str:
    """An HTML page's text in its real encoding.

    The charset its ``<meta>`` declares (GB2312 and GBK read as their superset GB18030),
    else UTF-8. Chinese government sites also serve GBK while declaring UTF-8 (an old CMS
    behind a new template): bytes that are not UTF-8 beyond a few strays are read as GB18030
    when they are valid there, so the page's links and dates are read, not lost as U+FFFD.
    """
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    raw = bytes(body)
    match = _META_CHARSET.search(raw[:4096])
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    if declared in _GB_NAMES:
        declared = "gb18030"
    try:
        return raw.decode(declared)
    except (LookupError, UnicodeDecodeError):
        pass
    text = raw.decode("utf-8", "replace")
    if text.count("\ufffd") <= _STRAY_BYTES:
        return text
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return text


# Pages assembled from server-side includes often close </html> after their header
# fragment; libxml2 then drops the article that follows.
_CLOSERS = re.compile(r"</(?:html|body)\s*>|^\s*<\?xml[^>]*\?>", re.I)


def parse_document(text: str) -> lxml.html.HtmlElement:
    """The page as an lxml tree, with stray ``</html>``/``</body>`` (from included
    fragments) not allowed to end it early (and an XML declaration, which lxml refuses in
    text, dropped). Raises lxml's ParserError for no document."""
    return lxml.html.fromstring(_CLOSERS.sub("", text))


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
