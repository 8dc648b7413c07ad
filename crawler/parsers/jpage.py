"""Hanweb (大汉) JCMS columns: the list lives in a data island, further pages come from
``dataproxy.jsp``. Pure.

A JCMS column page carries its first records not as HTML but inside
``<script type="text/xml"><datastore>``: each ``<record><![CDATA[<li>…</li>]]></record>``
is one row, ``<nextgroup>`` holds a link to ``/module/web/jpage/dataproxy.jsp?…`` whose
query names the column (``columnid``, ``unitid``, ``webid`` …), and the pager script says
``totalRecord`` and ``perPage``. The browser asks for the next records with a POST to that
proxy: ``?startrecord=46&endrecord=90&perpage=15`` in the address, the column's fields in
the form; the answer is the same ``<datastore>`` with ``<totalrecord>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

_DATASTORE = re.compile(r"<datastore\b", re.I)
_RECORD = re.compile(r"<record\b[^>]*>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.I | re.S)
_NEXTGROUP = re.compile(r"<nextgroup\b[^>]*>\s*<!\[CDATA\[.*?href\s*=\s*([\"'])(.*?)\1", re.I | re.S)
_TOTAL = re.compile(r"(?:totalRecord\s*[:=]\s*[\"']?|<totalrecord>\s*)(\d+)", re.I)
_PER_PAGE = re.compile(r"perPage\s*[:=]\s*[\"']?(\d+)", re.I)
_PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
# Fields of the proxy address that say which records, not which column.
_RANGE_FIELDS = {"startrecord", "endrecord", "perpage", "page"}


@dataclass(slots=True)
class Datastore:
    rows_html: str  # the records as one HTML document, to be read like any list
    records: int
    total: int | None  # totalRecord: how many records the column has
    per_page: int | None
    proxy: str | None  # the nextgroup link (dataproxy.jsp and the column's fields)


def read_datastore(text: str) -> Datastore | None:
    """The data island of a JCMS column page, or a dataproxy.jsp answer; None for other pages.

    A page with several islands (a side list beside the column) is read by its largest; its
    pager settings are the first after it."""
    starts = [m.start() for m in _DATASTORE.finditer(text)]
    if not starts:
        return None
    best: tuple[int, int, int] | None = None  # (records, start, end)
    for i, start in enumerate(starts):
        end = text.find("</datastore", start)
        end = end if end >= 0 else (starts[i + 1] if i + 1 < len(starts) else len(text))
        count = len(_RECORD.findall(text, start, end))
        if best is None or count > best[0]:
            best = (count, start, end)
    assert best is not None
    _, start, end = best
    island = text[start:end]
    records = [r.strip() for r in _RECORD.findall(island)]
    joined = "".join(records)
    if re.match(r"\s*<tr\b", joined, re.I):
        joined = f"<table>{joined}</table>"
    rows_html = f'<html><body><div class="datastore">{joined}</div></body></html>'
    after = text[end : end + 20000] if _TOTAL.search(text[end : end + 20000]) else text
    total = _TOTAL.search(island) or _TOTAL.search(after)
    per_page = _PER_PAGE.search(after)
    proxy = _NEXTGROUP.search(island)
    return Datastore(
        rows_html=rows_html,
        records=len(records),
        total=int(total.group(1)) if total else None,
        per_page=int(per_page.group(1)) if per_page else None,
        proxy=html.unescape(proxy.group(2)).strip() if proxy and proxy.group(2).strip() else None,
    )


def is_proxy(url: str) -> bool:
    return urlsplit(url).path.lower().endswith("dataproxy.jsp")


def next_request(
    url: str, store: Datastore, form: dict[str, str] | None
) -> tuple[str, dict[str, str]] | None:
    """The POST for the records after these: (address, form fields), or None at the end."""
    query = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}
    if is_proxy(url):
        try:
            start = int(query.get("startrecord", "1"))
            end = int(query.get("endrecord", str(start + store.records - 1)))
        except ValueError:
            return None
        if store.records == 0:
            return None
        fields = dict(form or {})
        proxy_path = urlsplit(url).path
        per_page = query.get("perpage") or str(store.per_page or store.records)
    else:
        if not store.proxy or store.records == 0:
            return None
        start, end = 1, store.records
        proxy_url = urljoin(url, store.proxy)
        fields = {k: v for k, v in parse_qsl(urlsplit(proxy_url).query, keep_blank_values=True)}
        fields = {k: v.strip("'\"") for k, v in fields.items() if k.lower() not in _RANGE_FIELDS}
        proxy_path = urlsplit(proxy_url).path or _PROXY_PATH
        per_page = str(store.per_page or store.records)
    group = end - start + 1
    if group <= 0 or (store.total is not None and end >= store.total):
        return None
    if store.total is None and store.records < group:
        return None  # a short answer: the last records
    nxt_start, nxt_end = end + 1, end + group
    if store.total is not None:
        nxt_end = min(nxt_end, store.total)
    address = (
        urljoin(url, proxy_path)
        + "?"
        + urlencode({"startrecord": nxt_start, "endrecord": nxt_end, "perpage": per_page})
    )
    return address, fields
