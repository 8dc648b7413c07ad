"""The lxml reader of plain feeds (crawler.parsers.feedxml) against feedparser itself: for every
document it accepts, parse_feed must give exactly what feedparser gives. Generated RSS 2.0 and
Atom documents mix the cases feedparser treats specially (HTML and entities in text, relative
links, guids that are or are not links, mojibake and cp1252 characters, several links,
enclosures, dates in every form); the fixtures and the sandbox's feeds are compared too."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.items import PageProblem
from crawler.parsers import feedxml
from crawler.parsers.feed import parse_feed
from sandbox import feeds
from sandbox.world import build_world

FIXTURES = Path(__file__).parent / "fixtures"
URL = "https://rsshub.example.gov.cn/weibo/user/5891234567"
PLATFORMS = ("rss", "weibo", "wechat", "bilibili")

TEXTS = [
    "",
    "  ",
    "兴安盟发布：今日全盟晴转多云。",
    "Report time",
    "RT @someone: hello",
    "//@内蒙古发布:权威发布",
    "转发微博",
    "<p>规划明确了到2030年的发展目标。</p><p><img src='/images/snow.jpg' alt=''></p>",
    '请广大市民周知！<br><blockquote> - 转发 <a href="https://weibo.com/2090000001">@内蒙古发布</a>:&ensp;原文。</blockquote>',
    '转发微博<br><blockquote> - 转发 <a href="/sorry">[原微博不可访问]</a>:&ensp;抱歉，此微博已被作者删除。</blockquote>',
    '我局转发了通知。<span class="url-icon"><img alt="[赞]" src="https://face.t.sinajs.cn/x.png" style="width:1em"></span>',
    '<a href="/n/x">@某人</a> 你好<script>alert(1)</script><style>p{}</style>',
    "a &amp; b &lt;b&gt;粗&lt;/b&gt; &#150; &#x2014; &nbsp;end",
    "<b>粗体</b> and <i>italic</i>",
    "Caf\u00c3\u00a9 mojibake",
    "cp1252 \x96 dash \x80 euro",
    "line one\nline two\r\nline three",
    "<p/>para<p/>after",
    "<div><p>嵌套</p></div><ul><li>一</li><li>二</li></ul>",
    "x < y > z",
    "&NewLine; html5 entity &hellip;",
    '<img src="pic.jpg">',
    "<![CDATA[ inner ]]> text",
    "<unknown>tag</unknown> <font color=red>red</font>",
]
DATES = [
    "Fri, 20 Nov 2026 01:55:00 GMT",
    "Thu, 19 Nov 2026 07:00:00 +0800",
    "2026-11-20T08:00:00+08:00",
    "2026-11-10T01:00:00Z",
    "2026年11月20日 10:00",
    "2026-11-19 16:30",
    "Tue, 17 Nov 2026 09:15:00 CST",
    "2026-02-30T10:00:00Z",
    "not a date",
    "",
]
LINKS = [
    "https://weibo.com/5891234567/P0rEcEnt5",
    "/zcjd/202611/t20261120_88.html",
    "t20261120_88.html",
    "http://www.kyqq.gov.cn/a?x=1&y=2",
    "http://www.kyqq.gov.cn/a?x=1&amp;y=2",
    "",
    "javascript:alert(1)",
    "tag:aes.gov.cn,2026:zcjd-88",
    "urn:zltq:xw:20261120-1",
    "MzI0NjU1MTAxMQ==_2247501234_1",
    "12345",
]
ENCLOSURE_TYPES = [None, "audio/mpeg", "video/mp4", "image/jpeg", "Video/MP4", ""]

text = st.sampled_from(TEXTS)


def body_of(value: str, cdata: bool) -> str:
    if cdata and "]]>" not in value:
        return f"<![CDATA[{value}]]>"
    return escape(value)


def element(name: str, value: str, cdata: bool = False, attrs: str = "") -> str:
    return f"<{name}{attrs}>{body_of(value, cdata)}</{name}>"


@st.composite
def rss_item(draw) -> str:  # noqa: ANN001
    parts = []
    if draw(st.booleans()):
        parts.append(element("title", draw(text), draw(st.booleans())))
    if draw(st.booleans()):
        parts.append(element("description", draw(text), draw(st.booleans())))
    if draw(st.booleans()):
        parts.append(element("content:encoded", draw(text), draw(st.booleans())))
    if draw(st.booleans()):
        parts.append(element("link", draw(st.sampled_from(LINKS))))
    if draw(st.booleans()):
        permalink = draw(
            st.sampled_from(["", ' isPermaLink="false"', ' isPermaLink="true"', ' isPermaLink="True"'])
        )
        parts.append(element("guid", draw(st.sampled_from(LINKS)), attrs=permalink))
    if draw(st.booleans()):
        parts.append(element("pubDate", draw(st.sampled_from(DATES))))
    if draw(st.booleans()):
        parts.append(element("dc:date", draw(st.sampled_from(DATES))))
    author = draw(st.sampled_from([None, "author", "dc:creator"]))
    if author:
        name = draw(st.sampled_from(["兴安盟发布", "bob@example.com (Bob)", "", "Ã©"]))
        parts.append(element(author, name, draw(st.booleans())))
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(ENCLOSURE_TYPES))
        type_attr = f" type={quoteattr(kind)}" if kind is not None else ""
        parts.append(f'<enclosure url="/media/1.mp4" length="1"{type_attr}/>')
    for _ in range(draw(st.integers(0, 2))):
        parts.append(element("category", draw(st.sampled_from(["政务", "a&b"]))))
    if draw(st.booleans()):
        parts.append(element("comments", draw(st.sampled_from(LINKS))))
    return "<item>" + "".join(draw(st.permutations(parts))) + "</item>"


@st.composite
def rss_document(draw) -> bytes:  # noqa: ANN001
    head = []
    if draw(st.booleans()):
        head.append(element("title", draw(text), draw(st.booleans())))
    links = []
    if draw(st.booleans()):
        links.append(element("link", draw(st.sampled_from(LINKS))))
    for _ in range(draw(st.integers(0, 2))):
        rel = draw(st.sampled_from(["", ' rel="self"', ' rel="alternate"']))
        links.append(f'<atom:link href={quoteattr(draw(st.sampled_from(LINKS)))}{rel} type="text/html"/>')
    head.extend(draw(st.permutations(links)))
    if draw(st.booleans()):
        head.append(
            "<description><![CDATA[说明 - Powered by RSSHub]]></description><generator>RSSHub</generator>"
        )
    if draw(st.booleans()):
        head.append("<image><url>https://x/a.jpg</url><title>图</title><link>https://x/</link></image>")
    items = "".join(draw(st.lists(rss_item(), max_size=4)))
    declaration = draw(
        st.sampled_from(
            ['<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0' encoding='utf-8'?>"]
        )
    )
    return (
        f'{declaration}<rss xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">'
        f"<channel>{''.join(head)}\n{items}\n<ttl>5</ttl></channel></rss>"
    ).encode()


def atom_text(draw, name: str) -> str:  # noqa: ANN001
    kind = draw(st.sampled_from([None, "text", "html"]))
    attrs = f' type="{kind}"' if kind else ""
    return element(name, draw(text), draw(st.booleans()), attrs)


@st.composite
def atom_entry(draw) -> str:  # noqa: ANN001
    parts = []
    if draw(st.booleans()):
        parts.append(atom_text(draw, "title"))
    if draw(st.booleans()):
        parts.append(atom_text(draw, "summary"))
    if draw(st.booleans()):
        parts.append(atom_text(draw, "content"))
    for _ in range(draw(st.integers(0, 3))):
        rel = draw(
            st.sampled_from(["", ' rel="alternate"', ' rel="enclosure"', ' rel="self"', ' rel="Alternate"'])
        )
        kind = draw(st.sampled_from(["", ' type="text/html"', ' type="video/mp4"', ' type="audio/mpeg"']))
        parts.append(f"<link href={quoteattr(draw(st.sampled_from(LINKS)))}{rel}{kind}/>")
    if draw(st.booleans()):
        parts.append(element("id", draw(st.sampled_from(LINKS))))
    if draw(st.booleans()):
        parts.append(element("published", draw(st.sampled_from(DATES))))
    if draw(st.booleans()):
        parts.append(element("updated", draw(st.sampled_from(DATES))))
    if draw(st.booleans()):
        inner = element("name", draw(st.sampled_from(["阿尔山市政府办", "", "Ã©"])))
        if draw(st.booleans()):
            inner += element("email", "office@aes.gov.cn")
        if draw(st.booleans()):
            inner += element("uri", "/about")
        parts.append(f"<author>{inner}</author>")
    if draw(st.booleans()):
        parts.append('<category term="政务"/>')
    return "<entry>" + "".join(draw(st.permutations(parts))) + "</entry>"


@st.composite
def atom_document(draw) -> bytes:  # noqa: ANN001
    head = []
    if draw(st.booleans()):
        head.append(atom_text(draw, "title"))
    rels = ["", ' rel="alternate"', ' rel="self"']
    links = [
        f"<link href={quoteattr(draw(st.sampled_from(LINKS)))}{draw(st.sampled_from(rels))}/>"
        for _ in range(draw(st.integers(0, 2)))
    ]
    if draw(st.booleans()):
        links.append(element("id", draw(st.sampled_from(LINKS))))
    head.extend(draw(st.permutations(links)))
    if draw(st.booleans()):
        head.append("<updated>2026-11-20T08:00:00+08:00</updated><author><name>政府办</name></author>")
    entries = "".join(draw(st.lists(atom_entry(), max_size=4)))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-cn">'
        f"{''.join(head)}\n{entries}</feed>"
    ).encode()


def both(body: bytes, platform: str) -> tuple[object, object]:
    def read(fast: bool) -> object:
        try:
            return parse_feed("acc", URL, body, platform=platform, fast=fast)
        except PageProblem as problem:
            return (problem.outcome, problem.detail)

    return read(True), read(False)


@pytest.mark.slow  # 400 generated feeds
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=st.one_of(rss_document(), atom_document()), platform=st.sampled_from(PLATFORMS))
def test_generated_feeds_read_as_feedparser_reads_them(document: bytes, platform: str) -> None:
    assert feedxml.read(document, URL) is not None  # the fast path is the one under test
    fast, reference = both(document, platform)
    assert fast == reference


@pytest.mark.slow  # every sandbox feed
def test_fixtures_and_sandbox_feeds_read_as_feedparser_reads_them() -> None:
    documents = [p.read_bytes() for p in sorted(FIXTURES.rglob("*")) if p.is_file()]
    world = build_world()
    sandbox_feeds = [feeds.render(a, world) for a in world.accounts.values() if a.is_feed]
    assert sandbox_feeds
    assert all(feedxml.read(body, URL) is not None for body in sandbox_feeds)
    for body in documents + sandbox_feeds:
        for platform in PLATFORMS:
            fast, reference = both(body, platform)
            assert fast == reference


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0" encoding="GB2312"?><rss version="2.0"><channel><title>t</title></channel></rss>',
        # no declared encoding: feedparser reads Latin-1 and repairs value by value
        "<rss version='2.0'><channel><title>兴安盟 &#x2014; 发布</title></channel></rss>".encode(),
        b'<!DOCTYPE rss [<!ENTITY x "y">]><rss version="2.0"><channel><title>&x;</title></channel></rss>',
        b'<rss version="2.0"><channel xml:base="http://a/"><title>t</title></channel></rss>',
        b'<rss version="0.91"><channel><title>t</title></channel></rss>',
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b'<rss version="2.0"><channel><item><title>a</title><title>b</title></item></channel></rss>',
        b'<rss version="2.0"><channel><item><media:title xmlns:media="http://search.yahoo.com/mrss/">'
        b"m</media:title></item></channel></rss>",
        b'<rss version="2.0"><channel><item><description><p>xhtml</p></description></item></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml"><div>x</div></content></entry></feed>',
        b'<rss version="2.0"><channel><item><title>cut',
    ],
)
def test_documents_left_to_feedparser(document: bytes) -> None:
    """What the fast reader does not reproduce goes to feedparser (and reads the same)."""
    assert feedxml.read(document, URL) is None
    fast, reference = both(document, "rss")
    assert fast == reference
