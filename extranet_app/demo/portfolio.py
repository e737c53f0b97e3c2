"""Buildings, lots, owners, who owns what, and the management mandates."""

from __future__ import annotations

from datetime import timedelta

from extranet_app.demo.catalog import (
    BUILDINGS,
    MIXED_LOGIN,
    OWNER_ADDRESSES,
    OWNER_COMPANIES,
    OWNER_LOGIN,
    Building,
)
from extranet_app.demo.names import Identity, IdentityPool, slug
from extranet_app.demo.world import DemoWorld, LotPlan, add_months
from extranet_app.models import (
    Lot,
    LotKind,
    ManagementMandate,
    MandateLot,
    Owner,
    Ownership,
    Property,
    ReportingPeriod,
)

OWNER_COUNT = 40
DEMO_OWNER = Identity("M.", "Philippe", "Garnier")
MIXED_PERSON = Identity("Mme", "Nathalie", "Roux")
CO_OWNERS_FAMILY = "Bertrand"
OWNERS_WITHOUT_EMAIL = 3
ROOM_SURFACES = {1: (18, 32), 2: (36, 52), 3: (55, 75), 4: (75, 95), 5: (95, 125)}
FLOORS = ("RDC", "1er", "2e", "3e", "4e", "5e", "6e")
FEATURES = ("balcon", "cave", "cuisine équipée", "parquet", "double vitrage", "vue dégagée")


def create_portfolio(world: DemoWorld, pool: IdentityPool) -> None:
    """Create the 15 buildings and their 120 lots, the 40 owners, ownerships and mandates."""
    buildings = [_property(index, spec) for index, spec in enumerate(BUILDINGS, start=1)]
    world.session.add_all(buildings)
    world.session.flush()
    for building, spec in zip(buildings, BUILDINGS, strict=True):
        world.lot_plans.extend(_lots(world, building, spec))
    for number, plan in enumerate(world.lot_plans, start=1):
        plan.lot.external_ref = f"LOT-{number:04d}"
    world.session.add_all(plan.lot for plan in world.lot_plans)
    world.owners = _owners(world, pool)
    world.session.add_all(world.owners)
    world.session.flush()
    _assign_owners(world)
    _create_ownerships_and_mandates(world)


def _property(index: int, spec: Building) -> Property:
    return Property(
        external_ref=f"PROP-{index:03d}",
        name=spec.name,
        address_line1=spec.street,
        postal_code=spec.postal_code,
        city=spec.city,
    )


def _lots(world: DemoWorld, building: Property, spec: Building) -> list[LotPlan]:
    if spec.houses:
        lots = [_house(world, number) for number in range(1, spec.lot_count + 1)]
    else:
        lots = [_shop(world, LotKind.SHOP, n) for n in range(1, spec.shops + 1)]
        lots += [_shop(world, LotKind.OFFICE, n) for n in range(1, spec.offices + 1)]
        lots += [_parking(number) for number in range(1, spec.parkings + 1)]
        apartments = spec.lot_count - len(lots)
        lots += [_apartment(world, index) for index in range(apartments)]
    for lot in lots:
        lot.property_id = building.id
    return [
        LotPlan(lot=lot, building=building, rent_per_m2_cents=spec.rent_per_m2_cents)
        for lot in lots
    ]


def _apartment(world: DemoWorld, index: int) -> Lot:
    rng = world.rng
    rooms = rng.choices((1, 2, 3, 4, 5), weights=(20, 35, 28, 13, 4))[0]
    low, high = ROOM_SURFACES[rooms]
    floor = index // 3 + 1
    features = ", ".join(rng.sample(FEATURES, 2))
    return Lot(
        property_id=0,
        reference=f"A{floor}{index % 3 + 1}",
        kind=LotKind.APARTMENT,
        floor=FLOORS[min(floor, len(FLOORS) - 1)],
        surface_m2=rng.randint(low * 10, high * 10) / 10,
        rooms=rooms,
        description=f"Appartement T{rooms}, {features}",
    )


def _house(world: DemoWorld, number: int) -> Lot:
    rooms = world.rng.randint(4, 5)
    return Lot(
        property_id=0,
        reference=f"Maison {number}",
        kind=LotKind.HOUSE,
        surface_m2=world.rng.randint(820, 1150) / 10,
        rooms=rooms,
        description=f"Maison de ville T{rooms} avec jardinet et garage",
    )


def _shop(world: DemoWorld, kind: LotKind, number: int) -> Lot:
    label = "Commerce" if kind == LotKind.SHOP else "Bureau"
    return Lot(
        property_id=0,
        reference=f"{label} {number}",
        kind=kind,
        floor="RDC",
        surface_m2=world.rng.randint(380, 950) / 10,
        description=f"Local {'commercial sur rue' if kind == LotKind.SHOP else 'professionnel'}",
    )


def _parking(number: int) -> Lot:
    return Lot(
        property_id=0,
        reference=f"Parking {number}",
        kind=LotKind.PARKING,
        floor="Sous-sol",
        description="Place de stationnement en sous-sol, accès par badge",
    )


def _owners(world: DemoWorld, pool: IdentityPool) -> list[Owner]:
    """Owners in a fixed order: demo owner, mixed person, three SCIs, two co-owners, the rest."""
    owners = [
        _person_owner(world, pool, pool.reserve(DEMO_OWNER), email=OWNER_LOGIN),
        _person_owner(world, pool, pool.reserve(MIXED_PERSON), email=MIXED_LOGIN),
    ]
    owners += [_company_owner(world, pool, name) for name in OWNER_COMPANIES]
    owners += [_person_owner(world, pool, pool.draw(last_name=CO_OWNERS_FAMILY)) for _ in "ab"]
    while len(owners) < OWNER_COUNT:
        owners.append(_person_owner(world, pool, pool.draw()))
    for owner in world.rng.sample(owners[7:], OWNERS_WITHOUT_EMAIL):
        owner.email = None
    for number, owner in enumerate(owners, start=1):
        owner.external_ref = f"PRO-{number:03d}"
    return owners


def _person_owner(
    world: DemoWorld, pool: IdentityPool, identity: Identity, *, email: str | None = None
) -> Owner:
    street, postal_code, city = world.rng.choice(OWNER_ADDRESSES)
    return Owner(
        civility=identity.civility,
        first_name=identity.first_name,
        last_name=identity.last_name,
        email=email or pool.email_for(identity.first_name, identity.last_name),
        phone=pool.phone(),
        address_line1=street,
        postal_code=postal_code,
        city=city,
    )


def _company_owner(world: DemoWorld, pool: IdentityPool, name: str) -> Owner:
    street, postal_code, city = world.rng.choice(OWNER_ADDRESSES)
    return Owner(
        company_name=name,
        email=pool.email_for("gestion", slug(name)),
        phone=pool.phone(mobile=False),
        address_line1=street,
        postal_code=postal_code,
        city=city,
    )


def _lots_of(world: DemoWorld, building: int, kind: LotKind) -> list[LotPlan]:
    prefix = f"PROP-{building + 1:03d}"
    return [
        plan
        for plan in world.lot_plans
        if plan.building.external_ref == prefix and plan.lot.kind == kind
    ]


def _assign_owners(world: DemoWorld) -> None:
    """Decide who owns each lot: fixed portfolios for the demo logins, chance for the rest."""
    owners, rng = world.owners, world.rng
    demo, mixed, sci_tilleuls, sci_bellecour, sci_family, co_a, co_b = owners[:7]
    apartment, parking = LotKind.APARTMENT, LotKind.PARKING
    roomy = [p for p in _lots_of(world, 0, apartment) if (p.lot.rooms or 0) >= 2]
    special = {
        "tenant_flat": roomy[0],
        "tenant_parking": _lots_of(world, 0, parking)[0],
        "owner_let_flat": _lots_of(world, 3, apartment)[0],
        "owner_vacant_flat": _lots_of(world, 5, apartment)[1],
        "mixed_owned_flat": _lots_of(world, 2, apartment)[0],
        "mixed_owned_parking": _lots_of(world, 6, parking)[0],
        "mixed_tenant_flat": _lots_of(world, 4, apartment)[2],
    }
    world.special_lots = special
    for key in ("tenant_flat", "tenant_parking", "owner_let_flat", "owner_vacant_flat"):
        special[key].owners.append((demo, 10_000))
    for key in ("mixed_owned_flat", "mixed_owned_parking"):
        special[key].owners.append((mixed, 10_000))
    for plan in _lots_of(world, 13, apartment):  # the SCI owns this whole small building
        plan.owners.append((sci_bellecour, 10_000))
    for plan in _lots_of(world, 14, LotKind.HOUSE):
        plan.owners.append((sci_family, 10_000))
    free = [plan for plan in world.lot_plans if not plan.owners]
    _share(rng.sample([p for p in free if p.building.external_ref == "PROP-001"], 5), sci_tilleuls)
    free = [plan for plan in free if not plan.owners]
    rng.shuffle(free)
    for plan in free[:2]:  # an indivision: two siblings own half each
        plan.owners.extend([(co_a, 5_000), (co_b, 5_000)])
    _spread(world, free[2:], candidates=[sci_family, *owners[5:]])


def _share(plans: list[LotPlan], owner: Owner) -> None:
    for plan in plans:
        plan.owners.append((owner, 10_000))


def _spread(world: DemoWorld, plans: list[LotPlan], *, candidates: list[Owner]) -> None:
    """Give each owner without a lot one, then the remaining lots at random."""
    owned = {id(owner) for plan in world.lot_plans for owner, _ in plan.owners}
    waiting = [owner for owner in candidates if id(owner) not in owned]
    for plan, owner in zip(plans, waiting, strict=False):
        plan.owners.append((owner, 10_000))
    for plan in plans[len(waiting) :]:
        plan.owners.append((world.rng.choice(candidates), 10_000))


def _create_ownerships_and_mandates(world: DemoWorld) -> None:
    lots_by_owner: dict[int, list[LotPlan]] = {}
    for plan in world.lot_plans:
        for owner, share_bp in plan.owners:
            world.session.add(Ownership(owner_id=owner.id, lot_id=plan.lot.id, share_bp=share_bp))
            lots_by_owner.setdefault(owner.id, []).append(plan)
    mandates = [_mandate(world, owner, number) for number, owner in enumerate(world.owners, 1)]
    world.mandates = mandates
    world.session.add_all(mandates)
    world.session.flush()
    for mandate in mandates:
        world.session.add_all(
            MandateLot(mandate_id=mandate.id, lot_id=plan.lot.id)
            for plan in lots_by_owner[mandate.owner_id]
        )


def _mandate(world: DemoWorld, owner: Owner, number: int) -> ManagementMandate:
    rng = world.rng
    start = add_months(world.window_start, -rng.randint(8, 140))
    return ManagementMandate(
        owner_id=owner.id,
        external_ref=f"MAND-{number:03d}",
        number=f"MG-{start.year}-{number:04d}",
        signed_on=start - timedelta(days=rng.randint(5, 25)),
        start_date=start,
        fee_rate_bp=rng.choice((600, 650, 700, 750, 800)),
        vat_rate_bp=2_000,
        reporting_period=rng.choices(
            (ReportingPeriod.MONTHLY, ReportingPeriod.QUARTERLY), weights=(3, 1)
        )[0],
    )
