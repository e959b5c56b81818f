"""Today's date, for every command that dates what it records or judges by the day.

``GRADLIB_TODAY=2028-06-21`` sets the day for a rehearsal: the demo cohort graduates in 2027, so following it up,
or publishing that follow-up, needs a day past its deadlines. Nothing else changes the day.
"""
from __future__ import annotations

import datetime as dt
import os

from .errors import GradlibError

TODAY_ENV = "GRADLIB_TODAY"


def today() -> dt.date:
    """The day: GRADLIB_TODAY when set, else the computer's; GradlibError when GRADLIB_TODAY is not a date."""
    value = os.environ.get(TODAY_ENV, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err = GradlibError(f"环境变量 {TODAY_ENV} 的值“{value}”不是日期：应为 年-月-日，如 2028-06-21（不演练时请删除该变量）")
        err.exit_code = 2
        raise err from None
