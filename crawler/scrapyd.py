"""The Scrapyd executor: one crawl's spiders as jobs on a cluster of Scrapyd nodes.

The crawl run, its accounts and its outcomes stay where a local crawl keeps
them (crawler/run.py): this module only replaces "start the spiders in this
process" by "partition the accounts among the nodes, schedule one job per
spider and node over Scrapyd's HTTP API (schedule.json), wait until every job
has finished (listjobs.json)". The jobs load their accounts from the shared
database and write posts and outcomes to it, exactly as a local spider does
(crawler/spiders/base.py); the runner then records an outcome for every
account no job reported and closes the run.

Deployment: ``python -m crawler.scrapyd deploy [--config FILE] [URL ...]``
builds an egg of the project (setuptools bdist_egg, with the ``scrapy``
entry point ``settings = crawler.settings``) and posts it to each node's
addversion.json. The nodes need govwatch's dependencies installed (``pip
install govwatch`` in the Python that runs scrapyd); see README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
# What a job imports: the spiders and everything below them in the layers.
EGG_PACKAGES = ("core", "crawler", "govwatch", "storage", "analysis", "reporting")
EGG_DATA = ["*.yaml", "*.txt", "*.json", "*.ini", "*.mako", "*.html", "*.tsv", "*.py"]


class ScrapydError(RuntimeError):
    """A node refused or could not be reached; the message names the node."""


@dataclass
class NodeJob:
    node: str
    spider: str
    job_id: str
    account_ids: list[str]
    state: str = "pending"  # pending | running | finished


@dataclass
class ClusterResult:
    jobs: list[NodeJob] = field(default_factory=list)
    # account id -> why it never ran (node refused the job, node unreachable, timeout)
    failed: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def partition(account_ids: Sequence[str], nodes: Sequence[str]) -> dict[str, list[str]]:
    """Accounts spread evenly over the nodes (sorted, round robin): same list, same split."""
    parts: dict[str, list[str]] = {node: [] for node in nodes}
    for i, account_id in enumerate(sorted(account_ids)):
        parts[nodes[i % len(nodes)]].append(account_id)
    return {node: ids for node, ids in parts.items() if ids}


def _url(node: str, endpoint: str) -> str:
    return node.rstrip("/") + "/" + endpoint


def _answer(response: httpx.Response, node: str, endpoint: str) -> dict:
    try:
        data = response.json()
    except ValueError:
        raise ScrapydError(f"{node} {endpoint}: HTTP {response.status_code}, not JSON") from None
    if response.status_code != 200 or data.get("status") != "ok":
        raise ScrapydError(f"{node} {endpoint}: {data.get('message') or data}")
    return data


def schedule(
    client: httpx.Client,
    node: str,
    project: str,
    spider: str,
    account_ids: Sequence[str],
    settings: Mapping[str, str],
    job_id: str,
) -> None:
    data: dict[str, str | list[str]] = {
        "project": project,
        "spider": spider,
        "jobid": job_id,
        "accounts": ",".join(account_ids),
        "setting": [f"{key}={value}" for key, value in settings.items()],
    }
    try:
        response = client.post(_url(node, "schedule.json"), data=data)
    except httpx.HTTPError as exc:
        raise ScrapydError(f"{node} schedule.json: {type(exc).__name__}: {exc}") from exc
    _answer(response, node, "schedule.json")


def job_states(client: httpx.Client, node: str, project: str) -> dict[str, str]:
    response = client.get(_url(node, "listjobs.json"), params={"project": project})
    data = _answer(response, node, "listjobs.json")
    return {job["id"]: state for state in ("pending", "running", "finished") for job in data.get(state, [])}


def run_jobs(
    nodes: Sequence[str],
    project: str,
    by_spider: Mapping[str, Sequence[str]],
    settings: Mapping[str, str],
    *,
    run_id: int,
    timeout_s: float,
    poll_s: float,
    client: httpx.Client | None = None,
) -> ClusterResult:
    """Schedule one job per (spider, node) and wait until all have finished or the time is up."""
    result = ClusterResult()
    own = client is None
    client = client or httpx.Client(timeout=30.0)
    try:
        for spider, ids in by_spider.items():
            for node, part in partition(ids, nodes).items():
                job = NodeJob(node, spider, f"govwatch-{run_id}-{spider}-{uuid.uuid4().hex[:8]}", part)
                try:
                    schedule(client, node, project, spider, part, settings, job.job_id)
                except ScrapydError as exc:
                    log.error("%s", exc)
                    for account_id in part:
                        result.failed[account_id] = f"scrapyd job not scheduled: {exc}"
                    continue
                result.jobs.append(job)
                log.info("scheduled %s on %s: %d account(s)", job.job_id, node, len(part))
        deadline = time.monotonic() + timeout_s
        unreachable: dict[str, str] = {}
        while True:
            waiting = [job for job in result.jobs if job.state != "finished"]
            if not waiting:
                break
            for node in {job.node for job in waiting}:
                try:
                    states = job_states(client, node, project)
                    unreachable.pop(node, None)
                except (httpx.HTTPError, ScrapydError) as exc:  # a node may come back: keep asking
                    unreachable[node] = str(exc)
                    continue
                for job in waiting:
                    if job.node == node:
                        # A job that vanished from listjobs (node restarted) will not finish.
                        job.state = states.get(job.job_id, "finished")
            if time.monotonic() > deadline:
                late = [job for job in result.jobs if job.state != "finished"]
                for job in late:
                    _cancel(client, job, project)
                    why = unreachable.get(job.node, f"still {job.state}")
                    for account_id in job.account_ids:
                        result.failed.setdefault(
                            account_id, f"scrapyd job {job.job_id} on {job.node} timed out ({why})"
                        )
                result.error = f"{len(late)} scrapyd job(s) did not finish within {timeout_s:.0f} s"
                break
            time.sleep(poll_s)
    finally:
        if own:
            client.close()
    return result


def _cancel(client: httpx.Client, job: NodeJob, project: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        client.post(_url(job.node, "cancel.json"), data={"project": project, "job": job.job_id})


# --------------------------------------------------------------------------- deployment


def build_egg(out_dir: Path, version: str) -> Path:
    """An egg of the project for Scrapyd (setuptools bdist_egg; entry point scrapy.settings)."""
    with tempfile.TemporaryDirectory(prefix="govwatch-egg-") as tmp:
        build = Path(tmp)
        for package in EGG_PACKAGES:
            shutil.copytree(
                ROOT / package, build / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        (build / "setup.py").write_text(
            "from setuptools import find_namespace_packages, setup\n"
            f"packages = find_namespace_packages(include={[p + '*' for p in EGG_PACKAGES]!r})\n"
            f"setup(name='govwatch', version={version!r}, packages=packages,\n"
            f"      package_data={{'': {EGG_DATA!r}}}, include_package_data=True, zip_safe=False,\n"
            "      entry_points={'scrapy': ['settings = crawler.settings']})\n",
            encoding="utf-8",
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [sys.executable, "setup.py", "-q", "bdist_egg", "-d", str(out_dir)],
            cwd=build,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise ScrapydError(f"building the egg failed: {done.stderr.strip()[-2000:]}")
    eggs = sorted(out_dir.glob("govwatch-*.egg"), key=lambda p: p.stat().st_mtime)
    if not eggs:
        raise ScrapydError(f"building the egg left no .egg in {out_dir}")
    return eggs[-1]


def deploy(nodes: Sequence[str], project: str = "govwatch", version: str | None = None) -> list[str]:
    """Build the egg once and add it to every node (addversion.json); returns the spiders each node lists."""
    version = version or time.strftime("%Y%m%dT%H%M%S")
    spiders: list[str] = []
    with tempfile.TemporaryDirectory(prefix="govwatch-dist-") as tmp, httpx.Client(timeout=60.0) as client:
        egg = build_egg(Path(tmp), version)
        payload = egg.read_bytes()
        for node in nodes:
            try:
                response = client.post(
                    _url(node, "addversion.json"),
                    data={"project": project, "version": version},
                    files={"egg": (egg.name, payload, "application/octet-stream")},
                )
            except httpx.HTTPError as exc:
                raise ScrapydError(f"{node} addversion.json: {type(exc).__name__}: {exc}") from exc
            data = _answer(response, node, "addversion.json")
            spiders.append(f"{node}: {project} {version}, {data.get('spiders')} spider(s)")
    return spiders


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.scrapyd", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dep = sub.add_parser("deploy", help="build the project's egg and add it to Scrapyd nodes")
    dep.add_argument("nodes", nargs="*", help="Scrapyd URLs (default: crawl.scrapyd_nodes of the config)")
    dep.add_argument("--config", default=None, help="config.yaml (for crawl.scrapyd_nodes / scrapyd_project)")
    dep.add_argument("--project", default=None)
    dep.add_argument("--version", default=None)
    args = parser.parse_args(argv)
    nodes, project = list(args.nodes), args.project
    if not nodes or not project:
        from core.config import ConfigError, load_config

        try:
            config = load_config(args.config)
        except ConfigError as exc:
            print(f"配置错误 / config error: {exc}", file=sys.stderr)
            return 2
        nodes = nodes or list(config.crawl.scrapyd_nodes)
        project = project or config.crawl.scrapyd_project
    if not nodes:
        print("no Scrapyd nodes: name them, or set crawl.scrapyd_nodes in the config", file=sys.stderr)
        return 2
    try:
        for line in deploy(nodes, project, args.version):
            print(line)
    except ScrapydError as exc:
        print(f"deploy failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
