"""The rule catalogue: every rule a finding can name, with its problem class, severity, Chinese
title and what the unit should do (整改要求).

A finding's ``rule`` column holds a rule id from here. Analysis builds findings of a rule
from its entry (``FindingSpec.of``), config refers to rules by id (``alerts.exclude_rules``,
checked with ``check_rule_id``), and reporting names a rule with ``rule_title``.

Text rules come in families: a lexicon entry's kind gives the rule (``ad.contact``,
``tone.cute``, ``offtopic.<topic>`` for ``topic.<topic>``, ``wording.typo``), and users'
lexicons may add kinds of their own (``topic.<name>``, ``tone.<name>``, ``wording.<name>``).
Such a rule id is known through its family: the family's entry stands for it. A text
finding's severity may differ from the catalogue's (a lexicon entry's own severity, a score
above the major threshold); every other rule's findings carry the catalogue's severity,
except where its entry says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.vocabulary import Category, ContentLabel, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # stored in findings.rule and written in exports
    category: Category
    severity: Severity
    title: str  # what a supervisor reads for the rule
    action: str  # 整改要求: what the responsible unit should do


# --- account upkeep (运维保障差) ----------------------------------------------------------

MAINTENANCE_STALE = Rule(
    "maintenance.stale",
    Category.POOR_MAINTENANCE,
    Severity.MAJOR,
    "超期未更新",
    "恢复更新，发布类帐号至少两周更新一次；无力维护的按程序整合或关停",
)
MAINTENANCE_ZOMBIE = Rule(
    "maintenance.zombie",
    Category.POOR_MAINTENANCE,
    Severity.CRITICAL,
    "僵尸帐号",
    "立即恢复更新，或按程序整合、关停注销",
)
MAINTENANCE_EMPTY = Rule(
    "maintenance.empty",
    Category.POOR_MAINTENANCE,
    Severity.CRITICAL,
    "空壳帐号",
    "发布内容，或按程序关停注销",
)
MAINTENANCE_UNREACHABLE = Rule(
    "maintenance.unreachable",
    Category.POOR_MAINTENANCE,
    Severity.MAJOR,
    "帐号无法访问",
    "核实帐号是否已注销、改名或被封禁，恢复帐号或更新台账",
)
SERVICE_UNAVAILABLE = Rule(
    "service.unavailable",
    Category.POOR_MAINTENANCE,
    Severity.CRITICAL,
    "服务无法使用",
    "修复客户端或服务，确保能正常下载、安装和使用",
)

# --- replies to the public (互动服务不实) ---------------------------------------------------

INTERACTION_UNANSWERED = Rule(
    "interaction.unanswered",
    Category.POOR_INTERACTION,
    Severity.MAJOR,
    "公众提问未回复",
    "在规定时限内回复公众留言和提问",
)

INTERACTION_COMMENTS_OFF = Rule(
    "interaction.comments_off",
    Category.POOR_INTERACTION,
    # Minor while only pages without a 留言 function say so (needs a person to confirm).
    Severity.MAJOR,
    "互动功能关闭或受限",
    "开启评论（留言）功能，保持互动渠道畅通，及时回应网民关切；确需限制的应按程序报批",
)

# --- the account list (管理底数不清, 托管变脱管) --------------------------------------------

REGISTRY_DUPLICATE = Rule(
    "registry.duplicate",
    Category.UNMANAGED,
    Severity.MINOR,
    "同一平台重复开设帐号",
    "同一平台原则上只开设一个帐号，合并或关停多余帐号",
)
REGISTRY_DEPARTMENT = Rule(
    "registry.department",
    Category.UNMANAGED,
    Severity.MINOR,
    "以内设机构名义开设",
    "不得以内设机构名义开设政务新媒体，整合到本单位帐号或关停",
)
REGISTRY_IDLE = Rule(
    "registry.idle",
    Category.UNMANAGED,
    Severity.MINOR,  # a management task for the report, not an alert
    "长期闲置帐号",
    "整合或关停注销长期不更新的帐号",
)
REGISTRY_PROFILE_CHANGED = Rule(
    "registry.profile_changed",
    Category.UNMANAGED,
    Severity.MAJOR,
    "帐号资料被修改",
    "核实是否本单位所为；如被盗用，立即找回帐号并报告",
)
REGISTRY_RENAMED = Rule(
    "registry.renamed",
    Category.UNMANAGED,
    Severity.MAJOR,
    "名称变更未报备",
    "帐号名称变更须按程序报备，并及时更新台账；如非本单位所为，立即找回帐号",
)
REGISTRY_OFFMISSION_BURST = Rule(
    "registry.offmission_burst",
    Category.UNMANAGED,
    Severity.CRITICAL,
    "疑似帐号被盗用",
    "立即核实帐号是否被盗用，删除违规内容，找回帐号",
)
OUTSOURCING_OPEN_PROBLEMS = Rule(
    "outsourcing.open_problems",
    Category.OUTSOURCING,
    Severity.MAJOR,  # minor while only one problem is open
    "托管帐号存在未整改问题",
    "主办单位审核托管安排，落实监管责任，督促运维单位整改",
)

# --- personal information and secrets published (审核把关不严; a single-veto item) -------------

PRIVACY_PERSONAL = Rule(
    "privacy.personal",
    Category.WORDING_ERROR,
    Severity.CRITICAL,
    "泄露公民个人信息",
    "立即删除或遮盖身份证号、银行卡号、个人手机号和家庭住址等个人信息，核查发布审核流程",
)
PRIVACY_SECRET_MARK = Rule(
    "privacy.secret_mark",
    Category.WORDING_ERROR,
    Severity.CRITICAL,
    "发布涉密或内部资料",
    "立即删除，核查是否泄露国家秘密或内部资料，按保密规定报告；涉密信息不得上网",
)

# --- reposting tasks (转载任务: 权威发声联动; 信息质量不高) ------------------------------------

REPOST_MISSING = Rule(
    "repost.missing",
    Category.LOW_QUALITY,
    Severity.MAJOR,
    "重点信息逾期未转载",
    "立即转载上级或本级主帐号发布的重点信息，落实权威信息联动转发要求，按规定时限完成转载任务",
)
REPOST_LATE = Rule(
    "repost.late",
    Category.LOW_QUALITY,
    Severity.MINOR,
    "重点信息转载超时",
    "落实转载任务时限要求，重点信息须在规定时间内转载",
)

# --- links published in posts and articles (crawler/links.py checks, analysis/links.py judges) ---

LINKS_DEAD = Rule(
    "links.dead",
    Category.POOR_MAINTENANCE,
    Severity.MAJOR,
    "外链失效（错链断链）",
    "更正或删除失效链接；转载内容应设置链接白名单并定期核查外链",
)
LINKS_HARMFUL = Rule(
    "links.harmful",
    Category.WORDING_ERROR,
    Severity.CRITICAL,
    "链接指向赌博色情等有害网站",
    "立即删除该链接，核查链接被篡改或域名被抢注的原因，按规定报告",
)
LINKS_COMMERCIAL = Rule(
    "links.commercial",
    Category.OFF_MISSION,
    Severity.MAJOR,
    "链接指向商业网站",
    "删除指向商业网站的链接；政务新媒体不得链接商业广告或网店",
)

# --- text checks: the names of each family's members ----------------------------------------

AD_GROUP_NAMES = {
    "ad.contact": "联系方式",
    "ad.price": "价格促销",
    "ad.cta": "购买引导",
    "ad.shop": "店铺链接",
    "ad.strong": "营销用语",
    "ad.superlative": "极限用语",
}
TOPIC_NAMES = {
    "celebrity": "明星八卦",
    "stock": "股票荐股",
    "lottery": "彩票预测",
    "horoscope": "星座运势",
    "game": "网络游戏",
    "livesale": "直播带货",
    "lifestyle": "情感生活",
    "sports": "体育八卦",
    "beauty": "减肥美容",
}
TONE_NAMES = {
    "cute": "卖萌语气",
    "slang": "网络流行语",
    "sad": "卖惨",
    "vulgar": "低俗用语",
    "clickbait": "标题党",
    "hostile": "怼网民",
}
WORDING_NAMES = {
    "typo": "错别字",
    "place_name": "地名错误",
    "formulation": "规范表述",
    "state_name": "国家和机构名称",
    "leader_title": "领导人职务",
    "retired_name": "已撤销机构名称",
    "cross_strait": "涉台港澳表述",
}
TONE_EMOTICON = "tone.emoticon"  # emoticon codes ([哈哈]) and emoji, weighed by density

_AD_ACTION = "删除商业广告内容及链接；政务新媒体不得发布商业广告"
_OFFTOPIC_ACTION = "删除与政府工作和本单位职能无关的内容"
_TONE_ACTION = "改用庄重、规范的政务表达，避免卖萌、卖惨和低俗用语"
_WORDING_ACTION = "按建议更正表述，严格落实先审后发"

# A family's entry stands for the members users' lexicons add (title: the family's name).
FAMILIES: dict[str, Rule] = {
    "ad": Rule("ad.*", Category.OFF_MISSION, Severity.MAJOR, "营销信号", _AD_ACTION),
    "offtopic": Rule("offtopic.*", Category.OFF_MISSION, Severity.MINOR, "无关话题", _OFFTOPIC_ACTION),
    "tone": Rule("tone.*", Category.OVER_ENTERTAINMENT, Severity.MINOR, "娱乐化语气", _TONE_ACTION),
    "wording": Rule("wording.*", Category.WORDING_ERROR, Severity.MINOR, "表述错误", _WORDING_ACTION),
}
_LABEL_ACTIONS = {
    ContentLabel.COMMERCIAL: _AD_ACTION,
    ContentLabel.OFF_TOPIC: _OFFTOPIC_ACTION,
    ContentLabel.ENTERTAINMENT: _TONE_ACTION,
}

TEXT_RULES: tuple[Rule, ...] = (
    *(
        Rule(rid, Category.OFF_MISSION, Severity.MAJOR, name, _AD_ACTION)
        for rid, name in AD_GROUP_NAMES.items()
    ),
    *(
        Rule(f"offtopic.{key}", Category.OFF_MISSION, Severity.MINOR, name, _OFFTOPIC_ACTION)
        for key, name in TOPIC_NAMES.items()
    ),
    *(
        Rule(f"tone.{key}", Category.OVER_ENTERTAINMENT, Severity.MINOR, name, _TONE_ACTION)
        for key, name in TONE_NAMES.items()
    ),
    Rule(TONE_EMOTICON, Category.OVER_ENTERTAINMENT, Severity.MINOR, "表情符号", _TONE_ACTION),
    *(
        Rule(
            f"wording.{key}",
            Category.WORDING_ERROR,
            Severity.CRITICAL if key == "leader_title" else Severity.MINOR,
            name,
            _WORDING_ACTION,
        )
        for key, name in WORDING_NAMES.items()
    ),
    # The learned model's own findings: model.<label>, major when it is highly confident.
    *(
        Rule(f"model.{label}", label.category, Severity.MINOR, "模型判断", action)
        for label, action in _LABEL_ACTIONS.items()
    ),
)

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        MAINTENANCE_STALE,
        MAINTENANCE_ZOMBIE,
        MAINTENANCE_EMPTY,
        MAINTENANCE_UNREACHABLE,
        SERVICE_UNAVAILABLE,
        INTERACTION_UNANSWERED,
        INTERACTION_COMMENTS_OFF,
        REGISTRY_DUPLICATE,
        REGISTRY_DEPARTMENT,
        REGISTRY_IDLE,
        REGISTRY_PROFILE_CHANGED,
        REGISTRY_RENAMED,
        REGISTRY_OFFMISSION_BURST,
        OUTSOURCING_OPEN_PROBLEMS,
        PRIVACY_PERSONAL,
        PRIVACY_SECRET_MARK,
        REPOST_MISSING,
        REPOST_LATE,
        LINKS_DEAD,
        LINKS_HARMFUL,
        LINKS_COMMERCIAL,
        *TEXT_RULES,
    )
}
UNKNOWN_TITLE = "内容问题"


def rule(rule_id: str) -> Rule | None:
    """The catalogue's entry for ``rule_id``: its own, else its family's (a kind a user's
    lexicon added); None for an id the catalogue does not know."""
    found = RULES.get(rule_id)
    if found is not None:
        return found
    family, dot, name = rule_id.partition(".")
    return FAMILIES.get(family) if dot and name else None


def rule_title(rule_id: str) -> str:
    """What a supervisor reads for a rule: its Chinese title, never the internal id."""
    found = rule(rule_id)
    return found.title if found is not None else UNKNOWN_TITLE


def check_rule_id(rule_id: str) -> str:
    """``rule_id`` if the catalogue knows it; else a ValueError naming the known rules (config
    validation turns it into an error naming the key)."""
    if rule(rule_id) is None:
        known = ", ".join(
            r for r in RULES if not r.startswith(("ad.", "offtopic.", "tone.", "wording.", "model."))
        )
        families = ", ".join(f"{f}.<name>" for f in FAMILIES)
        raise ValueError(f"unknown rule {rule_id!r} (known: {known}; text rules {families}, model.<label>)")
    return rule_id
