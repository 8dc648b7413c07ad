"""Content checks on stored posts: labels, content mix, and per-post findings.

Only posts not yet checked in their current form are read (``checked_hash`` differs
from ``content_hash``): a night's new posts, and posts edited since. A finding on
a post closes itself (rectified) when the post is edited so the problem is gone,
or when the post is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from analysis.findings import FindingSpec
from analysis.text import Checker, PostContext, TextFinding, classify_content
from analysis.text.facts import text_facts
from analysis.text.privacy import is_privacy, masked_text
from core.config import Config
from core.vocabulary import FindingState, Severity
from storage.models import Account, Finding, Post, Unit

BATCH = 1000
EXCERPT = 40  # characters of context either side of the evidence
# Between a repost's own comment and the reposted original in the checked text. No 【】 (they
# mark the evidence) and no account name (a name is not what the account said).
REPOST_MARK = "\n〔转发原文〕\n"


@dataclass
class ContentPass:
    specs: list[FindingSpec] = field(default_factory=list)
    judged: dict[str, str] = field(default_factory=dict)  # fingerprint prefix -> reason when rectified
    checked: int = 0
    flagged: int = 0


def load_checker(config: Config) -> Checker:
    return Checker.load(
        extra=[config.resolve(p) for p in config.checks.lexicons],
        allow=config.checks.allow,
        typos=config.checks.typos,
    )


def post_prefix(account_id: str, post_pk: int) -> str:
    return f"text:{account_id}:{post_pk}:"


def excerpt(full: str, start: int, end: int, spans: Sequence[tuple[int, int]] = ()) -> str:
    """The sentence around the evidence, with the matched words marked 【】: the span
    start..end, and any of `spans` that lie inside the same window."""
    left = max(0, start - EXCERPT)
    right = min(len(full), end + EXCERPT)
    marks: list[tuple[int, int]] = []
    for a, b in sorted({(start, end), *spans}):
        if left <= a and b <= right and (not marks or a >= marks[-1][1]):
            marks.append((a, b))
    parts, at = ["…" if left else ""], left
    for a, b in marks:
        parts += [full[at:a], "【", full[a:b], "】"]
        at = b
    parts += [full[at:right], "…" if right < len(full) else ""]
    return "".join(parts).replace("\n", " ")


MAX_PLACES = 3  # wording errors: passages quoted in one finding's evidence


def evidence_of(full: str, hits: Sequence[TextFinding]) -> str:
    """What a supervisor reads: one excerpt around the strongest signal with every signal in it
    marked; for wording errors, each passage with wrong forms (up to three) and the correct forms."""
    first = hits[0]
    if first.label != "wording_error":
        return excerpt(full, first.start, first.end, [(h.start, h.end) for h in hits])
    places: list[TextFinding] = []
    for hit in sorted(hits, key=lambda h: h.start):
        if not any(h.start < hit.end and hit.start < h.end for h in places):
            places.append(hit)
    passages: list[list[TextFinding]] = []
    for hit in places:  # places that fit in the excerpt of the passage's first one share it
        if passages and hit.end <= passages[-1][0].end + EXCERPT:
            passages[-1].append(hit)
        else:
            passages.append([hit])
    quoted = []
    for passage in passages[:MAX_PLACES]:
        head = passage[0]
        text = excerpt(full, head.start, head.end, [(h.start, h.end) for h in passage])
        fixes = list(dict.fromkeys(h.suggestion for h in passage if h.suggestion))
        quoted.append(text + (f"（应为：{'；'.join(fixes)}）" if fixes else ""))
    more = f"（另有 {len(passages) - MAX_PLACES} 处）" if len(passages) > MAX_PLACES else ""
    return "；".join(quoted) + more


def checked_body(text: str | None, repost_text: str | None) -> tuple[str, int | None]:
    """The text the checks read: a repost's own comment, then the reposted original (the
    account spreads it, so an off-topic or commercial original is its problem too).
    Returns the body and where the original starts in it (None: not a repost)."""
    own = text or ""
    if repost_text is None:
        return own, None
    return own + REPOST_MARK + repost_text, len(own) + len(REPOST_MARK)


def repost_author(repost_of: str | None) -> str:
    """Who wrote the reposted original, for a reader: "@name" (repost_of is "@name:id")."""
    if not repost_of or repost_of == "deleted":
        return "原微博"
    return repost_of.rsplit(":", 1)[0]


def problem_of(hit: TextFinding) -> str:
    """What one finding of a post groups: a label's signals, or one kind of leak (personal
    information, secret marks) on its own, whatever its label."""
    return hit.rule if is_privacy(hit) else hit.label


def finding_spec(
    account_id: str,
    post_pk: int,
    url: str | None,
    full: str,
    hits: list[TextFinding],
    repost_at: int | None = None,
    repost_of: str | None = None,
) -> FindingSpec:
    """One finding per post and problem class (label): the signals of an ad are one problem,
    not one finding each; the most severe signal names the rule and the severity.
    ``repost_at``: where the reposted original starts in ``full``; evidence found there is
    shown as the original's words, never as the account's own."""
    first = hits[0]
    spans = [{"start": h.start, "end": h.end, "evidence": h.evidence, "rule": h.rule} for h in hits]
    in_repost = repost_at is not None and first.start >= repost_at
    if repost_at is None:
        evidence = evidence_of(full, hits)
    elif in_repost:
        inside = [
            replace(h, start=h.start - repost_at, end=h.end - repost_at) for h in hits if h.start >= repost_at
        ]
        evidence = f"转发原文（{repost_author(repost_of)}）：" + evidence_of(full[repost_at:], inside)
    else:  # the own comment, without the original around it
        own_end = repost_at - len(REPOST_MARK)
        evidence = evidence_of(full[:own_end], [h for h in hits if h.end <= own_end])
    return FindingSpec(
        fingerprint=post_prefix(account_id, post_pk) + problem_of(first),
        account_id=account_id,
        post_id=post_pk,
        category=first.category,
        rule=first.rule,
        severity=first.severity,
        evidence=evidence,
        evidence_url=url,
        details={
            "label": first.label,
            "explanation": first.explanation,
            "suggestion": first.suggestion,
            "rules": sorted({h.rule for h in hits}),
            "matched": [h.evidence for h in hits],
            "spans": spans,
            "in_repost": in_repost,
            "repost_of": repost_of if in_repost else None,
        },
    )


def check_posts(
    session: Session, config: Config, now: datetime, account_ids: Sequence[str] | None = None
) -> ContentPass:
    """Check every post whose current text has not been checked; returns the findings to sync."""
    checker = load_checker(config)
    result = ContentPass()
    query = (
        select(
            Post.id,
            Post.account_id,
            Post.title,
            Post.text,
            Post.url,
            Post.is_original,
            Post.repost_of,
            Post.repost_text,
            Post.content_hash,
            Post.published_at,
            Unit.name,
            Account.name,
            Account.platform,
        )
        .join(Account, Post.account_id == Account.id)
        .join(Unit, Account.unit_id == Unit.id)
        .where(Post.deleted_at.is_(None))
        .where(or_(Post.checked_hash.is_(None), Post.checked_hash != Post.content_hash))
        .order_by(Post.id)
    )
    if account_ids is not None:
        query = query.where(Post.account_id.in_(list(account_ids)))
    # Posts that carry open findings now: only their re-check can rectify something.
    flagged_before = set(
        session.scalars(
            select(Finding.post_id)
            .where(Finding.status == FindingState.OPEN, Finding.fingerprint.like("text:%"))
            .distinct()
        )
    )
    last_id = 0
    while True:  # in batches by id, so a night of a million new posts runs in flat memory
        rows = session.execute(query.where(Post.id > last_id).limit(BATCH)).all()
        if not rows:
            break
        last_id = rows[-1][0]
        updates = []
        # the learned model scores the whole batch in one pass
        bodies = [checked_body(row[3], row[7]) for row in rows]
        fulls = [
            f"{row[2]}\n{body}" if row[2] else body for row, (body, _at) in zip(rows, bodies, strict=True)
        ]
        probs = checker.model_probs(fulls)
        # what each post may hold (one numpy pass): scans for what it cannot hold are skipped
        facts = text_facts(fulls)
        for (
            pk,
            account_id,
            title,
            text,
            url,
            is_original,
            repost_of,
            _repost_text,
            digest,
            published,
            unit,
            name,
            platform,
        ), (body, repost_at), p, f in zip(rows, bodies, probs, facts, strict=True):
            # the post's own date decides whether an institution's old name was still right
            context = PostContext(
                unit=unit, account_name=name, platform=platform, is_original=is_original, published=published
            )
            checked = checker.check(body, title=title, context=context, probs=p, facts=f)
            mix = classify_content(text or "", title=title, is_original=is_original, repost_of=repost_of)
            updates.append(
                {
                    "id": pk,
                    "labels": " ".join(checked.labels),
                    "checked_hash": digest,
                    "content_type": mix.type,
                    "authoritative": mix.authoritative,
                }
            )
            result.checked += 1
            if pk in flagged_before:
                result.judged[post_prefix(account_id, pk)] = "帖子内容已修改，问题已消除"
            if not checked.findings:
                continue
            result.flagged += 1
            # Personal numbers are masked before any excerpt is cut: no evidence shows them whole.
            full = masked_text(f"{title}\n{body}" if title else body, checked.findings)
            if repost_at is not None and title:
                repost_at += len(title) + 1
            by_label: dict[str, list[TextFinding]] = {}
            for hit in checked.findings:
                by_label.setdefault(problem_of(hit), []).append(hit)
            for hits in by_label.values():
                hits.sort(key=lambda h: (Severity.rank(h.severity), h.start))
                result.specs.append(finding_spec(account_id, pk, url, full, hits, repost_at, repost_of))
        session.execute(update(Post), updates)

    # Findings on posts deleted since: the flagged content is gone.
    deleted = session.execute(
        select(Finding.account_id, Finding.post_id)
        .join(Post, Finding.post_id == Post.id)
        .where(
            Finding.status == FindingState.OPEN,
            Post.deleted_at.is_not(None),
            Finding.fingerprint.like("text:%"),
        )
    )
    for account_id, post_pk in deleted:
        result.judged[post_prefix(account_id, post_pk)] = "帖子已删除，问题已消除"
    return result
