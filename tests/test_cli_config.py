"""Config mistakes: `govwatch --config bad.yaml crawl` exits 2 and names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_govwatch

pytestmark = pytest.mark.slow  # every test runs the govwatch command

GOOD = {
    "timezone": "Asia/Shanghai",
    "database": "sqlite:///gw.db",
    "accounts": [
        {"id": "fabu-weibo", "unit": "旗政府办公室", "platform": "weibo", "name": "发布", "handle": "123456"},
        {
            "id": "edu-wechat",
            "unit": "旗教育局",
            "platform": "wechat",
            "name": "教育",
            "feed_url": "http://127.0.0.1:9/x",
        },
    ],
}


def with_change(path: str, value) -> dict:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    node = data
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    if value is DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


DELETE = object()

CASES = [
    ("unknown top-level key", with_change("thresholdz", {"warn_days": 3}), "thresholdz", "unknown key"),
    ("misspelt nested key", with_change("thresholds.stale_dayz", 10), "thresholds.stale_dayz", "unknown key"),
    ("wrong type", with_change("thresholds.stale_days", "two weeks"), "thresholds.stale_days", "integer"),
    (
        "thresholds out of order",
        with_change("thresholds.warn_days", 30),
        "thresholds",
        "warn_days < stale_days",
    ),
    (
        "bad platform",
        with_change("accounts.0.platform", "weixin"),
        "accounts[0] (fabu-weibo).platform",
        "weixin",
    ),
    ("bad account id", with_change("accounts.1.id", "Edu WeChat"), "accounts[1]", "[a-z0-9-]+"),
    ("missing unit", with_change("accounts.0.unit", DELETE), "accounts[0] (fabu-weibo).unit", "missing"),
    (
        "feed account without feed",
        with_change("accounts.1.feed_url", DELETE),
        "accounts[1] (edu-wechat)",
        "feed_url",
    ),
    ("bad timezone", with_change("timezone", "Asia/Beijing"), "timezone", "Asia/Beijing"),
    ("bad database URL", with_change("database", "mysql://x"), "database", "sqlite"),
    ("bad cron", with_change("schedule.crawl", "every night"), "schedule.crawl", "cron"),
    (
        "bad smtp security",
        with_change("smtp", {"host": "h", "sender": "s", "security": "tls"}),
        "smtp.security",
        "tls",
    ),
    (
        "bad supervisor email",
        with_change("supervisors", [{"name": "办公室", "email": ["nobody"]}]),
        "supervisors[0]",
        "nobody",
    ),
]


@pytest.mark.parametrize(("label", "data", "key", "reason"), CASES, ids=[c[0] for c in CASES])
def test_config_mistake_exits_2_naming_the_key(tmp_path: Path, label, data, key, reason):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2, (label, result.stdout, result.stderr)
    message = result.stderr
    assert str(path) in message and key in message and reason in message, message
    assert "Traceback" not in message
    assert not (tmp_path / "gw.db").exists()  # nothing was touched


def test_duplicate_account_id(tmp_path: Path):
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["accounts"][1]["id"] = "fabu-weibo"
    path = tmp_path / "dup.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2 and "fabu-weibo" in result.stderr and "more than once" in result.stderr


def test_not_yaml_names_line(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("timezone: Asia/Shanghai\naccounts: [\n  - id: x\n", encoding="utf-8")
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2 and "not valid YAML" in result.stderr and "line" in result.stderr


def test_missing_config_file(tmp_path: Path):
    result = run_govwatch(tmp_path / "nope.yaml", "crawl")
    assert result.returncode == 2 and "nope.yaml" in result.stderr and "file not found" in result.stderr


def test_unknown_account_and_bad_week_are_usage_errors(tmp_path: Path):
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    result = run_govwatch(path, "rescan", "fabu-weibu")
    assert result.returncode == 2 and "fabu-weibo" in result.stderr  # the closest match is named
    result = run_govwatch(path, "report", "--week", "2026-W60")
    assert result.returncode == 2 and "--week" in result.stderr


def test_a_crawl_with_no_account_registered_is_a_config_error(tmp_path: Path):
    data = with_change("accounts", DELETE)
    path = tmp_path / "empty.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2, result.stderr
    assert "accounts" in result.stderr and "没有可监测的帐号" in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_come_from_environment_only(tmp_path: Path):
    data = with_change("platforms", {"weibo": {"cookie": "SUB=secret"}})
    path = tmp_path / "secret.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_govwatch(path, "crawl")
    assert (
        result.returncode == 2
        and "platforms.weibo.cookie" in result.stderr
        and "unknown key" in result.stderr
    )


def test_database_password_comes_from_the_environment_and_stays_off_the_job_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """`database_password_env` names the variable holding PostgreSQL's password: a missing
    variable is a config error naming it; the crawl's job settings (what a Scrapyd node is sent)
    carry the variable's name, and only the job itself puts the password into the URL."""
    from core.config import job_database_url, load_config
    from crawler.run import scrapy_settings

    data = with_change("database", "postgresql+psycopg://govwatch@10.0.0.5:5432/govwatch")
    data["database_password_env"] = "GW_TEST_PG_PASSWORD"
    path = tmp_path / "pg.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.delenv("GW_TEST_PG_PASSWORD", raising=False)
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2, result.stderr
    assert "database_password_env" in result.stderr and "GW_TEST_PG_PASSWORD" in result.stderr

    sqlite = with_change("database_password_env", "GW_TEST_PG_PASSWORD")
    path_sqlite = tmp_path / "sqlite.yaml"
    path_sqlite.write_text(yaml.safe_dump(sqlite, allow_unicode=True), encoding="utf-8")
    result = run_govwatch(path_sqlite, "crawl")
    assert result.returncode == 2 and "postgresql" in result.stderr, result.stderr

    monkeypatch.setenv("GW_TEST_PG_PASSWORD", "s3cr:et/pw")
    config = load_config(path)
    settings = scrapy_settings(config, run_id=1)
    assert "s3cr" not in repr(dict(settings))
    assert settings.get("GOVWATCH_DATABASE_PASSWORD_ENV") == "GW_TEST_PG_PASSWORD"
    url = job_database_url(settings)
    from sqlalchemy.engine import make_url

    assert make_url(url).password == "s3cr:et/pw" and make_url(url).host == "10.0.0.5"
    assert make_url(config.database_url()).password == "s3cr:et/pw"


def _accounts_yaml(ids: list[str]) -> str:
    return "".join(
        f"  - id: {i}\n    unit: 旗政府办公室\n    platform: weibo\n    name: 帐号{i}\n    handle: '12345{n}'\n"
        for n, i in enumerate(ids)
    )


def test_a_second_accounts_block_is_an_error_naming_both_lines(tmp_path: Path):
    text = (
        "database: sqlite:///gw.db\n"
        "accounts:\n" + _accounts_yaml(["a-weibo", "b-weibo", "c-weibo"]) + "thresholds:\n  zombie_days: 90\n"
        "accounts:\n" + _accounts_yaml(["d-weibo"])
    )
    path = tmp_path / "dup.yaml"
    path.write_text(text, encoding="utf-8")
    second = text.splitlines().index("accounts:", 2) + 1
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2, result.stderr
    assert str(path) in result.stderr and "accounts" in result.stderr
    assert f"line 2 and again on line {second}" in result.stderr, result.stderr


def test_a_duplicated_nested_key_is_an_error(tmp_path: Path):
    path = tmp_path / "dup.yaml"
    path.write_text(
        "database: sqlite:///gw.db\nthresholds:\n  zombie_days: 90\n  stale_days: 14\n  zombie_days: 30\n"
        "accounts:\n" + _accounts_yaml(["a-weibo"]),
        encoding="utf-8",
    )
    result = run_govwatch(path, "accounts", "list")
    assert result.returncode == 2, result.stderr
    assert "thresholds.zombie_days" in result.stderr and "line 3 and again on line 5" in result.stderr


def test_a_duplicate_beside_a_merge_key_is_an_error_but_overriding_a_merged_key_is_not(tmp_path: Path):
    """Merge keys take the other reading path (yaml.load): it refuses duplicates too."""
    from core.config import ConfigError, load_config

    base = (
        "database: sqlite:///gw.db\naccounts:\n"
        "  - &w {id: a-weibo, unit: 旗政府办公室, platform: weibo, name: 甲, handle: '123456'}\n"
    )
    fine = tmp_path / "merge.yaml"
    fine.write_text(base + "  - <<: *w\n    id: b-weibo\n    name: 乙\n", encoding="utf-8")
    assert [a.name for a in load_config(fine).accounts] == ["甲", "乙"]
    dup = tmp_path / "merge-dup.yaml"
    dup.write_text(base + "  - <<: *w\n    id: b-weibo\n    id: c-weibo\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(dup)
    assert "id" in raised.value.key and "line 5 and again on line 6" in raised.value.reason, raised.value


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "{}\n", "---\n...\n"])
def test_an_empty_config_is_an_error_naming_the_file(tmp_path: Path, text: str):
    path = tmp_path / "empty.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2, result.stderr
    assert str(path) in result.stderr and "empty" in result.stderr
    assert not (tmp_path / "data").exists()  # nothing was created


def test_a_crawl_with_no_accounts_anywhere_is_an_error(tmp_path: Path):
    path = tmp_path / "none.yaml"
    path.write_text(
        f"database: sqlite:///{tmp_path / 'gw.db'}\nthresholds:\n  zombie_days: 90\n", encoding="utf-8"
    )
    result = run_govwatch(path, "crawl")
    assert result.returncode == 2, result.stderr
    assert str(path) in result.stderr and "accounts" in result.stderr and "accounts import" in result.stderr
