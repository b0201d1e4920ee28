"""What can be checked of docker/ without a Docker engine: the compose file's shape and that the
Dockerfile's commands are the project's real entry points."""

from __future__ import annotations

import importlib
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT

DOCKER = ROOT / "docker"
WEB_COMMAND = ["gunicorn", "--config", "python:trajectflow.ops.gunicorn_config", "trajectflow.app:create_app()"]


def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """Instructions per build stage, continuation lines joined: [[(INSTRUCTION, arguments), …], …]."""
    text = re.sub(r"\\\n", " ", (DOCKER / "Dockerfile").read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def exec_form(arguments: str) -> list[str]:
    import json

    return json.loads(arguments)


def test_compose_names_the_services_with_their_commands():
    services = compose()["services"]
    assert {"db", "migrate", "deploy", "web", "scheduler", "mailpit"} <= set(services)
    assert services["migrate"]["command"] == ["trajectflow", "db", "upgrade"]
    assert services["deploy"]["command"] == ["trajectflow", "deploy"]
    assert services["scheduler"]["command"] == ["trajectflow", "scheduler"]
    assert services["web"]["command"] == WEB_COMMAND
    assert services["mailpit"]["profiles"] == ["dev"]


def test_database_is_postgresql_15_or_later_on_a_named_volume_with_a_healthcheck():
    spec = compose()
    db = spec["services"]["db"]
    image, _, tag = db["image"].partition(":")
    assert image == "postgres" and int(re.match(r"\d+", tag).group()) >= 15  # type: ignore[union-attr]
    volume, _, target = db["volumes"][0].partition(":")
    assert target == "/var/lib/postgresql/data" and volume in spec["volumes"]
    assert "pg_isready" in db["healthcheck"]["test"]


def test_migrations_run_once_before_web_and_scheduler():
    services = compose()["services"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "scheduler", "deploy"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_web_publishes_port_8000_and_checks_readiness():
    web = compose()["services"]["web"]
    assert any(str(port).endswith(":8000") for port in web["ports"])
    assert any("/readyz" in part for part in web["healthcheck"]["test"])
    assert web["environment"]["TRAJECTFLOW_DATABASE_URL_FILE"].startswith("/run/secrets/")


def test_scheduler_runs_as_replicas():
    scheduler = compose()["services"]["scheduler"]
    replicas = str(scheduler["deploy"]["replicas"])
    assert re.fullmatch(r"\d+|\$\{TRAJECTFLOW_SCHEDULERS:-\d+\}", replicas)
    assert "ports" not in scheduler


def test_no_secret_is_written_into_the_compose_file():
    spec = compose()
    for name, service in spec["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|DATABASE_URL", key):
                assert key.endswith("_FILE") and str(value).startswith("/run/secrets/"), (name, key)
    for secret in spec["secrets"].values():
        assert set(secret) == {"file"} and secret["file"].startswith("./secrets/")
    assert "docker/secrets/" in (ROOT / ".gitignore").read_text().splitlines()


def test_dockerfile_builds_assets_with_npm_then_the_wheel_and_runs_gunicorn_as_non_root():
    stages = dockerfile_stages()
    assert len(stages) == 3
    assets, wheels, runtime = stages
    assert assets[0][1].startswith("node:") and ("RUN", "npm ci --no-audit --no-fund --loglevel=error") in assets
    assert any(i == "RUN" and "pip wheel" in a for i, a in wheels)
    assert any(i == "COPY" and a.startswith("--from=assets ") for i, a in wheels)
    assert any(i == "RUN" and "pip install" in a and "/wheels" in a for i, a in runtime)
    users = [a for i, a in runtime if i == "USER"]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    cmd = [a for i, a in runtime if i == "CMD"]
    assert exec_form(cmd[-1]) == WEB_COMMAND == compose()["services"]["web"]["command"]
    assert any(i == "HEALTHCHECK" and "/healthz" in a for i, a in runtime)


def test_dockerfile_copies_only_paths_that_exist():
    for stage in dockerfile_stages():
        for instruction, arguments in stage:
            if instruction != "COPY" or arguments.startswith("--from="):
                continue
            *sources, _target = shlex.split(arguments)
            for source in sources:
                assert (ROOT / source).exists(), source


def test_assets_are_vendored_by_the_same_script_as_make():
    makefile = (ROOT / "Makefile").read_text()
    assert "sh scripts/vendor-assets.sh $(VENDOR)" in makefile
    assets = dockerfile_stages()[0]
    assert ("RUN", "sh scripts/vendor-assets.sh /build/vendor") in assets
    # The package ships the vendor directory the app serves (Swagger UI at /api/docs).
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "web/static/**/*" in package_data["trajectflow"]


def test_commands_are_the_projects_real_entry_points():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["trajectflow"] == "trajectflow.cli:main"
    cli = importlib.import_module("trajectflow.cli")
    assert {"db", "deploy", "scheduler"} <= set(cli.main.commands)
    assert "upgrade" in cli.main.commands["db"].commands
    module, _, factory = WEB_COMMAND[-1].partition(":")
    assert callable(getattr(importlib.import_module(module), factory.removesuffix("()")))
    config_module = WEB_COMMAND[2].removeprefix("python:")
    assert Path(importlib.util.find_spec(config_module).origin).is_file()  # type: ignore[union-attr,arg-type]
