"""No personal data reaches the server log when the database refuses a statement."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.core.db import SessionDep, get_engine, make_engine
from app.core.logging import JsonFormatter

SECRET_NAME = "王秘密"
SECRET_ID = "34010219800101001X"


def test_every_engine_hides_bound_parameters() -> None:
    assert get_engine().hide_parameters is True
    assert make_engine("sqlite://", hide_parameters=False).hide_parameters is True


def test_a_database_error_is_logged_without_the_request_data(
    app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def write_a_bad_row(session: SessionDep) -> None:
        # NOT NULL columns left out: the database refuses the row it was given
        # (PostgreSQL's message then quotes it: "Failing row contains (...)").
        session.execute(
            text("INSERT INTO audit_event (seq, actor, target) VALUES (:seq, :actor, :target)"),
            {"seq": 10**12, "actor": SECRET_NAME, "target": SECRET_ID},
        )

    app.add_api_route("/test/bad-row", write_a_bad_row, methods=["POST"])
    with caplog.at_level(logging.ERROR, logger="bluecard.errors"):
        response = client.post("/test/bad-row")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    (record,) = [r for r in caplog.records if r.name == "bluecard.errors"]
    logged = JsonFormatter().format(record)
    assert "IntegrityError" in logged  # the log still says what failed, and where
    for secret in (SECRET_NAME, SECRET_ID, "\\u738b"):
        assert secret not in logged
        assert secret not in response.text
