"""Links in posts and articles: the weekly check (crawler/links.py), what it saw per link
(crawler/parsers/links.py), what it means (analysis/links.py), and the findings in the report,
the alert mails and the xlsx.

The sandbox serves the links' hosts on loopback as an HTTP proxy (sandbox/links.py): a page of
its own that is gone, a shop, a short link redirecting to a gambling site, a parked domain and a
working gov.cn page.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import select

from analysis.links import _confirmed, link_findings
from core.config import ConfigError, load_config, parse_config
from core.links import extract_links, normalise_url
from core.vocabulary import FindingState, LinkVerdict
from crawler.parsers.html import strip_html
from crawler.parsers.links import DNS, REFUSED, TIMEOUT, Fetched, classify
from govwatch.app import open_app
from govwatch.jobs import links_job
from sandbox.http import LoopbackServer, Request, Response
from storage.db import open_store
from storage.models import Finding, LinkCheck, LinkCheckRun, Post
from tests.conftest import run_govwatch, suite_mail_sink, write_sandbox_config

ALLOW = parse_config({}).links.allowed


# --------------------------------------------------------------------------- extraction


def test_links_are_found_in_text_and_spelled_once():
    text = (
        "通知全文见 https://www.Gov.cn:443/zhengce/2026/a.htm?id=1#top。"
        "申报入口www.example-edu.cn/apply，另见（http://127.0.0.1:8080/w/3/x.html）；"
        "再次提醒 https://www.gov.cn/zhengce/2026/a.htm?id=1"
    )
    assert extract_links(text, None) == [
        "https://www.gov.cn/zhengce/2026/a.htm?id=1",
        "http://www.example-edu.cn/apply",
        "http://127.0.0.1:8080/w/3/x.html",
    ]
    assert extract_links("没有链接，只有邮箱 office@qingchuan.gov.cn 和 http://") == []
    assert normalise_url("HTTP://Example.COM") == "http://example.com/"
    assert normalise_url("ftp://example.com/x") is None


# --------------------------------------------------------------------------- one check


@pytest.mark.parametrize(
    ("fetched", "verdict", "said"),
    [
        (Fetched("http://a.example/x", 404, "http://a.example/x"), LinkVerdict.DEAD, "HTTP 404"),
        (Fetched("http://a.example/x", 410, "http://a.example/x"), LinkVerdict.DEAD, "HTTP 410"),
        (Fetched("http://gone.example/", error=DNS), LinkVerdict.DEAD, "域名无法解析"),
        (Fetched("http://a.example/", error=REFUSED), LinkVerdict.DEAD, "拒绝连接"),
        (Fetched("http://a.example/", error=TIMEOUT), LinkVerdict.UNKNOWN, "超时"),
        (Fetched("http://a.example/", 503, "http://a.example/"), LinkVerdict.UNKNOWN, "503"),
        # parked or expired domains, by the words their holding pages show (any parking service)
        (
            Fetched(
                "http://old.example/", 200, "http://old.example/", head="<h1>This domain may be for sale</h1>"
            ),
            LinkVerdict.DEAD,
            "停放",
        ),
        (
            Fetched(
                "http://x.example/", 200, "http://ww1.x.example/", head="<p>该域名正在出售，价格面议</p>"
            ),
            LinkVerdict.DEAD,
            "停放",
        ),
        # a redirect to a gambling or adult host; a page with their words
        (
            Fetched(
                "http://t.example/r",
                200,
                "http://www.best-casino.example/",
                hops=("http://t.example/r", "http://www.best-casino.example/"),
            ),
            LinkVerdict.HARMFUL,
            "赌博",
        ),
        (Fetched("http://porn-hub.example/", 200, "http://porn-hub.example/"), LinkVerdict.HARMFUL, "色情"),
        (
            Fetched("http://y.example/", 200, "http://y.example/", head="真人荷官 在线百家乐"),
            LinkVerdict.HARMFUL,
            "赌博",
        ),
        # shops outside the allow-list
        (
            Fetched("https://item.taobao.com/i.htm", 200, "https://item.taobao.com/i.htm"),
            LinkVerdict.COMMERCIAL,
            "taobao",
        ),
        (
            Fetched(
                "http://z.example/", 200, "http://z.example/", head="<button>加入购物车</button>立即购买"
            ),
            LinkVerdict.COMMERCIAL,
            "商业网站",
        ),
        # hard negatives: a working government page, a news story about gambling on people.com.cn,
        # an ordinary site that is neither, a host with "sex" inside a word
        (
            Fetched("https://www.nmg.gov.cn/a.html", 200, "https://www.nmg.gov.cn/a.html"),
            LinkVerdict.OK,
            "正常",
        ),
        (
            Fetched(
                "http://legal.people.com.cn/n1.html",
                200,
                "http://legal.people.com.cn/n1.html",
                head="打击跨境赌博：百家乐 真人荷官",
            ),
            LinkVerdict.OK,
            "正常",
        ),
        (Fetched("https://www.essex.ac.uk/", 200, "https://www.essex.ac.uk/"), LinkVerdict.OK, "正常"),
    ],
)
def test_one_check_classifies_what_it_saw(fetched, verdict, said):
    got, detail = classify(fetched, ALLOW)
    assert got == verdict, detail
    assert said in detail


def test_a_failure_of_our_own_connection_is_the_kind_an_outage_makes():
    assert Fetched("http://a.example/", error=REFUSED).connection_failed
    assert Fetched("http://a.example/", error=DNS).connection_failed
    assert not Fetched("http://a.example/", 404, "http://a.example/").connection_failed


def test_how_a_failed_connection_is_told_apart():
    import httpx

    from crawler.links import _error_kind

    assert _error_kind(httpx.ConnectError("[Errno -2] Name or service not known")) == DNS
    assert _error_kind(httpx.ConnectError("[Errno 111] Connection refused")) == REFUSED
    assert _error_kind(httpx.ReadTimeout("timed out")) == TIMEOUT


def test_links_inside_our_own_network_are_not_fetched(tmp_path, database_url, closed_port):
    """A post linking to 127.0.0.1 or 192.168.x must not make govwatch reach inside its network."""
    config, store = _store_with_links(
        tmp_path,
        database_url,
        [f"http://127.0.0.1:{closed_port}/admin", "http://192.168.1.1/", "http://localhost/x"],
        allow_private=False,
        canaries=[f"http://127.0.0.1:{closed_port}/"],
    )
    result = links_job(config)
    assert result.summary.requests == 0 and not result.outage
    with store.session() as s:
        checks = s.scalars(select(LinkCheck)).all()
    assert {c.verdict for c in checks} == {LinkVerdict.UNKNOWN} and len(checks) == 3


def test_a_public_link_redirecting_inside_our_network_is_not_followed():
    """A public link whose redirect points at 127.0.0.1 or 10.x (or a name resolving there) is
    stopped before the request inside: no verdict, nothing fetched from the inside address."""
    import asyncio

    import httpx

    from crawler.links import _client, _fetch

    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.host == "93.184.216.34":
            return httpx.Response(302, headers={"Location": "http://10.1.2.3/admin"})
        return httpx.Response(200, text="<title>ok</title>")

    async def fetch(allow_private: bool) -> Fetched:
        config = parse_config({"links": {"allow_private": allow_private}})
        async with _client(config, transport=httpx.MockTransport(answer)) as client:
            return await _fetch(client, "http://93.184.216.34/a", [0])

    refused = asyncio.run(fetch(allow_private=False))
    assert refused.error == "private" and asked == ["http://93.184.216.34/a"]
    assert classify(refused, ALLOW)[0] == LinkVerdict.UNKNOWN  # never a finding
    asked.clear()
    followed = asyncio.run(fetch(allow_private=True))  # the office said its own network may be read
    assert followed.error is None and asked == ["http://93.184.216.34/a", "http://10.1.2.3/admin"]


def test_a_name_that_resolves_inside_our_network_is_refused():
    import asyncio

    import httpx

    from crawler.links import PrivateAddress, _resolves_private, address_guard

    guard = address_guard(allow_private=False, resolve=True)
    for inside in ("http://localhost./x", "http://[::1]:8080/", "http://169.254.169.254/latest/"):
        with pytest.raises(PrivateAddress):
            asyncio.run(guard(httpx.Request("GET", inside)))
    asyncio.run(guard(httpx.Request("GET", "http://93.184.216.34/")))  # a public address passes
    assert asyncio.run(_resolves_private("localhost"))  # a name is judged by what it resolves to


# --------------------------------------------------------------------------- confirmation


def _check(verdict: str, days_ago: float, now: datetime) -> LinkCheck:
    return LinkCheck(
        url="http://a.example/", verdict=verdict, checked_at=now - timedelta(days=days_ago), detail=""
    )


def test_a_problem_needs_two_failures_a_day_apart_with_none_working_between():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    gap = timedelta(hours=24)
    dead, ok, unknown = LinkVerdict.DEAD, LinkVerdict.OK, LinkVerdict.UNKNOWN
    assert _confirmed([_check(dead, 0, now)], gap) is None  # failing once only
    assert _confirmed([_check(dead, 0, now), _check(dead, 0.5, now)], gap) is None  # not a day apart
    pair = _confirmed([_check(dead, 0, now), _check(unknown, 3, now), _check(dead, 7, now)], gap)
    assert pair is not None and pair[0].checked_at == now - timedelta(days=7)
    assert _confirmed([_check(dead, 0, now), _check(ok, 3, now), _check(dead, 7, now)], gap) is None
    assert _confirmed([_check(ok, 0, now), _check(dead, 7, now), _check(dead, 14, now)], gap) is None


# --------------------------------------------------------------------------- config


def test_config_key_is_validated_with_a_clear_message(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"links": {"allow_domains": ["gov.cn", "https://www.example.org/"]}}))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "links.allow_domains" in str(caught.value) and "not a domain" in str(caught.value)
    config = parse_config({"links": {"extra_allow_domains": ["*.qingchuan.example.cn"]}})
    assert "qingchuan.example.cn" in config.links.allowed and "gov.cn" in config.links.allowed


# --------------------------------------------------------------------------- our own outage


def _store_with_links(
    tmp_path: Path, database_url: str, links: list[str], age_days: float = 1, **links_settings
) -> tuple:
    config = parse_config(
        {
            "database": database_url,
            "links": {"delay_s": 0, "timeout_s": 3, "allow_private": True, **links_settings},
            "supervisors": [],
            "accounts": [
                {
                    "id": "a-rss",
                    "platform": "rss",
                    "name": "测试",
                    "unit": "旗政府办公室",
                    "url": "http://a.example/",
                }
            ],
        },
        tmp_path / "config.yaml",
    )
    store = open_app(config)
    with store.session() as s:
        now = datetime.now(UTC)
        for n, link in enumerate(links):
            s.add(
                Post(
                    account_id="a-rss",
                    platform_post_id=str(n),
                    text=f"详见 {link}",
                    published_at=now - timedelta(days=age_days),
                )
            )
    return config, store


@pytest.fixture
def refused_ports():
    """Three loopback hosts (127.0.0.1-3) on ports that refuse connections: our side with no network."""
    sockets = []
    for n in (1, 2, 3):
        s = socket.socket()
        s.bind((f"127.0.0.{n}", 0))
        sockets.append(s)
    yield [(f"127.0.0.{n}", s.getsockname()[1]) for n, s in zip((1, 2, 3), sockets, strict=True)]
    for s in sockets:
        s.close()


def test_our_own_network_down_judges_no_link(tmp_path, database_url, refused_ports):
    """Every link refused on every host, twice a week apart: our own outage, no finding."""
    links = [f"http://{host}:{port}/notice-{n}.html" for n, (host, port) in enumerate(refused_ports)]
    config, store = _store_with_links(tmp_path, database_url, links, canaries=[])
    now = datetime.now(UTC)
    for when in (now, now + timedelta(days=7, hours=1)):
        result = links_job(config, now=when)
        assert result.outage and result.findings is None
    with store.session() as s:
        assert all(r.outage for r in s.scalars(select(LinkCheckRun)))
        assert s.scalars(select(Finding)).all() == []


def test_a_canary_that_does_not_answer_stops_the_check(tmp_path, database_url, refused_ports, closed_port):
    host, port = refused_ports[0]
    config, store = _store_with_links(
        tmp_path,
        database_url,
        [f"http://{host}:{port}/a.html"],
        canaries=[f"http://127.0.0.1:{closed_port}/"],
    )
    result = links_job(config)
    assert result.outage and result.summary.checked == 0 and result.summary.requests == 1
    with store.session() as s:
        assert s.scalars(select(LinkCheck)).all() == []


class OneSite(LoopbackServer):
    """A site whose page is gone until it is fixed."""

    fixed = False

    def handle(self, request: Request) -> Response:
        return Response(200 if self.fixed else 404, b"<html><body>notice</body></html>", "text/html")


def test_an_open_finding_is_checked_past_the_window_and_closes_when_fixed(tmp_path, database_url):
    with OneSite() as site:
        link = f"http://127.0.0.1:{site.port}/notice.html"
        config, store = _store_with_links(tmp_path, database_url, [link], age_days=20, canaries=[])
        t0 = datetime.now(UTC)
        assert links_job(config, now=t0).findings.opened == []
        assert len(links_job(config, now=t0 + timedelta(days=7)).findings.opened) == 1
        site.fixed = True  # 34 days after the post: outside the window, still checked
        third = links_job(config, now=t0 + timedelta(days=14))
        assert third.summary.checked == 1 and len(third.findings.rectified) == 1
    with store.session() as s:
        finding = s.scalars(select(Finding)).one()
        assert finding.status == FindingState.RECTIFIED and finding.rule == "links.dead"


# --------------------------------------------------------------------------- end to end


def _hub_address(base_url: str) -> str:
    return base_url.split("/w/")[0]


@pytest.mark.e2e
@pytest.mark.slow
def test_links_from_crawl_to_report_alerts_and_xlsx(tmp_path, sandbox, database_url):
    posts = sandbox.plant_links()
    hub = _hub_address(sandbox.base_url)
    config_path = write_sandbox_config(
        tmp_path,
        sandbox.base_url,
        database=database_url,
        links={
            "proxy": hub,
            "canaries": [f"{sandbox.base_url}/__sandbox__/stats"],
            "delay_s": 0,
            "timeout_s": 5,
            "allow_private": True,  # the sandbox's own pages are on loopback
        },
        alerts={"email_to": ["duty@qingchuan.example.gov.cn"]},
    )
    crawl = run_govwatch(config_path, "crawl")
    assert crawl.returncode == 0, crawl.stderr
    config = load_config(config_path)
    sink, _ = suite_mail_sink()
    mails_before = len(sink.messages)

    t0 = datetime.now(UTC)
    first = links_job(config, now=t0)
    assert not first.outage
    assert first.summary.links >= 5 and first.summary.checked == first.summary.links
    assert first.findings.opened == []  # failing once only: nothing yet

    # A day later: every link was checked this week, its result stands: no request at all.
    again = links_job(config, now=t0 + timedelta(days=1))
    # (a default post's link may leave the 30-day window in that day: it is not asked for again)
    assert again.summary.checked == 0 and again.summary.reused == again.summary.links
    assert again.summary.requests == 0

    t1 = t0 + timedelta(days=7, hours=1)
    second = links_job(config, now=t1)
    with open_store(config.database_url()).session() as s:
        seen = [(c.url, c.verdict, c.detail) for c in s.scalars(select(LinkCheck))]
    # four links written in the feed's texts, two given only behind an anchor (sandbox ANCHOR_CASES)
    assert not second.outage and len(second.findings.opened) == 6, seen
    store = open_store(config.database_url())
    with store.session() as s:
        found = {f.post_id: f for f in s.scalars(select(Finding).where(Finding.rule.startswith("links.")))}
        rows = s.scalars(select(Post)).all()
        # each planted post, found among the stored ones by the start of its text
        stored = {
            key: next(p.id for p in rows if strip_html(post.text)[:12] in p.text)
            for key, post in posts.items()
        }
    by_case = {key: found.get(stored[key]) for key in posts}
    # a Weibo post that shows only 网页链接 (weibo.cn/sinaurl wrapping a parked domain): the text never
    # had the address, the anchor did
    anchored = by_case["weibo-anchor"]
    assert anchored.rule == "links.dead" and "qc-expo-2019.example" in anchored.evidence
    assert "qc-expo-2019" not in next(p.text for p in rows if p.id == stored["weibo-anchor"])
    # a government article's <a href> to a shop, its text saying only 点击进入线上展厅
    article = by_case["article-anchor"]
    assert article.rule == "links.commercial" and "mall-shop.example" in article.evidence
    assert by_case["gov-ok"] is None  # a working gov.cn link
    assert by_case["dead"].rule == "links.dead" and "HTTP 404" in by_case["dead"].evidence
    assert by_case["parked"].rule == "links.dead" and "停放" in by_case["parked"].evidence
    assert by_case["shop"].rule == "links.commercial" and "mall-shop.example" in by_case["shop"].evidence
    harmful = by_case["gambling-redirect"]
    assert harmful.rule == "links.harmful" and harmful.severity == "critical"
    assert "www.vip-casino.example" in harmful.evidence
    # the two failures' dates, as the evidence says
    local = config.tz
    assert (
        f"{t0.astimezone(local):%Y-%m-%d}" in harmful.evidence
        and f"{t1.astimezone(local):%Y-%m-%d}" in harmful.evidence
    )

    # the immediate alert mail
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for _, m in sink.messages[mails_before:]]
    assert any("vip-casino" in body for body in bodies), bodies

    # the weekly report and the xlsx
    from reporting.export import export_xlsx
    from reporting.weekly import write_reports
    from reporting.weeks import week_of

    paths = write_reports(
        store, config, week_of(t1.astimezone(local).date()), tmp_path / "reports", now=t1 + timedelta(hours=1)
    )
    html = paths[0].read_text(encoding="utf-8")
    assert "外链失效" in html and "链接指向赌博色情等有害网站" in html and "链接指向商业网站" in html
    xlsx = tmp_path / "findings.xlsx"
    with store.session() as s:
        export_xlsx(s, config, "findings", str(xlsx), now=t1)
    cells = {str(c.value) for row in load_workbook(xlsx).active.iter_rows() for c in row if c.value}
    assert any("mall-shop.example" in c for c in cells) and any("vip-casino" in c for c in cells)

    # The unit fixes the gone page: the next week's check finds it working, the finding closes.
    sandbox.fix_link("dead")
    third = links_job(config, now=t1 + timedelta(days=7, hours=1))
    assert len(third.findings.rectified) == 1
    with store.session() as s:
        dead = s.get(Finding, by_case["dead"].id)
        assert dead.status == FindingState.RECTIFIED and "恢复正常" in dead.status_reason
        assert s.get(Finding, harmful.id).status == FindingState.OPEN
    # and a post that is gone closes its links' findings
    with store.session() as s:
        s.get(Post, stored["shop"]).deleted_at = t1
    with store.session() as s:
        specs, judged = link_findings(s, config, t1 + timedelta(days=7, hours=2))
        assert all(spec.post_id != stored["shop"] for spec in specs)
        assert judged[f"link:{stored['shop']}:"] == "帖文已删除（自动复核）"


@pytest.mark.e2e
@pytest.mark.slow
def test_govwatch_links_check_command(tmp_path, sandbox, database_url):
    sandbox.plant_links()
    config_path = write_sandbox_config(
        tmp_path,
        sandbox.base_url,
        database=database_url,
        links={
            "proxy": _hub_address(sandbox.base_url),
            "canaries": [],
            "delay_s": 0,
            "timeout_s": 5,
            "allow_private": True,
        },
    )
    assert run_govwatch(config_path, "crawl").returncode == 0
    result = run_govwatch(config_path, "links", "check")
    assert result.returncode == 0, result.stderr
    assert "链接检测" in result.stdout and "新问题 0 个" in result.stdout


def test_the_daemon_runs_the_link_check_weekly():
    from govwatch.daemon import job_specs

    config = parse_config({"schedule": {"links": "30 3 * * sat"}})
    assert ("links", "30 3 * * sat", ("links", "check")) in [
        (j.name, j.cron, j.args) for j in job_specs(config, True)
    ]
    off = parse_config({"links": {"enabled": False}})
    assert "links" not in [j.name for j in job_specs(off, True)]
    with pytest.raises(ConfigError) as caught:
        parse_config({"schedule": {"links": "every sunday"}}, "c.yaml")
    assert "schedule.links" in str(caught.value)
