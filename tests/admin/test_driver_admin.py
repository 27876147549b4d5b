"""An organisation's officer records in the admin that a volunteer driver has been checked."""

import pytest
from django.test import Client

from meals.models import Driver
from notifications.models import Message
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory
from tests.lift_world import driver, guest_with_lift, lunch

pytestmark = [pytest.mark.django_db, pytest.mark.clock("14:00")]


def _admin(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _officer():
    return MembershipFactory(person__is_staff=True).person


def _act(client, action: str, drivers) -> int:
    response = client.post(
        "/admin/meals/driver/", {"action": action, "_selected_action": [d.pk for d in drivers]}
    )
    return response.status_code


def test_an_officer_checks_a_driver_who_then_sees_requests():
    officer = _officer()
    ann = driver(checked=False)
    guest_with_lift(lunch())
    client = _admin(officer)

    listing = client.get("/admin/meals/driver/")
    assert listing.status_code == 200
    assert [d.pk for d in listing.context["cl"].result_list] == [ann.pk]
    assert ann.person.phone not in listing.content.decode()
    assert _act(client, "check_selected", [ann]) == 302

    ann.refresh_from_db()
    organisation = officer.memberships.get().organisation
    assert (ann.checked_by, ann.checked_at is not None) == (organisation, True)
    assert len(client_for(ann.person).get("/api/lifts/").json()["results"]) == 1


def test_only_the_organisation_that_checked_a_driver_takes_the_check_back():
    ann = driver()  # checked by another organisation
    mine = driver(name="Rab Muir", checked=False)
    officer = _officer()
    client = _admin(officer)
    _act(client, "check_selected", [mine])

    assert _act(client, "uncheck_selected", [ann, mine]) == 302

    checked = dict(Driver.objects.values_list("pk", "checked_by"))
    assert checked[mine.pk] is None
    assert ann.checked_by_id is not None
    assert checked[ann.pk] == ann.checked_by_id


def test_people_who_are_not_officers_cannot_reach_drivers():
    driver(checked=False)
    resident = UserFactory(is_staff=True)  # staff, but of no organisation

    assert _admin(resident).get("/admin/meals/driver/").status_code == 403


def test_a_driver_whose_check_is_taken_back_no_longer_holds_lifts_nor_sees_the_notes():
    ann = driver()
    officer = MembershipFactory(person__is_staff=True, organisation=ann.checked_by).person
    lift = guest_with_lift(lunch(), note="14 Ardrossan Road")
    ann_client = client_for(ann.person)
    assert ann_client.post(f"/api/lifts/{lift.pk}/take/").status_code == 200

    assert _act(_admin(officer), "uncheck_selected", [ann]) == 302

    lift.refresh_from_db()
    assert (lift.status, lift.driver_id) == ("open", None)
    assert ann_client.get(f"/api/lifts/{lift.pk}/").status_code == 404
    assert ann_client.get("/api/me/drives/").json() == []
    reopened = Message.objects.get(recipient=lift.guest, template="lift_reopened")
    assert reopened.body.startswith("Sorry, Ann can't drive you to Lunch at the Hub")
