"""HTTP load: 50 caseworkers at once against gunicorn (4 workers × 4 threads) on PostgreSQL.

A bounded loopback load generator: one thread per caseworker, each with a keep-alive session and a
loop case of its own (tests/fixtures/loop), completing that case's open task again and again for a
fixed time. Only `POST /api/tasks/<id>/complete` is timed; the next open task is looked up between
the timed requests. Reported: completions per second over the whole run (all caseworkers
together) and the p50/p99 latency of the completions; every answer must be 200.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import requests

from .database import BenchDatabase
from .http_api import GunicornServer
from .report import Figure

CASEWORKERS = 50
WORKERS, THREADS = 4, 4
USER = "klantmanager"
CLIENT = {"bsn": "111222333", "name": "Belasting Test", "birth_date": "1980-01-01"}


@dataclass
class Caseworker:
    base_url: str
    stop_at: float
    auth: dict[str, str]
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def run(self) -> None:
        http = requests.Session()
        http.headers.update(self.auth)
        body = {"process_id": "loop_proces", "municipality": "roermond", "client": CLIENT, "data": {"doel": 10**9}}
        case_id = http.post(self.base_url + "/api/cases", json=body, timeout=60).json()["id"]
        step = 0
        while time.monotonic() < self.stop_at and not self.failures:
            items = http.get(self.base_url + f"/api/tasks?case_id={case_id}&status=open", timeout=60).json()["items"]
            started = time.perf_counter()
            response = http.post(
                self.base_url + f"/api/tasks/{items[0]['id']}/complete",
                json={"data": {"opmerking": str(step)}},
                timeout=60,
            )
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                self.failures.append(f"{response.status_code}: {response.text[:200]}")
            self.latencies.append(elapsed)
            step += 1
        http.close()


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def load_figures(seconds: float) -> list[Figure]:
    with BenchDatabase("postgresql", with_loop=True) as db:
        server = GunicornServer(db.url, workers=WORKERS, threads=THREADS)
        try:
            warm = Caseworker(server.base_url, time.monotonic() + 2, db.bearer(USER))
            warm.run()
            stop_at = time.monotonic() + seconds
            workers = [Caseworker(server.base_url, stop_at, db.bearer(USER)) for _ in range(CASEWORKERS)]
            threads = [threading.Thread(target=w.run) for w in workers]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.stop()
    failures = [f for w in workers for f in w.failures]
    if failures:
        raise RuntimeError(f"{len(failures)} completion(s) failed under load, e.g. {failures[0]}")
    latencies = [s for w in workers for s in w.latencies]
    return [
        Figure("http_load_50_users_tasks_per_s", len(latencies) / elapsed, "tasks/s"),
        Figure("http_load_50_users_p50_ms", _percentile(latencies, 0.5) * 1000, "ms"),
        Figure("http_load_50_users_p99_ms", _percentile(latencies, 0.99) * 1000, "ms"),
    ]
