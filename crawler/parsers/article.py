"""A government article page read as its CMS serves it: publish date, title, body, source. Pure.

The date comes from the CMS's meta (``PubDate``, ``firstpublishedtime``, ``publishdate``,
``article:published_time`` ...), else from the text a reader sees: a labelled date
(``发布日期: 2012-06-24``, ``发布时间： 2024-06-27 16:18``), else the date of the short
information line under the title (``来源：新华社 作者： 2023-12-01 14:43``), else a bare
``时间：``/``日期：`` label, else the article's address (``t20240627_123.html``,
``/art/2024/6/27/art_…``, ``/2023-12/01/content_…``). The body is the CMS's text container
(``#UCAP-CONTENT``, ``.TRS_Editor``, ``.TRS_UEDITOR``, ``#zoom`` ...; class and id matched
without regard to case), else the block of the page that holds the most of its sentences
(found by following the Chinese punctuation down from ``<body>``). The title is the
``ArticleTitle`` meta, else the heading of the page that ``<title>`` repeats, else the
longest part of ``<title>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lxml import etree

from crawler.parsers.anchors import element_links
from crawler.parsers.dates import SHANGHAI
from crawler.parsers.html import parse_document, strip_html

_FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*\d{2})?)?"
)
_META_DATES = (
    "pubdate",
    "publishdate",
    "publishtime",
    "firstpublishedtime",
    "article:published_time",
    "og:release_date",
    "datepublished",
    "dc.date.issued",
    "weibo: article:create_at",
)
# Labels of the publication date, strongest first; 成文日期 (the date a document was signed) is not one.
_PUBLISH_LABEL = re.compile(r"(?:发布|发表|发稿|公开|上传)\s*(?:日期|时间)\s*[:：]?\s*$")
# Dates that are something else: signed, effective, a deadline, an exam, an application period.
_OTHER_LABEL = re.compile(r"(?:成文|印发|截止|报名|考试|有效|施行|实施|开始|结束|生效)\S{0,3}\s*[:：为]?\s*$")
_PLAIN_LABEL = re.compile(r"(?<!成文)(?<!截止)(?<!报名)(?<!考试)(?:日期|时间)\s*[:：]\s*$")
# Words of the information line under an article's title.
_INFO_WORDS = re.compile(r"来源|作者|编辑|浏览|点击|阅读|访问|字号|发布")
_INFO_MAX = 200  # characters: an information line, not a paragraph
_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),  # TRS WCM: ./202406/t20240627_123.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/art_"),  # Hanweb JCMS
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/(?:content|c)_"),  # /2023-12/01/content_1.html
)
# Body containers of the common government CMSs (lower case; matched on class or id tokens).
_BODY_MARKS = ("ucap-content", "trs_editor", "trs_ueditor", "zoom", "js_content", "detil-new-cont")
_PUNCT = re.compile(r"[，。；：！？、“”]")
_SKIP = {"script", "style", "noscript", "template", "iframe", "select", "option", "head"}
_TITLE_SPLIT = re.compile(r"\s*(?:_{1,2}|\||｜|—{1,2}|--?|－)\s*")
# A line break inside a Chinese heading is not a space in its title.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff，、：（）《》“”])\s+(?=[\u3400-\u9fff0-9，、：（）《》“”])")
_SOURCE = re.compile(r"(?:信息)?来源\s*[:：]\s*([^\s|｜/]{2,40})")


@dataclass(slots=True)
class ArticlePage:
    published: datetime | None
    title: str | None
    text: str
    source: str | None = None
    date_from: str | None = None  # meta | label | info | url
    links: tuple[str, ...] = ()  # the anchors' addresses in the body (anchors.element_links)


def read_article(url: str, text: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> ArticlePage:
    """The article page's date, title, body and source (``ContentSource`` or 来源：)."""
    root = parse_document(text)
    metas = _metas(root)
    published, date_from = _meta_date(metas, now, tz), "meta"
    if published is None:
        published, date_from = _text_date(root, now, tz)
    if published is None:
        published, date_from = url_date(url, now, tz), "url"
        if published is None:
            date_from = None
    title = metas.get("articletitle") or _title(root)
    body, body_el = _body(root)
    source = (metas.get("contentsource") or _text_source(root) or "")[:100] or None
    links = element_links(body_el, url) if body_el is not None else ()
    return ArticlePage(published, title, body, source, date_from, links)


def url_date(url: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """The day an article's address carries (TRS, Hanweb and news CMS paths), if any."""
    for pattern in _URL_DATES:
        match = pattern.search(url or "")
        if match:
            try:
                when = datetime(int(match.group(1)), int(match.group(2)), int(match.group(3)), tzinfo=tz)
            except ValueError:
                return None
            return when if when <= now + timedelta(days=1) else None
    return None


def first_date(text: str, tz: ZoneInfo = SHANGHAI) -> tuple[datetime, int, int] | None:
    """The first full date (year, month, day, optional HH:MM) in ``text`` and its span."""
    for match in _FULL.finditer(text):
        year, month, day, hh, mm = match.groups()
        try:
            when = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
        except ValueError:
            continue
        return when, match.start(), match.end()
    return None


# --------------------------------------------------------------------------- date


def _metas(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if name and content and name not in out:
            out[name] = content
    return out


def _meta_date(metas: dict[str, str], now: datetime, tz: ZoneInfo) -> datetime | None:
    for name in _META_DATES:
        if name in metas:
            found = first_date(metas[name], tz)
            if found and found[0] <= now + timedelta(days=1):
                return found[0]
    return None


def _texts(root: etree._Element):  # noqa: ANN202 - a generator of (element, text)
    """Every visible text node of the body in document order, with the element holding it."""
    body = root.find(".//body")
    for el in (body if body is not None else root).iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP or _in_skipped(el):
            continue
        if el.text and el.text.strip():
            yield el, el.text
        for child in el:
            if child.tail and child.tail.strip():
                yield el, child.tail


def _in_skipped(el: etree._Element) -> bool:
    node = el.getparent()
    while node is not None:
        if node.tag in _SKIP:
            return True
        node = node.getparent()
    return False


def _text_date(root: etree._Element, now: datetime, tz: ZoneInfo) -> tuple[datetime | None, str | None]:
    """A labelled date, else the date of the information line, else a bare 时间：/日期： label."""
    limit = now + timedelta(days=1)
    parts: list[str] = []
    starts: list[tuple[int, etree._Element]] = []
    size = 0
    for el, piece in _texts(root):
        starts.append((size, el))
        part = " " + " ".join(piece.split())
        parts.append(part)
        size += len(part)
    flat = "".join(parts)
    plain: datetime | None = None
    info: datetime | None = None
    for match in _FULL.finditer(flat):
        found = first_date(match.group(0), tz)
        if found is None or found[0] > limit:
            continue
        before = flat[max(0, match.start() - 12) : match.start()]
        if _PUBLISH_LABEL.search(before):
            return found[0], "label"
        if _OTHER_LABEL.search(before):
            continue
        if plain is None and _PLAIN_LABEL.search(before):
            plain = found[0]
        if info is None:
            el = _element_at(starts, match.start())
            if el is not None and _info_line(el):
                info = found[0]
    if info is not None:
        return info, "info"
    if plain is not None:
        return plain, "label"
    return None, None


def _element_at(starts: list[tuple[int, etree._Element]], offset: int) -> etree._Element | None:
    lo, hi = 0, len(starts) - 1
    found = None
    while lo <= hi:
        mid = (lo + hi) // 2
        if starts[mid][0] <= offset:
            found = starts[mid][1]
            lo = mid + 1
        else:
            hi = mid - 1
    return found


def _info_line(el: etree._Element) -> bool:
    """A short block (or its short parent) that also names a source, an author, a view count..."""
    node, depth = el, 0
    while node is not None and depth < 3:
        text = " ".join(node.text_content().split())
        if len(text) > _INFO_MAX:
            return False
        if _INFO_WORDS.search(text):
            return True
        node, depth = node.getparent(), depth + 1
    return False


# --------------------------------------------------------------------------- title


def _title(root: etree._Element) -> str | None:
    page_title = " ".join((root.findtext(".//title") or "").split())
    squeezed = _squeeze(page_title)
    best = ""
    body = root.find(".//body")
    if body is not None and squeezed:
        for el in body.iter("h1", "h2", "h3", "h4", "div", "p", "td", "span", "strong"):
            text = " ".join(el.text_content().split())
            if len(text) < 4 or len(text) > 200 or len(text) <= len(best):
                continue
            if _squeeze(text) in squeezed:
                best = text
    if best and len(_squeeze(best)) * 2 >= len(_longest_part(page_title)):
        return _CJK_GAP.sub("", best)
    return _CJK_GAP.sub("", _longest_part(page_title) or best) or None


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _longest_part(page_title: str) -> str:
    parts = [p.strip() for p in _TITLE_SPLIT.split(page_title) if p.strip()]
    return max(parts, key=len) if parts else ""


# --------------------------------------------------------------------------- body


def _marks(el: etree._Element) -> set[str]:
    return {t.lower() for t in f"{el.get('class') or ''} {el.get('id') or ''}".split()}


def _body(root: etree._Element) -> tuple[str, etree._Element | None]:
    """The article's text and the element holding it (None: no body found)."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag not in _SKIP and _marks(el) & set(_BODY_MARKS):
            text = _text_of(el)
            if len(text) >= 20:
                return text, el
    body = root.find(".//body")
    if body is None:
        return "", None
    node = body
    while True:
        total = _punct(node)
        if total == 0:
            return "", None
        best, best_n = None, 0
        for child in node:
            if not isinstance(child.tag, str) or child.tag in _SKIP:
                continue
            n = _punct(child)
            if n > best_n:
                best, best_n = child, n
        if best is None or best_n < total * 0.7:
            return _text_of(node), node
        node = best


def _punct(el: etree._Element) -> int:
    """Chinese punctuation outside links: sentences, not menus."""
    count = 0
    for node in el.iter():
        if not isinstance(node.tag, str) or node.tag in _SKIP or node.tag == "a":
            continue
        if _inside_link(node, el):
            continue
        count += len(_PUNCT.findall(node.text or ""))
        for child in node:
            count += len(_PUNCT.findall(child.tail or ""))
    return count


def _inside_link(node: etree._Element, top: etree._Element) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not top:
        if parent.tag == "a":
            return True
        parent = parent.getparent()
    return False


def _text_of(el: etree._Element) -> str:
    return strip_html(etree.tostring(el, encoding="unicode"))


def _text_source(root: etree._Element) -> str | None:
    for _el, piece in _texts(root):
        match = _SOURCE.search(piece)
        if match:
            return match.group(1).strip()
    return None
