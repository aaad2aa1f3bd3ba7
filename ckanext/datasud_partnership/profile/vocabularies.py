"""Controlled lists of the profile: the portal's themes (a configurable file,
``config/themes.yaml``, each theme mapped to the EU data-theme vocabulary),
the EU update-frequency vocabulary and the types of public body.
No CKAN import: labels are ``{"fr": ..., "en": ...}``.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import yaml

from ..agreements.kinds import Text as Label  # a text in French and English

EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_THEMES = frozenset(
    {
        "AGRI",
        "ECON",
        "EDUC",
        "ENER",
        "ENVI",
        "GOVE",
        "HEAL",
        "INTR",
        "JUST",
        "OP_DATPRO",
        "REGI",
        "SOCI",
        "TECH",
        "TRAN",
    }
)


class Theme(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    label: Label
    eu: list[str]

    def __post_init__(self) -> None:
        unknown = [code for code in self.eu if code not in EU_THEMES]
        if not self.eu or unknown:
            raise ValueError(f"eu: EU data-theme codes expected, got {self.eu}")

    @property
    def eu_uris(self) -> list[str]:
        return [EU_DATA_THEME + code for code in self.eu]


class VocabularyError(ValueError):
    """A themes file that cannot be used; the message names the file."""


_THEMES: dict[str, Theme] = {}


def load_themes(path: Path) -> dict[str, Theme]:
    try:
        themes = msgspec.convert(yaml.safe_load(path.read_text(encoding="utf-8")), list[Theme])
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as error:
        raise VocabularyError(f"{path}: {error}") from error
    ids = [theme.id for theme in themes]
    if len(set(ids)) != len(ids):
        raise VocabularyError(f"{path}: a theme id is used twice")
    return {theme.id: theme for theme in themes}


def configure_themes(path: Path) -> None:
    loaded = load_themes(path)
    _THEMES.clear()
    _THEMES.update(loaded)


def themes() -> dict[str, Theme]:
    return dict(_THEMES)


# The EU frequency vocabulary (the codes a regional portal uses).
FREQUENCIES: dict[str, Label] = {
    "UPDATE_CONT": Label(fr="Mise à jour continue", en="Continuously updated"),
    "DAILY": Label(fr="Quotidienne", en="Daily"),
    "WEEKLY": Label(fr="Hebdomadaire", en="Weekly"),
    "MONTHLY": Label(fr="Mensuelle", en="Monthly"),
    "QUARTERLY": Label(fr="Trimestrielle", en="Quarterly"),
    "ANNUAL_2": Label(fr="Semestrielle", en="Semiannual"),
    "ANNUAL": Label(fr="Annuelle", en="Annual"),
    "BIENNIAL": Label(fr="Tous les deux ans", en="Biennial"),
    "IRREG": Label(fr="Irrégulière", en="Irregular"),
    "NEVER": Label(fr="Jamais (données figées)", en="Never (fixed data)"),
    "UNKNOWN": Label(fr="Inconnue", en="Unknown"),
}

BODY_TYPES: dict[str, Label] = {
    "region": Label(fr="Région", en="Region"),
    "departement": Label(fr="Département", en="Département"),
    "commune": Label(fr="Commune", en="Municipality"),
    "epci": Label(fr="Intercommunalité (EPCI)", en="Inter-municipal body (EPCI)"),
    "syndicat": Label(fr="Syndicat mixte", en="Joint authority (syndicat mixte)"),
    "etablissement-public": Label(fr="Établissement public", en="Public establishment"),
    "etat": Label(fr="Service de l'État", en="State service"),
    "autre": Label(
        fr="Autre organisme chargé d'une mission de service public", en="Other public-service body"
    ),
}


def frequency_uri(code: str) -> str:
    return EU_FREQUENCY + code
