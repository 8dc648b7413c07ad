"""Government website column lists: three layouts and more, nav/footer ignored, paging, PubDate."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.items import PageProblem
from crawler.parsers import website

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=TZ)
FIX = Path(__file__).parent / "fixtures" / "website"
BASE = "https://www.qingchuan.example.gov.cn/xxgk/gzdt/index.html"


def parse(name: str, **kw):
    return website.parse_column(BASE, (FIX / name).read_bytes(), NOW, TZ, **kw)


def test_list_layout_relative_links_nav_footer_ignored_and_paging():
    page = parse("list.html")
    assert [i.title for i in page.items] == [
        "青川旗召开冬季安全生产工作会议",
        "旗政务服务中心推出延时服务",
        "宝力镇开展秋冬季防火宣传",
    ]
    assert page.items[0].url == "https://www.qingchuan.example.gov.cn/xxgk/gzdt/202611/t20261120_1001.html"
    assert page.items[1].url == "https://www.qingchuan.example.gov.cn/xxgk/gzdt/202611/t20261118_1000.html"
    assert page.items[0].published_at == datetime(2026, 11, 20, tzinfo=TZ)
    assert page.next_url == "https://www.qingchuan.example.gov.cn/xxgk/gzdt/index_1.html"


def test_table_layout_bracket_dates_full_titles_next_link():
    page = parse("table.html")
    assert len(page.items) == 2
    assert page.items[0].title == "关于2026年冬季学期放假安排的通知"  # the title attribute, not the cut text
    assert page.items[1].published_at == datetime(2026, 11, 2, tzinfo=TZ)
    assert page.next_url.endswith("/xxgk/gzdt/index_1.html")


def test_dates_in_text_layout():
    page = parse("text_dates.html")
    assert [i.published_at for i in page.items] == [
        datetime(2026, 6, 30, tzinfo=TZ),
        datetime(2026, 6, 12, tzinfo=TZ),
    ]
    assert all("网站地图" not in i.title and "关于我们" not in i.title for i in page.items)
    assert page.next_url is None


def test_month_day_dates_take_this_year():
    page = parse("month_day.html")
    assert [i.published_at for i in page.items] == [
        datetime(2026, 11, 17, tzinfo=TZ),
        datetime(2026, 11, 3, tzinfo=TZ),
    ]


def test_selectors_from_config():
    sel = {"item": "table.list tr", "link": "td.t a", "date": "td:nth-child(2)"}
    page = parse("table.html", selectors=sel)
    assert len(page.items) == 2 and page.items[0].published_at == datetime(2026, 11, 20, tzinfo=TZ)


def test_page_without_a_list_is_parse_error_not_empty():
    with pytest.raises(PageProblem) as info:
        parse("no_list.html")
    assert info.value.outcome == "parse_error"


def test_waf_empty_page_is_blocked():
    with pytest.raises(PageProblem) as info:
        website.parse_column(BASE, b"   ", NOW, TZ)
    assert info.value.outcome == "blocked"


def test_article_pubdate_meta():
    published, title, text = website.parse_article_page(
        BASE, (FIX / "article_pubdate.html").read_bytes(), NOW, TZ
    )
    assert published == datetime(2026, 11, 17, 9, 30, tzinfo=TZ)
    assert title == "旗文旅局举办冬季旅游推介会" and "推介会" in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=TZ)),
        ("[2026-11-20]", datetime(2026, 11, 20, tzinfo=TZ)),
        ("2026年11月20日", datetime(2026, 11, 20, tzinfo=TZ)),
        ("2026/11/20", datetime(2026, 11, 20, tzinfo=TZ)),
        ("12-30", datetime(2025, 12, 30, tzinfo=TZ)),  # later than now this year: last year
        ("无日期", None),
    ],
)
def test_date_forms(text, expected):
    assert website.parse_date(text, NOW, TZ) == expected


@pytest.mark.parametrize(
    ("label", "encode"),
    [
        ("GBK declared as GBK", lambda html: html.replace("utf-8", "gbk").encode("gbk")),
        ("GB2312 declared as GB2312", lambda html: html.replace("utf-8", "gb2312").encode("gb18030")),
        ("GBK served while declaring UTF-8", lambda html: html.encode("gbk")),
        (
            "UTF-8 with two stray bytes",
            lambda html: html.encode("utf-8").replace(b"</body>", b"\xff\xfe</body>"),
        ),
    ],
)
def test_page_in_another_encoding_keeps_its_titles_dates_and_next_link(label, encode):
    """Read in the wrong encoding, a column page's "下一页" link is lost and the page passes for
    the end of the list (the column's older items would never be read)."""
    html = (FIX / "table.html").read_text(encoding="utf-8")
    assert "utf-8" in html.lower()
    page = website.parse_column(BASE, encode(html), NOW, TZ)
    expected = parse("table.html")
    assert [i.title for i in page.items] == [i.title for i in expected.items], label
    assert [i.published_at for i in page.items] == [i.published_at for i in expected.items], label
    assert page.next_url == expected.next_url, label
