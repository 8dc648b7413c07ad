"""The pure pieces of platform access: the visitor passage's answer, the "who am I" answers,
which refusals are read again after a back-off, weibo.com's PC statuses as posts."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from scrapy.http import Request, TextResponse

from core.items import BLOCKED, ERROR, PageProblem
from crawler.parsers import blocks, login, weibo_pc
from crawler.weibo_visitor import parse_passage, visitor_location

TZ = ZoneInfo("Asia/Shanghai")
PASSPORT = "https://visitor.passport.weibo.cn/visitor/genvisitor2"


def answer(url: str, body: str, status: int = 200, headers: dict | None = None) -> TextResponse:
    return TextResponse(url, status=status, body=body.encode("utf-8"), headers=headers or {}, encoding="utf-8",
                        request=Request(url))  # fmt: skip


def jsonp(data: dict) -> str:
    return f"window.visitor_gray_callback && visitor_gray_callback({json.dumps(data)});"


def test_a_passage_takes_its_cookies_from_set_cookie_scoped_to_their_domain():
    body = jsonp({"retcode": 20000000, "msg": "succ", "data": {"sub": "_2AkMbody", "subp": "0033body"}})
    headers = {
        "Set-Cookie": [
            "SUB=_2AkMheader; expires=Monday, 27-Sep-2027 16:42:59 GMT; path=/; domain=.weibo.cn; secure; httponly",
            "SUBP=0033header; expires=Monday, 27-Sep-2027 16:42:59 GMT; path=/; domain=.weibo.cn",
        ]
    }
    jar = parse_passage(answer(PASSPORT, body, headers=headers), "m.weibo.cn")
    assert jar is not None and jar.values == {"SUB": "_2AkMheader", "SUBP": "0033header"}
    assert jar.covers("m.weibo.cn") and jar.covers("weibo.cn")
    assert not jar.covers("weibo.com") and not jar.covers("evilweibo.cn") and not jar.covers("example.com")


def test_a_passage_without_set_cookie_uses_the_body_for_the_redirected_host_only():
    body = jsonp({"retcode": 20000000, "data": {"sub": "_2AkMbody", "subp": "0033body"}})
    jar = parse_passage(answer(PASSPORT, body), "m.weibo.cn")
    assert jar is not None and jar.header() == "SUB=_2AkMbody; SUBP=0033body"
    assert jar.covers("m.weibo.cn") and not jar.covers("s.weibo.cn")


@pytest.mark.parametrize(
    "body",
    [
        jsonp({"retcode": 50111, "msg": "访问受限", "data": {}}),
        "<html><title>安全验证</title></html>",
        jsonp({"retcode": 20000000, "data": {}}),
    ],
)
def test_a_refused_passage_gives_no_cookies(body: str):
    assert parse_passage(answer(PASSPORT, body), "m.weibo.cn") is None


def test_the_visitor_check_is_found_in_a_redirect_or_a_landed_page():
    location = "https://visitor.passport.weibo.cn/visitor/visitor?entry=sinawap&a=enter&url=https%3A%2F%2Fm.weibo.cn%2F"
    redirect = answer(
        "https://m.weibo.cn/api/container/getIndex?type=uid&value=1", "", 302, {"Location": location}
    )
    assert visitor_location(redirect) == location
    assert visitor_location(answer(location, "<title>Sina Visitor System</title>")) == location
    login = answer(
        "https://m.weibo.cn/api/x", "", 302, {"Location": "https://passport.weibo.cn/signin/login?r=x"}
    )
    assert visitor_location(login) is None


def test_who_am_i_answers():
    assert login.weibo_config('{"data":{"login":true,"uid":"123","st":"x"},"ok":1}') == login.Login(
        True, "123"
    )
    assert not login.weibo_config('{"preferQuickapp":0,"data":{"login":false},"ok":1}').logged_in
    assert login.bilibili_nav('{"code":0,"data":{"isLogin":true,"uname":"青川"}}').who == "青川"
    assert not login.bilibili_nav('{"code":-101,"message":"账号未登录","data":{"isLogin":false}}').logged_in
    with pytest.raises(ValueError):
        login.weibo_config('{"ok":1}')


@pytest.mark.parametrize(
    ("status", "body", "retry"),
    [
        (418, "", True),
        (432, "", True),
        (429, "", True),
        (403, "<html>forbidden</html>", False),
        (200, '{"code":-352,"message":"风控校验失败"}', True),
        (200, '{"base_resp":{"ret":200013}}', True),
        (200, "<html><head><title>安全验证</title></head><body>请输入验证码</body></html>", True),
        (200, "<html><head><title>访问被拒绝</title></head><body>拒绝访问</body></html>", False),
    ],
)
def test_which_refusals_are_read_again_after_a_back_off(status: int, body: str, retry: bool):
    with pytest.raises(PageProblem) as caught:
        blocks.check_response(
            status, "https://m.weibo.cn/api/container/getIndex", body.encode(), expect="json"
        )
    assert caught.value.outcome == BLOCKED
    assert caught.value.retry_later is retry


def rsshub_error(message: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>Error - RSSHub</title></head><body>"
        "<h1>Looks like something went wrong</h1>"
        f"<p>Error Message: <code>{message}</code></p></body></html>"
    ).encode()


def test_a_bridge_error_page_passing_on_a_rate_limit_is_read_again_any_other_is_its_error():
    with pytest.raises(PageProblem) as caught:
        blocks.check_response(
            503, "http://rsshub/bilibili/user/video/1", rsshub_error("Got error code -352"), expect="feed"
        )
    assert caught.value.outcome == BLOCKED and caught.value.retry_later
    with pytest.raises(PageProblem) as caught:
        blocks.check_response(503, "http://rsshub/wechat/x", rsshub_error("Route not found"), expect="feed")
    assert caught.value.outcome == ERROR and "Route not found" in caught.value.detail


def test_pc_statuses_become_the_same_posts_as_the_mobile_ones():
    status = {
        "created_at": "Fri Nov 20 09:08:06 +0800 2026",
        "id": 5340000000000001,
        "idstr": "5340000000000001",
        "mblogid": "Pabcdefgh",
        "text": "<a href='/n/x'>@x</a> 通知<br />正文",
        "text_raw": "@x 通知\n正文",
        "isLongText": True,
        "isTop": 1,
        "reposts_count": 3,
        "comments_count": 2,
        "attitudes_count": 1,
        "user": {"id": 7712000101, "screen_name": "青川发布"},
    }
    body = json.dumps({"ok": 1, "data": {"list": [status], "since_id": "", "total": 9}})
    page = weibo_pc.parse_mymblog("a", body, datetime(2026, 11, 21, tzinfo=TZ), TZ)
    post = page.posts[0]
    assert post.post_id == "5340000000000001" and post.is_pinned and post.truncated
    assert post.published_at == datetime(2026, 11, 20, 9, 8, 6, tzinfo=TZ)
    assert post.url == "https://m.weibo.cn/status/Pabcdefgh"
    assert "通知" in post.text and post.shares == 3 and page.total == 9
    assert page.mblogids == {"5340000000000001": "Pabcdefgh"}
    with pytest.raises(PageProblem):
        weibo_pc.parse_mymblog(
            "a", '{"ok":-100,"url":"https://passport.weibo.com/signin/login"}', datetime.now(TZ)
        )


@pytest.mark.parametrize(
    ("body", "outcome", "retry"),
    [
        ('{"detail":"公众号不存在或未订阅"}', ERROR, False),
        ('{"code":40001,"message":"授权已过期，请扫码登录"}', ERROR, False),
        ('{"base_resp":{"ret":200013,"err_msg":"freq control"}}', BLOCKED, True),
        ('{"code":-352,"message":"风控校验失败"}', BLOCKED, True),
    ],
)
def test_a_json_error_from_a_bridge_is_its_error_or_a_rate_limit(body: str, outcome: str, retry: bool):
    with pytest.raises(PageProblem) as caught:
        blocks.check_response(200, "http://werss:8001/feed/MP_WXS_1.rss", body.encode(), expect="feed")
    assert caught.value.outcome == outcome and caught.value.retry_later is retry


def test_wechat_frequency_control_in_place_of_an_article_page_is_a_block_read_again():
    body = b'{"base_resp":{"ret":200013,"err_msg":"freq control"}}'
    with pytest.raises(PageProblem) as caught:
        blocks.check_response(200, "https://mp.weixin.qq.com/s/abc", body, expect="html")
    assert caught.value.outcome == BLOCKED and caught.value.retry_later
