"""``help_show`` documents every action of the plugin, the chained ones
included (CKAN's chaining would answer with ``functools.partial``'s doc)."""

from __future__ import annotations

import pytest
from ckan import plugins as p
from ckan.tests import helpers


def _ours() -> dict:
    return p.get_plugin("datasud_partnership").get_actions()


def help_of(name: str) -> str:
    return helpers.call_action("help_show", name=name) or ""


@pytest.mark.parametrize("name", sorted(n for n, f in _ours().items() if getattr(f, "chained_action", False)))
def test_a_chained_action_keeps_its_help(name):
    text = help_of(name)
    assert not text.startswith("partial("), text[:80]
    assert len(text) > 40


def test_a_core_action_we_chain_says_what_core_says_then_what_we_add():
    text = help_of("package_create")
    assert text.startswith("Create a new dataset (package).")
    assert ":param name:" in text  # CKAN's own parameters

    tags = help_of("tag_list")
    assert tags.startswith("Return a list of the site's tags.")
    show = help_of("package_show")
    assert "On this portal (ckanext-datasud_partnership):" in show  # ours: the id's check


def test_our_own_actions_keep_their_docstring():
    assert help_of("dataset_publication_check").startswith("Before publishing: every condition")


def test_every_action_of_the_plugin_documents_its_parameters_or_its_result():
    """help_show answers each of our actions with what to send and what comes back."""
    undocumented = [
        name
        for name, action in sorted(_ours().items())
        if not getattr(action, "chained_action", False)
        and not any(mark in (action.__doc__ or "") for mark in (":param", ":returns"))
    ]
    assert not undocumented
