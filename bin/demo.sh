#!/usr/bin/env bash
# `make demo`: a DataSud demo portal on http://127.0.0.1:5000, with demo data.
#   1. writes local/demo.ini once (kept as it is on later runs);
#   2. applies the database migrations (CKAN core and every plugin);
#   3. starts a local SMTP sink on 127.0.0.1 (every e-mail the portal sends is
#      written to local/mail/, one .eml file each; nothing leaves the machine)
#      and CKAN's background worker, which sends the e-mails of the outbox;
#   4. loads the demo data (organizations, users, datasets; safe to run again)
#      and prints the logins (user names, password) in the portal's language;
#   5. prints the portal's address;
#   6. starts CKAN in the foreground (skipped with DEMO_NO_SERVER=1: the worker
#      then sends what is queued and stops, and so does the sink).
# Expects PostgreSQL and Redis to answer (`make services`).
# DEMO_INI, DEMO_DB_URL and DEMO_REDIS_URL point the script at another file,
# database and Redis; DEMO_SMTP_PORT (8025) and DEMO_MAIL_DIR (local/mail)
# place the sink.
set -euo pipefail

cd "$(dirname "$0")/.."
CKAN=.venv/bin/ckan
INI=${DEMO_INI:-local/demo.ini}
DB_URL=${DEMO_DB_URL:-postgresql://datasud@127.0.0.1:5432/datasud_demo}
REDIS_URL=${DEMO_REDIS_URL:-redis://127.0.0.1:6379/0}
SMTP_PORT=${DEMO_SMTP_PORT:-8025}
MAIL_DIR=${DEMO_MAIL_DIR:-local/mail}
PY=.venv/bin/python
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
    "ckan.redis.url=$REDIS_URL" \
    "ckan.site_id=datasud_demo" \
    "ckan.plugins=datasud_pgsearch datasud_partnership scheming_datasets activity harvest scheming_organizations dcat structured_data" \
    "scheming.dataset_schemas=ckanext.datasud_partnership.profile:dataset.yaml" \
    "scheming.organization_schemas=ckanext.datasud_partnership.profile:organization.yaml" \
    "ckanext.dcat.rdf.profiles=euro_dcat_ap_3 datasud_dcat_ap" \
    "ckanext.dcat.resource.inherit.license=true" \
    "ckan.locale_default=fr" \
    "ckan.locales_offered=fr en" \
    "ckan.site_title=DataSud (démo)" \
    "ckan.storage_path=$storage" \
    "solr_url=http://127.0.0.1:8983/solr/not-used-datasud-pgsearch" \
    "ckan.auth.create_unowned_dataset=false" \
    "ckan.views.default_views=" \
    "SESSION_COOKIE_SAMESITE=Lax" \
    "REMEMBER_COOKIE_SAMESITE=Lax" \
    "smtp.server=127.0.0.1:$SMTP_PORT" \
    "smtp.mail_from=portail@datasud-demo.example" \
    "ckanext.datasud_partnership.mail_reply_to=opendata@datasud-demo.example"
  "$CKAN" config-tool "$INI" -s logger_ckanext "level=INFO" # DEBUG by default: too chatty
  # config-tool writes no comments: explain the placeholder next to it.
  sed -i 's|^solr_url *= *|# Never contacted: search runs in PostgreSQL (datasud_pgsearch). CKAN checks\
# its configuration once with every plugin unloaded, when solr_url is required.\
solr_url = |' "$INI"
fi

# CKAN's generated file sets SESSION_COOKIE_DOMAIN to nothing: the session
# cookie then carries an empty Domain= attribute, which browsers accept but
# Python's http.cookiejar (requests, ckanapi with a session) does not keep.
# Left out, the cookie is for this host only, as intended.
if grep -Eq '^SESSION_COOKIE_DOMAIN *= *$' "$INI"; then
  sed -i '/^SESSION_COOKIE_DOMAIN *= *$/d' "$INI"
fi

# A configuration written before the demo had its sink kept CKAN's generated
# smtp.server = localhost: point it at the sink, once.
if grep -Eq '^smtp\.server *= *localhost *$' "$INI"; then
  say "smtp.server = localhost in $INI: pointed at the demo's SMTP sink (127.0.0.1:$SMTP_PORT)"
  "$CKAN" config-tool "$INI" "smtp.server=127.0.0.1:$SMTP_PORT"
fi

# A configuration written before the DCAT-AP work lacks the distributions'
# licence (ckanext-dcat's option) and the schema.org JSON-LD plugin: added, once.
if ! grep -Eq '^ckanext\.dcat\.resource\.inherit\.license *=' "$INI"; then
  say "ckanext.dcat.resource.inherit.license = true added to $INI (each distribution's licence in the DCAT catalogue)"
  "$CKAN" config-tool "$INI" "ckanext.dcat.resource.inherit.license=true"
fi
if grep -Eq '^ckan\.plugins *=.* dcat( |$)' "$INI" && ! grep -Eq '^ckan\.plugins *=.*structured_data' "$INI"; then
  say "structured_data added to ckan.plugins in $INI (schema.org JSON-LD on the published datasets' pages)"
  plugins="$(sed -n 's/^ckan\.plugins *= *//p' "$INI") structured_data"
  "$CKAN" config-tool "$INI" "ckan.plugins=$plugins"
fi

# --- 2. Database ----------------------------------------------------------
say "applying the database migrations (CKAN and plugins)"
"$CKAN" -c "$INI" db upgrade

# --- 3. E-mail: the SMTP sink and the worker ------------------------------
LOG_DIR="$(dirname "$INI")"
children=()
stop_children() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_children EXIT
sink_port="$(sed -n 's/^smtp\.server *= *127\.0\.0\.1:\([0-9]*\) *$/\1/p' "$INI")"
if [ -z "$sink_port" ]; then
  say "smtp.server in $INI is not a local port: no SMTP sink started, the e-mails go to that server"
elif (exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null; then
  say "an SMTP server already answers on 127.0.0.1:$sink_port: the e-mails go there"
else
  mkdir -p "$MAIL_DIR"
  "$PY" -m ckanext.datasud_partnership.mail_sink --port "$sink_port" --folder "$MAIL_DIR" >"$LOG_DIR/mail-sink.log" 2>&1 &
  children+=("$!")
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$sink_port") 2>/dev/null && break; sleep 0.1; done
  say "SMTP sink on 127.0.0.1:$sink_port: every e-mail is written to $MAIL_DIR/ (one .eml file each)"
fi
if [ "${DEMO_NO_SERVER:-0}" != 1 ]; then
  "$CKAN" -c "$INI" jobs worker >"$LOG_DIR/worker.log" 2>&1 &
  children+=("$!")
  say "background worker started (it sends the e-mails; log: $LOG_DIR/worker.log)"
fi

# --- 4. Demo data and logins ----------------------------------------------
say "loading the demo data"
"$CKAN" -c "$INI" datasud-partnership demo-data
if [ "${DEMO_NO_SERVER:-0}" = 1 ]; then
  "$CKAN" -c "$INI" jobs worker --burst >"$LOG_DIR/worker.log" 2>&1
  say "the background worker sent the queued e-mails (log: $LOG_DIR/worker.log)"
fi
"$CKAN" -c "$INI" datasud-partnership mail status

# --- 5. Address -------------------------------------------------------------
cat <<EOF

==============================================================================
 Portail de démonstration DataSud / DataSud demo portal:  $URL
 Connexion / Log in:                                     $URL/user/login
 E-mails envoyés / E-mails sent:                         $URL/ckan-admin/mail
                                                         $MAIL_DIR/
==============================================================================

EOF

# --- 6. Server --------------------------------------------------------------
if [ "${DEMO_NO_SERVER:-0}" = 1 ]; then
  say "DEMO_NO_SERVER=1: server not started (start it: $CKAN -c $INI run --host $HOST --port $PORT)"
  exit 0
fi
say "starting CKAN on $URL (Ctrl+C pour arrêter / to stop)"
"$CKAN" -c "$INI" run --host "$HOST" --port "$PORT"
