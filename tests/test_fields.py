"""The 业务领域 catalogue (core/fields.py): which line of work a unit's name places it in, the
priority between fields, the sandbox's units, and config's per-unit override with its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import ConfigError, parse_config
from core.fields import PRIORITY, field_by_name, field_of, parse_field
from core.platforms import is_monitored
from core.vocabulary import UnitField
from sandbox.world import UNITS, accounts_config
from storage.registry import read_registry


def test_the_sandbox_units_fall_into_several_fields():
    assert {unit: field_by_name(unit).label for unit in UNITS} == {
        "旗政府办公室": "综合（政府办）",
        "旗教育局": "教育",
        "旗卫生健康委员会": "卫生健康",
        "旗公安局": "公安",
        "旗文化和旅游局": "文化旅游",
        "旗市场监督管理局": "市场监管",
        "旗应急管理局": "应急消防",
        "旗人力资源和社会保障局": "民生保障（人社、民政）",
        "旗融媒体中心": "融媒体和宣传",
        "宝力镇人民政府": "乡镇街道",
        "巴彦苏木人民政府": "乡镇街道",
        "青川街道办事处": "乡镇街道",
    }


@pytest.mark.parametrize(
    ("unit", "field"),
    [
        ("宝力镇派出所", UnitField.POLICE),  # a line of work before the township
        ("旗公安局交通管理大队", UnitField.POLICE),  # 公安 before 交通
        ("旗交通运输局", UnitField.TRANSPORT),
        ("宝力镇中心学校", UnitField.EDUCATION),
        ("旗教育体育局", UnitField.EDUCATION),  # 教育 before 体育
        ("旗体育局", UnitField.SPORTS),
        ("旗文体广电旅游局", UnitField.CULTURE_TOURISM),
        ("旗疾病预防控制中心", UnitField.HEALTH),
        ("宝力镇卫生院", UnitField.HEALTH),
        ("旗委宣传部", UnitField.MEDIA),  # not 综合 for its 旗委
        ("旗消防救援大队", UnitField.EMERGENCY),
        ("旗气象局", UnitField.WEATHER),
        ("旗农牧局", UnitField.AGRICULTURE),
        ("旗乡村振兴局", UnitField.AGRICULTURE),  # 乡 inside a word is no township
        ("旗自然资源局", UnitField.ENVIRONMENT),
        ("旗民政局", UnitField.WELFARE),
        ("旗人民政府", UnitField.GENERAL),  # 民政 inside 人民政府 is not 民政
        ("旗政务服务中心", UnitField.GENERAL),
        ("宝力镇", UnitField.TOWNSHIP),
        ("巴彦苏木", UnitField.TOWNSHIP),
        ("旗住房和城乡建设局", UnitField.OTHER),  # 城乡 is no township
        ("甲局", UnitField.OTHER),
        ("", UnitField.OTHER),
    ],
)
def test_a_units_name_places_it(unit, field):
    assert field_by_name(unit) == field


def test_every_field_but_other_has_a_rule_and_generic_names_hold_no_specific_word():
    assert {rule.field for rule in PRIORITY} == set(UnitField) - {UnitField.OTHER}
    specific = PRIORITY[: [r.field for r in PRIORITY].index(UnitField.TOWNSHIP)]
    for generic in ("镇人民政府", "苏木人民政府", "人民政府办公室", "街道办事处", "政务服务中心"):
        assert not [w for rule in specific for w in rule.words if w in generic], generic


def test_config_units_override_by_code_or_label_and_bad_values_are_named():
    config = parse_config(
        {"units": {"旗体育局": {"field": "culture_tourism"}, "甲局": {"field": "公安"}}}, "c.yaml"
    )
    assert config.unit_field("旗体育局") == UnitField.CULTURE_TOURISM
    assert config.unit_field("甲局") == UnitField.POLICE
    assert config.unit_field("旗教育局") == UnitField.EDUCATION  # no override: by its name
    assert field_of("甲局", {"甲局": "sports"}) == UnitField.SPORTS
    with pytest.raises(ConfigError) as bad:
        parse_config({"units": {"旗体育局": {"field": "football"}}}, "c.yaml")
    message = str(bad.value)
    assert "units.旗体育局.field" in message and "football" in message
    assert "sports (体育)" in message and "township (乡镇街道)" in message
    with pytest.raises(ConfigError, match=r"units\.旗体育局\.feild: unknown key"):
        parse_config({"units": {"旗体育局": {"feild": "sports"}}}, "c.yaml")


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ("卫生健康", UnitField.HEALTH),
        (" health ", UnitField.HEALTH),
        ("HEALTH", UnitField.HEALTH),
        ("综合（政府办）", UnitField.GENERAL),
        ("综合 (政府办)", UnitField.GENERAL),  # half-width brackets, a blank
        ("综合", UnitField.GENERAL),  # the label before its bracket
        ("Culture_Tourism", UnitField.CULTURE_TOURISM),
        ("融媒体和宣传", UnitField.MEDIA),
        ("卫生", None),
        ("体育局", None),
        ("", None),
    ],
)
def test_a_registry_cell_names_a_field_by_label_or_key(cell, field):
    assert parse_field(cell) == field


def test_the_registrys_field_overrides_config_and_the_name():
    assert field_of("旗教育局", {"旗教育局": "health"}, "police") == UnitField.POLICE
    assert field_of("旗教育局", {"旗教育局": "health"}, None) == UnitField.HEALTH
    assert field_of("旗融媒体中心", None, "bogus") == UnitField.MEDIA  # an unknown stored code: ignored


def test_a_bad_field_in_the_registry_names_the_row_the_column_and_the_choices(tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text(
        "政务新媒体账号登记表\n"
        "责任主体,平台,账号名称,账号ID,所属领域\n"
        "旗融媒体中心,新浪微博,青川融媒,7712,卫生健康\n"
        "某某服务中心,新浪微博,青川服务,7713,体育局\n"
        "旗体育局,新浪微博,青川体育,7714,\n",
        encoding="utf-8",
    )
    read = read_registry(path)
    assert [(r["unit"], r.get("unit_field")) for r in read.records] == [
        ("旗融媒体中心", "health"),
        ("旗体育局", None),
    ]
    [bad] = read.rejected
    assert bad.row == 4 and "“所属领域”列（E 列）" in bad.reason and "体育局" in bad.reason
    assert "卫生健康/health" in bad.reason and "综合（政府办）/general" in bad.reason
    # two rows of one unit naming two fields: a warning (each account keeps its own); a blank: none
    path.write_text(
        "责任主体,平台,账号名称,账号ID,业务领域\n"
        "旗融媒体中心,新浪微博,青川融媒,7712,融媒体和宣传\n"
        "旗融媒体中心,抖音,青川融媒,7713,\n"
        "旗融媒体中心,快手,青川融媒,7714,综合\n",
        encoding="utf-8",
    )
    [warning] = read_registry(path).warnings
    assert warning.startswith("第 4 行：旗融媒体中心") and "第 2 行" in warning
    # without the column a record leaves the stored field alone
    path.write_text("责任主体,平台,账号名称,账号ID\n旗体育局,新浪微博,青川体育,7714\n", encoding="utf-8")
    assert "unit_field" not in read_registry(path).records[0]


def test_the_sample_registry_imports_whole_and_places_units_their_names_do_not():
    """docs/registry-example.csv: the sandbox's Weibo accounts as the config has them, and two units
    whose names say no field (a 服务中心, an 活动中心), placed by the 业务领域 column."""
    read = read_registry(Path(__file__).parent.parent / "docs" / "registry-example.csv")
    assert read.rejected == [] and read.warnings == []
    sandbox = {a["id"]: a for a in accounts_config("http://127.0.0.1:1")}
    for record in read.records:
        if record["id"] in sandbox:
            config = sandbox[record["id"]]
            assert {k: record[k] for k in ("unit", "platform", "name", "handle", "url", "operator")} == {
                k: config[k] for k in ("unit", "platform", "name", "handle", "url", "operator")
            }
        else:
            assert not is_monitored(record["platform"])  # never crawled in the demo
    fields = {r["unit"]: r["unit_field"] for r in read.records}
    assert field_by_name("旗便民服务中心") == field_by_name("旗青少年活动中心") == UnitField.OTHER
    assert (fields["旗便民服务中心"], fields["旗青少年活动中心"]) == (UnitField.WELFARE, UnitField.EDUCATION)
    assert fields["旗政府办公室"] == UnitField.GENERAL and fields["旗卫生健康委员会"] == UnitField.HEALTH
