"""Links behind anchors (crawler/parsers/anchors.py): a post that shows 网页链接 or an article whose
body says 点击查看 has its link read from the ``<a href>``, per platform, the platform's own
navigation (mentions, topics, menus) left out; stored on the post (posts.links) and checked with
the links its text writes out."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.config import parse_config
from core.items import PostItem
from core.links import post_links
from crawler.parsers import feed, website, wechat, weibo
from crawler.parsers.anchors import html_links, unwrap
from storage import repo
from storage.db import open_store
from storage.links import post_texts
from storage.models import Post

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

# A Weibo post as m.weibo.cn serves its text: a wrapped outside link shown as 网页链接, a mention,
# a topic (a surl-text anchor too), a direct outside link and the 全文 link of a cut post.
WEIBO_TEXT = (
    "冬季供暖保障措施发布，详情请看"
    '<a data-url="http://t.cn/Ab12Cd" href="https://weibo.cn/sinaurl?f=w&amp;u=http%3A%2F%2Ft.cn%2FAb12Cd">'
    "<span class='url-icon'><img src='https://h5.sinaimg.cn/upload/2015/09/25/3/timeline_card_small_web.png'>"
    '</span><span class="surl-text">网页链接</span></a>'
    "，转发<a href='/n/青川发布'>@青川发布</a> "
    '<a href="https://m.weibo.cn/search?containerid=231522type%3D1%26q%3D%23%E4%BE%9B%E6%9A%96%23">'
    '<span class="surl-text">#供暖#</span></a> '
    '<a href="https://www.qingchuan.gov.cn/zwgk/gr.html">供暖办</a>'
    '...<a href="/status/4000000000000001">全文</a>'
)


def mblog(text: str, **extra) -> dict:
    return {"id": "4000000000000001", "bid": "Abc", "created_at": "刚刚", "text": text, **extra}


def test_weibo_anchor_found_wrapper_unwrapped_navigation_skipped():
    post = weibo.parse_mblog("w", mblog(WEIBO_TEXT), NOW)
    assert post.links == ("http://t.cn/Ab12Cd", "https://www.qingchuan.gov.cn/zwgk/gr.html")
    assert "网页链接" in post.text and "t.cn" not in post.text  # the text alone never had it
    assert (
        unwrap("https://weibo.cn/sinaurl?u=https%3A%2F%2Fa.example%2Fx%3Fy%3D1") == "https://a.example/x?y=1"
    )
    assert unwrap("https://m.weibo.cn/status/1") == "https://m.weibo.cn/status/1"
    # the anchor's address however the platform quotes it; an anchor without one gives nothing
    odd = "<A name=top></A><a data-href='x' class=k href=http://a.example/1?x=1&amp;y=2>甲</a>"
    assert html_links(odd, "https://m.weibo.cn/") == ("http://a.example/1?x=1&y=2",)
    # a post with only navigation gives no link
    plain = weibo.parse_mblog("w", mblog("<a href='/n/某人'>@某人</a> 早上好"), NOW)
    assert plain.links == ()


def test_weibo_long_text_carries_its_anchors():
    body = json.dumps({"ok": 1, "data": {"longTextContent": WEIBO_TEXT.replace("...", "")}})
    text, links = weibo.read_long_text(body)
    assert "冬季供暖" in text and links[0] == "http://t.cn/Ab12Cd"
    assert weibo.parse_long_text(body) == text


ARTICLE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>关于做好冬季供暖保障工作的通知_青川旗人民政府</title>
<meta name="PubDate" content="2026-11-28 09:30"></head><body>
<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="http://www.gov.cn/">中国政府网</a></div>
<div class="TRS_Editor"><p>各苏木乡镇、旗直各部门：为做好今冬供暖保障工作，现将有关事项通知如下。</p>
<p>一、供暖期自11月1日起。申报表<a href="../files/sbb.docx">点击下载</a>，
政策原文<a href="https://www.example-policy.cn/doc/1.html#p2">见此</a>。</p>
<p><a href="javascript:void(0)">打印</a><a href="#top">返回顶部</a><a href="mailto:a@b.cn">来信</a></p></div>
<div class="footer"><a href="https://beian.miit.gov.cn/">蒙ICP备00000000号</a></div>
</body></html>"""


def test_website_article_anchors_inside_its_body_only():
    url = "https://www.qingchuan.gov.cn/zwgk/tzgg/202611/t20261128_1.html"
    page = website.read_article_page(url, ARTICLE_PAGE.encode(), NOW)
    assert page.links == (
        "https://www.qingchuan.gov.cn/zwgk/tzgg/files/sbb.docx",
        "https://www.example-policy.cn/doc/1.html",
    )
    assert "点击下载" in page.text


WECHAT_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta property="og:title" content="供暖保障十问十答"></head><body>
<h1 id="activity-name">供暖保障十问十答</h1><a id="js_name">青川发布</a>
<div class="rich_media_content" id="js_content"><p>供暖问题如何反映？请通过
<a href="https://mp.weixin.qq.com/s/AbCdEf" target="_blank">往期文章</a>了解，或登录
<a href="http://www.qingchuan.gov.cn/hd/">政民互动平台</a>留言。</p></div>
<a href="https://mp.weixin.qq.com/mp/profile_ext?action=home">更多文章</a>
<script>var ct = "1764300000"; var item_show_type = "0";</script></body></html>"""


def test_wechat_article_anchors_inside_js_content_only():
    result = wechat.parse_article("wx", "a1", "https://mp.weixin.qq.com/s/Xy", WECHAT_PAGE.encode())
    assert result.post.links == ("https://mp.weixin.qq.com/s/AbCdEf", "http://www.qingchuan.gov.cn/hd/")


FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>青川发布</title>
<link>https://weibo.com/7712000101</link>
<item><title>供暖</title><link>https://weibo.com/7712000101/Abc</link><guid>https://weibo.com/7712000101/Abc</guid>
<description><![CDATA[供暖通知<a href="https://weibo.cn/sinaurl?u=http%3A%2F%2Ft.cn%2FZz9">网页链接</a>
<a href="https://weibo.com/n/青川发布">@青川发布</a>]]></description>
<pubDate>Fri, 28 Nov 2026 09:00:00 +0800</pubDate></item>
<item><title>通知</title><link>https://www.qingchuan.gov.cn/tzgg/1.html</link><guid>n2</guid>
<description><![CDATA[<p>详见<a href="fj/2.pdf">附件</a></p>]]></description>
<pubDate>Fri, 28 Nov 2026 08:00:00 +0800</pubDate></item>
</channel></rss>"""


def test_feed_item_anchors_resolved_against_the_feed():
    weibo_posts = feed.parse_feed("w", "http://bridge/weibo/user/1", FEED.encode(), "weibo").posts
    assert weibo_posts[0].links == ("http://t.cn/Zz9",)  # the mention on weibo.com left out
    # a relative address is the feed's own (xml:base: the document's address), as readers resolve it
    rss_posts = feed.parse_feed("g", "https://www.qingchuan.gov.cn/rss/tzgg.xml", FEED.encode(), "rss").posts
    assert rss_posts[1].links == ("https://www.qingchuan.gov.cn/rss/fj/2.pdf",)


CONFIG = parse_config(
    {"accounts": [{"id": "w", "unit": "旗人民政府", "platform": "weibo", "name": "青川发布", "handle": "1"}]}
)


def test_links_are_stored_filled_on_a_later_read_and_checked_with_the_text(database_url):
    store = open_store(database_url)
    item = PostItem("w", "p1", None, NOW - timedelta(hours=1), text="通知见网页链接，另见 http://t.cn/Ab12Cd")
    with store.session() as s:
        repo.sync_accounts(s, repo.config_account_records(CONFIG.accounts))
        repo.upsert_posts(s, [item])
    with store.session() as s:
        before = s.scalars(select(Post)).one()
        assert before.links is None
        digest = before.content_hash
    # the same post read again by a parser that sees its anchors: the column fills, nothing "edited"
    again = replace(item, links=("http://t.cn/Ab12Cd", "https://a.example/x"))
    with store.session() as s:
        repo.upsert_posts(s, [again])
    # a later read without anchors (a feed's bare text) keeps them
    with store.session() as s:
        repo.upsert_posts(s, [item])
    with store.session() as s:
        post = s.scalars(select(Post)).one()
        assert post.links == ["http://t.cn/Ab12Cd", "https://a.example/x"]
        assert post.content_hash == digest
        [read] = post_texts(s, NOW - timedelta(days=1))
    # the check's links: the text's, then the anchors', each spelled once
    assert post_links(read.links, read.text, read.title, read.repost_text) == [
        "http://t.cn/Ab12Cd",
        "https://a.example/x",
    ]
