"""The baseline of the crawl benchmark: a bare Scrapy spider that fetches a list of URLs with the
same per-platform concurrency as govwatch and parses nothing.

    python -m bench.bare_spider URLS_FILE CONCURRENCY
"""

from __future__ import annotations

import sys
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess


def slot_of(url: str) -> str:
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    return path.split("/")[1] if path.startswith("rsshub/") else "weibo"


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kw) -> None:  # noqa: ANN003
        super().__init__(**kw)
        self.urls = urls

    async def start(self):  # noqa: ANN201
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True, meta={"download_slot": slot_of(url)})

    def parse(self, response):  # noqa: ANN001, ANN201
        return None


def main() -> None:
    urls = [
        line.strip() for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    concurrency = int(sys.argv[2])
    slots = {name: {"concurrency": concurrency, "delay": 0} for name in {slot_of(u) for u in urls}}
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": False,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
            "DOWNLOAD_DELAY": 0,
            "DOWNLOAD_SLOTS": slots,
            "HTTPERROR_ALLOW_ALL": True,
            "RETRY_ENABLED": False,
            "REDIRECT_ENABLED": False,
        }
    )
    process.crawl(BareSpider, urls=urls)
    process.start()


if __name__ == "__main__":
    main()
