"""The sandbox world as data: the fictional banner 青川旗, its accounts, their posts, the truth.

A world is built from ``SPECS`` (one ``AccountSpec`` per account, each with a
``Scenario``), a ``now`` and a seed; the same ``now`` and seed give the same
world, post for post. Rendering (Weibo JSON, RSS/Atom) lives in weibo.py and
feeds.py; serving in server.py. To add a case, add an ``AccountSpec`` below;
to add a kind of failure, add a behaviour (``BEHAVIOURS``) and handle it in
server.py.

Status rule of the truth (days = now - last non-pinned post, in days):
active < 7 <= warning < 14 <= stale < 90 <= zombie; empty when the account has
never posted; unreachable when the platform says the account does not exist;
unknown when it was never read successfully (blocked, login wall, bridge
error) or when the profile and the post list disagree (the profile claims
posts, the list is empty).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import texts
from sandbox.content import PLANTED, TASK_DEADLINE_HOURS, TASK_ID, TASK_KEY, TASK_POSTS, Planted

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_SEED = 2026
WINDOW_DAYS = 90
WARN_DAYS, STALE_DAYS, ZOMBIE_DAYS = 7, 14, 90
PAGE_SIZE = 10  # posts per Weibo list page, as m.weibo.cn

# How an account answers. ok: normally. blocked: HTTP 418 on every request.
# login: 302 to the sandbox's /signin/login. not_found: {"ok":0,"msg":"用户不存在"}.
# error_page: a feed bridge's HTTP 200 HTML error page. hidden_posts: the profile
# claims posts but the list comes back empty (ok:1, cards []).
COMMENT_MODES = ("open", "limited", "not_shown")
BEHAVIOURS = ("ok", "blocked", "login", "not_found", "error_page", "hidden_posts")
OUTCOME_OF_BEHAVIOUR = {
    "ok": "ok",
    "blocked": "blocked",
    "login": "login_required",
    "not_found": "not_found",
    "error_page": "error",
    "hidden_posts": "ok",
}
FEED_CHANNEL_TITLES = {
    "wechat": "{name}",
    "douyin": "{name}的抖音",
    "toutiao": "{name} - 今日头条",
    "kuaishou": "{name} 的快手",
    "bilibili": "{name} 的 bilibili 投稿视频",
    "rss": "{name}",
    "weibo": "{name}的微博",
}
BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Links to the sandbox's own pages are rendered with this host; the server replaces it
# with the address the request came to (feed items link to article pages this way).
SANDBOX_HOST = "http://sandbox.invalid"


@dataclass
class Scenario:
    """How an account behaves and what it has posted."""

    name: str
    behavior: str = "ok"
    newest_days: float | None = 0.3  # age of the newest regular post; None: never posted
    cadence_days: float = 1.0  # mean gap between posts
    history_days: float = 110.0  # posts go back this far (from the newest)
    window_count: int | None = None  # exactly this many posts inside the 90-day window
    pinned_age_days: float | None = None  # a pinned post this old on top
    pin_signal: str = "full"  # full: mblogtype 2 + title 置顶 + profile_type_id; title: title only
    repost_share: float = 0.15
    long_text_every: int = 0  # every n-th original post is a long text (0: none)
    date_style: str = "relative"  # relative (刚刚, 5分钟前, 昨天 12:30, 11-20, 2023-11-20) | full
    group_cards: bool = False  # some posts inside card_type 11 card_group
    recent_forms: bool = False  # add posts 30 s, 5 min, 3 h ago and yesterday 12:30
    feed_format: str = "rss"  # rss | atom
    feed_limit: int = 20  # items a feed bridge returns
    profile_count: int | None = None  # statuses_count the profile claims, when not the real count
    with_deleted_repost: bool = False
    notes: str = ""
    # Comments, website columns, apps and WeChat articles.
    reply_style: str = "prompt"  # Weibo comments: prompt (questions answered within hours) | none
    layout: str = "list"  # website columns: list | table | text | nodate | trs | jcms | ucap | nanwei
    app_answer: str = "apk"  # apps: apk | missing (404) | error_page (302 to an HTML error page)
    article_block: bool = False  # WeChat: article pages answer 环境异常 (a verification page)
    deleted_article: bool = False  # WeChat: one article (the second newest) was deleted by its publisher
    # Who may comment on its posts (Weibo, WeChat): open | limited (Weibo: a restriction on who may
    # comment) | not_shown (WeChat: the article pages show no 留言). World.set_comments changes it.
    comments: str = "open"


@dataclass
class AccountSpec:
    id: str
    unit: str
    platform: str
    name: str
    handle: str  # weibo uid, or the feed bridge's key
    topic: str
    scenario: Scenario
    description: str = ""
    followers: int = 1000
    operator: str = "self"
    operator_name: str | None = None
    public_url: str | None = None  # feed platforms: the account's public page
    # The name the platform shows when the unit renamed the account without re-filing it
    # (名称变更未报备); None: the registry's name.
    profile_name: str | None = None

    @property
    def shown_name(self) -> str:
        return self.profile_name or self.name


@dataclass
class Post:
    id: str
    bid: str
    published_at: datetime
    title: str
    text: str  # HTML as a listing shows it (truncated for long texts)
    category: str = "工作动态"
    long_text: str | None = None  # full HTML when the listing text is truncated
    pinned: bool = False
    repost: dict[str, Any] | None = None  # the reposted original
    pics: int = 0
    media: str = "text"  # text | image | video | article
    reposts_count: int = 0
    comments_count: int = 0
    attitudes_count: int = 0
    source: str = "微博 weibo.com"
    link: str | None = None  # feed item link
    mblogtype: int = 0
    deleted: bool = False  # deleted by the publisher: gone from listings; an article page says so

    @property
    def is_original(self) -> bool:
        return self.repost is None

    @property
    def is_long(self) -> bool:
        return self.long_text is not None


@dataclass
class Account:
    spec: AccountSpec
    posts: list[Post] = field(default_factory=list)  # newest first, pinned included
    behavior: str = "ok"
    cache: dict[Any, bytes] = field(default_factory=dict)
    comments: str = ""  # the scenario's comment permission until World.set_comments changes it

    def __post_init__(self) -> None:
        self.comments = self.comments or self.spec.scenario.comments

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def platform(self) -> str:
        return self.spec.platform

    @property
    def is_feed(self) -> bool:
        return self.spec.platform not in ("weibo", "website", "app")

    @property
    def is_service(self) -> bool:
        return self.spec.platform == "app"

    @property
    def uid(self) -> str:
        return self.spec.handle

    @property
    def containerid(self) -> str:
        return f"107603{self.spec.handle}"

    @property
    def feed_path(self) -> str:
        return f"/rsshub/{self.spec.platform}/{self.spec.handle}"

    def regular_posts(self) -> list[Post]:
        return [p for p in self.posts if not p.pinned and not (p.deleted and self.platform != "wechat")]

    def pinned_posts(self) -> list[Post]:
        return [p for p in self.posts if p.pinned]

    def statuses_count(self) -> int:
        sc = self.spec.scenario
        return sc.profile_count if sc.profile_count is not None else len(self.posts)

    def feed_items(self) -> list[Post]:
        if self.behavior == "hidden_posts":
            return []
        return self.regular_posts()[: self.spec.scenario.feed_limit]


# --------------------------------------------------------------------------- the banner


def _weibo(id_: str, unit: str, name: str, uid: str, topic: str, sc: Scenario, **kw: Any) -> AccountSpec:
    return AccountSpec(id_, unit, "weibo", name, uid, topic, sc, **kw)


def _feed(
    id_: str, unit: str, platform: str, name: str, key: str, topic: str, sc: Scenario, **kw: Any
) -> AccountSpec:
    return AccountSpec(id_, unit, platform, name, key, topic, sc, **kw)


GOV, EDU, HEALTH, POLICE = "旗政府办公室", "旗教育局", "旗卫生健康委员会", "旗公安局"
WENLV, SCJG, YINGJI, RSJ = "旗文化和旅游局", "旗市场监督管理局", "旗应急管理局", "旗人力资源和社会保障局"
MEDIA, BAOLI, BAYAN, JIEDAO = "旗融媒体中心", "宝力镇人民政府", "巴彦苏木人民政府", "青川街道办事处"
UNITS = (GOV, EDU, HEALTH, POLICE, WENLV, SCJG, YINGJI, RSJ, MEDIA, BAOLI, BAYAN, JIEDAO)

SPECS: tuple[AccountSpec, ...] = (
    # ---------------------------------------------------------------- Weibo
    _weibo(
        "qc-fabu-weibo", GOV, "青川发布", "7712000101", "gov",
        Scenario("active-daily", newest_days=0.0, recent_forms=True, long_text_every=9,
                 notes="flagship: posts daily; 刚刚/分钟前/小时前/昨天 forms; a long text now and then"),
        description="青川旗人民政府新闻办公室官方微博", followers=86213,
    ),
    _weibo(
        "qc-edu-weibo", EDU, "青川教育", "7712000102", "edu",
        Scenario("active-multipage", newest_days=0.6, window_count=60, history_days=150,
                 notes="exactly 60 posts in the 90-day window: 6+ pages through since_id"),
        description="青川旗教育局官方微博", followers=15320,
    ),
    _weibo(
        "qc-health-weibo", HEALTH, "健康青川", "7712000103", "health",
        Scenario("active-longtext", newest_days=1.4, cadence_days=1.5, long_text_every=3,
                 notes="many isLongText posts, read through /statuses/extend"),
        description="青川旗卫生健康委员会官方微博", followers=12011,
    ),
    _weibo(
        "qc-police-weibo", POLICE, "青川公安", "7712000104", "police",
        Scenario("active-fullform-grouped", newest_days=0.8, date_style="full", group_cards=True,
                 comments="limited",
                 notes="created_at in the full form; some posts inside card_type 11 card_group; "
                       "comments restricted on every post (comment_manage_info): interaction off"),
        description="青川旗公安局官方微博", followers=40561,
    ),
    _weibo(
        "qc-yingji-weibo", YINGJI, "青川应急", "7712000105", "yingji",
        Scenario("active-pinned-old", newest_days=1.2, cadence_days=1.6, pinned_age_days=730,
                 notes="a pinned post from two years ago sits on top; fresh posts under it; its profile "
                       "shows 青川应急发布, not the registry's 青川应急 (renamed, not re-filed)"),
        description="青川旗应急管理局官方微博", followers=9030, profile_name="青川应急发布",
    ),
    _weibo(
        "qc-rmt-weibo", MEDIA, "青川融媒", "7712000106", "media",
        Scenario("active-reposts-only", newest_days=0.4, cadence_days=1.0, repost_share=1.0,
                 history_days=60, pinned_age_days=400, pin_signal="title", with_deleted_repost=True,
                 notes="every post is a repost (one of a deleted original): active, original share 0"),
        description="青川旗融媒体中心", followers=21877,
        operator="outsourced", operator_name="青川云帆网络科技有限公司",
    ),
    _weibo(
        "qc-wenlv-weibo", WENLV, "青川文旅", "7712000107", "wenlv",
        Scenario("warning", newest_days=10.0, cadence_days=4.0, history_days=200,
                 notes="last post 10 days ago"),
        description="青川旗文化和旅游局官方微博", followers=30210,
    ),
    _weibo(
        "qc-scjg-weibo", SCJG, "青川市场监管", "7712000108", "scjg",
        Scenario("stale", newest_days=30.0, cadence_days=6.0, history_days=240, notes="last post 30 days ago"),
        description="青川旗市场监督管理局官方微博", followers=6100,
    ),
    _weibo(
        "qc-rsj-weibo", RSJ, "青川人社", "7712000109", "rsj",
        Scenario("hidden-posts", behavior="hidden_posts", newest_days=None, profile_count=37,
                 notes="profile says 37 posts, the list comes back ok:1 with no cards: unknown, not empty"),
        description="青川旗人力资源和社会保障局", followers=3302,
    ),
    _weibo(
        "qc-traffic-weibo", POLICE, "青川交警", "7712000110", "police",
        Scenario("blocked", behavior="blocked", newest_days=0.5, cadence_days=2.0,
                 notes="HTTP 418 on every request"),
        description="青川旗公安局交通管理大队", followers=11200,
    ),
    _weibo(
        "qc-cdc-weibo", HEALTH, "青川疾控", "7712000111", "health",
        Scenario("login-wall", behavior="login", newest_days=2.0, cadence_days=3.0,
                 notes="302 to /signin/login (passport.weibo.cn imitation)"),
        description="青川旗疾病预防控制中心", followers=2040,
    ),
    _weibo(
        "qc-exam-weibo", EDU, "青川教育考试", "7712000112", "edu",
        Scenario("not-found", behavior="not_found", newest_days=None,
                 notes="profile answers {ok:0, msg:用户不存在}"),
    ),
    _weibo(
        "baoli-weibo", BAOLI, "宝力镇发布", "7712000113", "town",
        Scenario("zombie-120", newest_days=120.0, cadence_days=9.0, history_days=300,
                 notes="last post 120 days ago"),
        description="青川旗宝力镇人民政府", followers=1580,
    ),
    _weibo(
        "qingchuan-jd-weibo", JIEDAO, "青川街道", "7712000114", "street",
        Scenario("zombie-400", newest_days=400.0, cadence_days=12.0, history_days=300,
                 notes="last post 400 days ago (YYYY-MM-DD dates)"),
        description="青川旗青川街道办事处", followers=870,
    ),
    _weibo(
        "bayan-weibo", BAYAN, "巴彦苏木", "7712000115", "town",
        Scenario("empty", newest_days=None, notes="opened, never posted: statuses_count 0, no cards"),
        description="青川旗巴彦苏木人民政府", followers=35,
    ),
    _weibo(
        "qc-xiaofang-weibo", YINGJI, "青川消防", "7712000116", "yingji",
        Scenario("stale-60", newest_days=60.0, cadence_days=5.0, history_days=200, notes="last post 60 days ago"),
        description="青川旗消防救援大队", followers=5230,
    ),
    _weibo(
        "qc-zhengwu-weibo", GOV, "青川政务服务", "7712000117", "gov",
        Scenario("warning-11", newest_days=11.0, cadence_days=3.0, history_days=150, reply_style="none",
                 notes="last post 11 days ago; never answers the public's questions in comments"),
        description="青川旗政务服务中心", followers=4211,
    ),
    # ---------------------------------------------------------------- feeds
    _feed(
        "qc-fabu-wechat", GOV, "wechat", "青川发布", "MzI1NzQ4MTY3Mg", "gov",
        Scenario("active-daily", newest_days=0.3, feed_format="rss", notes="RSS 2.0, daily"),
    ),
    _feed(
        "qc-health-wechat", HEALTH, "wechat", "健康青川", "MzA5MTM4NzU2Mw", "health",
        Scenario("active", newest_days=0.5, cadence_days=1.3, feed_format="atom", comments="not_shown",
                 notes="its article pages show no 留言 (comment_id 0): interaction off, to be confirmed"),
    ),
    _feed(
        "qc-edu-wechat", EDU, "wechat", "青川教育", "MzA4ODk1NjM0MQ", "edu",
        Scenario("active", newest_days=1.5, cadence_days=2.0, feed_format="atom", notes="Atom"),
    ),
    _feed(
        "qc-health-douyin", HEALTH, "douyin", "健康青川", "MS4wLjABAAAAqc7hEa1th0d9Yx2Qz", "health",
        Scenario("warning", newest_days=9.0, cadence_days=3.0, feed_format="rss", notes="last item 9 days ago"),
        public_url="https://www.douyin.com/user/MS4wLjABAAAAqc7hEa1th0d9Yx2Qz",
    ),
    _feed(
        "qc-wenlv-douyin", WENLV, "douyin", "青川文旅", "MS4wLjABAAAAwL7vQc2nLv3Tq8Pk", "wenlv",
        Scenario("active", newest_days=0.9, cadence_days=1.5, feed_format="atom", notes="Atom"),
        public_url="https://www.douyin.com/user/MS4wLjABAAAAwL7vQc2nLv3Tq8Pk",
        operator="outsourced", operator_name="北疆星火文化传媒有限公司",
    ),
    _feed(
        "qc-wenlv-bilibili", WENLV, "bilibili", "青川文旅", "3493118494", "wenlv",
        Scenario("stale-45", newest_days=45.0, cadence_days=10.0, history_days=300, feed_format="rss",
                 notes="last video 45 days ago"),
        public_url="https://space.bilibili.com/3493118494",
    ),
    _feed(
        "qc-police-toutiao", POLICE, "toutiao", "青川公安", "4097736154", "police",
        Scenario("active", newest_days=0.7, cadence_days=1.2, feed_format="rss"),
        public_url="https://www.toutiao.com/c/user/4097736154/",
    ),
    _feed(
        "qc-police-kuaishou", POLICE, "kuaishou", "青川公安", "3xqingchuangaj", "police",
        Scenario("zombie-200", newest_days=200.0, cadence_days=15.0, history_days=200, feed_format="atom",
                 notes="last item 200 days ago"),
        public_url="https://www.kuaishou.com/profile/3xqingchuangaj",
    ),
    _feed(
        "qc-scjg-wechat", SCJG, "wechat", "青川市场监管", "MzkzNTU2NzQwMA", "scjg",
        Scenario("empty-feed", newest_days=None, feed_format="rss", notes="a valid feed with no items"),
    ),
    _feed(
        "qc-yingji-wechat", YINGJI, "wechat", "青川应急", "MzU0MjY1OTIxNw", "yingji",
        Scenario("bridge-error", behavior="error_page", newest_days=1.0, feed_format="rss",
                 notes="the bridge answers HTTP 200 with its HTML error page"),
    ),
    _feed(
        "baoli-wechat", BAOLI, "wechat", "宝力镇", "MzIxMDc3NTk5OA", "town",
        Scenario("stale-20", newest_days=20.0, cadence_days=4.0, history_days=160, feed_format="atom",
                 notes="last item 20 days ago"),
    ),
    _feed(
        "qingchuan-jd-wechat", JIEDAO, "wechat", "青川街道", "MzI0NTg4MDMzNQ", "street",
        Scenario("active", newest_days=2.5, cadence_days=2.0, feed_format="rss"),
    ),
    _feed(
        "bayan-douyin", BAYAN, "douyin", "巴彦苏木", "MS4wLjABAAAAbY4nSuMu8qP1dR6v", "town",
        Scenario("warning-11", newest_days=11.0, cadence_days=5.0, history_days=120, feed_format="rss",
                 notes="last item 11 days ago"),
        public_url="https://www.douyin.com/user/MS4wLjABAAAAbY4nSuMu8qP1dR6v",
        operator="outsourced", operator_name="青川云帆网络科技有限公司",
    ),
    _feed(
        "qc-rsj-wechat", RSJ, "wechat", "青川人社", "MzA3NjE2OTc4Ng", "rsj",
        Scenario("active", newest_days=3.0, cadence_days=2.5, feed_format="atom"),
    ),
    _feed(
        "qc-gov-rss", GOV, "rss", "青川旗人民政府 通知公告", "qingchuan-gov/tzgg", "gov",
        Scenario("active", newest_days=1.8, cadence_days=2.0, feed_format="rss",
                 notes="the government website's own notices feed"),
        public_url="https://www.qingchuan.example.gov.cn/xxgk/tzgg/",
    ),
    # ------------------------------------------- WeChat articles, website columns, apps
    _feed(
        "qc-wenlv-wechat", WENLV, "wechat", "青川文旅", "MzI3OTU4NjYxNQ", "wenlv",
        Scenario("active-deleted-article", newest_days=0.8, cadence_days=1.5, feed_format="rss",
                 deleted_article=True,
                 notes="the bridge still lists an article its publisher deleted (该内容已被发布者删除)"),
    ),
    _feed(
        "qc-traffic-wechat", POLICE, "wechat", "青川交警", "MzA5NjQ3MjI5MA", "police",
        Scenario("article-captcha", newest_days=1.0, cadence_days=2.0, feed_format="atom", article_block=True,
                 notes="the feed answers, every article page is WeChat's 环境异常 verification page: blocked"),
    ),
    AccountSpec(
        "qc-gov-web", GOV, "website", "青川旗人民政府网 工作动态", "qc-gov-gzdt", "gov",
        Scenario("web-list", newest_days=0.9, cadence_days=1.0, layout="list",
                 notes="<ul><li><a>title</a><span>2026-11-20</span></li>, nav and footer links, index_N.html paging"),
    ),
    AccountSpec(
        "qc-edu-web", EDU, "website", "青川旗教育局 通知公告", "qc-edu-tzgg", "edu",
        Scenario("web-table-stale", newest_days=25.0, cadence_days=4.0, history_days=150, layout="table",
                 notes="a table of links with [2026-11-20] dates; last item 25 days ago"),
    ),
    AccountSpec(
        "baoli-web", BAOLI, "website", "宝力镇 政务公开", "baoli-zwgk", "town",
        Scenario("web-text-zombie", newest_days=150.0, cadence_days=10.0, history_days=200, layout="text",
                 notes="div rows with 发布时间：2026年11月20日 in the text; last item 150 days ago"),
    ),
    AccountSpec(
        "qc-wenlv-web", WENLV, "website", "青川旗文化和旅游局 文旅资讯", "qc-wenlv-wlzx", "wenlv",
        Scenario("web-nodate-warning", newest_days=9.0, cadence_days=6.0, history_days=60, layout="nodate",
                 notes="the list has no dates: each article's <meta name=PubDate> has it; last item 9 days ago"),
    ),
    # Columns as the government CMS families serve them (sandbox/cms.py).
    AccountSpec(
        "qc-scjg-web", SCJG, "website", "青川旗市场监督管理局 通知公告", "qc-scjg-tzgg", "scjg",
        Scenario("web-trs-active", newest_days=1.5, cadence_days=2.0, layout="trs",
                 notes="TRS WCM: rows with an attachment icon link, createPageHTML(countPage, currentPage, ...) "
                       "with var countPage, t20261120_ID.html addresses, .TRS_UEDITOR body, ContentSource meta"),
    ),
    AccountSpec(
        "qc-rsj-web", RSJ, "website", "青川旗人力资源和社会保障局 人事招聘", "qc-rsj-rszp", "rsj",
        Scenario("web-jcms-warning", newest_days=8.0, cadence_days=1.0, history_days=110, layout="jcms",
                 notes="Hanweb JCMS: records in <datastore> CDATA (45 on the page), later ones POSTed from "
                       "dataproxy.jsp (startrecord/endrecord/perpage, totalRecord); 发布日期： in the article text"),
    ),
    AccountSpec(
        "qc-yingji-web", YINGJI, "website", "青川旗应急管理局 应急动态", "qc-yingji-yjdt", "yingji",
        Scenario("web-ucap-stale", newest_days=20.0, cadence_days=3.0, history_days=120, layout="ucap",
                 notes="UCAP: an undated list in <ul> blocks of five; the article's date only in the line "
                       "under its title (来源 作者 date), no meta; #UCAP-CONTENT body"),
    ),
    AccountSpec(
        "bayan-web", BAYAN, "website", "巴彦苏木 新闻动态", "bayan-xwdt", "town",
        Scenario("web-nanwei-active", newest_days=0.6, cadence_days=1.5, layout="nanwei",
                 notes="南威: each row one <a> card (picture, title, MM-DD HH:MM); 发布时间： in a span, "
                       ".detil-new-cont body"),
    ),
    AccountSpec(
        "qc-zhengwu-app", GOV, "app", "青川政务 APP", "qingchuan-zhengwu", "gov",
        Scenario("app-ok", newest_days=None, app_answer="apk", notes="download link answers 200 with an APK"),
    ),
    AccountSpec(
        "qc-health-app", HEALTH, "app", "健康青川 APP", "jiankang-qingchuan", "health",
        Scenario("app-missing", newest_days=None, app_answer="missing", notes="download link answers 404"),
    ),
    AccountSpec(
        "qc-edu-app", EDU, "app", "青川教育云 APP", "qingchuan-jiaoyuyun", "edu",
        Scenario("app-error-page", newest_days=None, app_answer="error_page",
                 notes="download link redirects to an HTML error page (页面不存在)"),
    ),
)  # fmt: skip


# --------------------------------------------------------------------------- ids and dates


def mid_to_bid(mid: str) -> str:
    """Weibo's base62 form of a numeric post id (chunks of 7 digits from the right)."""
    parts: list[str] = []
    s = mid
    while s:
        chunk, s = s[-7:], s[:-7]
        n = int(chunk)
        enc = ""
        while n:
            n, r = divmod(n, 62)
            enc = BASE62[r] + enc
        parts.append(enc.rjust(4, "0") if s else (enc or "0"))
    return "".join(reversed(parts))


def as_aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(TZ).replace(microsecond=0)
    if now.tzinfo is None:
        return now.replace(tzinfo=TZ)
    return now


def days_between(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 86400.0


def status_for(days_since: float | None, has_posts: bool) -> str:
    if not has_posts or days_since is None:
        return "empty"
    if days_since < WARN_DAYS:
        return "active"
    if days_since < STALE_DAYS:
        return "warning"
    if days_since < ZOMBIE_DAYS:
        return "stale"
    return "zombie"


# --------------------------------------------------------------------------- the world


class World:
    """All accounts and posts, with a lock for run-time changes."""

    def __init__(
        self,
        now: datetime | None = None,
        seed: int = DEFAULT_SEED,
        specs: tuple[AccountSpec, ...] | list[AccountSpec] = SPECS,
    ) -> None:
        self.now = as_aware(now)
        self.seed = seed
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.by_uid: dict[str, Account] = {}
        self.by_feed_path: dict[str, Account] = {}
        self.posts_by_id: dict[str, tuple[Account, Post]] = {}
        self.by_article: dict[str, tuple[Account, Post]] = {}  # WeChat article token -> post
        self.by_key: dict[str, Account] = {}  # website column / app key -> account
        self.blocked_platforms: set[str] = set()  # every request of these platforms is blocked
        self._used_ids: set[int] = set()
        self.planted: dict[str, Planted] = {}  # post id -> the planted content case (content.py)
        for spec in specs:
            if spec.scenario.behavior not in BEHAVIOURS:
                raise ValueError(f"{spec.id}: unknown behaviour {spec.scenario.behavior!r}")
            account = Account(spec=spec, behavior=spec.scenario.behavior)
            account.posts = _PostMaker(self, account).make()
            self._register(account)
        self._plant(PLANTED)
        self.task_posts: dict[str, str] = {}  # reposting task: case key -> post id ("key": the key post)
        self._plant_task()

    def _plant_task(self) -> None:
        """The reposting task's key post and the expected accounts' posts (content.py), under
        each account's newest post, at fixed hours after the key post."""
        key_account = self.accounts.get(TASK_KEY.account_id)
        if key_account is None:
            return
        rng = random.Random(f"{self.seed}:task")
        day = (self.now - timedelta(days=TASK_KEY.age_days)).astimezone(TZ)
        key_when = day.replace(hour=10, minute=0, second=0, microsecond=0)
        key = _task_post(self, key_account, key_when, rng, TASK_KEY.title, (TASK_KEY.text,))
        self._add_planted(key_account, key, "task key")
        self.task_posts["key"] = key.id
        for case in TASK_POSTS:
            account = self.accounts.get(case.account_id)
            if account is None:
                continue
            when = key_when + timedelta(hours=case.hours_after)
            post = _task_post(self, account, when, rng, case.title, case.paras)
            if case.weibo_repost:
                post.category = "转发"
                post.repost = {
                    "deleted": False,
                    "id": key.id,
                    "created_at": key.published_at,
                    "user_name": key_account.spec.shown_name,
                    "user_id": key_account.uid,
                    "text": escape(TASK_KEY.text, quote=False),
                    "reposts_count": rng.randint(50, 900),
                    "comments_count": rng.randint(10, 200),
                    "attitudes_count": rng.randint(100, 3000),
                }
            self._add_planted(account, post, case.key)
            self.task_posts[case.key] = post.id

    def _add_planted(self, account: Account, post: Post, name: str) -> None:
        regular = account.regular_posts()
        if not regular or post.published_at >= regular[0].published_at:
            raise AssertionError(f"{name}: not older than the newest post of {account.id}")
        account.posts.append(post)
        account.posts.sort(key=lambda p: (p.pinned, p.published_at, int(p.id)), reverse=True)
        self._index(account, post)
        if account.is_feed and post not in account.feed_items():
            raise AssertionError(f"{name}: not among the newest items of {account.id}")

    def task_truth(self) -> dict[str, Any]:
        """The reposting task as config.yaml declares it (by title and source account, so the
        file does not depend on the clock), the key post, and each expected account's standing."""
        account, key = self.posts_by_id[self.task_posts["key"]]
        expected = {c.account_id: c.expected for c in TASK_POSTS if c.account_id in self.accounts}
        return {
            "config": {
                "id": TASK_ID,
                "title": TASK_KEY.title,
                "source": TASK_KEY.account_id,
                "deadline": f"{TASK_DEADLINE_HOURS}h",
                "accounts": sorted(expected),
            },
            "key_post_id": key.id,
            "key_published_at": key.published_at.isoformat(),
            "key_url": f"https://weibo.com/{account.uid}/{key.bid}",
            "deadline": (key.published_at + timedelta(hours=TASK_DEADLINE_HOURS)).isoformat(),
            "expected": expected,
            "posts": {c.key: self.task_posts[c.key] for c in TASK_POSTS if c.key in self.task_posts},
            "hours_after": {c.account_id: c.hours_after for c in TASK_POSTS},
        }

    def _plant(self, cases: tuple[Planted, ...]) -> None:
        """Publish the planted content cases on their accounts (those of this world).

        Each goes under the account's newest post, so no status and no last-post date
        changes, and must be one a crawler can see (a feed shows only its newest items).
        Its own random stream keeps every generated post as it was.
        """
        rng = random.Random(f"{self.seed}:planted")
        for case in cases:
            account = self.accounts.get(case.account_id)
            if account is None:
                continue
            when = (self.now - timedelta(days=case.age_days)).replace(microsecond=0)
            if not 8 <= when.hour <= 21:  # office hours, as the generated posts
                when = when.replace(hour=rng.randint(9, 20), minute=rng.randint(0, 59))
            regular = account.regular_posts()
            if not regular or when >= regular[0].published_at:
                raise AssertionError(
                    f"planted {case.key}: not older than the newest post of {case.account_id}"
                )
            post = _planted_post(self, account, case, when, rng)
            account.posts.append(post)
            account.posts.sort(key=lambda p: (p.pinned, p.published_at, int(p.id)), reverse=True)
            self._index(account, post)
            self.planted[post.id] = case
            if account.is_feed and post not in account.feed_items():
                raise AssertionError(f"planted {case.key}: not among the newest items of {case.account_id}")

    # ------------------------------------------------------------ registry
    def _register(self, account: Account) -> None:
        if account.id in self.accounts:
            raise ValueError(f"duplicate account id {account.id!r}")
        self.accounts[account.id] = account
        if account.platform in ("website", "app"):
            self.by_key[account.spec.handle] = account
        elif account.is_feed:
            self.by_feed_path[account.feed_path] = account
        else:
            self.by_uid[account.uid] = account
        for post in account.posts:
            self._index(account, post)

    def _index(self, account: Account, post: Post) -> None:
        self.posts_by_id[post.id] = (account, post)
        self.posts_by_id[post.bid] = (account, post)
        if post.link and post.link.startswith(SANDBOX_HOST + "/s/"):
            self.by_article[post.link.removeprefix(SANDBOX_HOST + "/s/")] = (account, post)

    def new_id(self, when: datetime, rng: random.Random) -> str:
        """A 16-digit id that grows with time, as Weibo's do."""
        base = (int(when.timestamp()) - 515483463) << 22
        while True:
            value = base | rng.getrandbits(22)
            if value not in self._used_ids:
                self._used_ids.add(value)
                return str(value)

    def account(self, account_id: str) -> Account:
        try:
            return self.accounts[account_id]
        except KeyError:
            raise KeyError(f"no sandbox account {account_id!r}") from None

    # ------------------------------------------------------------ run-time changes
    def add_post(
        self,
        account_id: str,
        text: str,
        published_at: datetime | None = None,
        *,
        title: str | None = None,
        long_text: str | None = None,
    ) -> Post:
        """Publish a new newest post (default: the real clock, after every existing post).

        A post later than the world's ``now`` moves ``now`` forward to it.
        """
        with self.lock:
            account = self.account(account_id)
            regular = account.regular_posts()
            if published_at is None:
                published_at = max(datetime.now(TZ).replace(microsecond=0), self.now)
                if regular and published_at <= regular[0].published_at:
                    published_at = regular[0].published_at + timedelta(seconds=1)
            published_at = as_aware(published_at)
            rng = random.Random(f"{self.seed}:{account_id}:added:{len(account.posts)}")
            pid = self.new_id(published_at, rng)
            if regular and int(pid) <= int(regular[0].id) and published_at >= regular[0].published_at:
                pid = str(int(regular[0].id) + 1)
                self._used_ids.add(int(pid))
            post = Post(
                id=pid,
                bid=mid_to_bid(pid),
                published_at=published_at,
                title=title or text[:30],
                text=text,
                long_text=long_text,
                category="工作动态",
                link=_feed_link(account.platform, pid, rng),
            )
            if published_at > self.now:  # the clock never lags the newest post
                self.now = published_at
                for other in self.accounts.values():
                    other.cache.clear()
            account.posts.append(post)
            account.posts.sort(key=lambda p: (p.published_at, int(p.id)), reverse=True)
            self._index(account, post)
            account.cache.clear()
            return post

    def set_now(self, now: datetime) -> None:
        """Move the world's clock (relative dates and the truth follow)."""
        with self.lock:
            self.now = as_aware(now)
            for account in self.accounts.values():
                account.cache.clear()

    def delete_post(self, account_id: str, post_id: str) -> Post:
        """The publisher deletes a post: it leaves listings and feeds (a WeChat article page says so)."""
        with self.lock:
            account = self.account(account_id)
            post = next(p for p in account.posts if p.id == post_id)
            post.deleted = True
            account.cache.clear()
            return post

    def block_platform(self, platform: str, blocked: bool = True) -> None:
        """Make every request of one platform blocked (Weibo 418, others 403), or lift it."""
        with self.lock:
            (self.blocked_platforms.add if blocked else self.blocked_platforms.discard)(platform)
            for account in self.accounts.values():
                account.cache.clear()

    def edit_post(self, account_id: str, post_id: str, text: str) -> Post:
        """The publisher edits a post's text (listing, feed and article page show the new text)."""
        with self.lock:
            account = self.account(account_id)
            post = next(p for p in account.posts if p.id == post_id)
            post.text, post.long_text = text, None
            account.cache.clear()
            return post

    def set_comments(self, account_id: str, comments: str) -> None:
        """Open, limit or hide the public's comments on every post of a Weibo or WeChat account."""
        if comments not in COMMENT_MODES:
            raise ValueError(f"unknown comment mode {comments!r}; known: {', '.join(COMMENT_MODES)}")
        with self.lock:
            account = self.account(account_id)
            account.comments = comments
            account.cache.clear()

    def set_behavior(self, account_id: str, behavior: str) -> None:
        """Switch how an account answers (e.g. block it after a good crawl)."""
        if behavior not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behavior!r}; known: {', '.join(BEHAVIOURS)}")
        with self.lock:
            account = self.account(account_id)
            account.behavior = behavior
            account.cache.clear()

    # ------------------------------------------------------------ truth
    def shown_at(self, account: Account, post: Post) -> datetime:
        """The time a reader of the platform can know: a column list shows dates only, and
        Weibo's display style shows "11-20" for anything before yesterday (midnight, then)."""
        date_only = account.platform == "website" or (
            account.platform == "weibo"
            and account.spec.scenario.date_style != "full"
            and post.published_at.astimezone(TZ).date() < self.now.astimezone(TZ).date() - timedelta(days=1)
        )
        if not date_only:
            return post.published_at
        return post.published_at.astimezone(TZ).replace(hour=0, minute=0, second=0, microsecond=0)

    def account_truth(self, account: Account) -> dict[str, Any]:
        now = self.now
        spec, sc = account.spec, account.spec.scenario
        listed = [p for p in account.posts if p.published_at <= now]
        posts = [p for p in listed if not p.deleted]
        regular = [p for p in posts if not p.pinned]
        last = regular[0] if regular else None
        days = round(days_between(now, last.published_at), 3) if last else None
        window_start = now - timedelta(days=WINDOW_DAYS)

        def count(items: list[Post], days_back: int) -> int:
            start = now - timedelta(days=days_back)
            return sum(1 for p in items if p.published_at > start)

        visible = (
            account.feed_items() if account.is_feed else account.regular_posts() + account.pinned_posts()
        )
        in_30 = [p for p in regular if p.published_at > now - timedelta(days=30)]
        shown_30 = [p for p in regular if self.shown_at(account, p) > now - timedelta(days=30)]
        behavior = account.behavior
        if account.platform in self.blocked_platforms:
            behavior = "blocked"
        elif sc.article_block and behavior == "ok":
            behavior = "blocked"  # the feed answers, every article page is a verification page
        outcome = OUTCOME_OF_BEHAVIOUR[behavior]
        if account.is_service and behavior == "ok":
            outcome = {"apk": "ok", "missing": "not_found", "error_page": "error"}[sc.app_answer]
        # A page that says the account does not exist: unreachable (无法访问).
        # Otherwise never read successfully, or profile and list disagree: unknown.
        # A failing service is `unknown` after one read and `unavailable` once a second read at
        # least an hour later fails too (confirmed_status).
        confirmed = None
        if account.is_service:
            status = "available" if outcome == "ok" else "unknown"
            confirmed = "unavailable" if outcome != "ok" and behavior != "blocked" else status
        elif behavior == "ok":
            status = status_for(days, bool(posts))
        elif behavior == "not_found":
            status = "unreachable"
        else:
            status = "unknown"
        acceptable = [outcome]
        if account.behavior == "hidden_posts":
            acceptable = ["ok", "login_required", "parse_error"]
        return {
            "id": spec.id,
            "unit": spec.unit,
            "platform": spec.platform,
            "name": spec.name,
            "handle": spec.handle,
            "scenario": sc.name,
            "behavior": behavior,
            "kind": "service" if account.is_service else "publish",
            "layout": sc.layout if account.platform == "website" else None,
            "reply_style": sc.reply_style if account.platform == "weibo" else None,
            "comments": account.comments if account.platform in ("weibo", "wechat") else None,
            "deleted_post_ids": [p.id for p in listed if p.deleted],
            "feed_format": sc.feed_format if account.is_feed else None,
            "operator": spec.operator,
            "profile_name": spec.profile_name,
            "expected_status": status,
            "confirmed_status": confirmed or status,
            "expected_outcome": outcome,
            "acceptable_outcomes": acceptable,
            "last_post_at": last.published_at.isoformat() if last else None,
            "last_post_id": last.id if last else None,
            "days_since_last_post": days,
            "post_count": len(posts),
            "post_count_in_window": sum(1 for p in posts if p.published_at > window_start),
            "visible_post_count_in_window": sum(1 for p in visible if window_start < p.published_at <= now)
            if behavior == "ok"
            else 0,
            "posts_7d": count(regular, 7),
            "posts_30d": len(in_30),
            "visible_posts_30d": sum(
                1
                for p in visible
                if not p.pinned
                and not p.deleted
                and now - timedelta(days=30) < self.shown_at(account, p) <= now
            )
            if behavior == "ok"
            else 0,
            "original_ratio_30d": round(sum(p.is_original for p in shown_30) / len(shown_30), 4)
            if shown_30
            else None,
            "reposts_in_window": sum(1 for p in regular if p.published_at > window_start and p.repost),
            "pinned_post_ids": [p.id for p in account.pinned_posts()],
            "long_text_post_ids": [p.id for p in account.posts if p.is_long],
            "profile_statuses_count": account.statuses_count() if account.platform == "weibo" else None,
            "list_pages": (
                max(1, -(-len(regular) // PAGE_SIZE))
                if account.platform == "weibo" and behavior == "ok"
                else None
            ),
            "notes": sc.notes,
        }

    def truth(self) -> dict[str, Any]:
        with self.lock:
            accounts = {a.id: self.account_truth(a) for a in self.accounts.values()}
        summary: dict[str, int] = {}
        for t in accounts.values():
            summary[t["expected_status"]] = summary.get(t["expected_status"], 0) + 1
        return {
            "banner": texts.BANNER,
            "now": self.now.isoformat(),
            "timezone": "Asia/Shanghai",
            "seed": self.seed,
            "rule": {
                "window_days": WINDOW_DAYS,
                "warn_days": WARN_DAYS,
                "stale_days": STALE_DAYS,
                "zombie_days": ZOMBIE_DAYS,
                "text": "days since last non-pinned post: active < 7 <= warning < 14 <= stale < 90 <= zombie; "
                "empty: never posted; unknown: never read successfully or profile/list disagree",
            },
            "summary": summary,
            "accounts": accounts,
            "content": self.content_truth(),
        }

    def content_truth(self) -> dict[str, dict[str, Any]]:
        """The planted posts by post id: expected labels (empty: a hard negative) and why."""
        with self.lock:
            out: dict[str, dict[str, Any]] = {}
            for post_id, case in self.planted.items():
                account, post = self.posts_by_id[post_id]
                out[post_id] = {
                    "key": case.key,
                    "account_id": account.id,
                    "platform": account.platform,
                    "kind": "problem" if case.problem else "hard_negative",
                    "labels": list(case.labels),
                    "why": case.why,
                    "title": case.title or None,
                    "marker": case.marker,
                    "evidence": list(case.evidence),
                    "suggestion": case.suggestion,
                    "published_at": post.published_at.isoformat(),
                    "deleted": post.deleted,
                }
            return out

    def check_margins(self, margin_days: float = 0.5) -> None:
        """Raise when a scenario's last post sits too close to a status boundary.

        A date-only form ("11-20") loses the time of day, so a crawler may see the
        post up to a day older than it is: the age must stay clear of
        [edge - 1 - margin, edge + margin] for every edge.
        """
        for account in self.accounts.values():
            days = self.account_truth(account)["days_since_last_post"]
            if days is None:
                continue
            for edge in (WARN_DAYS, STALE_DAYS, ZOMBIE_DAYS):
                if edge - 1 - margin_days <= days <= edge + margin_days:
                    raise AssertionError(f"{account.id}: last post {days} days ago, too close to {edge}")


# --------------------------------------------------------------------------- post generation


def _feed_link(platform: str, pid: str, rng: random.Random) -> str | None:
    token = "".join(rng.choice(BASE62) for _ in range(22))
    return {
        "wechat": f"{SANDBOX_HOST}/s/{token}",  # the server puts its own address in
        "douyin": f"https://www.douyin.com/video/{int(pid) % 10**19}",
        "toutiao": f"https://www.toutiao.com/article/{int(pid) % 10**19}/",
        "kuaishou": f"https://www.kuaishou.com/short-video/3x{token[:13].lower()}",
        "bilibili": f"https://www.bilibili.com/video/BV1{token[:9]}",
        "rss": f"https://www.qingchuan.example.gov.cn/xxgk/tzgg/{pid[:6]}/t{pid[-8:]}.html",
    }.get(platform)


class _PostMaker:
    """Generates one account's posts, deterministically from the world's seed and now."""

    def __init__(self, world: World, account: Account) -> None:
        self.world = world
        self.account = account
        self.spec = account.spec
        self.sc = account.spec.scenario
        self.rng = random.Random(f"{world.seed}:{account.id}")
        self.now = world.now
        self.originals = 0

    def ages(self) -> list[float]:
        """Ages (days) of the regular posts, newest first."""
        sc, rng = self.sc, self.rng
        if sc.newest_days is None:
            return []
        newest = sc.newest_days
        if newest > 0.05:
            newest += rng.uniform(-0.15, 0.15)
        ages = [newest]
        if sc.window_count:
            # spread over [newest, 87] days; the next post comes 4 days later, well outside
            span = (WINDOW_DAYS - 3 - newest) / max(1, sc.window_count - 1)
            ages = [
                newest + i * span + (rng.uniform(-0.3, 0.3) * span if i else 0)
                for i in range(sc.window_count)
            ]
            age = ages[-1] + 4.0
            while age < newest + sc.history_days:
                ages.append(age)
                age += sc.cadence_days * rng.uniform(0.6, 1.4) * 2
            return ages
        age = newest
        while True:
            age += sc.cadence_days * rng.uniform(0.6, 1.4)
            if age > newest + sc.history_days:
                break
            ages.append(age)
        return ages

    def when(self, age: float, exact: bool) -> datetime:
        t = (self.now - timedelta(days=age)).replace(microsecond=0)
        if not exact and not 8 <= t.hour <= 21:
            t = t.replace(hour=self.rng.randint(8, 20), minute=self.rng.randint(0, 59))
        return t

    def make(self) -> list[Post]:
        times = [self.when(a, exact=(i == 0)) for i, a in enumerate(self.ages())]
        if times:
            newest = times[0]
            times = [newest] + [min(t, newest - timedelta(hours=1)) for t in times[1:]]
        if self.sc.recent_forms:
            now = self.now
            yesterday = (now - timedelta(days=1)).replace(hour=12, minute=30, second=0)
            if yesterday > now - timedelta(days=1):  # keep it >= 24 h old, still yesterday
                yesterday = (now - timedelta(days=1, minutes=1)).replace(second=0)
            times += [
                now - timedelta(seconds=30),
                now - timedelta(minutes=5),
                now - timedelta(hours=3),
                yesterday,
            ]
        times.sort(reverse=True)
        posts = [self.post(t) for t in times]
        if self.sc.with_deleted_repost and len(posts) > 2 and posts[2].repost:
            posts[2].repost = {
                "deleted": True,
                "id": posts[2].repost["id"],
                "created_at": posts[2].published_at,
            }
        if self.sc.deleted_article and len(posts) > 2:
            posts[1].deleted = True
        if self.sc.pinned_age_days is not None:
            when = self.when(self.sc.pinned_age_days, exact=False)
            pinned = self.post(when, original=True)
            pinned.pinned = True
            posts.append(pinned)
        posts.sort(key=lambda p: (p.pinned, p.published_at, int(p.id)), reverse=True)
        return posts

    def post(self, when: datetime, original: bool | None = None) -> Post:
        rng, spec, sc = self.rng, self.spec, self.sc
        if original is None:
            original = spec.platform != "weibo" or rng.random() >= sc.repost_share
        pid = self.world.new_id(when, rng)
        date = f"{when.month}月{when.day}日"
        post = Post(
            id=pid,
            bid=mid_to_bid(pid),
            published_at=when,
            title="",
            text="",
            reposts_count=rng.randint(0, 40),
            comments_count=rng.randint(0, 25),
            attitudes_count=rng.randint(1, 300),
            source=rng.choice(("微博 weibo.com", "iPhone客户端", "微博网页版", "HUAWEI Mate 60")),
            link=_feed_link(spec.platform, pid, rng),
            mblogtype=1 if rng.random() < 0.2 else 0,
        )
        if not original:
            return self._repost(post, when)
        self.originals += 1
        long = sc.long_text_every and self.originals % sc.long_text_every == 0
        category, title, paras = texts.LONG_TEXT if long else texts.pick(spec.topic, rng)
        title = texts.fill(title, unit=spec.unit, date=date, topic=spec.topic, rng=rng)
        paras = tuple(texts.fill(p, unit=spec.unit, date=date, topic=spec.topic, rng=rng) for p in paras)
        post.title, post.category = title, category
        if spec.platform != "weibo":
            post.text = "".join(f"<p>{p}</p>" for p in paras)
            post.media = {"douyin": "video", "kuaishou": "video", "bilibili": "video"}.get(
                spec.platform, "article"
            )
            if spec.platform == "wechat":
                img = f"https://mmbiz.qpic.cn/mmbiz_jpg/{pid[-12:]}/640?wx_fmt=jpeg"
                post.text = f'<p><img src="{img}" /></p>' + post.text
            return post
        lead = texts.hashtag(category) if rng.random() < 0.5 else ""
        body = f"【{title}】" + "<br />".join(paras)
        if rng.random() < 0.15:
            body += " " + texts.web_link(f"https://www.qingchuan.example.gov.cn/zwdt/{pid[-6:]}.html", rng)
        if long:
            plain = f"【{title}】" + "".join(paras)
            post.long_text = lead + body
            post.text = lead + plain[:120] + f' ...<a href="/status/{pid}">全文</a>'
        else:
            post.text = lead + body
        roll = rng.random()
        if roll < 0.45:
            post.pics, post.media = rng.choice((1, 1, 2, 3, 4, 6, 9)), "image"
        elif roll < 0.55:
            post.media = "video"
        elif roll < 0.6:
            post.media = "article"
        return post

    def _repost(self, post: Post, when: datetime) -> Post:
        rng = self.rng
        name, uid = rng.choice(texts.REPOST_SOURCES)
        original_when = when - timedelta(minutes=rng.randint(20, 600))
        post.text = rng.choice(texts.REPOST_COMMENTS)
        post.title = post.text
        post.category = "转发"
        post.repost = {
            "deleted": False,
            "id": self.world.new_id(original_when, rng),
            "created_at": original_when,
            "user_name": name,
            "user_id": uid,
            "text": rng.choice(texts.REPOST_TEXTS),
            "reposts_count": rng.randint(500, 90000),
            "comments_count": rng.randint(100, 20000),
            "attitudes_count": rng.randint(1000, 300000),
        }
        return post


def _planted_post(world: World, account: Account, case: Planted, when: datetime, rng: random.Random) -> Post:
    """A planted content case as a post of its account's platform."""
    platform = account.platform
    pid = world.new_id(when, rng)
    paras = [escape(p, quote=False) for p in case.paras]
    plain = "".join(case.paras)
    post = Post(
        id=pid,
        bid=mid_to_bid(pid),
        published_at=when,
        title=case.title or plain[:30],
        text="",
        reposts_count=rng.randint(0, 40),
        comments_count=0,
        attitudes_count=rng.randint(1, 300),
        source=rng.choice(("微博 weibo.com", "iPhone客户端")),
        link=_feed_link(platform, pid, rng),
    )
    if platform != "weibo":
        post.text = "".join(f"<p>{p}</p>" for p in paras)
        post.media = {"douyin": "video", "kuaishou": "video", "bilibili": "video"}.get(platform, "article")
        if platform == "wechat":
            img = f"https://mmbiz.qpic.cn/mmbiz_jpg/{pid[-12:]}/640?wx_fmt=jpeg"
            post.text = f'<p><img src="{img}" /></p>' + post.text
        return post
    if case.repost_of is not None:
        name, uid, original = case.repost_of
        original_when = when - timedelta(minutes=rng.randint(20, 600))
        post.text = post.title = "".join(paras)
        post.category = "转发"
        post.repost = {
            "deleted": False,
            "id": world.new_id(original_when, rng),
            "created_at": original_when,
            "user_name": name,
            "user_id": uid,
            "text": escape(original, quote=False),
            "reposts_count": rng.randint(500, 90000),
            "comments_count": rng.randint(100, 20000),
            "attitudes_count": rng.randint(1000, 300000),
        }
        return post
    body = "<br />".join(paras)
    if case.long:
        post.long_text = body
        post.text = escape(plain[:120], quote=False) + f' ...<a href="/status/{pid}">全文</a>'
    else:
        post.text = body
    return post


def _task_post(
    world: World, account: Account, when: datetime, rng: random.Random, title: str, paras: tuple[str, ...]
) -> Post:
    """A reposting task's post on its account's platform (Weibo: text; feeds: an article)."""
    pid = world.new_id(when, rng)
    plain = "".join(paras)
    post = Post(
        id=pid,
        bid=mid_to_bid(pid),
        published_at=when,
        title=title or plain[:30],
        text="",
        reposts_count=rng.randint(0, 40),
        attitudes_count=rng.randint(1, 300),
        link=_feed_link(account.platform, pid, rng),
    )
    if account.platform == "weibo":
        post.text = "<br />".join(escape(p, quote=False) for p in paras)
    else:
        post.text = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paras)
        post.media = "article"
    return post


def scaled_specs(scale: int, specs: tuple[AccountSpec, ...] = SPECS) -> list[AccountSpec]:
    """The accounts of ``specs`` and ``scale - 1`` copies of each, with new ids, Weibo uids and
    feed keys but the same scenarios (for benchmarks: ``scale=313`` gives about 10,000 accounts).
    Copy k of "qc-fabu-weibo" is "qc-fabu-weibo-x{k}"; its uid is the original plus k * 10**6."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1, not {scale}")
    out = list(specs)
    for k in range(1, scale):
        for spec in specs:
            handle = str(int(spec.handle) + k * 10**6) if spec.platform == "weibo" else f"{spec.handle}-x{k}"
            out.append(replace(spec, id=f"{spec.id}-x{k}", handle=handle, name=f"{spec.name}{k}"))
    return out


def build_world(now: datetime | None = None, seed: int = DEFAULT_SEED, scale: int = 1) -> World:
    """The banner's world; ``scale`` > 1 adds copies of every account (see scaled_specs)."""
    world = World(now=now, seed=seed, specs=SPECS if scale == 1 else scaled_specs(scale))
    world.check_margins()
    return world


# --------------------------------------------------------------------------- configuration


def accounts_config(base_url: str, specs: tuple[AccountSpec, ...] | list[AccountSpec] = SPECS) -> list[dict]:
    """config.yaml ``accounts`` entries for the sandbox world (core.config.AccountConfig)."""
    base = base_url.rstrip("/")
    out: list[dict] = []
    for spec in specs:
        entry: dict[str, Any] = {
            "id": spec.id,
            "unit": spec.unit,
            "platform": spec.platform,
            "name": spec.name,
            "handle": spec.handle,
        }
        if spec.platform == "weibo":
            entry["url"] = f"https://m.weibo.cn/u/{spec.handle}"
            entry["feed_url"] = None
        elif spec.platform == "website":
            entry["url"] = f"{base}/gov/{spec.handle}/index.html"
            entry["feed_url"] = None
        elif spec.platform == "app":
            entry["url"] = f"{base}/app/{spec.handle}/download"
            entry["feed_url"] = None
        else:
            entry["url"] = spec.public_url
            entry["feed_url"] = f"{base}/rsshub/{spec.platform}/{spec.handle}"
        entry["kind"] = "service" if spec.platform == "app" else "publish"
        entry["operator"] = spec.operator
        if spec.operator_name:
            entry["operator_name"] = spec.operator_name
        out.append(entry)
    return out
