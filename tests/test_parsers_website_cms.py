"""Column and article pages in the shapes real government CMSs serve (our own markup): rows with
a second link, <a> cards, a list cut into sibling blocks, dates shown only in the text, CMS body
containers, stray </html>, TRS pagers, Hanweb data islands and their dataproxy.jsp paging."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from core.items import PageProblem
from crawler.parsers import article, jpage, website

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=TZ)
BASE = "https://www.qingchuan.example.gov.cn/xxgk/tzgg/index.html"
ROOT = "https://www.qingchuan.example.gov.cn"

TITLES = [
    "关于开展冬季消防安全检查的通知",
    "青川旗二〇二六年第三批就业补贴名单公示",
    "关于调整城乡居民医保缴费标准的公告",
    "旗政务服务中心元旦期间办公时间安排",
    "关于征求国土空间规划意见的公告",
    "青川旗供暖季安全运行保障方案",
]


def page(body: str, title: str = "通知公告") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        '<body class="pageHeader-fixed"><div class="topnav"><a href="/">首页导航入口</a>'
        '<a href="/zwgk/">政务公开入口</a></div>'
        f'<div class="main">{body}</div><div class="footer"><a href="/map.html">网站地图页面</a></div></body></html>'
    )


def parse(html: str, url: str = BASE, **kw):
    return website.parse_column(url, html.encode(), NOW, TZ, **kw)


def test_rows_with_a_download_icon_link_and_a_row_wrapped_in_a_block_are_rows():
    icon_rows = "".join(
        f'<div class="item"><a href="/doc/{i}.pdf">{t}</a><span><a class="dl" href="/dl?id={i}">&nbsp;</a>'
        f"<em>2026-11-{18 - i:02d}</em></span></div>"
        for i, t in enumerate(TITLES[:3])
    )
    got = parse(page(f'<div id="msglist">{icon_rows}</div>'))
    assert [i.title for i in got.items] == TITLES[:3]
    assert got.items[2].published_at == datetime(2026, 11, 16, tzinfo=TZ)

    wrapped = "".join(
        f'<li><div class="box"><b>PDF</b><h3><a href="/doc/{i}.pdf">{t}</a></h3><i>2026-10-{20 - i:02d}</i>'
        f'<em><a href="/dl?id={i}"><img src="/d.png"></a></em></div></li>'
        for i, t in enumerate(TITLES[:4])
    )
    got = parse(page(f'<ul class="fixed">{wrapped}</ul>'))  # the body's class says "Header": not a header
    assert [i.title for i in got.items] == TITLES[:4]
    assert got.items[0].url == f"{ROOT}/doc/0.pdf" and got.items[3].published_at == datetime(
        2026, 10, 17, tzinfo=TZ
    )


def test_card_rows_each_one_link_with_picture_title_and_month_day_time():
    cards = "".join(
        f'<a class="card" href="/c/{i}.html"><div class="pic"><img src="/p{i}.jpg"></div>'
        f'<div><div class="t">{t}</div><div class="meta"><span>11-{19 - i:02d} 0{i}:4{i}</span>'
        f"<span>{i}评</span></div></div></a>"
        for i, t in enumerate(TITLES[:5])
    )
    got = parse(page(f'<div class="feed">{cards}</div>'))
    assert [i.title for i in got.items] == TITLES[:5]
    assert got.items[1].published_at == datetime(2026, 11, 18, 1, 41, tzinfo=TZ)


def test_card_title_is_its_heading_not_a_longer_summary():
    summary = "为进一步做好群众冬季出行服务工作，旗交通运输局近日召开专题会议，对有关工作进行了部署。"
    cards = "".join(
        f'<a href="/c/{i}.html"><div class="img"><img src="/p.jpg"></div><h4>{t}</h4>'
        f'<p class="desc">{summary}</p><div class="time">2026-11-{10 + i:02d}</div></a>'
        for i, t in enumerate(TITLES[:3])
    )
    got = parse(page(f'<div class="cards">{cards}</div>'))
    assert [i.title for i in got.items] == TITLES[:3]
    assert got.items[2].published_at == datetime(2026, 11, 12, tzinfo=TZ)


def test_one_list_cut_into_sibling_blocks_is_read_whole_but_separate_sections_are_not():
    def block(titles, day):
        rows = "".join(
            f'<li><span class="r">({2026}-11-{day:02d} 10:0{i}:00)</span><a href="/cat/">[动态]</a> '
            f'<a href="/n/{day}{i}.html">{t}</a></li>'
            for i, t in enumerate(titles)
        )
        return f'<div class="cnt"><ul class="lst">{rows}</ul></div><span class="hr"></span>'

    cut = block(TITLES[:3], 19) + block(TITLES[3:], 12)
    got = parse(page(f'<div id="panel">{cut}</div>'))
    assert [i.title for i in got.items] == TITLES
    assert got.items[0].published_at == datetime(2026, 11, 19, 10, 0, tzinfo=TZ)
    # Two lists under their own headings stay two lists: the longer one is the column.
    sections = (
        '<div class="box"><h3>通知公告</h3><ul class="lst">'
        + "".join(
            f'<li><a href="/a/{i}.html">{t}</a><span>2026-11-0{i + 1}</span></li>'
            for i, t in enumerate(TITLES[:4])
        )
        + '</ul><h3>政策解读</h3><ul class="lst">'
        + "".join(
            f'<li><a href="/b/{i}.html">{t}解读</a><span>2026-10-0{i + 1}</span></li>'
            for i, t in enumerate(TITLES[:2])
        )
        + "</ul></div>"
    )
    assert [i.title for i in parse(page(sections)).items] == TITLES[:4]


def test_rows_that_are_links_with_their_date_dl_rows_index_numbers_and_next_links():
    links = "".join(
        f'<a href="/n/{i}.html"><span class="t">{t}</span><em>2026-11-{15 - i:02d}</em></a>'
        for i, t in enumerate(TITLES[:4])
    )
    got = parse(
        page(f'<div class="lst">{links}</div><div class="pg"><a href="index_1.html">下一页&gt;</a></div>')
    )
    assert [i.title for i in got.items] == TITLES[:4]
    assert got.items[3].published_at == datetime(2026, 11, 12, tzinfo=TZ)
    assert got.next_url == f"{ROOT}/xxgk/tzgg/index_1.html"

    dls = "".join(
        f'<dl><dt><a href="/d/{i}.html">{t}</a></dt><dd>索引号：11150000MB1234/2026-0012{i} 发布日期：2026-10-0{i + 1}</dd></dl>'
        for i, t in enumerate(TITLES[:3])
    )
    got = parse(page(f'<div class="gk">{dls}</div><a title="下一页" href="index_1.html">&gt;</a>'))
    assert [i.title for i in got.items] == TITLES[:3]
    assert [i.published_at.day for i in got.items] == [1, 2, 3]  # the index number is not a date
    assert got.next_url == f"{ROOT}/xxgk/tzgg/index_1.html"


def test_undated_rows_take_the_date_of_their_address():
    rows = (
        f'<li><a href="./202611/t20261118_5512.html">{TITLES[0]}</a></li>'
        f'<li><a href="/art/2026/11/9/art_1234_998.html">{TITLES[1]}</a></li>'
        f'<li><a href="/c/{TITLES[2]}.html">{TITLES[2]}</a></li>'
    )
    got = parse(page(f'<ul class="list">{rows}</ul>'))
    assert [i.published_at for i in got.items] == [None, None, None]  # the list shows none
    assert [i.url_date for i in got.items] == [
        datetime(2026, 11, 18, tzinfo=TZ),
        datetime(2026, 11, 9, tzinfo=TZ),
        None,
    ]
    posts = [website.column_post("a", i) for i in got.items]
    assert all(p.published_at is None for p in posts)  # the article page decides first


@pytest.mark.parametrize(
    "script, expected",
    [
        ('createPageHTML(6, 0, "index", "html");', "index_1.html"),
        ("createPageHTML('page_div', 6, 2, 'index', 'shtml', 88);", "index_3.shtml"),
        (
            'var countPage = 6//共多少页\nvar currentPage = 4;\ncreatePageHTML(countPage, currentPage, "index", "html");',
            "index_5.html",
        ),
        (
            "var countPage = 6; var currentPage = 5; createPageHTML(countPage, currentPage, 'index', 'html');",
            None,
        ),
    ],
)
def test_trs_pager_forms(script, expected):
    rows = "".join(
        f'<li><a href="./a{i}.html">{t}</a><span>2026-11-0{i + 1}</span></li>' for i, t in enumerate(TITLES)
    )
    got = parse(page(f"<ul>{rows}</ul><script>{script}</script>"))
    assert got.next_url == (f"{ROOT}/xxgk/tzgg/{expected}" if expected else None)


def jcms_page(records: list[str], total: int) -> str:
    data = "".join(f"<record><![CDATA[\n{r}]]></record>\n" for r in records)
    proxy = "/module/web/jpage/dataproxy.jsp?page=1&amp;webid=7&amp;path='/'&amp;columnid=4412&amp;unitid=88120&amp;webname='青川'"
    return page(
        f'<div id="88120"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="{proxy}"></a>]]>'
        f"</nextgroup><recordset>{data}</recordset></datastore></script></div>"
        f"<script>$('#88120').jpage({{dataAfter:'', totalRecord:{total}, perPage:2, groupSize:3}});</script>"
    )


def test_hanweb_data_island_is_the_list_and_dataproxy_pages_follow():
    records = [
        f"<li><a href='/art/2026/11/{19 - i}/art_4412_{70 + i}.html' title='{t}'>{t[:8]}…</a><span>2026-11-{19 - i:02d}</span></li>"
        for i, t in enumerate(TITLES)
    ]
    got = parse(jcms_page(records, total=14), url=f"{ROOT}/col/col4412/index.html")
    assert [i.title for i in got.items] == TITLES  # the title attribute, not the cut text
    assert got.items[0].url == f"{ROOT}/art/2026/11/19/art_4412_70.html"
    parts = urlsplit(got.next_url)
    assert parts.path == "/module/web/jpage/dataproxy.jsp"
    assert parse_qs(parts.query) == {"startrecord": ["7"], "endrecord": ["12"], "perpage": ["2"]}
    assert got.next_form["columnid"] == "4412" and got.next_form["unitid"] == "88120"
    assert got.next_form["path"] == "/" and "startrecord" not in got.next_form

    answer = (
        '<?xml version="1.0" encoding="UTF-8"?><datastore><recordset>'
        + "".join(f"<record><![CDATA[{r}]]></record>" for r in records)
        + "</recordset><totalrecord>14</totalrecord></datastore>"
    )
    second = parse(answer, url=got.next_url, form=got.next_form)
    assert len(second.items) == 6 and second.next_form == got.next_form
    assert parse_qs(urlsplit(second.next_url).query)["startrecord"] == ["13"]
    assert parse_qs(urlsplit(second.next_url).query)["endrecord"] == ["14"]
    last_url = second.next_url.replace("startrecord=13", "startrecord=15")
    empty = '<?xml version="1.0" encoding="UTF-8"?><datastore><recordset></recordset></datastore>'
    assert parse(empty, url=last_url, form=got.next_form).items == []


def read(body: str, url: str = f"{ROOT}/xxgk/tzgg/show_77.html") -> article.ArticlePage:
    return website.read_article_page(url, body.encode(), NOW, TZ)


TEXT = "<p>为做好冬季安全生产工作，现将有关事项通知如下。</p><p>一、各单位要落实主体责任，开展隐患排查。</p>"


@pytest.mark.parametrize(
    "info, expected, how",
    [
        (
            '<div class="fb"><span>来源：旗应急管理局</span><span>发布时间： 2026-11-17 16:05</span></div>',
            datetime(2026, 11, 17, 16, 5, tzinfo=TZ),
            "label",
        ),
        ("<p>发布日期: 2026-11-03 字号：[大][中][小]</p>", datetime(2026, 11, 3, tzinfo=TZ), "label"),
        (
            "<ul><li>来源：新华社</li><li>作者：</li><li>2026-10-30 09:12</li></ul>",
            datetime(2026, 10, 30, 9, 12, tzinfo=TZ),
            "info",
        ),
        ("<p>成文日期：2026-09-01</p><p>时间：2026年11月2日</p>", datetime(2026, 11, 2, tzinfo=TZ), "label"),
    ],
)
def test_article_date_shown_only_in_the_text(info, expected, how):
    got = read(
        page(
            f'<h1>{TITLES[0]}</h1>{info}<div class="art">{TEXT}<p>报名时间为2026年12月1日至12月5日。</p></div>',
            TITLES[0],
        )
    )
    assert (got.published, got.date_from) == (expected, how)


def test_article_date_from_its_address_last():
    body = page(f"<h1>{TITLES[1]}</h1><div>{TEXT}</div>", f"{TITLES[1]}-青川旗人民政府")
    got = read(body, url=f"{ROOT}/zwgk/202611/t20261112_3341.html")
    assert (got.published, got.date_from) == (datetime(2026, 11, 12, tzinfo=TZ), "url")
    assert read(body).published is None


@pytest.mark.parametrize(
    "container",
    [
        '<div id="UCAP-CONTENT">',
        '<div class="TRS_UEDITOR trs_paper_default">',
        '<div class="trs_editor_view">',
    ],
)
def test_article_body_in_cms_containers_and_by_punctuation(container):
    noise = '<div class="side"><a href="/x">相关链接一</a><a href="/y">相关链接二</a></div>'
    got = read(page(f'{noise}<div class="wrap"><h2>{TITLES[2]}</h2>{container}{TEXT}</div></div>', TITLES[2]))
    assert "现将有关事项通知如下" in got.text and "相关链接" not in got.text


def test_stray_closing_html_tag_does_not_end_the_page_and_title_comes_from_the_heading():
    header = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>青川旗人民政府-'
        + TITLES[3]
        + "</title></head>"
    )
    body = (
        header + '<body><div class="hd">头部</div></html>\n<div class="article"><div class="t">' + TITLES[3]
    )
    body += (
        '</div><meta name="ContentSource" content="旗政务服务中心"><div class="c">'
        + TEXT
        + "</div></div></body></html>"
    )
    got = read(body)
    assert "落实主体责任" in got.text and got.title == TITLES[3] and got.source == "旗政务服务中心"


def test_jpage_ignores_pages_without_a_datastore_and_reads_the_largest_island():
    assert jpage.read_datastore(page("<ul><li>x</li></ul>")) is None
    side = (
        '<div id="side"><script type="text/xml"><datastore><recordset>'
        + "".join(
            f"<record><![CDATA[<li><a href='/art/2026/1/{i + 1}/art_9_{i}.html'>侧栏热点新闻第{i}条</a><span>2026-01-0{i + 1}</span></li>]]></record>"
            for i in range(2)
        )
        + "</recordset></datastore></script></div><script>$('#side').jpage({totalRecord:2, perPage:2});</script>"
    )
    records = [
        f"<li><a href='/art/2026/11/1/art_4412_{i}.html'>{t}</a><span>2026-11-01</span></li>"
        for i, t in enumerate(TITLES)
    ]
    got = parse(jcms_page(records, total=30).replace('<div class="main">', '<div class="main">' + side))
    assert [i.title for i in got.items] == TITLES
    assert parse_qs(urlsplit(got.next_url).query)["endrecord"] == ["12"]


def test_a_file_behind_a_column_item_is_not_read_as_an_article():
    with pytest.raises(PageProblem) as info:
        website.read_article_page(f"{ROOT}/doc/notice", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", NOW, TZ)
    assert info.value.outcome == "parse_error" and "file" in info.value.detail
