"""The Challenge sandbox: a dataset in it is seen by the cohort (members of
every organization holding a Challenge agreement in force) and the portal's
team, and by nobody else, on every read path (a security boundary, tested as
for private datasets); publishing it for real goes through the whole gate;
when the agreement ends it is private to its organization again."""

from __future__ import annotations

from typing import Any

import pytest
from ckan import model
from ckan.plugins import toolkit as tk
from ckan.tests import factories
from freezegun import freeze_time

from ckanext.datasud_partnership.publication import gate as G
from ckanext.datasud_partnership.publication import sandbox
from ckanext.datasud_partnership.publication.model import JournalEntry, SandboxEntry
from tests.publication.conftest import DECLARATION, PROFILE_FIELDS, act, published

LABEL = "sandbox-challenge_open_data"
NAME = "velos-digne"


# -- the rules, without a database ---------------------------------------------------


def _facts(**changes: Any) -> sandbox.Facts:
    values: dict[str, Any] = {
        "agreement_in_force": True,
        "published": False,
        "in_sandbox": False,
        "declaration": G.Declaration("none", "v1"),
        "declaration_version": "v1",
    }
    values.update(changes)
    return sandbox.Facts(**values)


def test_rules_name_every_unmet_condition():
    assert sandbox.unmet_conditions(_facts()) == []
    unmet = sandbox.unmet_conditions(
        _facts(agreement_in_force=False, declaration=None, missing_metadata=("notes",), in_sandbox=True)
    )
    assert [u.condition for u in unmet] == ["agreement", "dataset", "declaration", "metadata"]
    assert [u.condition for u in sandbox.unmet_conditions(_facts(published=True))] == ["dataset"]
    stale = sandbox.unmet_conditions(_facts(declaration=G.Declaration("none", "v0")))
    assert [u.field for u in stale] == [G.DECLARATION_FIELD]


def test_the_label_needs_the_dataset_active_private_and_in_its_organization():
    assert sandbox.carries_label("digne", "digne", "active", True)
    assert not sandbox.carries_label("digne", "digne", "active", False)
    assert not sandbox.carries_label("digne", "digne", "draft", True)
    assert not sandbox.carries_label("digne", "gap", "active", True)


# -- the cohort ---------------------------------------------------------------------


@pytest.fixture
def cohort(clean_db, agreement_factory, terms_version_factory, terms_acceptance_factory) -> dict[str, Any]:
    """Digne and Gap hold a Challenge agreement in force (June 2023); cd13
    a partnership agreement (no sandbox); Digne has a dataset ready."""
    with freeze_time("2023-06-01 10:00"):
        factories.Sysadmin(name="region-team")
        for name in ("digne-admin", "digne-editor", "gap-member", "cd13-editor", "outsider"):
            factories.User(name=name)
        factories.Organization(
            name="digne",
            users=[
                {"name": "digne-admin", "capacity": "admin"},
                {"name": "digne-editor", "capacity": "editor"},
            ],
        )
        factories.Organization(name="gap", users=[{"name": "gap-member", "capacity": "member"}])
        factories.Organization(name="cd13", users=[{"name": "cd13-editor", "capacity": "editor"}])
        digne = agreement_factory(
            organization="digne", kind="challenge_open_data", reference="CHAL-DIGNE", in_force=True
        )
        agreement_factory(organization="gap", kind="challenge_open_data", reference="CHAL-GAP", in_force=True)
        agreement_factory(
            organization="cd13", reference="CONV-CD13", signed_on="2023-01-10", notified_on="2023-01-31"
        )
        terms_version_factory(version="1", title="CGU DataSud", url="https://datasud.example/cgu")
        terms_acceptance_factory(organization="digne", user="digne-admin", version="1")
        act(
            "package_create",
            user="digne-editor",
            name=NAME,
            title="Stationnements vélo de Digne",
            notes="Les arceaux vélo de la commune.",
            license_id="odc-odbl",
            tags=[{"name": "velo"}],
            resources=[{"url": "https://digne.example/velos.csv", "format": "CSV"}],
            private=True,
            owner_org="digne",
            **PROFILE_FIELDS,
        )
    with freeze_time("2023-06-01 11:00"):
        yield {"agreement": digne}


@pytest.fixture
def sandboxed(cohort) -> dict[str, Any]:
    act("dataset_sandbox", user="digne-editor", id=NAME, publication_declaration=DECLARATION)
    return cohort


def entries(action: str) -> list[JournalEntry]:
    return model.Session.query(JournalEntry).filter_by(action=action).all()


def test_putting_in_the_sandbox_asks_the_declaration_and_the_metadata(cohort):
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_sandbox", user="digne-editor", id=NAME)
    assert G.DECLARATION_FIELD in refused.value.error_dict
    act("package_patch", user="digne-editor", id=NAME, notes="")
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_sandbox", user="digne-editor", id=NAME, publication_declaration=DECLARATION)
    assert "notes" in refused.value.error_dict
    assert model.Session.query(SandboxEntry).count() == 0 and not entries("sandboxed")


def test_only_the_partners_publishers_under_a_sandbox_agreement(cohort):
    with pytest.raises(tk.NotAuthorized):
        act("dataset_sandbox", user="gap-member", id=NAME, publication_declaration=DECLARATION)
    act(
        "package_create",
        user="cd13-editor",
        name="budget-cd13",
        title="Budget",
        notes="Le budget.",
        license_id="odc-odbl",
        tags=[{"name": "budget"}],
        resources=[{"url": "https://cd13.example/b.csv"}],
        private=True,
        owner_org="cd13",
        **PROFILE_FIELDS,
    )
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_sandbox", user="cd13-editor", id="budget-cd13", publication_declaration=DECLARATION)
    assert "owner_org" in refused.value.error_dict
    with pytest.raises(tk.ValidationError):
        act("dataset_sandbox", user="digne-editor", id=[NAME])  # bad input names the field
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_unsandbox", user="digne-editor", id=NAME)
    assert "id" in refused.value.error_dict


def test_sandboxing_is_journalled_marks_the_milestone_and_stays_private(sandboxed):
    (entry,) = entries("sandboxed")
    assert entry.declaration["personal_data"] == "none" and entry.agreement_id == sandboxed["agreement"]["id"]
    package = model.Package.get(NAME)
    assert package.private and package.state == "active"
    agreement = act("agreement_show", user="region-team", id=sandboxed["agreement"]["id"])
    (milestone,) = [m for m in agreement["milestones"] if m["code"] == "publication_bac_a_sable"]
    assert milestone["done_on"] == "2023-06-01"
    journal = act("publication_journal_list", user="digne-editor", dataset=NAME, action="sandboxed")
    assert journal["count"] == 1
    with pytest.raises(tk.ValidationError):  # already there
        act("dataset_sandbox", user="digne-editor", id=NAME, publication_declaration=DECLARATION)


def test_the_cohort_and_the_team_read_it(sandboxed):
    for user in ("gap-member", "digne-editor", "region-team"):
        assert act("package_show", user=user, id=NAME)["name"] == NAME
        found = act("package_search", user=user, q="vélo", include_private=True)
        assert [d["name"] for d in found["results"]] == [NAME]
    # as for private datasets: searching without include_private shows the public only
    assert act("package_search", user="gap-member", q="vélo")["count"] == 0
    check = act("dataset_publication_check", user="digne-editor", id=NAME)
    assert check["sandbox"]["in_sandbox"] and check["sandbox"]["granted"]


OUTSIDERS = [None, "outsider", "cd13-editor"]
TRICKS = [
    {"q": "vélo"},
    {"q": f"name:{NAME}"},
    {"q": "*:*", "fq": "capacity:private"},
    {"q": "*:*", "fq": f"permission_labels:{LABEL}"},
    {"q": "*:*", "fq": "+organization:digne"},
    {"q": f"permission_labels:{LABEL} OR capacity:public"},
    {"fq_list": [f"permission_labels:{LABEL}"]},
    {"q": "*:*", "include_drafts": True, "include_deleted": True},
]


@pytest.mark.parametrize("user", OUTSIDERS)
def test_nobody_else_finds_it_by_any_search(sandboxed, user):
    for trick in TRICKS:
        for include_private in (False, True):
            found = act(
                "package_search",
                user=user,
                include_private=include_private,
                **{"facet.field": '["organization","tags","license_id"]'},
                **trick,
            )
            assert NAME not in [d["name"] for d in found["results"]], trick
            assert "digne" not in found["facets"].get("organization", {}), trick
            assert "velo" not in found["facets"].get("tags", {}), trick
    with pytest.raises(tk.NotAuthorized):
        act("package_show", user=user, id=NAME)
    with pytest.raises(tk.NotAuthorized):
        act("resource_show", user=user, id=model.Package.get(NAME).resources[0].id)
    assert NAME not in act("package_autocomplete", user=user, q="velos")
    assert NAME not in [d["name"] for d in act("current_package_list_with_resources", user=user)]
    assert act("organization_show", user=user, id="digne")["package_count"] == 0
    assert NAME not in act("package_list", user=user)


@pytest.mark.parametrize("user", [None, "gap-member"])
def test_never_in_dcat(sandboxed, user):
    with pytest.raises(tk.ObjectNotFound):
        act("dcat_dataset_show", user=user, id=NAME, format="ttl")
    catalogue = act("dcat_catalog_show", user=user, format="ttl")
    assert NAME not in catalogue and "velos.csv" not in catalogue


@pytest.mark.parametrize("user", [None, "outsider"])
def test_no_activity_stream_shows_it(sandboxed, user):
    assert act("package_activity_list", user="digne-editor", id=NAME)  # its organization sees it
    streams = [
        ("organization_activity_list", {"id": "digne"}),
        ("recently_changed_packages_activity_list", {}),
        ("user_activity_list", {"id": "digne-editor"}),
    ]
    for action, data in streams:
        shown = act(action, user=user, **data)
        assert not [a for a in shown if a.get("object_id") == model.Package.get(NAME).id], action
    try:
        shown = act("package_activity_list", user=user, id=NAME)
    except tk.NotAuthorized:
        shown = []
    assert shown == []


def test_the_cohort_files_a_claim_outsiders_cannot(sandboxed, claim_factory):
    claim = claim_factory(user="gap-member", dataset=NAME, kind="inaccurate")
    assert claim["dataset_id"] == model.Package.get(NAME).id
    with pytest.raises(tk.ValidationError):
        claim_factory(user="outsider", dataset=NAME)


def test_publish_for_real_takes_the_whole_gate_and_leaves_the_sandbox(sandboxed):
    act("package_patch", user="digne-editor", id=NAME, license_id="notspecified")
    with pytest.raises(tk.ValidationError) as refused:
        act("dataset_publish", user="digne-editor", id=NAME, publication_declaration=DECLARATION)
    assert "license_id" in refused.value.error_dict
    assert sandbox.entry_of(model.Package.get(NAME).id) is not None
    act(
        "dataset_publish",
        user="digne-editor",
        id=NAME,
        license_id="odc-odbl",
        publication_declaration=DECLARATION,
    )
    assert published(NAME)
    assert sandbox.entry_of(model.Package.get(NAME).id) is None
    (left,) = entries("unsandboxed")
    assert left.path == "dataset_publish"
    assert act("package_search", user=None, q="vélo")["count"] == 1


def test_when_the_agreement_ends_it_is_private_to_its_organization(sandboxed):
    with freeze_time("2024-01-02 08:00"):
        assert sandbox.close_ended() == [model.Package.get(NAME).id]
        (left,) = entries("unsandboxed")
        assert left.path == "agreement_ended"
        with pytest.raises(tk.NotAuthorized):
            act("package_show", user="gap-member", id=NAME)
        assert act("package_search", user="gap-member", q="vélo", include_private=True)["count"] == 0
        assert act("package_search", user="digne-editor", q="vélo", include_private=True)["count"] == 1
        assert model.Package.get(NAME).state == "active"  # nothing deleted
        assert entries("sandboxed")  # its history kept
        assert sandbox.close_ended() == []


def test_unsandbox_by_the_partner(sandboxed):
    act("dataset_unsandbox", user="digne-editor", id=NAME, reason="Essai terminé")
    with pytest.raises(tk.NotAuthorized):
        act("package_show", user="gap-member", id=NAME)
    assert entries("unsandboxed")[0].reason == "Essai terminé"


def test_pages_carry_the_banner_for_the_cohort_only(sandboxed, app):
    anonymous = app.get(f"/dataset/{NAME}", status=404)
    assert "datasud-sandbox-banner" not in anonymous.body
    assert NAME not in app.get("/organization/digne").body
    assert NAME not in app.get("/dataset/").body
    app.set_session_user("gap-member")
    page = app.get(f"/dataset/{NAME}", base_url="http://localhost")
    assert "datasud-sandbox-banner" in page.body and "Bac à sable" in page.body
    assert "/dataset/claim/" in page.body  # the cohort reports a problem as on published data
    assert NAME in app.get("/organization/digne", base_url="http://localhost").body
    assert NAME in app.get("/dataset/", base_url="http://localhost").body
    # never in DCAT, not even for the cohort
    app.get(f"/dataset/{NAME}.ttl", base_url="http://localhost", status=404)
    assert NAME not in app.get("/catalog.ttl", base_url="http://localhost").body


def test_a_termination_taking_effect_takes_its_datasets_out_at_once(sandboxed):
    act(
        "agreement_terminate",
        user="digne-admin",
        id=sandboxed["agreement"]["id"],
        mode="beneficiary_early",
        initiator="partner",
        effective_on="2023-06-01",
        motives="Fin anticipée de l'accompagnement",
    )
    (left,) = entries("unsandboxed")
    assert left.path == "termination"
    with pytest.raises(tk.NotAuthorized):
        act("package_show", user="gap-member", id=NAME)
    assert act("package_search", user="gap-member", q="vélo", include_private=True)["count"] == 0


def test_a_draft_goes_active_and_stays_private(cohort):
    act("package_patch", user="digne-editor", id=NAME, state="draft")
    assert model.Package.get(NAME).state == "draft"
    act("dataset_sandbox", user="digne-editor", id=NAME, publication_declaration=DECLARATION)
    model.Session.expire_all()
    package = model.Package.get(NAME)
    assert (package.state, package.private) == ("active", True)
    assert act("package_search", user="gap-member", q="vélo", include_private=True)["count"] == 1


def test_the_publish_page_puts_it_in_the_sandbox(cohort, app):
    from tests.ui.pages import get, login, post

    login(app, "digne-editor")
    page = get(app, f"/dataset/publish/{NAME}")
    assert 'id="datasud-sandbox"' in page.body
    post(
        app,
        f"/dataset/publish/{NAME}",
        {"text_version": "2026-01", "personal_data": "none", "to": "sandbox"},
        status=302,
    )
    assert sandbox.entry_of(model.Package.get(NAME).id) is not None and not published(NAME)
    assert 'id="datasud-sandbox"' not in get(app, f"/dataset/publish/{NAME}").body
