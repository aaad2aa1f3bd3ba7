"""A well-formed e-mail: a text part and an HTML part saying the same,
Message-ID, Reply-To (the portal team's contact), Auto-Submitted, and a
footer that says why the reader receives it."""

from __future__ import annotations

import email
import re
from email import policy
from html import unescape

from ckan import model

from ckanext.datasud_partnership.common import outbox

from .conftest import file_claim


def test_a_claim_e_mail_is_well_formed(partner, mail_server):
    file_claim("Des noms <script>alert(1)</script> & adresses.")
    messages = [
        email.message_from_string(raw, policy=policy.default) for *_x, raw in mail_server.get_smtp_messages()
    ]
    assert len(messages) == 2
    ids = {m["Message-ID"] for m in messages}
    assert len(ids) == 2 and all(i.startswith("<") and i.endswith("@test.ckan.net>") for i in ids)
    assert ids == {row.message_id for row in model.Session.query(outbox.OutboxMail)}
    for message in messages:
        assert message["Reply-To"] == "opendata@datasud.test"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["From"] == '"DataSud (tests)" <portail@datasud.test>'
        assert message["Date"]
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Des noms <script>alert(1)</script> & adresses." in text
        assert (
            "Des noms &lt;script&gt;alert(1)&lt;/script&gt; &amp; adresses." in html
            and "<script>" not in html
        )
        assert '<html lang="fr">' in html
        # the same words: every line of the text is a line of the HTML as a reader sees it
        seen = {
            " ".join(line.split())
            for line in unescape(re.sub(r"<(?!/?a[ >])[^>]+>", "\n", html)).splitlines()
        }
        seen = {re.sub(r"<a [^>]*>|</a>", "", line) for line in seen}
        for line in text.splitlines():
            if line.strip() and line.strip() != "--":
                assert " ".join(line.split()) in seen, line
        # why the reader receives it, in both parts
        assert "Vous recevez ce message car vous administrez" in text
        assert "Vous recevez ce message car vous administrez" in html
        assert '<a href="http://test.ckan.net/api/3/action/claim_show?id=' in html
