"""Unit tests per rule family of analysis/text, hard negatives included."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.text import LABELS, Checker, CheckResult, ContentMix, PostContext, TextFinding, classify_content

EXAMPLES = Path(__file__).resolve().parents[1] / "analysis" / "text" / "lexicons" / "examples"


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker.load()


def labels(checker: Checker, text: str, unit: str | None = None, title: str | None = None) -> list[str]:
    return checker.check(text, title, PostContext(unit=unit) if unit else None).labels


# -- loading --


def test_load_is_cached():
    assert Checker.load() is Checker.load()


def test_bad_lexicon_line_names_file_and_line(tmp_path):
    f = tmp_path / "mine.tsv"
    f.write_text("# comment\n好词\ttone.cute\t2\n坏行\tnot_a_kind\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine\.tsv:3: unknown kind"):
        Checker.load([f])
    f.write_text("错字\twording.typo\t\tminor\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine\.tsv:1: .*suggestion"):
        Checker.load([f])
    f.write_text("re:(\tad.contact\t2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine\.tsv:1: bad regular expression"):
        Checker.load([f])
    with pytest.raises(ValueError, match="not found"):
        Checker.load([tmp_path / "missing.tsv"])


def test_user_lexicon_folder_and_allow_list(tmp_path, checker):
    (tmp_path / "local.tsv").write_text(
        "旗国土局\twording.retired_name\t\tmajor\t旗自然资源局\n", encoding="utf-8"
    )
    mine = Checker.load([tmp_path])
    r = mine.check("旗国土局召开会议，部署耕地保护工作。")
    assert r.labels == ["wording_error"] and r.findings[0].suggestion == "旗自然资源局"
    allowed = Checker.load(allow=["再接再励"])
    assert allowed.check("全体干部再接再励，争取更好成绩。").labels == []
    assert checker.check("全体干部再接再励，争取更好成绩。").labels == ["wording_error"]


def test_public_api_shapes(checker):
    r = checker.check("家人们，沙地小米包邮，加微信13912345678下单", title="福利")
    assert isinstance(r, CheckResult) and r.labels == sorted(r.labels) and set(r.labels) <= set(LABELS)
    f = r.findings[0]
    assert isinstance(f, TextFinding)
    assert set(f.to_json()) == {"category", "rule", "severity", "evidence", "start", "end", "suggestion"}
    full = "福利\n家人们，沙地小米包邮，加微信13912345678下单"
    for f in r.findings:
        assert full[f.start : f.end] == f.evidence
        assert f.explanation
    with pytest.raises(AttributeError):
        f.rule = "x"  # type: ignore[misc]


# -- commercial --


def test_ad_needs_a_combination(checker):
    ad = checker.check("土特产包邮到家，加微信13912345678下单，手慢无！")
    assert ad.labels == ["commercial"]
    assert {f.rule for f in ad.findings} >= {"ad.contact", "ad.price", "ad.cta"}
    assert all(f.category == "off_mission" and f.severity == "major" for f in ad.findings)
    assert "疑似商业广告" in ad.findings[0].explanation
    # one signal alone is not an ad
    assert labels(checker, "如有疑问，请拨打咨询电话13912345678，工作人员将为您解答。") == []
    assert labels(checker, "我旗荣获全国第一批民族团结进步示范旗称号，位列全区第一。") == []


def test_shop_link_alone_is_an_ad(checker):
    r = checker.check("这款空气净化器不错，详见 https://item.jd.com/100012345.html")
    assert r.labels == ["commercial"] and r.findings[0].rule == "ad.shop"


@pytest.mark.parametrize(
    "text",
    [
        "【反诈提醒】近期有不法分子冒充客服，以加微信返利为由诱导刷单，切勿轻信！",
        "谨防网络购物诈骗！有人发布“低价出售”“全网最低价”等虚假信息，诱导添加微信私下交易。",
        "不要相信“兼职日结、日赚500”的招聘信息，凡是先交钱的都是骗局。",
    ],
)
def test_warnings_quoting_scam_phrases_are_clean(checker, text):
    assert labels(checker, text) == []


@pytest.mark.parametrize(
    "text, unit",
    [
        (
            "旗商务局发放消费券，满100元减30元，点击链接领取，数量有限，先到先得，咨询电话0475-4218899。",
            "旗商务局",
        ),
        ("家电以旧换新补贴来了：购买一级能效家电可享补贴，最高2000元，扫码下单即可申请。", None),
        ("小微企业减税降费优惠政策：符合条件的企业减按20%税率缴纳，咨询12366。", None),
        (
            "旗投资促进中心发布招商引资优惠政策，对新落地项目最高奖励500万元，欢迎来电0475-4238888。",
            "旗投资促进中心",
        ),
        ("2024年公益广告征集活动启动，一等奖奖金5000元，投稿邮箱nmxcb@163.com。", None),
        ("为发放惠民补贴，每人500元，将于春节前通过社保卡发放，咨询电话0475-4212345。", None),
    ],
)
def test_government_hard_negatives(checker, text, unit):
    assert labels(checker, text, unit) == []


def test_agri_bureau_may_sell_for_farmers(checker):
    text = "助农直播：奈曼沙地小米每斤8元，扫码下单，县域内包邮，联系电话13904751234。"
    assert labels(checker, text, "旗农牧局") == []
    assert labels(checker, text, "旗公安局") == ["commercial"]


def test_tourism_bureau_may_promote_tourism(checker):
    text = "五一假期沙漠景区门票五折优惠，拨打13904751234预订，先到先得！"
    assert labels(checker, text, "旗文化和旅游局") == []
    assert labels(checker, text, "旗教育局") == ["commercial"]
    # 文旅推介 is government work whoever posts it
    assert labels(checker, "五一文旅推介：" + text, "旗教育局") == []


# -- off-topic --


def test_off_topic(checker):
    r = checker.check("今日星座运势：白羊座财运爆棚，水逆退散！")
    assert r.labels == ["off_topic"]
    assert all(f.category == "off_mission" and f.rule.startswith("offtopic.") for f in r.findings)
    assert labels(checker, "明日大盘走势预测：三只牛股有望涨停，抓紧加仓。") == ["off_topic"]
    assert labels(checker, "王者荣耀新赛季上分攻略，周末一起开黑！") == ["off_topic"]


@pytest.mark.parametrize(
    "text, unit",
    [
        ("旗教育局开展网络游戏防沉迷宣传，引导学生合理上网。", None),
        ("警惕荐股骗局：不要轻信所谓内幕消息和牛股推荐。", None),
        ("今年实施退化草原种草改良工程12万亩，采取免耕补播方式种草。", "旗农牧局"),
        ("夏季是皮肤病高发季节，皮肤科专家提醒注意防晒。", None),
        ("旗长走进直播间，直播带货销售奈曼小米2万斤，带动农户增收。", "旗政府办公室"),
    ],
)
def test_off_topic_hard_negatives(checker, text, unit):
    assert labels(checker, text, unit) == []


# -- entertainment --


def test_entertainment_tone(checker):
    r = checker.check("宝宝们，明天大降温，请大家注意添衣保暖。")
    assert r.labels == ["entertainment"]
    assert all(f.category == "over_entertainment" for f in r.findings)
    assert r.findings[0].severity == "minor"
    vulgar = checker.check("卧槽，这场大风也太吓人了吧！")
    assert vulgar.labels == ["entertainment"] and vulgar.findings[0].severity == "major"
    strong = checker.check("家人们！绝绝子，yyds，小编哭晕在厕所，么么哒！")
    assert {f.severity for f in strong.findings} == {"major"}


@pytest.mark.parametrize(
    "text",
    [
        "大沁他拉街道召开“父老乡亲们的心里话”座谈会。",
        "旗疾控中心提醒家长注意宝宝们的个人卫生，勤洗手、勤通风。",
        "1931年，日本侵略者制造了震惊中外的九一八事变。",
        "旗妇幼保健院提醒：新生宝宝们要按时接种卡介苗。",
    ],
)
def test_entertainment_hard_negatives(checker, text):
    assert labels(checker, text) == []


# -- wording --


@pytest.mark.parametrize(
    "wrong, right, severity",
    [
        ("截止年底", "截至年底", "minor"),
        ("再接再励", "再接再厉", "minor"),
        ("中华人民共合国", "中华人民共和国", "critical"),
        ("攻府", "政府", "critical"),
        ("党史教育", "党史学习教育", "critical"),
        ("二十大会议精神", "二十大精神", "critical"),
        ("筑牢中华民族共同体意识", "铸牢中华民族共同体意识", "critical"),
        ("文化与旅游局", "文化和旅游局", "critical"),
        ("两个拥护", "两个维护", "critical"),
        ("四个全面战略部署", "四个全面战略布局", "critical"),
        ("两个一百周年", "两个一百年", "critical"),
        ("中央八条规定", "中央八项规定", "critical"),
        ("国务院主席", "国务院总理", "critical"),
        ("国土资源局", "自然资源局", "major"),
        ("卫计委", "卫健委", "major"),
    ],
)
def test_wrong_forms(checker, wrong, right, severity):
    text = f"会议指出，旗{wrong}相关工作要进一步加强。"
    r = checker.check(text)
    assert r.labels == ["wording_error"], r
    f = r.findings[0]
    assert (f.evidence, f.suggestion, f.severity, f.category) == (wrong, right, severity, "wording_error")
    assert text[f.start : f.end] == wrong


@pytest.mark.parametrize(
    "text",
    [
        "全旗深入开展党史学习教育，引导党员干部学党史、悟思想。",
        "以铸牢中华民族共同体意识为主线，做好民族团结进步工作。",
        "旗文化和旅游局开展文化和旅游市场检查。",
        "增强“四个意识”、坚定“四个自信”、做到“两个维护”。",
        "协调推进“四个全面”战略布局，为实现“两个一百年”奋斗目标而奋斗。",
        "认真落实中央八项规定精神。",
        "2017年原国土资源局完成了确权登记工作。",
        "2016年，旗环保局关停了一批高污染企业。",
        "旗市场监督管理局由原工商局、原质监局、原食药监局整合组建而成。",
        "旗卫健委前身为旗卫生计生委，机构改革后更名。",
        "奈曼旗的文化部门和农业部门联合举办农民丰收节。",
        "企业年报报送截止日期为6月30日。",
        "宣布署名文章的作者名单。",
        "按装修标准验收。",
    ],
)
def test_wording_hard_negatives(checker, text):
    assert labels(checker, text) == []


def test_word_boundary_flag_uses_segmentation(checker):
    r = checker.check("各部门要抓好决策布署落实。")
    assert [f.evidence for f in r.findings] == ["布署"]


def test_leader_titles_from_a_user_file():
    leaders = Checker.load([EXAMPLES / "leaders.example.tsv"])
    r = leaders.check("李强主席在会上强调，要扩大内需。")
    assert r.labels == ["wording_error"]
    f = r.findings[0]
    assert (f.rule, f.severity, f.evidence, f.suggestion) == (
        "wording.leader_title",
        "critical",
        "李强主席",
        "李强总理",
    )
    assert leaders.check("国务院总理李强在会上强调，要扩大内需。").labels == []
    assert leaders.check("国家主席习近平发表新年贺词。").labels == []
    assert Checker.load().check("李强主席在会上强调。").labels == []  # the example is not loaded by default


# -- content mix --


def test_classify_content():
    assert isinstance(classify_content("x"), ContentMix)
    assert classify_content("旗政府召开常务会议，研究部署安全生产工作。").type == "工作动态"
    assert classify_content("现将有关事项通知如下", title="关于开展招生工作的通知").type == "通知公告"
    assert classify_content("一图读懂新政要点", title="政策解读").type == "政策解读"
    assert classify_content("网友您好！您反映的问题已经答复如下。").type == "互动回应"
    assert classify_content("今天天气很好。").type == "其他"
    mix = classify_content("习近平总书记考察内蒙古。来源：新华社", is_original=False)
    assert mix.authoritative and mix.source == "新华社" and mix.is_original is False
    assert classify_content("转发微博", repost_of="人民日报").authoritative
    assert not classify_content("大沁他拉街道新华社区开展活动").authoritative


# -- the matcher: shortcuts never change a result --


@pytest.mark.parametrize(
    "pattern",
    [
        r"1(?<!\d1)[3-9]\d{9}(?!\d)",
        r"(?:v(?<![a-z]v)(?:x|信)|w(?<![a-z]w)x|加v|威x|微x)(?![a-z])",
        r"(?:\d(?:\.\d)?|[一二三四五六七八九])折(?:优惠|起|特惠|酬宾)",
        r"每(?:斤|公斤|吨)\s?\d+(?:\.\d+)?\s?元",
        r"前\d+名(?:顾客|送|可享)",
        r"(ab|cd)+e",
        r"(?:ab)?cd[xy]z",
        r"a(?i:b)c",
        r"(?i)abc",
        r"[^a]bc",
        r"x{2,}y",
        r"代开.{0,4}发票",
    ],
)
def test_regex_factors_are_in_every_match(pattern):
    """A regex runs only when one of its factors is in the text: every match must contain one."""
    import random
    import re

    from analysis.text.checker import _factors

    regex = re.compile(pattern)
    factors = _factors(regex)
    alphabet = sorted(set(re.sub(r"[\\\[\]()?:*+{}|.^$<!=,-]", "", pattern)) | set("0123456789 AB"))
    rng = random.Random(pattern)
    matched = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14)))
        if regex.search(text):
            matched += 1
            assert factors is None or any(f in text for f in factors), (pattern, text, factors)
    for m in regex.finditer("每斤8元 前3名送 代开增值发票 13912345678 vx 5折优惠 abcdabe cdxz AbC abc"):
        assert factors is None or any(f in m.group() for f in factors)


def test_user_regex_entries_with_gates_excepts_and_protection(tmp_path):
    # columns: term kind weight severity suggestion except units flags
    (tmp_path / "mine.tsv").write_text(
        "re:甲乙\\d+丙\twording.typo\t\tminor\t甲乙丙\t甲乙0丙\t\tgate=甲乙\n"
        "re:丁甲乙\\d+丙戊\tprotect\t\t\t\t\t\tgate=丁甲乙\n"
        "re:号(?<=\\d号)召\twording.typo\t\tminor\t号召\t\t\tgate=号\n",
        encoding="utf-8",
    )
    mine = Checker.load([tmp_path])
    r = mine.check("见甲乙12丙。")
    assert r.labels == ["wording_error"] and r.findings[0].evidence == "甲乙12丙"
    assert mine.check("见甲乙0丙。").labels == []  # inside its except context
    assert mine.check("见丁甲乙12丙戊。").labels == []  # inside a protected formulation
    r = mine.check("响应3号召，全旗行动起来。")
    assert r.labels == ["wording_error"] and r.findings[0].evidence == "号召"
    assert mine.check("响应号召，全旗行动起来。").labels == []


def test_findings_are_those_of_check(checker):
    from analysis.text.evaluate import read_posts

    data = Path(__file__).resolve().parent / "data"
    for post in read_posts(data / "devset.jsonl") + read_posts(data / "devset_holdout.jsonl"):
        context = PostContext(unit=post.get("unit"), platform=post.get("platform"))
        assert checker.findings(post["text"], post.get("title"), context) == (
            checker.check(post["text"], post.get("title"), context).findings
        )
