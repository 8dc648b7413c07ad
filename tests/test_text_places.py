"""Misspelt place names (analysis/text/places.py) and their findings in the checker.

Every sentence here was written for these tests: official-style sentences naming real
provinces, prefectures and counties, each misspelt name one character off, and clean
sentences whose words end like a name (开发区, 城市, 片区, 区域) and must stay clean.
"""

from __future__ import annotations

import pytest

from analysis.text import Checker, places, typos

# (sentence, the name as written, the name it should be), by level.
MISSPELT = [
    ("近日，奈蔓旗召开全旗安全生产工作会议。", "奈蔓旗", "奈曼旗"),
    ("县领导赴鄂尔多思市考察学习乡村振兴经验。", "鄂尔多思市", "鄂尔多斯市"),
    ("市文旅局组织团队赴赤蜂市开展文旅推介活动。", "赤蜂市", "赤峰市"),
    ("北京市海甸区组织开展社区消防安全检查。", "海甸区", "海淀区"),
    ("我县与涞元县签订对口帮扶协议。", "涞元县", "涞源县"),
    ("副市长带队前往哈尔宾市参加经贸洽谈会。", "哈尔宾市", "哈尔滨市"),
    ("记者从海喃省文昌市获悉，当地春耕生产有序推进。", "海喃省", "海南省"),
]
# Real names, and words that end as a name does, read as what they are.
CLEAN = [
    "近日，奈曼旗召开全旗安全生产工作会议。",
    "旗委书记赴包头市、呼和浩特市考察学习。",
    "全市开发区、示范区、保护区建设稳步推进，各旗县区认真落实。",
    "资源型城市转型发展取得新成效。",
    "预计本周南方地区将有一次明显降雨过程。",
    "京津冀晋四省市联合开展大气污染防治督查。",
    "容东片区建设现场一派繁忙景象。",
    "咸安区区委召开常委会会议。",
    "全国六大区域气温均比常年同期偏高。",
    "依托毗邻苏州的区位优势，发展特色产业。",
    "北京世园会园区内游人络绎不绝。",
    "该公司成为全球首个上市的二手电商平台。",
    "泗洪县委组织部多次组织全县干部群众开展志愿服务。",
]


@pytest.fixture(scope="module")
def model() -> typos.Model:
    m = typos.model()
    assert m is not None, "the typo model ships with the package"
    return m


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker.load()


@pytest.mark.parametrize(("text", "written", "name"), MISSPELT)
def test_a_misspelt_name_is_found_with_the_name_it_should_be(text, written, name):
    (found,) = places.find(text)
    assert (found.written, found.name) == (written, name)
    assert text[found.at : found.at + len(written)] == written
    assert text[found.start] == found.wrong and name[found.start - found.at] == found.right


@pytest.mark.parametrize("text", CLEAN)
def test_real_names_and_words_ending_like_a_name_are_left_alone(text):
    assert places.find(text) == []


def test_the_checker_reports_the_name_once_with_the_right_name(checker):
    text = "市委副书记带队赴鄂尔多思市考察学习。"
    result = checker.check(text)
    wording = [f for f in result.findings if f.label == "wording_error"]
    assert len(wording) == 1  # the typo model's finding of the same character is not added
    (f,) = wording
    assert f.rule == "wording.place_name" and f.severity == "major"
    assert (f.evidence, f.suggestion) == ("鄂尔多思市", "鄂尔多斯市")
    assert text[f.start : f.end] == "鄂尔多思市"
    assert "思" in f.explanation and "斯" in f.explanation
    assert result.labels == ["wording_error"]


def test_an_allowed_term_is_not_a_misspelt_name():
    checker = Checker.load(allow=["奈蔓旗"])
    assert checker.check("近日，奈蔓旗召开全旗安全生产工作会议。").findings == []


def test_names_of_other_years_are_known(tmp_path, model):
    """A name of any year since 1980 is a name: 万县市 (to 1992) is not a misspelt 万州市."""
    table = tmp_path / "divisions.csv"
    table.write_text(
        "year,province_name,city_name,county_name\n"
        "1990,四川省,万县市,万县市\n"
        "2024,重庆市,重庆市,万州区\n"
        "2024,内蒙古自治区,通辽市,奈曼旗\n",
        encoding="utf-8",
    )
    out = tmp_path / "places.tsv"
    assert places.build(table, out) == 7  # every level of every year, each name once
    lines = out.read_text(encoding="utf-8").splitlines()
    assert "万县市\t1990\t1990" in lines and "奈曼旗\t2024\t2024" in lines
    built = places.read(out)
    assert built.find("万县市召开会议。", model.alike, model.word_weight, model.is_common) == []
    found = built.find("奈蔓旗召开会议。", model.alike, model.word_weight, model.is_common)
    assert [m.name for m in found] == ["奈曼旗"]


def test_a_bad_line_of_the_names_file_is_named(tmp_path):
    path = tmp_path / "places.tsv"
    path.write_text("# name\tfirst\tlast\n奈曼旗\t1980\t2024\n赤峰市\t1983\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"places\.tsv:3: expected name, first year, last year"):
        places.read(path)
