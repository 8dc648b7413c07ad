"""Scrapy settings for govwatch. Per-platform politeness comes from config.yaml
(crawler.run.scrapy_settings builds DOWNLOAD_SLOTS from it); these are the
defaults that hold for every platform."""

BOT_NAME = "govwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Public pages of public accounts, read as a browser would read them; politeness is
# per platform (DOWNLOAD_SLOTS keyed by platform name), not per host.
ROBOTSTXT_OBEY = False
# No cookie jar: a platform's cookie comes from the environment and is attached only to that
# platform's hosts by crawler.cookies.PlatformCookies; nothing a site sets is kept or replayed.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 32
# Scrapy hands a callback's output to CONCURRENT_ITEMS asyncio tasks (default 100), made anew
# for every response; the pipeline is synchronous, so they only cost (a quarter of the crawl's
# CPU on the sandbox; BENCHMARKS.md "Crawl throughput"). One keeps the order the callback yields.
CONCURRENT_ITEMS = 1
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 20
RETRY_ENABLED = True
RETRY_TIMES = 2
# 418/403/432 are blocks, not transient: retrying them only deepens the block.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_ENABLED = True
HTTPERROR_ALLOW_ALL = True  # callbacks see every status and classify it (crawler.parsers.blocks)
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "WARNING"
LOG_INSTALL_ROOT_HANDLER = False  # the govwatch command owns logging

ITEM_PIPELINES = {"crawler.pipelines.StoragePipeline": 300}
# Scrapy's bookkeeping that govwatch never reads, off (11% of the crawl's CPU on the sandbox,
# BENCHMARKS.md "Crawl throughput"): request/response/item statistics and the per-minute
# "Crawled N pages" line (both shown only at -v; every account's requests and outcome are
# stored by govwatch itself), the memory poll without a limit, request depth (no DEPTH_LIMIT),
# the meta-copy debugging warning and the offsite filter (spiders set no allowed_domains).
# The stats collector itself stays: spiders report a failed start through it.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SkipRefusedAccounts": 50,  # first: a skipped request is never counted
    # After every middleware that may touch headers (redirects, proxies): it decides the Cookie
    # header of each request by its host; only the Weibo visitor passage below adds to it, and only
    # on Weibo's own hosts.
    "crawler.cookies.PlatformCookies": 800,
    "crawler.weibo_visitor.WeiboVisitor": 900,  # Weibo's visitor passage; a login cookie only where refused
    "crawler.middlewares.AccountRequestCounter": 950,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
EXTENSIONS = {
    "crawler.extensions.Progress": 500,
    "scrapy.extensions.corestats.CoreStats": None,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.memusage.MemoryUsage": None,
}
