"""Process designer commands: `trajectflow test` (scenarios) and `trajectflow migrate` (cases to a new version)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .domain.errors import TrajectflowError
from .settings import Settings


@click.command("test")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(path_type=Path), help="forms directory (default: forms/)")
def test_processes(path: Path | None, forms_dir: Path | None) -> None:
    """Run the scenario files of PATH (default: processes/) on a temporary database; report and coverage."""
    from .services.scenario_files import find_scenario_files, read_scenario_file
    from .services.scenarios import run_scenarios

    settings = Settings.from_env()
    directory = path or settings.processes_dir
    files = find_scenario_files(directory)
    if not files:
        click.echo(f"{directory}: no scenario files (scenarios/*.yaml or *.scenarios.yaml)", err=True)
        sys.exit(2)
    try:
        scenarios = [s for f in files for s in read_scenario_file(f)]
        processes = directory if directory.is_dir() else settings.processes_dir
        report = run_scenarios(settings, processes, forms_dir or settings.forms_dir, scenarios)
    except TrajectflowError as err:
        click.echo(f"scenarios could not run: {err}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    if not report.passed:
        sys.exit(1)


@click.command("migrate")
@click.option("--process", "process_id", required=True, help="process id, e.g. participatie_traject")
@click.option("--from", "from_version", type=int, required=True, help="the version the cases are on")
@click.option("--to", "to_version", type=int, required=True, help="the version to move them to")
@click.option("--case", "case_ids", type=int, multiple=True, help="only these cases (repeatable)")
@click.option("--dry-run", is_flag=True, help="report what would happen; change nothing")
def migrate(process_id: str, from_version: int, to_version: int, case_ids: tuple[int, ...], dry_run: bool) -> None:
    """Move running cases to another version where their active elements exist in it; report per case."""
    from .domain.cases import Actor
    from .services.context import ServiceContext
    from .services.migration import MAPPED, migrate_cases

    ctx = ServiceContext.create(Settings.from_env())
    actor = Actor("cli", frozenset({"procesontwerper"}))
    try:
        results = migrate_cases(
            ctx, actor, process_id, from_version, to_version, list(case_ids) or None, dry_run=dry_run
        )
    except TrajectflowError as err:
        click.echo(f"migration refused: {err.message}", err=True)
        sys.exit(1)
    for result in results:
        where = ", ".join(result.elements) or "-"
        outcome = "mapped" if result.outcome == MAPPED else f"blocked: {result.reason}"
        click.echo(f"case {result.case_id} at {where}: {outcome}")
    mapped = sum(1 for r in results if r.outcome == MAPPED)
    prefix = "dry run: " if dry_run else ""
    click.echo(f"{prefix}{mapped} of {len(results)} case(s) moved to v{to_version}")


COMMANDS = [test_processes, migrate]
