"""A Python client generated from the published `schemas/openapi.json` with
openapi-python-client (as a partner's integrator would), driven against the app: a partner's
single and batch lookups, a city's upload and its report, the province's approval."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.filing.calendar import current_period
from app.registry.markers import local_today
from tests.conftest import Login, PartnerLogin
from tests.filing.writers import people, write_json
from tests.lookup.factories import make_talent, new_id_number

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "bluecard_client"
HEFEI = "340100"
PURPOSE = "购房资格审核 2026-118"


@dataclass(frozen=True)
class Generated:
    output: str
    package: ModuleType

    def module(self, name: str) -> Any:
        return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """Generated once for the module, from the published document and its generator config
    (the generator's ruff hooks find ruff next to this Python)."""
    folder = tmp_path_factory.mktemp("generated")
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(ROOT / "schemas" / "openapi.json"),
            "--config",
            str(ROOT / "schemas" / "openapi-python-client.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    sys.path.insert(0, str(folder))
    try:
        yield Generated(output, importlib.import_module(PACKAGE))
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def as_caller(app: FastAPI, generated: Generated) -> Callable[[dict[str, str]], Any]:
    """The generated client of one caller, over the app (a TestClient is an httpx.Client)."""

    def make(headers: dict[str, str]) -> Any:
        token = headers["Authorization"].removeprefix("Bearer ")
        client = generated.package.AuthenticatedClient(base_url="http://testserver", token=token)
        return client.set_httpx_client(
            TestClient(app, headers=headers, raise_server_exceptions=False)
        )

    return make


def test_the_generator_warns_of_nothing_and_leaves_nothing_out(generated: Generated) -> None:
    assert "warning" not in generated.output.lower(), generated.output
    models = generated.module("models")
    for name in ("TalentDetail", "DependentOut", "CaseDependentOut", "TokenRequest", "Problem"):
        assert hasattr(models, name), name
    qr = generated.module("api.public.marker_qr")
    assert "File" in str(qr.sync.__annotations__["return"])


def test_a_partner_looks_up_one_person_and_a_batch(
    generated: Generated,
    as_caller: Callable[[dict[str, str]], Any],
    partner_login: Callable[..., PartnerLogin],
    db: Session,
) -> None:
    models = generated.module("models")
    partner = as_caller(partner_login(["priority:housing"]).headers)
    holder = make_talent(db, valid_until=local_today() + timedelta(days=400))
    stranger = new_id_number()

    single = generated.module("api.priority.priority_lookup").sync(
        client=partner,
        body=models.LookupRequest(id_number=holder.id_number, service="housing", purpose=PURPOSE),
    )

    assert isinstance(single, models.LookupAnswer), single
    assert (single.priority, single.basis, single.marker.code) == (
        True,
        models.LookupAnswerBasisType0.HOLDER,
        holder.marker_code,
    )
    batch = generated.module("api.priority.priority_lookups").sync(
        client=partner,
        body=models.LookupBatchRequest(
            id_numbers=[holder.id_number, stranger, "340102198001010011"],
            service="housing",
            purpose=PURPOSE,
        ),
    )
    assert isinstance(batch, models.LookupBatchAnswer), batch
    found, unknown, invalid = batch.results
    assert isinstance(found, models.BatchAnswer) and found.priority is True
    assert isinstance(unknown, models.BatchAnswer) and unknown.priority is False
    assert isinstance(invalid, models.BatchError)
    assert invalid.error.code == "invalid_id_number"


def test_a_city_uploads_reads_its_report_and_the_province_approves(
    generated: Generated,
    as_caller: Callable[[dict[str, str]], Any],
    login: Callable[..., Login],
    tmp_path: Path,
) -> None:
    models = generated.module("models")
    submissions = generated.module("api.submissions")
    city = as_caller(login("city_operator", HEFEI).headers)
    province = as_caller(login("province_admin").headers)
    period = current_period(local_today())
    good, bad = people(23, 2, city_code=HEFEI)
    bad["id_number"] = "340102198001010011"

    def upload(name: str, records: list[dict[str, Any]], **key: str) -> Any:
        payload = write_json(tmp_path / name, records).read_bytes()
        file = generated.module("types").File(
            payload=BytesIO(payload), file_name=name, mime_type="application/json"
        )
        return importlib.import_module(f"{submissions.__name__}.submission_create").sync_detailed(
            client=city, body=models.SubmissionCreateBody(file=file, period=period), **key
        )

    def action(name: str) -> Any:
        return importlib.import_module(f"{submissions.__name__}.{name}")

    rejected = upload("bad.json", [good, bad]).parsed
    assert isinstance(rejected, models.SubmissionOut), rejected
    assert rejected.status == models.SubmissionStatus.INVALID
    report = action("submission_report").sync(client=city, submission_id=rejected.id)
    assert isinstance(report, models.SubmissionReport), report
    assert [(e.row, e.field, e.code) for e in report.errors] == [
        (2, "id_number", "invalid_id_number")
    ]

    first = upload("good.json", [good], idempotency_key="hefei-2026-12-06-1")
    again = upload("good.json", [good], idempotency_key="hefei-2026-12-06-1")
    assert (first.status_code, again.status_code) == (201, 200)
    created = again.parsed
    assert isinstance(created, models.SubmissionOut) and created.id == first.parsed.id
    assert created.status == models.SubmissionStatus.VALIDATED
    submitted = action("submission_submit").sync(client=city, submission_id=created.id)
    assert submitted.status == models.SubmissionStatus.PENDING_REVIEW
    approved = action("submission_approve").sync(client=province, submission_id=created.id)
    assert isinstance(approved, models.SubmissionOut), approved
    assert approved.status == models.SubmissionStatus.APPLIED
    refused = action("submission_approve").sync_detailed(client=province, submission_id=created.id)
    assert refused.status_code == 409
    assert isinstance(refused.parsed, models.Problem)
    assert refused.parsed.code == "invalid_transition"
