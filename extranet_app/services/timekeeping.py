"""Today's date where the agency works: rent periods and due dates are French calendar days."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

AGENCY_TIMEZONE = ZoneInfo("Europe/Paris")


def today_in_france() -> date:
    """The current calendar date in Paris (not UTC: around midnight they differ)."""
    return datetime.now(AGENCY_TIMEZONE).date()
