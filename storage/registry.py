"""The account registry (帐号台账) as offices keep it: .xlsx or .csv, read and written back.

Offices' lists have a title row (or several) above the header, Chinese headers
in many variants (责任主体/主办单位, 帐号/账号名称, 平台/平台类型, 帐号ID/链接地址)
and platform names as people write them (新浪微博, 微信公众号, 移动客户端/APP).
``read_registry`` finds the header row, maps the columns, and turns every row
into an account record or a rejection naming the sheet row and the reason.
``import_registry`` merges the good records by id (storage.repo.sync_accounts):
importing the same file again changes nothing. Ids are the file's 标识 column
when present, else generated from unit + platform + name (stable, [a-z0-9-]+).
``export_registry`` writes the registry with the same headers, so it round-trips.
The optional 业务领域 column (core/fields.py ``parse_field``: a UnitField label or key) sets the
account's line of work for the scorecard and the spot check, over config ``units`` and the name;
a file without the column leaves the fields stored before as they are.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import ACCOUNT_ID_RE
from core.fields import field_choices, parse_field
from core.files import open_private, replace_private
from core.platforms import declared, is_monitored, spelled
from core.vocabulary import AccountKind, AccountStatus, Operator, UnitField
from storage import repo
from storage.models import Account, Unit


class RegistryError(Exception):
    """The file as a whole cannot be used (unreadable, no header row)."""


# --- headers -----------------------------------------------------------------------

# The header `export_registry` writes for each field (and `read_registry` reads first).
EXPORT_HEADERS = {
    "id": "标识",
    "unit": "责任主体",
    "platform": "平台",
    "name": "账号名称",
    "handle": "账号ID",
    "url": "链接地址",
    "feed_url": "订阅地址",
    "kind": "账号类别",
    "operator": "运维方式",
    "operator_name": "运维单位",
    "closed": "状态",
    "unit_field": "业务领域",
}

# Normalised header -> field. Normalising: no blanks, 帐 -> 账, no bracketed notes, lower case.
HEADER_ALIASES: dict[str, str] = {}
for _field, _names in {
    "id": ["标识", "监测标识", "监测编号", "govwatchid"],
    "unit": [
        "责任主体",
        "主办单位",
        "开办主体",
        "开办单位",
        "主管单位",
        "责任单位",
        "运营主体",
        "单位名称",
        "单位",
        "所属单位",
        "主体单位",
        "账号主体",
        "注册主体",
    ],
    "platform": [
        "平台",
        "平台类型",
        "平台名称",
        "所属平台",
        "发布平台",
        "账号平台",
        "新媒体平台",
        "类型平台",
    ],
    "name": ["账号名称", "名称", "新媒体名称", "账号", "账号名", "政务新媒体名称", "公众号名称", "昵称"],
    "handle": ["账号id", "id", "uid", "微博id", "微信号", "原始id", "抖音号", "快手号", "头条号id"],
    "url": [
        "链接地址",
        "链接",
        "网址",
        "主页地址",
        "地址",
        "url",
        "账号链接",
        "主页链接",
        "网站地址",
        "下载地址",
    ],
    "feed_url": ["订阅地址", "rss", "rss地址", "feed", "feedurl"],
    "kind": ["账号类别", "类别", "账号类型", "功能类型", "功能类别"],
    "operator": ["运维方式", "运营方式", "是否托管", "托管情况", "运维模式", "是否外包", "运营模式"],
    "operator_name": [
        "运维单位",
        "托管单位",
        "代运营单位",
        "外包单位",
        "第三方运维单位",
        "托管机构",
        "运维公司",
    ],
    "closed": ["状态", "账号状态", "运行状态"],
    "unit_field": ["业务领域", "所属领域", "领域", "行业领域", "所属行业", "行业", "unitfield", "field"],
}.items():
    for _name in _names:
        HEADER_ALIASES[_name] = _field

REQUIRED = ("unit", "platform", "name")


def normalise_header(text: Any) -> str:
    value = str(text or "").replace("帐", "账")
    value = re.sub(r"[（(【\[].*?[）)】\]]", "", value)
    value = re.sub(r"[\s_:：*＊]", "", value)
    return value.lower()


def header_field(cell: Any) -> str | None:
    """The field a header names; a combined header (账号ID/链接地址) takes its first known part."""
    text = normalise_header(cell)
    if text in HEADER_ALIASES:
        return HEADER_ALIASES[text]
    for part in re.split(r"[/／、或|]", text):
        if part in HEADER_ALIASES:
            return HEADER_ALIASES[part]
    return None


# --- values ------------------------------------------------------------------------

CLOSED_LABELS = {False: "正常", True: AccountStatus.CLOSED.label}


def parse_platform(value: str) -> str | None:
    """The platform code of a 平台 cell as offices write it (core/platforms.py's names), or None."""
    key = re.sub(r"\s", "", value).lower()
    names = spelled()
    if key in names:
        return names[key]
    for name, platform in sorted(names.items(), key=lambda kv: -len(kv[0])):
        if len(name) >= 2 and name in key:  # 新浪微博（政务）, 微信公众号(服务号)
            return platform
    return None


def parse_kind(value: str) -> str | None:
    if not value:
        return AccountKind.PUBLISH
    if value in tuple(AccountKind):
        return AccountKind(value)
    if "发布" in value or "宣传" in value or "信息" in value:
        return AccountKind.PUBLISH
    if "服务" in value or "办事" in value:
        return AccountKind.SERVICE
    return None


def parse_operator(value: str) -> str | None:
    if not value:
        return Operator.SELF
    if value in tuple(Operator):
        return Operator(value)
    if any(w in value for w in ("托管", "外包", "委托", "第三方", "代运营", "购买服务")) or value in (
        "是",
        "y",
        "yes",
    ):
        return Operator.OUTSOURCED
    if any(w in value for w in ("自行", "自主", "自营", "自运营", "本单位")) or value in ("否", "n", "no"):
        return Operator.SELF
    return None


def parse_closed(value: str) -> bool | None:
    if not value:
        return False
    if any(w in value for w in ("关停", "注销", "关闭", "停用", "已停", "撤销")) or value.lower() == "closed":
        return True
    if any(w in value for w in ("正常", "运行", "在用", "运营", "启用")) or value.lower() in (
        "open",
        "active",
    ):
        return False
    return None


def generated_id(unit: str, platform: str, name: str) -> str:
    """A stable id from unit + platform + name: the same row always gets the same id."""
    digest = hashlib.sha1(f"{unit}\x1f{platform}\x1f{name}".encode()).hexdigest()[:10]
    return f"{platform}-{digest}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 1234567890.0 from a spreadsheet number cell
    return " ".join(str(value).split())


# --- reading -----------------------------------------------------------------------


@dataclass
class Rejected:
    sheet: str | None
    row: int  # the sheet's own row number (1 = first row of the file)
    reason: str

    def where(self) -> str:
        return f"{self.sheet} 第 {self.row} 行" if self.sheet else f"第 {self.row} 行"


@dataclass
class RegistryRead:
    records: list[dict] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)  # id -> where it was read
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _sheets(path: Path) -> Iterator[tuple[str | None, list[list[Any]]]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            # Not read_only: merged ranges are only known to a fully loaded sheet.
            book = load_workbook(path, data_only=True)
        except Exception as exc:  # noqa: BLE001 - zip and XML errors alike
            raise RegistryError(f"无法读取 Excel 文件 / not a readable .xlsx file ({exc})") from None
        try:
            many = len(book.worksheets) > 1
            for sheet in book.worksheets:
                yield (sheet.title if many else None), _filled_rows(sheet)
        finally:
            book.close()
    elif suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RegistryError("既不是 UTF-8 也不是 GBK 编码 / neither UTF-8 nor GBK text")
        dialect: Any = csv.excel
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
        yield None, [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    elif suffix == ".xls":
        raise RegistryError("旧版 .xls 文件请另存为 .xlsx 或 .csv / save the .xls file as .xlsx or .csv")
    else:
        raise RegistryError(f"不支持的文件类型 {suffix or '（无扩展名）'} / use .xlsx or .csv")


def _filled_rows(sheet: Any) -> list[list[Any]]:
    """The sheet's values, each merged range's value filling every cell of its span, as a person
    reads it (a group header over two columns, a unit written once beside its three accounts)."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
            row = rows[r]
            if len(row) < merged.max_col:
                row.extend([None] * (merged.max_col - len(row)))
            for c in range(merged.min_col - 1, merged.max_col):
                row[c] = value
    return rows


def _header_columns(*rows: list[Any]) -> dict[int, str]:
    """Column -> field for a header of one or more rows: in each column the lowest row that names a
    field counts (账号ID under the group header 账号信息), each field once, leftmost first."""
    columns: dict[int, str] = {}
    for col in range(max((len(r) for r in rows), default=0)):
        for row in reversed(rows):
            field_name = header_field(row[col]) if col < len(row) else None
            if field_name:
                if field_name not in columns.values():
                    columns[col] = field_name
                break
    return columns


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[int, str]] | None:
    """The header (of the first 15 rows): the first row whose cells name unit, platform and name,
    together with the rows below it that name further fields (a two-row header: 账号信息 over
    账号ID / 链接). Returns the index of the header's last row and the column map."""
    for index, row in enumerate(rows[:15]):
        columns = _header_columns(row)
        if not all(f in columns.values() for f in REQUIRED):
            continue
        last = index
        for below in range(index + 1, min(index + 3, len(rows))):
            merged = _header_columns(*rows[index : below + 1])
            own = _header_columns(rows[below])
            # A header row names fields and holds no account: most of its named cells are headers.
            named = [c for c in rows[below] if str(c or "").strip()]
            if len(merged) <= len(columns) or len(own) * 2 < len(named):
                break
            columns, last = merged, below
        return last, columns
    return None


def read_registry(path: Path) -> RegistryRead:
    if not path.exists():
        raise RegistryError("文件不存在 / file not found")
    result = RegistryRead()
    seen: dict[str, tuple[str, dict]] = {}
    fields: dict[str, tuple[str, str | None]] = {}  # unit -> (where, 业务领域) of its first row
    found_header = False
    for sheet, rows in _sheets(path):
        header = _find_header(rows)
        if header is None:
            continue
        found_header = True
        header_index, columns = header
        named = {f: _column_name(rows[header_index], c) for c, f in columns.items()}
        for index in range(header_index + 1, len(rows)):
            row = rows[index]
            values = {f: _text(row[c]) if c < len(row) else "" for c, f in columns.items()}
            if not any(values.values()):
                continue  # blank line
            where = Rejected(sheet, index + 1, "")
            record, reason = _record(values, named)
            if record is None:
                result.rejected.append(Rejected(sheet, index + 1, reason))
                continue
            previous = seen.get(record["id"])
            if previous is not None:
                same = previous[1] == record
                result.rejected.append(
                    Rejected(
                        sheet,
                        index + 1,
                        f"与{previous[0]}重复（同一单位、平台、名称）"
                        + ("，内容相同" if same else "，内容不同，以先出现的为准")
                        + " / duplicate row",
                    )
                )
                continue
            seen[record["id"]] = (where.where(), record)
            _check_unit_field(record, where.where(), fields, result.warnings)
            result.records.append(record)
            result.rows[record["id"]] = where.where()
            monitored = is_monitored(record["platform"])
            if monitored and not (record.get("url") or record.get("handle") or record.get("feed_url")):
                result.warnings.append(
                    f"{where.where()}：{record['name']} 没有账号ID或链接地址，无法抓取 / no id or link: cannot be crawled"
                )
    if not found_header:
        raise RegistryError(
            "找不到表头（需要 责任主体、平台、账号名称 三列）/ no header row with unit, platform and name columns"
        )
    return result


def _column_name(header: list[Any], col: int) -> str:
    """A column as a message names it: its header as the file writes it and its letter."""
    from openpyxl.utils import get_column_letter

    text = _text(header[col]) if col < len(header) else ""
    return f"“{text or EXPORT_HEADERS['unit_field']}”列（{get_column_letter(col + 1)} 列）"


def _check_unit_field(
    record: dict, where: str, fields: dict[str, tuple[str, str | None]], warnings: list[str]
) -> None:
    """Warn when two rows of one unit give it different 业务领域 (each account keeps its own; a
    blank cell, leaving it to config and the name, disagrees with none)."""
    if not record.get("unit_field"):
        return
    first = fields.setdefault(record["unit"], (where, record["unit_field"]))
    if first[1] != record["unit_field"]:
        warnings.append(
            f"{where}：{record['unit']} 的业务领域“{UnitField.label_of(record['unit_field'])}”与{first[0]}"
            f"的“{UnitField.label_of(first[1])}”不同 / the unit's rows disagree on its field"
        )


def _record(values: dict[str, str], named: dict[str, str] | None = None) -> tuple[dict | None, str]:
    missing = [EXPORT_HEADERS[f] for f in REQUIRED if not values.get(f)]
    if missing:
        return None, f"缺少{'、'.join(missing)} / missing {', '.join(missing)}"
    platform = parse_platform(values["platform"])
    if platform is None:
        return None, f"无法识别的平台“{values['platform']}” / unknown platform"
    kind = parse_kind(values.get("kind", ""))
    if kind is None:
        return (
            None,
            f"无法识别的账号类别“{values['kind']}”（应为 {AccountKind.PUBLISH.label} 或 {AccountKind.SERVICE.label}）/ unknown kind",
        )
    operator = parse_operator(values.get("operator", ""))
    if operator is None:
        return (
            None,
            f"无法识别的运维方式“{values['operator']}”（应为 {Operator.SELF.label} 或 {Operator.OUTSOURCED.label}）/ unknown operator",
        )
    closed = parse_closed(values.get("closed", ""))
    if closed is None:
        return None, f"无法识别的状态“{values['closed']}”（应为 正常 或 已关停）/ unknown state"
    unit_field = parse_field(values.get("unit_field"))
    if values.get("unit_field") and unit_field is None:
        column = (named or {}).get("unit_field", f"“{EXPORT_HEADERS['unit_field']}”列")
        return (
            None,
            f"{column}无法识别的业务领域“{values['unit_field']}”（应为 {field_choices()}，"
            "或留空按配置或单位名称判断）/ unknown 业务领域 (field)",
        )
    account_id = values.get("id", "").lower()
    if account_id and not ACCOUNT_ID_RE.match(account_id):
        return None, f"标识“{values['id']}”只能包含小写字母、数字和连字符 / id must match [a-z0-9-]+"
    handle = values.get("handle") or None
    url = values.get("url") or None
    if handle and re.match(r"^https?://", handle):  # 账号ID/链接地址 in one column
        url, handle = url or handle, None
    if not handle:
        handle = declared(platform).handle_from(url)
    if url and not re.match(r"^https?://", url):
        return None, f"链接地址“{url}”不是 http(s) 网址 / url must start with http:// or https://"
    record = {
        "id": account_id or generated_id(values["unit"], platform, values["name"]),
        "unit": values["unit"],
        "platform": platform,
        "name": values["name"],
        "handle": handle,
        "url": url,
        "feed_url": values.get("feed_url") or None,
        "kind": kind,
        "operator": operator,
        "operator_name": values.get("operator_name") or None,
        "closed": closed,
    }
    if "unit_field" in values:  # the column is there: a blank cell clears the field stored before
        record["unit_field"] = unit_field
    if record["operator"] == Operator.SELF and record["operator_name"]:
        record["operator"] = Operator.OUTSOURCED  # a named operating company means it is outsourced
    return record, ""


# --- importing ---------------------------------------------------------------------


@dataclass
class ImportResult:
    added: list[str]
    updated: list[str]
    unchanged: int
    rejected: list[Rejected]
    warnings: list[str]
    absent: list[str]  # imported before, not in this file (kept; close them by hand)
    records: list[dict] = field(default_factory=list)  # the good rows, in file order
    rows: dict[str, str] = field(default_factory=dict)  # id -> where it was read
    dry_run: bool = False  # nothing was written: a preview of what importing would do
    file: str = ""  # the file's name, as the rejections name it

    def fates(self) -> list[dict]:
        """Every row's fate in file order: new, changed, unchanged, rejected (with the reason)."""
        added, updated = set(self.added), set(self.updated)
        out = []
        for record in self.records:
            account_id = record["id"]
            fate = "new" if account_id in added else "changed" if account_id in updated else "unchanged"
            out.append(
                {
                    "where": self.rows.get(account_id, ""),
                    "id": account_id,
                    "unit": record["unit"],
                    "name": record["name"],
                    "platform": registry_label(record["platform"]),
                    "field": record.get("unit_field") or "",  # the 业务领域 column's code
                    "fate": fate,
                    "reason": "",
                }
            )
        for rejected in self.rejected:
            out.append(
                {
                    "where": rejected.where(),
                    "id": "",
                    "unit": "",
                    "name": "",
                    "platform": "",
                    "field": "",
                    "fate": "rejected",
                    "reason": rejected.reason,
                }
            )
        return out

    def lines(self) -> list[str]:
        out = [
            f"导入完成 / imported: 新增 {len(self.added)}，更新 {len(self.updated)}，"
            f"未变 {self.unchanged}，拒绝 {len(self.rejected)} 行"
        ]
        for account_id in self.added:
            out.append(f"  + {account_id}")
        for account_id in self.updated:
            out.append(f"  ~ {account_id}")
        for rejected in self.rejected:
            out.append(f"  ✗ {self.file + ' ' if self.file else ''}{rejected.where()}：{rejected.reason}")
        for warning in self.warnings:
            out.append(f"  ! {warning}")
        if self.absent:
            out.append(
                f"  以前导入、本文件中没有的帐号（保留，如已关停请在表中标注“已关停”）/ not in this file: {', '.join(self.absent)}"
            )
        return out


def import_registry(session: Session, path: Path, dry_run: bool = False) -> ImportResult:
    """Merge the file into the registry; with ``dry_run`` work it all out, then write nothing
    (the session is rolled back: the web console's preview of every row's fate)."""
    read = read_registry(path)
    synced = repo.sync_accounts(session, read.records, source="import") if read.records else None
    ids = {r["id"] for r in read.records}
    absent = sorted(
        set(session.scalars(select(Account.id).where(Account.source == "import", Account.closed.is_(False))))
        - ids
    )
    result = ImportResult(
        added=synced.added if synced else [],
        updated=synced.updated if synced else [],
        unchanged=synced.unchanged if synced else 0,
        rejected=read.rejected,
        warnings=read.warnings,
        absent=absent,
        records=read.records,
        rows=read.rows,
        dry_run=dry_run,
        file=path.name,
    )
    if dry_run:
        session.rollback()
    return result


# --- listing and exporting ----------------------------------------------------------


def registry_label(code: str) -> str:
    """The platform's name as the offices' lists write it (an unknown code as itself)."""
    platform = declared(code)
    return platform.registry_label if platform else code


def registry_rows(session: Session, unit: str | None = None, platform: str | None = None) -> list[dict]:
    query = select(Account, Unit.name).join(Unit, Account.unit_id == Unit.id)
    if unit:
        query = query.where(Unit.name == unit)
    if platform:
        query = query.where(Account.platform == (parse_platform(platform) or platform))
    rows = []
    for account, unit_name in session.execute(query.order_by(Unit.name, Account.platform, Account.name)):
        rows.append(
            {
                "id": account.id,
                "unit": unit_name,
                "platform": account.platform,
                "platform_label": registry_label(account.platform),
                "name": account.name,
                "handle": account.handle,
                "url": account.url,
                "feed_url": account.feed_url,
                "kind": account.kind,
                "operator": account.operator,
                "operator_label": Operator.label_of(account.operator)
                + (f"（{account.operator_name}）" if account.operator_name else ""),
                "operator_name": account.operator_name,
                "closed": account.closed,
                "unit_field": account.unit_field,
                "status": account.status if is_monitored(account.platform) else AccountStatus.UNMONITORED,
                "source": account.source,
            }
        )
    return rows


def _export_cells(row: dict) -> list[Any]:
    return [
        row["id"],
        row["unit"],
        registry_label(row["platform"]),
        row["name"],
        row["handle"] or "",
        row["url"] or "",
        row["feed_url"] or "",
        AccountKind.label_of(row["kind"]),
        Operator.label_of(row["operator"]),
        row["operator_name"] or "",
        CLOSED_LABELS[bool(row["closed"])],
        UnitField.label_of(row["unit_field"], ""),
    ]


def export_registry(session: Session, out: Path | None, stream: IO[str]) -> int:
    """Write the registry to ``out`` (.xlsx or .csv by extension) or as CSV to ``stream``."""
    rows = registry_rows(session)
    headers = list(EXPORT_HEADERS.values())
    cells = [_export_cells(r) for r in rows]
    suffix = out.suffix.lower() if out else ".csv"
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "政务新媒体账号"
        sheet.append(headers)
        for row in cells:
            sheet.append([str(c) if c is not None else "" for c in row])  # ids stay text, never numbers
        for column, width in zip("ABCDEFGHIJKL", (22, 20, 12, 20, 14, 40, 40, 8, 10, 24, 8, 16), strict=True):
            sheet.column_dimensions[column].width = width
        with replace_private(out, "wb") as binary:  # 0600, and never half a workbook
            book.save(binary)
    elif suffix == ".csv":
        handle = open_private(out, "w", encoding="utf-8-sig", newline="") if out else stream
        try:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(cells)
        finally:
            if out:
                handle.close()
    else:
        raise RegistryError(f"不支持的文件类型 {suffix} / use .xlsx or .csv")
    return len(rows)


# --- the registry as the commands ask about it ------------------------------------


def merge_config_accounts(session: Session, accounts: Iterable) -> repo.SyncResult:  # AccountConfig objects
    """Merge config.yaml's accounts into the registry by id (source ``config``); an account
    imported from the office's list with the same id takes the config's values."""
    return repo.sync_accounts(session, repo.config_account_records(accounts), source="config")


def has_accounts(session: Session) -> bool:
    """Whether any account is registered (from config.yaml or an imported list)."""
    return session.scalar(select(Account.id).limit(1)) is not None


def unknown_account_ids(session: Session, account_ids: Sequence[str]) -> dict[str, list[str]]:
    """The ids among ``account_ids`` that are not registered, each with up to three registered
    ids spelled alike (for "did you mean"); empty when all are known."""
    if not account_ids:
        return {}
    known = list(session.scalars(select(Account.id)))
    known_set = set(known)
    return {
        a: difflib.get_close_matches(a, known, n=3, cutoff=0.5) for a in account_ids if a not in known_set
    }
