"""Chinese display names for every code a supervisor sees.

Plain dicts and small functions; the report, alerts, exports and the CLI all
import them, so a code is named the same way everywhere. An unknown code is
shown as itself rather than hidden.
"""

from __future__ import annotations

import re

from analysis.findings import CATEGORY_LABELS, SEVERITY_LABELS
from analysis.status import OUTCOMES_ZH
from core.platforms import names_zh

STATUS_LABELS: dict[str, str] = {
    "active": "正常更新",
    "warning": "更新偏慢",
    "stale": "超期未更新",
    "zombie": "僵尸帐号",
    "empty": "空壳帐号",
    "unreachable": "无法访问",
    "unknown": "状态未知",
    "closed": "已关停",
    # service accounts (服务类)
    "available": "可用",
    "unavailable": "不可用",
    "unmonitored": "不支持自动监测",
}

# Worst first: the order of the headline figures and of the account table.
STATUS_ORDER: tuple[str, ...] = (
    "zombie",
    "empty",
    "stale",
    "unreachable",
    "unavailable",
    "warning",
    "unknown",
    "active",
    "available",
    "unmonitored",
    "closed",
)

# Text colour and background of each status, for badges and headline figures.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "active": ("#14532d", "#dcfce7"),
    "available": ("#14532d", "#dcfce7"),
    "warning": ("#713f12", "#fef9c3"),
    "stale": ("#7c2d12", "#ffedd5"),
    "zombie": ("#7f1d1d", "#fee2e2"),
    "empty": ("#7f1d1d", "#fee2e2"),
    "unreachable": ("#581c87", "#f3e8ff"),
    "unavailable": ("#581c87", "#f3e8ff"),
    "unknown": ("#374151", "#e5e7eb"),
    "unmonitored": ("#374151", "#f3f4f6"),
    "closed": ("#374151", "#f3f4f6"),
}
DEFAULT_COLOURS = ("#374151", "#e5e7eb")

OUTCOME_LABELS = OUTCOMES_ZH  # analysis writes its notes with the same names
FAILED_OUTCOMES: tuple[str, ...] = ("blocked", "login_required", "not_found", "error", "parse_error")

# What an operator can do about each failure.
OUTCOME_ADVICE: dict[str, str] = {
    "blocked": "平台限制了访问（验证码或频率限制），帐号实际更新情况暂无法确认；请稍后重试或配置 Cookie",
    "login_required": "平台要求登录后才能查看；请配置登录 Cookie",
    "not_found": "帐号页面不存在，可能已注销、改名或被封禁；请核实帐号信息",
    "error": "网络或服务器错误；如持续出现请检查网络和平台地址",
    "parse_error": "页面结构无法识别（可能平台改版）；请通知系统维护人员",
}

# The notice's eight problem classes (八类问题) and severities: analysis/findings.py names them.
SEVERITY_ORDER: tuple[str, ...] = ("critical", "major", "minor")
SEVERITY_COLOURS: dict[str, tuple[str, str]] = {
    "critical": ("#ffffff", "#b91c1c"),
    "major": ("#ffffff", "#c2410c"),
    "minor": ("#1f2937", "#e5e7eb"),
}

FINDING_STATUS_LABELS: dict[str, str] = {
    "open": "未整改",
    "rectified": "已整改",
    "dismissed": "已排除",
}

KIND_LABELS: dict[str, str] = {"publish": "发布类", "service": "服务类"}
OPERATOR_LABELS: dict[str, str] = {"self": "自行运维", "outsourced": "委托运维"}

CONTENT_LABELS: dict[str, str] = {
    "commercial": "商业广告",
    "off_topic": "与职能无关",
    "entertainment": "过度娱乐化",
    "wording_error": "表述错误",
}


def _label(table: dict[str, str], code: str | None) -> str:
    if code is None or code == "":
        return "—"
    return table.get(code, code)


def status_label(code: str | None) -> str:
    return _label(STATUS_LABELS, code)


def outcome_label(code: str | None) -> str:
    return _label(OUTCOME_LABELS, code) if code else "尚未抓取"


def platform_label(code: str | None) -> str:
    return _label(names_zh(), code)


def category_label(code: str | None) -> str:
    return _label(CATEGORY_LABELS, code)


def severity_label(code: str | None) -> str:
    return _label(SEVERITY_LABELS, code)


def status_rank(code: str) -> int:
    """Position in STATUS_ORDER (worst first); unknown codes sort last."""
    try:
        return STATUS_ORDER.index(code)
    except ValueError:
        return len(STATUS_ORDER)


def severity_rank(code: str | None) -> int:
    """0 for critical ... ; None and unknown codes sort after minor."""
    try:
        return SEVERITY_ORDER.index(code or "")
    except ValueError:
        return len(SEVERITY_ORDER)


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
