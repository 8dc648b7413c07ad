"""Storage on SQLite and PostgreSQL: migrations, idempotent upserts, edits, outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, inspect, select, update

from core.items import DELETED_ORIGINAL, OutcomeItem, PostItem, ProfileItem
from crawler import planning
from storage import repo
from storage.db import open_store
from storage.models import Account, AccountSnapshot, CrawlOutcome, Post

ACCOUNTS = [
    {
        "id": "a-weibo",
        "unit": "旗政府办公室",
        "platform": "weibo",
        "name": "发布",
        "handle": "1",
        "kind": "publish",
    },
    {"id": "b-wechat", "unit": "旗教育局", "platform": "wechat", "name": "教育", "feed_url": "http://x/f"},
]


def post(account: str, pid: str, text: str, days_ago: float, **kw) -> PostItem:
    return PostItem(
        account_id=account,
        post_id=pid,
        url=f"https://example/{pid}",
        published_at=datetime.now(UTC) - timedelta(days=days_ago),
        text=text,
        **kw,
    )


def test_migrations_apply_and_reapply(store_url):
    store = open_store(store_url)
    open_store(store_url)  # second start: nothing to do, no error
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "units",
        "accounts",
        "account_snapshots",
        "posts",
        "crawl_runs",
        "crawl_outcomes",
        "findings",
    } <= tables
    assert "alembic_version" in tables
    assert "repost_text" in {c["name"] for c in inspect(store.engine).get_columns("posts")}
    assert "unit_field" in {c["name"] for c in inspect(store.engine).get_columns("accounts")}


def test_sqlite_store_uses_wal_and_a_busy_timeout(tmp_path):
    """SQLite only (WAL and busy_timeout are SQLite pragmas; PostgreSQL has neither): always a
    SQLite file, whatever GOVWATCH_TEST_DATABASE says, so it runs in the SQLite pass only."""
    store = open_store(f"sqlite:///{tmp_path / 'wal.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    store.dispose()


def test_upserts_never_duplicate_and_count_new_posts(store):
    with store.session() as s:
        result = repo.sync_accounts(s, ACCOUNTS)
        assert sorted(result.added) == ["a-weibo", "b-wechat"]
    batch = [
        post("a-weibo", "1", "一", 1),
        post("a-weibo", "2", "二", 2),
        post("b-wechat", "1", "同号不同帐号", 1),
    ]
    with store.session() as s:
        assert repo.upsert_posts(s, batch) == {"a-weibo": 2, "b-wechat": 1}
    with store.session() as s:
        assert repo.upsert_posts(s, batch) == {}  # the same crawl again stores nothing
        assert s.scalar(select(func.count()).select_from(Post)) == 3
    # An edit changes the text and asks for a new content check; a truncated listing
    # text never overwrites the long text stored before.
    with store.session() as s:
        long_text = "全文" * 100
        repo.upsert_posts(s, [post("a-weibo", "1", long_text, 1)])
        repo.upsert_posts(s, [post("a-weibo", "1", long_text[:50] + "...全文", 1, truncated=True)])
        stored = s.scalar(select(Post).where(Post.platform_post_id == "1", Post.account_id == "a-weibo"))
        assert stored.text == long_text and stored.checked_hash is None


def test_a_reposts_original_is_stored_and_its_change_asks_for_a_new_check(store):
    gossip = "某顶流男星与当红女星恋情曝光"
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        repo.upsert_posts(
            s,
            [
                post(
                    "a-weibo", "r1", "转发微博", 1, is_original=False, repost_of="@娱乐:7", repost_text=gossip
                ),
                post("a-weibo", "o1", "原创", 1),
            ],
        )
    with store.session() as s:
        stored = s.scalar(select(Post).where(Post.platform_post_id == "r1"))
        assert (stored.text, stored.repost_text, stored.repost_of) == ("转发微博", gossip, "@娱乐:7")
        first_hash = stored.content_hash
        original = s.scalar(select(Post).where(Post.platform_post_id == "o1"))
        # a post that is not a repost hashes as before the column existed: no re-check on upgrade
        assert original.repost_text is None and original.content_hash == repo.content_hash(None, "原创")
        s.execute(Post.__table__.update().values(checked_hash=Post.content_hash))
    # seen again unchanged: nothing to check again
    same = post("a-weibo", "r1", "转发微博", 1, is_original=False, repost_of="@娱乐:7", repost_text=gossip)
    with store.session() as s:
        repo.upsert_posts(s, [same])
        stored = s.scalar(select(Post).where(Post.platform_post_id == "r1"))
        assert stored.content_hash == first_hash == stored.checked_hash
    # the original is deleted since: the reposted words are gone, the post is checked again
    gone = post(
        "a-weibo", "r1", "转发微博", 1, is_original=False, repost_of="deleted", repost_text=DELETED_ORIGINAL
    )
    with store.session() as s:
        repo.upsert_posts(s, [gone])
        stored = s.scalar(select(Post).where(Post.platform_post_id == "r1"))
        assert stored.repost_text == DELETED_ORIGINAL and stored.text == "转发微博"
        assert stored.content_hash != first_hash and stored.checked_hash == first_hash


def test_a_relisting_without_text_keeps_the_stored_text(store):
    """What crawler/spiders/website.py relies on: a known article seen again on its column's
    list comes with its title only (text "", truncated); the body its article page gave stays,
    while its date and its being seen (not deleted) are refreshed."""
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        repo.upsert_posts(s, [post("a-weibo", "w1", "正文第一段。正文第二段。", 3, title="标题")])
        s.execute(Post.__table__.update().values(deleted_at=datetime.now(UTC)))
    relisted = post("a-weibo", "w1", "", 2, title="标题", truncated=True)
    with store.session() as s:
        repo.upsert_posts(s, [relisted])
        stored = s.scalar(select(Post).where(Post.platform_post_id == "w1"))
        assert (stored.text, stored.title, stored.truncated) == ("正文第一段。正文第二段。", "标题", False)
        assert stored.deleted_at is None and stored.published_at == relisted.published_at
        assert stored.content_hash == repo.content_hash("标题", "正文第一段。正文第二段。")


def test_posts_seen_again_in_one_batch_with_new_and_edited_ones(store):
    """One batch mixing new, seen-again and edited posts: a seen post takes the listing's counts
    and pin, is no longer deleted, keeps its stored date when the listing shows none and takes
    the listing's date otherwise; only the edited one gets new text and loses its check."""
    first = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        repo.upsert_posts(
            s,
            [
                PostItem("a-weibo", "seen", None, first, text="旧", likes=1),
                PostItem("a-weibo", "undated", None, first, text="无日期"),
                PostItem("a-weibo", "edited", None, first, text="原文", title="标题"),
            ],
        )
        for row in s.scalars(select(Post)):
            row.checked_hash = row.content_hash
            row.deleted_at = first
            row.last_seen_at = first
    moved = datetime.fromisoformat("2026-11-21T10:00:00+08:00")
    batch = [
        PostItem("a-weibo", "seen", None, moved, text="旧", likes=5, comments=2, shares=1, is_pinned=True),
        PostItem("a-weibo", "undated", None, None, text="无日期", likes=3),
        PostItem("a-weibo", "edited", None, first, text="改过", title="新标题"),
        PostItem("a-weibo", "new", None, first, text="新"),
    ]
    with store.session() as s:
        assert repo.upsert_posts(s, batch) == {"a-weibo": 1}
    with store.session() as s:
        rows = {row.platform_post_id: row for row in s.scalars(select(Post))}
        seen, undated, edited = rows["seen"], rows["undated"], rows["edited"]
        assert (seen.likes, seen.comments, seen.shares, seen.is_pinned) == (5, 2, 1, True)
        assert seen.published_at == moved and seen.published_at.utcoffset() == timedelta(0)
        assert seen.checked_hash == seen.content_hash and seen.text == "旧"
        assert undated.published_at == first and undated.likes == 3
        assert (edited.text, edited.title) == ("改过", "新标题")
        assert edited.content_hash == repo.content_hash("新标题", "改过") != edited.checked_hash
        assert all(row.deleted_at is None and row.last_seen_at > first for row in rows.values())
        assert rows["new"].first_seen_at == rows["new"].last_seen_at


def test_times_round_trip_as_aware_utc(store):
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        shanghai = datetime.fromisoformat("2026-11-20T09:30:00+08:00")
        repo.upsert_posts(s, [PostItem("a-weibo", "9", None, shanghai, text="t")])
    with store.session() as s:
        got = s.scalar(select(Post.published_at).where(Post.platform_post_id == "9"))
        assert got == shanghai and got.tzinfo is not None and got.utcoffset() == timedelta(0)


def test_resync_changes_only_what_changed(store):
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
    changed = [dict(ACCOUNTS[0], name="奈曼发布"), ACCOUNTS[1]]
    with store.session() as s:
        result = repo.sync_accounts(s, changed)
        assert result.updated == ["a-weibo"] and result.unchanged == 1 and not result.added
        assert s.get(Account, "a-weibo").name == "奈曼发布"


def test_every_account_of_a_run_gets_an_outcome(store):
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        run_id = repo.start_run(s, "test", 2)
        repo.record_outcome(
            s, run_id, OutcomeItem("a-weibo", "blocked", "HTTP 418", 418), new_posts=0, requests=1
        )
        missing = repo.mark_missing_outcomes(s, run_id, ["a-weibo", "b-wechat"], "crawl ended early")
        run = repo.finish_run(s, run_id)
        assert missing == ["b-wechat"]
        assert (run.accounts_ok, run.accounts_failed, run.state) == (0, 2, "finished")
        outcomes = dict(s.execute(select(CrawlOutcome.account_id, CrawlOutcome.outcome)).all())
        assert outcomes == {"a-weibo": "blocked", "b-wechat": "error"}
        assert s.get(Account, "a-weibo").last_ok_at is None


def test_outcomes_recorded_in_a_batch_as_one_by_one(store):
    """record_outcomes (the pipeline's batch) stores what record_outcome stores item by item,
    and a rerun of the run (a Scrapyd retry) still lets the last word count."""
    finished = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    items = [
        (OutcomeItem("a-weibo", "ok", "", pages=3, posts_seen=30, complete=True, finished_at=finished), 5, 7),
        (OutcomeItem("b-wechat", "blocked", "环境异常", 200, url="http://x/f", finished_at=finished), 0, 1),
    ]

    def stored(session) -> tuple:  # noqa: ANN001
        outcomes = session.execute(
            select(
                CrawlOutcome.account_id,
                CrawlOutcome.outcome,
                CrawlOutcome.detail,
                CrawlOutcome.http_status,
                CrawlOutcome.url,
                CrawlOutcome.pages,
                CrawlOutcome.requests,
                CrawlOutcome.posts_seen,
                CrawlOutcome.new_posts,
                CrawlOutcome.complete,
                CrawlOutcome.finished_at,
            ).order_by(CrawlOutcome.account_id)
        ).all()
        accounts = session.execute(
            select(
                Account.id,
                Account.last_crawl_outcome,
                Account.last_crawl_detail,
                Account.last_crawled_at,
                Account.last_ok_at,
            ).order_by(Account.id)
        ).all()
        return [tuple(row) for row in outcomes], [tuple(row) for row in accounts]

    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        one_by_one = repo.start_run(s, "test", 2)
        for item, new_posts, requests in items:
            repo.record_outcome(s, one_by_one, item, new_posts=new_posts, requests=requests)
        expected = stored(s)
        s.execute(CrawlOutcome.__table__.delete())
        s.execute(
            Account.__table__.update().values(last_crawl_outcome=None, last_crawled_at=None, last_ok_at=None)
        )
        batch = repo.start_run(s, "test", 2)
        repo.record_outcomes(s, batch, items)
        assert stored(s) == expected
        assert expected[1][0][1:] == ("ok", None, finished, finished)
        retry = [(OutcomeItem("a-weibo", "error", "timeout", finished_at=finished), 0, 2)]
        repo.record_outcomes(s, batch, retry)
        assert s.scalar(select(func.count()).select_from(CrawlOutcome)) == 2
        assert s.get(Account, "a-weibo").last_crawl_outcome == "error"
        assert s.get(Account, "a-weibo").last_ok_at == finished


def test_snapshots_only_when_changed_and_jobs_know_their_posts(store):
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        profile = ProfileItem("a-weibo", name="发布", description="d", followers=10, post_count=3)
        assert repo.add_snapshots(s, [profile]) == 1
    with store.session() as s:
        assert repo.add_snapshots(s, [profile]) == 0
        assert repo.add_snapshots(s, [ProfileItem("a-weibo", name="改名了", post_count=3)]) == 1
        repo.upsert_posts(
            s, [post("a-weibo", "p", "置顶", 700, is_pinned=True), post("a-weibo", "n", "新", 1)]
        )
    with store.session() as s:
        jobs = {j.account_id: j for j in planning.crawl_jobs(s)}
        job = jobs["a-weibo"]
        assert job.known_ids == {"n"}  # pinned posts never mark where stored history begins
        assert not job.needs_profile and job.profile_post_count == 3
        assert jobs["b-wechat"].needs_profile and jobs["b-wechat"].newest_at is None
        assert s.scalar(select(func.count()).select_from(AccountSnapshot)) == 2


def test_an_incomplete_read_leaves_its_posts_out_of_what_counts_as_known(store):
    """Paging stops at known posts; after a read that failed half-way the known posts are those
    a complete read covered, so the next night reads down through the gap below the new ones."""
    done = dict(outcome="ok", complete=True)
    with store.session() as s:
        repo.sync_accounts(s, ACCOUNTS)
        run1 = repo.start_run(s, "test", 2)
        repo.upsert_posts(s, [post("a-weibo", f"old{i}", f"旧{i}", 10 + i) for i in range(40)])
        repo.upsert_posts(s, [post("b-wechat", "w1", "文章", 3)])
        repo.record_outcome(s, run1, OutcomeItem("a-weibo", **done), new_posts=40, requests=5)
        repo.record_outcome(s, run1, OutcomeItem("b-wechat", "blocked", "环境异常"), new_posts=1, requests=2)
        repo.finish_run(s, run1)
    with store.session() as s:
        run2 = repo.start_run(s, "test", 1)  # blocked after its first page: new posts, a gap below
        repo.upsert_posts(s, [post("a-weibo", "new1", "新1", 1), post("a-weibo", "new2", "新2", 2)])
        repo.record_outcome(
            s, run2, OutcomeItem("a-weibo", "blocked", "HTTP 418", 418), new_posts=2, requests=1
        )
        repo.finish_run(s, run2)
    with store.session() as s:
        jobs = {j.account_id: j for j in planning.crawl_jobs(s)}
        a = jobs["a-weibo"]
        assert "new1" not in a.known_ids and "new2" not in a.known_ids
        assert a.known_ids == {f"old{i}" for i in range(planning.KNOWN_IDS_PER_ACCOUNT)}  # the newest 30
        assert a.newest_at is not None and abs(
            a.newest_at - (datetime.now(UTC) - timedelta(days=10))
        ) < timedelta(minutes=5)
        # Never read completely: nothing counts as known, the whole window is read again.
        assert jobs["b-wechat"].known_ids == frozenset() and jobs["b-wechat"].newest_at is None
    with store.session() as s:
        run3 = repo.start_run(s, "test", 1)
        repo.record_outcome(s, run3, OutcomeItem("a-weibo", **done), new_posts=0, requests=4)
        repo.finish_run(s, run3)
        jobs = {j.account_id: j for j in planning.crawl_jobs(s)}
        assert {"new1", "new2"} <= jobs["a-weibo"].known_ids  # a complete read covered the gap


def test_a_spider_reads_its_accounts_history_a_chunk_at_a_time(store_url, store, monkeypatch):
    """A province's spider does not hold every account's known posts at once: it reads them a
    chunk at a time as the crawl reaches them. Every account comes once, with exactly what one
    read of all accounts gives it; the runner's own list carries no history at all."""
    from scrapy.settings import Settings

    from crawler.spiders import base
    from crawler.spiders.weibo import WeiboSpider

    accounts = [
        {
            "id": f"w{i}",
            "unit": "旗政府办公室",
            "platform": "weibo",
            "name": f"发布{i}",
            "handle": str(100 + i),
        }
        for i in range(7)
    ]
    with store.session() as s:
        repo.sync_accounts(s, [*accounts, ACCOUNTS[1]])
        repo.upsert_posts(
            s, [post(f"w{i}", f"p{i}-{n}", "动态", n + 1) for i in range(7) for n in range(6 * i)]
        )
    with store.session() as s:
        whole = {j.account_id: j for j in planning.crawl_jobs(s) if j.platform == "weibo"}
        listed = planning.crawl_jobs(s, history=False)
    assert len(whole["w6"].known_ids) == planning.KNOWN_IDS_PER_ACCOUNT and not whole["w0"].known_ids
    assert sorted(j.account_id for j in listed) == sorted([*whole, "b-wechat"])
    assert all(not j.known_ids and j.newest_at is None for j in listed)

    monkeypatch.setattr(base, "JOB_CHUNK", 3)
    for given in (",".join(sorted(whole)), None):  # the runner's ids, or every account it reads
        spider = WeiboSpider(accounts=given)
        spider.settings = Settings({"GOVWATCH_DATABASE_URL": store_url})
        chunks = list(spider.load_jobs())
        assert [len(chunk) for chunk in chunks] == [3, 3, 1]
        assert {j.account_id: j for chunk in chunks for j in chunk} == whole


def test_known_posts_are_the_newest_thirty_whatever_the_dates(store):
    """What paging stops at: exactly the newest 30 non-pinned posts (undated ones last, the later
    stored first among equal dates), read per account from the index, not from every post."""
    base = datetime(2026, 11, 1, tzinfo=UTC)
    shapes = {
        "many": [base - timedelta(days=n) for n in range(80)],
        "ties": [base - timedelta(days=n // 7) for n in range(45)],  # 7 posts on each day
        "few-dated": [base - timedelta(days=n) for n in range(12)] + [None] * 25,
        "undated": [None] * 40,
        "exactly-30": [base - timedelta(hours=n) for n in range(30)],
    }
    accounts = [
        {"id": name, "unit": "旗政府办公室", "platform": "weibo", "name": name, "handle": str(i)}
        for i, name in enumerate(shapes)
    ]
    with store.session() as s:
        repo.sync_accounts(s, accounts)
        for name, dates in shapes.items():
            items = [
                PostItem(account_id=name, post_id=f"{name}-{n}", url=None, published_at=when, text="动态")
                for n, when in enumerate(dates)
            ]
            items.append(
                PostItem(
                    account_id=name,
                    post_id=f"{name}-top",
                    url=None,
                    published_at=base,
                    text="置顶",
                    is_pinned=True,
                )
            )
            repo.upsert_posts(s, items)
    with store.session() as s:
        stored = s.execute(
            select(Post.account_id, Post.platform_post_id, Post.published_at, Post.id).where(
                Post.is_pinned.is_(False)
            )
        ).all()
        ranked = repo.newest_posts(list(shapes), planning.KNOWN_IDS_PER_ACCOUNT)
        top = s.execute(
            select(ranked.c.account_id, ranked.c.platform_post_id).where(
                ranked.c.rank <= planning.KNOWN_IDS_PER_ACCOUNT
            )
        ).all()
        jobs = {j.account_id: j for j in planning.crawl_jobs(s)}
    for name in shapes:
        mine = [row for row in stored if row.account_id == name]
        mine.sort(key=lambda r: (r.published_at is not None, r.published_at or base, r.id), reverse=True)
        expected = {r.platform_post_id for r in mine[: planning.KNOWN_IDS_PER_ACCOUNT]}
        assert {pid for account, pid in top if account == name} == expected, name
        if any(r.published_at is None for r in mine):  # read again from the top (reread_undated)
            assert jobs[name].known_ids == frozenset() and jobs[name].newest_at is None, name
        else:
            assert jobs[name].known_ids == expected, name
            assert jobs[name].newest_at == max(r.published_at for r in mine), name


def test_posts_kept_without_their_article_are_asked_for_again_for_a_week(store):
    """A website or WeChat post stored with the listing's data (its article page failed, so it is
    truncated) is in its job's unread ids for a week after it was first seen; Weibo's truncated
    listing texts have their own long-text path and are not."""
    site = {
        "id": "c-site",
        "unit": "旗政府办公室",
        "platform": "website",
        "name": "动态",
        "url": "http://x/c",
    }
    with store.session() as s:
        repo.sync_accounts(s, [*ACCOUNTS, site])
        repo.upsert_posts(
            s,
            [
                post("c-site", "fresh", "标题", 1, truncated=True),
                post("c-site", "stale", "标题", 9, truncated=True),
                post("c-site", "whole", "正文", 1),
                post("b-wechat", "feed-only", "摘要", 2, truncated=True),
                post("a-weibo", "long", "长微博…", 1, truncated=True),
            ],
        )
        s.execute(
            update(Post)
            .where(Post.platform_post_id == "stale")
            .values(first_seen_at=datetime.now(UTC) - timedelta(days=8))
        )
    with store.session() as s:
        jobs = {j.account_id: j for j in planning.crawl_jobs(s)}
    assert jobs["c-site"].unread_ids == {"fresh"}
    assert jobs["b-wechat"].unread_ids == {"feed-only"}
    assert jobs["a-weibo"].unread_ids == frozenset()
    with store.session() as s:  # the body arrives (the same words, whole): no longer asked for
        repo.upsert_posts(s, [post("b-wechat", "feed-only", "摘要", 2)])
    with store.session() as s:
        assert {j.account_id: j for j in planning.crawl_jobs(s)}["b-wechat"].unread_ids == frozenset()
