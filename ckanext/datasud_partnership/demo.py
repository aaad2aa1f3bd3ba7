"""Demo content for a DataSud-like portal, and its loader.

The content is data: one sysadmin for the region, three partner
organizations (the Département des Bouches-du-Rhône, partner of the DataSud
partnership convention; the Commune de Digne-les-Bains, beneficiary of the
Challenge Open Data support convention; a mobility syndicate whose DataSud
partnership is under formal notice), one user per role in each, their
datasets and their agreements.

:func:`load_demo_data` goes through CKAN's actions, so that validation and
search indexing happen as on any other path. It can run again: what exists is
updated to match the content, or left alone when it already does.

The organizations are created by their own admin and the datasets by their
organization's editor: the partner publishes, not the portal's admins. The
agreements are recorded by the region's team, with dates counted from today
so that the demo stays meaningful: the partnership in force with its next
anniversary ahead, the Challenge Open Data extended by an amendment beyond
today, the formal notice's deadline ahead.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from .agreements import rules
from .common.dates import today

DEMO_PASSWORD = "DataSud-demo-2026"
SYSADMIN = "admin-region"

ROLE_LABELS = {
    "admin": "administrateur / admin",
    "editor": "éditeur / editor",
    "member": "membre / member",
}

USERS: list[dict[str, Any]] = [
    {
        "name": SYSADMIN,
        "fullname": "Équipe données de la Région Sud",
        "email": "donnees@region-sud.example",
        "about": "Administration du portail DataSud (compte de démonstration).",
        "sysadmin": True,
    },
    {
        "name": "cd13-admin",
        "fullname": "Sophie Marchetti",
        "email": "sophie.marchetti@departement13.example",
        "about": "Administratrice des données du Département des Bouches-du-Rhône (démo).",
    },
    {
        "name": "cd13-editor",
        "fullname": "Karim Benali",
        "email": "karim.benali@departement13.example",
        "about": "Chargé de mission open data, Département des Bouches-du-Rhône (démo).",
    },
    {
        "name": "cd13-member",
        "fullname": "Élodie Fabre",
        "email": "elodie.fabre@departement13.example",
        "about": "Direction des routes, Département des Bouches-du-Rhône (démo).",
    },
    {
        "name": "digne-admin",
        "fullname": "Jean-Luc Arnaud",
        "email": "jean-luc.arnaud@dignelesbains.example",
        "about": "Directeur général des services, Commune de Digne-les-Bains (démo).",
    },
    {
        "name": "digne-editor",
        "fullname": "Mathilde Giraud",
        "email": "mathilde.giraud@dignelesbains.example",
        "about": "Référente open data du Challenge Open Data, Digne-les-Bains (démo).",
    },
    {
        "name": "digne-member",
        "fullname": "Théo Reynaud",
        "email": "theo.reynaud@dignelesbains.example",
        "about": "Service urbanisme, Commune de Digne-les-Bains (démo).",
    },
    {
        "name": "verdon-admin",
        "fullname": "Nathalie Roux",
        "email": "nathalie.roux@mobilites-haut-verdon.example",
        "about": "Directrice, Syndicat mixte des mobilités du Haut-Verdon (démo).",
    },
    {
        "name": "verdon-editor",
        "fullname": "Yannick Blanc",
        "email": "yannick.blanc@mobilites-haut-verdon.example",
        "about": "Chargé des données de l'offre de transport, Haut-Verdon (démo).",
    },
    {
        "name": "verdon-member",
        "fullname": "Céline Martel",
        "email": "celine.martel@mobilites-haut-verdon.example",
        "about": "Service transport à la demande, Haut-Verdon (démo).",
    },
]

CD13 = "departement-bouches-du-rhone"
DIGNE = "commune-de-digne-les-bains"
VERDON = "syndicat-mobilites-haut-verdon"

ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "name": CD13,
        "title": "Département des Bouches-du-Rhône",
        "description": (
            "Le Département des Bouches-du-Rhône diffuse ses données sur DataSud dans le cadre "
            "de la convention de partenariat pour la diffusion de données ouvertes et "
            "intelligentes signée avec la Région Sud Provence-Alpes-Côte d'Azur : collèges, "
            "routes départementales, solidarités, culture, espaces naturels."
        ),
        "members": {"cd13-admin": "admin", "cd13-editor": "editor", "cd13-member": "member"},
    },
    {
        "name": DIGNE,
        "title": "Commune de Digne-les-Bains",
        "description": (
            "Préfecture des Alpes-de-Haute-Provence, Digne-les-Bains ouvre ses premiers jeux "
            "de données avec l'accompagnement « pas-à-pas » du Challenge Open Data : "
            "mobilité, tourisme thermal, patrimoine, cadre de vie."
        ),
        "members": {"digne-admin": "admin", "digne-editor": "editor", "digne-member": "member"},
    },
    {
        "name": VERDON,
        "title": "Syndicat mixte des mobilités du Haut-Verdon",
        "description": (
            "Autorité organisatrice des mobilités des vallées du Haut-Verdon (organisme fictif de "
            "démonstration) : navettes estivales, lignes régulières et transport à la demande. "
            "Sa convention de partenariat DataSud fait l'objet d'une mise en demeure."
        ),
        "members": {"verdon-admin": "admin", "verdon-editor": "editor", "verdon-member": "member"},
    },
]

_CD13_CONTACT = {
    "author": "Département des Bouches-du-Rhône",
    "maintainer": "Direction de la transformation numérique – Pôle données",
    "maintainer_email": "opendata@departement13.example",
}
_DIGNE_CONTACT = {
    "author": "Commune de Digne-les-Bains",
    "maintainer": "Service systèmes d'information – Mission open data",
    "maintainer_email": "opendata@dignelesbains.example",
}
_VERDON_CONTACT = {
    "author": "Syndicat mixte des mobilités du Haut-Verdon",
    "maintainer": "Service de l'offre de transport",
    "maintainer_email": "donnees@mobilites-haut-verdon.example",
}
_CD13_DATA = "https://data.departement13.example"
_DIGNE_DATA = "https://data.dignelesbains.example"
_VERDON_DATA = "https://data.mobilites-haut-verdon.example"


def _res(name: str, fmt: str, url: str, description: str = "") -> dict[str, str]:
    return {"name": name, "format": fmt, "url": url, "description": description}


DATASETS: list[dict[str, Any]] = [
    # --- Département des Bouches-du-Rhône -----------------------------------
    {
        "name": "colleges-publics-bouches-du-rhone",
        "title": "Collèges publics des Bouches-du-Rhône",
        "owner_org": CD13,
        "notes": (
            "Liste des collèges publics du département : adresse, secteur de "
            "recrutement, effectifs à la rentrée, demi-pension et coordonnées géographiques."
        ),
        "tags": ["jeunesse", "éducation", "collèges"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Collèges publics (tableau)", "CSV", f"{_CD13_DATA}/colleges/colleges.csv"),
            _res("Collèges publics (carte)", "GeoJSON", f"{_CD13_DATA}/colleges/colleges.geojson"),
        ],
    },
    {
        "name": "comptages-routiers-routes-departementales",
        "title": "Comptages routiers sur les routes départementales",
        "owner_org": CD13,
        "notes": (
            "Trafic moyen journalier annuel (TMJA) et part des poids lourds mesurés par les "
            "stations de comptage permanentes et temporaires du réseau départemental."
        ),
        "tags": ["mobilité", "routes", "trafic"],
        "license_id": "cc-by",
        "resources": [
            _res("Comptages 2024", "CSV", f"{_CD13_DATA}/routes/comptages-2024.csv"),
            _res(
                "API des comptages",
                "API",
                f"{_CD13_DATA}/api/comptages/v1",
                "Interrogation par station, par route et par période.",
            ),
        ],
    },
    {
        "name": "chantiers-reseau-routier-departemental",
        "title": "Chantiers en cours sur le réseau routier départemental",
        "owner_org": CD13,
        "notes": (
            "Travaux, restrictions de circulation et déviations sur les routes départementales, "
            "mis à jour chaque jour ouvré par les arrondissements routiers."
        ),
        "tags": ["mobilité", "routes", "travaux"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Chantiers (carte)", "GeoJSON", f"{_CD13_DATA}/routes/chantiers.geojson"),
            _res("Chantiers (flux JSON)", "JSON", f"{_CD13_DATA}/api/chantiers/v1/chantiers.json"),
        ],
    },
    {
        "name": "itineraires-randonnee-pdipr",
        "title": "Itinéraires de randonnée du PDIPR",
        "owner_org": CD13,
        "notes": (
            "Sentiers inscrits au Plan départemental des itinéraires de promenade et de "
            "randonnée : tracés, balisage, niveau de difficulté et points de départ."
        ),
        "tags": ["tourisme", "randonnée", "sentiers"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Tracés des itinéraires", "GeoJSON", f"{_CD13_DATA}/tourisme/pdipr.geojson"),
            _res("Tracés des itinéraires (Shapefile)", "SHP", f"{_CD13_DATA}/tourisme/pdipr-shp.zip"),
        ],
    },
    {
        "name": "domaines-departementaux-espaces-naturels-sensibles",
        "title": "Domaines départementaux et espaces naturels sensibles",
        "owner_org": CD13,
        "notes": (
            "Périmètres des domaines départementaux ouverts au public (Roques-Hautes, "
            "Pichauris, Saint-Pons…) et des espaces naturels sensibles, avec leur plan de gestion."
        ),
        "tags": ["environnement", "espaces naturels", "biodiversité"],
        "license_id": "cc-by",
        "resources": [
            _res("Périmètres", "SHP", f"{_CD13_DATA}/environnement/ens-shp.zip"),
            _res("Périmètres", "GeoJSON", f"{_CD13_DATA}/environnement/ens.geojson"),
            _res("Plan de gestion 2021-2030", "PDF", f"{_CD13_DATA}/environnement/plan-gestion.pdf"),
        ],
    },
    {
        "name": "acces-massifs-forestiers-ete",
        "title": "Accès aux massifs forestiers en période estivale",
        "owner_org": CD13,
        "notes": (
            "Niveau de risque incendie et conditions d'accès aux massifs du 1er juin au "
            "30 septembre, publiés chaque jour à 18 h pour le lendemain."
        ),
        "tags": ["environnement", "risques", "forêt"],
        "license_id": "cc-by",
        "resources": [
            _res("Accès du jour", "JSON", f"{_CD13_DATA}/api/massifs/v1/acces.json"),
        ],
    },
    {
        "name": "inventaire-registres-etat-civil-numerises",
        "title": "Inventaire des registres paroissiaux et d'état civil numérisés",
        "owner_org": CD13,
        "notes": (
            "Registres conservés et numérisés par les Archives départementales : commune, "
            "paroisse, nature de l'acte, années couvertes et cote."
        ),
        "tags": ["culture et patrimoine", "archives", "généalogie"],
        "license_id": "cc-zero",
        "resources": [
            _res("Inventaire", "CSV", f"{_CD13_DATA}/archives/registres.csv"),
            _res("Inventaire (Excel)", "XLSX", f"{_CD13_DATA}/archives/registres.xlsx"),
        ],
    },
    {
        "name": "frequentation-musees-departementaux",
        "title": "Fréquentation des musées départementaux",
        "owner_org": CD13,
        "notes": (
            "Entrées mensuelles du Musée départemental Arles antique et du Museon Arlaten, "
            "par catégorie de public (individuels, scolaires, groupes)."
        ),
        "tags": ["culture et patrimoine", "musées", "tourisme"],
        "license_id": "cc-by-sa",
        "resources": [
            _res("Fréquentation 2019-2024", "XLSX", f"{_CD13_DATA}/culture/frequentation.xlsx"),
            _res("Fréquentation 2019-2024", "CSV", f"{_CD13_DATA}/culture/frequentation.csv"),
        ],
    },
    {
        "name": "centres-protection-maternelle-infantile",
        "title": "Centres de protection maternelle et infantile (PMI)",
        "owner_org": CD13,
        "notes": (
            "Adresses, horaires et consultations proposées par les centres de PMI du "
            "Département : suivi de grossesse, consultations du nourrisson, vaccinations."
        ),
        "tags": ["santé", "petite enfance", "solidarités"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Centres de PMI", "CSV", f"{_CD13_DATA}/sante/pmi.csv"),
            _res("Centres de PMI (carte)", "GeoJSON", f"{_CD13_DATA}/sante/pmi.geojson"),
        ],
    },
    {
        "name": "beneficiaires-rsa-par-commune",
        "title": "Bénéficiaires du RSA par commune",
        "owner_org": CD13,
        "notes": (
            "Nombre de foyers allocataires du revenu de solidarité active au 31 décembre, par "
            "commune. Les effectifs inférieurs à 5 sont masqués (secret statistique)."
        ),
        "tags": ["emploi et formation", "solidarités", "insertion"],
        "license_id": "cc-by",
        "resources": [
            _res("Allocataires par commune", "CSV", f"{_CD13_DATA}/solidarites/rsa-communes.csv"),
            _res("Allocataires par commune", "XLSX", f"{_CD13_DATA}/solidarites/rsa-communes.xlsx"),
        ],
    },
    {
        "name": "donnees-essentielles-marches-publics-departement",
        "title": "Données essentielles des marchés publics du Département",
        "owner_org": CD13,
        "notes": (
            "Marchés publics attribués par le Département : objet, procédure, montant, "
            "titulaires et durée, au format réglementaire des données essentielles (DECP)."
        ),
        "tags": ["marchés publics", "transparence"],
        "license_id": "odc-by",
        "resources": [
            _res("DECP", "JSON", f"{_CD13_DATA}/commande-publique/decp.json"),
            _res("DECP (tableau)", "CSV", f"{_CD13_DATA}/commande-publique/decp.csv"),
        ],
    },
    {
        "name": "budget-primitif-departement-2025",
        "title": "Budget primitif 2025 du Département",
        "owner_org": CD13,
        "notes": (
            "Budget primitif voté par l'Assemblée départementale, par chapitre et par fonction, "
            "avec la présentation brève et synthétique."
        ),
        "tags": ["finances", "budget", "transparence"],
        "license_id": "cc-zero",
        "resources": [
            _res("Budget par fonction", "CSV", f"{_CD13_DATA}/finances/bp-2025.csv"),
            _res("Présentation brève et synthétique", "PDF", f"{_CD13_DATA}/finances/bp-2025.pdf"),
        ],
    },
    {
        "name": "production-photovoltaique-batiments-departementaux",
        "title": "Production photovoltaïque des bâtiments départementaux",
        "owner_org": CD13,
        "notes": (
            "Production mensuelle des centrales photovoltaïques installées sur les toitures des "
            "collèges et des bâtiments administratifs du Département, en kWh."
        ),
        "tags": ["énergie", "photovoltaïque", "transition énergétique"],
        "license_id": "cc-by",
        "resources": [
            _res("Production mensuelle", "CSV", f"{_CD13_DATA}/energie/photovoltaique.csv"),
        ],
    },
    {
        "name": "consommations-energetiques-colleges",
        "title": "Consommations énergétiques des collèges (en cours de consolidation)",
        "owner_org": CD13,
        "notes": (
            "Consommations d'électricité, de gaz et de chaleur des collèges publics. Données "
            "en cours de vérification : non publiées."
        ),
        "tags": ["énergie", "collèges", "bâtiments"],
        "license_id": "cc-by",
        "private": True,
        "resources": [
            _res("Consommations 2023-2024", "XLSX", f"{_CD13_DATA}/energie/colleges-conso.xlsx"),
        ],
    },
    {
        "name": "aides-departementales-jeunesse",
        "title": "Aides départementales à la jeunesse : bénéficiaires par commune (provisoire)",
        "owner_org": CD13,
        "notes": (
            "Nombre de jeunes bénéficiaires des aides du Département (permis de conduire, "
            "premier équipement, séjours) par commune. Version provisoire, licence à choisir."
        ),
        "tags": ["jeunesse", "aides"],
        "license_id": "notspecified",
        "private": True,
        "resources": [
            _res("Bénéficiaires par commune", "CSV", f"{_CD13_DATA}/jeunesse/aides.csv"),
        ],
    },
    # --- Commune de Digne-les-Bains -----------------------------------------
    {
        "name": "parkings-publics-digne-les-bains",
        "title": "Parkings publics de Digne-les-Bains",
        "owner_org": DIGNE,
        "notes": (
            "Parkings publics de la ville : capacité, places PMR, tarifs, horaires et, pour "
            "les parkings équipés, nombre de places disponibles en temps réel."
        ),
        "tags": ["mobilité", "stationnement"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Parkings", "CSV", f"{_DIGNE_DATA}/mobilite/parkings.csv"),
            _res("Parkings (carte)", "GeoJSON", f"{_DIGNE_DATA}/mobilite/parkings.geojson"),
            _res("Places disponibles", "API", f"{_DIGNE_DATA}/api/parkings/v1/disponibilites"),
        ],
    },
    {
        "name": "horaires-transports-urbains-dignois-gtfs",
        "title": "Horaires des transports urbains dignois (GTFS)",
        "owner_org": DIGNE,
        "notes": (
            "Arrêts, lignes et horaires théoriques du réseau de bus urbain de Digne-les-Bains, "
            "au format GTFS, mis à jour à chaque changement de service."
        ),
        "tags": ["mobilité", "transport en commun", "bus"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Offre théorique", "GTFS", f"{_DIGNE_DATA}/mobilite/gtfs.zip"),
        ],
    },
    {
        "name": "bornes-recharge-vehicules-electriques-digne",
        "title": "Bornes de recharge pour véhicules électriques",
        "owner_org": DIGNE,
        "notes": (
            "Points de recharge installés par la commune, au schéma national des "
            "infrastructures de recharge pour véhicules électriques (IRVE)."
        ),
        "tags": ["énergie", "mobilité", "IRVE"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Bornes IRVE", "CSV", f"{_DIGNE_DATA}/energie/irve.csv"),
            _res("Bornes IRVE", "JSON", f"{_DIGNE_DATA}/energie/irve.json"),
        ],
    },
    {
        "name": "hebergements-touristiques-etablissements-thermaux",
        "title": "Hébergements touristiques et établissement thermal",
        "owner_org": DIGNE,
        "notes": (
            "Hôtels, campings, résidences de tourisme et meublés classés de la commune, et "
            "l'établissement thermal : capacité, classement et période d'ouverture."
        ),
        "tags": ["tourisme", "thermalisme", "hébergement"],
        "license_id": "cc-by",
        "resources": [
            _res("Hébergements", "CSV", f"{_DIGNE_DATA}/tourisme/hebergements.csv"),
            _res("Hébergements (carte)", "GeoJSON", f"{_DIGNE_DATA}/tourisme/hebergements.geojson"),
        ],
    },
    {
        "name": "agenda-evenements-corso-lavande",
        "title": "Agenda des événements : Corso de la lavande, fêtes et festivals",
        "owner_org": DIGNE,
        "notes": (
            "Événements culturels et festifs de la ville, dont le Corso de la lavande du mois "
            "d'août : dates, lieux, tarifs et accessibilité."
        ),
        "tags": ["tourisme", "culture et patrimoine", "événements"],
        "license_id": "cc-by-sa",
        "resources": [
            _res("Agenda (API)", "API", f"{_DIGNE_DATA}/api/agenda/v1/evenements"),
            _res("Agenda de l'année", "CSV", f"{_DIGNE_DATA}/culture/agenda.csv"),
        ],
    },
    {
        "name": "patrimoine-remarquable-digne-les-bains",
        "title": "Monuments et patrimoine remarquable",
        "owner_org": DIGNE,
        "notes": (
            "Cathédrale Notre-Dame-du-Bourg, cathédrale Saint-Jérôme, musée Gassendi, maison "
            "d'Alexandra David-Néel… : localisation, protection et conditions de visite."
        ),
        "tags": ["culture et patrimoine", "monuments historiques", "tourisme"],
        "license_id": "cc-by",
        "resources": [
            _res("Monuments (carte)", "GeoJSON", f"{_DIGNE_DATA}/patrimoine/monuments.geojson"),
            _res("Guide du patrimoine", "PDF", f"{_DIGNE_DATA}/patrimoine/guide.pdf"),
        ],
    },
    {
        "name": "defibrillateurs-digne-les-bains",
        "title": "Défibrillateurs automatiques externes (DAE)",
        "owner_org": DIGNE,
        "notes": (
            "Défibrillateurs installés dans les établissements recevant du public de la "
            "commune : emplacement précis, accessibilité et date de maintenance."
        ),
        "tags": ["santé", "secours", "équipements publics"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Défibrillateurs", "CSV", f"{_DIGNE_DATA}/sante/dae.csv"),
            _res("Défibrillateurs (carte)", "GeoJSON", f"{_DIGNE_DATA}/sante/dae.geojson"),
        ],
    },
    {
        "name": "points-apport-volontaire-dechets",
        "title": "Points d'apport volontaire pour le tri des déchets",
        "owner_org": DIGNE,
        "notes": "Conteneurs de tri (verre, emballages, papiers, textiles) : localisation et flux.",
        "tags": ["environnement", "déchets", "tri sélectif"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Conteneurs", "SHP", f"{_DIGNE_DATA}/environnement/pav-shp.zip"),
            _res("Conteneurs", "CSV", f"{_DIGNE_DATA}/environnement/pav.csv"),
        ],
    },
    {
        "name": "qualite-eau-distribuee-digne",
        "title": "Qualité de l'eau distribuée : résultats d'analyses",
        "owner_org": DIGNE,
        "notes": (
            "Résultats du contrôle sanitaire de l'eau du robinet par unité de distribution : "
            "paramètres bactériologiques, nitrates, dureté et conformité."
        ),
        "tags": ["santé", "environnement", "eau potable"],
        "license_id": "cc-zero",
        "resources": [
            _res("Analyses 2024", "CSV", f"{_DIGNE_DATA}/environnement/qualite-eau-2024.csv"),
        ],
    },
    {
        "name": "deliberations-conseil-municipal-digne",
        "title": "Délibérations du conseil municipal",
        "owner_org": DIGNE,
        "notes": (
            "Liste des délibérations adoptées par le conseil municipal (date, numéro, objet, "
            "vote) et texte intégral de chaque délibération."
        ),
        "tags": ["citoyenneté", "transparence"],
        "license_id": "cc-by",
        "resources": [
            _res("Liste des délibérations", "CSV", f"{_DIGNE_DATA}/citoyennete/deliberations.csv"),
            _res("Recueil des actes 2024", "PDF", f"{_DIGNE_DATA}/citoyennete/recueil-2024.pdf"),
        ],
    },
    {
        "name": "emplois-saisonniers-commune-digne",
        "title": "Emplois saisonniers proposés par la commune",
        "owner_org": DIGNE,
        "notes": (
            "Offres d'emplois saisonniers de la ville (piscine, centres de loisirs, espaces "
            "verts, office de tourisme) : poste, période, niveau de formation demandé."
        ),
        "tags": ["emploi et formation", "jeunesse"],
        "license_id": "cc-by",
        "resources": [
            _res("Offres de la saison", "CSV", f"{_DIGNE_DATA}/emploi/saisonniers.csv"),
            _res("Offres de la saison (Excel)", "XLSX", f"{_DIGNE_DATA}/emploi/saisonniers.xlsx"),
        ],
    },
    {
        "name": "menus-restauration-scolaire-digne",
        "title": "Menus de la restauration scolaire (brouillon)",
        "owner_org": DIGNE,
        "notes": (
            "Menus servis dans les écoles maternelles et élémentaires, avec la part de produits "
            "bio et locaux. Jeu de données en préparation."
        ),
        "tags": ["jeunesse", "alimentation"],
        "license_id": "cc-by",
        "private": True,
        "resources": [
            _res("Menus de la semaine", "CSV", f"{_DIGNE_DATA}/jeunesse/menus.csv"),
        ],
    },
    {
        "name": "arbres-alignement-espaces-verts-digne",
        "title": "Arbres d'alignement et espaces verts (inventaire en cours)",
        "owner_org": DIGNE,
        "notes": (
            "Inventaire des arbres d'alignement (essence, hauteur, état sanitaire) et des "
            "espaces verts communaux. Inventaire en cours : licence à choisir."
        ),
        "tags": ["environnement", "arbres", "espaces verts"],
        "license_id": "notspecified",
        "private": True,
        "resources": [
            _res("Inventaire", "XLSX", f"{_DIGNE_DATA}/environnement/arbres.xlsx"),
            _res("Inventaire (Shapefile)", "SHP", f"{_DIGNE_DATA}/environnement/arbres-shp.zip"),
        ],
    },
    # --- Syndicat mixte des mobilités du Haut-Verdon -----------------------------
    {
        "name": "horaires-navettes-estivales-haut-verdon",
        "title": "Horaires des navettes estivales du Haut-Verdon",
        "owner_org": VERDON,
        "notes": (
            "Horaires des navettes de juillet et août entre les villages, les départs de "
            "randonnée et les plans d'eau du Haut-Verdon, au format GTFS."
        ),
        "tags": ["mobilité", "transport", "tourisme"],
        "license_id": "odc-odbl",
        "resources": [
            _res("Navettes estivales (GTFS)", "ZIP", f"{_VERDON_DATA}/navettes/gtfs.zip"),
            _res("Fiches horaires", "PDF", f"{_VERDON_DATA}/navettes/fiches-horaires.pdf"),
        ],
    },
    {
        "name": "arrets-transport-a-la-demande-haut-verdon",
        "title": "Points d'arrêt du transport à la demande",
        "owner_org": VERDON,
        "notes": (
            "Points de prise en charge du service de transport à la demande : commune, nom de "
            "l'arrêt, coordonnées géographiques et jours de desserte."
        ),
        "tags": ["mobilité", "transport à la demande", "équipements publics"],
        "license_id": "cc-by",
        "resources": [
            _res("Points d'arrêt", "CSV", f"{_VERDON_DATA}/tad/arrets.csv"),
            _res("Points d'arrêt (carte)", "GeoJSON", f"{_VERDON_DATA}/tad/arrets.geojson"),
        ],
    },
]

_CONTACTS = {CD13: _CD13_CONTACT, DIGNE: _DIGNE_CONTACT, VERDON: _VERDON_CONTACT}
_RESOURCE_KEYS = ("url", "name", "format", "description")

# --- Metadata profile (profile/dataset.yaml) --------------------------------------
# The place each partner's datasets cover, and per dataset: themes, start of
# the temporal coverage (and its end, when the data is closed), frequency.
_PLACES = {
    CD13: {"spatial_text": "Bouches-du-Rhône", "spatial_level": "departement", "spatial_code": "13"},
    DIGNE: {"spatial_text": "Digne-les-Bains", "spatial_level": "commune", "spatial_code": "04070"},
    VERDON: {
        "spatial_text": "Haut-Verdon (Alpes-de-Haute-Provence)",
        "spatial_level": "departement",
        "spatial_code": "04",
    },
}
_PROFILE: dict[str, tuple[list[str], str, str, str]] = {
    "colleges-publics-bouches-du-rhone": (["education", "jeunesse"], "2024-09-01", "", "ANNUAL"),
    "comptages-routiers-routes-departementales": (["mobilite"], "2024-01-01", "2024-12-31", "ANNUAL"),
    "chantiers-reseau-routier-departemental": (["mobilite"], "2025-01-01", "", "DAILY"),
    "itineraires-randonnee-pdipr": (["tourisme", "environnement"], "2023-01-01", "", "IRREG"),
    "domaines-departementaux-espaces-naturels-sensibles": (
        ["environnement"],
        "2021-01-01",
        "2030-12-31",
        "IRREG",
    ),
    "acces-massifs-forestiers-ete": (["environnement", "securite"], "2025-06-01", "", "DAILY"),
    "inventaire-registres-etat-civil-numerises": (
        ["culture-patrimoine"],
        "1600-01-01",
        "1912-12-31",
        "IRREG",
    ),
    "frequentation-musees-departementaux": (
        ["culture-patrimoine", "tourisme"],
        "2019-01-01",
        "2024-12-31",
        "ANNUAL",
    ),
    "centres-protection-maternelle-infantile": (["sante", "solidarites"], "2025-01-01", "", "IRREG"),
    "beneficiaires-rsa-par-commune": (
        ["solidarites", "emploi-formation"],
        "2024-12-31",
        "2024-12-31",
        "ANNUAL",
    ),
    "donnees-essentielles-marches-publics-departement": (
        ["economie-finances", "citoyennete"],
        "2019-01-01",
        "",
        "MONTHLY",
    ),
    "budget-primitif-departement-2025": (["economie-finances"], "2025-01-01", "2025-12-31", "ANNUAL"),
    "production-photovoltaique-batiments-departementaux": (["energie"], "2020-01-01", "", "MONTHLY"),
    "consommations-energetiques-colleges": (["energie", "education"], "2023-01-01", "2024-12-31", "ANNUAL"),
    "aides-departementales-jeunesse": (["jeunesse"], "", "", ""),
    "parkings-publics-digne-les-bains": (["mobilite"], "2024-01-01", "", "UPDATE_CONT"),
    "horaires-transports-urbains-dignois-gtfs": (["mobilite"], "2025-09-01", "", "IRREG"),
    "bornes-recharge-vehicules-electriques-digne": (["energie", "mobilite"], "2023-06-01", "", "QUARTERLY"),
    "hebergements-touristiques-etablissements-thermaux": (["tourisme"], "2025-01-01", "", "ANNUAL"),
    "agenda-evenements-corso-lavande": (["culture-patrimoine", "tourisme"], "2025-01-01", "", "WEEKLY"),
    "patrimoine-remarquable-digne-les-bains": (["culture-patrimoine"], "2022-01-01", "", "NEVER"),
    "defibrillateurs-digne-les-bains": (["sante"], "2024-01-01", "", "QUARTERLY"),
    "points-apport-volontaire-dechets": (["environnement"], "2024-01-01", "", "ANNUAL"),
    "qualite-eau-distribuee-digne": (["sante", "environnement"], "2024-01-01", "2024-12-31", "MONTHLY"),
    "deliberations-conseil-municipal-digne": (["citoyennete"], "2020-07-01", "", "MONTHLY"),
    "emplois-saisonniers-commune-digne": (
        ["emploi-formation", "jeunesse"],
        "2025-04-01",
        "2025-09-30",
        "ANNUAL",
    ),
    # a draft still incomplete: no temporal coverage yet
    "menus-restauration-scolaire-digne": (["jeunesse", "agriculture"], "", "", "WEEKLY"),
    "arbres-alignement-espaces-verts-digne": (["environnement"], "", "", ""),
    "horaires-navettes-estivales-haut-verdon": (
        ["mobilite", "tourisme"],
        "2023-07-01",
        "2023-08-31",
        "ANNUAL",
    ),
    "arrets-transport-a-la-demande-haut-verdon": (["mobilite"], "2024-01-01", "", "IRREG"),
}
for _dataset in DATASETS:
    _themes, _start, _end, _frequency = _PROFILE.get(_dataset["name"], ([], "", "", ""))
    _values = {"theme": _themes, "temporal_start": _start, "temporal_end": _end, "frequency": _frequency}
    _dataset.update(
        {**_PLACES[_dataset["owner_org"]], **{key: value for key, value in _values.items() if value}}
    )
# The partners' legal identity (profile/organization.yaml).
_ORGANIZATION_PROFILE = {
    CD13: {
        "legal_name": "Département des Bouches-du-Rhône",
        "body_type": "departement",
        "siren": "221300015",
        "url": "https://www.departement13.example",
        "email": "opendata@departement13.example",
    },
    DIGNE: {
        "legal_name": "Commune de Digne-les-Bains",
        "body_type": "commune",
        "siren": "210400701",
        "url": "https://www.dignelesbains.example",
        "email": "opendata@dignelesbains.example",
    },
    VERDON: {
        "legal_name": "Syndicat mixte des mobilités du Haut-Verdon",
        "body_type": "syndicat",
        "siren": "253800825",
        "url": "https://www.mobilites-haut-verdon.example",
        "email": "donnees@mobilites-haut-verdon.example",
    },
}
for _org in ORGANIZATIONS:
    _org.update(_ORGANIZATION_PROFILE[_org["name"]])

# --- Agreements ------------------------------------------------------------------
REGION = {
    "role": "operator",
    "name": "Région Sud Provence-Alpes-Côte d'Azur",
    "signatory": "Renaud Muselier",
    "signatory_title": "Président du Conseil régional",
}
_CONVENTIONS = "https://www.region-sud.example/datasud/conventions"


def agreements(today: dt.date) -> list[dict[str, Any]]:
    """The demo agreements, with dates counted from ``today``.

    Each one: ``create`` (the agreement_create parameters), then what must be
    on record after it: ``amendments`` (in order), ``milestones`` done
    (code -> day) and a ``notice``.
    """
    months = rules.add_months
    # DataSud partnership of seed 000: renewed twice, next anniversary in 5 months
    cd13_notified = months(today, -31)
    cd13_signed = cd13_notified - dt.timedelta(days=16)
    # a partnership whose next anniversary is within a month, under formal notice
    verdon_notified = months(today, -23) + dt.timedelta(days=3)
    verdon_signed = verdon_notified - dt.timedelta(days=9)
    # Challenge Open Data of seed 003: signed in 2022 for a fixed end on
    # 31/12/2023, extended before that end to the end of next year
    extended_to = dt.date(today.year + 1, 12, 31)
    return [
        {
            "create": {
                "organization": CD13,
                "kind": "datasud_partnership",
                "reference": "CONV-DATASUD-013",
                "parties": [
                    REGION,
                    {
                        "role": "partner",
                        "name": "Département des Bouches-du-Rhône",
                        "signatory": "Martine Vassal",
                        "signatory_title": "Présidente du Conseil départemental",
                    },
                ],
                "deliberation_number": f"{cd13_signed.year}-CP-0412",
                "deliberation_date": (cd13_signed - dt.timedelta(days=34)).isoformat(),
                "signed_on": cd13_signed.isoformat(),
                "notified_on": cd13_notified.isoformat(),
                "referent_name": "Karim Benali",
                "referent_email": "karim.benali@departement13.example",
                "referent_phone": "04 13 00 00 13",
                "documents": [
                    {
                        "title": "Convention de partenariat signée (PDF)",
                        "url": f"{_CONVENTIONS}/CONV-DATASUD-013-signee.pdf",
                    }
                ],
            },
        },
        {
            "create": {
                "organization": DIGNE,
                "kind": "challenge_open_data",
                "reference": "COD-S2-2022-DIGNE",
                "parties": [
                    REGION,
                    {
                        "role": "partner",
                        "name": "Commune de Digne-les-Bains",
                        "signatory": "Patricia Granet-Brunello",
                        "signatory_title": "Maire",
                    },
                ],
                "deliberation_number": "DCM-2022-031",
                "deliberation_date": "2022-02-24",
                "signed_on": "2022-03-14",
                "referent_name": "Mathilde Giraud",
                "referent_email": "mathilde.giraud@dignelesbains.example",
                "referent_phone": "04 92 00 00 04",
                "beneficiary_invoice_on": "2023-02-15",
                "documents": [
                    {
                        "title": "Convention Challenge Open Data signée (PDF)",
                        "url": f"{_CONVENTIONS}/COD-S2-2022-DIGNE-signee.pdf",
                    }
                ],
            },
            "amendments": [
                {
                    "signed_on": "2023-11-20",
                    "end_on": extended_to.isoformat(),
                    "description": (
                        "Avenant n° 1 : prolongation de l'accompagnement jusqu'au "
                        f"{extended_to:%d/%m/%Y}, pour achever la phase « Évaluer » (entretiens de "
                        "débriefing, réunion de restitution) et publier les jeux de données "
                        "restants. Sans incidence sur les modalités financières."
                    ),
                }
            ],
            "milestones": {
                "lancement": "2022-03-29",
                "questionnaire": "2022-04-26",
                "diagnostic": "2022-05-24",
                "checklist": "2022-06-21",
                "atelier_premiers_pas": "2022-09-20",
                "atelier_fondamentaux": "2022-10-18",
                "atelier_outils": "2022-11-15",
                "atelier_aller_plus_loin": "2023-01-17",
                "publication_bac_a_sable": "2023-02-14",
                "sos_data": "2023-03-21",
                "fin_etape": "2023-06-13",
            },
        },
        {
            "create": {
                "organization": VERDON,
                "kind": "datasud_partnership",
                "reference": "CONV-DATASUD-HV-004",
                "parties": [
                    REGION,
                    {
                        "role": "partner",
                        "name": "Syndicat mixte des mobilités du Haut-Verdon",
                        "signatory": "Gérard Imbert",
                        "signatory_title": "Président du comité syndical",
                    },
                ],
                "deliberation_number": f"CS-{verdon_signed.year}-07",
                "deliberation_date": (verdon_signed - dt.timedelta(days=21)).isoformat(),
                "signed_on": verdon_signed.isoformat(),
                "notified_on": verdon_notified.isoformat(),
                "referent_name": "Yannick Blanc",
                "referent_email": "yannick.blanc@mobilites-haut-verdon.example",
                "referent_phone": "04 92 00 00 83",
                "documents": [
                    {
                        "title": "Convention de partenariat signée (PDF)",
                        "url": f"{_CONVENTIONS}/CONV-DATASUD-HV-004-signee.pdf",
                    }
                ],
            },
            "notice": {
                "served_by": "operator",
                "served_on": (today - dt.timedelta(days=12)).isoformat(),
                "deadline": (today + dt.timedelta(days=18)).isoformat(),
                "breaches": [
                    "Horaires des navettes publiés pour l'été 2023 et jamais mis à jour depuis "
                    "(art. 5.3 : exactitude et mise à jour des données diffusées).",
                    "Fichier des réservations du transport à la demande publié avec les noms et "
                    "téléphones des usagers, sans anonymisation (données personnelles, RGPD).",
                ],
            },
        },
    ]


@dataclass
class LoadReport:
    """What the loader did: outcome counts per kind of object."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def get(self, kind: str, outcome: str) -> int:
        return self.counts[(kind, outcome)]

    def lines(self) -> list[str]:
        kinds = (
            "user",
            "organization",
            "membership",
            "agreement",
            "terms version",
            "dataset",
            "withdrawal",
            "claim",
        )
        outcomes = ("created", "updated", "unchanged")
        return [
            f"{kind}s: " + ", ".join(f"{self.get(kind, outcome)} {outcome}" for outcome in outcomes)
            for kind in kinds
        ]


def load_demo_data() -> LoadReport:
    """Create or update the demo content through CKAN's actions."""
    report = LoadReport()
    site_user = _call("get_site_user", {"ignore_auth": True})["name"]
    for user in USERS:
        actor = site_user if user["name"] == SYSADMIN else SYSADMIN
        report.add("user", _ensure_user(user, actor))
    for org in ORGANIZATIONS:
        report.add("organization", _ensure_organization(org))
        for username, role in org["members"].items():
            report.add("membership", _ensure_member(org, username, role))
    for agreement in agreements(today()):
        report.add("agreement", _ensure_agreement(agreement))
    report.add("terms version", _ensure_terms())
    for dataset in DATASETS:
        report.add("dataset", _ensure_dataset(dataset))
    for name, reason in WITHDRAWN.items():
        report.add("withdrawal", _ensure_withdrawn(name, reason))
    for dataset in DRAFTS:
        report.add("dataset", _ensure_draft(dataset))
    for claim in CLAIMS:
        report.add("claim", _ensure_claim(claim))
    return report


def logins_text() -> str:
    """The demo accounts, in French and English, for the console."""
    lines = [
        f"Mot de passe de tous les comptes / Password of every account: {DEMO_PASSWORD}",
        "",
        f"  {'Identifiant / User name':<26}Rôle / Role",
        f"  {SYSADMIN:<26}administrateur du portail / portal sysadmin ({_user(SYSADMIN)['fullname']})",
    ]
    for org in ORGANIZATIONS:
        for username, role in org["members"].items():
            lines.append(f"  {username:<26}{ROLE_LABELS[role]} – {org['title']}")
    return "\n".join(lines)


def _call(action: str, context: dict[str, Any], **data: Any) -> Any:
    return tk.get_action(action)(context, data)


def _as(user: str, **extra: Any) -> dict[str, Any]:
    """A fresh context (CKAN's actions change the one they receive)."""
    return {"user": user, **extra}


def _user(name: str) -> dict[str, Any]:
    return next(user for user in USERS if user["name"] == name)


def _changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in wanted.items() if current.get(key) != value}


def _ensure_user(user: dict[str, Any], actor: str) -> str:
    try:
        current = _call("user_show", _as(actor), id=user["name"])
    except tk.ObjectNotFound:
        _call("user_create", _as(actor), **user, password=DEMO_PASSWORD)
        return "created"
    changes = _changes(current, {**user, "state": "active"})
    user_obj = model.User.get(user["name"])
    if user_obj is None or not user_obj.validate_password(DEMO_PASSWORD):
        changes["password"] = DEMO_PASSWORD  # the logins printed must work
    if not changes:
        return "unchanged"
    _call("user_patch", _as(actor), id=current["id"], **changes)
    return "updated"


def _ensure_organization(org: dict[str, Any]) -> str:
    wanted = {key: org[key] for key in ("name", "title", "description", *_ORGANIZATION_PROFILE[org["name"]])}
    try:
        current = _call("organization_show", _as(SYSADMIN), id=org["name"])
    except tk.ObjectNotFound:
        # CKAN makes the creator an admin of the new organization: let its
        # own admin create it, rather than the region's data team.
        admin = next(name for name, role in org["members"].items() if role == "admin")
        _call("organization_create", _as(admin, ignore_auth=True), **wanted)
        return "created"
    changes = _changes(current, {**wanted, "state": "active"})
    if not changes:
        return "unchanged"
    _call("organization_patch", _as(SYSADMIN), id=current["id"], **changes)
    return "updated"


def _ensure_member(org: dict[str, Any], username: str, role: str) -> str:
    shown = _call("organization_show", _as(SYSADMIN), id=org["name"], include_users=True)
    capacity = {user["name"]: user["capacity"] for user in shown["users"]}.get(username)
    if capacity == role:
        return "unchanged"
    _call("organization_member_create", _as(SYSADMIN), id=org["name"], username=username, role=role)
    return "created" if capacity is None else "updated"


def _ensure_dataset(dataset: dict[str, Any]) -> str:
    wanted = {key: value for key, value in dataset.items() if key not in ("tags", "resources")}
    wanted = {"private": False, "state": "active", **_CONTACTS[dataset["owner_org"]], **wanted}
    # The partner publishes: its organization's editor acts, not the region.
    org = next(org for org in ORGANIZATIONS if org["name"] == dataset["owner_org"])
    editor = next(name for name, role in org["members"].items() if role == "editor")
    try:
        current = _call("package_show", _as(SYSADMIN), id=dataset["name"])
    except tk.ObjectNotFound:
        _call(
            "package_create",
            _as(editor),
            **wanted,
            tag_string=",".join(dataset["tags"]),
            resources=dataset["resources"],
            publication_declaration=DECLARATION,
        )
        return "created"
    if dataset["name"] in WITHDRAWN and current.get("publication_status") == "withdrawn":
        wanted.pop("private")  # its partner withdrew it: a reload does not publish it again
    changes = _changes(current, wanted)
    if changes.get("owner_org") == current["organization"]["name"]:
        del changes["owner_org"]  # package_show gives the organization's id
    if sorted(tag["name"] for tag in current["tags"]) != sorted(dataset["tags"]):
        changes["tag_string"] = ",".join(dataset["tags"])
    if _resource_rows(current["resources"]) != _resource_rows(dataset["resources"]):
        changes["resources"] = _merge_resources(current["resources"], dataset["resources"])
    if not changes:
        return "unchanged"
    _call("package_patch", _as(editor), id=current["id"], publication_declaration=DECLARATION, **changes)
    return "updated"


# The editors' personal-data declaration for the demo's public datasets.
DECLARATION = {"personal_data": "none", "text_version": "2026-01"}
TERMS = {
    "version": "2026-01",
    "title": "Conditions générales d'utilisation de DataSud",
    "url": "https://www.datasud.fr/conditions-dutilisation-cgus",
    "summary": "Publication souveraine des partenaires, licences ouvertes, données non personnelles.",
}


def _ensure_terms() -> str:
    """The terms of use in force, accepted by each partner's admin."""
    outcome = "unchanged"
    versions = [terms["version"] for terms in _call("terms_version_list", _as(SYSADMIN))]
    if TERMS["version"] not in versions:
        _call("terms_version_create", _as(SYSADMIN), **TERMS)
        outcome = "created"
    for org in ORGANIZATIONS:
        admin = next(name for name, role in org["members"].items() if role == "admin")
        if not _call("terms_status", _as(admin), organization=org["name"])["accepted"]:
            _call("terms_accept", _as(admin), organization=org["name"], version=TERMS["version"])
            outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def _ensure_agreement(spec: dict[str, Any]) -> str:
    """Create the agreement if its organization has none with its reference,
    then record what is missing of its amendments, milestones and notice."""
    wanted = spec["create"]
    current = _find_agreement(wanted["organization"], wanted["reference"])
    outcome = "unchanged"
    if current is None:
        current = _call("agreement_create", _as(SYSADMIN), **wanted)
        outcome = "created"
    shown = _call("agreement_show", _as(SYSADMIN), id=current["id"])
    steps = 0
    for amendment in spec.get("amendments", [])[len(shown["amendments"]) :]:
        _call("agreement_amend", _as(SYSADMIN), id=shown["id"], **amendment)
        steps += 1
    done = {milestone["code"]: milestone["done_on"] for milestone in shown["milestones"]}
    for code, day in spec.get("milestones", {}).items():
        if done.get(code) != day:
            _call("agreement_milestone_update", _as(SYSADMIN), id=shown["id"], code=code, done_on=day)
            steps += 1
    if spec.get("notice") and not shown["notices"]:
        _call("agreement_notice_serve", _as(SYSADMIN), id=shown["id"], **spec["notice"])
        steps += 1
    return "updated" if steps and outcome == "unchanged" else outcome


def _find_agreement(organization: str, reference: str) -> dict[str, Any] | None:
    found = _call("agreement_list", _as(SYSADMIN), organization=organization, limit=1000)["results"]
    return next((agreement for agreement in found if agreement["reference"] == reference), None)


def _resource_rows(resources: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(resource.get(key) or "" for key in _RESOURCE_KEYS) for resource in resources]


def _merge_resources(current: list[dict[str, Any]], wanted: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The wanted resources, keeping the id of those already there (same URL)."""
    ids = {resource["url"]: resource["id"] for resource in current}
    return [
        {**resource, "id": ids[resource["url"]]} if resource["url"] in ids else resource
        for resource in wanted
    ]


# Published datasets that their partner then withdrew, with the reason given.
WITHDRAWN = {
    "emplois-saisonniers-commune-digne": (
        "Offres de la saison 2025 closes : le fichier sera republié avec les offres 2026."
    ),
    "acces-massifs-forestiers-ete": (
        "Arrêté préfectoral modifié : les niveaux de risque publiés ne sont plus à jour."
    ),
}


def _editor_of(organization: str) -> str:
    org = next(org for org in ORGANIZATIONS if org["name"] == organization)
    return next(name for name, role in org["members"].items() if role == "editor")


def _ensure_withdrawn(name: str, reason: str) -> str:
    """Published (by ``_ensure_dataset``), then withdrawn by its partner's editor."""
    current = _call("package_show", _as(SYSADMIN), id=name)
    if current["publication_status"] == "withdrawn":
        return "unchanged"
    _call("dataset_withdraw", _as(_editor_of(current["organization"]["name"])), id=name, reason=reason)
    return "created"


# Drafts (CKAN 2.12's draft state): saved, not finished, never published.
DRAFTS = [
    {
        "name": "stationnement-residentiel-digne",
        "title": "Zones de stationnement résidentiel (brouillon)",
        "owner_org": DIGNE,
        "notes": "Périmètres et tarifs du stationnement résidentiel. Brouillon : ressources à compléter.",
        "tags": ["stationnement", "mobilité"],
        "license_id": "lo-2.0",
        "resources": [],
    },
]


def _ensure_draft(dataset: dict[str, Any]) -> str:
    """Created as a draft once; left as its partner made it afterwards."""
    try:
        _call("package_show", _as(SYSADMIN), id=dataset["name"])
        return "unchanged"
    except tk.ObjectNotFound:
        pass
    fields = {key: value for key, value in dataset.items() if key != "tags"}
    _call(
        "package_create",
        # as CKAN's form saves its first step: the editor may set the draft state
        _as(_editor_of(dataset["owner_org"]), allow_state_change=True),
        **fields,
        state="draft",
        private=True,
        tag_string=",".join(dataset["tags"]),
    )
    return "created"


# Claims about published datasets (art. 5), filed by a logged-in user.
CLAIMS = [
    {
        "user": "digne-member",
        "dataset": "beneficiaires-rsa-par-commune",
        "kind": "personal_data",
        "description": (
            "Dans les plus petites communes, le nombre de bénéficiaires est inférieur à 5 : "
            "les foyers concernés pourraient être réidentifiés. Un seuil de secret statistique "
            "serait à appliquer."
        ),
    },
]


def _ensure_claim(claim: dict[str, Any]) -> str:
    filed = _call("claim_list", _as(claim["user"]), dataset=claim["dataset"])["results"]
    if any(c["description"] == claim["description"] for c in filed):
        return "unchanged"
    _call("claim_create", _as(claim["user"]), **{k: v for k, v in claim.items() if k != "user"})
    return "created"
