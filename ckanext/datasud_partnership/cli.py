"""Command line: ``ckan -c <ini> datasud-partnership ...``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import ckan.plugins.toolkit as tk
import click

from . import demo, mail_cli
from .agreements import notify, schedule
from .agreements.documents import storage as document_storage
from .common import dates, mail
from .common.cli_language import portal_locale
from .common.messages import N_
from .publication import index, sandbox

_ = tk._


@click.group(name="datasud-partnership", short_help="DataSud partnership commands.")
def datasud_partnership() -> None:
    """Commands of the DataSud partnership extension."""


datasud_partnership.add_command(mail_cli.mail)


@datasud_partnership.command("demo-data")
@click.pass_context
def demo_data(ctx: click.Context) -> None:
    """Load the demo organizations, users and datasets (safe to run again)."""
    report = demo.load_demo_data()
    with portal_locale(ctx):
        click.echo(_("Demo data loaded:"))
        for line in report.lines():
            click.echo(f"  {line}")
        click.echo()
        click.echo(demo.logins_text())


# -- run-schedule ------------------------------------------------------------------
# Above this many agreements, the command shows a progress bar.
PROGRESS_THRESHOLD = 200

HAPPENINGS = {
    "renewed": N_("renewal"),
    "expired": N_("expiry"),
    "terminated": N_("termination applied"),
}
REMINDERS = {
    "anniversary_notice": N_("reminder: notice before the anniversary"),
    "notice_deadline": N_("reminder: formal notice deadline"),
    "expiry": N_("reminder: end of the agreement"),
}


def progress_bar(label: str) -> Callable[[list[Any]], Iterator[Any]]:
    """Wraps the agreements that ``schedule`` walks through: a progress bar
    on large runs (on the error stream, so that the report stays clean)."""

    def walk(rows: list[Any]) -> Iterator[Any]:
        if len(rows) <= PROGRESS_THRESHOLD:
            yield from rows
            return
        with click.progressbar(rows, label=label, file=click.get_text_stream("stderr")) as bar:
            yield from bar

    return walk


@datasud_partnership.command("run-schedule")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to run for, YYYY-MM-DD (default: today).",
)
@click.option("--dry-run", is_flag=True, help="Print what would happen; record and send nothing.")
@click.pass_context
def run_schedule(ctx: click.Context, day: dt.datetime | None, dry_run: bool) -> None:
    """Apply what the calendar makes happen to the agreements (renewals,
    expiries, terminations reaching their effective date, with the dataset
    withdrawals decided with them) and send the reminders by e-mail.

    Run it every day (cron); running it again on the same day does nothing
    more: every renewal, expiry, termination and reminder is recorded once."""
    today = dates.today()
    when = day.date() if day else today
    with portal_locale(ctx):
        if when > today and not dry_run:
            raise click.BadParameter(
                _("%(day)s is in the future: only with --dry-run", day=when), param_hint="--date"
            )
        with mail.counting() as mails:
            outcome = schedule.run(when, dry_run, progress=progress_bar(_("Agreements")))
            reminders = schedule.send_reminders(when, dry_run, progress=progress_bar(_("Reminders")))
            told = {item.agreement.id: notify.recipients(item.agreement) for item in reminders}
            # the sandbox datasets of agreements no longer in force: private to their organization
            left_sandbox = [] if dry_run else sandbox.close_ended(when)
        _report(ctx, when, dry_run, outcome, reminders, told, mails)
        if left_sandbox:
            click.echo("  " + _("left the sandbox: %(count)s", count=len(left_sandbox)))


def _report(
    ctx: click.Context,
    when: dt.date,
    dry_run: bool,
    outcome: Any,
    reminders: list[Any],
    told: dict[str, Any],
    mails: mail.Tally,
) -> None:
    click.echo(_("Agreement schedule for %(day)s", day=when))
    if dry_run:
        click.echo(_("Dry run: nothing is recorded or sent"))
    for happening in outcome.happenings:
        line = _(
            "%(reference)s: %(what)s, %(day)s",
            reference=happening.reference,
            what=_(HAPPENINGS[happening.event]),
            day=happening.on,
        )
        click.echo("  " + line)
    for item in reminders:
        addresses = ", ".join(person.email for person in told[item.agreement.id]) or "-"
        label = _(REMINDERS[item.reminder.reminder])
        line = _(
            "%(reference)s: %(what)s, %(day)s",
            reference=item.agreement.reference,
            what=label,
            day=item.reminder.about,
        )
        click.echo(f"  {line} -> {addresses}")
    if not outcome.happenings and not reminders:
        click.echo("  " + _("Nothing to do"))

    click.echo(_("Summary:"))
    click.echo("  " + _("renewals: %(count)s", count=outcome.renewed))
    click.echo("  " + _("expiries: %(count)s", count=outcome.expired))
    click.echo("  " + _("terminations applied: %(count)s", count=outcome.terminated))
    if dry_run:
        to_send = len({p.email.lower() for people in told.values() for p in people})
        click.echo("  " + _("reminders to send: %(count)s", count=len(reminders)))
        click.echo("  " + _("e-mails to send: %(count)s", count=to_send))
        click.echo("  " + _("search index to repair: %(count)s", count=_check_index(fix=False)))
        return
    click.echo("  " + _("reminders: %(count)s", count=len(reminders)))
    click.echo("  " + _("e-mails queued: %(count)s", count=mails.queued))
    if mails.sent or mails.failed:  # sent here (inline delivery)
        click.echo("  " + _("e-mails sent: %(count)s", count=mails.sent))
    click.echo("  " + _("search index repaired: %(count)s", count=_check_index(fix=True)))
    if mails.failed:
        click.echo(
            _(
                "%(count)s e-mail(s) not sent: see the outbox (ckan datasud-partnership mail retry)",
                count=mails.failed,
            ),
            err=True,
        )
        ctx.exit(1)


# -- check-index ---------------------------------------------------------------------
INDEX_SIDES = {
    "public": N_("public"),
    "private": N_("private"),
    "draft": N_("draft"),
    "deleted": N_("deleted"),
    "absent": N_("absent"),
}


def _check_index(fix: bool) -> int:
    """Print each dataset the index shows otherwise than the database; with
    ``fix``, index them again. Returns how many there were."""
    differences = index.check()
    for difference in differences:
        line = _(
            "%(dataset)s: %(database)s in the database, %(index)s in the index",
            dataset=difference.name or difference.dataset_id,
            database=_(INDEX_SIDES[difference.database]),
            index=_(INDEX_SIDES[difference.index]),
        )
        click.echo(f"  {line}{' !' if difference.exposed else ''}")
    if fix and differences:
        index.fix(differences)
    return len(differences)


@datasud_partnership.command("check-index")
@click.option(
    "--fix",
    is_flag=True,
    help="Index the datasets found again, so that the index says what the database says.",
)
@click.pass_context
def check_index(ctx: click.Context, fix: bool) -> None:
    """List the datasets whose visibility in the search index (public,
    private, draft, deleted, absent) differs from the database's; "!" marks
    those the public finds although it may not see them. Exits 1 when a
    difference remains (without --fix, or if repairing failed)."""
    with portal_locale(ctx):
        click.echo(_("Search index:"))
        found = _check_index(fix)
        if not found:
            click.echo("  " + _("In step with the database"))
            return
        if not fix:
            click.echo(_("%(count)s difference(s): --fix repairs them", count=found))
            ctx.exit(1)
        left = len(index.check())
        click.echo(_("Repaired: %(done)s; left: %(left)s", done=found - left, left=left))
        if left:
            ctx.exit(1)


# -- documents-migrate -----------------------------------------------------------------
@datasud_partnership.command("documents-migrate")
@click.pass_context
def documents_migrate(ctx: click.Context) -> None:
    """Copy the agreements' uploaded documents from the private folder under
    ckan.storage_path into the storage the portal names for them
    (ckan.files.storage.datasud_agreements.*). Safe to run again."""
    with portal_locale(ctx):
        try:
            counts = document_storage.migrate()
        except tk.ValidationError as error:
            raise click.UsageError(" ".join(map(str, error.error_dict["storage"]))) from error
        click.echo(
            _(
                "Documents: copied: %(copied)s, already there: %(present)s, missing: %(missing)s",
                copied=counts["copied"],
                present=counts["present"],
                missing=counts["missing"],
            )
        )
