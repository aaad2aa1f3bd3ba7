"""Benchmark of the PostgreSQL search backend (``datasud_pgsearch``).

Usage (from the repository root)::

    .venv/bin/python benchmarks/search.py                      # 10,000 and 100,000 datasets
    .venv/bin/python benchmarks/search.py --sizes 1000 --queries 20   # quick check (< 1 min)
    .venv/bin/python benchmarks/search.py --keep               # leave the data in place

What it does, in its own database (the one of ``--ini``: by default ``datasud_bench`` of
``benchmarks/bench.ini``, which is test.ini with another database, site id and Redis db):

1. creates the database if missing, migrates it, empties it;
2. starts CKAN with that config; creates 20 organizations and one dataset for real
   (``package_create``), and takes the shape of that dataset's ``package_show`` as
   the template of synthetic datasets (French titles and descriptions with accents,
   200 tags, 10 formats, 6 licences);
3. for each size: writes a minimal row per synthetic dataset in CKAN's ``package``
   table (so that CKAN computes real permission labels: public, or member of the
   organization for private ones), then indexes the datasets through CKAN's own
   indexing, ``index_for('package').index_package`` (every ``before_dataset_index``
   plugin and CKAN's permission labels apply). Either one dataset per call, as
   CKAN does on ``package_update`` ("single"), or, for large steps, CKAN's
   ``index_package`` into a recording connection followed by the recorded
   documents written with ``PgSolrConnection.add`` in batches ("batch");
4. runs ``package_search`` through ``get_action`` for each query kind, after a
   warm-up, as sysadmin (no permission filter) and as anonymous (permission
   labels filter), and reports p50/p95/max latencies, split into the CKAN side
   (everything but the search connection) and the backend (the connection:
   parsing, SQL building and the SQL query);
5. prints a table, the 100k/10k ratios and the target checks; writes JSON under
   ``benchmarks/results/``; with ``--explain`` (on by default), runs EXPLAIN
   ANALYZE on one query of each kind at the largest size.

There is no Solr here, so no same-run "plain CKAN with Solr" figure: the CKAN
side of each call (the time outside the search connection) is what plain CKAN
spends too, around its Solr call.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import math
import os
import platform
import random
import re
import subprocess
import sys
import time
import unicodedata
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_INI = HERE / "bench.ini"
RESULTS = HERE / "results"
DATABASE = "datasud_bench"  # the default; the database actually used is that of --ini
OWNER = "datasud"
PG = {"host": "127.0.0.1", "port": 5432}
TABLE = "datasud_pgsearch_document"
COUNTS = "datasud_pgsearch_facet_count"
FACET_FIELDS = ["organization", "tags", "res_format", "license_id"]
SLOW_STEP_SECONDS = 15 * 60  # above this estimate, a step is indexed in batches
TARGET_P95_MS = 100.0
TARGET_RATIO = 3.0

log = logging.getLogger("benchmarks.search")

# -- vocabulary -------------------------------------------------------------

ORGANIZATIONS = [
    ("region-sud", "Région Sud Provence-Alpes-Côte d'Azur"),
    ("metropole-aix-marseille-provence", "Métropole Aix-Marseille-Provence"),
    ("metropole-nice-cote-d-azur", "Métropole Nice Côte d'Azur"),
    ("metropole-toulon-provence-mediterranee", "Métropole Toulon Provence Méditerranée"),
    ("departement-des-bouches-du-rhone", "Département des Bouches-du-Rhône"),
    ("departement-du-var", "Département du Var"),
    ("departement-de-vaucluse", "Département de Vaucluse"),
    ("departement-des-alpes-maritimes", "Département des Alpes-Maritimes"),
    ("departement-des-hautes-alpes", "Département des Hautes-Alpes"),
    ("departement-des-alpes-de-haute-provence", "Département des Alpes-de-Haute-Provence"),
    ("ville-de-marseille", "Ville de Marseille"),
    ("ville-de-nice", "Ville de Nice"),
    ("ville-d-avignon", "Ville d'Avignon"),
    ("ville-d-aix-en-provence", "Ville d'Aix-en-Provence"),
    ("grand-avignon", "Communauté d'agglomération du Grand Avignon"),
    ("atmosud", "AtmoSud, observatoire de la qualité de l'air"),
    ("parc-national-des-ecrins", "Parc national des Écrins"),
    ("parc-naturel-regional-du-luberon", "Parc naturel régional du Luberon"),
    ("ter-sud", "TER Sud (SNCF Voyageurs)"),
    ("comite-regional-du-tourisme", "Comité régional du tourisme Provence-Alpes-Côte d'Azur"),
]

# Subjects of datasets: (title, words a user would type, tags that go with it)
SUBJECTS = [
    ("Qualité de l'air", "qualité air pollution", ["qualité air", "pollution", "santé", "environnement"]),
    ("Consommation d'électricité", "électricité énergie", ["énergie", "électricité", "consommation"]),
    ("Production d'énergie renouvelable", "énergie renouvelable", ["énergie", "énergies renouvelables"]),
    ("Bornes de recharge pour véhicules électriques", "recharge véhicules", ["mobilité", "énergie"]),
    ("Arrêts et lignes de bus", "bus transport", ["transport", "bus", "mobilité"]),
    ("Horaires des trains régionaux", "trains horaires", ["transport", "ter", "gares", "horaires"]),
    ("Pistes cyclables", "vélo cyclable", ["vélo", "mobilité", "aménagement"]),
    ("Établissements scolaires", "écoles collèges lycées", ["éducation", "écoles", "lycées"]),
    ("Résultats des élections", "élections résultats", ["élections", "citoyenneté"]),
    ("Budget primitif", "budget finances", ["budget", "finances publiques"]),
    ("Subventions aux associations", "subventions associations", ["subventions", "associations"]),
    ("Marchés publics attribués", "marchés publics", ["marchés publics", "commande publique"]),
    ("Délibérations du conseil", "délibérations conseil", ["délibérations", "démocratie locale"]),
    ("Population légale", "population recensement", ["population", "démographie", "insee"]),
    ("Logements sociaux", "logement social", ["logement", "habitat"]),
    ("Permis de construire", "permis construire urbanisme", ["urbanisme", "construction"]),
    ("Parcelles cadastrales", "cadastre parcelles", ["cadastre", "foncier"]),
    ("Zones inondables", "inondation risque", ["risques naturels", "inondation", "eau"]),
    ("Risque d'incendie de forêt", "incendie forêt", ["risques naturels", "forêt", "incendies"]),
    ("Obligations légales de débroussaillement", "débroussaillement", ["forêt", "incendies"]),
    ("Qualité des eaux de baignade", "baignade plages", ["eau", "littoral", "santé"]),
    ("Réseau d'eau potable", "eau potable réseau", ["eau", "réseaux"]),
    ("Collecte des déchets ménagers", "déchets collecte", ["déchets", "recyclage"]),
    ("Déchèteries", "déchèteries déchets", ["déchets", "équipements publics"]),
    ("Monuments historiques", "monuments patrimoine", ["patrimoine", "culture"]),
    ("Musées et lieux d'exposition", "musées expositions", ["culture", "musées"]),
    ("Équipements sportifs", "sport équipements", ["sport", "équipements publics"]),
    ("Fréquentation touristique", "tourisme fréquentation", ["tourisme", "économie"]),
    ("Hébergements touristiques", "hôtels campings hébergement", ["tourisme", "hébergement"]),
    ("Sentiers de randonnée", "randonnée sentiers", ["randonnée", "tourisme", "montagne"]),
    ("Espaces naturels protégés", "espaces naturels protégés", ["biodiversité", "environnement"]),
    ("Inventaire de la faune et de la flore", "faune flore espèces", ["biodiversité", "espèces"]),
    ("Arbres remarquables", "arbres", ["arbres", "patrimoine naturel"]),
    ("Accidents de la circulation", "accidents routes", ["sécurité routière", "routes"]),
    ("Comptages routiers", "trafic comptages", ["trafic", "routes", "mobilité"]),
    ("Stationnement", "stationnement parkings", ["stationnement", "mobilité"]),
    ("Défibrillateurs", "défibrillateurs", ["santé", "équipements publics"]),
    ("Établissements de santé", "hôpitaux santé", ["santé", "hôpitaux"]),
    ("Crèches et modes de garde", "crèches enfance", ["petite enfance", "équipements publics"]),
    ("Aides régionales aux entreprises", "aides entreprises", ["économie", "entreprises"]),
    ("Demandeurs d'emploi", "emploi chômage", ["emploi", "économie"]),
    ("Réussite au baccalauréat", "baccalauréat réussite", ["éducation", "lycées"]),
    ("Agriculture biologique", "agriculture biologique", ["agriculture", "bio"]),
    ("Appellations viticoles", "vins appellations", ["agriculture", "viticulture"]),
    ("Températures et précipitations", "météo températures", ["météo", "climat"]),
    ("Émissions de gaz à effet de serre", "émissions climat", ["climat", "énergie", "environnement"]),
    ("Installations photovoltaïques", "photovoltaïque solaire", ["énergie", "énergies renouvelables"]),
    ("Déploiement de la fibre optique", "fibre numérique", ["numérique", "réseaux"]),
    ("Base adresse locale", "adresses", ["adresses", "référentiels"]),
    ("Plan local d'urbanisme", "urbanisme plu", ["urbanisme", "aménagement"]),
    ("Ports de plaisance", "ports plaisance", ["littoral", "mer"]),
    ("Fréquentation des gares", "gares fréquentation", ["transport", "gares"]),
    ("Vélos en libre-service", "vélos libre-service", ["vélo", "mobilité"]),
    ("Festivals et événements culturels", "festivals événements", ["culture", "événements"]),
    ("Prix des carburants", "carburants prix", ["énergie", "économie"]),
    ("Restrictions d'eau en période de sécheresse", "sécheresse eau", ["eau", "climat", "sécheresse"]),
    ("Pollens et ambroisie", "pollens ambroisie", ["santé", "environnement"]),
    ("Bruit des infrastructures de transport", "bruit routier", ["bruit", "environnement"]),
    ("Effectifs des agents", "effectifs agents", ["ressources humaines", "administration"]),
    ("Marchés de producteurs", "marchés producteurs", ["agriculture", "commerce"]),
]

PLACES = [
    "Marseille", "Nice", "Toulon", "Aix-en-Provence", "Avignon", "Antibes", "Cannes",
    "La Seyne-sur-Mer", "Hyères", "Fréjus", "Arles", "Grasse", "Martigues", "Aubagne",
    "Saint-Raphaël", "Istres", "Salon-de-Provence", "Gap", "Digne-les-Bains", "Manosque",
    "Briançon", "Draguignan", "Carpentras", "Orange", "Cavaillon", "Menton", "Vitrolles",
    "La Ciotat", "Sisteron", "Forcalquier", "Embrun", "Barcelonnette", "Apt", "Pertuis",
    "Bouches-du-Rhône", "Var", "Vaucluse", "Alpes-Maritimes", "Hautes-Alpes", "Alpes-de-Haute-Provence",
]  # fmt: skip

EXTRA_TAGS = [
    "open data", "géolocalisation", "temps réel", "statistiques", "cartographie", "sig",
    "données brutes", "séries temporelles", "indicateurs", "région", "communes", "métropole",
    "mer", "montagne", "rivières", "canal", "lac", "littoral méditerranéen", "camargue",
    "calanques", "luberon", "mercantour", "verdon", "alpilles", "sainte-victoire",
    "lavande", "olivier", "huile olive", "truffe", "pêche", "aquaculture", "élevage",
    "pastoralisme", "loup", "oiseaux", "posidonie", "qualité eau", "nappes phréatiques",
    "assainissement", "stations épuration", "pluie", "neige", "avalanches", "séismes",
    "mouvements de terrain", "feux", "canicule", "îlots de chaleur", "végétalisation",
    "jardins partagés", "parcs et jardins", "cimetières", "voirie", "ponts", "tunnels",
    "autoroutes", "covoiturage", "autopartage", "tramway", "métro", "ferries", "aéroports",
    "fret", "logistique", "zones activités", "commerces", "artisanat", "industrie",
    "start-up", "innovation", "recherche", "universités", "étudiants", "apprentissage",
    "formation professionnelle", "bibliothèques", "médiathèques", "théâtres", "cinémas",
    "opéra", "archéologie", "archives", "toponymie", "cadastre napoléonien",
    "photographies aériennes", "orthophotographie", "lidar", "modèle numérique de terrain",
    "occupation du sol", "friches", "zones humides", "natura 2000", "znieff", "trame verte",
    "trame bleue", "chasse", "pêche de loisir", "plongée", "voile", "ski", "stations de ski",
    "cyclotourisme", "véloroutes", "gr", "refuges", "campings", "gîtes", "chambres hôtes",
    "offices de tourisme", "croisières", "santé publique", "covid-19", "vaccination",
    "pharmacies", "médecins", "ehpad", "handicap", "accessibilité", "seniors", "jeunesse",
    "solidarité", "rsa", "aide sociale", "quartiers prioritaires", "politique de la ville",
    "sécurité", "police municipale", "vidéoprotection", "pompiers", "sdis", "secours",
    "eau chaude", "chauffage urbain", "gaz", "hydrogène", "éolien", "hydroélectricité",
    "biomasse", "rénovation énergétique", "dpe", "bâtiments publics", "lycées régionaux",
    "collèges", "cantines", "restauration scolaire", "transport scolaire", "dotations",
    "fiscalité", "impôts locaux", "dette", "comptes administratifs",
]  # fmt: skip

QUALIFIERS = [
    "par commune", "par département", "en temps réel", "historique", "annuel", "mensuel",
    "géolocalisés", "(données brutes)", "série longue", "par quartier", "par établissement", "",
]  # fmt: skip
FREQUENCIES = [
    "chaque jour",
    "chaque semaine",
    "chaque mois",
    "chaque trimestre",
    "chaque année",
    "en continu",
]
FIELDS = [
    "la date, la commune, le code INSEE et la valeur mesurée",
    "l'identifiant, le nom, l'adresse et les coordonnées géographiques",
    "le libellé, la catégorie, le montant et l'année",
    "la station, le polluant, la concentration horaire et l'indice",
    "le numéro de ligne, l'arrêt, l'heure de passage et l'accessibilité",
]
GOALS = [
    "la transition écologique", "l'aménagement du territoire", "la sécurité des habitants",
    "la transparence de l'action publique", "l'attractivité économique de la région",
    "la préservation de la biodiversité", "l'amélioration des services publics",
]  # fmt: skip
SERVICES = ["SIG", "de l'environnement", "des mobilités", "des finances", "de la culture", "du numérique"]
FORMATS = [  # (format, file extension, weight)
    ("CSV", "csv", 30), ("JSON", "json", 12), ("GeoJSON", "geojson", 10), ("XLSX", "xlsx", 10),
    ("PDF", "pdf", 10), ("SHP", "zip", 8), ("ZIP", "zip", 6), ("XML", "xml", 5), ("WMS", "wms", 5),
    ("API", "api", 4),
]  # fmt: skip
LICENCES = [
    ("cc-by", 35),
    ("odc-odbl", 25),
    ("cc-zero", 10),
    ("cc-by-sa", 10),
    ("other-open", 12),
    ("notspecified", 8),
]
PRIVATE_SHARE = 0.05

# Words users type: single words, two words, places; drawn with and without accents.
QUERY_WORDS = [
    "énergie", "électricité", "qualité", "air", "pollution", "transport", "vélo", "écoles",
    "élections", "budget", "subventions", "déchets", "eau", "forêt", "incendie", "tourisme",
    "randonnée", "santé", "logement", "urbanisme", "cadastre", "bruit", "pollens", "gares",
    "musées", "sport", "emploi", "entreprises", "agriculture", "vins", "températures",
    "sécheresse", "baignade", "hôpitaux", "crèches", "défibrillateurs", "fibre", "adresses",
    "photovoltaïque", "patrimoine", "biodiversité", "accidents", "stationnement", "carburants",
    "Marseille", "Nice", "Hyères", "Fréjus", "Avignon", "Digne-les-Bains", "Briançon", "Var",
    "qualité air", "énergie renouvelable", "transport Marseille", "déchets ménagers",
    "eau potable", "élections municipales", "pistes cyclables", "établissements scolaires",
]  # fmt: skip


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")


def tag_names() -> list[str]:
    """The 200 tags of the portal, most used first."""
    names: list[str] = []
    for _title, _words, tags in SUBJECTS:
        names.extend(t for t in tags if t not in names)
    names.extend(p.lower() for p in PLACES if p.lower() not in names)
    names.extend(t for t in EXTRA_TAGS if t not in names)
    invalid = [n for n in names if not re.fullmatch(r"[\w .-]{2,100}", n)]
    if len(names) < 200 or invalid:
        raise RuntimeError(f"{len(names)} distinct tags in the vocabulary, invalid: {invalid}")
    return names[:200]


def zipf_weights(n: int, s: float = 0.9) -> list[float]:
    return [1.0 / (rank + 1) ** s for rank in range(n)]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, math.ceil(p / 100.0 * len(ordered)) - 1)
    return ordered[k]


# -- database and CKAN start-up ---------------------------------------------


def psql_connect(database: str, user: str) -> Any:
    import psycopg2

    conn = psycopg2.connect(dbname=database, user=user, **PG)
    conn.autocommit = True
    return conn


def database_of(ini: Path) -> str:
    """The database name in the ini's ``sqlalchemy.url`` (``[app:main]``, not inherited)."""
    import configparser

    parser = configparser.RawConfigParser(strict=False)
    parser.read(ini, encoding="utf-8")
    url = parser.get("app:main", "sqlalchemy.url", fallback="")
    name = url.rsplit("/", 1)[-1].split("?", 1)[0] if url else ""
    if not name:
        raise SystemExit(f"{ini}: no sqlalchemy.url in [app:main]; the benchmark needs a database of its own")
    return name


def ensure_database() -> bool:
    conn = psql_connect("postgres", "postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cur.fetchone():
                return False
            cur.execute(f'CREATE DATABASE "{DATABASE}" OWNER "{OWNER}"')
            return True
    finally:
        conn.close()


def migrate(ini: Path) -> None:
    ckan = Path(sys.executable).with_name("ckan")
    result = subprocess.run(
        [str(ckan), "-c", str(ini), "db", "upgrade"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"`ckan -c {ini} db upgrade` failed")


def wipe() -> None:
    """Empty every table of the benchmark database but the migration versions."""
    conn = psql_connect(DATABASE, OWNER)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT LIKE '%%alembic_version' AND tablename <> 'migrate_version'"
            )
            tables = [row[0] for row in cur.fetchall()]
            if tables:
                cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    finally:
        conn.close()


def start_ckan(ini: Path) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(str(ini)))
    flask_app = app.apps["flask_app"] if hasattr(app, "apps") else app
    for name in ("ckan", "ckanext"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("ckan.lib.datapreview").setLevel(logging.ERROR)  # no view plugins: said per dataset
    return flask_app._wsgi_app


# -- probes: where the time goes ---------------------------------------------


class Probe:
    """Times the search connection (``add``, ``search``) and the main SQL query."""

    def __init__(self) -> None:
        self.add_s = 0.0
        self.search_s = 0.0
        self.sql_s = 0.0
        self.last_sql: tuple[str, Any] | None = None
        self._sql_start: float | None = None

    def install(self) -> None:
        from ckan import model
        from sqlalchemy import event

        from ckanext.datasud_pgsearch.connection import SEARCH_SQL_MARKER, PgSolrConnection

        probe = self
        original_add, original_search = PgSolrConnection.add, PgSolrConnection.search

        def add(conn_self: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original_add(conn_self, *args, **kwargs)
            finally:
                probe.add_s += time.perf_counter() - start

        def search(conn_self: Any, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original_search(conn_self, *args, **kwargs)
            finally:
                probe.search_s += time.perf_counter() - start

        PgSolrConnection.add = add  # type: ignore[method-assign]
        PgSolrConnection.search = search  # type: ignore[method-assign]

        engine = model.ensure_engine()

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if statement.startswith(SEARCH_SQL_MARKER):
                probe._sql_start = time.perf_counter()
                probe.last_sql = (statement, parameters)

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            if probe._sql_start is not None and statement.startswith(SEARCH_SQL_MARKER):
                probe.sql_s += time.perf_counter() - probe._sql_start
                probe._sql_start = None


# -- synthetic datasets -----------------------------------------------------


class Generator:
    """Package dicts shaped like the ``package_show`` of a real dataset."""

    def __init__(
        self,
        template: dict[str, Any],
        organizations: list[dict[str, Any]],
        creator_id: str,
        seed: int,
    ) -> None:
        from ckan import model

        self.rng = random.Random(seed)
        self.template = {k: v for k, v in template.items() if k not in ("resources", "tags", "organization")}
        self.resource_template = template["resources"][0]
        self.tag_template = template["tags"][0]
        org_keys = list(template["organization"])
        self.organizations = [{k: org.get(k) for k in org_keys} for org in organizations]
        self.org_weights = zipf_weights(len(self.organizations), 0.8)
        self.creator_id = creator_id
        self.tags = [
            {**self.tag_template, "name": name, "display_name": name, "id": str(uuid.uuid4())}
            for name in tag_names()
        ]
        self.tag_weights = zipf_weights(len(self.tags), 0.9)
        self.tags_by_name = {t["name"]: t for t in self.tags}
        self.subject_weights = zipf_weights(len(SUBJECTS), 0.7)
        register = model.Package.get_license_register()
        self.licences = []
        for licence_id, weight in LICENCES:
            licence = register.get(licence_id)
            self.licences.append(
                (
                    {
                        "license_id": licence_id,
                        "license_title": licence.title if licence else licence_id,
                        "license_url": licence.url if licence and licence.url else None,
                        "isopen": bool(licence and licence.isopen()),
                    },
                    weight,
                )
            )
        self.now = dt.datetime.utcnow()
        self.count = 0
        self.recent: list[dict[str, Any]] = []  # the last 500 made (write_step rewrites them)

    def _date(self, low: dt.datetime, high: dt.datetime) -> dt.datetime:
        return low + (high - low) * self.rng.random()

    def package(self) -> dict[str, Any]:
        rng = self.rng
        self.count += 1
        n = self.count
        subject, _words, subject_tags = rng.choices(SUBJECTS, weights=self.subject_weights)[0]
        place = rng.choice(PLACES)
        year = rng.randint(2012, 2025)
        qualifier = rng.choice(QUALIFIERS)
        org = rng.choices(self.organizations, weights=self.org_weights)[0]
        licence = rng.choices([lc for lc, _w in self.licences], weights=[w for _lc, w in self.licences])[0]
        title = rng.choice(
            [
                f"{subject} {qualifier} - {place} ({year})",
                f"{subject} à {place} en {year}",
                f"{place} : {subject.lower()} {qualifier}",
                f"{subject} {qualifier}, {place}",
            ]
        )
        title = re.sub(r"\s+", " ", title).strip()
        first_year = rng.randint(2000, year)
        sentences = [
            f"Ce jeu de données présente {subject.lower()} {qualifier} sur le territoire de {place}.",
            f"Les données sont produites par {org['title']} et mises à jour {rng.choice(FREQUENCIES)}.",
            f"Elles couvrent la période {first_year}-{year} et sont diffusées sous licence "
            f"{licence['license_title']}.",
            f"Chaque enregistrement comporte {rng.choice(FIELDS)}.",
            f"Ces informations contribuent à {rng.choice(GOALS)}.",
            "Les coordonnées sont exprimées en Lambert 93 (EPSG:2154).",
            f"Pour toute question, contactez le service {rng.choice(SERVICES)} de {org['title']}.",
            "Attention : certaines valeurs manquantes sont notées « ND » (non disponible).",
        ]
        notes = " ".join(sentences[:3] + rng.sample(sentences[3:], rng.randint(1, 4)))
        picked = dict.fromkeys(subject_tags[: rng.randint(1, len(subject_tags))])
        picked[place.lower()] = None
        for tag in rng.choices(self.tags, weights=self.tag_weights, k=rng.randint(0, 4)):
            picked[tag["name"]] = None
        tags = [self.tags_by_name[name] for name in picked if name in self.tags_by_name]
        created = self._date(self.now - dt.timedelta(days=8 * 365), self.now - dt.timedelta(days=1))
        modified = self._date(created, self.now)
        package_id = str(uuid.uuid4())
        resources = []
        for position in range(rng.choices([1, 2, 3, 4, 6], weights=[35, 30, 18, 10, 7])[0]):
            fmt, ext, _w = rng.choices(FORMATS, weights=[f[2] for f in FORMATS])[0]
            res_created = self._date(created, modified)
            resources.append(
                {
                    **self.resource_template,
                    "id": str(uuid.uuid4()),
                    "package_id": package_id,
                    "name": f"{subject} {year} ({fmt})" if position == 0 else f"{place} - {subject} {fmt}",
                    "description": f"Fichier {fmt} : {subject.lower()}, {place}, {year}.",
                    "format": fmt,
                    "url": f"https://data.maregionsud.fr/fichiers/{slug(subject)}/{n}-{position}.{ext}",
                    "position": position,
                    "created": res_created.isoformat(),
                    "metadata_modified": res_created.isoformat(),
                    "last_modified": None,
                }
            )
        package = {
            **self.template,
            **licence,
            "id": package_id,
            "name": f"{slug(title)[:80]}-{n:06d}",
            "title": title,
            "notes": notes,
            "owner_org": org["id"],
            "organization": org,
            "private": rng.random() < PRIVATE_SHARE,
            "state": "active",
            "creator_user_id": self.creator_id,
            "metadata_created": created.isoformat(),
            "metadata_modified": modified.isoformat(),
            "tags": tags,
            "num_tags": len(tags),
            "resources": resources,
            "num_resources": len(resources),
        }
        package["with_custom_schema"] = dict(package)  # the same dict, as with CKAN's default schema
        self.recent = [*self.recent[-499:], package]
        return package


def insert_package_rows(packages: list[dict[str, Any]]) -> None:
    """Minimal rows in CKAN's ``package`` table, so that CKAN's indexing
    computes real permission labels (and a dataset exists behind each hit)."""
    from ckan import model
    from sqlalchemy import text

    rows = [
        {
            "id": p["id"],
            "name": p["name"],
            "title": p["title"],
            "notes": p["notes"],
            "state": p["state"],
            "type": p["type"],
            "owner_org": p["owner_org"],
            "private": p["private"],
            "license_id": p["license_id"],
            "creator_user_id": p["creator_user_id"],
            "metadata_created": p["metadata_created"],
            "metadata_modified": p["metadata_modified"],
        }
        for p in packages
    ]
    statement = text(
        "INSERT INTO package (id, name, title, notes, state, type, owner_org, private, license_id,"
        " creator_user_id, metadata_created, metadata_modified, extras) VALUES (:id, :name, :title,"
        " :notes, :state, :type, :owner_org, :private, :license_id, :creator_user_id,"
        " CAST(:metadata_created AS timestamp), CAST(:metadata_modified AS timestamp), '{}')"
    )
    with model.ensure_engine().begin() as conn:
        conn.execute(statement, rows)


class RecordingConnection:
    """Stands in for the search connection: keeps what CKAN would send."""

    url = "recording://"

    def __init__(self, sink: list[dict[str, Any]]) -> None:
        self.sink = sink

    def add(self, docs: list[dict[str, Any]], commit: bool = True, **kwargs: Any) -> None:
        self.sink.extend(docs)


@contextlib.contextmanager
def recording(sink: list[dict[str, Any]]) -> Iterator[None]:
    import ckan.lib.search.index as search_index

    original = search_index.make_connection
    search_index.make_connection = lambda *a, **k: RecordingConnection(sink)  # type: ignore[assignment]
    try:
        yield
    finally:
        search_index.make_connection = original


def index_step(
    gen: Generator, count: int, mode: str, probe: Probe, chunk: int = 1000, batch: int = 500
) -> dict[str, Any]:
    """Index ``count`` new synthetic datasets; time only CKAN's indexing."""
    from ckan import model
    from ckan.lib.search import index_for

    from ckanext.datasud_pgsearch.connection import PgSolrConnection

    index = index_for("package")
    connection = PgSolrConnection()
    elapsed = ckan_side = backend = 0.0
    done = 0
    probe.add_s = 0.0
    while done < count:
        packages = [gen.package() for _ in range(min(chunk, count - done))]
        insert_package_rows(packages)
        if mode == "single":
            start = time.perf_counter()
            for package in packages:
                index.index_package(package)
            elapsed += time.perf_counter() - start
        else:
            docs: list[dict[str, Any]] = []
            start = time.perf_counter()
            with recording(docs):
                for package in packages:
                    index.index_package(package)
            middle = time.perf_counter()
            for i in range(0, len(docs), batch):
                connection.add(docs=docs[i : i + batch])
            end = time.perf_counter()
            elapsed += end - start
            ckan_side += middle - start
            backend += end - middle
        done += len(packages)
        model.Session.remove()  # do not let the identity map grow
        print(f"\r    indexed {done:,}/{count:,} ({mode})", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if mode == "single":
        backend = probe.add_s
        ckan_side = elapsed - backend
    return {
        "mode": mode,
        "datasets": count,
        "seconds": round(elapsed, 2),
        "per_second": round(count / elapsed, 1) if elapsed else None,
        "ckan_side_seconds": round(ckan_side, 2),
        "backend_seconds": round(backend, 2),
    }


# -- queries ------------------------------------------------------------------


class Queries:
    """The query kinds: each makes the ``package_search`` data dict of call i."""

    KINDS = {
        "text": "(1) free text",
        "text_facets": "(2) free text + 4 facets",
        "fq_tag_org": "(3) fq tag + organization",
        "sort_modified": "(4) all, sort metadata_modified desc",
        "text_sort_modified": "(4b) free text, sort modified desc",
        "browse_facets": "(5) all + 4 facets (/dataset page)",
        "sort_name": "(6) all, sort name asc (API)",
        "sort_title_desc": "(7) all, sort title desc (/dataset)",
        "autocomplete": "(8) autocomplete (package_autocomplete)",
    }
    SPEC = ("text", "text_facets", "fq_tag_org", "sort_modified")

    def __init__(self, seed: int, organizations: list[str], tags: list[str]) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.organizations = organizations
        self.tags = tags
        self.tag_weights = zipf_weights(len(tags), 0.9)

    def restart(self, name: str) -> None:
        """The same sequence of queries for ``name`` at every size."""
        self.rng = random.Random(self.seed + zlib.crc32(name.encode()))

    def words(self) -> str:
        words = self.rng.choice(QUERY_WORDS)
        return fold(words) if self.rng.random() < 0.5 else words

    def make(self, kind: str) -> dict[str, Any]:
        rng = self.rng
        facets = json.dumps(FACET_FIELDS)
        if kind == "text":
            return {"q": self.words(), "rows": 20}
        if kind == "text_facets":
            return {"q": self.words(), "rows": 20, "facet.field": facets}
        if kind == "fq_tag_org":
            tag = rng.choices(self.tags, weights=self.tag_weights)[0]
            org = rng.choice(self.organizations)
            return {"q": "", "fq": f'tags:"{tag}" organization:"{org}"', "rows": 20}
        if kind == "sort_modified":
            return {"q": "", "sort": "metadata_modified desc", "rows": 20, "start": 20 * rng.randrange(5)}
        if kind == "text_sort_modified":
            return {"q": self.words(), "sort": "metadata_modified desc", "rows": 20}
        if kind == "sort_name":
            return {"q": "", "sort": "name asc", "rows": 20, "start": 20 * rng.randrange(5)}
        if kind == "sort_title_desc":
            return {"q": "", "sort": "title_string desc", "rows": 20, "start": 20 * rng.randrange(5)}
        if kind == "browse_facets":
            return {"q": "", "rows": 20, "start": 20 * rng.randrange(3), "facet.field": facets}
        if kind == "autocomplete":  # the query package_autocomplete sends
            word = fold(self.words().split()[0])[: rng.randrange(3, 7)]
            fields = ("name_ngram", "title_ngram", "name", "title")
            return {"q": " OR ".join(f'{f}:"{word}"' for f in fields), "fl": "name,title", "rows": 10}
        raise ValueError(kind)


def run_queries(
    queries: Queries,
    kind: str,
    n: int,
    context: Callable[[], dict[str, Any]],
    probe: Probe,
    warmup: int,
    name: str,
) -> dict[str, Any]:
    import ckan.plugins.toolkit as tk
    from ckan import model

    search = tk.get_action("package_search")
    queries.restart(name)
    for _ in range(warmup):
        search(context(), queries.make(kind))
        model.Session.remove()
    totals, backends, sqls, counts = [], [], [], []
    for _ in range(n):
        data_dict = queries.make(kind)
        probe.search_s = probe.sql_s = 0.0
        start = time.perf_counter()
        result = search(context(), data_dict)
        totals.append((time.perf_counter() - start) * 1000)
        model.Session.remove()  # as at the end of a web request
        backends.append(probe.search_s * 1000)
        sqls.append(probe.sql_s * 1000)
        counts.append(result["count"])
    ckan_side = [t - b for t, b in zip(totals, backends, strict=True)]
    ours_python = [b - q for b, q in zip(backends, sqls, strict=True)]
    return {
        "calls": n,
        "p50_ms": round(percentile(totals, 50), 1),
        "p95_ms": round(percentile(totals, 95), 1),
        "max_ms": round(max(totals), 1),
        "sql_p50_ms": round(percentile(sqls, 50), 1),
        "sql_p95_ms": round(percentile(sqls, 95), 1),
        "backend_p50_ms": round(percentile(backends, 50), 1),
        "python_p50_ms": round(percentile(ours_python, 50), 2),
        "ckan_side_p50_ms": round(percentile(ckan_side, 50), 1),
        "ckan_side_p95_ms": round(percentile(ckan_side, 95), 1),
        "hits_median": int(percentile([float(c) for c in counts], 50)),
        "hits_max": max(counts),
    }


def explain(queries: Queries, kind: str, context: dict[str, Any], probe: Probe) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the SQL the connection runs for one query of ``kind``."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    data_dict = queries.make(kind)
    tk.get_action("package_search")(dict(context), dict(data_dict))
    assert probe.last_sql is not None
    statement, parameters = probe.last_sql
    raw = model.ensure_engine().raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = [row[0] for row in cursor.fetchall()]
        raw.rollback()
    finally:
        raw.close()
    return {"data_dict": data_dict, "sql": statement, "parameters": parameters, "plan": plan}


def table_size() -> dict[str, Any]:
    from ckan import model
    from sqlalchemy import text

    with model.ensure_engine().begin() as conn:
        row = conn.execute(
            text(
                f"SELECT count(*), pg_total_relation_size('{TABLE}'), pg_relation_size('{TABLE}'),"
                f" pg_indexes_size('{TABLE}') FROM {TABLE}"
            )
        ).one()
        counts = conn.execute(
            text(
                f"SELECT count(*), pg_total_relation_size('{COUNTS}'), pg_relation_size('{COUNTS}')"
                f" FROM {COUNTS}"
            )
        ).one()
    return {
        "rows": row[0],
        "total_bytes": row[1],
        "heap_bytes": row[2],
        "indexes_bytes": row[3],
        "counts_rows": counts[0],
        "counts_total_bytes": counts[1],
        "counts_heap_bytes": counts[2],
    }


def counts_stats() -> dict[str, int]:
    """The count table's update statistics (PostgreSQL's, flushed first)."""
    from ckan import model
    from sqlalchemy import text

    with model.ensure_engine().begin() as conn:
        conn.execute(text("SELECT pg_stat_force_next_flush()"))
    with model.ensure_engine().begin() as conn:
        row = conn.execute(
            text(
                "SELECT n_tup_upd, n_tup_hot_upd, n_tup_ins, n_tup_del, n_dead_tup FROM pg_stat_user_tables"
                " WHERE relname = :t"
            ),
            {"t": COUNTS},
        ).one()
    return dict(zip(("updates", "hot_updates", "inserts", "deletes", "dead"), row, strict=True))


def write_step(gen: Generator, writes: int, probe: Probe) -> dict[str, Any]:
    """``writes`` re-indexings of indexed datasets whose tags and format
    changed (what ``package_update`` asks of the index), one by one through
    CKAN's ``index_package``: their time, and the count table's size and
    updates before and after (no vacuum in between)."""
    from ckan import model
    from ckan.lib.search import index_for

    index = index_for("package")
    packages = gen.recent[-min(len(gen.recent), 500) :]
    before, stats_before = table_size(), counts_stats()
    probe.add_s = 0.0
    start = time.perf_counter()
    for i in range(writes):
        package = dict(packages[i % len(packages)])
        tags = list(package["tags"])
        rotated = gen.tags[(i * 7) % len(gen.tags)]
        package["tags"] = [*tags[:-1], {**tags[-1], "name": rotated["name"], "display_name": rotated["name"]}]
        index.index_package(package)
        if i % 100 == 99:
            model.Session.remove()
    seconds = time.perf_counter() - start
    model.Session.remove()
    after, stats_after = table_size(), counts_stats()
    return {
        "writes": writes,
        "seconds": round(seconds, 2),
        "ms_per_write": round(seconds * 1000 / writes, 2),
        "backend_ms_per_write": round(probe.add_s * 1000 / writes, 2),
        "counts_heap_bytes_before": before["counts_heap_bytes"],
        "counts_heap_bytes_after": after["counts_heap_bytes"],
        "counts_rows": after["counts_rows"],
        "counts_updates": stats_after["updates"] - stats_before["updates"],
        "counts_hot_updates": stats_after["hot_updates"] - stats_before["hot_updates"],
        "counts_dead_after": stats_after["dead"],
    }


def vacuum_analyze() -> None:
    conn = psql_connect(DATABASE, OWNER)
    try:
        with conn.cursor() as cur:
            cur.execute(f"VACUUM ANALYZE {TABLE}")
            cur.execute("ANALYZE package")
    finally:
        conn.close()


def pg_settings() -> dict[str, str]:
    conn = psql_connect(DATABASE, OWNER)
    try:
        with conn.cursor() as cur:
            out = {}
            for name in ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "jit"):
                cur.execute(f"SHOW {name}")
                out[name] = cur.fetchone()[0]
            return out
    finally:
        conn.close()


def code_version() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "pgsearch_uncommitted_changes": bool(git("status", "--porcelain", "ckanext/datasud_pgsearch")),
    }


# -- the run --------------------------------------------------------------------


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB"


def print_report(result: dict[str, Any]) -> None:
    sizes = [s["size"] for s in result["steps"]]
    print("\n=== Indexing (through CKAN's index_package) ===")
    real = result["package_create"]
    print(
        f"  package_create (full CKAN write path, {real['datasets']} datasets): "
        f"{real['per_second']} datasets/s"
    )
    print(
        f"  {'step':>22} {'mode':>7} {'datasets/s':>11} {'CKAN side s':>12} {'backend s':>10}"
        f" {'table size':>12}"
    )
    for step in result["steps"]:
        ix, size = step["index"], step["table"]
        label = f"{step['from']:,} -> {step['size']:,}"
        print(
            f"  {label:>22} {ix['mode']:>7} {ix['per_second']:>11} {ix['ckan_side_seconds']:>12} "
            f"{ix['backend_seconds']:>10} {mb(size['total_bytes']):>12}"
        )
    for step in result["steps"]:
        t = step["table"]
        print(
            f"  table at {step['size']:,}: total {mb(t['total_bytes'])} (heap {mb(t['heap_bytes'])},"
            f" indexes {mb(t['indexes_bytes'])}, TOAST/other "
            f"{mb(t['total_bytes'] - t['heap_bytes'] - t['indexes_bytes'])})"
        )

    for step in result["steps"]:
        t = step["table"]
        print(
            f"  facet-count table at {step['size']:,}: {t['counts_rows']:,} rows,"
            f" heap {mb(t['counts_heap_bytes'])} (total {mb(t['counts_total_bytes'])})"
        )
        w = step.get("writes")
        if w:
            print(
                f"  {w['writes']:,} writes at {step['size']:,} (index_package, changed tags):"
                f" {w['ms_per_write']} ms each (backend {w['backend_ms_per_write']} ms);"
                f" count table heap {mb(w['counts_heap_bytes_before'])} -> {mb(w['counts_heap_bytes_after'])},"
                f" {w['counts_hot_updates']:,}/{w['counts_updates']:,} updates HOT,"
                f" {w['counts_dead_after']:,} dead rows"
            )

    for who in ("sysadmin", "anonymous"):
        print(f"\n=== package_search latency, {who} (ms; CKAN side = total - search connection) ===")
        header = f"  {'query kind':<38} {'size':>8} {'calls':>5} {'p50':>7} {'p95':>7} {'max':>7}"
        header += f" {'SQL p50':>8} {'py p50':>7} {'CKAN p50':>9} {'hits':>7}"
        print(header)
        for kind, label in Queries.KINDS.items():
            for step in result["steps"]:
                r = step["latency"][who][kind]
                print(
                    f"  {label:<38} {step['size']:>8,} {r['calls']:>5} {r['p50_ms']:>7} {r['p95_ms']:>7}"
                    f" {r['max_ms']:>7} {r['sql_p50_ms']:>8} {r.get('python_p50_ms', ''):>7}"
                    f" {r['ckan_side_p50_ms']:>9} {r['hits_median']:>7}"
                )
    if len(sizes) > 1:
        small, large = result["steps"][0], result["steps"][-1]
        print(f"\n=== Ratios {large['size']:,} / {small['size']:,} datasets (sysadmin, anonymous) ===")
        for kind, label in Queries.KINDS.items():
            parts = []
            for who in ("sysadmin", "anonymous"):
                a, b = small["latency"][who][kind], large["latency"][who][kind]
                parts.append(f"p50 x{b['p50_ms'] / a['p50_ms']:.2f}  p95 x{b['p95_ms'] / a['p95_ms']:.2f}")
            print(f"  {label:<38} {parts[0]:<28} | {parts[1]}")
    print("\n=== Targets ===")
    for check in result["targets"]:
        print(f"  [{'PASS' if check['ok'] else 'FAIL'}] {check['what']}: {check['value']}")
    print(
        "\nPlain CKAN with Solr cannot run here (no Solr): no same-run Solr baseline. The 'CKAN p50'"
        "\ncolumn is the time package_search spends outside the search connection (what plain CKAN"
        "\nspends around its Solr call too); total / CKAN side is the cost of this backend."
    )


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    steps = result["steps"]
    checks = []
    large = steps[-1]
    for who in ("sysadmin", "anonymous"):
        p95 = large["latency"][who]["text_facets"]["p95_ms"]
        checks.append(
            {
                "what": f"p95 free text + 4 facets at {large['size']:,} ({who}) <= {TARGET_P95_MS:.0f} ms",
                "value": f"{p95} ms",
                "ok": p95 <= TARGET_P95_MS,
            }
        )
    if len(steps) > 1:
        small = steps[0]
        for kind in Queries.SPEC:
            for who in ("sysadmin", "anonymous"):
                a, b = small["latency"][who][kind], large["latency"][who][kind]
                ratio = b["p95_ms"] / a["p95_ms"]
                checks.append(
                    {
                        "what": f"p95 ratio {large['size']:,}/{small['size']:,} {Queries.KINDS[kind]} ({who})"
                        f" <= {TARGET_RATIO:.0f}",
                        "value": f"x{ratio:.2f}",
                        "ok": ratio <= TARGET_RATIO,
                    }
                )
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10000,100000", help="dataset counts, ascending (default 10000,100000)"
    )
    parser.add_argument("--queries", type=int, default=200, help="measured calls per query kind (sysadmin)")
    parser.add_argument(
        "--anonymous", type=int, default=None, help="anonymous calls per kind (default queries/4)"
    )
    parser.add_argument(
        "--warmup", type=int, default=None, help="warm-up calls per kind (default queries/10)"
    )
    parser.add_argument(
        "--index-mode",
        choices=("auto", "single", "batch"),
        default="auto",
        help="auto: one by one, unless a step would take > 15 min (then batch)",
    )
    parser.add_argument(
        "--writes", type=int, default=1000, help="re-indexings with changed tags after each step's queries"
    )
    parser.add_argument("--keep", action="store_true", help="leave the data in the benchmark database")
    parser.add_argument("--no-explain", dest="explain", action="store_false", help="skip EXPLAIN ANALYZE")
    parser.add_argument("--ini", type=Path, default=DEFAULT_INI)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    global DATABASE
    DATABASE = database_of(args.ini)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    anonymous = args.anonymous if args.anonymous is not None else max(5, args.queries // 4)
    warmup = args.warmup if args.warmup is not None else max(3, args.queries // 10)
    began = time.perf_counter()

    created = ensure_database()
    print(f"database {DATABASE}: {'created' if created else 'exists'}; migrating, emptying", file=sys.stderr)
    migrate(args.ini)
    wipe()
    wsgi_app = start_ckan(args.ini)

    import ckan.plugins.toolkit as tk
    from ckan import logic, model

    result: dict[str, Any] = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "arguments": {k: str(v) for k, v in vars(args).items()},
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "postgres": pg_settings(),
        "code": code_version(),
        "load_average_start": os.getloadavg(),
        "steps": [],
    }
    probe = Probe()
    probe.install()
    try:
        with wsgi_app.test_request_context():
            site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
            admin = {"user": site_user["name"], "ignore_auth": True}
            organizations = []
            for name, title in ORGANIZATIONS:
                org = tk.get_action("organization_create")(
                    dict(admin),
                    {"name": name, "title": title, "description": f"Données publiques de {title}."},
                )
                organizations.append(org)
            # One real dataset: its package_show is the template of the synthetic ones.
            # The real datasets are private: publishing (active and public) goes through
            # the partnership's publication gate (agreement, declaration...), which is not
            # what this benchmark measures. The synthetic datasets are indexed as published.
            real = tk.get_action("package_create")(
                dict(admin),
                {
                    "name": "qualite-de-l-air-marseille-2024",
                    "title": "Qualité de l'air à Marseille (2024)",
                    "notes": "Concentrations horaires des polluants mesurées par les stations d'AtmoSud.",
                    "owner_org": organizations[15]["id"],
                    "license_id": "odc-odbl",
                    "private": True,
                    "tags": [{"name": "qualité air"}, {"name": "marseille"}],
                    "resources": [
                        {"url": "https://data.example.org/air.csv", "name": "Mesures", "format": "CSV"}
                    ],
                },
            )
            default, custom = logic.package_show_default_and_custom_schemas(dict(admin), real["id"])
            if default != custom:
                log.warning("custom schema differs from the default one: the template uses the default")
            # A reference for the full write path: a few more (private) datasets through package_create.
            gen = Generator(default, organizations, site_user["id"], args.seed)
            probe.add_s = 0.0
            n_real = 30
            start = time.perf_counter()
            for _ in range(n_real):
                p = gen.package()
                tk.get_action("package_create")(
                    dict(admin),
                    {
                        k: p[k]
                        for k in ("title", "notes", "owner_org", "license_id")
                        if k in p and p[k] is not None
                    }
                    | {
                        "private": True,
                        "name": p["name"],
                        "tags": [{"name": t["name"]} for t in p["tags"]],
                        "resources": [
                            {k: r[k] for k in ("url", "name", "description", "format")}
                            for r in p["resources"]
                        ],
                    },
                )
            seconds = time.perf_counter() - start
            result["package_create"] = {
                "datasets": n_real,
                "seconds": round(seconds, 2),
                "per_second": round(n_real / seconds, 1),
                "backend_seconds": round(probe.add_s, 3),
            }
            indexed = 1 + n_real
            queries = Queries(
                args.seed + 1, [o["name"] for o in organizations], [t["name"] for t in gen.tags]
            )

            def admin_context() -> dict[str, Any]:
                return {"user": site_user["name"], "ignore_auth": True}

            def anonymous_context() -> dict[str, Any]:
                return {"user": ""}

            previous_rate: float | None = None
            for size in sizes:
                count = max(0, size - indexed)
                mode = args.index_mode
                if mode == "auto":
                    estimate = count / previous_rate if previous_rate else 0
                    mode = "batch" if estimate > SLOW_STEP_SECONDS else "single"
                print(
                    f"  step {indexed:,} -> {size:,}: indexing {count:,} datasets ({mode})", file=sys.stderr
                )
                step_index = index_step(gen, count, mode, probe)
                if mode == "single" and step_index["per_second"]:
                    previous_rate = step_index["per_second"]
                step: dict[str, Any] = {"from": indexed, "size": size, "index": step_index}
                indexed = size
                model.Session.remove()
                vacuum_analyze()
                step["table"] = table_size()
                step["latency"] = {"sysadmin": {}, "anonymous": {}}
                for kind in Queries.KINDS:
                    print(f"    queries: {kind}", file=sys.stderr)
                    step["latency"]["sysadmin"][kind] = run_queries(
                        queries, kind, args.queries, admin_context, probe, warmup, f"{kind}:sysadmin"
                    )
                    step["latency"]["anonymous"][kind] = run_queries(
                        queries,
                        kind,
                        anonymous,
                        anonymous_context,
                        probe,
                        max(1, warmup // 2),
                        f"{kind}:anonymous",
                    )
                print(f"    writes: {args.writes}", file=sys.stderr)
                step["writes"] = write_step(gen, args.writes, probe) if args.writes else None
                if args.explain and size == sizes[-1]:
                    step["explain"] = {
                        who: {kind: explain(queries, kind, ctx(), probe) for kind in Queries.KINDS}
                        for who, ctx in (("sysadmin", admin_context), ("anonymous", anonymous_context))
                    }
                step["load_average"] = os.getloadavg()
                result["steps"].append(step)
    finally:
        model.Session.remove()
        model.ensure_engine().dispose()
        if not args.keep:
            wipe()
    result["targets"] = targets(result)
    result["seconds"] = round(time.perf_counter() - began, 1)
    print_report(result)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"search-{dt.datetime.now():%Y%m%d-%H%M%S}-{'-'.join(str(s) for s in sizes)}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    if args.explain:
        plans = out.with_suffix(".plans.txt")
        with plans.open("w", encoding="utf-8") as f:
            for who, kinds in result["steps"][-1].get("explain", {}).items():
                for kind, e in kinds.items():
                    f.write(f"### {who} {kind} {json.dumps(e['data_dict'], ensure_ascii=False)}\n")
                    f.write(e["sql"] + "\n-- " + json.dumps(e["parameters"], ensure_ascii=False) + "\n")
                    f.write("\n".join(e["plan"]) + "\n\n")
        print(f"EXPLAIN ANALYZE plans: {plans.relative_to(ROOT)}")
    print(f"results: {out.relative_to(ROOT)} (run took {result['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
