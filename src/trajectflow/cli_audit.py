"""CLI commands: audit (registered by cli.py): `trajectflow audit verify` and `trajectflow audit export`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import click

from .services.context import ServiceContext
from .settings import Settings


def _context() -> ServiceContext:
    return ServiceContext.create(Settings.from_env())


def _record(
    ctx: ServiceContext,
    action: str,
    *,
    result: str = "success",
    case_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Commands are audited like requests; a trail that cannot be written must not hide the answer."""
    from .services.audit import record_cli_audit

    try:
        record_cli_audit(ctx, action, "audit_log", case_id, result=result, case_id=case_id, details=details)
    except Exception as error:  # noqa: BLE001 - report any database failure plainly
        click.echo(f"warning: this command could not be written to the audit trail ({type(error).__name__})", err=True)


@click.group()
def audit() -> None:
    """The audit trail (BIO logging): check its hash chain, export records."""


@audit.command("verify")
@click.option(
    "--expect-head",
    metavar="SEQ:DIGEST",
    default=None,
    help="a head printed by an earlier verify: also detects deleted last records and a rewritten chain",
)
def audit_verify(expect_head: str | None) -> None:
    """Recompute every record's digest and link; exit 1 naming each altered, missing or inserted record."""
    from .services.audit_verify import Anchor, verify_audit_trail

    anchor = None
    if expect_head:
        try:
            anchor = Anchor.parse(expect_head)
        except ValueError as err:
            click.echo(f"--expect-head: {err}", err=True)
            sys.exit(2)
    ctx = _context()
    result = verify_audit_trail(ctx, anchor)
    details = {"records": result.records, "head_seq": result.head.seq, "problems": len(result.problems)}
    _record(ctx, "verify", result="success" if result.intact else "failed", details=details)
    if result.intact:
        click.echo(f"audit trail intact: {result.records} records, head {result.head}")
        return
    for problem in result.problems:
        click.echo(problem)
    click.echo(
        f"audit trail NOT intact: {len(result.problems)} problem(s) in {result.records} records, head {result.head}",
        err=True,
    )
    sys.exit(1)


@audit.command("export")
@click.option("--case", "case_id", type=int, default=None, help="only the records of this case")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), default=None, help="UTC")
@click.option("--format", "file_format", type=click.Choice(["csv", "json"]), required=True)
def audit_export(case_id: int | None, since: datetime | None, file_format: str) -> None:
    """Write audit records (seq order, with their digests) to standard output as CSV or JSON."""
    from .services.audit_log import audit_records, write_csv, write_json

    ctx = _context()
    moment = since.replace(tzinfo=UTC) if since is not None else None
    records = audit_records(ctx, case_id, moment)
    count = write_csv(records, sys.stdout) if file_format == "csv" else write_json(records, sys.stdout)
    details = {"records": count, "format": file_format, "since": moment.isoformat() if moment else None}
    _record(ctx, "export", case_id=case_id, details=details)


COMMANDS: list[click.Command] = [audit]
