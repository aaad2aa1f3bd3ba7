"""A termination for fault withdraws the partner's datasets in one step; the
search index follows once the withdrawal is committed."""

from __future__ import annotations

import pytest
from ckan.lib import jobs
from freezegun import freeze_time

from .conftest import DECLARATION, act, draft_dataset, published


def names(result: dict) -> set[str]:
    return {d["name"] for d in result["results"]}


def public_search() -> set[str]:
    return names(act("package_search", user=None, q="organization:cd13", rows=50))


def member_search() -> set[str]:
    return names(
        act("package_search", user="cd13-member", q="organization:cd13", include_private=True, rows=50)
    )


def terminate_for_fault(partner) -> None:
    with freeze_time("2026-12-01"):
        act(
            "agreement_notice_serve",
            user="region-team",
            id=partner["agreement"]["id"],
            breaches=["Jeux non mis à jour"],
            deadline="2026-12-15",
        )
    with freeze_time("2026-12-20"):
        act(
            "agreement_terminate",
            motives="Motifs de la résiliation",
            user="region-team",
            id=partner["agreement"]["id"],
            mode="fault",
            initiator="operator",
            effective_on="2026-12-20",
            withdraw="all",
        )


@pytest.fixture
def two_published(partner):
    for name in ("budget-2025", "budget-2026"):
        draft_dataset(name, private=False, publication_declaration=DECLARATION)
    assert public_search() == {"budget-2025", "budget-2026"}
    return ["budget-2025", "budget-2026"]


def test_a_small_termination_reindexes_before_it_returns(partner, two_published):
    terminate_for_fault(partner)
    assert not any(published(name) for name in two_published)
    assert public_search() == set()
    assert member_search() == set(two_published)


@pytest.mark.usefixtures("clean_queues", "with_test_worker")
@pytest.mark.ckan_config("ckanext.datasud_partnership.inline_reindex_limit", "1")
def test_a_large_termination_leaves_the_index_at_once_and_comes_back_private_by_jobs(partner, two_published):
    terminate_for_fault(partner)

    assert not any(published(name) for name in two_published)
    assert public_search() == set()  # gone for the public as soon as the termination returns
    assert member_search() == set()  # the members find them again once the jobs ran
    queued = jobs.get_queue().jobs
    assert [job.meta["title"] for job in queued] == ["datasud_partnership: reindex withdrawn datasets (1/1)"]

    jobs.Worker().work(burst=True)

    assert member_search() == set(two_published)
    assert public_search() == set()
    journal = act("publication_journal_list", user="cd13-admin", organization="cd13", action="withdrawn")
    assert {(e["path"], e["ground"]["type"]) for e in journal["results"]} == {("termination", "termination")}
    assert journal["count"] == 2
