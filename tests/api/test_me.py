"""/api/me/ and /api/me/export/: a person reads, changes, exports and deletes their own record."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from notifications.models import Message
from notifications.services import notify
from people.models import LoginCode, User
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.notifications.twilio_helpers import TOKEN, post_signed

pytestmark = pytest.mark.django_db


def test_get_me_shows_my_record(resident, resident_client):
    MembershipFactory(person=resident, organisation=OrganisationFactory(name="Cunninghame HA"))

    response = resident_client.get("/api/me/")

    assert response.status_code == 200
    organisation = resident.memberships.get().organisation
    assert response.json() == {
        "id": resident.pk,
        "phone": resident.phone,
        "display_name": "Morag Reid",
        "home_location": {"lat": 55.6336, "lng": -4.7842},
        "nudge_radius_km": 2.0,
        "sms_nudges": False,
        "quiet_hours": {"start": "21:00", "end": "09:00"},
        "dietary_needs": "",
        "access_needs": "",
        "organisations": [{"id": organisation.pk, "name": "Cunninghame HA", "role": "staff"}],
    }


def test_home_location_is_stored_rounded_to_about_100_m(resident, resident_client):
    response = resident_client.patch(
        "/api/me/", {"home_location": {"lat": 55.6361987, "lng": -4.7849512}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["home_location"] == {"lat": 55.636, "lng": -4.785}
    resident.refresh_from_db()
    assert (resident.home_location.y, resident.home_location.x) == (55.636, -4.785)
    assert resident.home_location.srid == 4326


def test_home_location_can_be_cleared(resident, resident_client):
    response = resident_client.patch("/api/me/", {"home_location": None}, format="json")

    assert response.status_code == 200
    assert response.json()["home_location"] is None
    resident.refresh_from_db()
    assert resident.home_location is None


def test_profile_fields_change_together(resident, resident_client):
    response = resident_client.patch(
        "/api/me/",
        {
            "display_name": "Morag R",
            "nudge_radius_km": 3.5,
            "sms_nudges": True,
            "quiet_hours": {"start": "22:30", "end": "07:45"},
            "dietary_needs": "No pork",
            "access_needs": "Step-free, please",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Morag R"
    assert body["nudge_radius_km"] == 3.5
    assert body["sms_nudges"] is True
    assert body["quiet_hours"] == {"start": "22:30", "end": "07:45"}
    assert body["dietary_needs"] == "No pork"
    assert body["access_needs"] == "Step-free, please"
    resident.refresh_from_db()
    assert resident.nudge_radius_km == Decimal("3.5")
    assert (resident.quiet_start, resident.quiet_end) == (dt.time(22, 30), dt.time(7, 45))


def test_quiet_hours_accept_seconds_and_drop_them(resident, resident_client):
    response = resident_client.patch(
        "/api/me/", {"quiet_hours": {"start": "20:15:59", "end": "08:00:00"}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["quiet_hours"] == {"start": "20:15", "end": "08:00"}
    resident.refresh_from_db()
    assert resident.quiet_start == dt.time(20, 15)


@pytest.mark.parametrize("radius", ["0.5", "20", 0.5, 20])
def test_nudge_radius_bounds_are_inclusive(resident_client, radius):
    response = resident_client.patch("/api/me/", {"nudge_radius_km": radius}, format="json")

    assert response.status_code == 200
    assert response.json()["nudge_radius_km"] == float(radius)


@pytest.mark.parametrize("radius", [0.4, 0, -1, 20.1, 100, "2.55", "far", None, True])
def test_nudge_radius_out_of_bounds_is_a_400(resident, resident_client, radius):
    response = resident_client.patch("/api/me/", {"nudge_radius_km": radius}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"nudge_radius_km"}
    resident.refresh_from_db()
    assert resident.nudge_radius_km == Decimal("2")


def test_unknown_and_read_only_fields_are_ignored(resident, resident_client):
    phone = resident.phone
    response = resident_client.patch(
        "/api/me/",
        {
            "phone": "+447700900999",
            "id": 999999,
            "is_staff": True,
            "has_app": False,
            "organisations": [{"id": 1, "name": "Mine now", "role": "admin"}],
            "favourite_biscuit": "tunnock's",
            "display_name": "Morag",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["phone"] == phone
    assert response.json()["display_name"] == "Morag"
    resident.refresh_from_db()
    assert (resident.phone, resident.is_staff, resident.has_app) == (phone, False, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sms_nudges": "perhaps"}, "sms_nudges"),
        ({"display_name": ["Morag"]}, "display_name"),
        ({"display_name": "M" * 81}, "display_name"),
        ({"dietary_needs": {"no": "pork"}}, "dietary_needs"),
        ({"home_location": "55.63,-4.78"}, "home_location"),
        ({"home_location": [55.63, -4.78]}, "home_location"),
        ({"home_location": {"lat": 91, "lng": 0}}, "home_location"),
        ({"home_location": {"lat": 55.6}}, "home_location"),
        ({"home_location": {"lat": "north", "lng": 0}}, "home_location"),
        ({"quiet_hours": "21:00-09:00"}, "quiet_hours"),
        ({"quiet_hours": {"start": "21:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "25:00", "end": "09:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "9pm", "end": "9am"}}, "quiet_hours"),
    ],
)
def test_bad_types_are_a_400_naming_the_field(resident, resident_client, body, field):
    before = MeSnapshot.of(resident)

    response = resident_client.patch("/api/me/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert MeSnapshot.of(resident) == before


def test_the_point_error_is_plain_english(resident_client):
    response = resident_client.patch("/api/me/", {"home_location": "here"}, format="json")

    assert response.json() == {"home_location": ['Give a point as {"lat": 55.64, "lng": -4.78}.']}


def test_one_bad_field_means_nothing_is_written(resident, resident_client):
    response = resident_client.patch(
        "/api/me/", {"display_name": "Changed", "nudge_radius_km": 99}, format="json"
    )

    assert response.status_code == 400
    resident.refresh_from_db()
    assert resident.display_name == "Morag Reid"


@pytest.mark.parametrize("body", ["[]", '"hello"', "{not json"])
def test_a_body_that_is_not_an_object_is_a_400(resident_client, body):
    response = resident_client.generic("PATCH", "/api/me/", body, content_type="application/json")

    assert response.status_code == 400


def test_a_form_post_is_refused_as_unsupported(resident_client):
    response = resident_client.patch("/api/me/", {"display_name": "x"}, format="multipart")

    assert response.status_code == 415


def test_delete_me_anonymises_me_and_my_tokens_stop_working(resident):
    refresh = RefreshToken.for_user(resident)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh.access_token}")
    LoginCode.objects.create(phone=resident.phone, code_hash="x", expires_at=resident.date_joined)

    response = client.delete("/api/me/")

    assert response.status_code == 204
    resident.refresh_from_db()
    assert resident.phone is None
    assert resident.display_name == ""
    assert resident.home_location is None
    assert resident.is_active is False
    assert resident.anonymised_at is not None
    assert LoginCode.objects.count() == 0
    assert client.get("/api/me/").status_code == 401
    refused = APIClient().post("/api/auth/token/refresh/", {"refresh": str(refresh)})
    assert refused.status_code == 401


def test_after_deleting_me_the_same_phone_signs_up_afresh(resident, resident_client):
    phone, old_id = resident.phone, resident.pk
    resident_client.delete("/api/me/")

    fresh = User.objects.create_user(phone)

    assert fresh.pk != old_id
    assert User.objects.filter(phone=phone).count() == 1


def test_export_contains_everything_about_me(resident, resident_client):
    notify(
        template="login_code",
        context={"code": "123456"},
        dedupe_key="test-export:1",
        recipient=resident,
    )
    MembershipFactory(person=resident, organisation=OrganisationFactory(name="Irvine Trust"))

    response = resident_client.get("/api/me/export/")

    assert response.status_code == 200
    body = response.json()
    assert body["person"]["id"] == resident.pk
    assert body["person"]["phone"] == resident.phone
    assert body["person"]["display_name"] == "Morag Reid"
    assert body["person"]["home_location"] == {"lat": 55.6336, "lng": -4.7842}
    assert body["person"]["quiet_hours"] == {"start": "21:00", "end": "09:00"}
    assert body["person"]["has_app"] is True
    assert [o["name"] for o in body["organisations"]] == ["Irvine Trust"]
    assert [(m["template"], m["status"]) for m in body["messages_sent_to_me"]] == [
        ("login_code", Message.objects.get().status)
    ]
    assert "Your Blether code" not in response.content.decode()


def test_export_is_only_mine(resident_client, host):
    notify(template="login_code", context={"code": "1"}, dedupe_key="x:1", recipient=host)

    body = resident_client.get("/api/me/export/").json()

    assert host.phone not in str(body)
    assert body["messages_sent_to_me"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/me/"),
        ("patch", "/api/me/"),
        ("delete", "/api/me/"),
        ("get", "/api/me/export/"),
    ],
)
def test_me_needs_a_token(api_client, method, path):
    assert getattr(api_client, method)(path).status_code == 401


class MeSnapshot(tuple):
    @classmethod
    def of(cls, person: User) -> "MeSnapshot":
        person.refresh_from_db()
        home = person.home_location
        return cls(
            (
                person.display_name,
                (home.x, home.y) if home else None,
                person.nudge_radius_km,
                person.sms_nudges,
                person.quiet_start,
                person.quiet_end,
                person.dietary_needs,
                person.access_needs,
            )
        )


@pytest.mark.parametrize("text", ['"Mor\\u0000ag"', '"Mor\\ud800ag"'])
def test_text_postgres_cannot_store_is_a_400(resident, resident_client, text):
    body = '{"display_name": ' + text + "}"

    response = resident_client.generic("PATCH", "/api/me/", body, content_type="application/json")

    assert response.status_code == 400
    resident.refresh_from_db()
    assert resident.display_name == "Morag Reid"


def test_leaving_forgets_my_number_and_texts_in_the_outbox(resident_client, resident):
    sent = notify(
        template="login_code", context={"code": "111111"}, dedupe_key="old", recipient=resident
    )
    Message.objects.filter(pk=sent.pk).update(status="sent")
    waiting = notify(
        template="login_code", context={"code": "222222"}, dedupe_key="new", recipient=resident
    )

    assert resident_client.delete("/api/me/").status_code == 204

    rows = {m.pk: m for m in Message.objects.filter(pk__in=[sent.pk, waiting.pk])}
    assert [(rows[sent.pk].status, rows[sent.pk].to_phone, rows[sent.pk].body)] == [
        ("sent", "", "")
    ]
    assert [(rows[waiting.pk].status, rows[waiting.pk].to_phone, rows[waiting.pk].body)] == [
        ("suppressed", "", "")
    ]


def test_quiet_hours_that_start_and_end_together_are_refused(resident_client, resident):
    response = resident_client.patch(
        "/api/me/", {"quiet_hours": {"start": "22:00", "end": "22:00"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "quiet_hours": {"end": ["Quiet hours must end at a different time from when they start."]}
    }
    resident.refresh_from_db()
    assert (resident.quiet_start, resident.quiet_end) == (dt.time(21, 0), dt.time(9, 0))


def test_leaving_keeps_no_trace_of_who_sent_my_texts(resident_client, resident):
    from api.models import InboundSms

    InboundSms.objects.create(
        message_sid="SM" + "1" * 32, person=resident, command="yes", reply="See you"
    )
    assert resident_client.get("/api/me/export/").json()["texts_from_me"][0]["command"] == "yes"

    assert resident_client.delete("/api/me/").status_code == 204

    row = InboundSms.objects.get(message_sid="SM" + "1" * 32)
    assert (row.person_id, row.reply, row.command) == (None, "", "yes")


def test_leaving_ends_my_organisation_memberships(db):
    from tests.conftest import client_for

    membership = MembershipFactory(role="admin")
    client = client_for(membership.person)

    assert client.delete("/api/me/").status_code == 204

    assert membership.organisation.memberships.count() == 0


# --- a profile change racing a text -----------------------------------------------------------


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def patch_me_while(client, body: dict, write_flag) -> dict:
    """PATCH /api/me/ on another thread and connection while `write_flag` commits meanwhile.

    `write_flag` runs here inside an open transaction, so the PATCH loads the person as they
    were, then its UPDATE waits for the flag's row lock. Once PostgreSQL shows it waiting
    (pg_blocking_pids), the flag commits and the PATCH carries on with the row it loaded.
    """
    seen: dict = {}

    def patch() -> None:
        try:
            seen["pid"] = _backend_pid()
            seen["response"] = client.patch("/api/me/", body, format="json")
        finally:
            connection.close()

    thread = threading.Thread(target=patch)
    with transaction.atomic():
        write_flag()
        me = _backend_pid()
        thread.start()
        deadline = time.monotonic() + 15
        waiting = False
        while not waiting and time.monotonic() < deadline and thread.is_alive():
            if "pid" in seen:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [me, seen["pid"]])
                    waiting = cursor.fetchone()[0]
            time.sleep(0.02)
        assert waiting, "the PATCH never waited for the text's transaction"
    thread.join(timeout=15)
    assert not thread.is_alive()
    return seen


def _sent(person, sid: str) -> None:
    Message.objects.create(
        recipient=person,
        to_phone=person.phone,
        template="login_code",
        category="login_code",
        body="x",
        dedupe_key=sid,
        status="sent",
        provider_sid=sid,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("flag", ["stop", "paused", "invalid"])
def test_a_profile_change_never_undoes_what_a_text_set_meanwhile(settings, flag):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    person = UserFactory(display_name="Morag Reid", has_app=True, undelivered_streak=2)
    _sent(person, "SMout1")
    client = client_for(person)
    twilio = APIClient()
    report = {
        "stop": (
            "/api/sms/inbound/",
            {"MessageSid": "SMin1", "From": person.phone, "Body": "STOP"},
        ),
        "paused": (
            "/api/sms/status/",
            {"MessageSid": "SMout1", "MessageStatus": "undelivered", "ErrorCode": "30005"},
        ),
        "invalid": (
            "/api/sms/status/",
            {"MessageSid": "SMout1", "MessageStatus": "failed", "ErrorCode": "21211"},
        ),
    }[flag]

    def text_arrives() -> None:
        assert post_signed(twilio, *report).status_code in (200, 204)

    seen = patch_me_while(client, {"display_name": "Morag", "sms_nudges": True}, text_arrives)

    assert seen["response"].status_code == 200
    person.refresh_from_db()
    assert (person.display_name, person.sms_nudges) == ("Morag", True)
    assert (
        person.sms_opted_out_at is not None,
        person.sms_paused,
        person.undelivered_streak,
        person.phone_invalid,
    ) == {
        "stop": (True, False, 2, False),
        "paused": (False, True, 3, False),
        "invalid": (False, False, 2, True),
    }[flag]
