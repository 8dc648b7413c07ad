"""Personal information and secret marks published (个人信息泄露, 涉密标识): pure text in, findings out.

What counts (the national check list's single-veto item 泄露国家秘密或个人信息):

- resident ID numbers: 18 digits with a valid GB 11643 check digit, a known province code
  and a real birth date; the old 15-digit form only beside the words 身份证/证件号, with a
  known province code and a real birth date (it has no check digit to validate);
- bank card numbers: 13-19 digits (spaces or dashes allowed) passing the Luhn check, beside
  words of a bank card (卡号, 银行卡, 开户行 …), so an order or document number is never one;
- private mobile numbers (1[3-9] and nine digits) beside a person (姓名/联系人/户主/患者/当事人 …,
  王某某, 李先生), unless the number is labelled as an office line (办公电话, 值班电话, 热线);
  hotlines (12345), landlines (0471-…) and 400/800 numbers are never mobiles;
- home addresses of named persons: 住址/家住 … up to 号/室/栋 beside a person;
- 密级 marks in published text: 绝密★/机密★/秘密★, a 内部资料 or 注意保密 mark.

Every finding's ``evidence`` is already masked (``mask``), and its span has the number's
length, so a caller can replace the span in the text with the evidence (``masked_text``) and
quote the text safely anywhere: the report, mails, exports, logs and ``govwatch check``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from core import rules
from core.vocabulary import ContentLabel

from .checks.base import TextFinding

LABEL = ContentLabel.WORDING_ERROR  # 审核把关不严: the notice's class of 严重表述错误 and leaks

# GB/T 2260 province codes (the first two digits of a resident ID number).
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

_ID18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])\d{4}(?:[ -]?\d){9,15}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z])")
_ADDRESS = re.compile(
    r"(?:家庭住址|家住|住址|现住|居住地址|户籍地址|住在)[：:为是于]?\s*"
    r"([\u4e00-\u9fff0-9A-Za-z\-－#（）()]{2,40}(?:号楼|单元|号|室|栋|户))"
)
_SECRET = re.compile(
    r"(?:绝密|机密|秘密)\s*★"
    r"|内部资料(?=\s*[，,、]?\s*(?:注意保密|请勿外传|不得外传|严禁外传|请勿扩散|不得扩散|严禁转发|请勿转发))"
    r"|(?:^|(?<=[\n（(【\[]))\s*(?:内部资料|注意保密|内部文件)\s*(?=$|[\n）)】\]])",
    re.MULTILINE,
)

_ID_CUES = ("身份证", "证件号", "公民身份号码", "身份号码")
_CARD_CUES = (
    "卡号",
    "银行卡",
    "银行账号",
    "银行帐号",
    "开户行",
    "开户银行",
    "借记卡",
    "信用卡",
    "储蓄卡",
    "收款账号",
    "收款帐号",
    "账号",
    "帐号",
)
_NOT_CARD = ("订单", "单号", "编号", "流水号", "批次", "文号", "运单", "快递")
# A person: a role beside a name, a name with 某 or a courtesy title.
_PERSON = re.compile(
    r"姓名|联系人|户主|患者|当事人|申请人|家属|监护人|本人|业主|失主|嫌疑人|被执行人|受害人|求助人|举报人"
    r"|[\u4e00-\u9fff]某{1,2}|[\u4e00-\u9fff](?:先生|女士|阿姨|大爷|大妈)"
)
# A notice's work contact, named by office (联系人：张科长 / 王工): a published work number.
_WORK_CONTACT = re.compile(
    r"联系人[：:\s]*[\u4e00-\u9fff]{1,2}"
    r"(?:科长|站长|主任|经理|老板|书记|所长|局长|队长|干事|部长|处长|馆长|校长|院长|老师|工)(?![\u4e00-\u9fff])"
)
_OFFICE_LINE = re.compile(
    r"(?:办公|值班|服务|咨询|举报|投诉|热线|监督|传真|总机|受理)(?:电话|热线|号码)?[：:\s]*$"
)
_CLAUSE_END = "。！？；;\n"
# Cheap gates, each a superset of what its patterns can match, so that a text without a
# candidate costs one scan in C: every number above has at least 11 digits, single spaces or
# dashes allowed between them (a mobile), so it lies in such a chain of digits (it may end
# with the X of an ID number just after it) and starts where the chain starts or after a
# character that is no ASCII letter or digit (their lookbehind): a space, a dash, a digit
# beyond ASCII. The number patterns are tried only there (``_matches``), not at every
# character. Every address starts with a word holding 住 or 地址 (户籍地址); every secret
# mark holds ★, 内部 or 注意保密.
_NUMBER_CHAINS = re.compile(r"\d(?:[ -]?\d){10,}")
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
WINDOW = 30  # characters before a number in which its cue must stand (same sentence)


def _birth_ok(year: int, month: int, day: int, today: date) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= today


def valid_id18(number: str, today: date | None = None) -> bool:
    """Whether an 18-character string is a resident ID number (GB 11643): province, birth date, check digit."""
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in PROVINCES:
        return False
    if not _birth_ok(int(number[6:10]), int(number[10:12]), int(number[12:14]), today or date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == number[17].upper()


def valid_id15(number: str) -> bool:
    """Whether a 15-digit string can be an old resident ID number: province and a 19yy birth date."""
    return (
        len(number) == 15
        and number.isdigit()
        and number[:2] in PROVINCES
        and _birth_ok(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), date.today())
    )


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(kind: str, shown: str) -> str:
    """The number or address as it may be shown: same length, digits hidden. IDs keep the first 3
    and last 4 characters, mobiles 3+4, cards the last 4, addresses at most their first 6 characters (half of a short
    one, digits hidden)."""
    if kind == "address":  # the place name's head, never the house number
        keep = min(6, len(shown) // 2)
        return re.sub(r"\d", "*", shown[:keep]) + "*" * (len(shown) - keep)
    keep_head, keep_tail = {"id": (3, 4), "mobile": (3, 4), "card": (0, 4)}[kind]
    out, seen, total = [], 0, sum(c.isalnum() for c in shown)
    for ch in shown:
        if ch.isalnum():
            seen += 1
            out.append(ch if seen <= keep_head or seen > total - keep_tail else "*")
        else:
            out.append(ch)
    return "".join(out)


def _before(text: str, start: int, width: int = WINDOW) -> str:
    """The text before ``start`` in the same sentence, at most ``width`` characters."""
    left = text[max(0, start - width) : start]
    cut = max(left.rfind(c) for c in _CLAUSE_END)
    return left[cut + 1 :]


def _after(text: str, end: int, width: int = 12) -> str:
    right = text[end : end + width]
    cuts = [i for i in (right.find(c) for c in _CLAUSE_END) if i >= 0]
    return right[: min(cuts)] if cuts else right


def _finding(rule: rules.Rule, kind: str, text: str, start: int, end: int, what: str) -> TextFinding:
    return TextFinding(
        label=LABEL,
        category=rule.category,
        rule=rule.id,
        severity=rule.severity,
        evidence=mask(kind, text[start:end]) if kind != "secret" else text[start:end],
        start=start,
        end=end,
        suggestion=None,
        explanation=what,
    )


def privacy_findings(
    text: str, today: date | None = None, numbers: bool = True, address: bool = True, secret: bool = True
) -> list[TextFinding]:
    """Personal information and secret marks in a published text, in order; evidence masked.

    ``numbers``, ``address``, ``secret`` False: the caller knows the text has no run of 11
    digits, no 住/址, no ★/内/密 (facts.py), so none of that kind is looked for."""
    starts = _number_starts(text) if numbers else ()
    numbers = bool(starts)
    address = address and ("住" in text or "户籍地址" in text)
    secret = secret and ("★" in text or "内部" in text or "注意保密" in text)
    if not (numbers or address or secret):
        return []  # most texts: three scans in C
    found: list[TextFinding] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(a < end and start < b for a, b in taken)

    def add(kind: str, start: int, end: int, what: str, rule: rules.Rule = rules.PRIVACY_PERSONAL) -> None:
        taken.append((start, end))
        found.append(_finding(rule, kind, text, start, end, what))

    if numbers:
        for m in _matches(_ID18, text, starts):
            if valid_id18(m.group(), today):
                add("id", m.start(), m.end(), "公开发布了公民身份号码（已脱敏显示）")
        for m in _matches(_ID15, text, starts):
            cued = any(c in _before(text, m.start()) for c in _ID_CUES)
            if cued and free(m.start(), m.end()) and valid_id15(m.group()):
                add("id", m.start(), m.end(), "公开发布了公民身份号码（15位旧号码，已脱敏显示）")
        for m in _matches(_CARD, text, starts):
            digits = re.sub(r"\D", "", m.group())
            if not (13 <= len(digits) <= 19) or not free(m.start(), m.end()) or not luhn(digits):
                continue
            before = _before(text, m.start())
            if any(c in before for c in _CARD_CUES) and not any(c in before[-8:] for c in _NOT_CARD):
                add("card", m.start(), m.end(), "公开发布了银行卡号（已脱敏显示）")
        for m in _matches(_MOBILE, text, starts):
            if not free(m.start(), m.end()):
                continue
            before = _before(text, m.start())
            if _OFFICE_LINE.search(before[-10:]):
                continue  # a published office line, not a person's phone
            before = _WORK_CONTACT.sub("", before)
            if _PERSON.search(before) or _PERSON.search(_after(text, m.end())):
                add("mobile", m.start(), m.end(), "公开发布了个人手机号码及姓名（已脱敏显示）")
    for m in _ADDRESS.finditer(text) if address else ():
        start, end = m.span(1)
        if free(start, end) and _PERSON.search(
            _before(text, m.start(), WINDOW + 10) + text[m.start() : start]
        ):
            add("address", start, end, "公开发布了个人家庭住址（已脱敏显示）")
    for m in _SECRET.finditer(text) if secret else ():
        start, end = m.span()
        while start < end and text[start].isspace():
            start += 1
        add(
            "secret",
            start,
            end,
            f"公开发布的内容带有密级或内部标识“{text[start:end]}”",
            rules.PRIVACY_SECRET_MARK,
        )
    found.sort(key=lambda f: (f.start, f.end))
    return found


def _number_starts(text: str) -> list[int]:
    """Where a personal number may start (see ``_NUMBER_CHAINS``), in order; empty without one."""
    starts: list[int] = []
    for chain in _NUMBER_CHAINS.finditer(text):
        a, b = chain.span()
        starts.append(a)
        for k in range(a + 1, b):
            if text[k - 1] not in _ASCII_ALNUM and text[k].isdecimal():
                starts.append(k)
    return starts


def _matches(pattern: re.Pattern[str], text: str, starts: Sequence[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts at one of ``starts``
    (sorted) and is not empty: tried at those places alone."""
    end = 0
    for k in starts:
        if k >= end:
            m = pattern.match(text, k)
            if m is not None:
                yield m
                end = m.end()


def is_privacy(finding: TextFinding) -> bool:
    return finding.rule in (rules.PRIVACY_PERSONAL.id, rules.PRIVACY_SECRET_MARK.id)


def masked_text(text: str, findings: Iterable[TextFinding]) -> str:
    """``text`` with every personal-information span replaced by its masked evidence (same length,
    so the other findings' offsets still hold)."""
    out = text
    for f in findings:
        if is_privacy(f) and f.evidence != text[f.start : f.end]:
            out = out[: f.start] + f.evidence + out[f.end :]
    return out
