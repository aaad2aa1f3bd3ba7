"""Each recipient reads in their own language: a preference per user (the
user's edit page, user_show / user_patch), the portal's default otherwise."""

from __future__ import annotations

import re

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from freezegun import freeze_time

from ckanext.datasud_partnership.common.user_language import language_of

from ..agreements.conftest import act as act_as
from ..agreements.mailbox import by_address, email_of, received
from ..publication.conftest import act
from ..ui.pages import get, login, post
from .conftest import file_claim


def test_a_user_reads_the_portal_language_until_they_choose(partner):
    assert act("user_show", user="cd13-admin", id="cd13-admin")["language"] == "fr"
    patched = act("user_patch", user="cd13-admin", id="cd13-admin", language="en")
    assert patched["language"] == "en"
    assert act("user_show", user="cd13-admin", id="cd13-admin")["language"] == "en"
    assert language_of("cd13-admin") == "en"  # the helper the generated documents use
    # a later patch of something else keeps it
    act("user_patch", user="cd13-admin", id="cd13-admin", fullname="Anne Admin")
    assert act("user_show", user="cd13-admin", id="cd13-admin")["language"] == "en"


@pytest.mark.parametrize("value", ["de", "english", 3, ["en"]])
def test_a_language_the_portal_does_not_offer_is_refused(partner, value):
    with pytest.raises(tk.ValidationError) as refused:
        act("user_patch", user="cd13-admin", id="cd13-admin", language=value)
    assert list(refused.value.error_dict) == ["language"]
    assert "fr, en" in refused.value.error_dict["language"][0]


def test_a_user_may_not_set_another_users_language(partner):
    with pytest.raises(tk.NotAuthorized):
        act("user_patch", user="cd13-editor", id="cd13-admin", language="en")
    assert act("user_show", user="cd13-admin", id="cd13-admin")["language"] == "fr"


def test_the_edit_page_offers_the_choice(partner, app):
    login(app, "cd13-admin")
    page = get(app, "/user/edit/cd13-admin")
    assert 'name="language"' in page.body and "Langue des e-mails" in page.body
    assert ">English</option>" in page.body and ">Français</option>" in page.body
    user = act("user_show", user="cd13-admin", id="cd13-admin")
    form = {
        "name": user["name"],
        "email": user["email"],
        "fullname": "Anne",
        "about": "",
        "language": "en",
        "save": "",
    }
    answer = post(app, "/user/edit/cd13-admin", form, status=None)
    assert answer.status_code == 302, re.findall(r"(?s)(alert.{0,300}|error.{0,300})", answer.body)[:6]
    assert act("user_show", user="cd13-admin", id="cd13-admin")["language"] == "en"
    assert '<option value="en" selected>' in get(app, "/user/edit/cd13-admin").body


def test_each_recipient_of_a_claim_reads_their_language(partner, mail_server):
    act("user_patch", user="cd13-admin", id="cd13-admin", language="en")
    file_claim("Des noms.")

    mails = by_address(received(mail_server))
    english = mails[partner["users"]["admin"]["email"]]
    french = mails[partner["users"]["sysadmin"]["email"]]
    assert english.subject == "[DataSud (tests)] Claim about the dataset Budget primitif 2026"
    assert english.body.startswith("Hello ") and "Personal data" in english.body
    assert english.headers["Content-Language"] == "en"
    assert french.subject == "[DataSud (tests)] Signalement sur le jeu de données Budget primitif 2026"
    assert french.body.startswith("Bonjour ") and "Données personnelles" in french.body
    assert french.headers["Content-Language"] == "fr"


def test_an_agreement_referent_who_is_a_user_reads_their_language(people, agreement_factory, mail_server):
    referent = factories.User(name="jeanne", email="jeanne.martin@cd13.example")
    act_as("user_patch", user="jeanne", id=referent["id"], language="en")
    with freeze_time("2024-01-31"):
        agreement = agreement_factory(
            organization="cd13",
            reference="CONV-2024-013",
            in_force=True,
            referent_name="Jeanne Martin",
            referent_email="Jeanne.Martin@cd13.example",
        )
    with freeze_time("2024-06-01"):
        act_as(
            "agreement_notice_serve",
            id=agreement["id"],
            breaches=["Jeux non mis à jour"],
            deadline="2024-07-15",
        )

    mails = by_address(received(mail_server))
    assert (
        mails["Jeanne.Martin@cd13.example"].subject
        == "[DataSud (tests)] Formal notice: agreement CONV-2024-013"
    )
    assert "Served on: June 1, 2024" in mails["Jeanne.Martin@cd13.example"].body
    # no party named: the operator is named in lower case inside the sentence
    assert (
        "the portal operator may terminate the agreement for fault"
        in mails["Jeanne.Martin@cd13.example"].body
    )
    french = mails[email_of("region-team")].body
    assert "Signifiée le : 1er juin 2024" in french
    assert "d'ici là, l'opérateur du portail pourra résilier la convention pour faute" in french
