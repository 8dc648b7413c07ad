"""A platform's cookie reaches that platform's hosts and no other.

Two loopback addresses stand for two hosts: 127.0.0.1 plays every platform's own host
(Weibo's API, WeChat's article host, the website column's site, the app's download site)
and 127.0.0.2 the rest of the world (another site an item links to, a feed bridge, the
target of a redirect or a meta refresh). A real `govwatch crawl` runs with a different
cookie per platform; every request both servers receive is recorded with its Cookie header.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml

from crawler.cookies import belongs
from sandbox.configgen import config_dict
from sandbox.http import HTML, Request, Response
from sandbox.server import Sandbox
from tests.conftest import run_govwatch

COOKIES = {
    "weibo": "SUB=weibo-login-secret",
    "wechat": "wxuin=wechat-login-secret",
    "website": "JSESSIONID=website-session-secret",
    "douyin": "sessionid=douyin-login-secret",
    "rss": "auth=rss-feed-secret",
    "app": "token=app-download-secret",
}
RSS = "application/rss+xml; charset=utf-8"


class Recorder:
    """A sandbox hook: records (path, Cookie header) of every request and answers `routes`."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.routes: dict[str, Response] = {}

    def __call__(self, request: Request) -> Response | None:
        self.seen.append((request.path, request.headers.get("cookie")))
        return self.routes.get(request.path)

    def cookies_at(self, prefix: str) -> set[str | None]:
        return {cookie for path, cookie in self.seen if path.startswith(prefix)}


@pytest.fixture
def hosts() -> Iterator[tuple[Sandbox, Recorder, Sandbox, Recorder]]:
    with Sandbox(host="127.0.0.1", port=0) as own, Sandbox(host="127.0.0.2", port=0) as other:
        own_log, other_log = Recorder(), Recorder()
        own.hooks.append(own_log)
        other.hooks.append(other_log)
        yield own, own_log, other, other_log


def page(body: str) -> Response:
    return Response(200, f'<!DOCTYPE html><html><head><meta charset="utf-8">{body}'.encode(), HTML)


def article(title: str) -> Response:
    return page(f"<title>{title}</title></head><body><h1>{title}</h1><p>{title}的正文。</p></body></html>")


def refresh_to(url: str) -> Response:
    return page(
        f'<meta http-equiv="refresh" content="0; url={url}"><title>跳转</title></head><body></body></html>'
    )


def redirect_to(url: str) -> Response:
    return Response(302, b"", HTML, {"Location": url})


def rss(items: list[tuple[str, str]]) -> Response:
    now = datetime.now(UTC)
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<description>{title}的摘要</description>"
        f"<pubDate>{format_datetime(now - timedelta(hours=n + 1), usegmt=True)}</pubDate></item>"
        for n, (title, link) in enumerate(items)
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>测试</title>{entries}</channel></rss>'
    return Response(200, body.encode(), RSS)


def column(items: list[tuple[str, str]]) -> Response:
    today = datetime.now(UTC).date()
    lines = "".join(
        f'<li><a href="{link}">{title}</a><span>{today - timedelta(days=n + 1)}</span></li>'
        for n, (title, link) in enumerate(items)
    )
    return page(f'<title>工作动态</title></head><body><ul class="news">{lines}</ul></body></html>')


@pytest.mark.slow  # a crawl through the govwatch command
def test_each_platform_cookie_reaches_its_own_host_and_never_another(
    tmp_path: Path, hosts, monkeypatch: pytest.MonkeyPatch
):
    own, own_log, other, other_log = hosts
    me, them = own.base_url, other.base_url
    # Another host: whatever is asked of it answers as a plain page (or a feed for the bridge).
    for path in ("/web/foreign.html", "/web/redirected.html", "/web/refreshed.html", "/wx/foreign.html"):
        other_log.routes[path] = article("别处的页面")
    for path in ("/wx/redirected.html", "/wx/refreshed.html", "/app/file.apk", "/weibo/login"):
        other_log.routes[path] = article("别处的页面")
    # The website column (on its own host) lists an item on another host, one redirecting there
    # with a 302 and one with a meta refresh, and one article of its own.
    own_log.routes["/leak/web/index.html"] = column(
        [
            ("本站文章", f"{me}/leak/web/own.html"),
            ("外站文章", f"{them}/web/foreign.html"),
            ("跳转文章", f"{me}/leak/web/redirect.html"),
            ("刷新文章", f"{me}/leak/web/refresh.html"),
        ]
    )
    own_log.routes["/leak/web/own.html"] = article("本站文章")
    own_log.routes["/leak/web/redirect.html"] = redirect_to(f"{them}/web/redirected.html")
    own_log.routes["/leak/web/refresh.html"] = refresh_to(f"{them}/web/refreshed.html")
    # WeChat: the bridge (another host) serves the feed; one article on WeChat's host, one
    # linking off it, one redirecting off it, one refreshing off it.
    other_log.routes["/rsshub/wechat/leak"] = rss(
        [
            ("公众号文章", f"{me}/leak/wx/own.html"),
            ("外链文章", f"{them}/wx/foreign.html"),
            ("跳转文章", f"{me}/leak/wx/redirect.html"),
            ("刷新文章", f"{me}/leak/wx/refresh.html"),
        ]
    )
    own_log.routes["/leak/wx/own.html"] = article("公众号文章")
    own_log.routes["/leak/wx/redirect.html"] = redirect_to(f"{them}/wx/redirected.html")
    own_log.routes["/leak/wx/refresh.html"] = refresh_to(f"{them}/wx/refreshed.html")
    # Feeds: Douyin's on a host declared as Douyin's and on a bridge; an RSS feed on its own
    # site and one read through a bridge; a Weibo account read only through a bridge.
    own_log.routes["/leak/douyin.xml"] = rss([("抖音作品", f"{me}/leak/dy/1")])
    other_log.routes["/rsshub/douyin/leak"] = rss([("抖音作品", f"{me}/leak/dy/2")])
    own_log.routes["/leak/rss.xml"] = rss([("通知", f"{me}/leak/rss/1")])
    other_log.routes["/rsshub/rss/leak"] = rss([("通知", f"{me}/leak/rss/2")])
    other_log.routes["/rsshub/weibo/leak"] = rss([("微博", f"{me}/leak/wb/1")])
    # An app whose download link redirects to another host; a website service link.
    own_log.routes["/leak/app/download"] = redirect_to(f"{them}/app/file.apk")
    own_log.routes["/leak/service.html"] = article("办事服务")

    def redirected_weibo(request: Request) -> Response | None:
        """Weibo's API sending one account to another host's login page."""
        if request.query.get("value") == "7712999999" or request.query.get("containerid", "").endswith(
            "7712999999"
        ):
            return redirect_to(f"{them}/weibo/login")
        return None

    own.hooks.append(redirected_weibo)

    config = config_dict(me)
    config["database"] = f"sqlite:///{tmp_path / 'govwatch.db'}"
    config["alerts"] = {"enabled": False}
    for name, value in COOKIES.items():
        variable = f"GW_TEST_COOKIE_{name.upper()}"
        monkeypatch.setenv(variable, value)
        config["platforms"].setdefault(name, {})["cookie_env"] = variable
    # 127.0.0.1 stands for mp.weixin.qq.com and for a host Douyin is declared to own.
    config["platforms"]["wechat"]["cookie_domains"] = ["127.0.0.1"]
    config["platforms"]["douyin"]["cookie_domains"] = ["127.0.0.1"]
    unit = "旗政府办公室"
    world_weibo = next(a for a in config["accounts"] if a["platform"] == "weibo")
    config["accounts"] = [
        world_weibo,
        {
            "id": "leak-weibo-302",
            "unit": unit,
            "platform": "weibo",
            "name": "跳转微博",
            "handle": "7712999999",
        },
        {
            "id": "leak-weibo-feed",
            "unit": unit,
            "platform": "weibo",
            "name": "桥微博",
            "feed_url": f"{them}/rsshub/weibo/leak",
        },
        {
            "id": "leak-web",
            "unit": unit,
            "platform": "website",
            "name": "网站栏目",
            "url": f"{me}/leak/web/index.html",
            "selectors": {"item": "ul.news li", "link": "a", "date": "span"},
        },
        {
            "id": "leak-wechat",
            "unit": unit,
            "platform": "wechat",
            "name": "公众号",
            "feed_url": f"{them}/rsshub/wechat/leak",
        },
        {
            "id": "leak-douyin-own",
            "unit": unit,
            "platform": "douyin",
            "name": "抖音甲",
            "feed_url": f"{me}/leak/douyin.xml",
        },
        {
            "id": "leak-douyin-bridge",
            "unit": unit,
            "platform": "douyin",
            "name": "抖音乙",
            "feed_url": f"{them}/rsshub/douyin/leak",
        },
        {
            "id": "leak-rss-own",
            "unit": unit,
            "platform": "rss",
            "name": "订阅甲",
            "url": f"{me}/leak/rss.xml",
        },
        {
            "id": "leak-rss-bridge",
            "unit": unit,
            "platform": "rss",
            "name": "订阅乙",
            "url": f"{me}/leak/site/",
            "feed_url": f"{them}/rsshub/rss/leak",
        },
        {
            "id": "leak-app",
            "unit": unit,
            "platform": "app",
            "name": "客户端",
            "kind": "service",
            "url": f"{me}/leak/app/download",
        },
        {
            "id": "leak-service",
            "unit": unit,
            "platform": "website",
            "name": "办事入口",
            "kind": "service",
            "url": f"{me}/leak/service.html",
        },
    ]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")

    result = run_govwatch(path, "crawl")
    assert result.returncode == 0, result.stderr

    # The other host saw the feeds, the links and the redirect targets, never a cookie.
    asked = {p for p, _ in other_log.seen}
    for target in (
        "/web/foreign.html",
        "/web/refreshed.html",
        "/wx/foreign.html",
        "/wx/refreshed.html",
        "/rsshub/wechat/leak",
        "/rsshub/douyin/leak",
        "/rsshub/rss/leak",
        "/rsshub/weibo/leak",
        "/app/file.apk",
    ):
        assert target in asked, f"{target} was never asked for: the test proves nothing about it"
    leaked = [(p, c) for p, c in other_log.seen if c]
    assert leaked == [], f"cookies sent to another host: {leaked}"

    # Each platform's own host got that platform's cookie, and only it.
    # (Weibo's login cookie only where its visitor passage is refused — tests/test_access_visitor.py
    # shows it sent then; this sandbox lets the visitor read, so the API may see none.)
    api = {c for p, c in own_log.seen if p.startswith(("/api/", "/statuses/", "/comments/"))}
    assert api and api <= {COOKIES["weibo"], None}, api
    assert own_log.cookies_at("/leak/web/") == {COOKIES["website"]}
    assert own_log.cookies_at("/leak/wx/") == {COOKIES["wechat"]}
    assert own_log.cookies_at("/leak/douyin.xml") == {COOKIES["douyin"]}
    assert own_log.cookies_at("/leak/rss.xml") == {COOKIES["rss"]}
    assert own_log.cookies_at("/leak/app/") == {COOKIES["app"]}
    assert own_log.cookies_at("/leak/service.html") == {COOKIES["website"]}
    for path in (
        "/leak/web/own.html",
        "/leak/web/redirect.html",
        "/leak/web/refresh.html",
        "/leak/wx/own.html",
    ):
        assert path in {p for p, _ in own_log.seen}, path


@pytest.mark.parametrize(
    ("host", "platform", "settings", "site", "expected"),
    [
        ("m.weibo.cn", "weibo", {}, None, True),
        ("passport.weibo.cn", "weibo", {}, None, True),
        ("weibo.com", "weibo", {}, None, True),
        ("notweibo.cn", "weibo", {}, None, False),
        ("weibo.cn.example.com", "weibo", {}, None, False),
        ("mp.weixin.qq.com", "wechat", {}, None, True),
        ("weixin.qq.com", "wechat", {}, None, False),
        ("rsshub.app", "wechat", {}, None, False),
        ("m.weibo.cn", "wechat", {}, None, False),
        ("127.0.0.1", "weibo", {"base_url": "http://127.0.0.1:8700"}, None, True),
        ("127.0.0.2", "weibo", {"base_url": "http://127.0.0.1:8700"}, None, False),
        ("www.example.gov.cn", "website", {}, "http://www.example.gov.cn/col/index.html", True),
        ("cdn.example.gov.cn", "website", {}, "http://www.example.gov.cn/col/index.html", False),
        (
            "www.example.gov.cn",
            "website",
            {"cookie_domains": ["login.example.gov.cn"]},
            "http://www.example.gov.cn/",
            False,
        ),
        ("sso.login.example.gov.cn", "website", {"cookie_domains": ["login.example.gov.cn"]}, None, True),
        ("www.example.gov.cn", "douyin", {}, "http://www.example.gov.cn/", False),
        ("", "weibo", {}, None, False),
    ],
)
def test_which_hosts_belong_to_a_platform(host, platform, settings, site, expected):
    assert belongs(host, platform, settings, site) is expected


@pytest.mark.slow  # runs the govwatch command
def test_cookie_domains_must_be_host_names(tmp_path: Path):
    data = {
        "database": "sqlite:///gw.db",
        "platforms": {"wechat": {"cookie_env": "X", "cookie_domains": ["https://mp.weixin.qq.com/s"]}},
        "accounts": [{"id": "a", "unit": "u", "platform": "weibo", "name": "n", "handle": "123456"}],
    }
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2
    assert "platforms.wechat.cookie_domains" in result.stderr and "host name" in result.stderr


def test_the_middleware_strips_any_cookie_bound_elsewhere(monkeypatch: pytest.MonkeyPatch):
    """Whoever set a Cookie header (a visitor passage, a future component), it leaves only for a
    host of the request's platform; a request naming no platform leaves without one."""
    from scrapy import Request

    from crawler.cookies import CookieRule, PlatformCookies

    monkeypatch.setenv("GW_TEST_WEIBO_COOKIE", "SUB=login")
    middleware = PlatformCookies(CookieRule.from_options({"weibo": {"cookie_env": "GW_TEST_WEIBO_COOKIE"}}))

    def sent(url: str, meta: dict, cookie: str | None = None) -> str | None:
        request = Request(url, meta=meta, headers={"Cookie": cookie} if cookie else None)
        assert middleware.process_request(request) is None
        value = request.headers.get("Cookie")
        return value.decode() if value else None

    assert sent("https://m.weibo.cn/api/container/getIndex", {"platform": "weibo"}) == "SUB=login"
    assert sent("https://weibo.com/ajax/profile/info", {"platform": "weibo"}) == "SUB=login"
    assert sent("https://rsshub.example.org/weibo/user/1", {"platform": "weibo"}) is None
    assert sent("https://m.weibo.cn/x", {"platform": "weibo"}, cookie="SUB=visitor") == "SUB=visitor"
    assert sent("https://evil.example.com/x", {"platform": "weibo"}, cookie="SUB=visitor") is None
    assert sent("https://m.weibo.cn/x", {}, cookie="SUB=visitor") is None
    assert sent("https://mp.weixin.qq.com/s/abc", {"platform": "wechat"}) is None  # no WeChat cookie set
