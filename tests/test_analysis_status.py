"""Account status rules, and findings that open, escalate and close with the facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analysis.run import analyse
from analysis.status import Activity, account_status
from core.config import Thresholds, parse_config
from core.items import OutcomeItem, PostItem
from storage import repo
from storage.db import open_store
from storage.models import Account, Finding

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
T = Thresholds()


def activity(days: float | None, *, ever_ok=True, last="ok", kind="publish", closed=False) -> Activity:
    last_post = NOW - timedelta(days=days) if days is not None else None
    return Activity(kind, closed, ever_ok, last, last_post, 0 if days is None else 1)


@pytest.mark.parametrize(
    ("days", "status"),
    [
        (0, "active"),
        (6.9, "active"),
        (7, "warning"),
        (13.9, "warning"),
        (14, "stale"),
        (89.9, "stale"),
        (90, "zombie"),
        (None, "empty"),
    ],
)
def test_status_from_days_since_last_post(days, status):
    assert account_status(activity(days), T, NOW)[0] == status


def test_never_crawled_ok_is_unknown_not_empty():
    assert account_status(activity(None, ever_ok=False, last="blocked"), T, NOW)[0] == "unknown"
    assert account_status(activity(None, ever_ok=False, last=None), T, NOW)[0] == "unknown"


def test_a_blocked_night_keeps_what_ok_crawls_established():
    status, _ = account_status(activity(120, last="blocked"), T, NOW)
    assert status == "zombie"
    assert account_status(activity(2, last="login_required"), T, NOW)[0] == "active"


def test_not_found_is_unreachable_and_closed_is_closed():
    assert account_status(activity(3, last="not_found"), T, NOW)[0] == "unreachable"
    assert account_status(activity(3, closed=True), T, NOW)[0] == "closed"
    assert account_status(activity(None, kind="service", last="ok"), T, NOW)[0] == "available"
    assert account_status(activity(None, kind="service", last="error"), T, NOW)[0] == "unknown"


def test_an_app_is_unavailable_only_after_two_failed_reads_an_hour_apart(database_url):
    """One failed read (our network, the CDN's bad minute) is never the unit's fault; a second
    failed read an hour later or more, with no answer in between, is."""
    config = parse_config(
        {
            "accounts": [
                {
                    "id": "app",
                    "unit": "旗卫健委",
                    "platform": "app",
                    "kind": "service",
                    "name": "健康青川",
                    "url": "http://x/a.apk",
                }
            ]
        }
    )
    store = open_store(database_url)
    with store.session() as s:
        repo.sync_accounts(s, repo.config_account_records(config.accounts))

    def read(outcome: str, at: datetime) -> tuple[str, list[str]]:
        with store.session() as s:
            run = repo.start_run(s, "test", 1)
            repo.record_outcome(s, run, OutcomeItem("app", outcome, "404", finished_at=at), 0, 1)
            repo.finish_run(s, run)
        analyse(config, store, now=at)
        with store.session() as s:
            open_rules = [f.rule for f in s.query(Finding).filter(Finding.status == "open")]
            return s.get(Account, "app").status, open_rules

    start = NOW - timedelta(days=1)
    assert read("ok", start) == ("available", [])
    assert read("not_found", start + timedelta(hours=1)) == ("unknown", [])  # one failed read
    assert read("error", start + timedelta(hours=1, minutes=40)) == ("unknown", [])  # 40 minutes later
    assert read("not_found", start + timedelta(hours=2, minutes=1)) == (
        "unavailable",
        ["service.unavailable"],
    )
    assert read("ok", start + timedelta(hours=3))[0] == "available"
    assert read("error", start + timedelta(hours=4)) == ("unknown", [])  # a new run of failures
    assert read("blocked", start + timedelta(hours=5))[0] == "unknown"
    assert read("error", start + timedelta(hours=6))[0] == "unknown"  # a block between: starts over
    store.dispose()


def test_thresholds_come_from_config():
    strict = Thresholds(warn_days=3, stale_days=10, zombie_days=30)
    assert account_status(activity(12), strict, NOW)[0] == "stale"
    assert account_status(activity(31), strict, NOW)[0] == "zombie"


def test_zombie_finding_escalates_then_rectifies_when_the_account_posts(database_url):
    config = parse_config(
        {"accounts": [{"id": "z", "unit": "旗林草局", "platform": "weibo", "name": "林草", "handle": "9"}]}
    )
    store = open_store(database_url)
    with store.session() as s:
        repo.sync_accounts(s, repo.config_account_records(config.accounts))
        run = repo.start_run(s, "test", 1)
        repo.upsert_posts(s, [PostItem("z", "old", None, NOW - timedelta(days=40), text="旧")])
        repo.record_outcome(s, run, OutcomeItem("z", "ok", finished_at=NOW - timedelta(hours=1)), 1, 1)

    analyse(config, store, now=NOW)
    with store.session() as s:
        finding = s.query(Finding).one()
        assert (finding.rule, finding.severity, finding.status) == ("maintenance.stale", "major", "open")
        assert "最后发布于" in finding.evidence and "40 天前" in finding.evidence
        first_seen = finding.first_seen

    later = NOW + timedelta(days=60)
    analyse(config, store, now=later)
    with store.session() as s:
        finding = s.query(Finding).one()
        assert (finding.rule, finding.severity) == ("maintenance.zombie", "critical")
        assert finding.first_seen == first_seen  # the same problem, lasting since then

    with store.session() as s:
        run = repo.start_run(s, "test", 1)
        repo.upsert_posts(s, [PostItem("z", "new", None, later - timedelta(hours=2), text="恢复更新")])
        repo.record_outcome(s, run, OutcomeItem("z", "ok", finished_at=later - timedelta(hours=1)), 1, 1)
    summary = analyse(config, store, now=later)
    with store.session() as s:
        finding = s.query(Finding).one()
        assert finding.status == "rectified" and summary.findings.rectified == [finding.id]
        assert s.get(Account, "z").status == "active"
