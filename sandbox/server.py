"""The sandbox HTTP server: m.weibo.cn and feed-bridge imitations over loopback.

    with Sandbox() as sb:
        httpx.get(sb.base_url + "/api/container/getIndex?type=uid&value=7712000101")

Routes live in a registry (``Sandbox.router``): exact paths and path prefixes,
each with a handler ``(request) -> Response``. Hooks (``Sandbox.hooks``) run
before routing and may answer instead (fault injection slots in there). Every
request is counted, per path and per account.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sandbox import cms, feeds, login, platforms, weibo, weibo_pc
from sandbox import links as link_sites
from sandbox.http import HTML, XML_TYPE, Hook, LoopbackServer, Request, Response, Router, json_response
from sandbox.world import Account, Post, World, build_world


class Sandbox(LoopbackServer):
    """A local imitation of the platforms for one World."""

    def __init__(
        self,
        world: World | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        now: datetime | None = None,
    ) -> None:
        self.world = world or build_world(now=now)
        super().__init__(host, port)
        self.hooks: list[Hook] = []
        self.router = Router()
        self._counts_lock = threading.Lock()
        self._total = 0
        self._by_account: Counter[str] = Counter()
        self._by_path: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()
        self.mounted_at: str | None = None  # the base URL under a shared server (sandbox/hub.py)
        self.fixed_links: set[str] = set()  # link cases (sandbox/links.py) whose target works again
        self._register_routes()

    # ------------------------------------------------------------ lifecycle
    def before_start(self) -> None:
        self.warm()

    def host_header(self) -> str:
        return self.base_url.removeprefix("http://")

    @property
    def base_url(self) -> str:
        return self.mounted_at or f"http://{self.host}:{self.port}"

    def warm(self) -> None:
        """Render every profile, list page and feed once, so serving is a dict lookup."""
        for account in self.world.accounts.values():
            if account.platform in ("website", "app"):
                continue
            if account.is_feed:
                self._feed_body(account)
                continue
            self._profile_body(account)
            since: str | None = None
            for _ in range(10_000):
                body = self._page_body(account, since, None)
                data = json.loads(body)
                since = data.get("data", {}).get("cardlistInfo", {}).get("since_id")
                if not since:
                    break
                since = str(since)

    # ------------------------------------------------------------ Python API
    def request_counts(self) -> dict[str, Any]:
        with self._counts_lock:
            return {
                "requests": self._total,
                "by_account": dict(self._by_account),
                "by_path": dict(self._by_path),
                "by_status": dict(self._by_status),
            }

    def reset_counts(self) -> None:
        with self._counts_lock:
            self._total = 0
            self._by_account.clear()
            self._by_path.clear()
            self._by_status.clear()

    def truth(self) -> dict[str, Any]:
        return self.world.truth()

    def add_post(self, account_id: str, text: str, published_at: datetime | None = None, **kw: Any) -> Post:
        return self.world.add_post(account_id, text, published_at, **kw)

    def set_behavior(self, account_id: str, behavior: str) -> None:
        self.world.set_behavior(account_id, behavior)

    def edit_post(self, account_id: str, post_id: str, text: str) -> Post:
        return self.world.edit_post(account_id, post_id, text)

    def set_comments(self, account_id: str, comments: str) -> None:
        self.world.set_comments(account_id, comments)

    def set_now(self, now: datetime) -> None:
        self.world.set_now(now)

    def delete_post(self, account_id: str, post_id: str) -> Post:
        return self.world.delete_post(account_id, post_id)

    def block_platform(self, platform: str, blocked: bool = True) -> None:
        self.world.block_platform(platform, blocked)

    def plant_links(self) -> dict[str, Post]:
        """Publish the posts with links (sandbox/links.py); the posts by case key."""
        return link_sites.plant(self.world)

    def fix_link(self, key: str) -> None:
        """The unit fixes a link case's target: the gone page is served again."""
        self.fixed_links.add(key)

    # ------------------------------------------------------------ dispatch
    def handle(self, request: Request) -> Response:
        blocked = self._platform_block(request)
        site = link_sites.answer(self.world, request, self.fixed_links)
        for hook in [lambda _r: site] if site else [blocked] if blocked else self.hooks:
            answer = hook(request)
            if answer is not None:
                break
        else:
            handler = self.router.resolve(request.method, request.path)
            answer = handler(request) if handler else self._not_found(request)
        if not request.path.startswith("/__sandbox__/"):
            with self._counts_lock:
                self._total += 1
                self._by_path[request.path] += 1
                self._by_status[str(answer.status)] += 1
                if answer.account_id:
                    self._by_account[answer.account_id] += 1
        return answer

    def _register_routes(self) -> None:

        r = self.router
        r.add("GET", "/api/container/getIndex", self._get_index)
        r.add("GET", "/statuses/extend", self._extend)
        r.add("GET", "/statuses/show", self._show)
        r.add("GET", "/signin/login", self._login_page)
        r.add("GET", "/u/", self._user_page, prefix=True)
        r.add("GET", "/rsshub/", self._feed, prefix=True)
        r.add("GET", "/s/", self._article, prefix=True)
        r.add("GET", "/gov/", self._column, prefix=True)
        r.add("GET", "/art/", self._jcms_article, prefix=True)
        r.add("POST", cms.PROXY_PATH, self._jcms_proxy)
        r.add("GET", "/app/", self._app, prefix=True)
        r.add("GET", "/comments/hotflow", self._comments)
        r.add("GET", "/api/config", login.weibo_config)
        r.add("GET", "/x/web-interface/nav", login.bilibili_nav)
        weibo_pc.WeiboPC().install(self)  # weibo.com's PC web API, the second road
        r.add("GET", "/__sandbox__/stats", lambda req: json_response(self.request_counts()))
        r.add("POST", "/__sandbox__/reset", self._reset)
        r.add("GET", "/__sandbox__/truth", lambda req: json_response(self.truth()))
        r.add("POST", "/__sandbox__/posts", self._post_add)

    # ------------------------------------------------------------ caching
    def _cached(self, account: Account, key: Any, make: Callable[[], bytes]) -> bytes:
        body = account.cache.get(key)
        if body is None:
            with self.world.lock:
                body = account.cache.get(key)
                if body is None:
                    body = make()
                    account.cache[key] = body
        return body

    def _profile_body(self, account: Account) -> bytes:
        return self._cached(account, "profile", lambda: weibo.dumps(weibo.profile(account)))

    def _page_body(self, account: Account, since_id: str | None, page_no: int | None) -> bytes:
        key = ("page", since_id, page_no)
        return self._cached(
            account, key, lambda: weibo.dumps(weibo.page(account, self.world, since_id, page_no))
        )

    def _feed_body(self, account: Account) -> bytes:
        return self._cached(account, "feed", lambda: feeds.render(account, self.world))

    # ------------------------------------------------------------ Weibo
    def _gate(self, account: Account, request: Request) -> Response | None:
        """The account-wide behaviours that answer before any content."""
        b = account.behavior
        if b == "blocked":
            return Response(418, b"", HTML, account_id=account.id)
        if b == "login":
            back = quote(f"https://m.weibo.cn{request.raw_path}", safe="")
            location = f"http://{request.host}/signin/login?entry=mweibo&res=wel&wm=3349&r={back}"
            return Response(302, b"", HTML, {"Location": location}, account_id=account.id)
        if b == "not_found":
            return json_response(weibo.NOT_FOUND, account_id=account.id)
        return None

    def _get_index(self, request: Request) -> Response:
        q = request.query
        containerid = q.get("containerid", "")
        if q.get("type") == "uid" or containerid.startswith("100505"):
            uid = q.get("value") or containerid.removeprefix("100505")
            account = self.world.by_uid.get(uid)
            if account is None:
                return json_response(weibo.NOT_FOUND)
            return self._gate(account, request) or Response(
                200, self._profile_body(account), account_id=account.id
            )
        if containerid.startswith("107603"):
            account = self.world.by_uid.get(containerid.removeprefix("107603"))
            if account is None:
                return json_response({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
            gate = self._gate(account, request)
            if gate:
                return gate
            since_id = q.get("since_id") or None
            page_no = None
            if "page" in q and not since_id:
                try:
                    page_no = int(q["page"])
                except ValueError:
                    page_no = 1
            body = platforms.with_host(self._page_body(account, since_id, page_no), request.host)
            return Response(200, body, account_id=account.id)
        return json_response({"ok": 0, "msg": "参数错误"})

    def _lookup_post(self, request: Request) -> tuple[Account, Post] | None:
        return self.world.posts_by_id.get(request.query.get("id", ""))

    def _extend(self, request: Request) -> Response:
        found = self._lookup_post(request)
        if not found:
            return json_response({"ok": 0, "msg": "微博不存在或暂无查看权限!"})
        account, post = found
        gate = self._gate(account, request)
        if gate:
            return gate
        body = self._cached(account, ("extend", post.id), lambda: weibo.dumps(weibo.long_text(post)))
        return Response(200, platforms.with_host(body, request.host), account_id=account.id)

    def _show(self, request: Request) -> Response:
        found = self._lookup_post(request)
        if not found:
            return json_response({"ok": 0, "msg": "微博不存在或暂无查看权限!"})
        account, post = found
        gate = self._gate(account, request)
        if gate:
            return gate
        return json_response(weibo.show(account, post, self.world.now), account_id=account.id)

    def _login_page(self, request: Request) -> Response:
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>登录 - 新浪微博</title></head>'
            '<body><div class="login-box"><h2>登录</h2><form action="/sso/login" method="post">'
            '<input name="username" placeholder="手机号/邮箱"><input name="password" type="password">'
            '<button type="submit">登录</button></form></div></body></html>'
        )
        return Response(200, page.encode("utf-8"), HTML)

    def _user_page(self, request: Request) -> Response:
        uid = request.path.removeprefix("/u/").strip("/")
        account = self.world.by_uid.get(uid)
        if account is None:
            return self._not_found(request)
        gate = self._gate(account, request)
        if gate:
            return gate
        page = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{account.spec.name}的微博</title>'
            f'</head><body><div id="app" data-uid="{uid}"></div></body></html>'
        )
        return Response(200, page.encode("utf-8"), HTML, account_id=account.id)

    # ------------------------------------------------------------ feeds
    def _feed(self, request: Request) -> Response:
        account = self.world.by_feed_path.get(request.path.rstrip("/"))
        if account is None:
            return self._not_found(request)
        if account.behavior == "error_page":
            return Response(200, feeds.error_page(request.path), HTML, account_id=account.id)
        if account.behavior == "blocked":
            return Response(403, b"Forbidden", "text/plain; charset=utf-8", account_id=account.id)
        if account.behavior == "not_found":
            return Response(404, feeds.error_page(request.path), HTML, account_id=account.id)
        if account.behavior == "login":
            return self._gate(account, request) or self._not_found(request)
        body = platforms.with_host(self._feed_body(account), request.host)
        return Response(200, body, feeds.content_type(account), account_id=account.id)

    # ---------------------- blocked platforms, WeChat articles, websites, apps, comments
    def _platform_block(self, request: Request):  # noqa: ANN202
        """A hook answering for a platform blocked as a whole (World.block_platform)."""
        if not self.world.blocked_platforms or request.path.startswith("/__sandbox__/"):
            return None
        path = request.path
        if path.startswith(("/api/", "/statuses/", "/comments/", "/u/", "/ajax/")):
            platform = "weibo"
        elif path.startswith("/rsshub/"):
            platform = path.split("/")[2] if path.count("/") >= 2 else ""
        elif path.startswith("/s/"):
            platform = "wechat"
        elif path.startswith(("/gov/", "/art/", "/module/")):
            platform = "website"
        elif path.startswith("/app/"):
            platform = "app"
        else:
            return None
        if platform not in self.world.blocked_platforms:
            return None
        if platform == "weibo":
            return lambda req: Response(418, b"", HTML)
        return lambda req: Response(403, b"<html><body>403 Forbidden</body></html>", HTML)

    def _article(self, request: Request) -> Response:
        found = self.world.by_article.get(request.path.removeprefix("/s/").strip("/"))
        if not found:
            return self._not_found(request)
        account, post = found
        body = platforms.with_host(platforms.article_page(account, post), request.host)
        return Response(200, body, HTML, account_id=account.id)

    def _column(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")  # gov, key, rest...
        account = self.world.by_key.get(parts[1]) if len(parts) > 1 else None
        if account is None or account.platform != "website":
            return self._not_found(request)
        rest = "/".join(parts[2:])
        if rest in ("", "index.html") or (rest.startswith("index_") and rest.endswith(".html")):
            number = 0 if rest in ("", "index.html") else rest.removeprefix("index_").removesuffix(".html")
            try:
                page_no = int(number)
            except ValueError:
                return self._not_found(request)
            body = self._cached(
                account,
                ("column", page_no),
                lambda: platforms.column_page(account, self.world, page_no) or b"",
            )
            if not body:
                return Response(404, b"<html><body>404</body></html>", HTML, account_id=account.id)
            return Response(200, body, HTML, account_id=account.id)
        for post in account.regular_posts():
            if platforms.post_path(account, post) == request.path:
                body = platforms.with_host(platforms.column_article(account, post), request.host)
                return Response(200, body, HTML, account_id=account.id)
        return Response(404, b"<html><body>404</body></html>", HTML, account_id=account.id)

    def _jcms_account(self, column: str) -> Account | None:
        for account in self.world.by_key.values():
            if account.spec.scenario.layout == "jcms" and cms.column_id(account) == column:
                return account
        return None

    def _jcms_article(self, request: Request) -> Response:
        """A Hanweb article: /art/Y/M/D/art_COLUMN_ID.html."""
        name = request.path.rsplit("/", 1)[-1]
        parts = name.removesuffix(".html").split("_")
        account = self._jcms_account(parts[1]) if len(parts) == 3 else None
        if account is None:
            return self._not_found(request)
        for post in account.regular_posts():
            if platforms.post_path(account, post) == request.path:
                return Response(200, platforms.column_article(account, post), HTML, account_id=account.id)
        return Response(404, b"<html><body>404</body></html>", HTML, account_id=account.id)

    def _jcms_proxy(self, request: Request) -> Response:
        """Hanweb's dataproxy.jsp: the column's fields in the form, the record range in the address."""
        fields = cms.form_fields(request.body)
        account = self._jcms_account(fields.get("columnid", "")) if fields.get("unitid") else None
        if account is None:
            return Response(200, b'<?xml version="1.0" encoding="UTF-8"?><datastore></datastore>', XML_TYPE)
        body = cms.proxy_answer(account, self.world, request.query)
        return Response(200, body, XML_TYPE, account_id=account.id)

    def _app(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if parts[1:2] == ["error.html"]:
            page = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在</title></head><body><p>抱歉，您访问的页面不存在或已删除。</p></body></html>'
            return Response(200, page.encode(), HTML)
        account = self.world.by_key.get(parts[1]) if len(parts) > 1 else None
        if account is None or account.platform != "app":
            return self._not_found(request)
        answer = account.spec.scenario.app_answer
        if answer == "missing":
            return Response(404, b"<html><body>404 Not Found</body></html>", HTML, account_id=account.id)
        if answer == "error_page":
            return Response(
                302, b"", HTML, {"Location": "/app/error.html?from=" + parts[1]}, account_id=account.id
            )
        apk = b"PK\x03\x04" + bytes(range(256)) * 200  # a 51 KB stand-in for an APK
        headers = {"Content-Disposition": f'attachment; filename="{parts[1]}.apk"'}
        return Response(200, apk, "application/vnd.android.package-archive", headers, account_id=account.id)

    def _comments(self, request: Request) -> Response:
        found = self._lookup_post(request)
        if not found:
            return json_response({"ok": 0, "msg": "暂无数据"})
        account, post = found
        gate = self._gate(account, request)
        if gate:
            return gate
        data = platforms.hotflow(account, post, self.world, request.query.get("max_id"), weibo.full_date)
        return json_response(data, account_id=account.id)

    # ------------------------------------------------------------ control
    def _reset(self, request: Request) -> Response:
        self.reset_counts()
        return json_response({"ok": 1})

    def _post_add(self, request: Request) -> Response:
        try:
            data = json.loads(request.body or b"{}")
            published = data.get("published_at")
            post = self.add_post(
                data["account_id"],
                data["text"],
                datetime.fromisoformat(published) if published else None,
                title=data.get("title"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            return json_response({"ok": 0, "msg": str(exc)}, status=400)
        return json_response({"ok": 1, "id": post.id, "published_at": post.published_at.isoformat()})

    def _not_found(self, request: Request) -> Response:
        return Response(404, b"Not Found", "text/plain; charset=utf-8")
