"""The profile's lists as shipped: themes, licences, vocabularies (no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ckanext.datasud_partnership.profile import vocabularies

CONFIG = Path(__file__).resolve().parents[2] / "config"
DECLARATION = (
    Path(__file__).resolve().parents[2] / "ckanext" / "datasud_partnership" / "config_declaration.yaml"
)


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """No CKAN needed (overrides conftest's)."""


def _open_licences_option() -> set[str]:
    declared = yaml.safe_load(DECLARATION.read_text(encoding="utf-8"))
    options = {option["key"]: option for group in declared["groups"] for option in group["options"]}
    return set(options["ckanext.datasud_partnership.open_licences"]["default"].split())


def test_the_themes_cover_the_seed_and_map_to_eu_data_themes():
    themes = vocabularies.load_themes(CONFIG / "themes.yaml")
    # seed 000, preamble: mobility, tourism, employment and training, culture
    # and heritage, environment, health, energy, youth
    for theme in ("mobilite", "tourisme", "emploi-formation", "culture-patrimoine"):
        assert theme in themes
    for theme in ("environnement", "sante", "energie", "jeunesse"):
        assert theme in themes
    assert themes["mobilite"].eu_uris == ["http://publications.europa.eu/resource/authority/data-theme/TRAN"]
    assert themes["sante"].label.get("fr") == "Santé"
    assert themes["sante"].label.get("en") == "Health"
    assert all(theme.eu for theme in themes.values())


def test_a_wrong_themes_file_is_refused_naming_it(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text(
        "- id: mobilite\n  label: {fr: Mobilité, en: Mobility}\n  eu: [MOBILITY]\n", encoding="utf-8"
    )
    with pytest.raises(vocabularies.VocabularyError, match="themes.yaml"):
        vocabularies.load_themes(path)
    path.write_text(
        "- {id: a, label: {fr: A, en: A}, eu: [TRAN]}\n- {id: a, label: {fr: B, en: B}, eu: [TRAN]}\n",
        encoding="utf-8",
    )
    with pytest.raises(vocabularies.VocabularyError, match="twice"):
        vocabularies.load_themes(path)


def test_the_licence_file_matches_the_gate_open_licences():
    licences = {
        licence["id"]: licence for licence in json.loads((CONFIG / "licenses.json").read_text("utf-8"))
    }
    open_ids = {key for key, licence in licences.items() if licence["od_conformance"] == "approved"}
    assert (
        open_ids
        == _open_licences_option()
        == {"lo-2.0", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero", "odc-by"}
    )
    # present for drafts, never open
    assert licences["notspecified"]["od_conformance"] != "approved"
    assert licences["other-closed"]["od_conformance"] == "rejected"
    for key in open_ids:
        assert licences[key]["url"].startswith("https://")
        assert licences[key]["title_fr"] and licences[key]["title_en"]
    assert licences["lo-2.0"]["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert licences["cc-by"]["url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_frequencies_are_eu_codes():
    assert (
        vocabularies.frequency_uri("MONTHLY")
        == "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    )
    assert {"DAILY", "WEEKLY", "MONTHLY", "ANNUAL", "IRREG", "UPDATE_CONT"} <= set(vocabularies.FREQUENCIES)


EU = "http://publications.europa.eu/resource/authority/"


def test_the_themes_table_read_the_other_way_imports_each_eu_theme_once_at_most(tmp_path):
    vocabularies.configure_themes(CONFIG / "themes.yaml")
    themes, unmapped = vocabularies.themes_from_eu(
        [
            EU + "data-theme/TRAN",
            "https://publications.europa.eu/resource/authority/data-theme/EDUC/",
            EU + "data-theme/TECH",
            "sante",
            EU + "data-theme/TRAN",
            "n'importe quoi",
        ]
    )
    assert themes == ["mobilite", "education", "sante"]
    assert unmapped == [EU + "data-theme/TECH", "n'importe quoi"]
    # every EU theme a single-theme mapping exports comes back, except where the file says otherwise
    loaded = vocabularies.themes()
    for theme in loaded.values():
        if len(theme.eu) == 1 and theme.id != "culture-patrimoine":
            assert vocabularies.themes_from_eu(theme.eu_uris) == ([theme.id], [])

    path = tmp_path / "themes.yaml"
    path.write_text(
        "- {id: a, label: {fr: A, en: A}, eu: [EDUC]}\n- {id: b, label: {fr: B, en: B}, eu: [EDUC]}\n",
        encoding="utf-8",
    )
    with pytest.raises(vocabularies.VocabularyError, match="EDUC is imported by several themes"):
        vocabularies.load_themes(path)


def test_licence_uris_of_the_eu_table_spdx_and_the_licence_own_url():
    licences = {
        licence["id"]: [licence["url"], *licence.get("uris", [])]
        for licence in json.loads((CONFIG / "licenses.json").read_text("utf-8"))
    }
    cases = {
        EU + "licence/ODC_BL": "odc-odbl",
        EU + "licence/CC_BY_4_0": "cc-by",
        EU + "licence/CC0": "cc-zero",
        "http://spdx.org/licenses/CC-BY-SA-4.0": "cc-by-sa",
        "https://spdx.org/licenses/etalab-2.0.html": "lo-2.0",
        "https://spdx.org/licenses/ODC-By-1.0.json": "odc-by",
        "http://www.etalab.gouv.fr/licence-ouverte-open-licence": "lo-2.0",
        "https://creativecommons.org/licenses/by/4.0/legalcode": "cc-by",
        "https://opendatacommons.org/licenses/odbl/1.0/": "odc-odbl",
        "https://example.org/licence": None,
        "": None,
    }
    for uri, expected in cases.items():
        assert vocabularies.licence_from_uri(uri, licences) == expected, uri


def test_formats_map_to_eu_file_types_and_iana_media_types():
    assert vocabularies.file_type("CSV") == (
        EU + "file-type/CSV",
        "http://www.iana.org/assignments/media-types/text/csv",
    )
    assert vocabularies.file_type(" geojson ") == (
        EU + "file-type/GEOJSON",
        "http://www.iana.org/assignments/media-types/application/geo+json",
    )
    assert vocabularies.file_type("Shapefile") == (EU + "file-type/SHP", None)
    assert vocabularies.file_type("API") == (None, None)
    assert vocabularies.is_download("CSV") and not vocabularies.is_download("API")


def test_places_languages_and_frequencies_have_their_uris():
    assert vocabularies.place_uri("departement", "13") == "http://id.insee.fr/geo/departement/13"
    assert vocabularies.place_uri("commune", "2a004") == "http://id.insee.fr/geo/commune/2A004"
    assert vocabularies.place_uri(None, "13") is None
    assert vocabularies.place_from_uri("https://id.insee.fr/geo/region/93") == ("region", "93")
    assert vocabularies.place_from_uri("http://id.insee.fr/geo/pays/FR") is None
    assert vocabularies.language_uri("fr") == EU + "language/FRA"
    assert vocabularies.language_uri("en_GB") == EU + "language/ENG"
    assert vocabularies.frequency_from_uri(EU + "frequency/ANNUAL") == "ANNUAL"
    assert vocabularies.frequency_from_uri(EU + "frequency/TRIENNIAL") is None
