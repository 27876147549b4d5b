"""Celery beat's timetable: every periodic task, by name. Read by `api.settings`."""

from celery.schedules import crontab

SCHEDULE = {
    "people-purge-login-codes": {
        "task": "people.tasks.purge_login_codes",
        "schedule": crontab(minute=17, hour="3"),
    },
    "web-purge-sessions": {
        "task": "web.tasks.purge_sessions",
        "schedule": crontab(minute=27, hour="3"),
    },
    "notifications-sweep": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    # Texts a dead worker had claimed but not begun go back to the queue within seconds.
    "notifications-release-claims": {
        "task": "notifications.tasks.release_claims",
        "schedule": 10.0,
    },
    "meals-complete-finished": {
        "task": "meals.tasks.complete_finished_meals",
        "schedule": 300.0,
    },
    "meals-reminders": {
        "task": "meals.nudges.queue_reminders",
        "schedule": 300.0,
    },
    "meals-host-safety-reminders": {
        "task": "meals.nudges.queue_host_safety_reminders",
        "schedule": 900.0,
    },
    "meals-expire-guest-holds": {
        "task": "meals.tasks.expire_guest_holds",
        "schedule": 600.0,
    },
    "meals-flag-unmatched-lifts": {
        "task": "meals.tasks.flag_unmatched_lifts",
        "schedule": 900.0,
    },
    "meals-forget-pickup-notes": {
        "task": "meals.tasks.forget_pickup_notes",
        "schedule": 300.0,
    },
    # Each running series' next 8 weeks of dates, written ahead (idempotent).
    "meals-series-occurrences": {
        "task": "meals.tasks.write_series_occurrences",
        "schedule": crontab(minute=40, hour="*"),
    },
    "meals-feedback-questions": {
        "task": "meals.nudges.queue_feedback_questions",
        "schedule": crontab(minute=5, hour="9"),
    },
}
