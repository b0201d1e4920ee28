"""Configuration from `TRAJECTFLOW_…` environment variables, in one object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _project_dir() -> Path:
    return Path(os.environ.get("TRAJECTFLOW_HOME", Path.cwd()))


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 5000
    processes_dir: Path = field(default_factory=lambda: _project_dir() / "processes")
    forms_dir: Path = field(default_factory=lambda: _project_dir() / "forms")
    secret_key: str = "dev-only-not-secret"
    demo_mode: bool = False
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("TRAJECTFLOW_HOME", Path.cwd()))
        default_db = f"sqlite:///{(home / 'instance' / 'trajectflow.db').as_posix()}"
        return cls(
            database_url=env.get("TRAJECTFLOW_DATABASE_URL") or default_db,
            host=env.get("TRAJECTFLOW_HOST", "127.0.0.1"),
            port=int(env.get("TRAJECTFLOW_PORT", "5000")),
            processes_dir=Path(env.get("TRAJECTFLOW_PROCESSES_DIR", home / "processes")),
            forms_dir=Path(env.get("TRAJECTFLOW_FORMS_DIR", home / "forms")),
            secret_key=_secret(env),
            demo_mode=env.get("TRAJECTFLOW_DEMO", "0").lower() in {"1", "true", "yes", "on"},
            log_level=env.get("TRAJECTFLOW_LOG_LEVEL", "INFO"),
        )


def _secret(env: dict[str, str]) -> str:
    path = env.get("TRAJECTFLOW_SECRET_KEY_FILE")
    if path:
        return Path(path).read_text().strip()
    return env.get("TRAJECTFLOW_SECRET_KEY", "dev-only-not-secret")
