"""The field rules of accounts and partners, as tables of good and bad values."""

from __future__ import annotations

import pytest

from app.access import passwords, rules
from app.access.codes import NOTICE_SCOPES
from app.core.errors import InvalidInput


@pytest.mark.parametrize("username", ["abc", "clerk.wang", "op-340100", "li_lei@hf", "a" * 64])
def test_good_usernames(username: str) -> None:
    assert rules.check_username(username) == username


@pytest.mark.parametrize(
    "username",
    ["ab", "1clerk", "王五", "clerk wang", "a" * 65, "u34010219800101001X", "", "clerk/../x"],
)
def test_bad_usernames(username: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_username(username)
    assert refused.value.errors[0]["code"] == "invalid_username"


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("Correct-Horse-42", True),
        ("abcdefghij1!", True),
        ("ABCDEFGHIJ12", False),
        ("abcdefghijkl", False),
        ("Abc-12", False),
        ("Wang.Clerk-2026", True),
        ("clerk.wang-2026X", False),
    ],
)
def test_password_policy(password: str, accepted: bool) -> None:
    if accepted:
        passwords.check_policy(password, username="clerk.wang")
    else:
        with pytest.raises(passwords.WeakPassword):
            passwords.check_policy(password, username="clerk.wang")


def test_password_hashes_are_argon2id_and_verify() -> None:
    hashed = passwords.hash_password("Correct-Horse-42")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "Correct-Horse-42")
    assert not passwords.verify_password(hashed, "Correct-Horse-43")
    assert not passwords.verify_password(None, "not-a-real-password-0")
    assert not passwords.verify_password("garbage", "Correct-Horse-42")


def test_scopes_are_checked_against_the_services_given() -> None:
    assert NOTICE_SCOPES == (
        "priority:employment",
        "priority:social_insurance",
        "priority:medical",
        "priority:education",
        "priority:housing",
        "priority:hukou",
    )
    chosen = ["priority:hukou", "priority:housing", "priority:hukou"]
    assert rules.check_scopes(chosen, NOTICE_SCOPES) == ["priority:housing", "priority:hukou"]
    with pytest.raises(InvalidInput):
        rules.check_scopes(["priority:housing", "admin"], NOTICE_SCOPES)
    with pytest.raises(InvalidInput):
        rules.check_scopes(["priority:elderly_care"], NOTICE_SCOPES)


@pytest.mark.parametrize(
    ("role", "city", "stored"),
    [
        ("city_operator", "340100", "340100"),
        ("window_clerk", "340100", "340100"),
        ("window_clerk", None, None),
        ("province_admin", "340100", None),
        ("auditor", None, None),
    ],
)
def test_city_operators_and_city_window_clerks_keep_a_city(
    role: str, city: str | None, stored: str | None
) -> None:
    assert rules.check_role_city(role, city) == stored


@pytest.mark.parametrize(
    ("role", "city"),
    [("city_operator", None), ("city_operator", "340000"), ("window_clerk", "999999")],
)
def test_a_city_bound_user_needs_a_city_of_the_province(role: str, city: str | None) -> None:
    with pytest.raises(InvalidInput):
        rules.check_role_city(role, city)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("x" * 31, "too_long"),
        ("持卡人34010219800101001X", "id_number_in_text"),
        ("持卡人 340102 19800101 001x", "id_number_in_text"),
        ("生产\x00环境", "invalid_text"),
        ("  ", "required"),
    ],
)
def test_bad_free_text(value: str, code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        rules.check_text("label", value, max_length=30, required=True)
    assert refused.value.errors[0]["code"] == code


def test_free_text_is_trimmed() -> None:
    assert rules.check_text("label", "  生产环境 ", max_length=30) == "生产环境"
