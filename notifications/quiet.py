"""Quiet hours: a window of local (Europe/London) time when nudges wait."""

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def in_quiet_hours(moment: dt.datetime, *, start: dt.time, end: dt.time) -> bool:
    local = moment.astimezone(LONDON).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(moment: dt.datetime, *, start: dt.time, end: dt.time) -> dt.datetime:
    """The first moment at or after `moment` that is outside the quiet window."""
    if not in_quiet_hours(moment, start=start, end=end):
        return moment
    local = moment.astimezone(LONDON)
    day = local.date()
    if start > end and local.time() >= start:
        day += dt.timedelta(days=1)
    # Built from the wall clock, so a clock change still lands on `end` local time.
    return dt.datetime.combine(day, end, tzinfo=LONDON)
