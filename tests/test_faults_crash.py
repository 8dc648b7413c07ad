"""Crash safety: `govwatch crawl` killed with SIGKILL at random points, again and again,
then run to completion: nothing already stored is lost, nothing is stored twice, the
database stays consistent, and no crawl run stays `running` for ever."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import yaml

from sandbox.server import Sandbox
from tests.conftest import GOVWATCH, ROOT, export_jsonl, run_govwatch, write_sandbox_config

pytestmark = pytest.mark.e2e

SEED = 7
KILLS = 6


def stored_posts(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return set(conn.execute("SELECT account_id, platform_post_id FROM posts"))


def run_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM crawl_runs").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def stored_comments(db: Path) -> dict[str, set[tuple[str, str, bool]]]:
    """Each account's stored comments and replies: (post, comment id, written by the account)."""
    result: dict[str, set[tuple[str, str, bool]]] = {}
    with sqlite3.connect(db) as conn:
        for account_id, post_id, comment_id, by_account in conn.execute(
            "SELECT account_id, platform_post_id, platform_comment_id, by_account FROM comments"
        ):
            result.setdefault(account_id, set()).add((post_id, comment_id, bool(by_account)))
    return result


def open_findings(db: Path, category: str) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {
            account_id
            for (account_id,) in conn.execute(
                "SELECT account_id FROM findings WHERE status = 'open' AND category = ?", (category,)
            )
        }


def consistency(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute(
            "SELECT count(*) FROM posts WHERE account_id NOT IN (SELECT id FROM accounts)"
        ).fetchone()[0]
        assert orphans == 0
        doubled = conn.execute(
            "SELECT count(*) FROM (SELECT account_id, platform_post_id FROM posts"
            " GROUP BY account_id, platform_post_id HAVING count(*) > 1)"
        ).fetchone()[0]
        assert doubled == 0
        outcomes_doubled = conn.execute(
            "SELECT count(*) FROM (SELECT run_id, account_id FROM crawl_outcomes"
            " GROUP BY run_id, account_id HAVING count(*) > 1)"
        ).fetchone()[0]
        assert outcomes_doubled == 0
        states = dict(conn.execute("SELECT state, count(*) FROM crawl_runs GROUP BY state").fetchall())
        assert set(states) <= {"running", "finished", "failed"}, states
        return states


def test_sigkill_at_random_points_loses_nothing_and_doubles_nothing(sandbox: Sandbox, tmp_path: Path):
    rng = random.Random(SEED)
    config = write_sandbox_config(tmp_path, sandbox.base_url)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for settings in data["platforms"].values():  # polite enough that a crawl takes a few seconds
        settings.update(delay_s=0.15, concurrency=2)
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    db = tmp_path / "govwatch.db"

    kills = []
    for _ in range(KILLS):
        before = stored_posts(db) if db.exists() else set()
        process = subprocess.Popen(
            [str(GOVWATCH), "--config", str(config), "crawl"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill inside the crawl, not during start-up: once its run exists, at a random point.
        runs_before = run_count(db)
        deadline = time.monotonic() + 60
        while run_count(db) == runs_before and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        delay = rng.uniform(0.1, 6.0)
        time.sleep(delay)
        finished_first = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        after = stored_posts(db) if db.exists() else set()
        assert before <= after, f"lost {len(before - after)} posts"
        kills.append((round(delay, 2), finished_first, len(after)))
        if db.exists():
            consistency(db)

    result = run_govwatch(config, "crawl", timeout=600)
    assert result.returncode == 0, result.stderr
    final = stored_posts(db)
    assert before <= final
    states = consistency(db)
    print(f"\nkills (after s, had finished, posts stored): {kills}; final posts {len(final)}; runs {states}")
    # The killed runs are closed by the next crawl, not left `running`.
    assert states.get("running", 0) == 0, states
    with sqlite3.connect(db) as conn:
        interrupted = conn.execute(
            "SELECT count(*) FROM crawl_runs WHERE state = 'failed' AND error LIKE 'interrupted%'"
        ).fetchone()[0]
    assert interrupted == sum(1 for _, finished, _ in kills if not finished)

    # Same as a crawl that was never killed.
    clean = tmp_path / "clean"
    clean.mkdir()
    clean_config = write_sandbox_config(clean, sandbox.base_url)
    assert run_govwatch(clean_config, "crawl", timeout=600).returncode == 0
    assert final == stored_posts(clean / "govwatch.db")
    # Comments and the account's replies too: none lost for good by a kill.
    clean_comments = stored_comments(clean / "govwatch.db")
    final_comments = stored_comments(db)
    assert all(final_comments.get(a, set()) >= c for a, c in clean_comments.items()), {
        a: (len(final_comments.get(a, ())), len(c)) for a, c in clean_comments.items()
    }
    accounts = {a["id"]: a["status"] for a in export_jsonl(config, "accounts")}
    truth = sandbox.truth()["accounts"]
    assert accounts == {a: t["expected_status"] for a, t in truth.items()}


def test_a_spider_that_cannot_load_its_accounts_fails_the_crawl_loudly(sandbox: Sandbox, tmp_path: Path):
    """The database goes away between the runner's start and the spiders' (here: every spider's
    read of its accounts raises). Each account gets an `error` outcome naming the cause, the run
    is `failed` with the reason, and `govwatch crawl` says so and exits 1, not 0."""
    script = textwrap.dedent(
        """
        import sys
        from crawler import planning
        real = planning.crawl_jobs
        calls = []
        def crawl_jobs(*args, **kwargs):
            calls.append(1)
            if len(calls) > 1:  # the runner's own call works; every spider's fails
                raise ConnectionError("database went away")
            return real(*args, **kwargs)
        planning.crawl_jobs = crawl_jobs
        from govwatch.cli import main
        sys.argv = ["govwatch", "--config", sys.argv[1], "crawl"]
        main()
        """
    )
    config = write_sandbox_config(tmp_path, sandbox.base_url)
    result = subprocess.run(
        [sys.executable, "-c", script, str(config)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert sandbox.request_counts()["requests"] <= len(sandbox.world.accounts)  # app probes only
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "crawl failed" in result.stdout and "database went away" in result.stdout, result.stdout
    with sqlite3.connect(tmp_path / "govwatch.db") as conn:
        state, error = conn.execute("SELECT state, error FROM crawl_runs").fetchone()
        details = dict(conn.execute("SELECT account_id, detail FROM crawl_outcomes WHERE outcome = 'error'"))
    assert state == "failed" and "database went away" in error
    weibo = [a for a in sandbox.world.accounts.values() if a.platform == "weibo"]
    assert weibo and all("database went away" in details[a.id] for a in weibo), details


class SlowComments:
    """A sandbox hook that answers Weibo comment pages slowly (then lets them through), so that a
    crawl has stored an account's posts while its comments are still on the way."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.released = threading.Event()

    def __call__(self, request):  # noqa: ANN001, ANN204
        if request.path.startswith("/comments/"):
            self.released.wait(self.seconds)
        return None


def test_a_crawl_killed_between_posts_and_their_comments_reads_the_comments_again(
    sandbox: Sandbox, tmp_path: Path
):
    """SIGKILL after an account's posts are stored and before all their comments are, then two
    more crawls: every comment and reply of a clean crawl is stored, and the account that never
    answers the public's questions gets its 互动回应 (poor_interaction) finding, as after a clean
    crawl. (The stored comment count must not say "read" before the comments are.)"""
    silent = {
        a.id
        for a in sandbox.world.accounts.values()
        if a.platform == "weibo" and a.spec.scenario.reply_style == "none"
    }
    assert silent
    clean = tmp_path / "clean"
    clean.mkdir()
    clean_config = write_sandbox_config(clean, sandbox.base_url, smtp=None)
    assert run_govwatch(clean_config, "crawl", timeout=600).returncode == 0
    clean_comments = stored_comments(clean / "govwatch.db")
    assert silent <= open_findings(clean / "govwatch.db", "poor_interaction")
    assert silent <= set(clean_comments)

    killed = tmp_path / "killed"
    killed.mkdir()
    config = write_sandbox_config(killed, sandbox.base_url, smtp=None)
    db = killed / "govwatch.db"
    slow = SlowComments(seconds=0.7)
    sandbox.hooks.append(slow)
    process = subprocess.Popen(
        [str(GOVWATCH), "--config", str(config), "crawl"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill once a silent account's posts are stored but not yet all of its comments.
    caught = False
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if run_count(db):
            with sqlite3.connect(db, timeout=5) as conn:
                with_comments = dict(
                    conn.execute(
                        "SELECT account_id, count(*) FROM posts WHERE comments > 0 GROUP BY account_id"
                    ).fetchall()
                )
            comments = stored_comments(db)
            if any(
                with_comments.get(a) and len(comments.get(a, ())) < len(clean_comments[a]) for a in silent
            ):
                caught = True
                break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    slow.released.set()
    sandbox.hooks.remove(slow)
    assert caught, "the crawl never had posts stored without their comments"

    for _ in range(2):
        result = run_govwatch(config, "crawl", timeout=600)
        assert result.returncode == 0, result.stderr
    after = stored_comments(db)
    short = {
        a: (len(after.get(a, ())), len(c)) for a, c in clean_comments.items() if not after.get(a, set()) >= c
    }
    assert not short, f"comments stored after the kill vs a clean crawl: {short}"
    replies = {a for a, c in after.items() if any(by_account for _, _, by_account in c)}
    assert replies == {a for a, c in clean_comments.items() if any(b for _, _, b in c)}
    assert open_findings(db, "poor_interaction") == open_findings(clean / "govwatch.db", "poor_interaction")
