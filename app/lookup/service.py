"""Priority lookups: one person or a batch, each answer recorded before it leaves.

The hot path is deliberately flat: the blind index computed once per ID number, one
indexed select of every matching registry row (the person's own record with its marker,
and their dependent entries with the holder's marker), the decision in `rules.py`, and
one Core insert of the lookup records, on a bare Core connection without the ORM. Single
lookups that arrive together are answered together (`answer_asks`, a `group_commit`
handler): one select and one insert for the whole group. A batch's records go into the
lookup journal as one row (`journal`). Unknown people, people without a marker and people
whose marker no longer counts all take this same path and get the same negative answer.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal, cast

from pydantic_core import to_json
from sqlalchemy import (
    ARRAY,
    Connection,
    Executable,
    String,
    any_,
    bindparam,
    exists,
    false,
    insert,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy import cast as sql_cast

from app.access.auth import Principal
from app.access.codes import Role, Service, scope_for
from app.assistance.constants import CaseStatus
from app.assistance.models import AssistanceCase, AssistanceJobSeeker
from app.core.errors import Forbidden, InvalidInput, field_error
from app.core.group_commit import Outcome, in_group
from app.core.keys import get_keyring
from app.core.metrics import LOOKUPS
from app.core.reference import active_codes
from app.core.transactions import Transactions
from app.core.types import utcnow
from app.lookup import journal
from app.lookup.ids import uuid7, uuid7_hexes
from app.lookup.models import RECORDS
from app.lookup.rules import Match, Verdict, decide, relations_entitled_to
from app.lookup.schemas import (
    EntryError,
    LookupAnswer,
    LookupBatchRequest,
    LookupRequest,
    MarkerRef,
    PersonOut,
)
from app.registry.codes import Relation
from app.registry.identifiers import (
    InvalidIdNumber,
    birth_date_of,
    mask_id_number,
    validate_id_number,
)
from app.registry.markers import CHINA_STANDARD_TIME, local_today
from app.registry.models import BlueCard, Dependent, Marker, Talent
from app.registry.records import DEPENDENT_ID_CONTEXT

_INSERT_RECORDS = insert(RECORDS)
_INVALID = {
    "id_number": EntryError(
        code="invalid_id_number", message="身份证号码格式或校验位不正确"
    ).model_dump(),
    "card_no": EntryError(code="invalid_card_no", message="蓝卡卡号格式不正确").model_dump(),
}
_CARD_NO = re.compile(r"[0-9A-Z-]{1,32}")
_CARDS_HASHES: Executable = union_all(
    select(Talent.card_no, Talent.id_hash, literal(0).label("rank")).where(
        Talent.card_no.in_(bindparam("card_nos", expanding=True))
    ),
    select(BlueCard.card_no, BlueCard.id_hash, literal(1).label("rank")).where(
        BlueCard.card_no.in_(bindparam("card_nos", expanding=True))
    ),
)
# The blind index behind a blue-card number: from the pool, else from a filed record.
_CARD_HASH = union_all(
    select(BlueCard.id_hash).where(BlueCard.card_no == bindparam("card_no")),
    select(Talent.id_hash).where(Talent.card_no == bindparam("card_no")),
)


@dataclass(frozen=True)
class Ask:
    """One single lookup: who asks, what, and when."""

    caller: Principal
    request: LookupRequest
    now: datetime


async def lookup_one(
    caller: Principal, request: LookupRequest, transactions: Transactions
) -> LookupAnswer:
    """The single lookup, for the API and the counter page alike: looked up and recorded
    together with the lookups that arrive at the same time, in one transaction, and
    answered once that has committed (see `group_commit`)."""
    answer = await in_group(Ask(caller, request, utcnow()), answer_asks, transactions)
    return cast(LookupAnswer, answer)


def answer_asks(connection: Connection, asks: list[Ask]) -> list[Outcome]:
    """Single lookups that arrived together (a `group_commit` handler): one select of the
    registry rows of everyone asked about, one insert of their records. A caller without
    the scope gets its own 403; the others are answered."""
    outcomes: list[Outcome] = [(False, None)] * len(asks)
    subjects: list[tuple[int, Ask, str | None, str | None]] = []  # index, ask, hash, masked
    for index, ask in enumerate(asks):
        try:
            require_service(connection, ask.request.service)
            require_scope(ask.caller, ask.request.service)
        except (InvalidInput, Forbidden) as refused:
            outcomes[index] = (False, refused)
            continue
        subject: str | None
        if ask.request.id_number is not None:
            subject = get_keyring().blind_index(ask.request.id_number)
            subjects.append((index, ask, subject, mask_id_number(ask.request.id_number)))
        else:
            subject = _hash_of_card(connection, cast(str, ask.request.card_no))
            subjects.append((index, ask, subject, None))
    found = fetch_matches(
        connection,
        list({subject for _, _, subject, _ in subjects if subject}),
        *{ask.request.service for _, ask, _, _ in subjects},
    )
    records = []
    for index, ask, subject, masked in subjects:
        request, now = ask.request, ask.now
        verdict = decide(found.get(subject or "", ()), request.service, local_today(now))
        lookup_id = uuid7(now)
        query_kind = "id_number" if request.id_number is not None else "card_no"
        record = _record(ask.caller, request.service, request.purpose, now, query_kind)
        outcome = _outcome_of(verdict)
        LOOKUPS.labels(request.service, outcome).inc()
        record.update(id=lookup_id, subject_hash=subject, outcome=outcome, basis=verdict.basis)
        records.append(record)
        # Built from our own values: validating them again is work without a purpose.
        answer = LookupAnswer.model_construct(
            priority=verdict.priority,
            service=request.service,
            basis=verdict.basis,
            marker=_marker_of(verdict),
            lookup_id=lookup_id,
            checked_at=now.astimezone(CHINA_STANDARD_TIME).replace(microsecond=0),
        )
        if discloses_person(ask.caller):
            answer.person = _person_of(verdict, masked)
        outcomes[index] = (True, answer)
    if records:  # with no rows, the insert would write one of defaults
        connection.execute(_INSERT_RECORDS, records)
    return outcomes


@dataclass(frozen=True)
class PreparedBatch:
    """A batch's ID numbers checked, masked and hashed: the work that needs no database,
    done before the transaction so that it does not hold SQLite's write lock."""

    caller: Principal
    request: LookupBatchRequest
    today: date
    # (masked number or card number, blind index or card number, or None if invalid)
    entries: list[tuple[str, str | None]]
    hashes: list[str]  # each distinct valid number's blind index, or card number, once

    @property
    def kind(self) -> Literal["id_number", "card_no"]:
        return "id_number" if self.request.id_numbers is not None else "card_no"


def prepare_batch(
    caller: Principal, request: LookupBatchRequest, *, now: datetime
) -> PreparedBatch:
    """The batch checked, masked and hashed, once `caller` is known to have the scope."""
    require_scope(caller, request.service)
    today = local_today(now)
    if request.card_nos is not None:
        cards = [_card_entry(raw, today) for raw in request.card_nos]
        distinct = list({card for _, card in cards if card is not None})
        return PreparedBatch(caller, request, today, cards, distinct)
    keyring = get_keyring()
    hash_of: dict[str, str] = {}
    entries: list[tuple[str, str | None]] = []
    for raw in request.id_numbers or ():
        try:
            number = validate_id_number(raw, today=today)
        except InvalidIdNumber:
            entries.append((mask_id_number(raw), None))
            continue
        subject_hash = hash_of.get(number)
        if subject_hash is None:
            subject_hash = hash_of[number] = keyring.blind_index(number)
        entries.append((mask_id_number(number), subject_hash))
    return PreparedBatch(caller, request, today, entries, list(hash_of.values()))


def lookup_batch(connection: Connection, batch: PreparedBatch, *, now: datetime) -> bytes:
    """The answers as JSON in the shape of `LookupBatchAnswer`, serialised straight from
    plain values (building a thousand models cost more than looking the people up); the
    lookups recorded as one journal row (`journal`)."""
    caller, request, kind = batch.caller, batch.request, batch.kind
    require_service(connection, request.service)
    entries_in = batch.entries
    if kind == "card_no":
        hash_of_card = _hashes_of_cards(connection, batch.hashes)
        # An unknown card is answered "no priority" (""), not as an invalid entry (None).
        entries_in = [
            (label, None if card is None else hash_of_card.get(card, ""))
            for label, card in batch.entries
        ]
    hashes = list({subject for _, subject in entries_in if subject})
    found = fetch_matches(connection, hashes, request.service)
    disclose = discloses_person(caller)
    label_key = "id_number_masked" if kind == "id_number" else "card_no"
    entries: list[journal.Entry] = []
    results: list[dict[str, Any]] = []
    ids = uuid7_hexes(now, len(entries_in))
    for (label, subject_hash), lookup_id in zip(entries_in, ids, strict=True):
        if subject_hash is None:
            entries.append((lookup_id, None, "invalid", None))
            results.append({label_key: label, "error": _INVALID[kind]})
        else:
            verdict = decide(found.get(subject_hash, ()), request.service, batch.today)
            entries.append((lookup_id, subject_hash or None, _outcome_of(verdict), verdict.basis))
            masked = label if kind == "id_number" else None
            answer = _batch_answer(verdict, request.service, masked, disclose)
            results.append({label_key: label, **answer})
    shared = _record(caller, request.service, request.purpose, now, kind)
    for outcome, count in Counter(entry[2] for entry in entries).items():
        LOOKUPS.labels(request.service, outcome).inc(count)
    row = journal.journal_row(shared, uuid7(now), entries)
    connection.execute(journal.INSERT_JOURNAL, row)
    return to_json({"results": results})


def require_service(connection: Connection, service: str) -> None:
    """The service must be one of the province's active services (the reference list)."""
    if service not in active_codes(connection, "services"):
        message = f"「{service}」不是本省在用的服务代码（见 /api/v1/reference/services）。"
        raise InvalidInput(message, errors=[field_error("service", "invalid_service", message)])


def require_scope(caller: Principal, service: str) -> None:
    """A partner may ask only about the services its scopes name; clerks about all."""
    if caller.is_partner and scope_for(service) not in caller.scopes:
        raise Forbidden(f"该合作系统未获授权查询此项服务（需要 {scope_for(service)}）。")


def discloses_person(caller: Principal) -> bool:
    return caller.role == Role.window_clerk or (caller.is_partner and caller.disclose_person)


def fetch_matches(
    connection: Connection, hashes: Sequence[str], *services: str
) -> dict[str, list[Match]]:
    """Every registry row for these blind indexes in one select, grouped by index: the
    person's own, and their dependent entries in the relations any of `services` serves
    (`rules.decide` keeps those that the service asked about serves)."""
    found: dict[str, list[Match]] = defaultdict(list)
    if not hashes:
        return found
    relations = frozenset().union(*(relations_entitled_to(service) for service in services))
    shape = _shape_of(hashes, connection.dialect.name)
    statement = _match_statement(relations, shape)
    params = {"hashes": hashes[0] if shape == "one" else list(hashes)}
    # Rows unpacked by position, not read by name: a batch reads a thousand of them.
    ages_count = Service.education in services
    for id_hash, *columns in connection.execute(statement, params):
        match = Match(*columns)
        if ages_count and match.relation == Relation.child:
            # Decrypted only for a matched child: the birth date is in their ID number.
            number = get_keyring().decrypt(match.id_cipher, context=DEPENDENT_ID_CONTEXT)
            match = replace(match, birth_date=birth_date_of(number))
        found[id_hash].append(match)
    return found


# How the blind indexes asked about are bound: one (the single lookup, the hot path) as a
# plain parameter, which SQLAlchemy need not render again on every call; several as one
# array on PostgreSQL (`= ANY(:hashes)`: a thousand took PostgreSQL 9 ms, against 30-38 ms
# as an IN list of a thousand parameters, which it plans afresh each time and answered
# with sequential scans); else as an expanding IN list.
HashesShape = Literal["one", "array", "list"]


def _shape_of(hashes: Sequence[str], dialect: str) -> HashesShape:
    if len(hashes) == 1:
        return "one"
    return "array" if dialect == "postgresql" else "list"


@lru_cache
def _match_statement(relations: frozenset[str], shape: HashesShape) -> Executable:
    """Built once per set of relations and shape of the blind indexes."""

    def asked(column: Any) -> Any:
        if shape == "one":
            return column == bindparam("hashes")
        if shape == "array":
            return column == any_(bindparam("hashes", type_=ARRAY(String)))
        return column.in_(bindparam("hashes", expanding=True))

    holders = (
        select(
            Talent.id_hash,
            sql_cast(null(), String(16)).label("relation"),
            Talent.name,
            Talent.id_cipher,
            Marker.code,
            Marker.status,
            Marker.valid_until,
            false().label("job_seeker"),
        )
        .select_from(Talent)
        .outerjoin(Marker, Marker.talent_id == Talent.id)
        .where(asked(Talent.id_hash))
    )
    if not relations:
        return holders
    dependents = (
        select(
            Dependent.id_hash,
            Dependent.relation,
            Dependent.name,
            Dependent.id_cipher,
            Marker.code,
            Marker.status,
            Marker.valid_until,
            _JOB_SEEKING.label("job_seeker"),
        )
        .select_from(Dependent)
        .join(Marker, Marker.talent_id == Dependent.talent_id)
        .where(
            asked(Dependent.id_hash),
            # Literals fixed in the cached statement, not a list expanded on every call.
            Dependent.relation.in_([literal(relation) for relation in sorted(relations)]),
        )
    )
    return union_all(holders, dependents)


# Listed as wanting work on the holder's open assistance case (a primary-key probe).
_JOB_SEEKING = exists(
    select(AssistanceJobSeeker.dependent_id)
    .join(AssistanceCase, AssistanceCase.id == AssistanceJobSeeker.case_id)
    .where(
        AssistanceJobSeeker.dependent_id == Dependent.id,
        AssistanceCase.status == CaseStatus.open.value,
    )
)


def card_known(connection: Connection, card_no: str) -> bool:
    """Whether a blue card with this number is in the pool or on a filed record."""
    return _hash_of_card(connection, card_no) is not None


def _hash_of_card(connection: Connection, card_no: str) -> str | None:
    return connection.scalars(_CARD_HASH, {"card_no": card_no}).first()


def _hashes_of_cards(connection: Connection, card_nos: list[str]) -> dict[str, str]:
    """Each known card's blind index, the pool's over a filed record's (as `_CARD_HASH`)."""
    if not card_nos:
        return {}
    rows = connection.execute(_CARDS_HASHES, {"card_nos": card_nos}).all()
    return {card: id_hash for card, id_hash, _ in sorted(rows, key=lambda row: row[2])}


def _card_entry(raw: str, today: date) -> tuple[str, str | None]:
    """A batch's card number as (what the answer shows, the card to resolve or None)."""
    card = raw.strip().upper()
    try:
        validate_id_number(raw, today=today)
    except InvalidIdNumber:
        if _CARD_NO.fullmatch(card):
            return card, card
        return mask_id_number(raw), None
    return mask_id_number(raw), None  # an ID number sent as a card: never echoed


def _record(
    caller: Principal, service: str, purpose: str, now: datetime, query_kind: str
) -> dict[str, Any]:
    return {
        "occurred_at": now,
        "caller_kind": caller.kind,
        "caller_id": caller.id,
        "caller_name": caller.name,
        "service": str(service),
        "purpose": purpose,
        "query_kind": query_kind,
    }


def _outcome_of(verdict: Verdict) -> str:
    return "priority" if verdict.priority else "no_priority"


def _marker_of(verdict: Verdict) -> MarkerRef | None:
    match = verdict.match
    if match is None or match.marker_code is None or match.valid_until is None:
        return None
    return MarkerRef.model_construct(code=match.marker_code, valid_until=match.valid_until)


def _person_of(verdict: Verdict, masked: str | None) -> PersonOut | None:
    """The person the answer is about, when it is positive: a negative answer shows no
    one, so it cannot tell an unknown person from a known one."""
    match = verdict.match
    if match is None:
        return None
    if masked is None:
        # Ciphertexts are bound to their column: the talent's own number or a dependent's.
        context = "talent.id_number" if match.relation is None else "dependent.id_number"
        masked = mask_id_number(get_keyring().decrypt(match.id_cipher, context=context))
    return PersonOut.model_construct(name=match.name, id_number_masked=masked)


def _batch_answer(
    verdict: Verdict, service: str, masked: str | None, disclose: bool
) -> dict[str, Any]:
    """One entry of `LookupBatchAnswer.results` as plain values (see `lookup_batch`),
    without the entry's label (`id_number_masked` or `card_no`)."""
    match = verdict.match
    marker = None
    if match is not None and match.marker_code is not None and match.valid_until is not None:
        marker = {"code": match.marker_code, "valid_until": match.valid_until}
    answer: dict[str, Any] = {
        "priority": verdict.priority,
        "service": service,
        "basis": verdict.basis,
        "marker": marker,
    }
    if disclose:
        person = _person_of(verdict, masked)
        answer["person"] = None if person is None else person.model_dump()
    return answer
