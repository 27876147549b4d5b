"""Through the API at night and by day: a sign-in code never waits for the morning."""

import re

import pytest

from notifications.models import Message

pytestmark = pytest.mark.django_db


@pytest.mark.clock("03:00", "14:00")
def test_a_sign_in_code_is_texted_at_once_at_any_hour(
    api_client, sms_outbox, django_capture_on_commit_callbacks, clock
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/auth/code/", {"phone": "07700 900123"}, format="json")

    assert response.status_code == 202
    assert [s["to"] for s in sms_outbox] == ["+447700900123"]
    assert re.fullmatch(
        r"Your Blether code is \d{6}\. It works for 10 minutes\. Never share it\.",
        sms_outbox[0]["body"],
    )
    message = Message.objects.get(template="login_code")
    assert (message.status, message.not_before) == ("sent", clock)
