"""Numbers a newcomer can try at the counter once the demo is loaded: a marker holder, a
blue-card holder without a marker, and a school-age child of a holder. Read back from the
database (and decrypted), so they hold however often the demo was loaded."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.keys import get_keyring
from app.lookup.rules import SCHOOL_AGES, age_on
from app.registry.identifiers import birth_date_of
from app.registry.markers import grants_priority, local_today
from app.registry.models import BlueCard, Dependent, Marker, Talent
from app.registry.records import CARD_ID_CONTEXT, DEPENDENT_ID_CONTEXT, TALENT_ID_CONTEXT


def sample_lines(session: Session) -> list[str]:
    keyring = get_keyring()
    today = local_today()
    lines: list[str] = []
    holders = session.execute(
        select(Talent.id, Talent.id_cipher, Talent.card_no, Marker.status, Marker.valid_until)
        .join(Marker, Marker.talent_id == Talent.id)
        .where(Talent.card_no.is_not(None))
        .order_by(Talent.name, Talent.id)
    ).all()
    active = [row for row in holders if grants_priority(row.status, row.valid_until, today)]
    if active:
        holder = active[0]
        number = keyring.decrypt(holder.id_cipher, context=TALENT_ID_CONTEXT)
        lines.append(f"holder with a marker:      ID {number}   card {holder.card_no}")
    talent_hashes = select(Talent.id_hash)
    plain = session.execute(
        select(BlueCard.id_cipher, BlueCard.card_no)
        .where(BlueCard.id_hash.not_in(talent_hashes))
        .order_by(BlueCard.id)
        .limit(1)
    ).first()
    if plain is not None:
        number = keyring.decrypt(plain.id_cipher, context=CARD_ID_CONTEXT)
        lines.append(f"card holder, no marker:    ID {number}   card {plain.card_no}")
    active_ids = {row.id for row in active}
    children = session.execute(
        select(Dependent.talent_id, Dependent.id_cipher)
        .where(Dependent.relation == "child")
        .order_by(Dependent.id)
    ).all()
    for child in children:
        number = keyring.decrypt(child.id_cipher, context=DEPENDENT_ID_CONTEXT)
        if child.talent_id in active_ids and age_on(birth_date_of(number), today) in SCHOOL_AGES:
            lines.append(f"child of school age:       ID {number}   (service: education)")
            break
    return lines
