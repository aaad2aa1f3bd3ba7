"""Command line: ``ckan -c <ini> datasud-partnership ...``."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import click

from . import demo
from .agreements import notify, schedule
from .agreements.documents import storage as document_storage
from .common import dates, mail
from .publication import index


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


# -- run-schedule ------------------------------------------------------------------
# Above this many agreements, the command shows a progress bar.
PROGRESS_THRESHOLD = 200

HAPPENINGS = {
    "renewed": "renouvellement / renewal",
    "expired": "expiration / expiry",
    "terminated": "résiliation appliquée / termination applied",
}
REMINDERS = {
    "anniversary_notice": "rappel : préavis avant la date anniversaire / reminder: notice before the anniversary",
    "notice_deadline": "rappel : échéance de la mise en demeure / reminder: formal notice deadline",
    "expiry": "rappel : fin de la convention / reminder: end of the agreement",
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
    if when > today and not dry_run:
        raise click.BadParameter(
            f"{when} est dans le futur : seulement avec --dry-run / is in the future: only with --dry-run",
            param_hint="--date",
        )
    flask_app = ctx.meta.get("flask_app")
    request = flask_app.test_request_context() if flask_app is not None else contextlib.nullcontext()
    with request, mail.counting() as mails:
        outcome = schedule.run(when, dry_run, progress=progress_bar("Conventions / Agreements"))
        reminders = schedule.send_reminders(when, dry_run, progress=progress_bar("Rappels / Reminders"))
        told = {item.agreement.id: notify.recipients(item.agreement) for item in reminders}

    click.echo(f"Échéancier des conventions au {when} / Agreement schedule for {when}")
    if dry_run:
        click.echo("Simulation : rien n'est enregistré ni envoyé / Dry run: nothing is recorded or sent")
    for happening in outcome.happenings:
        click.echo(f"  {happening.reference} : {HAPPENINGS[happening.event]}, {happening.on}")
    for item in reminders:
        addresses = ", ".join(person.email for person in told[item.agreement.id]) or "-"
        label = REMINDERS[item.reminder.reminder]
        click.echo(f"  {item.agreement.reference} : {label}, {item.reminder.about} -> {addresses}")
    if not outcome.happenings and not reminders:
        click.echo("  Rien à faire / Nothing to do")

    click.echo("Bilan / Summary:")
    click.echo(f"  renouvellements / renewals: {outcome.renewed}")
    click.echo(f"  expirations / expiries: {outcome.expired}")
    click.echo(f"  résiliations appliquées / terminations applied: {outcome.terminated}")
    if dry_run:
        out_of_step = _check_index(fix=False)
        click.echo(f"  index de recherche à réparer / search index to repair: {out_of_step}")
        to_send = sum(len(told[item.agreement.id]) for item in reminders)
        click.echo(f"  rappels à envoyer / reminders to send: {len(reminders)}")
        click.echo(f"  e-mails à envoyer / e-mails to send: {to_send}")
        return
    click.echo(f"  rappels / reminders: {len(reminders)}")
    click.echo(f"  e-mails envoyés / e-mails sent: {mails.sent}")
    repaired = _check_index(fix=True)
    click.echo(f"  index de recherche réparé / search index repaired: {repaired}")
    if mails.failed:
        click.echo(
            f"{mails.failed} e-mail(s) non envoyé(s), voir le journal / not sent, see the log",
            err=True,
        )
        ctx.exit(1)


# -- check-index ---------------------------------------------------------------------
INDEX_SIDES = {
    "public": "public",
    "private": "privé / private",
    "draft": "brouillon / draft",
    "deleted": "supprimé / deleted",
    "absent": "absent",
}


def _check_index(fix: bool) -> int:
    """Print each dataset the index shows otherwise than the database; with
    ``fix``, index them again. Returns how many there were."""
    differences = index.check()
    for difference in differences:
        warning = " !" if difference.exposed else ""
        click.echo(
            f"  {difference.name or difference.dataset_id} : base / database {INDEX_SIDES[difference.database]},"
            f" index {INDEX_SIDES[difference.index]}{warning}"
        )
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
    click.echo("Index de recherche / Search index:")
    found = _check_index(fix)
    if not found:
        click.echo("  Conforme à la base / In step with the database")
        return
    if not fix:
        click.echo(f"{found} écart(s) : --fix les répare / difference(s): --fix repairs them")
        ctx.exit(1)
    left = len(index.check())
    click.echo(f"Réparés / Repaired: {found - left}; restants / left: {left}")
    if left:
        ctx.exit(1)


# -- documents-migrate -----------------------------------------------------------------
@datasud_partnership.command("documents-migrate")
def documents_migrate() -> None:
    """Copy the agreements' uploaded documents from the private folder under
    ckan.storage_path into the storage the portal names for them
    (ckan.files.storage.datasud_agreements.*). Safe to run again."""
    import ckan.plugins.toolkit as tk

    try:
        counts = document_storage.migrate()
    except tk.ValidationError as error:
        raise click.UsageError(" ".join(map(str, error.error_dict["storage"]))) from error
    click.echo(
        f"Documents : copiés / copied: {counts['copied']}, déjà là / already there: {counts['present']},"
        f" introuvables / missing: {counts['missing']}"
    )
