"""After a failed or killed crawl, on SQLite and PostgreSQL: incremental paging resumes
from the last complete read (no permanent gap), and runs left `running` by a dead
crawl are closed as interrupted when the next crawl starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.items import OutcomeItem, PostItem
from crawler import planning
from storage import repo
from storage.models import CrawlRun

ACCOUNT = {"id": "a-weibo", "unit": "旗政府办公室", "platform": "weibo", "name": "发布", "handle": "1"}


def posts(ids: list[str], days_ago: float) -> list[PostItem]:
    now = datetime.now(UTC)
    return [
        PostItem("a-weibo", pid, None, now - timedelta(days=days_ago, minutes=i), text=pid)
        for i, pid in enumerate(ids)
    ]


def outcome(outcome: str, complete: bool) -> OutcomeItem:
    now = datetime.now(UTC)
    return OutcomeItem("a-weibo", outcome, complete=complete, started_at=now, finished_at=now)


def night(store, items: list[PostItem], result: OutcomeItem | None, finish: bool = True) -> int:
    with store.session() as s:
        run_id = repo.start_run(s, "cli", 1)
    with store.session() as s:
        repo.upsert_posts(s, items)
        if result is not None:
            repo.record_outcome(s, run_id, result, new_posts=len(items), requests=1)
        if finish:
            repo.finish_run(s, run_id)
    return run_id


def job(store):
    with store.session() as s:
        [j] = planning.crawl_jobs(s)
    return j


def test_paging_resumes_from_the_last_complete_read(store):
    with store.session() as s:
        repo.sync_accounts(s, [ACCOUNT])

    # A first crawl cut short: what it stored does not count as known.
    night(store, posts(["n1", "n2"], 1), outcome("parse_error", False))
    assert job(store).known_ids == frozenset() and job(store).newest_at is None

    # A complete read: everything stored so far is covered.
    night(store, posts(["n1", "n2", "o1"], 1) + posts(["o2"], 20), outcome("ok", True))
    assert job(store).known_ids == {"n1", "n2", "o1", "o2"}

    # A blocked night that still stored the newest posts of its first page: those
    # are not where paging may stop next time (the gap below them is unread).
    night(store, posts(["x1", "x2"], 0), outcome("blocked", False))
    j = job(store)
    assert j.known_ids == {"n1", "n2", "o1", "o2"}
    assert j.newest_at is not None and j.newest_at < datetime.now(UTC) - timedelta(hours=12)

    # A killed crawl (no outcome at all) is no different.
    night(store, posts(["k1"], 0), None, finish=False)
    assert "k1" not in job(store).known_ids

    # The next complete read covers all of them.
    night(store, posts(["k1", "x1", "x2"], 0), outcome("ok", True))
    assert {"k1", "x1", "x2"} <= job(store).known_ids


def test_runs_left_running_are_closed_as_interrupted(store):
    with store.session() as s:
        repo.sync_accounts(s, [ACCOUNT])
    killed = night(store, posts(["p1"], 1), outcome("ok", True), finish=False)
    current = night(store, [], None, finish=False)
    with store.session() as s:
        dead = s.get(CrawlRun, killed)
        assert dead.state == "failed" and dead.error.startswith("interrupted")
        assert dead.finished_at is not None and dead.accounts_ok == 1
        assert s.get(CrawlRun, current).state == "running"
