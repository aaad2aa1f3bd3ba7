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
