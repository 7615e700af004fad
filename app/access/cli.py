"""`bluecard users ...` and `bluecard partners ...`: thin wrappers over the services.

Each command is one transaction, recorded in the audit chain as `cli:<os user>`. A service's
refusal (bad input, conflict, not found) is printed and exits 1 (`core.exit_status`).
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import TypeAlias

from app.access import partners, service
from app.access.codes import Role
from app.core.audit import shell_actor
from app.core.db import session_scope
from app.core.types import utcnow

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(sub: SubParsers) -> None:
    users = sub.add_parser("users", help="people's accounts")
    _register_users(users.add_subparsers(required=True, metavar="COMMAND"))
    partners_cmd = sub.add_parser("partners", help="partner systems and API keys")
    _register_partners(partners_cmd.add_subparsers(required=True, metavar="COMMAND"))


def _register_users(users: SubParsers) -> None:
    create = users.add_parser("create", help="create an account; the password is read from stdin")
    create.add_argument("--username", required=True, help="the login name")
    create.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help="one of %(choices)s"
    )
    create.add_argument("--city", help="city code: for city operators; for a city's window clerks")
    create.add_argument("--display-name", default="", help="the name pages show, e.g. 王芳")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of stdin (never from the command line)",
    )
    create.set_defaults(func=_users_create)
    users.add_parser("list", help="list accounts").set_defaults(func=_users_list)
    disable = users.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("--username", required=True, help="the login name")
    disable.set_defaults(func=_users_disable)


def _register_partners(sub: SubParsers) -> None:
    create = sub.add_parser("create", help="register a partner; prints its id, then its key")
    create.add_argument("--name", required=True, help="the partner system's unique name")
    create.add_argument("--agency", default="", help="the agency that runs it")
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        dest="scopes",
        help="priority:<service>, a service of the province's list (e.g. priority:housing)",
    )
    create.add_argument(
        "--disclose-person", action="store_true", help="its answers show the person's name"
    )
    create.set_defaults(func=_partners_create)
    sub.add_parser("list", help="list partners and their keys").set_defaults(func=_partners_list)
    issue = sub.add_parser("issue-key", help="issue another key; prints it on the last line")
    issue.add_argument("--name", required=True, help="the partner's name")
    issue.add_argument("--label", default="", help="a note to tell its keys apart")
    issue.add_argument("--expires-days", type=int, help="the key stops working after N days")
    issue.set_defaults(func=_partners_issue_key)
    revoke = sub.add_parser("revoke-key", help="revoke a key by its public prefix")
    revoke.add_argument("--prefix", required=True, help="the key's public prefix (partners list)")
    revoke.set_defaults(func=_partners_revoke_key)


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
