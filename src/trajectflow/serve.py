"""Run the app under gunicorn from Python (used by `trajectflow serve`), configured as in production."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from .settings import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from .app import create_app

        return create_app()


def run_gunicorn(settings: Settings, workers: int, with_scheduler: bool = False) -> None:
    scheduler = _start_scheduler() if with_scheduler else None
    try:
        _run(settings, workers)
    finally:
        if scheduler is not None:
            scheduler.terminate()
            scheduler.wait(timeout=30)


def _start_scheduler() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "trajectflow.cli", "scheduler"])


def _run(settings: Settings, workers: int) -> None:
    # The same settings as `gunicorn --config python:trajectflow.ops.gunicorn_config` in the container;
    # importing the module also picks the directory the workers share their metrics in.
    from .ops import gunicorn_config

    options = dict(gunicorn_config.SETTINGS)
    options.update(bind=f"{settings.host}:{settings.port}", workers=workers)
    _Gunicorn(options).run()
