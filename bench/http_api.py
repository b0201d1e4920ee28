"""Task completion over real HTTP: one client against gunicorn (1 sync worker) in a subprocess.

The server gets the bench database through TRAJECTFLOW_DATABASE_URL and runs on its own system
clock. Per completion only `POST /api/tasks/<id>/complete` is timed; finding the open task
(`GET /api/tasks?case_id=…&status=open`) and firing timers (through the service layer, in this
process) happen between the timed requests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn

import requests

from .database import ROOT, BenchDatabase
from .route import CLIENT_BIRTH, CLIENT_BSN, CLIENT_NAME, MUNICIPALITY, PROCESS_ID, answer_for
from .service import fire_next_timer

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


class GunicornServer:
    def __init__(self, database_url: str, workers: int = 1, threads: int = 1) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(prefix="trajectflow-bench-gunicorn-", suffix=".log", delete=False)
        env = dict(os.environ, TRAJECTFLOW_DATABASE_URL=database_url, TRAJECTFLOW_HOME=str(ROOT))
        self._process = subprocess.Popen(
            [
                str(GUNICORN),
                *("-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{self.port}"),
                "trajectflow.app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._fail(f"gunicorn exited with {self._process.returncode}")
            try:
                if requests.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or workers still importing
                pass
            time.sleep(0.1)
        self._fail(f"gunicorn did not answer within {timeout:.0f}s")

    def _fail(self, reason: str) -> NoReturn:
        log = self.log_text()
        self.stop()
        raise RuntimeError(f"{reason}:\n{log}")

    def log_text(self) -> str:
        return Path(self._log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)


class HttpRunner:
    def __init__(self, db: BenchDatabase) -> None:
        self.db = db
        self.name = f"http_{db.backend}"
        self.server = GunicornServer(db.url)
        self.http = requests.Session()

    def request(self, method: str, path: str, user: str, **kwargs: Any) -> Any:
        response = self.http.request(
            method, self.server.base_url + path, headers=self.db.bearer(user), timeout=30, **kwargs
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"{method} {path} → {response.status_code}: {response.text[:500]}\n"
                f"gunicorn log (tail):\n{self.server.log_text()[-2000:]}"
            )
        return response.json()

    def run_route(self) -> list[float]:
        case = self.request(
            "POST",
            "/api/cases",
            "klantmanager",
            json={
                "process_id": PROCESS_ID,
                "municipality": MUNICIPALITY,
                "client": {"bsn": CLIENT_BSN, "name": CLIENT_NAME, "birth_date": CLIENT_BIRTH.isoformat()},
            },
        )
        case_id = case["id"]
        durations: list[float] = []
        while True:
            items = self.request("GET", f"/api/tasks?case_id={case_id}&status=open", "teamleider")["items"]
            if not items:
                status = self.request("GET", f"/api/cases/{case_id}", "teamleider")["status"]
                if status != "active":
                    break
                fire_next_timer(self.db, case_id)
                continue
            task = items[0]
            answer = answer_for(task["element_id"])
            path = f"/api/tasks/{task['id']}/complete"
            started = time.perf_counter()
            self.request("POST", path, task["candidate_group"], json={"data": answer})
            durations.append(time.perf_counter() - started)
        if status != "completed":
            raise RuntimeError(f"case {case_id} ended {status}, not completed")
        return durations

    def close(self) -> None:
        self.http.close()
        self.server.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
