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


COMMANDS = [test_processes]
