import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.items import (
    BLOCKED,
    DELETED_ORIGINAL,
    ERROR,
    LOGIN_REQUIRED,
    NOT_FOUND,
    PARSE_ERROR,
    PageProblem,
    PostItem,
)
from crawler.parsers import weibo
from crawler.parsers.dates import parse_weibo_time
from crawler.parsers.weibo import (
    long_text_url,
    parse_count,
    parse_long_text,
    parse_posts_page,
    parse_profile,
    parse_status,
    post_url,
    posts_url,
    profile_url,
    strip_html,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SH)
FIXTURES = Path(__file__).parent / "fixtures" / "weibo"
CAPTURE = FIXTURES / "capture-singer.json"
UID = "5891234567"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def problem_of(call, *args) -> PageProblem:
    with pytest.raises(PageProblem) as info:
        call(*args)
    return info.value


# --- URLs -------------------------------------------------------------------------


def test_urls() -> None:
    base = "http://127.0.0.1:8800/"
    assert profile_url(base, UID) == f"http://127.0.0.1:8800/api/container/getIndex?type=uid&value={UID}"
    cid = f"107603{UID}"
    assert posts_url(base, cid) == f"http://127.0.0.1:8800/api/container/getIndex?containerid={cid}"
    assert posts_url(base, cid, since_id="5099999999999998").endswith(
        f"containerid={cid}&since_id=5099999999999998"
    )
    assert posts_url(base, cid, page=2).endswith(f"containerid={cid}&page=2")
    assert long_text_url("https://m.weibo.cn", "51") == "https://m.weibo.cn/statuses/extend?id=51"
    assert post_url(UID, "P0rEcEnt5") == "https://m.weibo.cn/status/P0rEcEnt5"


# --- profile -----------------------------------------------------------------------


def test_profile() -> None:
    result = parse_profile("acc-1", UID, fixture("profile.json"))
    profile = result.profile
    assert profile.account_id == "acc-1"
    assert profile.name == "兴安盟发布"
    assert profile.description == "兴安盟行政公署新闻办公室官方微博，发布全盟权威信息。"
    assert profile.followers == 286745
    assert profile.post_count == 4312
    assert profile.verified is True
    assert profile.avatar_url == "https://wx2.sinaimg.cn/orj480/006qS9Yjly8h0abcdefj30e80e8aa9.jpg"
    # taken verbatim from the weibo tab, even in its newer long form
    assert result.containerid == f"107603{UID}_-_WEIBO_SECOND_PROFILE_WEIBO"


def test_profile_without_tabs_uses_default_container_and_reads_string_counts() -> None:
    result = parse_profile("acc-1", UID, fixture("profile_no_tabs.json"))
    assert result.containerid == f"107603{UID}"
    assert result.profile.followers == 286000
    assert result.profile.post_count == 4312
    assert result.profile.verified is False
    assert result.profile.avatar_url is not None  # falls back to profile_image_url


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("profile_not_exist.json", NOT_FOUND),
        ("profile_error.json", ERROR),
        ("profile_no_userinfo.json", PARSE_ERROR),
        ("posts_login.json", LOGIN_REQUIRED),
        ("captcha.html", BLOCKED),
        ("login.html", LOGIN_REQUIRED),
        ("visitor.html", BLOCKED),
    ],
)
def test_profile_problems(name: str, outcome: str) -> None:
    problem = problem_of(parse_profile, "acc-1", UID, fixture(name))
    assert problem.outcome == outcome
    assert problem.detail


def test_profile_non_json_is_parse_error() -> None:
    assert problem_of(parse_profile, "a", UID, b'{"ok":1, "data": ').outcome == PARSE_ERROR
    assert problem_of(parse_profile, "a", UID, b"[1, 2]").outcome == PARSE_ERROR
    assert problem_of(parse_profile, "a", UID, b"").outcome == BLOCKED  # an empty 200 is a WAF


# --- posts pages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def page1() -> weibo.WeiboPage:
    return parse_posts_page("acc-1", fixture("posts_page1.json"), NOW)


def by_id(page: weibo.WeiboPage) -> dict[str, PostItem]:
    return {post.post_id: post for post in page.posts}


def test_page_cursor_and_counts(page1: weibo.WeiboPage) -> None:
    assert page1.since_id == "5099999999999998"
    assert page1.page is None
    assert page1.total == 4312
    ids = [post.post_id for post in page1.posts]
    assert len(ids) == len(set(ids)) == 8  # the duplicated card counted once, tips cards ignored
    assert ids[0] == "4980000000000001"


def test_pinned_post(page1: weibo.WeiboPage) -> None:
    pinned = [post for post in page1.posts if post.is_pinned]
    assert [post.post_id for post in pinned] == ["4980000000000001"]
    post = pinned[0]
    assert post.published_at == datetime(2024, 3, 4, 9, 0, tzinfo=SH)
    assert post.media == "image"
    assert post.text.endswith("诉求。[赞]")


def test_recent_post_fields(page1: weibo.WeiboPage) -> None:
    post = by_id(page1)["5100000000000005"]
    assert post.url == "https://m.weibo.cn/status/P0rEcEnt5"
    assert post.published_at == NOW - timedelta(minutes=5)
    assert (
        post.text
        == "#兴安盟发布#【今日天气】全盟晴转多云，气温-12℃～-3℃，请注意防寒保暖。\n出行提示：G111国道部分路段有积雪。"
    )
    assert (post.likes, post.comments, post.shares) == (12000, 88, 1_000_000)
    assert post.source == "iPhone 15 Pro"
    assert post.title is None
    assert post.is_original and not post.is_pinned and not post.truncated
    assert post.media == "text"


def test_reposts(page1: weibo.WeiboPage) -> None:
    posts = by_id(page1)
    deleted = posts["5100000000000004"]
    assert not deleted.is_original
    assert deleted.repost_of == "deleted"
    assert deleted.text == "转发微博"
    assert deleted.published_at == NOW - timedelta(hours=3)
    quoted = posts["5100000000000003"]
    assert not quoted.is_original
    assert quoted.repost_of == "@内蒙古发布:5099000000000777"
    assert quoted.text == "请广大市民周知！//@内蒙古发布:权威发布"
    assert quoted.published_at == datetime(2026, 11, 19, 12, 30, tzinfo=SH)


def test_reposts_carry_the_originals_text(page1: weibo.WeiboPage) -> None:
    posts = by_id(page1)
    # The reposted original's words, as plain text: what the account spread.
    assert posts["5100000000000003"].repost_text == "【权威发布】内蒙古自治区冬季供暖保障工作新闻发布会召开。"
    # A deleted original: Weibo's 抱歉，此微博已被作者删除 page is noted, not stored as the text.
    assert posts["5100000000000004"].repost_text == DELETED_ORIGINAL
    assert all(p.repost_text is None for p in page1.posts if p.is_original)


def test_long_text_in_card_group(page1: weibo.WeiboPage) -> None:
    post = by_id(page1)["5100000000000002"]
    assert post.truncated
    assert "全文" not in post.text
    assert '"一网通办"' in post.text
    assert post.published_at == datetime(2026, 11, 18, tzinfo=SH)


def test_media_kinds_and_bad_date(page1: weibo.WeiboPage) -> None:
    posts = by_id(page1)
    assert posts["5100000000000001"].media == "video"
    assert posts["5100000000000001"].published_at == datetime(2025, 12, 30, tzinfo=SH)
    assert posts["5099999999999999"].media == "article"
    assert posts["5099999999999999"].published_at == datetime(2025, 11, 20, 10, 0, tzinfo=SH)
    undated = posts["5099999999999998"]
    assert undated.published_at is None  # kept, not dropped, not dated "now"


def test_older_paging_and_proweibotop_pin() -> None:
    page = parse_posts_page("acc-1", fixture("posts_page_old.json"), NOW)
    assert page.since_id is None
    assert page.page == 3
    assert page.total == 1012
    pin, notice = page.posts
    assert pin.is_pinned  # profile_type_id proweibotop_...
    assert not notice.is_pinned  # mblogtype 1 is not a pin
    assert notice.media == "image"


def test_empty_pages() -> None:
    said_empty = parse_posts_page("acc-1", fixture("posts_empty_ok0.json"), NOW)
    assert said_empty.posts == [] and said_empty.message == "这里还没有内容"
    no_cards = parse_posts_page("acc-1", fixture("posts_empty_cards.json"), NOW)
    assert no_cards.posts == [] and no_cards.since_id is None and no_cards.total == 0


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("posts_ok0_error.json", ERROR),
        ("posts_ok0_nomsg.json", ERROR),
        ("posts_rate_limited.json", BLOCKED),
        ("posts_login.json", LOGIN_REQUIRED),
        ("posts_layout_changed.json", PARSE_ERROR),
        ("profile_not_exist.json", NOT_FOUND),
        ("captcha.html", BLOCKED),
        ("login.html", LOGIN_REQUIRED),
    ],
)
def test_posts_problems(name: str, outcome: str) -> None:
    assert problem_of(parse_posts_page, "acc-1", fixture(name), NOW).outcome == outcome


def test_post_cards_without_ids_are_a_layout_change() -> None:
    body = json.dumps({"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": {"text": "x"}}]}})
    assert problem_of(parse_posts_page, "a", body, NOW).outcome == PARSE_ERROR


# --- long text and single posts ----------------------------------------------------------


def test_long_text_extend_and_show() -> None:
    text = parse_long_text(fixture("extend.json"))
    assert text is not None
    assert text.startswith("【政策解读】《兴安盟关于进一步优化营商环境的若干措施》解读来了！\n一、总体要求\n")
    assert '坚持"放管服"改革' in text
    assert "[赞]" in text and "<" not in text
    assert parse_long_text(fixture("show.json")) == "【政策解读】全文内容第一段。\n第二段：<附件>见政府网站。"
    assert parse_long_text(fixture("extend_missing.json")) is None
    assert parse_long_text(b'{"ok":1,"data":{}}') is None
    assert problem_of(parse_long_text, fixture("posts_login.json")).outcome == LOGIN_REQUIRED
    assert problem_of(parse_long_text, fixture("captcha.html")).outcome == BLOCKED


def test_status_with_long_text_is_complete() -> None:
    post = parse_status("acc-1", fixture("show.json"), NOW)
    assert post.post_id == "5100000000000002"
    assert not post.truncated
    assert post.text.startswith("【政策解读】全文内容第一段。")


# --- helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (348872, 348872),
        ("1,234", 1234),
        ("100万+", 1_000_000),
        ("1.2万", 12000),
        ("3亿", 300_000_000),
        ("10w+", 100_000),
        ("", None),
        ("很多", None),
        (None, None),
        (True, None),
        (-1, None),
    ],
)
def test_parse_count(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected


def test_strip_html() -> None:
    html = (
        '<a href="https://m.weibo.cn/search?q=%23x%23"><span class="surl-text">#话题#</span></a>正文&amp;更多'
        '<br />第二行<span class="url-icon"><img alt=[偷笑] src="//h5.sinaimg.cn/x.png" /></span>'
        '&nbsp;&nbsp;尾 ...<a href="/status/4383404751066167">全文</a>'
    )
    assert strip_html(html) == "#话题#正文&更多\n第二行[偷笑] 尾"
    assert strip_html("") == ""
    assert strip_html("<script>alert(1)</script>ok") == "ok"


# --- a whole capture: profile, posts page, long text, status, comments -------------------------
# tests/fixtures/weibo/capture-singer.json is an invented account's responses in the shape
# m.weibo.cn returns them (every field the API sends around the ones govwatch reads).


@pytest.fixture(scope="module")
def capture() -> dict:
    return json.loads(CAPTURE.read_text(encoding="utf-8"))


def test_capture_profile(capture: dict) -> None:
    result = parse_profile("singer", "2718281828", json.dumps(capture["userInfo"]))
    assert result.containerid == "1076032718281828"
    assert result.profile.name == "林间晚风-小满"
    assert result.profile.followers == 12480311
    assert result.profile.post_count == 876
    assert result.profile.verified is True


def test_capture_posts_page(capture: dict) -> None:
    now = datetime(2021, 9, 18, 12, 0, tzinfo=SH)
    page = parse_posts_page("singer", json.dumps(capture["cards1"]).encode(), now)
    assert len(page.posts) == 10
    assert (page.page, page.total, page.since_id) == (2, 880, None)
    assert not any(post.is_pinned for post in page.posts)  # mblogtype 1 posts are not pins
    assert all(post.published_at is not None and post.published_at <= now for post in page.posts)
    first = page.posts[0]
    assert first.post_id == "4683102234561289"
    assert first.url == "https://m.weibo.cn/status/KxUa0b1cD"
    assert first.published_at == datetime(2021, 9, 17, tzinfo=SH)
    assert first.text == "排练到深夜，终于可以去吃宵夜了[馋嘴][馋嘴]"
    assert first.media == "image"
    assert (first.likes, first.comments, first.shares) == (266540, 40211, 182305)
    reposts = [post for post in page.posts if not post.is_original]
    assert [post.repost_of for post in reposts] == ["@周岚Lan:4682735519004212"]
    assert reposts[0].text == "一起去看吧～～～[哈哈]"
    assert reposts[0].repost_text.startswith("今晚《江畔来信》首映，灯亮之前我们都哭了……\n#江畔来信首映#")
    assert "<" not in reposts[0].repost_text
    media = {post.post_id: post.media for post in page.posts}
    assert media["4681990320118834"] == "video"
    assert media["4678802311456612"] == "text"  # page_info "webpage"
    assert any(post.shares == 1_000_000 for post in page.posts)  # "100万+"


def test_capture_long_text(capture: dict) -> None:
    text = parse_long_text(json.dumps(capture["statuses1"]))
    assert text is not None
    assert "\n晚风\n" in text and "<br" not in text


def test_capture_status_detail_is_a_repost(capture: dict) -> None:
    post = parse_status("fan", json.dumps(capture["retweet01"]), datetime(2021, 9, 19, tzinfo=SH))
    assert post.post_id == "4683290011223344"
    assert post.url == "https://m.weibo.cn/status/KxVb3cD4e"
    assert not post.is_original
    assert post.repost_of.startswith("@") and post.repost_of.endswith(":4683188844556677")
    assert post.repost_text and post.repost_text.startswith("#") and "<a" not in post.repost_text
    assert "购票方式稍后公布" in post.repost_text  # the long text, not the cut listing text
    assert post.published_at == datetime(2021, 9, 18, 9, 12, 5, tzinfo=SH)
    assert post.source == "iPhone 12"


def test_capture_comment_dates(capture: dict) -> None:
    now = datetime(2021, 9, 18, 20, 0, tzinfo=SH)
    for key in ("comments1", "comments2"):
        for comment in capture[key]["data"]["data"]:
            parsed = parse_weibo_time(comment["created_at"], now)
            assert parsed is not None and parsed <= now


# --- robustness ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
mblog_keys = st.sampled_from(
    [
        "id",
        "bid",
        "created_at",
        "text",
        "isLongText",
        "pics",
        "page_info",
        "retweeted_status",
        "user",
        "mblogtype",
        "title",
        "attitudes_count",
        "source",
        "longText",
    ]
)


@given(mblog=st.dictionaries(mblog_keys, json_values, max_size=8), extra=json_values)
@settings(max_examples=200, deadline=None)
def test_posts_page_never_crashes_on_odd_values(mblog: dict, extra: object) -> None:
    body = json.dumps(
        {
            "ok": 1,
            "data": {
                "cardlistInfo": {"since_id": extra, "page": extra, "total": extra},
                "cards": [
                    {"card_type": 9, "mblog": {"id": "1", **mblog}},
                    extra,
                    {"card_type": 11, "card_group": extra},
                ],
            },
        }
    )
    try:
        page = parse_posts_page("a", body, NOW)
    except PageProblem:
        return
    for post in page.posts:
        assert post.media in ("text", "image", "video", "article")
        assert post.published_at is None or post.published_at.tzinfo is not None
