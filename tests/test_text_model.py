"""The learned content classifiers beside the lexicons: what a supervisor sees, hard negatives,
the account's own field, tone by density, and that the model stays light at run time."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.text import Checker, PostContext
from analysis.text.evaluate import evaluate, read_posts
from analysis.text.model import BATCH_FROM, MODEL_CHARS, MODEL_DIR, ContentModel, py_grams
from analysis.text.model_batch import grams
from analysis.text.runner import run_jsonl, run_plain

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker.load()


def labels(checker: Checker, text: str, unit: str | None = None) -> list[str]:
    return checker.check(text, context=PostContext(unit=unit) if unit else None).labels


# -- the shipped model --


def test_model_is_shipped_small():
    files = list(MODEL_DIR.glob("content.*"))
    assert {f.suffix for f in files} == {".npy", ".json"}
    assert sum(f.stat().st_size for f in files) <= 20 * 1024 * 1024
    meta = json.loads((MODEL_DIR / "content.json").read_text(encoding="utf-8"))
    assert meta["trained_on"]["left_out"] == ["lemon_*"]  # academic-use-only rows never trained on
    assert not any(name.startswith("lemon") for name in meta["trained_on"]["sources"])
    model = ContentModel.load()
    assert model.labels == ("commercial", "off_topic", "entertainment")


def test_no_training_library_and_lazy_numpy_at_run_time():
    code = (
        "import sys\n"
        "from analysis.text import Checker\n"
        "c = Checker.load()\n"
        "c.check('旗政府召开常务会议，研究部署春耕生产工作。')\n"
        "assert c.model() is not None\n"
        "assert 'numpy' not in sys.modules, 'numpy imported for one draft'\n"
        "assert not any(m.split('.')[0] in ('sklearn', 'scipy') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_batch_scores_equal_single_scores():
    """numpy over a batch and plain Python over one text: the same hashes, the same scores."""
    model = ContentModel.load()
    texts = [
        "加微信领取优惠",
        "",
        "旗教育局召开开学工作部署会。",
        "a",
        "😀[哈哈]今天太开心了",
        "ＡＢＣ１２３　全角",
    ]
    texts = (texts * BATCH_FROM)[: max(BATCH_FROM, len(texts))]
    batch = model.probabilities(texts)
    for k, text in enumerate(texts):
        assert batch[k] == pytest.approx(model.probabilities([text])[0], abs=1e-9)
    g = grams(texts, model.bits)
    for k, text in enumerate(texts):
        mine = sorted(py_grams(text, model.bits))
        theirs = sorted(
            (int(b), int(s), int(o))
            for b, p, s, o in zip(g.bucket, g.post, g.start, g.order, strict=True)
            if p == k
        )
        assert mine == theirs


def test_the_model_reads_the_head_of_a_long_text():
    model = ContentModel.load()
    head = "旗政府召开常务会议，研究部署春耕生产工作。" * 60
    long = head + "家人们加微信下单包邮" * 10_000  # an article of 100,000 more characters
    assert model.probabilities([long]) == model.probabilities([head[:MODEL_CHARS]])
    assert model.probabilities([long] * BATCH_FROM)[0] == pytest.approx(model.probabilities([long])[0])


def test_ngrams_never_cross_two_texts():
    g = grams(["ab", "cd"], bits=16)
    for post, start, order in zip(g.post.tolist(), g.start.tolist(), g.order.tolist(), strict=True):
        assert start + order <= 2, (post, start, order)
    assert g.count.tolist() == [3.0, 3.0]  # a, b, ab / c, d, cd


# -- model findings a supervisor reads --


AD_WITHOUT_SIGNAL_WORDS = "本店新到一批正宗东北大米，颗粒饱满，口感香甜，欢迎新老顾客前来选购，量大从优。"


def test_ad_without_any_signal_word_is_found_with_phrases_and_confidence(checker):
    assert Checker.load(use_model=False).check(AD_WITHOUT_SIGNAL_WORDS).labels == []
    r = checker.check(AD_WITHOUT_SIGNAL_WORDS)
    assert r.labels == ["commercial"]
    found = [f for f in r.findings if f.label == "commercial"]
    assert found and all(f.confidence in ("高", "中") for f in found)
    for f in found:
        assert AD_WITHOUT_SIGNAL_WORDS[f.start : f.end] == f.evidence and len(f.evidence) >= 2
        assert "置信度" in f.explanation and f"“{f.evidence}”" in f.explanation
        assert "model" not in f.explanation and "." not in f.explanation.replace("。", "")
        assert f.to_json()["confidence"] == f.confidence


def test_off_topic_subject_without_a_topic_word(checker):
    text = "昨晚的联赛焦点战，主队凭借下半场的两粒进球逆转取胜，继续领跑积分榜，客队主帅赛后表示不满。"
    assert Checker.load(use_model=False).check(text).labels == []
    assert labels(checker, text) == ["off_topic"]


def test_plain_output_names_no_internal_rule(checker):
    out = io.StringIO()
    run_plain(
        AD_WITHOUT_SIGNAL_WORDS + "\n家人们，加微信13912345678下单，包邮到家！", out, checker, color=False
    )
    text = out.getvalue()
    assert "商业广告" in text and "置信度" in text
    for internal in ("model.", "ad.", "offtopic.", "tone.", "wording.", "major", "minor"):
        assert internal not in text


# -- the account's own field --

MATCH_RESULT = (
    "旗青少年足球联赛昨日收官，第三中学代表队3比1战胜实验中学代表队，夺得初中组冠军，前锋上演帽子戏法。"
)


def test_a_sports_bureau_reports_matches(checker):
    assert "off_topic" in labels(checker, MATCH_RESULT)
    assert labels(checker, MATCH_RESULT, unit="旗体育局") == []


@pytest.mark.slow  # runs the govwatch command
def test_cli_unit_option_and_jsonl_unit_field(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(MATCH_RESULT + "\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "govwatch.cli"]
    env_cwd = tmp_path  # no config.yaml here: the defaults

    def run(*args: str) -> str:
        p = subprocess.run(
            [*cmd, *args], cwd=env_cwd, capture_output=True, text=True, env=_env(), check=False
        )
        assert p.returncode == 0, p.stderr
        return p.stdout

    assert "与政务无关" in run("check", str(draft), "--no-color")
    assert "未发现问题" in run("check", str(draft), "--no-color", "--unit", "旗体育局")
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        json.dumps({"id": 1, "text": MATCH_RESULT}, ensure_ascii=False)
        + "\n"
        + json.dumps({"id": 2, "text": MATCH_RESULT, "unit": "旗体育局"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    rows = [json.loads(line) for line in run("check", str(posts)).splitlines()]
    assert [r["labels"] for r in rows] == [["off_topic"], []]
    rows = [json.loads(line) for line in run("check", str(posts), "--unit", "旗体育局").splitlines()]
    assert [r["labels"] for r in rows] == [[], []]


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


# -- tone: emoticon codes, emoji and slang of every year, by density --


@pytest.mark.parametrize(
    "text",
    [
        "今天终于放假啦[哈哈][哈哈]，约上小伙伴去吃火锅[馋嘴][偷笑]",
        "这部剧也太好看了吧😂😂😂 熬夜追完，男主简直帅炸💕",
        "童鞋们，这么给力的周末有木有？神马作业都是浮云！",
        "宝子们，这家奶茶真的绝绝子，yyds！",
    ],
)
def test_tone_of_personal_posts(checker, text):
    assert "entertainment" in labels(checker, text)


@pytest.mark.parametrize(
    "text",
    [
        "旗政务服务中心推行“周末不打烊”服务，群众办事更方便了[赞]",
        "我旗高标准农田建设给力推进，今年新建8万亩，亩均增产一成。",
        "寒潮蓝色预警：受冷空气影响，明天我旗气温将下降8至10℃，请注意防寒保暖❄",
    ],
)
def test_one_tone_signal_on_government_substance_is_not_a_finding(checker, text):
    assert "entertainment" not in labels(checker, text)


# -- the classes of false alarm --


def test_hong_kong_and_macao_integrating_into_the_national_development(checker):
    text = "会议强调，要支持香港、澳门融入国家发展大局，推动粤港澳大湾区建设取得新进展。"
    assert labels(checker, text) == []
    # listing them among countries is still an error
    assert "wording_error" in labels(checker, "展会吸引了日本、韩国、香港等国家的客商。")


@pytest.mark.parametrize(
    "text",
    [
        "镇里开设助农直播间，驻村第一书记当起带货主播，两个小时帮农户卖出滞销土豆3万斤。",
        "消费帮扶活动中，网红主播走进田间地头直播带货，助力特色农产品走出大山、农户增收。",
    ],
)
def test_selling_for_farmers_reported(checker, text):
    assert labels(checker, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "英雄的遗体运抵家乡，沿途群众自发送别，不少网友看哭了。",
        "失散三十年的母子在民警帮助下团聚，现场让人泪目。",
    ],
)
def test_moved_to_tears_in_reporting(checker, text):
    assert labels(checker, text) == []


# -- hard negatives with the model on --


@pytest.mark.parametrize(
    "text",
    [
        "反诈提醒：“低息贷款、无需抵押、当天放款”都是诈骗话术，请勿轻信陌生来电。",
        "旗商务局第三批汽车消费券明日开抢，购车最高可享5000元补贴，详情见活动细则。",
        "国家副主席会见外宾。",
        "各位同事：\n年底前请各科室报送全年工作总结。",
        "全旗第十届全民健身运动会开幕，22支代表队1200余名运动员参赛。",
    ],
)
def test_government_text_stays_clean(checker, text):
    assert labels(checker, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "禁牧通知：各嘎查要落实责任……",
        "禁牧休牧通知：各嘎查要落实责任……",
        "汛期值班通知：各单位要落实责任制……",
        "元旦值班通知：各科室要落实责任……",
    ],
)
def test_a_short_official_notice_without_its_unit_is_not_off_topic(checker, text):
    # The model alone reads these few words as off-topic (中); the addressees and directives
    # of an official notice are government substance, which 中 does not outweigh.
    model = checker.model()
    probability = checker.model_probs([text])[0]["off_topic"]
    assert model.level("off_topic", probability) == "medium"
    assert "off_topic" not in labels(checker, text)


# -- streaming in chunks --


def test_jsonl_in_chunks_keeps_order_and_equals_one_by_one(checker, monkeypatch):
    import analysis.text.runner as runner

    monkeypatch.setattr(runner, "CHUNK", 3)
    texts = [AD_WITHOUT_SIGNAL_WORDS, MATCH_RESULT, "旗教育局召开开学工作部署会。"] * 3
    lines = [json.dumps({"id": k, "text": t}, ensure_ascii=False) for k, t in enumerate(texts)]
    lines.insert(4, "not json")
    out, err = io.StringIO(), io.StringIO()
    assert run_jsonl(io.StringIO("\n".join(lines) + "\n"), out, checker, err) == 1
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2, 3, None, 4, 5, 6, 7, 8]
    assert "line 5" in err.getvalue()
    good = [r for r in rows if r["id"] is not None]
    for k, row in enumerate(good):
        assert row["labels"] == checker.check(texts[k]).labels


# -- evaluation: optional labels --


def test_optional_labels_count_neither_way(tmp_path, checker):
    f = tmp_path / "set.jsonl"
    rows = [
        {
            "id": "a",
            "text": "今天终于放假啦[哈哈][哈哈]，约上小伙伴去吃火锅[馋嘴][偷笑]",
            "labels": ["off_topic"],
        },
        {
            "id": "b",
            "text": "今天终于放假啦[哈哈][哈哈]，约上小伙伴去吃火锅[馋嘴][偷笑]",
            "labels": ["off_topic"],
            "optional": ["entertainment"],
        },
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    report = evaluate(read_posts(f), checker)
    assert report.per_label["entertainment"].fp == 1  # row a only: b's is optional


def test_sub_batches_give_the_scores_of_one_pass():
    """Scored a sub-batch at a time, every text gets the very float sums of one pass over all."""
    import numpy as np

    from analysis.text.model_batch import SUB_BATCH, _raw_scores, raw_scores

    model = ContentModel.load()
    base = [
        "旗教育局召开开学工作部署会。",
        "加微信领取优惠，手慢无！",
        "",
        "a",
        "😀[哈哈]今天太开心了",
        "ＡＢＣ１２３",
    ]
    texts = [t * (k % 7) for k, t in enumerate(base * 100)][: 3 * SUB_BATCH + 5]
    for batch in (texts, [*texts[:SUB_BATCH], *[""] * SUB_BATCH, "x"], [*texts[: SUB_BATCH + 1], *[""] * 30]):
        assert np.array_equal(raw_scores(model, batch), _raw_scores(model, batch))


def test_a_model_without_thresholds_scores_as_training_needs():
    """Training scores the dev set with its new weights before it has tuned any threshold
    (analysis/text/train.py): such a model loads, skips nothing, and scores as the shipped one."""
    model = ContentModel.load()
    bare = ContentModel.from_weights(model.weights(), {**model.meta, "thresholds": {}})
    assert bare.lowest_level == 0.0
    texts = ["加微信领取优惠，手慢无！", "旗教育局召开开学工作部署会。"]
    assert bare.probabilities(texts) == model.probabilities(texts)
