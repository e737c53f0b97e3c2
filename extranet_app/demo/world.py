"""What the demo steps share while they build: the session, the random source and the plan."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlmodel import Session

from extranet_app.models import (
    AgencySettings,
    Lease,
    Lot,
    ManagementMandate,
    Owner,
    Payment,
    Property,
    RentCall,
    Tenant,
    User,
)


class PaymentHabit(StrEnum):
    """How a lease's tenants pay, which decides its payments in the demo ledger."""

    ON_TIME = "on_time"
    SOMETIMES_LATE = "sometimes_late"  # pays in two parts now and then, but catches up
    IN_ARREARS = "in_arrears"  # the last periods are unpaid or partly paid


@dataclass(eq=False)  # compared by identity: two plans are never the same lot
class LotPlan:
    """A lot, its building and owners, and the leases it had during the demo window."""

    lot: Lot
    building: Property
    rent_per_m2_cents: int = 1400  # the going rate in this building, for a two-room flat
    owners: list[tuple[Owner, int]] = field(default_factory=list)  # (owner, share in bp)
    leases: list[LeasePlan] = field(default_factory=list)


@dataclass(eq=False)
class LeasePlan:
    """A lease, its tenants and how they pay; calls and payments are filled by the ledger."""

    lease: Lease
    lot_plan: LotPlan
    tenants: list[Tenant]
    habit: PaymentHabit = PaymentHabit.ON_TIME
    months_in_arrears: int = 0
    method: str | None = None  # a PaymentMethod
    rent_calls: list[RentCall] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)


@dataclass
class DemoWorld:
    """The state of one demo build, passed from step to step."""

    session: Session
    today: date
    rng: random.Random
    password_hash: str
    agency: AgencySettings | None = None
    staff: list[User] = field(default_factory=list)
    lot_plans: list[LotPlan] = field(default_factory=list)
    owners: list[Owner] = field(default_factory=list)
    mandates: list[ManagementMandate] = field(default_factory=list)  # one per owner, same order
    tenants: list[Tenant] = field(default_factory=list)
    lease_plans: list[LeasePlan] = field(default_factory=list)
    # The profiles behind the demo logins, chosen by the portfolio and tenancy steps.
    special_lots: dict[str, LotPlan] = field(default_factory=dict)
    special_leases: dict[str, LeasePlan] = field(default_factory=dict)
    users_by_email: dict[str, User] = field(default_factory=dict)

    @property
    def admin(self) -> User:
        """The agency administrator (agence@…), author of most agency records."""
        return self.staff[0]

    @property
    def window_start(self) -> date:
        """The first period of the 24 months of rent calls (the current month is the last)."""
        return add_months(month_start(self.today), -23)

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """A UTC timestamp on `day`; on `today` it is midnight, so it never lies ahead of now."""
        if day == self.today:
            hour, minute = 0, 0
        return datetime.combine(day, time(hour, minute), tzinfo=UTC)

    def days_ago(self, days: int, hour: int = 9, minute: int = 0) -> datetime:
        """A UTC timestamp `days` before `today` (negative: in the future)."""
        return self.at(self.today - timedelta(days=days), hour, minute)


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of the month of `day`."""
    return add_months(day, 1) - timedelta(days=1)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from the month of `first` to the month of `last`."""
    months: list[date] = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months
