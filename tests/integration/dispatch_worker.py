"""One dispatch worker process for the crash test: sends due rows until none are left.

Run with DATABASE_URL naming the test database and SMS_BACKEND=twilio pointed at the
fake server. Prints one line when done: the counts it saw.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")

import django

django.setup()

from tests.clock import follow_session_clock  # noqa: E402

follow_session_clock()

from django.conf import settings  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from notifications.dispatch import dispatch_due  # noqa: E402
from notifications.models import Message  # noqa: E402

# Retry at once, so a short test sees every temporary failure through to its end.
settings.SMS_BACKOFF_BASE_SECONDS = 0


def main() -> None:
    totals: dict[str, int] = {}
    idle = 0
    while idle < 3:
        counts = dispatch_due(limit=50, claim_size=int(os.environ.get("CLAIM_SIZE", "5")))
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        if counts:
            idle = 0
            continue
        # Rows claimed by a worker that died come back when its lease lapses: wait for them
        # (not for the one it had begun: that waits for the sweep, and goes nowhere else).
        due = Message.objects.filter(
            Q(status="queued", not_before__lte=timezone.now())
            | Q(status="claimed", sending_started_at__isnull=True)
        ).exists()
        idle = 0 if due else idle + 1
        time.sleep(0.1)
    print(json.dumps(totals), flush=True)


if __name__ == "__main__":
    main()
