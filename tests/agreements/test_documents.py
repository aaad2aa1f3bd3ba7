"""An agreement's documents: a URL or an uploaded PDF, and its protected download."""

from __future__ import annotations

import hashlib
import os
from io import BytesIO

import pytest
from ckan import model
from ckan.logic import NotAuthorized, ValidationError
from ckan.tests import factories
from ckan.tests.pytest_ckan.fixtures import FakeFileStorage

from ckanext.datasud_partnership.agreements.model import Agreement, AgreementEvent

from .conftest import act

DATASUD = {"kind": "datasud_partnership", "organization": "cd13", "reference": "CONV-2024-013"}
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SIGNED = "Convention signée"


@pytest.fixture
def agreement(people, agreement_factory):
    """A draft."""
    return agreement_factory(**DATASUD)


def pdf_file(content: bytes = PDF, name: str = "convention-signée.pdf") -> FakeFileStorage:
    return FakeFileStorage(BytesIO(content), name)


def documents_of(agreement_id: str) -> list[dict]:
    model.Session.expire_all()
    return model.Session.get(Agreement, agreement_id).documents


def events_of(agreement_id: str) -> list[str]:
    return [e["event"] for e in act("agreement_history", id=agreement_id)["results"]]


def stored_files(root: str, agreement_id: str) -> list[str]:
    """The files kept for one agreement (the storage folder outlives the database)."""
    folder = os.path.join(root, agreement_id)
    return [os.path.join(d, f) for d, _dirs, names in os.walk(folder) for f in names]


@pytest.fixture
def storage_root(ckan_config):
    return os.path.join(ckan_config["ckan.storage_path"], "datasud_partnership", "agreements")


def api_add(app, user: str, status: int, **fields):
    """agreement_document_add through the action API, as a multipart form."""
    token = factories.APIToken(user=user)["token"]
    return app.post(
        "/api/3/action/agreement_document_add",
        data=fields,
        headers={"Authorization": token},
        content_type="multipart/form-data",
        status=status,
    )


# -- adding ------------------------------------------------------------------------------
def test_a_url_document(agreement):
    shown = act(
        "agreement_document_add",
        id=agreement["id"],
        title=SIGNED,
        url="https://cd13.example/convention.pdf",
    )
    [document] = shown["documents"]
    assert document["title"] == SIGNED
    assert document["url"] == "https://cd13.example/convention.pdf"
    assert document["added_by"] == model.User.get("region-team").id
    assert "file" not in document
    history = act("agreement_history", id=agreement["id"])["results"]
    assert history[-1]["event"] == "document_added"
    assert history[-1]["actor"] == "region-team"
    assert history[-1]["data"] == {"index": 0, "title": SIGNED, "url": "https://cd13.example/convention.pdf"}


def test_documents_given_at_creation_stay_and_new_ones_follow(people):
    created = act(
        "agreement_create",
        **DATASUD,
        documents=[{"title": "Délibération", "url": "https://cd13.example/deliberation.pdf"}],
    )
    shown = act("agreement_document_add", id=created["id"], title=SIGNED, url="http://cd13.example/c.pdf")
    assert [d["title"] for d in shown["documents"]] == ["Délibération", SIGNED]


def test_an_uploaded_pdf_through_the_api(agreement, app, storage_root):
    response = api_add(
        app,
        "region-team",
        200,
        id=agreement["id"],
        title=SIGNED,
        upload=(BytesIO(PDF), "convention-signée.pdf"),
    )
    [document] = response.json["result"]["documents"]
    stored = document["file"]
    assert stored["name"] == "convention-signée.pdf"
    assert stored["size"] == len(PDF)
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert stored["stored_as"].startswith(agreement["id"] + "/") and stored["stored_as"].endswith(".pdf")
    assert document["url"].endswith(f"/agreement/{agreement['id']}/document/0")
    with open(os.path.join(storage_root, stored["stored_as"]), "rb") as kept:
        assert kept.read() == PDF
    # the history says what was added, never the content
    event = act("agreement_history", id=agreement["id"])["results"][-1]
    assert event["event"] == "document_added"
    assert event["data"]["file"] == stored
    assert "url" not in event["data"]
    # and the full view lists it with its download link
    assert act("agreement_show", id=agreement["id"])["documents"][0]["url"] == document["url"]


def test_the_storage_folder_is_not_publicly_served(agreement, app):
    """Static files and CKAN's public uploads live elsewhere: guessing the
    file's path gives nothing."""
    shown = act("agreement_document_add", id=agreement["id"], title=SIGNED, upload=pdf_file())
    stored_as = shown["documents"][0]["file"]["stored_as"]
    for path in (
        f"/datasud_partnership/agreements/{stored_as}",
        f"/uploads/datasud_partnership/agreements/{stored_as}",
        f"/uploads/{stored_as}",
    ):
        app.get(path, status=404)


def test_nothing_is_removed_a_later_document_supersedes(agreement):
    act("agreement_document_add", id=agreement["id"], title="Mauvaise version", upload=pdf_file())
    act("agreement_document_add", id=agreement["id"], title=SIGNED, upload=pdf_file(PDF + b"% v2\n"))
    assert [d["title"] for d in documents_of(agreement["id"])] == ["Mauvaise version", SIGNED]
    assert events_of(agreement["id"])[-2:] == ["document_added", "document_added"]
    from ckan.logic import get_action

    with pytest.raises(KeyError):
        get_action("agreement_document_remove")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"url": "https://cd13.example/c.pdf", "upload": True}, {"url", "upload"}),  # both
        ({}, {"url", "upload"}),  # neither
        ({"url": "", "upload": None}, {"url", "upload"}),  # blank fields of a web form
        ({"url": "ftp://cd13.example/c.pdf"}, {"url"}),
        ({"url": "javascript:alert(1)"}, {"url"}),
        ({"upload": "not a file"}, {"upload"}),
        ({"title": "", "url": "https://cd13.example/c.pdf"}, {"title"}),
        ({"id": "", "url": "https://cd13.example/c.pdf"}, {"id"}),
    ],
)
def test_refused_input_names_the_field_and_changes_nothing(agreement, fields, named, storage_root):
    data = {"id": agreement["id"], "title": SIGNED, **fields}
    if data.get("upload") is True:
        data["upload"] = pdf_file()
    elif "upload" in data and data["upload"] is None:
        data["upload"] = FakeFileStorage(BytesIO(b""), "")
    with pytest.raises(ValidationError) as error:
        act("agreement_document_add", **data)
    assert set(error.value.error_dict) == named
    assert documents_of(agreement["id"]) == []
    assert "document_added" not in events_of(agreement["id"])
    assert stored_files(storage_root, agreement["id"]) == []


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body>not a pdf</body></html>",
        b"PK\x03\x04 a zip (an .odt, a .docx)",
        b"",
        b" %PDF-1.7 shifted",
    ],
)
def test_only_pdf_files_are_accepted(agreement, content, storage_root):
    with pytest.raises(ValidationError) as error:
        act("agreement_document_add", id=agreement["id"], title=SIGNED, upload=pdf_file(content, "c.pdf"))
    assert set(error.value.error_dict) == {"upload"}
    assert "PDF" in error.value.error_dict["upload"][0]
    assert documents_of(agreement["id"]) == [] and stored_files(storage_root, agreement["id"]) == []


def test_a_non_pdf_is_refused_through_the_api_in_french(agreement, app):
    token = factories.APIToken(user="region-team")["token"]
    response = app.post(
        "/api/3/action/agreement_document_add",
        data={"id": agreement["id"], "title": SIGNED, "upload": (BytesIO(b"hello"), "c.pdf")},
        headers={"Authorization": token, "Accept-Language": "fr"},
        content_type="multipart/form-data",
        status=409,
    )
    assert response.json["error"]["upload"] == ["Seuls les fichiers PDF sont acceptés"]


@pytest.mark.ckan_config("ckanext.datasud_partnership.document_max_mb", 1)
def test_too_large_a_file_is_refused(agreement, app, storage_root):
    just_right = PDF + b"0" * (1024 * 1024 - len(PDF))
    act("agreement_document_add", id=agreement["id"], title="1 Mo", upload=pdf_file(just_right))
    response = api_add(
        app,
        "region-team",
        409,
        id=agreement["id"],
        title="Trop gros",
        upload=(BytesIO(just_right + b"0"), "gros.pdf"),
    )
    assert set(response.json["error"]) == {"upload", "__type"}
    assert response.json["error"]["upload"] == ["Le fichier est trop volumineux : 1 Mo au plus"]
    assert [d["title"] for d in documents_of(agreement["id"])] == ["1 Mo"]
    assert len(stored_files(storage_root, agreement["id"])) == 1


@pytest.mark.parametrize(
    "user", ["cd13-admin", "cd13-editor", "cd13-member", "digne-admin", "outsider", None]
)
def test_only_the_portal_team_adds_documents(agreement, user, storage_root):
    for document in ({"url": "https://cd13.example/c.pdf"}, {"upload": pdf_file()}):
        with pytest.raises(NotAuthorized):
            act("agreement_document_add", user=user, id=agreement["id"], title=SIGNED, **document)
    assert documents_of(agreement["id"]) == [] and stored_files(storage_root, agreement["id"]) == []


def test_a_partner_admin_cannot_upload_through_the_api(agreement, app, storage_root):
    api_add(app, "cd13-admin", 403, id=agreement["id"], title=SIGNED, upload=(BytesIO(PDF), "c.pdf"))
    assert documents_of(agreement["id"]) == [] and stored_files(storage_root, agreement["id"]) == []


def test_unknown_agreement(people):
    from ckan.logic import NotFound

    with pytest.raises(NotFound):
        act("agreement_document_add", id="no-such-agreement", title=SIGNED, url="https://cd13.example/c.pdf")


# -- reading -------------------------------------------------------------------------------
@pytest.fixture
def with_documents(agreement):
    act("agreement_document_add", id=agreement["id"], title="Lien", url="https://cd13.example/c.pdf")
    act("agreement_document_add", id=agreement["id"], title=SIGNED, upload=pdf_file())
    return agreement


def download(app, agreement_id: str, index: int, user: str | None, status: int):
    """The download view, as a browser logged in as ``user`` (None: anonymous)
    calls it. The test client keeps its session cookie for "localhost", not
    for ckan.site_url: the request goes there."""
    if user:
        app.set_session_user(user)
    return app.get(f"/agreement/{agreement_id}/document/{index}", status=status, base_url="http://localhost")


@pytest.mark.parametrize("user", ["region-team", "cd13-admin"])
def test_the_portal_team_and_the_partner_admins_download(with_documents, app, user):
    response = download(app, with_documents["id"], 1, user, 200)
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''convention-sign%C3%A9e.pdf" in disposition
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]


def test_a_script_downloads_with_an_api_token(with_documents, app):
    token = factories.APIToken(user="cd13-admin")["token"]
    url = f"/agreement/{with_documents['id']}/document/1"
    assert app.get(url, headers={"Authorization": token}, status=200).data == PDF
    outsider = factories.APIToken(user="outsider")["token"]
    app.get(url, headers={"Authorization": outsider}, status=403)


def test_a_partner_admin_reads_the_download_link_in_the_full_view(with_documents):
    documents = act("agreement_show", user="cd13-admin", id=with_documents["id"])["documents"]
    assert documents[0]["url"] == "https://cd13.example/c.pdf"
    assert documents[1]["url"].endswith(f"/agreement/{with_documents['id']}/document/1")


@pytest.mark.parametrize("user", ["cd13-editor", "cd13-member", "digne-admin", "outsider", None])
def test_nobody_else_downloads(with_documents, app, user):
    response = download(app, with_documents["id"], 1, user, 403)
    assert PDF not in response.data


@pytest.mark.parametrize(
    ("agreement_id", "index"),
    [(None, 2), (None, 0), ("no-such-agreement", 0)],  # 0 is a URL document
)
def test_unknown_documents_are_not_found(with_documents, app, agreement_id, index):
    download(app, agreement_id or with_documents["id"], index, "region-team", 404)


def test_an_outsider_cannot_probe_the_documents(with_documents, app):
    """Refused before the index is looked at: no way to count them."""
    download(app, with_documents["id"], 7, "outsider", 403)


@pytest.mark.parametrize("user", [None, "outsider", "cd13-editor", "cd13-member", "digne-admin"])
def test_the_public_register_never_lists_documents(with_documents, user):
    shown = act("agreement_show", user=user, id=with_documents["id"])
    assert "documents" not in shown
    listed = act("agreement_list", user=user, organization="cd13")["results"]
    assert all("documents" not in entry for entry in listed)
    assert model.Session.query(AgreementEvent).filter_by(event="document_added").count() == 2


# -- a named storage (several web hosts) -------------------------------------------------
@pytest.fixture
def named_storage(tmp_path, monkeypatch):
    """``ckan.files.storage.datasud_agreements.*`` as CKAN builds it at start-up
    (a folder every web host would share)."""
    from ckan.lib import files

    from ckanext.datasud_partnership.agreements.documents import storage

    shared = files.make_storage(
        storage.NAMED, {"type": "ckan:fs", "path": str(tmp_path / "shared"), "initialize": True}
    )
    monkeypatch.setitem(files.storages.members, storage.NAMED, shared)
    return tmp_path / "shared"


def test_documents_go_to_the_named_storage_when_the_portal_names_one(agreement, app, named_storage):
    act("agreement_document_add", id=agreement["id"], title=SIGNED, upload=pdf_file())

    [entry] = documents_of(agreement["id"])
    assert (named_storage / entry["file"]["stored_as"]).read_bytes() == PDF
    assert download(app, agreement["id"], 0, "cd13-admin", 200).data == PDF


def test_documents_kept_before_move_with_documents_migrate(
    with_documents, app, storage_root, tmp_path, monkeypatch, cli, ckan_config
):
    from ckan.cli.cli import ckan
    from ckan.lib import files

    from ckanext.datasud_partnership.agreements.documents import storage

    stored = documents_of(with_documents["id"])[1]["file"]["stored_as"]
    refused = cli.invoke(ckan, ["datasud-partnership", "documents-migrate"])
    assert refused.exit_code == 2 and "Aucun stockage nommé datasud_agreements" in refused.output

    settings = {"type": "ckan:fs", "path": str(tmp_path / "s"), "initialize": "true"}
    for key, value in settings.items():  # for the command, which builds CKAN's storages again
        monkeypatch.setitem(ckan_config, f"ckan.files.storage.{storage.NAMED}.{key}", value)
    monkeypatch.setitem(files.storages.members, storage.NAMED, files.make_storage(storage.NAMED, settings))
    assert download(app, with_documents["id"], 1, "region-team", 200).data == PDF  # still read where it is

    moved = cli.invoke(ckan, ["datasud-partnership", "documents-migrate"])
    again = cli.invoke(ckan, ["datasud-partnership", "documents-migrate"])

    assert moved.exit_code == 0 and "copiés : 1" in moved.output, moved.output
    assert "copiés : 0" in again.output and "déjà là : 1" in again.output
    assert (tmp_path / "s" / stored).read_bytes() == PDF
    os.remove(os.path.join(storage_root, stored))  # the old folder may go: the named storage serves it
    assert download(app, with_documents["id"], 1, "region-team", 200).data == PDF
