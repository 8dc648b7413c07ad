"""Links in posts, and the little internet they point to, served on loopback.

``plant(world)`` publishes posts on the government notices feed (qc-gov-rss) whose text carries
links: one to a page of the sandbox itself that is gone (404), one to a shop, one to a short link
that redirects to a gambling site, one to a parked domain's holding page, and one to a working
government page (a hard negative); and two posts that give their link only behind an anchor
(``ANCHOR_CASES``): a Weibo post's 网页链接 (wrapped in weibo.cn/sinaurl) to a parked domain, and
a government article's ``<a href>`` to a shop. They are opt-in (``Sandbox.plant_links()``), so the default
world's posts and truths stay as they are.

The link hosts (``mall-shop.example`` ...) do not resolve: a client reaches them through the
sandbox as its HTTP proxy (``links.proxy`` in config.yaml), which sends an absolute-form request
(``GET http://mall-shop.example/w/3/goods/1.html``) with the link's host in ``Host``. The path
keeps the mounted sandbox's prefix (``/__world__`` in the world's text, put in when served), so
the shared hub routes it to the right world and ``answer`` serves it by host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sandbox.http import HTML, Request, Response
from sandbox.world import SANDBOX_HOST, World

if TYPE_CHECKING:
    from sandbox.world import Post

WORLD = "/__world__"  # replaced by the mounted prefix ("/w/3", or "" standalone) when served
ACCOUNT = "qc-gov-rss"


@dataclass(frozen=True)
class LinkCase:
    key: str
    url: str  # as written in the post (placeholders replaced when served)
    verdict: str  # what a check sees: ok | dead | harmful | commercial
    text: str
    age_days: float


CASES: tuple[LinkCase, ...] = (
    LinkCase(
        "dead",
        f"{SANDBOX_HOST}/gone/tzgg-2026-031.html",
        "dead",
        "关于2026年度旗级惠民补贴申领的通知已发布，申领表格请登录 {url} 下载。",
        2.2,
    ),
    LinkCase(
        "shop",
        f"http://mall-shop.example{WORLD}/goods/1288.html",
        "commercial",
        "青川特色农产品展销会本周开幕，线上选购请访问 {url} 。",
        2.4,
    ),
    LinkCase(
        "gambling-redirect",
        f"http://t.short-link.example{WORLD}/r/9f2k",
        "harmful",
        "我旗第三季度重点项目建设进展情况详见 {url} 。",
        2.6,
    ),
    LinkCase(
        "parked",
        f"http://qc-expo-2019.example{WORLD}/",
        "dead",
        "2019年青川那达慕大会专题网站：{url}",
        2.8,
    ),
    LinkCase(
        "gov-ok",
        f"http://www.qingchuan.gov.cn{WORLD}/zwgk/tzgg/2026/notice-15.html",
        "ok",
        "政府信息公开年度报告全文见 {url} 。",
        3.0,
    ),
)


@dataclass(frozen=True)
class AnchorCase:
    """A link a post gives only behind an anchor: its text shows 网页链接 or a phrase, never the address."""

    key: str
    account: str
    url: str  # the target, as the check should see it (placeholders replaced when served)
    verdict: str
    html: str  # the post's body as its platform serves it
    age_days: float


# Weibo wraps an outside address in its redirect (weibo.cn/sinaurl?u=<quoted>) and shows 网页链接;
# the post also mentions an account and a topic, whose anchors are Weibo's own navigation.
_WEIBO_ANCHOR = (
    "青川那达慕大会筹备工作情况通报，往届专题回顾请点击"
    '<a data-url="http://t.cn/qcExpo" href="https://weibo.cn/sinaurl?f=w&amp;u='
    'http%3A%2F%2Fqc-expo-2019.example%2F__world__%2Fzhuanti%2Fhuigu.html">'
    "<span class='url-icon'><img style='width: 1rem;height: 1rem' src='/img/link.png'></span>"
    '<span class="surl-text">网页链接</span></a> '
    "<a href='/n/青川文旅'>@青川文旅</a> "
    '<a href="https://m.weibo.cn/search?containerid=231522type%3D1%26q%3D%23%E9%82%A3%E8%BE%BE%E6%85%95%23">'
    '<span class="surl-text">#那达慕#</span></a>'
)
# A government article whose body names its link only as anchor text.
_ARTICLE_ANCHOR = (
    "<p>为做好年货节期间农特产品展销工作，现将有关事项通知如下。</p>"
    "<p>一、参展企业须于月底前完成线上登记。</p>"
    '<p>二、线上展厅已开通，<a href="http://mall-shop.example/__world__/goods/2046.html" '
    'target="_blank">点击进入线上展厅</a>，欢迎群众选购。</p>'
    "<p>特此通知。</p>"
)
ANCHOR_CASES: tuple[AnchorCase, ...] = (
    AnchorCase(
        "weibo-anchor",
        "qc-fabu-weibo",
        f"http://qc-expo-2019.example{WORLD}/zhuanti/huigu.html",
        "dead",
        _WEIBO_ANCHOR,
        2.3,
    ),
    AnchorCase(
        "article-anchor",
        "qc-gov-web",
        f"http://mall-shop.example{WORLD}/goods/2046.html",
        "commercial",
        _ARTICLE_ANCHOR,
        2.5,
    ),
)

HOSTS = frozenset(
    {
        "mall-shop.example",
        "t.short-link.example",
        "www.vip-casino.example",
        "qc-expo-2019.example",
        "www.qingchuan.gov.cn",
    }
)


def plant(world: World) -> dict[str, Post]:
    """Publish the link cases on the notices feed; the posts by case key."""
    posts = {}
    account = world.account(ACCOUNT)
    newest = account.regular_posts()[0].published_at if account.regular_posts() else world.now
    for case in CASES:
        when = min(world.now - timedelta(days=case.age_days), newest - timedelta(minutes=1))
        posts[case.key] = world.add_post(ACCOUNT, case.text.format(url=case.url), when, title=case.text[:20])
    for anchor in ANCHOR_CASES:
        when = world.now - timedelta(days=anchor.age_days)
        title = "关于年货节农特产品展销的通知" if anchor.account == "qc-gov-web" else None
        posts[anchor.key] = world.add_post(anchor.account, anchor.html, when, title=title)
    return posts


def _page(title: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


def answer(world: World, request: Request, fixed: set[str]) -> Response | None:
    """The answer of a link host, or of the sandbox's own gone page; None for any other request."""
    host, _, prefix = request.host.partition("/")
    prefix = f"/{prefix}" if prefix else ""
    host = host.split(":")[0].lower()
    path = request.path
    if host not in HOSTS:
        if path.startswith("/gone/"):
            if "dead" in fixed:
                return Response(200, _page("关于惠民补贴申领的通知", "<p>申领表格下载</p>"), HTML)
            return Response(404, _page("404 Not Found", "<p>您访问的页面不存在</p>"), HTML)
        return None
    if host == "mall-shop.example":
        return Response(
            200,
            _page(
                "草原好物旗舰店",
                "<p>风干牛肉干 ¥89.00 包邮</p><button>加入购物车</button><button>立即购买</button>",
            ),
            HTML,
        )
    if host == "t.short-link.example":
        return Response(302, b"", HTML, {"Location": f"http://www.vip-casino.example{prefix}/?from=9f2k"})
    if host == "www.vip-casino.example":
        return Response(200, _page("澳门娱乐城", "<p>真人荷官 百家乐 首存送彩金</p>"), HTML)
    if host == "qc-expo-2019.example":
        return Response(
            200, _page("qc-expo-2019.example", "<p>This domain may be for sale. 该域名正在出售</p>"), HTML
        )
    return Response(200, _page("青川旗人民政府", "<p>政府信息公开年度报告</p>"), HTML)
