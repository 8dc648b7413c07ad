"""Government website column list pages and article pages, pure.

With no selectors, the list is found by heuristics that fit the common layouts:
rows (``li``, ``tr``, ``dd``, ``div``/``p`` with one link) grouped by their parent
element; the group with the most dated rows is the column list. Links inside
navigation, headers, footers and breadcrumbs never count. Dates come as
2026-11-20, [2026-11-20], 2026/11/20, 2026年11月20日 or 11-20. Selectors from
config (``item``, ``link``, ``date``, ``next``) replace the heuristics. Paging
follows a "下一页" link or the ``createPageHTML(total, current, "index", "html")``
script of the usual CMS (index.html -> index_1.html -> index_2.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree

from crawler.items import PARSE_ERROR, PageProblem, PostItem
from crawler.parsers.blocks import check_response
from crawler.parsers.html import decode_page, strip_html

SHANGHAI = ZoneInfo("Asia/Shanghai")
_FULL = re.compile(
    r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?(?:\s*(\d{1,2}):(\d{2}))?"
)
_MONTH_DAY = re.compile(r"(?<![\d-])(\d{1,2})-(\d{1,2})(?![\d-])")
_SKIP = re.compile(
    r"nav|menu|footer|foot|header|head|top|crumb|banner|copyright|link|friend|share|tool", re.I
)
_SKIP_TAGS = {"nav", "header", "footer"}
_NEXT_TEXT = ("下一页", "下页", "后一页", "next")
_PAGE_SCRIPT = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_ROW_TAGS = ("li", "tr", "dd", "div", "p")


@dataclass(slots=True)
class ColumnItem:
    url: str
    title: str
    published_at: datetime | None


@dataclass(slots=True)
class ColumnPage:
    items: list[ColumnItem] = field(default_factory=list)
    next_url: str | None = None
    title: str | None = None


def parse_date(text: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """The first date in `text`, in any of the list forms; month-day takes the latest year not in the future."""
    match = _FULL.search(text)
    if match:
        year, month, day, hh, mm = match.groups()
        try:
            return datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
        except ValueError:
            return None
    match = _MONTH_DAY.search(text)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        local = now.astimezone(tz)
        for year in (local.year, local.year - 1):
            try:
                candidate = datetime(year, month, day, tzinfo=tz)
            except ValueError:
                return None
            if candidate <= local + timedelta(days=1):
                return candidate
    return None


def parse_column(
    url: str,
    body: bytes | str,
    now: datetime,
    tz: ZoneInfo = SHANGHAI,
    selectors: dict | None = None,
    status: int = 200,
) -> ColumnPage:
    """The entries of one column list page, newest first as listed; raises PageProblem."""
    text = decode_page(body)
    check_response(status, url, text, expect="html")
    try:
        root = lxml.html.fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise PageProblem(PARSE_ERROR, f"unreadable HTML: {exc}", status) from None
    title = (root.findtext(".//title") or "").strip() or None
    items = _by_selectors(root, url, now, tz, selectors) if selectors else _by_heuristics(root, url, now, tz)
    if not items:
        raise PageProblem(
            PARSE_ERROR,
            "no list of article links found on the column page (layout not recognised; set selectors)",
            status,
        )
    return ColumnPage(items=items, next_url=_next_url(root, url, text, selectors), title=title)


def _skipped(el: etree._Element) -> bool:
    node = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _SKIP.search(marks):
            return True
        node = node.getparent()
    return False


def _article_link(el: etree._Element) -> etree._Element | None:
    best = None
    for a in el.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        label = (a.get("title") or a.text_content() or "").strip()
        if best is None or len(label) > len((best.get("title") or best.text_content() or "").strip()):
            best = a
    return best


def _by_heuristics(root: etree._Element, url: str, now: datetime, tz: ZoneInfo) -> list[ColumnItem]:
    groups: dict[etree._Element, list[ColumnItem]] = {}
    order: list[etree._Element] = []
    for el in root.iter(*_ROW_TAGS):
        links = [a for a in el.iter("a") if a.get("href")]
        if not links or (el.tag in ("div", "p") and len(links) != 1):
            continue
        if any(child.tag in _ROW_TAGS for child in el.iterdescendants() if len(child.findall(".//a")) > 0):
            continue  # a wrapper of rows, not a row
        if _skipped(el):
            continue
        a = _article_link(el)
        if a is None:
            continue
        title = " ".join((a.get("title") or a.text_content() or "").split())
        if len(title) < 4:
            continue
        rest = " ".join(el.text_content().replace(a.text_content(), " ").split())
        published = parse_date(rest, now, tz)
        parent = el.getparent()
        if parent not in groups:
            groups[parent] = []
            order.append(parent)
        groups[parent].append(ColumnItem(urljoin(url, a.get("href").strip()), title, published))
    if not groups:
        return []

    def score(parent: etree._Element) -> tuple[int, int]:
        rows = groups[parent]
        return (sum(1 for r in rows if r.published_at), len(rows))

    best = max(order, key=score)
    dated, total = score(best)
    if dated == 0 and total < 3:
        return []
    return groups[best]


def _by_selectors(root: etree._Element, url: str, now: datetime, tz: ZoneInfo, sel: dict) -> list[ColumnItem]:
    items = []
    for el in root.cssselect(sel["item"]):
        links = el.cssselect(sel.get("link") or "a")
        a = links[0] if links else None
        if a is None or not a.get("href"):
            continue
        title = " ".join((a.get("title") or a.text_content() or "").split())
        date_text = ""
        if sel.get("date"):
            found = el.cssselect(sel["date"])
            date_text = found[0].text_content() if found else ""
        else:
            date_text = el.text_content().replace(a.text_content(), " ")
        items.append(ColumnItem(urljoin(url, a.get("href").strip()), title, parse_date(date_text, now, tz)))
    return items


def _next_url(root: etree._Element, url: str, text: str, selectors: dict | None) -> str | None:
    if selectors and selectors.get("next"):
        found = root.cssselect(selectors["next"])
        if found and found[0].get("href"):
            return urljoin(url, found[0].get("href"))
        return None
    for a in root.iter("a"):
        label = " ".join(a.text_content().split()).lower()
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")) and label in _NEXT_TEXT:
            nxt = urljoin(url, href)
            return nxt if nxt != url else None
    match = _PAGE_SCRIPT.search(text)
    if match:
        total, current, stem, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
        if current + 1 < total:
            return urljoin(url, f"{stem}_{current + 1}.{ext}")
    return None


def column_post(account_id: str, item: ColumnItem) -> PostItem:
    return PostItem(
        account_id=account_id,
        post_id=item.url,
        url=item.url,
        published_at=item.published_at,
        text=item.title,
        title=item.title,
        media="article",
    )


_META_DATE_NAMES = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "article:published_time")


def parse_article_page(
    url: str, body: bytes | str, now: datetime, tz: ZoneInfo = SHANGHAI, status: int = 200
):
    """An article page's publish date (``PubDate`` meta and kin), title and text."""
    text = decode_page(body)
    check_response(status, url, text, expect="html")
    root = lxml.html.fromstring(text)
    published = None
    for meta in root.iter("meta"):
        name = meta.get("name") or meta.get("property") or ""
        if name in _META_DATE_NAMES or name.lower() in _META_DATE_NAMES:
            published = parse_date(meta.get("content") or "", now, tz)
            if published:
                break
    title = None
    for meta in root.iter("meta"):
        if (meta.get("name") or "") == "ArticleTitle":
            title = (meta.get("content") or "").strip() or None
    body_el = root.cssselect(".TRS_Editor, #zoom, .article-content, .content, article")
    content = strip_html(etree.tostring(body_el[0], encoding="unicode")) if body_el else ""
    return published, title, content
