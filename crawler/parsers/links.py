"""What one fetch of a link published in a post saw: works, dead, harmful, commercial, or nothing
said (pure: the fetch is crawler/links.py's, the lists are core/links.py's).

Dead: 404 or 410, a host that does not resolve, a connection the target refused, or a parked or
expired domain's holding page (known by the phrases such pages show, as a class). Harmful: the
link or a hop of its redirects lands on a gambling or adult host, or on a page with two of their
words. Commercial: it lands outside the allow-list on a shop domain, a host named as a shop, or a
page with two shop words. A timeout, another error or a 5xx/403 says nothing (unknown).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from core import links as L
from core.vocabulary import LinkVerdict

DNS, REFUSED, TIMEOUT, OTHER = "dns", "refused", "timeout", "other"
PRIVATE = "private"  # not fetched: an address of this machine or a private network


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int | None = None
    final_url: str | None = None
    hops: tuple[str, ...] = field(default_factory=tuple)  # every URL visited, the link first
    head: str = ""  # the start of the final page's text
    error: str | None = None  # DNS | REFUSED | TIMEOUT | OTHER
    error_text: str = ""

    @property
    def connection_failed(self) -> bool:
        """No answer at all: the failure our own outage looks like."""
        return self.error in (DNS, REFUSED, TIMEOUT)


def private_host(host: str) -> bool:
    """``localhost`` or an IP literal of this machine, a private or link-local network."""
    host = host.rstrip(".")  # "localhost." is localhost
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def _harmful_host(host: str) -> str | None:
    words = L.host_words(host)
    if words & L.GAMBLING_HOST_WORDS:
        return "赌博"
    if words & L.ADULT_HOST_WORDS:
        return "色情"
    return None


def _shop_host(host: str) -> bool:
    return L.in_domains(host, L.SHOP_DOMAINS) or bool(L.host_words(host) & L.SHOP_HOST_WORDS)


def classify(fetched: Fetched, allow: tuple[str, ...] | list[str]) -> tuple[LinkVerdict, str]:
    """The verdict of one fetch and what it saw, in words a supervisor reads."""
    if fetched.error == DNS:
        return LinkVerdict.DEAD, "域名无法解析（域名不存在或已失效）"
    if fetched.error == REFUSED:
        return LinkVerdict.DEAD, "目标网站拒绝连接"
    if fetched.error == PRIVATE:
        return LinkVerdict.UNKNOWN, "本机或内网地址，未检测（links.allow_private）"
    if fetched.error == TIMEOUT:
        return LinkVerdict.UNKNOWN, "连接超时，未能判断"
    if fetched.error:
        return LinkVerdict.UNKNOWN, f"检测出错：{fetched.error_text[:200]}"
    hops = fetched.hops or (fetched.url,)
    final = fetched.final_url or fetched.url
    final_host = L.host_of(final)
    for n, hop in enumerate((*hops, final)):
        host = L.host_of(hop)
        kind = None if L.in_domains(host, allow) else _harmful_host(host)
        if kind:
            return LinkVerdict.HARMFUL, f"{'指向' if n == 0 else '跳转至'}{kind}网站 {host}"
    if fetched.status in (404, 410):
        return LinkVerdict.DEAD, f"页面不存在（HTTP {fetched.status}）"
    if fetched.status is None or fetched.status >= 400:
        return LinkVerdict.UNKNOWN, f"HTTP {fetched.status}，未能判断"
    allowed = L.in_domains(final_host, allow)
    if not allowed:
        gambling = L.markers_in(fetched.head, L.GAMBLING_MARKERS)
        adult = L.markers_in(fetched.head, L.ADULT_MARKERS)
        if len(gambling) >= 2 or len(adult) >= 2:
            words = "、".join((gambling if len(gambling) >= 2 else adult)[:3])
            return (
                LinkVerdict.HARMFUL,
                f"页面为{'赌博' if len(gambling) >= 2 else '色情'}内容（{words}）：{final_host}",
            )
        parked = L.markers_in(fetched.head, L.PARKED_MARKERS)
        if parked:
            return LinkVerdict.DEAD, f"域名已过期或停放待售（页面显示“{parked[0]}”）：{final_host}"
        shop = L.markers_in(fetched.head, L.SHOP_MARKERS)
        if _shop_host(final_host) or len(shop) >= 2:
            moved = "跳转至" if final_host != L.host_of(fetched.url) else "指向"
            seen = f"（页面显示{'、'.join(shop[:3])}）" if shop else ""
            return LinkVerdict.COMMERCIAL, f"{moved}商业网站 {final_host}{seen}，不在政府和权威网站白名单内"
    return LinkVerdict.OK, f"正常（HTTP {fetched.status}）"
