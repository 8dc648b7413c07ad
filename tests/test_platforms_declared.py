"""Every platform is declared once (core/platforms.py) and every consumer reads that declaration:
config validation, the crawler's spider choice and prober, the cookie rule, the feed parser,
the registry importer and the report's labels. A platform added to the table is accepted,
crawled, imported and labelled with no other edit."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest
import yaml

from core import platforms
from core.config import AccountConfig, ConfigError, load_config
from core.platforms import Platform
from crawler.cookies import belongs
from crawler.parsers import feed
from crawler.planning import CrawlJob, crawl_jobs
from crawler.probe import wants_probe
from crawler.run import no_spider_detail, spider_for
from crawler.spiders.base import AccountSpider
from crawler.spiders.feed import FeedSpider
from reporting import labels
from storage.db import open_store
from storage.registry import import_registry, parse_platform, read_registry, registry_rows

ROOT = Path(__file__).resolve().parent.parent

# A platform govwatch does not know today, read through a feed bridge like Douyin.
WEISHI = Platform(
    "weishi",
    "微视",
    ("腾讯微视", "微视号"),
    needs=("feed_url", "url"),
    needs_said="feed_url (or url)",
    spiders=("crawler.spiders.feed.FeedSpider",),
    domains=("weishi.qq.com",),
    media="video",
)
# And one that offices list but govwatch does not read.
WEWORK = Platform("wework", "企业微信", ("企业微信号",), monitored=False)


def job(platform: str, kind: str = "publish", **fields: str | None) -> CrawlJob:
    values = {"handle": None, "url": None, "feed_url": None, **fields}
    return CrawlJob(
        account_id=f"{platform}-1",
        platform=platform,
        kind=kind,
        known_ids=frozenset(),
        newest_at=None,
        needs_profile=False,
        **values,
    )


def full_job(platform: str, kind: str = "publish") -> CrawlJob:
    """An account with every field a registry can give it."""
    return job(
        platform,
        kind,
        handle="1234567890",
        url="https://weibo.com/u/1234567890",
        feed_url="http://127.0.0.1:1200/feed/1234567890",
    )


def write_config(path: Path, accounts: list[dict], platform_settings: dict | None = None) -> Path:
    path.write_text(
        yaml.safe_dump(
            {"database": "sqlite:///govwatch.db", "platforms": platform_settings or {}, "accounts": accounts},
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return path


def write_registry(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["责任主体", "平台", "账号名称", "链接地址"])
        writer.writerows(rows)
    return path


# --- one declaration per platform the config accepts ---------------------------------


def test_every_accepted_platform_has_exactly_one_declaration():
    codes = [p.code for p in platforms.TABLE]
    assert len(codes) == len(set(codes))
    assert platforms.account_codes() == tuple(codes)
    for code in codes:
        assert AccountConfig(id="a", unit="u", name="n", platform=code, **_readable(code)).platform == code
    with pytest.raises(ValueError, match="weixin"):
        AccountConfig(id="a", unit="u", name="n", platform="weixin", url="https://x.example/")


def _readable(code: str) -> dict[str, str]:
    return {field: "https://x.example/1234567890" for field in platforms.declared(code).needs[:1]}


def test_no_name_people_write_points_to_two_platforms():
    seen: dict[str, str] = {}
    for p in platforms.TABLE:
        for name in {p.code, p.name_zh, p.registry_label, *p.aliases}:
            assert seen.setdefault(name.lower(), p.code) == p.code, (
                f"{name} names {seen[name.lower()]} and {p.code}"
            )


@pytest.mark.parametrize("platform", platforms.TABLE, ids=lambda p: p.code)
def test_every_consumer_reads_each_declaration(platform: Platform):
    code = platform.code
    # The report, alerts and exports show its Chinese name; the registry reads every way it is written.
    assert labels.platform_label(code) == platform.name_zh != code
    for name in (code, platform.name_zh, platform.registry_label, *platform.aliases):
        assert parse_platform(f" {name} ") == code
    # Its spiders exist and are what the crawler hands its accounts to.
    for path in platform.spiders:
        module, name = path.rsplit(".", 1)
        spider = getattr(__import__(module, fromlist=[name]), name)
        assert issubclass(spider, AccountSpider)
    if not platform.monitored:
        assert spider_for(full_job(code)) is None and not wants_probe(full_job(code))
        assert code not in platforms.monitored_codes()
        return
    assert code in platforms.monitored_codes()
    readable = full_job(code)
    assert spider_for(readable) is not None or wants_probe(readable), code
    if spider_for(readable) is not None:
        assert f"{spider_for(readable).__module__}.{spider_for(readable).__name__}" in platform.spiders
    for kind in platform.probed_kinds:
        assert spider_for(full_job(code, kind)) is None and wants_probe(full_job(code, kind))
    # An account without the fields it needs is refused by the config, and left unread with the
    # platform's own words when it reaches a crawl.
    if platform.needs:
        with pytest.raises(ValueError, match=f"a {code} account needs"):
            AccountConfig(id="a", unit="u", name="n", platform=code)
    bare = job(code)
    assert spider_for(bare) is None and not wants_probe(bare)
    assert no_spider_detail(bare) == platform.lacks_zh
    # Its own domains get its cookie; another platform's do not.
    for domain in platform.domains:
        assert belongs(f"www.{domain}", code, {})
        assert not any(belongs(domain, other, {}) for other in platforms.account_codes() if other != code)


def test_config_fills_each_declared_default_base_url(tmp_path: Path):
    config = load_config(write_config(tmp_path / "config.yaml", []))
    for p in platforms.TABLE:
        if p.monitored:
            assert config.platform(p.code).base_url == p.base_url


def test_platform_only_options_follow_the_declaration(tmp_path: Path):
    for p in platforms.TABLE:
        for option in p.options:
            others = [o for o in platforms.monitored_codes() if o != p.code]
            value = False if option == "fetch_articles" else "https://elsewhere.example"
            load_config(write_config(tmp_path / "ok.yaml", [], {p.code: {option: value}}))
            with pytest.raises(ConfigError, match=f"{others[0]}.{option}: only {p.code}"):
                load_config(write_config(tmp_path / "bad.yaml", [], {others[0]: {option: value}}))


def test_article_rereads_and_feed_media_follow_the_declaration():
    """The two questions once answered by two different ARTICLE_PLATFORMS: does the spider read
    each post's page (website, WeChat), and is a feed entry an article or a video."""
    entry = {"id": "1", "title": "标题", "summary": "正文", "link": "https://x.example/1"}
    for p in platforms.TABLE:
        post = feed.parse_entry("a", entry, p.code)
        assert post is not None and post.media == (p.media or "text")
    assert {p.code for p in platforms.TABLE if p.reads_articles} == {"website", "wechat"}


# --- a new declaration reaches every consumer with no other edit ----------------------


@pytest.fixture
def new_platforms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platforms, "TABLE", (*platforms.TABLE, WEISHI, WEWORK))


@pytest.mark.usefixtures("new_platforms")
def test_a_new_declaration_is_accepted_by_config_validation(tmp_path: Path):
    account = {"id": "ws-1", "unit": "旗融媒体中心", "platform": "weishi", "name": "青川微视"}
    config = load_config(
        write_config(
            tmp_path / "config.yaml",
            [
                {**account, "feed_url": "http://127.0.0.1:1200/weishi/1"},
                {**account, "id": "ww-1", "platform": "wework"},
            ],
            {"weishi": {"delay_s": 0}},
        )
    )
    assert [a.platform for a in config.accounts] == ["weishi", "wework"]
    with pytest.raises(ConfigError, match="needs feed_url"):
        load_config(write_config(tmp_path / "bad.yaml", [account]))
    with pytest.raises(ConfigError, match="unknown platform 'wework'"):
        load_config(write_config(tmp_path / "bad.yaml", [], {"wework": {"delay_s": 0}}))


@pytest.mark.usefixtures("new_platforms")
def test_a_new_declaration_is_crawled_by_its_spider_with_its_cookie_and_media():
    weishi = job("weishi", feed_url="http://127.0.0.1:1200/weishi/1")
    assert spider_for(weishi) is FeedSpider
    assert belongs("h5.weishi.qq.com", "weishi", {}) and not belongs("h5.weishi.qq.com", "douyin", {})
    post = feed.parse_entry("a", {"id": "1", "title": "t", "link": "https://h5.weishi.qq.com/1"}, "weishi")
    assert post is not None and post.media == "video"
    assert spider_for(full_job("wework")) is None and not wants_probe(full_job("wework"))


@pytest.mark.usefixtures("new_platforms")
def test_a_new_declaration_is_imported_listed_and_labelled(tmp_path: Path, store_url: str):
    path = write_registry(
        tmp_path / "台账.csv",
        [
            ("旗融媒体中心", "腾讯微视", "青川微视", "https://h5.weishi.qq.com/u/1"),
            ("旗融媒体中心", "企业微信号（服务）", "青川企业微信", ""),
        ],
    )
    read = read_registry(path)
    assert read.rejected == [] and read.warnings == []  # an unmonitored account needs no link
    assert [r["platform"] for r in read.records] == ["weishi", "wework"]
    store = open_store(store_url)
    try:
        with store.session() as session:
            import_registry(session, path)
        with store.session() as session:
            rows = {r["platform"]: r for r in registry_rows(session)}
            assert rows["weishi"]["platform_label"] == "微视"
            assert (
                rows["wework"]["platform_label"] == "企业微信" and rows["wework"]["status"] == "unmonitored"
            )
            assert [j.platform for j in crawl_jobs(session, history=False)] == ["weishi"]
    finally:
        store.dispose()
    assert labels.platform_label("weishi") == "微视" and labels.platform_label("wework") == "企业微信"


# --- no other copy --------------------------------------------------------------------


def test_no_module_lists_platforms_but_the_declarations():
    """A tuple, list, set or dict naming two platforms or more is a copy of the table."""
    codes = set(platforms.account_codes())
    copies = []
    for package in ("core", "crawler", "storage", "analysis", "reporting", "govwatch"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "core" / "platforms.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                    items = node.keys if isinstance(node, ast.Dict) else node.elts
                    named = {i.value for i in items if isinstance(i, ast.Constant) and i.value in codes}
                    if len(named) >= 2:
                        copies.append(f"{path.relative_to(ROOT)}:{node.lineno} {sorted(named)}")
    assert copies == []
