"""The web console's Starlette app: sign-in, the pages, and the JSON API (api.py).

Every page goes through ``page`` (and every API route through api.py's ``endpoint``): it finds
the signed-in user from the signed session cookie, refuses a POST without its CSRF token, turns
the user into a scope (scope.py) and runs the handler in a worker thread with a ``Ctx``.
A route added without them would have no user to work with; tests/test_web_security.py walks
every route of the app and proves each one refuses a request without a session.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import secrets
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from analysis.lifecycle import LifecycleError, dismiss_finding, rectify_finding, reopen_finding
from core.config import Config
from core.files import private_dir
from core.platforms import monitored_codes
from core.vocabulary import (
    AccountStatus,
    AuditAction,
    Category,
    FindingEventKind,
    FindingState,
    Role,
)
from govwatch.app import open_app
from govwatch.web import drafts as draft_checks
from govwatch.web.rescans import Rescans
from govwatch.web.scope import Scope, scope_of, supervisor_index
from govwatch.web.security import (
    Signer,
    Throttle,
    check_password,
    hash_password,
    load_secret,
    needs_rehash,
    new_token,
)
from reporting import labels as L
from reporting.view import safe_url
from reporting.weekly import environment as report_environment
from reporting.weeks import week_of
from storage import web as db
from storage.db import Store
from storage.models import utcnow
from storage.registry import RegistryError, export_registry, import_registry

TEMPLATES = Path(__file__).with_name("templates")
SESSION_COOKIE = "gw_session"
PRE_COOKIE = "gw_pre"  # before sign-in: what the sign-in form's CSRF token is bound to
MAX_BODY = 16 * 1024 * 1024
PAGE_SIZE = 100
CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as plain values (no ORM object leaves its session)."""

    id: int
    name: str
    role: str
    unit: str | None


@dataclass
class Ctx:
    request: Request
    console: Console
    user: Principal
    scope: Scope
    token: str  # the session token: what this user's CSRF tokens are bound to
    form: FormData | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.console.config

    @property
    def store(self) -> Store:
        return self.console.store

    @property
    def address(self) -> str | None:
        return self.request.client.host if self.request.client else None

    def audit(self, session: Any, action: str, target: str | None = None, detail: str | None = None) -> None:
        db.audit(session, action, self.user.name, target, detail, self.address)

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        return self.console.render(
            template,
            status_code,
            user=self.user,
            role_label=Role.label_of(self.user.role),
            scope=self.scope,
            csrf=self.console.signer.csrf(self.token),
            path=self.request.url.path,
            **values,
        )

    def forbidden(self, what: str) -> HTMLResponse:
        with self.store.session() as session:
            self.audit(session, AuditAction.DENIED, what)
        return self.render("error.html", 403, title="无权访问", message="您没有查看或操作此项内容的权限。")

    def not_found(self) -> HTMLResponse:
        return self.render("error.html", 404, title="未找到", message="没有找到该内容。")


class Console:
    """What the app shares: config, store, secret, templates, the sign-in throttle, rescans."""

    def __init__(self, config: Config, store: Store | None = None) -> None:
        self.config = config
        self.store = store or open_app(config)
        self.signer = Signer(load_secret(config.resolve(config.web.secret_key_file)))
        self.throttle = Throttle(config.web.attempts_per_minute)
        self.rescans = Rescans(config)
        self.uploads = private_dir(Path(tempfile.gettempdir()) / f"govwatch-web-{secrets.token_hex(6)}")
        self.pending: dict[str, tuple[int, Path, str, float]] = {}  # registry uploads awaiting "apply"
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(
            labels=L, safe_url=safe_url, fmt_time=self.fmt_time, Role=Role, labels_state=FindingState.label_of
        )
        self.css = console_css()
        self.weeks = WeekCache(config, self.store)

    def fmt_time(self, at: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
        return at.astimezone(self.config.tz).strftime(pattern) if at else "—"

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(title_suffix=self.config.report.title, **values)
        return HTMLResponse(html, status_code)

    def secure(self, request: Request) -> bool:
        setting = self.config.web.secure_cookies
        return setting == "always" or (setting == "auto" and request.url.scheme == "https")

    def set_cookie(
        self, response: Response, request: Request, name: str, value: str, max_age: int | None
    ) -> None:
        response.set_cookie(
            name,
            self.signer.sign(value),
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure(request),
        )


class WeekCache:
    """The week's read model for every unit (reporting/view.py's load_week: seconds on 10,000
    accounts), made in a background thread and kept until it is ``MAX_AGE_S`` old or an action
    changed what it shows; each scope's view is cut from it once. Pages never wait for it: until
    the first one is ready the dashboard says so, and afterwards the last one is shown (with
    its "as of" time) while the next is made. The first one is shown as soon as this week's
    figures are made, its 26 weeks of statuses with this week's only (the page says the past
    weeks are still being read) until the past weeks' statuses, read together in one scan of the
    posts (analysis/asof.py's statuses_at_many), are made too."""

    MAX_AGE_S = 300

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.lock = threading.Lock()
        self.data: Any = None
        self.week: Any = None
        self.made = 0.0
        self.dirty = False
        self.refreshing = False
        self.views: dict[frozenset[str] | None, Any] = {}
        self.history: list[tuple[str, dict[str, str]]] = []  # (week's end, account -> status)
        self.complete = False  # False: the history has this week only, the past weeks being read
        self.past: dict[datetime, dict[str, str]] = {}  # a past week's end -> account -> status
        self.clear_past = False
        self.past_made = time.monotonic()
        self._thread: threading.Thread | None = None

    def join(self, timeout: float | None = None) -> None:
        """Wait for a summary being made (before the store it reads goes away)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def invalidate(self, past: bool = False) -> None:
        """Make the summary again; ``past``: the past weeks' statuses too (the registry changed)."""
        with self.lock:
            self.dirty = True
            self.clear_past = self.clear_past or past

    def view(self, week: Any, units: frozenset[str] | None) -> tuple[Any, list[dict]] | None:
        """(the week's view of ``units``, findings opened and closed per week), or None until the
        first model is made."""
        from reporting.view import scope_view

        with self.lock:
            stale = (
                self.data is None
                or self.week != week
                or self.dirty
                or time.monotonic() - self.made > self.MAX_AGE_S
            )
            if stale and not self.refreshing:
                self.refreshing = True
                self._thread = threading.Thread(
                    target=self._refresh, args=(week,), daemon=True, name="week-model"
                )
                self._thread.start()
            if self.data is None or self.week != week:
                return None
            data, history, complete, cached = self.data, self.history, self.complete, self.views.get(units)
        if cached is None:
            with self.store.session() as session:
                events = db.finding_event_times(session, units, utcnow() - timedelta(weeks=TREND_WEEKS))
            view = scope_view(data, self.config, units, None)
            statuses = _status_trend(data, history, units)
            statuses["partial"] = not complete  # the past weeks' statuses still being read
            cached = (view, _finding_trend(events, self.config, TREND_WEEKS), statuses)
            with self.lock:
                if self.data is data and self.history is history:
                    self.views[units] = cached
        return cached

    def _label(self, end: datetime) -> str:
        return f"{end.astimezone(self.config.tz):%m-%d}"

    def _publish(self, data: Any, week: Any, history: list, complete: bool) -> None:
        with self.lock:
            self.data, self.week, self.made, self.views = data, week, time.monotonic(), {}
            self.history, self.complete = history, complete

    def _refresh(self, week: Any) -> None:
        from analysis.asof import statuses_at_many
        from reporting.view import load_week

        try:
            with self.lock:
                self.dirty = False
            with self.store.session() as session:
                data = load_week(session, self.config, week)
                # Every account's status at the end of each of the last weeks (this week: as of its figures).
                # A past week's end is read once and kept (reading 26 of them is minutes on
                # 10,000 accounts); an action that changes the past (a dismissal) clears them.
                if self.clear_past or time.monotonic() - self.past_made > 86400:  # and once a day
                    self.past, self.clear_past, self.past_made = {}, False, time.monotonic()
                end_of_week = week.end(self.config.tz)
                ends = [end_of_week - timedelta(weeks=k) for k in range(1, STATUS_WEEKS)]
                missing = [end for end in reversed(ends) if end not in self.past]
                # This week's statuses are those of the week's figures (as of the same moment).
                this_week = (self._label(data.as_of), {a.id: a.status for a in data.accounts})
                with self.lock:
                    shown = self.data is not None and self.week == week
                if missing and not shown:
                    # Nothing to show yet (the first summary, or a new week): this week's figures
                    # are shown first, then the past weeks' statuses (the longer read) with them.
                    self._publish(data, week, [this_week], complete=False)
                # The weeks not kept yet, read together: one scan of the posts for all.
                read = statuses_at_many(session, self.config.thresholds, missing) if missing else []
                self.past.update(zip(missing, read, strict=True))
                history = [(self._label(end), self.past[end]) for end in reversed(ends)]
                history.append(this_week)
                for stale in [e for e in self.past if e not in ends]:
                    del self.past[stale]
            self._publish(data, week, history, complete=True)
        finally:
            with self.lock:
                self.refreshing = False


def console_css() -> str:
    """The weekly report's own stylesheet (report_templates/weekly.html, with the rules it includes),
    then the console's additions."""
    report = importlib.resources.files("report_templates").joinpath("weekly.html").read_text(encoding="utf-8")
    # the stylesheet itself: a <style> line of its own (the header comment names the tag too)
    match = re.search(r"^<style>\n(.*?)^</style>", report, re.S | re.M)
    style = match.group(1) if match else ""
    # the shared rules it includes, as the report renders them (_base_style.html)
    style = re.sub(
        r'\{% include "([^"]+)" \+%\}\n',
        lambda m: report_environment().get_template(m.group(1)).render() + "\n",
        style,
    )
    extra = (TEMPLATES / "console.css").read_text(encoding="utf-8")
    return style + "\n" + extra


# --- the page wrapper -------------------------------------------------------------------


def _login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        return HTMLResponse("请先登录 / sign in first", 401)
    return RedirectResponse(f"/login?next={quote(target)}", 303)


def current_user(console: Console, request: Request) -> tuple[Principal, str] | None:
    token = console.signer.unsign(request.cookies.get(SESSION_COOKIE))
    if not token:
        return None
    with console.store.session() as session:
        user = db.user_of_session(session, token, utcnow())
        if user is None:
            return None
        return Principal(user.id, user.name, user.role, user.unit), token


def page(handler: Callable[[Ctx], Response]) -> Callable[[Request], Any]:
    """A signed-in page: no user → sign-in (GET) or 401; a POST without its CSRF token → 403."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        console: Console = request.app.state.console
        found = await run_in_threadpool(current_user, console, request)
        if found is None:
            return _login_redirect(request)
        user, token = found
        form = None
        if request.method == "POST":
            form = await request.form(max_files=2, max_fields=50, max_part_size=MAX_BODY)
            if not console.signer.csrf_ok(token, str(form.get("csrf") or "")):
                return HTMLResponse(
                    "表单已过期或来源不明，请返回刷新后重试 / CSRF token missing or wrong", 403
                )
        ctx = Ctx(request, console, user, scope_of(user.role, user.unit, console.config), token, form)
        ctx.params = dict(request.path_params)
        return await run_in_threadpool(handler, ctx)

    return endpoint


# --- sign-in ---------------------------------------------------------------------------


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def login_page(request: Request) -> Response:
    console: Console = request.app.state.console
    pre = console.signer.unsign(request.cookies.get(PRE_COOKIE)) or new_token()
    response = console.render(
        "login.html",
        csrf=console.signer.csrf(pre),
        next=_safe_next(request.query_params.get("next")),
        error=None,
    )
    console.set_cookie(response, request, PRE_COOKIE, pre, None)
    return response


async def login_submit(request: Request) -> Response:
    console: Console = request.app.state.console
    form = await request.form(max_files=0, max_fields=10)
    pre = console.signer.unsign(request.cookies.get(PRE_COOKIE))
    if not console.signer.csrf_ok(pre, str(form.get("csrf") or "")):
        return HTMLResponse("表单已过期或来源不明，请返回刷新后重试 / CSRF token missing or wrong", 403)
    name = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    address = request.client.host if request.client else "?"
    target = _safe_next(str(form.get("next") or "/"))

    def again(message: str, status: int) -> Response:
        fresh = new_token()
        response = console.render(
            "login.html", status, csrf=console.signer.csrf(fresh), next=target, error=message
        )
        console.set_cookie(response, request, PRE_COOKIE, fresh, None)
        return response

    if not console.throttle.allow(address):
        return again("尝试次数过多，请稍后再试 / too many attempts, try again later", 429)
    token, refusal = await run_in_threadpool(_sign_in, console, name, password, address)
    if token is None:
        return again(refusal or "", 401)
    old = console.signer.unsign(request.cookies.get(SESSION_COOKIE))
    if old:
        with console.store.session() as session:
            db.end_session(session, old)  # a session from before this sign-in never counts again
    response = RedirectResponse(target, 303)
    console.set_cookie(response, request, SESSION_COOKIE, token, int(console.config.web.session_hours * 3600))
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


def _sign_in(console: Console, name: str, password: str, address: str) -> tuple[str | None, str | None]:
    """The new session token, or the message to show (the same for a wrong name and a wrong password)."""
    settings = console.config.web
    now = utcnow()
    wrong = "用户名或密码错误 / wrong user name or password"
    with console.store.session() as session:
        user = db.user_by_name(session, name) if name else None
        if user is not None and user.locked_until is not None and user.locked_until > now:
            db.audit(session, AuditAction.LOGIN_FAILED, name, detail="locked", address=address)
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            return None, (
                f"登录失败次数过多，帐号已锁定，请 {minutes} 分钟后再试或联系管理员 / locked, try again later"
            )
        ok = check_password(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled:
            db.audit(session, AuditAction.LOGIN_FAILED, name, address=address)
            if user is not None:
                user.failed_logins += 1
                if user.failed_logins >= settings.max_failures:
                    user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                    user.failed_logins = 0
                    db.audit(
                        session,
                        AuditAction.LOCKED,
                        name,
                        detail=f"{settings.max_failures} failures",
                        address=address,
                    )
            return None, wrong
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        token = new_token()
        db.reset_failures(session, user, now)
        db.create_session(session, user, token, settings.session_hours, now)
        db.audit(session, AuditAction.LOGIN, name, address=address)
        return token, None


@page
def logout(ctx: Ctx) -> Response:
    with ctx.store.session() as session:
        db.end_session(session, ctx.token)
        ctx.audit(session, AuditAction.LOGOUT)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def stylesheet(request: Request) -> Response:
    return Response(request.app.state.console.css, media_type="text/css; charset=utf-8")


# --- dashboard ---------------------------------------------------------------------------


TREND_WEEKS = 12
STATUS_WEEKS = 26
ACTION_SHOWN = 100  # accounts listed on the dashboard; the accounts page has them all


@page
def dashboard(ctx: Ctx) -> Response:
    week = week_of(utcnow().astimezone(ctx.config.tz).date())
    found = ctx.console.weeks.view(week, ctx.scope.units)
    if found is None:  # the first summary since start is being made in the background
        return ctx.render("dashboard.html", view=None, trend=[], statuses=None, groups=[], shown=0)
    view, trend, statuses = found
    groups, shown = [], 0
    for group in view.action_groups:
        if shown >= ACTION_SHOWN:
            break
        accounts = group.accounts[: ACTION_SHOWN - shown]
        shown += len(accounts)
        groups.append((group.unit, accounts))
    return ctx.render("dashboard.html", view=view, trend=trend, statuses=statuses, groups=groups, shown=shown)


def _status_trend(data: Any, history: list[tuple[str, dict[str, str]]], units: frozenset[str] | None) -> dict:
    """Accounts of ``units`` by status at the end of each of the last weeks: the statuses shown
    (worst first) and, per week, each one's count and share of the week's accounts."""
    ids = {a.id for a in data.accounts if units is None or a.unit in units}
    weeks = []
    seen: set[str] = set()
    for label, statuses in history:
        counts = Counter(status for account, status in statuses.items() if account in ids)
        seen |= set(counts)
        weeks.append((label, counts, sum(counts.values()) or 1))
    order = [s for s in AccountStatus if s in seen]
    return {
        "statuses": [(s, L.status_label(s), L.status_colours(s)[0]) for s in order],
        "weeks": [
            {"week": label, "parts": [(s, counts[s], round(counts[s] * 100 / total, 1)) for s in order]}
            for label, counts, total in weeks
        ],
    }


def _finding_trend(events: list[tuple[datetime, str]], config: Config, weeks: int) -> list[dict]:
    """Findings opened and closed per week, oldest first."""
    today = utcnow().astimezone(config.tz).date()
    order = []
    week = week_of(today)
    for _ in range(weeks):
        order.append(str(week))
        week = week.previous()
    opened: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for at, event in events:
        key = str(week_of(at.astimezone(config.tz).date()))
        if event in (FindingEventKind.OPENED, FindingEventKind.REOPENED):
            opened[key] += 1
        elif event in (FindingEventKind.RECTIFIED, FindingEventKind.DISMISSED):
            closed[key] += 1
    top = max([1, *opened.values(), *closed.values()])
    return [
        {
            "week": w,
            "opened": opened[w],
            "closed": closed[w],
            "o": round(opened[w] * 100 / top),
            "c": round(closed[w] * 100 / top),
        }
        for w in reversed(order)
    ]


# --- accounts ----------------------------------------------------------------------------


@page
def accounts_page(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    filters = {k: (q.get(k) or None) for k in ("unit", "platform", "status", "category", "search")}
    try:
        offset = max(0, int(q.get("offset") or 0))
    except ValueError:
        offset = 0
    if filters["unit"] and not ctx.scope.covers(filters["unit"]):
        return ctx.forbidden(f"unit:{filters['unit']}")
    with ctx.store.session() as session:
        rows, total = db.account_rows(session, ctx.scope.units, limit=PAGE_SIZE, offset=offset, **filters)
        units = [u for u in db.unit_names(session) if ctx.scope.covers(u)]
    return ctx.render(
        "accounts.html",
        rows=rows,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        filters=filters,
        units=units,
        platforms=monitored_codes(),
        statuses=list(AccountStatus),
        categories=list(Category),
        query=ctx.request.url.query,
    )


def _account_or_error(ctx: Ctx, session: Any, account_id: str) -> Any:
    unit = db.account_unit(session, account_id)
    if unit is None:
        return None, ctx.not_found()
    if not ctx.scope.covers(unit):
        return None, None
    return db.account_of(session, account_id, ctx.scope.units), None


@page
def account_page(ctx: Ctx) -> Response:
    from analysis.asof import account_states

    account_id = ctx.params["account_id"]
    now = utcnow()
    with ctx.store.session() as session:
        account, error = _account_or_error(ctx, session, account_id)
        if error is not None:
            return error
        if account is None:
            session.rollback()
            return ctx.forbidden(f"account:{account_id}")
        [state] = account_states(session, ctx.config.thresholds, now, [account_id]) or [None]
        times = db.posts_per_week(session, account_id, now - timedelta(weeks=12))
        outcomes = db.recent_outcomes(session, account_id)
        findings = db.findings_of(session, ctx.scope.units, account_id=account_id)
        events = db.finding_events(session, [f.id for f, _, _ in findings])
        unit = account.unit.name
        info = {
            "id": account.id,
            "name": account.name,
            "unit": unit,
            "platform": account.platform,
            "url": account.url,
            "status": account.status,
            "status_note": account.status_note,
            "closed": account.closed,
        }
        outcome_rows = [
            {
                "at": ctx.console.fmt_time(o.finished_at or r.started_at),
                "outcome": o.outcome,
                "detail": o.detail,
                "posts": o.posts_seen,
                "new": o.new_posts,
            }
            for o, r in outcomes
        ]
        finding_rows = [_finding_row(ctx, f, name, u, events.get(f.id, [])) for f, name, u in findings]
    weeks = _weekly_counts(times, ctx.config, 12)
    rescan = ctx.console.rescans.get(ctx.request.query_params.get("rescan") or "")
    if rescan is not None and (rescan.account_id != account_id or rescan.user_id != ctx.user.id):
        rescan = None
    return ctx.render(
        "account.html",
        account=info,
        state=state,
        weeks=weeks,
        outcomes=outcome_rows,
        findings=finding_rows,
        rescan=rescan,
    )


def _weekly_counts(times: list[datetime | None], config: Config, weeks: int) -> list[dict]:
    counts: Counter[str] = Counter(str(week_of(t.astimezone(config.tz).date())) for t in times if t)
    week = week_of(utcnow().astimezone(config.tz).date())
    order = []
    for _ in range(weeks):
        order.append(week)
        week = week.previous()
    top = max([1, *counts.values()])
    return [
        {"week": f"{w.monday:%m-%d}", "count": counts[str(w)], "height": round(counts[str(w)] * 60 / top)}
        for w in reversed(order)
    ]


def _finding_row(ctx: Ctx, f: Any, account_name: str, unit: str, events: list[Any]) -> dict:
    """The page's view of a finding: the fields it shares with the API's finding object
    (storage/web.py's finding_fields), with its local date, evidence link, reason and history."""
    return {
        **db.finding_fields(f, account_name, unit),
        "evidence_url": safe_url(f.evidence_url),
        "status_reason": f.status_reason,
        "first_seen": ctx.console.fmt_time(f.first_seen, "%Y-%m-%d"),
        "events": [
            {
                "at": ctx.console.fmt_time(e.at),
                "event": FindingEventKind.label_of(e.event),
                "actor": e.actor or "?",
                "reason": e.reason,
            }
            for e in events
        ],
    }


@page
def rescan_start(ctx: Ctx) -> Response:
    account_id = ctx.params["account_id"]
    with ctx.store.session() as session:
        unit = db.account_unit(session, account_id)
        if unit is None:
            return ctx.not_found()
        if not ctx.scope.covers(unit) or not ctx.scope.can_rectify:
            session.rollback()
            return ctx.forbidden(f"rescan:{account_id}")
        ctx.audit(session, AuditAction.RESCAN, account_id)
    job = ctx.console.rescans.start(account_id, ctx.user.id)
    ctx.console.weeks.invalidate()
    return RedirectResponse(f"/accounts/{quote(account_id)}?rescan={job.id}#rescan", 303)


# --- findings ----------------------------------------------------------------------------


@page
def findings_page(ctx: Ctx) -> Response:
    q = ctx.request.query_params
    status = q.get("status") or FindingState.OPEN.value
    if status not in [s.value for s in FindingState] and status != "all":
        status = FindingState.OPEN.value
    category = q.get("category") or None
    try:
        offset = max(0, int(q.get("offset") or 0))
    except ValueError:
        offset = 0
    wanted = None if status == "all" else status
    with ctx.store.session() as session:
        findings = db.findings_of(
            session, ctx.scope.units, status=wanted, category=category, limit=PAGE_SIZE, offset=offset
        )
        total = db.count_findings(session, ctx.scope.units, status=wanted, category=category)
        events = db.finding_events(session, [f.id for f, _, _ in findings])
        rows = [_finding_row(ctx, f, name, unit, events.get(f.id, [])) for f, name, unit in findings]
    return ctx.render(
        "findings.html",
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        base_query=f"status={quote(status)}" + (f"&category={quote(category)}" if category else ""),
        rows=rows,
        status=status,
        category=category,
        states=list(FindingState),
        categories=list(Category),
    )


ACTIONS = {
    "dismiss": (dismiss_finding, AuditAction.DISMISS, "can_decide"),
    "reopen": (reopen_finding, AuditAction.REOPEN, "can_decide"),
    "rectify": (rectify_finding, AuditAction.RECTIFY, "can_rectify"),
}


@page
def finding_action(ctx: Ctx) -> Response:
    """Dismiss, reopen or mark rectified: the same functions as `govwatch findings dismiss|reopen`."""
    try:
        finding_id = int(ctx.params["finding_id"])
    except ValueError:
        return ctx.not_found()
    action = ctx.params["action"]
    if action not in ACTIONS:
        return ctx.not_found()
    function, audit_action, permission = ACTIONS[action]
    assert ctx.form is not None
    reason = " ".join(str(ctx.form.get("reason") or "").split())
    back = _safe_next(str(ctx.form.get("back") or "/findings"))
    with ctx.store.session() as session:
        owner = db.finding_unit(session, finding_id)
        if owner is None:
            return ctx.not_found()
        if not ctx.scope.covers(owner[1]) or not getattr(ctx.scope, permission):
            session.rollback()
            return ctx.forbidden(f"finding:{finding_id}:{action}")
        if not reason:
            message, ok = "请写明理由 / a reason is required", False
        else:
            try:
                message, ok = function(session, finding_id, reason, f"web:{ctx.user.name}"), True
                ctx.audit(session, audit_action, f"finding:{finding_id}", reason)
            except LifecycleError as exc:
                message, ok = str(exc), False
    ctx.console.weeks.invalidate()
    return ctx.render("done.html", 200 if ok else 400, ok=ok, message=message, back=back)


# --- drafts ------------------------------------------------------------------------------


def _draft_history(ctx: Ctx, session: Any) -> list[dict]:
    """The user's own checked drafts, as the drafts page lists them."""
    return [
        {"id": d.id, "title": d.title, "at": ctx.console.fmt_time(d.created_at), "count": d.finding_count}
        for d in db.drafts_of(session, ctx.user.id)
    ]


@page
def drafts_page(ctx: Ctx) -> Response:
    with ctx.store.session() as session:
        history = _draft_history(ctx, session)
    return ctx.render("drafts.html", history=history, result=None, error=None, text="")


@page
def draft_submit(ctx: Ctx) -> Response:
    if not ctx.scope.can_check_drafts:
        return ctx.forbidden("drafts")
    assert ctx.form is not None
    upload = ctx.form.get("file")
    title = str(ctx.form.get("title") or "").strip()
    try:
        if upload is not None and getattr(upload, "filename", None):
            data = upload.file.read(draft_checks.MAX_DRAFT_BYTES + 1)
            text = draft_checks.read_upload(upload.filename, data)
            title = title or upload.filename
        else:
            text = str(ctx.form.get("text") or "")
        text = draft_checks.clean(text)
    except draft_checks.DraftError as exc:
        return ctx.render("drafts.html", 400, history=[], result=None, error=str(exc), text="")
    unit = (
        ctx.user.unit
        if ctx.user.role in (Role.EDITOR, Role.VIEWER)
        else (str(ctx.form.get("unit") or "") or None)
    )
    result = draft_checks.check(ctx.config, text, unit)
    with ctx.store.session() as session:
        draft = db.add_draft(
            session,
            _user_row(session, ctx),
            unit,
            title or draft_checks.title_of(result.text),
            result.text,
            result.stored,
        )
        ctx.audit(session, AuditAction.DRAFT_CHECK, f"draft:{draft.id}", f"{len(result.findings)} findings")
        draft_id = draft.id
    return RedirectResponse(f"/drafts/{draft_id}", 303)


def _user_row(session: Any, ctx: Ctx) -> Any:
    return db.user_by_id(session, ctx.user.id)


@page
def draft_page(ctx: Ctx) -> Response:
    try:
        draft_id = int(ctx.params["draft_id"])
    except ValueError:
        return ctx.not_found()
    with ctx.store.session() as session:
        draft = db.draft_of(session, ctx.user.id, draft_id)
        if draft is None:
            return ctx.not_found()
        shown = draft_checks.shown(draft.text, draft.findings or [])
        info = {
            "id": draft.id,
            "title": draft.title,
            "at": ctx.console.fmt_time(draft.created_at),
            "unit": draft.unit,
        }
        history = _draft_history(ctx, session)
    return ctx.render("drafts.html", history=history, result=shown, draft=info, error=None, text="")


# --- registry ----------------------------------------------------------------------------


@page
def registry_page(ctx: Ctx) -> Response:
    if not ctx.scope.can_manage_registry:
        return ctx.forbidden("registry")
    return ctx.render("registry.html", preview=None, error=None, upload=None, applied=None)


@page
def registry_preview(ctx: Ctx) -> Response:
    if not ctx.scope.can_manage_registry:
        return ctx.forbidden("registry")
    assert ctx.form is not None
    upload = ctx.form.get("file")
    name = getattr(upload, "filename", None) or ""
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        return ctx.render(
            "registry.html",
            400,
            preview=None,
            upload=None,
            applied=None,
            error=f"{name or '未选择文件'}：请上传 .xlsx 或 .csv 台账 / upload an .xlsx or .csv file",
        )
    upload_id = secrets.token_urlsafe(16)
    path = ctx.console.uploads / f"{upload_id}{suffix}"
    from core.files import open_private

    with open_private(path, "wb") as handle:
        handle.write(upload.file.read(MAX_BODY))
    try:
        with ctx.store.session() as session:
            result = import_registry(session, path, dry_run=True)
            result.file = name
            ctx.audit(session, AuditAction.REGISTRY_PREVIEW, name)
    except RegistryError as exc:
        path.unlink(missing_ok=True)
        return ctx.render(
            "registry.html", 400, preview=None, upload=None, applied=None, error=f"{name}：{exc}"
        )
    for key, (_, old, _, at) in list(ctx.console.pending.items()):  # previews left unapplied for an hour
        if time.time() - at > 3600:
            ctx.console.pending.pop(key, None)
            old.unlink(missing_ok=True)
    ctx.console.pending[upload_id] = (ctx.user.id, path, name, time.time())
    preview = result.fates()
    for row in preview:  # the 业务领域 the scorecard will rank it under: registry > config > name
        if row["fate"] != "rejected":
            field = ctx.config.unit_field(row["unit"], row["field"] or None)
            row["field_label"] = field.label + ("" if row["field"] else "（按单位名称或配置）")
    return ctx.render(
        "registry.html",
        preview=preview,
        summary=result.lines()[0],
        error=None,
        upload=upload_id,
        filename=name,
        applied=None,
    )


@page
def registry_apply(ctx: Ctx) -> Response:
    if not ctx.scope.can_manage_registry:
        return ctx.forbidden("registry")
    assert ctx.form is not None
    pending = ctx.console.pending.pop(str(ctx.form.get("upload") or ""), None)
    if pending is None or pending[0] != ctx.user.id or not pending[1].exists():
        return ctx.render(
            "registry.html",
            400,
            preview=None,
            upload=None,
            applied=None,
            error="预览已失效，请重新上传 / the preview expired: upload again",
        )
    _, path, name, _ = pending
    try:
        with ctx.store.session() as session:
            result = import_registry(session, path)
            result.file = name
            ctx.audit(session, AuditAction.REGISTRY_IMPORT, name, result.lines()[0])
    finally:
        path.unlink(missing_ok=True)
    ctx.console.weeks.invalidate(past=True)
    return ctx.render("registry.html", preview=None, upload=None, error=None, applied=result.lines())


@page
def registry_export(ctx: Ctx) -> Response:
    if not ctx.scope.can_manage_registry:
        return ctx.forbidden("registry")
    path = ctx.console.uploads / f"export-{secrets.token_hex(8)}.xlsx"
    with ctx.store.session() as session:
        export_registry(session, path, None)  # type: ignore[arg-type]
        ctx.audit(session, AuditAction.REGISTRY_EXPORT)
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    stamp = utcnow().astimezone(ctx.config.tz).strftime("%Y%m%d")
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="govwatch-registry-{stamp}.xlsx"'},
    )


# --- reports archive ---------------------------------------------------------------------

REPORT_NAME = re.compile(r"^govwatch-\d{4}-W\d{2}-(overall|s\d{2}-[0-9a-f]{8})\.(html|xlsx)$")
WEEK_NAME = re.compile(r"^\d{4}-W\d{2}$")


def _report_files(ctx: Ctx) -> list[tuple[str, str, str]]:
    """(week, file name, whose) of the reports this user may open, newest week first."""
    from reporting.weekly import supervisor_slug

    root = ctx.config.resolve(ctx.config.report.out_dir)
    if ctx.user.role == Role.OFFICE:
        allowed = None
    elif ctx.user.role == Role.SUPERVISOR:
        index = supervisor_index(ctx.config, ctx.user.unit)
        allowed = {supervisor_slug(index, ctx.config.supervisors[index])} if index is not None else set()
    else:
        allowed = set()
    names = {f"s{i + 1:02d}": s.name for i, s in enumerate(ctx.config.supervisors)}
    out = []
    if not root.is_dir():
        return out
    for folder in sorted((p for p in root.iterdir() if p.is_dir() and WEEK_NAME.match(p.name)), reverse=True):
        for path in sorted(folder.iterdir()):
            match = REPORT_NAME.match(path.name)
            if not match or not path.is_file():
                continue
            slug = match.group(1)
            if allowed is not None and slug not in allowed:
                continue
            whose = "全部单位（总报告）" if slug == "overall" else names.get(slug[:3], slug)
            out.append((folder.name, path.name, whose))
    return out


@page
def reports_page(ctx: Ctx) -> Response:
    return ctx.render("reports.html", files=_report_files(ctx))


@page
def report_file(ctx: Ctx) -> Response:
    week, name = ctx.params["week"], ctx.params["name"]
    if (week, name) not in {(w, n) for w, n, _ in _report_files(ctx)}:
        return ctx.not_found()
    with ctx.store.session() as session:
        ctx.audit(session, AuditAction.REPORT_READ, f"{week}/{name}")
    path = ctx.config.resolve(ctx.config.report.out_dir) / week / name
    return FileResponse(path, filename=name if name.endswith(".xlsx") else None)


# --- audit log ---------------------------------------------------------------------------


@page
def audit_page(ctx: Ctx) -> Response:
    if not ctx.scope.can_read_audit:
        return ctx.forbidden("audit")
    with ctx.store.session() as session:
        rows = [
            {
                "at": ctx.console.fmt_time(e.at, "%Y-%m-%d %H:%M:%S"),
                "user": e.user_name or "—",
                "action": AuditAction.label_of(e.action),
                "target": e.target or "",
                "detail": e.detail or "",
                "address": e.address or "",
            }
            for e in db.audit_entries(session)
        ]
    return ctx.render("audit.html", rows=rows)


# --- the app -----------------------------------------------------------------------------


class SecurityHeaders:
    """Headers on every response, and a cap on request bodies."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > MAX_BODY:
                await HTMLResponse("文件过大 / request too large", 413)(scope, receive, send)
                return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.extend(
                    [
                        (b"content-security-policy", CSP.encode()),
                        (b"x-content-type-options", b"nosniff"),
                        (b"x-frame-options", b"DENY"),
                        (b"referrer-policy", b"same-origin"),
                        (b"cache-control", b"no-store"),
                    ]
                )
            await send(message)

        await self.app(scope, receive, with_headers)


def routes() -> list[BaseRoute]:
    from govwatch.web import api

    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/static/console.css", stylesheet, methods=["GET"]),
        Route("/", dashboard, methods=["GET"]),
        Route("/accounts", accounts_page, methods=["GET"]),
        Route("/accounts/{account_id}", account_page, methods=["GET"]),
        Route("/accounts/{account_id}/rescan", rescan_start, methods=["POST"]),
        Route("/findings", findings_page, methods=["GET"]),
        Route("/findings/{finding_id}/{action}", finding_action, methods=["POST"]),
        Route("/drafts", drafts_page, methods=["GET"]),
        Route("/drafts", draft_submit, methods=["POST"]),
        Route("/drafts/{draft_id}", draft_page, methods=["GET"]),
        Route("/registry", registry_page, methods=["GET"]),
        Route("/registry/preview", registry_preview, methods=["POST"]),
        Route("/registry/apply", registry_apply, methods=["POST"]),
        Route("/registry/export", registry_export, methods=["GET"]),
        Route("/reports", reports_page, methods=["GET"]),
        Route("/reports/{week}/{name}", report_file, methods=["GET"]),
        Route("/audit", audit_page, methods=["GET"]),
        *api.routes(),
    ]


# Routes anyone may open: the sign-in form, the stylesheet, the API's description.
PUBLIC = {("/login", "GET"), ("/login", "POST"), ("/static/console.css", "GET"), ("/api/openapi.json", "GET")}


def create_app(config: Config, store: Store | None = None) -> Starlette:
    app = Starlette(routes=routes(), middleware=[Middleware(SecurityHeaders)])
    app.state.console = Console(config, store)
    return app
