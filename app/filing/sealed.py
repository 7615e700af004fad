"""A validated row's record, sealed for storage until approval and opened again then.

The record holds ID numbers in clear (the holder's and the dependents'), so it is stored
encrypted, bound to its column by the encryption context. Hand-written (de)serialisation:
`dataclasses.asdict` is several times slower, and approval opens 100,000 of these (written
as JSON columns are, read with orjson: 2.5 times sooner than the standard library).
"""

from __future__ import annotations

from typing import Any

import orjson

from app.core.crypto import KeyRing
from app.core.db import Base, compact_json
from app.core.rotation import CipherColumn
from app.filing.models import SubmissionRow
from app.filing.rows import FiledRow, Retirement
from app.registry.records import DependentData, HonorData, TalentData

RECORD_CONTEXT = "submission_row.record"
# The filing's encrypted columns, for key rotation (`core.rotation`).
CIPHER_COLUMNS: tuple[CipherColumn, ...] = (
    (Base.metadata.tables[SubmissionRow.__tablename__], "record_cipher", RECORD_CONTEXT),
)


def seal(record: FiledRow, keyring: KeyRing) -> str:
    return keyring.encrypt(compact_json(_as_json(record)), context=RECORD_CONTEXT)


def unseal(token: str, keyring: KeyRing) -> FiledRow:
    data = orjson.loads(keyring.decrypt(token, context=RECORD_CONTEXT))
    if data["action"] == "retire":
        return Retirement(data["id_number"], data["reason"])
    return TalentData(
        id_number=data["id_number"],
        name=data["name"],
        employer=data["employer"],
        employer_uscc=data["employer_uscc"],
        occupation=data["occupation"],
        skill_level=data["skill_level"],
        card_no=data["card_no"],
        frontline_since=data["frontline_since"],
        conditions={code: (bool(met), note) for code, (met, note) in data["conditions"].items()},
        honors=tuple(
            HonorData(h["category"], h["title"], h["conferred_by"], h["year"], h["certificate_no"])
            for h in data["honors"]
        ),
        dependents=tuple(
            DependentData(d["relation"], d["id_number"], d["name"]) for d in data["dependents"]
        ),
    )


def _as_json(record: FiledRow) -> dict[str, Any]:
    if isinstance(record, Retirement):
        return {"action": "retire", "id_number": record.id_number, "reason": record.reason}
    return {
        "action": "upsert",
        "id_number": record.id_number,
        "name": record.name,
        "employer": record.employer,
        "employer_uscc": record.employer_uscc,
        "occupation": record.occupation,
        "skill_level": record.skill_level,
        "card_no": record.card_no,
        "frontline_since": record.frontline_since,
        "conditions": {code: [met, note] for code, (met, note) in record.conditions.items()},
        "honors": [
            {
                "category": h.category,
                "title": h.title,
                "conferred_by": h.conferred_by,
                "year": h.year,
                "certificate_no": h.certificate_no,
            }
            for h in record.honors
        ],
        "dependents": [
            {"relation": d.relation, "id_number": d.id_number, "name": d.name}
            for d in record.dependents
        ],
    }
