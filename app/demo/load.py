"""Demo data for `bluecard serve --demo`: every role, a partner, a blue-card pool and a few
hundred fictitious talents filed through the real record-filing path.

Everything here is invented (`fakes.py`). Loading twice adds nothing: the second time only
a fresh partner key is issued, since the first one was shown once and never stored.
"""

from __future__ import annotations

import io
import json
import random
from datetime import date
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from app.access import partners, service
from app.access.codes import Role
from app.access.models import Partner, User
from app.core.audit import SYSTEM, NamedActor
from app.filing import review
from app.filing.intake import take_in
from app.filing.models import Submission
from app.filing.upload import hashed_upload
from app.registry.cards import import_cards
from app.registry.markers import local_today
from app.registry.models import BlueCard, Talent

from .fakes import fake_card_no, fake_id_number, fake_name, fake_occupation, fake_talent_record
from .samples import sample_lines

DEMO_PASSWORD = "Bluecard-Demo-2026"  # noqa: S105 - printed for the demo on purpose
PARTNER_NAME = "省住建厅购房资格审核系统"
USERS = [
    ("admin", Role.province_admin, None, "省人社厅 王处长"),
    ("hefei", Role.city_operator, "340100", "合肥市人社局 李科员"),
    ("wuhu", Role.city_operator, "340200", "芜湖市人社局 陈科员"),
    ("clerk", Role.window_clerk, None, "合肥市政务服务中心 窗口"),
    ("auditor", Role.auditor, None, "省审计厅 审计员"),
]
# Cities filed in the demo, with how many talents each files.
FILED_CITIES = {"340100": 60, "340200": 40, "340300": 30, "340500": 30, "340800": 30, "341200": 30}
EXTRA_CARDS = 400  # blue-card holders who are not leading talents


def holds_data(session: Session) -> bool:
    """Whether the database holds anyone's data: `--demo` loads only into an empty one
    (its logins have known passwords)."""
    return any(
        session.scalar(select(literal(1)).select_from(model).limit(1)) is not None
        for model in (User, Partner, Talent, BlueCard)
    )


def load_demo(session: Session) -> list[str]:
    """Load the demo once; return the lines to print: logins, numbers to try at the counter
    and a fresh partner key (the last line)."""
    first_time = session.scalar(select(User.id).where(User.username == "admin")) is None
    if first_time:
        for username, role, city, display in USERS:
            service.create_user(
                session,
                SYSTEM,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                city_code=city,
                display_name=display,
            )
        partner = partners.create_partner(
            session,
            SYSTEM,
            name=PARTNER_NAME,
            agency="安徽省住房和城乡建设厅",
            scopes=["priority:housing", "priority:employment"],
            disclose_person=True,
        )
        _file_talents(session, random.Random(2026), local_today())  # noqa: S311 - fiction
    else:
        partner = session.scalars(select(Partner).where(Partner.name == PARTNER_NAME)).one()
    _, key = partners.issue_api_key(session, SYSTEM, partner, label="demo")
    session.flush()
    return [
        f"logins (password {DEMO_PASSWORD}):",
        *(f"  {username:8} {role.value}" for username, role, *_ in USERS),
        "try at the counter (log in as clerk), by ID or card number:",
        *(f"  {line}" for line in sample_lines(session)),
        f"partner API key ({PARTNER_NAME}), shown once:",
        f"  {key}",
    ]


def _file_talents(session: Session, rng: random.Random, today: date) -> None:
    admin = NamedActor("user:admin", Role.province_admin.value)
    seen: set[str] = set()
    for city_code, count in FILED_CITIES.items():
        records = [_distinct_record(rng, city_code, seen) for _ in range(count)]
        _import_cards(session, rng, city_code, records)
        operator = NamedActor(f"user:{_operator_of(city_code)}", Role.city_operator.value)
        submission = _submit(session, operator, city_code, "2026Q3", records, today)
        review.submit(session, operator, submission)
        review.approve(session, admin, submission, today=today)
    # Work waiting for the province and for the city, so every page has something to show.
    operator = NamedActor("user:hefei", Role.city_operator.value)
    pending = [_distinct_record(rng, "340100", seen) for _ in range(8)]
    review.submit(session, operator, _submit(session, operator, "340100", "2026Q4", pending, today))
    broken = [_distinct_record(rng, "340200", seen) for _ in range(5)]
    broken[1]["id_number"] = broken[1]["id_number"][:-1] + (
        "0" if broken[1]["id_number"][-1] != "0" else "1"
    )
    broken[3]["skill_level"] = "大师"
    wuhu = NamedActor("user:wuhu", Role.city_operator.value)
    _submit(session, wuhu, "340200", "2026Q4", broken, today)


def _distinct_record(rng: random.Random, city_code: str, seen: set[str]) -> dict[str, Any]:
    while True:
        record = fake_talent_record(rng, city_code=city_code, eligible=rng.random() < 0.8)
        if record["id_number"] not in seen:
            seen.add(record["id_number"])
            return record


def _import_cards(
    session: Session, rng: random.Random, city_code: str, records: list[dict[str, Any]]
) -> None:
    talents = [
        {"card_no": r["card_no"], "id_number": r["id_number"], "name": r["name"]} for r in records
    ]
    others = [
        {
            "card_no": fake_card_no(rng, city_code),
            "id_number": fake_id_number(rng, city_code=city_code),
            "name": fake_name(rng),
        }
        for _ in range(EXTRA_CARDS // len(FILED_CITIES))
    ]
    rows = [
        (
            n,
            {
                **card,
                "city": city_code,
                "occupation": fake_occupation(rng),
                "issued_on": "2021-06-01",
            },
        )
        for n, card in enumerate(talents + others, start=1)
    ]
    import_cards(session, SYSTEM, rows, today=date(2026, 1, 1), source=f"demo-{city_code}")


def _submit(
    session: Session,
    actor: NamedActor,
    city_code: str,
    period: str,
    records: list[dict[str, Any]],
    today: date,
) -> Submission:
    body = json.dumps({"records": records}, ensure_ascii=False).encode()
    upload = hashed_upload(io.BytesIO(body), f"{city_code}-{period}.json")
    return take_in(
        session,
        actor,
        upload,
        city_code=city_code,
        period=period,
        idempotency_key=None,
        today=today,
    ).submission


def _operator_of(city_code: str) -> str:
    return {"340100": "hefei", "340200": "wuhu"}.get(city_code, f"city-{city_code}")
