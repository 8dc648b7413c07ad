"""The JSON API under /api/ for the office's other systems: bearer tokens (`govwatch users token
NAME`), the same scope as the user's pages (scope.py), no cookies (so no CSRF to forge).
Described by /api/openapi.json."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core.vocabulary import AuditAction, FindingState, Role
from govwatch.web import drafts as draft_checks
from govwatch.web.scope import Scope, scope_of
from storage import web as db
from storage.models import utcnow

PAGE_MAX = 1000


def _error(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="govwatch"'} if status == 401 else None
    return JSONResponse({"error": message}, status, headers=headers)


def endpoint(handler: Callable[..., Response]) -> Callable[[Request], Any]:
    """Bearer token → user → scope; 401 without a valid token. The handler runs in a worker thread."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        console = request.app.state.console
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "需要令牌 / bearer token required")
        body = None
        if request.method == "POST":
            try:
                body = json.loads(await request.body() or b"null")
            except ValueError:
                return _error(400, "请求体不是 JSON / the body is not JSON")

        def run() -> Response:
            with console.store.session() as session:
                user = db.user_of_api_token(session, token.strip(), utcnow())
                if user is None:
                    return _error(401, "令牌无效 / invalid token")
                scope = scope_of(user.role, user.unit, console.config)
                db.audit(
                    session,
                    AuditAction.API,
                    user.name,
                    f"{request.method} {request.url.path}",
                    address=request.client.host if request.client else None,
                )
                return handler(session, scope, request, body, user=user, console=console)

        return await run_in_threadpool(run)

    return wrapped


def _account(row: db.AccountRow) -> dict:
    return {
        "id": row.id,
        "unit": row.unit,
        "platform": row.platform,
        "name": row.name,
        "status": row.status,
        "closed": row.closed,
        "last_post_at": row.last_post_at.isoformat() if row.last_post_at else None,
        "posts_30d": row.posts_30d,
        "last_crawl_outcome": row.last_crawl_outcome,
        "open_findings": row.open_findings,
    }


def _finding(f: Any, account_name: str, unit: str) -> dict:
    """The API's finding object: its keys are a contract (OPENAPI's Finding; a test holds them)."""
    return {
        **db.finding_fields(f, account_name, unit),
        "first_seen": f.first_seen.isoformat(),
        "last_seen": f.last_seen.isoformat(),
    }


def _int(value: str | None, default: int, high: int) -> int:
    try:
        return max(0, min(high, int(value))) if value is not None else default
    except ValueError:
        return default


@endpoint
def accounts(session: Any, scope: Scope, request: Request, body: Any, **_: Any) -> Response:
    q = request.query_params
    unit = q.get("unit") or None
    if unit and not scope.covers(unit):
        return _error(403, "无权访问该单位 / not your unit")
    rows, total = db.account_rows(
        session,
        scope.units,
        unit=unit,
        platform=q.get("platform") or None,
        status=q.get("status") or None,
        category=q.get("category") or None,
        limit=_int(q.get("limit"), 100, PAGE_MAX),
        offset=_int(q.get("offset"), 0, 10**9),
    )
    return JSONResponse({"total": total, "accounts": [_account(r) for r in rows]})


@endpoint
def account(session: Any, scope: Scope, request: Request, body: Any, **_: Any) -> Response:
    account_id = request.path_params["account_id"]
    unit = db.account_unit(session, account_id)
    if unit is None:
        return _error(404, "没有该帐号 / no such account")
    if not scope.covers(unit):
        return _error(403, "无权访问该帐号 / not your unit's account")
    [row] = db.account_rows_by_id(session, [account_id])
    findings = db.findings_of(session, scope.units, account_id=account_id)
    return JSONResponse(dict(_account(row), findings=[_finding(*f) for f in findings]))


@endpoint
def findings(session: Any, scope: Scope, request: Request, body: Any, **_: Any) -> Response:
    q = request.query_params
    status = q.get("status") or FindingState.OPEN.value
    if status not in [s.value for s in FindingState] and status != "all":
        return _error(400, f"status must be one of {', '.join(s.value for s in FindingState)}, all")
    rows = db.findings_of(
        session,
        scope.units,
        account_id=q.get("account_id") or None,
        status=None if status == "all" else status,
        category=q.get("category") or None,
        limit=_int(q.get("limit"), 500, PAGE_MAX * 10),
    )
    return JSONResponse({"findings": [_finding(*f) for f in rows]})


@endpoint
def drafts_check(
    session: Any, scope: Scope, request: Request, body: Any, *, user: Any, console: Any
) -> Response:
    if not scope.can_check_drafts:
        return _error(403, "只读用户不能预审稿件 / viewers cannot check drafts")
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return _error(
            400, '请求体应为 {"text": "...", "title": "..."} / expected {"text": ..., "title": ...}'
        )
    try:
        text = draft_checks.clean(body["text"])
    except draft_checks.DraftError as exc:
        return _error(400, str(exc))
    unit = (
        user.unit
        if user.role in (Role.EDITOR, Role.VIEWER)
        else (body.get("unit") if isinstance(body.get("unit"), str) else None)
    )
    result = draft_checks.check(console.config, text, unit)
    title = body.get("title") if isinstance(body.get("title"), str) else None
    db.add_draft(session, user, unit, title or draft_checks.title_of(result.text), result.text, result.stored)
    return JSONResponse(
        {"unit": unit, "text": result.text, "findings": [f.to_json() for f in result.findings]}
    )


async def openapi(request: Request) -> Response:
    return JSONResponse(OPENAPI)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/openapi.json", openapi, methods=["GET"]),
        Route("/api/accounts", accounts, methods=["GET"]),
        Route("/api/accounts/{account_id}", account, methods=["GET"]),
        Route("/api/findings", findings, methods=["GET"]),
        Route("/api/drafts/check", drafts_check, methods=["POST"]),
    ]


_ERR = {
    "description": "error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_COMMON = {"401": _ERR, "403": _ERR}
OPENAPI: dict = {
    "openapi": "3.0.3",
    "info": {
        "title": "govwatch API",
        "version": "1",
        "description": "政务新媒体监测的数据接口：帐号、问题、稿件预审。Bearer 令牌由 `govwatch users token NAME` 生成；"
        "每个令牌只能看到其用户可见的单位。",
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
            "Account": {
                "type": "object",
                "properties": {
                    k: {"type": t}
                    for k, t in {
                        "id": "string",
                        "unit": "string",
                        "platform": "string",
                        "name": "string",
                        "status": "string",
                        "closed": "boolean",
                        "last_post_at": "string",
                        "posts_30d": "integer",
                        "last_crawl_outcome": "string",
                        "open_findings": "integer",
                    }.items()
                },
            },
            "Finding": {
                "type": "object",
                "properties": {
                    k: {"type": t}
                    for k, t in {
                        "id": "integer",
                        "account_id": "string",
                        "account_name": "string",
                        "unit": "string",
                        "category": "string",
                        "rule": "string",
                        "severity": "string",
                        "evidence": "string",
                        "status": "string",
                        "first_seen": "string",
                        "last_seen": "string",
                    }.items()
                },
            },
        },
    },
    "security": [{"bearer": []}],
    "paths": {
        "/api/accounts": {
            "get": {
                "summary": "帐号列表 / accounts the token's user may see",
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": "string"}}
                    for n in ("unit", "platform", "status", "category", "limit", "offset")
                ],
                "responses": {
                    "200": {
                        "description": "accounts",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "total": {"type": "integer"},
                                        "accounts": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Account"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    **_COMMON,
                },
            }
        },
        "/api/accounts/{account_id}": {
            "get": {
                "summary": "一个帐号及其问题 / one account with its findings",
                "parameters": [
                    {"name": "account_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "account"}, "404": _ERR, **_COMMON},
            }
        },
        "/api/findings": {
            "get": {
                "summary": "问题列表 / findings",
                "parameters": [
                    {"name": n, "in": "query", "schema": {"type": "string"}}
                    for n in ("status", "account_id", "category", "limit")
                ],
                "responses": {
                    "200": {
                        "description": "findings",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "findings": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Finding"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    **_COMMON,
                },
            }
        },
        "/api/drafts/check": {
            "post": {
                "summary": "稿件预审（先审后发）/ check a draft, as `govwatch check`",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["text"],
                                "properties": {
                                    "text": {"type": "string"},
                                    "title": {"type": "string"},
                                    "unit": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "the findings (CONTRACT.md's finding objects)"},
                    "400": _ERR,
                    **_COMMON,
                },
            }
        },
    },
}
