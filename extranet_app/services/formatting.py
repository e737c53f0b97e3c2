"""French formatting of money, rates and dates, as printed on screens and documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_percent

from extranet_app.services.timekeeping import AGENCY_TIMEZONE

LOCALE = "fr_FR"


def format_euros(cents: int) -> str:
    """An amount of integer cents as French euros: "1 234,56 €" (non-breaking spaces)."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=LOCALE)


def format_rate_bp(basis_points: int) -> str:
    """A rate in basis points as a French percentage: 700 -> "7,00 %"."""
    return format_percent(Decimal(basis_points) / 10_000, format="#,##0.00\u00a0%", locale=LOCALE)


def format_date(d: date) -> str:
    """A date as dd/mm/yyyy."""
    return d.strftime("%d/%m/%Y")


def format_month(d: date) -> str:
    """The month of `d` in words, as a rent period is named: "mars 2026"."""
    return babel_format_date(d, "MMMM y", locale=LOCALE)


def format_datetime(moment: datetime | None, *, separator: str = " ") -> str:
    """A stored UTC instant as the agency reads it, in Paris time: "27/11/2026 19:52"
    (with `separator=" à "`: "27/11/2026 à 19:52"); "" when there is none."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(AGENCY_TIMEZONE).strftime(f"%d/%m/%Y{separator}%H:%M")
