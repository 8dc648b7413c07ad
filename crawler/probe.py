"""Probe apps and service accounts with httpx, outside Scrapy.

Why not a spider: a probe is one or two requests whose answer is in the status
and headers; an APK can weigh 100 MB and httpx lets us stream a GET and stop
after the first bytes, where Scrapy would download the whole file (or fail at
DOWNLOAD_MAXSIZE and call a working app an error). HEAD first; GET when HEAD is
refused (405/501, some CDNs 403/404 HEAD only) or says nothing useful.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx

from core.config import Config
from core.items import ERROR, OutcomeItem
from core.platforms import declared, monitored_codes
from crawler.cookies import CookieRule, httpx_cookie_hook, httpx_extensions, own_site
from crawler.parsers.app import Probe, classify
from crawler.planning import CrawlJob

log = logging.getLogger(__name__)
HEAD_BYTES = 4096


def wants_probe(job: CrawlJob) -> bool:
    """Whether the account is checked by a probe of its url: its platform probes accounts of its
    kind (core/platforms.py: apps, websites' service links) and it has a url."""
    platform = declared(job.platform)
    return bool(job.url) and platform is not None and job.kind in platform.probed_kinds


def _probe_from(response: httpx.Response, url: str, head: str = "") -> Probe:
    length = response.headers.get("content-length")
    return Probe(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        content_type=response.headers.get("content-type", ""),
        content_length=int(length) if length and length.isdigit() else None,
        content_disposition=response.headers.get("content-disposition", ""),
        head=head,
        redirects=len(response.history),
    )


def probe_one(client: httpx.Client, job: CrawlJob) -> tuple[OutcomeItem, int]:
    """The outcome of one account's probe, and the number of requests made."""
    started = datetime.now(UTC)
    url = job.url or ""
    requests = 0
    whose = httpx_extensions(job.platform, own_site(job.platform, job.url, job.feed_url))
    no_answer = False
    try:
        requests += 1
        head = client.head(url, extensions=whose)
        probe = _probe_from(head, url)
        need_get = (
            head.status_code in (400, 403, 404, 405, 501)
            or (
                head.status_code < 300
                and probe.content_type.split(";")[0].strip().lower().startswith("text/")
            )
            or (head.status_code < 300 and not probe.content_type)
        )
        if need_get:
            requests += 1
            with client.stream("GET", url, extensions=whose) as response:
                chunk = b""
                for part in response.iter_bytes():
                    chunk += part
                    if len(chunk) >= HEAD_BYTES:
                        break
                probe = _probe_from(response, url, chunk[:HEAD_BYTES].decode("utf-8", "replace"))
        outcome, detail = classify(probe, platform=job.platform)
        status = probe.status
        final = probe.final_url
    except httpx.HTTPError as exc:
        outcome, detail, status, final = ERROR, f"无法连接（{type(exc).__name__}: {exc}）：{url}", None, url
        no_answer = isinstance(exc, httpx.ConnectError | httpx.TimeoutException)
    item = OutcomeItem(
        account_id=job.account_id,
        outcome=outcome,
        detail=detail,
        http_status=status,
        url=final,
        pages=0,
        complete=outcome == "ok",
        started_at=started,
        finished_at=datetime.now(UTC),
        connection_failed=no_answer,
    )
    return item, requests


def probe_accounts(config: Config, jobs: Sequence[CrawlJob]) -> list[tuple[OutcomeItem, int]]:
    """Probe each job. A job's platform cookie goes only to that platform's hosts, the hops of a
    redirect included (crawler/cookies.py)."""
    if not jobs:
        return []
    settings = config.platform("app")
    rule = CookieRule.from_options({name: config.platform(name).model_dump() for name in monitored_codes()})
    with (
        httpx.Client(
            follow_redirects=True,
            timeout=settings.timeout_s,
            headers={"User-Agent": config.crawl.user_agent},
            max_redirects=10,
            event_hooks={"request": [httpx_cookie_hook(rule)]},
        ) as client,
        ThreadPoolExecutor(max_workers=settings.concurrency) as pool,
    ):
        return list(pool.map(lambda job: probe_one(client, job), jobs))
