"""Logins of the demo people: the three fixed demo accounts and a few other enrolled people."""

from __future__ import annotations

from typing import TypeVar

from extranet_app.demo.catalog import DEMO_DOMAIN, MIXED_LOGIN, OWNER_LOGIN, TENANT_LOGIN
from extranet_app.demo.world import DemoWorld
from extranet_app.models import Owner, Tenant, User

Profile = TypeVar("Profile", Tenant, Owner)
OTHER_ENROLLED_TENANTS = 4
OTHER_ENROLLED_OWNERS = 2


def create_accounts(world: DemoWorld) -> None:
    """Enrol the demo logins and a handful of others; everybody else stays without a login."""
    tenant = _profile(world.tenants, TENANT_LOGIN)
    owner = _profile(world.owners, OWNER_LOGIN)
    mixed_tenant, mixed_owner = (
        _profile(world.tenants, MIXED_LOGIN),
        _profile(world.owners, MIXED_LOGIN),
    )
    pairs: list[tuple[User, list[Tenant | Owner]]] = [
        (_user(world, tenant, days=420), [tenant]),
        (_user(world, owner, days=380), [owner]),
        (_user(world, mixed_tenant, days=300), [mixed_tenant, mixed_owner]),
    ]
    for profile in _others(world):
        pairs.append((_user(world, profile, days=world.rng.randint(20, 500)), [profile]))
    world.session.add_all(user for user, _ in pairs)
    world.session.flush()
    for user, profiles in pairs:
        world.users_by_email[user.email] = user
        for profile in profiles:
            profile.user_id = user.id
    tenant.receipts_by_email_consent_at = world.days_ago(419, hour=18, minute=12)


def _profile(profiles: list[Profile], email: str) -> Profile:
    return next(profile for profile in profiles if profile.email == email)


def _others(world: DemoWorld) -> list[Tenant | Owner]:
    """A few people with an e-mail address who already activated their login."""
    current = {
        id(t) for plan in world.lease_plans if plan.lease.end_date is None for t in plan.tenants
    }
    tenants = [
        t
        for t in world.tenants
        if t.email and DEMO_DOMAIN not in t.email and id(t) in current and not t.company_name
    ]
    owners = [o for o in world.owners if o.email and DEMO_DOMAIN not in o.email]
    chosen_tenants = world.rng.sample(tenants, OTHER_ENROLLED_TENANTS)
    for tenant in chosen_tenants[:2]:
        tenant.receipts_by_email_consent_at = world.days_ago(world.rng.randint(5, 15))
    return [*chosen_tenants, *world.rng.sample(owners, OTHER_ENROLLED_OWNERS)]


def _user(world: DemoWorld, profile: Tenant | Owner, *, days: int) -> User:
    name = profile.company_name or f"{profile.first_name} {profile.last_name}"
    return User(
        email=(profile.email or "").lower(),
        display_name=name,
        password_hash=world.password_hash,
        is_agency=False,
        is_active=True,
        created_at=world.days_ago(days + 3),
        activated_at=world.days_ago(days, hour=20, minute=41),
    )
