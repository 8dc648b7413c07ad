"""RSS 2.0 / Atom feeds from feed bridges (RSSHub, we-mp-rss, Wechat2RSS...).

One parser for every platform read through a bridge; `platform` only steers
the media kind (its declared ``media``, core/platforms.py). A bridge's error page, a captcha or a non-feed raises
PageProblem; a valid feed without items is an empty account, not an error.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from core.items import PARSE_ERROR, PageProblem, PostItem
from core.platforms import declared
from crawler.parsers import feedxml
from crawler.parsers.anchors import WEIBO_INTERNAL_HOSTS, html_links
from crawler.parsers.blocks import check_response
from crawler.parsers.dates import parse_feed_time
from crawler.parsers.html import strip_html

_REPOST_PREFIXES = ("转发", "//@", "RT ", "RT:", "rt ")
_BLOCKQUOTE = re.compile(r"<blockquote\b[^>]*>(.*?)</blockquote>", re.I | re.S)
_QUOTED_AUTHOR = re.compile(r"<a\b[^>]*>\s*@([^<]+?)\s*</a>", re.I)
_EMOTICON = re.compile(r"<span[^>]*class=[\"']?url-icon[\"']?[^>]*>.*?</span>", re.I | re.S)
_IMG = re.compile(r"<img\b", re.I)
_DELETED_ORIGINAL = ("原微博不可访问", "原微博已删除", "该微博已被删除", "抱歉，此微博已被作者删除")


@dataclass(slots=True)
class FeedResult:
    title: str | None
    link: str | None
    posts: list[PostItem] = field(default_factory=list)


def parse_feed(
    account_id: str, url: str, body: bytes | str, platform: str = "rss", *, fast: bool = True
) -> FeedResult:
    """Posts of one feed document fetched from `url`.

    Plain RSS 2.0 and Atom documents are read by crawler.parsers.feedxml (lxml, the values
    feedparser would give); every other document, and every one with ``fast=False``, by
    feedparser itself.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
    check_response(200, url, raw, expect="feed")
    parsed = (feedxml.read(raw, url) if fast else None) or feedparser.parse(
        raw, response_headers={"content-location": url}
    )
    channel = parsed.get("feed", {})
    title = _clean(channel.get("title"))
    posts = _posts(account_id, parsed.get("entries") or [], platform)
    if parsed.get("bozo") and _cut_short(raw):
        problem = parsed.get("bozo_exception")
        raise PageProblem(
            PARSE_ERROR, f"feed cut short (no closing tag): {type(problem).__name__}: {problem}"
        )
    if not posts and not title:
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            raise PageProblem(PARSE_ERROR, f"not a readable feed: {type(problem).__name__}: {problem}")
        if not parsed.get("version"):
            raise PageProblem(PARSE_ERROR, "no RSS or Atom feed in the response")
    return FeedResult(title=title, link=_clean(channel.get("link")), posts=posts)


_CLOSING = re.compile(rb"</(rss|feed|rdf:RDF)>\s*$", re.I)


def _cut_short(raw: bytes) -> bool:
    """A malformed document that does not end with its root's closing tag: truncated,
    so its items are only part of the feed (a complete but sloppy feed is still read)."""
    return _CLOSING.search(raw[-200:]) is None


def _posts(account_id: str, entries: list[Any], platform: str) -> list[PostItem]:
    posts: list[PostItem] = []
    seen: set[str] = set()
    for entry in entries:
        post = parse_entry(account_id, entry, platform)
        if post is None or post.post_id in seen:
            continue
        seen.add(post.post_id)
        posts.append(post)
    return posts


def parse_entry(account_id: str, entry: Any, platform: str = "rss") -> PostItem | None:
    """One feedparser entry as a PostItem; None for an entry with nothing in it."""
    html = _body_html(entry)
    title = _entry_title(entry)
    published_at = _published(entry)
    link = _clean(entry.get("link"))
    quote = _BLOCKQUOTE.search(html)
    own_html = _BLOCKQUOTE.sub("", html) if quote and _is_repost_quote(quote.group(1)) else html
    text = strip_html(own_html)
    links = html_links(own_html, link or "", WEIBO_INTERNAL_HOSTS if platform == "weibo" else ())
    post_id = _clean(entry.get("id")) or link or _fingerprint(title, published_at, text)
    if post_id is None:
        return None
    repost_of = _repost_of(quote.group(1)) if quote and _is_repost_quote(quote.group(1)) else None
    is_original = repost_of is None and not _starts_like_repost(title, text)
    return PostItem(
        account_id=account_id,
        post_id=post_id,
        url=link,
        published_at=published_at,
        text=text,
        title=title,
        is_original=is_original,
        media=_media_kind(entry, html, platform),
        repost_of=repost_of,
        source=_clean(entry.get("author")),
        links=links,
    )


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _body_html(entry: Any) -> str:
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if isinstance(value, str) and value.strip():
            return value
    summary = entry.get("summary")
    return summary if isinstance(summary, str) else ""


def _entry_title(entry: Any) -> str | None:
    title = entry.get("title")
    if not isinstance(title, str):
        return None
    detail = entry.get("title_detail") or {}
    if "html" in str(detail.get("type", "")):
        title = strip_html(title)
    return _clean(" ".join(title.split()))


def _published(entry: Any) -> datetime | None:
    # The entry's own keys only: feedparser answers a missing `updated` with `published` (and
    # a DeprecationWarning per entry); the order below already says which date comes first.
    own = {key: dict.get(entry, key) for key in DATE_KEYS}
    for key in ("published", "updated", "created"):
        parsed = parse_feed_time(own[key])
        if parsed is not None:
            return parsed
    # feedparser's *_parsed structs are used only when the entry has no date text of
    # its own: feedparser rolls impossible dates over ("2026-02-30" becomes March 2nd),
    # which would invent a date.
    if any(isinstance(own[key], str) and own[key].strip() for key in ("published", "updated", "created")):
        return None
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        struct = own[key]
        if isinstance(struct, time.struct_time):
            try:
                return datetime(*struct[:6], tzinfo=UTC)  # feedparser normalises to UTC
            except (ValueError, OverflowError):
                continue
    return None


DATE_KEYS = ("published", "updated", "created", "published_parsed", "updated_parsed", "created_parsed")


def _fingerprint(title: str | None, published_at: datetime | None, text: str) -> str | None:
    if not (title or published_at or text):
        return None
    stamp = published_at.isoformat() if published_at else ""
    seed = f"{title or ''}\n{stamp}\n{'' if title or published_at else text}"
    return "sha1:" + hashlib.sha1(seed.encode("utf-8")).hexdigest()


def _is_repost_quote(quote_html: str) -> bool:
    return "转发" in quote_html or any(marker in quote_html for marker in _DELETED_ORIGINAL)


def _repost_of(quote_html: str) -> str:
    if any(marker in quote_html for marker in _DELETED_ORIGINAL):
        return "deleted"
    author = _QUOTED_AUTHOR.search(quote_html)
    return f"@{author.group(1)}" if author else "unknown"


def _starts_like_repost(title: str | None, text: str) -> bool:
    return any((value or "").startswith(_REPOST_PREFIXES) for value in (title, text))


def _media_kind(entry: Any, html: str, platform: str) -> str:
    kinds = [
        str(enc.get("type", "")).lower() for enc in entry.get("enclosures") or [] if isinstance(enc, dict)
    ]
    if any(kind.startswith("video/") for kind in kinds):
        return "video"
    if any(kind.startswith("audio/") for kind in kinds):
        return "audio"
    declaration = declared((platform or "").lower())
    if declaration and declaration.media:
        return declaration.media
    if _IMG.search(_EMOTICON.sub("", html)) or any(kind.startswith("image/") for kind in kinds):
        return "image"
    return "text"
