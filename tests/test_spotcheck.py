"""The spot check: a reproducible stratified sample that takes in every account with a finding in
the period; the 通报 draft (.xlsx read back by openpyxl, HTML in Chromium) with 整改要求 from the
rule catalogue and evidence links; a person's 制作水准 notes imported back, bad rows refused by row."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from analysis.scorecard import Period, build_scorecard
from analysis.spotcheck import draw, parse_share, spot_check
from core import rules
from reporting.scorecard import NOTE_HEADER, SPOT_HEADERS, NotesError, import_notes, spotcheck_files
from storage.models import Finding, SpotcheckNote
from tests.browser import chromium, screenshot, widths
from tests.conftest import run_govwatch
from tests.test_scorecard import ACCOUNTS, NOW, local, make_config, seed_store

Q4 = Period.parse("2026-Q4")
MANY = (
    ACCOUNTS
    + [
        {
            "id": f"w{i:02d}",
            "unit": f"局{i:02d}",
            "platform": "weibo",
            "name": f"微博{i:02d}",
            "handle": f"20{i:02d}",
        }
        for i in range(40)
    ]
    + [
        {
            "id": f"s{i:02d}",
            "unit": f"局{i:02d}",
            "platform": "website",
            "name": f"网站{i:02d}",
            "url": f"https://s{i}.example.gov.cn/",
        }
        for i in range(12)
    ]
)


@pytest.fixture
def many(tmp_path, database_url):
    path, config = make_config(tmp_path, database_url, accounts=MANY)
    store = seed_store(config)
    with store.session() as s:  # two more findings in the period, one dismissed (not a problem)
        for fp, account, status in (("t:w07", "w07", "open"), ("t:w08", "w08", "dismissed")):
            s.add(
                Finding(
                    fingerprint=fp,
                    account_id=account,
                    category="poor_maintenance",
                    rule="maintenance.stale",
                    severity="major",
                    evidence="超过 14 天未更新",
                    first_seen=local(2026, 11, 20, 8),
                    status=status,
                    status_changed_at=local(2026, 11, 21, 8) if status != "open" else None,
                )
            )
        # a finding rectified before the quarter began: not in the period
        s.add(
            Finding(
                fingerprint="t:w09",
                account_id="w09",
                category="poor_maintenance",
                rule="maintenance.stale",
                severity="major",
                evidence="超过 14 天未更新",
                first_seen=local(2026, 8, 1, 8),
                status="rectified",
                status_changed_at=local(2026, 9, 1, 8),
            )
        )
    yield path, config, store
    store.dispose()


@pytest.mark.db
def test_sample_is_stratified_reproducible_and_takes_every_finding(many):
    _, config, store = many
    with store.session() as s:
        card = build_scorecard(s, config, Q4, now=NOW)
        first = spot_check(s, card, 0.2, seed=7)
        again = spot_check(s, card, 0.2, seed=7)
        other = spot_check(s, card, 0.2, seed=8)
    ids = [x.score.account_id for x in first.sampled]
    assert ids == [x.score.account_id for x in again.sampled]  # the same seed draws the same sample
    assert set(ids) != {x.score.account_id for x in other.sampled}
    # every account with a finding open in the period is in; the dismissed and the old one are not forced
    assert {"a2", "w07"} <= set(ids)
    forced = {x.score.account_id for x in first.sampled if x.forced}
    assert forced == {"a2", "w07"}
    # each stratum (platform × 业务领域): ceil(20% × its size); 局NN is 其他, a1/a3 公安, a2 教育, a4 卫生健康
    strata = Counter((x.score.platform, x.score.unit_field) for x in first.sampled)
    assert strata == {
        ("weibo", "police"): 1,
        ("weibo", "education"): 1,
        ("weibo", "other"): math.ceil(0.2 * 40),
        ("website", "police"): 1,
        ("website", "other"): math.ceil(0.2 * 12),
        ("app", "health"): 1,
    }
    assert first.strata[("weibo", "other")] == (40, 8)  # w07 forced, 7 drawn
    assert first.strata[("weibo", "education")] == (1, 1)
    # units with problems come first in the 通报
    assert [x.score.account_id for x in first.sampled[:2]] in (["a2", "w07"], ["w07", "a2"])


def test_draw_alone_and_share():
    from analysis.scorecard import AccountScore, Figures

    accounts = [AccountScore(f"x{i}", "u", "n", "weibo", "publish", None, Figures()) for i in range(10)]
    ids, sizes = draw(accounts, {"x3", "x4", "x5"}, 0.1, 1, "2026-Q4")
    assert {"x3", "x4", "x5"} <= set(ids) and len(ids) == 3  # more findings than the share: all of them
    assert sizes == {("weibo", "other"): (10, 3)}
    # two 业务领域 on one platform are two strata, each drawn at least once
    mixed = accounts + [
        AccountScore(f"y{i}", "u", "n", "weibo", "publish", None, Figures(), "sports") for i in range(3)
    ]
    ids, sizes = draw(mixed, set(), 0.1, 1, "2026-Q4")
    assert sizes == {("weibo", "other"): (10, 1), ("weibo", "sports"): (3, 1)}
    assert sum(i.startswith("y") for i in ids) == 1
    assert draw(accounts, set(), 0.25, 5, "2026-Q4")[0] == draw(accounts, set(), 0.25, 5, "2026-Q4")[0]
    assert parse_share("20%") == parse_share("0.2") == parse_share("20") == 0.2
    for bad in ("0%", "150%", "abc"):
        with pytest.raises(ValueError, match="share|比例"):
            parse_share(bad)


@pytest.mark.db
def test_draft_layout_and_notes_round_trip(many, tmp_path):
    _, config, store = many
    (xlsx, html), check = spotcheck_files(store, config, Q4, 0.2, 7, str(tmp_path / "out"), now=NOW)
    book = load_workbook(xlsx)
    sheet = book["抽查通报"]
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{get_column_letter(len(SPOT_HEADERS))}1"]
    assert sheet["A1"].value == "政务新媒体抽查情况通报（2026-Q4）" and sheet["A1"].font.bold
    headers = [c.value for c in sheet[2]]
    assert headers[:6] == ["序号", "单位", "帐号", "平台", "问题", "整改要求"]
    assert headers[6:10] == ["职能契合", "制作水准", "传播效果", "互动回应"]
    assert sheet.column_dimensions["E"].width == 48 and sheet.column_dimensions["F"].width == 36
    rows = {r[-1]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    a2 = rows["a2"]
    assert "错别字" in a2[4] and "宣穿" in a2[4]
    assert a2[5] == rules.rule("wording.typo").action  # 整改要求 from the catalogue
    assert a2[headers.index("证据链接")] == "https://example.test/a2/p1"
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)] == list(range(1, len(rows) + 1))
    page = html.read_text(encoding="utf-8")
    assert "宣穿" in page and "https://example.test/a2/p1" in page and "<script" not in page
    assert "分层抽样" in page and "按平台和业务领域分层抽取" in page
    assert "<th>业务领域</th>" in page and "<td>公安</td>" in page and "<td>其他</td>" in page

    # a person writes two notes into the draft and imports it
    note_col = headers.index(NOTE_HEADER) + 1
    line = {r[-1]: n for n, r in enumerate(sheet.iter_rows(min_row=3, values_only=True), start=3)}
    sheet.cell(line["a2"], note_col, "配图模糊，标题党")
    sheet.cell(line["w07"], note_col, "排版尚可")
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    with store.session() as s:
        assert import_notes(s, edited) == ("2026-Q4", 2)
    (xlsx2, html2), again = spotcheck_files(store, config, Q4, 0.2, 7, str(tmp_path / "out2"), now=NOW)
    assert {x.score.account_id: x.note for x in again.sampled}["a2"] == "配图模糊，标题党"
    assert "配图模糊，标题党" in html2.read_text(encoding="utf-8")
    rows2 = {r[-1]: r for r in load_workbook(xlsx2)["抽查通报"].iter_rows(min_row=3, values_only=True)}
    assert rows2["a2"][note_col - 1] == "配图模糊，标题党"

    # bad rows: each named, nothing imported, the stored notes kept
    sheet.cell(line["a2"], note_col, "改过的备注")
    sheet.cell(line["w07"], len(headers), "no-such")
    sheet.cell(sheet.max_row + 1, note_col, "无帐号的备注")
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    with pytest.raises(NotesError) as caught, store.session() as s:
        import_notes(s, bad)
    message = str(caught.value)
    assert f"第 {sheet.max_row} 行" in message and "bad.xlsx" in message
    with pytest.raises(NotesError, match=f"第 {line['w07']} 行.*no-such"):
        sheet.delete_rows(sheet.max_row)
        book.save(bad)
        with store.session() as s:
            import_notes(s, bad)
    with store.session() as s:
        stored = {n.account_id: n.note for n in s.query(SpotcheckNote)}
    assert stored == {"a2": "配图模糊，标题党", "w07": "排版尚可"}


@pytest.mark.db
def test_not_a_draft_is_refused(many, tmp_path):
    _, _, store = many
    other = tmp_path / "other.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["随便一个表"])
    book.save(other)
    for path, words in ((other, "第 1 行"), (tmp_path / "missing.xlsx", "不存在")):
        with pytest.raises(NotesError, match=words), store.session() as s:
            import_notes(s, path)


@pytest.mark.slow  # the browser
@pytest.mark.db
def test_draft_opens_in_chromium(many, tmp_path):
    _, config, store = many
    (_, html), _ = spotcheck_files(store, config, Q4, 0.2, 7, str(tmp_path / "out"), now=NOW)
    shot = screenshot(tmp_path, html, 1280, 1600, "draft.png")
    assert shot.exists() and shot.stat().st_size > 10_000
    dom = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert "宣穿" in dom.stdout and "整改要求" in dom.stdout


@pytest.mark.slow  # subprocesses
@pytest.mark.db
def test_commands(many, tmp_path):
    path, _, _ = many
    result = run_govwatch(path, "spotcheck", "--share", "20%", "--seed", "7", "--period", "2026-Q4")
    assert result.returncode == 0, result.stderr
    printed = [Path(line) for line in result.stdout.splitlines()]
    assert [p.suffix for p in printed] == [".xlsx", ".html"] and all(p.exists() for p in printed)
    again = run_govwatch(path, "spotcheck", "--share", "20%", "--seed", "7", "--period", "2026-Q4")
    assert again.stdout == result.stdout and printed[0].read_bytes()  # same seed, same files
    book = load_workbook(printed[0])
    sheet = book.active
    sheet.cell(sheet.max_row + 1, len(SPOT_HEADERS) - 1, "无帐号的备注")
    book.save(tmp_path / "bad.xlsx")
    bad = run_govwatch(path, "spotcheck", "import", str(tmp_path / "bad.xlsx"))
    assert bad.returncode == 2 and f"第 {sheet.max_row} 行" in bad.stderr
    good = run_govwatch(path, "spotcheck", "import", str(printed[0]))
    assert good.returncode == 0 and "已导入 0 条" in good.stdout


def fits_at_1280(tmp_path: Path, page: Path) -> None:
    """Neither page overflows at 390 or 1280 px, and at 1280 px no table scrolls in its box
    (the weekly report's harness, tests/browser.py)."""
    measured = widths(tmp_path, page)
    assert {"f390", "f1280", "scroll0"} <= set(measured), measured
    for frame, (scroll, client) in measured.items():
        assert scroll <= client, f"{page.name} {frame}: {scroll}px of content in a {client}px box"


@pytest.mark.slow  # the browser
@pytest.mark.db
def test_both_pages_fit_1280(many, tmp_path):
    from reporting.scorecard import scorecard_files

    _, config, store = many
    (_, draft), _ = spotcheck_files(store, config, Q4, 0.2, 7, str(tmp_path / "out"), now=NOW)
    _, card = scorecard_files(store, config, Q4, str(tmp_path / "out"), now=NOW)
    for page in (draft, card):
        fits_at_1280(tmp_path, page)
