"""End to end, with the real pieces: the local SMTP sink (aiosmtpd), CKAN's
background worker (``ckan jobs worker``) and the commands, each a process of
its own. An SMTP outage loses nothing; each reader gets their language, a
text and an HTML part, the headers; the reminders of a run are a digest."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from ckan import model
from ckan.lib import jobs
from ckan.tests import factories

from ckanext.datasud_partnership import mail_sink
from ckanext.datasud_partnership.common import outbox

from ..publication.conftest import DECLARATION, act, draft_dataset

CKAN = Path(sys.executable).with_name("ckan")


@pytest.fixture
def portal(tmp_path, pytestconfig, ckan_config):
    """An ini for the commands (the tests' own, the sink's port, the worker),
    the same settings in this process, and the sink's folder."""
    port = mail_sink.free_port()
    base = Path(pytestconfig.getoption("ckan_ini")).resolve()
    ini = tmp_path / "e2e.ini"
    ini.write_text(
        f"[app:main]\nuse = config:{base}\nsmtp.server = 127.0.0.1:{port}\n"
        "ckanext.datasud_partnership.mail_delivery = worker\n",
        encoding="utf-8",
    )
    ckan_config["smtp.server"] = f"127.0.0.1:{port}"
    ckan_config["ckanext.datasud_partnership.mail_delivery"] = "worker"
    jobs.get_queue().empty()

    def command(*args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(CKAN), "-c", str(ini), *args],
            capture_output=True,
            text=True,
            timeout=180,
            env={**os.environ},
        )
        assert "Traceback" not in done.stdout + done.stderr, done.stderr
        return done

    return {"port": port, "folder": tmp_path / "mail", "command": command}


def rows() -> list[outbox.OutboxMail]:
    model.Session.expire_all()
    return model.Session.query(outbox.OutboxMail).order_by(outbox.OutboxMail.created).all()


def read(folder: Path) -> dict[str, email.message.EmailMessage]:
    messages = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))
    ]
    return {email.utils.parseaddr(str(m["To"]))[1]: m for m in messages}


def test_an_outage_loses_nothing_and_each_reader_gets_their_language(partner, app, portal, agreement_factory):
    admin, team = partner["users"]["admin"]["email"], partner["users"]["sysadmin"]["email"]
    act("user_patch", user="cd13-admin", id="cd13-admin", language="en")
    dataset = draft_dataset(private=False, publication_declaration=DECLARATION)
    token = factories.APIToken(user="outsider")["token"]
    answer = app.post(
        "/api/3/action/claim_create",
        json={
            "dataset": dataset["name"],
            "kind": "personal_data",
            "description": "Des noms de particuliers.",
        },
        headers={"Authorization": token},
    )
    assert answer.status_code == 200
    assert {r.status for r in rows()} == {"queued"}  # the action only queued them

    # the SMTP server is down when the worker runs: both fail, kept with the reason
    portal["command"]("jobs", "worker", "--burst")
    failed = rows()
    assert {(r.status, r.attempts) for r in failed} == {("failed", 1)}
    assert all("could not be reached" in r.last_error for r in failed)

    # it is back: `mail retry` sends them
    sink = mail_sink.start(portal["folder"], portal["port"])
    try:
        retried = portal["command"]("datasud-partnership", "mail", "retry")
        assert retried.returncode == 0 and "E-mails envoyés : 2" in retried.stdout
        assert {r.status for r in rows()} == {"sent"}
        mails = read(portal["folder"])
        assert set(mails) == {admin, team}
        english, french = mails[admin], mails[team]
        assert str(english["Subject"]) == "[DataSud (tests)] Claim about the dataset Budget primitif 2026"
        assert (
            str(french["Subject"])
            == "[DataSud (tests)] Signalement sur le jeu de données Budget primitif 2026"
        )
        for message, language, hello in ((english, "en", "Hello"), (french, "fr", "Bonjour")):
            assert message.get_content_type() == "multipart/alternative"
            assert message.get_body(("plain",)).get_content().startswith(hello)
            html = message.get_body(("html",)).get_content()
            assert f'<html lang="{language}">' in html and hello in html
            assert message["Content-Language"] == language
            assert message["Auto-Submitted"] == "auto-generated"
            assert message["Reply-To"] == "opendata@datasud.test"
            assert message["Message-ID"] in {r.message_id for r in rows()}

        # a run of the schedule: the team's two reminders of the day in one e-mail
        agreement_factory(organization="nice", reference="CONV-NICE", in_force=True)
        for path in portal["folder"].glob("*.eml"):
            path.unlink()
        run = portal["command"]("datasud-partnership", "run-schedule", "--date", "2024-12-01")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "rappels : 2" in run.stdout and "e-mails mis en file d'envoi : 3" in run.stdout
        portal["command"]("jobs", "worker", "--burst")
        mails = read(portal["folder"])
        assert set(mails) == {admin, team, partner["users"]["other_admin"]["email"]}
        assert str(mails[team]["Subject"]) == "[DataSud (tests)] 2 rappels sur des conventions"
        digest = mails[team].get_body(("plain",)).get_content()
        assert "CONV-CD13" in digest and "CONV-NICE" in digest
        assert "<h2" in mails[team].get_body(("html",)).get_content()
        assert str(mails[admin]["Subject"]).startswith("[DataSud (tests)] Agreement CONV-CD13 renews on")
    finally:
        sink.stop()
