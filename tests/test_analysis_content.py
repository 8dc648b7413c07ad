"""Content checks on stored posts: labels, findings with evidence, rectified by edit or deletion."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from analysis.run import analyse
from core.config import parse_config
from core.items import DELETED_ORIGINAL, OutcomeItem, PostItem
from storage import repo
from storage.db import open_store
from storage.models import Finding, Post

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
AD = "家人们！加微信 zhw8888 领取优惠券，全场包邮秒杀，仅需9.9元，手慢无！"
WORDING = "全旗各单位认真学习贯彻党的二十大会议精神，确保截止年底完成各项任务。"
ANTI_FRAUD = "【反诈提醒】谨防“加微信返利”“刷单赚佣金”骗局，凡是要求先交钱的都是诈骗！"

CONFIG = parse_config(
    {
        "accounts": [
            {
                "id": "sc",
                "unit": "旗市场监督管理局",
                "platform": "weibo",
                "name": "青川市场监管",
                "handle": "1",
            }
        ]
    }
)


def setup_store(database_url, texts):
    store = open_store(database_url)
    with store.session() as s:
        repo.sync_accounts(s, repo.config_account_records(CONFIG.accounts))
        run = repo.start_run(s, "test", 1)
        items = [
            PostItem("sc", pid, f"https://m.weibo.cn/status/{pid}", NOW - timedelta(hours=i + 1), text=text)
            for i, (pid, text) in enumerate(texts.items())
        ]
        repo.upsert_posts(s, items)
        repo.record_outcome(
            s, run, OutcomeItem("sc", "ok", finished_at=NOW - timedelta(minutes=5)), len(items), 1
        )
    return store


def open_findings(store):
    with store.session() as s:
        return {
            (f.rule, s.get(Post, f.post_id).platform_post_id): f
            for f in s.scalars(
                select(Finding).where(Finding.status == "open", Finding.category != "poor_maintenance")
            )
        }


def test_problem_posts_get_findings_with_evidence_and_clean_ones_none(database_url):
    store = setup_store(database_url, {"ad": AD, "word": WORDING, "fraud": ANTI_FRAUD})
    summary = analyse(CONFIG, store, now=NOW)
    assert summary.posts_checked == 3
    found = open_findings(store)
    ad_rules = {rule for rule, pid in found if pid == "ad"}
    assert any(rule.startswith("ad.") for rule in ad_rules)
    assert not any(pid == "fraud" for _, pid in found)  # the warning quotes scam words; it is no ad
    wording = [f for (rule, pid), f in found.items() if pid == "word"]
    assert {f.category for f in wording} == {"wording_error"}
    # One finding per problem class of a post: both wrong forms of the post in one finding,
    # each with its correct form; the ad's signals in one commercial finding, all marked.
    assert len(wording) == 1, [f.evidence for f in wording]
    formulation = wording[0]
    assert "【二十大会议精神】" in formulation.evidence and "应为：二十大精神" in formulation.evidence
    assert "【截止年底】" in formulation.evidence and "截至年底）" in formulation.evidence
    ads = [f for (rule, pid), f in found.items() if pid == "ad" and f.details["label"] == "commercial"]
    assert len(ads) == 1 and ads[0].evidence.count("【") >= 3, [f.evidence for f in ads]
    assert len(ads[0].details["rules"]) >= 2, ads[0].details
    assert formulation.evidence_url == "https://m.weibo.cn/status/word"
    with store.session() as s:
        labels = dict(s.execute(select(Post.platform_post_id, Post.labels)).all())
        assert "commercial" in labels["ad"] and labels["fraud"] == "" and labels["word"] == "wording_error"
        assert all(t for t in s.scalars(select(Post.content_type)))

    # A second pass checks nothing again and keeps the findings as they are.
    again = analyse(CONFIG, store, now=NOW + timedelta(hours=1))
    assert again.posts_checked == 0 and not again.findings.rectified
    assert open_findings(store).keys() == found.keys()


def test_edited_post_rectifies_and_deleted_post_rectifies(database_url):
    store = setup_store(database_url, {"ad": AD, "word": WORDING})
    analyse(CONFIG, store, now=NOW)
    with store.session() as s:  # the operator fixes the wording; the ad is deleted
        fixed = "全旗各单位认真学习贯彻党的二十大精神，确保截至年底完成各项任务。"
        repo.upsert_posts(s, [PostItem("sc", "word", None, NOW - timedelta(hours=2), text=fixed)])
        s.execute(update(Post).where(Post.platform_post_id == "ad").values(deleted_at=NOW))
    analyse(CONFIG, store, now=NOW + timedelta(hours=1))
    assert open_findings(store) == {}
    with store.session() as s:
        reasons = {f.status_reason for f in s.scalars(select(Finding).where(Finding.status == "rectified"))}
        assert "帖子已删除，问题已消除" in reasons and "帖子内容已修改，问题已消除" in reasons


def test_a_neutral_repost_of_an_advert_is_flagged_with_the_originals_words(database_url):
    """Only the reposting account's comment is its own words, but it spreads the original: an
    advert reposted with "转发微博" is flagged, and the evidence says the words are the original's."""
    store = setup_store(database_url, {})
    repost = PostItem(
        "sc",
        "rp",
        "https://m.weibo.cn/status/rp",
        NOW - timedelta(hours=1),
        text="转发微博",
        is_original=False,
        repost_of="@某某优选:4999",
        repost_text=AD,
    )
    with store.session() as s:
        repo.upsert_posts(s, [repost])
    analyse(CONFIG, store, now=NOW)
    found = {rule: f for (rule, pid), f in open_findings(store).items() if pid == "rp"}
    assert any(rule.startswith("ad.") for rule in found)
    for f in found.values():
        assert f.evidence.startswith("转发原文（@某某优选）："), f.evidence
        marked = f.evidence.split("【", 1)[1].split("】", 1)[0]
        assert marked in AD and marked not in "转发微博"
        assert f.details["in_repost"] is True and f.details["repost_of"] == "@某某优选:4999"
    with store.session() as s:
        assert "commercial" in s.scalar(select(Post.labels).where(Post.platform_post_id == "rp"))

    # The original is deleted since: what the account spread is gone, the finding is rectified.
    with store.session() as s:
        repo.upsert_posts(s, [replace(repost, repost_of="deleted", repost_text=DELETED_ORIGINAL)])
    analyse(CONFIG, store, now=NOW + timedelta(hours=1))
    assert not any(pid == "rp" for _, pid in open_findings(store))


def test_a_problem_in_the_reposting_comment_is_shown_as_the_accounts_own(database_url):
    store = setup_store(database_url, {})
    with store.session() as s:
        repo.upsert_posts(
            s,
            [
                PostItem(
                    "sc",
                    "rc",
                    None,
                    NOW - timedelta(hours=1),
                    text=WORDING,
                    is_original=False,
                    repost_of="@青川发布:5000",
                    repost_text="青川旗召开冬季安全生产工作会议。",
                )
            ],
        )
    analyse(CONFIG, store, now=NOW)
    wording = [f for (_, pid), f in open_findings(store).items() if pid == "rc"]
    assert wording and all(f.category == "wording_error" for f in wording)
    for f in wording:
        assert not f.evidence.startswith("转发原文") and "转发原文" not in f.evidence
        assert "安全生产" not in f.evidence  # the excerpt stays inside the account's own comment
        assert f.details["in_repost"] is False
