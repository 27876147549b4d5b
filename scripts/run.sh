#!/usr/bin/env bash
# Serve Blether on :8000 as production does (gunicorn, see gunicorn.conf.py) with one Celery
# worker and beat; `run.sh --dev` serves with Django's autoreloading development server
# instead. Ctrl-C stops all of it. BIND=host:port changes the address.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}" SMS_BACKEND="${SMS_BACKEND:-console}"
export BIND="${BIND:-0.0.0.0:8000}"
mkdir -p var
if [ "${1:-}" != "--dev" ]; then
    .venv/bin/python manage.py collectstatic --noinput --verbosity 0
fi
.venv/bin/celery -A api worker --beat --queues sms,nudges,default --loglevel INFO --concurrency 2 \
    --schedule var/celerybeat-schedule &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
echo "Blether on http://${BIND/0.0.0.0/localhost}  (docs: /api/docs/, admin: /admin/, health: /healthz)"
if [ "${1:-}" = "--dev" ]; then
    # A thread per request: a kept connection per thread would pile up (api/settings.py).
    CONN_MAX_AGE=0 .venv/bin/python manage.py runserver "$BIND"
else
    .venv/bin/gunicorn api.wsgi:application --config gunicorn.conf.py
fi
