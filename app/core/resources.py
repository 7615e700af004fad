"""Where the project's top-level data lives: `migrations/`, `seed/` and `alembic.ini`
beside `app/` in a checkout, or under `<prefix>/share/bluecard` from an installed wheel."""

from __future__ import annotations

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]
_INSTALLED = Path(sys.prefix) / "share" / "bluecard"


def project_root() -> Path:
    """The folder holding `migrations/` and `seed/`: the checkout's when there is one."""
    return _CHECKOUT if (_CHECKOUT / "migrations").is_dir() else _INSTALLED
