"""The fake-data generators give valid, deterministic, contract-shaped data."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import pytest

from app.core.reference import city_names, reference_rows
from app.demo.fakes import (
    COUNTY_CODES,
    fake_card_no,
    fake_employer,
    fake_id_number,
    fake_name,
    fake_talent_record,
    fake_uscc,
)
from app.filing.parsers import parse_upload
from app.registry.identifiers import birth_date_of, validate_id_number, validate_uscc

SEEDS = range(300)
RECORD_KEYS = {
    "action",
    "id_number",
    "name",
    "employer",
    "employer_uscc",
    "occupation",
    "skill_level",
    "card_no",
    "frontline_since",
    "conditions",
    "honors",
    "dependents",
}
HONOUR_KEYS = {"category", "title", "conferred_by", "year", "certificate_no"}
DEPENDENT_KEYS = {"relation", "id_number", "name"}


def codes(kind: str) -> set[str]:
    return {row["code"] for row in reference_rows(kind)}


def broken_rules(record: dict[str, Any]) -> list[str]:
    """The contract's eligibility rules that `record` breaks."""
    broken = [name for name, condition in record["conditions"].items() if not condition["met"]]
    if not any(honour["category"] in codes("categories") for honour in record["honors"]):
        broken.append("honors")
    return broken


def test_id_numbers_validate_and_belong_to_a_county_of_the_city() -> None:
    rng = random.Random(7)
    for city_code, counties in COUNTY_CODES.items():
        for _ in range(200):
            number = fake_id_number(rng, city_code=city_code)
            assert validate_id_number(number) == number
            assert number[:6] in counties
            assert number[:4] == city_code[:4]


def test_id_numbers_without_a_city_come_from_some_anhui_city() -> None:
    rng = random.Random(8)
    all_counties = {county for counties in COUNTY_CODES.values() for county in counties}
    numbers = [fake_id_number(rng) for _ in range(2000)]
    assert {number[:6] for number in numbers} <= all_counties
    assert len({number[:4] for number in numbers}) == len(COUNTY_CODES)


@pytest.mark.parametrize("years", [(1960, 1995), (1990, 1990), (2000, 2012)])
def test_id_number_birth_year_stays_in_the_inclusive_range(years: tuple[int, int]) -> None:
    rng = random.Random(9)
    born = {birth_date_of(fake_id_number(rng, birth_year_range=years)).year for _ in range(3000)}
    assert born == set(range(years[0], years[1] + 1))


def test_same_seed_gives_same_id_numbers_and_other_seeds_differ() -> None:
    def numbers(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [fake_id_number(rng, city_code="340100") for _ in range(100)]

    assert numbers(1) == numbers(1)
    assert numbers(1) != numbers(2)


def test_usccs_validate_and_carry_the_city_region() -> None:
    rng = random.Random(10)
    for _ in range(2000):
        code = fake_uscc(rng, city_code="340200")
        assert validate_uscc(code) == code
        assert code.startswith("913402")
    assert all(validate_uscc(code) for code in (fake_uscc(rng) for _ in range(2000)))


def test_uscc_embeds_a_valid_organisation_code() -> None:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    rng = random.Random(11)
    for _ in range(500):
        organisation = fake_uscc(rng)[8:17]
        remainder = 11 - sum(int(c) * w for c, w in zip(organisation, weights, strict=False)) % 11
        assert organisation[8] == {10: "X", 11: "0"}.get(remainder, str(remainder))


def test_names_are_two_or_three_chinese_characters() -> None:
    rng = random.Random(12)
    names = [fake_name(rng) for _ in range(1000)]
    assert all(2 <= len(name) <= 3 for name in names)
    assert all("\u4e00" <= char <= "\u9fff" for name in names for char in name)
    assert {len(name) for name in names} == {2, 3}


def test_employer_is_a_company_named_after_the_city() -> None:
    employer = fake_employer(random.Random(13), "合肥市")
    assert employer.startswith("合肥")
    assert not employer.startswith("合肥市")
    assert employer.endswith("公司")


def test_card_no_is_ah_city_code_and_eight_digits() -> None:
    card_no = fake_card_no(random.Random(14), "341200")
    assert card_no.startswith("AH341200")
    assert len(card_no) == 16
    assert card_no[8:].isdigit()


@pytest.mark.parametrize("eligible", [True, False])
def test_records_have_the_contract_shape_and_valid_codes(eligible: bool) -> None:
    rng = random.Random(15)
    for seed in SEEDS:
        city_code = sorted(city_names())[seed % 16]
        record = fake_talent_record(rng, city_code=city_code, eligible=eligible)
        assert set(record) == RECORD_KEYS
        assert record["action"] == "upsert"
        assert validate_id_number(record["id_number"]) == record["id_number"]
        assert record["id_number"][:4] == city_code[:4]
        assert validate_uscc(record["employer_uscc"]) == record["employer_uscc"]
        assert record["employer"].startswith(city_names()[city_code].removesuffix("市"))
        assert record["skill_level"] in codes("skill-levels")
        assert record["card_no"].startswith("AH" + city_code)
        born = birth_date_of(record["id_number"]).year
        assert born + 18 <= record["frontline_since"] <= 2025
        assert set(record["conditions"]) == codes("conditions")
        for condition in record["conditions"].values():
            assert set(condition) == {"met", "note"}
            assert condition["note"]
        for honour in record["honors"]:
            assert set(honour) == HONOUR_KEYS
            assert honour["category"] in codes("categories")
            assert record["frontline_since"] < honour["year"] <= 2025
        assert len({honour["category"] for honour in record["honors"]}) == len(record["honors"])
        assert len(record["dependents"]) <= 2
        for dependent in record["dependents"]:
            assert set(dependent) == DEPENDENT_KEYS
            assert dependent["relation"] in codes("relations")
            assert validate_id_number(dependent["id_number"]) == dependent["id_number"]


def test_records_read_through_the_json_filing_parser_without_issues() -> None:
    rng = random.Random(18)
    records = [fake_talent_record(rng, city_code="341800", eligible=i % 2 == 0) for i in range(50)]
    upload = io.BytesIO(json.dumps({"records": records}, ensure_ascii=False).encode())
    rows = list(parse_upload(upload, "2026Q4.json"))
    assert [row.row for row in rows] == list(range(1, 51))
    assert all(row.issues == () for row in rows)


def test_eligible_records_break_no_rule_and_have_one_or_two_honours() -> None:
    rng = random.Random(16)
    for _ in SEEDS:
        record = fake_talent_record(rng, city_code="340100", eligible=True)
        assert broken_rules(record) == []
        assert 1 <= len(record["honors"]) <= 2


def test_ineligible_records_break_exactly_one_rule_each_kind_occurring() -> None:
    rng = random.Random(17)
    seen = set()
    for _ in SEEDS:
        record = fake_talent_record(rng, city_code="340100", eligible=False)
        broken = broken_rules(record)
        assert len(broken) == 1
        seen.add(broken[0])
    assert seen == codes("conditions") | {"honors"}


def test_same_seed_gives_the_same_records() -> None:
    def records(seed: int) -> list[dict[str, Any]]:
        rng = random.Random(seed)
        return [fake_talent_record(rng, city_code="340300", eligible=i % 3 > 0) for i in range(50)]

    assert records(5) == records(5)
    assert records(5) != records(6)
