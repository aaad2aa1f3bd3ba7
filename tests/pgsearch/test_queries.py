"""What package_search returns for the query syntax CKAN and users write."""

from __future__ import annotations

import pytest

from .conftest import PUBLIC, names, search

QUERIES = [
    # (params, expected dataset names) -- anonymous user, public datasets only
    ({}, PUBLIC),
    ({"q": "*:*"}, PUBLIC),
    ({"q": '""'}, PUBLIC),
    # free text: accent folding and French stemming
    ({"q": "energie"}, {"energie-renouvelable", "energie-climat", "frequentation-touristique"}),
    ({"q": "Énergie"}, {"energie-renouvelable", "energie-climat", "frequentation-touristique"}),
    ({"q": "donnee"}, {"energie-renouvelable", "transport-urbain"}),
    ({"q": "électricités"}, {"energie-renouvelable"}),
    ({"q": "transp*"}, {"transport-urbain"}),
    # English stemming too: "energy" and "énergie" share the stem "energi"
    ({"q": "energy"}, {"energie-renouvelable", "energie-climat", "frequentation-touristique"}),
    # words in tags, organization name, resource names
    ({"q": "solaire"}, {"energie-renouvelable"}),
    ({"q": "horaires"}, {"transport-urbain"}),
    ({"q": "digne"}, {"energie-climat", "budget-primitif", "frequentation-touristique"}),
    # dismax minimum-should-match: 2 words -> both; 3 words -> 2 of them
    ({"q": "bus fréquentation"}, {"transport-urbain"}),
    ({"q": "bus climat"}, set()),
    ({"q": "bus fréquentation climat"}, {"transport-urbain"}),
    ({"q": "+climat -solaire"}, {"energie-climat"}),
    ({"q": '"plan climat"'}, {"energie-climat"}),
    ({"q": '"climat plan"'}, set()),
    # stop words do not count
    ({"q": "le transport"}, {"transport-urbain"}),
    # fielded search: exact on string fields, analysed on text fields
    ({"q": "tags:energie"}, {"energie-renouvelable", "energie-climat"}),
    ({"q": "tags:ener"}, set()),
    ({"q": "tags:ener*"}, {"energie-renouvelable", "energie-climat"}),
    ({"q": "name:transport-urbain"}, {"transport-urbain"}),
    ({"q": "name:transport"}, set()),
    ({"q": 'title:"transport urbain"'}, {"transport-urbain"}),
    ({"q": 'title:"urbain transport"'}, set()),
    ({"q": "title:energie"}, {"energie-renouvelable", "energie-climat"}),
    ({"q": "notes:commune"}, {"energie-renouvelable", "budget-primitif"}),
    ({"q": "res_format:GeoJSON"}, {"energie-climat"}),
    ({"q": "res_format:*"}, PUBLIC - {"budget-primitif"}),
    ({"q": "groups:environnement"}, {"energie-renouvelable", "energie-climat"}),
    ({"q": "organization:cd13"}, {"energie-renouvelable", "transport-urbain"}),
    # boolean syntax
    ({"q": "tags:energie OR tags:transport"}, {"energie-renouvelable", "energie-climat", "transport-urbain"}),
    ({"q": "tags:energie AND organization:digne"}, {"energie-climat"}),
    ({"q": "tags:energie organization:digne"}, {"energie-climat"}),  # q.op is AND
    ({"q": "+tags:energie +license_id:cc-by"}, {"energie-renouvelable", "energie-climat"}),
    ({"q": "tags:energie -organization:cd13"}, {"energie-climat"}),
    (
        {"q": "(tags:energie OR tags:tourisme) AND NOT organization:cd13"},
        {"energie-climat", "frequentation-touristique"},
    ),
    ({"q": "-tags:energie"}, PUBLIC - {"energie-renouvelable", "energie-climat"}),
    ({"q": "tags:(energie OR finances)"}, {"energie-renouvelable", "energie-climat", "budget-primitif"}),
    ({"q": "organization:digne energie"}, {"energie-climat", "frequentation-touristique"}),
    # dates and date math
    ({"q": "metadata_modified:[NOW-1YEAR TO NOW]"}, PUBLIC),
    ({"q": "metadata_modified:[* TO NOW-1YEAR]"}, set()),
    # fq and fq_list filter without changing the text query
    ({"fq": "organization:cd13"}, {"energie-renouvelable", "transport-urbain"}),
    ({"q": "energie", "fq": "organization:digne"}, {"energie-climat", "frequentation-touristique"}),
    ({"fq_list": ["organization:cd13", "tags:energie"]}, {"energie-renouvelable"}),
    ({"fq": "+license_id:cc-by"}, {"energie-renouvelable", "energie-climat"}),
]


@pytest.mark.parametrize(("params", "expected"), QUERIES, ids=[str(q[0]) for q in QUERIES])
def test_query(corpus, params, expected):
    result = search(**params, rows=50)
    assert names(result) == expected
    assert result["count"] == len(expected)


def test_date_ranges_with_explicit_bounds(corpus):
    created = [corpus["datasets"][n]["metadata_created"] + "Z" for n in ("energie-climat", "budget-primitif")]
    inclusive = search(q=f"metadata_created:[{created[0]} TO {created[1]}]")
    assert names(inclusive) == {"energie-climat", "budget-primitif"}
    exclusive = search(q=f"metadata_created:{{{created[0]} TO {created[1]}]")
    assert names(exclusive) == {"budget-primitif"}
    open_ended = search(q=f"metadata_created:[{created[1]} TO *]")
    assert names(open_ended) == {"budget-primitif", "frequentation-touristique"}


def test_title_ranks_above_description(corpus):
    result = search(q="énergie")
    ranked = [d["name"] for d in result["results"]]
    # "énergie" is in the titles of two datasets and only in the description
    # of the third
    assert ranked[-1] == "frequentation-touristique"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "title_string asc",
            [
                "budget-primitif",
                "energie-renouvelable",
                "energie-climat",
                "frequentation-touristique",
                "transport-urbain",
            ],
        ),
        ("name asc", sorted(PUBLIC)),
        ("name desc", sorted(PUBLIC, reverse=True)),
        (
            "metadata_created asc",
            [
                "energie-renouvelable",
                "transport-urbain",
                "energie-climat",
                "budget-primitif",
                "frequentation-touristique",
            ],
        ),
        (
            "metadata_modified desc",
            [
                "frequentation-touristique",
                "budget-primitif",
                "energie-climat",
                "transport-urbain",
                "energie-renouvelable",
            ],
        ),
    ],
)
def test_sort(corpus, sort, expected):
    assert [d["name"] for d in search(sort=sort)["results"]] == expected


def test_rows_and_start_page_through_everything(corpus):
    pages = [search(sort="name asc", rows=2, start=start) for start in (0, 2, 4)]
    seen = [d["name"] for page in pages for d in page["results"]]
    assert seen == sorted(PUBLIC)
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    assert all(p["count"] == 5 for p in pages)
    assert search(rows=0)["results"] == []


FACETS = ["organization", "tags", "res_format", "license_id", "groups"]


def test_facet_counts(corpus):
    facets = search(**{"facet.field": FACETS})["facets"]
    assert facets["organization"] == {"cd13": 2, "digne": 3}
    assert facets["tags"] == {
        "energie": 2,
        "solaire": 1,
        "mobilite": 1,
        "transport": 1,
        "climat": 1,
        "finances": 1,
        "tourisme": 1,
    }
    assert facets["res_format"] == {"CSV": 3, "JSON": 1, "GeoJSON": 1}
    assert facets["license_id"] == {"cc-by": 2, "odc-odbl": 1, "notspecified": 1, "cc-zero": 1}
    assert facets["groups"] == {"environnement": 2}


def test_facets_follow_the_query(corpus):
    facets = search(q="energie", fq="organization:digne", **{"facet.field": ["tags"]})["facets"]
    assert facets["tags"] == {"energie": 1, "climat": 1, "tourisme": 1}


def test_facet_limit_mincount_and_sort(corpus):
    result = search(**{"facet.field": ["tags"], "facet.limit": 1})
    assert result["facets"]["tags"] == {"energie": 2}
    assert result["search_facets"]["tags"]["items"] == [
        {"name": "energie", "display_name": "energie", "count": 2}
    ]
    assert search(**{"facet.field": ["tags"], "facet.mincount": 2})["facets"]["tags"] == {"energie": 2}
    by_index = search(**{"facet.field": ["tags"], "facet.sort": "index", "facet.limit": 3})["facets"]["tags"]
    assert list(by_index) == ["climat", "energie", "finances"]
    assert search(**{"facet.field": ["tags"], "facet.limit": -1})["facets"]["tags"]["tourisme"] == 1


def test_facet_on_unknown_field_is_empty(corpus):
    assert search(**{"facet.field": ["no_such_field"]})["facets"]["no_such_field"] == {}


def test_fl_returns_the_requested_fields(corpus):
    result = search(q="name:transport-urbain", fl=["name", "title"])
    assert result["results"] == [{"name": "transport-urbain", "title": "Transport urbain"}]


def test_results_are_the_datasets_as_package_show_gives_them(corpus):
    result = search(q="name:energie-climat")["results"][0]
    assert result["organization"]["name"] == "digne"
    assert [t["name"] for t in result["tags"]] == ["climat", "energie"]
    assert result["resources"][0]["format"] == "GeoJSON"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "title:(energie"}, "parse"),
        ({"q": "metadata_modified:[NOW-1FORTNIGHT TO NOW]"}, "date"),
        ({"q": "metadata_created:[hier TO NOW]"}, "hier"),
        ({"sort": "title sideways"}, "sort"),
        ({"q": "data_dict:x"}, "not searchable"),
    ],
)
def test_a_query_that_cannot_run_is_a_search_error(corpus, params, message):
    from ckan.lib.search.common import SearchError

    with pytest.raises(SearchError) as error:
        search(**params)
    assert message in str(error.value)
