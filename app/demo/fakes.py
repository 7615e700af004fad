"""Deterministic generators of fictitious people, employers and filing records.

For the demo, tests and benchmarks. Every function draws from the `random.Random` it is given,
so one seed always gives the same data. All people and companies are invented: ID numbers and
credit codes are well formed, with correct check characters, but their digits are random.
Nothing here guarantees uniqueness; callers that need distinct people keep a set of numbers.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from app.core.reference import city_names
from app.registry.codes import Category, Condition, Relation, SkillLevel
from app.registry.identifiers import id_check_character, uscc_check_character

# The last year a fake honour or start of front-line work falls in: fixed, not today's year,
# so a seed gives the same records whenever it runs.
LATEST_YEAR = 2025

# County-level divisions (GB/T 2260, current codes) of each city, by their last two digits;
# the "市辖区" codes (xx01) are left out: no one is registered there.
_COUNTY_SUFFIXES = {
    "340100": "02 03 04 11 21 22 23 24 81",
    "340200": "02 07 09 10 12 23 81",
    "340300": "02 03 04 11 21 22 23",
    "340400": "02 03 04 05 06 21 22",
    "340500": "03 04 06 21 22 23",
    "340600": "02 03 04 21",
    "340700": "05 06 11 22",
    "340800": "02 03 11 22 25 26 27 28 81 82",
    "341000": "02 03 04 21 22 23 24",
    "341100": "02 03 22 24 25 26 81 82",
    "341200": "02 03 04 21 22 25 26 82",
    "341300": "02 21 22 23 24",
    "341500": "02 03 04 22 23 24 25",
    "341600": "02 21 22 23",
    "341700": "02 21 22 23",
    "341800": "02 21 23 24 25 81 82",
}
COUNTY_CODES: dict[str, tuple[str, ...]] = {
    city: tuple(city[:4] + suffix for suffix in suffixes.split())
    for city, suffixes in _COUNTY_SUFFIXES.items()
}
CITY_CODES = tuple(COUNTY_CODES)

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚"
)
_GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉文建国志红春海林峰辉斌波宁庆荣德成"
    "勤福祥兵宏俊鹏飞凯亮振东云晓燕慧琴兰梅萍虹新永长安家和松山涌保学忠良才义立彬"
)
# Word lists are space-separated strings: as tuple literals they would take a line a word.
_FIRM_WORDS = tuple(
    (  # noqa: SIM905
        "恒通 瑞丰 宏达 金鼎 华晟 鑫源 永昌 盛达 天润 博远 联创 新锐 "
        "众合 皖信 诚远 中鼎 科力 精诚 汇丰源 德隆"
    ).split()
)
_FIRM_TRADES = tuple(
    (  # noqa: SIM905
        "精密机械 汽车零部件 电子科技 新材料 重工 智能装备 电气 建设工程 "
        "化工 纺织 食品 家电 模具 铸造 光电 液压"
    ).split()
)
_FIRM_FORMS = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")
OCCUPATIONS = tuple(
    (  # noqa: SIM905
        "数控车工 焊工 电工 钳工 汽车维修工 数控铣工 磨工 装配钳工 "
        "工具钳工 维修电工 模具工 电子设备装接工 化学检验员 仪器仪表维修工 "
        "锅炉操作工 起重装卸机械操作工 工业机器人系统运维员 中式烹调师 "
        "茶叶加工工 砌筑工 钢筋工 电梯安装维修工 机床装调维修工 铸造工"
    ).split()
)
_SKILL_LEVELS = (
    (SkillLevel.chief_technician,) * 2
    + (SkillLevel.principal_technician,) * 2
    + (SkillLevel.senior_technician,) * 4
    + (SkillLevel.technician,) * 2
    + (SkillLevel.senior_worker,)
)
# Category -> (possible titles with their conferring authority, years it can be conferred in).
_HONOURS: dict[Category, tuple[tuple[tuple[str, str], ...], range]] = {
    Category.national_model_worker: (
        (("全国劳动模范", "中共中央、国务院"),),
        range(1995, LATEST_YEAR + 1, 5),
    ),
    Category.may_day_labour_medal: (
        (("全国五一劳动奖章", "中华全国总工会"),),
        range(1990, LATEST_YEAR + 1),
    ),
    Category.china_skills_award: (
        (("中华技能大奖", "人力资源社会保障部"),),
        range(2008, LATEST_YEAR + 1, 2),
    ),
    Category.national_technical_expert: (
        (("全国技术能手", "人力资源社会保障部"),),
        range(1995, LATEST_YEAR + 1),
    ),
    Category.special_allowance: (
        (("享受国务院政府特殊津贴", "国务院"), ("享受安徽省政府特殊津贴", "安徽省人民政府")),
        range(1995, LATEST_YEAR + 1),
    ),
    Category.provincial_hpcs: (
        (("安徽省“高精尖缺”高技能人才", "安徽省人民政府"),),
        range(2018, LATEST_YEAR + 1),
    ),
    Category.state_merit_honor: (
        (("全国优秀共产党员", "中共中央"), ("全国先进工作者", "中共中央、国务院")),
        range(2000, LATEST_YEAR + 1, 5),
    ),
}
# The six of the selection route: a merit honour would make a record eligible on its own
# (eligibility.py), whatever condition an ineligible fake breaks.
_CATEGORIES = tuple(c for c in _HONOURS if c is not Category.state_merit_honor)
_CONDITION_NOTES: dict[Condition, tuple[tuple[str, ...], str]] = {
    Condition.contribution: (
        (
            "牵头攻克关键工艺难题，年创经济效益逾千万元",
            "参与省重点工程建设，解决重大质量问题",
            "主持技术革新项目，获国家发明专利授权",
        ),
        "近年未有可认定的突出贡献事迹",
    ),
    Condition.skill_performance: (
        (
            "在全国职业技能大赛中获一等奖",
            "技艺精湛，带徒数十名，多人成为技师",
            "首创的操作法在全行业推广",
        ),
        "技艺业绩材料不足，未达到一流水平",
    ),
    Condition.frontline: (
        ("长期在生产一线岗位工作至今", "始终坚守车间一线，未脱离生产岗位"),
        "已调离生产一线岗位，从事管理工作",
    ),
}
_DEPENDENT_SETS: tuple[tuple[Relation, ...], ...] = (
    (),
    (Relation.spouse,),
    (Relation.child,),
    (Relation.spouse, Relation.child),
)
# Invented certificate numbers: the category's position (01-07), the year, 5 random digits.
_CERTIFICATE_PREFIX = {category: f"{i:02d}" for i, category in enumerate(_HONOURS, 1)}


def fake_id_number(
    rng: random.Random,
    *,
    city_code: str | None = None,
    birth_year_range: tuple[int, int] = (1960, 1995),
) -> str:
    """A valid GB 11643 number: a county of `city_code` (any city if None), a birth date in
    `birth_year_range` (inclusive), a random sequence and the check character."""
    counties = COUNTY_CODES[city_code if city_code is not None else rng.choice(CITY_CODES)]
    first17 = (
        rng.choice(counties) + _birth_date(rng, birth_year_range) + f"{rng.randrange(1, 1000):03d}"
    )
    return first17 + id_check_character(first17)


def fake_uscc(rng: random.Random, *, city_code: str | None = None) -> str:
    """A valid GB 32100 code of an enterprise ("91") registered in a county of `city_code`
    (any city if None), with a valid GB 11714 organisation code inside."""
    counties = COUNTY_CODES[city_code if city_code is not None else rng.choice(CITY_CODES)]
    organisation = f"{rng.randrange(10**8):08d}"
    first17 = (
        "91" + rng.choice(counties) + organisation + _organisation_check_character(organisation)
    )
    return first17 + uscc_check_character(first17)


def fake_name(rng: random.Random) -> str:
    given_length = 2 if rng.random() < 0.7 else 1
    return rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN_CHARS, k=given_length))


def fake_employer(rng: random.Random, city_name: str) -> str:
    """E.g. `合肥恒通精密机械有限公司`: the city without "市", a firm name, a trade, a form."""
    return (
        city_name.removesuffix("市")
        + rng.choice(_FIRM_WORDS)
        + rng.choice(_FIRM_TRADES)
        + rng.choice(_FIRM_FORMS)
    )


def fake_occupation(rng: random.Random) -> str:
    return rng.choice(OCCUPATIONS)


def fake_card_no(rng: random.Random, city_code: str) -> str:
    """A blue-card number in our demo format: "AH", the 6-digit city code, 8 random digits."""
    return f"AH{city_code}{rng.randrange(10**8):08d}"


def fake_talent_record(rng: random.Random, *, city_code: str, eligible: bool) -> dict[str, Any]:
    """An `upsert` record in the contract's JSON filing format, for a person of `city_code`.

    With `eligible=False` exactly one rule is broken, chosen at random: one of the three
    conditions is not met, or the person has no honour at all.
    """
    id_number = fake_id_number(rng, city_code=city_code)
    birth_year = int(id_number[6:10])
    frontline_since = birth_year + rng.randrange(18, 24)
    broken = None if eligible else rng.choice((*Condition, "honors"))
    honour_count = 0 if broken == "honors" else rng.choice((1, 1, 1, 2))
    name = fake_name(rng)
    return {
        "action": "upsert",
        "id_number": id_number,
        "name": name,
        "employer": fake_employer(rng, city_names()[city_code]),
        "employer_uscc": fake_uscc(rng, city_code=city_code),
        "occupation": fake_occupation(rng),
        "skill_level": str(rng.choice(_SKILL_LEVELS)),
        "card_no": fake_card_no(rng, city_code),
        "frontline_since": frontline_since,
        "conditions": {
            str(condition): _condition(rng, condition, met=condition != broken)
            for condition in Condition
        },
        "honors": [
            _honour(rng, category, earliest=frontline_since + 5)
            for category in rng.sample(_CATEGORIES, honour_count)
        ],
        "dependents": _dependents(rng, surname=name[0], city_code=city_code, birth_year=birth_year),
    }


def _condition(rng: random.Random, condition: Condition, *, met: bool) -> dict[str, Any]:
    met_notes, unmet_note = _CONDITION_NOTES[condition]
    return {"met": met, "note": rng.choice(met_notes) if met else unmet_note}


def _honour(rng: random.Random, category: Category, *, earliest: int) -> dict[str, Any]:
    titles, years = _HONOURS[category]
    title, conferred_by = rng.choice(titles)
    # Holders are born by 1995 and start work by 2018, so every category has a year left.
    year = rng.choice([y for y in years if y >= earliest])
    return {
        "category": str(category),
        "title": title,
        "conferred_by": conferred_by,
        "year": year,
        "certificate_no": f"{_CERTIFICATE_PREFIX[category]}{year}{rng.randrange(10**5):05d}",
    }


def _dependents(
    rng: random.Random, *, surname: str, city_code: str, birth_year: int
) -> list[dict[str, Any]]:
    relations = rng.choice(_DEPENDENT_SETS)
    dependents = []
    for relation in relations:
        if relation is Relation.spouse:
            years = (birth_year - 4, birth_year + 4)
            name = fake_name(rng)
        else:
            first = birth_year + 22
            years = (first, min(first + 12, LATEST_YEAR - 1))
            name = surname + "".join(rng.choices(_GIVEN_CHARS, k=rng.choice((1, 2))))
        dependents.append(
            {
                "relation": str(relation),
                "id_number": fake_id_number(rng, city_code=city_code, birth_year_range=years),
                "name": name,
            }
        )
    return dependents


def _organisation_check_character(body: str) -> str:
    """GB 11714: the 9th character of an organisation code with 8-digit `body`."""
    remainder = (
        11 - sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    )
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def _birth_date(rng: random.Random, year_range: tuple[int, int]) -> str:
    """A random day in the years of `year_range` (inclusive), as YYYYMMDD."""
    first = date(year_range[0], 1, 1).toordinal()
    last = date(year_range[1], 12, 31).toordinal()
    day = date.fromordinal(rng.randint(first, last))
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"
