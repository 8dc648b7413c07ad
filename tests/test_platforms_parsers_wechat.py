"""WeChat article pages: publish time from `var ct`, original mark, content type, deleted, blocked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.items import PageProblem
from crawler.parsers import blocks, feed, wechat

FIX = Path(__file__).parent / "fixtures"
URL = "https://mp.weixin.qq.com/s/AbCdEf"


def read(name: str) -> bytes:
    return (FIX / "wechat" / name).read_bytes()


def test_original_article():
    a = wechat.parse_article("acc", URL, URL, read("original.html"))
    post = a.post
    assert not a.deleted and post is not None
    assert post.published_at == datetime.fromtimestamp(1763600400, tz=UTC)
    assert post.title == "青川旗召开冬季安全生产工作会议"
    assert post.source == a.account_name == "青川发布"
    assert post.is_original is True
    assert post.media == "article"
    assert "压实责任" in post.text and "<p>" not in post.text


def test_not_original_video():
    a = wechat.parse_article("acc", URL, URL, read("repost_video.html"))
    assert a.post.is_original is False
    assert a.post.media == "video" and a.show_type == 5
    assert a.account_name == "青川文旅"
    assert a.post.published_at == datetime.fromtimestamp(1763514000, tz=UTC)


def test_deleted_article_is_a_deletion_not_an_error():
    a = wechat.parse_article("acc", URL, URL, read("deleted.html"))
    assert a.deleted and a.post is None and a.deleted_reason == "该内容已被发布者删除"


def test_captcha_is_blocked_never_deleted():
    with pytest.raises(PageProblem) as info:
        wechat.parse_article("acc", URL, URL, read("captcha.html"))
    assert info.value.outcome == "blocked"


def test_frequency_control_json_is_blocked():
    with pytest.raises(PageProblem) as info:
        blocks.check_response(200, URL, read("freq_control.json"), expect="json")
    assert info.value.outcome == "blocked" and "200013" in info.value.detail


def test_bilibili_352_is_blocked():
    with pytest.raises(PageProblem) as info:
        blocks.check_response(
            200, "https://api.bilibili.com/x", b'{"code":-352,"message":"-352"}', expect="json"
        )
    assert info.value.outcome == "blocked"


def test_feed_bridge_error_page_is_error_not_empty():
    with pytest.raises(PageProblem) as info:
        feed.parse_feed(
            "acc", "http://bridge/rsshub/wechat/x", (FIX / "feed" / "rsshub_error.html").read_bytes()
        )
    assert info.value.outcome == "error"


def test_not_an_article_is_parse_error():
    with pytest.raises(PageProblem) as info:
        wechat.parse_article(
            "acc", URL, URL, b"<html><head><title>x</title></head><body><p>hello</p></body></html>"
        )
    assert info.value.outcome == "parse_error"
