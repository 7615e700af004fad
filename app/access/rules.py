"""The rules for account and partner fields. Pure: values in, `InvalidInput` out."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from app.access import passwords
from app.access.codes import Role
from app.core.errors import InvalidInput, field_error
from app.core.free_text import contains_id_number
from app.core.reference import city_names
from app.core.text_fields import checked_text

USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9._@-]{2,63}$")


def is_plausible_username(username: str) -> bool:
    """True for a string that could name an account (and may be written to the audit)."""
    # A username is written into the audit chain on every login: never an ID number.
    return bool(USERNAME_PATTERN.match(username)) and not contains_id_number(username)


def check_username(username: str) -> str:
    if not is_plausible_username(username):
        message = "用户名须以字母开头，由 3–64 个字母、数字或 . _ @ - 组成，且不能包含身份证号。"
        raise InvalidInput(message, errors=[field_error("username", "invalid_username", message)])
    return username


def check_password(password: str, *, username: str) -> str:
    try:
        passwords.check_policy(password, username=username)
    except passwords.WeakPassword as exc:
        raise InvalidInput(str(exc), errors=[field_error("password", exc.code, str(exc))]) from exc
    return password


def check_role_city(role: str, city_code: str | None) -> str | None:
    """Validate the pair; return the city to store. City operators have one; a window
    clerk has one when serving at a city's window, none at the province's."""
    if role not in set(Role):
        message = "未知角色。"
        raise InvalidInput(message, errors=[field_error("role", "invalid_choice", message)])
    city_bound = role == Role.city_operator or (role == Role.window_clerk and city_code)
    if not city_bound:
        return None
    if city_code not in city_names():
        message = "市级经办人员必须绑定一个本省的市。"
        raise InvalidInput(message, errors=[field_error("city_code", "invalid_city", message)])
    return city_code


def check_scopes(scopes: Iterable[str], allowed: Collection[str]) -> list[str]:
    """Validate partner scopes against `allowed` (one per active service), at least one (a
    partner with none could call nothing); return them sorted without duplicates."""
    chosen = sorted(set(scopes))
    if not chosen:
        message = "请至少选择一项服务事项。"
        raise InvalidInput(message, errors=[field_error("scopes", "no_scope", message)])
    unknown = [s for s in chosen if s not in allowed]
    if unknown:
        message = "未知的权限范围：" + "、".join(unknown) + "。可选：" + "、".join(sorted(allowed))
        raise InvalidInput(message, errors=[field_error("scopes", "invalid_scope", message)])
    return chosen


def check_text(field: str, value: str, *, max_length: int, required: bool = False) -> str:
    """Free text that ends up in the audit chain: bounded, and never an ID number."""
    value = value.strip()
    if required and not value:
        message = "不能为空。"
        raise InvalidInput(message, errors=[field_error(field, "required", message)])
    if len(value) > max_length:
        message = f"不能超过 {max_length} 个字符。"
        raise InvalidInput(message, errors=[field_error(field, "too_long", message)])
    return checked_text(field, value)
