"""Prometheus metrics at /metrics.

Request counts and latencies are recorded in the process that served the request; under gunicorn
(PROMETHEUS_MULTIPROC_DIR set by `trajectflow.ops.gunicorn_config`) they are shared through files
so a scrape answered by any worker sums all workers. Domain figures (tasks, cases, timers,
scheduler) are read from the database at scrape time, so they are right across processes too.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ..services.context import ServiceContext
from ..services.ops_queries import operational_figures
from ..store.tenancy import tenant_scope

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "trajectflow_http_requests",
    "HTTP requests answered, by Flask endpoint, method and status",
    ["endpoint", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "trajectflow_http_request_duration_seconds",
    "Time to answer an HTTP request, by Flask endpoint and method",
    ["endpoint", "method"],
    registry=None,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


class DomainCollector(Collector):
    """Open tasks by group, overdue tasks, errored cases, timers, reminder failures, scheduler heartbeat."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        try:
            # Counts without personal data, for the whole installation: not limited to a caller's tenancy.
            with tenant_scope(None):
                figures = operational_figures(self.ctx)
        except Exception:  # noqa: BLE001 - a scrape must still answer when the database is away
            log.exception("reading operational figures failed")
            yield GaugeMetricFamily("trajectflow_database_up", "1 when the database answered the scrape", value=0)
            return
        yield GaugeMetricFamily("trajectflow_database_up", "1 when the database answered the scrape", value=1)
        open_tasks = GaugeMetricFamily("trajectflow_open_tasks", "Open user tasks by candidate group", labels=["group"])
        for group, count in sorted(figures.open_tasks_by_group.items()):
            open_tasks.add_metric([group], count)
        yield open_tasks
        yield GaugeMetricFamily(
            "trajectflow_overdue_tasks", "Open tasks past their due date", value=figures.overdue_tasks
        )
        yield GaugeMetricFamily("trajectflow_errored_cases", "Cases stopped on an error", value=figures.errored_cases)
        yield GaugeMetricFamily("trajectflow_timers_due", "Waiting timers already due", value=figures.timers_due)
        yield CounterMetricFamily("trajectflow_timers_fired", "BPMN timers fired", value=figures.timers_fired)
        yield CounterMetricFamily(
            "trajectflow_timers_late", "Timers fired more than 60 s after their due time", value=figures.timers_late
        )
        yield CounterMetricFamily(
            "trajectflow_reminder_failures", "Reminder notifications that failed", value=figures.reminder_failures
        )
        age = figures.heartbeat_age_seconds
        yield GaugeMetricFamily(
            "trajectflow_scheduler_heartbeat_age_seconds",
            "Seconds since any scheduler last beat (+Inf if none ever did)",
            value=float("inf") if age is None else age,
        )
        if figures.last_heartbeat is not None:
            yield GaugeMetricFamily(
                "trajectflow_scheduler_heartbeat_timestamp_seconds",
                "Unix time of the latest scheduler heartbeat",
                value=figures.last_heartbeat.timestamp(),
            )


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def scrape(ctx: ServiceContext) -> bytes:
    registry = CollectorRegistry()
    if multiprocess_mode():
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(DomainCollector(ctx))
    return generate_latest(registry)


def install_metrics(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("metrics_started")
        if started is not None:
            endpoint = request.endpoint or "unmatched"
            REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
            LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(scrape(current_app.extensions["trajectflow"]), mimetype=CONTENT_TYPE_LATEST)
