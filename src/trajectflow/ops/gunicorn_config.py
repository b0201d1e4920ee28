"""gunicorn settings: `gunicorn --config python:trajectflow.ops.gunicorn_config "trajectflow.app:create_app()"`.

Everything comes from `TRAJECTFLOW_…` variables (see settings.py). Importing this module chooses the
directory where the workers share their Prometheus counters; it must happen before prometheus_client
is imported, which is why this module imports nothing that imports it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from trajectflow.ops.logs import logging_config
from trajectflow.settings import Settings

_settings = Settings.from_env()
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="trajectflow-metrics-")
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
worker_class = "gthread"
threads = 4
timeout = 60
# SIGTERM: stop accepting, let in-flight requests finish for up to this many seconds.
graceful_timeout = 30
# Our own request log (endpoint, status, duration, request id) replaces the access log, whose
# query strings can hold names and BSNs.
accesslog = None
errorlog = "-"
loglevel = _settings.log_level.lower()
logconfig_dict = logging_config(_settings.log_level, _settings.log_format)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Unused, and a fixed path in $HOME would collide between servers on one machine.
control_socket_disable = True


def on_starting(server: Any) -> None:
    """Counters from an earlier run must not add up with this one."""
    METRICS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in METRICS_DIR.glob("*.db"):
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _OWN_METRICS_DIR:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)


SETTINGS = {
    "bind": bind,
    "workers": workers,
    "worker_class": worker_class,
    "threads": threads,
    "timeout": timeout,
    "graceful_timeout": graceful_timeout,
    "accesslog": accesslog,
    "errorlog": errorlog,
    "loglevel": loglevel,
    "logconfig_dict": logconfig_dict,
    "forwarded_allow_ips": forwarded_allow_ips,
    "control_socket_disable": control_socket_disable,
    "on_starting": on_starting,
    "child_exit": child_exit,
    "on_exit": on_exit,
}
