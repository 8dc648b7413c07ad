"""How the report shows each code: colours, advice, and the label lookups templates call.

The words themselves (codes and their Chinese labels, their order) live in
core/vocabulary.py; this module adds only presentation. An unknown code is shown as
itself rather than hidden.
"""

from __future__ import annotations

import re

from core.platforms import names_zh
from core.vocabulary import NOT_CRAWLED, AccountStatus, Category, Outcome, Severity

# Worst first: the order of the headline figures and of the account table.
STATUS_ORDER: tuple[AccountStatus, ...] = tuple(AccountStatus)

# Text colour and background of each status, for badges and headline figures.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    AccountStatus.ACTIVE: ("#14532d", "#dcfce7"),
    AccountStatus.AVAILABLE: ("#14532d", "#dcfce7"),
    AccountStatus.WARNING: ("#713f12", "#fef9c3"),
    AccountStatus.STALE: ("#7c2d12", "#ffedd5"),
    AccountStatus.ZOMBIE: ("#7f1d1d", "#fee2e2"),
    AccountStatus.EMPTY: ("#7f1d1d", "#fee2e2"),
    AccountStatus.UNREACHABLE: ("#581c87", "#f3e8ff"),
    AccountStatus.UNAVAILABLE: ("#581c87", "#f3e8ff"),
    AccountStatus.UNKNOWN: ("#374151", "#e5e7eb"),
    AccountStatus.UNMONITORED: ("#374151", "#f3f4f6"),
    AccountStatus.CLOSED: ("#374151", "#f3f4f6"),
}
DEFAULT_COLOURS = ("#374151", "#e5e7eb")

# What an operator can do about each failure.
OUTCOME_ADVICE: dict[str, str] = {
    Outcome.BLOCKED: "平台限制了访问（验证码或频率限制），帐号实际更新情况暂无法确认；请稍后重试或配置 Cookie",
    Outcome.LOGIN_REQUIRED: "平台要求登录后才能查看；请配置登录 Cookie",
    Outcome.NOT_FOUND: "帐号页面不存在，可能已注销、改名或被封禁；请核实帐号信息",
    Outcome.ERROR: "网络或服务器错误；如持续出现请检查网络和平台地址",
    Outcome.PARSE_ERROR: "页面结构无法识别（可能平台改版）；请通知系统维护人员",
}

SEVERITY_COLOURS: dict[str, tuple[str, str]] = {
    Severity.CRITICAL: ("#ffffff", "#b91c1c"),
    Severity.MAJOR: ("#ffffff", "#c2410c"),
    Severity.MINOR: ("#1f2937", "#e5e7eb"),
}


def status_label(code: str | None) -> str:
    return AccountStatus.label_of(code)


def outcome_label(code: str | None) -> str:
    return Outcome.label_of(code, missing=NOT_CRAWLED)


def platform_label(code: str | None) -> str:
    if code is None or code == "":
        return "—"
    return names_zh().get(code, code)


def category_label(code: str | None) -> str:
    return Category.label_of(code)


def severity_label(code: str | None) -> str:
    return Severity.label_of(code)


def status_rank(code: str | None) -> int:
    """Position in STATUS_ORDER (worst first); unknown codes sort last."""
    return AccountStatus.rank(code)


def severity_rank(code: str | None) -> int:
    """0 for critical ... ; None and unknown codes sort after minor."""
    return Severity.rank(code)


def status_colours(code: str) -> tuple[str, str]:
    return STATUS_COLOURS.get(code, DEFAULT_COLOURS)


NOT_YET_CRAWLED = "尚未抓取，等待下一次抓取"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def outcome_note(outcome: str | None, detail: str | None) -> str:
    """What a supervisor reads about a crawl that failed: the crawler's Chinese words when its
    detail starts with them ("中文 / English"), else the advice for the outcome. The rest of the
    detail is for operators (English, URLs, the platform's raw answer) and stays out of reports."""
    if detail and " / " in detail:
        head = detail.split(" / ", 1)[0].strip()
        if _CJK.search(head) and not _LATIN_WORD.search(head):
            return head
    if outcome is None:
        return NOT_YET_CRAWLED
    return OUTCOME_ADVICE.get(outcome, NOT_YET_CRAWLED)


# The zones China keeps on one clock, named as a reader says them.
_BEIJING_TIME = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"}


def timezone_label(name: str) -> str:
    return "北京时间" if name in _BEIJING_TIME else name
