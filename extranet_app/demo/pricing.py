"""Rents, charges and deposits that look like Lyon's market, in integer cents."""

from __future__ import annotations

import random
from dataclasses import dataclass

from extranet_app.demo.world import LotPlan
from extranet_app.models import LeaseKind, Lot, LotKind

# How much more a small flat rents per m² than a two-room flat, and a large one less.
ROOMS_FACTOR_PERCENT = {1: 125, 2: 110, 3: 100, 4: 92, 5: 88}
DEPOSIT_MONTHS = {
    LeaseKind.UNFURNISHED: 1,  # loi 89-462, art. 22: one month's rent at most
    LeaseKind.FURNISHED: 2,  # art. 25-6: two months at most
    LeaseKind.COMMERCIAL: 3,
    LeaseKind.PARKING: 1,
}


@dataclass(frozen=True)
class LeaseTerms:
    rent_cents: int
    charges_cents: int
    deposit_cents: int


def lease_kind_for(rng: random.Random, lot: Lot) -> LeaseKind:
    """The kind of lease a lot is usually let under (small flats are often furnished)."""
    if lot.kind == LotKind.PARKING:
        return LeaseKind.PARKING
    if lot.kind in (LotKind.SHOP, LotKind.OFFICE):
        return LeaseKind.COMMERCIAL
    furnished_chance = 0.6 if lot.rooms == 1 else 0.08
    return LeaseKind.FURNISHED if rng.random() < furnished_chance else LeaseKind.UNFURNISHED


def lease_terms(rng: random.Random, plan: LotPlan, kind: LeaseKind) -> LeaseTerms:
    """Today's monthly rent and charges provision for `plan`'s lot, and the deposit."""
    if kind == LeaseKind.PARKING:
        rent, charges = rng.randint(6, 11) * 1_000, rng.choice((500, 800, 1_000))
    elif kind == LeaseKind.COMMERCIAL:
        surface = plan.lot.surface_m2 or 50
        rent = _round_to(surface * rng.randint(1_700, 2_400), 1_000)
        charges = _round_to(surface * rng.randint(250, 400), 500)
    else:
        rent, charges = _home_rent(rng, plan, furnished=kind == LeaseKind.FURNISHED)
    return LeaseTerms(rent, charges, rent * DEPOSIT_MONTHS[kind])


def _home_rent(rng: random.Random, plan: LotPlan, *, furnished: bool) -> tuple[int, int]:
    surface = plan.lot.surface_m2 or 40
    rate = plan.rent_per_m2_cents * ROOMS_FACTOR_PERCENT.get(plan.lot.rooms or 2, 100) / 100
    rate *= (115 if furnished else 100) / 100 * rng.randint(93, 107) / 100
    rent = _round_to(surface * rate, 100)
    charges = _round_to(surface * rng.randint(150, 280), 500)
    return rent, charges


def _round_to(amount: float, step: int) -> int:
    """`amount` cents rounded to a multiple of `step` cents (a whole euro, five euros…)."""
    return round(amount / step) * step
