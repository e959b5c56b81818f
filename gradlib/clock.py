"""Today's date, for every command that dates what it records or judges by the day.

``GRADLIB_TODAY=2028-06-21`` sets the day for a rehearsal: the demo cohort graduates in 2027, so following it up,
or publishing that follow-up, needs a day past its deadlines. Nothing else changes the day.
"""
from __future__ import annotations

import datetime as dt
import os

TODAY_ENV = "GRADLIB_TODAY"


def today() -> dt.date:
    """The day: GRADLIB_TODAY when it is a date (年-月-日), else the computer's."""
    value = os.environ.get(TODAY_ENV, "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return dt.date.today()
