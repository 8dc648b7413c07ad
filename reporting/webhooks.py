"""Group robots: DingTalk (signed), WeCom (企业微信) and Feishu (飞书) webhooks, over httpx.

Messages go as plain text (msgtype text): a crawled post quoted in an alert can
never turn into markup or a link in the group. DingTalk's 加签: the URL gets
``timestamp`` (ms) and ``sign`` = url-encoded base64 of HMAC-SHA256 over
"timestamp\\nsecret" keyed with the secret. Feishu's 签名校验: ``timestamp``
(s) and ``sign`` = base64 of HMAC-SHA256 keyed with "timestamp\\nsecret" over
an empty message, in the body. A robot answers HTTP 200 with an error code in
JSON; a non-zero code is a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from typing import Any

import httpx

from core.config import WebhookSettings


class WebhookError(Exception):
    def __init__(self, message: str, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The url-encoded `sign` parameter of a DingTalk signed webhook."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def request_for(hook: WebhookSettings, text: str, now: float | None = None) -> tuple[str, dict[str, Any]]:
    """(url, JSON body) for one text message to the robot."""
    url = hook.url()
    if not url:
        raise WebhookError(f"${hook.url_env} is empty: no webhook URL for {hook.kind}:{hook.name}", False)
    secret = hook.secret()
    now = time.time() if now is None else now
    if hook.kind == "dingtalk":
        if secret:
            ts = int(now * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={dingtalk_sign(secret, ts)}"
        return url, {"msgtype": "text", "text": {"content": text}}
    if hook.kind == "wecom":
        return url, {"msgtype": "text", "text": {"content": text}}
    body: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
    if secret:
        ts = int(now)
        body.update(timestamp=str(ts), sign=feishu_sign(secret, ts))
    return url, body


def post(hook: WebhookSettings, text: str, timeout: float, client: httpx.Client | None = None) -> None:
    """Send one message; raises WebhookError (temporary for 5xx, 429, network errors)."""
    url, body = request_for(hook, text)
    own = client is None
    client = client or httpx.Client(timeout=timeout, trust_env=False)
    try:
        response = client.post(url, json=body)
    except httpx.HTTPError as exc:
        raise WebhookError(f"{type(exc).__name__}: {exc}", True) from exc
    finally:
        if own:
            client.close()
    if response.status_code == 429 or response.status_code >= 500:
        raise WebhookError(f"HTTP {response.status_code}", True)
    if response.status_code >= 400:
        raise WebhookError(f"HTTP {response.status_code}: {response.text[:200]}", False)
    try:
        answer = response.json()
    except ValueError:
        raise WebhookError(f"not JSON: {response.text[:200]}", False) from None
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        # rate limits: DingTalk 130101, WeCom 45009, Feishu 11232/9499
        raise WebhookError(f"error {code}: {message}", code in (130101, 45009, 11232, 9499))
