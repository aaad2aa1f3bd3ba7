"""Agreement kinds: one YAML file each under ``config/agreement_kinds/``.

A kind says how an agreement of that kind lives: when it starts, its term,
whether it renews, its termination modes (who may use each, how its
effective date is computed), whether it grants the right to publish (and to publish in the sandbox), its
financial terms and its milestones. Adding a kind is adding a file.

The files are read with msgspec (already a CKAN dependency): typed structures
whose errors name the field, e.g. ``Expected `int`, got `str` - at
`$.term.months```. No CKAN import here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Literal

import msgspec
import yaml

PARTIES = ("operator", "partner")
EFFECTIVE_RULES = ("anniversary", "after_notice", "given", "end_of_year")


class KindError(ValueError):
    """A kind file that cannot be used; the message names the file and field."""


class Text(msgspec.Struct, forbid_unknown_fields=True):
    fr: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang.startswith("en") else self.fr


class TerminationMode(msgspec.Struct, forbid_unknown_fields=True):
    clause: str
    title: Text
    initiators: list[Literal["operator", "partner"]]
    effective: Literal["anniversary", "after_notice", "given", "end_of_year"]
    # the partner's admins may record it alone, without the portal's team
    partner_alone: bool = False
    notice_months: int = 0
    # a later effective date than the computed one may be agreed
    later_allowed: bool = False
    requires_formal_notice: bool = False
    may_withdraw_datasets: bool = False
    # art. 7 of seed 000: the letter states the motives (false: a mode that
    # needs none, such as the loss of membership)
    motives_required: bool = True
    # art. 7.2: the modalities agreed by the parties, or an expert appointed
    modalities: bool = False
    note: Text | None = None

    def __post_init__(self) -> None:
        if not self.initiators:
            raise ValueError("initiators: at least one party")
        if self.notice_months < 0:
            raise ValueError("notice_months: must not be negative")


class Season(msgspec.Struct, forbid_unknown_fields=True):
    """A season of a fixed-term programme: an agreement signed during it ends
    with it (unless its own ``end_on`` says otherwise)."""

    code: str
    title: Text
    starts_on: dt.date
    ends_on: dt.date

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValueError(f"term.seasons.{self.code}: ends_on is before starts_on")


class Term(msgspec.Struct, forbid_unknown_fields=True):
    starts_on: Literal["signature", "notification"]
    months: int | None = None
    # a fixed-term kind: each agreement has its own end (``end_on``); the
    # kind's ``fixed_end`` is its default only while it is in the future,
    # ``seasons`` give the default of an agreement starting during one
    fixed_end: dt.date | None = None
    seasons: list[Season] = []

    def __post_init__(self) -> None:
        fixed = self.fixed_end is not None or bool(self.seasons)
        if (self.months is None) == (not fixed):
            raise ValueError("term: give either months, or fixed_end or seasons")
        if self.months is not None and self.months <= 0:
            raise ValueError("term.months: must be positive")

    @property
    def fixed(self) -> bool:
        """A fixed-term kind: each agreement ends on its ``end_on``."""
        return self.fixed_end is not None or bool(self.seasons)


class Renewal(msgspec.Struct, forbid_unknown_fields=True):
    tacit: bool = False
    months: int = 12


class Contribution(msgspec.Struct, forbid_unknown_fields=True):
    funder: Text
    amount: Decimal
    beneficiary: bool = False


class Financial(msgspec.Struct, forbid_unknown_fields=True):
    free: bool
    currency: str = "EUR"
    total: Decimal | None = None
    contributions: list[Contribution] = []
    invoice_note: Text | None = None

    def __post_init__(self) -> None:
        if self.contributions:
            shares = sum(c.amount for c in self.contributions)
            if self.total is None or shares != self.total:
                raise ValueError(f"financial: contributions add up to {shares}, not to total {self.total}")


class Phase(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    title: Text


class Milestone(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    phase: str
    title: Text
    session: bool = True


class Kind(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    title: Text
    description: Text
    source: str
    grants_publication: bool
    term: Term
    terminations: dict[str, TerminationMode]
    financial: Financial
    renewal: Renewal = msgspec.field(default_factory=Renewal)
    # while in force, the partner may put datasets in the sandbox, seen by the
    # members of every organization holding an agreement of this kind in force
    grants_sandbox: bool = False
    phases: list[Phase] = []
    milestones: list[Milestone] = []
    # the template of the agreement itself, pre-filled from the record and
    # printed for signature: config/agreement_letters/<kind>/<name>.<lang>.html
    agreement_template: str | None = None

    def __post_init__(self) -> None:
        if self.term.fixed and self.renewal.tacit:
            raise ValueError("renewal.tacit: a kind with a fixed end does not renew")
        for name, mode in self.terminations.items():
            if mode.modalities and mode.effective not in ("after_notice", "end_of_year", "given"):
                raise ValueError(f"terminations.{name}.modalities: only for an agreed termination")
            if mode.effective == "anniversary" and not self.renewal.tacit:
                raise ValueError(f"terminations.{name}.effective: 'anniversary' needs a renewing kind")
        phases = {p.code for p in self.phases}
        for milestone in self.milestones:
            if milestone.phase not in phases:
                raise ValueError(f"milestones.{milestone.code}.phase: unknown phase {milestone.phase!r}")
        codes = [m.code for m in self.milestones]
        if len(codes) != len(set(codes)):
            raise ValueError("milestones: codes must be unique")

    @property
    def anniversary_mode(self) -> TerminationMode | None:
        return next((m for m in self.terminations.values() if m.effective == "anniversary"), None)


def load_kind(path: Path) -> Kind:
    try:
        # every scalar as text: msgspec converts it to the field's type (and
        # names the field when it cannot), whatever YAML would have guessed
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (OSError, yaml.YAMLError) as error:
        raise KindError(f"{path}: cannot be read: {error}") from error
    try:
        kind = msgspec.convert(raw, Kind, strict=False)
    except msgspec.ValidationError as error:
        raise KindError(f"{path}: {_name_the_mode(raw, error)}") from error
    if kind.name != path.stem:
        raise KindError(f"{path}: name: {kind.name!r} must be the file's name {path.stem!r}")
    return kind


def _name_the_mode(raw: object, error: msgspec.ValidationError) -> str:
    """msgspec writes ``$.terminations[...]`` for a dict entry: name it."""
    message = str(error)
    if "$.terminations[...]" not in message or not isinstance(raw, dict):
        return message
    for name, mode in (raw.get("terminations") or {}).items():
        try:
            msgspec.convert(mode, TerminationMode, strict=False)
        except msgspec.ValidationError:
            return message.replace("$.terminations[...]", f"$.terminations.{name}")
    return message


def load_kinds(directory: Path) -> dict[str, Kind]:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise KindError(f"{directory}: no agreement kind (*.yaml) found")
    return {kind.name: kind for kind in map(load_kind, files)}


# -- the kinds this portal runs with (loaded at start-up) ----------------------
_REGISTRY: dict[str, Kind] = {}


def configure(directory: Path) -> None:
    """Load the kinds of ``directory``; a wrong file stops start-up."""
    loaded = load_kinds(directory)
    _REGISTRY.clear()
    _REGISTRY.update(loaded)


def registered() -> dict[str, Kind]:
    return dict(_REGISTRY)
