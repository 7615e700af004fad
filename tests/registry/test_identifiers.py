from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from app.registry.identifiers import (
    IdentifierError,
    InvalidIdNumber,
    InvalidUscc,
    birth_date_of,
    gender_of,
    id_check_character,
    is_valid_id_number,
    mask_id_number,
    normalize_id_number,
    uscc_check_character,
    validate_id_number,
    validate_uscc,
)

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),  # the example in GB 11643-1999
        ("360426199101010071", "360426199101010071"),  # python-stdnum's examples
        ("44011320141005001x", "44011320141005001X"),
        (" 3604 2619 9101 0100 71 ", "360426199101010071"),
        ("３６０４２６１９９１０１０１００７１", "360426199101010071"),  # full-width input
        ("34010219800101001X", "34010219800101001X"),  # 合肥东市区, abolished in 2002
        ("110201199312010077", "110201199312010077"),  # county gone before the birth year
        ("990426199112010074", "990426199112010074"),  # region in no table we know
        ("340102202611240014", "340102202611240014"),  # born today
        ("340102190001010013", "340102190001010013"),  # earliest accepted birth date
    ],
)
def test_valid_numbers_are_accepted_and_normalised(raw: str, expected: str) -> None:
    assert validate_id_number(raw, today=TODAY) == expected
    assert is_valid_id_number(raw, today=TODAY)


@pytest.mark.parametrize(
    ("raw", "reason", "message_part"),
    [
        ("", "length", "当前为0位"),
        ("34010219800101001", "length", "当前为17位"),
        ("34010219800101001X1", "length", "当前为19位"),
        ("340102800101001", "length", "15位的第一代身份证号"),
        ("3401021980010100XX", "format", "格式"),
        ("34010219800101A01X", "format", "格式"),
        ("X40102198001010010", "format", "格式"),
        ("34010219800101001Y", "format", "格式"),
        ("340102198002300015", "birth_date", "不是有效日期"),  # 30 February
        ("340102198013010011", "birth_date", "不是有效日期"),  # month 13
        ("340102198001000014", "birth_date", "不是有效日期"),  # day 0
        ("34010220261125001X", "birth_date", "晚于今天"),
        ("440524188001010014", "birth_date", "早于1900年"),  # GB 11643's other example
        ("340102198001010011", "check_character", "校验位"),
        ("11010519491231002Y", "format", "格式"),
        ("110105194912310020", "check_character", "校验位"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(raw: str, reason: str, message_part: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id_number(raw, today=TODAY)
    assert caught.value.code == "invalid_id_number"
    assert caught.value.reason == reason
    assert message_part in caught.value.message_zh
    assert str(caught.value) == caught.value.message_zh
    assert not is_valid_id_number(raw, today=TODAY)


def test_error_message_never_contains_the_number() -> None:
    for raw in ["340102198002300015", "340102198001010011", "3401021980010100XX"]:
        with pytest.raises(InvalidIdNumber) as caught:
            validate_id_number(raw, today=TODAY)
        assert raw not in str(caught.value)
        assert raw[6:14] not in str(caught.value)


def test_identifier_errors_are_value_errors_with_codes() -> None:
    assert issubclass(InvalidIdNumber, IdentifierError)
    assert issubclass(InvalidUscc, IdentifierError)
    assert issubclass(IdentifierError, ValueError)
    assert InvalidUscc.code == "invalid_uscc"


def test_today_defaults_to_the_real_date() -> None:
    assert validate_id_number("11010519491231002X") == "11010519491231002X"
    assert not is_valid_id_number("340102299901010018")


def test_lowercase_x_is_normalised() -> None:
    assert normalize_id_number(" 44011320141005001x\t") == "44011320141005001X"


def test_normalising_does_not_validate() -> None:
    assert normalize_id_number("12 ab") == "12AB"


@pytest.mark.parametrize(
    ("number", "gender", "born"),
    [
        ("11010519491231002X", "F", date(1949, 12, 31)),
        ("360426199101010071", "M", date(1991, 1, 1)),
        ("44011320141005001x", "M", date(2014, 10, 5)),
    ],
)
def test_gender_and_birth_date_are_read_from_the_number(
    number: str, gender: str, born: date
) -> None:
    assert gender_of(number) == gender
    assert birth_date_of(number) == born


def test_birth_date_of_a_malformed_number_raises() -> None:
    with pytest.raises(InvalidIdNumber):
        birth_date_of("340102198002300015")
    with pytest.raises(InvalidIdNumber):
        gender_of("34010219800101")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("34010219800101001X", "340102**********1X"),
        ("34010219800101001x", "340102**********1X"),
        ("340102 1980 0101 001X", "340102**********1X"),
        ("34010219800101001", "340102*********01"),
        ("340102198001", "340102****01"),
        ("34010219800", "***********"),
        ("3401", "****"),
        ("", ""),
    ],
)
def test_mask_hides_all_but_region_and_last_two(raw: str, masked: str) -> None:
    assert mask_id_number(raw) == masked


def test_mask_never_shows_the_birth_date() -> None:
    assert "19800101" not in mask_id_number("34010219800101001X")


@st.composite
def valid_id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.integers(0, 999_999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region:06d}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


@given(valid_id_numbers())
def test_any_well_formed_number_validates(number: str) -> None:
    assert validate_id_number(number, today=TODAY) == number


@given(valid_id_numbers())
def test_check_character_agrees_with_python_stdnum(number: str) -> None:
    assert ric.calc_check_digit(number) == number[-1]


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_credit_code_check_character_agrees_with_python_stdnum(first17: str) -> None:
    assert uscc_check_character(first17) == uscc.calc_check_digit(first17)


@given(valid_id_numbers(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_changing_any_single_character_invalidates(
    number: str, position: int, replacement: str
) -> None:
    if replacement == number[position]:
        replacement = "1" if number[position] == "0" else "0"
    changed = number[:position] + replacement + number[position + 1 :]
    assert not is_valid_id_number(changed, today=TODAY)


def test_check_character_needs_seventeen_digits() -> None:
    with pytest.raises(ValueError):
        id_check_character("1234")
    with pytest.raises(ValueError):
        id_check_character("1101051949123100X")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91110000600037341L", "91110000600037341L"),  # published in python-stdnum's tests
        ("91 110000 600037341l", "91110000600037341L"),
        ("121200004013590816", "121200004013590816"),
        ("91340600MA2PBM9HXD", "91340600MA2PBM9HXD"),
        ("92340603MA2PBQ653D", "92340603MA2PBQ653D"),
        ("91620105L015101280", "91620105L015101280"),
        ("9131012056010553X5", "9131012056010553X5"),
        ("N2340104MA2PBM9HXW", "N2340104MA2PBM9HXW"),  # 农业 registration, computed
        ("Y1340100MA2PBM9HXX", "Y1340100MA2PBM9HXX"),  # 其他 registration, computed
    ],
)
def test_valid_uscc_is_accepted_and_normalised(raw: str, expected: str) -> None:
    assert validate_uscc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12345", "length"),
        ("91110000600037341L0", "length"),
        ("9111000060003IOZSV", "format"),  # I, O, S, V, Z are never used
        ("91A10000600037341L", "format"),  # the region code must be digits
        ("91110000600037341N", "check_character"),
        ("A1110000600037341L", "check_character"),
        ("91340600MA2PBM9HXE", "check_character"),
    ],
)
def test_invalid_uscc_is_rejected(raw: str, reason: str) -> None:
    with pytest.raises(InvalidUscc) as caught:
        validate_uscc(raw)
    assert caught.value.code == "invalid_uscc"
    assert caught.value.reason == reason
    assert "统一社会信用代码" in caught.value.message_zh
