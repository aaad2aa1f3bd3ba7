"""The permission boundary: a private dataset is found only by those CKAN's
permission labels allow (its organization's members and sysadmins)."""

from __future__ import annotations

import pytest

from .conftest import PUBLIC, names, search

PRIVATE_CD13 = "sante-prive"
PRIVATE_DIGNE = "energie-interne"


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (None, PUBLIC),
        ("outsider", PUBLIC),
        ("cd13-member", PUBLIC | {PRIVATE_CD13}),
        ("digne-member", PUBLIC | {PRIVATE_DIGNE}),
        ("region-admin", PUBLIC | {PRIVATE_CD13, PRIVATE_DIGNE}),
    ],
)
def test_include_private_shows_only_what_the_user_may_read(corpus, user, expected):
    assert names(search(user, include_private=True, rows=50)) == expected
    assert names(search(user, rows=50)) == PUBLIC  # without include_private: public only


@pytest.mark.parametrize("user", [None, "outsider", "digne-member"])
@pytest.mark.parametrize(
    "attack",
    [
        {"q": "capacity:private"},
        {"q": f"name:{PRIVATE_CD13}"},
        {"q": "santé"},
        {"fq": "capacity:private"},
        {"fq": "permission_labels:*"},
        {"fq": "+state:(active OR draft OR deleted)"},
        {"fq_list": ["permission_labels:public OR capacity:private"]},
        {"q": "*:* OR capacity:private"},
        {"q": ") OR (*:*"},
    ],
)
def test_no_query_reaches_a_private_dataset_of_another_organization(corpus, user, attack):
    try:
        result = search(user, include_private=True, include_drafts=True, rows=50, **attack)
    except Exception as error:  # a refused query is fine; a leak is not
        assert "private" not in str(error)
        return
    assert PRIVATE_CD13 not in names(result)
    assert "brouillon-mobilite" not in names(result)
    assert result["count"] == len(result["results"]) or result["count"] <= len(PUBLIC | {PRIVATE_DIGNE})


def test_private_datasets_do_not_leak_into_facet_counts(corpus):
    anonymous = search(None, include_private=True, **{"facet.field": ["organization", "tags"]})["facets"]
    assert anonymous["organization"] == {"cd13": 2, "digne": 3}
    assert "sante" not in anonymous["tags"]
    member = search("cd13-member", include_private=True, **{"facet.field": ["organization", "tags"]})[
        "facets"
    ]
    assert member["organization"] == {"cd13": 3, "digne": 3}
    assert member["tags"]["sante"] == 1


def test_drafts_are_seen_by_sysadmins_and_their_organization_only(corpus):
    assert "brouillon-mobilite" in names(search("region-admin", include_drafts=True, rows=50))
    assert "brouillon-mobilite" in names(
        search("cd13-member", include_drafts=True, include_private=True, rows=50)
    )
    assert "brouillon-mobilite" not in names(search("outsider", include_drafts=True, rows=50))
    assert "brouillon-mobilite" not in names(search(None, include_drafts=True, rows=50))


def test_deleted_datasets_are_not_found(corpus):
    # ckan.search.remove_deleted_packages (default true) takes them out of the index
    for user in (None, "region-admin"):
        assert "ancien-jeu" not in names(search(user, include_private=True, include_deleted=True, rows=50))


def test_http_api_boundary(corpus, app):
    """The same boundary through the HTTP API, anonymous and with a token."""
    from ckan.tests import factories

    url = "/api/3/action/package_search"
    anonymous = app.get(url, query_string={"q": "santé", "include_private": "true"}).json["result"]
    assert anonymous["count"] == 0
    token = factories.APIToken(user="cd13-member")["token"]
    member = app.get(
        url, query_string={"q": "santé", "include_private": "true"}, headers={"Authorization": token}
    ).json["result"]
    assert [d["name"] for d in member["results"]] == [PRIVATE_CD13]
