"""CLI commands: privacy (registered by cli.py): `trajectflow retention run` and `trajectflow inzage`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .domain.errors import TrajectflowError
from .services.context import ServiceContext
from .settings import Settings


def _context() -> ServiceContext:
    return ServiceContext.create(Settings.from_env())


@click.group()
def retention() -> None:
    """Retention of closed cases (TRAJECTFLOW_RETENTION_DAYS, TRAJECTFLOW_RETENTION_MODE)."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="list the cases that would be anonymised or deleted; change nothing")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1, max=10_000))
def retention_run(dry_run: bool, batch_size: int) -> None:
    """Anonymise (or delete) closed cases whose retention term has passed; print what was done.

    The list of a dry run shows case id, municipality, closing date and mode: never names or BSNs.
    """
    from .services.audit import cli_actor
    from .services.retention import retention_candidates, retention_cutoff, run_retention

    ctx = _context()
    try:
        if dry_run:
            count = 0
            for candidate in retention_candidates(ctx, batch_size):
                closed = candidate.closed_at.date().isoformat()
                click.echo(f"{candidate.case_id}\t{candidate.municipality}\t{closed}\t{candidate.mode}")
                count += 1
            cutoff = retention_cutoff(ctx).date().isoformat()
            click.echo(f"dry run: {count} case(s) closed before {cutoff} would be handled; nothing changed", err=True)
            return
        report = run_retention(ctx, cli_actor(), batch_size, client="trajectflow-cli")
    except TrajectflowError as err:
        click.echo(f"retention refused: {err.message} {json.dumps(err.details)}", err=True)
        sys.exit(1)
    click.echo(f"{report.summary()} in {report.batches} batch(es); run {report.run_id}")


@click.command("inzage")
@click.option("--client", "client_id", type=int, default=None, help="the client's number")
@click.option("--bsn", default=None, help="or the client's BSN (checked with the 11-proef)")
@click.option("--format", "file_format", type=click.Choice(["json", "pdf"]), default="json", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), required=True, help="file to write")
def inzage(client_id: int | None, bsn: str | None, file_format: str, output: Path) -> None:
    """Export everything stored about one client (inzageverzoek, AVG art. 15) as JSON or PDF."""
    from .services.audit import record_cli_audit
    from .services.inzage import client_export, client_id_for_bsn, export_json
    from .services.inzage_pdf import export_pdf

    if (client_id is None) == (bsn is None):
        click.echo("give either --client or --bsn", err=True)
        sys.exit(2)
    ctx = _context()
    try:
        if client_id is None:
            client_id = client_id_for_bsn(ctx, bsn or "")
        export = client_export(ctx, None, client_id)
    except TrajectflowError as err:
        click.echo(f"inzage refused: {err.message} {json.dumps(err.details)}", err=True)
        sys.exit(1)
    output.write_bytes(export_pdf(export) if file_format == "pdf" else export_json(export))
    record_cli_audit(ctx, "export", "client", client_id, details={"format": file_format, "cases": len(export["cases"])})
    click.echo(f"client {client_id}: {len(export['cases'])} case(s) written to {output}")


COMMANDS: list[click.Command] = [retention, inzage]
