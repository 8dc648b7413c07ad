"""Is a mobile app (or an online service) installable / usable? Classify one probe, pure.

The prober (crawler/probe.py) fetches the account's URL (HEAD, then GET when HEAD
is refused or says too little) and hands what it saw here. Outcomes are the
crawl outcomes: ok (available), not_found, error (an error page, an empty
download), blocked, login_required. The detail is the evidence a supervisor reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.items import BLOCKED, ERROR, LOGIN_REQUIRED, NOT_FOUND, OK
from crawler.parsers.blocks import block_reason, is_login_url

PACKAGE_TYPES = (
    "application/vnd.android.package-archive",
    "application/octet-stream",
    "application/x-itunes-ipa",
    "application/zip",
    "application/java-archive",
)
PACKAGE_SUFFIXES = (".apk", ".ipa", ".hap", ".xapk")
_ERROR_WORDS = (
    "页面不存在",
    "找不到",
    "下载失败",
    "已下架",
    "已失效",
    "无法访问",
    "出错",
    "错误",
    "404",
    "not found",
    "error",
    "维护中",
    "暂停服务",
)
_ERROR_PATH = re.compile(r"/(404|error|errors|notfound|not-found)(?:[/._?]|$)", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
MIN_PACKAGE_BYTES = 10_000


@dataclass(slots=True)
class Probe:
    """What one fetch of the URL showed (after redirects)."""

    url: str  # as configured
    final_url: str
    status: int
    content_type: str = ""
    content_length: int | None = None
    content_disposition: str = ""
    head: str = ""  # the first few KB of the body, decoded (GET only)
    redirects: int = 0


def classify(p: Probe, *, platform: str = "app") -> tuple[str, str]:
    """(outcome, detail in Chinese) for one probe."""
    ctype = p.content_type.split(";")[0].strip().lower()
    where = f"{p.url}" + (f" → {p.final_url}" if p.final_url != p.url else "")
    if is_login_url(p.final_url):
        return LOGIN_REQUIRED, f"跳转到登录页：{where}"
    if p.status in (403, 418, 429, 432):
        return BLOCKED, f"HTTP {p.status}，访问被拦截：{where}"
    if p.status in (404, 410):
        return NOT_FOUND, f"下载地址不存在（HTTP {p.status}）：{where}"
    if p.status >= 400:
        return ERROR, f"HTTP {p.status}：{where}"
    if p.status >= 300:
        return ERROR, f"HTTP {p.status} 跳转未完成：{where}"
    name = (p.content_disposition + " " + p.final_url.split("?")[0]).lower()
    is_package = ctype in PACKAGE_TYPES or any(
        name.rstrip('"; ').endswith(s) or f'{s}"' in name for s in PACKAGE_SUFFIXES
    )
    if is_package:
        if p.content_length is not None and p.content_length < MIN_PACKAGE_BYTES:
            return ERROR, f"安装包只有 {p.content_length} 字节，无法安装：{where}"
        size = f"，{p.content_length / 1024:.0f} KB" if p.content_length else ""
        return OK, f"安装包可下载（{ctype or '未知类型'}{size}）"
    if ctype.startswith("text/html") or p.head.lstrip().startswith("<"):
        title = _title(p.head)
        reason = block_reason(title) if title else None
        if reason:
            return BLOCKED, f"验证/拦截页面（{reason}）：{where}"
        lowered = f"{title} {p.head[:3000] if len(p.head) < 3000 else ''}".lower()
        if _ERROR_PATH.search(p.final_url) or any(w in lowered for w in _ERROR_WORDS):
            return ERROR, f"跳转到错误页面（{title or '无标题'}），客户端无法下载：{where}"
        if platform == "app" and p.redirects and p.head and len(p.head.strip()) < 200:
            return ERROR, f"跳转到空白页面：{where}"
        return OK, f"页面可访问（{title or ctype}）"
    if p.content_length == 0:
        return ERROR, f"返回空内容（HTTP {p.status}）：{where}"
    return OK, f"可访问（{ctype or '未知类型'}）"


def _title(head: str) -> str:
    match = _TITLE.search(head or "")
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""
