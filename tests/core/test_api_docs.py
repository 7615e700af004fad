"""/docs and /redoc: assets from this server only, under a Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_load_nothing_from_elsewhere_and_carry_a_csp(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    html = page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "http" not in csp
    # Nothing fetched from another origin.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assets = [s for s in sources if s.startswith("/docs-assets/")]
    assert assets
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200 and len(answer.content) > 1000
    # The inline start-up script, and only it, is allowed by its hash.
    for body in re.findall(r"<script>(.*?)</script>", html, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "openapi.json" in html


def test_swagger_points_at_the_served_document(client: TestClient) -> None:
    assert client.get("/openapi.json").status_code == 200
    assert (
        "'/openapi.json'" in client.get("/docs").text
        or '"/openapi.json"' in client.get("/docs").text
    )
