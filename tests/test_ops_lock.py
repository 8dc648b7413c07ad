"""One crawl at a time: a second crawl started during the first skips (or waits) and says so,
and nothing is stored twice."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.config import parse_config
from govwatch.lock import CrawlLocked, crawl_lock, lock_path
from sandbox.configgen import config_dict
from storage.db import open_store
from storage.models import CrawlRun, Post
from tests.conftest import GOVWATCH, ROOT, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e


def gated(sandbox) -> threading.Event:
    """Hold every sandbox request until the returned event is set (a crawl that takes as long as we like)."""
    gate = threading.Event()

    def hook(request):  # noqa: ANN001, ANN202
        if not request.path.startswith("/__sandbox__/"):
            gate.wait(timeout=120)
        return None

    sandbox.hooks.append(hook)
    return gate


def slow_config(tmp_path: Path, base_url: str, **crawl) -> Path:
    platforms = config_dict(base_url)["platforms"]
    for settings in platforms.values():
        settings["timeout_s"] = 120  # a held request must not time out
    return write_sandbox_config(
        tmp_path,
        base_url,
        platforms=platforms,
        crawl={"lock_wait_s": 0, **crawl},
    )


def start_crawl(config: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(GOVWATCH), "--config", str(config), "crawl"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_lock(config: Path, process: subprocess.Popen) -> None:
    path = lock_path(parse_config(__import__("yaml").safe_load(config.read_text()), config))
    for _ in range(600):
        if path.exists() and path.read_text().startswith("pid"):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the first crawl never took the lock")


def stored(config: Path) -> tuple[int, list[tuple[str, str]]]:
    cfg = parse_config(__import__("yaml").safe_load(config.read_text()), config)
    store = open_store(cfg.database_url())
    with store.session() as session:
        posts = session.scalar(select(func.count()).select_from(Post))
        runs = [(r.state, r.trigger) for r in session.scalars(select(CrawlRun).order_by(CrawlRun.id))]
    store.dispose()
    return posts, runs


def test_second_crawl_skips_while_the_first_runs(tmp_path, sandbox):
    config = slow_config(tmp_path, sandbox.base_url)
    gate = gated(sandbox)
    first = start_crawl(config)
    try:
        wait_for_lock(config, first)
        second = run_govwatch(config, "crawl", timeout=120)
        assert second.returncode == 0, second.stderr
        assert "另一个抓取正在进行" in second.stderr and "skipped" in second.stderr
        rescan = run_govwatch(config, "rescan", "qc-fabu-weibo", timeout=120)
        assert rescan.returncode == 1 and "skipped" in rescan.stderr
    finally:
        gate.set()
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    posts, runs = stored(config)
    assert runs == [("finished", "cli")]  # the skipped crawl and rescan left no run behind
    assert posts > 0
    # A crawl after both stores nothing twice.
    again = run_govwatch(config, "crawl")
    assert again.returncode == 0, again.stderr
    posts_after, runs = stored(config)
    assert posts_after == posts
    assert [state for state, _ in runs] == ["finished", "finished"]


def test_second_crawl_waits_when_configured(tmp_path, sandbox):
    config = slow_config(tmp_path, sandbox.base_url, lock_wait_s=300)
    gate = gated(sandbox)
    first = start_crawl(config)
    try:
        wait_for_lock(config, first)
        second = start_crawl(config)
        time.sleep(1.0)  # let the second reach the lock (it waits either way)
        assert second.poll() is None
    finally:
        gate.set()
    for process in (first, second):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert "skipped" not in err
    cfg = parse_config(__import__("yaml").safe_load(config.read_text()), config)
    store = open_store(cfg.database_url())
    with store.session() as session:
        runs = list(session.scalars(select(CrawlRun).order_by(CrawlRun.started_at)))
        duplicates = session.execute(
            select(Post.account_id, Post.platform_post_id, func.count())
            .group_by(Post.account_id, Post.platform_post_id)
            .having(func.count() > 1)
        ).all()
    store.dispose()
    assert [r.state for r in runs] == ["finished", "finished"]
    assert runs[1].started_at >= runs[0].finished_at  # the second ran after the first, not beside it
    assert duplicates == []


def test_lock_excludes_a_second_holder_on_both_databases(tmp_path, store_url):
    config = parse_config(
        {"database": store_url, "crawl": {"lock_dir": str(tmp_path / "locks")}}, tmp_path / "c.yaml"
    )
    with crawl_lock(config):
        with pytest.raises(CrawlLocked) as info:
            result: list[BaseException] = []

            def other() -> None:
                try:
                    with crawl_lock(config, wait_s=0.3):
                        pass
                except BaseException as exc:  # noqa: BLE001
                    result.append(exc)

            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
            raise result[0]
        assert "skipped" in str(info.value)
    with crawl_lock(config, wait_s=0):  # released: free again
        pass
