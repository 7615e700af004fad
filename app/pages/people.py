"""Who did something, as a person reads it: an account's display name, not `user:admin`.

The audit chain, a record's history and a submission name their actor as `kind:name`
(`user:<login name>`, `partner:<partner name>`, `cli:<OS user>`, `system`). A page loads the
display names of the accounts it shows once (`names_for`) and renders each actor with the
`who` it was given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from app.access.service import display_names

_FIXED = {"system": "系统", "anonymous": "未登录访客"}


class Names:
    def __init__(self, display: Mapping[str, str]) -> None:
        self._display = dict(display)

    def __call__(self, actor: str | None) -> str:
        if not actor:
            return "—"
        kind, _, name = actor.partition(":")
        if not name:
            return _FIXED.get(actor, actor)
        if kind == "user":
            return self._display.get(name, name)
        if kind == "cli":
            return f"命令行操作（{name}）"
        return name  # a partner system by its name


def names_for(session: Session, actors: Iterable[str | None]) -> Names:
    """`Names` knowing the display name of every account among `actors`."""
    usernames = {a.removeprefix("user:") for a in actors if a and a.startswith("user:")}
    return Names(display_names(session, usernames))
