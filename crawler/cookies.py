"""Which hosts a platform's cookie may go to, and the one place that attaches it.

A platform's login cookie (the environment variable named by
``platforms.<name>.cookie_env``) goes only to hosts that belong to that platform:

- the domains the platform is known by (its declaration's ``domains`` in
  core/platforms.py: weibo.cn and weibo.com with their subdomains for Weibo,
  mp.weixin.qq.com for WeChat, ...);
- the host of its configured ``platforms.<name>.base_url`` (the sandbox, a mirror);
- the hosts and domains listed in ``platforms.<name>.cookie_domains``;
- for platforms that are an account's own site (website columns, RSS feeds, apps:
  declared ``own_site``), the host of the account's own URL, unless
  ``cookie_domains`` is set, which then says exactly where the cookie goes.

Every other host gets no cookie at all: an article link to another host, a feed
bridge (RSSHub, WeRSS) serving a platform's feed, a redirect or a
``<meta http-equiv=refresh>`` to another host. The rule is applied to each request
as it leaves, including the requests Scrapy's redirect middlewares make: those run
through the downloader middlewares again, so a hop to another host is judged as its
own request, whatever header the hop before it carried.

``PlatformCookies`` is the Scrapy downloader middleware (crawler/settings.py). It reads
``meta["platform"]`` and ``meta["site_url"]`` (set by AccountSpider.request), attaches
the configured cookie where the host belongs and removes any Cookie header, whoever set
it, where it does not; a request naming no platform carries no cookie. A Cookie header
another component set for a host of the request's platform (a visitor cookie, say) is
left as it is. Spiders never set Cookie themselves. The httpx probe of apps and service
links (crawler/probe.py) applies the same rule through ``httpx_cookie_hook``.

To teach govwatch a new host of a platform, add it to the platform's ``domains`` in
core/platforms.py (or, per deployment, to ``cookie_domains``); ``belongs`` is the one
question everything asks.

Settings: none of its own; it reads the crawl options (``GOVWATCH_OPTIONS``). Off with
``DOWNLOADER_MIDDLEWARES = {"crawler.cookies.PlatformCookies": None}`` (then no cookie is
sent at all).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from scrapy.crawler import Crawler
from scrapy.utils.httpobj import urlparse_cached

from core.platforms import declared

# Request meta keys the middleware reads.
PLATFORM_META = "platform"
SITE_META = "site_url"


def host_of(url: str | None) -> str:
    """The lower-case host name of ``url`` ('' when it has none)."""
    if not url:
        return ""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _within(host: str, domain: str) -> bool:
    domain = domain.lower().strip().rstrip(".").lstrip(".")
    return bool(domain) and (host == domain or host.endswith("." + domain))


def own_site(platform: str, url: str | None, feed_url: str | None) -> str | None:
    """The account's own URL, for the platforms whose accounts are their own site."""
    declaration = declared(platform)
    if declaration is None or not declaration.own_site:
        return None
    return url or feed_url


def belongs(host: str, platform: str, settings: Mapping[str, Any], site_url: str | None = None) -> bool:
    """Whether ``host`` is one of ``platform``'s own hosts (see the module's docstring).
    ``settings`` is the platform's config (``platforms.<name>``, as a mapping)."""
    host = host.lower().rstrip(".")
    if not host:
        return False
    configured = list(settings.get("cookie_domains") or ())
    declaration = declared(platform)
    known = declaration.domains if declaration else ()
    # A host matches a domain itself or any of its subdomains (m.weibo.cn, passport.weibo.cn ...).
    if any(_within(host, d) for d in (*known, *configured)):
        return True
    base = host_of(settings.get("base_url"))
    if base and host == base:
        return True
    own = declaration is not None and declaration.own_site
    return bool(own and not configured and site_url and host == host_of(site_url))


@dataclass(frozen=True)
class CookieRule:
    """The configured cookies of every platform and where each may go."""

    platforms: Mapping[str, Mapping[str, Any]]  # platforms.<name> as mappings (crawl options)
    cookies: Mapping[str, str]  # platform -> cookie value, for those with one set

    @classmethod
    def from_options(
        cls, platforms: Mapping[str, Mapping[str, Any]], environ: Mapping[str, str] | None = None
    ) -> CookieRule:
        env = os.environ if environ is None else environ
        cookies = {}
        for name, settings in platforms.items():
            variable = settings.get("cookie_env")
            value = env.get(variable) if variable else None
            if value:
                cookies[name] = value
        return cls(platforms, cookies)

    def cookie_for(self, url: str, platform: str | None, site_url: str | None = None) -> str | None:
        """The cookie a request to ``url`` for ``platform`` carries, or None."""
        if not platform or platform not in self.cookies:
            return None
        settings = self.platforms.get(platform) or {}
        return self.cookies[platform] if belongs(host_of(url), platform, settings, site_url) else None


class PlatformCookies:
    """Downloader middleware: each request carries its platform's cookie only to that platform's
    hosts, and no Cookie header at all anywhere else (module docstring)."""

    def __init__(self, rule: CookieRule) -> None:
        self.rule = rule

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PlatformCookies:
        raw = crawler.settings.get("GOVWATCH_OPTIONS") or {}
        options = json.loads(raw) if isinstance(raw, str) else dict(raw)
        return cls(CookieRule.from_options(options.get("platforms") or {}))

    def process_request(self, request, spider=None):  # noqa: ANN001, ANN201
        platform = request.meta.get(PLATFORM_META)
        site_url = request.meta.get(SITE_META)
        host = urlparse_cached(request).hostname or ""
        if not platform or not belongs(host, platform, self.rule.platforms.get(platform) or {}, site_url):
            request.headers.pop(b"Cookie", None)
            return None
        cookie = self.rule.cookies.get(platform)
        if cookie and b"Cookie" not in request.headers:
            request.headers[b"Cookie"] = cookie
        return None


def httpx_cookie_hook(rule: CookieRule) -> Callable[[httpx.Request], None]:
    """An httpx request hook applying the rule to every request a client sends, redirects
    included (httpx calls request hooks for each hop). The platform and the account's own URL
    ride in the request's extensions (``httpx_extensions``), which redirects keep."""

    def hook(request: httpx.Request) -> None:
        platform = request.extensions.get(PLATFORM_META)
        site_url = request.extensions.get(SITE_META)
        cookie = rule.cookie_for(str(request.url), platform, site_url)
        if cookie:
            request.headers["Cookie"] = cookie
        else:
            request.headers.pop("Cookie", None)

    return hook


def httpx_extensions(platform: str, site_url: str | None) -> dict[str, Any]:
    """The extensions that tell ``httpx_cookie_hook`` whose request this is."""
    return {PLATFORM_META: platform, SITE_META: site_url}
