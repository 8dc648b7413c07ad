"""Interaction switched off (互动功能关闭或受限, the national indicators' 未提供有效互动功能): the
comment permission read from Weibo's ``comment_manage_info`` (the real 2019 m.weibo.cn capture is
read in checks/real, `make check-real`) and from a WeChat article's 留言 thread id; the rule's threshold on an account's newest
posts, an unknown permission never counted; and end to end, the sandbox's Weibo account with
comments restricted and its WeChat account without 留言 crawled into findings, the weekly report,
the alert mail and the xlsx export, then closed after comments are opened again and re-crawled."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from analysis.interaction import CommentsOff, comments_off_findings
from core import rules
from core.config import parse_config
from core.items import PostItem
from core.vocabulary import CommentPermission
from crawler.parsers import wechat, weibo
from reporting.weeks import week_of
from storage import repo
from storage.models import Post
from tests.conftest import export_jsonl, run_govwatch, suite_mail_sink

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CONFIG = parse_config({})


# --- reading the permission ---------------------------------------------------------------


def mblog(**info: int) -> dict:
    return {
        "id": "5001",
        "created_at": "Tue Dec 01 09:00:00 +0800 2026",
        "text": "通知",
        "comment_manage_info": info,
    }


def test_weibo_comment_permission_from_comment_manage_info():
    assert weibo.parse_mblog("a", mblog(comment_permission_type=-1), NOW).comment_permission == "open"
    limited = weibo.parse_mblog("a", mblog(comment_permission_type=2, approval_comment_type=0), NOW)
    assert limited.comment_permission == CommentPermission.LIMITED
    selected = mblog(comment_permission_type=-1, approval_comment_type=1)  # shown only once selected
    assert weibo.parse_mblog("a", selected, NOW).comment_permission == CommentPermission.LIMITED
    bare = {"id": "5002", "created_at": "Tue Dec 01 09:00:00 +0800 2026", "text": "通知"}
    assert weibo.parse_mblog("a", bare, NOW).comment_permission is None  # not said: unknown


def article(comment_js: str) -> str:
    return (
        '<html><body><h1 id="activity-name">通知</h1><div id="js_content"><p>正文</p></div>'
        f'<script>var ct = "1764550000"; {comment_js}</script></body></html>'
    )


def test_wechat_comment_permission_from_the_article_page():
    def read(js: str) -> str | None:
        post = wechat.parse_article("a", "p1", "https://mp.weixin.qq.com/s/x", article(js)).post
        return post.comment_permission

    assert read('var comment_id = "2936284820427849729" || "0" * 1;') == CommentPermission.OPEN
    assert read('var comment_id = "0" || "0" * 1;') == CommentPermission.NOT_SHOWN
    assert read("") is None


# --- the rule -----------------------------------------------------------------------------


def figures(limited: int, not_shown: int = 0, open_: int = 0, unknown: int = 0) -> dict[str, CommentsOff]:
    urls = [f"https://m.weibo.cn/status/{i}" for i in range(limited + not_shown)]
    return {
        "acc": CommentsOff(
            "acc",
            posts=limited + not_shown + open_ + unknown,
            known=limited + not_shown + open_,
            limited=urls[:limited],
            not_shown=urls[limited:],
        )
    }


def test_threshold_counts_only_posts_with_a_known_permission():
    specs, judged = comments_off_findings(figures(limited=6, open_=4), CONFIG)
    assert judged == ["comoff:acc:"] and len(specs) == 1
    spec = specs[0]
    assert spec.rule == rules.INTERACTION_COMMENTS_OFF.id and spec.category == "poor_interaction"
    assert spec.severity == "major"
    assert "最近 10 条帖子中" in spec.evidence and "其中 6 条评论已关闭或受限" in spec.evidence
    assert (
        spec.evidence_url == "https://m.weibo.cn/status/0" and "https://m.weibo.cn/status/2" in spec.evidence
    )
    assert not comments_off_findings(figures(limited=5, open_=5), CONFIG)[0]  # 50%: below 60%
    # Unknown never counts as closed: 3 of 3 known is a finding, 8 unknown posts change nothing ...
    assert comments_off_findings(figures(limited=3, unknown=7), CONFIG)[0]
    # ... and with fewer than 3 known posts nothing is judged, either way.
    assert comments_off_findings(figures(limited=2, unknown=8), CONFIG) == ([], [])
    assert comments_off_findings(figures(limited=0, unknown=10), CONFIG) == ([], [])


def test_pages_without_liuyan_alone_ask_for_a_person_to_confirm():
    (spec,), _ = comments_off_findings(figures(limited=0, not_shown=8, open_=2), CONFIG)
    assert spec.severity == "minor" and "需人工确认" in spec.evidence and spec.details["needs_confirmation"]


def test_threshold_is_the_offices_to_tune():
    strict = parse_config({"interaction": {"comments_off_share": 0.9}})
    assert not comments_off_findings(figures(limited=6, open_=4), strict)[0]
    with pytest.raises(Exception, match="comments_off_share"):
        parse_config({"interaction": {"comments_off_share": 1.5}})


# --- end to end -------------------------------------------------------------------------------

WEIBO, WECHAT, CONTROL = "qc-police-weibo", "qc-health-wechat", "qc-fabu-weibo"
ACCOUNTS = ("--account", WEIBO, "--account", WECHAT, "--account", CONTROL)


def off_findings(config: Path) -> dict[str, dict]:
    return {
        f["account_id"]: f
        for f in export_jsonl(config, "findings")
        if f["rule"] == "interaction.comments_off"
    }


@pytest.mark.e2e
@pytest.mark.slow
def test_sandbox_comments_off_reach_report_mail_xlsx_and_close_when_reopened(
    sandbox, sandbox_config, tmp_path
):
    truth = sandbox.truth()["accounts"]
    assert (truth[WEIBO]["comments"], truth[WECHAT]["comments"], truth[CONTROL]["comments"]) == (
        "limited",
        "not_shown",
        "open",
    )
    sink, _port = suite_mail_sink()
    before = len(sink.messages)
    crawl = run_govwatch(sandbox_config, "crawl", *ACCOUNTS)
    assert crawl.returncode == 0, crawl.stderr

    found = off_findings(sandbox_config)
    assert set(found) == {WEIBO, WECHAT}, found  # the open account has none
    weibo_finding, wechat_finding = found[WEIBO], found[WECHAT]
    assert weibo_finding["status"] == "open" and weibo_finding["severity"] == "major"
    assert weibo_finding["category"] == "poor_interaction"
    assert "最近 10 条帖子中，10 条可判断评论权限，其中 10 条评论已关闭或受限" in weibo_finding["evidence"]
    assert "https://m.weibo.cn/status/" in weibo_finding["evidence"]
    assert wechat_finding["severity"] == "minor" and "需人工确认" in wechat_finding["evidence"]

    # the weekly report
    week = str(week_of(datetime.now(ZoneInfo("Asia/Shanghai")).date()))
    report = run_govwatch(sandbox_config, "report", "--week", week)
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.split()[0]).read_text(encoding="utf-8")
    assert "其中 10 条评论已关闭或受限" in html and "需人工确认" in html

    # the alert mail: major, so sent; it names the class and the rule's title
    mails = [m for _to, m in sink.messages[before:]]
    subjects = [m["Subject"] for m in mails if "互动功能关闭或受限" in m["Subject"]]
    assert subjects and all(s.startswith("【较重】") and "青川公安" in s for s in subjects), subjects
    assert all("互动服务不实·互动功能关闭或受限" in s for s in subjects)
    bodies = [m.get_body(("plain", "html")).get_content() for m in mails if m["Subject"] in subjects]
    assert any(
        "问题类型：互动服务不实（互动功能关闭或受限）" in b and "条评论已关闭或受限" in b for b in bodies
    )
    assert not any("健康青川" in m["Subject"] and "互动" in m["Subject"] for m in mails)  # minor: no mail

    # the xlsx findings export
    xlsx = tmp_path / "findings.xlsx"
    out = run_govwatch(sandbox_config, "export", "findings", "--format", "xlsx", "--out", str(xlsx))
    assert out.returncode == 0, out.stderr
    cells = [str(c.value) for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value]
    assert any("其中 10 条评论已关闭或受限" in c for c in cells)

    # the unit opens comments again: the next crawl re-reads the newest posts and closes it
    sandbox.set_comments(WEIBO, "open")
    again = run_govwatch(sandbox_config, "crawl", *ACCOUNTS)
    assert again.returncode == 0, again.stderr
    found = off_findings(sandbox_config)
    assert found[WEIBO]["status"] == "rectified", found[WEIBO]
    assert found[WECHAT]["status"] == "open"  # still no 留言 on its pages


def test_an_unknown_reading_never_erases_a_known_permission(store):
    with store.session() as session:
        repo.sync_accounts(
            session,
            [{"id": "w", "unit": "青川旗公安局", "platform": "weibo", "name": "青川公安", "handle": "1"}],
        )

    def read(permission: str | None) -> str | None:
        with store.session() as session:
            repo.upsert_posts(
                session, [PostItem("w", "p1", None, NOW, "通知", comment_permission=permission)]
            )
        with store.session() as session:
            return session.query(Post.comment_permission).scalar()

    assert read(CommentPermission.LIMITED) == "limited"
    assert read(None) == "limited"  # a page that does not say keeps what the last one said
    assert read(CommentPermission.OPEN) == "open"  # comments opened again
