"""No 500, whatever the input (issue 13, section 3).

Generated bad inputs (hypothesis) for every action the extension defines or
chains, and the core actions the portal exposes around them, sent over HTTP
(``POST /api/3/action/<name>`` with a JSON body) as an anonymous visitor, an
outsider (logged in with an API token, member of nothing) and the portal's
team (a sysadmin, API token). Each answer must be a 4xx JSON answer with
``success: false``; a validation error names at least one field; and nothing
is written (the rows of the extension's tables and of CKAN's package, group,
member, resource and activity tables are the same before and after).

Every generated input is bad for the action it is sent to: each example puts a
value of the wrong kind in at least one field where that kind is always
refused (an id, a number, a date, a JSON object, a required text, a choice);
the other fields may carry a real reference, so that the bad value reaches
the code behind the first lookups.

``make test`` runs a few examples per action and role (the ``ci`` profile,
derandomized); ``benchmarks/fuzz.py`` runs the same generator on thousands
(``DATASUD_FUZZ_EXAMPLES``) and prints the status counts per action.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.plugins import get_plugin
from ckan.tests import factories
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .publication.conftest import DECLARATION, act, draft_dataset, partner  # noqa: F401

EXAMPLES = int(os.environ.get("DATASUD_FUZZ_EXAMPLES") or 4)
REPORT = os.environ.get("DATASUD_FUZZ_REPORT")  # benchmarks/fuzz.py: where to write the counts
settings.register_profile(
    "datasud-bad-inputs",
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("DATASUD_FUZZ_RANDOM"),
    database=None,
    # a failing example is shown as found: shrinking costs minutes over HTTP
    phases=[Phase.explicit, Phase.generate] if REPORT else [Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
PROFILE = settings.get_profile("datasud-bad-inputs")

# --- the kinds of field, and what is always wrong for each -------------------

NUL, SURROGATE = "\u0000", "\udc80"
HUGE = [2**31, 2**63, 10**20, -(2**63) - 1, 1e308, -1e308]
POISONED = st.sampled_from([NUL, "a\u0000b", SURROGATE, "x\ud800", "\ud83d", "\u0000\udfff"]) | st.builds(
    lambda a, bad, b: a + bad + b,
    st.text(max_size=8),
    st.sampled_from([NUL, SURROGATE, "\ud800"]),
    st.text(max_size=8),
)
CONTAINERS = st.sampled_from([[], {}, [1], ["a", None], {"a": 1}, [{"id": NUL}], {"id": [1]}]) | st.lists(
    st.integers(), max_size=3
)
NUMBERS = st.sampled_from(HUGE + [0.5, -1, -1.5, True, False]) | st.floats(
    allow_nan=False, allow_infinity=False, min_value=1e12
)
BLANK = st.sampled_from(["", " ", "\t", "\u00a0", "\n "])

BAD = {
    # an id or a name of something: never a number, a container, a NUL...
    "id": POISONED | CONTAINERS | NUMBERS | st.sampled_from(["", " ", "x" * 5000, 3661, 1001, 1000000]),
    # a count (limit, offset, days): never blank, negative, a float, text
    "number": POISONED
    | CONTAINERS
    | BLANK
    | st.sampled_from([-1, -(2**63), 2**63, 10**20, 1e308, 0.5, "x", "1e3", "٣"]),
    # a date written YYYY-MM-DD ("" and [] say "no date": not bad)
    "date": POISONED
    | NUMBERS
    | st.sampled_from([[1], {"a": 1}, ["2026-01-01"], "2026-13-01", "2026-02-30", "tomorrow", "99999-01-01"]),
    # a JSON object (a declaration, a ground)
    "json": POISONED
    | BLANK
    | NUMBERS
    | st.sampled_from(["x", "{}", [], [{}], {"type": NUL}, {"personal_data": [1]}, {"": {}}]),
    # a text that is required
    "text": POISONED | CONTAINERS | st.sampled_from(["", None]),
    # one of a few words
    "choice": POISONED | CONTAINERS | NUMBERS | st.sampled_from(["", "nope", "x" * 3000]),
    # a list of things (dataset ids, breaches, groups...)
    "list": POISONED
    | NUMBERS
    | st.sampled_from(["", [NUL], [SURROGATE], [[]], [{}], [2**63], [1e308], {"a": "b"}]),
    # a free search (q, fq): only poisoned strings and containers are bad
    "query": POISONED | CONTAINERS,
}

ID, N, D, J, T, C, L, Q = "id", "number", "date", "json", "text", "choice", "list", "query"

# action -> {field: kind}; the fields whose valid reference (in WORLD) may be
# sent beside the bad value are the ids.
ACTIONS: dict[str, dict[str, str]] = {
    "agreement_amend": {"id": ID, "signed_on": D, "description": T, "end_on": D, "contributions": L},
    "agreement_cancel": {"id": ID, "reason": T},
    "agreement_create": {
        "organization": ID,
        "kind": ID,
        "reference": T,
        "signed_on": D,
        "notified_on": D,
        "parties": L,
        "deliberation_date": D,
        "end_on": D,
        "documents": L,
    },
    "agreement_document_add": {"id": ID, "title": T, "url": ID},
    "agreement_history": {"id": ID, "limit": N, "offset": N},
    "agreement_kind_list": {},  # no parameter: any input is read as none
    "agreement_list": {
        "organization": ID,
        "kind": ID,
        "in_force_on": D,
        "anniversary_within": N,
        "ending_within": N,
        "date": D,
        "limit": N,
        "offset": N,
    },
    "agreement_milestone_update": {"id": ID, "code": ID, "done_on": D},
    "agreement_notice_answer": {"id": ID, "observations": T, "answered_on": D},
    "agreement_notice_lift": {"id": ID, "reason": T, "lifted_on": D},
    "agreement_notice_serve": {"id": ID, "breaches": L, "deadline": D, "served_on": D, "served_by": C},
    "agreement_notify": {"id": ID, "notified_on": D},
    "agreement_patch": {"id": ID, "end_on": D, "deliberation_date": D, "parties": L, "documents": L},
    "agreement_show": {"id": ID, "date": D},
    "agreement_sign": {"id": ID, "signed_on": D},
    "agreement_terminate": {
        "id": ID,
        "mode": C,
        "initiator": C,
        "requested_on": D,
        "effective_on": D,
        "withdraw": L,
    },
    "bulk_update_public": {"org_id": ID, "datasets": L, "publication_declaration": J},
    "bulk_update_private": {"org_id": ID, "datasets": L},
    "bulk_update_delete": {"org_id": ID, "datasets": L},
    "claim_answer": {"id": ID, "text": T},
    "claim_create": {"dataset": ID, "kind": C, "description": T},
    "claim_list": {"organization": ID, "dataset": ID, "status": C, "limit": N, "offset": N},
    "claim_resolve": {"id": ID, "outcome": C, "text": T},
    "claim_show": {"id": ID},
    "dataset_likely_duplicates": {"id": ID},
    "dataset_missing_metadata": {"id": ID},
    "dataset_publication_check": {"id": ID, "publication_declaration": J},
    "declaration_version_create": {"version": T, "text_fr": T, "text_en": T, "in_force_from": D},
    "declaration_version_list": {},
    "declaration_version_show": {"version": T},
    "dataset_publish": {"id": ID, "license_id": ID, "publication_declaration": J},
    "dataset_withdraw": {"id": ID, "reason": T, "ground": J},
    "dataset_sandbox": {"id": ID, "publication_declaration": J},
    "dataset_unsandbox": {"id": ID, "reason": T},
    "dcat_dataset_show": {"id": ID, "profiles": L, "format": C},
    "dcat_catalog_show": {"q": Q, "fq": Q, "page": N, "profiles": L, "format": C, "modified_since": D},
    "harvest_publication_list": {"id": ID, "outcome": C, "limit": N, "offset": N},
    "harvest_publication_show": {"id": ID},
    "harvest_source_declaration_show": {"id": ID},
    "harvest_source_declare": {"id": ID, "publication_declaration": J},
    "harvest_source_reindex": {"id": ID},
    "harvest_source_clear": {"id": ID},
    "package_create": {
        "name": ID,
        "owner_org": ID,
        "groups": L,
        "tags": L,
        "resources": L,
        "license_id": ID,
        "temporal_start": D,
        "publication_declaration": J,
    },
    "package_update": {"id": ID, "name": ID, "owner_org": ID, "groups": L, "resources": L, "tags": L},
    "package_patch": {"id": ID, "name": ID, "owner_org": ID, "groups": L, "temporal_start": D},
    "package_delete": {"id": ID},
    "package_owner_org_update": {"id": ID, "organization_id": ID},
    "package_show": {"id": ID},
    "package_search": {"q": Q, "fq": Q, "rows": N, "start": N, "sort": Q, "facet.field": L, "fq_list": L},
    "resource_create": {"package_id": ID, "url": ID, "format": C},
    "publication_journal_export": {
        "organization": ID,
        "dataset": ID,
        "action": C,
        "since": D,
        "until": D,
        "separator": C,
        "header": C,
    },
    "publication_journal_list": {
        "organization": ID,
        "dataset": ID,
        "action": C,
        "since": D,
        "until": D,
        "limit": N,
        "offset": N,
    },
    "terms_accept": {"organization": ID, "version": ID},
    "terms_status": {"organization": ID},
    "terms_version_create": {"version": T, "title": T, "url": ID},
    "terms_version_list": {},
    "dataset_purge": {"id": ID},
    # the read paths that keep a dataset off the portal out of the public's sight (publication/visibility.py)
    "package_activity_list": {"id": ID, "limit": N, "offset": N},
    "organization_activity_list": {"id": ID, "limit": N, "offset": N},
    "group_activity_list": {"id": ID, "limit": N, "offset": N},
    "user_activity_list": {"id": ID, "limit": N, "offset": N},
    "recently_changed_packages_activity_list": {"limit": N, "offset": N},
    "dashboard_activity_list": {"limit": N, "offset": N},
    "tag_list": {"query": Q, "vocabulary_id": ID},
    "tag_search": {"query": Q, "limit": N, "offset": N},
    "tag_autocomplete": {"query": Q, "limit": N},
    "format_autocomplete": {"q": Q, "limit": N},
    "member_list": {"id": ID, "object_type": C, "capacity": C},
    # the e-mail outbox (common/outbox_actions.py) and the users' language (common/user_language.py)
    "mail_outbox_list": {"status": C, "recipient": Q, "limit": N, "offset": N},
    "mail_outbox_show": {"id": ID},
    "mail_outbox_retry": {"id": ID},
    "user_show": {"id": ID},
    "user_update": {"id": ID, "language": C},
    "user_create": {"name": ID, "email": ID, "language": C},
}
# the core actions we send bad inputs to besides those the plugins define
CORE = {"package_patch", "package_show", "package_search", "bulk_update_private", "bulk_update_delete"}
ROLES = ("anonymous", "outsider", "sysadmin")

# --- what is there before: one of each object, for the valid references -----


@pytest.fixture
def world(partner, app) -> dict[str, Any]:  # noqa: F811
    public = draft_dataset("budget-public", private=False, publication_declaration=DECLARATION)
    draft = draft_dataset("budget-draft")
    claim = act(
        "claim_create", user="outsider", dataset=public["name"], kind="other", description="Une erreur."
    )
    tokens = {
        "outsider": factories.APIToken(user="outsider")["token"],
        "sysadmin": factories.APIToken(user="region-team")["token"],
    }
    references = {
        "id": [public["id"], draft["name"], partner["agreement"]["id"], claim["id"]],
        "dataset": [public["name"], draft["id"]],
        "package_id": [public["id"]],
        "organization": ["cd13", partner["org"]["id"]],
        "org_id": [partner["org"]["id"]],
        "owner_org": ["cd13"],
        "organization_id": [partner["other"]["id"]],
        "kind": ["datasud_partnership"],
        "version": ["1"],
        "datasets": [[draft["id"]]],
    }
    return {"app": app, "tokens": tokens, "references": references}


# --- what counts as "nothing written" ----------------------------------------

CORE_TABLES = ("package", "group", "member", "resource", "package_tag", "activity", "api_token")


def snapshot() -> dict[str, Any]:
    """A fingerprint of every table an action could write."""
    model.Session.remove()
    with model.ensure_engine().connect() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                    "AND table_name LIKE 'datasud_partnership_%' AND table_name NOT LIKE '%alembic%'"
                )
            )
        ]
        state = {
            table: connection.execute(
                sa.text(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{table}\" t"
                )
            ).one()
            for table in sorted(tables) + list(CORE_TABLES)
            if table != "api_token"
        }
    return state


# --- sending one input -------------------------------------------------------


JUNK = st.dictionaries(st.sampled_from(["all", "limit", "id", "\u0000", "x"]), BAD["id"], max_size=2)


@st.composite
def bad_input(draw: Any, action: str, references: dict[str, list[Any]]) -> dict[str, Any]:
    fields = ACTIONS[action]
    if not fields:  # an action without parameters: junk, read as nothing
        return draw(JUNK)
    names = sorted(fields)
    bad = draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(3, len(names)), unique=True))
    data: dict[str, Any] = {}
    for name in names:
        if name in bad:
            data[name] = draw(BAD[fields[name]])
        elif name in references and draw(st.booleans()):
            data[name] = draw(st.sampled_from(references[name]))
    return data


def call(world: dict[str, Any], action: str, role: str, data: dict[str, Any]) -> Any:
    headers = {"Content-Type": "application/json"}
    if role != "anonymous":
        headers["Authorization"] = world["tokens"][role]
    body = json.dumps(data)  # ASCII: NULs and lone surrogates travel as \u escapes
    try:
        return world["app"].post(f"/api/3/action/{action}", data=body, headers=headers, status=None)
    except Exception as error:  # the test app lets some errors through: what a server answers 500
        model.Session.rollback()
        return Crash(error)


class Crash:
    """An exception that went through the application: a 500 on a server."""

    status_code = 500

    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_data(self, as_text: bool = True) -> str:
        return f"{type(self.error).__name__}: {self.error}"


def judge(action: str, role: str, data: dict[str, Any], response: Any) -> list[str]:
    """What is wrong with an answer (nothing: an empty list)."""
    where = f"{action} as {role} with {data!r}"
    if not ACTIONS[action] and response.status_code == 200:
        return []  # nothing to refuse: what counts is that nothing is written
    if not 400 <= response.status_code < 500:
        return [f"{where}: status {response.status_code}: {response.get_data(as_text=True)[-600:]}"]
    try:
        answer = json.loads(response.get_data(as_text=True))
    except ValueError:
        return [f"{where}: status {response.status_code}, not JSON"]
    if answer.get("success") is not False or not isinstance(answer.get("error"), dict):
        return [f"{where}: {answer!r} is not a refusal"]
    error = answer["error"]
    if error.get("__type") == "Validation Error":
        named = set(error) - {"__type", "message"}
        if not named:
            return [f"{where}: the validation error names no field: {error!r}"]
    return []


def explore(world: dict[str, Any], action: str, counts: Counter) -> list[str]:
    problems: list[str] = []

    @PROFILE
    @given(role=st.sampled_from(ROLES), data=bad_input(action, world["references"]))
    def one(role: str, data: dict[str, Any]) -> None:
        before = snapshot()
        response = call(world, action, role, data)
        counts[(action, role, response.status_code)] += 1
        found = judge(action, role, data, response)
        after = snapshot()
        if after != before:
            changed = sorted(table for table in after if after[table] != before.get(table))
            found.append(f"{action} as {role} with {data!r}: wrote to {changed}")
        if found:
            problems.extend(found)
            if not REPORT:  # the benchmark counts on; the test stops at the first, shrunk
                raise AssertionError(found[0])

    with contextlib.suppress(AssertionError):
        one()
    return list(dict.fromkeys(problems))


def test_every_action_of_the_extension_has_its_bad_inputs():
    """A new action is fuzzed too: the list follows the plugins' get_actions()."""
    defined = set(get_plugin("datasud_partnership").get_actions())
    assert defined <= set(ACTIONS), sorted(defined - set(ACTIONS))


def test_no_bad_input_answers_500_or_writes(world):
    counts: Counter = Counter()
    problems: list[str] = []
    for action in sorted(ACTIONS):
        problems.extend(explore(world, action, counts))
    if REPORT:
        rows = [{"action": a, "role": r, "status": s, "count": n} for (a, r, s), n in sorted(counts.items())]
        Path(REPORT).write_text(
            json.dumps({"counts": rows, "problems": problems}, indent=1), encoding="utf-8"
        )
    assert not problems, "\n".join(problems[:60])


CATALOGUE_QUERIES = (
    {"q": "a b"},
    "q=%00",
    "q=%ED%B2%80",  # a lone surrogate, as UTF-8 would write it
    {"profiles": "x"},
    {"page": "x"},
    {"page": "-1"},
    {"page": str(2**63)},
    {"modified_since": "yesterday"},
    {"modified_since": "99999999-01-01"},
    {"fq": "a:("},
    {"q": "title:(a"},
)


def test_the_dcat_catalogue_answers_bad_queries_without_500(world):
    """The catalogue pages read their query string: a 4xx for each bad one."""
    answers = {}
    for path in ("/catalog.ttl", "/catalog.rdf", "/catalog.jsonld"):
        for query in CATALOGUE_QUERIES:
            try:
                answers[(path, str(query))] = (
                    world["app"].get(path, query_string=query, status=None).status_code
                )
            except Exception as error:  # through the test app: a 500 on a server
                answers[(path, str(query))] = f"500 {type(error).__name__}"
    assert {key: status for key, status in answers.items() if not str(status).startswith(("2", "4"))} == {}
