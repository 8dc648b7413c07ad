"""The content checks' shortcuts (BENCHMARKS, branch speed4) give what the long way gives.

- the privacy detector tries its number patterns only where a chain of 11 digits starts or
  after a separator in one (``_matches``): the same matches as ``finditer`` over the text;
- the facts' FOLDS bit is off only for characters that ``fold`` leaves alone (the full-width
  punctuation ：；？ is no longer a reason to fold);
- the regexes' bound parts remembered per set of patterns are those of the regexes to run.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.text import privacy
from analysis.text.checker import Checker
from analysis.text.checks.matcher import SIGNAL_FAMILIES, _regex_parts
from analysis.text.facts import FOLDS, _classes, text_facts
from analysis.text.lexicon import fold

NUMBER_PATTERNS = (privacy._ID18, privacy._ID15, privacy._CARD, privacy._MOBILE)
# digits (ASCII, full-width, Arabic-Indic), the separators, the X of an ID number, letters, CJK
ALPHABET = "0123456789" * 4 + "  --Xx1１٣a中，"


def _same_matches(text: str) -> None:
    starts = privacy._number_starts(text)
    for pattern in NUMBER_PATTERNS:
        assert [m.span() for m in privacy._matches(pattern, text, starts)] == [
            m.span() for m in pattern.finditer(text)
        ], (text, pattern.pattern)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_number_patterns_tried_where_they_may_start_find_what_finditer_finds(text: str) -> None:
    _same_matches(text)


def test_number_patterns_on_many_random_chains() -> None:
    rng = random.Random(12)
    for _ in range(20_000):
        _same_matches("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 50))))
    # the places a number may start: the chain's start, after a space or a dash, after a digit
    # beyond ASCII; never after an ASCII digit or letter
    text = "电话a13912345678 1391234-5678１13912345678"
    assert privacy._number_starts(text) == [3, 15, 23, 28]


def test_privacy_findings_as_with_finditer(monkeypatch) -> None:
    rng = random.Random(3)
    pieces = [
        "联系人王某某，手机",
        "13912345678",
        "139 1234 5678",
        "；身份证号",
        "11010519491231002X",
        "110105491231002",
        "。开户行卡号",
        "6222 0212 3456 7890 128",
        "订单号",
        "6222021234567890128",
        "咨询电话：",
        "0471-12345678",
        "值班电话",
        "李先生",
        "１",
        "a",
        "-",
        " ",
        "。",
    ]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    fast = [privacy.privacy_findings(t) for t in texts]
    monkeypatch.setattr(privacy, "_matches", lambda pattern, text, starts: pattern.finditer(text))
    assert [privacy.privacy_findings(t) for t in texts] == fast
    assert sum(map(len, fast)) > 500


def test_folds_bit_off_only_where_fold_changes_nothing() -> None:
    table = _classes()
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        if not table[code] & FOLDS:
            assert fold(ch) == ch, hex(code)
    texts = ["反诈提醒：请勿轻信", "ＡＢＣ：１２３", "Hello：", "全角；标点？［］＠"]
    facts = text_facts(texts)
    for text, bits in zip(texts, facts, strict=True):
        if not bits & FOLDS:
            assert fold(text) == text
    assert not facts[0] & FOLDS and not facts[3] & FOLDS
    assert facts[1] & FOLDS and facts[2] & FOLDS


def test_the_remembered_regex_parts_are_those_of_the_regexes_to_run() -> None:
    matcher = Checker.load(use_model=False, typos=False).matcher
    texts = [
        "土特产包邮到家，加微信13912345678下单，手慢无！",
        "旗商务局发放第二批消费券，市民可通过云闪付领取，满200元减50元。",
        "反诈提醒：凡是要求加微信返利、刷单的都是诈骗，请广大群众切勿轻信。",
        "今日星座运势：白羊座财运爆棚，双色球杀号推荐。家人们，宝宝们快来看",
        "原国土资源局于2017年完成确权登记工作。",
    ]
    for text in texts:
        norm = fold(text)
        matches = matcher._find(norm, True)
        idxs = {m[0] for m in matches}
        candidates = matcher.regex_candidates(idxs)
        run = matcher._regex_run(idxs, True)
        assert run[0] == candidates
        assert (run[2], run[3]) == _regex_parts(candidates)
        assert run[1] == any(e.family in SIGNAL_FAMILIES for e in candidates)


def _varied_texts(count: int, seed: int) -> list[str]:
    """Texts made of the lexicons' terms, their except contexts and suggestions, numbers, emoji,
    full-width letters and plain sentences: many matches, overlapping ones, at the ends."""
    from analysis.text.lexicon import BUNDLED_DIR, lexicon_files, read_file

    words: list[str] = []
    for path in lexicon_files([BUNDLED_DIR]):
        for e in read_file(path):
            if e.regex is None:
                words.append(e.term)
                words.extend(e.excepts)
            if e.suggestion:
                words.extend(t for t in e.suggestion.split("|") if t)
    extras = [
        "13912345678",
        "０４７１-１２３４５６７",
        "ＡＢＣ",
        "[哈哈]",
        "😀",
        "，",
        "。",
        "\n",
        " ",
        "旗委召开常委会会议",
    ]
    rng = random.Random(seed)
    return [
        "".join(
            rng.choice(words) if rng.random() < 0.7 else rng.choice(extras) for _ in range(rng.randint(0, 15))
        )
        for _ in range(count)
    ]


def test_scan_ahead_finds_what_the_scan_finds() -> None:
    checker = Checker.load(use_model=False, typos=False)
    matcher = checker.matcher
    texts = _varied_texts(3000, 7)
    norms = [fold(t) for t in texts]
    matcher.scan_ahead(norms)
    ahead = dict(matcher._ahead)
    assert len(ahead) == len(set(norms))
    found = 0
    for norm in norms:
        assert ahead[norm] == matcher._find(norm, True), norm  # the DFA and the NFA: same list
        found += len(ahead[norm])
    assert found > 10_000
    # hits takes a scan up once; a text never scanned ahead (or masked since) is scanned as before
    matcher.scan_ahead(norms[:10])
    assert matcher.hits(norms[0], context=True) == matcher.hits(norms[0], context=True)
    assert norms[0] not in matcher._ahead
    matcher.scan_ahead(["\ud800 a lone surrogate"])
    assert not matcher._ahead


def test_stream_with_and_without_scan_ahead(monkeypatch) -> None:
    import io
    import json

    from analysis.text.runner import run_jsonl

    checker = Checker.load(use_model=False, typos=False)
    texts = _varied_texts(1500, 8)
    lines = "".join(json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n" for k, t in enumerate(texts))
    out = io.StringIO()
    run_jsonl(io.StringIO(lines), out, checker, io.StringIO())
    monkeypatch.setattr(type(checker), "scan_ahead", lambda self, fulls, facts: None)
    plain = io.StringIO()
    run_jsonl(io.StringIO(lines), plain, checker, io.StringIO())
    assert out.getvalue() == plain.getvalue()
    assert out.getvalue().count('"labels": []') < 1400


def test_explain_in_numpy_as_in_plain_python(monkeypatch) -> None:
    import sys

    from analysis.text import model_batch  # noqa: F401  (loaded: explain takes the numpy path)
    from analysis.text.model import shipped

    model = shipped()
    if model is None:  # pragma: no cover - the model ships with the package
        return
    texts = _varied_texts(400, 9) + [
        "",
        "a",
        "好的",
        "。，！",
        "😀😀家人们快来😀",
        "\ud800家人们快来抢购",
        "家人们，宝宝们快来看，今天小编给大家带来福利啦！土特产包邮到家，加微信下单，手慢无！" * 8,
    ]
    fast = {label: [model.explain(t, label) for t in texts] for label in model.labels}
    monkeypatch.delitem(sys.modules, "analysis.text.model_batch")
    plain = {label: [model.explain(t, label) for t in texts] for label in model.labels}
    assert fast == plain  # the phrases and their weights, bit for bit
    assert sum(len(p) for ps in fast.values() for p in ps) > 500
