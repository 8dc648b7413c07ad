"""A small world for the web console's tests: two units' accounts, findings, and a user of each
role, in a real store; and a signed-in TestClient (the CSRF token read from the page, as a
browser would send it back)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml
from starlette.testclient import TestClient

from core.config import Config, parse_config
from govwatch.web.app import create_app
from govwatch.web.security import hash_password
from storage import web as db
from storage.db import Store, open_store
from storage.models import Finding, utcnow
from storage.repo import sync_accounts

EDU, HEALTH = "旗教育局", "旗卫生健康委员会"
XSS_NAME = '<script>alert("x")</script>教育<img src=x onerror=alert(1)>'
PASSWORD = "correct horse battery"
USERS = {
    "office": ("office", None),
    "sup-edu": ("supervisor", "教育督查"),
    "edu-editor": ("editor", EDU),
    "health-editor": ("editor", HEALTH),
    "viewer": ("viewer", None),
}


@dataclass
class World:
    config: Config
    store: Store
    app: object
    findings: dict[str, int]  # account id -> its finding's id


def make_world(tmp_path: Path, database_url: str, **web: object) -> World:
    data = {
        "database": database_url,
        "report": {"out_dir": str(tmp_path / "reports")},
        "web": {"secret_key_file": str(tmp_path / "secret.key"), **web},
        "supervisors": [{"name": "教育督查", "units": [EDU]}, {"name": "全旗", "units": ["*"]}],
    }
    path = tmp_path / "config.yaml"  # on disk too: a rescan runs `govwatch --config PATH rescan ID`
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = parse_config(data, path)
    store = open_store(config.database_url())
    now = utcnow()
    with store.session() as session:
        sync_accounts(
            session,
            [
                {"id": "edu-weibo", "unit": EDU, "platform": "weibo", "name": XSS_NAME, "handle": "1"},
                {"id": "edu-wechat", "unit": EDU, "platform": "wechat", "name": "青川教育", "handle": "qcjy"},
                {
                    "id": "health-weibo",
                    "unit": HEALTH,
                    "platform": "weibo",
                    "name": "健康青川机密",
                    "handle": "2",
                },
            ],
        )
        found = {}
        for account_id, evidence in (
            ("edu-weibo", "【加微信】领红包<script>alert(2)</script>"),
            ("health-weibo", "卫健委秘密证据文字"),
        ):
            finding = Finding(
                fingerprint=f"post:{account_id}:commercial",
                account_id=account_id,
                category="off_mission",
                rule="content.commercial",
                severity="major",
                evidence=evidence,
                first_seen=now - timedelta(days=3),
                last_seen=now,
                status="open",
            )
            session.add(finding)
            session.flush()
            found[account_id] = finding.id
        for name, (role, unit) in USERS.items():
            db.add_user(session, name, role, unit, hashed(PASSWORD))
    return World(config, store, create_app(config, store), found)


_HASHES: dict[str, str] = {}


def hashed(password: str) -> str:
    """One argon2id hash per password for the whole run (each costs a tenth of a second or more)."""
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def client(world: World, base_url: str = "http://testserver") -> TestClient:
    return TestClient(world.app, base_url=base_url, follow_redirects=False)


def sign_in(world: World, name: str, password: str = PASSWORD, c: TestClient | None = None) -> TestClient:
    c = c or client(world)
    page = c.get("/login")
    response = c.post(
        "/login", data={"username": name, "password": password, "csrf": csrf_of(page.text), "next": "/"}
    )
    assert response.status_code == 303, response.text
    return c


def dashboard(c: TestClient, timeout_s: float = 30) -> str:
    """The dashboard once the week's model (made in the background) is ready."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        text = c.get("/").text
        if 'id="preparing"' not in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def page_csrf(c: TestClient, path: str = "/") -> str:
    response = c.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)
