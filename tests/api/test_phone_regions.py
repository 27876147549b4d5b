"""Blether starts texts only to numbers in SMS_ALLOWED_REGIONS (default GB), against SMS pumping."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from meals import services
from meals.models import Signup
from notifications.models import Message
from people.errors import PhoneRegionNotAllowed
from people.models import LoginCode, User
from tests.factories import MealFactory

ONLY_UK = "Blether can only text UK mobile numbers."
ABROAD = [
    "+881 6 1234 5678",  # Iridium satellite phones
    "+234 803 123 4567",  # Nigeria
    "+86 138 1234 5678",  # China
    "+353 85 123 4567",  # Ireland, a mobile, still not ours to text
    "+44 7781 123456",  # Guernsey, inside +44
    "+44 7797 123456",  # Jersey, inside +44
    "+44 7624 123456",  # Isle of Man, inside +44
]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("phone", ABROAD)
def test_no_sign_in_code_goes_abroad(api_client, phone, sms_outbox):
    response = api_client.post("/api/auth/code/", {"phone": phone}, format="json")

    assert response.status_code == 400
    assert response.json() == {"phone": [ONLY_UK]}
    assert LoginCode.objects.count() == 0
    assert Message.objects.count() == 0
    assert sms_outbox == []


@pytest.mark.parametrize("phone", ["07700 900123", "+447537123456", "07700 954321"])
def test_uk_mobiles_still_get_their_code(api_client, phone, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/auth/code/", {"phone": phone}, format="json")

    assert response.status_code == 202
    assert LoginCode.objects.count() == 1


@pytest.mark.parametrize("phone", ABROAD)
def test_a_host_cannot_invite_a_guest_abroad(host_client, host, phone):
    meal = MealFactory(host=host, capacity=4)

    response = host_client.post(
        f"/api/meals/{meal.pk}/guests/", {"phone": phone, "name": "Far Away"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"phone": [ONLY_UK]}
    assert Signup.objects.count() == 0
    assert Message.objects.count() == 0
    assert User.objects.filter(display_name="Far Away").count() == 0


def test_the_invite_service_refuses_too_for_any_face(host):
    meal = MealFactory(host=host, capacity=4)

    with pytest.raises(PhoneRegionNotAllowed) as refused:
        services.guest_invite(meal=meal, host=host, phone="+2348031234567", name="Ade")

    assert refused.value.status_code == 400
    assert refused.value.detail == ONLY_UK
    assert Signup.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_region_can_be_allowed_by_setting(api_client, settings):
    settings.SMS_ALLOWED_REGIONS = ["GB", "JE", "IM"]

    jersey = api_client.post("/api/auth/code/", {"phone": "+447797123456"}, format="json")
    guernsey = api_client.post("/api/auth/code/", {"phone": "+447781123456"}, format="json")

    assert jersey.status_code == 202
    assert guernsey.status_code == 400
    assert guernsey.json() == {"phone": ["Blether can only text UK, JE or IM mobile numbers."]}


def test_an_unknown_region_code_in_the_setting_is_refused_at_start():
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "api.settings",
        "DEBUG": "1",
        "SMS_ALLOWED_REGIONS": "UK",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "SMS_ALLOWED_REGIONS needs region codes such as GB or GB,JE (not 'UK')." in result.stderr
