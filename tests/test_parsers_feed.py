from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.items import BLOCKED, ERROR, LOGIN_REQUIRED, PARSE_ERROR, PageProblem
from crawler.parsers.feed import FeedResult, parse_feed

SH = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parent / "fixtures" / "feed"
BRIDGE = "https://rsshub.example.gov.cn/weibo/user/5891234567"


def read(name: str, platform: str = "rss", url: str = BRIDGE) -> FeedResult:
    return parse_feed("acc-1", url, (FIXTURES / name).read_bytes(), platform=platform)


def problem(name: str, url: str = BRIDGE) -> PageProblem:
    with pytest.raises(PageProblem) as info:
        read(name, url=url)
    return info.value


def test_rsshub_weibo_feed() -> None:
    feed = read("rsshub_weibo.xml", platform="weibo")
    assert feed.title == "兴安盟发布的微博"
    assert feed.link == "https://weibo.com/5891234567/"
    assert len(feed.posts) == 4
    weather = feed.posts[0]
    assert weather.account_id == "acc-1"
    assert weather.post_id == "https://weibo.com/5891234567/P0rEcEnt5"
    assert weather.url == "https://weibo.com/5891234567/P0rEcEnt5"
    assert weather.published_at == datetime(2026, 11, 20, 1, 55, tzinfo=UTC)
    assert weather.title == "【今日天气】全盟晴转多云，气温-12℃～-3℃，请注意防寒保暖。"
    assert weather.text.endswith("请注意防寒保暖。\n出行提示：G111国道部分路段有积雪。")
    assert weather.media == "image"
    assert weather.is_original
    assert weather.source == "兴安盟发布"
    assert (weather.likes, weather.comments, weather.shares) == (None, None, None)


def test_rsshub_weibo_reposts() -> None:
    posts = {post.post_id.rsplit("/", 1)[-1]: post for post in read("rsshub_weibo.xml", "weibo").posts}
    quoted = posts["P0rEpOst3"]
    assert not quoted.is_original
    assert quoted.repost_of == "@内蒙古发布"
    assert quoted.text == "请广大市民周知！//@内蒙古发布:权威发布"  # the quoted original is not our text
    deleted = posts["P0rEpOst4"]
    assert not deleted.is_original and deleted.repost_of == "deleted"
    # "转发了" inside an ordinary sentence, and an emoticon <img>: an original text post
    notice = posts["P0nOtIcE6"]
    assert notice.is_original and notice.repost_of is None
    assert notice.media == "text"
    assert notice.text.endswith("[赞]")


def test_rss_without_dates_never_invents_them() -> None:
    feed = read("rss_no_dates.xml", url="http://www.kyqq.gov.cn/zwgk/tzgg/rss.xml")
    assert [post.published_at for post in feed.posts] == [None, None, None]
    guid, link_only, bare = feed.posts
    assert guid.post_id == "http://www.kyqq.gov.cn/zwgk/tzgg/202611/t20261120_12345.html"
    assert guid.text == "各苏木乡镇人民政府、各有关单位：\n\n为切实做好冬季森林草原防火工作……"
    assert (
        link_only.post_id == link_only.url == "http://www.kyqq.gov.cn/zwgk/tzgg/202610/t20261015_12001.html"
    )
    assert bare.url is None
    assert bare.post_id.startswith("sha1:")
    again = read("rss_no_dates.xml", url="http://www.kyqq.gov.cn/zwgk/tzgg/rss.xml")
    assert again.posts[2].post_id == bare.post_id  # stable across crawls


def test_rss_date_forms() -> None:
    dates = [post.published_at for post in read("rss_chinese_dates.xml").posts]
    assert dates == [
        datetime(2026, 11, 20, 10, 0, tzinfo=SH),
        datetime(2026, 11, 19, 16, 30, tzinfo=SH),  # naive: Asia/Shanghai
        datetime(2026, 11, 18, 9, 15, tzinfo=SH),
        datetime(2026, 11, 17, 9, 15, tzinfo=SH),  # "CST" in a Chinese feed
    ]
    assert all(moment.tzinfo is not None for moment in dates)


def test_atom_with_dates() -> None:
    feed = read("atom.xml", url="https://rsshub.example.gov.cn/gov/aes/zcjd")
    assert feed.title == "阿尔山市人民政府 政策解读"
    assert feed.link == "https://www.aes.gov.cn/zcjd/"
    plan, insurance = feed.posts
    assert plan.post_id == "tag:aes.gov.cn,2026:zcjd-88"
    assert plan.title == "《阿尔山市冰雪旅游发展规划》解读"
    assert plan.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=SH)  # published wins over updated
    assert plan.text == "规划明确了到2030年的发展目标。"
    assert plan.media == "image"
    assert insurance.published_at == datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # updated only
    assert insurance.text == "2027年度城乡居民医保个人缴费标准调整说明。"


def test_atom_without_dates() -> None:
    (post,) = read("atom_no_dates.xml").posts
    assert post.published_at is None
    assert post.post_id == "urn:zltq:xw:20261120-1"


def test_empty_feed_is_an_empty_account() -> None:
    feed = read("empty.xml")
    assert feed.title == "突泉县教育局的微博"
    assert feed.posts == []


def test_media_by_platform_and_enclosure() -> None:
    (article,) = read("wechat.xml", platform="wechat").posts
    assert article.media == "article"
    assert article.post_id == "MzI0NjU1MTAxMQ==_2247501234_1"
    assert article.published_at == datetime(2026, 11, 20, 11, 32, 40, tzinfo=SH)
    (video,) = read("bilibili.xml", platform="bilibili").posts
    assert video.media == "video"
    audio, clip = read("podcast.xml").posts
    assert (audio.media, clip.media) == ("audio", "video")
    (same,) = read("bilibili.xml", platform="rss").posts
    assert same.media == "image"  # without the platform hint only the <img> speaks


def test_repost_prefixes_in_title() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>RT @someone: hello</title><guid>1</guid></item>
    <item><title>//@\xe5\x86\x85\xe8\x92\x99\xe5\x8f\xa4\xe5\x8f\x91\xe5\xb8\x83: ok</title><guid>2</guid></item>
    <item><title>Report time</title><guid>3</guid></item>
    </channel></rss>"""
    posts = parse_feed("a", BRIDGE, body).posts
    assert [post.is_original for post in posts] == [False, False, True]


def test_rsshub_error_page() -> None:
    found = problem("rsshub_error.html")
    assert found.outcome == ERROR
    assert "Cookies expired" in found.detail


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("captcha.html", BLOCKED),
        ("plain_page.html", PARSE_ERROR),
        ("not_a_feed.txt", PARSE_ERROR),
        ("truncated.xml", PARSE_ERROR),
    ],
)
def test_feed_problems(name: str, outcome: str) -> None:
    assert problem(name).outcome == outcome


def test_login_redirect_and_empty_body() -> None:
    body = (FIXTURES / "rsshub_weibo.xml").read_bytes()
    with pytest.raises(PageProblem) as info:
        parse_feed("a", "https://passport.weibo.cn/signin/login?entry=mweibo", body)
    assert info.value.outcome == LOGIN_REQUIRED
    with pytest.raises(PageProblem) as info:
        parse_feed("a", BRIDGE, b"   ")
    assert info.value.outcome == BLOCKED


def test_feed_text_mentioning_captcha_is_not_a_block() -> None:
    body = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>反诈中心</title>
    <item><title>警惕！不要把验证码告诉任何人</title><guid>x1</guid>
    <description>任何索要验证码的都是诈骗。</description></item></channel></rss>"""
    (post,) = parse_feed("a", BRIDGE, body).posts
    assert post.title == "警惕！不要把验证码告诉任何人"
