"""`govwatch export ... --format xlsx`: Chinese headers, the 通报 layout, text stays text."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporting.export import ACCOUNT_HEADERS, FINDING_HEADERS
from storage.db import open_store
from storage.models import Finding
from tests.conftest import run_govwatch
from tests.test_delivery_mail import mail_config, smtp_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow  # runs the govwatch command


def test_findings_xlsx_is_a_tongbao_grouped_by_unit(mail_config, tmp_path):  # noqa: F811
    import yaml

    database = yaml.safe_load(mail_config.read_text(encoding="utf-8"))["database"]
    store = open_store(database)
    with store.session() as session:  # a crawled post that looks like a formula
        finding = session.query(Finding).filter_by(rule="ad.contact").one()
        finding.evidence = '=HYPERLINK("http://evil.example","点我")' + finding.evidence
    store.dispose()
    out = tmp_path / "通报.xlsx"
    result = run_govwatch(mail_config, "export", "findings", "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out).active
    assert "问题通报" in sheet["A1"].value
    assert tuple(c.value for c in sheet[2]) == FINDING_HEADERS
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))  # 序号
    units = [r[1] for r in rows]
    seen: list[str] = []
    for unit in units:  # each unit's findings together
        if not seen or seen[-1] != unit:
            assert unit not in seen, units
            seen.append(unit)
    assert units[0] in ("旗教育局", "巴彦苏木人民政府")  # critical (zombie, empty) first
    statuses = {r[7] for r in rows}
    assert statuses <= {"未整改", "已整改", "已排除"}
    assert {r[4] for r in rows} >= {"运维保障差", "功能定位不清"}
    ad = next(row for row in sheet.iter_rows(min_row=3) if row[4].value == "功能定位不清")
    assert ad[5].data_type == "s" and ad[5].value.startswith("=HYPERLINK")
    assert "<script>alert(1)</script>" in ad[5].value


def test_accounts_xlsx_and_usage_errors(mail_config, tmp_path):  # noqa: F811
    out = tmp_path / "accounts.xlsx"
    result = run_govwatch(mail_config, "export", "accounts", "--format", "xlsx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out).active
    assert tuple(c.value for c in sheet[2]) == ACCOUNT_HEADERS
    assert any(row[5].value == "僵尸帐号" for row in sheet.iter_rows(min_row=3))
    missing = run_govwatch(mail_config, "export", "findings", "--format", "xlsx")
    assert missing.returncode == 2 and "--out" in missing.stderr
    posts = tmp_path / "posts.xlsx"
    assert (
        run_govwatch(mail_config, "export", "posts", "--format", "xlsx", "--out", str(posts)).returncode == 0
    )
    assert Path(posts).stat().st_size > 0
    # csv and jsonl stay as the contract says
    csv = run_govwatch(mail_config, "export", "findings", "--format", "csv")
    assert csv.returncode == 0 and csv.stdout.splitlines()[0] == (
        "id,account_id,post_id,category,rule,severity,evidence,first_seen,last_seen,status"
    )


def test_csv_file_opens_in_excel_with_a_bom(mail_config, tmp_path):  # noqa: F811
    """Excel on Chinese Windows reads a CSV without a BOM as GBK: every Chinese cell mojibake."""
    for what in ("findings", "posts", "accounts"):
        out = tmp_path / f"{what}.csv"
        result = run_govwatch(mail_config, "export", what, "--format", "csv", "--out", str(out))
        assert result.returncode == 0, result.stderr
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), what
        text = raw.decode("utf-8-sig")
        assert text.startswith(("id,", "account_id,")) and not text.startswith("\ufeff")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), what
    # JSON Lines stays plain UTF-8: a BOM would break the first line for a JSON reader
    jsonl = tmp_path / "findings.jsonl"
    assert run_govwatch(mail_config, "export", "findings", "--out", str(jsonl)).returncode == 0
    assert jsonl.read_bytes()[:1] == b"{"
