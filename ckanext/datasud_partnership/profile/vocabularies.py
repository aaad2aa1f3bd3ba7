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
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
IANA_MEDIA_TYPE = "http://www.iana.org/assignments/media-types/"
INSEE_GEO = "http://id.insee.fr/geo/"

# The EU data-theme vocabulary, with its labels (skos:prefLabel of each concept).
EU_THEME_LABELS: dict[str, Label] = {
    "AGRI": Label(
        fr="Agriculture, pêche, sylviculture et alimentation", en="Agriculture, fisheries, forestry and food"
    ),
    "ECON": Label(fr="Économie et finances", en="Economy and finance"),
    "EDUC": Label(fr="Éducation, culture et sport", en="Education, culture and sport"),
    "ENER": Label(fr="Énergie", en="Energy"),
    "ENVI": Label(fr="Environnement", en="Environment"),
    "GOVE": Label(fr="Gouvernement et secteur public", en="Government and public sector"),
    "HEAL": Label(fr="Santé", en="Health"),
    "INTR": Label(fr="Questions internationales", en="International issues"),
    "JUST": Label(
        fr="Justice, système juridique et sécurité publique", en="Justice, legal system and public safety"
    ),
    "OP_DATPRO": Label(fr="Données provisoires", en="Provisional data"),
    "REGI": Label(fr="Régions et villes", en="Regions and cities"),
    "SOCI": Label(fr="Population et société", en="Population and society"),
    "TECH": Label(fr="Science et technologie", en="Science and technology"),
    "TRAN": Label(fr="Transports", en="Transport"),
}
EU_THEMES = frozenset(EU_THEME_LABELS)


class Theme(msgspec.Struct, forbid_unknown_fields=True):
    """A theme of the portal. ``eu``: the EU data themes it is exported as.
    ``imports``: the EU data themes a harvested dataset brings in as this
    theme; by default the theme's EU theme when it has only one (the same
    table read the other way), none when it has several."""

    id: str
    label: Label
    eu: list[str]
    imports: list[str] | None = None

    def __post_init__(self) -> None:
        unknown = [code for code in self.eu if code not in EU_THEMES]
        if not self.eu or unknown:
            raise ValueError(f"eu: EU data-theme codes expected, got {self.eu}")
        if self.imports is None:
            self.imports = list(self.eu) if len(self.eu) == 1 else []
        unknown = [code for code in self.imports if code not in EU_THEMES]
        if unknown:
            raise ValueError(f"imports: EU data-theme codes expected, got {self.imports}")

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
    imported = [code for theme in themes for code in theme.imports or []]
    twice = sorted({code for code in imported if imported.count(code) > 1})
    if twice:
        raise VocabularyError(
            f"{path}: the EU data theme {', '.join(twice)} is imported by several themes "
            "(give one of them `imports:` without it)"
        )
    return {theme.id: theme for theme in themes}


def configure_themes(path: Path) -> None:
    loaded = load_themes(path)
    _THEMES.clear()
    _THEMES.update(loaded)


def themes() -> dict[str, Theme]:
    return dict(_THEMES)


def _eu_code(uri: str, base: str) -> str | None:
    """The code of an EU authority-table URI (http or https), else None."""
    text = uri.strip()
    if text.startswith("https://"):
        text = "http://" + text[len("https://") :]
    if not text.startswith(base):
        return None
    code = text[len(base) :].strip("/")
    return code or None


def eu_theme_code(uri: str) -> str | None:
    """The code of an EU data-theme URI, None for any other value."""
    code = _eu_code(uri, EU_DATA_THEME)
    return code if code in EU_THEMES else None


def themes_from_eu(values: list[str]) -> tuple[list[str], list[str]]:
    """The portal's themes for the themes of a harvested dataset (EU
    data-theme URIs, or the portal's own theme ids), and the values no
    theme imports (kept by the caller, and reported)."""
    known = themes()
    by_code = {code: theme.id for theme in known.values() for code in theme.imports or []}
    found: list[str] = []
    unmapped: list[str] = []
    for value in values:
        code = _eu_code(value, EU_DATA_THEME)
        theme_id = by_code.get(code) if code else (value if value in known else None)
        if theme_id is None:
            if value not in unmapped:
                unmapped.append(value)
        elif theme_id not in found:
            found.append(theme_id)
    return found, unmapped


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


def frequency_from_uri(value: str) -> str | None:
    """The EU frequency code of a frequency URI (or of the code itself)."""
    code = _eu_code(value, EU_FREQUENCY) or value.strip()
    return code if code in FREQUENCIES else None


# Formats: the label a partner gives (CKAN's resource format) -> its code in
# the EU file-type table and its IANA media type (None: the table has none).
# A download is a file of a known type; an API or a web page is not.
FILE_TYPES: dict[str, tuple[str | None, str | None]] = {
    "CSV": ("CSV", "text/csv"),
    "JSON": ("JSON", "application/json"),
    "GEOJSON": ("GEOJSON", "application/geo+json"),
    "XML": ("XML", "application/xml"),
    "PDF": ("PDF", "application/pdf"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "XLS": ("XLS", "application/vnd.ms-excel"),
    "ODS": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "DOCX": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "ODT": ("ODT", "application/vnd.oasis.opendocument.text"),
    "TXT": ("TXT", "text/plain"),
    "HTML": ("HTML", "text/html"),
    "ZIP": ("ZIP", "application/zip"),
    "SHP": ("SHP", None),
    "KML": ("KML", "application/vnd.google-earth.kml+xml"),
    "KMZ": ("KMZ", "application/vnd.google-earth.kmz"),
    "GPKG": ("GPKG", "application/geopackage+sqlite3"),
    "GML": ("GML", "application/gml+xml"),
    "GTFS": ("GTFS", None),
    "PNG": ("PNG", "image/png"),
    "JPEG": ("JPEG", "image/jpeg"),
    "TIFF": ("TIFF", "image/tiff"),
    "RDF": ("RDF_XML", "application/rdf+xml"),
    "TTL": ("RDF_TURTLE", "text/turtle"),
    "JSON-LD": ("JSON_LD", "application/ld+json"),
}
_FORMAT_ALIASES = {"JPG": "JPEG", "TIF": "TIFF", "SHAPEFILE": "SHP", "XHTML": "HTML", "TURTLE": "TTL"}
NOT_DOWNLOADS = frozenset({"API", "HTML", "WMS", "WFS", "SPARQL"})


def file_type(label: str | None) -> tuple[str | None, str | None]:
    """The EU file-type URI and the IANA media-type URI of a format label."""
    key = (label or "").strip().upper().lstrip(".")
    key = _FORMAT_ALIASES.get(key, key)
    code, media_type = FILE_TYPES.get(key, (None, None))
    return (EU_FILE_TYPE + code if code else None, IANA_MEDIA_TYPE + media_type if media_type else None)


def is_download(label: str | None) -> bool:
    """Whether a resource of this format is a file to download (not an API
    nor a web page)."""
    key = (label or "").strip().upper()
    return key not in NOT_DOWNLOADS


# ISO 639-1 (CKAN's locales) -> the EU language table.
LANGUAGES = {"fr": "FRA", "en": "ENG", "de": "DEU", "it": "ITA", "es": "SPA", "oc": "OCI", "co": "COS"}


def language_uri(locale: str | None) -> str | None:
    code = LANGUAGES.get((locale or "").split("_")[0].lower())
    return EU_LANGUAGE + code if code else None


def place_uri(level: str | None, code: str | None) -> str | None:
    """INSEE's URI of a commune, département or region of the Code officiel
    géographique, from its level and code."""
    if not level or not code or level not in ("commune", "departement", "region"):
        return None
    return f"{INSEE_GEO}{level}/{code.upper()}"


def place_from_uri(uri: str) -> tuple[str, str] | None:
    """(level, code) of an INSEE place URI, else None."""
    text = uri.strip().replace("https://", "http://", 1)
    if not text.startswith(INSEE_GEO):
        return None
    level, _, code = text[len(INSEE_GEO) :].strip("/").partition("/")
    return (
        (level, code) if level in ("commune", "departement", "region") and code and "/" not in code else None
    )


def _licence_key(uri: str) -> str:
    """A licence URI compared without its scheme, ``www.``, trailing slash,
    ``legalcode`` or ``.html``/``.json`` (SPDX's pages)."""
    text = uri.strip().lower()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
    if text.startswith("www."):
        text = text[4:]
    for suffix in (".html", ".json"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    text = text.rstrip("/")
    if text.endswith("/legalcode"):
        text = text[: -len("/legalcode")]
    return text.rstrip("/")


def licence_from_uri(uri: str, licences: dict[str, list[str]]) -> str | None:
    """The portal's licence for a licence URI given by a harvested dataset:
    its own URL, its EU licence-table URI or its SPDX URI. ``licences``:
    licence id -> those URIs (the licence file's ``url`` and ``uris``)."""
    wanted = _licence_key(uri)
    if not wanted:
        return None
    for licence_id, uris in licences.items():
        if any(known and _licence_key(known) == wanted for known in uris):
            return licence_id
    return None
