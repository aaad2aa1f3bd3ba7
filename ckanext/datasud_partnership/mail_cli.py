"""``ckan -c <ini> datasud-partnership mail ...``: the outbox from the command line."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from .common import outbox
from .common.cli_language import portal_locale

_ = tk._


@click.group(name="mail", short_help="The e-mail outbox.")
def mail() -> None:
    """The e-mail outbox: what was queued, sent and failed."""


@mail.command("retry")
@click.option(
    "--due",
    is_flag=True,
    help="Only the e-mails whose back-off has passed (and queued ones the job queue lost): for cron.",
)
@click.pass_context
def retry(ctx: click.Context, due: bool) -> None:
    """Send now, from this process, the e-mails of the outbox that failed or
    still wait (run it once the SMTP server is back). Exits 1 if some failed again."""
    with portal_locale(ctx):
        result = outbox.retry(due_only=due)
        click.echo(_("E-mails sent: %(count)s", count=result[outbox.SENT]))
        if result[outbox.FAILED]:
            click.echo(_("E-mails that failed again: %(count)s", count=result[outbox.FAILED]), err=True)
    if result[outbox.FAILED]:
        ctx.exit(1)


@mail.command("status")
@click.pass_context
def status(ctx: click.Context) -> None:
    """How many e-mails of the outbox are queued, sent and failed."""
    counts = outbox.counts()
    with portal_locale(ctx):
        click.echo(_("Queued: %(count)s", count=counts[outbox.QUEUED]))
        click.echo(_("Sent: %(count)s", count=counts[outbox.SENT]))
        click.echo(_("Failed: %(count)s", count=counts[outbox.FAILED]))
