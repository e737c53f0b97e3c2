"""Tenants and leases: who rented which lot during the 24 months of the demo, and how they pay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from enum import StrEnum

from extranet_app.demo.catalog import (
    MIXED_LOGIN,
    OWNER_ADDRESSES,
    TENANT_COMPANIES,
    TENANT_LOGIN,
)
from extranet_app.demo.names import Identity, IdentityPool, slug
from extranet_app.demo.portfolio import MIXED_PERSON
from extranet_app.demo.pricing import lease_kind_for, lease_terms
from extranet_app.demo.world import (
    DemoWorld,
    LeasePlan,
    LotPlan,
    PaymentHabit,
    add_months,
    month_end,
    month_start,
)
from extranet_app.models import (
    Lease,
    LeaseKind,
    LeaseTenant,
    LotKind,
    Owner,
    PaymentMethod,
    Tenant,
)

TENANT_COUNT = 150
DEMO_TENANT = Identity("Mme", "Camille", "Durand")
DEMO_CO_TENANT = Identity("M.", "Thomas", "Petit")
TENANTS_WITHOUT_EMAIL = 5
LEASES_IN_ARREARS = 7
LEASES_SOMETIMES_LATE = 8
RESIDENTIAL = (LeaseKind.UNFURNISHED, LeaseKind.FURNISHED)


class Occupancy(StrEnum):
    LET = "let"  # one lease over the whole window
    RELET = "relet"  # a lease ended during the window and a new tenant moved in
    ENDED_VACANT = "ended_vacant"  # the tenant left during the window; vacant since
    NEVER_LET = "never_let"  # vacant the whole window (renovation)


def create_tenancies(world: DemoWorld, pool: IdentityPool) -> None:
    """Create the 150 tenants and the leases of every lot, then persist them."""
    occupancy = _occupancy(world)
    _scripted_leases(world, pool)
    # Parking spaces last, so that they can go to the tenants of flats in the same building.
    for plan in sorted(world.lot_plans, key=lambda lot_plan: lot_plan.lot.kind == LotKind.PARKING):
        if not plan.leases:
            _lease_history(world, pool, plan, occupancy.get(id(plan), Occupancy.LET))
    _add_co_tenants(world, pool)
    _assign_payment_habits(world)
    _number_and_persist(world)


def _occupancy(world: DemoWorld) -> dict[int, Occupancy]:
    """Pick the few lots that changed tenant or stand vacant; every other lot stays let."""
    special = [id(plan) for plan in world.special_lots.values()]
    candidates = [
        plan
        for plan in world.lot_plans
        if id(plan) not in special and plan.lot.kind == LotKind.APARTMENT
    ]
    chosen = world.rng.sample(candidates, 11)
    occupancy = {id(plan): Occupancy.NEVER_LET for plan in chosen[:3]}
    occupancy |= {id(plan): Occupancy.ENDED_VACANT for plan in chosen[3:7]}
    occupancy |= {id(plan): Occupancy.RELET for plan in chosen[7:]}
    return occupancy


def _scripted_leases(world: DemoWorld, pool: IdentityPool) -> None:
    """The leases behind the demo logins, with fixed dates and tenants."""
    lots, months_ago = world.special_lots, _months_ago(world)
    tenant = _tenant(world, pool, pool.reserve(DEMO_TENANT), email=TENANT_LOGIN)
    co_tenant = _tenant(world, pool, pool.reserve(DEMO_CO_TENANT))
    flat = _add_lease(world, lots["tenant_flat"], [tenant, co_tenant], start=months_ago(37))
    parking = _add_lease(world, lots["tenant_parking"], [tenant], start=months_ago(11))
    for plan in (flat, parking):
        plan.lease.due_day = 5
    flat.habit, flat.months_in_arrears = PaymentHabit.IN_ARREARS, 2
    flat.method = PaymentMethod.TRANSFER
    parking.method = PaymentMethod.DIRECT_DEBIT
    mixed = _tenant(world, pool, pool.reserve(MIXED_PERSON), email=MIXED_LOGIN)
    mixed_lease = _add_lease(world, lots["mixed_tenant_flat"], [mixed], start=months_ago(52))
    mixed_lease.method = PaymentMethod.DIRECT_DEBIT
    _same_person_as_owner(mixed, world.owners[1])
    world.special_leases = {
        "tenant_flat": flat,
        "tenant_parking": parking,
        "mixed_tenant_flat": mixed_lease,
    }
    vacant = lots["owner_vacant_flat"]
    ended = _add_lease(world, vacant, [_tenant(world, pool, pool.draw())], start=months_ago(40))
    _end_lease(world, ended, last_month=months_ago(4))
    world.special_leases["owner_vacated_flat"] = ended


def _same_person_as_owner(tenant: Tenant, owner: Owner) -> None:
    """One person, two profiles: the owner profile shows where the person lives."""
    owner.address_line1, owner.address_line2 = tenant.address_line1, tenant.address_line2
    owner.postal_code, owner.city, tenant.phone = tenant.postal_code, tenant.city, owner.phone


def _months_ago(world: DemoWorld) -> Callable[[int], date]:
    current = month_start(world.today)
    return lambda months: add_months(current, -months)


def _lease_history(
    world: DemoWorld, pool: IdentityPool, plan: LotPlan, occupancy: Occupancy
) -> None:
    rng, window = world.rng, world.window_start
    if occupancy == Occupancy.NEVER_LET:
        plan.lot.description += " — en travaux de rénovation"
        return
    start = add_months(window, -rng.randint(1, 96))
    first = _add_lease(world, plan, [_first_tenant(world, pool, plan)], start=start)
    if occupancy == Occupancy.LET:
        return
    last_month = add_months(window, rng.randint(3, 18 if occupancy == Occupancy.RELET else 20))
    _end_lease(world, first, last_month=last_month)
    if occupancy == Occupancy.RELET:
        next_start = add_months(last_month, rng.randint(1, 2))
        _add_lease(world, plan, [_tenant(world, pool, pool.draw())], start=next_start)


def _first_tenant(world: DemoWorld, pool: IdentityPool, plan: LotPlan) -> Tenant:
    if plan.lot.kind in (LotKind.SHOP, LotKind.OFFICE):
        return _company_tenant(world, pool, plan)
    if plan.lot.kind == LotKind.PARKING and world.rng.random() < 0.5:
        neighbour = _neighbour_without_parking(world, plan)
        if neighbour is not None:
            return neighbour
    return _tenant(world, pool, pool.draw())


def _neighbour_without_parking(world: DemoWorld, plan: LotPlan) -> Tenant | None:
    """A tenant of a current flat lease in the same building who rents no parking space yet."""
    with_parking = {
        id(t) for lp in world.lease_plans for t in lp.tenants if lp.lease.kind == LeaseKind.PARKING
    }
    for lease_plan in world.lease_plans:
        tenant = lease_plan.tenants[0]
        if (
            lease_plan.lot_plan.building is plan.building
            and lease_plan.lease.kind in RESIDENTIAL
            and lease_plan.lease.end_date is None
            and id(tenant) not in with_parking
        ):
            return tenant
    return None


def _tenant(
    world: DemoWorld, pool: IdentityPool, identity: Identity, *, email: str | None = None
) -> Tenant:
    tenant = Tenant(
        civility=identity.civility,
        first_name=identity.first_name,
        last_name=identity.last_name,
        email=email or pool.email_for(identity.first_name, identity.last_name),
        phone=pool.phone(),
    )
    world.tenants.append(tenant)
    return tenant


def _company_tenant(world: DemoWorld, pool: IdentityPool, plan: LotPlan) -> Tenant:
    used = sum(1 for tenant in world.tenants if tenant.company_name)
    name = TENANT_COMPANIES[used % len(TENANT_COMPANIES)]
    tenant = Tenant(
        company_name=name,
        email=pool.email_for("contact", slug(name)),
        phone=pool.phone(mobile=False),
    )
    world.tenants.append(tenant)
    return tenant


def _add_lease(world: DemoWorld, plan: LotPlan, tenants: list[Tenant], *, start: date) -> LeasePlan:
    rng = world.rng
    kind = lease_kind_for(rng, plan.lot)
    terms = lease_terms(rng, plan, kind)
    lease = Lease(
        lot_id=plan.lot.id,
        kind=kind,
        start_date=start,
        rent_cents=terms.rent_cents,
        charges_cents=terms.charges_cents,
        deposit_cents=terms.deposit_cents,
        due_day=rng.choices((1, 5), weights=(7, 3))[0],
        next_revision_date=_next_anniversary(start, world.today),
        created_at=world.at(start - timedelta(days=20), hour=11),
    )
    lease_plan = LeasePlan(lease=lease, lot_plan=plan, tenants=tenants)
    for tenant in tenants:
        _move_in(tenant, plan)
    plan.leases.append(lease_plan)
    world.lease_plans.append(lease_plan)
    return lease_plan


def _move_in(tenant: Tenant, plan: LotPlan) -> None:
    if tenant.address_line1:  # a flat's tenant who also rents a parking space keeps the flat
        return
    building = plan.building
    tenant.address_line1 = building.address_line1
    tenant.address_line2 = plan.lot.reference if plan.lot.kind != LotKind.PARKING else ""
    tenant.postal_code, tenant.city = building.postal_code, building.city


def _end_lease(world: DemoWorld, lease_plan: LeasePlan, *, last_month: date) -> None:
    lease_plan.lease.end_date = month_end(last_month)
    lease_plan.lease.next_revision_date = None
    street, postal_code, city = world.rng.choice(OWNER_ADDRESSES)
    for tenant in lease_plan.tenants:  # where the former tenants moved to
        tenant.address_line1, tenant.address_line2 = street, ""
        tenant.postal_code, tenant.city = postal_code, city


def _next_anniversary(start: date, today: date) -> date:
    """The next yearly rent revision date (leases start on the first of a month)."""
    candidate = start.replace(year=today.year)
    return candidate if candidate > today else candidate.replace(year=today.year + 1)


def _add_co_tenants(world: DemoWorld, pool: IdentityPool) -> None:
    """Couples and flatmates: add a second tenant to leases until there are 150 tenants."""
    special = [id(plan) for plan in world.special_leases.values()]
    eligible = [
        plan
        for plan in world.lease_plans
        if plan.lease.kind in RESIDENTIAL
        and (plan.lot_plan.lot.rooms or 0) >= 2
        and len(plan.tenants) == 1
        and id(plan) not in special
    ]
    missing = TENANT_COUNT - len(world.tenants)
    for plan in world.rng.sample(eligible, missing):
        partner = plan.tenants[0]
        family = partner.last_name if world.rng.random() < 0.5 else None
        co_tenant = _tenant(world, pool, pool.draw(last_name=family))
        plan.tenants.append(co_tenant)
        co_tenant.address_line1, co_tenant.address_line2 = (
            partner.address_line1,
            partner.address_line2,
        )
        co_tenant.postal_code, co_tenant.city = partner.postal_code, partner.city
    for tenant in world.rng.sample(world.tenants[4:], TENANTS_WITHOUT_EMAIL):
        tenant.email = None


def _assign_payment_habits(world: DemoWorld) -> None:
    rng = world.rng
    for plan in world.lease_plans:
        if plan.method is not None:  # chosen by a scripted lease
            continue
        if plan.lease.kind == LeaseKind.COMMERCIAL:
            plan.method = PaymentMethod.TRANSFER
        else:
            plan.method = rng.choices(
                (PaymentMethod.DIRECT_DEBIT, PaymentMethod.TRANSFER, PaymentMethod.CHEQUE),
                weights=(40, 45, 15),
            )[0]
    # The demo logins' lots keep the scripted story: only the demo tenant's flat is in arrears.
    special = [id(lot_plan) for lot_plan in world.special_lots.values()]
    current = [
        plan
        for plan in world.lease_plans
        if plan.lease.end_date is None and id(plan.lot_plan) not in special
    ]
    chosen = rng.sample(current, LEASES_IN_ARREARS + LEASES_SOMETIMES_LATE)
    for plan in chosen[:LEASES_IN_ARREARS]:
        plan.habit, plan.months_in_arrears = PaymentHabit.IN_ARREARS, rng.randint(1, 2)
    for plan in chosen[LEASES_IN_ARREARS:]:
        plan.habit = PaymentHabit.SOMETIMES_LATE


def _number_and_persist(world: DemoWorld) -> None:
    for number, tenant in enumerate(world.tenants, start=1):
        tenant.external_ref = f"LOC-{number:03d}"
    ordered = [lease_plan for plan in world.lot_plans for lease_plan in plan.leases]
    for number, lease_plan in enumerate(ordered, start=1):
        lease_plan.lease.external_ref = f"BAIL-{number:04d}"
        lease_plan.lease.payment_reference = f"LOC-{number:06d}"
    world.lease_plans = ordered
    world.session.add_all(world.tenants)
    world.session.add_all(plan.lease for plan in ordered)
    world.session.flush()
    world.session.add_all(
        LeaseTenant(lease_id=plan.lease.id, tenant_id=tenant.id)
        for plan in ordered
        for tenant in plan.tenants
    )
