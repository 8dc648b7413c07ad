"""Weibo comments on the real 2019 capture in ../shared/real (run by `make check-real`)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from checks.real.paths import REAL_CAPTURE
from crawler.parsers.weibo_comments import parse_comments

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2019, 6, 15, 12, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def capture() -> dict:
    assert REAL_CAPTURE.exists(), f"{REAL_CAPTURE} is missing: the real-capture checks cannot run"
    return json.loads(REAL_CAPTURE.read_text(encoding="utf-8"))


def test_real_comments_page_with_replies(capture):
    page = parse_comments("acc", "4383183661430868", "1787569845", json.dumps(capture["comments1"]), NOW, TZ)
    assert [c.comment_id for c in page.comments] == ["4383932071637949", "4383931988671914"]
    first, reply = page.comments
    assert first.published_at == NOW  # "刚刚"
    assert "[太开心]" in first.text and "<" not in first.text
    assert reply.reply_to == "4383928213171598" and reply.author_name == "Y-6_668"
    assert page.total == 125020


def test_real_thread_recognises_the_accounts_own_replies(capture):
    page = parse_comments("acc", "4383183661430868", "1787569845", json.dumps(capture["comments2"]), NOW, TZ)
    assert page.comments[0].by_account and page.comments[0].author_id == "1787569845"
    assert page.comments[0].published_at == datetime(2019, 6, 14, 20, 39, 20, tzinfo=TZ)
    # a reply inside the thread points at the comment it answers
    assert page.comments[1].reply_to == "4383183984547669" and page.comments[1].by_account
    assert page.comments[2].reply_to is None and not page.comments[2].by_account
    assert page.max_id == str(capture["comments2"]["data"]["max_id"])
