"""The batch facts of a stream's chunk (analysis/text/facts.py): a check told "no" skips its scan,
so every "no" must be true; and a stream's findings are those of the same post checked alone."""

from __future__ import annotations

import io
import json
import random
import re

import pytest

from analysis.text.checker import Checker
from analysis.text.checks.matcher import digit_run
from analysis.text.facts import ADDRESS, ASTRAL, FOLDS, NUMBER, SECRET, text_facts
from analysis.text.lexicon import fold
from analysis.text.privacy import privacy_findings
from analysis.text.runner import clean_line, findings_line, run_jsonl

_ID_BODY = "32010619910228004"
_ID = (
    _ID_BODY
    + "10X98765432"[
        sum(
            int(d) * w
            for d, w in zip(_ID_BODY, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), strict=True)
        )
        % 11
    ]
)

TEXTS = [
    "",
    "旗农牧局开展春播备耕技术指导服务。",
    "今年全旗新增就业1260人，发放贷款3200万元，2024年完成。",
    "户主王某某，联系电话13912345678，家住大沁他拉镇幸福小区3号楼2单元501室。",
    "户主王某某，联系电话139 1234 5678。",
    "当事人李先生手机139-1234-5678。",
    "户主王某某，手机１３９１２３４５６７８。",  # full-width digits
    f"申请人张某某，身份证号{_ID}，已受理。",
    "开户行：工商银行，卡号6222 0212 3456 7890 128。",
    "秘密★1年 内部资料，注意保密",
    "家人们快来看[哈哈][偷笑]😀福利啦",
    "数字𝟏𝟑𝟗𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖在这里",  # mathematical digits beyond the BMP (\d matches them)
    "APP下载 WiFi ＡＢＣ İstanbul ΣΑΣ",
    "1234567890",  # ten digits: not a number of any kind
    "12345678901",
    "电话0471-1234567，热线12345",
    "土特产包邮到家，加微信13912345678下单，手慢无！",  # an ad's mobile: the number regex runs
    "特价优惠，满200元减50元，包邮到家，手慢无！",  # an ad without a long number: it does not
]


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = [
        *"0123456789 -ab旗委１Ａ\n[]",
        "😀",
        "𝟎",
        "İ",
        "Σ",
        "\u2600",
        "家住",
        "号",
        "秘密★",
        "内部资料",
        "户主",
    ]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def test_every_no_is_true():
    """A text said to hold no number, nothing to fold or no astral character holds none."""
    number = re.compile(r"\d(?:[ -]?\d){10}")
    astral = re.compile("[\U00010000-\U0010ffff]")
    texts = TEXTS + _random_texts(3000, 5)
    facts = text_facts(texts)
    assert len(facts) == len(texts)
    for text, bits in zip(texts, facts, strict=True):
        if number.search(text):
            assert bits & NUMBER, text
        if astral.search(text):
            assert bits & ASTRAL, text
        if fold(text) != text:
            assert bits & FOLDS, text
        told = privacy_findings(text, None, bits & NUMBER != 0, bits & ADDRESS != 0, bits & SECRET != 0)
        assert told == privacy_findings(text), text


def test_plain_chinese_needs_no_scan():
    """An ordinary post with short numbers (years, counts) is told it needs none of the scans."""
    assert text_facts([TEXTS[1], TEXTS[2]]) == [0, 0]
    assert text_facts([TEXTS[3]])[0] & NUMBER
    assert text_facts(["12345678901"])[0] & NUMBER
    assert not text_facts(["1234567890"])[0] & NUMBER
    assert text_facts([]) == []


def test_privacy_without_numbers_still_finds_addresses_and_marks():
    found = {f.evidence[:2] for f in privacy_findings(TEXTS[3], numbers=False)}
    assert not any(f.start < 20 for f in privacy_findings(TEXTS[3], numbers=False))  # the mobile is skipped
    assert found  # the home address is still found
    assert privacy_findings(TEXTS[9], numbers=False)


@pytest.mark.parametrize("use_model", [False, True])
def test_findings_with_facts_are_the_findings_without(use_model):
    """Told the facts, the checker finds exactly what it finds scanning for itself."""
    checker = Checker.load(use_model=use_model, typos=False)
    texts = TEXTS + _random_texts(300, 9)
    probs = checker.model_probs(texts)
    for text, bits, p in zip(texts, text_facts(texts), probs, strict=True):
        assert checker.findings(text, probs=p, facts=bits) == checker.findings(text, probs=p), text


@pytest.mark.parametrize("typos", [False, True])
def test_check_with_facts_is_the_check_without(typos):
    """The nightly pass (analysis/content.py) hands ``check`` the facts of its batch: labels,
    findings and scores are those of the post checked without them, typo model on or off."""
    checker = Checker.load(typos=typos)
    posts = [(t, None) for t in TEXTS + _random_texts(120, 11)] + [("电话13912345678", "户主王某某")]
    fulls = [f"{title}\n{text}" if title else text for text, title in posts]
    probs = checker.model_probs(fulls)
    for (text, title), bits, p in zip(posts, text_facts(fulls), probs, strict=True):
        assert checker.check(text, title, probs=p, facts=bits) == checker.check(text, title, probs=p), text


def test_stream_lines_are_the_posts_checked_alone():
    """`govwatch check` on JSON Lines writes for each post what checking it alone gives (no model:
    the model's batch sums may differ from a single post's in the last float bits)."""
    checker = Checker.load(use_model=False, typos=False)
    posts = [{"id": i, "text": t} for i, t in enumerate(TEXTS)] + [
        {"id": "t", "title": "户主王某某", "text": "电话13912345678"}
    ]
    out = io.StringIO()
    assert (
        run_jsonl(
            io.StringIO("\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\n"),
            out,
            checker,
            io.StringIO(),
        )
        == 0
    )
    expected = []
    for p in posts:
        found = checker.findings(p["text"], p.get("title"))
        expected.append(findings_line(p["id"], found) if found else clean_line(p["id"]))
    assert out.getvalue() == "".join(expected)
    assert "13912345678" not in out.getvalue() and "139****5678" in out.getvalue()


@pytest.mark.parametrize(
    ("pattern", "run"),
    [
        (r"1(?<!\d1)[3-9]\d{9}(?!\d)", 11),  # a mobile number (ads.tsv)
        (r"\d{5}\d{6}", 11),
        (r"\d{4}x\d{7}", 7),
        (r"\d+", 1),
        (r"1[3-9]\d{3,9}", 5),
        (r"[0-9a]{11}", 0),
        (r"(?:12|34)\d", 1),
        (r"[^0-9]{11}", 0),
    ],
)
def test_digit_run_is_what_every_match_holds(pattern, run):
    """The digits in a row every match holds, never more (a regex is skipped on that promise)."""
    assert digit_run(re.compile(pattern)) == run
