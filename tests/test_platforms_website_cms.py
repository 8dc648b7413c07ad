"""Website columns as the government CMS families serve them, crawled over loopback from the
sandbox (sandbox/cms.py): TRS WCM, Hanweb JCMS (records in a data island, later ones POSTed
from dataproxy.jsp), UCAP (undated list in blocks, the date only under the article's title),
南威 (card rows); and a partial read: a later list page failing keeps what was read."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.parsers.html import strip_html
from sandbox import cms
from sandbox.http import Request, Response
from sandbox.server import Sandbox
from storage.db import open_store
from storage.models import Post
from tests.conftest import export_jsonl, last_outcomes, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e

FAMILIES = {"qc-scjg-web": "trs", "qc-rsj-web": "jcms", "qc-yingji-web": "ucap", "bayan-web": "nanwei"}
# The default crawl.backfill_days is 90; a list showing the day only puts an item of the 90th
# day at its midnight, before the window: the test asks for the 89 days inside it.
WINDOW_DAYS = 89


def crawl(config: Path) -> None:
    result = run_govwatch(config, "crawl", "--platform", "website")
    assert result.returncode == 0, result.stderr


def posts_by_account(config: Path) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for p in export_jsonl(config, "posts"):
        out.setdefault(p["account_id"], {})[p["url"]] = p
    return out


def test_each_cms_family_crawled_right_and_a_quiet_night_costs_one_request(
    tmp_path: Path, sandbox: Sandbox, database_url: str
):
    config = write_sandbox_config(tmp_path, sandbox.base_url, database=database_url)
    world = sandbox.world
    sandbox.reset_counts()
    crawl(config)
    truth = sandbox.truth()["accounts"]
    accounts = {a["id"]: a for a in export_jsonl(config, "accounts")}
    posts = posts_by_account(config)
    paths = sandbox.request_counts()["by_path"]
    for account_id, family in FAMILIES.items():
        t, a = truth[account_id], accounts[account_id]
        assert world.accounts[account_id].spec.scenario.layout == family
        assert a["last_crawl_outcome"] == "ok", (account_id, a)
        assert a["status"] == t["expected_status"], (account_id, a["status"], t["expected_status"])
        account = world.accounts[account_id]
        window = [
            p
            for p in account.regular_posts()
            if world.now - timedelta(days=WINDOW_DAYS) <= p.published_at <= world.now
        ]
        base = sandbox.base_url
        stored = posts.get(account_id, {})
        # Every item of the backfill window, each under its article's address, with its body.
        assert {base + cms.post_path(account, p) for p in window} <= set(stored), account_id
        for p in window:
            got = stored[base + cms.post_path(account, p)]
            assert got["title"] == p.title
            assert strip_html(p.text)[:20] in got["text"], (account_id, got["text"][:80])  # the body, read
            published = datetime.fromisoformat(got["published_at"])
            assert published.date() == p.published_at.date(), (account_id, got)

    # TRS: paged through createPageHTML(countPage, currentPage, …) with variables; the
    # attachment icon beside each title did not hide the rows; ContentSource is the source.
    trs = world.accounts["qc-scjg-web"]
    assert paths.get(f"/gov/{trs.spec.handle}/index_1.html")
    store = open_store(database_url)
    with store.session() as session:
        sources = set(session.scalars(select(Post.source).where(Post.account_id == "qc-scjg-web")))
    store.dispose()
    assert sources == {"青川旗市场监督管理局"}
    # JCMS: 45 records on the page; the rest of the 90 days asked of dataproxy.jsp by POST.
    assert paths.get(cms.PROXY_PATH, 0) >= 1
    # UCAP: the list has no dates; the article's line under its title gives date and time.
    ucap = world.accounts["qc-yingji-web"]
    newest = ucap.regular_posts()[0]
    got = posts["qc-yingji-web"][sandbox.base_url + cms.post_path(ucap, newest)]
    assert datetime.fromisoformat(got["published_at"]).replace(second=0) == newest.published_at.replace(
        second=0, microsecond=0
    )
    # 南威: each card's MM-DD HH:MM is the list's date, to the minute.
    nanwei = world.accounts["bayan-web"]
    newest = nanwei.regular_posts()[0]
    got = posts["bayan-web"][sandbox.base_url + cms.post_path(nanwei, newest)]
    assert datetime.fromisoformat(got["published_at"]) == newest.published_at.replace(second=0, microsecond=0)

    # A night with nothing new: one request per column, whatever the CMS.
    sandbox.reset_counts()
    crawl(config)
    by_account = sandbox.request_counts()["by_account"]
    assert {k: by_account.get(k) for k in FAMILIES} == {k: 1 for k in FAMILIES}
    outcomes = last_outcomes(database_url)
    assert all(outcomes[k].outcome == "ok" for k in FAMILIES)


def test_a_failing_later_page_is_a_partial_read_not_an_unreachable_account(
    tmp_path: Path, sandbox: Sandbox, database_url: str
):
    """A broken 下一页 link (page 2 answers 404, or the JCMS proxy fails) after a readable first page:
    the first page's posts are stored, the outcome stays ok and says partial, the status rests on
    them (never unreachable), and no post is taken for deleted."""
    gov = sandbox.world.accounts["qc-gov-web"]
    broken = {f"/gov/{gov.spec.handle}/index_1.html"}

    def hook(request: Request) -> Response | None:
        if request.path in broken:
            return Response(404, b"<html><body>404 Not Found</body></html>", "text/html; charset=utf-8")
        if request.path == cms.PROXY_PATH:
            return Response(500, b"<html><body>500</body></html>", "text/html; charset=utf-8")
        return None

    sandbox.hooks.append(hook)
    config = write_sandbox_config(tmp_path, sandbox.base_url, database=database_url)
    crawl(config)
    truth = sandbox.truth()["accounts"]
    accounts = {a["id"]: a for a in export_jsonl(config, "accounts")}
    posts = posts_by_account(config)
    outcomes = last_outcomes(database_url)
    # A 404 is a broken link: the list ends there. A server error may pass: read again next night.
    for account_id, first_page, complete in (("qc-gov-web", 15, True), ("qc-rsj-web", 45, False)):
        outcome = outcomes[account_id]
        assert outcome.outcome == "ok", (account_id, outcome.detail)
        assert "部分读取" in outcome.detail and "partial read" in outcome.detail, outcome.detail
        assert outcome.complete is complete, account_id
        assert accounts[account_id]["status"] == truth[account_id]["expected_status"] != "unreachable"
        assert len(posts[account_id]) == first_page
    assert not any(p["deleted"] for p in posts["qc-gov-web"].values())
    # The next night, nothing new: the broken-link column costs its one list page again.
    sandbox.reset_counts()
    crawl(config)
    assert sandbox.request_counts()["by_account"].get("qc-gov-web") == 1
