"""Pydantic's validation errors in Chinese: the one translation the API and the pages share.

Pydantic speaks English ("Field required", "Input should be 'employment'..."); people read
Chinese. Each error becomes a field path (the API's `field`), a stable code (the API's
`code`) and a Chinese sentence naming the field by its label (`labels`: field name or
path -> 中文名, e.g. `app.field_labels.FIELD_LABELS`). Our own validators already raise
Chinese messages (`PydanticCustomError`, a `ValueError`); those are kept, with the field's
label in front when the sentence needs a subject. The input is never echoed: it may be an
ID number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Where FastAPI found the value: not part of the field's name.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form"})
# A union member's tag in `loc` (`function-after[...]`, `lax-or-strict[...]`): not a field.
_TAG = re.compile(r"[\[\](),]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"'([^']*)'")
# Pydantic's error types, renamed to the codes our clients see.
_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "json_invalid": "malformed_json",
}
# Our own Chinese messages that read as a predicate of the field ("不能包含身份证号…").
# Pydantic's carriers of a validator's own message: an empty input may be what it refuses.
_OWN_MESSAGE_KINDS = frozenset({"value_error", "assertion_error"})
_PREDICATES = ("不能", "不得", "应", "须", "必须", "只能", "已")

_TYPE_WORDS = {
    "string_type": "文字",
    "string_unicode": "文字",
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数",
    "float_type": "数字",
    "float_parsing": "数字",
    "decimal_type": "数字",
    "decimal_parsing": "数字",
    "bool_type": "“是”或“否”（true / false）",
    "bool_parsing": "“是”或“否”（true / false）",
    "list_type": "列表",
    "tuple_type": "列表",
    "set_type": "列表",
    "dict_type": "对象",
    "model_type": "对象",
    "model_attributes_type": "对象",
    "uuid_type": "编号（UUID）",
    "uuid_parsing": "编号（UUID）",
    "date_type": "日期（YYYY-MM-DD）",
    "date_parsing": "日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "日期（YYYY-MM-DD），不带时间",
    "datetime_type": "日期时间（ISO 8601，带时区）",
    "datetime_parsing": "日期时间（ISO 8601，带时区）",
    "datetime_from_date_parsing": "日期时间（ISO 8601，带时区）",
    "time_type": "时间（HH:MM）",
    "time_parsing": "时间（HH:MM）",
    "url_type": "网址",
    "url_parsing": "网址",
    "bytes_type": "文件或文字",
    "none_required": "空值（null）",
}
# A bound's words and the `ctx` key holding its number.
_BOUNDS = {
    "greater_than": ("必须大于", "gt"),
    "greater_than_equal": ("不能小于", "ge"),
    "less_than": ("必须小于", "lt"),
    "less_than_equal": ("不能大于", "le"),
    "multiple_of": ("必须是以下数的倍数：", "multiple_of"),
}


def field_path(loc: Sequence[Any]) -> str:
    """The API's `field`: `id_numbers.3`, `honors.0.year`; `body` for the whole request."""
    parts = [str(p) for p in _named_parts(loc)]
    return ".".join(parts) or "body"


def field_label(loc: Sequence[Any], labels: Mapping[str, str]) -> str:
    """The field as a person reads it: `honors[].year` -> 授予年份, `id_numbers.3` ->
    身份证号列表第4项; an unlabelled field by its name in corner brackets."""
    parts = _named_parts(loc)
    names = [p for p in parts if isinstance(p, str)]
    if not names:
        return "请求内容"
    label = _lookup(parts, labels) or f"「{'.'.join(str(p) for p in parts)}」"
    if isinstance(parts[-1], int) and "「" not in label:
        label += f"第{parts[-1] + 1}项"
    return label


def error_code(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", "invalid"))
    return _CODES.get(kind, kind)


def message_zh(error: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """One pydantic error as a Chinese sentence (no final stop) naming the field."""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    loc = error.get("loc", ())
    label = field_label(loc, labels)
    if kind == "json_invalid":
        where = f"（第{loc[-1] + 1}个字符附近）" if loc and isinstance(loc[-1], int) else ""
        return f"请求内容不是有效的 JSON{where}，请检查括号、引号和逗号"
    if kind == "extra_forbidden":
        return f"不认识的字段{_raw_name(loc)}，请检查拼写"
    blank = error.get("input") == "" and kind not in _OWN_MESSAGE_KINDS
    if kind == "missing" or blank or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"请填写{label}"
    if kind in _TYPE_WORDS:
        return f"{label}应为{_TYPE_WORDS[kind]}"
    if kind in ("enum", "literal_error"):
        return f"{label}的取值无效，应为以下之一：{_choices(ctx.get('expected'))}"
    if kind == "string_too_short":
        return f"{label}至少应有{ctx.get('min_length')}个字"
    if kind == "string_too_long":
        return f"{label}最多{ctx.get('max_length')}个字，请精简"
    if kind == "too_short":
        return f"{label}至少应有{ctx.get('min_length')}项"
    if kind == "too_long":
        return f"{label}最多{ctx.get('max_length')}项"
    if kind == "string_pattern_mismatch":
        return f"{label}的格式不正确"
    if kind in _BOUNDS:
        words, key = _BOUNDS[kind]
        return f"{label}{words}{ctx.get(key)}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return f"{label}的类型无效"
    own = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if _CJK.search(own):
        return _with_subject(own, label, has_field=bool(_named_parts(loc)))
    return f"{label}填写有误，请检查"


def api_errors(
    errors: Iterable[Mapping[str, Any]], labels: Mapping[str, str]
) -> list[dict[str, str]]:
    """The problem+json `errors` list: field path, stable code, Chinese message."""
    return [
        {
            "field": "body" if e.get("type") == "json_invalid" else field_path(e.get("loc", ())),
            "code": error_code(e),
            "message": message_zh(e, labels),
        }
        for e in errors
    ]


def _named_parts(loc: Sequence[Any]) -> list[str | int]:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    return [p for p in parts if isinstance(p, int) or not _TAG.search(str(p))]


def _lookup(parts: list[str | int], labels: Mapping[str, str]) -> str:
    """The most specific label: the whole path (`dependents[].name`), then shorter tails,
    then the last name alone."""
    if isinstance(parts[-1], int):
        parts = parts[:-1]
    while parts and isinstance(parts[0], int):
        parts = parts[1:]
    for start in range(len(parts)):
        tail = parts[start:]
        if isinstance(tail[0], int):
            continue
        key = "".join(f".{p}" if isinstance(p, str) else "[]" for p in tail).lstrip(".")
        if key in labels:
            return labels[key]
    names = [p for p in parts if isinstance(p, str)]
    return labels.get(names[-1], "") if names else ""


def _raw_name(loc: Sequence[Any]) -> str:
    parts = _named_parts(loc)
    return f"「{parts[-1]}」" if parts else ""


def _choices(expected: Any) -> str:
    found = _QUOTED.findall(str(expected or ""))
    return "、".join(found) if found else str(expected or "")


def _with_subject(message: str, label: str, *, has_field: bool) -> str:
    message = message.rstrip("。")
    if has_field and message.startswith(_PREDICATES) and label not in message:
        return label + message
    return message
