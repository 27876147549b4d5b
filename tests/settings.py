"""The test suite's settings: api.settings with the test environment filled in.

pytest-django loads this module (pyproject.toml), so plain `pytest` runs the suite against
the PostGIS in DATABASE_URL and the Redis in REDIS_URL. What the environment already holds
wins (the Makefile's values, a DATABASE_URL of your own). The values go into os.environ, not
only into this module, because api.settings reads the environment when it is imported, and
so that processes the tests start (gunicorn, Celery workers, `manage.py`) see the same ones.
"""

import os

TEST_ENVIRONMENT = {
    "DEBUG": "1",
    "SECRET_KEY": "test-only-secret-key-of-forty-characters-xx",
    "CELERY_TASK_ALWAYS_EAGER": "1",
    "SMS_BACKEND": "console",
    "PUBLIC_BASE_URL": "https://blether.test",
    "CACHE_KEY_PREFIX": "blether-test",
}

for _name, _value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

from api.settings import *  # noqa: E402, F403
