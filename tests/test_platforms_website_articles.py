"""Website columns whose list shows dates: each new item's article page is read for its body
(platforms.website.fetch_articles), the list's date stays the post's date, an unreadable article
page keeps the post with the list's title and date and is asked for again the next night, a
block on it is the account's outcome and the post is read next night; a night with nothing new
costs the one list page."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from core.config import ConfigError, parse_config
from crawler.parsers.html import strip_html
from crawler.spiders.base import ARTICLES_AT_ONCE
from sandbox import platforms
from sandbox.http import Request, Response
from sandbox.server import Sandbox
from storage.db import open_store
from storage.models import Post
from tests.conftest import export_jsonl, last_outcomes, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e

DATED = ("qc-gov-web", "qc-edu-web")  # list and table layouts, dates on the list
HTML = "text/html; charset=utf-8"


def crawl(config: Path) -> None:
    result = run_govwatch(config, "crawl", "--platform", "website")
    assert result.returncode == 0, result.stderr


def website_posts(config: Path) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for p in export_jsonl(config, "posts"):
        out.setdefault(p["account_id"], {})[p["post_id"]] = p
    return out


def body_of(post) -> str:  # noqa: ANN001
    return strip_html(post.text)


def test_dated_columns_store_article_bodies_and_keep_list_dates_through_failures(
    tmp_path: Path, sandbox: Sandbox, database_url: str
):
    world = sandbox.world
    base = sandbox.base_url.rstrip("/")
    gov, edu = world.accounts["qc-gov-web"], world.accounts["qc-edu-web"]
    blocked_post = gov.regular_posts()[1]  # on the first list page: read again next night
    missing_post = edu.regular_posts()[0]
    blocked_path = platforms.post_path(gov, blocked_post)
    missing_path = platforms.post_path(edu, missing_post)
    failing = {"on": True}

    def article_faults(request: Request) -> Response | None:
        if not failing["on"]:
            return None
        if request.path == blocked_path:
            page = "<html><head><title>访问被拒绝</title></head><body><p>访问被拒绝</p></body></html>"
            return Response(403, page.encode(), HTML, account_id=gov.id)
        if request.path == missing_path:
            page = "<html><head><title>404</title></head><body><p>页面不存在</p></body></html>"
            return Response(404, page.encode(), HTML, account_id=edu.id)
        return None

    sandbox.hooks.append(article_faults)
    config = write_sandbox_config(tmp_path, sandbox.base_url, database=database_url)
    crawl(config)

    posts = website_posts(config)
    outcomes = last_outcomes(database_url)
    assert outcomes["qc-gov-web"].outcome == "blocked"  # the block on an article page is said
    assert outcomes["qc-edu-web"].outcome == "ok"
    assert "list title and date kept" in (outcomes["qc-edu-web"].detail or "")
    blocked_url, missing_url = base + blocked_path, base + missing_path
    assert blocked_url not in posts["qc-gov-web"]  # left for the next night, not stored bodiless
    missing = posts["qc-edu-web"][missing_url]
    assert missing["text"] == missing["title"] == missing_post.title  # the list's title ...
    assert missing["published_at"].startswith(
        f"{missing_post.published_at:%Y-%m-%d}T00:00:00"
    )  # ... and date
    by_url = {
        base + platforms.post_path(account, p): p for account in (gov, edu) for p in account.regular_posts()
    }
    bodies = 0
    for account_id in DATED:
        for url, stored in posts[account_id].items():
            real = by_url[url]
            # the list's date (day only) stays: the article page's PubDate has the time
            assert stored["published_at"] == f"{real.published_at:%Y-%m-%d}T00:00:00+08:00", url
            if url != missing_url:
                assert stored["text"] == body_of(real) != stored["title"], url
                bodies += 1
    assert bodies >= 10

    # Next night, nothing failing: the blocked article is read. The column read that was blocked
    # is read again in full (crawler.planning.resume_after_incomplete); the other one costs its list
    # page and the article page that failed (asked for again: crawler.planning.unread_articles), and
    # what the article pages said stays stored (not the list's title).
    failing["on"] = False
    sandbox.reset_counts()
    crawl(config)
    assert sandbox.request_counts()["by_path"][missing_path] == 1
    assert sandbox.request_counts()["by_account"]["qc-edu-web"] == 2
    again = website_posts(config)
    assert again["qc-gov-web"][blocked_url]["text"] == body_of(blocked_post)
    assert again["qc-edu-web"][missing_url]["text"] == body_of(missing_post)  # its body, at last
    assert again["qc-edu-web"][missing_url]["published_at"] == missing["published_at"]
    outcomes = last_outcomes(database_url)
    assert outcomes["qc-gov-web"].outcome == outcomes["qc-edu-web"].outcome == "ok"

    # A night with nothing new: one request per column, nothing stored changes.
    sandbox.reset_counts()
    crawl(config)
    counts = sandbox.request_counts()["by_account"]
    assert (counts["qc-gov-web"], counts["qc-edu-web"]) == (1, 1)
    third = website_posts(config)
    for account_id in DATED:
        for url, stored in again[account_id].items():
            assert third[account_id][url]["text"] == stored["text"], url
            assert third[account_id][url]["deleted"] is False
    assert third["qc-edu-web"][missing_url]["text"] == body_of(missing_post)  # read: not asked for again


def test_fetch_articles_off_stores_the_list_only(tmp_path: Path, sandbox: Sandbox, database_url: str):
    config = write_sandbox_config(tmp_path, sandbox.base_url, database=database_url)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data.setdefault("platforms", {}).setdefault("website", {})["fetch_articles"] = False
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    crawl(config)
    posts = website_posts(config)
    for account_id in DATED:
        assert posts[account_id] and all(p["text"] == p["title"] for p in posts[account_id].values())
    # a column without dates still reads its article pages (for the date), and so their bodies
    assert any(p["text"] != p["title"] for p in posts["qc-wenlv-web"].values())


def test_fetch_articles_is_a_website_option():
    assert parse_config({}).platform("website").fetch_articles is True
    assert (
        parse_config({"platforms": {"website": {"fetch_articles": False}}}).platform("website").fetch_articles
        is False
    )
    with pytest.raises(ConfigError) as info:
        parse_config({"platforms": {"weibo": {"fetch_articles": False}}})
    assert "fetch_articles" in str(info.value) and "website" in str(info.value)


def test_a_wechat_article_page_that_failed_is_read_again_the_next_night(
    tmp_path: Path, sandbox: Sandbox, database_url: str
):
    """The feed's data is kept when an article page fails (and the run says so); the next night
    asks for that page again and stores the article's own text; after that it is known."""
    world = sandbox.world
    fabu = world.accounts["qc-fabu-wechat"]
    listed = [p for p in fabu.regular_posts() if p.link and "/s/" in p.link and p.published_at <= world.now]
    post = max(listed, key=lambda p: p.published_at)
    path = "/s/" + post.link.split("/s/", 1)[1]
    failing = {"on": True}

    def article_fault(request: Request) -> Response | None:
        if failing["on"] and request.path == path:
            page = "<html><head><title>404</title></head><body><p>页面不存在</p></body></html>"
            return Response(404, page.encode(), HTML, account_id=fabu.id)
        return None

    sandbox.hooks.append(article_fault)
    config = write_sandbox_config(tmp_path, sandbox.base_url, database=database_url)

    def night() -> bool:
        """One crawl; whether the post is still stored with the feed's data only (truncated)."""
        sandbox.reset_counts()
        result = run_govwatch(config, "crawl", "--platform", "wechat")
        assert result.returncode == 0, result.stderr
        store = open_store(database_url)
        with store.session() as s:
            [stored] = s.scalars(select(Post).where(Post.account_id == fabu.id, Post.url.endswith(path)))
            body_missing = stored.truncated
        store.dispose()
        return body_missing

    assert night() is True
    assert "feed data kept" in (last_outcomes(database_url)["qc-fabu-wechat"].detail or "")
    failing["on"] = False
    assert night() is False
    assert sandbox.request_counts()["by_path"].get(path) == 1  # asked for again, read this time
    assert night() is False
    assert sandbox.request_counts()["by_path"].get(path) is None  # read: not asked for again


def test_once_a_platform_refuses_an_account_its_other_article_pages_are_not_asked_for(
    tmp_path: Path, sandbox: Sandbox, database_url: str
):
    """Every article page of 青川交警 is WeChat's verification page: its article pages are asked
    for a few at a time, the account is `blocked` at the first answer, the rest are never sent
    (asking a platform that already refuses us deepens the block), and none of its articles is
    stored with the feed's data only: they are left for the next crawl."""
    world = sandbox.world
    traffic = world.accounts["qc-traffic-wechat"]
    pages = {"/s/" + p.link.split("/s/", 1)[1] for p in traffic.feed_items() if p.link and "/s/" in p.link}
    # One read of the account: the back-off would read it again later in the crawl (a
    # verification page is a refusal that may lift; tests/test_access_backoff.py), each read
    # paced the same way.
    config = write_sandbox_config(
        tmp_path, sandbox.base_url, database=database_url, crawl={"backoff": {"enabled": False}}
    )
    result = run_govwatch(config, "crawl", "--platform", "wechat")
    assert result.returncode == 0, result.stderr
    asked = sum(sandbox.request_counts()["by_path"].get(path, 0) for path in pages)
    assert len(pages) >= 10 and 1 <= asked <= ARTICLES_AT_ONCE, (asked, len(pages))  # was: every one
    outcome = last_outcomes(database_url)["qc-traffic-wechat"]
    assert outcome.outcome == "blocked" and outcome.requests == 1 + asked
    assert not [p for p in export_jsonl(config, "posts") if p["account_id"] == traffic.id]
