"""`govwatch accounts import|list|export`: the office's Excel/CSV list as offices keep it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from tests.conftest import run_govwatch

TITLE = "青川旗政务新媒体账号登记表（2026年11月）"
HEADER = ["序号", "主办单位", "帐号名称", "平台类型", "帐号ID/链接地址", "运维方式", "托管单位", "备注"]
ROWS = [
    [1, "旗教育局", "青川教育", "新浪微博", "7712000102", "自行运维", "", ""],
    [2, "旗教育局", "青川教育", "微信公众号", "https://rsshub.example/wechat/qc-edu", "自行运维", "", ""],
    [
        3,
        "旗文化和旅游局",
        "青川文旅",
        "抖音",
        "https://www.douyin.com/user/abc",
        "委托运维",
        "北疆星火文化传媒有限公司",
        "",
    ],
    [4, "旗政府办公室", "青川旗人民政府", "政府网站", "https://www.qingchuan.example.gov.cn/", "", "", ""],
    [5, "旗应急管理局", "青川应急", "移动客户端/APP", "https://app.example/qc", "", "", ""],
    [6, "旗教育局", "青川教育", "新浪微博", "7712000102", "自行运维", "", "重复登记"],  # duplicate of row 1
    [7, "旗公安局", "青川公安", "飞信", "12345", "", "", ""],  # bad: unknown platform
    [8, "", "无主帐号", "快手", "https://www.kuaishou.com/u/1", "", "", ""],  # bad: no unit
    [9, "宝力镇人民政府", "宝力镇发布", "哔哩哔哩", "https://space.bilibili.com/99", "", "", ""],
]


def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump({"database": f"sqlite:///{tmp_path / 'gw.db'}"}, allow_unicode=True), encoding="utf-8"
    )
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "账号台账"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([TITLE])
        writer.writerow(["责任主体", "账号名称", "平台", "账号ID", "链接地址", "是否托管", "运维单位"])
        for r in rows:
            link = r[4] if str(r[4]).startswith("http") else ""
            uid = "" if link else r[4]
            writer.writerow([r[1], r[2], r[3], uid, link, r[5], r[6]])
    return path


def accounts(config: Path) -> dict[str, dict]:
    result = run_govwatch(config, "accounts", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split("\t")
    return {
        row[0]: dict(zip(header, row, strict=True))
        for row in (line.split("\t") for line in lines[1:] if "\t" in line)
    }


@pytest.mark.parametrize("kind", ["xlsx", "csv", "csv-gbk"])
def test_import_title_row_variants_duplicate_and_bad_rows(tmp_path, kind):
    config = config_file(tmp_path)
    if kind == "xlsx":
        source = write_xlsx(tmp_path / "台账.xlsx", ROWS)
    else:
        source = write_csv(tmp_path / "台账.csv", ROWS, "gb18030" if kind == "csv-gbk" else "utf-8-sig")

    result = run_govwatch(config, "accounts", "import", str(source))
    # Some rows were rejected: exit 1, the good rows are imported all the same.
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "新增 6" in out and "拒绝 3 行" in out
    assert "第 8 行" in out and "重复" in out  # sheet row numbers: title row 1, header row 2
    assert "第 9 行" in out and "飞信" in out and "无法识别的平台" in out
    assert "第 10 行" in out and "缺少责任主体" in out

    registry = accounts(config)
    assert len(registry) == 6
    by_name = {(r["责任主体"], r["平台"], r["账号名称"]): r for r in registry.values()}
    assert ("旗教育局", "新浪微博", "青川教育") in by_name
    assert ("旗应急管理局", "移动客户端", "青川应急") in by_name
    assert ("宝力镇人民政府", "哔哩哔哩", "宝力镇发布") in by_name
    douyin = by_name[("旗文化和旅游局", "抖音", "青川文旅")]
    assert "北疆星火文化传媒有限公司" in douyin["运维"]
    for account_id in registry:
        assert account_id.replace("-", "").isalnum() and account_id == account_id.lower()

    # Re-importing the same file changes nothing, and the ids are the same.
    again = run_govwatch(config, "accounts", "import", str(source))
    assert again.returncode == 1
    assert "新增 0，更新 0，未变 6" in again.stdout
    assert set(accounts(config)) == set(registry)


def test_changed_file_updates_and_export_round_trips(tmp_path):
    config = config_file(tmp_path)
    good = [r for r in ROWS if r[0] not in (6, 7, 8)]
    source = write_xlsx(tmp_path / "台账.xlsx", good)
    first = run_govwatch(config, "accounts", "import", str(source))
    assert first.returncode == 0, first.stdout + first.stderr
    before = accounts(config)

    changed = [list(r) for r in good]
    changed[1][4] = "https://rsshub.example/wechat/qc-edu-new"  # a new link for 青川教育 (WeChat)
    changed[4][5] = "委托运维"  # 青川应急 APP now outsourced
    changed[4][6] = "青川云帆网络科技有限公司"
    changed.append(
        [10, "旗卫生健康委员会", "健康青川", "今日头条", "https://www.toutiao.com/c/user/1/", "", "", ""]
    )
    write_xlsx(source, changed)
    second = run_govwatch(config, "accounts", "import", str(source))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "新增 1，更新 2，未变 4" in second.stdout
    after = accounts(config)
    assert set(before) < set(after)
    app = next(r for r in after.values() if r["账号名称"] == "青川应急")
    assert "青川云帆网络科技有限公司" in app["运维"]

    # Export writes the same headers back; importing the export changes nothing.
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"export.{suffix}"
        exported = run_govwatch(config, "accounts", "export", "--out", str(out))
        assert exported.returncode == 0, exported.stderr
        if suffix == "xlsx":
            header = [c.value for c in next(load_workbook(out).active.iter_rows(max_row=1))]
            assert header[:4] == ["标识", "责任主体", "平台", "账号名称"]
        again = run_govwatch(config, "accounts", "import", str(out))
        assert again.returncode == 0, again.stdout + again.stderr
        assert f"新增 0，更新 0，未变 {len(after)}" in again.stdout


def test_unreadable_registry_files_exit_2_naming_the_file(tmp_path):
    config = config_file(tmp_path)
    no_header = tmp_path / "list.csv"
    no_header.write_text("名单\n甲,乙,丙\n", encoding="utf-8")
    result = run_govwatch(config, "accounts", "import", str(no_header))
    assert result.returncode == 2
    assert "list.csv" in result.stderr and "找不到表头" in result.stderr
    old = tmp_path / "list.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run_govwatch(config, "accounts", "import", str(old))
    assert result.returncode == 2 and ".xlsx" in result.stderr
