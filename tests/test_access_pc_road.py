"""The second road: when m.weibo.cn refuses an account, it is read through weibo.com's PC web API
(sandbox/weibo_pc.py) into the same items — the same posts, the same statuses."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from sandbox.server import Sandbox
from sandbox.weibo_pc import MobileRefusal
from tests.conftest import export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e


def crawl(config: Path) -> str:
    result = run_govwatch(config, "crawl", "--platform", "weibo", timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def weibo_posts(config: Path) -> dict[tuple[str, str], dict]:
    return {(p["account_id"], p["post_id"]): p for p in export_jsonl(config, "posts")}


def test_an_account_refused_by_m_weibo_cn_is_read_through_weibo_com(sandbox: Sandbox, tmp_path: Path):
    truth = sandbox.truth()["accounts"]
    weibo = {a: t for a, t in truth.items() if t["platform"] == "weibo"}

    (tmp_path / "mobile").mkdir()
    mobile = write_sandbox_config(tmp_path / "mobile", sandbox.base_url)
    crawl(mobile)  # the reference: every account through m.weibo.cn
    reference = weibo_posts(mobile)
    mobile_accounts = {a["id"]: a for a in export_jsonl(mobile, "accounts")}

    refusal = MobileRefusal(status=432).install(sandbox)
    (tmp_path / "pc").mkdir()
    pc = write_sandbox_config(tmp_path / "pc", sandbox.base_url)
    crawl(pc)
    assert refusal.refused >= len(weibo)  # m.weibo.cn refused every account
    accounts = {a["id"]: a for a in export_jsonl(pc, "accounts")}
    for account_id, t in weibo.items():
        got = accounts[account_id]
        assert got["last_crawl_outcome"] in t["acceptable_outcomes"], (account_id, got)
        assert got["status"] == mobile_accounts[account_id]["status"], (account_id, got)
        if (
            t["last_post_at"] and got["last_crawl_outcome"] == "ok"
        ):  # the PC API dates every post in full: the true time, to the second
            gap = datetime.fromisoformat(got["last_post_at"]) - datetime.fromisoformat(t["last_post_at"])
            assert abs(gap) < timedelta(seconds=1), (account_id, got["last_post_at"], t["last_post_at"])
    got_posts = weibo_posts(pc)
    mobile_keys = {k for k in reference if k[0] in weibo}
    pc_keys = {k for k in got_posts if k[0] in weibo}
    # Every post the mobile road stored; beyond them only real posts of the same account at the
    # edge of the backfill window (the mobile list dates them "11-20", the PC API to the second).
    assert mobile_keys <= pc_keys
    window_start = sandbox.world.now - timedelta(days=90)
    for account_id, post_id in pc_keys - mobile_keys:
        owner, post = sandbox.world.posts_by_id[post_id]
        assert owner.id == account_id
        assert abs(post.published_at - window_start) < timedelta(days=1), (account_id, post_id)
    for key in mobile_keys:  # the same items: text, date, pinned, repost
        a, b = reference[key], got_posts[key]
        for name in ("is_pinned", "repost_of", "repost_text", "url"):
            assert a.get(name) == b.get(name), (key, name, a.get(name), b.get(name))
        assert "".join(a["text"].split()) == "".join(b["text"].split()), key  # line breaks aside
        real = sandbox.world.posts_by_id[key[1]][1].published_at
        assert abs(datetime.fromisoformat(b["published_at"]) - real) < timedelta(seconds=1), key

    # Both roads refuse: blocked, never silence.
    blocked = {a for a, t in weibo.items() if t["acceptable_outcomes"] == ["ok"]}
    sandbox.block_platform("weibo")
    crawl(pc)
    accounts = {a["id"]: a for a in export_jsonl(pc, "accounts")}
    assert all(accounts[a]["last_crawl_outcome"] == "blocked" for a in blocked)
