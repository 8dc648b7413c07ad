"""`govwatch accounts import|list|export`: the office's Excel/CSV list as offices keep it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from tests.conftest import run_govwatch

pytestmark = pytest.mark.slow  # each test runs the govwatch command several times

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


def test_the_field_column_places_a_unit_its_name_does_not(tmp_path):
    """旗融媒体中心 is 融媒体和宣传 by its name, 某某服务中心 其他: the registry's 业务领域 says
    otherwise; a value naming no field rejects its row, naming the file, row and column."""
    config = config_file(tmp_path)
    source = tmp_path / "台账.csv"
    source.write_text(
        "责任主体,账号名称,平台,账号ID,业务领域\n"
        "旗融媒体中心,青川融媒,新浪微博,7001,综合（政府办）\n"
        "某某服务中心,青川服务,新浪微博,7002, Health \n"
        "旗体育局,青川体育,新浪微博,7003,\n"
        "旗文体局,青川文体,新浪微博,7004,文体\n",
        encoding="utf-8",
    )
    result = run_govwatch(config, "accounts", "import", str(source))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "新增 3" in result.stdout and "拒绝 1 行" in result.stdout
    [line] = [x for x in result.stdout.splitlines() if "✗" in x]
    assert "台账.csv 第 5 行" in line and "“业务领域”列（E 列）" in line and "“文体”" in line
    assert "卫生健康/health" in line and "其他/other" in line
    fields = {r["账号名称"]: r["业务领域"] for r in accounts(config).values()}
    assert fields == {"青川融媒": "综合（政府办）", "青川服务": "卫生健康", "青川体育": "体育"}
    out = tmp_path / "export.csv"
    assert run_govwatch(config, "accounts", "export", "--out", str(out)).returncode == 0
    exported = {r["账号名称"]: r["业务领域"] for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert exported == {"青川融媒": "综合（政府办）", "青川服务": "卫生健康", "青川体育": ""}
    again = run_govwatch(config, "accounts", "import", str(out))
    assert again.returncode == 0 and "新增 0，更新 0，未变 3" in again.stdout


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


def write_two_row_header_xlsx(path: Path, base_url: str) -> Path:
    """A 台账 as offices make them: a title row, then a header over two rows — 账号信息 merged over
    账号ID and 链接, the other headers merged down both rows — and a unit written once, merged
    down beside its accounts."""
    book = Workbook()
    sheet = book.active
    sheet.title = "政务新媒体"
    top = ["序号", "开办主体", "平台", "账号名称", "账号信息", None, "运维方式"]
    sheet.append(["青川旗政务新媒体台账（2026年）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(top))
    sheet.append(top)
    sheet.append([None, None, None, None, "账号ID", "链接", None])
    sheet.merge_cells(start_row=2, start_column=5, end_row=2, end_column=6)
    for column in (1, 2, 3, 4, 7):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    rows = [
        [1, "旗教育局", "新浪微博", "青川教育", "7712000102", "", "自行运维"],
        [2, None, "政府网站", "青川教育信息网", "", f"{base_url}/gov/qc-edu-tzgg/index.html", "自行运维"],
        [3, "旗卫生健康委员会", "移动客户端", "健康青川", "", "", "自行运维"],  # no link on our list
        [4, "旗融媒体中心", "微信视频号", "青川融媒", "sph1a2b3c", "", "委托运维"],
        [5, "旗融媒体中心", "百家号", "青川融媒百家号", "", "https://baijiahao.example/u/1", "委托运维"],
        [6, "旗融媒体中心", "学习强国", "青川融媒强国号", "", "", "自行运维"],
        [7, "旗政务服务局", "微信小程序", "青川办事", "", "", "自行运维"],
        [8, "旗融媒体中心", "网易号", "青川发布网易号", "", "", "自行运维"],
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells(start_row=4, start_column=2, end_row=5, end_column=2)  # 旗教育局, twice
    book.save(path)
    return path


UNMONITORED = {"青川融媒", "青川融媒百家号", "青川融媒强国号", "青川办事", "青川发布网易号"}


@pytest.mark.e2e
def test_two_row_merged_header_and_platforms_we_cannot_crawl(sandbox, tmp_path):
    from tests.conftest import export_jsonl, write_sandbox_config

    config = write_sandbox_config(tmp_path, sandbox.base_url, accounts=[], smtp=None)
    source = write_two_row_header_xlsx(tmp_path / "台账.xlsx", sandbox.base_url)
    result = run_govwatch(config, "accounts", "import", str(source))
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "新增 8" in result.stdout and "拒绝" not in result.stdout.replace("拒绝 0", "")

    exported = tmp_path / "out.csv"
    assert run_govwatch(config, "accounts", "export", "--out", str(exported)).returncode == 0
    with open(exported, encoding="utf-8-sig", newline="") as handle:
        rows = {r["账号名称"]: r for r in csv.DictReader(handle)}
    assert rows["青川教育"]["账号ID"] == "7712000102" and rows["青川教育"]["责任主体"] == "旗教育局"
    assert rows["青川教育信息网"]["链接地址"].endswith("/gov/qc-edu-tzgg/index.html")
    assert rows["青川教育信息网"]["责任主体"] == "旗教育局"  # the merged unit cell fills its span
    assert rows["青川融媒"]["平台"] == "微信视频号" and rows["青川融媒"]["账号ID"] == "sph1a2b3c"
    assert rows["青川融媒百家号"]["平台"] == "百家号"

    listed = accounts(config)
    for name in UNMONITORED:
        (row,) = [r for r in listed.values() if r["账号名称"] == name]
        assert row["状态"] == "不支持自动监测", row

    # Crawled twice, hours apart: read what can be read; nothing against a unit for what we
    # cannot read (the platforms we do not crawl, the app our own list has no link for).
    for night in range(2):
        crawl = run_govwatch(config, "crawl", timeout=600)
        assert crawl.returncode == 0, (crawl.stdout, crawl.stderr)
        if night == 0:
            import sqlite3

            with sqlite3.connect(tmp_path / "govwatch.db") as conn:
                conn.execute("UPDATE crawl_outcomes SET finished_at = datetime(finished_at, '-3 hours')")
    by_name = {a["name"]: a for a in export_jsonl(config, "accounts")}
    assert by_name["青川教育"]["last_crawl_outcome"] == "ok"
    assert by_name["青川教育信息网"]["last_crawl_outcome"] == "ok"
    assert {by_name[n]["status"] for n in UNMONITORED} == {"unmonitored"}
    assert by_name["健康青川"]["status"] == "unknown"
    ids = {by_name[n]["id"] for n in UNMONITORED | {"健康青川"}}
    findings = [f for f in export_jsonl(config, "findings") if f["account_id"] in ids]
    assert findings == []


def test_header_rows_read_as_a_person_reads_them(tmp_path):
    """A group header over blank sub-columns (no merge), in a CSV; platform names real lists use."""
    from storage.registry import parse_platform, read_registry

    path = tmp_path / "台账.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["某某旗政务新媒体台账"])
        writer.writerow(["单位名称", "平台类型", "账号名称", "账号信息", "", "备注"])
        writer.writerow(["", "", "", "账号ID", "链接", ""])
        writer.writerow(["旗教育局", "新浪微博", "青川教育", "7712000102", "", ""])
        writer.writerow(["旗教育局", "视频号", "青川教育视频号", "", "", "无链接"])
        writer.writerow(["旗教育局", "政府网站", "教育信息网", "", "https://edu.example.gov.cn/tzgg/", ""])
    read = read_registry(path)
    assert read.rejected == [] and read.warnings == []
    by_name = {r["name"]: r for r in read.records}
    assert by_name["青川教育"]["handle"] == "7712000102"
    assert by_name["教育信息网"]["url"] == "https://edu.example.gov.cn/tzgg/"
    assert by_name["青川教育视频号"]["platform"] == "channels"
    assert read.rows[by_name["青川教育"]["id"]] == "第 4 行"
    expected = {
        "微信视频号": "channels",
        "百家号": "baijiahao",
        "网易号": "netease",
        "企鹅号": "qiehao",
        "人民号": "renminhao",
        "学习强国号": "xuexi",
        "知乎": "zhihu",
        "微信小程序": "miniprogram",
        "微信公众号": "wechat",
    }
    assert {name: parse_platform(name) for name in expected} == expected
