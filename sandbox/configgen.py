"""config.yaml for running govwatch against the sandbox (`python -m sandbox config`)."""

from __future__ import annotations

from typing import Any

import yaml

from sandbox.world import BAOLI, EDU, GOV, accounts_config

FEED_PLATFORMS = ("wechat", "douyin", "toutiao", "kuaishou", "bilibili", "rss", "website", "app")

HEADER = """\
# 示例配置：演示（make demo）用它对本地模拟平台（sandbox/，虚构的青川旗）运行监测。
# Example configuration: `make demo` runs govwatch with it against the local sandbox
# (sandbox/, the fictional banner 青川旗). `make demo` picks a free port and writes a
# copy with that port to data/demo/config.yaml; `python -m sandbox serve` serves port 8700.
# Regenerate: python -m sandbox config --base-url http://127.0.0.1:8700 > config.yaml
# For a real deployment: point platforms.weibo.base_url at https://m.weibo.cn (and
# web_base_url at https://weibo.com), the feed_url entries and crawl.bridges at your
# RSSHub or WeRSS, use a crawl.backoff budget that fits your night (README), and your own
# units, supervisors and accounts.
"""


def config_dict(
    base_url: str, *, database: str = "sqlite:///data/govwatch.db", report_dir: str | None = None
) -> dict[str, Any]:
    base = base_url.rstrip("/")
    platforms: dict[str, Any] = {
        "weibo": {
            "base_url": base,
            "web_base_url": base,
            "delay_s": 0,
            "concurrency": 8,
            "timeout_s": 10,
            "retries": 1,
        }
    }
    for name in FEED_PLATFORMS:
        platforms[name] = {"delay_s": 0, "concurrency": 8, "timeout_s": 10, "retries": 1}
    data: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "database": database,
        "platforms": platforms,
        # The sandbox's rate limits lift within seconds: back-off in fractions of a second, and a
        # budget that keeps a crawl with permanently blocked accounts short.
        "crawl": {
            "backoff": {"budget_s": 0.5, "initial_s": 0.05, "cap_s": 0.2},
            "bridges": [{"name": "RSSHub", "url": f"{base}/rsshub"}],
        },
        "thresholds": {"warn_days": 7, "stale_days": 14, "zombie_days": 90, "idle_days": 180},
        "schedule": {"crawl": "0 2 * * *", "report": "0 8 * * mon"},
        # The spot check's four dimensions weigh the same (README, "Scorecard and spot check").
        "scorecard": {"weights": {"fit": 25, "quality": 25, "reach": 25, "response": 25}},
        "smtp": {
            "host": "127.0.0.1",
            "port": 8025,
            "security": "none",
            "sender": "政务新媒体监测 <monitor@qingchuan.example.gov.cn>",
            "retries": 0,  # a local demo server: no waiting when none listens
        },
        "supervisors": [
            {"name": GOV, "email": ["office@qingchuan.example.gov.cn"], "units": ["*"]},
            {"name": EDU, "email": ["edu@qingchuan.example.gov.cn"], "units": [EDU]},
            {"name": BAOLI, "email": ["baoli@qingchuan.example.gov.cn"], "units": [BAOLI]},
        ],
        "accounts": accounts_config(base),
    }
    if report_dir:
        data["report"] = {"out_dir": report_dir, "title": "政务新媒体监测周报（青川旗演示）"}
    return data


def config_yaml(base_url: str, **kw: Any) -> str:
    data = config_dict(base_url, **kw)
    accounts = data.pop("accounts")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=120)
    body = yaml.safe_dump(
        {"accounts": accounts}, allow_unicode=True, sort_keys=False, default_flow_style=False, width=120
    )
    # one blank line between accounts, for reading
    body = body.replace("\n- id:", "\n\n- id:").replace("accounts:\n\n- id:", "accounts:\n- id:", 1)
    return HEADER + "\n" + text + "\n" + body
