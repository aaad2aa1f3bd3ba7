"""The demo portal's loader (`make demo`, `ckan datasud-partnership demo-data`).

The content is data, one YAML file per concept in ``<config_dir>/demo/`` (the
repository's ``config/demo/`` unless ``ckanext.datasud_partnership.config_dir``
names another folder; its README.md describes the files): one sysadmin for the
region, three partner organizations (the Département des Bouches-du-Rhône,
partner of the DataSud partnership convention; the Commune de Digne-les-Bains,
beneficiary of the Challenge Open Data support convention; a mobility syndicate
whose DataSud partnership is under formal notice), one user per role in each,
their datasets, their agreements, the datasets a partner withdrew, a draft, a
claim and the terms of use.

:func:`load_demo_data` goes through CKAN's actions, so that validation and
search indexing happen as on any other path. It can run again: what exists is
updated to match the content, or left alone when it already does.

The organizations are created by their own admin and the datasets by their
organization's editor: the partner publishes, not the portal's admins. The
agreements are recorded by the region's team, with dates counted from today
(see agreements.yaml) so that the demo stays meaningful.

The content's parts keep the names the tests and the command use
(``demo.DATASETS``, ``demo.SYSADMIN``...): they are read from the folder on
first use (see ``__getattr__``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckan import model
from dateutil.relativedelta import relativedelta

from .common.messages import N_
from .common.settings import config_dir

# The three partners, as the tests name them (organizations.yaml).
CD13 = "departement-bouches-du-rhone"
DIGNE = "commune-de-digne-les-bains"
VERDON = "syndicat-mobilites-haut-verdon"

ROLE_LABELS = {
    "admin": N_("admin"),
    "editor": N_("editor"),
    "member": N_("member"),
}
# what the report counts, and how it was counted
REPORT_KINDS = {
    "user": N_("users"),
    "organization": N_("organizations"),
    "membership": N_("memberships"),
    "agreement": N_("agreements"),
    "terms version": N_("terms versions"),
    "dataset": N_("datasets"),
    "withdrawal": N_("withdrawals"),
    "sandbox": N_("datasets in the sandbox"),
    "claim": N_("claims"),
}
REPORT_OUTCOMES = {
    "created": N_("%(count)s created"),
    "updated": N_("%(count)s updated"),
    "unchanged": N_("%(count)s unchanged"),
}
FILES = ("users", "organizations", "datasets", "agreements", "withdrawals", "drafts", "claims", "terms")
# the only values that are not text: true or false
FLAGS = ("sysadmin", "private")


class DemoError(ValueError):
    """A demo file that cannot be read, naming the file and the value."""


@dataclass(frozen=True)
class Content:
    """The demo content as its files hold it (reading it needs no database)."""

    password: str
    users: list[dict[str, Any]]
    organizations: list[dict[str, Any]]
    datasets: list[dict[str, Any]]  # each with its organization's defaults
    agreement_specs: list[dict[str, Any]]  # dates as written: see agreements()
    withdrawn: dict[str, str]  # dataset name -> the reason its partner gave
    drafts: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    terms: dict[str, str]
    declaration: dict[str, str]
    sandbox: list[str] = field(default_factory=list)  # private datasets in the Challenge sandbox

    @property
    def sysadmin(self) -> str:
        names = [user["name"] for user in self.users if user.get("sysadmin")]
        if len(names) != 1:
            raise DemoError(f"users.yaml: one user has `sysadmin: true`, not {len(names)}")
        return names[0]

    def member(self, organization: str, role: str) -> str:
        """The organization's (first) user in ``role``."""
        org = next(org for org in self.organizations if org["name"] == organization)
        return next(name for name, capacity in org["members"].items() if capacity == role)

    def agreements(self, today: dt.date) -> list[dict[str, Any]]:
        """Each agreement's ``create`` (agreement_create's parameters), then what
        must be on record after it: ``amendments`` (in order), ``milestones``
        done (code -> day) and a ``notice``; dates counted from ``today``."""
        return [
            {
                key: [_dated(item, today) for item in part] if isinstance(part, list) else _dated(part, today)
                for key, part in spec.items()
            }
            for spec in self.agreement_specs
        ]


_RELATIVE = re.compile(r"today((?: [a-z]+=[+-]?\d+)*)")
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def _day(text: str, today: dt.date) -> dt.date | None:
    """``today years=+1 month=12 day=31`` (relativedelta's arguments), an ISO day, or None."""
    if relative := _RELATIVE.fullmatch(text):
        terms = dict(term.split("=") for term in relative.group(1).split())
        try:
            return today + relativedelta(**{name: int(value) for name, value in terms.items()})
        except (TypeError, ValueError) as error:
            raise DemoError(f"agreements.yaml: {text!r}: {error}") from error
    return dt.date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else None


def _dated(block: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The block with its dates as ISO days, and its texts' ``{date}`` fields filled."""
    days = {
        key: day for key, value in block.items() if isinstance(value, str) and (day := _day(value, today))
    }
    written = {}
    for key, value in block.items():
        if key in days:
            value = days[key].isoformat()
        elif isinstance(value, str) and "{" in value:
            try:
                value = value.format_map(days)
            except (KeyError, AttributeError, ValueError) as error:
                raise DemoError(f"agreements.yaml: {key}: {value!r}: {error!r}") from error
        written[key] = value
    return written


def _flags(value: Any, path: Path) -> Any:
    """Every value is text (YAML's guesses are not used: "04070" stays text), except the flags."""
    if isinstance(value, list):
        return [_flags(item, path) for item in value]
    if not isinstance(value, dict):
        return value
    flags = {key: value[key] for key in FLAGS if key in value}
    wrong = [key for key, flag in flags.items() if flag not in ("true", "false")]
    if wrong:
        raise DemoError(f"{path}: {wrong[0]}: {flags[wrong[0]]!r} must be true or false")
    return {key: flags[key] == "true" if key in flags else _flags(item, path) for key, item in value.items()}


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.yaml"
    try:
        return _flags(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader), path)
    except (OSError, yaml.YAMLError) as error:
        raise DemoError(f"{path}: cannot be read: {error}") from error


@cache
def read_content(directory: Path) -> Content:
    """The demo content of ``directory`` (one file per concept)."""
    files = {name: _read(directory, name) for name in FILES}

    def part(name: str, key: str) -> Any:
        if not isinstance(files[name], dict) or key not in files[name]:
            raise DemoError(f"{directory / name}.yaml: {key}: missing")
        return files[name][key]

    defaults = part("datasets", "organization_defaults")
    return Content(
        password=part("users", "password"),
        users=part("users", "users"),
        organizations=part("organizations", "organizations"),
        datasets=[{**defaults.get(d["owner_org"], {}), **d} for d in part("datasets", "datasets")],
        agreement_specs=part("agreements", "agreements"),
        withdrawn=part("withdrawals", "withdrawals"),
        drafts=part("drafts", "drafts"),
        claims=part("claims", "claims"),
        terms=part("terms", "terms"),
        declaration=part("terms", "declaration"),
        sandbox=files["datasets"].get("sandbox") or [],
    )


def content() -> Content:
    """The demo content of the portal's config folder."""
    return read_content(config_dir() / "demo")


_PARTS = {
    "DEMO_PASSWORD": "password",
    "SYSADMIN": "sysadmin",
    "USERS": "users",
    "ORGANIZATIONS": "organizations",
    "DATASETS": "datasets",
    "WITHDRAWN": "withdrawn",
    "DRAFTS": "drafts",
    "CLAIMS": "claims",
    "SANDBOX": "sandbox",
    "TERMS": "terms",
    "DECLARATION": "declaration",
}


def __getattr__(name: str) -> Any:
    """``demo.DATASETS`` and the other parts, read from the content folder."""
    if name in _PARTS:
        return getattr(content(), _PARTS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class LoadReport:
    """What the loader did: outcome counts per kind of object."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def get(self, kind: str, outcome: str) -> int:
        return self.counts[(kind, outcome)]

    def lines(self) -> list[str]:
        """The report, in the current language (the command's: the portal's)."""
        _ = tk._
        return [
            _("%(what)s: %(counts)s")
            % {
                "what": _(label),
                "counts": ", ".join(
                    _(text) % {"count": self.get(kind, outcome)} for outcome, text in REPORT_OUTCOMES.items()
                ),
            }
            for kind, label in REPORT_KINDS.items()
        ]


def load_demo_data() -> LoadReport:
    """Create or update the demo content through CKAN's actions."""
    demo = content()
    report = LoadReport()
    site_user = _call("get_site_user", {"ignore_auth": True})["name"]
    for user in demo.users:
        actor = site_user if user["name"] == demo.sysadmin else demo.sysadmin
        report.add("user", _ensure_user(demo, user, actor))
    for org in demo.organizations:
        report.add("organization", _ensure_organization(demo, org))
        for username, role in org["members"].items():
            report.add("membership", _ensure_member(demo, org, username, role))
    for agreement in demo.agreements(dt.date.today()):
        report.add("agreement", _ensure_agreement(demo, agreement))
    report.add("terms version", _ensure_terms(demo))
    for dataset in demo.datasets:
        report.add("dataset", _ensure_dataset(demo, dataset))
    for name, reason in demo.withdrawn.items():
        report.add("withdrawal", _ensure_withdrawn(demo, name, reason))
    for dataset in demo.drafts:
        report.add("dataset", _ensure_draft(demo, dataset))
    for name in demo.sandbox:
        report.add("sandbox", _ensure_sandbox(demo, name))
    for claim in demo.claims:
        report.add("claim", _ensure_claim(claim))
    return report


def logins_text() -> str:
    """The demo accounts, for the console, in the current language."""
    _ = tk._
    demo = content()
    sysadmin = next(user for user in demo.users if user["name"] == demo.sysadmin)
    lines = [
        _("Password of every account: %(password)s") % {"password": demo.password},
        "",
        f"  {_('User name'):<26}{_('Role')}",
        f"  {demo.sysadmin:<26}{_('portal sysadmin')} ({sysadmin['fullname']})",
    ]
    for org in demo.organizations:
        for username, role in org["members"].items():
            lines.append(f"  {username:<26}{_(ROLE_LABELS[role])} – {org['title']}")
    return "\n".join(lines)


def _call(action: str, context: dict[str, Any], **data: Any) -> Any:
    return tk.get_action(action)(context, data)


def _as(user: str, **extra: Any) -> dict[str, Any]:
    """A fresh context (CKAN's actions change the one they receive)."""
    return {"user": user, **extra}


def _changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in wanted.items() if current.get(key) != value}


def _ensure_user(demo: Content, user: dict[str, Any], actor: str) -> str:
    try:
        current = _call("user_show", _as(actor), id=user["name"])
    except tk.ObjectNotFound:
        _call("user_create", _as(actor), **user, password=demo.password)
        return "created"
    changes = _changes(current, {**user, "state": "active"})
    user_obj = model.User.get(user["name"])
    if user_obj is None or not user_obj.validate_password(demo.password):
        changes["password"] = demo.password  # the logins printed must work
    if not changes:
        return "unchanged"
    _call("user_patch", _as(actor), id=current["id"], **changes)
    return "updated"


def _ensure_organization(demo: Content, org: dict[str, Any]) -> str:
    wanted = {key: value for key, value in org.items() if key != "members"}
    try:
        current = _call("organization_show", _as(demo.sysadmin), id=org["name"])
    except tk.ObjectNotFound:
        # CKAN makes the creator an admin of the new organization: let its
        # own admin create it, rather than the region's data team.
        admin = demo.member(org["name"], "admin")
        _call("organization_create", _as(admin, ignore_auth=True), **wanted)
        return "created"
    changes = _changes(current, {**wanted, "state": "active"})
    if not changes:
        return "unchanged"
    _call("organization_patch", _as(demo.sysadmin), id=current["id"], **changes)
    return "updated"


def _ensure_member(demo: Content, org: dict[str, Any], username: str, role: str) -> str:
    shown = _call("organization_show", _as(demo.sysadmin), id=org["name"], include_users=True)
    capacity = {user["name"]: user["capacity"] for user in shown["users"]}.get(username)
    if capacity == role:
        return "unchanged"
    _call("organization_member_create", _as(demo.sysadmin), id=org["name"], username=username, role=role)
    return "created" if capacity is None else "updated"


def _ensure_agreement(demo: Content, spec: dict[str, Any]) -> str:
    """Create the agreement if its organization has none with its reference,
    then record what is missing of its amendments, milestones and notice."""
    wanted = {"region_referent": demo.sysadmin, **spec["create"]}
    found = _call("agreement_list", _as(demo.sysadmin), organization=wanted["organization"], limit=1000)[
        "results"
    ]
    current = next((agreement for agreement in found if agreement["reference"] == wanted["reference"]), None)
    outcome = "unchanged"
    if current is None:
        current = _call("agreement_create", _as(demo.sysadmin), **wanted)
        outcome = "created"
    shown = _call("agreement_show", _as(demo.sysadmin), id=current["id"])
    steps = 0
    for amendment in spec.get("amendments", [])[len(shown["amendments"]) :]:
        _call("agreement_amend", _as(demo.sysadmin), id=shown["id"], **amendment)
        steps += 1
    done = {milestone["code"]: milestone["done_on"] for milestone in shown["milestones"]}
    for code, day in spec.get("milestones", {}).items():
        if done.get(code) != day:
            _call("agreement_milestone_update", _as(demo.sysadmin), id=shown["id"], code=code, done_on=day)
            steps += 1
    if spec.get("notice") and not shown["notices"]:
        _call("agreement_notice_serve", _as(demo.sysadmin), id=shown["id"], **spec["notice"])
        steps += 1
    if spec.get("termination") and not shown["termination"]:
        _call("agreement_terminate", _as(demo.sysadmin), id=shown["id"], **spec["termination"])
        steps += 1
    if spec.get("notify") and not shown["notified_on"]:
        notify = dict(spec["notify"])
        follows = notify.pop("follows", None)
        if follows:
            notify["in_force_from"] = _effective_date(demo, wanted["organization"], follows)
        _call("agreement_notify", _as(demo.sysadmin), id=shown["id"], **notify)
        steps += 1
    return "updated" if steps and outcome == "unchanged" else outcome


def _effective_date(demo: Content, organization: str, reference: str) -> str:
    """The day the termination of the organization's agreement ``reference``
    takes effect: the first day of its successor."""
    found = _call("agreement_list", _as(demo.sysadmin), organization=organization, limit=1000)["results"]
    other = next((agreement for agreement in found if agreement["reference"] == reference), None)
    shown = _call("agreement_show", _as(demo.sysadmin), id=other["id"]) if other else {}
    if not (shown.get("termination") or {}).get("effective_on"):
        raise DemoError(f"agreements.yaml: follows: {reference} has no termination to follow")
    return shown["termination"]["effective_on"]


def _ensure_terms(demo: Content) -> str:
    """The terms of use in force, accepted by each partner's admin."""
    outcome = "unchanged"
    versions = [terms["version"] for terms in _call("terms_version_list", _as(demo.sysadmin))]
    if demo.terms["version"] not in versions:
        _call("terms_version_create", _as(demo.sysadmin), **demo.terms)
        outcome = "created"
    for org in demo.organizations:
        admin = demo.member(org["name"], "admin")
        if not _call("terms_status", _as(admin), organization=org["name"])["accepted"]:
            _call("terms_accept", _as(admin), organization=org["name"], version=demo.terms["version"])
            outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


_RESOURCE_KEYS = ("url", "name", "format", "description")


def _ensure_dataset(demo: Content, dataset: dict[str, Any]) -> str:
    wanted = {key: value for key, value in dataset.items() if key not in ("tags", "resources")}
    wanted = {"private": False, "state": "active", **wanted}
    resources = [{"description": "", **resource} for resource in dataset["resources"]]
    # The partner publishes: its organization's editor acts, not the region.
    editor = demo.member(dataset["owner_org"], "editor")
    try:
        current = _call("package_show", _as(demo.sysadmin), id=dataset["name"])
    except tk.ObjectNotFound:
        _call(
            "package_create",
            _as(editor),
            **wanted,
            tag_string=",".join(dataset["tags"]),
            resources=resources,
            publication_declaration=demo.declaration,
        )
        return "created"
    if dataset["name"] in demo.withdrawn and current.get("publication_status") == "withdrawn":
        wanted.pop("private")  # its partner withdrew it: a reload does not publish it again
    changes = _changes(current, wanted)
    if changes.get("owner_org") == current["organization"]["name"]:
        del changes["owner_org"]  # package_show gives the organization's id
    if sorted(tag["name"] for tag in current["tags"]) != sorted(dataset["tags"]):
        changes["tag_string"] = ",".join(dataset["tags"])
    if _resource_rows(current["resources"]) != _resource_rows(resources):
        # the wanted resources, keeping the id of those already there (same URL)
        ids = {resource["url"]: resource["id"] for resource in current["resources"]}
        changes["resources"] = [{**r, "id": ids[r["url"]]} if r["url"] in ids else r for r in resources]
    if not changes:
        return "unchanged"
    _call("package_patch", _as(editor), id=current["id"], publication_declaration=demo.declaration, **changes)
    return "updated"


def _resource_rows(resources: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(resource.get(key) or "" for key in _RESOURCE_KEYS) for resource in resources]


def _ensure_withdrawn(demo: Content, name: str, reason: str) -> str:
    """Published (by ``_ensure_dataset``), then withdrawn by its partner's editor."""
    current = _call("package_show", _as(demo.sysadmin), id=name)
    if current["publication_status"] == "withdrawn":
        return "unchanged"
    editor = demo.member(current["organization"]["name"], "editor")
    _call("dataset_withdraw", _as(editor), id=name, reason=reason)
    return "created"


def _ensure_draft(demo: Content, dataset: dict[str, Any]) -> str:
    """Created as a draft once (CKAN 2.12's draft state); left as its partner made it afterwards."""
    try:
        _call("package_show", _as(demo.sysadmin), id=dataset["name"])
        return "unchanged"
    except tk.ObjectNotFound:
        pass
    fields = {key: value for key, value in dataset.items() if key != "tags"}
    _call(
        "package_create",
        # as CKAN's form saves its first step: the editor may set the draft state
        _as(demo.member(dataset["owner_org"], "editor"), allow_state_change=True),
        **fields,
        state="draft",
        private=True,
        tag_string=",".join(dataset["tags"]),
    )
    return "created"


def _ensure_sandbox(demo: Content, name: str) -> str:
    """A private dataset its partner's editor put in the Challenge sandbox."""
    from .publication import sandbox

    current = _call("package_show", _as(demo.sysadmin), id=name)
    if sandbox.entry_of(current["id"]) is not None:
        return "unchanged"
    editor = demo.member(current["organization"]["name"], "editor")
    _call("dataset_sandbox", _as(editor), id=name, publication_declaration=demo.declaration)
    return "created"


def _ensure_claim(claim: dict[str, Any]) -> str:
    """A claim about a published dataset (art. 5), filed by a logged-in user."""
    filed = _call("claim_list", _as(claim["user"]), dataset=claim["dataset"])["results"]
    if any(c["description"] == claim["description"] for c in filed):
        return "unchanged"
    _call("claim_create", _as(claim["user"]), **{k: v for k, v in claim.items() if k != "user"})
    return "created"
