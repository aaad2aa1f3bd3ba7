"""The demo content's files (config/demo/): they read, and every name one file
gives of another's object is there. No database: loading them is tested in
test_demo.py and test_demo_contents.py."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from ckanext.datasud_partnership import demo
from ckanext.datasud_partnership.agreements import kinds
from ckanext.datasud_partnership.claims.model import KINDS as CLAIM_KINDS
from ckanext.datasud_partnership.common.settings import CHECKOUT_CONFIG_DIR as DEFAULT_CONFIG_DIR
from ckanext.datasud_partnership.profile.vocabularies import FREQUENCIES, load_themes

CONFIG = DEFAULT_CONFIG_DIR
DATE_KEYS = {
    "deliberation_date",
    "signed_on",
    "notified_on",
    "beneficiary_invoice_on",
    "end_on",
    "served_on",
    "deadline",
}


@pytest.fixture(scope="module")
def content() -> demo.Content:
    return demo.read_content(CONFIG / "demo")


def _names(records: list[dict]) -> list[str]:
    return [record["name"] for record in records]


def test_the_files_read_into_the_names_the_tests_use(content):
    assert demo.content() is content  # the portal's config folder, by default the repository's
    assert demo.DATASETS is content.datasets and demo.WITHDRAWN is content.withdrawn
    assert demo.SYSADMIN == "admin-region" and demo.DEMO_PASSWORD == "DataSud-demo-2026"
    assert len(content.datasets) == 30 and len(content.drafts) == 1
    assert {demo.CD13, demo.DIGNE, demo.VERDON} == set(_names(content.organizations))
    with pytest.raises(AttributeError):
        demo.NOT_A_PART  # noqa: B018


def test_names_are_unique(content):
    for records in (content.users, content.organizations, content.datasets + content.drafts):
        names = _names(records)
        assert len(names) == len(set(names)), names
    references = [
        (spec["create"]["organization"], spec["create"]["reference"]) for spec in content.agreement_specs
    ]
    assert len(references) == len(set(references))


def test_one_sysadmin_and_every_member_is_a_user(content):
    assert [user["name"] for user in content.users if user.get("sysadmin")] == [content.sysadmin]
    users = set(_names(content.users))
    for org in content.organizations:
        assert set(org["members"]) <= users, org["name"]
        # the loader lets the admin create the organization and the editor publish
        roles = list(org["members"].values())
        assert roles.count("admin") == 1 and "editor" in roles, org["name"]
        assert set(roles) <= set(demo.ROLE_LABELS)


def test_datasets_name_what_exists(content):
    organizations = set(_names(content.organizations))
    licences = {
        licence["id"] for licence in json.loads((CONFIG / "licenses.json").read_text(encoding="utf-8"))
    }
    themes = set(load_themes(CONFIG / "themes.yaml"))
    written = yaml.load(
        (CONFIG / "demo" / "datasets.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
    )
    defaults = written["organization_defaults"]
    assert set(defaults) <= organizations
    for dataset in content.datasets + content.drafts:
        name = dataset["name"]
        assert dataset["owner_org"] in organizations, name
        assert dataset["license_id"] in licences, name
        assert set(dataset.get("theme", [])) <= themes, name
        assert dataset.get("frequency", "ANNUAL") in FREQUENCIES, name
        assert all(
            resource["name"] and resource["format"] and resource["url"] for resource in dataset["resources"]
        )
        assert isinstance(dataset.get("private", False), bool), name
    # each dataset carries its organization's contact and place
    assert all(
        dataset["spatial_code"] == defaults[dataset["owner_org"]]["spatial_code"]
        for dataset in content.datasets
    )
    assert {dataset["spatial_code"] for dataset in content.datasets} == {"13", "04070", "04"}


def test_withdrawals_and_claims_name_published_datasets(content):
    public = {dataset["name"] for dataset in content.datasets if not dataset.get("private")}
    # a withdrawn dataset was published first
    assert set(content.withdrawn) <= public
    assert all(reason.strip() for reason in content.withdrawn.values())
    users = set(_names(content.users))
    for claim in content.claims:
        assert claim["user"] in users
        assert claim["dataset"] in public - set(content.withdrawn)
        assert claim["kind"] in CLAIM_KINDS


def _texts(value):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            yield from _texts(item)
    else:
        yield value


def test_agreements_name_their_organization_kind_and_milestones(content):
    organizations = set(_names(content.organizations))
    registered = kinds.load_kinds(CONFIG / "agreement_kinds")
    for spec in content.agreements(dt.date.today()):
        create = spec["create"]
        assert create["organization"] in organizations
        kind = registered[create["kind"]]
        assert set(spec.get("milestones", {})) <= {milestone.code for milestone in kind.milestones}
        assert {party["role"] for party in create["parties"]} == set(kinds.PARTIES)
        # every date is an ISO day, every text filled
        blocks = [create, *spec.get("amendments", []), spec.get("notice", {})]
        days = [block[key] for block in blocks for key in DATE_KEYS & set(block)]
        assert all(dt.date.fromisoformat(day) for day in [*days, *spec.get("milestones", {}).values()])
        assert [text for text in _texts(spec) if "{" in text or text.startswith("today")] == []
    assert content.terms["version"] and content.declaration["text_version"]


def test_agreement_dates_are_counted_from_today(content):
    """On a 31 May: months back land on the last day of a shorter month (relativedelta)."""
    by_reference = {a["create"]["reference"]: a for a in content.agreements(dt.date(2024, 5, 31))}
    cd13, digne = by_reference["CONV-DATASUD-013"], by_reference["COD-S2-2022-DIGNE"]
    verdon = by_reference["CONV-DATASUD-HV-004"]

    assert cd13["create"]["notified_on"] == "2021-10-31"  # 31 months before
    assert cd13["create"]["signed_on"] == "2021-10-15"
    assert cd13["create"]["deliberation_number"] == "2021-CP-0412"
    assert verdon["create"]["notified_on"] == "2022-07-03"  # 23 months before (30 June), plus 3 days
    assert verdon["notice"] == {**verdon["notice"], "served_on": "2024-05-19", "deadline": "2024-06-18"}
    amendment = digne["amendments"][0]
    assert amendment["end_on"] == "2025-12-31"
    assert "jusqu'au 31/12/2025, pour achever" in amendment["description"]
    assert digne["create"]["signed_on"] == "2022-03-14"  # a fixed day stays as written


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(CONFIG, folder)
    return folder


def test_a_wrong_value_is_named(tmp_path):
    folder = _copy(tmp_path)
    drafts = folder / "demo" / "drafts.yaml"
    drafts.write_text(drafts.read_text(encoding="utf-8") + "    private: yes\n", encoding="utf-8")
    with pytest.raises(demo.DemoError, match=r"drafts.yaml: private: 'yes' must be true or false"):
        demo.read_content(folder / "demo")

    folder = _copy(tmp_path / "second")
    (folder / "demo" / "claims.yaml").write_text("claim: []\n", encoding="utf-8")
    with pytest.raises(demo.DemoError, match=r"claims.yaml: claims: missing"):
        demo.read_content(folder / "demo")

    folder = _copy(tmp_path / "third")
    agreements = folder / "demo" / "agreements.yaml"
    text = agreements.read_text(encoding="utf-8").replace("today days=+18", "today dayz=+18")
    agreements.write_text(text, encoding="utf-8")
    with pytest.raises(demo.DemoError, match=r"'today dayz=\+18'"):
        demo.read_content(folder / "demo").agreements(dt.date.today())


def test_the_content_follows_the_config_dir_option(tmp_path, monkeypatch):
    folder = _copy(tmp_path)
    users = folder / "demo" / "users.yaml"
    users.write_text(
        users.read_text(encoding="utf-8").replace("DataSud-demo-2026", "Autre-mot-2026"), encoding="utf-8"
    )
    monkeypatch.setitem(demo.tk.config, "ckanext.datasud_partnership.config_dir", str(folder))

    assert demo.DEMO_PASSWORD == "Autre-mot-2026"
    assert "Autre-mot-2026" in demo.logins_text()
