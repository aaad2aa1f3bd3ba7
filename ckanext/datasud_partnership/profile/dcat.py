"""DCAT-AP output and input of the profile (ckanext-dcat 2.4.4).

:class:`DatasudDCATAPProfile` runs after ckanext-dcat's ``euro_dcat_ap_3``
(``ckanext.dcat.rdf.profiles = euro_dcat_ap_3 datasud_dcat_ap``, or
``euro_dcat_ap_2 datasud_dcat_ap`` for DCAT-AP 2), which already writes the
title, description, keywords, temporal coverage (``temporal_start``/
``temporal_end``), the place name (``spatial_text``), the contact point
(``maintainer``/``maintainer_email``), the publisher (the organization: its
title, ``email`` and ``url``), the distributions' access URL and, with
``ckanext.dcat.resource.inherit.license = true``, their licence (the
dataset's licence URL). This profile writes what needs our vocabularies, so
that the output has no violation of the DCAT-AP 2.1.1 and 3.0 SHACL shapes
(``tests/profile/test_shacl.py``):

- ``dcat:theme``: EU data-theme URIs (``config/themes.yaml``), each a
  ``skos:Concept`` with its EU labels;
- ``dct:accrualPeriodicity``: an EU frequency URI; ``dct:issued``: the
  publication date;
- ``dct:spatial``: INSEE's URI of the commune, département or region when its
  level and code are known (with the place name and the code), else the name;
- ``dct:language`` (the portal's language, EU language URI),
  ``dct:accessRights`` (public: only published datasets are exposed),
  ``dcat:landingPage`` (the dataset's page on the portal);
- on each distribution: ``dct:format`` as an EU file-type URI,
  ``dcat:mediaType`` as an IANA media-type URI, ``dcat:downloadURL`` for a
  file (not an API or a web page);
- the types the shapes check (``vcard:Kind``, ``dct:LicenseDocument``,
  ``foaf:Document``...), which a validator cannot infer without the
  vocabularies' own ontologies;
- the catalogue: a description, the publisher (the region: see
  ``ckanext.datasud_partnership.catalog_publisher``), its language as a URI
  and the EU data-theme scheme as its theme taxonomy.

When ckanext-dcat parses a catalogue (the DCAT harvester),
:meth:`DatasudDCATAPProfile.parse_dataset` maps the same tables the other
way: EU data-theme URIs to the portal's themes (a theme no portal theme
imports is kept in the ``dcat_theme_unmapped`` extra and logged, never
refused), licence URIs (the licence's own URL, its EU licence-table URI, its
SPDX URI: the ``url`` and ``uris`` of ``config/licenses.json``) to the
portal's licences, EU frequency URIs to their codes and INSEE place URIs to
the level and code.

Only published datasets (active and public) are exposed: the catalogue pages
search public active datasets only, and the dataset endpoint answers
"not found" for any other (draft, private, withdrawn).
"""

from __future__ import annotations

import json
import logging
import weakref
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.types import Context, DataDict
from dateutil.parser import parse as dateutil_parse
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from ckanext.dcat.profiles import DCAT, DCT, FOAF, SKOS, VCARD, XSD, RDFProfile
from ckanext.dcat.utils import resource_uri

from ..common.validation import reference, reject_unsafe, whole_number
from . import codes, vocabularies
from .validators import text_list

_ = tk._
log = logging.getLogger(__name__)

EU_THEME_SCHEME = URIRef(vocabularies.EU_DATA_THEME.rstrip("/"))
PUBLIC = URIRef(vocabularies.EU_ACCESS_RIGHT + "PUBLIC")
UNMAPPED_THEMES = "dcat_theme_unmapped"  # the extra that keeps a harvested dataset's unmapped themes

# the catalogue's description when the site has none (ckan.site_description)
DESCRIPTION = {
    "fr": "Catalogue des données ouvertes publiées sur {site} par ses partenaires.",
    "en": "Catalogue of the open data published on {site} by its partners.",
}
THEME_SCHEME_TITLE = {"fr": "Thèmes de données de l'UE", "en": "EU data themes"}


PREFIXES = {
    "eutheme": vocabularies.EU_DATA_THEME,
    "eufreq": vocabularies.EU_FREQUENCY,
    "eufiletype": vocabularies.EU_FILE_TYPE,
    "eulang": vocabularies.EU_LANGUAGE,
    "euaccess": vocabularies.EU_ACCESS_RIGHT,
    "inseecom": vocabularies.INSEE_GEO + "commune/",
    "inseedep": vocabularies.INSEE_GEO + "departement/",
    "inseereg": vocabularies.INSEE_GEO + "region/",
}
# the shared nodes already typed in each document being written
_TYPED: weakref.WeakKeyDictionary[Any, set[tuple[Any, Any]]] = weakref.WeakKeyDictionary()


def _site_url() -> str:
    return str(tk.config.get("ckan.site_url") or "").rstrip("/")


class DatasudDCATAPProfile(RDFProfile):
    """Our fields with the EU vocabularies, on top of DCAT-AP 3 (or 2)."""

    _licence_uris: dict[str, list[str]] | None = None

    # -- output ---------------------------------------------------------------------
    def _bind_prefixes(self) -> None:
        """Prefixes for the EU vocabularies (once per document): a shorter
        output, and a faster one (rdflib's Turtle serialiser looks up every
        URI it writes; a URI without a prefix is looked up again each time)."""
        if self.g in _TYPED:
            return
        _TYPED[self.g] = set()
        for prefix, namespace in PREFIXES.items():
            self.g.bind(prefix, namespace)
        self.g.bind("portal", _site_url() + "/dataset/")  # the datasets' URIs and pages

    def _typed_once(self, node: Any, rdf_type: Any) -> bool:
        """Type a node the catalogue's datasets share (a theme, a file type,
        the language...) once per document; True the first time."""
        typed = _TYPED.setdefault(self.g, set())
        if (node, rdf_type) in typed:
            return False
        typed.add((node, rdf_type))
        self.g.add((node, RDF.type, rdf_type))
        return True

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        self._bind_prefixes()
        self._themes(dataset_dict, dataset_ref)
        self._frequency_and_issued(dataset_dict, dataset_ref)
        self._place(dataset_dict, dataset_ref)
        self._language_access_and_page(dataset_dict, dataset_ref)
        self._contact(dataset_dict, dataset_ref)
        self._distributions_of(dataset_dict, dataset_ref)

    def _themes(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        """The portal's themes mapped to EU data-theme URIs."""
        g = self.g
        g.remove((dataset_ref, DCAT.theme, None))
        known = vocabularies.themes()
        codes_: list[str] = []
        for theme_id in text_list(self._get_dataset_value(dataset_dict, "theme")):
            theme = known.get(theme_id)
            for code in theme.eu if theme else []:
                if code not in codes_:
                    codes_.append(code)
        # a harvested dataset's EU themes no portal theme imports: kept, and given back
        for uri in text_list(self._get_dataset_value(dataset_dict, UNMAPPED_THEMES)):
            code = vocabularies.eu_theme_code(uri)
            if code and code not in codes_:
                codes_.append(code)
        for code in codes_:
            uri = URIRef(vocabularies.EU_DATA_THEME + code)
            g.add((dataset_ref, DCAT.theme, uri))
            if not self._typed_once(uri, SKOS.Concept):  # described for an earlier dataset
                continue
            g.add((uri, SKOS.inScheme, EU_THEME_SCHEME))
            label = vocabularies.EU_THEME_LABELS[code]
            for lang in ("fr", "en"):
                g.add((uri, SKOS.prefLabel, Literal(label.get(lang), lang=lang)))

    def _frequency_and_issued(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        g.remove((dataset_ref, DCT.accrualPeriodicity, None))
        frequency = self._get_dataset_value(dataset_dict, "frequency")
        if frequency in vocabularies.FREQUENCIES:
            uri = URIRef(vocabularies.frequency_uri(frequency))
            g.add((dataset_ref, DCT.accrualPeriodicity, uri))
            self._typed_once(uri, DCT.Frequency)
        # issued: the date of the first publication, not the creation date
        g.remove((dataset_ref, DCT.issued, None))
        issued = codes.parse_date(self._get_dataset_value(dataset_dict, "publication_date"))
        if issued is not None:
            g.add((dataset_ref, DCT.issued, Literal(issued.isoformat(), datatype=XSD.date)))

    def _place(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        """The place: INSEE's URI when the level and code are known, with the
        name and the code; else the name only (ckanext-dcat's blank node)."""
        g = self.g
        code = self._get_dataset_value(dataset_dict, "spatial_code")
        level = self._get_dataset_value(dataset_dict, "spatial_level")
        uri = vocabularies.place_uri(level, code)
        for place in list(g.objects(dataset_ref, DCT.spatial)):
            if uri and isinstance(place, BNode):
                new = URIRef(uri)
                for _s, predicate, value in list(g.triples((place, None, None))):
                    g.remove((place, predicate, value))
                    g.add((new, predicate, value))
                g.remove((dataset_ref, DCT.spatial, place))
                g.add((dataset_ref, DCT.spatial, new))
                place = new
            g.add((place, RDF.type, DCT.Location))
            if code:
                g.add((place, DCT.identifier, Literal(code)))

    def _language_access_and_page(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        language = vocabularies.language_uri(tk.config.get("ckan.locale_default"))
        if language and (dataset_ref, DCT.language, None) not in g:
            g.add((dataset_ref, DCT.language, URIRef(language)))
            self._typed_once(URIRef(language), DCT.LinguisticSystem)
        # only published datasets are exposed
        g.remove((dataset_ref, DCT.accessRights, None))
        g.add((dataset_ref, DCT.accessRights, PUBLIC))
        self._typed_once(PUBLIC, DCT.RightsStatement)
        page = URIRef(f"{_site_url()}/dataset/{dataset_dict.get('name')}")
        if dataset_dict.get("name") and page != dataset_ref:  # not when the name is the id
            g.add((dataset_ref, DCAT.landingPage, page))
        for page in g.objects(dataset_ref, DCAT.landingPage):
            g.add((page, RDF.type, FOAF.Document))
        for publisher in g.objects(dataset_ref, DCT.publisher):
            for page in g.objects(publisher, FOAF.homepage):
                self._typed_once(page, FOAF.Document)

    def _contact(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        """The contact point as a vcard:Kind (ckanext-dcat types it
        vcard:Organization only); without one, the organization's contact
        e-mail."""
        g = self.g
        if (dataset_ref, DCAT.contactPoint, None) not in g:
            organization = self._org_cache.get((dataset_dict.get("organization") or {}).get("id")) or {}
            if organization.get("email"):
                contact = BNode()
                g.add((dataset_ref, DCAT.contactPoint, contact))
                g.add((contact, RDF.type, VCARD.Organization))
                g.add((contact, VCARD.fn, Literal(organization.get("title") or organization.get("name"))))
                g.add((contact, VCARD.hasEmail, URIRef("mailto:" + organization["email"])))
        for contact in g.objects(dataset_ref, DCAT.contactPoint):
            g.add((contact, RDF.type, VCARD.Kind))

    def _distributions_of(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        g = self.g
        page = URIRef(f"{_site_url()}/dataset/{dataset_dict.get('name') or dataset_dict.get('id')}")
        for resource in dataset_dict.get("resources", []):
            distribution = URIRef(resource_uri(resource))
            if (dataset_ref, DCAT.distribution, distribution) not in g:
                continue
            label = (resource.get("format") or "").strip()
            file_type, media_type = vocabularies.file_type(label)
            mimetype = (resource.get("mimetype") or "").strip()
            if mimetype.count("/") == 1 and " " not in mimetype:
                media_type = vocabularies.IANA_MEDIA_TYPE + mimetype.lower()
            g.remove((distribution, DCT["format"], None))
            g.remove((distribution, DCAT.mediaType, None))
            if file_type:
                g.add((distribution, DCT["format"], URIRef(file_type)))
                self._typed_once(URIRef(file_type), DCT.MediaTypeOrExtent)
            elif label:  # a format the EU table lacks (an API...): its name, typed
                node = BNode()
                g.add((distribution, DCT["format"], node))
                g.add((node, RDF.type, DCT.MediaTypeOrExtent))
                g.add((node, RDFS.label, Literal(label)))
            if media_type:
                g.add((distribution, DCAT.mediaType, URIRef(media_type)))
                self._typed_once(URIRef(media_type), DCT.MediaType)
            url = (resource.get("url") or "").strip()
            if url and (
                resource.get("url_type") == "upload" or (file_type and vocabularies.is_download(label))
            ):
                g.add((distribution, DCAT.downloadURL, URIRef(url)))
            if (distribution, DCAT.accessURL, None) not in g:
                g.add((distribution, DCAT.accessURL, URIRef(url) if url else page))
            for licence in list(g.objects(distribution, DCT.license)):
                if not self._typed_once(licence, DCT.LicenseDocument):
                    continue
                # ckanext-dcat gives every licence the type adms:UnknownIPR: a skos:Concept
                for kind in list(g.objects(licence, DCT.type)):
                    if self._typed_once(kind, SKOS.Concept) and (kind, SKOS.prefLabel, None) not in g:
                        words = str(kind).rsplit("/", 1)[-1].replace("UnknownIPR", "Unknown IPR")
                        g.add((kind, SKOS.prefLabel, Literal(words, lang="en")))

    def graph_from_catalog(self, catalog_dict: dict[str, Any] | None, catalog_ref: Any) -> None:
        g = self.g
        self._bind_prefixes()
        site = tk.config.get("ckan.site_title") or _site_url()
        if (catalog_ref, DCT.description, None) not in g:
            for lang, text in DESCRIPTION.items():
                g.add((catalog_ref, DCT.description, Literal(text.format(site=site), lang=lang)))
        if (catalog_ref, DCT.publisher, None) not in g:
            name = tk.config.get("ckanext.datasud_partnership.catalog_publisher") or site
            url = tk.config.get("ckanext.datasud_partnership.catalog_publisher_url")
            # the site's URL is the catalogue's own URI: the publisher is another node
            publisher = URIRef(url) if url and URIRef(url) != catalog_ref else BNode()
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(name)))
            if url:
                g.add((publisher, FOAF.homepage, URIRef(url)))
                g.add((URIRef(url), RDF.type, FOAF.Document))
        g.remove((catalog_ref, DCT.language, None))
        for locale in [tk.config.get("ckan.locale_default")]:
            language = vocabularies.language_uri(locale)
            if language:
                g.add((catalog_ref, DCT.language, URIRef(language)))
                g.add((URIRef(language), RDF.type, DCT.LinguisticSystem))
        for page in g.objects(catalog_ref, FOAF.homepage):
            g.add((page, RDF.type, FOAF.Document))
        g.add((catalog_ref, DCAT.themeTaxonomy, EU_THEME_SCHEME))
        g.add((EU_THEME_SCHEME, RDF.type, SKOS.ConceptScheme))
        for lang, title in THEME_SCHEME_TITLE.items():
            g.add((EU_THEME_SCHEME, DCT.title, Literal(title, lang=lang)))

    # -- input (the DCAT harvester) ----------------------------------------------------
    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        extras = dataset_dict.setdefault("extras", [])

        def extra(key: str) -> Any:
            for item in extras:
                if item.get("key") == key:
                    return item.get("value")
            return None

        def drop_extra(key: str) -> None:
            extras[:] = [item for item in extras if item.get("key") != key]

        # themes: EU data-theme URIs -> the portal's themes; the others kept
        raw = dataset_dict.get("theme", extra("theme"))
        drop_extra("theme")
        values = text_list(raw)
        if values:
            themes, unmapped = vocabularies.themes_from_eu(values)
            dataset_dict["theme"] = themes
            if unmapped:
                drop_extra(UNMAPPED_THEMES)
                extras.append({"key": UNMAPPED_THEMES, "value": json.dumps(unmapped)})
                log.warning(
                    "DCAT dataset %s: themes no portal theme imports, kept in %s: %s",
                    dataset_ref,
                    UNMAPPED_THEMES,
                    ", ".join(unmapped),
                )

        # licence: the licence's URL, EU licence-table or SPDX URI
        if not dataset_dict.get("license_id"):
            candidates = [str(value) for value in self.g.objects(dataset_ref, DCT.license)]
            for distribution in self._distributions(dataset_ref):
                candidates += [str(value) for value in self.g.objects(distribution, DCT.license)]
            for uri in candidates:
                licence_id = vocabularies.licence_from_uri(uri, self._licences())
                if licence_id:
                    dataset_dict["license_id"] = licence_id
                    break

        # frequency: an EU frequency URI -> its code
        frequency = dataset_dict.get("frequency", extra("frequency"))
        if isinstance(frequency, str) and frequency:
            drop_extra("frequency")
            code = vocabularies.frequency_from_uri(frequency)
            if code:
                dataset_dict["frequency"] = code
            else:
                dataset_dict.pop("frequency", None)
                extras.append({"key": "dcat_frequency", "value": frequency})

        # the place: INSEE's URI -> its level and code
        spatial_uri = dataset_dict.get("spatial_uri", extra("spatial_uri"))
        place = vocabularies.place_from_uri(spatial_uri) if isinstance(spatial_uri, str) else None
        if place and not dataset_dict.get("spatial_code"):
            dataset_dict["spatial_level"], dataset_dict["spatial_code"] = place
        return dataset_dict

    def _licences(self) -> dict[str, list[str]]:
        """licence id -> its URL and other URIs (the licence register)."""
        if self._licence_uris is None:
            from ckan.model.license import LicenseRegister

            self._licence_uris = {
                licence_id: [licence._data.get("url") or "", *(licence._data.get("uris") or [])]
                for licence_id, licence in LicenseRegister().items()
            }
        return self._licence_uris


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
