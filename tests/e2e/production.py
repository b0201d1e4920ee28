"""The production entry points as local processes, started with the very commands and environment
of docker/compose.yaml (secrets as files, as in the containers), against a PostgreSQL database."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import Engine, text

from tests.conftest import ROOT
from trajectflow.domain.clock import SystemClock
from trajectflow.services.context import ServiceContext
from trajectflow.services.tokens import issue_token
from trajectflow.settings import Settings
from trajectflow.store.uow import UnitOfWorkFactory

BIN = Path(sys.executable).parent
SERVICES = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())["services"]
_DEFAULTED = re.compile(r"\$\{[A-Z0-9_]+:-([^}]*)\}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def compose_command(service: str) -> list[str]:
    program, *arguments = SERVICES[service]["command"]
    return [str(BIN / program), *arguments]


def compose_environment(service: str, secrets: Path, port: int) -> dict[str, str]:
    """The service's compose environment with defaults filled in and /run/secrets/* mapped to `secrets`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRAJECTFLOW_", "PROMETHEUS_", "GUNICORN_"))}
    for key, value in SERVICES[service]["environment"].items():
        value = _DEFAULTED.sub(lambda m: m.group(1), str(value))
        env[key] = str(secrets / value.removeprefix("/run/secrets/")) if value.startswith("/run/secrets/") else value
    # What the image sets (Dockerfile ENV), adapted to this machine: home with processes/, a free port.
    env.update(TRAJECTFLOW_HOME=str(ROOT), TRAJECTFLOW_HOST="127.0.0.1", TRAJECTFLOW_PORT=str(port))
    env["PGAPPNAME"] = f"tf-{service}"
    return env


def write_secrets(directory: Path, database_url: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "database_url").write_text(database_url)
    (directory / "secret_key").write_text("test-secret-key-from-a-file")
    return directory


def run_once(service: str, env: dict[str, str], cwd: Path, *extra: str) -> str:
    result = subprocess.run(
        [*compose_command(service), *extra], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{service} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Process:
    """A long-running entry point with its output in a file."""

    def __init__(self, service: str, env: dict[str, str], cwd: Path) -> None:
        self.service = service
        self.log_path = cwd / f"{service}-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(compose_command(service), env=env, cwd=cwd, stdout=self._log, stderr=self._log)

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines()

    def json_logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_lines() if line.startswith("{")]

    def wait_for_log(self, message: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(entry.get("message") == message for entry in self.json_logs()):
                return
            assert self.popen.poll() is None, f"{self.service} exited:\n" + "\n".join(self.log_lines())
            time.sleep(0.05)
        raise AssertionError(f"{self.service} never logged {message!r}:\n" + "\n".join(self.log_lines()))

    def terminate(self) -> None:
        self.popen.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 45) -> int:
        return self.popen.wait(timeout=timeout)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=45)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()


class Http:
    """HTTP to a production server; `user=` signs in with a bearer token made in its database."""

    def __init__(self, port: int, engine: Engine) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        self._ctx = ServiceContext(uow=UnitOfWorkFactory(engine), clock=SystemClock(), settings=Settings())
        self._tokens: dict[str, str] = {}

    def __call__(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if user:
            if user not in self._tokens:
                self._tokens[user] = issue_token(self._ctx, user, "test", timedelta(hours=1)).token
            headers["Authorization"] = f"Bearer {self._tokens[user]}"
        return requests.request(method, self.base_url + path, headers=headers, timeout=60, **kwargs)

    def wait_until(self, path: str, status: int = 200, timeout: float = 30) -> requests.Response:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self("GET", path)
                if last.status_code == status:
                    return last
            except requests.ConnectionError as err:
                last = err
            time.sleep(0.1)
        raise AssertionError(f"GET {path} never answered {status}; last: {getattr(last, 'text', last)}")

    def metrics(self) -> dict[str, float]:
        """Samples by `name{labels}` as Prometheus prints them."""
        response = self("GET", "/metrics")
        assert response.status_code == 200, response.text
        samples: dict[str, float] = {}
        for line in response.text.splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                samples[key] = float(value)
        return samples


def wait_for_lock_wait(engine: Engine, application: str, timeout: float = 30) -> None:
    """Until a backend of `application` (PGAPPNAME) waits on a lock: its work is provably in flight."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = :app AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(query, {"app": application}).scalar():
                return
        time.sleep(0.05)
    raise AssertionError(f"no backend of {application} ever waited on a lock")
