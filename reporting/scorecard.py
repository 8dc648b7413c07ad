"""The scorecard and the spot check's 通报 draft as files: an .xlsx workbook (merged title, bold
headers, set column widths) and a self-contained HTML page styled like the weekly report; and the
draft read back after a person wrote 制作水准 notes into it (`govwatch spotcheck import`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from analysis.scorecard import DIMENSION_LABELS, DIMENSIONS, AccountScore, Scorecard
from analysis.spotcheck import SpotCheck
from core.config import Config
from core.files import replace_private, write_private_text
from core.vocabulary import AccountKind, UnitField
from reporting import labels as L
from reporting.trend import trend_svg
from reporting.weekly import environment
from storage.models import utcnow

NOTE_HEADER = "制作水准备注"
ID_HEADER = "帐号ID"
MAX_NOTE = 2000
_TITLE_PERIOD = re.compile(r"（(\d{4}-(?:Q[1-4]|\d{2}))）")


def out_folder(config: Config, out_dir: str | None) -> Path:
    chosen = out_dir or config.scorecard.out_dir
    return config.resolve(chosen) if chosen else config.resolve(config.report.out_dir) / "scorecard"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 1) -> Any:
    return None if value is None else round(value, digits)


def kind_label(code: str) -> str:
    return AccountKind.label_of(code)


def field_label(code: str) -> str:
    return UnitField.label_of(code)


# --- the scorecard ----------------------------------------------------------------------------

SCORE_HEADERS: tuple[tuple[str, float], ...] = (
    ("序号", 6),
    ("责任主体", 18),
    ("帐号", 18),
    ("平台", 9),
    ("业务领域", 12),
    ("帐号类别", 8),
    ("总分", 8),
    ("领域内排名", 8),
    ("平台内排名", 8),
    ("较上期", 8),
    ("名次变化", 8),
    ("职能契合", 8),
    ("制作水准", 8),
    ("传播效果", 8),
    ("互动回应", 8),
    ("发布数", 8),
    ("原创数", 8),
    ("已检查", 8),
    ("职能外", 8),
    ("权威转发", 8),
    ("表述错误", 8),
    ("图解视频解读", 10),
    ("截断或空帖", 9),
    ("有公开计数", 9),
    ("转发", 10),
    ("评论", 10),
    ("点赞", 10),
    ("影响力指数", 10),
    ("公众提问", 8),
    ("已回复", 8),
    ("回复中位时长（小时）", 10),
    (ID_HEADER, 20),
)


def score_row(number: int, s: AccountScore) -> list[Any]:
    f = s.figures
    return [
        number,
        s.unit,
        s.name,
        L.platform_label(s.platform),
        field_label(s.unit_field),
        kind_label(s.kind),
        s.total,
        s.rank_field,
        s.rank_platform,
        s.change,
        s.rank_change,
        s.fit,
        s.quality,
        s.reach,
        s.response,
        f.posts,
        f.original,
        f.checked,
        f.off_work,
        f.authoritative,
        f.wording,
        f.rich,
        f.broken,
        f.counted,
        f.shares,
        f.comments,
        f.likes,
        round(f.influence, 2) if f.posts else None,
        f.questions,
        f.answered,
        f.median_reply_hours,
        s.account_id,
    ]


FORMULAS = (
    "职能契合 = 100 ×（0.7 × 职能内占比 + 0.3 × (原创数 + 权威转发) / 发布数）；职能内占比 = (已检查 − 职能外) / 已检查，"
    "无已检查帖子时只算后一项",
    "制作水准 = 100 ×（0.5 × max(0, 1 − 每百条表述错误 / {errors}) + 0.3 × min(1, 图解视频解读占比 / {rich}) "
    "+ 0.2 × (1 − 截断或空帖占比)）",
    "影响力指数 = (0.2 × ln(发布数+1) + 0.8 × (0.4 × ln(转发+1) + 0.4 × ln(评论+1) + 0.2 × ln(点赞+1))) × 160"
    "（参照微博传播指数 BCI）；传播效果 = 100 × 影响力指数 / 同平台同期最高影响力指数",
    "互动回应 = 100 ×（0.7 × 已回复 / 公众提问 + 0.3 × max(0, 1 − 回复中位时长 / {hours})）；期内无公众提问不计分",
    "总分 = 有分值各维度的加权平均，权重：职能契合 {fit}、制作水准 {quality}、传播效果 {reach}、互动回应 {response}",
)


def formulas(card: Scorecard) -> list[str]:
    s, w = card.settings, card.settings.weights
    values = {
        "errors": f"{s.errors_per_100_zero:g}",
        "rich": f"{s.rich_share_full:g}",
        "hours": f"{s.reply_hours_zero:g}",
        "fit": f"{w.fit:g}",
        "quality": f"{w.quality:g}",
        "reach": f"{w.reach:g}",
        "response": f"{w.response:g}",
    }
    return [line.format(**values) for line in FORMULAS]


def _workbook_sheet(workbook, title: str, sheet_title: str, headers: Sequence[tuple[str, float]]):  # noqa: ANN001, ANN202
    """A sheet of a write-only workbook (streamed: 10,000 rows in seconds) with the merged title in
    row 1, bold grey headers in row 2, the column widths set and the panes frozen below them."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(sheet_title)
    for index, (_, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    cell = WriteOnlyCell(sheet, value=title)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center")
    sheet.append([cell])
    sheet.merged_cells.add(f"A1:{get_column_letter(len(headers))}1")
    fill = PatternFill("solid", fgColor="D9D9D9")
    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = []
    for header, _ in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill, cell.alignment = bold, fill, centred
        row.append(cell)
    sheet.append(row)
    return sheet


def _append(sheet, values: Sequence[Any], wrap: bool = False) -> None:  # noqa: ANN001
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    wrapped = Alignment(vertical="top", wrap_text=True) if wrap else None
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if wrapped is None and not (isinstance(value, str) and value.startswith("=")):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=value)
        if cell.data_type == "f":  # crawled "=..." text is not a formula
            cell.data_type = "s"
        if wrapped is not None:
            cell.alignment = wrapped
        row.append(cell)
    sheet.append(row)


def _save(workbook, path: Path) -> None:  # noqa: ANN001
    with replace_private(path, "wb") as handle:  # 0600, and never half a workbook
        workbook.save(handle)


def _stamp(config: Config, now: datetime | None) -> str:
    return f"{(now or utcnow()).astimezone(config.tz):%Y-%m-%d %H:%M}"


def scorecard_title(card: Scorecard) -> str:
    return f"政务新媒体积分卡 · {card.period.label}（{card.period.code}）"


def write_scorecard_xlsx(card: Scorecard, config: Config, path: Path, now: datetime | None = None) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = _workbook_sheet(
        workbook, f"{scorecard_title(card)} 生成时间：{_stamp(config, now)}", "积分卡", SCORE_HEADERS
    )
    for number, s in enumerate(card.accounts, start=1):
        _append(sheet, score_row(number, s))
    notes = _workbook_sheet(workbook, "计分方法（可由本表各列复算）", "计分方法", (("公式", 120),))
    for line in formulas(card):
        _append(notes, [line], wrap=True)
    _save(workbook, path)


def score_html(value: float | None) -> Markup:
    """A score as a coloured chip (80 and up green, 60 and up yellow, below red); — for none.
    A Python function, not a macro: a page of 10,000 accounts calls it 100,000 times."""
    if value is None:
        return Markup('<span class="muted">—</span>')
    tone = "s-good" if value >= 80 else ("s-mid" if value >= 60 else "s-low")
    return Markup(f'<span class="score {tone}">{value:.1f}</span>')  # noqa: S704 - a number


def change_html(value: float | None, unit: str = "") -> Markup:
    """↑ / ↓ with the change against the period before; 持平 for none; — when not comparable."""
    if value is None:
        return Markup('<span class="muted">—</span>')
    if value == 0:
        return Markup('<span class="muted">持平</span>')
    arrow, tone = ("↑", "up") if value > 0 else ("↓", "down")
    return Markup(f'<span class="{tone}">{arrow}{abs(value):g}{unit}</span>')  # noqa: S704 - a number and a fixed unit


def _template_helpers() -> dict[str, Callable[..., Any]]:
    return {
        "score": score_html,
        "change": change_html,
        "kind_label": kind_label,
        "field_label": field_label,
        "trend": lambda s, weeks: Markup(trend_svg(s.weekly, weeks)),  # noqa: S704 - built from numbers
        "pct": _pct,
        "dim_labels": DIMENSION_LABELS,
        "dims": DIMENSIONS,
    }


def render_scorecard(card: Scorecard, config: Config, now: datetime | None = None) -> str:
    platforms: dict[str, list[AccountScore]] = {}
    for s in sorted(
        card.accounts, key=lambda s: (s.rank_platform is None, s.rank_platform or 0, s.account_id)
    ):
        platforms.setdefault(s.platform, []).append(s)
    fields: dict[str, list[AccountScore]] = {}
    for s in card.accounts:  # already in the catalogue's order of 业务领域, then by rank
        fields.setdefault(s.unit_field, []).append(s)
    return (
        environment()
        .get_template("scorecard.html")
        .render(
            card=card,
            title=scorecard_title(card),
            stamp=_stamp(config, now),
            fields=fields,
            platforms=sorted(platforms.items(), key=lambda kv: L.platform_label(kv[0])),
            formulas=formulas(card),
            **_template_helpers(),
        )
    )


def write_scorecard(
    card: Scorecard, config: Config, out_dir: str | None = None, now: datetime | None = None
) -> list[Path]:
    folder = out_folder(config, out_dir)
    base = folder / f"govwatch-scorecard-{card.period.code}"
    xlsx, html = base.with_suffix(".xlsx"), base.with_suffix(".html")
    write_scorecard_xlsx(card, config, xlsx, now)
    write_private_text(html, render_scorecard(card, config, now))
    return [xlsx, html]


# --- the spot check's 通报 draft ------------------------------------------------------------------

SPOT_HEADERS: tuple[tuple[str, float], ...] = (
    ("序号", 6),
    ("单位", 18),
    ("帐号", 18),
    ("平台", 9),
    ("问题", 48),
    ("整改要求", 36),
    ("职能契合", 8),
    ("制作水准", 8),
    ("传播效果", 8),
    ("互动回应", 8),
    ("总分", 8),
    ("证据链接", 40),
    (NOTE_HEADER, 30),
    (ID_HEADER, 20),
)
NO_PROBLEM = "抽查未发现问题"


def spot_title(check: SpotCheck) -> str:
    card = check.scorecard
    return f"政务新媒体抽查情况通报（{card.period.code}）"


def spot_rows(check: SpotCheck) -> list[list[Any]]:
    out = []
    for number, item in enumerate(check.sampled, start=1):
        s = item.score
        actions = list(dict.fromkeys(p.action for p in item.problems if p.action))
        links = list(dict.fromkeys(p.url for p in item.problems if p.url))
        out.append(
            [
                number,
                s.unit,
                s.name,
                L.platform_label(s.platform),
                "\n".join(f"{i}. {p.text}" for i, p in enumerate(item.problems, start=1)) or NO_PROBLEM,
                "\n".join(actions),
                s.fit,
                s.quality,
                s.reach,
                s.response,
                s.total,
                "\n".join(links),
                item.note,
                s.account_id,
            ]
        )
    return out


def spot_summary(check: SpotCheck) -> str:
    with_problems = sum(1 for s in check.sampled if s.problems)
    units = len({s.score.unit for s in check.sampled})
    return (
        f"按平台和业务领域分层抽取 {check.share:.0%}（随机种子 {check.seed}），期内有问题的帐号全部纳入："
        f"共抽查 {units} 个单位的 {len(check.sampled)} 个帐号（全部 {check.population} 个），"
        f"其中 {with_problems} 个帐号存在问题。"
    )


def write_spotcheck(
    check: SpotCheck, config: Config, out_dir: str | None = None, now: datetime | None = None
) -> list[Path]:
    from openpyxl import Workbook

    folder = out_folder(config, out_dir)
    base = folder / f"govwatch-spotcheck-{check.scorecard.period.code}-seed{check.seed}"
    xlsx, html = base.with_suffix(".xlsx"), base.with_suffix(".html")
    workbook = Workbook(write_only=True)
    sheet = _workbook_sheet(workbook, spot_title(check), "抽查通报", SPOT_HEADERS)
    rows = spot_rows(check)
    for row in rows:
        _append(sheet, row, wrap=True)
    _save(workbook, xlsx)
    page = (
        environment()
        .get_template("spotcheck.html")
        .render(
            check=check,
            card=check.scorecard,
            title=spot_title(check),
            summary=spot_summary(check),
            stamp=_stamp(config, now),
            no_problem=NO_PROBLEM,
            **_template_helpers(),
        )
    )
    write_private_text(html, page)
    return [xlsx, html]


# --- reading the draft back ---------------------------------------------------------------------


class NotesError(ValueError):
    """The edited draft cannot be imported; the message names the file and each bad row."""


def read_notes(path: str | Path) -> tuple[str, list[tuple[int, str, str]]]:
    """(period, [(row number, account id, note)]) of the rows with a note; NotesError naming the
    file, the cell or every bad row otherwise (then nothing is imported)."""
    from openpyxl import load_workbook

    where = str(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise NotesError(f"{where}: 文件不存在 / no such file") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise NotesError(
            f"{where}: 不是可读取的 .xlsx 文件 / not a readable .xlsx workbook ({exc})"
        ) from None
    try:
        sheet = workbook["抽查通报"] if "抽查通报" in workbook.sheetnames else workbook.active
        values = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    title = str(values[0][0] or "") if values and values[0] else ""
    match = _TITLE_PERIOD.search(title)
    if not match:
        raise NotesError(
            f"{where}: 第 1 行标题中找不到抽查期间（如 2026-Q4）/ row 1: the title names no period; "
            "请导入 govwatch spotcheck 生成的表格"
        )
    headers = [str(h).strip() if h is not None else "" for h in (values[1] if len(values) > 1 else ())]
    missing = [h for h in (ID_HEADER, NOTE_HEADER) if h not in headers]
    if missing:
        raise NotesError(f"{where}: 第 2 行缺少列 / row 2 lacks the column(s): {'、'.join(missing)}")
    id_col, note_col = headers.index(ID_HEADER), headers.index(NOTE_HEADER)
    found, errors = [], []
    for number, row in enumerate(values[2:], start=3):
        cells = list(row) + [None] * (len(headers) - len(row))
        account_id = str(cells[id_col]).strip() if cells[id_col] is not None else ""
        note = str(cells[note_col]).strip() if cells[note_col] is not None else ""
        if not note:
            continue
        if not account_id:
            errors.append(
                f"第 {number} 行：有备注但{ID_HEADER}为空 / row {number}: a note without an account id"
            )
        elif len(note) > MAX_NOTE:
            errors.append(
                f"第 {number} 行（{account_id}）：备注超过 {MAX_NOTE} 字 / row {number}: note longer than {MAX_NOTE}"
            )
        else:
            found.append((number, account_id, note))
    if errors:
        raise NotesError(f"{where}: 未导入任何备注 / nothing imported:\n" + "\n".join(errors))
    return match.group(1), found


def import_notes(session, path: str | Path) -> tuple[str, int]:  # noqa: ANN001 - a Session
    """Store the notes of an edited draft: all of them, or (any row bad) none."""
    from storage import scorecard as store

    period, found = read_notes(path)
    known = store.known_account_ids(session, [account_id for _, account_id, _ in found])
    unknown = [
        f"第 {n} 行：帐号ID {a!r} 未登记 / row {n}: unknown account id" for n, a, _ in found if a not in known
    ]
    if unknown:
        raise NotesError(f"{path}: 未导入任何备注 / nothing imported:\n" + "\n".join(unknown))
    count = store.save_notes(session, period, [store.Note(a, note) for _, a, note in found], str(path))
    return period, count


# --- what the commands call -------------------------------------------------------------------


def scorecard_files(store, config: Config, period, out_dir: str | None = None, now: datetime | None = None):  # noqa: ANN001, ANN201
    """Build the period's scorecard from storage and write its .xlsx and .html; their paths."""
    from analysis.scorecard import build_scorecard

    with store.session() as session:
        card = build_scorecard(session, config, period, now)
    return write_scorecard(card, config, out_dir, now)


def spotcheck_files(  # noqa: ANN201
    store,  # noqa: ANN001
    config: Config,
    period,  # noqa: ANN001
    share: float,
    seed: int,
    out_dir: str | None = None,
    now: datetime | None = None,
):
    """Draw the sample, write the 通报 draft (.xlsx and .html); (paths, the spot check)."""
    from analysis.scorecard import build_scorecard
    from analysis.spotcheck import spot_check

    with store.session() as session:
        card = build_scorecard(session, config, period, now)
        check = spot_check(session, card, share, seed)
    return write_spotcheck(check, config, out_dir, now), check
