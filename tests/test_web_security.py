"""The web console's security, as an attacker would probe it: every route without a session,
another unit's editor, a form without its CSRF token, script in account names and drafts, a
planted or replayed session, guessing passwords. The routes are read from the app itself, so a
route added later is covered without editing this file."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.routing import Route

from core.vocabulary import AuditAction
from govwatch.web.app import PRE_COOKIE, PUBLIC, SESSION_COOKIE
from storage import web as db
from storage.models import AuditEntry, Finding
from tests.web_world import EDU, HEALTH, PASSWORD, client, csrf_of, make_world, page_csrf, sign_in

pytestmark = pytest.mark.db


@pytest.fixture
def world(tmp_path, database_url):
    world = make_world(tmp_path, database_url)
    yield world
    world.app.state.console.weeks.join()  # a dashboard's summary still being made reads the store


def concrete(path: str, world) -> str:
    """A route's path with its parameters filled with real values of the world."""
    values = {
        "account_id": "edu-weibo",
        "finding_id": str(world.findings["edu-weibo"]),
        "action": "dismiss",
        "draft_id": "1",
        "week": "2026-W46",
        "name": "govwatch-2026-W46-overall.html",
    }
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)


def all_routes(world) -> list[tuple[str, str]]:
    out = []
    for route in world.app.routes:
        assert isinstance(route, Route), f"unexpected route type {route!r}: teach this test about it"
        for method in sorted(route.methods - {"HEAD"}):
            out.append((route.path, method))
    return out


def test_every_route_refuses_a_request_without_a_session(world):
    c = client(world)
    routes = all_routes(world)
    assert len(routes) >= 20  # the walk sees the app's routes (pages and API)
    checked = 0
    for path, method in routes:
        if (path, method) in PUBLIC:
            continue
        url = concrete(path, world)
        response = c.request(method, url, data={"reason": "x", "text": "x"} if method == "POST" else None)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.headers["www-authenticate"].startswith("Bearer")
        elif method == "GET":
            assert response.status_code == 303 and response.headers["location"].startswith("/login"), (
                method,
                url,
            )
        else:
            assert response.status_code == 401, (method, url, response.status_code)
        assert "青川教育" not in response.text and "卫健委秘密" not in response.text
        checked += 1
    assert checked >= 18
    # A forged cookie is no session either.
    c.cookies.set(SESSION_COOKIE, "forged.value")
    assert c.get("/accounts").status_code == 303
    # The public routes give nothing away.
    assert "青川教育" not in c.get("/login").text


def test_the_api_refuses_a_wrong_token_and_a_cookie_session(world):
    c = sign_in(world, "office")  # a browser session does not open the API: no cookie-borne API calls
    assert c.get("/api/accounts").status_code == 401
    assert c.get("/api/accounts", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_another_units_editor_gets_403_and_no_data(world):
    c = sign_in(world, "health-editor")
    edu_finding = world.findings["edu-weibo"]
    for url in ("/accounts/edu-weibo", f"/accounts?unit={EDU}"):
        response = c.get(url)
        assert response.status_code == 403, url
        assert (
            "青川教育" not in response.text and "领红包" not in response.text and "alert" not in response.text
        )
    token = page_csrf(c, "/accounts")
    for action in ("rectify", "dismiss", "reopen"):
        response = c.post(f"/findings/{edu_finding}/{action}", data={"csrf": token, "reason": "越权"})
        assert response.status_code == 403, action
    response = c.post("/accounts/edu-weibo/rescan", data={"csrf": token})
    assert response.status_code == 403
    with world.store.session() as session:
        assert session.get(Finding, edu_finding).status == "open"
        denied = session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.DENIED)).all()
        assert len(denied) >= 5 and all(e.user_name == "health-editor" for e in denied)
    # Lists show only its own unit.
    accounts = c.get("/accounts").text
    assert "健康青川机密" in accounts and "edu-weibo" not in accounts and "青川教育" not in accounts
    findings = c.get("/findings").text
    assert "卫健委秘密证据文字" in findings and "领红包" not in findings
    dashboard = c.get("/").text
    assert "青川教育" not in dashboard
    # A nonexistent account is 404, another unit's is 403: neither shows data.
    assert c.get("/accounts/nope").status_code == 404


def test_the_api_keeps_the_same_scope(world):
    with world.store.session() as session:
        db.add_api_token(session, db.user_by_name(session, "health-editor"), "tok-health")
        db.add_api_token(session, db.user_by_name(session, "sup-edu"), "tok-sup")
    health = {"Authorization": "Bearer tok-health"}
    c = client(world)
    body = c.get("/api/accounts", headers=health).json()
    assert [a["id"] for a in body["accounts"]] == ["health-weibo"]
    response = c.get("/api/accounts/edu-weibo", headers=health)
    assert response.status_code == 403 and "青川教育" not in response.text
    assert c.get(f"/api/accounts?unit={EDU}", headers=health).status_code == 403
    findings = c.get("/api/findings?status=all", headers=health).json()["findings"]
    assert [f["account_id"] for f in findings] == ["health-weibo"]
    # The supervisor of 旗教育局 sees its unit and nothing of the other.
    sup = {"Authorization": "Bearer tok-sup"}
    ids = {a["id"] for a in c.get("/api/accounts", headers=sup).json()["accounts"]}
    assert ids == {"edu-weibo", "edu-wechat"}
    assert c.get("/api/accounts/health-weibo", headers=sup).status_code == 403
    assert c.get("/api/openapi.json").json()["paths"]["/api/drafts/check"]


def test_a_post_without_its_csrf_token_is_refused(world):
    c = sign_in(world, "office")
    finding = world.findings["edu-weibo"]
    assert c.post(f"/findings/{finding}/dismiss", data={"reason": "误报"}).status_code == 403
    assert (
        c.post(f"/findings/{finding}/dismiss", data={"reason": "误报", "csrf": "0" * 64}).status_code == 403
    )
    # Another user's token does not do either.
    other = sign_in(world, "sup-edu")
    foreign = page_csrf(other)
    assert c.post(f"/findings/{finding}/dismiss", data={"reason": "误报", "csrf": foreign}).status_code == 403
    assert c.post("/logout", data={}).status_code == 403
    with world.store.session() as session:
        assert session.get(Finding, finding).status == "open"
    # The sign-in form needs its token too.
    fresh = client(world)
    assert fresh.post("/login", data={"username": "office", "password": PASSWORD}).status_code == 403
    # With the token, it works.
    ok = c.post(f"/findings/{finding}/dismiss", data={"reason": "误报", "csrf": page_csrf(c)})
    assert ok.status_code == 200 and "已排除" in ok.text


def test_script_in_account_names_evidence_and_drafts_is_shown_as_text(world):
    c = sign_in(world, "office")
    for url in ("/", "/accounts", "/accounts/edu-weibo", "/findings?status=all"):
        text = c.get(url).text
        assert "<script>" not in text and "<img src=x" not in text, url
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in c.get("/accounts/edu-weibo").text
    token = page_csrf(c, "/drafts")
    response = c.post(
        "/drafts",
        data={
            "csrf": token,
            "text": "通知<script>alert(3)</script>加微信 qc888 购买特价商品",
            "title": "<b>标题</b>",
        },
    )
    assert response.status_code == 303
    page = c.get(response.headers["location"]).text
    assert "<script>alert(3)" not in page and "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "<b>标题</b>" not in page
    assert "default-src 'none'" in c.get("/").headers["content-security-policy"]


def test_signing_in_makes_a_new_session_and_signing_out_ends_it(world):
    c = client(world)
    page = c.get("/login")
    pre = c.cookies.get(PRE_COOKIE)
    assert pre and SESSION_COOKIE not in c.cookies
    c.post("/login", data={"username": "office", "password": PASSWORD, "csrf": csrf_of(page.text)})
    first = c.cookies.get(SESSION_COOKIE)
    assert first and first != pre
    # The pre-session cookie (all an attacker could have planted) signs no one in.
    planted = client(world)
    planted.cookies.set(SESSION_COOKIE, pre)
    assert planted.get("/").status_code == 303
    # Signing in again (say, as someone else on a shared machine) rotates the session.
    sign_in(world, "sup-edu", c=c)
    second = c.cookies.get(SESSION_COOKIE)
    assert second != first
    replay = client(world)
    replay.cookies.set(SESSION_COOKIE, first)
    assert replay.get("/").status_code == 303  # the old session ended when the new one began
    # Signing out ends the session on the server: the copied cookie is dead too.
    copy = client(world)
    copy.cookies.set(SESSION_COOKIE, second)
    assert copy.get("/").status_code == 200
    assert c.post("/logout", data={"csrf": page_csrf(c)}).status_code == 303
    assert copy.get("/").status_code == 303


def test_cookie_flags(world):
    c = client(world)
    page = c.get("/login")
    c_headers = page.headers.get_list("set-cookie")
    assert any("HttpOnly" in h and "SameSite=strict" in h for h in c_headers)
    assert not any("Secure" in h for h in c_headers)  # plain http (auto): a Secure cookie would never return
    response = c.post("/login", data={"username": "office", "password": PASSWORD, "csrf": csrf_of(page.text)})
    [session] = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert "HttpOnly" in session and "SameSite=strict" in session and "Path=/" in session
    tls = client(world, "https://testserver")
    page = tls.get("/login")
    response = tls.post(
        "/login", data={"username": "office", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    [session] = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert "Secure" in session


def test_guessing_passwords_locks_the_user(tmp_path, database_url):
    world = make_world(tmp_path, database_url, max_failures=3, attempts_per_minute=100)
    c = client(world)
    for _ in range(3):
        page = c.get("/login")
        response = c.post(
            "/login", data={"username": "edu-editor", "password": "guess" * 3, "csrf": csrf_of(page.text)}
        )
        assert response.status_code == 401 and "用户名或密码错误" in response.text
    page = c.get("/login")
    response = c.post(
        "/login", data={"username": "edu-editor", "password": PASSWORD, "csrf": csrf_of(page.text)}
    )
    assert response.status_code == 401 and "已锁定" in response.text
    assert SESSION_COOKIE not in c.cookies
    # An unknown name gets the same answer as a wrong password (no user enumeration).
    page = c.get("/login")
    response = c.post("/login", data={"username": "nobody", "password": "x" * 12, "csrf": csrf_of(page.text)})
    assert "用户名或密码错误" in response.text
    with world.store.session() as session:
        actions = [e.action for e in db.audit_entries(session, user_name="edu-editor")]
        assert AuditAction.LOCKED in actions and actions.count(AuditAction.LOGIN_FAILED) == 4
        user = db.user_by_name(session, "edu-editor")
        user.locked_until = None  # what `govwatch users unlock` does
    sign_in(world, "edu-editor", c=c)


def test_one_address_is_throttled_whatever_the_name(tmp_path, database_url):
    world = make_world(tmp_path, database_url, attempts_per_minute=3)
    c = client(world)
    codes = []
    for name in ("a1", "a2", "a3", "a4"):
        page = c.get("/login")
        codes.append(
            c.post(
                "/login", data={"username": name, "password": "x" * 12, "csrf": csrf_of(page.text)}
            ).status_code
        )
    assert codes == [401, 401, 401, 429]


def test_viewer_and_editor_permissions(world):
    viewer = sign_in(world, "viewer")
    token = page_csrf(viewer)
    finding = world.findings["health-weibo"]
    assert viewer.post(f"/findings/{finding}/rectify", data={"csrf": token, "reason": "x"}).status_code == 403
    assert viewer.post("/drafts", data={"csrf": token, "text": "通知"}).status_code == 403
    assert viewer.get("/registry").status_code == 403
    assert viewer.get("/audit").status_code == 403
    editor = sign_in(world, "health-editor")
    token = page_csrf(editor)
    # An editor marks its own finding rectified but cannot dismiss it (the office or supervisor decides).
    assert editor.post(f"/findings/{finding}/dismiss", data={"csrf": token, "reason": "x"}).status_code == 403
    response = editor.post(f"/findings/{finding}/rectify", data={"csrf": token, "reason": "已删除该帖"})
    assert response.status_code == 200 and "已标记整改" in response.text
    assert editor.get("/registry").status_code == 403
    assert HEALTH in editor.get("/").text or editor.get("/").status_code == 200
