"""`bluecard users ...` and `bluecard partners ...` against a database of their own."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from app.access import login
from app.access.models import Partner, User
from app.cli import main
from app.core.audit import AuditEvent
from app.core.db import session_scope
from tests.access.credentials import principal_of

PASSWORD = "Night-Shift-2300"


@pytest.fixture
def cli(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """Run `bluecard ...` with the given stdin; return (exit code, stdout, stderr)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    # `main` points the root logger at the captured stderr, which closes after the test.
    root.handlers[:] = handlers
    root.setLevel(level)


def test_users_create_reads_the_password_from_stdin(cli: Callable) -> None:
    code, out, _ = cli(
        "users",
        "create",
        "--username",
        "op.wuhu",
        "--role",
        "city_operator",
        "--city",
        "340200",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0
    assert "op.wuhu" in out and PASSWORD not in out
    with session_scope() as session:
        outcome = login.authenticate(
            session, username="op.wuhu", password=PASSWORD, client_address="cli-test"
        )
        assert outcome.user is not None and outcome.user.city_code == "340200"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
        assert event.actor.startswith("cli:")


def test_users_create_refuses_a_weak_password(cli: Callable) -> None:
    code, _, err = cli(
        "users",
        "create",
        "--username",
        "clerk.a",
        "--role",
        "window_clerk",
        "--password-stdin",
        stdin="short\n",
    )
    assert code == 1
    assert "weak_password" in err
    with session_scope() as session:
        assert session.scalar(select(User).where(User.username == "clerk.a")) is None


def test_users_create_requires_password_stdin(cli: Callable) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("users", "create", "--username", "clerk.a", "--role", "window_clerk")
    assert exited.value.code == 2


def test_users_list_and_disable(cli: Callable) -> None:
    cli(
        "users",
        "create",
        "--username",
        "clerk.b",
        "--role",
        "window_clerk",
        "--password-stdin",
        stdin=PASSWORD,
    )
    code, out, _ = cli("users", "list")
    assert code == 0 and "clerk.b\twindow_clerk\t-\tactive" in out
    assert cli("users", "disable", "--username", "clerk.b")[0] == 0
    assert "clerk.b\twindow_clerk\t-\tdisabled" in cli("users", "list")[1]
    code, _, err = cli("users", "disable", "--username", "nobody.here")
    assert code == 1 and "not_found" in err


def test_users_create_puts_a_window_clerk_at_a_citys_window(cli: Callable) -> None:
    argv = ("users", "create", "--username", "clerk.wuhu", "--role", "window_clerk")
    code, _, _ = cli(*argv, "--city", "340200", "--password-stdin", stdin=PASSWORD)
    assert code == 0
    assert "clerk.wuhu\twindow_clerk\t340200\tactive" in cli("users", "list")[1]


def test_partners_create_prints_the_id_then_the_key_alone_on_the_last_line(
    cli: Callable,
) -> None:
    code, out, _ = cli(
        "partners",
        "create",
        "--name",
        "芜湖医保系统",
        "--agency",
        "芜湖市医疗保障局",
        "--scope",
        "priority:medical",
        "--scope",
        "priority:social_insurance",
        "--disclose-person",
    )
    assert code == 0
    lines = out.splitlines()
    partner_id, key = uuid.UUID(lines[0]), lines[-1]
    assert key.startswith("bk_") and " " not in key
    with session_scope() as session:
        principal = principal_of(session, key)
        assert principal is not None and principal.id == partner_id
        assert principal.scopes == {"priority:medical", "priority:social_insurance"}
        assert principal.disclose_person


def test_partners_create_refuses_an_unknown_scope(cli: Callable) -> None:
    code, _, err = cli("partners", "create", "--name", "x", "--scope", "priority:parking")
    assert code == 1 and "invalid_scope" in err


def test_partners_issue_list_and_revoke_keys(cli: Callable) -> None:
    first = cli("partners", "create", "--name", "教育系统", "--scope", "priority:education")[1]
    first_key = first.splitlines()[-1]
    code, out, _ = cli("partners", "issue-key", "--name", "教育系统", "--label", "轮换")
    assert code == 0
    second_key = out.splitlines()[-1]
    second_prefix = second_key.split("_")[1]
    listing = cli("partners", "list")[1]
    assert "教育系统" in listing and second_prefix in listing
    assert first_key not in listing and second_key not in listing

    assert cli("partners", "revoke-key", "--prefix", second_prefix)[0] == 0
    with session_scope() as session:
        assert principal_of(session, second_key) is None
        assert principal_of(session, first_key) is not None
        partner = session.scalars(select(Partner).where(Partner.name == "教育系统")).one()
        assert len(partner.keys) == 2
    assert f"key {second_prefix}\t轮换\trevoked" in cli("partners", "list")[1]
    assert cli("partners", "revoke-key", "--prefix", "ffffffff")[0] == 1
