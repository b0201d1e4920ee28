"""CLI commands: accounts (registered by cli.py).

`trajectflow users …` runs on the server with full rights (no tenancy limits): how a production
install without demo mode gets its first functioneel beheerder, e.g.

    echo "$PASSWORD" | trajectflow users create admin --role beheerder \\
        --organisation werkbedrijf-roermond --password-stdin
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from .domain.errors import TrajectflowError
from .services.context import ServiceContext
from .settings import Settings


def _context() -> ServiceContext:
    return ServiceContext.create(Settings.from_env())


def _run(ctx: ServiceContext, command: str, username: str | None, action: Callable[[], Any]) -> Any:
    """Call a service and write the audit record (BIO: every admin action, refused ones too);
    a refusal is printed with its details and exits with status 1."""
    from .services.audit import record_cli_audit

    kind = "list" if command == "list" else "admin"
    try:
        result = action()
    except TrajectflowError as err:
        record_cli_audit(ctx, kind, "user", username, result="failure", details={"command": command, "error": err.code})
        click.echo(f"refused: {err.message}", err=True)
        if isinstance(err.details, dict):
            for key, messages in err.details.items():
                text = "; ".join(messages) if isinstance(messages, list) else messages
                click.echo(f"  {key}: {text}", err=True)
        sys.exit(1)
    record_cli_audit(ctx, kind, "user", username, details={"command": command})
    return result


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group("users")
def users() -> None:
    """Local accounts: create, list, (de)activate, set a password, lift a lock-out."""


@users.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="a role (repeat for more): beheerder, …")
@click.option("--organisation", default=None, help="execution organisation, e.g. werkbedrijf-roermond")
@click.option("--municipality", default=None, help="municipality, for municipal staff")
@click.option("--display-name", default="", help="full name (default: the user name)")
@click.option("--email", default=None, help="address for reminder mails")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
@click.option("--no-password", is_flag=True, help="no password: sign-in only through OpenID Connect")
def create(
    username: str,
    roles: tuple[str, ...],
    organisation: str | None,
    municipality: str | None,
    display_name: str,
    email: str | None,
    password_stdin: bool,
    no_password: bool,
) -> None:
    """Create account USERNAME (password: at least 12 characters, not the user name)."""
    from .services.accounts import NewAccount, create_account

    password = None if no_password else _read_password(password_stdin)
    new = NewAccount(username, list(roles), display_name, organisation, municipality, email, password)
    ctx = _context()
    account = _run(ctx, "create", username, lambda: create_account(ctx, None, new))
    home = account.municipality or account.organisation or "no organisation"
    click.echo(f"created {account.username} ({', '.join(account.roles)}; {home})")


@users.command("list")
@click.option("--search", default=None, help="part of the user name or display name")
def list_users(search: str | None) -> None:
    """List every account: name, roles, organisation or municipality, state."""
    from .services.accounts import list_accounts

    ctx = _context()
    for a in _run(ctx, "list", None, lambda: list_accounts(ctx, None, search)):
        state = [s for s, on in (("inactive", not a.active), ("locked", a.locked), ("demo", a.demo)) if on]
        home = a.municipality or a.organisation or "-"
        click.echo(f"{a.username}\t{','.join(a.roles)}\t{home}\t{' '.join(state) or 'active'}")


def _set_active(username: str, active: bool) -> None:
    from .services.accounts import update_account

    ctx = _context()
    command = "activate" if active else "deactivate"
    _run(ctx, command, username, lambda: update_account(ctx, None, username, {"active": active}))


@users.command("deactivate")
@click.argument("username")
def deactivate(username: str) -> None:
    """Deactivate USERNAME at once: no sign-in, its sessions and API tokens stop working."""
    _set_active(username, False)
    click.echo(f"deactivated {username}; its API tokens are revoked")


@users.command("activate")
@click.argument("username")
def activate(username: str) -> None:
    """Activate USERNAME again."""
    _set_active(username, True)
    click.echo(f"activated {username}")


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of stdin")
def set_password_command(username: str, password_stdin: bool) -> None:
    """Set a new password for USERNAME; its API tokens are revoked."""
    from .services.accounts import set_password

    password = _read_password(password_stdin)
    ctx = _context()
    revoked = _run(ctx, "set-password", username, lambda: set_password(ctx, None, username, password))
    click.echo(f"password of {username} set; {revoked} API token(s) revoked")


@users.command("unlock")
@click.argument("username")
def unlock(username: str) -> None:
    """Lift the lock-out of USERNAME after repeated failed sign-ins."""
    from .services.accounts import unlock_account

    ctx = _context()
    forgotten = _run(ctx, "unlock", username, lambda: unlock_account(ctx, None, username))
    click.echo(f"unlocked {username} ({forgotten} failed sign-in(s) forgotten)")


@users.command("set-unit")
@click.argument("username")
@click.option("--organisation", default=None, help="execution organisation, e.g. werkbedrijf-roermond")
@click.option("--municipality", default=None, help="municipality, for municipal staff")
def set_unit(username: str, organisation: str | None, municipality: str | None) -> None:
    """Say where USERNAME works (accounts from before tenancy have neither and see no cases)."""
    from .services.accounts import update_account

    if not organisation and not municipality:
        raise click.UsageError("give --organisation or --municipality")
    ctx = _context()
    changes = {"organisation": organisation, "municipality": municipality}
    _run(ctx, "set-unit", username, lambda: update_account(ctx, None, username, changes))
    click.echo(f"{username} works for {organisation or municipality}")


COMMANDS: list[click.Command] = [users]
