"""A moment of the request's day and time, as the forms show and take it: Brussels wall-clock
time, whatever the computer's own time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone

from amudesk.i18n import BRUSSELS


def brussels_now() -> dt.datetime:
    """Now in Brussels, naive, to the minute."""
    return dt.datetime.now(ZoneInfo(BRUSSELS)).replace(tzinfo=None, second=0, microsecond=0)


def brussels_local(moment: dt.datetime) -> dt.datetime:
    """A stored moment (aware, or naive UTC) as naive Brussels local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(BRUSSELS)).replace(tzinfo=None)


# The edit holds Brussels wall-clock time; a fixed zone keeps Qt from shifting it to the
# computer's own time zone or daylight-saving rules.
WALL_CLOCK = QTimeZone(QTimeZone.Initialization.UTC)


def to_qdatetime(moment: dt.datetime) -> QDateTime:
    return QDateTime(
        QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute), WALL_CLOCK
    )


def from_qdatetime(value: QDateTime) -> dt.datetime:
    day, time = value.date(), value.time()
    return dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())
