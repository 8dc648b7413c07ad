"""End to end: the content problems planted in the sandbox (sandbox/content.py) are crawled
from each platform, checked, stored as findings with their evidence and the post's link, and
listed in the weekly report; the hard negatives planted beside them are not flagged. What is
expected comes from the sandbox's truth (``truth["content"]``), not from numbers written here."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from analysis.text.checker import CATEGORY
from core.config import load_config
from reporting.weeks import week_of
from storage.db import open_store
from storage.models import Finding
from tests.conftest import export_jsonl, run_govwatch

pytestmark = pytest.mark.e2e

MARKED = re.compile(r"【([^【】]+)】")  # innermost: a post's own 【…】 may surround the mark


REPOST_PREFIX = re.compile(r"^转发原文（[^）]*）：")


def seen_text(post: dict) -> str:
    """What the checks read of a stored post: title, text, and a repost's original."""
    return " ".join(x for x in (post["title"], post["text"], post["repost_text"]) if x).replace("\n", " ")


def shown_in(shown: str, text: str) -> bool:
    """Whether ``shown`` is a passage of ``text`` as evidence quotes it: personal numbers are
    masked there, each * standing for one hidden character."""
    return re.search(re.escape(shown).replace(r"\*", "."), text) is not None


def stored_post(posts: list[dict], case: dict) -> dict:
    """The one stored post of the case's account that carries its marker (a repost: in its
    own comment or in the reposted original)."""
    found = [p for p in posts if p["account_id"] == case["account_id"] and case["marker"] in seen_text(p)]
    assert len(found) == 1, (case["key"], len(found))
    return found[0]


def test_planted_content_becomes_findings_with_evidence_and_reaches_the_report(sandbox, sandbox_config):
    result = run_govwatch(sandbox_config, "crawl")
    assert result.returncode == 0, result.stderr
    cases = sandbox.truth()["content"]
    problems = {pid: c for pid, c in cases.items() if c["kind"] == "problem"}
    negatives = {pid: c for pid, c in cases.items() if c["kind"] == "hard_negative"}
    assert len(problems) >= 8 and len(negatives) >= 4
    assert {label for c in problems.values() for label in c["labels"]} == set(CATEGORY)
    assert len({c["platform"] for c in problems.values()}) >= 4  # weibo, wechat, feeds, website

    posts = export_jsonl(sandbox_config, "posts")
    findings = export_jsonl(sandbox_config, "findings")
    store = open_store(load_config(sandbox_config).database_url())
    with store.session() as session:
        stored = {
            f.id: (f.evidence_url, f.details or {})
            for f in session.scalars(select(Finding).where(Finding.fingerprint.like("text:%")))
        }
    store.dispose()

    by_post: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        by_post.setdefault((f["account_id"], f["post_id"]), []).append(f)

    for case in negatives.values():
        post = stored_post(posts, case)
        assert post["labels"] == [], (case["key"], post["labels"])
        assert by_post.get((case["account_id"], post["post_id"]), []) == [], case["key"]

    flagged: dict[str, tuple[dict, list[dict]]] = {}
    for case in problems.values():
        post = stored_post(posts, case)
        key = case["key"]
        assert sorted(post["labels"]) == sorted(case["labels"]), (key, post["labels"], case["why"])
        mine = by_post.get((case["account_id"], post["post_id"]), [])
        assert {f["category"] for f in mine} == {CATEGORY[label] for label in case["labels"]}, key
        # One finding per problem class of the post, not one per signal that fired.
        assert len(mine) == len(case["labels"]), (key, [f["rule"] for f in mine])
        assert post["url"] and post["url"].startswith("http"), key
        for f in mine:
            assert f["status"] == "open", key
            evidence_url, details = stored[f["id"]]
            assert evidence_url == post["url"], key  # the finding links to the post itself
            assert details["label"] in case["labels"], key
            marked = MARKED.findall(f["evidence"])
            assert marked, (key, f["evidence"])
            # the words marked first are among those that make the post a problem; all of them
            # are the post's own words
            assert marked[0] in case["evidence"], (key, f["evidence"], case["evidence"])
            plain = f["evidence"].split("（应为：")[0]
            if details.get("in_repost"):  # the words are the reposted original's, and it says so
                assert REPOST_PREFIX.match(plain), (key, f["evidence"])
                plain = REPOST_PREFIX.sub("", plain)
                assert marked[0] in post["repost_text"] and marked[0] not in post["text"], key
            assert all(shown_in(word, seen_text(post)) for word in marked), (key, marked)
            # unmark the matched words only (the post may have its own 【…】)
            for word in marked:
                plain = plain.replace(f"【{word}】", word, 1)
            plain = plain.strip("…")
            assert shown_in(plain, seen_text(post)), key
            if case["suggestion"]:
                fixes = [
                    x for group in re.findall(r"（应为：(.*?)）", f["evidence"]) for x in group.split("；")
                ]
                assert case["suggestion"] in fixes, (key, f["evidence"])
        flagged[key] = (post, mine)
    # A repost whose own comment is neutral: only the reposted original makes it a problem.
    gossip, gossip_findings = flagged["gossip-repost"]
    assert gossip["text"] == "转发微博" and gossip["repost_of"].startswith("@娱乐圈那些事儿:")
    assert gossip_findings and all(stored[f["id"]][1]["in_repost"] for f in gossip_findings)

    # The weekly report of this week: the count of problem posts, and each one's evidence and link
    # under its account in the action section; nothing of the hard negatives.
    tz = ZoneInfo("Asia/Shanghai")
    report = run_govwatch(sandbox_config, "report", "--week", str(week_of(datetime.now(tz).date())))
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.split()[0]).read_text(encoding="utf-8")
    chip = re.search(r'<span class="n">(\d+)</span><span class="t">问题内容（条）</span>', html)
    assert chip and int(chip.group(1)) == len(problems)
    by_class = re.search(r"问题内容按类别：(.*?)</p>", html, re.S)
    assert by_class, "no breakdown of problem posts"
    action = html[html.index("二、需要处理的帐号") : html.index("三、抓取情况")]
    for key, (post, mine) in flagged.items():
        assert f'href="{escape(post["url"])}"' in action, key
        for f in mine:
            marked = MARKED.findall(f["evidence"])[0]
            assert f">{escape(marked, quote=False)}</mark>" in action, (key, marked)
    for case in negatives.values():
        assert case["marker"] not in action, case["key"]
