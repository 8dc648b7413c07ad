"""Posts deleted by their account, inferred from a complete listing.

Only a *complete* `ok` listing says anything about deletions: a stored, non-pinned, not yet
deleted post published inside the listing's window that the listing did not show was deleted
(deleted_at = when we found out). A failed or partial listing says nothing. The judgement needs
what the listing showed (OutcomeItem.seen_ids, complete, window_start), which only the crawl
has, so it is made here, as the pipeline stores the listing's outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.items import OK, OutcomeItem
from storage import repo
from storage.models import utcnow

# Date-only forms ("11-20") lose the time of day: a post within a day of the
# listing's oldest post may sit on either side of it, so it is left alone.
WINDOW_SLACK = timedelta(days=1)


def mark_listing_deletions(session: Session, outcome: OutcomeItem, now: datetime | None = None) -> list[str]:
    """Mark as deleted the stored posts a complete listing should have shown but did not;
    returns their platform ids."""
    if outcome.outcome != OK or not outcome.complete or outcome.window_start is None:
        return []
    now = now or utcnow()
    seen = set(outcome.seen_ids)
    stored = repo.live_posts_published_after(
        session,
        outcome.account_id,
        after=outcome.window_start + WINDOW_SLACK,
        first_seen_before=now - timedelta(seconds=1),  # stored before this crawl
    )
    gone = [(pk, post_id) for pk, post_id in stored if post_id not in seen]
    repo.mark_posts_deleted(session, [pk for pk, _ in gone], now)
    return [post_id for _, post_id in gone]
