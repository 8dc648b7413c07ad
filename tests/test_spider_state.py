"""The spiders' decisions, taken directly (no reactor, no server): which listed posts are kept
and where paging stops (keep_post), when an account's chain of requests settles into its one
outcome, and how an account's article pages are paced. Inputs are small hand-made listings."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from core.items import BLOCKED, ERROR, OK, PARSE_ERROR, OutcomeItem, PageProblem, PostBatch, PostItem
from crawler.planning import CrawlJob
from crawler.spiders.base import ARTICLES_AT_ONCE, UNDATED_SEARCH_PAGES, AccountRun, AccountSpider
from crawler.spiders.feed import FeedSpider
from crawler.spiders.weibo import WeiboSpider

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=TZ)
UID = "7712000101"
BASE = "http://weibo.test"
OPTIONS = {
    "timezone": "Asia/Shanghai",
    "backfill_days": 90,
    "platforms": {"weibo": {"base_url": BASE, "delay_s": 0}},
    "backoff": {"enabled": False},  # a refusal is recorded at once: no second attempt to schedule
    "comments": {"enabled": False},
}


def spider_of(cls: type[AccountSpider], **options) -> AccountSpider:
    crawler = get_crawler(cls, {"GOVWATCH_OPTIONS": {**OPTIONS, **options}})
    return cls.from_crawler(crawler)


def job(
    known: dict[str, datetime] | None = None, undated: set[str] | None = None, platform: str = "weibo"
) -> CrawlJob:
    """An account with these stored posts (id → date): the newest of them is where history begins."""
    known = known or {}
    return CrawlJob(
        account_id="acct",
        platform=platform,
        handle=UID if platform == "weibo" else None,
        url=f"https://m.weibo.cn/u/{UID}" if platform == "weibo" else "http://feeds.test/acct",
        feed_url=None if platform == "weibo" else "http://feeds.test/acct",
        kind="account",
        known_ids=frozenset(known),
        newest_at=max(known.values(), default=None),
        needs_profile=False,
        undated_ids=frozenset(undated or ()),
    )


def post(post_id: str, days_old: float | None, pinned: bool = False) -> PostItem:
    published = None if days_old is None else NOW - timedelta(days=days_old)
    return PostItem("acct", post_id, f"https://m.weibo.cn/status/{post_id}", published, is_pinned=pinned)


def decisions(spider: AccountSpider, run: AccountRun, posts: list[PostItem]) -> list[tuple[str, bool, bool]]:
    return [(p.post_id, *spider.keep_post(run, p, NOW)) for p in posts]


def new_run(crawl_job: CrawlJob) -> AccountRun:
    return AccountRun(job=crawl_job, started_at=NOW)


# --- keep_post: what is stored, where paging stops ---


def test_an_incremental_listing_stops_at_the_first_stored_post():
    spider = spider_of(WeiboSpider)
    run = new_run(job({"p3": NOW - timedelta(days=3), "p2": NOW - timedelta(days=5)}))
    got = decisions(spider, run, [post("p5", 1), post("p4", 2), post("p3", 3)])
    assert got == [("p5", True, False), ("p4", True, False), ("p3", True, True)]
    assert run.seen_ids == ["p5", "p4", "p3"]
    assert run.newest_seen == NOW - timedelta(days=1)
    assert run.oldest_seen == NOW - timedelta(days=3)


def test_a_post_older_than_the_newest_stored_one_stops_paging_even_when_unknown():
    """The stored newest post was deleted meanwhile: the next older one is where history begins."""
    spider = spider_of(WeiboSpider)
    run = new_run(job({"gone": NOW - timedelta(days=2)}))
    assert decisions(spider, run, [post("p9", 1), post("p1", 4)]) == [("p9", True, False), ("p1", True, True)]


def test_pinned_posts_are_stored_but_never_stop_paging_nor_count_as_the_newest():
    spider = spider_of(WeiboSpider)
    run = new_run(job({"p3": NOW - timedelta(days=3)}))
    old_pin, known_pin = post("pin-old", 700, pinned=True), post("p3", 3, pinned=True)
    got = decisions(spider, run, [old_pin, known_pin, post("p4", 1)])
    # Neither a two-year-old pin (beyond the window) nor a pin of a stored post ends the listing.
    assert got == [("pin-old", True, False), ("p3", True, False), ("p4", True, False)]
    assert run.seen_ids == ["p4"]  # deletion inference looks at the listing's own posts only
    assert run.newest_seen == NOW - timedelta(days=1)
    assert run.oldest_seen == NOW - timedelta(days=1)
    assert run.posts_seen == 3


def test_a_first_crawl_reads_the_window_and_keeps_one_older_post_for_a_zombie():
    spider = spider_of(WeiboSpider)
    active = new_run(job())
    got = decisions(spider, active, [post("a2", 10), post("a1", 89), post("old", 120)])
    # Past the 90-day window: not stored, and paging stops there.
    assert got == [("a2", True, False), ("a1", True, False), ("old", False, True)]

    zombie = new_run(job())
    got = decisions(spider, zombie, [post("z2", 120), post("z1", 200)])
    # The newest post of a zombie is kept, so its last post date is known; nothing older.
    assert got == [("z2", True, True), ("z1", False, True)]


def test_a_post_without_a_date_is_stored_and_does_not_stop_paging():
    spider = spider_of(WeiboSpider)
    run = new_run(job({"p3": NOW - timedelta(days=3)}))
    assert decisions(spider, run, [post("nodate", None)]) == [("nodate", True, False)]
    assert run.newest_seen is None


def test_stored_undated_posts_are_searched_a_few_pages_past_the_window():
    spider = spider_of(WeiboSpider)
    run = new_run(job(undated={"u1", "u2"}))
    run.pages = 4
    assert decisions(spider, run, [post("a1", 30), post("old", 100)]) == [
        ("a1", True, False),
        ("old", False, False),
    ]
    run.pages = 4 + UNDATED_SEARCH_PAGES - 1
    # The listing shows a stored undated post again: it is stored with the date it now has.
    assert decisions(spider, run, [post("u1", 150)]) == [("u1", True, False)]
    run.pages = 4 + UNDATED_SEARCH_PAGES
    assert decisions(spider, run, [post("older", 160)]) == [("older", False, True)]  # u2 given up


# --- settling: one outcome per account, when its last request is done ---


def answer(request: Request, body: bytes | str, status: int = 200, content_type: str = "application/json"):
    """The response to ``request``, handed to its callback as Scrapy would; returns what it yields."""
    body = body.encode("utf-8") if isinstance(body, str) else body
    response = TextResponse(
        request.url, status=status, body=body, headers={"Content-Type": content_type}, request=request
    )
    return list(request.callback(response))


def weibo_page(posts: list[dict], since_id: str | None = None) -> str:
    info = {"since_id": int(since_id)} if since_id else {}
    cards = [{"card_type": 9, "mblog": mblog} for mblog in posts]
    return json.dumps({"ok": 1, "data": {"cardlistInfo": info, "cards": cards}})


def mblog(post_id: str, days_old: float, *, pinned: bool = False, long: bool = False) -> dict:
    created = datetime.now(TZ) - timedelta(days=days_old)
    return {
        "id": post_id,
        "created_at": created.strftime("%a %b %d %H:%M:%S %z %Y"),
        "text": f"第{post_id}条" + (' ...<a href="/status/x">全文</a>' if long else ""),
        "isLongText": long,
        "mblogtype": 2 if pinned else 0,
        "user": {"id": int(UID)},
    }


def only(items: list, kind: type) -> list:
    return [item for item in items if isinstance(item, kind)]


def first_page_request(spider: WeiboSpider, run: AccountRun) -> Request:
    [request] = list(spider.first_requests(run))
    return request


def test_a_weibo_listing_settles_ok_and_complete_at_the_first_stored_post():
    spider = spider_of(WeiboSpider)
    stored = datetime.now(TZ) - timedelta(days=3)
    run = new_run(job({"103": stored}))
    page = weibo_page(
        [mblog("900", 700, pinned=True), mblog("105", 1), mblog("104", 2), mblog("103", 3)], "102"
    )
    out = answer(first_page_request(spider, run), page)
    [batch] = only(out, PostBatch)
    assert [p.post_id for p in batch.posts] == ["900", "105", "104", "103"]
    assert not only(out, Request)  # no second page: stored history begins at 103
    [outcome] = only(out, OutcomeItem)
    assert (outcome.outcome, outcome.complete, outcome.pages) == (OK, True, 1)
    assert outcome.seen_ids == ["105", "104", "103"]


def test_a_pinned_post_on_top_does_not_end_a_first_crawl_the_next_page_is_asked_for():
    spider = spider_of(WeiboSpider)
    run = new_run(job())
    out = answer(
        first_page_request(spider, run), weibo_page([mblog("900", 700, pinned=True), mblog("105", 1)], "104")
    )
    [next_page] = only(out, Request)
    assert "since_id=104" in next_page.url
    assert not only(out, OutcomeItem)  # the chain goes on: nothing settled yet
    out = answer(next_page, weibo_page([mblog("104", 2)]))  # the last page: no cursor
    [outcome] = only(out, OutcomeItem)
    assert (outcome.outcome, outcome.complete, outcome.pages) == (OK, True, 2)


def test_the_outcome_waits_for_the_last_pending_request_and_comes_once():
    spider = spider_of(WeiboSpider)
    run = new_run(job())
    out = answer(first_page_request(spider, run), weibo_page([mblog("105", 1, long=True), mblog("104", 2)]))
    [long_text] = only(out, Request)
    assert "/statuses/extend" in long_text.url
    assert not only(out, OutcomeItem)
    assert run.pending == 1
    out = answer(long_text, json.dumps({"ok": 1, "data": {"longTextContent": "全文：" + "长" * 200}}))
    [full] = only(out, PostItem)
    assert full.text.startswith("全文：") and not full.truncated
    [outcome] = only(out, OutcomeItem)
    assert outcome.outcome == OK
    assert list(spider.settle(run)) == []  # a late settle emits nothing twice


def test_a_callback_that_raises_settles_as_the_accounts_outcome():
    spider = spider_of(WeiboSpider)
    out = answer(
        first_page_request(spider, new_run(job())), "<html>系统繁忙</html>", content_type="text/html"
    )
    [outcome] = only(out, OutcomeItem)
    assert outcome.outcome != OK and outcome.http_status == 200
    assert not only(out, PostBatch)

    broken = answer(first_page_request(spider, new_run(job())), json.dumps({"ok": 1, "data": {"cards": "?"}}))
    [outcome] = only(broken, OutcomeItem)
    assert outcome.outcome == PARSE_ERROR


def test_a_refused_first_request_takes_the_second_road_and_both_refused_settles_blocked():
    spider = spider_of(WeiboSpider)
    run = new_run(job())
    out = answer(first_page_request(spider, run), b"", status=418, content_type="text/html")
    [pc_request] = only(out, Request)
    assert "/ajax/" in pc_request.url  # weibo.com's web API, the second road
    assert not only(out, OutcomeItem)
    out = answer(pc_request, b"", status=418, content_type="text/html")
    [outcome] = only(out, OutcomeItem)  # no back-off room (disabled here): recorded at once
    assert (outcome.outcome, outcome.http_status) == (BLOCKED, 418)


def test_a_network_failure_settles_as_error_with_no_answer():
    spider = spider_of(WeiboSpider)
    request = first_page_request(spider, new_run(job()))
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = request
    [outcome] = list(request.errback(failure))
    assert outcome.outcome == ERROR and outcome.connection_failed


def test_a_feed_keeps_its_new_items_newest_first_and_settles_complete():
    spider = spider_of(FeedSpider)
    stored = NOW - timedelta(days=3)
    run = new_run(job({"http://feeds.test/i/3": stored}, platform="wechat"))
    [request] = list(spider.first_requests(run))
    fresh = datetime.now(TZ)

    def item(n: int, days_old: float) -> str:
        date = (fresh - timedelta(days=days_old)).strftime("%a, %d %b %Y %H:%M:%S %z")
        return f"<item><title>第{n}条</title><link>http://feeds.test/i/{n}</link><guid>http://feeds.test/i/{n}</guid><pubDate>{date}</pubDate></item>"

    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{item(3, 3)}{item(5, 1)}{item(4, 2)}</channel></rss>'
    out = answer(request, rss, content_type="application/rss+xml")
    [batch] = only(out, PostBatch)
    assert [p.title for p in batch.posts] == ["第5条", "第4条", "第3条"]
    [outcome] = only(out, OutcomeItem)
    assert (outcome.outcome, outcome.complete, outcome.pages) == (OK, True, 1)


# --- article pacing: an account's article pages, a few at a time ---


def queue_articles(spider: AccountSpider, run: AccountRun, count: int) -> list[Request]:
    asked: list[Request] = []
    for n in range(count):
        listed = PostItem("acct", f"a{n}", f"http://site.test/a{n}.html", NOW - timedelta(days=1))
        asked += list(spider.article_request(run, listed, spider.chain_failed, {}))
    return asked


@pytest.mark.parametrize("count", [1, ARTICLES_AT_ONCE + 3])
def test_article_pages_are_asked_for_a_few_at_a_time_in_listing_order(count: int):
    spider = spider_of(WeiboSpider)
    run = new_run(job())
    asked = queue_articles(spider, run, count)
    assert [r.url for r in asked] == [
        f"http://site.test/a{n}.html" for n in range(min(count, ARTICLES_AT_ONCE))
    ]
    assert len(run.articles) == max(0, count - ARTICLES_AT_ONCE)
    following = list(spider.article_answered(run))  # one answered: the next one, no more
    expected = [f"http://site.test/a{ARTICLES_AT_ONCE}.html"] if count > ARTICLES_AT_ONCE else []
    assert [r.url for r in following] == expected
    assert all(r.meta["listed"].url == r.url for r in asked + following)  # each page knows its post


def test_once_the_platform_refuses_the_account_no_further_article_page_is_asked_for():
    spider = spider_of(WeiboSpider)
    run = new_run(job())
    asked = queue_articles(spider, run, ARTICLES_AT_ONCE + 3)
    run.problem = PageProblem(BLOCKED, "环境异常")
    assert list(spider.article_answered(run)) == []
    assert not run.articles  # left for the next crawl, once the block is gone

    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = asked[1]
    out = list(spider.article_failed(failure))
    assert not only(out, PostItem)  # the refused account's post is not stored from the listing
