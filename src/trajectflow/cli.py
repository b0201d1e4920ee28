"""`trajectflow …` commands. They parse arguments, call services and report; nothing more."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .domain.errors import InvalidProcess, TrajectflowError
from .services.context import ServiceContext
from .settings import Settings


def _context() -> ServiceContext:
    return ServiceContext.create(Settings.from_env())


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.group()
def main() -> None:
    """trajectflow: workflow engine for Participatiewet trajectories."""
    from .ops.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision (safe while the old release runs)."""
    from .services.schema import upgrade_schema

    try:
        result = upgrade_schema(Settings.from_env())
    except Exception as err:  # noqa: BLE001 - report any database failure plainly
        _fail(f"database upgrade failed: {err}")
        return
    if result.before == result.after:
        click.echo(f"database is up to date (revision {result.after})")
    else:
        click.echo(f"database upgraded from revision {result.before or 'none'} to {result.after}")


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(path_type=Path), help="forms directory (default: forms/)")
def deploy(directory: Path | None, forms_dir: Path | None) -> None:
    """Deploy BPMN/DMN files from DIRECTORY (default: processes/); new versions only for changed content."""
    from .services.deploy import deploy_directory

    settings = Settings.from_env()
    ctx = ServiceContext.create(settings)
    try:
        results = deploy_directory(ctx, directory or settings.processes_dir, forms_dir or settings.forms_dir, "cli")
    except InvalidProcess as err:
        for problem in err.problems:
            click.echo(str(problem), err=True)
        _fail(f"deploy refused: {len(err.problems)} problem(s)")
        return
    for result in results:
        state = "new version" if result.created else "unchanged"
        click.echo(f"{result.process_id}: v{result.version} ({state})")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(path_type=Path), help="forms directory (default: forms/)")
@click.option("--json", "as_json", is_flag=True, help="print the problems as JSON")
def validate(paths: tuple[Path, ...], forms_dir: Path | None, as_json: bool) -> None:
    """Check BPMN/DMN files (default: processes/) and print `file:line: element-id: message`."""
    from .services.deploy import check_sources, read_directory

    settings = Settings.from_env()
    sources: dict[str, bytes | str] = {}
    for path in paths or (settings.processes_dir,):
        if path.is_dir():
            sources.update(read_directory(path))
        elif path.is_file():
            sources[path.name] = path.read_bytes()
        else:
            _fail(f"{path}: no such file or directory", 2)
    library = check_sources(sources, forms_dir or settings.forms_dir)
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in library.problems], indent=2))
    else:
        for problem in library.problems:
            click.echo(f"{problem} [{problem.severity}]")
        click.echo(
            f"{len(sources)} file(s), {len(library.errors)} error(s), "
            f"{len(library.problems) - len(library.errors)} warning(s)"
        )
    if library.errors:
        sys.exit(1)


@main.command()
@click.option(
    "--scale", type=click.IntRange(min=1), default=None, help="also generate N cases in bulk (~20 tasks each)"
)
def demo(scale: int | None) -> None:
    """Load demo users, clients and cases (idempotent); with --scale N, N generated cases on top."""
    from .services.demo import load_demo

    try:
        summary = load_demo(_context())
    except TrajectflowError as err:
        _fail(f"demo data could not be loaded: {err.message}")
        return
    click.echo(summary)
    if scale:
        from .services.scale_demo import load_scale_demo

        click.echo(load_scale_demo(_context(), scale, progress=lambda s: click.echo(f"# {s}", err=True)))


@main.command()
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes")
@click.option("--with-scheduler", is_flag=True, help="also run the timer scheduler beside the server")
def serve(workers: int, with_scheduler: bool) -> None:
    """Serve the web application and API with gunicorn."""
    from .serve import run_gunicorn

    settings = Settings.from_env()
    click.echo(f"trajectflow on http://{settings.host}:{settings.port} (API docs: /api/docs)")
    run_gunicorn(settings, workers, with_scheduler=with_scheduler)


@main.command()
@click.option("--interval", default=1.0, show_default=True, help="seconds between checks for due timers")
def scheduler(interval: float) -> None:
    """Run the timer scheduler (production: one or more of these beside the web servers)."""
    import logging

    from .scheduler.runner import run_scheduler

    settings = Settings.from_env()
    logging.getLogger(__name__).info("scheduler starting", extra={"interval_seconds": interval})
    run_scheduler(ServiceContext.create(settings), interval)


@main.group()
def calendar() -> None:
    """The business calendar: Dutch public holidays, closing days and working days."""


@calendar.command("holidays")
@click.argument("year", type=int)
@click.option("--municipality", default=None, help="include the closing days configured for this municipality")
def calendar_holidays(year: int, municipality: str | None) -> None:
    """List the holidays and closing days of YEAR (Goede Vrijdag and Bevrijdingsdag as configured)."""
    from .services.deadline_policy import business_calendar

    for day, name in business_calendar(Settings.from_env(), municipality).holidays(year).items():
        click.echo(f"{day.isoformat()}  {day.strftime('%a')}  {name}")


@calendar.command("add")
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("days", type=int)
@click.option("--municipality", default=None, help="include the closing days configured for this municipality")
def calendar_add(start: Any, days: int, municipality: str | None) -> None:
    """Print the date DAYS working days after START (YYYY-MM-DD); negative DAYS count back."""
    from .services.deadline_policy import business_calendar

    click.echo(business_calendar(Settings.from_env(), municipality).add_working_days(start.date(), days).isoformat())


def _more_commands() -> None:
    """Command groups kept in their own modules: process design, audit trail, privacy, accounts."""
    from . import cli_accounts, cli_audit, cli_designer, cli_privacy

    for module in (cli_designer, cli_audit, cli_privacy, cli_accounts):
        for command in module.COMMANDS:
            main.add_command(command)


_more_commands()


if __name__ == "__main__":
    main()
