"""A superuser editing a person in the admin never writes back what texts set meanwhile."""

import pytest
from django import forms
from django.test import Client
from django.utils import timezone

from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def as_posted(form) -> dict:
    """The form's fields as a browser would post them back unchanged."""
    data: dict = {}
    for field in form:
        value = field.value()
        widget = getattr(field.field.widget, "widget", field.field.widget)
        if isinstance(widget, forms.MultiWidget):
            for n, part in enumerate(widget.decompress(value)):
                data[f"{field.html_name}_{n}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = "" if value is None else str(value)
    return data


def test_a_stop_that_arrives_while_the_form_is_open_survives_its_save():
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    person = UserFactory(display_name="Morag Reid", sms_nudges=True, undelivered_streak=2)
    page = f"/admin/people/user/{person.pk}/change/"
    form = admin.get(page).context["adminform"].form
    stopped_at = timezone.now()
    # Meanwhile: STOP, a pause and an invalid-number report, written as the texts write them.
    User.objects.filter(pk=person.pk).update(
        sms_opted_out_at=stopped_at, sms_paused=True, undelivered_streak=3, phone_invalid=True
    )

    response = admin.post(page, {**as_posted(form), "display_name": "Morag R."})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "Morag R."
    assert person.sms_nudges is True
    assert (
        person.sms_opted_out_at,
        person.sms_paused,
        person.undelivered_streak,
        person.phone_invalid,
    ) == (stopped_at, True, 3, True)
