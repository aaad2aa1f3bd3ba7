import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_create_and_search():
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], title="Données de l'énergie", tags=[{"name": "energie"}])
    factories.Dataset(owner_org=org["id"], title="Transport", private=True)
    result = helpers.call_action("package_search", q="donnee", **{"facet.field": ["tags", "organization"]})
    print(result["count"], result["facets"], [r["title"] for r in result["results"]])
    assert result["count"] == 1
