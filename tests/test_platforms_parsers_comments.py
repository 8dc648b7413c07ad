"""Weibo comments: a captured-shape hotflow page and thread (invented content), the nested shape."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from analysis.interaction import is_question, working_days_between
from core.items import PageProblem
from crawler.parsers.weibo_comments import comments_url, parse_comments

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2021, 9, 18, 12, 0, tzinfo=TZ)
CAPTURE = Path(__file__).parent / "fixtures" / "weibo" / "capture-singer.json"
BRAND_UID = "3141592653"  # the brand account whose replies the thread holds


@pytest.fixture(scope="module")
def capture() -> dict:
    return json.loads(CAPTURE.read_text(encoding="utf-8"))


def test_capture_comments_page_with_replies(capture):
    page = parse_comments("acc", "4683102234561289", BRAND_UID, json.dumps(capture["comments1"]), NOW, TZ)
    assert [c.comment_id for c in page.comments] == ["4683311122334455", "4683311099887766"]
    first, reply = page.comments
    assert first.published_at == NOW  # "刚刚"
    assert "[太开心]" in first.text and "<" not in first.text
    assert reply.reply_to == "4683309988776655" and reply.author_name == "芦苇荡_07"
    assert not first.by_account and not reply.by_account
    assert page.total == 40211
    assert page.max_id is None  # no max_id: the last page


def test_capture_thread_recognises_the_accounts_own_replies(capture):
    page = parse_comments("acc", "4683102234561289", BRAND_UID, json.dumps(capture["comments2"]), NOW, TZ)
    assert page.comments[0].by_account and page.comments[0].author_id == BRAND_UID
    assert page.comments[0].published_at == datetime(2021, 9, 17, 20, 41, 10, tzinfo=TZ)
    # a reply inside the thread points at the comment it answers
    assert page.comments[1].reply_to == "4683103300112233" and page.comments[1].by_account
    assert page.comments[2].reply_to is None and not page.comments[2].by_account
    assert page.max_id == str(capture["comments2"]["data"]["max_id"])


def test_hotflow_nested_replies_and_empty():
    body = {
        "ok": 1,
        "data": {
            "data": [
                {
                    "id": 11,
                    "created_at": "06-14",
                    "text": "请问什么时候开放？",
                    "user": {"id": 5, "screen_name": "网友"},
                    "comments": [{"id": 12, "created_at": "刚刚", "text": "明天", "user": {"id": 777}}],
                }
            ],
            "max_id": 0,
        },
    }
    page = parse_comments("acc", "1", "777", json.dumps(body), NOW, TZ)
    assert [(c.comment_id, c.reply_to, c.by_account) for c in page.comments] == [
        ("11", None, False),
        ("12", "11", True),
    ]
    assert page.max_id is None
    assert parse_comments("acc", "1", "777", '{"ok":0,"msg":"快来发表你的评论吧"}', NOW, TZ).comments == []
    with pytest.raises(PageProblem):
        parse_comments("acc", "1", "777", "<html><title>验证码</title></html>", NOW, TZ)
    assert "max_id=5" in comments_url("http://x", "1", "5")


def test_questions_and_working_days():
    assert is_question("请问在哪里办理？") and is_question("能不能延长时间") and not is_question("点赞！")
    friday = datetime(2026, 11, 20, 10, tzinfo=TZ)
    assert working_days_between(friday, friday + timedelta(days=7), TZ) == 5  # Mon..Fri
    assert working_days_between(friday, friday + timedelta(days=10), TZ) == 6
    holiday = (friday + timedelta(days=3)).date()  # the Monday
    assert working_days_between(friday, friday + timedelta(days=7), TZ, [holiday]) == 4
