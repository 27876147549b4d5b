#!/usr/bin/env bash
# Serve the API on :8000 with one Celery worker and beat; Ctrl-C stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}" SMS_BACKEND="${SMS_BACKEND:-console}"
mkdir -p var
.venv/bin/celery -A api worker --beat --queues sms,nudges,default --loglevel INFO --concurrency 2 \
    --schedule var/celerybeat-schedule &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
echo "Blether on http://localhost:8000  (docs: /api/docs/, admin: /admin/, health: /healthz)"
.venv/bin/python manage.py runserver "${BIND:-0.0.0.0:8000}" --noreload
