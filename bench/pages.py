"""Page latency at scale: the worklist ("Mijn werk", `/`) and stuck cases (`/teamleider/`) pages.

Server time on the `demo --scale` data of the query bench: the real Flask app through
`app.test_client()`, signed in by posting the login form (with its CSRF token) as the demo users
`klantmanager` and `teamleider` (password `demo`). Each GET renders the full page, queries
included; the two pages take turns, after two uncounted warm-up rounds.
"""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient

from trajectflow.app import create_app
from trajectflow.services.context import ServiceContext
from trajectflow.services.users import ensure_user

from .report import Figure, Goal, at_most

GOAL: Goal = at_most(300)
WARMUPS = 2
SAMPLES = 20
# figure name → (user, page URL); ordinary accounts at Werkbedrijf Roermond (no demo mode needed)
PAGES = {
    "page_worklist_p95_ms": ("bench-klantmanager", "/"),
    "page_stuck_cases_p95_ms": ("bench-teamleider", "/teamleider/"),
}
PASSWORD = "bench pages passphrase"


def _signed_in(app: Flask, user: str) -> FlaskClient:
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if match is None:
        raise RuntimeError("no CSRF token on the login page")
    response = client.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": match.group(1)})
    if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
        raise RuntimeError(f"signing in as {user} failed: {response.status_code}")
    return client


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def page_figures(ctx: ServiceContext, samples: int = SAMPLES) -> list[Figure]:
    """p95 server time of each page over `samples` GETs on the data `ctx` holds."""
    for user, _url in PAGES.values():
        role = user.removeprefix("bench-")
        ensure_user(ctx, user, [role], PASSWORD, f"Bench {role}", organisation="werkbedrijf-roermond")
    app = create_app(ctx.settings, clock=ctx.clock)
    app.extensions["trajectflow"] = ctx  # the bench's engine and clock
    clients = {name: (_signed_in(app, user), url) for name, (user, url) in PAGES.items()}
    timings: dict[str, list[float]] = {name: [] for name in PAGES}
    for round_number in range(WARMUPS + samples):
        for name, (client, url) in clients.items():
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            if round_number >= WARMUPS:
                timings[name].append(elapsed)
    return [Figure(name, _percentile(measured, 0.95), "ms", GOAL) for name, measured in timings.items()]
