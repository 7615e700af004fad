"""Settings from `BLUECARD_*` environment variables (see README, "Configuration")."""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("bluecard.settings")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUECARD_", extra="ignore")

    environment: str = "local"
    database_url: str = "sqlite:///./bluecard.db"
    key_file: Path = Path("./bluecard.keys")
    # The key ring's JSON itself, for hosts that inject secrets as variables.
    keys: SecretStr | None = None
    redis_url: str | None = None
    # PostgreSQL connections per process: pool + overflow, times workers, times hosts,
    # must stay under the server's max_connections (README, "Several hosts").
    db_pool_size: int = 10
    db_max_overflow: int = 30
    db_statement_timeout_ms: int = 60_000
    db_lock_timeout_ms: int = 30_000
    db_idle_in_transaction_timeout_ms: int = 300_000
    db_application_name: str = "bluecard"
    # A pooled PostgreSQL connection unused this long is tested before use (`core/db.py`).
    db_ping_after_idle_seconds: float = 10.0
    token_ttl_hours: float = 8.0
    marker_review_years: int = 3
    max_upload_mb: int = 50
    # Any other request body (JSON, page forms).
    max_body_kb: int = 1024
    # A quarter's filing is due this many days after the quarter ends (2026Q4: 2027-01-15).
    filing_deadline_days: int = 15
    # A closed submission's uploaded rows are deleted this many days after it closed.
    upload_row_retention_days: int = 90
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # A batch of n counts n, so a full batch (1000) must fit in one window.
    rate_limit_credential: str = "1200/minute"
    # ID numbers a credential may look up (a batch counts each of its numbers).
    rate_limit_ids: str = "20000/hour"
    rate_limit_login: str = "10/minute"
    rate_limit_public: str = "120/minute"
    session_cookie_secure: bool = False
    # Proxies whose X-Forwarded-For / -Proto are believed (addresses or CIDRs, comma
    # separated): the client they name is the one rate limits and lock-outs count.
    trusted_proxies: str = "127.0.0.1,::1"
    # Where marker QR codes and certificates point; unset, the address the page was served at.
    public_base_url: str | None = None
    log_level: str = "INFO"
    # Lookup records are kept this many whole months besides the current one; older
    # months are archived to `archive_dir` (a compressed file each) and then removed.
    lookup_retention_months: int = Field(default=60, ge=1)
    archive_dir: Path = Path("./archive")
    # Required as a bearer token on /metrics when set.
    metrics_token: SecretStr | None = None

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        for entry in (part.strip() for part in value.split(",")):
            if entry and entry != "*":
                try:
                    ipaddress.ip_network(entry, strict=False)
                except ValueError as exc:
                    raise ValueError(f"not an address or CIDR: {entry!r}") from exc
        return value

    @model_validator(mode="after")
    def _secure_cookies_outside_local(self) -> Settings:
        if self.environment != "local" and not self.session_cookie_secure:
            log.warning("BLUECARD_SESSION_COOKIE_SECURE is off outside local development")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
