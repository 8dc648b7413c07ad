"""The curated lists the link check reads (crawler/parsers/links.py): which domains are government
or authoritative (never commercial), which are shops, gambling or adult sites, and the words a
parked domain's page, a shop, a gambling or an adult page shows.

Sources, so the lists can be checked and kept up: the allow-list is the State Council's and the
central news organisations' own domains (www.gov.cn's 链接 page, the 中央重点新闻网站 list of the
Cyberspace Administration) plus the platforms govwatch monitors (core/platforms.py); the shop
domains are China's large online retail platforms as named in the Ministry of Commerce's
网络零售 reports; the gambling and adult words are those the 2019 indicators' 通报 and the
provinces' quarterly checks cite for 链接被劫持 (domains of 博彩/色情 sites), matched as whole
parts of a host name (``casino`` in ``best-casino.example``, never inside ``essex.ac.uk``); the
parked-page phrases are those of the big registrars' and parking services' holding pages.

An office extends the allow-list in config.yaml (``links.allow_domains``); the lists here are
matched on whole labels: ``gov.cn`` covers ``www.beijing.gov.cn`` but not ``notgov.cn``.
"""

from __future__ import annotations

import re

# Government and authoritative domains: a working link to these is never commercial.
DEFAULT_ALLOW_DOMAINS: tuple[str, ...] = (
    "gov.cn",
    "people.com.cn",
    "people.cn",
    "xinhuanet.com",
    "news.cn",
    "cctv.com",
    "cctv.cn",
    "cntv.cn",
    "chinadaily.com.cn",
    "cnr.cn",
    "gmw.cn",
    "ce.cn",
    "china.com.cn",
    "chinanews.com.cn",
    "youth.cn",
    "qstheory.cn",
    "12371.cn",
    "cyol.com",
    "edu.cn",
    "org.cn",
    # the platforms' own hosts: a link to another account's post
    "weixin.qq.com",
    "weibo.com",
    "weibo.cn",
    "douyin.com",
    "toutiao.com",
    "bilibili.com",
    "kuaishou.com",
)

# Online shops (the large retail platforms and shop builders).
SHOP_DOMAINS: tuple[str, ...] = (
    "taobao.com",
    "tmall.com",
    "jd.com",
    "3.cn",
    "pinduoduo.com",
    "yangkeduo.com",
    "1688.com",
    "vip.com",
    "suning.com",
    "dangdang.com",
    "youzan.com",
    "weidian.com",
    "koudaitong.com",
    "kwaixiaodian.com",
    "jinritemai.com",
)
# Whole parts of a host name ("mall-shop.example", "shop.xyz.com") that name a shop.
SHOP_HOST_WORDS: frozenset[str] = frozenset({"shop", "shops", "mall", "store", "buy", "goumai", "shangcheng"})

GAMBLING_HOST_WORDS: frozenset[str] = frozenset(
    {
        "casino",
        "bet365",
        "365bet",
        "bocai",
        "duchang",
        "baijiale",
        "baccarat",
        "xpj",
        "amdc",
        "poker",
        "betting",
    }
)
ADULT_HOST_WORDS: frozenset[str] = frozenset({"porn", "xxx", "sex", "xvideos", "pornhub", "seqing", "avav"})

# Page words: two different ones are needed (one may be a news story about the thing).
PARKED_MARKERS: tuple[str, ...] = (
    "domain may be for sale",
    "domain is for sale",
    "buy this domain",
    "this domain has expired",
    "domain has expired",
    "domain parking",
    "parked free",
    "sedoparking",
    "parkingcrew",
    "bodis.com",
    "hugedomains",
    "afternic",
    "该域名正在出售",
    "此域名可出售",
    "域名出售",
    "域名转让",
    "域名已过期",
    "域名已到期",
    "域名停放",
)
SHOP_MARKERS: tuple[str, ...] = (
    "加入购物车",
    "立即购买",
    "购物车",
    "立即下单",
    "包邮",
    "店铺",
    "add to cart",
    "buy now",
)
GAMBLING_MARKERS: tuple[str, ...] = (
    "真人荷官",
    "百家乐",
    "娱乐城",
    "澳门赌场",
    "线上赌场",
    "博彩",
    "体育投注",
    "首存送",
    "彩金",
    "老虎机",
)
ADULT_MARKERS: tuple[str, ...] = ("成人视频", "成人影片", "无码", "在线av", "av在线", "情色", "裸聊")

_LABEL_SPLIT = re.compile(r"[.\-_]+")


def host_words(host: str) -> set[str]:
    """The whole parts of a host name: ``best-casino.example.com`` -> {best, casino, example, com}."""
    return {w for w in _LABEL_SPLIT.split(host.lower()) if w}


def in_domains(host: str, domains: tuple[str, ...] | list[str] | frozenset[str]) -> bool:
    """``host`` is one of ``domains`` or under one of them (label by label)."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (x.lower().strip(".") for x in domains))


def markers_in(text: str, markers: tuple[str, ...]) -> list[str]:
    lowered = text.lower()
    return [m for m in markers if m.lower() in lowered]


# --- links in a post's text ---------------------------------------------------------------

# A URL as posts write it: http(s)://… or www.… up to a space, a quote, an angle bracket or
# Chinese punctuation; trailing ASCII punctuation belongs to the sentence, not the link.
_URL = re.compile(r"(?:https?://|(?<![A-Za-z0-9.@/])www\.)[^\s<>\"'，。、；！？（）【】《》「」“”‘’]+", re.I)
_TRAILING = ".,;:!?)]}'\""


def normalise_url(url: str) -> str | None:
    """One spelling per link: lower-case scheme and host, no default port, no fragment, "/" for
    an empty path. None for what is not an http(s) link with a host."""
    from urllib.parse import urlsplit, urlunsplit

    url = url.strip()
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host or "." not in host and host != "localhost":
        return None
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def extract_links(*texts: str | None) -> list[str]:
    """The distinct links written in ``texts`` (a post's text, title, reposted original), normalised,
    in order of first appearance."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _URL.finditer(text or ""):
            link = normalise_url(match.group(0).rstrip(_TRAILING))
            if link:
                found.setdefault(link, None)
    return list(found)


def post_links(stored: tuple[str, ...] | list[str] | None, *texts: str | None) -> list[str]:
    """A post's distinct links: those written in its ``texts`` (extract_links), then those its page
    gave behind anchors (``stored``, posts.links), each spelled once by normalise_url."""
    found = dict.fromkeys(extract_links(*texts))
    for url in stored or ():
        link = normalise_url(url) if isinstance(url, str) else None
        if link:
            found.setdefault(link, None)
    return list(found)


def host_of(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
