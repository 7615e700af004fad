"""The confirmation step before anything that cannot be undone.

A form for an irreversible action posts to its route as before. Without `confirmed` in the
form, the route changes nothing and answers this page instead: what will happen, to how many,
and a second form (CSRF token, the first form's fields carried hidden, `confirmed=1`) that
does it, or a way back. Server-rendered, so it works without JavaScript; a refresh of the
page only asks again. Routes check their input before asking, so the page never confirms
something that would then be refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from app.pages.rendering import render

CONFIRM_FIELD = "confirmed"
# A route's parameter: true only when the form came from the confirmation page.
Confirmed = Annotated[bool, Form(alias=CONFIRM_FIELD)]


@dataclass(frozen=True)
class Confirmation:
    """What the page asks: `title` (a question), `consequences` (one line each, with the
    numbers), the button's words, where it posts and where 返回 leads."""

    title: str
    consequences: Sequence[str]
    button: str
    action: str
    back: str
    fields: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    danger: bool = True


def confirm_page(request: Request, confirmation: Confirmation) -> Response:
    hidden = [
        (name, value)
        for name, given in confirmation.fields.items()
        for value in ([given] if isinstance(given, str) else given)
    ]
    context = {"confirmation": confirmation, "hidden": hidden, "confirm_field": CONFIRM_FIELD}
    return render(request, "confirm.html", context)
