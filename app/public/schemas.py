"""What the public sees: the roster and the marker check. No ID number in any form."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class RosterItem(BaseModel):
    name: str
    gender: str
    city_code: str
    city_name: str
    employer: str
    occupation: str
    categories: list[str] = Field(description="Category codes (`/api/v1/reference/categories`)")
    filed_on: date


class RosterPage(BaseModel):
    items: list[RosterItem]
    total: int
    page: int
    page_size: int

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "name": "张三",
                            "gender": "M",
                            "city_code": "340100",
                            "city_name": "合肥市",
                            "employer": "合肥恒通精密机械有限公司",
                            "occupation": "数控车工",
                            "categories": ["national_model_worker"],
                            "filed_on": "2026-10-15",
                        }
                    ],
                    "total": 1,
                    "page": 1,
                    "page_size": 20,
                }
            ]
        }
    )


class MarkerVerification(BaseModel):
    valid: bool
    name_masked: str
    city_name: str
    categories: list[str] = Field(description="Category codes (`/api/v1/reference/categories`)")
    valid_until: date

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "valid": True,
                    "name_masked": "张*",
                    "city_name": "合肥市",
                    "categories": ["national_model_worker"],
                    "valid_until": "2029-10-31",
                }
            ]
        }
    )


class SnapshotItem(RosterItem):
    marker_code: str


class SignedSnapshot(BaseModel):
    """A signed copy of the roster: `payload` is base64url of UTF-8 JSON `{"generated_at",
    "items", "withdrawn"}`, `signature` base64url of its Ed25519 signature by key `kid`."""

    payload: str
    signature: str
    kid: str


class SigningKey(BaseModel):
    """An Ed25519 public key as an RFC 8037 JWK."""

    kid: str
    kty: Literal["OKP"] = "OKP"
    crv: Literal["Ed25519"] = "Ed25519"
    x: str = Field(description="The raw 32-byte public key, base64url without padding.")


class SigningKeySet(BaseModel):
    keys: list[SigningKey]
