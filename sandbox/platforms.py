"""Renderers of the platforms beyond Weibo's API: WeChat article pages, government website
columns (four layouts here, four CMS families in sandbox/cms.py), app download answers,
Weibo comments (hotflow)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import quote

from sandbox import cms
from sandbox.texts import TOPIC_NAMES
from sandbox.world import SANDBOX_HOST, Account, Post, World

COLUMN_PAGE_SIZE = 15
QUESTIONS = (
    "请问{topic}相关业务现在可以网上办理吗？",
    "这个政策什么时候开始执行？",
    "请问在哪里可以咨询具体办理流程？",
    "老人没有智能手机怎么办理？",
    "能否公布一下咨询电话？",
)
REMARKS = ("点赞！", "辛苦了", "支持", "收到，转发给家里人", "希望多发这样的实用信息", "👍", "赞青川")
REPLIES = (
    "您好，可以通过旗政务服务网办理，详情请拨打12345咨询。",
    "您好，已转相关部门，会尽快联系您。",
    "感谢关注，具体流程见文中附件。",
)


# --------------------------------------------------------------------------- WeChat


def article_page(account: Account, post: Post) -> bytes:
    spec = account.spec
    if post.deleted:
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title></title></head><body>'
            '<div class="weui-msg"><div class="weui-msg__text-area"><h2 class="weui-msg__title">'
            "该内容已被发布者删除</h2></div></div></body></html>"
        ).encode()
    if account.spec.scenario.article_block:
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>环境异常</title></head><body>'
            '<div class="weui-msg"><h2>环境异常</h2><p>当前环境异常，完成验证后即可继续访问。</p>'
            '<a href="/mp/wappoc_appmsgcaptcha?poc_token=x">去验证</a></div></body></html>'
        ).encode()
    ct = int(post.published_at.timestamp())
    original = 1 if post.is_original else 0  # the 原创 mark agrees with the truth
    show_type = 5 if int(post.id) % 7 == 0 else 0
    # The 留言 thread's id; "0" when the page has none.
    comment_id = "0" if account.comments == "not_shown" else str(int(post.id) % 10**10 + 1)
    mark = (
        '<span id="copyright_logo" class="rich_media_meta meta_original_tag">原创</span>' if original else ""
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="{escape(post.title)}"><meta name="author" content="{escape(spec.name)}">
<title>{escape(post.title)}</title></head><body>
<div id="js_article" class="rich_media"><h1 class="rich_media_title" id="activity-name">{escape(post.title)}</h1>
<div id="meta_content">{mark}<a id="js_name">{escape(spec.name)}</a><em id="publish_time"></em></div>
<div class="rich_media_content" id="js_content">{post.text}</div></div>
<script>var nickname = htmlDecode("{spec.name}"); var ct = "{ct}"; var item_show_type = "{show_type}";
var copyright_stat = "{original}"; var comment_id = "{comment_id}" || "0" * 1;</script></body></html>""".encode()


# --------------------------------------------------------------------------- websites


def post_path(account: Account, post: Post) -> str:
    if account.spec.scenario.layout in cms.FAMILIES:
        return cms.post_path(account, post)
    return f"/gov/{account.spec.handle}/{post.published_at:%Y%m}/t{post.id}.html"


def _date_text(layout: str, when: datetime) -> str:
    return {
        "list": f"{when:%Y-%m-%d}",
        "table": f"[{when:%Y-%m-%d}]",
        "text": f"发布时间：{when.year}年{when.month}月{when.day}日",
    }.get(layout, "")


def column_page(account: Account, world: World, page_no: int) -> bytes | None:
    spec, layout = account.spec, account.spec.scenario.layout
    if layout in cms.FAMILIES:
        return cms.column_page(account, world, page_no)
    posts = [p for p in account.regular_posts() if p.published_at <= world.now]
    pages = max(1, -(-len(posts) // COLUMN_PAGE_SIZE))
    if page_no >= pages:
        return None
    chunk = posts[page_no * COLUMN_PAGE_SIZE : (page_no + 1) * COLUMN_PAGE_SIZE]
    rows = []
    for post in chunk:
        href = post_path(account, post).removeprefix(f"/gov/{spec.handle}/")
        href = "./" + href if int(post.id) % 2 else f"/gov/{spec.handle}/" + href  # relative and absolute
        title = escape(post.title)
        date = _date_text(layout, post.published_at)
        if layout == "table":
            rows.append(
                f'<tr><td class="t"><a href="{href}" title="{title}">{title}</a></td><td>{date}</td></tr>'
            )
        elif layout == "text":
            rows.append(
                f'<div class="item"><a href="{href}">{title}</a><p>{date} 来源：{escape(spec.unit)}</p></div>'
            )
        else:
            rows.append(f'<li><a href="{href}" target="_blank">{title}</a><span>{date}</span></li>')
    if layout == "table":
        body = '<table class="list" width="100%">' + "".join(rows) + "</table>"
    elif layout == "text":
        body = '<div class="news">' + "".join(rows) + "</div>"
    else:
        body = '<ul class="news-list">' + "".join(rows) + "</ul>"
    nav = "".join(
        f'<li><a href="/gov/{spec.handle}/{x}/">{label}</a></li>'
        for x, label in (
            ("home", "首页走进青川"),
            ("zwgk", "政务公开栏目"),
            ("hdjl", "互动交流平台"),
            ("bsfw", "办事服务大厅"),
        )
    )
    paging = f'<script>createPageHTML({pages}, {page_no}, "index", "html");</script>'
    if layout == "table" and page_no + 1 < pages:
        paging = f'<div class="page"><a href="index_{page_no + 1}.html">下一页</a></div>'
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(spec.name)}</title></head>
<body><div class="header"><ul class="nav">{nav}</ul></div>
<div class="main"><h2 class="column-title">{escape(spec.name)}</h2>{body}{paging}</div>
<div class="footer"><a href="/gov/about.html">网站地图说明</a> <a href="/gov/contact.html">联系我们页面</a>
<p>主办：青川旗人民政府办公室 2026-01-01 更新</p></div></body></html>""".encode()


def column_article(account: Account, post: Post) -> bytes:
    if account.spec.scenario.layout in cms.FAMILIES:
        return cms.article(account, post)
    when = post.published_at
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="SiteName" content="青川旗人民政府"><meta name="ColumnName" content="{escape(account.spec.name)}">
<meta name="ArticleTitle" content="{escape(post.title)}"><meta name="PubDate" content="{when:%Y-%m-%d %H:%M}">
<title>{escape(post.title)}</title></head><body><div class="article"><h1>{escape(post.title)}</h1>
<div class="TRS_Editor">{post.text}</div></div></body></html>""".encode()


# --------------------------------------------------------------------------- Weibo comments


def comments_of(account: Account, post: Post, world: World) -> list[dict[str, Any]]:
    """The post's comments visible at world.now, newest first, replies nested."""
    rng = random.Random(f"{world.seed}:comments:{post.id}")
    uid = int(account.spec.handle)
    out = []
    for i in range(post.comments_count):
        when = post.published_at + timedelta(hours=rng.uniform(0.3, 40))
        question = rng.random() < 0.35
        text = (
            rng.choice(QUESTIONS).format(topic=TOPIC_NAMES.get(account.spec.topic, "这项"))
            if question
            else rng.choice(REMARKS)
        )
        cid = int(post.id) + 1000 + i
        reply_at = when + timedelta(hours=rng.uniform(1, 20))
        if when > world.now:
            continue
        children = []
        if question and account.spec.scenario.reply_style == "prompt" and reply_at <= world.now:
            children.append(
                {
                    "id": str(cid + 500),
                    "created_at": reply_at,
                    "text": f"回复@网友{cid % 10000}:{rng.choice(REPLIES)}",
                    "user": {"id": uid, "screen_name": account.spec.shown_name, "verified": True},
                }
            )
        out.append(
            {
                "id": str(cid),
                "created_at": when,
                "text": text,
                "user": {
                    "id": 6000000000 + cid % 100000,
                    "screen_name": f"网友{cid % 10000}",
                    "verified": False,
                },
                "comments": children,
            }
        )
    out.sort(key=lambda c: c["created_at"], reverse=True)
    return out


def hotflow(account: Account, post: Post, world: World, max_id: str | None, full_date) -> dict[str, Any]:  # noqa: ANN001
    comments = comments_of(account, post, world)
    start = int(max_id) if max_id and max_id.isdigit() else 0
    chunk = comments[start : start + 10]
    nxt = start + 10 if start + 10 < len(comments) else 0

    def render(c: dict[str, Any]) -> dict[str, Any]:
        row = dict(c, created_at=full_date(c["created_at"]))
        if "comments" in c:
            row["comments"] = [render(x) for x in c["comments"]] or False
        return row

    if not comments:
        return {"ok": 0, "msg": "快来发表你的评论吧"}
    return {
        "ok": 1,
        "data": {
            "data": [render(c) for c in chunk],
            "total_number": len(comments),
            "max_id": nxt,
            "max_id_type": 0,
        },
    }


def with_host(body: bytes, host: str) -> bytes:
    """``body`` with the sandbox's placeholders replaced: its own address, and the mounted prefix
    that links to the sandbox's link hosts carry (sandbox/links.py)."""
    prefix = host.partition("/")[2]
    body = body.replace(b"/__world__", f"/{prefix}".encode() if prefix else b"")
    # the same prefix inside a wrapped (percent-encoded) address: Weibo's sinaurl?u=…
    body = body.replace(b"%2F__world__", quote(f"/{prefix}", safe="").encode() if prefix else b"")
    return body.replace(SANDBOX_HOST.encode(), f"http://{host}".encode())
