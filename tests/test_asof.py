"""The as-of read model: one answer for the report, the exports and the account card, at any moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from analysis.asof import account_states, statuses_at, statuses_at_many
from analysis.run import analyse
from core.config import parse_config
from core.items import OutcomeItem, PostItem
from reporting.account import account_card
from reporting.export import account_rows
from reporting.view import build_view
from reporting.weeks import week_of
from storage import asof as rows
from storage import repo
from storage.asof import SKEW
from storage.db import open_store
from storage.models import Account, Post

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # a Thursday, at noon in Beijing
CONFIG = parse_config(
    {"accounts": [{"id": "lc", "unit": "旗林草局", "platform": "weibo", "name": "林草发布", "handle": "9"}]}
)


def crawled_store(database_url: str, posts: list[tuple[str, timedelta]]):  # noqa: ANN201
    """One Weibo account crawled ok an hour before NOW, with posts published the given time before NOW."""
    store = open_store(database_url)
    with store.session() as s:
        repo.sync_accounts(s, repo.config_account_records(CONFIG.accounts))
        run = repo.start_run(s, "test", 1)
        repo.upsert_posts(s, [PostItem("lc", pid, None, NOW - ago, text="工作动态") for pid, ago in posts])
        repo.record_outcome(
            s, run, OutcomeItem("lc", "ok", finished_at=NOW - timedelta(hours=1)), len(posts), 1
        )
        repo.finish_run(s, run)
    return store


def test_exports_card_and_report_agree_when_analysis_is_days_old(database_url):
    """The status the last analysis stored grows old; the export and the card say what the report
    says for the same moment, not what was true when analysis last ran."""
    store = crawled_store(database_url, [("p1", timedelta(days=3))])
    analyse(CONFIG, store, now=NOW)  # 3 days since the last post: active, stored on the account
    later = NOW + timedelta(days=5)  # 8 days since the last post, and no analysis since
    with store.session() as s:
        [state] = account_states(s, CONFIG.thresholds, later)
        assert (state.status, state.days_since_last_post) == ("warning", 8)
        view = build_view(s, CONFIG, week_of(later.astimezone(CONFIG.tz).date()), None, later)
        [line] = view.accounts
        assert (line.status, line.days_since) == ("warning", 8)
        [row] = account_rows(s, CONFIG, later)
        assert (row["status"], row["days_since_last_post"], row["last_crawl_outcome"]) == ("warning", 8, "ok")
        assert row["unit_field"] == "environment"  # 旗林草局 by its name (no registry field, no config)
        card = account_card(s, CONFIG, "lc", now=later)
        assert "状态 / status: 更新偏慢 (warning)" in card and "最后发布 / last post" in card
    store.dispose()


def test_a_post_counts_while_it_was_live(database_url):
    """A post deleted later still counted before its deletion; one dated a little in the future
    (clock skew) counts; the week's report rebuilt later shows what was live then."""
    store = crawled_store(
        database_url,
        [("kept", timedelta(days=20)), ("gone", timedelta(days=2)), ("skewed", -timedelta(minutes=30))],
    )
    deleted_at = NOW + timedelta(days=1)
    with store.session() as s:
        s.execute(update(Post).where(Post.platform_post_id == "gone").values(deleted_at=deleted_at))
    with store.session() as s:
        [before] = account_states(s, CONFIG.thresholds, NOW)
        [after] = account_states(s, CONFIG.thresholds, deleted_at + timedelta(hours=1))
    assert (before.posts_7d, before.posts_30d, before.status) == (2, 3, "active")
    assert before.last_post_at == NOW + timedelta(minutes=30)
    assert (after.posts_7d, after.posts_30d) == (1, 2)  # "gone" is gone; "skewed" is 1 day old now
    assert after.last_post_at == NOW + timedelta(minutes=30)
    store.dispose()


def test_statuses_at_many_moments_are_statuses_at_each(database_url):
    """The dashboard's 26 weeks of statuses read in one scan of the posts (statuses_at_many) are
    statuses_at's, moment by moment: posts deleted between the moments, dated a little ahead
    (clock skew) or exactly on a moment's edge, accounts gone quiet, closed, never posting, a
    service app whose reads fail in turn."""
    records = [
        {"id": f"w{i}", "unit": f"单位{i % 3}", "platform": "weibo", "name": f"帐号{i}", "handle": str(i)}
        for i in range(8)
    ]
    records.append({"id": "app", "unit": "单位0", "platform": "app", "name": "掌上办", "kind": "service"})
    records.append({"id": "gone", "unit": "单位1", "platform": "weibo", "name": "已关", "handle": "g"})
    moments = [NOW - timedelta(weeks=k) for k in range(25, 0, -1)] + [NOW]
    store = open_store(database_url)
    with store.session() as s:
        repo.sync_accounts(s, records)
        posts = []
        for i in range(8):  # w0 never posts; the others post every 2 + i days until they go quiet
            quiet = timedelta(days=30 * (i % 4))
            posts += [
                PostItem(f"w{i}", f"w{i}-{j}", None, NOW - quiet - timedelta(days=j * (2 + i), hours=i))
                for j in range(1, 90 if i else 1)
            ]
        posts.append(
            PostItem("w3", "edge", None, moments[10] + SKEW, text="工作动态")
        )  # live from moment 10 on
        posts.append(PostItem("w3", "edge2", None, moments[14] + SKEW, text="工作动态"))  # kept
        posts.append(PostItem("w3", "ahead", None, moments[12] + timedelta(minutes=30), text="工作动态"))
        posts.append(PostItem("gone", "g1", None, NOW - timedelta(days=100), text="工作动态"))
        repo.upsert_posts(s, posts)
        for k, ts in enumerate(moments):  # a run a week, an hour before each moment
            run = repo.start_run(s, "test", len(records))
            for r in records:
                outcome = "ok" if r["id"] != "app" or k % 5 < 2 else "error"
                repo.record_outcome(
                    s, run, OutcomeItem(r["id"], outcome, finished_at=ts - timedelta(hours=1)), 0, 1
                )
            repo.finish_run(s, run)
    with store.session() as s:
        deleted = {
            "w1-3": moments[20],
            "w2-1": moments[5],
            "w5-40": moments[24] + timedelta(seconds=1),
            "edge": moments[11],
        }
        for pid, at in deleted.items():
            s.execute(update(Post).where(Post.platform_post_id == pid).values(deleted_at=at))
        s.execute(update(Account).where(Account.id == "gone").values(closed=True))
    with store.session() as s:
        many = statuses_at_many(s, CONFIG.thresholds, moments)
        each = [statuses_at(s, CONFIG.thresholds, t) for t in moments]
        figures = rows.post_figures_at(s, moments)
        one_by_one = [
            {a: (r.last_post_at, r.post_count) for a, r in rows.post_figures(s, t).items()} for t in moments
        ]
    store.dispose()
    assert many == each
    assert figures == one_by_one
    assert len({status for statuses in each for status in statuses.values()}) >= 4  # a varied world
