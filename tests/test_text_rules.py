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
    assert set(f.to_json()) == {
        "category",
        "rule",
        "severity",
        "evidence",
        "start",
        "end",
        "suggestion",
        "confidence",
        "explanation",
    }
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


# The tone tests are a government account's posts (its unit known): without a unit, a text in
# an ordinary user's voice is also off-topic to the learned model (tests/test_text_model.py).
OWN = PostContext(unit="旗融媒体中心")


def test_entertainment_tone(checker):
    r = checker.check("宝宝们，明天大降温，请大家注意添衣保暖。", context=OWN)
    assert r.labels == ["entertainment"]
    assert all(f.category == "over_entertainment" for f in r.findings)
    assert r.findings[0].severity == "minor"
    vulgar = checker.check("卧槽，这场大风也太吓人了吧！", context=OWN)
    assert vulgar.labels == ["entertainment"] and vulgar.findings[0].severity == "major"
    strong = checker.check("家人们！绝绝子，yyds，小编哭晕在厕所，么么哒！", context=OWN)
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

    from analysis.text.checks.matcher import factors as _factors

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
    mine = Checker.load([tmp_path], use_model=False)  # the lexicon mechanics alone
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


# -- classes widened after the second holdout (each case a different post of the class) --

AD_CLASSES = [
    # loans: no collateral, fast payout, rate, contact
    "急用钱找我们！个人消费贷款，无抵押无担保，最快2小时放款，年化利率低至3.6%，联系李经理13847561234。",
    # property: down payment, monthly instalment, viewing hotline
    "市中心精装公寓火热认购中，首付3万起，月供仅1500元，地铁口现房，看房热线0475-8888777。",
    # part-time jobs paid daily, WeChat handle
    "招聘手工活外包，在家就能做，日结工资300元，不收押金，有意者加vx：sg2024 详聊。",
    # shop opening: N折, gift on purchase
    "新店开业！奶茶全场七折，第二杯半价，进店消费即送小礼品，地址：大街88号。",
    # training that guarantees a pass, all-in fee
    "教师资格证考前培训，包过班名额仅剩10个，学费3980元全包，不过退款，报名电话13904751111。",
    # online shop: 满N减N, shop cart link
    "年货节大促，风干肉满299减50，点击主页小黄车即可下单，前100名送礼盒装奶茶粉。",
    # health products: cure claims, hotline
    "祖传秘方专治颈椎病、腰间盘突出，三个疗程根治，无效退款，咨询热线400-800-1234。",
]

AD_HARD_NEGATIVES = [
    (
        "旗人社局提醒：近期有不法分子以“兼职刷单、日结工资、月入过万”为诱饵实施诈骗，请广大群众提高警惕。",
        None,
    ),
    (
        "我旗住房公积金贷款政策调整：首付比例最低20%，首套房公积金贷款利率下调，详情可拨打12329咨询。",
        "旗住房和城乡建设局",
    ),
    ("旗商务局开展促消费活动，家电以旧换新补贴最高可享八折，满300元减50元的消费券可叠加使用。", "旗商务局"),
    ("旗政务服务中心推行帮办代办服务，老年人、残疾人可享受全程代办，咨询热线0475-8231234。", "旗政务服务局"),
    (
        "旗人社局举办免费职业技能培训，面向零基础的农牧民开设电工、焊工班，报名热线0475-8212345。",
        "旗人力资源和社会保障局",
    ),
    ("旗文旅局推出冬季旅游线路，景区门票限时八折优惠，持消费券还可再减20元。", "旗文化和旅游局"),
    (
        "近日我旗开展打击非法集资宣传，提醒群众警惕“高回报、零风险”的投资陷阱，不要轻信“稳赚不赔”的承诺。",
        None,
    ),
    (
        "本次招聘会共有120家企业参加，提供岗位3000余个，其中兼职岗位200个，月薪3000元至8000元不等。",
        "旗人力资源和社会保障局",
    ),
    ("我旗新建的党建宣传橱窗已投入使用，展示基层党建工作成果。", "旗委组织部"),
]


@pytest.mark.parametrize("text", AD_CLASSES)
def test_ad_classes(checker, text):
    assert labels(checker, text) == ["commercial"]


@pytest.mark.parametrize(("text", "unit"), AD_HARD_NEGATIVES)
def test_ad_class_hard_negatives(checker, text, unit):
    assert labels(checker, text, unit) == []


OFF_TOPIC_CLASSES = [
    "某顶流男星被拍到深夜与神秘女子同回豪宅，疑似恋情曝光，工作室至今未回应，网友纷纷吃瓜。",
    "梅西赛季末或将离队，多家豪门开出天价周薪，转会费预计超过一亿欧元。",
    "比特币今日大涨8%，分析师认为牛市已经到来，建议投资者逢低建仓。",
    "《狂飙》番外来了！高启强的名场面你还记得几个？快来评论区聊聊你最喜欢的角色。",
    "七天瘦十斤的秘密：早餐只喝黑咖啡，晚餐不吃主食，好多明星都在用这个方法。",
    "成年人的爱情，不是轰轰烈烈，而是细水长流。愿你遇到那个真正爱你的人，余生都是温柔。",
]

OFF_TOPIC_HARD_NEGATIVES = [
    # the unit's own field: sports bureau, films shot locally, health advice, marriage registry
    ("全旗体育健儿在自治区运动会上取得佳绩，足球队在决赛中完成绝杀，夺得冠军。", "旗文体局"),
    (
        "电视剧《草原上的人们》在我旗取景拍摄，主演们走进牧区体验生活，剧中展现了我旗的风土人情。",
        "旗文化和旅游局",
    ),
    ("旗卫健委提醒：科学减肥要合理膳食、适量运动，切勿盲目轻断食，体重管理要循序渐进。", "旗卫生健康委员会"),
    (
        "旗民政局婚姻登记处提醒：情人节当天办理结婚登记的新人较多，可提前预约。离婚登记实行30日冷静期。",
        "旗民政局",
    ),
    # a warning about the subject
    (
        "旗市场监管局开展金价监测，近期黄金饰品价格波动较大，提醒消费者理性消费，谨防黄金回收骗局。",
        "旗市场监督管理局",
    ),
    # one word of a topic alone
    ("救援人员冒着大雪把被困群众转运至安置点，救命物资连夜送达。", "旗融媒体中心"),
]


@pytest.mark.parametrize("text", OFF_TOPIC_CLASSES)
def test_off_topic_classes(checker, text):
    assert labels(checker, text) == ["off_topic"]


@pytest.mark.parametrize(("text", "unit"), OFF_TOPIC_HARD_NEGATIVES)
def test_off_topic_class_hard_negatives(checker, text, unit):
    assert labels(checker, text, unit) == []


def test_beauty_products_of_an_ad_are_not_a_second_label(checker):
    r = checker.check("专业祛斑美白，三次见效，无效退款！首次体验只要99元，名额有限，私信小编预约。")
    assert r.labels == ["commercial"]
    assert labels(checker, "祛斑美白有妙招，护肤达人都在用，医美不如这一招，快收藏。") == ["off_topic"]


TONE_CLASSES = [
    ("哈哈哈哈笑死我了，这届网友太有才了，我宣布这是年度最佳评论，没有之一！", "tone.slang"),
    ("小编熬夜做的图，阅读量还不过百，呜呜呜，求求各位点个赞吧，不然要被扣鸡腿了！", "tone.sad"),
    ("有些人天天在评论区当杠精，你行你上啊，不懂就闭嘴，爱看不看。", "tone.hostile"),
    ("警察蜀黍提醒你：过马路要看红绿灯哟～不然蜀黍要生气啦，略略略！", "tone.cute"),
    ("细思极恐！90%的人不知道这个冷知识，看完刷屏了，快来围观！", "tone.clickbait"),
]

TONE_HARD_NEGATIVES = [
    # quoted in a warning or a debunk: named, not used
    "网传“我旗某中学食堂食物中毒，速看”系谣言。经核实，该视频为外地旧闻，请广大网民不信谣、不传谣。",
    "旗公安局提醒：“宝宝们，点击链接领取红包”“家人们，最后三单”都是诈骗话术，切勿轻信。",
    "部分自媒体用“震惊”“太惨了”等字眼博取流量，已被平台处置。",
    # formal uses of words that are slang elsewhere
    "我旗坚决杜绝了形式主义和官僚主义，整治“躺平式干部”，激励干部担当作为。",
    "周一～周五 9:00～17:00 正常办公，周末轮值，咨询电话0475-8211111。",
]


@pytest.mark.parametrize(("text", "kind"), TONE_CLASSES)
def test_tone_classes(checker, text, kind):
    r = checker.check(text, context=OWN)
    assert r.labels == ["entertainment"]
    assert kind in {f.rule for f in r.findings}


@pytest.mark.parametrize("text", TONE_HARD_NEGATIVES)
def test_tone_class_hard_negatives(checker, text):
    assert labels(checker, text) == []


def test_quoted_tone_without_a_cue_still_counts(checker):
    # quoting oneself is still the tone: no warning, no 等/这类 after the quote
    assert labels(checker, "小编想说：“求求你们点个赞吧，呜呜呜”", OWN.unit) == ["entertainment"]


WORDING_CLASSES = [
    # leaders (bundled leaders.tsv)
    ("国务院总理韩正在会上指出，要稳住经济大盘。", "国务院总理韩正", "国家副主席韩正"),
    ("国家副主席丁薛祥会见外宾。", "国家副主席丁薛祥", "国务院副总理丁薛祥"),
    # Taiwan, Hong Kong, Macao
    ("台湾副总统参加了活动。", "台湾副总统", "台湾地区领导人（副领导人）"),
    ("日本、台湾和韩国等国家的客商参加了展会。", "台湾和韩国等国家", None),
    ("中国与台湾的经贸往来日益密切。", "中国与台湾", None),
    # formulations
    ("我市积极服务“一带一路”发展战略。", "一带一路”发展战略", "“一带一路”倡议"),
    ("全面贯彻邓小平理论、三个代表思想、科学发展观。", "三个代表思想", "“三个代表”重要思想"),
    ("坚定道路自信、理论自信、制度自信、民族自信。", "道路自信、理论自信、制度自信、民族自信", None),
    ("增强政治意识、大局意识、核心意识、责任意识。", "政治意识、大局意识、核心意识、责任意识", None),
    ("深入学习贯彻党的二十大三中全会精神。", "二十大三中全会", None),
    ("坚持以新时代中国特色社会主义思想为指导，推动各项工作。", "新时代中国特色社会主义思想", None),
    # retired names, 2018, 2021, 2023
    ("县计生局工作人员入户走访。", "计生局", "卫健局"),
    ("县扶贫办组织干部入户走访。", "扶贫办", None),
    ("县银保监局发布风险提示。", "银保监局", "金融监管局"),
]

WORDING_HARD_NEGATIVES = [
    "国务院总理李强在会上指出，要稳住经济大盘。",
    "国家主席习近平发表新年贺词。",
    "县政协主席李强带队调研。",  # a local official sharing a leader's name
    "日本、台湾和韩国等国家和地区的客商参加了展会。",
    "台湾同胞为国家发展作出了贡献。",
    "祖国大陆与台湾的经贸往来日益密切。",
    "我市积极参与高质量共建“一带一路”，服务国家发展战略。",
    "坚定道路自信、理论自信、制度自信、文化自信，增强历史自信。",
    "深入学习贯彻党的二十大和二十届三中全会精神。",
    "旗委理论学习中心组专题学习习近平新时代中国特色社会主义思想。",
    "2022年，原银保监局发布风险提示。",
    "2016年县国税局开展纳税服务月活动。",
    "公司审计监察部开展内部审计。",
    "县计生协会开展关爱活动。",
]


@pytest.mark.parametrize(("text", "evidence", "suggestion"), WORDING_CLASSES)
def test_wording_classes(checker, text, evidence, suggestion):
    r = checker.check(text)
    assert r.labels == ["wording_error"]
    f = r.findings[0]
    assert f.evidence == evidence
    if suggestion is not None:
        assert f.suggestion == suggestion


@pytest.mark.parametrize("text", WORDING_HARD_NEGATIVES)
def test_wording_class_hard_negatives(checker, text):
    assert labels(checker, text) == []


def test_retired_name_explanation_names_the_reform_year(checker):
    assert "2023年机构改革" in checker.check("县银保监局发布风险提示。").findings[0].explanation
    assert "2018年机构改革" in checker.check("县计生局工作人员入户走访。").findings[0].explanation


def test_user_leader_file_replaces_the_bundled_entry(tmp_path):
    (tmp_path / "leaders.tsv").write_text("李强\tleader\t\tcritical\t国家主席\n", encoding="utf-8")
    mine = Checker.load([tmp_path])
    assert mine.check("国家主席李强出席会议。").labels == []
    assert mine.check("国务院总理李强出席会议。").labels == ["wording_error"]
    assert Checker.load().check("国家主席李强出席会议。").labels == ["wording_error"]


# Ordinary government posts that use words of the widened classes (根治欠薪, 双十一 warnings,
# 定制公交, 礼盒装 sales figures, 欢迎咨询 hotlines, 兼职 jobs counts, 八折 rent ...).
ORDINARY_WITH_CLASS_WORDS = [
    (
        "旗人社局开展根治欠薪冬季专项行动，农民工如遇欠薪可拨打咨询热线0475-8216789，欢迎咨询，了解详情请关注官方网站。",
        "旗人力资源和社会保障局",
    ),
    (
        "双十一将至，旗市场监管局发布消费提示：网购时要选择正规平台，不要轻信“全场五折”“满300减200”等低价宣传，保留好购物凭证。",
        "旗市场监督管理局",
    ),
    ("我旗定制公交线路正式开通，首批开通3条线路，票价2元，市民可通过微信小程序预约乘车。", "旗交通运输局"),
    (
        "旗农牧局：我旗牛肉干、奶皮子等特产礼盒装已进入全国商超，今年销售额突破2亿元，主打绿色有机品牌。",
        "旗农牧局",
    ),
    ("旗医保局：慢性病患者门诊用药报销比例提高到70%，咨询热线0475-8233333，欢迎来电咨询。", "旗医疗保障局"),
    ("旗图书馆新增少儿阅览区，开放时间为每周二至周日，名额有限，请提前预约，先到先得。", "旗文化和旅游局"),
    (
        "旗税务局：个人所得税年度汇算开始，纳税人可通过个人所得税APP办理，客户经理将提供一对一辅导。",
        "旗税务局",
    ),
    (
        "我旗举办冰雪嘉年华，现场有冰雕展、雪地摩托等项目，门票免费，欢迎广大市民和游客前来体验。",
        "旗文化和旅游局",
    ),
    (
        "旗科协开展科普进社区活动，专家提醒群众：保健品不能代替药品，宣称“根治”“包治百病”的都是虚假宣传。",
        "旗科学技术协会",
    ),
    ("我旗首届冰雪运动会开幕，来自全旗的800名运动员参加，比赛设冰球、滑雪等项目。", "旗体育局"),
    ("旗妇联举办“最美家庭”评选活动，讲述家庭成员之间相濡以沫的感人故事，倡导文明家风。", "旗妇女联合会"),
    ("今年我旗黄金周接待游客30万人次，旅游收入2.1亿元，同比增长15%。", "旗统计局"),
    ("旗融媒体中心推出系列短视频，以诙谐幽默的方式讲解防诈知识，网友纷纷点赞转发。", "旗融媒体中心"),
    ("旗第一中学开展心理健康教育周活动，引导学生正确处理人际关系和情感问题。", "旗教育局"),
    ("网传我旗将于下月起实行限行措施，经核实为谣言，请以官方发布为准。", "旗公安局"),
    (
        "全旗新增就业岗位2000个，其中灵活就业和兼职岗位500个，旗人社局将持续做好就业服务。",
        "旗人力资源和社会保障局",
    ),
    (
        "旗住建局公布保障性租赁住房申请条件，租金为市场价的八折，符合条件的家庭可到政务大厅申请。",
        "旗住房和城乡建设局",
    ),
    ("旗消防救援大队提醒：电动自行车不要在楼道内充电，如发现违规充电可拨打12345投诉。", "旗消防救援大队"),
    (
        "旗融媒体中心记者走进演唱会现场，为大家带来安保一线的故事：500名民警坚守岗位，保障4万名观众安全离场。",
        "旗融媒体中心",
    ),
    (
        "旗金融工作局联合人民银行开展金融知识宣传，提醒群众理性投资，谨防“高收益”理财陷阱，远离非法集资。",
        "旗金融工作局",
    ),
    ("今年“双十一”期间，我旗快递业务量突破100万件，同比增长30%，农特产品线上销售火爆。", "旗商务局"),
    (
        "旗气象局：受冷空气影响，明天我旗将出现大风降温天气，最低气温零下20度，请大家注意防寒保暖哟。",
        "旗气象局",
    ),
    ("旗团委开展“青春心向党”主题活动，青年志愿者为社区老人送去温暖，现场笑声不断。", "共青团旗委员会"),
]


@pytest.mark.parametrize(("text", "unit"), ORDINARY_WITH_CLASS_WORDS)
def test_ordinary_posts_with_class_words_stay_clean(checker, text, unit):
    assert labels(checker, text, unit) == []


def test_vocative_opening_a_clause_with_an_imperative(checker):
    assert labels(checker, "这个景点也太美了，美哭了！宝宝们快来打卡，小编保证不虚此行。", OWN.unit) == [
        "entertainment"
    ]
    # a noun at the start of a clause, not an address to readers
    assert labels(checker, "春节将至，家人们一起包饺子、贴春联，小区里年味渐浓。") == []
    assert labels(checker, "救援队员将老人安全转移，家人们纷纷表示感谢。") == []
