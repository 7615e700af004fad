"""Signed roster snapshots (contract v2): the payload, its Ed25519 signature checked by an
independent implementation (RFC 8032's own), the RFC 8037 keys, rotation, and the offline
`bluecard roster verify`."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.cli import main as bluecard
from app.core import key_store
from app.core.db import get_engine
from app.core.keys import get_keks, get_keyring
from app.registry.markers import local_today
from tests.lookup.factories import make_talent
from tests.public import ed25519_reference

ID_LIKE = re.compile(r"\d{17}[\dXx]")
# RFC 8032 §7.1, TEST 1: the empty message.
RFC_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC_SIGNATURE = (
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e397"
    "01cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def _unb64url(text: str) -> bytes:
    assert "=" not in text and re.fullmatch(r"[A-Za-z0-9_-]*", text)
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _get(client: TestClient, route: str) -> dict[str, Any]:
    response = client.get(client.app.url_path_for(route))  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _independently_verified(snapshot: dict[str, Any], keys: dict[str, Any]) -> bool:
    key = next(k for k in keys["keys"] if k["kid"] == snapshot["kid"])
    return ed25519_reference.verify(
        _unb64url(key["x"]), _unb64url(snapshot["payload"]), _unb64url(snapshot["signature"])
    )


def test_the_reference_verifier_holds_to_rfc_8032() -> None:
    public, signature = bytes.fromhex(RFC_PUBLIC), bytes.fromhex(RFC_SIGNATURE)
    assert ed25519_reference.verify(public, b"", signature)
    assert not ed25519_reference.verify(public, b"x", signature)


def test_the_snapshot_is_the_signed_roster_with_codes_and_the_codes_no_longer_valid(
    client: TestClient, db: Session
) -> None:
    active = [make_talent(db, city_code="340100"), make_talent(db, city_code="340200")]
    revoked = make_talent(db, marker="revoked")
    suspended = make_talent(db, marker="suspended")
    expired = make_talent(db, valid_until=local_today() - timedelta(days=1))
    make_talent(db, marker=None)
    db.commit()

    snapshot = _get(client, "roster_snapshot")
    keys = _get(client, "signing_key_list")

    assert set(snapshot) == {"payload", "signature", "kid"}
    assert _independently_verified(snapshot, keys)
    payload = _unb64url(snapshot["payload"])
    content = json.loads(payload.decode("utf-8"))
    assert set(content) == {"generated_at", "items", "withdrawn"}
    assert datetime.fromisoformat(content["generated_at"]).utcoffset() == timedelta(hours=8)
    codes = {item["marker_code"]: item for item in content["items"]}
    for person in active:
        assert person.marker_code in codes
        assert codes[person.marker_code]["name"] == person.name
    roster = _get(client, "roster_list")["items"]
    assert [{k: v for k, v in i.items() if k != "marker_code"} for i in content["items"]] == roster
    gone = {revoked.marker_code, suspended.marker_code, expired.marker_code}
    assert gone <= set(content["withdrawn"])
    assert not gone & set(codes)
    assert not {p.marker_code for p in active} & set(content["withdrawn"])
    assert not ID_LIKE.search(payload.decode("utf-8"))


def test_an_altered_payload_fails_the_independent_check(client: TestClient, db: Session) -> None:
    make_talent(db)
    db.commit()
    snapshot = _get(client, "roster_snapshot")
    keys = _get(client, "signing_key_list")
    content = json.loads(_unb64url(snapshot["payload"]))
    content["withdrawn"].append(content["items"].pop()["marker_code"])
    forged = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    altered = {**snapshot, "payload": base64.urlsafe_b64encode(forged).rstrip(b"=").decode()}
    assert not _independently_verified(altered, keys)


def test_after_rotation_new_snapshots_use_the_new_key_and_old_ones_still_verify(
    fresh_database_url: str,
) -> None:
    from app.core.db import session_scope
    from app.main import create_app

    with session_scope() as session:
        make_talent(session)
    client = TestClient(create_app())
    old = _get(client, "roster_snapshot")
    key_store.add_signing_key(get_engine(), get_keks())
    get_keyring().refresh()

    new = _get(client, "roster_snapshot")
    keys = _get(client, "signing_key_list")

    assert new["kid"] != old["kid"]
    assert [k["kid"] for k in keys["keys"]][:2] == [new["kid"], old["kid"]]
    assert all(k["kty"] == "OKP" and k["crv"] == "Ed25519" for k in keys["keys"])
    assert all(len(_unb64url(k["x"])) == 32 for k in keys["keys"])
    assert _independently_verified(old, keys)
    assert _independently_verified(new, keys)


def _save(client: TestClient, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(exist_ok=True)
    snapshot = folder / "roster-snapshot.json"
    keys = folder / "signing-keys.json"
    snapshot.write_text(json.dumps(_get(client, "roster_snapshot")), encoding="utf-8")
    keys.write_text(json.dumps(_get(client, "signing_key_list")), encoding="utf-8")
    return snapshot, keys


def test_roster_verify_accepts_a_saved_snapshot_with_its_keys_beside_it(
    client: TestClient, db: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_talent(db)
    db.commit()
    snapshot, _keys = _save(client, tmp_path / "saved")
    assert bluecard(["roster", "verify", str(snapshot)]) == 0
    assert "快照签名有效" in capsys.readouterr().out


def test_roster_verify_takes_the_keys_from_elsewhere(client: TestClient, tmp_path: Path) -> None:
    snapshot, keys = _save(client, tmp_path / "saved")
    moved = keys.rename(tmp_path / "published-keys.json")
    assert bluecard(["roster", "verify", str(snapshot)]) == 1
    assert bluecard(["roster", "verify", str(snapshot), "--keys", str(moved)]) == 0


@pytest.mark.parametrize("damage", ["payload", "signature", "kid", "not_json"])
def test_roster_verify_refuses_a_damaged_snapshot(
    damage: str,
    client: TestClient,
    db: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_talent(db)
    db.commit()
    snapshot, _keys = _save(client, tmp_path / "saved")
    saved = json.loads(snapshot.read_text(encoding="utf-8"))
    if damage == "payload":
        content = json.loads(_unb64url(saved["payload"]))
        content["items"] = content["items"][1:] + content["items"][:1] + [content["items"][0]]
        saved["payload"] = base64.urlsafe_b64encode(json.dumps(content).encode()).decode()
    elif damage == "signature":
        raw = bytearray(_unb64url(saved["signature"]))
        raw[0] ^= 1
        saved["signature"] = base64.urlsafe_b64encode(bytes(raw)).decode()
    elif damage == "kid":
        saved["kid"] = "s999"
    snapshot.write_text("{" if damage == "not_json" else json.dumps(saved), encoding="utf-8")

    assert bluecard(["roster", "verify", str(snapshot)]) == 1
    assert "快照无效" in capsys.readouterr().err
