#!/usr/bin/env bash
# Make PostgreSQL and Redis reachable on 127.0.0.1 and create the project's
# role and databases. Uses what answers; otherwise starts it; otherwise
# installs it from Debian's packages. Says what it did. Safe to run again.
set -euo pipefail

PGHOST=127.0.0.1
PGPORT=${PGPORT:-5432}
DB_USER=${DATASUD_DB_USER:-datasud}
DATABASES=${DATASUD_DATABASES:-"datasud_demo datasud_test"}

say() { printf '[services] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  say "need root for: $*"; return 1; fi; }

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

apt_install() {
  say "installing $* from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# --- PostgreSQL ----------------------------------------------------------
if pg_up; then
  say "PostgreSQL answers on $PGHOST:$PGPORT: using it"
else
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql postgresql-contrib
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | grep -q "^$version main"; then
    say "creating PostgreSQL cluster $version/main"
    as_root pg_createcluster "$version" main >/dev/null
  fi
  say "starting PostgreSQL $version/main"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { say "PostgreSQL did not start: see /var/log/postgresql/"; exit 1; }
fi

# Run SQL as the PostgreSQL superuser: over TCP when trusted, else via the socket.
psql_admin() {
  if psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
    psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
  else
    as_root su postgres -c "psql -p $PGPORT -d postgres -v ON_ERROR_STOP=1 -qtA $(printf '%q ' "$@")"
  fi
}

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" != 1 ]; then
  say "creating PostgreSQL role $DB_USER"
  psql_admin -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_USER'"
fi
# The parallel tests copy datasud_test into one database per worker (conftest.py).
if [ "$(psql_admin -c "SELECT rolcreatedb FROM pg_roles WHERE rolname = '$DB_USER'")" != t ]; then
  say "letting role $DB_USER create databases (the test workers' copies of datasud_test)"
  psql_admin -c "ALTER ROLE $DB_USER CREATEDB"
fi
for db in $DATABASES; do
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    say "creating database $db (owner $DB_USER)"
    psql_admin -c "CREATE DATABASE $db OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0"
  fi
done
if ! psql -h "$PGHOST" -p "$PGPORT" -U "$DB_USER" -d "${DATABASES%% *}" -tAc 'SELECT 1' >/dev/null 2>&1; then
  say "cannot log in as $DB_USER on $PGHOST: allow it in pg_hba.conf (trust or md5 with password '$DB_USER')"
  exit 1
fi

# --- Redis ---------------------------------------------------------------
if redis_up; then
  say "Redis answers on 127.0.0.1:6379: using it"
else
  command -v redis-server >/dev/null || apt_install redis-server
  say "starting Redis on 127.0.0.1:6379"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/datasud.log
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
  redis_up || { say "Redis did not start: see /var/log/redis/datasud.log"; exit 1; }
fi
# --- Pango and fonts, for the agreements' letters (WeasyPrint draws the PDF with them) ----
if ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' && [ -d /usr/share/fonts/truetype/dejavu ]; then
  say "Pango and the DejaVu fonts found: the letters can be printed to PDF"
else
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
  ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' && say "Pango installed" \
    || say "Pango could not be installed: no letter can be generated (agreements/letters.py)"
fi
# --- Chromium, for the browser tests (Playwright drives Debian's build) -----
if [ -x /usr/bin/chromium ]; then
  say "Chromium found: /usr/bin/chromium"
else
  apt_install chromium
  [ -x /usr/bin/chromium ] && say "Chromium installed: /usr/bin/chromium" \
    || say "Chromium could not be installed: the browser tests (tests/ui/test_journeys.py) will fail"
fi
say "ready"
