"""What a legal team relies on: the end of each fixed-term agreement, the
motives and modalities of a termination, the letters (PDF) and the region's
referent."""

from __future__ import annotations

import datetime as dt
import email
import io
from email import policy

import pytest
from ckan.logic import ValidationError
from freezegun import freeze_time
from pypdf import PdfReader

from ckanext.datasud_partnership.agreements import letters
from ckanext.datasud_partnership.agreements import rules as R
from ckanext.datasud_partnership.agreements.documents.storage import read_bytes
from ckanext.datasud_partnership.agreements.model import Agreement
from ckanext.datasud_partnership.agreements.rules import Facts

from .conftest import act

D = dt.date
BREACHES = ["Données personnelles publiées sans anonymisation", "Horaires jamais mis à jour"]
PARTIES = [
    {
        "role": "operator",
        "name": "Région Sud",
        "signatory": "Renaud Muselier",
        "signatory_title": "Président",
    },
    {"role": "partner", "name": "Département des Bouches-du-Rhône", "signatory": "Martine Vassal"},
]


# -- fixed-term kinds: the end of each agreement ------------------------------------------
DEFAULT_ENDS = [
    ("during season 2", D(2022, 3, 15), D(2023, 12, 31)),
    ("its last day", D(2023, 12, 31), D(2023, 12, 31)),
    ("after every season and the kind's end", D(2026, 12, 4), None),
]


@pytest.mark.parametrize(("case", "day", "end"), DEFAULT_ENDS, ids=[c[0] for c in DEFAULT_ENDS])
def test_the_default_end_of_a_fixed_term_agreement(challenge, datasud, case, day, end):
    assert R.default_end(challenge, day) == end
    assert R.default_end(datasud, day) is None  # not a fixed-term kind


TERMS = [
    ("no end on record", Facts(signed_on=D(2026, 12, 4)), "needs its end"),
    ("ends before it starts", Facts(signed_on=D(2026, 12, 4), end_on=D(2023, 12, 31)), "2023-12-31"),
    ("ends the day it starts", Facts(signed_on=D(2026, 12, 4), end_on=D(2026, 12, 4)), None),
    ("ends next year", Facts(signed_on=D(2026, 12, 4), end_on=D(2027, 12, 31)), None),
]


@pytest.mark.parametrize(("case", "facts", "refused"), TERMS, ids=[c[0] for c in TERMS])
def test_a_fixed_term_agreement_is_not_born_over(challenge, case, facts, refused):
    if refused is None:
        R.check_term_not_over(challenge, facts, "signed_on")
        return
    with pytest.raises(R.RuleError) as error:
        R.check_term_not_over(challenge, facts, "signed_on")
    assert error.value.field == "end_on" and refused in str(error.value)


@freeze_time("2026-12-04")
def test_a_new_challenge_agreement_asks_its_end(people):
    draft = act("agreement_create", kind="challenge_open_data", organization="cd13", reference="COD-S4")
    assert draft["end_on"] is None  # season 2 and the kind's 31/12/2023 are past: no default
    with pytest.raises(ValidationError) as refused:
        act("agreement_sign", id=draft["id"], signed_on="2026-12-04")
    assert "end_on" in refused.value.error_dict["end_on"][0]
    act("agreement_patch", id=draft["id"], end_on="2027-12-31")
    signed = act("agreement_sign", id=draft["id"], signed_on="2026-12-04")
    assert (signed["status"], signed["ends_on"]) == ("in_force", "2027-12-31")
    with pytest.raises(ValidationError) as born_over:
        act(
            "agreement_create",
            kind="challenge_open_data",
            organization="digne",
            reference="X",
            signed_on="2026-12-01",
            end_on="2023-12-31",
        )
    assert "2023-12-31" in born_over.value.error_dict["end_on"][0]


# -- terminations: motives, actions, modalities -------------------------------------------
TERMINATION_TERMS = [
    # (kind, mode, motives, modalities, expert, refused field)
    ("datasud_partnership", "anniversary", None, None, None, "motives"),
    ("datasud_partnership", "anniversary", "Nouveau modèle de convention", None, None, None),
    ("datasud_partnership", "mutual", "Fin du partenariat", None, None, "modalities"),
    ("datasud_partnership", "mutual", "Fin du partenariat", "Données conservées six mois", None, None),
    ("datasud_partnership", "mutual", "Fin du partenariat", None, "Maître Durand, expert", None),
    ("datasud_partnership", "fault", "Manquements", "Quelque chose", None, "modalities"),
    ("challenge_open_data", "membership_loss", None, None, None, None),  # the kind says: no motives
    ("challenge_open_data", "beneficiary_early", "", None, None, "motives"),
]


@pytest.mark.parametrize(
    ("kind_name", "mode", "motives", "modalities", "expert", "refused"), TERMINATION_TERMS
)
def test_what_a_termination_states(kinds, kind_name, mode, motives, modalities, expert, refused):
    rule = kinds[kind_name].terminations[mode]
    if refused is None:
        R.check_termination_terms(rule, motives, modalities, expert)
        return
    with pytest.raises(R.RuleError) as error:
        R.check_termination_terms(rule, motives, modalities, expert)
    assert error.value.field == refused


# -- letters ----------------------------------------------------------------------------
def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def agreement(people, agreement_factory):
    with freeze_time("2024-01-31"):
        return agreement_factory(
            organization="cd13",
            reference="CONV-2024-013",
            in_force=True,
            parties=PARTIES,
            referent_name="Jeanne Martin",
            referent_email="jeanne.martin@cd13.example",
            region_referent="region-team",
        )


def letter_of(agreement_id, letter):
    from ckan import model

    model.Session.expire_all()
    documents = model.Session.get(Agreement, agreement_id).documents
    entries = [d for d in documents if (d.get("letter") or {}).get("letter") == letter]
    return entries, [read_bytes(entry) for entry in entries]


def attachments(mail_server):
    found = {}
    for _none, _sender, to, raw in mail_server.get_smtp_messages():
        message = email.message_from_string(raw, policy=policy.default)
        found[to[0]] = [(part.get_filename(), part.get_content()) for part in message.iter_attachments()]
    return found


def test_the_formal_notice_letter(agreement, mail_server):
    with freeze_time("2024-06-01"):
        shown = act("agreement_notice_serve", id=agreement["id"], breaches=BREACHES, deadline="2024-07-15")
    entries, contents = letter_of(agreement["id"], "formal_notice")
    assert len(entries) == 1 and entries[0]["letter"]["language"] == "fr"
    text = pdf_text(contents[0])
    for expected in (
        "Région Sud",
        "Département des Bouches-du-Rhône",
        "CONV-2024-013",
        "article 7.1",
        "Données personnelles publiées sans anonymisation",
        "Horaires jamais mis à jour",
        "15 juillet 2024",
        "Renaud Muselier",
    ):
        assert expected in text, expected
    assert any(d["title"].startswith("Lettre de mise en demeure") for d in shown["documents"])
    # attached to every e-mail of the notice, the region's referent among the recipients
    sent = attachments(mail_server)
    assert set(sent) >= {"jeanne.martin@cd13.example", "admin@cd13.example"}
    for found in sent.values():
        assert [name for name, _content in found] == [entries[0]["file"]["name"]]
        assert found[0][1] == contents[0]


def test_the_termination_letter_in_english_kept_beside_the_first(agreement, mail_server, app):
    with freeze_time("2024-06-01"):
        act("agreement_notice_serve", id=agreement["id"], breaches=BREACHES, deadline="2024-07-15")
    with freeze_time("2024-07-20"):
        act(
            "agreement_terminate",
            id=agreement["id"],
            mode="fault",
            initiator="operator",
            effective_on="2024-08-01",
            withdraw="all",
            motives="Breaches not remedied by the deadline",
            actions="None against the partner",
            letter_language="en",
        )
    _entries, notice_letters = letter_of(agreement["id"], "formal_notice")
    entries, contents = letter_of(agreement["id"], "termination")
    assert len(notice_letters) == 1 and len(entries) == 1  # kept: a new document, none replaced
    text = pdf_text(contents[0])
    for expected in (
        "Termination for fault",
        "article 7.1",
        "August 1, 2024",
        "July 31, 2024",
        "Breaches not remedied by the deadline",
        "None against the partner",
        "all the partner's datasets are withdrawn",
        "June 1, 2024",  # the formal notice it follows
    ):
        assert expected in text, expected
    # downloadable by the partner's admin, not by an editor
    from ckan.tests import factories

    shown = act("agreement_show", user="cd13-admin", id=agreement["id"])
    url = next(d["url"] for d in shown["documents"] if d.get("letter", {}).get("letter") == "termination")
    path = url.replace("http://test.ckan.net", "")
    admin = factories.APIToken(user="cd13-admin")["token"]
    response = app.get(path, headers={"Authorization": admin})
    assert response.status_code == 200 and response.data == contents[0]
    editor = factories.APIToken(user="cd13-editor")["token"]
    assert app.get(path, headers={"Authorization": editor}).status_code == 403


def test_a_termination_records_its_motives_and_modalities(agreement):
    with freeze_time("2024-06-01"):
        with pytest.raises(ValidationError) as no_motives:
            act("agreement_terminate", id=agreement["id"], mode="mutual", initiator="partner")
        assert "motives" in no_motives.value.error_dict
        with pytest.raises(ValidationError) as no_modalities:
            act("agreement_terminate", id=agreement["id"], mode="mutual", initiator="partner", motives="Fin")
        assert "modalities" in no_modalities.value.error_dict
        ended = act(
            "agreement_terminate",
            id=agreement["id"],
            mode="mutual",
            initiator="partner",
            motives="Le partenaire rejoint un autre portail",
            expert="Mme Roux, experte désignée d'un commun accord",
        )
    assert ended["termination"]["motives"] == "Le partenaire rejoint un autre portail"
    assert ended["termination"]["expert"].startswith("Mme Roux")


# -- the region's referent ---------------------------------------------------------------------
def test_the_region_referent_is_a_user_of_the_portal_team(people, agreement):
    assert act("agreement_show", id=agreement["id"])["region_referent"]["name"] == "region-team"
    with pytest.raises(ValidationError) as refused:
        act(
            "agreement_create",
            kind="datasud_partnership",
            organization="digne",
            reference="X",
            region_referent="cd13-admin",
        )
    assert "region_referent" in refused.value.error_dict


def test_letters_render_from_the_region_files(tmp_path):
    (tmp_path / letters.FOLDER / "default").mkdir(parents=True)
    (tmp_path / letters.FOLDER / "base.html").write_text("{% block body %}{% endblock %}", encoding="utf-8")
    (tmp_path / letters.FOLDER / "default" / "termination.fr.html").write_text(
        '{% extends "base.html" %}{% block body %}<p>Effet : {{ day|date }} — {{ motives }}</p>{% endblock %}',
        encoding="utf-8",
    )
    html = letters.render_html(
        "any_kind", "termination", "fr", {"day": D(2024, 6, 1), "motives": "<b>x</b>"}, tmp_path
    )
    assert "Effet : 1er juin 2024 — &lt;b&gt;x&lt;/b&gt;" in html  # escaped: a region's file is no code
    with pytest.raises(letters.LetterError):
        letters.render_html("any_kind", "formal_notice", "fr", {}, tmp_path)


def test_the_agreement_itself_printed_for_signature(agreement, app):
    from ckan.tests import factories

    act("agreement_show", id=agreement["id"])
    path = f"/agreement/{agreement['id']}/print"
    admin = factories.APIToken(user="cd13-admin")["token"]
    response = app.get(path, headers={"Authorization": admin})
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = pdf_text(response.data)
    for expected in (
        "Renaud Muselier",
        "Martine Vassal",
        "CONV-2024-013",
        "Jeanne Martin",
        "trois exemplaires",
    ):
        assert expected in text, expected
    english = pdf_text(app.get(path + "?lang=en", headers={"Authorization": admin}).data)
    assert "three originals" in english
    editor = factories.APIToken(user="cd13-editor")["token"]
    assert app.get(path, headers={"Authorization": editor}).status_code == 403
