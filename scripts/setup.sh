#!/usr/bin/env bash
# Make a machine ready to run or test Blether.
#
# Installs what is missing (PostgreSQL + PostGIS, GDAL, Redis, Python deps in .venv),
# uses DATABASE_URL / REDIS_URL when they answer and otherwise starts local servers,
# creates the database with the postgis and btree_gist extensions. Safe to run again.
set -euo pipefail

# --with-browser (make test): also Debian's chromium and fonts, for the browser tests, and
# poppler-utils, whose pdftoppm renders the flyer so its QR code is read back as printed.
WITH_BROWSER=0
for arg in "$@"; do
    case "$arg" in
        --with-browser) WITH_BROWSER=1 ;;
        *) echo "unknown option: $arg" >&2; exit 2 ;;
    esac
done

cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

: "${DATABASE_URL:=postgis://blether:blether@127.0.0.1:5432/blether}"
: "${REDIS_URL:=redis://127.0.0.1:6379/0}"
export DATABASE_URL REDIS_URL

libpq_url() { printf '%s' "${1/#postgis:\/\//postgresql://}"; }
DB_LIBPQ="$(libpq_url "$DATABASE_URL")"
DB_NAME="${DB_LIBPQ##*/}"
DB_NAME="${DB_NAME%%\?*}"

apt_updated=0
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null; then
        echo "Missing packages ${missing[*]} and no apt-get here: install them by hand." >&2
        exit 1
    fi
    say "Installing ${missing[*]}"
    if [ $apt_updated -eq 0 ]; then
        $SUDO apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- system packages -------------------------------------------------------
apt_install gdal-bin postgresql-client redis-tools
if [ "$WITH_BROWSER" -eq 1 ]; then
    # The browser tests launch /usr/bin/chromium themselves; never `playwright install`.
    apt_install chromium fonts-liberation poppler-utils
fi

db_answers() { psql "$DB_LIBPQ" -Atqc "select 1" >/dev/null 2>&1; }
redis_answers() { redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG; }

# --- PostgreSQL with PostGIS ----------------------------------------------
if db_answers; then
    say "Database at DATABASE_URL answers"
else
    apt_install postgresql
    PGVER="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    apt_install "postgresql-${PGVER}-postgis-3"
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
        say "Creating PostgreSQL ${PGVER} cluster"
        $SUDO pg_createcluster "$PGVER" main >/dev/null
    fi
    CLUSTER="$(pg_lsclusters -h | awk 'NR==1{print $1" "$2}')"
    if ! pg_lsclusters -h | awk 'NR==1{print $4}' | grep -q online; then
        say "Starting PostgreSQL ${CLUSTER}"
        # shellcheck disable=SC2086
        $SUDO pg_ctlcluster --skip-systemctl-redirect $CLUSTER start
    fi
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
    say "Creating role and database for local development"
    as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
    as_postgres psql -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'blether') THEN
    CREATE ROLE blether LOGIN SUPERUSER PASSWORD 'blether';
  END IF;
END $$;
SQL
    as_postgres psql -Atqc "select 1 from pg_database where datname='$DB_NAME'" | grep -q 1 \
        || as_postgres createdb -O blether "$DB_NAME"
    db_answers || { echo "PostgreSQL started but DATABASE_URL still does not answer: $DATABASE_URL" >&2; exit 1; }
fi

# The extension packages must be on the database server's machine; check they are.
if ! psql "$DB_LIBPQ" -Atqc "select 1 from pg_available_extensions where name='postgis'" | grep -q 1; then
    PGVER="$(psql "$DB_LIBPQ" -Atqc "show server_version_num" | cut -c1-2)"
    apt_install "postgresql-${PGVER}-postgis-3"
fi
psql "$DB_LIBPQ" -qc "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS btree_gist;" >/dev/null

# --- Redis -----------------------------------------------------------------
if redis_answers; then
    say "Redis at REDIS_URL answers"
else
    apt_install redis-server
    say "Starting Redis on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
        --dir /tmp --logfile "" >/dev/null
    for _ in $(seq 1 20); do redis_answers && break; sleep 0.5; done
    redis_answers || { echo "Redis did not start" >&2; exit 1; }
fi

# --- Python ----------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Blether needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version)." >&2
    exit 1
fi
if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    apt_install python3-venv
fi
if [ ! -x .venv/bin/python ]; then
    say "Creating .venv"
    "$PYTHON" -m venv .venv
fi
LOCK_SUM="$(sha256sum requirements-dev.lock | cut -c1-16)"
if [ ! -f ".venv/.installed-$LOCK_SUM" ]; then
    say "Installing Python dependencies from requirements-dev.lock"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements-dev.lock
    rm -f .venv/.installed-*
    touch ".venv/.installed-$LOCK_SUM"
fi
say "Ready"
