from django.urls import path

from api.views.calendar import (
    CalendarFeedView,
    MealCalendarView,
    MyCalendarResetView,
    MyCalendarView,
)

urlpatterns = [
    path("meals/<int:pk>/calendar.ics", MealCalendarView.as_view(), name="meal-calendar"),
    path("me/calendar/", MyCalendarView.as_view(), name="me-calendar"),
    path("me/calendar/reset/", MyCalendarResetView.as_view(), name="me-calendar-reset"),
    # The token is in the query string, never the path: logs keep paths (people/feeds.py).
    path("calendar/feed.ics", CalendarFeedView.as_view(), name="calendar-feed"),
]
