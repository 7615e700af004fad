"""What `make demo` starts with: the port it is given and the lines it prints once serving."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from app.cli import announce_when_listening

ROOT = Path(__file__).resolve().parents[2]


def test_the_introduction_is_printed_once_the_port_listens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        shown = announce_when_listening("127.0.0.1", port, ["logins:", "  bk_key"])
    out = capsys.readouterr().out.splitlines()
    assert shown
    assert f"bluecard demo ready: http://127.0.0.1:{port}/" in out
    assert out.index("  bk_key") == len(out) - 2  # the key, then the closing rule


def test_nothing_is_printed_when_the_server_never_listens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # free again once closed
    assert not announce_when_listening("127.0.0.1", port, ["x"], patience=0.5)
    assert capsys.readouterr().out == ""


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_takes_the_port_and_host() -> None:
    dry_run = subprocess.run(
        ["make", "-n", "-o", ".venv/bin/bluecard", "demo", "PORT=8123", "HOST=0.0.0.0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "serve --demo --host 0.0.0.0 --port 8123" in dry_run
