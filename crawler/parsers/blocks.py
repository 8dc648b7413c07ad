"""Tell a usable response from a block, a login wall, a captcha or an error page.

Shared by all parsers and spiders: `check_response` raises `PageProblem` with
the outcome and a detail an operator can act on, or returns None when the
response looks like what was asked for. It only sniffs; the platform parsers
still validate the structure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from core.items import BLOCKED, ERROR, LOGIN_REQUIRED, NOT_FOUND, PARSE_ERROR, PageProblem
from crawler.parsers import jsonload
from crawler.parsers.html import decode_page

EXPECT_KINDS = ("json", "html", "feed")

_BLOCK_STATUSES = {
    418: "HTTP 418 (platform block / 平台封禁)",
    403: "HTTP 403 (forbidden, likely a block / 禁止访问)",
    432: "HTTP 432 (Weibo anti-crawler block / 反爬拦截)",
    429: "HTTP 429 (too many requests / 请求过于频繁)",
}
_NOT_FOUND_STATUSES = (404, 410)
# Statuses that say "slower", not "never": the account is asked again after a back-off.
_RATE_LIMIT_STATUSES = (418, 429, 432)

_LOGIN_HOSTS = ("passport.weibo.cn", "passport.weibo.com", "login.sina.com.cn", "passport.sina.cn")
_LOGIN_PATH = re.compile(r"/(signin|sign_in|sign-in|login|logon|passport/login)(?:[/?.#_]|$)", re.I)
_VISITOR_PATH = re.compile(r"visitor\.passport\.weibo\.c|/visitor/visitor", re.I)
_CAPTCHA_URL = re.compile(r"captcha|verify|/sec/|security-check|/wappoc_|antispider|waf", re.I)

# Markers of a verification / anti-bot page, with the label shown to operators.
_BLOCK_MARKERS: tuple[tuple[str, str], ...] = (
    ("验证码", "captcha page (验证码)"),
    ("安全验证", "verification page (安全验证)"),
    ("人机验证", "verification page (人机验证)"),
    ("滑动验证", "slider verification (滑动验证)"),
    ("请完成验证", "verification page (请完成验证)"),
    ("环境异常", "environment check (环境异常)"),
    ("访问过于频繁", "rate limited (访问过于频繁)"),
    ("请求过于频繁", "rate limited (请求过于频繁)"),
    ("操作过于频繁", "rate limited (操作过于频繁)"),
    ("访问频率过高", "rate limited (访问频率过高)"),
    ("访问被拒绝", "access denied (访问被拒绝)"),
    ("拒绝访问", "access denied (拒绝访问)"),
    ("sina visitor system", "Weibo visitor check (Sina Visitor System)"),
    ("captcha", "captcha page"),
    ("verify you are human", "human verification page"),
    ("are you a robot", "human verification page"),
    ("access denied", "access denied page"),
    ("too many requests", "rate limited page"),
    ("request blocked", "request blocked page"),
    ("web application firewall", "WAF page"),
)
# Of those, the verification and rate-limit pages: the account is asked again after a back-off
# (a denial, a WAF or the visitor check is not lifted by waiting).
_NOT_LIFTED_BY_WAITING = (
    "访问被拒绝",
    "拒绝访问",
    "sina visitor system",
    "access denied",
    "request blocked",
    "web application firewall",
)
_RATE_LIMIT_LABELS = frozenset(
    label for marker, label in _BLOCK_MARKERS if marker not in _NOT_LIFTED_BY_WAITING
)
_LOGIN_TITLE = re.compile(r"登录|登陆|sign\s*in|log\s*in", re.I)
_JS_REDIRECT = re.compile(
    r"(?:location(?:\.href)?\s*=|location\.replace\(|http-equiv=[\"']?refresh[^>]*url=)\s*[\"']?([^\"'\s>)]+)",
    re.I,
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_FEED_ROOT = re.compile(r"<(rss|feed|rdf:RDF|channel)\b", re.I)
_HTML_ROOT = re.compile(r"<(!doctype\s+html|html|head|body|title|div|script|meta|p)\b", re.I)
_RSSHUB_ERROR = re.compile(
    r"looks like something went wrong|rsshub 发生了一些意外|error\s*[-|]\s*rsshub", re.I
)
_RSSHUB_MESSAGE = re.compile(r"Error Message:.*?<code[^>]*>(.*?)</code>", re.I | re.S)
# A bridge's error that passes on the platform's own rate limit or verification demand.
_BRIDGE_RATE_LIMIT = re.compile(
    r"-352\b|-412\b|\b412 Precondition|\b429\b|too many requests|200013|freq(?:uency)? control|"
    r"风控|频繁|rate.?limit|captcha|验证码",
    re.I,
)
# A short visible text is a page that exists only to say "stop".
_SHORT_PAGE = 3000


def check_response(
    status: int,
    url: str,
    body: bytes | str,
    headers: Mapping[str, str] | None = None,
    *,
    expect: str = "json",
) -> None:
    """Raise PageProblem when the response is not the content that was asked for.

    `url` is the final URL (after redirects); `headers` may carry Location for
    an unfollowed redirect; `expect` says what a usable body looks like.
    """
    if expect not in EXPECT_KINDS:
        raise ValueError(f"expect must be one of {EXPECT_KINDS}, not {expect!r}")
    location = _header(headers, "location")
    _check_login_url(url, location, status)
    if expect == "feed" and status >= 400:
        _check_bridge_error(_decode(body), status)  # its error page says more than the status
    _check_status(status, location)
    text = _decode(body)
    if not text.strip():
        raise PageProblem(
            BLOCKED, f"empty response body with HTTP {status} (likely a WAF block / 空白页)", status
        )
    if expect == "json":
        _check_json_body(text, status)
    elif expect == "feed":
        _check_feed_body(text, status)
    else:
        _check_html_body(text, status)


def is_login_url(url: str | None) -> bool:
    """True for a login/sign-in page URL (Weibo passport, Sina login, generic /login)."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host in _LOGIN_HOSTS and not _VISITOR_PATH.search(url):
        return True
    return bool(_LOGIN_PATH.search(parts.path))


def block_reason(text: str) -> str | None:
    """The label of the first block/captcha marker found in `text`, if any."""
    lowered = text.lower()
    for marker, label in _BLOCK_MARKERS:
        if marker in lowered:
            return label
    return None


def looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:2048]
    return head.startswith("<") and bool(_HTML_ROOT.search(head)) and not _FEED_ROOT.search(head)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            if isinstance(value, bytes):
                return value.decode("latin-1", "replace")
            if isinstance(value, list | tuple):
                return str(value[0]) if value else None
            return str(value)
    return None


def _check_login_url(url: str, location: str | None, status: int) -> None:
    for candidate in (location, url):
        if is_login_url(candidate):
            raise PageProblem(LOGIN_REQUIRED, f"redirected to a login page (需要登录): {candidate}", status)
        if candidate and _VISITOR_PATH.search(candidate):
            raise PageProblem(
                BLOCKED, f"redirected to the Weibo visitor check (访客验证): {candidate}", status
            )


def _check_status(status: int, location: str | None) -> None:
    if 200 <= status < 300:
        return
    if status in _BLOCK_STATUSES:
        raise PageProblem(
            BLOCKED, _BLOCK_STATUSES[status], status, retry_later=status in _RATE_LIMIT_STATUSES
        )
    if status in _NOT_FOUND_STATUSES:
        raise PageProblem(NOT_FOUND, f"HTTP {status} (page not found / 页面不存在)", status)
    if 300 <= status < 400:
        if location and _CAPTCHA_URL.search(location):
            raise PageProblem(
                BLOCKED,
                f"HTTP {status} redirect to a verification page: {location}",
                status,
                retry_later=True,
            )
        raise PageProblem(
            ERROR, f"HTTP {status} redirect not followed: {location or '(no Location)'}", status
        )
    if status >= 500:
        raise PageProblem(ERROR, f"HTTP {status} (server error / 服务器错误)", status)
    raise PageProblem(ERROR, f"HTTP {status} (unexpected status)", status)


def _decode(body: bytes | str) -> str:
    return decode_page(body)


def _visible_text(html: str) -> str:
    return " ".join(_TAGS.sub(" ", _SCRIPTS.sub(" ", html)).split())


def _title(html: str) -> str:
    match = _TITLE.search(html)
    return " ".join(_TAGS.sub(" ", match.group(1)).split()) if match else ""


def _check_page_for_walls(text: str, status: int, *, whole_page: bool) -> None:
    """Raise for a captcha/block page or a login page.

    With `whole_page` (a page that should not be HTML at all) any marker counts;
    otherwise only the title or a short page, so that an ordinary article
    mentioning 验证码 is not taken for a captcha.
    """
    title = _title(text)
    visible = _visible_text(text)
    scope = visible if whole_page or len(visible) <= _SHORT_PAGE else title
    reason = block_reason(title) or block_reason(scope)
    if reason:
        raise PageProblem(
            BLOCKED, f"{reason}; title: {title or '(none)'}", status, retry_later=reason in _RATE_LIMIT_LABELS
        )
    for target in _JS_REDIRECT.findall(text[:20000]):
        if is_login_url(target):
            raise PageProblem(LOGIN_REQUIRED, f"page redirects to a login page (需要登录): {target}", status)
    if _LOGIN_TITLE.search(title) and (whole_page or len(visible) <= _SHORT_PAGE):
        raise PageProblem(LOGIN_REQUIRED, f"login page (需要登录); title: {title}", status)


# JSON answers that are blocks in a platform's own words.
_JSON_BLOCK_CODES = {
    -352: "Bilibili risk control (code -352 / 风控校验失败)",
    -412: "Bilibili request intercepted (code -412 / 请求被拦截)",
    200013: "WeChat frequency control (ret 200013 / 操作频繁)",
}


def _json_block(data: object) -> str | None:
    if not isinstance(data, dict):
        return None
    base = data.get("base_resp")
    candidates = [data.get("code"), data.get("ret"), base.get("ret") if isinstance(base, dict) else None]
    for value in candidates:
        try:
            code = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if code in _JSON_BLOCK_CODES:
            return _JSON_BLOCK_CODES[code]
    return None


def _check_json_body(text: str, status: int) -> None:
    try:
        data = jsonload.loads(text)
    except ValueError:
        pass
    else:
        reason = _json_block(data)
        if reason:
            raise PageProblem(BLOCKED, reason, status, retry_later=True)
        return
    _check_page_for_walls(text, status, whole_page=True)
    kind = "HTML" if looks_like_html(text) else "non-JSON text"
    title = _title(text)
    suffix = f"; title: {title}" if title else f": {text.strip()[:80]!r}"
    raise PageProblem(PARSE_ERROR, f"expected JSON, got {kind}{suffix}", status)


def _json_error_message(text: str) -> str | None:
    """The message of a bridge's JSON error answer (WeRSS/we-mp-rss and other FastAPI bridges:
    ``{"detail": ...}``; ``{"code": non-zero, "message"|"msg": ...}``), or None."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return None
    try:
        data = jsonload.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if "detail" in data:
        detail = data["detail"]
        return detail if isinstance(detail, str) else str(detail)
    code = data.get("code", data.get("ret"))
    if code not in (None, 0, "0", 200):
        message = data.get("message") or data.get("msg") or data.get("errmsg") or ""
        return f"code {code}: {message}".strip()
    block = _json_block(data)
    return block


def _check_bridge_error(text: str, status: int) -> None:
    """A bridge's error answer (RSSHub's error page, a JSON error): the platform's rate limit passed
    on is `blocked`, read again after a back-off; any other error of the route is the bridge's
    `error`, with its message."""
    json_message = _json_error_message(text)
    if json_message is not None:
        if _BRIDGE_RATE_LIMIT.search(json_message) or _json_block(jsonload.loads(text)):
            raise PageProblem(
                BLOCKED,
                f"platform rate limit through the feed bridge: {json_message[:300]}",
                status,
                retry_later=True,
            )
        raise PageProblem(ERROR, f"feed bridge error: {json_message[:300]}", status)
    if not looks_like_html(text) or not _RSSHUB_ERROR.search(text):
        return
    message = _rsshub_message(text)
    if _BRIDGE_RATE_LIMIT.search(message):
        raise PageProblem(
            BLOCKED,
            f"platform rate limit through the feed bridge (RSSHub): {message}",
            status,
            retry_later=True,
        )
    raise PageProblem(ERROR, f"feed bridge error page (RSSHub): {message}", status)


def _check_feed_body(text: str, status: int) -> None:
    _check_bridge_error(text, status)
    if not looks_like_html(text):
        return
    _check_page_for_walls(text, status, whole_page=True)
    title = _title(text)
    raise PageProblem(PARSE_ERROR, f"expected a feed, got an HTML page; title: {title or '(none)'}", status)


def _rsshub_message(text: str) -> str:
    match = _RSSHUB_MESSAGE.search(text)
    message = _visible_text(match.group(1)) if match else _title(text)
    return message[:300] or "(no message)"


_HTML_OPEN = re.compile(r"<html\b", re.I)
_HTML_CLOSE = re.compile(r"</html\s*>", re.I)


def _check_html_body(text: str, status: int) -> None:
    if text.lstrip("\ufeff \t\r\n").startswith("{"):  # a JSON answer where a page was asked for
        try:
            reason = _json_block(jsonload.loads(text))
        except ValueError:
            reason = None
        if reason:
            raise PageProblem(BLOCKED, reason, status, retry_later=True)
    _check_page_for_walls(text, status, whole_page=False)
    if _HTML_OPEN.search(text[:4096]) and not _HTML_CLOSE.search(text[-4096:]):
        # A page cut short parses "fine" with fewer items and no next-page link: it
        # would pass for the end of a column's list.
        raise PageProblem(PARSE_ERROR, "HTML page cut short (no </html>): truncated response", status)
