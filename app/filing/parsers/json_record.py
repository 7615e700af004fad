"""One JSON record, flattened to the same field names as a CSV row.

The tabular format is the common ground: `honors[].year` holds the years of all honours in
order, so one validator serves every format. Shape problems (an unknown key, an object
where text belongs) become row issues, so the rest of the record is still checked.
"""

from __future__ import annotations

from typing import TypeGuard

from app.filing.parsers.base import RawValue, RowIssue, Scalar
from app.filing.parsers.columns import (
    LIST_GROUPS,
    SCALAR_FIELDS,
    condition_field,
    list_field,
)
from app.registry.codes import CONDITIONS

_CONDITION_KEYS = ("met", "note")
_SCALAR_TYPES = (str, int, float, bool)
_LIST_KEY_SETS = {group: frozenset(keys) for group, keys in LIST_GROUPS.items()}


def flatten_record(record: object) -> tuple[dict[str, RawValue], tuple[RowIssue, ...]]:
    if not isinstance(record, dict):
        return {}, (RowIssue("", "invalid_type"),)
    fields: dict[str, RawValue] = {}
    issues: list[RowIssue] = []
    for key, value in record.items():
        if key in SCALAR_FIELDS:
            _put_scalar(fields, issues, key, key, value)
        elif key == "conditions":
            _put_conditions(fields, issues, value)
        elif key in LIST_GROUPS:
            _put_list(fields, issues, key, value)
        else:
            issues.append(RowIssue(key, "unknown_field"))
    return fields, tuple(issues)


def _put_conditions(fields: dict[str, RawValue], issues: list[RowIssue], value: object) -> None:
    if not isinstance(value, dict):
        issues.append(RowIssue("conditions", "invalid_type"))
        return
    for name, entry in value.items():
        path = f"conditions.{name}"
        if name not in CONDITIONS:
            issues.append(RowIssue(path, "unknown_field"))
        elif not isinstance(entry, dict):
            issues.append(RowIssue(path, "invalid_type"))
        else:
            for key, item in entry.items():
                if key in _CONDITION_KEYS:
                    _put_scalar(fields, issues, condition_field(name, key), f"{path}.{key}", item)
                else:
                    issues.append(RowIssue(f"{path}.{key}", "unknown_field"))


def _put_list(
    fields: dict[str, RawValue], issues: list[RowIssue], group: str, value: object
) -> None:
    if value is None:
        return
    if not isinstance(value, list):
        issues.append(RowIssue(group, "invalid_type"))
        return
    keys, known = LIST_GROUPS[group], _LIST_KEY_SETS[group]
    columns: dict[str, list[Scalar]] = {key: [] for key in keys}
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            # Blank cells keep the later items at their own index.
            issues.append(RowIssue(f"{group}[{index}]", "invalid_type"))
            item = {}
        if not item.keys() <= known:
            issues.extend(
                RowIssue(f"{group}[{index}].{key}", "unknown_field")
                for key in item
                if key not in keys
            )
        for key in keys:
            cell = item.get(key)
            if _is_scalar(cell):
                columns[key].append(cell)
            else:
                issues.append(RowIssue(f"{group}[{index}].{key}", "invalid_type"))
                columns[key].append(None)
    for key, cells in columns.items():
        fields[list_field(group, key)] = cells


def _put_scalar(
    fields: dict[str, RawValue], issues: list[RowIssue], field: str, path: str, value: object
) -> None:
    if _is_scalar(value):
        fields[field] = value
    else:
        issues.append(RowIssue(path, "invalid_type"))


def _is_scalar(value: object) -> TypeGuard[Scalar]:
    return value is None or isinstance(value, _SCALAR_TYPES)
