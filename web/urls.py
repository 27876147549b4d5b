from django.urls import path, re_path

from web.views import account, auth, calendar, drives, hosting, meals, propose, public, pwa, series

app_name = "web"

urlpatterns = [
    path("", meals.home, name="home"),
    path("sign-in/", auth.sign_in, name="sign-in"),
    path("sign-in/code/", auth.sign_in_code, name="sign-in-code"),
    path("welcome/", auth.welcome, name="welcome"),
    path("sign-out/", auth.sign_out, name="sign-out"),
    path("meals/<int:pk>/", meals.meal_detail, name="meal"),
    path("meals/<int:pk>/join/", meals.meal_join, name="meal-join"),
    path("meals/<int:pk>/cancel-place/", meals.meal_cancel_place, name="meal-cancel-place"),
    path("meals/<int:pk>/dish/", meals.meal_dish, name="meal-dish"),
    path("meals/<int:pk>/feedback/", meals.meal_feedback, name="meal-feedback"),
    path("meals/<int:pk>/calendar.ics", calendar.meal_calendar, name="meal-calendar"),
    path("meals/<int:pk>/every-time/", series.series_join, name="series-join"),
    path("meals/<int:pk>/every-time/stop/", series.series_leave, name="series-leave"),
    path("my-meals/", meals.my_meals, name="my-meals"),
    path("settings/", account.settings_page, name="settings"),
    path("settings/my-data/", account.export, name="export"),
    path("settings/lifts/", account.offer_lifts, name="offer-lifts"),
    path("lifts/", drives.drives, name="drives"),
    path("lifts/<int:pk>/take/", drives.take, name="drive-take"),
    path("lifts/<int:pk>/withdraw/", drives.withdraw, name="drive-withdraw"),
    path("settings/leave/", account.leave, name="leave"),
    path("settings/calendar/", calendar.calendar_feed, name="calendar"),
    path("propose/", propose.kind, name="propose"),
    path("propose/when/", propose.when, name="propose-when"),
    path("propose/place/", propose.place, name="propose-place"),
    path("propose/street/", propose.street, name="propose-street"),
    path("propose/venue/", propose.venues, name="propose-venue"),
    path("propose/venue/<int:venue_id>/", propose.venue, name="propose-venue-slots"),
    path("propose/seats/", propose.seats, name="propose-seats"),
    path("propose/food/", propose.food, name="propose-food"),
    path("hosting/<int:pk>/", hosting.hosting, name="hosting"),
    path("hosting/<int:pk>/safety/", propose.safety, name="hosting-safety"),
    path("series/<int:pk>/safety/", series.series_safety, name="series-safety"),
    path("hosting/<int:pk>/check/", propose.check, name="hosting-check"),
    path("hosting/<int:pk>/published/", propose.published, name="hosting-published"),
    path("hosting/<int:pk>/invite/", hosting.invite, name="hosting-invite"),
    path("hosting/<int:pk>/message/", hosting.message, name="hosting-message"),
    path("hosting/<int:pk>/attendance/", hosting.attendance, name="hosting-attendance"),
    path("hosting/<int:pk>/cancel/", hosting.cancel, name="hosting-cancel"),
    path("hosting/<int:pk>/flyer.pdf", hosting.flyer, name="hosting-flyer"),
    # The public page a flyer's QR code opens (meals.public.PUBLIC_PATH), without sign-in.
    re_path(r"^m/(?P<code>[^/]+)/?$", public.meal_page, name="meal-public"),
    re_path(
        r"^m/(?P<code>[^/]+)/calendar\.ics$", public.meal_calendar, name="meal-public-calendar"
    ),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    # Anything else outside the API and admin is a page that does not exist: say so in HTML.
    re_path(r"^(?!api/|admin/|static/|healthz).*$", pwa.not_found_page),
]
