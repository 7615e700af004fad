"""The real server as a child process (`bluecard serve`), to kill and start again, and a
PostgreSQL instance of our own, to stop and start under it."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from glob import glob
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """`bluecard serve` on a free port, with its own environment, logging to a file."""

    def __init__(self, database_url: str, key_file: Path, log: Path, *, workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            "BLUECARD_DATABASE_URL": database_url,
            "BLUECARD_KEY_FILE": str(key_file),
            "BLUECARD_ENVIRONMENT": "test",
            # The limits are tested elsewhere; here they would only throttle the traffic.
            "BLUECARD_RATE_LIMIT_CREDENTIAL": "1000000/minute",
            "BLUECARD_RATE_LIMIT_PUBLIC": "1000000/minute",
            "BLUECARD_LOG_LEVEL": "WARNING",
        }
        self.env.pop("BLUECARD_KEYS", None)
        self.log = log
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the process without waiting for it to be ready."""
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)]
        self._log_file = self.log.open("ab")
        self._process = subprocess.Popen(
            [*command, "--workers", str(self.workers)],
            cwd=ROOT,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches every worker
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None and self._process.poll() is None, self.tail()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base_url + "/readyz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"server not ready in {START_TIMEOUT_S} s\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL the server and every worker: no shutdown, no cleanup, like a power cut."""
        assert self._process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=30)
        self._close_log()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()

    def client(self, timeout: float = 120.0) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=timeout)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


@contextlib.contextmanager
def serving(database_url: str, key_file: Path, log: Path, *, workers: int = 1) -> Iterator[Server]:
    server = Server(database_url, key_file, log, workers=workers)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def postgres_binaries() -> Path | None:
    """The folder of initdb and pg_ctl, newest version first; None when not installed."""
    found = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if not found or shutil.which("runuser") is None:
        return None
    return Path(found[0]).parent


class PostgresCluster:
    """A throwaway PostgreSQL instance (trust auth, a free port) run as the `postgres` OS
    user, so a test can stop and start it without touching the shared server."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="bluecard-pg-"))
        shutil.chown(self.data, "postgres", "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self._as_postgres("initdb", "-D", str(self.data / "db"), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._as_postgres(
            "pg_ctl", "-D", str(self.data / "db"), "-l", str(self.data / "log"), "-o", options,
            "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data / "db"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.data, ignore_errors=True)

    def _as_postgres(self, program: str, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.binaries / program), *args],
            check=True,
            capture_output=True,
            cwd=self.data,
        )
