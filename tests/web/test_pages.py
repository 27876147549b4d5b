"""The web pages through Django's test client: each flow calls the services, bad input
answers 4xx with an error summary and changes nothing."""

import re

import pytest

from meals.models import Signup
from tests.factories import MealFactory, SignupFactory

pytestmark = pytest.mark.django_db


def test_meals_near_me_lists_published_meals_nearest_first(resident_web):
    far = MealFactory(title="Far tea", location="SRID=4326;POINT(-4.70 55.655)")
    near = MealFactory(title="Near tea")

    response = resident_web.get("/")

    assert response.status_code == 200
    titles = [m.title for m in response.context["meals"]]
    assert titles == [near.title, far.title]
    assert response.context["where"] == "your home area"


def test_meal_cards_escape_the_title_and_say_seats_distance_and_step_free(resident_web):
    full = MealFactory(
        title="<b>Tea</b> & 'cake'", capacity=2, step_free=True, code="CRD2", seats_taken=2
    )
    one = MealFactory(title="Soup", capacity=3, seats_taken=2, step_free=False)

    html = resident_web.get("/").content.decode()

    cards = re.findall(r'<li class="blether-meal">.*?</ul>\n</li>', html, re.S)
    assert len(cards) == 2
    first, second = sorted(cards, key=lambda c: "Soup" in c)
    assert f'href="/meals/{full.pk}/">&lt;b&gt;Tea&lt;/b&gt; &amp; &#x27;cake&#x27;</a>' in first
    assert "Waiting list" in first and "Step-free" in first
    assert f'href="/meals/{one.pk}/">Soup</a>' in second
    assert "1 seat left" in second and "Step-free" not in second
    assert re.search(r"<li>\d+ m away</li>", second)


def test_the_filters_are_the_same_for_everyone_until_used_then_show_the_choice(
    resident_web, host_web
):
    blank = resident_web.get("/").content.decode()
    again = host_web.get("/").content.decode()
    chosen = resident_web.get("/?kind=street_tea&step_free=on").content.decode()

    def filters(html: str) -> str:
        return re.search(r"<form method=\"get\".*?</form>", html, re.S)[0]

    assert filters(blank) == filters(again)
    assert '<details class="govuk-details">' in filters(blank)
    assert '<option value="street_tea" selected>' not in filters(blank)
    assert '<option value="street_tea" selected>' in filters(chosen)
    assert '<details class="govuk-details" open>' in filters(chosen)
    assert 'name="step_free" type="checkbox" value="on" checked' in filters(chosen)


def test_signed_out_home_sends_you_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"


def test_join_confirms_and_the_page_says_so(resident_web, resident):
    meal = MealFactory(capacity=4)

    response = resident_web.post(f"/meals/{meal.pk}/join/", {"party_size": "2"}, follow=True)

    assert response.status_code == 200
    signup = Signup.objects.get(meal=meal, person=resident)
    assert (signup.status, signup.party_size) == ("confirmed", 2)
    assert "You have a place. See you there!" in response.content.decode()


def test_join_when_full_puts_you_on_the_waiting_list_with_your_number(resident_web, resident):
    meal = MealFactory(capacity=1)
    SignupFactory(meal=meal)

    response = resident_web.post(f"/meals/{meal.pk}/join/", {"party_size": "1"}, follow=True)

    assert Signup.objects.get(meal=meal, person=resident).status == "waitlisted"
    assert "on the waiting list: number 1." in response.content.decode()


def test_a_party_of_seven_is_refused_with_an_error_summary_and_nothing_changes(resident_web):
    meal = MealFactory(capacity=10)

    response = resident_web.post(f"/meals/{meal.pk}/join/", {"party_size": "7"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert '<a href="#id_party_size">Choose a party of 1 to 6 people.</a>' in body
    assert Signup.objects.filter(meal=meal).count() == 0


def test_cancel_my_place_promotes_the_waiting_party(resident_web, resident):
    meal = MealFactory(capacity=1)
    SignupFactory(meal=meal, person=resident)
    waiting = SignupFactory(meal=meal, status="waitlisted")

    response = resident_web.post(f"/meals/{meal.pk}/cancel-place/", follow=True)

    assert response.status_code == 200
    assert "Your place is cancelled." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_another_hosts_draft_is_not_found(resident_web):
    draft = MealFactory(status="draft")

    response = resident_web.get(f"/meals/{draft.pk}/")

    assert response.status_code == 404
    assert "We cannot find that meal" in response.content.decode()


def test_an_unknown_page_is_an_html_404(resident_web):
    response = resident_web.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_api_still_answers_json_404s(resident_web):
    response = resident_web.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_every_form_needs_the_csrf_token(resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    meal = MealFactory()

    response = client.post(f"/meals/{meal.pk}/join/", {"party_size": "1"})

    assert response.status_code == 403
    assert Signup.objects.filter(meal=meal).count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/meals/99999999999999999999/",
        "/hosting/99999999999999999999/",
        "/propose/venue/99999999999999999999/",
    ],
)
def test_an_id_too_big_for_the_database_is_not_found_not_a_server_error(host_web, path):
    response = host_web.get(path, {"propose": "1"})

    assert response.status_code in (302, 404)


def test_attendance_for_a_sign_up_id_too_big_is_not_found(host_web, host):
    meal = MealFactory(host=host)

    response = host_web.post(
        f"/hosting/{meal.pk}/attendance/",
        {"signup": "99999999999999999999", "attendance": "attended"},
    )

    assert response.status_code == 404


def test_only_the_host_sees_the_hosting_page(resident_web):
    meal = MealFactory()

    assert resident_web.get(f"/hosting/{meal.pk}/").status_code == 404


def test_the_host_cancels_with_a_reason_and_everyone_is_told(host_web, host, sms_outbox):
    meal = MealFactory(host=host)
    guest = SignupFactory(meal=meal)

    response = host_web.post(
        f"/hosting/{meal.pk}/cancel/", {"reason": "The hall roof is leaking"}, follow=True
    )

    assert response.status_code == 200
    assert "The meal is cancelled. Everyone signed up has been told." in response.content.decode()
    meal.refresh_from_db()
    guest.refresh_from_db()
    assert (meal.status, meal.cancelled_reason, guest.status) == (
        "cancelled",
        "The hall roof is leaking",
        "cancelled",
    )


def test_every_form_that_posts_carries_the_csrf_token(host_web, host):
    meal = MealFactory(host=host)
    pages = [
        "/",
        f"/meals/{meal.pk}/",
        f"/meals/{meal.pk}/dish/",
        "/settings/",
        "/settings/leave/",
        "/propose/",
        f"/hosting/{meal.pk}/",
        f"/hosting/{meal.pk}/cancel/",
        f"/hosting/{meal.pk}/safety/",
        f"/hosting/{meal.pk}/check/",
    ]
    forms = 0
    for path in pages:
        body = host_web.get(path).content.decode()
        for form in re.findall(r'<form method="post".*?</form>', body, flags=re.S):
            forms += 1
            assert 'name="csrfmiddlewaretoken"' in form, (path, form[:120])
    assert forms >= 12


def test_message_your_guests_counts_who_is_texted_and_who_cannot_be(
    host_web, host, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    meal = MealFactory(host=host)
    SignupFactory(meal=meal)
    SignupFactory(meal=meal, person__sms_opted_out_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        response = host_web.post(
            f"/hosting/{meal.pk}/message/", {"text": "Bring a cup!"}, follow=True
        )

    body = response.content.decode()
    assert "Your message is on its way to 1 guest(s)." in body
    assert "Not texted: 1 stopped texts." in body


def test_an_empty_message_is_refused_and_nothing_is_sent(host_web, host):
    from meals.models import HostMessage

    meal = MealFactory(host=host)
    SignupFactory(meal=meal)

    response = host_web.post(f"/hosting/{meal.pk}/message/", {"text": "   "})

    assert response.status_code == 400
    assert '<a href="#id_text">Write a message.</a>' in response.content.decode()
    assert HostMessage.objects.count() == 0


def test_a_form_without_its_token_gets_a_page_saying_to_try_again(resident):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)

    response = client.post("/settings/", {"display_name": "Morag"})

    assert response.status_code == 403
    assert "Please try again" in response.content.decode()


def test_expired_sessions_are_purged_by_the_nightly_task(resident_web):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from web.tasks import purge_sessions

    live = Session.objects.get()
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    assert purge_sessions.delay().get() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_saving_settings_keeps_a_distance_set_through_the_api(resident_web, resident):
    from decimal import Decimal

    resident.nudge_radius_km = Decimal("7.5")
    resident.save(update_fields=["nudge_radius_km"])
    page = resident_web.get("/settings/").content.decode()
    assert '<option value="7.5" selected>7.5 km</option>' in page

    response = resident_web.post(
        "/settings/",
        {
            "display_name": "Morag",
            "sms_nudges": "yes",
            "nudge_radius_km": "7.5",
            "quiet_start": "21:00",
            "quiet_end": "09:00",
        },
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.nudge_radius_km, resident.sms_nudges) == (Decimal("7.5"), True)


def test_the_look_is_blethers_own_arial_no_crown_no_gds_transport(client):
    from django.conf import settings

    css = (settings.BASE_DIR / "web" / "static" / "web" / "blether.css").read_text()
    page = client.get("/sign-in/").content.decode()

    assert "font-family:arial,sans-serif" in css
    assert "GDS Transport" not in css
    assert "crown" not in css.lower() and "crest" not in css.lower()
    assert "govuk-header" not in page and "GOV.UK" not in page
    assert '<a href="/" class="blether-header__name">Blether</a>' in page


def test_a_venue_that_approves_bookings_holds_publishing_until_it_confirms(
    host_web, host, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from meals.models import Meal
    from tests.factories import VenueFactory, answer_safety
    from venues.models import Booking

    hall = VenueFactory(name="Kirk Hall", booking_policy="approval")
    day = (timezone.localtime() + dt.timedelta(days=10)).date().isoformat()
    steps = [
        ("/propose/", {"kind": "shared_lunch", "title": "Soup and a blether"}),
        ("/propose/when/", {"day": day, "starts_at": "12:00", "ends_at": "14:00"}),
        ("/propose/place/", {"setting": "venue"}),
        (f"/propose/venue/{hall.pk}/", {"note": "We will tidy up"}),
        ("/propose/seats/", {"capacity": "12"}),
        ("/propose/food/", {"food": "host_provides", "repeats": "once"}),
    ]
    for path, data in steps:
        with django_capture_on_commit_callbacks(execute=True):
            response = host_web.post(path, data)
        assert response.status_code == 302, (path, response.content.decode()[:500])
    booking = Booking.objects.get()
    meal = Meal.objects.get()
    assert (booking.status, booking.note, meal.booking_id, meal.status) == (
        "requested",
        "We will tidy up",
        booking.pk,
        "draft",
    )
    answer_safety(meal)

    response = host_web.post(f"/hosting/{meal.pk}/check/")

    assert response.status_code == 400
    assert "The venue has not confirmed your booking yet." in response.content.decode()
    meal.refresh_from_db()
    assert meal.status == "draft"
