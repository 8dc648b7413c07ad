"""Content mix of a post: its type and whether it relays an authoritative source.

Pure. The type is decided by cue words counted in the title (double weight)
and the text; the authoritative sources are the ``authority`` entries of the
bundled lexicons (authority.tsv). The media type (text, image, video,
article) is decided from the crawled item, elsewhere.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .lexicon import BUNDLED_DIR, fold, read_file

TYPES = ("工作动态", "通知公告", "政策解读", "便民服务", "互动回应", "其他")

# Cue words per type, in order of precedence when scores tie.
TYPE_CUES: dict[str, tuple[str, ...]] = {
    "互动回应": (
        "网友",
        "网民",
        "留言",
        "答复",
        "回复",
        "您反映",
        "你反映",
        "来信",
        "诉求",
        "关于您",
        "回应",
    ),
    "政策解读": (
        "解读",
        "一图读懂",
        "图解",
        "政策问答",
        "问答",
        "新政",
        "政策要点",
        "划重点",
        "读懂",
        "释义",
    ),
    "通知公告": (
        "通知",
        "公告",
        "公示",
        "通告",
        "启事",
        "招聘",
        "报名",
        "停水",
        "停电",
        "延期",
        "征求意见",
        "放假",
    ),
    "便民服务": (
        "办理",
        "便民",
        "指南",
        "查询",
        "预约",
        "服务热线",
        "如何",
        "怎么办",
        "流程",
        "材料",
        "提醒",
        "攻略",
        "12345",
    ),
    "工作动态": (
        "召开",
        "会议",
        "调研",
        "开展",
        "举行",
        "举办",
        "督导",
        "检查",
        "座谈",
        "部署",
        "推进",
        "活动",
        "走访",
        "慰问",
        "培训",
    ),
}
_REPOST_RE = re.compile(
    r"(?:来源|转自|转载自|原标题|据|稿源|来自)\s*[：:]?\s*[「“\"《@]?\s*([\u4e00-\u9fffA-Za-z]{2,12})"
)
_AT_RE = re.compile(r"[@＠]([\u4e00-\u9fffA-Za-z0-9_\-]{2,20})")


@dataclass(frozen=True, slots=True)
class ContentMix:
    type: str  # one of TYPES
    authoritative: bool  # reposts or quotes a central media / government source
    source: str | None  # that source's name, when authoritative
    is_original: bool | None


@functools.lru_cache(maxsize=1)
def _authorities() -> tuple[str, ...]:
    names = [e.term for e in read_file(BUNDLED_DIR / "authority.tsv") if e.kind == "authority"]
    return tuple(sorted(names, key=len, reverse=True))


def authority_in(name: str | None, authorities: tuple[str, ...] | None = None) -> str | None:
    """The authoritative source a name refers to (人民日报 for 人民日报评论), or None."""
    if not name:
        return None
    folded = fold(name)
    for a in authorities or _authorities():
        if a in folded:
            return a
    return None


def classify_content(
    text: str,
    title: str | None = None,
    is_original: bool | None = None,
    repost_of: str | None = None,
) -> ContentMix:
    """Type and authority of a post. ``repost_of``: the reposted account's name."""
    body = fold(text or "")
    head = fold(title or "")
    best, best_score = "其他", 0
    for kind, cues in TYPE_CUES.items():
        score = sum(2 * head.count(c) + body.count(c) for c in cues)
        if score > best_score:
            best, best_score = kind, score
    source = authority_in(repost_of)
    if source is None:
        window = head + "\n" + body[:200] + "\n" + body[-120:]
        for m in _REPOST_RE.finditer(window):
            source = authority_in(m.group(1))
            if source:
                break
    if source is None:
        for m in _AT_RE.finditer(body):
            source = authority_in(m.group(1))
            if source:
                break
    return ContentMix(type=best, authoritative=source is not None, source=source, is_original=is_original)
