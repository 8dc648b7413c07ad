"""The sandbox imitates the platforms faithfully enough for the end-to-end tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from core.config import parse_config
from sandbox import world as world_module
from sandbox.configgen import config_yaml
from sandbox.content import PLANTED
from sandbox.server import Sandbox
from sandbox.weibo import display_date, full_date
from sandbox.world import SPECS, World, accounts_config, build_world, mid_to_bid
from tests.conftest import run_govwatch, suite_mail_sink

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 15, 30, tzinfo=TZ)
INDEX = "/api/container/getIndex"


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(now=NOW) as sb:
        yield sb


@pytest.fixture
def client(sandbox):
    sandbox.reset_counts()
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as c:
        yield c


def uid_of(account_id: str) -> str:
    return next(s.handle for s in SPECS if s.id == account_id)


def all_pages(client: httpx.Client, uid: str) -> list[dict]:
    pages, since = [], None
    for _ in range(100):
        params = {"containerid": f"107603{uid}"}
        if since:
            params["since_id"] = since
        data = client.get(INDEX, params=params).json()
        assert data["ok"] == 1
        pages.append(data)
        since = data["data"]["cardlistInfo"].get("since_id")
        if not since:
            return pages
    raise AssertionError("paging never ended")


def mblogs(page: dict) -> list[dict]:
    out = []
    for card in page["data"]["cards"]:
        if card["card_type"] == 9:
            out.append(card["mblog"])
        elif card["card_type"] == 11:
            out.extend(c["mblog"] for c in card["card_group"] if c["card_type"] == 9)
    return out


def is_pinned(m: dict) -> bool:
    return m.get("mblogtype") == 2 or (m.get("title") or {}).get("text") == "置顶"


def test_world_is_deterministic_and_covers_every_state():
    a, b = World(now=NOW, seed=7).truth(), World(now=NOW, seed=7).truth()
    assert a == b
    truth = build_world(now=NOW).truth()
    statuses = [t["expected_status"] for t in truth["accounts"].values()]
    outcomes = {t["expected_outcome"] for t in truth["accounts"].values()}
    for status, least in (
        ("active", 3),
        ("warning", 2),
        ("stale", 2),
        ("zombie", 2),
        ("empty", 2),
        ("unknown", 4),
    ):
        assert statuses.count(status) >= least, status
    assert {"ok", "blocked", "login_required", "not_found", "error"} <= outcomes
    assert 30 <= len(statuses) <= 50  # Weibo, feeds, WeChat articles, website columns and apps
    hidden = truth["accounts"]["qc-rsj-weibo"]
    assert hidden["expected_status"] == "unknown" and hidden["profile_statuses_count"] > 0
    assert truth["accounts"]["qc-rmt-weibo"]["original_ratio_30d"] == 0.0
    assert truth["accounts"]["qc-edu-weibo"]["post_count_in_window"] == 60


def test_date_forms():
    now = NOW
    assert display_date(now - timedelta(seconds=20), now) == "刚刚"
    assert display_date(now - timedelta(minutes=5), now) == "5分钟前"
    assert display_date(now - timedelta(hours=3), now) == "3小时前"
    assert display_date(datetime(2026, 11, 19, 12, 30, tzinfo=TZ), now) == "昨天 12:30"
    assert display_date(datetime(2026, 10, 2, 9, 0, tzinfo=TZ), now) == "10-02"
    assert display_date(datetime(2023, 11, 20, 9, 0, tzinfo=TZ), now) == "2023-11-20"
    assert full_date(datetime(2018, 4, 22, 9, 8, 6, tzinfo=TZ)) == "Sun Apr 22 09:08:06 +0800 2018"
    assert mid_to_bid("4383183661430868") == "HyTZc60ew"  # from the real 2019 capture


def test_profile(client):
    uid = uid_of("qc-fabu-weibo")
    r = client.get(INDEX, params={"type": "uid", "value": uid})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    data = r.json()
    assert data["ok"] == 1
    info = data["data"]["userInfo"]
    assert info["screen_name"] == "青川发布" and info["statuses_count"] > 0 and info["verified"]
    tab = next(t for t in data["data"]["tabsInfo"]["tabs"] if t["tab_type"] == "weibo")
    assert tab["containerid"] == f"107603{uid}"


def test_paging_through_all_pages(client, sandbox):
    uid = uid_of("qc-edu-weibo")
    pages = all_pages(client, uid)
    assert len(pages) >= 6
    seen: list[dict] = []
    for i, page in enumerate(pages):
        posts = mblogs(page)
        assert all(not is_pinned(m) for m in posts) or i == 0
        regular = [m for m in posts if not is_pinned(m)]
        assert len(regular) == 10 or i == len(pages) - 1
        seen.extend(regular)
    ids = [int(m["id"]) for m in seen]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids, reverse=True)
    truth = sandbox.truth()["accounts"]["qc-edu-weibo"]
    assert len(seen) == truth["post_count"]
    # since_id points at the next page's first post
    first_next = mblogs(pages[1])[0]["id"]
    assert str(pages[0]["data"]["cardlistInfo"]["since_id"]) == first_next


def test_pinned_only_on_first_page(client, sandbox):
    uid = uid_of("qc-yingji-weibo")
    pages = all_pages(client, uid)
    first = mblogs(pages[0])
    assert is_pinned(first[0]) and first[0]["created_at"].count("-") == 2  # two years old, YYYY-MM-DD
    assert not any(is_pinned(m) for p in pages[1:] for m in mblogs(p))
    truth = sandbox.truth()["accounts"]["qc-yingji-weibo"]
    assert truth["pinned_post_ids"] == [first[0]["id"]]
    assert truth["last_post_id"] == next(m["id"] for m in first if not is_pinned(m))
    assert truth["expected_status"] == "active"


def test_grouped_cards_and_full_dates(client):
    page = client.get(INDEX, params={"containerid": f"107603{uid_of('qc-police-weibo')}"}).json()
    assert 11 in [c["card_type"] for c in page["data"]["cards"]]
    for m in mblogs(page):
        datetime.strptime(m["created_at"], "%a %b %d %H:%M:%S %z %Y")


def test_relative_dates_served(client):
    page = client.get(INDEX, params={"containerid": f"107603{uid_of('qc-fabu-weibo')}"}).json()
    forms = [m["created_at"] for m in mblogs(page)]
    assert "刚刚" in forms and "5分钟前" in forms and "3小时前" in forms
    assert any(f.startswith("昨天 ") for f in forms)


def test_long_text(client, sandbox):
    truth = sandbox.truth()["accounts"]["qc-health-weibo"]
    assert truth["long_text_post_ids"]
    pages = all_pages(client, uid_of("qc-health-weibo"))
    long_posts = [m for p in pages for m in mblogs(p) if m["isLongText"]]
    assert {m["id"] for m in long_posts} == set(truth["long_text_post_ids"])
    m = long_posts[0]
    assert "全文" in m["text"]
    full = client.get("/statuses/extend", params={"id": m["id"]}).json()
    assert full["ok"] == 1
    content = full["data"]["longTextContent"]
    assert len(content) > len(m["text"]) - 40 and "<br />" in content and "全文" not in content
    show = client.get("/statuses/show", params={"id": m["bid"]}).json()
    assert show["data"]["longText"]["longTextContent"] == content


def test_reposts_only(client):
    posts = [m for p in all_pages(client, uid_of("qc-rmt-weibo")) for m in mblogs(p) if not is_pinned(m)]
    assert posts and all("retweeted_status" in m for m in posts)
    assert any(m["retweeted_status"].get("deleted") == "1" for m in posts)


def test_empty_and_hidden(client):
    empty_uid, hidden_uid = uid_of("bayan-weibo"), uid_of("qc-rsj-weibo")
    info = client.get(INDEX, params={"type": "uid", "value": empty_uid}).json()["data"]["userInfo"]
    assert info["statuses_count"] == 0
    page = client.get(INDEX, params={"containerid": f"107603{empty_uid}"}).json()
    assert page["ok"] == 1 and page["data"]["cards"] == []
    info = client.get(INDEX, params={"type": "uid", "value": hidden_uid}).json()["data"]["userInfo"]
    assert info["statuses_count"] > 0
    page = client.get(INDEX, params={"containerid": f"107603{hidden_uid}"}).json()
    assert page["ok"] == 1 and page["data"]["cards"] == []


def test_feeds_parse(client, sandbox):
    truth = sandbox.truth()["accounts"]
    seen_formats = set()
    for spec in SPECS:
        if spec.platform in ("weibo", "website", "app") or truth[spec.id]["behavior"] != "ok":
            continue
        r = client.get(f"/rsshub/{spec.platform}/{spec.handle}")
        assert r.status_code == 200
        assert "charset=utf-8" in r.headers["content-type"]
        root = ET.fromstring(r.content)
        if root.tag == "rss":
            seen_formats.add("rss")
            items = root.findall("./channel/item")
            assert root.findtext("./channel/title")
        else:
            seen_formats.add("atom")
            items = root.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(items) == min(20, truth[spec.id]["post_count"])
    assert seen_formats == {"rss", "atom"}


def test_bridge_error_page(client):
    r = client.get("/rsshub/wechat/MzU0MjY1OTIxNw")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Looks like something went wrong" in r.text


def test_blocked_login_not_found(client):
    blocked = uid_of("qc-traffic-weibo")
    assert client.get(INDEX, params={"type": "uid", "value": blocked}).status_code == 418
    assert client.get(INDEX, params={"containerid": f"107603{blocked}"}).status_code == 418
    login = uid_of("qc-cdc-weibo")
    r = client.get(INDEX, params={"containerid": f"107603{login}"})
    assert r.status_code == 302
    assert "/signin/login?" in r.headers["location"]
    assert client.get(r.headers["location"]).status_code == 200
    data = client.get(INDEX, params={"type": "uid", "value": uid_of("qc-exam-weibo")}).json()
    assert data == {"ok": 0, "msg": "用户不存在"}
    assert client.get("/no/such/path").status_code == 404


def test_counters_and_reset(client, sandbox):
    uid = uid_of("qc-fabu-weibo")
    for _ in range(3):
        client.get(INDEX, params={"type": "uid", "value": uid})
    client.get("/rsshub/wechat/MzI1NzQ4MTY3Mg")
    stats = client.get("/__sandbox__/stats").json()
    assert stats["requests"] == 4
    assert stats["by_account"] == {"qc-fabu-weibo": 3, "qc-fabu-wechat": 1}
    assert stats["by_path"][INDEX] == 3
    assert sandbox.request_counts()["requests"] == 4
    assert client.post("/__sandbox__/reset").json() == {"ok": 1}
    assert sandbox.request_counts()["requests"] == 0


def test_truth_matches_what_is_served(client, sandbox):
    truth = client.get("/__sandbox__/truth").json()
    assert truth["now"] == NOW.isoformat()
    for spec in SPECS:
        t = truth["accounts"][spec.id]
        if spec.platform != "weibo" or t["behavior"] != "ok":
            continue
        first = mblogs(client.get(INDEX, params={"containerid": f"107603{spec.handle}"}).json())
        regular = [m for m in first if not is_pinned(m)]
        assert (regular[0]["id"] if regular else None) == t["last_post_id"], spec.id
    for spec in SPECS:
        t = truth["accounts"][spec.id]
        if spec.platform in ("weibo", "website", "app") or t["behavior"] != "ok" or not t["post_count"]:
            continue
        root = ET.fromstring(client.get(f"/rsshub/{spec.platform}/{spec.handle}").content)
        if root.tag == "rss":
            newest = parsedate_to_datetime(root.findtext("./channel/item/pubDate"))
        else:
            newest = datetime.fromisoformat(
                root.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}published")
            )
        assert newest == datetime.fromisoformat(t["last_post_at"]), spec.id


def test_add_post_is_the_new_newest(client):
    with Sandbox(now=NOW) as sb, httpx.Client(base_url=sb.base_url) as c:
        uid = uid_of("qc-scjg-weibo")
        post = sb.add_post("qc-scjg-weibo", "【新发布】冬季食品安全提示", NOW + timedelta(minutes=10))
        first = mblogs(c.get(INDEX, params={"containerid": f"107603{uid}"}).json())
        assert first[0]["id"] == post.id
        truth = sb.truth()["accounts"]["qc-scjg-weibo"]
        assert truth["last_post_id"] == post.id
        r = c.post(
            "/__sandbox__/posts",
            json={
                "account_id": "qc-fabu-wechat",
                "text": "<p>测试</p>",
                "title": "新文章",
                "published_at": NOW.isoformat(),
            },
        )
        assert r.json()["ok"] == 1
        root = ET.fromstring(c.get("/rsshub/wechat/MzI1NzQ4MTY3Mg").content)
        assert root.findtext("./channel/item/title") == "新文章"


def test_config_validates():
    text = config_yaml("http://127.0.0.1:8700")
    config = parse_config(yaml.safe_load(text))
    assert config.platform("weibo").base_url == "http://127.0.0.1:8700"
    assert len(config.accounts) == len(SPECS)
    assert sum(a.operator == "outsourced" for a in config.accounts) == 3
    weibo = next(a for a in config.accounts if a.platform == "weibo")
    assert weibo.url == f"https://m.weibo.cn/u/{weibo.handle}"
    feed = next(a for a in config.accounts if a.platform == "wechat")
    assert feed.feed_url.startswith("http://127.0.0.1:8700/rsshub/wechat/")
    assert accounts_config("http://x")[0]["id"] == config.accounts[0].id


@pytest.mark.slow  # 24 worlds built
def test_margins_hold_for_any_now():
    start = datetime(2026, 1, 1, 0, 7, tzinfo=TZ)
    for i in range(24):
        build_world(now=start + timedelta(days=15 * i, hours=i * 7, minutes=i * 13))  # raises when too close


def test_old_style_page_numbers(client):
    uid = uid_of("qc-edu-weibo")
    first = client.get(INDEX, params={"containerid": f"107603{uid}", "page": 1}).json()
    second = client.get(INDEX, params={"containerid": f"107603{uid}", "page": 2}).json()
    assert first["data"]["cardlistInfo"]["page"] == 2
    by_since = client.get(
        INDEX,
        params={
            "containerid": f"107603{uid}",
            "since_id": first["data"]["cardlistInfo"].get("since_id") or "",
        },
    )
    assert by_since.status_code == 200
    assert {m["id"] for m in mblogs(first)}.isdisjoint(m["id"] for m in mblogs(second))


def test_switching_behaviour_at_run_time():
    with Sandbox(now=NOW) as sb, httpx.Client(base_url=sb.base_url) as c:
        uid = uid_of("qc-fabu-weibo")
        assert c.get(INDEX, params={"type": "uid", "value": uid}).status_code == 200
        sb.set_behavior("qc-fabu-weibo", "blocked")
        assert c.get(INDEX, params={"type": "uid", "value": uid}).status_code == 418
        assert sb.truth()["accounts"]["qc-fabu-weibo"]["expected_outcome"] == "blocked"
        sb.set_behavior("qc-fabu-weibo", "ok")
        assert c.get(INDEX, params={"type": "uid", "value": uid}).status_code == 200


def test_committed_config_is_the_generated_one():
    committed = Path(__file__).resolve().parent.parent / "config.yaml"
    assert committed.read_text(encoding="utf-8") == config_yaml("http://127.0.0.1:8700")


def test_planted_content_changes_nothing_else(monkeypatch, client, sandbox):
    """The planted content posts (sandbox/content.py) sit under each account's newest post:
    every status, last post and generated post is what it is without them."""
    planted = build_world(now=NOW)
    monkeypatch.setattr(world_module, "PLANTED", ())
    bare = build_world(now=NOW)
    assert bare.truth()["content"] == {}
    kept = ("expected_status", "expected_outcome", "last_post_at", "last_post_id", "pinned_post_ids")
    with_content = planted.truth()["accounts"]
    for account_id, t in bare.truth()["accounts"].items():
        assert {k: with_content[account_id][k] for k in kept} == {k: t[k] for k in kept}, account_id
    for account_id, account in bare.accounts.items():
        others = [p.id for p in planted.accounts[account_id].posts if p.id not in planted.planted]
        assert others == [p.id for p in account.posts], account_id

    content = sandbox.truth()["content"]
    assert sorted(c["key"] for c in content.values()) == sorted(p.key for p in PLANTED)
    for post_id, case in content.items():
        assert (case["kind"] == "problem") == bool(case["labels"]) and case["why"] and case["marker"]
        age = NOW - datetime.fromisoformat(case["published_at"])
        assert timedelta(0) < age < timedelta(days=30), case["key"]  # inside the weekly report's month
        if case["platform"] == "weibo":  # served, in full where the listing cuts it
            body = client.get("/statuses/show", params={"id": post_id}).json()["data"]
            full = (body.get("longText") or {}).get("longTextContent") or body["text"]
            full += (body.get("retweeted_status") or {}).get("text", "")  # a repost: and its original
            assert case["marker"] in full, case["key"]


@pytest.mark.slow  # a crawl through the govwatch command
def test_the_suites_crawl_mails_its_own_smtp_server(tmp_path, sandbox_config):
    """A crawl in the suite sends its alert mails to the suite's SMTP server on a free port,
    never to a developer's mail catcher on the sandbox config's fixed port."""
    sink, port = suite_mail_sink()
    config = yaml.safe_load(sandbox_config.read_text(encoding="utf-8"))
    assert config["smtp"]["host"] == "127.0.0.1" and config["smtp"]["port"] == port
    before = len(sink.messages)
    result = run_govwatch(sandbox_config, "crawl")
    assert result.returncode == 0, result.stderr
    mails = sink.messages[before:]
    assert mails, "the crawl's alerts did not reach the suite's SMTP server"
    assert all(rcpt.endswith("@qingchuan.example.gov.cn") for rcpts, _ in mails for rcpt in rcpts)
