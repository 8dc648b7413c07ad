"""Which 业务领域 (line of work, core/vocabulary.py's ``UnitField``) a unit is in, from its name.

Each field lists the words of a unit's name (责任主体) that place the unit in it, and the endings
that do (a township is often named by its place alone: 宝力镇, 巴彦苏木). ``PRIORITY`` is the order
the fields are tried in, the first match wins: the specific lines of work first (a 镇派出所 is
公安, a 镇中心学校 教育, a 旗委宣传部 融媒体和宣传), then 乡镇街道 (a 镇人民政府 is a township, not
the county's government), then 综合 (人民政府, 政府办公室, 县委); a name nothing matches is 其他.
config.yaml's ``units: {旗体育局: {field: sports}}`` overrides the name for one unit
(``Config.unit_field``), and the account registry's 业务领域 column (``parse_field``) overrides
both for the accounts it lists: registry > config ``units`` > the name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from core.vocabulary import UnitField


@dataclass(frozen=True)
class FieldRule:
    field: UnitField
    words: tuple[str, ...]  # anywhere in the unit's name
    ends: tuple[str, ...] = ()  # at the end of the unit's name


# The order the rules are tried in: the first that matches the name wins.
PRIORITY: tuple[FieldRule, ...] = (
    FieldRule(
        UnitField.POLICE, ("公安", "派出所", "交警", "交通警察", "交通管理大队", "刑警", "巡警", "看守所")
    ),
    FieldRule(UnitField.EMERGENCY, ("应急管理", "应急局", "消防", "地震", "防汛")),
    FieldRule(UnitField.EDUCATION, ("教育", "学校", "中学", "小学", "幼儿园", "学院", "大学", "教体局")),
    FieldRule(
        UnitField.WELFARE,
        (
            "人力资源和社会保障",
            "人社",
            "社会保障",
            "社保",
            "民政局",
            "医疗保障",
            "医保",
            "残疾人联合会",
            "残联",
            "退役军人",
            "就业",
        ),
    ),
    FieldRule(UnitField.HEALTH, ("卫生健康", "卫健", "卫生", "医院", "疾控", "疾病预防控制", "妇幼", "健康")),
    FieldRule(UnitField.MEDIA, ("融媒体", "宣传部", "新闻中心", "新闻办", "广播电视台", "网信")),
    FieldRule(
        UnitField.CULTURE_TOURISM,
        ("文化和旅游", "文化旅游", "文旅", "文体", "旅游", "文化馆", "博物馆", "图书馆", "文物"),
    ),
    FieldRule(UnitField.SPORTS, ("体育",)),
    FieldRule(UnitField.AGRICULTURE, ("农业农村", "农牧", "农业", "畜牧", "乡村振兴", "水利", "农机")),
    FieldRule(UnitField.MARKET, ("市场监督", "市场监管", "药品监督", "质量技术监督")),
    FieldRule(UnitField.TRANSPORT, ("交通运输", "交通局", "公路", "交通")),
    FieldRule(UnitField.ENVIRONMENT, ("自然资源", "生态环境", "环境保护", "环保", "林业", "林草", "草原")),
    FieldRule(UnitField.WEATHER, ("气象",)),
    FieldRule(
        UnitField.TOWNSHIP,
        (
            "镇人民政府",
            "乡人民政府",
            "苏木人民政府",
            "街道办事处",
            "街道党工委",
            "镇党委",
            "乡党委",
            "镇政府",
            "乡政府",
        ),
        ("镇", "乡", "苏木", "街道", "嘎查"),
    ),
    FieldRule(
        UnitField.GENERAL,
        (
            "人民政府",
            "政府办公室",
            "政府办",
            "县委",
            "旗委",
            "市委",
            "区委",
            "党委办公室",
            "政务服务",
            "人大常委会",
            "政协",
        ),
    ),
)


@lru_cache(maxsize=65536)
def field_by_name(unit: str) -> UnitField:
    """The field a unit's name places it in: the first rule of ``PRIORITY`` that matches; 其他
    when none does (or the unit has no name)."""
    name = unit.strip()
    if name:
        for rule in PRIORITY:
            if any(word in name for word in rule.words) or name.endswith(rule.ends or ("\0",)):
                return rule.field
    return UnitField.OTHER


def _spelling(text: str) -> str:
    """A field's name as compared: no blanks, lower case, full-width brackets and commas as ASCII."""
    text = re.sub(r"\s", "", text).lower()
    return text.translate(str.maketrans("（）【】，", "()[],"))


@lru_cache(maxsize=1)
def _spellings() -> dict[str, UnitField]:
    names: dict[str, UnitField] = {}
    for member in UnitField:
        names[_spelling(member.value)] = member
        names[_spelling(member.label)] = member
        names.setdefault(_spelling(member.label.split("（")[0]), member)  # 综合, 民生保障
    return names


def parse_field(value: str | None) -> UnitField | None:
    """The field a registry's 业务领域 cell names: a label as UnitField has it (卫生健康,
    综合（政府办）, or its part before the bracket: 综合) or its English key (health, HEALTH);
    blanks, case and full/half-width brackets do not matter. None when it names none."""
    return _spellings().get(_spelling(value or ""))


def field_choices() -> str:
    """The values a 业务领域 cell accepts, for a message: 综合（政府办）/general、公安/police …"""
    return "、".join(f"{m.label}/{m.value}" for m in UnitField)


def field_of(
    unit: str | None, overrides: Mapping[str, str] | None = None, registered: str | None = None
) -> UnitField:
    """The unit's field: the registry's (``registered``, the account's 业务领域 column) when it
    has one, else its override (config ``units``), else by its name."""
    if registered and registered in UnitField.labels():  # an unknown stored code: as if none
        return UnitField(registered)
    if unit and overrides and unit in overrides:
        return UnitField(overrides[unit])
    return field_by_name(unit or "")
