"""A file or database govwatch cannot write gets one line naming the path and the cause
(中文 / English) and exit 1, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import GOVWATCH, ROOT, run_govwatch, write_sandbox_config
from tests.test_delivery_mail import mail_config, smtp_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow  # runs the govwatch command


def one_line_failure(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def not_a_folder(tmp_path: Path) -> Path:
    """A path under a plain file: no one, root included, can write there."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    return blocker


def test_report_out_not_writable(mail_config, not_a_folder):  # noqa: F811
    result = run_govwatch(mail_config, "report", "--week", "2026-W46", "--out", str(not_a_folder / "reports"))
    line = one_line_failure(result, "无法写入报告", "cannot write the report", str(not_a_folder / "reports"))
    assert "Not a directory" in line and "不是文件夹" in line


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_export_out_not_writable(mail_config, tmp_path, not_a_folder, fmt):  # noqa: F811
    target = not_a_folder / f"findings.{fmt}"
    result = run_govwatch(mail_config, "export", "findings", "--format", fmt, "--out", str(target))
    one_line_failure(result, "无法写入导出文件", "cannot write the export", str(target), "不是文件夹")
    # A folder that does not exist yet is made, private, as for reports and the database.
    missing = tmp_path / "no-such-folder" / f"findings.{fmt}"
    result = run_govwatch(mail_config, "export", "findings", "--format", fmt, "--out", str(missing))
    assert result.returncode == 0, result.stderr
    assert missing.stat().st_mode & 0o777 == 0o600
    assert missing.parent.stat().st_mode & 0o777 == 0o700


def test_accounts_export_out_not_writable(mail_config, not_a_folder):  # noqa: F811
    target = not_a_folder / "台账.xlsx"
    result = run_govwatch(mail_config, "accounts", "export", "--out", str(target))
    one_line_failure(result, "无法写入帐号表", str(target), "Not a directory")


def without_root_override() -> list[str]:
    """A prefix that makes file permissions hold for the command even when the tests run as root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root: setpriv (util-linux) is needed to drop the permission override"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


def test_crawl_on_a_read_only_database(tmp_path, sandbox):
    config = write_sandbox_config(tmp_path, sandbox.base_url, alerts={"enabled": False})
    listed = run_govwatch(config, "accounts", "list")  # creates and migrates the database
    assert listed.returncode == 0, listed.stderr
    database = Path(yaml.safe_load(config.read_text(encoding="utf-8"))["database"].removeprefix("sqlite:///"))
    database.chmod(0o444)
    try:
        result = subprocess.run(
            [*without_root_override(), str(GOVWATCH), "--config", str(config), "crawl"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
    finally:
        database.chmod(0o600)
    one_line_failure(result, "数据库错误 / database error", str(database), "只读", "read-only")
    # nothing was fetched for a database that cannot keep it
    assert sandbox.request_counts()["requests"] == 0
