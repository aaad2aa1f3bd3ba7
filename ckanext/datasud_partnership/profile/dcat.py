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
from dateutil.parser import parse as dateutil_parse
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ckanext.dcat.profiles import DCAT, DCT, XSD, RDFProfile

from ..common.validation import reference, reject_unsafe, whole_number
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


def _profiles(value: Any) -> list[str]:
    """The RDF profiles asked for: names registered under ``ckan.rdf.profiles``
    (a list, or a text of names separated by spaces). ckanext-dcat 2.4.4
    iterates the value as given: ``"x"`` becomes the profiles ``x`` and an
    unknown profile raises RDFProfileException, a 500."""
    from importlib.metadata import entry_points

    names = value.split() if isinstance(value, str) else value
    known = {entry.name for entry in entry_points(group="ckan.rdf.profiles")}
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n in known for n in names):
        raise tk.ValidationError(
            {"profiles": [_("Expected a list of RDF profiles among: %s") % ", ".join(sorted(known))]}
        )
    return names


def _rdf_format(value: Any) -> str:
    """An RDF serialization rdflib knows (ckanext-dcat passes an unknown one
    to rdflib, whose PluginException is a 500)."""
    import rdflib.plugin
    import rdflib.serializer

    known = {plugin.name for plugin in rdflib.plugin.plugins(kind=rdflib.serializer.Serializer)}
    known |= {"ttl", "rdf", "xml", "jsonld"}
    if not isinstance(value, str) or value not in known:
        raise tk.ValidationError(
            {"format": [_("Expected an RDF format among: %s") % ", ".join(sorted(known))]}
        )
    return value


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(original: Any, context: Context, data_dict: DataDict) -> Any:
    """The DCAT view of a dataset exists only while the dataset is published."""
    reject_unsafe(data_dict)
    data_dict = {**data_dict, "id": reference(data_dict, "id")}
    if data_dict.get("profiles") not in (None, "", []):
        data_dict["profiles"] = _profiles(data_dict["profiles"])
    if data_dict.get("format") not in (None, ""):
        data_dict["format"] = _rdf_format(data_dict["format"])
    package = model.Package.get(data_dict["id"])
    if package is None or package.state != "active" or package.private or package.type == "harvest":
        raise tk.ObjectNotFound(_("Dataset not found"))
    return original(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original: Any, context: Context, data_dict: DataDict) -> Any:
    """The catalogue endpoints (``/catalog.ttl?q=...``). ckanext-dcat 2.4.4's
    view turns a ValidationError into a 409 but lets the search engine's
    refusal of ``q`` or ``fq`` (``a:(``) through as a 500: it is a
    ValidationError naming the field here. Profiles are checked as for a
    dataset."""
    from ckan.lib import search

    reject_unsafe(data_dict)
    data_dict = dict(data_dict)
    if data_dict.get("profiles") not in (None, "", []):
        data_dict["profiles"] = _profiles(data_dict["profiles"])
    if data_dict.get("format") not in (None, ""):
        data_dict["format"] = _rdf_format(data_dict["format"])
    for field in ("q", "fq"):  # given to the search as they are
        if data_dict.get(field) is not None and not isinstance(data_dict[field], str):
            raise tk.ValidationError({field: [_("Expected a text")]})
    if data_dict.get("page") not in (None, ""):  # ckanext-dcat: int(page), a TypeError for a list
        try:
            data_dict["page"] = whole_number(data_dict["page"], context)
        except tk.Invalid as error:
            raise tk.ValidationError({"page": [error.error]}) from None
        if data_dict["page"] < 1:
            raise tk.ValidationError({"page": [_("Expected a whole number from 1")]})
    if data_dict.get("modified_since") not in (None, ""):  # dateutil: a TypeError, an OverflowError
        since = data_dict["modified_since"]
        try:
            if not isinstance(since, str):
                raise TypeError(since)
            dateutil_parse(since)
        except (TypeError, ValueError, OverflowError):
            raise tk.ValidationError({"modified_since": [_("Expected a date written YYYY-MM-DD")]}) from None
    try:
        return original(context, data_dict)
    except (search.SearchQueryError, search.SearchError) as error:
        field = "fq" if data_dict.get("fq") else "q"
        raise tk.ValidationError({field: [_("The search query is not valid: %s") % error]}) from None
