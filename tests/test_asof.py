"""The as-of read model: one answer for the report, the exports and the account card, at any moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from analysis.asof import account_states
from analysis.run import analyse
from core.config import parse_config
from core.items import OutcomeItem, PostItem
from reporting.account import account_card
from reporting.export import account_rows
from reporting.view import build_view
from reporting.weeks import week_of
from storage import repo
from storage.db import open_store
from storage.models import Post

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
