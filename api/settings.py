"""Django settings for Blether, read from the environment (12-factor).

Development defaults apply only when DEBUG is on; production refuses to start
without a SECRET_KEY, with DEBUG on together with ALLOWED_HOSTS=*.
"""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from api.beat import SCHEDULE

# Lets classes like admin.ModelAdmin[Venue] be written at run time as mypy reads them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS=* is refused; name the hosts.")

PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "api.admin_config.BletherAdminConfig",  # django.contrib.admin with Blether's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "people",
    "notifications",
    "venues",
    "meals",
    "api",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "api.urls"
WSGI_APPLICATION = "api.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context.blether",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default="postgis://blether:blether@127.0.0.1:5432/blether",
        engine="django.contrib.gis.db.backends.postgis",
    )
}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# Each serving thread keeps one connection for up to a minute (1.6-2x the requests/s of a
# connection per request: bench/RESULTS.md). gunicorn bounds the threads (3 x 4) and Celery its
# children (2): about 15 of PostgreSQL's 100. The development server starts a thread per
# request, so `make dev` sets 0. Health checks replace a connection a database restart killed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Two hot statements run as server-side prepared statements, planned a few times per connection
# rather than on every call: the nearby list (`meals.nearby`) and the dispatcher's per-text
# mark (`notifications.durability.run_prepared`). psycopg prepares only those, asked by name;
# Django's own cursors bind on the client and never prepare. Behind a pooler that cannot keep
# them (PgBouncer in transaction mode without `max_prepared_statements`), DATABASE_PREPARE=0
# runs them unprepared. (psycopg prepares any other statement after this many runs: never.)
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    PREPARE_ONLY_WHEN_ASKED if env.bool("DATABASE_PREPARE", default=True) else None
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A streaming replica for the searches (api/db_router.py): same settings as the primary but
# where it is; the test runner points it at the primary's test database.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **DATABASES["default"],
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ENGINE": DATABASES["default"]["ENGINE"],
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["api.db_router.ReplicaRouter"]

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="blether"),
        # Rate limits read the cache on every sign-in: a Redis that hangs must cost half a
        # second, not redis-py's 5 s default (people.ratelimit then counts in the database).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

AUTH_USER_MODEL = "people.User"
# The web's sessions restore their person through PersonBackend (one plain statement);
# passwords and permissions are ModelBackend's (people/backends.py).
AUTHENTICATION_BACKENDS = [
    "people.backends.PersonBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Behind a proxy in production; the proxy sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies stand in front of the API: with 0 the client is REMOTE_ADDR; with N it
# is the Nth X-Forwarded-For entry from the right (people.network.client_ip).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Rate limits for the API, the web pages and the admin, all counted by people.ratelimit:
# "N/period" with period s, min, hour or day, optionally multiplied ("5/15min").
RATE_LIMITS = {
    "login_code_phone_minute": env.str("THROTTLE_CODE_PHONE_MINUTE", default="1/min"),
    "login_code_phone_hour": env.str("THROTTLE_CODE_PHONE_HOUR", default="5/hour"),
    "login_code_ip": env.str("THROTTLE_CODE_IP", default="20/hour"),
    "login_token_ip": env.str("THROTTLE_TOKEN_IP", default="60/hour"),
    "host_messages": env.str("THROTTLE_HOST_MESSAGES", default="5/hour"),
    "guest_invites": env.str("THROTTLE_GUEST_INVITES", default="20/hour"),
    "sms_relays": env.str("THROTTLE_SMS_RELAYS", default="5/day"),
    "admin_login_ip": env.str("THROTTLE_ADMIN_LOGIN_IP", default="5/15min"),
    "admin_login_username": env.str("THROTTLE_ADMIN_LOGIN_USERNAME", default="5/15min"),
    "postcode_lookups": env.str("THROTTLE_POSTCODE_LOOKUPS", default="20/hour"),
    "meal_page_ip": env.str("THROTTLE_MEAL_PAGE_IP", default="30/min"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # 0 must stay 0: DRF reads None as "trust the whole X-Forwarded-For header".
    "NUM_PROXIES": NUM_PROXIES,
    # DRF's throttles here are adapters over people.ratelimit, which reads RATE_LIMITS itself.
    "DEFAULT_THROTTLE_RATES": RATE_LIMITS,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Blether API",
    "DESCRIPTION": "Shared lunches and street teas between neighbours, by app or by SMS.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "ENUM_NAME_OVERRIDES": {
        "MealKindEnum": "meals.models.Meal.Kind",
        "VenueKindEnum": "venues.models.Venue.Kind",
        "SignupStatusEnum": "meals.models.Signup.Status",
        "MealStatusEnum": "meals.models.Meal.Status",
        "BookingStatusEnum": "venues.models.Booking.Status",
        "SeriesStatusEnum": "meals.models.MealSeries.Status",
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI assets come from the sidecar package, so /api/docs/ works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis is only a transport; the database is the source of truth.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing fails fast when Redis is down or hangs: the outbox row is already committed and
# the sweep queues it once Redis is back, so a sign-in or a host's message never waits on
# kombu's retries (5-25 s against a hung Redis before). One try with 1 s timeouts; a
# connection that died with a restarted Redis is still reopened by redis-py on that try.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TIMEZONE = TIME_ZONE
# Three queues, so a fan-out of invitations never holds up a sign-in code: `sms` (sending and
# the outbox sweep), `nudges` (invitations, reminders, feedback questions), `default` (the
# rest). A worker started without -Q consumes all three; scale one queue with its own workers.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in ("sms", "nudges", "default")]
CELERY_TASK_ROUTES = {
    "notifications.tasks.*": {"queue": "sms"},
    "meals.nudges.*": {"queue": "nudges"},
}
CELERY_BEAT_SCHEDULE = SCHEDULE  # api/beat.py: every periodic task

# SMS
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN):
    raise ImproperlyConfigured("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
# How long the SDK waits for Twilio; no answer in time means the text's fate is unknown.
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)
# Texts one sender may start per second, across all workers (0: no limit).
SMS_SENDS_PER_SECOND = env.int("SMS_SENDS_PER_SECOND", default=0)
# Tries per text, the first included, before a temporary failure (429, 5xx) is final.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=6)
# Wait before retry n: base * 2^(n-1) seconds, at most the cap (invitations, reminders, replies).
SMS_BACKOFF_BASE_SECONDS = env.int("SMS_BACKOFF_BASE_SECONDS", default=30)
SMS_BACKOFF_CAP_SECONDS = env.int("SMS_BACKOFF_CAP_SECONDS", default=3600)
# Sign-in codes are retried within seconds: the waits before retries 1, 2, 3... (last repeats).
SMS_LOGIN_BACKOFF_SECONDS = env.list("SMS_LOGIN_BACKOFF_SECONDS", cast=int, default=[2, 4, 8])
# A text begun this long ago and unfinished has lost its worker mid-call: it becomes `unknown`,
# never resent.
SMS_SENDING_TIMEOUT_SECONDS = env.int("SMS_SENDING_TIMEOUT_SECONDS", default=300)
# A worker's claim on a batch; rows it has not begun to send by then go back to the queue.
SMS_CLAIM_LEASE_SECONDS = env.int("SMS_CLAIM_LEASE_SECONDS", default=30)
# Invitations and feedback questions (category `nudge`, the texts that go out by the thousand)
# are marked begun this many at a time, in one statement; every other text one at a time.
# A worker that dies mid-group leaves at most this many invitations `unknown`, never resent.
SMS_NUDGE_MARK_BATCH = env.int("SMS_NUDGE_MARK_BATCH", default=10)
if SMS_MAX_ATTEMPTS < 1 or SMS_CLAIM_LEASE_SECONDS < 1 or SMS_NUDGE_MARK_BATCH < 1:
    raise ImproperlyConfigured(
        "SMS_MAX_ATTEMPTS, SMS_CLAIM_LEASE_SECONDS and SMS_NUDGE_MARK_BATCH must be 1 or more."
    )
if (
    not SMS_LOGIN_BACKOFF_SECONDS
    or min([*SMS_LOGIN_BACKOFF_SECONDS, SMS_SENDS_PER_SECOND, SMS_BACKOFF_BASE_SECONDS]) < 0
):
    raise ImproperlyConfigured(
        "SMS_LOGIN_BACKOFF_SECONDS needs at least one wait; SMS waits and rates cannot be negative."
    )
if SMS_SENDING_TIMEOUT_SECONDS <= TWILIO_TIMEOUT_SECONDS * SMS_NUDGE_MARK_BATCH:
    raise ImproperlyConfigured(
        "SMS_SENDING_TIMEOUT_SECONDS must be longer than TWILIO_TIMEOUT_SECONDS times "
        "SMS_NUDGE_MARK_BATCH: the last text of a group marked begun together may wait that long "
        "for its call."
    )

# The web front end (web/): sign-in by SMS code into a session kept in the database, so web
# processes stay stateless. The cookie is httpOnly and SameSite=Lax; Secure when DEBUG is off.
SESSION_ENGINE = "web.sessions"  # the database, read with one plain statement
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 30)
CSRF_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "web:sign-in"
CSRF_FAILURE_VIEW = "web.views.pwa.csrf_failure"

# Sign-in codes
LOGIN_CODE_TTL_SECONDS = env.int("LOGIN_CODE_TTL_SECONDS", default=600)
LOGIN_CODE_MAX_ATTEMPTS = env.int("LOGIN_CODE_MAX_ATTEMPTS", default=5)
if LOGIN_CODE_TTL_SECONDS < 60 or LOGIN_CODE_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "LOGIN_CODE_TTL_SECONDS must be 60 or more and LOGIN_CODE_MAX_ATTEMPTS 1 or more."
    )
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="GB")
# Regions (ISO 3166 codes as libphonenumber names them) whose numbers Blether may start
# texting: sign-in codes and invitations. +44 also covers GG, JE and IM; list them to allow them.
SMS_ALLOWED_REGIONS = [r.strip().upper() for r in env.list("SMS_ALLOWED_REGIONS", default=["GB"])]
if not SMS_ALLOWED_REGIONS or set(SMS_ALLOWED_REGIONS) - phonenumbers.SUPPORTED_REGIONS:
    raise ImproperlyConfigured(
        "SMS_ALLOWED_REGIONS needs region codes such as GB or GB,JE "
        f"(not {','.join(SMS_ALLOWED_REGIONS)!r})."
    )
# The number people text (START after STOP, for one), as Blether tells them; the sender by default.
SMS_PUBLIC_NUMBER = env.str("SMS_PUBLIC_NUMBER", default=TWILIO_FROM_NUMBER)

# Postcodes: a postcodes.io-compatible service (`https://api.postcodes.io` in production);
# empty uses the table of outward codes shipped in people/places/outward.py alone.
POSTCODES_API_URL = env.str("POSTCODES_API_URL", default="").rstrip("/")
# How long a lookup waits to connect, and then for each read, before the table stands in.
POSTCODES_TIMEOUT_SECONDS = env.float("POSTCODES_TIMEOUT_SECONDS", default=2.0)
if POSTCODES_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured("POSTCODES_TIMEOUT_SECONDS must be more than 0.")

# Debian 12 ships GDAL 3.6; we never read spatial references from user files.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Its debug lines name the paths it fetches, and a postcode lookup's path is a postcode.
        "urllib3": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # HTTPS only: plain HTTP is redirected (behind the proxy's X-Forwarded-Proto) and browsers
    # are told never to try it again. The localhost compose stack turns both off by env.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Container health checks call http://127.0.0.1:8000/healthz directly, past the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
