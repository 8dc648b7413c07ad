"""The session's one sandbox server (sandbox/hub.py): each test's world answers under its own
prefix, as it would alone, and nothing one world is told reaches another."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from sandbox.configgen import config_dict
from sandbox.hub import SandboxHub
from sandbox.server import Sandbox

FABU_UID = "7712000101"  # qc-fabu-weibo
PROFILE = f"/api/container/getIndex?type=uid&value={FABU_UID}"


def account(sandbox: Sandbox, account_id: str) -> dict:
    return next(a for a in config_dict(sandbox.base_url)["accounts"] if a["id"] == account_id)


def test_two_mounted_worlds_answer_apart_and_count_apart(sandbox_hub: SandboxHub, sandbox: Sandbox):
    other = sandbox_hub.mount(Sandbox())
    other_url = other.base_url
    try:
        assert sandbox.base_url.startswith(sandbox_hub.base_url + "/w/")
        assert other.base_url != sandbox.base_url
        other.set_behavior("qc-fabu-weibo", "blocked")
        with httpx.Client() as client:
            assert client.get(sandbox.base_url + PROFILE).status_code == 200
            assert client.get(other.base_url + PROFILE).status_code == 418
        # each world counts its own requests, under the paths it serves
        assert sandbox.request_counts()["by_path"] == {"/api/container/getIndex": 1}
        assert other.request_counts()["requests"] == 1
    finally:
        sandbox_hub.unmount(other)
    with httpx.Client() as client:
        assert client.get(other_url + PROFILE).status_code == 404  # unmounted: gone
        assert client.get(sandbox_hub.base_url + PROFILE).status_code == 404  # outside any prefix
        # an address built from the host alone is answered by the world its Referer is under
        referred = client.get(sandbox_hub.base_url + PROFILE, headers={"Referer": sandbox.base_url + "/u/1"})
        assert referred.status_code == 200


def test_links_and_redirects_lead_back_into_the_same_world(sandbox_hub: SandboxHub, sandbox: Sandbox):
    prefix = urlsplit(sandbox.base_url).path  # /w/NAME
    with httpx.Client() as client:
        # a column page's absolute links ("/gov/…") stay under the world's prefix
        column = client.get(account(sandbox, "qc-gov-web")["url"])
        assert column.status_code == 200
        hrefs = re.findall(r'href="(/[^"]*)"', column.text)
        assert hrefs and all(h.startswith(prefix + "/") for h in hrefs)
        article = next(h for h in hrefs if h.startswith(prefix + "/gov/qc-gov-gzdt/2"))
        assert client.get(sandbox_hub.base_url + article).status_code == 200
        # a feed's item links (written from the Host header) point into the same world
        feed = client.get(account(sandbox, "qc-fabu-wechat")["feed_url"])
        links = re.findall(r"<link>(http[^<]*/s/[^<]*)</link>", feed.text)
        assert links and all(link.startswith(sandbox.base_url + "/s/") for link in links)
        assert client.get(links[0]).status_code == 200
        # the login wall redirects to the world's own login page
        wall = client.get(sandbox.base_url + "/api/container/getIndex?type=uid&value=7712000111")
        assert wall.status_code == 302
        assert wall.headers["location"].startswith(sandbox.base_url + "/signin/login")
        # a relative redirect (an app's error page) too
        app = client.get(account(sandbox, "qc-edu-app")["url"])
        assert app.status_code == 302 and app.headers["location"].startswith(prefix + "/app/error.html")
        assert client.get(sandbox_hub.base_url + app.headers["location"]).status_code == 200
