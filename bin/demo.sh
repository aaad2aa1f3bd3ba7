#!/usr/bin/env bash
# `make demo`: a DataSud demo portal on http://127.0.0.1:5000, with demo data.
#   1. writes local/demo.ini once (kept as it is on later runs);
#   2. applies the database migrations (CKAN core and every plugin);
#   3. loads the demo data (organizations, users, datasets; safe to run again)
#      and prints the logins (user names, password) in French and English;
#   4. prints the portal's address;
#   5. starts CKAN in the foreground (skipped with DEMO_NO_SERVER=1).
# Expects PostgreSQL and Redis to answer (`make services`).
# DEMO_INI and DEMO_DB_URL point the script at another file and database.
set -euo pipefail

cd "$(dirname "$0")/.."
CKAN=.venv/bin/ckan
INI=${DEMO_INI:-local/demo.ini}
DB_URL=${DEMO_DB_URL:-postgresql://datasud@127.0.0.1:5432/datasud_demo}
HOST=127.0.0.1
PORT=5000
URL="http://$HOST:$PORT"

say() { printf '[demo] %s\n' "$*"; }

# --- 1. Configuration -----------------------------------------------------
if [ -f "$INI" ]; then
  say "configuration $INI exists: kept as it is"
else
  say "writing the configuration $INI"
  mkdir -p "$(dirname "$INI")"
  storage="$(cd "$(dirname "$INI")" && pwd)/storage"
  mkdir -p "$storage"
  "$CKAN" generate config "$INI" >/dev/null
  # ckan.views.default_views is emptied: CKAN's defaults (image_view,
  # datatables_view) are plugins the demo does not load, and each resource
  # created would log two warnings about them. CKAN sends the remember-me
  # cookie with SameSite=None by default: Lax, as the session cookie, keeps
  # both off the requests other sites make (README, "Security and operations").
  "$CKAN" config-tool "$INI" \
    "sqlalchemy.url=$DB_URL" \
    "ckan.site_url=$URL" \
    "ckan.redis.url=redis://127.0.0.1:6379/0" \
    "ckan.site_id=datasud_demo" \
    "ckan.plugins=datasud_pgsearch datasud_partnership scheming_datasets activity harvest scheming_organizations dcat" \
    "scheming.dataset_schemas=ckanext.datasud_partnership.profile:dataset.yaml" \
    "scheming.organization_schemas=ckanext.datasud_partnership.profile:organization.yaml" \
    "ckanext.dcat.rdf.profiles=euro_dcat_ap_3 datasud_dcat_ap" \
    "ckan.locale_default=fr" \
    "ckan.locales_offered=fr en" \
    "ckan.site_title=DataSud (démo)" \
    "ckan.storage_path=$storage" \
    "solr_url=http://127.0.0.1:8983/solr/not-used-datasud-pgsearch" \
    "ckan.auth.create_unowned_dataset=false" \
    "ckan.views.default_views=" \
    "SESSION_COOKIE_SAMESITE=Lax" \
    "REMEMBER_COOKIE_SAMESITE=Lax"
  "$CKAN" config-tool "$INI" -s logger_ckanext "level=INFO" # DEBUG by default: too chatty
  # config-tool writes no comments: explain the placeholder next to it.
  sed -i 's|^solr_url *= *|# Never contacted: search runs in PostgreSQL (datasud_pgsearch). CKAN checks\
# its configuration once with every plugin unloaded, when solr_url is required.\
solr_url = |' "$INI"
fi

# --- 2. Database ----------------------------------------------------------
say "applying the database migrations (CKAN and plugins)"
"$CKAN" -c "$INI" db upgrade

# --- 3. Demo data and logins ----------------------------------------------
say "loading the demo data"
"$CKAN" -c "$INI" datasud-partnership demo-data

# --- 4. Address -------------------------------------------------------------
cat <<EOF

==============================================================================
 Portail de démonstration DataSud / DataSud demo portal:  $URL
 Connexion / Log in:                                     $URL/user/login
==============================================================================

EOF

# --- 5. Server --------------------------------------------------------------
if [ "${DEMO_NO_SERVER:-0}" = 1 ]; then
  say "DEMO_NO_SERVER=1: server not started (start it: $CKAN -c $INI run --host $HOST --port $PORT)"
  exit 0
fi
say "starting CKAN on $URL (Ctrl+C pour arrêter / to stop)"
exec "$CKAN" -c "$INI" run --host "$HOST" --port "$PORT"
