"""`bluecard users ...` and `bluecard partners ...`: thin wrappers over the services.

Each command is one transaction, recorded in the audit chain as `cli:<os user>`.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import TypeAlias

from app.access import partners, service
from app.access.codes import Role
from app.core.audit import shell_actor
from app.core.db import session_scope
from app.core.errors import AppError
from app.core.types import utcnow

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Command = Callable[[argparse.Namespace], int]


def register(sub: SubParsers) -> None:
    _register_users(sub.add_parser("users", help="people's accounts").add_subparsers(required=True))
    _register_partners(
        sub.add_parser("partners", help="partner systems and API keys").add_subparsers(
            required=True
        )
    )


def _register_users(users: SubParsers) -> None:
    create = users.add_parser("create", help="create an account; the password is read from stdin")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--city", help="city code: for city operators; for a city's window clerks")
    create.add_argument("--display-name", default="")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of stdin (never from the command line)",
    )
    create.set_defaults(func=_refusals_printed(_users_create))
    users.add_parser("list", help="list accounts").set_defaults(func=_refusals_printed(_users_list))
    disable = users.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("--username", required=True)
    disable.set_defaults(func=_refusals_printed(_users_disable))


def _register_partners(sub: SubParsers) -> None:
    create = sub.add_parser("create", help="register a partner; prints its id, then its key")
    create.add_argument("--name", required=True)
    create.add_argument("--agency", default="")
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        dest="scopes",
        help="priority:<service>, a service of the province's list (e.g. priority:housing)",
    )
    create.add_argument("--disclose-person", action="store_true")
    create.set_defaults(func=_refusals_printed(_partners_create))
    sub.add_parser("list", help="list partners and their keys").set_defaults(
        func=_refusals_printed(_partners_list)
    )
    issue = sub.add_parser("issue-key", help="issue another key; prints it on the last line")
    issue.add_argument("--name", required=True)
    issue.add_argument("--label", default="")
    issue.add_argument("--expires-days", type=int, help="the key stops working after N days")
    issue.set_defaults(func=_refusals_printed(_partners_issue_key))
    revoke = sub.add_parser("revoke-key", help="revoke a key by its public prefix")
    revoke.add_argument("--prefix", required=True)
    revoke.set_defaults(func=_refusals_printed(_partners_revoke_key))


def _users_create(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    with session_scope() as session:
        user = service.create_user(
            session,
            shell_actor(),
            username=args.username,
            password=password,
            role=args.role,
            city_code=args.city,
            display_name=args.display_name,
        )
    print(f"created user {user.username} ({user.role}) {user.id}")
    return 0


def _users_list(_args: argparse.Namespace) -> int:
    with session_scope() as session:
        page = service.list_users(session, page=1, page_size=10_000)
        for user in page.items:
            state = "active" if user.is_active else "disabled"
            print(f"{user.username}\t{user.role}\t{user.city_code or '-'}\t{state}")
    return 0


def _users_disable(args: argparse.Namespace) -> int:
    with session_scope() as session:
        user = service.get_user_by_username(session, args.username)
        service.update_user(session, shell_actor(), user, is_active=False)
    print(f"disabled user {user.username}")
    return 0


def _partners_create(args: argparse.Namespace) -> int:
    with session_scope() as session:
        actor = shell_actor()
        partner = partners.create_partner(
            session,
            actor,
            name=args.name,
            agency=args.agency,
            scopes=args.scopes,
            disclose_person=args.disclose_person,
        )
        _, key = partners.issue_api_key(session, actor, partner, label="initial")
    print(partner.id)
    print(key)
    return 0


def _partners_list(_args: argparse.Namespace) -> int:
    with session_scope() as session:
        for partner in partners.list_partners(session, page=1, page_size=10_000).items:
            state = "active" if partner.is_active else "disabled"
            scopes = ",".join(partner.scopes) or "-"
            print(f"{partner.name}\t{partner.id}\t{scopes}\t{state}")
            for key in partners.list_api_keys(session, partner):
                key_state = "revoked" if key.revoked_at else "live"
                print(f"  key {key.prefix}\t{key.label or '-'}\t{key_state}")
    return 0


def _partners_issue_key(args: argparse.Namespace) -> int:
    expires_at = utcnow() + timedelta(days=args.expires_days) if args.expires_days else None
    with session_scope() as session:
        partner = partners.get_partner_by_name(session, args.name)
        row, key = partners.issue_api_key(
            session, shell_actor(), partner, label=args.label, expires_at=expires_at
        )
    print(f"issued key {row.prefix} for {partner.name}")
    print(key)
    return 0


def _partners_revoke_key(args: argparse.Namespace) -> int:
    with session_scope() as session:
        key = partners.get_api_key_by_prefix(session, args.prefix)
        partners.revoke_api_key(session, shell_actor(), key)
    print(f"revoked key {args.prefix}")
    return 0


def _refusals_printed(command: Command) -> Command:
    """Print a service's refusal (bad input, conflict, not found) and exit 1."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except AppError as exc:
            print(f"error ({exc.code}): {exc.detail}", file=sys.stderr)
            for error in getattr(exc, "errors", []):
                print(f"  {error['field']} ({error['code']}): {error['message']}", file=sys.stderr)
            return 1

    return run
