"""Headers every answer carries besides its own: `no-store` and `nosniff` on the API's
answers (they hold people's records; the public roster, meant to be cached, is left
alone), and HSTS in production (served behind HTTPS only). Added by the request-log
middleware, which already wraps every answer's start: one layer less on the hot path."""

from __future__ import annotations

from app.core.settings import get_settings

_API = "/api/"
_PUBLIC = "/api/v1/public/"
HSTS = "max-age=31536000; includeSubDomains"
_PRIVATE = ((b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"))
_HSTS = ((b"strict-transport-security", HSTS.encode()),)


def extra_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers an answer to `path` gains (none it already sets is given twice)."""
    private = path.startswith(_API) and not path.startswith(_PUBLIC)
    headers = _PRIVATE if private else ()
    return headers + _HSTS if get_settings().is_production else headers


def with_extra_headers(
    headers: list[tuple[bytes, bytes]], extra: tuple[tuple[bytes, bytes], ...]
) -> list[tuple[bytes, bytes]]:
    if not extra:
        return headers
    present = {name.lower() for name, _ in headers}
    return headers + [header for header in extra if header[0] not in present]
