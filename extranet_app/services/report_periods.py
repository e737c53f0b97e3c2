"""The periods of the management reports: months, quarters (from the mandate) and tax years."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from extranet_app.models import ReportingPeriod, ReportKind
from extranet_app.services.formatting import format_date, format_month

# The agency's rule, printed on every report: the net amount of a period is transferred to the
# owner on this day of the month that follows the period.
TRANSFER_DAY = 10
_KEY = re.compile(r"^(\d{4})(?:-(\d{2})|-T([1-4]))?$")
_QUARTER_NAMES = {1: "1er", 2: "2e", 3: "3e", 4: "4e"}


@dataclass(frozen=True)
class ReportPeriod:
    """A reporting period: a month, a quarter, or a calendar year (the yearly tax summary)."""

    start: date
    end: date
    cadence: str  # a ReportingPeriod value, or "annuel"

    @property
    def kind(self) -> ReportKind:
        """Whether a report of this period is a period report or the yearly summary."""
        return ReportKind.YEARLY if self.cadence == ReportKind.YEARLY else ReportKind.PERIOD

    @property
    def key(self) -> str:
        """A short text naming the period: "2026-03", "2026-T1", "2025"."""
        if self.cadence == ReportingPeriod.MONTHLY:
            return f"{self.start:%Y-%m}"
        if self.cadence == ReportingPeriod.QUARTERLY:
            return f"{self.start.year}-T{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        """The period in French words: "mars 2026", "1er trimestre 2026", "année 2025"."""
        if self.cadence == ReportingPeriod.MONTHLY:
            return format_month(self.start)
        if self.cadence == ReportingPeriod.QUARTERLY:
            quarter = (self.start.month - 1) // 3 + 1
            return f"{_QUARTER_NAMES[quarter]} trimestre {self.start.year}"
        return f"année {self.start.year}"

    @property
    def dates(self) -> str:
        """ "du 01/03/2026 au 31/03/2026"."""
        return f"du {format_date(self.start)} au {format_date(self.end)}"

    def transfer_date(self) -> date | None:
        """When the net amount is transferred (the agency's rule); None for a yearly summary."""
        if self.kind == ReportKind.YEARLY:
            return None
        return month_after(self.end).replace(day=TRANSFER_DAY)


def month_after(day: date) -> date:
    """The first day of the month after the month of `day`."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_period(year: int, month: int) -> ReportPeriod:
    """The calendar month `month` of `year`."""
    start = date(year, month, 1)
    return ReportPeriod(start, month_after(start) - timedelta(days=1), ReportingPeriod.MONTHLY)


def quarter_period(year: int, quarter: int) -> ReportPeriod:
    """The calendar quarter (1 to 4) of `year`."""
    start = date(year, 3 * quarter - 2, 1)
    end = month_after(date(year, 3 * quarter, 1)) - timedelta(days=1)
    return ReportPeriod(start, end, ReportingPeriod.QUARTERLY)


def year_period(year: int) -> ReportPeriod:
    """The calendar year, for the yearly summary (revenus fonciers are declared per year)."""
    return ReportPeriod(date(year, 1, 1), date(year, 12, 31), ReportKind.YEARLY)


def period_from_key(key: object) -> ReportPeriod | None:
    """The period named by `key` ("2026-03", "2026-T1", "2025"), or None if it names none."""
    if not isinstance(key, str):
        return None
    match = _KEY.match(key)
    if match is None:
        return None
    year, month, quarter = match.groups()
    if not 2000 <= int(year) <= 2100:
        return None
    if month:
        return month_period(int(year), int(month)) if 1 <= int(month) <= 12 else None
    if quarter:
        return quarter_period(int(year), int(quarter))
    return year_period(int(year))


def periods_of_year(year: int, cadence: str) -> list[ReportPeriod]:
    """The months or quarters of `year`, for a mandate reporting with `cadence`."""
    if cadence == ReportingPeriod.QUARTERLY:
        return [quarter_period(year, quarter) for quarter in range(1, 5)]
    return [month_period(year, month) for month in range(1, 13)]


def period_ending_with(month: ReportPeriod, cadence: str) -> ReportPeriod | None:
    """The period of `cadence` that ends with `month`: the month itself, or its quarter when the
    month closes one (March, June, September, December); None otherwise."""
    if cadence == ReportingPeriod.MONTHLY:
        return month
    if cadence == ReportingPeriod.QUARTERLY and month.start.month % 3 == 0:
        return quarter_period(month.start.year, month.start.month // 3)
    return None


def publishable_choices(today: date, *, months: int = 24, years: int = 2) -> list[ReportPeriod]:
    """What the agency may publish: the last finished months (newest first), then the last
    finished years. A period still running has no report yet."""
    choices: list[ReportPeriod] = []
    current = today.replace(day=1)
    for _ in range(months):
        current = (current - timedelta(days=1)).replace(day=1)
        choices.append(month_period(current.year, current.month))
    choices += [year_period(today.year - offset) for offset in range(1, years + 1)]
    return choices
