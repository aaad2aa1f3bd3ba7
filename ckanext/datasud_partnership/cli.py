"""Command line: ``ckan -c <ini> datasud-partnership ...``."""

from __future__ import annotations

import click

from . import demo


@click.group(name="datasud-partnership", short_help="DataSud partnership commands.")
def datasud_partnership() -> None:
    """Commands of the DataSud partnership extension."""


@datasud_partnership.command("demo-data")
def demo_data() -> None:
    """Load the demo organizations, users and datasets (safe to run again)."""
    report = demo.load_demo_data()
    click.echo("Données de démonstration chargées / Demo data loaded:")
    for line in report.lines():
        click.echo(f"  {line}")
    click.echo()
    click.echo(demo.logins_text())
