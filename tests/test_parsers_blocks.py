from pathlib import Path

import pytest

from core.items import BLOCKED, ERROR, LOGIN_REQUIRED, NOT_FOUND, PARSE_ERROR, PageProblem
from crawler.parsers.blocks import check_response, is_login_url

FIXTURES = Path(__file__).parent / "fixtures"
API = "https://m.weibo.cn/api/container/getIndex?containerid=1076035891234567"
JSON_OK = b'{"ok":1,"data":{"cards":[]}}'


def outcome_of(status: int, url: str, body: bytes, headers=None, expect: str = "json") -> PageProblem:
    with pytest.raises(PageProblem) as info:
        check_response(status, url, body, headers, expect=expect)
    return info.value


def weibo_fixture(name: str) -> bytes:
    return (FIXTURES / "weibo" / name).read_bytes()


def test_usable_responses_pass() -> None:
    assert check_response(200, API, JSON_OK) is None
    # a profile JSON carries a passport.weibo.cn link in its toolbar: still usable
    assert check_response(200, API, weibo_fixture("profile.json")) is None
    assert (
        check_response(200, "https://x/feed", (FIXTURES / "feed" / "atom.xml").read_bytes(), expect="feed")
        is None
    )
    article = (
        "<html><head><title>关于防范电信诈骗的提示</title></head><body>"
        + "不要泄露验证码。" * 800
        + "</body></html>"
    )
    assert check_response(200, "https://www.xam.gov.cn/a.html", article.encode(), expect="html") is None


@pytest.mark.parametrize(
    ("status", "outcome", "words"),
    [
        (418, BLOCKED, "418"),
        (403, BLOCKED, "403"),
        (432, BLOCKED, "432"),
        (429, BLOCKED, "429"),
        (404, NOT_FOUND, "404"),
        (410, NOT_FOUND, "410"),
        (500, ERROR, "500"),
        (502, ERROR, "502"),
        (400, ERROR, "400"),
        (302, ERROR, "302"),
    ],
)
def test_statuses(status: int, outcome: str, words: str) -> None:
    found = outcome_of(status, API, b"x")
    assert found.outcome == outcome
    assert words in found.detail
    assert found.http_status == status


def test_418_detail_is_readable() -> None:
    assert outcome_of(418, API, b"").detail.startswith("HTTP 418 (platform block")


@pytest.mark.parametrize(
    "location",
    [
        "https://passport.weibo.cn/signin/welcome?entry=mweibo&r=https%3A%2F%2Fm.weibo.cn%2F",
        "https://login.sina.com.cn/sso/login.php?url=https%3A%2F%2Fweibo.com",
        "/login?next=/api",
    ],
)
def test_redirect_to_login(location: str) -> None:
    found = outcome_of(302, API, b"", {"Location": location})
    assert found.outcome == LOGIN_REQUIRED
    assert location in found.detail


def test_final_url_on_login_page() -> None:
    found = outcome_of(
        200, "https://passport.weibo.cn/signin/welcome?entry=mweibo", weibo_fixture("login.html")
    )
    assert found.outcome == LOGIN_REQUIRED


def test_redirect_to_verification_is_blocked() -> None:
    found = outcome_of(302, API, b"", {"location": "https://m.weibo.cn/security/verify?from=api"})
    assert found.outcome == BLOCKED
    visitor = outcome_of(302, API, b"", {"Location": "https://visitor.passport.weibo.cn/visitor/genvisitor"})
    assert visitor.outcome == BLOCKED


def test_html_where_json_expected() -> None:
    assert outcome_of(200, API, weibo_fixture("captcha.html")).outcome == BLOCKED
    assert outcome_of(200, API, weibo_fixture("login.html")).outcome == LOGIN_REQUIRED
    assert outcome_of(200, API, weibo_fixture("visitor.html")).outcome == BLOCKED
    plain = outcome_of(200, API, b"<html><head><title>m.weibo.cn</title></head><body>hello</body></html>")
    assert plain.outcome == PARSE_ERROR
    assert "expected JSON" in plain.detail


def test_empty_body_is_blocked() -> None:
    for expect in ("json", "html", "feed"):
        found = outcome_of(200, API, b"  \n", expect=expect)
        assert found.outcome == BLOCKED
        assert "empty" in found.detail


@pytest.mark.parametrize(
    "marker", ["验证码", "安全验证", "环境异常", "访问过于频繁", "Please complete the CAPTCHA"]
)
def test_short_html_block_pages(marker: str) -> None:
    body = f"<html><head><title>提示</title></head><body><p>{marker}</p></body></html>".encode()
    assert outcome_of(200, "https://mp.weixin.qq.com/s/abc", body, expect="html").outcome == BLOCKED


def test_html_login_page_by_title_or_script() -> None:
    titled = b"<html><head><title>\xe7\x99\xbb\xe5\xbd\x95 - \xe6\x96\xb0\xe6\xb5\xaa</title></head><body>x</body></html>"
    assert outcome_of(200, "https://weibo.com/u/1", titled, expect="html").outcome == LOGIN_REQUIRED
    script = b'<html><head><script>location.replace("https://passport.weibo.com/signin/login?r=x")</script></head></html>'
    assert outcome_of(200, "https://weibo.com/u/1", script, expect="html").outcome == LOGIN_REQUIRED


def test_feed_expectations() -> None:
    error = outcome_of(
        200, "https://rsshub/x", (FIXTURES / "feed" / "rsshub_error.html").read_bytes(), expect="feed"
    )
    assert error.outcome == ERROR and "RSSHub" in error.detail
    captcha = outcome_of(
        200, "https://rsshub/x", (FIXTURES / "feed" / "captcha.html").read_bytes(), expect="feed"
    )
    assert captcha.outcome == BLOCKED


def test_bad_expect_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        check_response(200, API, JSON_OK, expect="xml")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://passport.weibo.cn/signin/welcome?entry=mweibo", True),
        ("https://login.sina.com.cn/signup/signin.php", True),
        ("https://example.gov.cn/login.html", True),
        ("https://example.gov.cn/user/sign-in", True),
        ("https://m.weibo.cn/api/container/getIndex?type=uid&value=1", False),
        ("https://example.gov.cn/news/loginfo.html", False),
        ("", False),
        (None, False),
    ],
)
def test_is_login_url(url: str | None, expected: bool) -> None:
    assert is_login_url(url) is expected
