"""The JSON submission format: the committed JSON Schema and the models it comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.filing.file_format import (
    RetireRecord,
    SubmissionFile,
    UpsertRecord,
    submission_json_schema,
)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / "submission.schema.json"
EXAMPLE = Path(__file__).parent / "files" / "contract_example.json"


def test_committed_schema_matches_the_models() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == submission_json_schema(), (
        "schemas/submission.schema.json is stale: run "
        "`python -m app.filing.file_format > schemas/submission.schema.json`"
    )


def test_schema_names_every_record_kind_and_forbids_unknown_keys() -> None:
    schema = submission_json_schema()
    records = schema["properties"]["records"]["items"]
    assert records["discriminator"]["propertyName"] == "action"
    assert set(records["discriminator"]["mapping"]) == {"upsert", "retire"}
    for name in ("UpsertRecord", "RetireRecord", "HonorEntry", "DependentEntry"):
        assert schema["$defs"][name]["additionalProperties"] is False


def test_contract_example_is_a_valid_submission_file() -> None:
    parsed = SubmissionFile.model_validate_json(EXAMPLE.read_bytes())
    assert [type(record) for record in parsed.records] == [UpsertRecord, RetireRecord]


@pytest.mark.parametrize(
    "record",
    [
        {"action": "delete", "id_number": "34010219800101001X", "reason": "x"},
        {"action": "retire", "id_number": "34010219800101001X"},
        {"action": "retire", "id_number": "3401021980", "reason": "退休"},
        {"action": "retire", "id_number": "34010219800101001X", "reason": "退休", "extra": 1},
    ],
)
def test_models_refuse_records_outside_the_format(record: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        SubmissionFile.model_validate({"records": [record]})
