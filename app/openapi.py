"""Write the published OpenAPI document: `python -m app.openapi` (schemas/openapi.json)."""

from __future__ import annotations

import json
from pathlib import Path

from app.main import create_app

TARGET = Path(__file__).resolve().parents[1] / "schemas" / "openapi.json"


def render() -> str:
    return json.dumps(create_app().openapi(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}")
