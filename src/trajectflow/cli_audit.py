"""CLI commands: audit (registered by cli.py)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
