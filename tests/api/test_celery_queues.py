"""Celery's three queues: texts (`sms`), neighbour nudges (`nudges`) and the rest (`default`).

Routing is checked twice: by the app's own router for every registered task, and by sending one
message per task to the real Redis broker and reading back which list it landed in.
"""

import json

import pytest
import redis
from django.conf import settings

from api.celery import app

QUEUES = ["sms", "nudges", "default"]
EXPECTED = {
    "notifications.tasks.send_message": "sms",
    "notifications.tasks.dispatch_due": "sms",
    "notifications.tasks.sweep_outbox": "sms",
    "meals.nudges.invitations_queue": "nudges",
    "meals.nudges.queue_reminders": "nudges",
    "meals.nudges.queue_host_safety_reminders": "nudges",
    "meals.nudges.queue_feedback_questions": "nudges",
    "meals.tasks.complete_finished_meals": "default",
    "meals.tasks.expire_guest_holds": "default",
    "people.tasks.purge_login_codes": "default",
}


def registered_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_each_task_is_routed_to_its_queue():
    tasks = registered_tasks()
    # A task renamed or moved must be given its queue again here.
    assert set(EXPECTED) <= tasks
    assert {name: queue_of(name) for name in EXPECTED} == EXPECTED
    # Any task added later lands in one of the three, never in a queue nobody consumes.
    assert {queue_of(name) for name in tasks} <= set(QUEUES)


def test_a_worker_without_queue_options_consumes_all_three():
    assert [q.name for q in app.amqp.queues.consume_from.values()] == QUEUES
    assert app.conf.task_default_queue == "default"


def test_every_scheduled_task_exists_and_has_a_queue():
    tasks = registered_tasks()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= tasks
    assert {queue_of(name) for name in scheduled} == set(QUEUES)


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_task_sent_to_the_broker_lands_in_its_queue():
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete(*QUEUES)
    try:
        # A connection of its own: other tests point the app's pools at brokers they stop.
        with app.connection_for_write() as connection:
            for name in EXPECTED:
                app.send_task(name, connection=connection)
        landed = {
            queue: sorted(json.loads(raw)["headers"]["task"] for raw in broker.lrange(queue, 0, -1))
            for queue in QUEUES
        }
    finally:
        broker.delete(*QUEUES)
        broker.close()
    assert landed == {
        queue: sorted(name for name, wanted in EXPECTED.items() if wanted == queue)
        for queue in QUEUES
    }
