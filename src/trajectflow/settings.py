"""Configuration from `TRAJECTFLOW_…` environment variables, in one object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    base_url: str = "http://127.0.0.1:5000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"
    smtp_from: str = "trajectflow@localhost"
    reminder_days: int = 2
    escalation_days: int = 3
    good_friday: bool = False
    liberation_day: str = "lustrum"
    closing_days: tuple[str, ...] = ()
    policy_file: Path | None = None
    workers: int = 2
    log_format: str = "json"
    ready_heartbeat_seconds: int = 30
    api_token_hours: int = 12
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    login_rate_per_minute: int = 20
    secure_cookies: bool = False
    oidc_providers_file: Path | None = None
    retention_days: int = 2555
    retention_mode: str = "anonymise"
    proxy_hops: int = 0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("TRAJECTFLOW_HOME", Path.cwd()))
        default_db = f"sqlite:///{(home / 'instance' / 'trajectflow.db').as_posix()}"
        return cls(
            database_url=_database_url(env) or default_db,
            host=env.get("TRAJECTFLOW_HOST", "127.0.0.1"),
            port=int(env.get("TRAJECTFLOW_PORT", "5000")),
            processes_dir=Path(env.get("TRAJECTFLOW_PROCESSES_DIR", home / "processes")),
            forms_dir=Path(env.get("TRAJECTFLOW_FORMS_DIR", home / "forms")),
            secret_key=_secret(env),
            demo_mode=env.get("TRAJECTFLOW_DEMO", "0").lower() in {"1", "true", "yes", "on"},
            log_level=env.get("TRAJECTFLOW_LOG_LEVEL", "INFO"),
            **_deadline_settings(env),
            **_operations_settings(env),
            **_security_settings(env),
        )


def _database_url(env: dict[str, str]) -> str:
    """The URL holds the password: production reads it from a secret file (TRAJECTFLOW_DATABASE_URL_FILE)."""
    path = env.get("TRAJECTFLOW_DATABASE_URL_FILE")
    if path:
        return Path(path).read_text().strip()
    return env.get("TRAJECTFLOW_DATABASE_URL", "")


def _secret(env: dict[str, str]) -> str:
    path = env.get("TRAJECTFLOW_SECRET_KEY_FILE")
    if path:
        return Path(path).read_text().strip()
    return env.get("TRAJECTFLOW_SECRET_KEY", "dev-only-not-secret")


def _flag(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "yes", "on"}


def _deadline_settings(env: dict[str, str]) -> dict[str, Any]:
    """Mail, reminders and the business calendar (see the README's configuration table)."""
    password_file = env.get("TRAJECTFLOW_SMTP_PASSWORD_FILE")
    password = Path(password_file).read_text().strip() if password_file else env.get("TRAJECTFLOW_SMTP_PASSWORD", "")
    policy = env.get("TRAJECTFLOW_POLICY_FILE")
    return {
        "base_url": env.get("TRAJECTFLOW_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "smtp_host": env.get("TRAJECTFLOW_SMTP_HOST", ""),
        "smtp_port": int(env.get("TRAJECTFLOW_SMTP_PORT", "25")),
        "smtp_user": env.get("TRAJECTFLOW_SMTP_USER", ""),
        "smtp_password": password,
        "smtp_tls": env.get("TRAJECTFLOW_SMTP_TLS", "none").lower(),
        "smtp_from": env.get("TRAJECTFLOW_SMTP_FROM", "trajectflow@localhost"),
        "reminder_days": int(env.get("TRAJECTFLOW_REMINDER_DAYS", "2")),
        "escalation_days": int(env.get("TRAJECTFLOW_ESCALATION_DAYS", "3")),
        "good_friday": _flag(env.get("TRAJECTFLOW_GOOD_FRIDAY")),
        "liberation_day": env.get("TRAJECTFLOW_LIBERATION_DAY", "lustrum").lower(),
        "closing_days": tuple(d.strip() for d in env.get("TRAJECTFLOW_CLOSING_DAYS", "").split(",") if d.strip()),
        "policy_file": Path(policy) if policy else None,
    }


def _operations_settings(env: dict[str, str]) -> dict[str, Any]:
    """gunicorn workers, log format and the readiness check (see the README's "Run in production")."""
    return {
        "workers": int(env.get("TRAJECTFLOW_WORKERS", "2")),
        "log_format": env.get("TRAJECTFLOW_LOG_FORMAT", "json").lower(),
        "ready_heartbeat_seconds": int(env.get("TRAJECTFLOW_READY_HEARTBEAT_SECONDS", "30")),
    }


def _security_settings(env: dict[str, str]) -> dict[str, Any]:
    """Sign-in, tokens, cookies, OpenID Connect and retention (see the README's configuration table)."""
    base_url = env.get("TRAJECTFLOW_BASE_URL", "http://127.0.0.1:5000")
    secure = env.get("TRAJECTFLOW_SECURE_COOKIES")
    providers = env.get("TRAJECTFLOW_OIDC_PROVIDERS_FILE")
    return {
        "api_token_hours": int(env.get("TRAJECTFLOW_API_TOKEN_HOURS", "12")),
        "login_max_failures": int(env.get("TRAJECTFLOW_LOGIN_MAX_FAILURES", "5")),
        "login_lockout_minutes": int(env.get("TRAJECTFLOW_LOGIN_LOCKOUT_MINUTES", "15")),
        "login_rate_per_minute": int(env.get("TRAJECTFLOW_LOGIN_RATE_PER_MINUTE", "20")),
        # Secure cookies whenever the app is served over HTTPS, unless told otherwise.
        "secure_cookies": _flag(secure) if secure is not None else base_url.startswith("https://"),
        "oidc_providers_file": Path(providers) if providers else None,
        "retention_days": int(env.get("TRAJECTFLOW_RETENTION_DAYS", "2555")),
        "retention_mode": env.get("TRAJECTFLOW_RETENTION_MODE", "anonymise").lower(),
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (0: none trusted).
        "proxy_hops": int(env.get("TRAJECTFLOW_PROXY_HOPS", "0")),
    }
