"""Reposting tasks (转载任务): who reposted the key post, when, and who did not.

The office declares a task (a key post by its url or title, the units and accounts expected to
repost it, a deadline); this module finds each expected account's repost among the stored posts
and judges it. A repost is

- a Weibo repost of the key post (``posts.repost_of`` names the original's id), or
- a post whose title or text matches the key post's closely (``similarity`` at or above
  ``MATCH_THRESHOLD``): robust to 【】, "来源：…" and "转自…" lines, "转发：" prefixes, punctuation,
  whitespace and full-width forms; an unrelated post on the same topic stays below it.

Judgement of each expected account (core.vocabulary.RepostState):

- done: the first repost came by the deadline;
- late: it came after the deadline: a finding ``repost.late`` (信息质量), kept open for
  ``LATE_OPEN_DAYS`` days after the repost so the week's report names it, then closed as
  recorded (the lapse cannot be undone; its history stays);
- missing: the deadline passed, no repost, and the account was read after the deadline: a
  finding ``repost.missing``, open until a repost appears (then rectified, and the repost
  judged late);
- unverified: the deadline passed, no repost seen, but no good read since the deadline: no
  finding (govwatch does not accuse an account it could not read);
- pending: before the deadline, none yet.

The functions down to ``judge`` are pure; ``evaluate_tasks`` reads storage (storage/tasks.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analysis.findings import FindingSpec
from core import rules
from core.platforms import declared
from core.vocabulary import AccountKind, RepostState
from storage import tasks as store_tasks
from storage.models import RepostTask
from storage.tasks import AccountRow, PostRow

# Measured on tests/test_repost_tasks.py's variants (30 reposts written the ways units write them,
# 14 unrelated posts on the same topics and in the same template words): reposts score
# 0.95-1.00, unrelated posts 0.00-0.61 (a key declared by its title only: unrelated up to 0.70).
# The threshold sits in the gap, at least 0.1 from either side.
MATCH_THRESHOLD = 0.8
MIN_CHARS = 6  # a normalised title shorter than this says too little to match on
LATE_OPEN_DAYS = 7  # a late repost's finding stays open this long after the repost
BODY_CHARS = 400  # the head of a text compared (a long article's repost is judged by its start)

# --- normalising text -----------------------------------------------------------------------

_SOURCE_WORDS = r"(?:信息来源|稿件来源|文章来源|原文来源|来源|转自|转载自|本文转自|出处|编辑|责任编辑|审核|审校|校对|作者|记者|通讯员)"
# A source note in brackets anywhere: （来源：青川发布） 【转自：…】
_SOURCE_NOTE = re.compile(rf"[（(【\[]\s*{_SOURCE_WORDS}\s*[:：]?[^（）()【】\[\]\n]{{0,60}}[）)】\]]")
# A line that is only a source or byline: 来源：青川发布 / 转自 青川发布 / 编辑：张三
_SOURCE_LINE = re.compile(rf"(?m)^[ \t\u3000]*{_SOURCE_WORDS}\s*[:：\s][^\n]{{0,60}}$")
# A source note at the end of a one-line post: "……。来源：青川发布"
_SOURCE_TAIL = re.compile(rf"[。！!？?\s]\s*{_SOURCE_WORDS}\s*[:：][^。！？\n]{{0,40}}$")
# Reposting prefixes: 转发： 转载： 【转载】 [转] 转发微博 and Weibo's //@name: chains
_PREFIX = re.compile(
    r"^\s*(?:[【\[［]\s*(?:转发|转载|转)\s*[】\]］]|(?:转发|转载|转|分享|repost)\s*[:：])\s*", re.I
)
_CHAIN = re.compile(r"//\s*@[^:：\s]{1,40}\s*[:：]")
_BOILER = re.compile(r"转发微博|轉發微博|repost", re.I)
_LEAD_TITLE = re.compile(r"^\s*[【\[［]([^【】\[\]［］]{4,60})[】\]］]")
_NUMBER = re.compile(r"\d{2,}")
_KEEP = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")


def strip_source(text: str) -> str:
    """``text`` without source notes, bylines and reposting prefixes (not yet normalised)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _SOURCE_NOTE.sub(" ", text)
    text = _SOURCE_LINE.sub(" ", text)
    text = _SOURCE_TAIL.sub(" ", text.rstrip())
    text = _CHAIN.sub(" ", text)
    previous = None
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text)
    return _BOILER.sub(" ", text)


def normalize(text: str | None) -> str:
    """The characters that carry meaning: CJK, letters, digits; lower case, full-width folded,
    source lines, prefixes, 【】, punctuation and whitespace gone."""
    return _KEEP.sub("", strip_source(text or "").lower())


@dataclass(frozen=True)
class Text:
    """A post's title and body as compared (both normalised)."""

    title: str
    body: str

    @classmethod
    def of(cls, title: str | None, text: str | None, extra: str | None = None) -> Text:
        """A post's words. Without a title of its own (a Weibo post) a leading 【…】 is its
        title; a title that is only the start of the text (how lists cut it) counts as none.
        ``extra``: a Weibo repost's original, part of what it says."""
        raw_text = strip_source(text or "")
        raw_title = strip_source(title or "")
        body = normalize(raw_text)
        head = normalize(raw_title)
        if head and body.startswith(head) and len(head) < len(body):
            head = ""  # the list's cut of the text, not a title
        if not head:
            lead = _LEAD_TITLE.match(raw_text)
            if lead:
                head = normalize(lead.group(1))
        if extra:
            body = f"{body}{normalize(extra)}"
        return cls(head, body[: BODY_CHARS * 2])


def grams(text: str, n: int = 2) -> set[str]:
    if len(text) < n:
        return {text} if text else set()
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def dice(a: str, b: str) -> float:
    """Dice coefficient of character bigrams (0..1): how alike two titles are."""
    ga, gb = grams(a), grams(b)
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def containment(part: str, whole: str) -> float:
    """The share of ``part``'s bigrams found in ``whole`` (0..1)."""
    gp = grams(part)
    if not gp:
        return 0.0
    return len(gp & grams(whole)) / len(gp)


def similarity(key: Text, candidate: Text) -> float:
    """How surely ``candidate`` reposts ``key`` (0..1).

    The titles (Dice of bigrams; a number the key does not say halves it: another year's
    notice), or the key's title at the start of a titleless text; and the texts (the key's
    text inside the candidate's, or a candidate that carries only the start of a long key
    text inside the key's). When both sides have a text, a title alone does not decide: the
    same template title over another text ("关于发布禁牧休牧命令的通告") is another notice."""
    heading = 0.0
    if len(key.title) >= MIN_CHARS and len(candidate.title) >= MIN_CHARS:
        heading = dice(key.title, candidate.title)
        if set(_NUMBER.findall(candidate.title)) - set(_NUMBER.findall(key.title + key.body)):
            heading *= 0.5
    if len(key.title) >= MIN_CHARS * 2 and candidate.body:
        # a titleless repost (Weibo) that carries the title at its start
        heading = max(heading, containment(key.title, candidate.body[: len(key.title) + 20]))
    kb, cb = key.body[:BODY_CHARS], candidate.body[: BODY_CHARS * 2]
    if len(kb) < 20 or len(cb) < 20:
        return heading
    body = containment(kb, cb)
    if len(cb) < len(kb):  # the candidate carries only part of the key text
        body = max(body, containment(cb, kb) * min(1.0, len(cb) / (0.4 * len(kb))))
    return max(body, (heading + body) / 2)


# --- Weibo ids ---------------------------------------------------------------------------------

_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_WEIBO_URL = re.compile(
    r"^https?://(?:m\.weibo\.cn/(?:detail|status|\d+)/|(?:www\.)?weibo\.com/(?:detail/|\d+/))([0-9A-Za-z]+)"
)


def bid_to_mid(bid: str) -> str:
    """Weibo's base62 post code (e.g. "Nxyz12ab") as its numeric id."""
    digits = ""
    end = len(bid)
    while end > 0:
        start = max(0, end - 4)
        value = 0
        for char in bid[start:end]:
            value = value * 62 + _BASE62.index(char)
        digits = (str(value).zfill(7) if start > 0 else str(value)) + digits
        end = start
    return digits.lstrip("0") or "0"


def weibo_ids(url: str | None) -> set[str]:
    """The numeric post ids a Weibo post address names (m.weibo.cn/detail/ID, weibo.com/UID/BID)."""
    match = _WEIBO_URL.match(url or "")
    if not match:
        return set()
    token = match.group(1)
    if token.isdigit():
        return {token}
    try:
        return {bid_to_mid(token)}
    except ValueError:
        return set()


WEIBO_EPOCH = 515483463  # a Weibo post id's high bits: seconds since this, shifted left by 22


def weibo_time(mid: str | None) -> datetime | None:
    """When a Weibo post was published, from its numeric id (None for anything else)."""
    if not mid or not mid.isdigit() or len(mid) < 15:
        return None
    try:
        return datetime.fromtimestamp((int(mid) >> 22) + WEIBO_EPOCH, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def exact_time(at: datetime | None, platform: str, mid: str | None, tz: ZoneInfo) -> datetime | None:
    """A Weibo post the listing dated by its day only ("12-01": stored as local midnight) gets
    its time back from its id, when the id says the same day."""
    if at is None or platform != "weibo" or not date_only(at, tz):
        return at
    exact = weibo_time(mid)
    if exact is not None and exact.astimezone(tz).date() == at.astimezone(tz).date():
        return exact
    return at


def reposts_weibo(repost_of: str | None, ids: set[str]) -> bool:
    """Whether a stored ``repost_of`` ("@name:ID") names one of ``ids``."""
    if not repost_of or not ids:
        return False
    return repost_of.rpartition(":")[2] in ids


# --- judging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPost:
    """What the task's key post is: its words, its time, its Weibo ids, the stored post if any."""

    text: Text
    published_at: datetime
    weibo_ids: frozenset[str]
    post_id: int | None = None
    account_id: str | None = None
    url: str | None = None
    caption: str | None = None  # the stored key post's title, or the start of its text


@dataclass(frozen=True)
class Match:
    post: PostRow
    score: float  # 1.0 for a Weibo repost of the key post
    how: str  # "weibo" | "text"


def find_repost(key: KeyPost, posts: Iterable[PostRow], threshold: float = MATCH_THRESHOLD) -> Match | None:
    """The first post of ``posts`` (oldest first) that reposts ``key``."""
    for post in posts:
        if key.post_id is not None and post.id == key.post_id:
            continue
        if reposts_weibo(post.repost_of, set(key.weibo_ids)):
            return Match(post, 1.0, "weibo")
        score = similarity(key.text, Text.of(post.title, post.text, post.repost_text))
        if score >= threshold:
            return Match(post, round(score, 3), "text")
    return None


def date_only(at: datetime, tz: ZoneInfo) -> bool:
    """A time that is a local midnight: a list that shows the date only (a website column)."""
    local = at.astimezone(tz)
    return (local.hour, local.minute, local.second) == (0, 0, 0)


@dataclass(frozen=True)
class Judgement:
    state: RepostState
    post: PostRow | None = None
    hours_taken: float | None = None  # repost time - task publication time
    hours_late: float | None = None  # repost time - deadline (late only)
    score: float | None = None
    how: str | None = None


def judge(
    match: Match | None,
    published_at: datetime,
    deadline: datetime,
    now: datetime,
    last_ok_at: datetime | None,
    tz: ZoneInfo,
) -> Judgement:
    """One expected account's standing on a task (see the module's docstring)."""
    if match is not None:
        at = match.post.published_at
        assert at is not None
        if date_only(at, tz):  # only the day is known: on time when on the deadline's day
            on_time = at.astimezone(tz).date() <= deadline.astimezone(tz).date()
        else:
            on_time = at <= deadline
        taken = max(0.0, (at - published_at).total_seconds() / 3600)
        late = None if on_time else max(0.0, (at - deadline).total_seconds() / 3600)
        state = RepostState.DONE if on_time else RepostState.LATE
        return Judgement(
            state,
            match.post,
            round(taken, 2),
            None if late is None else round(late, 2),
            match.score,
            match.how,
        )
    if now <= deadline:
        return Judgement(RepostState.PENDING)
    if last_ok_at is None or last_ok_at < deadline:
        return Judgement(RepostState.UNVERIFIED)
    return Judgement(RepostState.MISSING)


def hours_text(hours: float | None) -> str:
    """3.5 -> "3小时30分"; 50 -> "2天2小时"."""
    if hours is None:
        return "—"
    minutes = round(hours * 60)
    days, rest = divmod(minutes, 24 * 60)
    h, m = divmod(rest, 60)
    if days:
        return f"{days}天{h}小时" if h else f"{days}天"
    if h:
        return f"{h}小时{m}分" if m else f"{h}小时"
    return f"{m}分钟"


# --- tasks over storage --------------------------------------------------------------------------


@dataclass
class AccountResult:
    account: AccountRow
    judgement: Judgement

    @property
    def state(self) -> RepostState:
        return self.judgement.state


@dataclass
class UnitResult:
    unit: str
    accounts: list[AccountResult] = field(default_factory=list)
    registered: bool = True

    @property
    def done(self) -> int:
        return sum(1 for a in self.accounts if a.state in (RepostState.DONE, RepostState.LATE))

    @property
    def state(self) -> RepostState | None:
        """The worst standing among its accounts (None: no expected account)."""
        if not self.accounts:
            return None
        return min((a.state for a in self.accounts), key=RepostState.rank)


@dataclass
class TaskResult:
    task: RepostTask
    key: KeyPost
    deadline: datetime
    accounts: list[AccountResult]
    units: list[UnitResult]
    unknown_accounts: list[str] = field(default_factory=list)

    def count(self, state: RepostState) -> int:
        return sum(1 for a in self.accounts if a.state == state)

    @property
    def title(self) -> str:
        return self.task.title or self.key.caption or self.task.url or self.task.id


def eligible(account: AccountRow, named: bool) -> bool:
    """Whether a unit's account is expected to repost: a publishing account, not closed, on a
    platform that carries text (a unit's video accounts are not, unless the task names them)."""
    if account.closed or account.kind != AccountKind.PUBLISH:
        return False
    if named:
        return True
    platform = declared(account.platform)
    return platform is not None and platform.monitored and platform.media != "video"


def _platform_of(session: Session, post: PostRow) -> str:
    return store_tasks.platform_of(session, post.account_id) or ""


def resolve_key(session: Session, task: RepostTask, tz: ZoneInfo) -> KeyPost:
    """The key post: the stored post at the task's url (or its Weibo id), else the source
    account's post best matching the title, else the task's own words and times."""
    ids = weibo_ids(task.url)
    found: PostRow | None = None
    if task.url:
        urls = {task.url, task.url.rstrip("/"), task.url.replace("http://", "https://")}
        hits = store_tasks.posts_by_url(session, sorted(urls))
        found = hits[0] if hits else None
    if found is None and ids:
        hits = store_tasks.posts_by_platform_id(session, sorted(ids), "weibo")
        found = hits[0] if hits else None
    if found is None and task.title and task.source_account_id:
        since = (task.published_at or task.created_at) - timedelta(days=30)
        own = Text.of(task.title, task.text)
        for post in store_tasks.live_posts(session, [task.source_account_id], since):
            if similarity(own, Text.of(post.title, post.text)) >= MATCH_THRESHOLD:
                found = post
                break
    if found is not None:
        found = replace(
            found,
            published_at=exact_time(
                found.published_at, _platform_of(session, found), found.platform_post_id, tz
            ),
        )
        if found.platform_post_id and found.platform_post_id.isdigit():
            ids = ids | {found.platform_post_id}
        text = Text.of(found.title or task.title, found.text or task.text)
        if task.title and not text.title:
            text = Text(normalize(task.title), text.body)
        return KeyPost(
            text,
            task.published_at or found.published_at or task.created_at,
            frozenset(ids),
            found.id,
            found.account_id,
            found.url,
            caption(found.title, found.text),
        )
    return KeyPost(
        Text.of(task.title, task.text), task.published_at or task.created_at, frozenset(ids), url=task.url
    )


def caption(title: str | None, text: str | None) -> str | None:
    """A post as a line names it: its title, its leading 【…】, or the start of its text."""
    if title and not (text or "").startswith(title.rstrip("…. ")):
        return title.strip()
    lead = _LEAD_TITLE.match(text or "")
    if lead:
        return lead.group(1).strip()
    words = " ".join((text or "").split())
    return (words[:40] + "…" if len(words) > 40 else words) or None


def evaluate_task(session: Session, task: RepostTask, now: datetime, tz: ZoneInfo) -> TaskResult:
    key = resolve_key(session, task, tz)
    deadline = task.deadline or key.published_at + timedelta(hours=task.deadline_hours or 24)
    named = set(task.accounts or [])
    rows = store_tasks.accounts_of(session, task.units or [], sorted(named))
    expected = [a for a in rows if eligible(a, a.id in named) and a.id != key.account_id]
    # A date-only post (a website column) of the publication day counts: read from its midnight.
    since = key.published_at.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    posts = store_tasks.live_posts(session, [a.id for a in expected], since, now)
    platforms = {a.id: a.platform for a in expected}
    posts = [
        replace(p, published_at=exact_time(p.published_at, platforms[p.account_id], p.platform_post_id, tz))
        for p in posts
    ]
    posts.sort(key=lambda p: (p.published_at, p.id))
    by_account: dict[str, list[PostRow]] = {}
    for post in posts:
        if post.published_at is not None and (
            post.published_at >= key.published_at or date_only(post.published_at, tz)
        ):
            by_account.setdefault(post.account_id, []).append(post)
    results = [
        AccountResult(
            a,
            judge(
                find_repost(key, by_account.get(a.id, [])), key.published_at, deadline, now, a.last_ok_at, tz
            ),
        )
        for a in expected
    ]
    registered = store_tasks.registered_units(session, task.units or [])
    units: dict[str, UnitResult] = {u: UnitResult(u, registered=u in registered) for u in task.units or []}
    for result in results:
        units.setdefault(result.account.unit, UnitResult(result.account.unit)).accounts.append(result)
    known = {a.id for a in rows}
    return TaskResult(
        task,
        key,
        deadline,
        results,
        list(units.values()),
        unknown_accounts=sorted(named - known),
    )


def evaluate_tasks(
    session: Session, tz: ZoneInfo, now: datetime, task_ids: Sequence[str] | None = None
) -> list[TaskResult]:
    return [evaluate_task(session, task, now, tz) for task in store_tasks.list_tasks(session, task_ids)]


# --- findings --------------------------------------------------------------------------------------


def task_prefix(task_id: str, account_id: str) -> str:
    return f"task:{task_id}:{account_id}:"


def _local(at: datetime, tz: ZoneInfo) -> str:
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M}"


def task_findings(
    results: Sequence[TaskResult], now: datetime, tz: ZoneInfo
) -> tuple[list[FindingSpec], dict[str, str]]:
    """Findings of the tasks' late and missing reposts, and the prefixes judged with the reason
    recorded when an open one closes."""
    specs: list[FindingSpec] = []
    judged: dict[str, str] = {}
    for result in results:
        task = result.task
        what = f"转载任务“{result.title}”（发布 {_local(result.key.published_at, tz)}，截止 {_local(result.deadline, tz)}）"
        evidence_url = result.key.url or task.url
        for item in result.accounts:
            j = item.judgement
            prefix = task_prefix(task.id, item.account.id)
            details = {
                "task": task.id,
                "state": j.state.value,
                "deadline": result.deadline.isoformat(),
                "published_at": result.key.published_at.isoformat(),
            }
            if j.state == RepostState.MISSING:
                judged[prefix] = "已转载（自动复核）"
                specs.append(
                    FindingSpec.of(
                        rules.REPOST_MISSING,
                        fingerprint=prefix + "missing",
                        account_id=item.account.id,
                        evidence=f"{what}：截至 {_local(now, tz)} 未见转载",
                        evidence_url=evidence_url,
                        details=details,
                    )
                )
            elif j.state == RepostState.LATE:
                assert j.post is not None and j.post.published_at is not None
                judged[prefix] = f"已转载，逾期 {hours_text(j.hours_late)}（自动复核）"
                if now < j.post.published_at + timedelta(days=LATE_OPEN_DAYS):
                    specs.append(
                        FindingSpec.of(
                            rules.REPOST_LATE,
                            fingerprint=prefix + "late",
                            account_id=item.account.id,
                            evidence=(
                                f"{what}：{_local(j.post.published_at, tz)} 才转载，"
                                f"用时 {hours_text(j.hours_taken)}，超过截止时间 {hours_text(j.hours_late)}"
                            ),
                            evidence_url=j.post.url or evidence_url,
                            post_id=j.post.id,
                            details=dict(details, hours_taken=j.hours_taken, hours_late=j.hours_late),
                        )
                    )
                else:
                    judged[prefix] = f"逾期转载已记录满 {LATE_OPEN_DAYS} 天（自动关闭）"
            elif j.state in (RepostState.DONE, RepostState.PENDING):
                judged[prefix] = (
                    "已按时转载（自动复核）" if j.state == RepostState.DONE else "任务期限已调整（自动复核）"
                )
    return specs, judged


def remove_task(session: Session, task_id: str, reason: str, actor: str, now: datetime | None = None) -> int:
    """Withdraw a task: its row goes, its open findings are dismissed with ``reason`` (their
    history stays). Returns how many were dismissed."""
    from sqlalchemy import select

    from analysis.lifecycle import dismiss_finding
    from core.vocabulary import FindingState
    from storage.models import Finding, utcnow

    store_tasks.delete_task(session, task_id)
    ids = list(
        session.scalars(
            select(Finding.id).where(
                Finding.fingerprint.like(f"task:{task_id}:%"), Finding.status == FindingState.OPEN
            )
        )
    )
    for finding_id in ids:
        dismiss_finding(session, finding_id, reason, actor, now or utcnow())
    return len(ids)
