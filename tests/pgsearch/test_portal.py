"""The portal's pages and commands work on the PostgreSQL search backend."""

from __future__ import annotations

import ckan.plugins as p
import pytest
from bs4 import BeautifulSoup
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from .conftest import PUBLIC, names, search


def _dataset_links(html: str) -> set[str]:
    soup = BeautifulSoup(html, "html.parser")
    return {a["href"].rsplit("/", 1)[-1] for a in soup.select(".dataset-heading a")}


def test_dataset_page_searches_and_filters(corpus, app):
    page = app.get("/dataset/", query_string={"q": "energie"})
    assert _dataset_links(page.body) == {
        "energie-renouvelable",
        "energie-climat",
        "frequentation-touristique",
    }
    filtered = app.get("/dataset/", query_string={"q": "energie", "organization": "digne"})
    assert _dataset_links(filtered.body) == {"energie-climat", "frequentation-touristique"}
    by_tag = app.get("/dataset/", query_string={"tags": "energie"})
    assert _dataset_links(by_tag.body) == {"energie-renouvelable", "energie-climat"}
    # the facet lists are there, with their counts
    soup = BeautifulSoup(app.get("/dataset/").body, "html.parser")
    facet_text = " ".join(el.get_text(" ", strip=True) for el in soup.select(".module-facet, section.module"))
    assert "Département des" in facet_text  # CKAN shortens long facet labels
    assert "Commune de Digne-les-Bains" in facet_text


def test_dataset_page_shows_a_bad_query_as_an_error_not_a_500(corpus, app):
    response = app.get("/dataset/", query_string={"q": "title:(energie"})
    assert response.status_code == 200
    assert "energie-climat" not in _dataset_links(response.body)


def test_api_answers_a_bad_query_with_a_search_error(corpus, app):
    response = app.get("/api/3/action/package_search", query_string={"q": "title:(energie"}, status=409)
    assert response.json["success"] is False
    assert "Cannot parse query" in str(response.json["error"])
    bad_sort = app.get("/api/3/action/package_search", query_string={"sort": "title sideways"}, status=400)
    assert "sort" in str(bad_sort.json["error"]).lower()


def test_organization_pages_count_their_datasets(corpus, app):
    page = BeautifulSoup(app.get("/organization/digne").body, "html.parser")
    assert _dataset_links(str(page)) == {"energie-climat", "budget-primitif", "frequentation-touristique"}
    # CKAN counts every active dataset of an organization in its listing,
    # private ones included (get_group_dataset_counts): the same here.
    listing = helpers.call_action("organization_list", context={"user": ""}, all_fields=True)
    assert {o["name"]: o["package_count"] for o in listing} == {"cd13": 3, "digne": 4}


def test_group_page_lists_its_datasets(corpus, app):
    page = app.get("/group/environnement")
    assert _dataset_links(page.body) == {"energie-renouvelable", "energie-climat"}


def test_home_page_renders(corpus, app):
    assert app.get("/").status_code == 200


def test_search_index_commands(corpus, cli):
    cleared = cli.invoke(ckan_command, ["search-index", "clear"])
    assert cleared.exit_code == 0, cleared.output
    assert search()["count"] == 0
    check = cli.invoke(ckan_command, ["search-index", "check"])
    assert "Packages not indexed = 7 out of 7" in check.output  # 5 public and 2 private
    rebuilt = cli.invoke(ckan_command, ["search-index", "rebuild", "--quiet"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert names(search(rows=50)) == PUBLIC
    assert "Packages not indexed = 0" in cli.invoke(ckan_command, ["search-index", "check"]).output
    shown = cli.invoke(ckan_command, ["search-index", "show", "transport-urbain"])
    assert "transport-urbain" in shown.output


class ExtraIndexFieldPlugin(p.SingletonPlugin):
    """A plugin adding a field at indexing time, as ours will."""

    p.implements(p.IPackageController, inherit=True)

    def before_dataset_index(self, pkg_dict):
        pkg_dict["publication_status"] = "published" if not pkg_dict["private"] else "never_published"
        return pkg_dict


@pytest.mark.usefixtures("clean_db", "clean_index")
@pytest.mark.with_plugins({"test_extra_index_field": ExtraIndexFieldPlugin})
def test_fields_added_by_before_dataset_index_are_searchable_and_facetable():
    org = factories.Organization()
    user = factories.Sysadmin()
    context = {"user": user["name"]}
    helpers.call_action("package_create", context=dict(context), name="public-one", owner_org=org["id"])
    helpers.call_action(
        "package_create", context=dict(context), name="private-one", owner_org=org["id"], private=True
    )
    result = helpers.call_action(
        "package_search",
        include_private=True,
        q="publication_status:never_published",
        **{"facet.field": ["publication_status"]},
    )
    assert [d["name"] for d in result["results"]] == ["private-one"]
    everything = helpers.call_action(
        "package_search", include_private=True, **{"facet.field": ["publication_status"]}
    )
    assert everything["facets"]["publication_status"] == {"published": 1, "never_published": 1}
