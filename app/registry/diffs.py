"""What a filing or an edit would change in a stored record, field by field.

`field -> [before, after]`, JSON-ready, with ID numbers masked: the same shape goes into
a submission's preview, a TalentVersion and an audit trail, none of which may hold an ID
number in clear. Dependents are compared through the blind index, so an unchanged list
costs no decryption.
"""

from __future__ import annotations

from typing import Any

from app.core.crypto import KeyRing
from app.registry.codes import CONDITIONS
from app.registry.identifiers import mask_id_number
from app.registry.models import Dependent, Honor, Talent
from app.registry.records import DEPENDENT_ID_CONTEXT, HonorData, TalentData, stored_conditions

STATUS_FILED = "filed"
STATUS_RETIRED = "retired"
_SCALARS = (
    "name",
    "employer",
    "employer_uscc",
    "occupation",
    "skill_level",
    "card_no",
    "frontline_since",
)


def record_changes(
    talent: Talent | None, data: TalentData, keyring: KeyRing
) -> dict[str, list[Any]]:
    """`{}` when filing `data` would leave `talent` as it is."""
    after = _data_fields(data)
    if talent is None:
        created: dict[str, list[Any]] = {"id_number": [None, mask_id_number(data.id_number)]}
        created.update({k: [None, v] for k, v in after.items() if v is not None and v != []})
        if data.dependents:
            created["dependents"] = [None, masked_dependents(data)]
        return created
    before = _stored_fields(talent)
    diff = {key: [before[key], value] for key, value in after.items() if before[key] != value}
    stored_keys = [(d.relation, d.id_hash, d.name) for d in talent.dependents]
    given_keys = [
        (str(d.relation), keyring.blind_index(d.id_number), d.name) for d in data.dependents
    ]
    if stored_keys != given_keys:
        diff["dependents"] = [masked_stored_dependents(talent, keyring), masked_dependents(data)]
    if talent.status == STATUS_RETIRED:
        diff["status"] = [STATUS_RETIRED, STATUS_FILED]
    return diff


def masked_dependents(data: TalentData) -> list[dict[str, str]]:
    return [
        {"relation": str(d.relation), "name": d.name, "id_number": mask_id_number(d.id_number)}
        for d in data.dependents
    ]


def masked_stored_dependents(talent: Talent, keyring: KeyRing) -> list[dict[str, str]]:
    return [_masked_dependent(d, keyring) for d in talent.dependents]


def honor_dicts(honors: tuple[HonorData, ...] | list[Honor]) -> list[dict[str, Any]]:
    return [
        {
            "category": str(h.category),
            "title": h.title,
            "conferred_by": h.conferred_by,
            "year": h.year,
            "certificate_no": h.certificate_no,
        }
        for h in honors
    ]


def _data_fields(data: TalentData) -> dict[str, Any]:
    fields: dict[str, Any] = {name: _plain(getattr(data, name)) for name in _SCALARS}
    for condition in CONDITIONS:
        met, note = data.conditions.get(condition, (False, None))
        fields[f"conditions.{condition}.met"] = bool(met)
        fields[f"conditions.{condition}.note"] = note
    fields["honors"] = honor_dicts(data.honors)
    return fields


def _stored_fields(talent: Talent) -> dict[str, Any]:
    fields: dict[str, Any] = {name: getattr(talent, name) for name in _SCALARS}
    for condition, (met, note) in stored_conditions(talent).items():
        fields[f"conditions.{condition}.met"] = met
        fields[f"conditions.{condition}.note"] = note
    fields["honors"] = honor_dicts(talent.honors)
    return fields


def _masked_dependent(dependent: Dependent, keyring: KeyRing) -> dict[str, str]:
    number = keyring.decrypt(dependent.id_cipher, context=DEPENDENT_ID_CONTEXT)
    return {
        "relation": dependent.relation,
        "name": dependent.name,
        "id_number": mask_id_number(number),
    }


def _plain(value: Any) -> Any:
    """Enum members (e.g. a SkillLevel) as their plain string, so JSON and `==` agree."""
    return str(value) if isinstance(value, str) else value
