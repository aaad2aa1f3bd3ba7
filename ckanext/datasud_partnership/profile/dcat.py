"""DCAT-AP output of the profile (ckanext-dcat 2.4.4).

:class:`DatasudDCATAPProfile` runs after ckanext-dcat's ``euro_dcat_ap_3``
(``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 datasud_dcat_ap``), which
already writes the title, description, keywords, temporal coverage
(``temporal_start``/``temporal_end``), the place name (``spatial_text``), the
contact point (``maintainer``/``maintainer_email``) and the publisher (the
organization: its title, ``email`` and ``url``). This profile writes what
needs our vocabularies: ``dcat:theme`` as EU data-theme URIs,
``dct:accrualPeriodicity`` as an EU frequency URI, ``dct:issued`` from the
publication date, the INSEE code of the place, and ``dct:license`` (the
licence's URI) on each distribution.

Only published datasets (active and public) are exposed: the catalogue pages
search public active datasets only, and the dataset endpoint answers
"not found" for any other (draft, private, withdrawn).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ckanext.dcat.profiles import DCAT, DCT, XSD, RDFProfile

from . import codes, vocabularies

_ = tk._


def _as_list(value: Any) -> list[str]:
    from .validators import datasud_themes_output

    return datasud_themes_output(value)


class DatasudDCATAPProfile(RDFProfile):
    """Our fields with the EU vocabularies, on top of DCAT-AP 3."""

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        # themes: the portal's themes mapped to EU data-theme URIs
        g.remove((dataset_ref, DCAT.theme, None))
        known = vocabularies.themes()
        uris: list[str] = []
        for theme_id in _as_list(self._get_dataset_value(dataset_dict, "theme")):
            theme = known.get(theme_id)
            for uri in theme.eu_uris if theme else []:
                if uri not in uris:
                    uris.append(uri)
        for uri in uris:
            g.add((dataset_ref, DCAT.theme, URIRef(uri)))

        # update frequency: EU frequency URI
        g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        frequency = self._get_dataset_value(dataset_dict, "frequency")
        if frequency in vocabularies.FREQUENCIES:
            uri = URIRef(vocabularies.frequency_uri(frequency))
            g.add((dataset_ref, DCT.accrualPeriodicity, uri))
            g.add((uri, RDF.type, DCT.Frequency))

        # issued: the date of the first publication, not the creation date
        g.remove((dataset_ref, DCT.issued, None))
        issued = codes.parse_date(self._get_dataset_value(dataset_dict, "publication_date"))
        if issued is not None:
            g.add((dataset_ref, DCT.issued, Literal(issued.isoformat(), datatype=XSD.date)))

        # the INSEE code of the place named in spatial_text
        code = self._get_dataset_value(dataset_dict, "spatial_code")
        if code:
            for place in g.objects(dataset_ref, DCT.spatial):
                g.add((place, DCT.identifier, Literal(code)))

        # the licence's URI on each distribution
        licence_url = dataset_dict.get("license_url")
        if licence_url:
            for distribution in g.objects(dataset_ref, DCAT.distribution):
                if (distribution, DCT.license, None) not in g:
                    g.add((distribution, DCT.license, URIRef(licence_url)))
                    g.add((URIRef(licence_url), RDF.type, DCT.LicenseDocument))

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: Any) -> None:
        return None


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(original: Any, context: Context, data_dict: DataDict) -> Any:
    """The DCAT view of a dataset exists only while the dataset is published."""
    package = model.Package.get(data_dict.get("id") or "")
    if package is None or package.state != "active" or package.private or package.type == "harvest":
        raise tk.ObjectNotFound(_("Dataset not found"))
    return original(context, data_dict)
