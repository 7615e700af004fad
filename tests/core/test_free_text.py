"""The one free-text checker: which strings hold an ID number, and how they are masked."""

from __future__ import annotations

import pytest
from stdnum.cn import uscc

from app.core.free_text import TextError, check_free_text, contains_id_number, mask_id_shaped

ID = "34010219800101001X"  # a valid number: check character right
WRONG_CHECK = "340102198001010011"  # right date, wrong check character


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    "text",
    [
        ID,
        ID.lower(),
        WRONG_CHECK,
        "３４０１０２１９８００１０１００１Ｘ",
        "３４０１０２１９８００１０１００１ｘ",
        "340102 19800101 001X",
        "340102-1980-0101-001x",
        "340102 - 1980 - 0101 - 001X",
        "3401 0219 8001 0100 1X",
        "340102\u300019800101\u3000001X",
        f"持证人{ID}的购房审核",
        f"编号{ID.lower()}号",
        f"2026{ID}",  # glued to a case number: found because its check character is right
        f"第一行\n{ID}\n第三行",
    ],
)
def test_id_numbers_in_any_spelling_are_found(text: str) -> None:
    assert contains_id_number(text)
    with pytest.raises(TextError) as refused:
        check_free_text(text, multi_line=True)
    assert refused.value.code == "id_number_in_text"
    assert ID not in refused.value.message_zh


@pytest.mark.parametrize(
    "text",
    [
        "购房资格审核 2026-118",
        "入学资格审核 2026 秋季",
        "案卷号 A-2026-000123，电话 0551-12345678",
        _uscc("91340100MA2N1234"),  # a unified social credit code, with its letters
        _uscc("12340000485999123"),  # an all-digit one: no birth date where an ID has it
        "340102198013010011",  # month 13: no date, no ID number
        "340102180001010011",  # born 1800: no ID number
        "62220219800101001234",  # a 20-digit account number whose windows fail the check
        "1234567890123456",
        "全国劳动模范（2015年）",
        "",
    ],
)
def test_ordinary_business_text_passes(text: str) -> None:
    assert not contains_id_number(text)
    assert check_free_text(text) == text
    assert mask_id_shaped(text) == text


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x0b", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_invalid_text(character: str) -> None:
    for multi_line in (False, True):
        with pytest.raises(TextError) as refused:
            check_free_text(f"张{character}三", multi_line=multi_line)
        assert refused.value.code == "invalid_text"


@pytest.mark.parametrize("character", ["\t", "\n", "\r"])
def test_tabs_and_line_breaks_only_in_multi_line_notes(character: str) -> None:
    assert check_free_text(f"第一段{character}第二段", multi_line=True)
    with pytest.raises(TextError) as refused:
        check_free_text(f"第一段{character}第二段")
    assert refused.value.code == "invalid_text"


def test_id_shaped_text_is_masked_whatever_its_spelling() -> None:
    assert mask_id_shaped(f"持证人{ID}") == "持证人340102**********1X"
    assert mask_id_shaped("号码 340102-1980-0101-001x 有误") == "号码 340102**********1X 有误"
    assert mask_id_shaped("３４０１０２１９８００１０１００１Ｘ") == "340102**********1X"
    assert mask_id_shaped(f"{ID} 和 {WRONG_CHECK}") == ("340102**********1X 和 340102**********11")
