"""Schemathesis over every operation of the app's own OpenAPI, as every kind of caller.

No answer is a 5xx. A success answer has a declared status, content type, headers and body
shape. An error answer is the contract's problem+json; where the OpenAPI does not declare
it as such (most 401/403/404/409, and 422 declared as FastAPI's default shape), it is
collected and reported as a warning for the integrator instead of failing the run.

`BLUECARD_FUZZ_EXAMPLES` sets the examples per operation and caller (default 10, the
bounded CI run); the README describes the long run.
"""

from __future__ import annotations

import contextlib
import os
import random
import warnings
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from app.main import create_app
from tests.databases import throwaway_database
from tests.robustness.fuzzing import PROBLEM_JSON, World, check_problem, make_world
from tests.robustness.state import pointed_at

# The bounded CI run starts from a fixed seed; a longer run explores afresh.
EXAMPLES = int(os.environ.get("BLUECARD_FUZZ_EXAMPLES", "10"))
DERANDOMIZE = "BLUECARD_FUZZ_EXAMPLES" not in os.environ
FULL_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]


class UndeclaredErrorResponses(UserWarning):
    """Error answers the OpenAPI document does not describe (a finding, not a failure)."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("fuzz")
    with (
        pytest.MonkeyPatch.context() as env,
        throwaway_database(tmp) as url,
        pointed_at(url),
    ):
        # Thousands of requests a minute from one caller: the limits are not under test here.
        for name in ("CREDENTIAL", "LOGIN", "PUBLIC"):
            env.setenv(f"BLUECARD_RATE_LIMIT_{name}", "1000000/minute")
        from app.access.ratelimit import reset_limiter
        from app.core.db import get_engine
        from app.core.settings import get_settings
        from app.ops.migrate import upgrade

        get_settings.cache_clear()
        upgrade(get_engine())
        from app.core.keys import get_keyring

        get_keyring()  # stored before any test transaction (SQLite's write lock)
        reset_limiter()
        world = make_world(APP, tmp)
        yield world
        reset_limiter()
    if world.undeclared:
        lines = "\n".join(
            f"  {op} -> {status}: {what}" for op, status, what in sorted(world.undeclared)
        )
        warnings.warn(
            UndeclaredErrorResponses(f"error answers missing from the OpenAPI:\n{lines}"),
            stacklevel=1,
        )


class ServingLikeAServer:
    """Starlette sends the 500 answer, then re-raises the error for the server to log; a
    real server logs it and carries on. So here: the fuzzer judges the answer, with its
    reproduction, instead of a traceback through the test client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with contextlib.suppress(Exception):
            await self.app(scope, receive, send)


# Loaded at import, from an app that touches no database until it serves a request.
APP = create_app()
schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    ServingLikeAServer(APP),
    # Only the fuzzing phase: the others cannot draw the caller (`@schema.given`).
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {"phases": {"enabled": False, "fuzzing": {"enabled": True}}}
    ),
)


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_declared_or_a_problem_and_never_a_server_error(
    case: schemathesis.Case, data: st.DataObject, world: World
) -> None:
    caller = world.callers[data.draw(st.sampled_from(world.candidates(case.operation.label)))]
    world.substitute_known_ids(case.path_parameters, random.Random(data.draw(st.integers())))
    response = case.call(headers=caller.headers)
    status = response.status_code
    if status < 400 or _declared_as_problem(case, status):
        case.validate_response(response, checks=FULL_CHECKS, headers=caller.headers)
    else:
        case.validate_response(response, checks=[not_a_server_error], headers=caller.headers)
        check_problem(response.content, response.headers.get("content-type", [""])[0], status)
        world.undeclared.add((case.operation.label, status, _what_is_missing(case, status)))
    if case.operation.label == "POST /api/v1/auth/logout" and status == 204:
        world.reissue(caller)


def _declared_as_problem(case: schemathesis.Case, status: int) -> bool:
    declared = case.operation.responses.find_by_status_code(status)
    return declared is not None and PROBLEM_JSON in (declared.definition.get("content") or {})


def _what_is_missing(case: schemathesis.Case, status: int) -> str:
    declared = case.operation.responses.find_by_status_code(status)
    if declared is None:
        return "status not declared"
    return "declared, but not as application/problem+json"


# Behind authentication but no gate: whoever is known is answered, never refused (403).
OPEN_TO_ANY_CALLER = {"me_get"}


def test_the_openapi_declares_the_error_answers_every_route_can_give() -> None:
    """What the fuzzer finds for every route, checked on the document itself: bad input (422),
    and for routes behind a gate 401 and 403, and for routes naming an object 404, each
    declared as application/problem+json."""
    document = APP.openapi()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = ["422"] if operation.get("parameters") or "requestBody" in operation else []
            statuses += ["401", "403"] if operation.get("security") else []
            if operation["operationId"] in OPEN_TO_ANY_CALLER:
                statuses.remove("403")
            statuses += ["404"] if "{" in path else []
            for status in statuses:
                content = operation.get("responses", {}).get(status, {}).get("content", {})
                if PROBLEM_JSON not in content:
                    missing.append(f"{method.upper()} {path} {status}")
    assert not missing, f"{len(missing)} error answers undeclared, e.g. {missing[:5]}"
