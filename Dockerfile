# Blether API image: the same code runs as api (gunicorn), worker and beat (celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# GeoDjango loads GDAL and GEOS at start-up; Debian 12 ships GDAL 3.6 and GEOS 3.11.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gdal-bin libgdal32 libgeos-c1v5 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system blether \
    && useradd --system --gid blether --home-dir /app --shell /usr/sbin/nologin blether

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY --chown=blether:blether . .
RUN mkdir -p var && chown blether:blether var

USER blether

# Settings refuse to start without SECRET_KEY when DEBUG is off; this key exists only for this step.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-key ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

EXPOSE 8000

# gthread workers, backlog and an access log without query strings: gunicorn.conf.py.
CMD ["gunicorn", "api.wsgi:application", "--config", "gunicorn.conf.py"]
