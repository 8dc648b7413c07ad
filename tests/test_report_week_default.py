"""`govwatch report` without --week: the last complete week when it has crawl data; right after
the first crawl (a new installation, `make demo`), the current week with a note; with no crawl
at all, the reason every account reads 尚未抓取."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from core.config import parse_config
from reporting.weekly import default_week
from reporting.weeks import last_complete_week, week_of
from storage.db import open_store
from storage.models import CrawlRun
from storage.repo import config_account_records, sync_accounts
from tests.conftest import run_govwatch

pytestmark = pytest.mark.slow  # each test runs the govwatch command

ACCOUNTS = [
    {
        "id": "fabu-weibo",
        "unit": "旗政府办公室",
        "platform": "weibo",
        "name": "青川发布",
        "handle": "1234567",
    },
]


def setup(tmp_path: Path, runs: list[datetime]) -> tuple[Path, dict]:
    data = {
        "timezone": "Asia/Shanghai",
        "database": f"sqlite:///{tmp_path / 'govwatch.db'}",
        "report": {"out_dir": str(tmp_path / "reports")},
        "accounts": ACCOUNTS,
    }
    config = parse_config(data)
    store = open_store(data["database"])
    with store.session() as session:
        sync_accounts(session, config_account_records(config.accounts))
        for started in runs:
            session.add(
                CrawlRun(started_at=started, finished_at=started + timedelta(minutes=5), state="finished")
            )
    store.dispose()
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path, data


def weeks_now() -> tuple[str, str]:
    tz = parse_config({}).tz
    return str(last_complete_week(tz)), str(week_of(datetime.now(UTC).astimezone(tz).date()))


def test_first_crawl_this_week_reports_this_week(tmp_path):
    last, current = weeks_now()
    config, _ = setup(tmp_path, [datetime.now(UTC) - timedelta(minutes=30)])
    result = run_govwatch(config, "report")
    assert result.returncode == 0, result.stderr
    assert f"/{current}/" in result.stdout.split()[0]
    assert last in result.stderr and current in result.stderr and "没有抓取数据" in result.stderr
    # mail goes out for the last complete week, as scheduled, and says why it is empty
    store = open_store(f"sqlite:///{tmp_path / 'govwatch.db'}")
    week, note = default_week(store, parse_config({"timezone": "Asia/Shanghai"}), prefer_data=False)
    store.dispose()
    assert str(week) == last and note and f"--week {current}" in note


def test_no_crawl_at_all_says_why_the_report_is_empty(tmp_path):
    last, _ = weeks_now()
    config, _ = setup(tmp_path, [])
    result = run_govwatch(config, "report")
    assert result.returncode == 0, result.stderr
    assert f"/{last}/" in result.stdout.split()[0]
    assert "尚无抓取记录" in result.stderr and "govwatch crawl" in result.stderr


def test_a_week_with_data_is_the_last_complete_one_without_a_note(tmp_path):
    last, _ = weeks_now()
    config, _ = setup(tmp_path, [datetime.now(UTC) - timedelta(days=15)])
    result = run_govwatch(config, "report")
    assert result.returncode == 0, result.stderr
    assert f"/{last}/" in result.stdout.split()[0]
    assert result.stderr.strip() == ""
