"""Business days on a maintained holiday calendar (the `holidays` package).

The default is the Federal Reserve calendar (``FED``): the days US banks are closed.
It is the federal holiday list as banks observe it (a holiday on a Saturday is not
moved to the Friday), which is what "business day" means for Reg E in practice.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
import numpy as np

from assistant.errors import ConfigError

FINANCIAL_CALENDARS = {"FED": "XFED", "NYSE": "XNYS"}


class BusinessCalendar:
    def __init__(self, name: str = "FED") -> None:
        self.name = name.upper()
        self._cache: dict[int, np.ndarray] = {}
        try:
            self._factory = _factory(self.name)
        except (NotImplementedError, KeyError, AttributeError):
            raise ConfigError(
                f"unknown holiday calendar {name!r}",
                "use FED (Federal Reserve, the default), NYSE, or a country code the "
                "`holidays` package knows, such as US",
            ) from None

    def holidays_between(self, start: date, end: date) -> np.ndarray:
        years = range(start.year, end.year + 1)
        days = [d for y in years for d in self._year(y)]
        return np.array(days, dtype="datetime64[D]")

    def _year(self, year: int) -> np.ndarray:
        if year not in self._cache:
            self._cache[year] = np.array(sorted(self._factory(years=year)), dtype="datetime64[D]")
        return self._cache[year]

    def is_business_day(self, day: date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), holidays=self._year(day.year)))

    def add_business_days(self, start: date, days: int) -> date:
        """The ``days``-th business day after ``start`` (``start`` itself is day 0; if it
        is not a business day, counting starts from the next one)."""
        horizon = start + timedelta(days=days * 2 + 20)
        result = np.busday_offset(
            np.datetime64(start, "D"),
            days,
            roll="forward",
            holidays=self.holidays_between(start, horizon),
        )
        return result.astype(date)


@lru_cache(maxsize=8)
def _factory(name: str):  # type: ignore[no-untyped-def]
    if name in FINANCIAL_CALENDARS:
        code = FINANCIAL_CALENDARS[name]
        return lambda years: holidays.financial_holidays(code, years=years)
    holidays.country_holidays(name, years=2000)  # raises NotImplementedError if unknown
    return lambda years: holidays.country_holidays(name, years=years)
