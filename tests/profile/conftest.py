"""A partner that may publish (the publication tests' set-up) and the
profile's complete metadata."""

from __future__ import annotations

import copy
from typing import Any

from tests.publication.conftest import DECLARATION, act, partner, published  # noqa: F401

COMPLETE: dict[str, Any] = {
    "title": "Parkings publics",
    "notes": "Les parkings publics du département.",
    "owner_org": "cd13",
    "license_id": "lo-2.0",
    "tags": [{"name": "stationnement"}],
    "theme": ["mobilite", "amenagement"],
    "spatial_text": "Bouches-du-Rhône",
    "spatial_level": "departement",
    "spatial_code": "13",
    "temporal_start": "2024-01-01",
    "temporal_end": "2024-12-31",
    "frequency": "MONTHLY",
    "maintainer": "Mission open data",
    "maintainer_email": "opendata@cd13.example",
    "resources": [{"name": "Parkings", "url": "https://cd13.example/parkings.csv", "format": "CSV"}],
}


def complete(name: str, **fields: Any) -> dict[str, Any]:
    """A complete dataset of cd13 (a fresh copy: CKAN changes what it receives)."""
    return copy.deepcopy({"name": name, **COMPLETE, **fields})
