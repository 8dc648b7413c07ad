"""The web console's pages doing their work: a finding dismissed and reopened (the history, the
audit log, the next report), a draft checked by text and by .docx with its history, the registry
previewed row by row before it is applied, the reports archive per supervisor, the API's draft
check and its finding object's keys (a contract), and the `govwatch users` commands."""

from __future__ import annotations

import io
import os
import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from analysis.asof import statuses_at
from analysis.lifecycle import finding_history
from core.vocabulary import AuditAction
from govwatch.lock import crawl_lock
from reporting.view import build_view
from reporting.weekly import supervisor_slug
from reporting.weeks import week_of
from storage import web as db
from storage.models import Account, Draft, Finding, utcnow
from tests.conftest import run_govwatch
from tests.web_world import EDU, client, dashboard, make_world, page_csrf, sign_in

pytestmark = pytest.mark.db
AD = "限时优惠！加微信 qc888 购买特价商品，扫码领取优惠券，全场五折"


@pytest.fixture
def world(tmp_path, database_url):
    world = make_world(tmp_path, database_url)
    yield world
    world.app.state.console.weeks.join()  # a dashboard's summary still being made reads the store


def open_in_report(world, finding_id: int) -> bool:
    week = week_of(utcnow().astimezone(world.config.tz).date())
    with world.store.session() as session:
        view = build_view(session, world.config, week)
    return any(f.id == finding_id for a in view.accounts for f in a.findings)


def test_a_supervisor_dismisses_and_reopens_a_finding(world):
    finding = world.findings["edu-weibo"]
    assert open_in_report(world, finding)
    c = sign_in(world, "sup-edu")
    assert "领红包" in c.get("/findings").text
    response = c.post(
        f"/findings/{finding}/dismiss", data={"csrf": page_csrf(c), "reason": "经核实为正常转发"}
    )
    assert response.status_code == 200 and "已排除" in response.text
    assert not open_in_report(world, finding)  # the next report leaves it out
    assert "领红包" not in c.get("/findings").text
    assert "经核实为正常转发" in c.get("/findings?status=dismissed").text
    response = c.post(f"/findings/{finding}/reopen", data={"csrf": page_csrf(c), "reason": "核实有误"})
    assert response.status_code == 200 and "已恢复" in response.text
    assert open_in_report(world, finding)
    # Reopening an open finding is refused with the state machine's own words.
    response = c.post(f"/findings/{finding}/reopen", data={"csrf": page_csrf(c), "reason": "again"})
    assert response.status_code == 400 and "只有已排除的问题可以恢复" in response.text
    # No reason, no change.
    response = c.post(f"/findings/{finding}/dismiss", data={"csrf": page_csrf(c), "reason": "  "})
    assert response.status_code == 400 and "理由" in response.text
    with world.store.session() as session:
        history = "\n".join(finding_history(session, world.config, finding))
        actions = [(e.action, e.target) for e in db.audit_entries(session, user_name="sup-edu")]
    assert "web:sup-edu：经核实为正常转发" in history and "web:sup-edu：核实有误" in history
    assert (AuditAction.DISMISS, f"finding:{finding}") in actions and (
        AuditAction.REOPEN,
        f"finding:{finding}",
    ) in actions
    # The office reads it in the audit log.
    office = sign_in(world, "office")
    assert "经核实为正常转发" in office.get("/audit").text


def test_an_editor_checks_a_draft_by_text_and_by_docx(world):
    c = sign_in(world, "edu-editor")
    draft = f"关于开展冬季防火检查的通知\n{AD}\n请张三（身份证号 110101199003074514）到窗口领取"
    response = c.post("/drafts", data={"csrf": page_csrf(c, "/drafts"), "text": draft})
    assert response.status_code == 303
    page = c.get(response.headers["location"]).text
    assert "发现" in page and "<mark" in page and "商业" in page
    assert (
        "110101199003074514" not in page and "110***********4514" in page
    )  # personal numbers masked, as `govwatch check` prints them
    with world.store.session() as session:
        [stored] = session.scalars(select(Draft)).all()
        assert stored.unit == EDU and stored.finding_count >= 1 and "110101199003074514" not in stored.text
    import docx

    document = docx.Document()
    document.add_paragraph("旗教育局关于做好寒假安全工作的通知")
    document.add_paragraph(AD)
    data = io.BytesIO()
    document.save(data)
    response = c.post(
        "/drafts",
        data={"csrf": page_csrf(c, "/drafts")},
        files={"file": ("寒假通知.docx", data.getvalue(), "application/octet-stream")},
    )
    assert response.status_code == 303
    page = c.get(response.headers["location"]).text
    assert "寒假通知.docx" in page and "<mark" in page
    history = c.get("/drafts").text
    assert history.count('href="/drafts/') == 2
    # A file that is no draft is named in the answer.
    response = c.post(
        "/drafts",
        data={"csrf": page_csrf(c, "/drafts")},
        files={"file": ("x.docx", b"not a zip", "application/octet-stream")},
    )
    assert response.status_code == 400 and "x.docx" in response.text
    # Another editor does not see this editor's drafts.
    other = sign_in(world, "health-editor")
    assert other.get("/drafts/1").status_code == 404
    assert "寒假通知" not in other.get("/drafts").text


def test_the_api_checks_a_draft_with_the_users_unit(world):
    with world.store.session() as session:
        db.add_api_token(session, db.user_by_name(session, "edu-editor"), "tok-edu")
    c = client(world)
    response = c.post("/api/drafts/check", json={"text": AD}, headers={"Authorization": "Bearer tok-edu"})
    assert response.status_code == 200
    body = response.json()
    assert (
        body["unit"] == EDU
        and body["findings"]
        and {"category", "rule", "severity", "start", "end"} <= set(body["findings"][0])
    )
    bad = c.post("/api/drafts/check", json={"nope": 1}, headers={"Authorization": "Bearer tok-edu"})
    assert bad.status_code == 400


# The API's finding object is a contract with the office's other systems: a key renamed, added or
# dropped (the page's row shares its fields, storage/web.py's finding_fields) must be seen here.
API_FINDING = {
    "id": int,
    "account_id": str,
    "account_name": str,
    "unit": str,
    "category": str,
    "rule": str,
    "severity": str,
    "evidence": str,
    "status": str,
    "first_seen": str,
    "last_seen": str,
}


def test_the_apis_finding_object_keeps_its_keys(world):
    with world.store.session() as session:
        db.add_api_token(session, db.user_by_name(session, "office"), "tok-office")
    c = client(world)
    office = {"Authorization": "Bearer tok-office"}
    listed = c.get("/api/findings?status=all", headers=office).json()["findings"]
    one = c.get("/api/accounts/edu-weibo", headers=office).json()["findings"]
    assert len(listed) == 2 and len(one) == 1
    for finding in [*listed, *one]:
        assert set(finding) == set(API_FINDING), sorted(finding)
        assert all(isinstance(finding[k], t) for k, t in API_FINDING.items()), finding
        assert datetime.fromisoformat(finding["first_seen"]) <= datetime.fromisoformat(finding["last_seen"])
    assert one[0]["id"] == world.findings["edu-weibo"] and one[0]["unit"] == EDU
    schema = c.get("/api/openapi.json").json()["components"]["schemas"]["Finding"]["properties"]
    assert set(schema) == set(API_FINDING)  # the published description says the same


def test_the_registry_is_previewed_row_by_row_then_applied(world, tmp_path):
    csv_text = (
        "标识,责任主体,平台,账号名称,账号ID\n"
        f",{EDU},新浪微博,青川教育新号,5550001\n"  # new
        f"edu-wechat,{EDU},微信公众号,青川教育,qcjy\n"  # unchanged
        f"health-weibo,{EDU},新浪微博,健康青川机密,2\n"  # changed: another unit
        f",{EDU},飞鸽传书,信鸽号,x\n"  # rejected: unknown platform
    )
    c = sign_in(world, "office")
    token = page_csrf(c, "/registry")
    response = c.post(
        "/registry/preview",
        data={"csrf": token},
        files={"file": ("台账.csv", csv_text.encode("utf-8-sig"), "text/csv")},
    )
    assert response.status_code == 200, response.text
    page = response.text
    fates = [cell.split(">")[1].split("<")[0] for cell in page.split('<td class="fate-')[1:]]
    assert fates == ["新增", "未变", "更新", "拒绝"], fates
    assert "无法识别的平台" in page and "第 5 行" in page
    with world.store.session() as session:  # nothing written yet
        assert session.scalar(select(Account).where(Account.name == "青川教育新号")) is None
    upload = page.split('name="upload" value="')[1].split('"')[0]
    response = c.post("/registry/apply", data={"csrf": page_csrf(c, "/registry"), "upload": upload})
    assert response.status_code == 200 and "新增 1，更新 1，未变 1，拒绝 1" in response.text
    with world.store.session() as session:
        assert session.scalar(select(Account).where(Account.name == "青川教育新号")) is not None
    # The same upload cannot be applied twice.
    again = c.post("/registry/apply", data={"csrf": page_csrf(c, "/registry"), "upload": upload})
    assert again.status_code == 400
    export = c.get("/registry/export")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    # Not a registry file: named in the message.
    response = c.post(
        "/registry/preview",
        data={"csrf": page_csrf(c, "/registry")},
        files={"file": ("notes.txt", b"x", "text/plain")},
    )
    assert response.status_code == 400 and "notes.txt" in response.text


def test_the_registry_preview_shows_and_checks_the_field_column(world):
    csv_text = (
        "标识,责任主体,平台,账号名称,账号ID,业务领域\n"
        f"edu-wechat,{EDU},微信公众号,青川教育,qcjy,融媒体和宣传\n"  # changed: the registry's field
        f",{EDU},新浪微博,青川教育二号,5550002,\n"  # new: its name decides
        f",{EDU},新浪微博,青川教育三号,5550003,体育局\n"  # rejected: no such field
    )
    c = sign_in(world, "office")
    response = c.post(
        "/registry/preview",
        data={"csrf": page_csrf(c, "/registry")},
        files={"file": ("台账.csv", csv_text.encode("utf-8-sig"), "text/csv")},
    )
    assert response.status_code == 200, response.text
    page = response.text
    fates = [cell.split(">")[1].split("<")[0] for cell in page.split('<td class="fate-')[1:]]
    assert fates == ["更新", "新增", "拒绝"], fates
    assert "<th>业务领域</th>" in page
    assert "<td>融媒体和宣传</td>" in page and "<td>教育（按单位名称或配置）</td>" in page
    assert "第 4 行" in page and "“业务领域”列（F 列）" in page and "体育局" in page
    assert "卫生健康/health" in page  # the accepted values
    with world.store.session() as session:  # a preview writes nothing
        assert session.get(Account, "edu-wechat").unit_field is None


def test_the_reports_archive_shows_each_supervisor_its_own(world):
    root = world.config.resolve(world.config.report.out_dir) / "2026-W46"
    root.mkdir(parents=True)
    mine = f"govwatch-2026-W46-{supervisor_slug(0, world.config.supervisors[0])}.html"
    theirs = f"govwatch-2026-W46-{supervisor_slug(1, world.config.supervisors[1])}.html"
    for name in (mine, theirs, "govwatch-2026-W46-overall.html"):
        (root / name).write_text(f"<p>{name}</p>", encoding="utf-8")
    sup = sign_in(world, "sup-edu")
    listing = sup.get("/reports").text
    assert mine in listing and theirs not in listing and "overall" not in listing
    assert sup.get(f"/reports/2026-W46/{mine}").status_code == 200
    assert sup.get(f"/reports/2026-W46/{theirs}").status_code == 404
    assert sup.get("/reports/2026-W46/..%2F..%2Fsecret.key").status_code == 404
    office = sign_in(world, "office")
    assert office.get("/reports").text.count('href="/reports/2026-W46/') == 3


def test_the_dashboard_shows_the_week_in_the_users_scope(world):
    office = dashboard(sign_in(world, "office"))
    assert "帐号 3 个" in office and "未整改问题 2 条" in office and "功能定位不清" in office
    assert office.count('title="状态未知 3"') == 26  # accounts by status, each of the last 26 weeks
    editor = dashboard(sign_in(world, "health-editor"))
    assert "帐号 1 个" in editor and "未整改问题 1 条" in editor and "青川教育" not in editor
    assert editor.count('title="状态未知 1"') == 26
    # An action shows in the next summary.
    c = sign_in(world, "office")
    c.post(
        f"/findings/{world.findings['health-weibo']}/dismiss",
        data={"csrf": page_csrf(c, "/findings"), "reason": "误报"},
    )
    deadline = time.monotonic() + 30
    while "未整改问题 1 条" not in dashboard(c) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "未整改问题 1 条" in dashboard(c)


def test_the_dashboards_weeks_of_statuses_are_statuses_at_each_weeks_end(world):
    """The summary reads the 26 weeks' statuses together (one scan of the posts): each week is
    statuses_at that week's end, as when they were read one by one; this week's are as of the
    week's figures."""
    weeks = world.app.state.console.weeks
    week = week_of(utcnow().astimezone(world.config.tz).date())
    weeks._refresh(week)
    end = week.end(world.config.tz)
    ends = [end - timedelta(weeks=k) for k in range(25, 0, -1)]
    assert [label for label, _ in weeks.history[:-1]] == [
        f"{e.astimezone(world.config.tz):%m-%d}" for e in ends
    ]
    with world.store.session() as session:
        assert [s for _, s in weeks.history[:-1]] == [
            statuses_at(session, world.config.thresholds, e) for e in ends
        ]
        assert weeks.history[-1][1] == statuses_at(session, world.config.thresholds, weeks.data.as_of)


def test_the_first_summary_shows_this_weeks_figures_before_the_past_weeks(world, monkeypatch):
    """The first summary is shown once this week's figures are made; the 26 weeks of statuses
    follow (the page says so and refreshes itself) when the past weeks are read."""
    import analysis.asof

    reading, release = threading.Event(), threading.Event()
    many = analysis.asof.statuses_at_many

    def slow_many(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        reading.set()
        release.wait(30)
        return many(*args, **kwargs)

    monkeypatch.setattr(analysis.asof, "statuses_at_many", slow_many)
    c = sign_in(world, "office")
    c.get("/")
    assert reading.wait(30)
    first = c.get("/").text
    release.set()
    assert "帐号 3 个" in first and "正在汇总往周帐号状态" in first and 'http-equiv="refresh"' in first
    assert first.count('title="状态未知 3"') == 1  # this week only, so far
    full = dashboard(c)
    assert (
        full.count('title="状态未知 3"') == 26
        and "正在汇总" not in full
        and 'http-equiv="refresh"' not in full
    )


@pytest.mark.slow
def test_a_rescan_while_a_crawl_runs_says_so(world):
    c = sign_in(world, "edu-editor")
    with crawl_lock(world.config):
        response = c.post("/accounts/edu-weibo/rescan", data={"csrf": page_csrf(c, "/accounts/edu-weibo")})
        assert response.status_code == 303
        page_url = response.headers["location"]
        deadline = time.monotonic() + 60
        page = c.get(page_url).text
        while "进行中" in page and time.monotonic() < deadline:
            time.sleep(0.5)
            page = c.get(page_url).text
    assert "重新检测未完成" in page and "另一个抓取正在进行" in page
    # Another user cannot read this rescan's output through the same link.
    other = sign_in(world, "office")
    assert "rescan-result" not in other.get(page_url).text


def test_account_list_filters(world):
    c = sign_in(world, "office")
    page = c.get("/accounts?platform=wechat").text
    assert "青川教育" in page and "健康青川机密" not in page
    page = c.get("/accounts?category=off_mission").text
    assert "健康青川机密" in page and "edu-wechat" not in page
    page = c.get("/accounts?search=健康").text
    assert "健康青川机密" in page and "edu-wechat" not in page


@pytest.mark.slow
def test_users_commands(tmp_path, database_url):
    world = make_world(tmp_path, database_url)
    config = tmp_path / "config.yaml"
    import yaml

    config.write_text(
        yaml.safe_dump(
            {
                "database": database_url,
                "web": {"secret_key_file": str(tmp_path / "secret.key")},
                "supervisors": [{"name": "教育督查", "units": [EDU]}],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    result = run_govwatch(
        config, "users", "add", "li", "--role", "editor", "--unit", EDU, input="s3cret-enough-pw\n"
    )
    assert result.returncode == 0, result.stderr
    result = run_govwatch(
        config, "users", "add", "wang", "--role", "supervisor", "--unit", "不存在", input="s3cret-enough-pw\n"
    )
    assert result.returncode == 2 and "教育督查" in result.stderr
    result = run_govwatch(config, "users", "add", "zhao", "--role", "viewer", input="short\n")
    assert result.returncode == 2 and "10" in result.stderr
    token = run_govwatch(config, "users", "token", "li").stdout.strip()
    assert token.startswith("gw_")
    with world.store.session() as session:
        user = db.user_by_name(session, "li")
        assert user.password_hash.startswith("$argon2id$") and user.unit == EDU
    response = client(world).get("/api/accounts", headers={"Authorization": f"Bearer {token}"})
    assert {a["unit"] for a in response.json()["accounts"]} == {EDU}
    assert (tmp_path / "secret.key").exists() and oct(
        os.stat(tmp_path / "secret.key").st_mode & 0o777
    ) == "0o600"
    listed = run_govwatch(config, "users", "list").stdout
    assert "li\teditor" in listed
    with world.store.session() as session:
        assert session.get(Finding, world.findings["edu-weibo"]).status == "open"


@pytest.mark.slow
def test_govwatch_web_serves_the_console(tmp_path, database_url):
    import subprocess

    import httpx

    from tests.conftest import GOVWATCH, free_port

    world = make_world(tmp_path, database_url)
    (tmp_path / "secret.key").unlink(missing_ok=True)  # made again by the command, private
    port = free_port()
    command = [str(GOVWATCH), "--config", str(world.config.source), "web", "--listen", f"127.0.0.1:{port}"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert response is not None and response.status_code == 200 and "登录" in response.text
        assert "server" not in response.headers  # no version advertised
        assert httpx.get(f"http://127.0.0.1:{port}/accounts", timeout=5).status_code == 303
        key = tmp_path / "secret.key"
        assert key.exists() and oct(os.stat(key).st_mode & 0o777) == "0o600"
    finally:
        child.terminate()
        child.wait(10)


def test_the_console_stylesheet_is_the_reports_css_without_template_text():
    """The console serves the weekly report's own rules: plain CSS, starting at the report's first
    rule, with no Jinja tags or HTML of the template around it (a browser would drop the rule
    they touch)."""
    from govwatch.web.app import console_css

    css = console_css()
    assert css.lstrip().startswith("html {")
    for stray in ("{%", "{{", "<head", "<style", "macro", "<!--"):
        assert stray not in css, stray
    assert ".page {" in css  # the report's rules and the shared ones it includes
