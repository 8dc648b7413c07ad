"""Every platform govwatch knows, declared once.

One ``Platform`` per platform in ``TABLE``: its code (stored in ``accounts.platform``
and written in config.yaml), its Chinese name, the names offices write in their 台账,
which account fields it needs, the spiders that read it (by dotted path, so the ground
imports nothing above it), whether its accounts are probed instead, the domains its
cookie may go to and how that cookie is checked and renewed, its default base URL, and
whether govwatch monitors it at all.

Readers: config validation (core/config.py), the crawl runner's spider choice and the
prober (crawler/run.py, crawler/probe.py), the spiders' ``wants``, the cookie rule
(crawler/cookies.py), the cookie check and alerts (crawler/cookie_health.py,
analysis/crawl_health.py), the feed parser's media kind, the article re-read
(crawler/planning.py), the registry importer (storage/registry.py), status analysis, and
every label a supervisor reads (reporting/labels.py and the alerts and findings that
name a platform). They call the functions below, which read ``TABLE`` when asked: a platform
added here is accepted, crawled, imported and labelled without another edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What an account of a platform read through a feed bridge lacks when it has no feed.
_LACKS_FEED = "台账缺少订阅地址（feed_url），该平台需经订阅源抓取，请补充"
_FEED_SPIDER = "crawler.spiders.feed.FeedSpider"
# How an operator renews a platform's login cookie, unless its declaration says otherwise.
_RENEW = (
    "在浏览器中重新登录该平台，复制请求头 Cookie 写入环境变量 {env}（经 RSSHub 等桥接读取的平台，"
    "同时更新桥接服务自己的 Cookie 配置），重启后运行 govwatch cookies check 确认。"
)


@dataclass(frozen=True)
class Platform:
    """One platform's facts."""

    code: str  # the stored and configured name: weibo, wechat ...
    name_zh: str  # how a supervisor reads it (reports, alerts, findings' evidence)
    # Other names offices write in their 台账 (the code and name_zh are always understood).
    aliases: tuple[str, ...] = ()
    # The name the registry file is written with, when the offices' lists use another one.
    registry_name: str | None = None
    # False: listed in 台账 and registered, never crawled, never an error or a finding.
    monitored: bool = True
    # Account fields of which one makes an account readable (config validation), said in
    # English for the config error and in Chinese for the crawl outcome of an account without.
    needs: tuple[str, ...] = ()
    needs_said: str = ""
    lacks_zh: str = _LACKS_FEED
    # The spiders that may read its accounts (dotted paths), asked in order: the first whose
    # ``wants`` takes the account reads it.
    spiders: tuple[str, ...] = ()
    # Account kinds (publish, service) checked by a probe of their url instead of a spider.
    probed_kinds: tuple[str, ...] = ()
    base_url: str | None = None  # default of platforms.<code>.base_url
    # The domains its cookie may go to, subdomains included (crawler/cookies.py).
    domains: tuple[str, ...] = ()
    # Read as a visitor; its login cookie goes only where the visitor is refused
    # (crawler/weibo_visitor.py), so a good crawl says nothing about the cookie.
    visitor_first: bool = False
    # The cookie check (crawler/cookie_health.py): the path of a cheap "who am I" request on
    # base_url and the dotted path of the parser of its answer; None: no check of its own.
    login_check: tuple[str, str] | None = None
    renew_zh: str = _RENEW  # how an operator renews its cookie ({env}: the variable's name)
    # Each account is its own site (a website column, a feed, an app's link): the account's
    # own host may get the platform's cookie.
    own_site: bool = False
    # What a post read through a feed is when its enclosures do not say (video, article).
    media: str | None = None
    # Its spider reads each new post's own page; a page that failed is asked for again.
    reads_articles: bool = False
    # platforms.<code> options no other platform has.
    options: tuple[str, ...] = ()
    # Where an account's own id (its handle) shows in its URL: one group, the id.
    handle_in_url: str | None = None

    @property
    def registry_label(self) -> str:
        """The platform's name in the registry file govwatch writes."""
        return self.registry_name or self.name_zh

    def handle_from(self, url: str | None) -> str | None:
        """The account's id read from its URL, when the platform's URLs carry it."""
        match = re.search(self.handle_in_url, url) if self.handle_in_url and url else None
        return match.group(1) if match else None


def _fed(
    code: str, name_zh: str, *aliases: str, domains: tuple[str, ...] = (), media: str | None = None
) -> Platform:
    """A platform read through a feed bridge (RSSHub and the like)."""
    return Platform(
        code,
        name_zh,
        aliases,
        needs=("feed_url", "url"),
        needs_said="feed_url (or url)",
        spiders=(_FEED_SPIDER,),
        domains=domains,
        media=media,
    )


def _unmonitored(code: str, name_zh: str, *aliases: str, media: str | None = None) -> Platform:
    """A platform offices list and govwatch does not read."""
    return Platform(code, name_zh, aliases, monitored=False, media=media)


TABLE: tuple[Platform, ...] = (
    Platform(
        "weibo",
        "微博",
        ("政务微博", "新浪"),
        registry_name="新浪微博",
        needs=("handle", "url", "feed_url"),
        needs_said="handle (the uid), url or feed_url",
        lacks_zh="台账缺少微博账号ID（数字 uid）或订阅地址，无法抓取，请补充",
        spiders=("crawler.spiders.weibo.WeiboSpider", _FEED_SPIDER),  # the API with a uid, else the feed
        base_url="https://m.weibo.cn",
        domains=("weibo.cn", "weibo.com"),
        visitor_first=True,
        login_check=("/api/config", "crawler.parsers.login.weibo_config"),
        renew_zh=(
            "用浏览器登录 m.weibo.cn（建议使用单位专用小号），在开发者工具“网络”中任选一个 m.weibo.cn 请求，"
            "复制请求头 Cookie 的整串值（含 SUB、SUBP），写入环境变量 {env}，重启 govwatch（或 serve 服务）；"
            "再运行 govwatch cookies check 确认“有效”。没有 Cookie 时微博按访客方式读取，只有需要登录的内容（如部分评论）读不到。"
        ),
        options=("web_base_url",),
        handle_in_url=r"weibo\.(?:cn|com)/(?:u/|profile/)?(\d{5,})",
    ),
    Platform(
        "wechat",
        "微信公众号",
        ("微信", "公众号", "微信公众平台", "微信服务号", "微信订阅号", "微信号"),
        needs=("feed_url", "url"),
        needs_said="feed_url (or url)",
        spiders=("crawler.spiders.wechat.WechatSpider",),
        domains=("mp.weixin.qq.com",),
        media="article",
        reads_articles=True,
    ),
    _fed("douyin", "抖音", "抖音号", "抖音短视频", domains=("douyin.com", "iesdouyin.com"), media="video"),
    _fed("toutiao", "今日头条", "头条", "头条号", domains=("toutiao.com",), media="article"),
    _fed("kuaishou", "快手", "快手号", domains=("kuaishou.com",), media="video"),
    Platform(
        "bilibili",
        "哔哩哔哩",
        ("b站", "哔哩哔哩弹幕网"),
        needs=("feed_url", "url"),
        needs_said="feed_url (or url)",
        spiders=(_FEED_SPIDER,),
        base_url="https://api.bilibili.com",  # its own API: the cookie check; posts come by feed
        domains=("bilibili.com",),
        media="video",
        login_check=("/x/web-interface/nav", "crawler.parsers.login.bilibili_nav"),
        renew_zh=(
            "用浏览器登录 www.bilibili.com，在开发者工具“应用/存储 → Cookie”中复制 SESSDATA、bili_jct、DedeUserID，"
            "按“SESSDATA=…; bili_jct=…; DedeUserID=…”写入环境变量 {env}（同时更新 RSSHub 的 BILIBILI_COOKIE_*），"
            "重启后运行 govwatch cookies check 确认。"
        ),
    ),
    _fed("xiaohongshu", "小红书", domains=("xiaohongshu.com",)),
    Platform(
        "website",
        "政府网站",
        ("网站", "门户网站", "部门网站"),
        needs=("url",),
        needs_said="url (the column's list page)",
        lacks_zh="台账缺少网站栏目链接（url），无法抓取，请补充",
        spiders=("crawler.spiders.website.WebsiteSpider",),
        probed_kinds=("service",),
        own_site=True,
        reads_articles=True,
        options=("fetch_articles",),
    ),
    Platform(
        "rss",
        "RSS订阅",
        ("订阅源",),
        needs=("feed_url", "url"),
        needs_said="feed_url (or url)",
        spiders=(_FEED_SPIDER,),
        own_site=True,
    ),
    Platform(
        "app",
        "移动客户端",
        ("客户端", "手机客户端", "移动应用", "应用程序"),
        needs=("url",),
        needs_said="url (the download link)",
        lacks_zh="台账缺少客户端下载链接（url），无法检测，请补充",
        probed_kinds=("publish", "service"),
        own_site=True,
    ),
    _unmonitored("channels", "微信视频号", "视频号", media="video"),
    _unmonitored("baijiahao", "百家号", "百度百家号", "百度号"),
    _unmonitored("netease", "网易号", "网易新闻", "网易"),
    _unmonitored("qiehao", "企鹅号", "腾讯企鹅号", "腾讯新闻", "腾讯号"),
    _unmonitored("renminhao", "人民号", "人民日报人民号", "人民日报客户端"),
    _unmonitored("xuexi", "学习强国号", "学习强国", "强国号"),
    _unmonitored("zhihu", "知乎", "知乎号", "知乎机构号"),
    _unmonitored("miniprogram", "小程序", "微信小程序", "支付宝小程序"),
)


def declared(code: str | None) -> Platform | None:
    """The declaration of ``code``, or None for a name govwatch does not know."""
    return next((p for p in TABLE if p.code == code), None)


def account_codes() -> tuple[str, ...]:
    """Every platform an account may be on (config.yaml, the registry)."""
    return tuple(p.code for p in TABLE)


def monitored_codes() -> tuple[str, ...]:
    """The platforms govwatch reads: the keys of config.yaml's ``platforms:``, ``--platform``."""
    return tuple(p.code for p in TABLE if p.monitored)


def unmonitored_codes() -> tuple[str, ...]:
    """The platforms whose accounts are registered and never crawled."""
    return tuple(p.code for p in TABLE if not p.monitored)


def is_monitored(code: str | None) -> bool:
    """Whether govwatch reads accounts of ``code`` (an unknown name is not unmonitored)."""
    platform = declared(code)
    return platform is None or platform.monitored


def names_zh() -> dict[str, str]:
    """Each platform's Chinese name by code."""
    return {p.code: p.name_zh for p in TABLE}


def name_zh(code: str) -> str:
    """The Chinese name of ``code``; an unknown code is shown as itself."""
    platform = declared(code)
    return platform.name_zh if platform else code


def spelled() -> dict[str, str]:
    """Every lower-cased name people write for a platform (code, Chinese name, registry name,
    aliases) -> its code, in table order: for equally long names found inside a longer cell,
    the platform declared first wins."""
    found: dict[str, str] = {}
    for p in TABLE:
        for name in (p.code, p.name_zh, p.registry_label, *p.aliases):
            found[name.lower()] = p.code
    return found
