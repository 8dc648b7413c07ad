"""The real 2019 Weibo capture in ../shared/real, parsed as the crawler parses it.

Run by `make check-real` (not part of `make test`: the capture is not in the repository).
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from checks.real.paths import REAL_CAPTURE
from core.vocabulary import CommentPermission
from crawler.parsers.dates import parse_weibo_time
from crawler.parsers.weibo import (
    comment_permission,
    parse_long_text,
    parse_posts_page,
    parse_profile,
    parse_status,
)

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def capture() -> dict:
    assert REAL_CAPTURE.exists(), f"{REAL_CAPTURE} is missing: the real-capture checks cannot run"
    return json.loads(REAL_CAPTURE.read_text(encoding="utf-8"))


def test_real_profile(capture: dict) -> None:
    result = parse_profile("dlrb", "1669879400", json.dumps(capture["userInfo"]))
    assert result.containerid == "1076031669879400"
    assert result.profile.name == "Dear-迪丽热巴"
    assert result.profile.followers == 63357736
    assert result.profile.post_count == 1008
    assert result.profile.verified is True


def test_real_posts_page(capture: dict) -> None:
    now = datetime(2019, 6, 15, 12, 0, tzinfo=SH)
    page = parse_posts_page("dlrb", json.dumps(capture["cards1"]).encode(), now)
    assert len(page.posts) == 10
    assert (page.page, page.total, page.since_id) == (2, 1012, None)
    assert not any(post.is_pinned for post in page.posts)  # mblogtype 1 posts are not pins
    assert all(post.published_at is not None and post.published_at <= now for post in page.posts)
    first = page.posts[0]
    assert first.post_id == "4383183661430868"
    assert first.url == "https://m.weibo.cn/status/HyTZc60ew"
    assert first.published_at == datetime(2019, 6, 14, tzinfo=SH)
    assert first.text == "搬完这块砖，就可以吃好吃的了[偷笑][偷笑][偷笑]"
    assert first.media == "image"
    assert (first.likes, first.comments, first.shares) == (348872, 95535, 240492)
    reposts = [post for post in page.posts if not post.is_original]
    assert [post.repost_of for post in reposts] == ["@代斯daisy:4383031864995274"]
    assert reposts[0].text == "大家一起电影院约起来啊～～～"
    assert reposts[0].repost_text.startswith("写在《秦明·生死语者》上映这一天……\n#614致敬法医#")
    assert "<" not in reposts[0].repost_text
    media = {post.post_id: post.media for post in page.posts}
    assert media["4382054705416396"] == "video"
    assert media["4378893399854472"] == "text"  # page_info "webpage"
    assert any(post.shares == 1_000_000 for post in page.posts)  # "100万+"


def test_real_long_text(capture: dict) -> None:
    text = parse_long_text(json.dumps(capture["statuses1"]))
    assert text is not None
    assert "\nNature\n" in text and "<br" not in text


def test_real_status_detail_is_a_repost(capture: dict) -> None:
    post = parse_status("fan", json.dumps(capture["retweet01"]), datetime(2019, 6, 16, tzinfo=SH))
    assert post.post_id == "4383411844046171"
    assert post.url == "https://m.weibo.cn/status/HyZVegYAP"
    assert not post.is_original
    assert post.repost_of.startswith("@") and post.repost_of.endswith(":4383404751066167")
    assert post.repost_text and post.repost_text.startswith("#") and "<a" not in post.repost_text
    assert post.published_at == datetime(2019, 6, 15, 11, 44, 46, tzinfo=SH)
    assert post.source == "微博手机版"


def test_real_comment_dates(capture: dict) -> None:
    now = datetime(2019, 6, 16, 20, 0, tzinfo=SH)
    for key in ("comments1", "comments2"):
        for comment in capture[key]["data"]["data"]:
            parsed = parse_weibo_time(comment["created_at"], now)
            assert parsed is not None and parsed <= now


def test_real_comment_permission_reads_open_or_unknown_never_off(capture: dict) -> None:
    """The comments page of 2019 says who may comment (-1: everyone); its listing's posts carry no
    comment_manage_info, so they read as unknown, never as interaction switched off."""
    assert comment_permission(capture["comments2"]["data"]["status"]) == CommentPermission.OPEN
    now = datetime(2026, 12, 1, 10, 0, tzinfo=SH)
    page = parse_posts_page("a", json.dumps(capture["cards1"]), now)
    assert page.posts and all(p.comment_permission is None for p in page.posts)
