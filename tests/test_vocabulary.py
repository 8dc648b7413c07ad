"""One home for each word: the vocabulary (core/vocabulary.py) and the rule catalogue (core/rules.py).

Every code the code can store has a Chinese label; the stored and exported values are the
contract's; the report, the xlsx exports and the account card show the vocabulary's labels
(change a label there and every output changes with it); no template spells a label out;
every rule analysis can emit is catalogued, and config refers to rules the catalogue knows.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from analysis.asof import AccountState
from analysis.findings import MAINTENANCE, maintenance_findings
from analysis.lifecycle import finding_history
from analysis.status import Activity, account_status
from analysis.text import Checker
from analysis.text.lexicon import load_entries
from analysis.text.model import MODEL_LABELS
from core.config import ConfigError, Thresholds, parse_config
from core.rules import FAMILIES, RULES, TEXT_RULES, check_rule_id, rule, rule_title
from core.vocabulary import (
    FAILED_OUTCOMES,
    PUBLISH_STATUSES,
    SERVICE_STATUSES,
    VOCABULARIES,
    AccountKind,
    AccountStatus,
    Category,
    ContentLabel,
    FindingEventKind,
    FindingState,
    Operator,
    Outcome,
    Severity,
)
from reporting.account import account_card
from reporting.export import export_xlsx
from reporting.weekly import render, render_text
from storage.db import open_store
from storage.models import Account, Finding, FindingEvent
from tests.test_report import CONFIG, NOW, WEEK, populate

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")

# CONTRACT.md: the values exports write. Pinned here so that no refactoring renames one.
CONTRACT_STATUSES = {"active", "warning", "stale", "zombie", "empty", "unreachable", "unknown", "closed"}
CONTRACT_SERVICE_STATUSES = {"available", "unavailable", "unknown", "closed"}
CONTRACT_OUTCOMES = {"ok", "blocked", "login_required", "not_found", "error", "parse_error"}
CONTRACT_CATEGORIES = {
    "off_mission": "功能定位不清",
    "low_quality": "信息质量不高",
    "poor_interaction": "互动服务不实",
    "wording_error": "审核把关不严",
    "unmanaged": "管理底数不清",
    "over_entertainment": "过度娱乐化",
    "poor_maintenance": "运维保障差",
    "outsourcing": "托管变脱管",
}
CONTRACT_SEVERITIES = ["critical", "major", "minor"]
CONTRACT_FINDING_STATES = {"open", "rectified", "dismissed"}
CONTRACT_LABELS = {"commercial", "off_topic", "entertainment", "wording_error"}


# --- the words ------------------------------------------------------------------------------


def test_every_code_has_one_chinese_label():
    for vocabulary in VOCABULARIES:
        labels = [member.label for member in vocabulary]
        assert all(CJK.search(label) for label in labels), vocabulary
        assert len(set(labels)) == len(labels), f"{vocabulary.__name__}: two codes share a label"
        for member in vocabulary:
            assert re.fullmatch(r"[a-z][a-z_]*", member.value), member
            assert member == member.value and f"{member}" == member.value  # stored as the plain string
            # What templates and exports call: the label of a stored plain string, its rank.
            assert vocabulary.label_of(member.value) == member.label
            assert vocabulary.rank(member.value) == list(vocabulary).index(member)
        assert vocabulary.label_of("not-a-code") == "not-a-code" and vocabulary.label_of(None) == "—"


def test_values_are_the_contracts():
    assert set(PUBLISH_STATUSES) >= CONTRACT_STATUSES and set(SERVICE_STATUSES) >= CONTRACT_SERVICE_STATUSES
    assert set(PUBLISH_STATUSES) | set(SERVICE_STATUSES) == set(AccountStatus)
    assert set(Outcome) - {Outcome.SKIPPED} == CONTRACT_OUTCOMES
    assert set(FAILED_OUTCOMES) == CONTRACT_OUTCOMES - {"ok"}
    assert Category.labels() == CONTRACT_CATEGORIES
    assert list(Severity) == CONTRACT_SEVERITIES  # declared most severe first: the order used
    assert set(FindingState) == CONTRACT_FINDING_STATES
    assert set(ContentLabel) == CONTRACT_LABELS
    assert set(AccountKind) == {"publish", "service"} and set(Operator) == {"self", "outsourced"}


def test_label_and_rank_of_unknown_codes():
    assert Severity.label_of("major") == "较重" and Severity.label_of("nope") == "nope"
    assert Severity.label_of(None) == "—" and Outcome.label_of(None, missing="尚未抓取") == "尚未抓取"
    assert [Severity.rank(s) for s in ("critical", "major", "minor", None, "nope")] == [0, 1, 2, 3, 3]
    assert AccountStatus.rank("zombie") < AccountStatus.rank("stale") < AccountStatus.rank("active")


def test_the_database_defaults_are_vocabulary_codes():
    defaults = {
        AccountKind: Account.__table__.c.kind.default.arg,
        Operator: Account.__table__.c.operator.default.arg,
        FindingState: Finding.__table__.c.status.default.arg,
    }
    for vocabulary, default in defaults.items():
        assert default in set(vocabulary), (vocabulary, default)


def every_status() -> set[tuple[str, str]]:
    """(kind, status) for every combination of what analysis knows about an account."""
    thresholds = Thresholds()
    now = datetime(2026, 11, 20, tzinfo=ZoneInfo("UTC"))
    seen = set()
    for kind in AccountKind:
        for closed in (False, True):
            for monitored in (True, False):
                for ever_ok in (False, True):
                    for outcome in (None, *Outcome):
                        for days in (None, 0, 10, 30, 200):
                            for failing in (None, timedelta(hours=1), timedelta(days=3)):
                                activity = Activity(
                                    kind=kind,
                                    closed=closed,
                                    ever_ok=ever_ok,
                                    last_outcome=outcome,
                                    last_post_at=None if days is None else now - timedelta(days=days),
                                    post_count=0 if days is None else 1,
                                    failing_for=failing,
                                    monitored=monitored,
                                )
                                status, _note = account_status(activity, thresholds, now)
                                seen.add((kind, status))
    return seen


def test_every_status_analysis_can_store_is_in_the_vocabulary():
    seen = every_status()
    for kind, status in seen:
        assert status in set(AccountStatus), status
        assert status in (SERVICE_STATUSES if kind == AccountKind.SERVICE else PUBLISH_STATUSES), (
            kind,
            status,
        )
    assert {s for _k, s in seen} == set(AccountStatus)  # and every word has a use


# --- the rules ------------------------------------------------------------------------------

RULE_ID = re.compile(
    r"^(maintenance|service|interaction|registry|outsourcing|ad|offtopic|tone|wording|model)\.[a-z_]+$"
)


def string_constants(folder: Path) -> set[str]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_ID.match(node.value):
                found.add(node.value)
    return found


def lexicon_rule_ids() -> set[str]:
    """The rule ids the bundled lexicons make the text checks emit."""
    ids = set()
    for entry in load_entries():
        if entry.family in ("ad", "tone", "wording"):
            ids.add(entry.kind)
        elif entry.family == "topic":
            ids.add("offtopic." + entry.kind.split(".", 1)[1])
    return ids


def test_every_rule_analysis_can_emit_is_catalogued():
    emitted = lexicon_rule_ids() | {f"model.{label}" for label in MODEL_LABELS}
    literals = string_constants(ROOT / "analysis") - {"topic.livesale", "topic.beauty"}  # lexicon kinds
    for rule_id in emitted | literals:
        assert rule_id in RULES, f"{rule_id} is emitted but not in the rule catalogue"
    for rule_id in ("offtopic.my_topic", "tone.my_tone", "wording.my_list"):  # a user's lexicon kind
        assert rule(rule_id) is FAMILIES[rule_id.split(".")[0]]
    assert rule("nothing.here") is None and rule_title("nothing.here") == "内容问题"


def test_rules_carry_the_category_and_severity_of_their_findings():
    for entry in (*RULES.values(), *FAMILIES.values()):
        assert isinstance(entry.category, Category) and isinstance(entry.severity, Severity)
        assert CJK.search(entry.title) and CJK.search(entry.action), entry.id
    checker = Checker.load()
    texts = [
        "加微信 abc123 低价出售，限时抢购，包邮！",
        "宝宝们，今天的天气好到爆，yyds！[哈哈][哈哈]",
        "国土资源局召开会议，再接再励，截止年底完成任务。",
        "明星八卦：某某离婚了，星座运势看这里，彩票预测，股票荐股稳赚",
    ]
    found = [f for text in texts for f in checker.check(text).findings]
    assert {f.label for f in found} == set(ContentLabel)
    for f in found:
        assert (
            rule(f.rule) is not None and rule(f.rule).category == f.category == ContentLabel(f.label).category
        )
    now = datetime(2026, 11, 20, tzinfo=ZoneInfo("UTC"))
    figures = [
        AccountState(
            account_id=f"a-{status}",
            unit="某单位",
            name=f"帐号{status}",
            platform="weibo",
            kind=AccountKind.PUBLISH,
            url=None,
            as_of=now,
            status=status,
            note=None,
            last_post_at=now - timedelta(days=100),
            last_post_url=None,
            posts_7d=0,
            posts_30d=0,
            original_ratio_30d=None,
            crawl=None,
            last_attempt=None,
            last_ok_at=None,
            findings=(),
            reply_rate_30d=None,
            reply_median_hours_30d=None,
        )
        for status in AccountStatus
    ]
    specs = maintenance_findings(figures, ZoneInfo("Asia/Shanghai"), now)
    assert {s.rule for s in specs} == {r.id for r in MAINTENANCE.values()}
    for spec in specs:
        assert (spec.category, spec.severity) == (RULES[spec.rule].category, RULES[spec.rule].severity)


def test_text_rule_titles_are_what_govwatch_check_prints():
    assert rule_title("ad.contact") == "联系方式" and rule_title("offtopic.stock") == "股票荐股"
    assert rule_title("tone.emoticon") == "表情符号" and rule_title("wording.typo") == "错别字"
    assert rule_title("model.off_topic") == "模型判断" and rule_title("ad.unknown") == "营销信号"
    assert all(r.id.split(".")[0] in (*FAMILIES, "model") for r in TEXT_RULES)


def test_config_rules_are_checked_against_the_catalogue():
    config = parse_config({})
    for rule_id in config.alerts.exclude_rules:
        assert check_rule_id(rule_id) == rule_id
    with pytest.raises(ConfigError) as error:
        parse_config({"alerts": {"exclude_rules": ["maintenance.stale", "maintenance.zombi"]}})
    assert error.value.key == "alerts.exclude_rules[1]"
    assert (
        "unknown rule 'maintenance.zombi'" in error.value.reason
        and "maintenance.zombie" in error.value.reason
    )
    assert parse_config({"alerts": {"exclude_rules": ["offtopic.my_topic"]}}).alerts.exclude_rules == [
        "offtopic.my_topic"
    ]
    with pytest.raises(ConfigError) as error:
        parse_config({"alerts": {"severities": ["critical", "grave"]}})
    assert (
        error.value.key == "alerts.severities[1]" and "'critical', 'major' or 'minor'" in error.value.reason
    )


# --- the outputs use the vocabulary ----------------------------------------------------------


def template_texts() -> dict[str, str]:
    return {
        p.name: p.read_text(encoding="utf-8") for p in (ROOT / "report_templates").iterdir() if p.is_file()
    }


def test_no_template_spells_out_a_label():
    """A status word, or any label or rule title of four characters or more, written into a
    template is a second copy of the word: templates call the label lookups instead."""
    words = {s.label for s in AccountStatus}
    for vocabulary in VOCABULARIES:
        words |= {m.label for m in vocabulary if len(m.label) >= 4}
    words |= {r.title for r in (*RULES.values(), *FAMILIES.values()) if len(r.title) >= 4}
    for name, text in template_texts().items():
        copies = sorted(w for w in words if w in text)
        assert not copies, f"report_templates/{name} spells out {copies}"


@pytest.fixture(scope="module")
def world(tmp_path_factory, databases):  # noqa: ANN201
    directory = tmp_path_factory.mktemp("vocabulary")
    config = parse_config(CONFIG)
    store = open_store(databases.new(directory))
    populate(store, config)
    yield config, store, directory
    store.dispose()


RENAMED = {
    (AccountStatus, "STALE"): "〈超期〉",
    (AccountStatus, "ZOMBIE"): "〈僵尸〉",
    (AccountStatus, "ACTIVE"): "〈正常〉",
    (AccountStatus, "UNKNOWN"): "〈未知〉",
    (Outcome, "BLOCKED"): "〈拦截〉",
    (Severity, "CRITICAL"): "〈严重〉",
    (Category, "POOR_MAINTENANCE"): "〈运维〉",
    (FindingState, "OPEN"): "〈未改〉",
    (AccountKind, "PUBLISH"): "〈发布〉",
    (FindingEventKind, "OPENED"): "〈发现〉",
}


@pytest.fixture
def renamed(monkeypatch):  # noqa: ANN201
    """Every label above changed in the vocabulary, and only there."""
    old = {}
    for (vocabulary, name), label in RENAMED.items():
        member = vocabulary[name]
        old[label] = member.label
        monkeypatch.setattr(member, "label", label)
    return old


def test_report_shows_the_vocabularys_labels(world, renamed):
    from reporting.view import build_view

    config, store, _ = world
    with store.session() as session:
        view = build_view(session, config, WEEK, None, NOW)
    page, text = render(view), render_text(view)
    for label in ("〈超期〉", "〈僵尸〉", "〈正常〉", "〈未知〉", "〈拦截〉", "〈严重〉", "〈运维〉"):
        assert label in page, label
    for label in ("〈僵尸〉", "〈拦截〉", "〈严重〉"):
        assert label in text, label
    footer = page[page.index('<div class="footer">') :]
    assert "〈正常〉＝" in footer and "〈超期〉＝" in footer and "〈未知〉＝" in footer
    headline = page[page.index("<h2>一、") : page.index("<h2>二、")]
    for old in ("超期未更新", "僵尸帐号", "正常更新", "状态未知", "运维保障差", ">严重<"):
        assert old not in headline and old not in footer, old  # stored evidence keeps its words
    health = page[page.index("<h2>三、") : page.index("<h2>四、")]
    assert "〈拦截〉" in health and "被平台拦截" not in health


def test_xlsx_exports_and_account_card_show_the_vocabularys_labels(world, renamed, tmp_path):
    config, store, _ = world
    cells = {}
    with store.session() as session:
        for what in ("findings", "accounts"):
            export_xlsx(session, config, what, str(tmp_path / f"{what}.xlsx"), now=NOW)
            sheet = load_workbook(tmp_path / f"{what}.xlsx").active
            cells[what] = {str(v) for row in sheet.iter_rows(min_row=3, values_only=True) for v in row}
        stale = session.query(Account.id).filter_by(status="stale").first()[0]
        stale_card = account_card(session, config, stale)
        first = session.query(FindingEvent.finding_id).filter_by(event="opened").first()[0]
        history = "\n".join(finding_history(session, config, first))
    assert {"〈未改〉", "〈运维〉", "〈严重〉"} <= cells["findings"]
    assert {"〈发布〉", "〈超期〉"} <= cells["accounts"]
    assert not {"未整改", "运维保障差", "严重", "发布类", "超期未更新"} & (
        cells["findings"] | cells["accounts"]
    )
    assert "〈超期〉 (stale)" in stale_card
    assert "〈发现〉 (opened)" in history
