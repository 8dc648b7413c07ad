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

from lxml import etree

from core.items import PARSE_ERROR, PageProblem, PostItem
from crawler.parsers import article, jpage
from crawler.parsers.article import url_date
from crawler.parsers.blocks import check_response
from crawler.parsers.html import decode_page, parse_document

SHANGHAI = ZoneInfo("Asia/Shanghai")
_FULL = re.compile(
    r"(?<!\d)(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?(?:\s*(\d{1,2}):(\d{2})(?::\d{2})?)?"
)
_MONTH_DAY = re.compile(r"(?<![\d-])(\d{1,2})-(\d{1,2})(?![\d-])(?:\s+(\d{1,2}):(\d{2})(?::\d{2})?)?")
_SKIP = re.compile(
    r"nav|menu|footer|foot|header|head|top|crumb|banner|copyright|link|friend|share|tool", re.I
)
_SKIP_TAGS = {"nav", "header", "footer"}
_NEXT_TEXT = ("下一页", "下页", "后一页", "next", "nextpage")
_NEXT_NOISE = re.compile(r"[\s>»›→<«‹\[\]【】()（）]+")
_PAGE_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_ROW_TAGS = ("li", "tr", "dd", "dl", "dt", "div", "p")
_BLOCKS = frozenset(
    {"div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dl", "dt", "dd", "section", "article"}
)
_TITLE_MARK = re.compile(r"tit|headline|name", re.I)
_NOISE = re.compile(r"[\s\[\]【】()（）<>《》〈〉·•…._\-|:：/]+")


@dataclass(slots=True)
class ColumnItem:
    url: str
    title: str
    published_at: datetime | None  # the date the list shows
    url_date: datetime | None = None  # no date shown: the day the article's address carries


@dataclass(slots=True)
class ColumnPage:
    items: list[ColumnItem] = field(default_factory=list)
    next_url: str | None = None
    title: str | None = None
    # The next page is a POST of these fields (Hanweb's dataproxy.jsp), not a GET.
    next_form: dict[str, str] | None = None


def parse_date(text: str, now: datetime, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """The first date in `text`, in any of the list forms; month-day takes the latest year not in the future."""
    found = _find_date(text, now, tz)
    return found[0] if found else None


def _find_date(text: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, int, int] | None:
    full = False
    for match in _FULL.finditer(text):  # an index number (…/2024-00123) is not a date: the next one may be
        full = True
        year, month, day, hh, mm = match.groups()
        try:
            when = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), tzinfo=tz)
        except ValueError:
            continue
        return when, match.start(), match.end()
    if full:
        return None
    match = _MONTH_DAY.search(text)
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        hh, mm = int(match.group(3) or 0), int(match.group(4) or 0)
        local = now.astimezone(tz)
        for year in (local.year, local.year - 1):
            try:
                candidate = datetime(year, month, day, hh, mm, tzinfo=tz)
            except ValueError:
                return None
            if candidate <= local + timedelta(days=1):
                return candidate, match.start(), match.end()
    return None


def parse_column(
    url: str,
    body: bytes | str,
    now: datetime,
    tz: ZoneInfo = SHANGHAI,
    selectors: dict | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> ColumnPage:
    """The entries of one column list page, newest first as listed; raises PageProblem.

    ``form``: the fields a Hanweb dataproxy.jsp page was asked for with (its next page
    is asked for with the same)."""
    text = decode_page(body)
    check_response(status, url, text, expect="html")
    store = jpage.read_datastore(text)
    try:
        root = parse_document(store.rows_html if store else text)
    except (etree.ParserError, ValueError) as exc:
        raise PageProblem(PARSE_ERROR, f"unreadable HTML: {exc}", status) from None
    title = (_page_title(text) if store else (root.findtext(".//title") or "").strip()) or None
    items = _by_selectors(root, url, now, tz, selectors) if selectors else _by_heuristics(root, url, now, tz)
    if not items:
        if store is not None and store.records == 0 and jpage.is_proxy(url):
            return ColumnPage(items=[], title=title)  # past the last record: the list has ended
        raise PageProblem(
            PARSE_ERROR,
            "no list of article links found on the column page (layout not recognised; set selectors)",
            status,
        )
    if store is not None:
        nxt = jpage.next_request(url, store, form)
        if nxt is not None:
            return ColumnPage(items=items, next_url=nxt[0], title=title, next_form=nxt[1])
        return ColumnPage(items=items, title=title)
    return ColumnPage(items=items, next_url=_next_url(root, url, text, selectors), title=title)


def _page_title(text: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    return " ".join(match.group(1).split()) if match else ""


def _skipped(el: etree._Element) -> bool:
    node = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            return False  # a page-wide class ("scrollHeader") says nothing about one block
        if tag in _SKIP_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _SKIP.search(marks):
            return True
        node = node.getparent()
    return False


def _usable(a: etree._Element) -> bool:
    href = (a.get("href") or "").strip()
    return bool(href) and not href.lower().startswith(("#", "javascript:", "mailto:", "tel:"))


def _core(label: str) -> int:
    """How many characters of a link's label say something (brackets, dots and spaces do not)."""
    return len(_NOISE.sub("", label))


def _is_card(a: etree._Element) -> bool:
    """A link that is a whole card: an image, a title block and a date inside one <a>."""
    return any(isinstance(d.tag, str) and d.tag in _BLOCKS for d in a.iterdescendants())


def _date_only(el: etree._Element, now: datetime, tz: ZoneInfo) -> datetime | None:
    text = " ".join(el.text_content().split())
    if not text or len(text) > 24:
        return None
    found = _find_date(text, now, tz)
    if found and not _NOISE.sub("", text[: found[1]] + text[found[2] :]):
        return found[0]
    return None


def _link_label(a: etree._Element, now: datetime, tz: ZoneInfo) -> tuple[str, datetime | None]:
    """A link's title and the date shown inside it, if any (card links, ``<a>title<span>date</span></a>``)."""
    inner = None
    skip: set[etree._Element] = set()
    for d in a.iterdescendants():
        if isinstance(d.tag, str) and d not in skip:
            when = _date_only(d, now, tz)
            if when is not None:
                inner = inner or when
                skip.update(d.iter())
    if _is_card(a):
        best, marked = "", ""
        for d in a.iterdescendants():
            if not isinstance(d.tag, str) or d in skip or d.tag not in _BLOCKS:
                continue
            if any(isinstance(x.tag, str) and x.tag in _BLOCKS for x in d.iterdescendants()):
                continue  # a leaf block only: the title, not the card's whole text
            text = " ".join(" ".join(_texts_outside(d, skip)).split())  # the date is not the title
            if _core(text) > _core(best):
                best = text
            if _core(text) >= 4 and not marked and (d.tag[0] == "h" or _TITLE_MARK.search(_marks(d))):
                marked = text  # a heading or a block marked as the title beats a longer summary
        shown = marked or best
    else:
        parts = [t for t in _texts_outside(a, skip)]
        shown = " ".join(" ".join(parts).split())
        found = _find_date(shown, now, tz) if inner is None else None
        if found and found[1] > 0 and not _NOISE.sub("", shown[found[2] :]):
            inner, shown = found[0], shown[: found[1]].rstrip(" [(（【")
    label = " ".join((a.get("title") or "").split())
    if _core(label) < _core(shown):
        label = shown
    return label, inner


def _marks(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _texts_outside(a: etree._Element, skip: set[etree._Element]):  # noqa: ANN202
    if a.text and a not in skip:
        yield a.text
    for child in a:
        if child not in skip and isinstance(child.tag, str):
            yield from _texts_outside(child, skip)
        if child.tail:
            yield child.tail


def _row(el: etree._Element, url: str, now: datetime, tz: ZoneInfo, cache: dict) -> ColumnItem | None:
    """``el`` read as one row of a list: its article link, title and date; None when it is not one."""
    if el.tag == "a":
        if not _usable(el):
            return None
        if el not in cache:
            cache[el] = _link_label(el, now, tz)
        if not _is_card(el) and cache[el][1] is None:
            return None  # a row only when it is a whole card, or holds its own date
        links = [el]
    else:
        links = [a for a in el.iter("a") if _usable(a)]
        if not links:
            return None
    labels = {}
    for a in links:
        if a not in cache:
            cache[a] = _link_label(a, now, tz)
        labels[a] = cache[a]
    best = max(links, key=lambda a: _core(labels[a][0]))
    title, inner = labels[best]
    if len(title) < 4:
        return None
    href = best.get("href").strip()
    major = {a.get("href").strip() for a in links if _core(labels[a][0]) >= 4}
    if el.tag in ("div", "p", "a") and len(major) > 1:
        return None  # several titles: a block of links, not one row
    if len(major) > 1 and any(
        isinstance(d.tag, str) and d.tag in _ROW_TAGS and d.find(".//a") is not None
        for d in el.iterdescendants()
    ):
        return None  # a wrapper of rows, not a row
    if el.tag == "a":
        published = inner
    else:
        rest = " ".join(el.text_content().replace(best.text_content(), " ").split())
        found = _find_date(rest, now, tz)
        published = found[0] if found else inner
    link = urljoin(url, href)
    return ColumnItem(link, title, published, None if published else url_date(link, now, tz))


def _by_heuristics(root: etree._Element, url: str, now: datetime, tz: ZoneInfo) -> list[ColumnItem]:
    groups: dict[etree._Element, list[ColumnItem]] = {}
    order: list[etree._Element] = []
    cache: dict[etree._Element, tuple[str, datetime | None]] = {}
    for el in root.iter(*_ROW_TAGS, "a"):
        if _skipped(el):
            continue
        item = _row(el, url, now, tz, cache)
        if item is None:
            continue
        parent = el.getparent()
        if parent not in groups:
            groups[parent] = []
            order.append(parent)
        groups[parent].append(item)
    if not groups:
        return []
    for run in _split_lists(order):
        head = run[0]
        for other in run[1:]:
            groups[head].extend(groups.pop(other))
            order.remove(other)

    def score(parent: etree._Element) -> tuple[int, int]:
        rows = groups[parent]
        return (sum(1 for r in rows if r.published_at or r.url_date), len(rows))

    best = max(order, key=score)
    dated, total = score(best)
    if dated == 0 and total < 3:
        return []
    return groups[best]


def _text_len(el: etree._Element) -> int:
    return len("".join(el.text_content().split()))


def _split_lists(parents: list[etree._Element]) -> list[list[etree._Element]]:
    """Lists cut into several sibling blocks (eight ``<ul>`` of five rows, one after the other,
    with only empty separators between them): runs of groups to read as one list."""
    blocks: dict[etree._Element, etree._Element] = {}
    for parent in parents:
        block = parent
        while block.getparent() is not None and block.getparent().tag not in ("body", "html"):
            up = block.getparent()
            if _text_len(up) != _text_len(block):
                break
            block = up
        blocks[parent] = block
    by_container: dict[etree._Element, list[etree._Element]] = {}
    for parent, block in blocks.items():
        container = block.getparent()
        if container is not None:
            by_container.setdefault(container, []).append(parent)
    runs: list[list[etree._Element]] = []
    for container, members in by_container.items():
        if len(members) < 2:
            continue
        children = list(container)
        at = {blocks[p]: p for p in members}
        run: list[etree._Element] = []
        shape: tuple | None = None
        for child in children:
            parent = at.get(child)
            if parent is None:
                if isinstance(child.tag, str) and _text_len(child) == 0:
                    continue  # an empty separator (<span class=hr>, <div class=line>)
                if len(run) > 1:
                    runs.append(run)
                run, shape = [], None
                continue
            this = (child.tag, child.get("class"), parent.tag, parent.get("class"))
            if run and this == shape:
                run.append(parent)
            else:
                if len(run) > 1:
                    runs.append(run)
                run, shape = [parent], this
        if len(run) > 1:
            runs.append(run)
    return runs


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
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("#", "javascript:")):
            continue
        labels = (a.text_content(), a.get("title") or "")
        if any(_NEXT_NOISE.sub("", label).lower() in _NEXT_TEXT for label in labels):
            nxt = urljoin(url, href)
            return nxt if nxt != url else None
    return _page_script(url, text)


def _page_script(url: str, text: str) -> str | None:
    """TRS WCM's pager: ``createPageHTML(total, current, "index", "html")``, also with a leading
    target id (``createPageHTML('page_div', 7, 0, 'index', 'html', 100)``) or with variables
    (``var countPage = 7; createPageHTML(countPage, currentPage, …)``). Pages count from 0:
    index.html, index_1.html …"""
    match = _PAGE_CALL.search(text)
    if not match:
        return None
    numbers: list[int] = []
    words: list[str] = []
    for raw in match.group(1).split(","):
        arg = raw.strip()
        if re.fullmatch(r"\d+", arg.strip("'\"")) and (arg[:1] not in "'\"" or len(numbers) < 2):
            numbers.append(int(arg.strip("'\"")))
        elif arg[:1] in "'\"":
            if len(numbers) >= 2:
                words.append(arg.strip("'\""))
        elif re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
            value = re.search(rf"\b{re.escape(arg)}\s*=\s*['\"]?(\d+)", text)
            if value is None:
                return None
            numbers.append(int(value.group(1)))
    if len(numbers) < 2 or len(words) < 2:
        return None
    total, current = numbers[0], numbers[1]
    stem, ext = words[0], words[1]
    if not re.fullmatch(r"[\w-]+", stem) or not re.fullmatch(r"\w+", ext) or current + 1 >= total:
        return None
    return urljoin(url, f"{stem}_{current + 1}.{ext}")


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


def parse_article_page(
    url: str, body: bytes | str, now: datetime, tz: ZoneInfo = SHANGHAI, status: int = 200
) -> tuple[datetime | None, str | None, str]:
    """An article page's publish date, title and text (article.read_article)."""
    page = read_article_page(url, body, now, tz, status)
    return page.published, page.title, page.text


def read_article_page(
    url: str, body: bytes | str, now: datetime, tz: ZoneInfo = SHANGHAI, status: int = 200
) -> article.ArticlePage:
    """An article page read for its date, title, body and source; raises PageProblem."""
    raw = body if isinstance(body, bytes | bytearray) else b""
    if raw[:5] == b"%PDF-" or raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise PageProblem(PARSE_ERROR, f"not an article page but a file (PDF/Office/ZIP): {url}", status)
    text = decode_page(body)
    check_response(status, url, text, expect="html")
    try:
        return article.read_article(url, text, now, tz)
    except (etree.ParserError, ValueError) as exc:
        raise PageProblem(PARSE_ERROR, f"unreadable HTML: {exc}", status) from None
