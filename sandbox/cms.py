"""Website columns as the common government CMS families serve them (their shapes, our markup).

- ``trs`` (TRS WCM): ``<li>`` rows with a title link and an attachment icon link, the pager as
  ``var countPage``/``var currentPage`` and ``createPageHTML(countPage, currentPage, "index",
  "html")``, article addresses ``./YYYYMM/tYYYYMMDD_ID.html``, article pages with ``ArticleTitle``,
  ``PubDate`` and ``ContentSource`` meta and the body in ``.TRS_UEDITOR``.
- ``jcms`` (Hanweb 大汉 JCMS): the column page holds no list in its HTML; its records sit in
  ``<script type="text/xml"><datastore>`` (three pages' worth), ``<nextgroup>`` links to
  ``/module/web/jpage/dataproxy.jsp`` with the column's fields, the pager script says
  ``totalRecord``/``perPage``; later records come from a POST to that proxy
  (``startrecord``/``endrecord``/``perpage`` in the address, the fields in the form). Articles at
  ``/art/Y/M/D/art_COL_ID.html`` show ``发布日期：`` in the text, body in ``#zoom``.
- ``ucap`` (UCAP / 开普云): a list without dates cut into ``<ul>`` blocks of five with empty
  separators; articles at ``/YYYY-MM/DD/content_ID.html`` with no date meta, the date only in
  the line under the title (来源 … 作者 … date), body in ``#UCAP-CONTENT``.
- ``nanwei`` (南威 templates): each row is one ``<a>`` card (picture, title block, ``MM-DD HH:MM``);
  articles with ``发布时间：`` in a span and the body in ``.detil-new-cont``; a 下一页 link.
"""

from __future__ import annotations

import zlib
from html import escape
from urllib.parse import parse_qs

from sandbox.world import Account, Post, World

PER_PAGE = 15
JCMS_GROUP = 3  # pages of records a JCMS column page carries
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
FAMILIES = ("trs", "jcms", "ucap", "nanwei")


def column_id(account: Account) -> str:
    return str(10000 + zlib.crc32(account.spec.handle.encode()) % 90000)


def _posts(account: Account, world: World) -> list[Post]:
    return [p for p in account.regular_posts() if p.published_at <= world.now]


def post_path(account: Account, post: Post) -> str:
    handle, when, layout = account.spec.handle, post.published_at, account.spec.scenario.layout
    if layout == "trs":
        return f"/gov/{handle}/{when:%Y%m}/t{when:%Y%m%d}_{post.id}.html"
    if layout == "jcms":
        return f"/art/{when.year}/{when.month}/{when.day}/art_{column_id(account)}_{post.id}.html"
    if layout == "ucap":
        return f"/gov/{handle}/{when:%Y-%m}/{when:%d}/content_{post.id}.html"
    return f"/gov/{handle}/news/{post.id}.html"


def _page(account: Account, title: str, main: str, scripts: str = "") -> bytes:
    site = "青川旗人民政府"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="SiteName" content="{site}"><meta name="ColumnName" content="{escape(account.spec.name)}">
<title>{escape(title)}_{site}</title></head>
<body class="page-column"><div class="top-bar"><a href="/gov/">网站首页</a><a href="/gov/zwgk/">政务公开</a>
<a href="/gov/hdjl/">互动交流</a><a href="/gov/bsfw/">办事服务</a></div>
<div class="wrap"><div class="location">当前位置：<a href="/gov/">首页</a> &gt; <span>{escape(account.spec.name)}</span></div>
{main}</div>
<div class="foot"><p>主办：青川旗人民政府办公室 网站标识码 1500000001</p>
<a href="/gov/sitemap.html">网站地图</a></div>{scripts}</body></html>""".encode()


# --------------------------------------------------------------------------- column pages


def column_page(account: Account, world: World, page_no: int) -> bytes | None:
    layout = account.spec.scenario.layout
    posts = _posts(account, world)
    if layout == "jcms":
        return _jcms_page(account, posts) if page_no == 0 else None
    pages = max(1, -(-len(posts) // PER_PAGE))
    if page_no >= pages:
        return None
    chunk = posts[page_no * PER_PAGE : (page_no + 1) * PER_PAGE]
    return {"trs": _trs_page, "ucap": _ucap_page, "nanwei": _nanwei_page}[layout](
        account, chunk, page_no, pages
    )


def _rel(account: Account, post: Post) -> str:
    return "." + post_path(account, post).removeprefix(f"/gov/{account.spec.handle}")


def _trs_page(account: Account, chunk: list[Post], page_no: int, pages: int) -> bytes:
    rows = []
    for post in chunk:
        title = escape(post.title)
        shown = title if len(post.title) <= 18 else escape(post.title[:17]) + "…"
        rows.append(
            f'<li><i class="dot"></i><a href="{_rel(account, post)}" title="{title}" target="_blank">{shown}</a>'
            f'<a class="fj" href="./P0200{post.id}.pdf" title="附件"><img src="/images/fj.png"></a>'
            f'<span class="date">{post.published_at:%Y-%m-%d}</span></li>'
        )
    main = f'<div class="list-con"><ul class="trs-list">{"".join(rows)}</ul><div class="page" id="page_div"></div></div>'
    pager = (
        f"<script>var countPage = {pages};//共多少页\nvar currentPage = {page_no};//当前页，从0开始\n"
        'createPageHTML(countPage, currentPage, "index", "html");</script>'
    )
    return _page(account, account.spec.name, main, pager)


def _jcms_record(account: Account, post: Post) -> str:
    title = escape(post.title)
    return (
        f"<record><![CDATA[\n<li><a href='{post_path(account, post)}' title='{title}' target=\"_blank\">{title}</a>"
        f'<b class="time">{post.published_at:%Y-%m-%d}</b></li>]]></record>'
    )


def _jcms_page(account: Account, posts: list[Post]) -> bytes:
    col = column_id(account)
    unit = 200000 + int(col)
    shown = posts[: PER_PAGE * JCMS_GROUP]
    records = "\n".join(_jcms_record(account, p) for p in shown)
    proxy = (
        f"{PROXY_PATH}?page=1&amp;appid=1&amp;webid=3&amp;path='/'&amp;columnid={col}"
        f"&amp;unitid={unit}&amp;webname='%E9%9D%92%E5%B7%9D'&amp;permissiontype=0"
    )
    main = (
        f'<div class="lm-list" id="{unit}"><script type="text/xml"><datastore>\n'
        f'<nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>\n<recordset>\n{records}\n</recordset>\n'
        f"</datastore></script></div>"
    )
    pager = (
        f'<script src="/module/web/jpage/jpage.js"></script><script>$("#{unit}").jpage({{'
        f"dataStore: dataStore, proxyUrl: '{PROXY_PATH}', dataAfter: '', totalRecord: {len(posts)}, "
        f"perPage: {PER_PAGE}, groupSize: {JCMS_GROUP}, barPosition: 'bottom'}});</script>"
    )
    return _page(account, account.spec.name, main, pager)


def proxy_answer(account: Account, world: World, query: dict[str, str]) -> bytes:
    """What dataproxy.jsp answers: records startrecord..endrecord (1-based) and the total."""
    posts = _posts(account, world)
    try:
        start = max(1, int(query.get("startrecord", "1")))
        end = int(query.get("endrecord", str(start + PER_PAGE * JCMS_GROUP - 1)))
    except ValueError:
        start, end = 1, 0
    records = "\n".join(_jcms_record(account, p) for p in posts[start - 1 : max(end, 0)])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
        f"<recordset>\n{records}\n</recordset>\n<totalrecord>{len(posts)}</totalrecord>\n"
        f"<totalpage>{-(-len(posts) // PER_PAGE)}</totalpage>\n</datastore>"
    ).encode()


def form_fields(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items() if v}


def _ucap_page(account: Account, chunk: list[Post], page_no: int, pages: int) -> bytes:
    blocks = []
    for start in range(0, len(chunk), 5):
        rows = "".join(
            f'<li><a href="{_rel(account, p)}" target="_blank" title="{escape(p.title)}">{escape(p.title)}</a></li>'
            for p in chunk[start : start + 5]
        )
        blocks.append(f'<ul class="news-ul">{rows}</ul>')
    nxt = f'<a class="next" href="index_{page_no + 1}.html">下一页</a>' if page_no + 1 < pages else ""
    main = (
        '<div class="ucap-list">' + '<div class="split-line"></div>'.join(blocks) + "</div>"
        f'<div class="pagination"><span>第{page_no + 1}页 共{pages}页</span>{nxt}</div>'
    )
    return _page(account, account.spec.name, main)


def _nanwei_page(account: Account, chunk: list[Post], page_no: int, pages: int) -> bytes:
    cards = "".join(
        f'<a class="nw-card" href="{_rel(account, p)}" target="_blank"><div class="nw-pic">'
        f'<img src="/images/nw{int(p.id) % 5}.jpg"></div><div class="nw-txt"><div class="nw-tit">{escape(p.title)}</div>'
        f'<div class="nw-meta"><span class="nw-time">{p.published_at:%m-%d %H:%M}</span>'
        f'<span class="nw-views">{int(p.id) % 900}阅</span></div></div></a>'
        for p in chunk
    )
    nxt = f'<a href="index_{page_no + 1}.html">下一页</a>' if page_no + 1 < pages else ""
    main = f'<div class="nw-feed">{cards}</div><div class="nw-pager">{nxt}</div>'
    return _page(account, account.spec.name, main)


# --------------------------------------------------------------------------- article pages


def article(account: Account, post: Post) -> bytes:
    layout, unit, when = account.spec.scenario.layout, escape(account.spec.unit), post.published_at
    title = escape(post.title)
    if layout == "trs":
        head = (
            f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{when:%Y-%m-%d %H:%M}">'
            f'<meta name="ContentSource" content="青川旗{unit.removeprefix("旗")}">'
        )
        main = (
            f'<div class="article"><h1>{title}</h1><div class="info">日期：{when:%Y-%m-%d}</div>'
            f'<div class="TRS_UEDITOR TRS_WEB">{post.text}</div></div>'
        )
    elif layout == "jcms":
        head = ""
        main = (
            f'<table class="art"><tr><td class="title">{title}</td></tr>'
            f"<tr><td class=\"sub\">发布日期：{when:%Y-%m-%d %H:%M}　信息来源：{unit}　浏览次数：<span id='c'></span></td></tr>"
            f'<tr><td><div id="zoom">{post.text}</div></td></tr></table>'
        )
    elif layout == "ucap":
        head = ""
        main = (
            f'<div class="detail"><div class="detail-title">{title}</div>'
            f'<ul class="detail-info"><li>来源：{unit}</li><li>作者：</li><li>{when:%Y-%m-%d %H:%M}</li></ul>'
            f'<div id="UCAP-CONTENT" class="detail-body">{post.text}</div></div>'
        )
    else:
        head = ""
        main = (
            f'<div class="detil-new"><h2 class="detil-new-tit">{title}</h2>'
            f'<div class="detil-new-fb"><span>来源： {unit} </span><span> 发布时间： {when:%Y-%m-%d %H:%M} </span></div>'
            f'<div class="detil-new-cont">{post.text}</div></div>'
        )
    site = "青川旗人民政府"
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">{head}
<title>{title}_{site}</title></head><body><div class="top-bar"><a href="/gov/">网站首页</a></div>
<div class="wrap">{main}<div class="related"><h3>相关链接</h3><a href="/gov/">青川旗人民政府网站首页</a></div></div>
<div class="foot">主办：青川旗人民政府办公室</div></body></html>""".encode()
