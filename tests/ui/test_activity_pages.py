"""The activity pages (CKAN 2.12's ckanext.activity) follow the actions: a
dataset taken off the portal leaves the public's pages; the partner's stay whole."""

from __future__ import annotations

from typing import Any

import pytest

from tests.publication.conftest import draft_dataset
from tests.publication.test_visibility import SECRET, leak, publish, repair, take_off
from tests.ui.pages import get, login

pytestmark = pytest.mark.usefixtures("partner")

NAME = "Jean Dupont"  # the personal data, as the pages print it


@pytest.fixture
def withdrawn() -> dict[str, Any]:
    dataset = draft_dataset()
    publish(dataset["name"])
    leak(dataset["name"])
    take_off(dataset["name"], "withdrawn")
    return dataset


@pytest.fixture
def republished(withdrawn) -> dict[str, Any]:
    repair(withdrawn["name"])
    publish(withdrawn["name"])
    return withdrawn


def _stream(app: Any, url: str, user: str | None) -> str:
    login(app, user)
    return get(app, url).body


@pytest.mark.parametrize("user", [None, "outsider"])
def test_user_and_organization_pages_forget_a_withdrawn_dataset(app, withdrawn, user):
    for url in ("/user/activity/cd13-editor", "/organization/activity/cd13"):
        body = _stream(app, url, user)
        assert NAME not in body, (user, url)
        assert withdrawn["id"] not in body, (user, url)
    refused = get(app, f"/dataset/activity/{withdrawn['name']}", status=403)  # CKAN's own refusal
    assert NAME not in refused.body and withdrawn["id"] not in refused.body


def test_the_partner_keeps_the_history_on_the_pages(app, withdrawn):
    assert NAME in _stream(app, "/user/activity/cd13-editor", "cd13-member")
    assert NAME in _stream(app, f"/dataset/activity/{withdrawn['name']}", "cd13-member")


@pytest.mark.parametrize("user", [None, "outsider"])
def test_organization_page_forgets_a_deleted_dataset(app, user):
    dataset = draft_dataset()
    publish(dataset["name"])
    leak(dataset["name"])
    take_off(dataset["name"], "deleted")
    body = _stream(app, "/organization/activity/cd13", user)
    assert NAME not in body and dataset["id"] not in body


@pytest.mark.parametrize("user", [None, "outsider"])
def test_dataset_page_of_a_dataset_published_again_starts_at_the_new_publication(app, republished, user):
    body = _stream(app, f"/dataset/activity/{republished['name']}", user)
    assert "Budget primitif 2026" in body
    assert NAME not in body
    assert NAME in _stream(app, f"/dataset/activity/{republished['name']}", "cd13-member")


def test_dashboard_of_a_follower_forgets_a_withdrawn_dataset(app):
    from tests.publication.conftest import act

    dataset = draft_dataset()
    publish(dataset["name"])
    act("follow_dataset", user="outsider", id=dataset["name"])
    leak(dataset["name"])
    assert NAME in _stream(app, "/dashboard/", "outsider")
    take_off(dataset["name"], "withdrawn")
    assert NAME not in _stream(app, "/dashboard/", "outsider")


@pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", True)
@pytest.mark.parametrize("user", [None, "outsider"])
def test_old_versions_and_changes_of_a_dataset_published_again_are_refused(app, republished, user):
    from tests.publication.test_visibility import _activities, _with_the_leak

    old = _with_the_leak(republished["name"])
    newest = _activities(republished["name"])[0]
    login(app, user)
    page = get(app, f"/dataset/{republished['name']}/history/{old['id']}", status=403)
    assert SECRET not in page.body
    assert NAME not in get(app, f"/dataset/changes/{newest['id']}", status=403).body
    login(app, "cd13-editor")
    assert NAME in get(app, f"/dataset/{republished['name']}/history/{old['id']}").body


@pytest.mark.parametrize("user", [None, "outsider"])
def test_old_resource_versions_of_a_dataset_published_again_are_refused(app, republished, user):
    """CKAN's resource history page reads the activity without asking
    ``activity_show``: it asks the same as the dataset's history page."""
    from tests.publication.test_visibility import SECRET_URL, _with_the_leak

    old = _with_the_leak(republished["name"])
    resource = old["data"]["package"]["resources"][0]
    url = f"/dataset/{republished['name']}/resources/{resource['id']}/history/{old['id']}"
    login(app, user)
    assert SECRET_URL not in get(app, url, status=403).body
    login(app, "cd13-editor")
    assert SECRET_URL in get(app, url).body


@pytest.mark.ckan_config("ckan.auth.public_activity_stream_detail", True)
@pytest.mark.parametrize("user", [None, "outsider"])
def test_changes_between_versions_of_a_dataset_published_again_are_refused(app, republished, user):
    from tests.publication.test_visibility import _activities, _with_the_leak

    old = _with_the_leak(republished["name"])
    newest = _activities(republished["name"])[0]
    url = f"/dataset/changes_multiple?new_id={newest['id']}&old_id={old['id']}"
    login(app, user)
    assert NAME not in get(app, url, status=403).body
    login(app, "cd13-editor")
    assert NAME in get(app, url).body
