"""Personal information and secret marks published (个人信息/涉密泄露): the detector on its own, with
positives and hard negatives written here; `govwatch check` on a draft; and end to end, a crawl of
the sandbox's planted leak (an ID number in a 低保 notice, a 秘密★ mark) to findings, the weekly
report, the exports and the alert mail, each showing the number masked and never whole."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from analysis.run import analyse
from analysis.text.checker import Checker
from analysis.text.privacy import luhn, mask, masked_text, privacy_findings, valid_id15, valid_id18
from core.config import parse_config
from reporting.weeks import week_of
from storage import repo
from storage.models import Finding, Post, utcnow
from tests.conftest import export_jsonl, run_govwatch, suite_mail_sink

TODAY = date(2026, 12, 1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(body17: str) -> str:
    """An 18-digit ID number with its check digit (GB 11643) computed here, independently."""
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True)) % 11]


ID = resident_id("32010619910228004")  # Nanjing, born 1991-02-28
ID_X = resident_id("15052219870615244")  # ends in X
CARD = "6222 0212 3456 7890 128"  # passes Luhn


def rules_of(text: str) -> list[tuple[str, str]]:
    return [(f.rule, f.evidence) for f in privacy_findings(text, TODAY)]


def test_check_digit_birth_date_and_luhn():
    assert ID_X.endswith("X") and valid_id18(ID_X, TODAY) and valid_id18(ID_X.lower(), TODAY)
    wrong = ID[:17] + str((int(ID[17]) + 1) % 10) if ID[17] != "X" else ID[:17] + "0"
    assert valid_id18(ID, TODAY) and not valid_id18(wrong, TODAY)
    assert not valid_id18(resident_id("32010619910230004"), TODAY)  # February 30th
    assert not valid_id18(resident_id("32010620300228004"), TODAY)  # born in the future
    assert not valid_id18(resident_id("99010619910228004"), TODAY)  # no such province
    assert valid_id15("320106910228004") and not valid_id15("320106911328004")
    assert luhn(CARD.replace(" ", "")) and not luhn("6222021234567890127")


def test_masks_keep_only_the_allowed_characters():
    assert mask("id", "110105198003071234") == "110***********1234"
    assert mask("mobile", "13812345678") == "138****5678"
    assert mask("card", "6222021234567890128") == "***************0128"
    assert mask("mobile", "138-1234-5678") == "138-****-5678"  # separators kept, length kept
    assert mask("address", "青川旗东风路18号3单元201室") == "青川旗东风路" + "*" * 10
    assert mask("address", "桃园17栋") == "桃园***"  # a short one keeps at most half, no digit


@pytest.mark.parametrize(
    ("text", "rule", "shown"),
    [
        (
            f"低保公示：户主张某某，身份证号{ID}，家庭人口3人。",
            "privacy.personal",
            f"{ID[:3]}***********{ID[-4:]}",
        ),
        (f"申请人李某（公民身份号码：{ID_X}）已领取补贴。", "privacy.personal", f"150***********{ID_X[-4:]}"),
        ("失主身份证号320106910228004，请速来认领。", "privacy.personal", "320********8004"),
        (
            f"请将补助打入本人银行卡号：{CARD}，开户行为农商银行。",
            "privacy.personal",
            "**** **** **** ***0 128",
        ),
        ("联系人：王建国，联系电话：13812345678。", "privacy.personal", "138****5678"),
        ("走失老人家属赵女士，手机 139-4771-2233，请见到者联系。", "privacy.personal", "139-****-2233"),
        (
            "患者李某，家住青川旗东风路18号3单元201室，已治愈出院。",
            "privacy.personal",
            "青川旗东风路" + "*" * len("18号3单元201室"),
        ),
        ("秘密★1年\n关于做好防汛值守的通知", "privacy.secret_mark", "秘密★"),
        ("机密★ 关于干部调整的请示", "privacy.secret_mark", "机密★"),
        ("（内部资料）\n全旗经济运行分析", "privacy.secret_mark", "内部资料"),
        ("内部资料，请勿外传。一季度财政收支情况如下", "privacy.secret_mark", "内部资料"),
    ],
)
def test_leaks_found_with_masked_evidence(text, rule, shown):
    found = rules_of(text)
    assert (rule, shown) in found, found
    leak = next(f for f in privacy_findings(text, TODAY) if f.rule == rule)
    assert leak.severity == "critical" and leak.category == "wording_error"
    assert len(leak.evidence) == leak.end - leak.start  # masked in place: offsets still hold


@pytest.mark.parametrize(
    "text",
    [
        "有诉求请拨打12345政务服务便民热线。",
        "旗政务服务中心办公电话：0477-8221000，传真0477-8221001。",
        "客服热线400-810-1234，或拨打800-820-5566。",
        "联系人：王科长，办公电话：13812345678。",  # a published office line, even a mobile one
        "咨询电话：13947700000（工作日9:00-17:00）。",  # a service line, no person beside it
        "请有意参加的企业于9月30日前报名，联系人：张科长，电话13947512345。",  # a notice's work contact
        "欢迎各地客商前来采购，联系人：李站长13847512345。",
        "想要的居民加微信18947512345下单。",  # a seller's number (an ad, not a leak)
        f"身份证号{ID[:17]}{(int(ID[17]) + 1) % 10 if ID[17] != 'X' else 0}（示例号码校验位错误）。",
        "您的订单号6222021234567890128已发货，物流单号 773012345678901。",
        "依据《关于做好冬季供暖工作的通知》（青政办发〔2024〕12号），自2024年11月15日起供暖。",
        "统一社会信用代码91150522MA0N1234X5，注册资本500万元。",
        "会议于20241115日召开，批次号202411150001234。",
        "请市民注意保密个人信息，企业要保护商业机密。",
        "本馆内部资料室开放时间为每周二至周五。",
        "旗政务服务中心地址：青川旗东风路18号。",  # an office's address, no person
        "工作秘密不得上网，涉密信息不得在互联网发布。",  # talks about secrets, carries no mark
    ],
)
def test_hard_negatives_are_not_leaks(text):
    assert rules_of(text) == []


def test_other_findings_never_quote_a_leaked_number():
    """An ad-like contact signal beside a person's mobile: every finding of the post, whatever
    its check, quotes the number masked."""
    text = "联系人：王建国，预约电话13812345678，到店办卡立减200元，先到先得！"
    result = Checker.load().check(text)
    assert any(f.rule == "privacy.personal" for f in result.findings)
    for f in result.findings:
        assert "12345678" not in f.evidence + f.explanation + (f.suggestion or ""), f
    assert "138****5678" in masked_text(text, result.findings)


def test_govwatch_check_shows_a_draft_masked(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(f"低保公示：户主张某某，身份证号{ID}，家庭人口3人。\n秘密★1年\n", encoding="utf-8")
    result = run_govwatch(None, "check", str(draft), "--fail-on", "critical")
    assert result.returncode == 1, result.stderr  # 先审后发: a critical problem fails the draft
    assert "泄露公民个人信息" in result.stdout and "发布涉密或内部资料" in result.stdout
    assert f"{ID[:3]}***********{ID[-4:]}" in result.stdout
    assert ID not in result.stdout and ID[3:14] not in result.stdout + result.stderr
    lines = run_govwatch(None, "check", "-", input='{"id": 7, "text": "户主张某某，身份证号' + ID + '"}\n')
    assert '"privacy.personal"' in lines.stdout and ID not in lines.stdout


def test_finding_closes_when_the_post_is_edited(store_url, store, tmp_path):
    config = parse_config({"database": store_url}, tmp_path / "config.yaml")
    now = utcnow()
    with store.session() as session:
        repo.sync_accounts(
            session,
            [{"id": "jd", "unit": "青川街道办事处", "platform": "weibo", "name": "青川街道", "handle": "1"}],
        )
        text = f"低保公示：户主张某某，身份证号{ID}，家庭人口3人。"
        session.add(
            Post(
                account_id="jd",
                platform_post_id="p1",
                published_at=now,
                text=text,
                content_hash=repo.content_hash(None, text),
            )
        )
    analyse(config, store, now=now)
    with store.session() as session:
        leak = session.scalar(select(Finding).where(Finding.rule == "privacy.personal"))
        assert leak.status == "open" and leak.severity == "critical"
        assert ID not in leak.evidence and ID not in str(leak.details)
        post = session.scalar(select(Post))
        post.text = "低保公示：户主张某某，家庭人口3人。"
        post.content_hash = repo.content_hash(None, post.text)
    analyse(config, store, now=now)
    with store.session() as session:
        assert session.scalar(select(Finding.status).where(Finding.rule == "privacy.personal")) == "rectified"


def test_sandbox_leaks_reach_report_exports_and_mail_masked(sandbox, sandbox_config, tmp_path):
    sink, _port = suite_mail_sink()
    mails_before = len(sink.messages)
    crawl = run_govwatch(sandbox_config, "crawl")
    assert crawl.returncode == 0, crawl.stderr
    truth = sandbox.truth()["content"]
    leaked = {c["key"]: c for c in truth.values() if c["key"].startswith("leak-")}
    assert set(leaked) == {"leak-id", "leak-secret"}
    raw_id = "150522198706152431"  # the planted number (sandbox/content.py)
    assert raw_id in "".join(
        p["text"] or "" for p in export_jsonl(sandbox_config, "posts")
    )  # the post itself

    findings = [f for f in export_jsonl(sandbox_config, "findings") if f["rule"].startswith("privacy.")]
    by_rule = {f["rule"]: f for f in findings}
    assert set(by_rule) == {"privacy.personal", "privacy.secret_mark"}, findings
    assert all(f["severity"] == "critical" and f["status"] == "open" for f in findings)
    assert by_rule["privacy.personal"]["account_id"] == leaked["leak-id"]["account_id"]
    assert "【150***********2431】" in by_rule["privacy.personal"]["evidence"]
    assert "【秘密★】" in by_rule["privacy.secret_mark"]["evidence"]

    def no_raw(text: str, where: str) -> None:
        assert raw_id not in text and "19870615" not in text, where

    for fmt in ("jsonl", "csv"):
        out = run_govwatch(sandbox_config, "export", "findings", "--format", fmt)
        assert out.returncode == 0 and "150***********2431" in out.stdout, fmt
        no_raw(out.stdout, fmt)
    rows = list(
        csv.reader(io.StringIO(run_govwatch(sandbox_config, "export", "findings", "--format", "csv").stdout))
    )
    assert any("privacy.personal" in row and "critical" in row for row in rows)
    xlsx = tmp_path / "findings.xlsx"
    assert (
        run_govwatch(sandbox_config, "export", "findings", "--format", "xlsx", "--out", str(xlsx)).returncode
        == 0
    )
    cells = " ".join(str(c.value) for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value)
    assert "150***********2431" in cells and "秘密★" in cells
    no_raw(cells, "xlsx")

    week = str(week_of(datetime.now(ZoneInfo("Asia/Shanghai")).date()))
    report = run_govwatch(sandbox_config, "report", "--week", week)
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.split()[0]).read_text(encoding="utf-8")
    assert ">150***********2431</mark>" in html and ">秘密★</mark>" in html
    no_raw(html, "report")

    # critical: an immediate alert after the crawl, by mail, masked
    mails = [m for _to, m in sink.messages[mails_before:]]
    bodies = [m.get_body(("plain", "html")).get_content() for m in mails]
    leak_mails = [m["Subject"] for m, b in zip(mails, bodies, strict=True) if "150***********2431" in b]
    assert leak_mails and all(s.startswith("【严重】") and "青川街道" in s for s in leak_mails), leak_mails
    # the mail names the rule's own title beside the problem class, in the subject and the body
    assert all("审核把关不严·泄露公民个人信息" in s for s in leak_mails), leak_mails
    assert any("问题类型：审核把关不严（泄露公民个人信息）" in b for b in bodies)
    assert any("审核把关不严·发布涉密或内部资料" in m["Subject"] for m in mails)
    assert any("秘密★" in b for b in bodies)
    for text in bodies + [m["Subject"] for m in mails]:
        no_raw(text, "mail")
    no_raw(crawl.stdout + crawl.stderr, "crawl output")


@pytest.mark.e2e
def test_crawled_leak_closes_after_the_unit_edits_the_article(sandbox, sandbox_config):
    """A known WeChat article is not fetched again on later crawls; one an open privacy finding
    names is, so a rescan after the unit removed the number sees the fix and closes the finding."""
    raw_id = "150522198706152431"
    leak = next(c for pid, c in sandbox.truth()["content"].items() if c["key"] == "leak-id")
    post_id = next(pid for pid, c in sandbox.truth()["content"].items() if c["key"] == "leak-id")
    account = leak["account_id"]
    crawl = run_govwatch(sandbox_config, "crawl", "--account", account)
    assert crawl.returncode == 0, crawl.stderr

    def personal() -> list[dict]:
        return [f for f in export_jsonl(sandbox_config, "findings") if f["rule"] == "privacy.personal"]

    assert [f["status"] for f in personal()] == ["open"]
    # A crawl with nothing changed keeps it open (the page is read again and still shows it).
    assert run_govwatch(sandbox_config, "crawl", "--account", account).returncode == 0
    assert [f["status"] for f in personal()] == ["open"]

    post = sandbox.world.posts_by_id[post_id][1]
    assert raw_id in post.text
    sandbox.edit_post(account, post_id, post.text.replace(f"，身份证号{raw_id}", ""))
    rescan = run_govwatch(sandbox_config, "rescan", account)
    assert rescan.returncode == 0, rescan.stderr
    (closed,) = personal()
    assert closed["status"] == "rectified", closed
    stored = [p for p in export_jsonl(sandbox_config, "posts") if p["account_id"] == account]
    assert stored and not any(raw_id in (p["text"] or "") for p in stored)  # the edited text is stored


@pytest.mark.e2e
def test_weibo_secret_mark_closes_after_an_edit_below_the_listings_stop(sandbox, sandbox_config):
    """Weibo's listing stops at the first known post: a flagged post further down is asked for on
    its own (/statuses/show) while its finding is open, so the unit's edit is seen there too."""
    content = sandbox.truth()["content"]
    post_id = next(pid for pid, c in content.items() if c["key"] == "leak-secret")
    account = content[post_id]["account_id"]
    assert run_govwatch(sandbox_config, "crawl", "--account", account).returncode == 0

    def secret() -> list[str]:
        return [
            f["status"]
            for f in export_jsonl(sandbox_config, "findings")
            if f["rule"] == "privacy.secret_mark"
        ]

    assert secret() == ["open"]
    # New posts push it below the page where the next listing stops (the first known post's page).
    position = [p.id for p in sandbox.world.account(account).regular_posts()].index(post_id)
    assert position % 10 > 0
    for n in range(20 - position % 10):
        sandbox.add_post(account, f"青川旗今日政务服务事项办理情况通报（第{n + 1}期）。")
    shows_before = sandbox.request_counts()["by_path"].get("/statuses/show", 0)
    post = sandbox.world.posts_by_id[post_id][1]
    sandbox.edit_post(account, post_id, post.text.replace("秘密★1年", "").strip())
    crawl = run_govwatch(sandbox_config, "crawl", "--account", account)
    assert crawl.returncode == 0, crawl.stderr
    assert secret() == ["rectified"]
    # the listing did not show it again: the post was asked for on its own, once
    assert sandbox.request_counts()["by_path"].get("/statuses/show", 0) == shows_before + 1
