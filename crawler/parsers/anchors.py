"""The links behind anchors in a post's body: what ``<a href>`` points at, pure.

The text parsers (html.strip_html) keep an anchor's words and drop its address, so a link a
platform shows as 网页链接 or a government article's 附件 anchor is not in the stored text. These
functions collect those addresses, for the weekly link check (crawler/links.py):

* resolved against the page's address, http(s) only, spelled by core.links.normalise_url;
* Weibo's redirect wrapper unwrapped (``https://weibo.cn/sinaurl?u=http%3A%2F%2Ft.cn%2F...`` is
  the ``u`` it carries);
* the platform's own navigation left out: for Weibo every link into m.weibo.cn, weibo.cn or weibo.com that
  is not a wrapper (``/n/名字`` mentions, ``#话题#`` searches, ``/status/`` 全文 links), whatever
  its class (a topic is a ``surl-text`` anchor too, in the 2019 capture);
* ``javascript:``, ``mailto:`` and in-page ``#`` anchors left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree

from core.links import host_of, normalise_url

# Weibo's own hosts: an anchor into them is the platform's navigation, not a link a post gives.
WEIBO_INTERNAL_HOSTS = ("m.weibo.cn", "weibo.cn", "s.weibo.com", "weibo.com", "www.weibo.com")
_WRAPPER_HOSTS = ("weibo.cn", "m.weibo.cn", "weibo.com", "sinaurl.cn")


def unwrap(url: str) -> str:
    """The address a platform's redirect wrapper carries (``…/sinaurl?u=<quoted url>``), else ``url``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if host in _WRAPPER_HOSTS and parts.path.rstrip("/").endswith("sinaurl"):
        target = (parse_qs(parts.query).get("u") or parse_qs(parts.query).get("toasturl") or [""])[0]
        if target.lower().startswith(("http://", "https://")):
            return target
    return url


def element_links(
    root: etree._Element, base_url: str, internal_hosts: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The distinct links of the anchors under ``root`` (itself included), in document order."""
    return _links((a.get("href") or "" for a in root.iter("a")), base_url, internal_hosts)


# An anchor's href in a fragment, quoted either way or bare. A fragment (a Weibo text, a feed
# item) is read by this pattern, not parsed: a post's few anchors cost a regex, not a document.
_HREF = re.compile(r"""<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)


def html_links(html: str | None, base_url: str, internal_hosts: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The links of the anchors in an HTML fragment (a post's text, a feed item's body)."""
    if not html or ("<a" not in html and "<A" not in html):
        return ()
    hrefs = (unescape(next(g for g in m.groups() if g is not None)) for m in _HREF.finditer(html))
    return _links(hrefs, base_url, internal_hosts)


def _links(hrefs: Iterable[str], base_url: str, internal_hosts: tuple[str, ...]) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for raw in hrefs:
        href = raw.strip()
        if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:", "tel:")):
            continue
        try:
            absolute = urljoin(base_url or "", href)
        except ValueError:
            continue
        wrapped = unwrap(absolute)
        if wrapped == absolute and internal_hosts and host_of(absolute) in internal_hosts:
            continue  # the platform's own navigation
        link = normalise_url(wrapped)
        if link:
            found.setdefault(link, None)
    return tuple(found)


def weibo_links(html: str | None, base_url: str = "https://m.weibo.cn/") -> tuple[str, ...]:
    """The links a Weibo post's ``text`` HTML gives (网页链接 / short links), its navigation left out."""
    return html_links(html, base_url, WEIBO_INTERNAL_HOSTS)
