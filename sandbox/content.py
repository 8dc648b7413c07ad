"""Posts with content problems planted in the sandbox world, and hard negatives beside them.

Each ``Planted`` post is published on one account ``age_days`` before the world's ``now``
(always older than the account's newest post, so no status changes), and its expected
labels go into the truth (``World.truth()["content"]``): what a supervisor would flag,
written as plain prose, not as lexicon lines. ``labels`` empty: a hard negative, which
must not be flagged (a voucher notice, an anti-fraud warning quoting scam phrases, a
historical mention of a retired institution name...).

Where the checker sees the text: Weibo posts (the full text through /statuses/extend for
a long one; for a repost the reposting account's own comment and the reposted original as
the listing shows it: "gossip-repost" says only 转发微博, the gossip is in the original),
WeChat article pages (js_content), feed items (description), and website articles: the
title on the column's list and the body on the article page of each new item, on columns
with dates ("retired-name-title": the wrong name is only in the body of a qc-gov-web
article) and without (qc-wenlv-web, whose article pages give the date as well).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Planted:
    key: str  # stable name of the case
    account_id: str
    age_days: float
    labels: tuple[str, ...]  # () for a hard negative
    why: str  # what a supervisor would say (or why it is fine)
    paras: tuple[str, ...]  # the body, paragraph by paragraph (plain text)
    title: str = ""
    marker: str = ""  # a phrase of this post only, to find it among the stored posts
    # Words that make it a problem: a finding's marked evidence is one of them.
    evidence: tuple[str, ...] = ()
    suggestion: str | None = None  # wording errors: the correct form
    long: bool = False  # Weibo: a long text, cut in the listing, read through /statuses/extend
    # Weibo repost: (screen name, uid, original text); ``paras`` is the reposting comment. The
    # marker and the evidence may be in the original: the checks read it too.
    repost_of: tuple[str, str, str] | None = None

    @property
    def problem(self) -> bool:
        return bool(self.labels)


PLANTED: tuple[Planted, ...] = (
    # ------------------------------------------------------------------ problems
    Planted(
        "ad-gym", "qingchuan-jd-wechat", 4.3, ("commercial",),
        "街道公众号为私营健身会所做开业促销：原价现价、到店办卡的招揽和预约电话，属商业广告",
        (
            "青川街道文化路上新开的鑫悦健身会所本周六正式开业。会所面积1200平方米，配有动感单车区、"
            "瑜伽室和恒温泳池。",
            "开业期间办理年卡原价2680元，现仅需1280元，前50名到店办卡再送私教课两节。"
            "预约电话：13847752619，名额有限，先到先得。",
        ),
        title="家门口的健身会所开业，年卡限时优惠",
        marker="鑫悦健身会所",
        evidence=("原价", "仅需1280元", "到店", "13847752619", "先到先得", "限时优惠"),
    ),
    Planted(
        "ad-kit", "qc-yingji-weibo", 3.4, ("commercial",),
        "应急管理局微博替商家卖应急包：价格、立减、包邮、私信购买、手慢无，属商业广告",
        (
            "【家庭应急包限时特惠】地震、火灾、停电，家里备一个应急包很有必要！这款家庭应急包内含手电筒、"
            "急救毯、口哨和常用药品，原价399元，现在下单立减150元，包邮到家。",
            "需要的朋友请私信小编获取购买方式，数量有限，手慢无！",
        ),
        marker="家庭应急包限时特惠",
        evidence=("限时特惠", "原价", "立减150元", "包邮", "下单", "私信小编", "手慢无"),
    ),
    Planted(
        "gossip-repost", "qc-rmt-weibo", 1.6, ("off_topic",),
        "融媒体中心只写了“转发微博”，转发的却是娱乐博主的明星恋情八卦（问题全在转发原文里），与政务无关",
        ("转发微博",),
        marker="这瓜保熟吗",
        evidence=("顶流", "男星", "恋情", "女星"),
        repost_of=(
            "娱乐圈那些事儿", "5820011223",
            "独家：顶流男星恋情曝光，女方疑似圈内知名女星，两人深夜被拍到同回住所，双方工作室暂未回应，"
            "网友：这瓜保熟吗？",
        ),
    ),
    Planted(
        "stock-tips", "qc-rsj-wechat", 5.2, ("off_topic",),
        "人社局公众号发布荐股式的股市分析（抄底、加仓），与人社业务无关",
        (
            "本周A股三大指数震荡上行，券商板块多只个股涨停，北向资金持续流入。",
            "分析人士认为，下周大盘有望继续走强，可关注新能源和半导体板块的抄底机会，稳健型投资者可逢低"
            "加仓优质蓝筹。股市有风险，投资需谨慎。",
        ),
        title="周末理财课：下周A股怎么走？",
        marker="周末理财课",
        evidence=("A股", "个股", "涨停", "大盘", "抄底", "加仓", "股市"),
    ),
    Planted(
        "cute", "qc-wenlv-douyin", 2.3, ("entertainment",),
        "文旅抖音用宝子们、冲鸭、美美哒、么么哒等卖萌语气，过度娱乐化",
        (
            "宝子们！青川今冬的第一场雪终于来啦～小编激动得原地转圈圈，快约上你的小伙伴冲鸭！"
            "雪后的草原美美哒，记得给小编点个赞哦，么么哒～",
        ),
        title="宝子们，青川下雪啦",
        marker="原地转圈圈",
        evidence=("宝子们", "冲鸭", "美美哒", "么么哒", "点个赞"),  # 点个赞: begging for likes (卖惨)
    ),
    Planted(
        "clickbait-long", "qc-health-weibo", 3.7, ("entertainment",),
        "卫健委微博在长文后半段用“震惊！！！”“不看后悔”等标题党话术渲染食品恐慌（只在全文里，列表截断处看不到）",
        (
            "【冬季饮食提醒】入冬以来，不少市民开始进补，羊肉、火锅、腌菜成了餐桌上的常客。旗疾控中心的"
            "营养师提醒，冬季饮食要注意荤素搭配，少吃腌制食品，多喝温水，老人和慢性病患者要控制盐和油的摄入，"
            "有基础病的市民进补前最好先咨询医生。自制的腊肉、香肠要放在阴凉通风处，发现霉变请不要食用。",
            "震惊！！！这3种家常菜竟然是“慢性毒药”，99%的家庭天天在吃，不看后悔！赶紧转给爸妈看看吧！",
        ),
        marker="慢性毒药",
        evidence=("震惊", "！！！", "竟然是", "不看后悔"),
        long=True,
    ),
    Planted(
        "vulgar", "qc-police-weibo", 2.7, ("entertainment",),
        "公安微博使用“卧槽”“累成狗”等粗俗用语",
        (
            "卧槽，今晚这小偷也太能跑了！我们民警追了整整三条街才把人按住，兄弟们一个个累成狗。"
            "目前嫌疑人已被依法刑事拘留，案件正在进一步侦办中。",
        ),
        marker="追了整整三条街",
        evidence=("卧槽", "累成狗"),  # 累成狗: slang
    ),
    Planted(
        "retired-name-title", "qc-gov-web", 2.6, ("wording_error",),
        "2018年机构改革后国土资源局已改为自然资源局，政府网文章正文仍把旧名当现名用（标题无误，只在正文里）",
        (
            "本月以来，旗国土资源局组织执法人员对城郊违法占地建房行为开展集中整治，拆除违法建筑3处，"
            "恢复耕地12亩。",
        ),
        title="我旗开展冬季耕地保护专项执法行动",
        marker="冬季耕地保护专项执法行动",
        evidence=("国土资源局",),
        suggestion="自然资源局",
    ),
    Planted(
        "formulation", "qc-fabu-wechat", 1.4, ("wording_error",),
        "规范表述是“习近平新时代中国特色社会主义思想”，误作“新时期”",
        (
            "近日，旗政府党组召开理论学习中心组学习会，深入学习习近平新时期中国特色社会主义思想，传达学习"
            "上级有关会议精神。",
            "会议要求，各部门要把学习成果转化为推动高质量发展的实际成效，确保全年目标任务圆满完成。",
        ),
        title="旗政府党组召开理论学习中心组学习会",
        marker="理论学习中心组学习会",
        evidence=("习近平新时期中国特色社会主义思想",),
        suggestion="习近平新时代中国特色社会主义思想",
    ),
    Planted(
        "leader-title", "qc-gov-rss", 4.5, ("wording_error",),
        "李强的职务是国务院总理，“国家总理”是错误的职务表述",
        (
            "各苏木镇、街道，旗直各部门：",
            "全国冬春安全生产电视电话会议召开后，国家总理李强就做好冬春安全生产工作作出重要批示。为认真贯彻"
            "落实会议精神，现就有关事项通知如下：一、全面开展隐患排查；二、严格落实值班值守制度。",
        ),
        title="关于认真贯彻落实全国冬春安全生产电视电话会议精神的通知",
        marker="冬春安全生产电视电话会议精神的通知",
        evidence=("国家总理",),
        suggestion="国务院总理",
    ),
    Planted(
        "typos-web", "qc-wenlv-web", 15.5, ("wording_error",),
        "错别字：美仑美奂（应为美轮美奂）、截止目前（应为截至目前）",
        (
            "经过一年的改造，青川博物馆新展厅于本月正式对外开放。展厅美仑美奂，集中展示了青川地区出土的"
            "青铜器、陶器和游牧文化遗存。",
            "截止目前，新展厅已接待参观群众1.2万人次。博物馆每周二至周日开放，实行免费预约参观。",
        ),
        title="青川博物馆新展厅对外开放",
        marker="青川博物馆新展厅",
        evidence=("美仑美奂", "截止目前"),
        suggestion="美轮美奂",
    ),
    Planted(
        "place-name", "qc-gov-web", 5.6, ("wording_error",),
        "地名错误：赤蜂市（应为赤峰市），邻近地级市的名称写错一个字",
        (
            "为学习借鉴先进地区经验，旗发展改革委组织相关部门负责同志赴赤蜂市，就现代农牧业产业园建设、"
            "县域商业体系建设等工作开展考察交流。",
            "考察组一行先后走访了产业园区、物流配送中心和农村电商服务站，详细了解项目建设和运营情况。",
        ),
        title="我旗赴邻市考察学习产业园区建设经验",
        marker="考察学习产业园区建设经验",
        evidence=("赤蜂市",),
        suggestion="赤峰市",
    ),
    Planted(
        "retired-name-fire", "qc-police-toutiao", 2.8, ("wording_error",),
        "2018年消防部队改制后“公安消防大队”已改称“消防救援大队”",
        (
            "近日，旗公安局治安大队联合旗公安消防大队，对城区宾馆、网吧、歌舞厅等人员密集场所开展冬季火灾"
            "隐患联合排查，共检查场所46家，督促整改隐患23处。",
        ),
        title="冬季火灾隐患联合排查",
        marker="冬季火灾隐患联合排查",
        evidence=("公安消防大队",),
        suggestion="消防救援大队",
    ),
    Planted(
        "leak-id", "qingchuan-jd-wechat", 5.1, ("wording_error",),
        "低保公示把户主的身份证号码整串公开，属泄露公民个人信息（只应公示姓名、人口和金额）",
        (
            "根据《最低生活保障审核确认办法》，经入户调查和民主评议，青川街道拟新增城乡低保对象1户，现予公示。",
            "户主张某某，身份证号150522198706152431，家庭人口3人，拟月保障金额1260元。",
            "公示期7天，如有异议请向街道社会事务办反映，监督电话：0477-8221099。",
        ),
        title="青川街道新增低保对象公示",
        marker="拟新增城乡低保对象1户",
        evidence=("150***********2431",),
    ),
    Planted(
        "leak-secret", "qc-fabu-weibo", 3.1, ("wording_error",),
        "带“秘密★”密级标志的内部通知被原样发到微博上，属发布涉密内容",
        (
            "秘密★1年\n关于做好冬春季森林草原防火重点时段巡护排班的通知：各苏木镇要落实24小时巡护值守，"
            "排班表报旗应急管理局备案。",
        ),
        marker="防火重点时段巡护排班",
        evidence=("秘密★",),
    ),
    # ------------------------------------------------------------------ hard negatives
    Planted(
        "hn-hotline", "qc-fabu-wechat", 4.8, (),
        "公开的热线、办公电话、文号和日期都不是个人信息",
        (
            "依据《青川旗政务服务事项清单》（青政办发〔2024〕12号），自2024年3月15日起，不动产登记、"
            "社保卡补办等28个事项可在旗政务服务中心一窗通办。",
            "咨询请拨打12345政务服务便民热线，或旗政务服务中心办公电话0477-8221000，"
            "工作时间为每周一至周五9:00—17:00。",
        ),
        title="28个事项一窗通办",
        marker="28个事项可在旗政务服务中心一窗通办",
    ),
    Planted(
        "hn-tourism", "qc-wenlv-weibo", 16.2, (),
        "文旅局推介本地冰雪旅游：门票半价、文旅消费券是本单位的职责，不是广告",
        (
            "【冰雪季文旅推介】青川冰雪旅游季即日启幕！大青山滑雪场、乌兰湖冰雪乐园同步开园，年底前凭学生证"
            "购买景区门票享受半价优惠，200万元文旅消费券也将分批发放。欢迎广大游客来青川赏雪景、品美食、住民宿。",
        ),
        marker="青川冰雪旅游季即日启幕",
    ),
    Planted(
        "hn-antifraud", "qc-police-weibo", 2.1, (),
        "反诈提醒引用骗子的话术（日赚300元、先垫付后返现、添加微信），是警示不是广告",
        (
            "【反诈提醒】近期，我旗多名群众遭遇“刷单返利”诈骗：对方自称电商客服，以“动动手指日赚300元”"
            "“先垫付后返现”为诱饵，诱导添加微信、下载陌生App后转账。",
            "警方提醒：凡是要求先垫付资金的刷单都是诈骗，切勿轻信。如遇可疑情况，请立即拨打110或96110。",
        ),
        marker="动动手指日赚300元",
    ),
    Planted(
        "hn-zhunong", "qc-fabu-wechat", 3.3, (),
        "政府办公室组织助农销售：价格和订购电话是帮农户卖滞销小米，不是商业广告",
        (
            "今年我旗小米喜获丰收，受市场行情影响，部分农户出现销售难。旗政府办公室联合旗电商服务中心开展"
            "助农活动，5斤装小米每袋45元，风干牛肉干每斤98元。",
            "市民可到旗电商服务中心选购，也可拨打0477-8221036预订，所得收入全部归农户所有。",
        ),
        title="助农直通车：青川小米、牛肉干等你来选",
        marker="助农直通车",
    ),
    Planted(
        "hn-history", "qc-gov-rss", 6.4, (),
        "“原国土资源局”是历史沿革的说明，不是把旧机构名当现名用",
        (
            "旗自然资源局于2019年在原国土资源局、原规划局等部门的基础上组建。原国土资源局时期形成的土地登记"
            "档案已完成数字化，群众如需查询，可携带身份证到旗政务服务中心自然资源窗口申请。",
        ),
        title="历史土地档案查询服务指南",
        marker="历史土地档案查询服务指南",
    ),
    Planted(
        "hn-voucher", "qc-fabu-weibo", 2.2, (),
        "政府发放消费券的通知：面额和领取方式是政务信息，不是广告",
        (
            "【消费券】第二轮“惠享青川”消费券明日10:00开始发放！本轮共200万元，分满100减20元、满300减60元"
            "两档，可在全旗参与活动的超市、餐饮门店使用。领取方式：打开“青川发布”小程序，进入“消费券”专区"
            "领取，每人限领一张，详见活动规则。",
        ),
        marker="惠享青川",
    ),
    Planted(
        "hn-first", "qc-edu-wechat", 3.9, (),
        "“全国第一”是学生获奖的成绩，不是广告的极限用语",
        (
            "在日前结束的全国青少年科技创新大赛上，旗第一中学高二学生巴特尔的作品《草原鼠害智能监测装置》"
            "获得一等奖，综合评分位列全国第一。",
            "这是我旗学生首次在该项赛事中获得一等奖。旗教育局将继续加强科技教育，培养学生的创新能力。",
        ),
        title="喜报：我旗学生获全国青少年科技创新大赛一等奖",
        marker="草原鼠害智能监测装置",
    ),
)  # fmt: skip


# ---------------------------------------------------------------------- a reposting task (转载任务)
# The county's main Weibo account publishes a key notice; the office asks five accounts to
# repost it within 24 hours. Three do (a Weibo repost, a verbatim WeChat copy, one with 【转载】
# and a source line), one reposts late, one never does but posts on the same topic: an
# unrelated post that must not count as the repost.


@dataclass(frozen=True)
class KeyPost:
    account_id: str
    age_days: float  # before the world's now (its local day, at 10:00)
    title: str
    body: str

    @property
    def text(self) -> str:
        return f"【{self.title}】{self.body}"


@dataclass(frozen=True)
class TaskPost:
    key: str
    account_id: str
    hours_after: float  # after the key post
    expected: str  # the account's standing: done | late | missing (core.vocabulary.RepostState)
    why: str
    title: str = ""
    paras: tuple[str, ...] = ()
    weibo_repost: bool = False  # a Weibo repost of the key post (paras: the reposting comment)


TASK_ID = "fire-order"
TASK_DEADLINE_HOURS = 24
TASK_KEY = KeyPost(
    "qc-fabu-weibo",
    5.5,
    "青川旗人民政府关于发布冬季森林草原防火命令的通告",
    "为切实做好今冬明春森林草原防火工作，保护人民群众生命财产安全，旗人民政府决定：自即日起至2027年5月31日"
    "为全旗森林草原防火期。防火期内严禁在林区草原野外用火，严禁携带火种进入林区，违者依法严肃处理。",
)
TASK_POSTS: tuple[TaskPost, ...] = (
    TaskPost(
        "repost-weibo", "qc-police-weibo", 2.0, "done",
        "公安微博直接转发了青川发布的原微博",
        paras=("防火期内严禁野外用火，请广大群众共同遵守。",),
        weibo_repost=True,
    ),
    TaskPost(
        "repost-verbatim", "qc-health-wechat", 5.0, "done",
        "卫健委公众号原文照登",
        title=TASK_KEY.title,
        paras=(TASK_KEY.body,),
    ),
    TaskPost(
        "repost-marked", "qingchuan-jd-wechat", 20.0, "done",
        "街道公众号加了【转载】和来源行，正文标点略有改动",
        title=f"【转载】{TASK_KEY.title}",
        paras=("来源：青川发布", TASK_KEY.body.replace("：", ",").replace("。", ". ")),
    ),
    TaskPost(
        "repost-late", "qc-edu-wechat", 40.0, "late",
        "教育局公众号在截止时间16小时后才转载（标题略去“青川旗人民政府”，文末注明转自）",
        title="关于发布冬季森林草原防火命令的通告",
        paras=(TASK_KEY.body, "（转自：青川发布）"),
    ),
    TaskPost(
        "same-topic", "qc-rsj-wechat", 30.0, "missing",
        "人社局只发了本单位的冬季防火检查，同一话题但不是转载：仍算未转载",
        title="人社局开展冬季办公场所防火安全检查",
        paras=(
            "为落实冬季森林草原防火要求，旗人力资源和社会保障局组织对办公楼、档案室和服务大厅开展防火安全检查，"
            "排查电气线路和消防器材，整改隐患3处。",
        ),
    ),
)  # fmt: skip
