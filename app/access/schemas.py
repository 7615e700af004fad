"""What goes in and out of the access endpoints, per audience.

Inputs forbid unknown fields (nobody sets what they should not); outputs name every field
they carry, so no password hash or key hash can ever leave.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.access.codes import Role

# `priority:<service>`, a service of the province's list (checked when stored).
Scope = Annotated[str, Field(max_length=60, examples=["priority:housing"])]
MAX_SCOPES = 50
Password = Annotated[str, Field(min_length=1, max_length=256)]
CityCode = Annotated[str, Field(pattern=r"^\d{6}$")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int = Field(description="Seconds until the token expires")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "q8VdH2rN5xT0bK3mW7yZ1cJ4",
                    "token_type": "bearer",
                    "expires_in": 28800,
                }
            ]
        }
    )


class UserMe(BaseModel):
    kind: Literal["user"] = "user"
    username: str
    display_name: str
    role: Role
    city_code: str | None


class PartnerMe(BaseModel):
    kind: Literal["partner"] = "partner"
    name: str
    agency: str
    scopes: list[str]
    disclose_person: bool


Me = Annotated[UserMe | PartnerMe, Field(discriminator="kind")]


class UserCreate(Input):
    username: str = Field(max_length=64)
    password: Password
    role: Role
    city_code: CityCode | None = Field(
        None,
        description="A city operator's city, or a window clerk's at a city's window "
        "(absent: the province's window).",
    )
    display_name: str = Field("", max_length=100)


class UserUpdate(Input):
    role: Role | None = None
    city_code: CityCode | None = None
    display_name: str | None = Field(None, max_length=100)
    is_active: bool | None = None


class PasswordReset(Input):
    password: Password


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    city_code: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    page: int
    page_size: int


class PartnerCreate(Input):
    name: str = Field(min_length=1, max_length=100)
    agency: str = Field("", max_length=100)
    scopes: list[Scope] = Field(default_factory=list, max_length=MAX_SCOPES)
    disclose_person: bool = False


class PartnerUpdate(Input):
    name: str | None = Field(None, min_length=1, max_length=100)
    agency: str | None = Field(None, max_length=100)
    scopes: list[Scope] | None = Field(None, max_length=MAX_SCOPES)
    disclose_person: bool | None = None
    is_active: bool | None = None


class PartnerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    agency: str
    scopes: list[str]
    disclose_person: bool
    is_active: bool
    created_at: datetime


class PartnerPage(BaseModel):
    items: list[PartnerOut]
    total: int
    page: int
    page_size: int


class ApiKeyCreate(Input):
    label: str = Field("", max_length=100)
    expires_at: AwareDatetime | None = None


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    prefix: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyIssued(ApiKeyOut):
    key: str = Field(description="The full key. Shown this once: it is not stored.")
