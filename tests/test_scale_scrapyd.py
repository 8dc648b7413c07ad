"""A crawl on a Scrapyd cluster: two real Scrapyd processes on loopback, the project deployed to
them as an egg, the sandbox crawled through them into the shared database, the same result as a
local crawl. On the PostgreSQL pass of `make test` the shared database is PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crawler.scrapyd import deploy, partition
from tests.conftest import export_jsonl, free_port, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.slow  # Scrapyd nodes and a crawl

SCRAPYD = Path(sys.executable).with_name("scrapyd")


def start_node(directory: Path) -> tuple[subprocess.Popen, str]:
    directory.mkdir(parents=True)
    port = free_port()
    (directory / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
        "poll_interval = 0.2\nmax_proc = 4\n",
        encoding="utf-8",
    )
    log = (directory / "scrapyd.out").open("wb")
    process = subprocess.Popen([str(SCRAPYD)], cwd=directory, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"scrapyd exited: {(directory / 'scrapyd.out').read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/daemonstatus.json", timeout=1).json().get("status") == "ok":
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"scrapyd on {url} did not answer within 30 s")


@pytest.fixture
def scrapyd_nodes(tmp_path: Path) -> Iterator[list[str]]:
    started = [start_node(tmp_path / f"node{i}") for i in (1, 2)]
    try:
        yield [url for _, url in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_partition_is_even_and_stable():
    ids = [f"a{i}" for i in range(7)]
    parts = partition(list(reversed(ids)), ["n1", "n2", "n3"])
    assert parts == {"n1": ["a0", "a3", "a6"], "n2": ["a1", "a4"], "n3": ["a2", "a5"]}
    assert partition(ids[:1], ["n1", "n2"]) == {"n1": ["a0"]}


def result_of(config: Path) -> tuple[dict, Counter]:
    accounts = {a["id"]: (a["status"], a["last_crawl_outcome"]) for a in export_jsonl(config, "accounts")}
    posts = Counter(p["account_id"] for p in export_jsonl(config, "posts"))
    return accounts, posts


def test_crawl_on_two_scrapyd_nodes_equals_a_local_crawl(
    tmp_path, sandbox, scrapyd_nodes, databases, database_url
):
    lines = deploy(scrapyd_nodes, "govwatch", "1")
    assert len(lines) == 2

    local_dir, cluster_dir = tmp_path / "local", tmp_path / "cluster"
    local_dir.mkdir()
    cluster_dir.mkdir()
    local = write_sandbox_config(local_dir, sandbox.base_url, database=databases.new(local_dir))
    cluster = write_sandbox_config(
        cluster_dir,
        sandbox.base_url,
        database=database_url,
        crawl={"executor": "scrapyd", "scrapyd_nodes": scrapyd_nodes, "scrapyd_poll_s": 0.2},
    )

    done = run_govwatch(local, "crawl")
    assert done.returncode == 0, done.stderr
    done = run_govwatch(cluster, "crawl")
    assert done.returncode == 0, done.stderr
    assert "抓取完成" in done.stdout

    local_accounts, local_posts = result_of(local)
    cluster_accounts, cluster_posts = result_of(cluster)
    assert cluster_accounts == local_accounts
    assert cluster_posts == local_posts
    truth = sandbox.truth()["accounts"]
    assert {a: s for a, (s, _) in cluster_accounts.items()} == {
        a: t["expected_status"] for a, t in truth.items()
    }

    # Both nodes did part of the work, one job per spider and node, all finished.
    for node in scrapyd_nodes:
        jobs = httpx.get(f"{node}/listjobs.json", params={"project": "govwatch"}).json()
        assert jobs["pending"] == [] and jobs["running"] == []
        assert {job["spider"] for job in jobs["finished"]} >= {"weibo", "feed"}


def test_a_node_without_the_password_variable_gets_the_config_error(tmp_path: Path):
    """A Scrapyd job runs `scrapy crawl` with the job settings; on a node whose environment lacks
    the variable named by database_password_env, the job fails with the config error naming the
    key and the variable (not a TypeError from the error itself)."""
    env = {k: v for k, v in os.environ.items() if k != "GW_TEST_NODE_PG_PASSWORD"}
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("scrapy")),
            "crawl",
            "weibo",
            "-s",
            "GOVWATCH_DATABASE_URL=postgresql+psycopg://govwatch@127.0.0.1:9/govwatch",
            "-s",
            "GOVWATCH_DATABASE_PASSWORD_ENV=GW_TEST_NODE_PG_PASSWORD",
            "-s",
            "GOVWATCH_RUN_ID=1",
            "-s",
            "LOG_LEVEL=ERROR",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert "TypeError" not in output, output[-3000:]
    assert "ConfigError" in output and "database_password_env" in output, output[-3000:]
    assert "GW_TEST_NODE_PG_PASSWORD is not set" in output, output[-3000:]
