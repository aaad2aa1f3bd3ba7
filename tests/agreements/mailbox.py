"""Reading the e-mails caught by CKAN's ``mail_server`` fixture as a user
would: who got it, its subject, its text."""

from __future__ import annotations

import dataclasses
import email
from email import policy

from ckan import model


@dataclasses.dataclass(frozen=True)
class Received:
    to: str
    subject: str
    body: str
    headers: dict[str, str]


def received(mail_server) -> list[Received]:
    result = []
    for _none, _sender, to, raw in mail_server.get_smtp_messages():
        message = email.message_from_string(raw, policy=policy.default)
        result.append(
            Received(
                to=to[0],
                # a long subject is folded, and Python's e-mail package leaves a
                # space on each side of the fold: read it as a mail client shows it
                subject=" ".join(str(message["Subject"]).split()),
                body=message.get_body(("plain",)).get_content(),
                headers={key: str(value) for key, value in message.items()},
            )
        )
    return result


def by_address(mails: list[Received]) -> dict[str, Received]:
    addresses = [m.to for m in mails]
    assert len(addresses) == len(set(addresses)), f"one e-mail each: {addresses}"
    return {m.to: m for m in mails}


def email_of(name: str) -> str:
    return model.User.get(name).email
