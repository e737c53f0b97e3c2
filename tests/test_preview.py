"""Aperçu: agency staff see a person's space read-only, audited, and only staff can open it."""

import pytest
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import AuditEvent
from extranet_app.pages.agency_home import AgencyHomeState
from extranet_app.pages.tenant_home import TenantHomeState
from extranet_app.services import auth
from extranet_app.services.errors import AccessDenied
from extranet_app.states.session import SessionState
from tests.factories import PASSWORD, make_lease, make_lot, make_tenant, make_user
from tests.states_support import redirect_path, state_tree, substate


@pytest.fixture
def world(session):
    staff = make_user(session, email="staff@example.test", is_agency=True)
    tenant_user = make_user(session, email="tenant@example.test", display_name="Camille Durand")
    other_user = make_user(session, email="other@example.test")
    tenant = make_tenant(session, user=tenant_user)
    make_tenant(session, user=other_user, last_name="Other")
    make_lease(session, lot=make_lot(session, reference="C3"), tenants=[tenant])
    session.commit()
    tokens = {}
    for name, user in (("staff", staff), ("tenant", tenant_user), ("other", other_user)):
        with session_scope() as scoped:
            tokens[name] = auth.login(session=scoped, email=user.email, password=PASSWORD).token
    return {"tokens": tokens, "tenant_user_id": tenant_user.id, "staff_id": staff.id}


async def test_staff_preview_shows_the_persons_space_with_a_banner(world, session):
    root = state_tree(token=world["tokens"]["staff"])
    shell = substate(root, SessionState)
    assert redirect_path(await shell._begin_preview(world["tenant_user_id"])) == "/locataire"
    assert shell.preview_name == "Camille Durand"
    home = substate(root, TenantHomeState)
    assert await home.enter_tenant_space() is None
    await home.load()
    assert [lease.lot_label.endswith("lot C3") for lease in home.leases] == [True]
    assert shell.user_name == "Camille Durand"
    started = session.exec(select(AuditEvent).where(AuditEvent.action == "preview.start")).one()
    assert (started.actor_user_id, started.target_id) == (
        world["staff_id"],
        str(world["tenant_user_id"]),
    )


async def test_previewed_user_is_read_only(world):
    root = state_tree(token=world["tokens"]["staff"])
    shell = substate(root, SessionState)
    await shell._begin_preview(world["tenant_user_id"])
    viewed = await shell._session_user(auth.Space.TENANT)
    assert viewed.read_only
    with pytest.raises(AccessDenied):
        auth.require_writable(viewed)


async def test_a_tenant_cannot_open_a_preview(world):
    shell = substate(state_tree(token=world["tokens"]["other"]), SessionState)
    await shell._begin_preview(world["tenant_user_id"])
    assert shell._preview_user_id is None
    assert shell.preview_name == ""


async def test_a_forged_preview_id_in_a_tenants_tab_gives_nothing(world):
    root = state_tree(token=world["tokens"]["other"])
    shell = substate(root, SessionState)
    shell._preview_user_id = world["tenant_user_id"]  # as if the tab state had been tampered with
    home = substate(root, TenantHomeState)
    await home.load()
    assert home.leases == []


async def test_going_back_to_the_agency_space_ends_the_preview(world):
    root = state_tree(token=world["tokens"]["staff"])
    shell = substate(root, SessionState)
    await shell._begin_preview(world["tenant_user_id"])
    agency = substate(root, AgencyHomeState)
    assert await agency.enter_agency_space() is None
    assert shell.preview_name == ""
    await agency.load()
    assert agency.counts is not None


async def test_exit_preview_returns_to_the_agency(world):
    shell = substate(state_tree(token=world["tokens"]["staff"]), SessionState)
    await shell._begin_preview(world["tenant_user_id"])
    assert redirect_path(await shell.exit_preview()) == "/agence"
    assert shell._preview_user_id is None


async def test_staff_cannot_preview_another_staff_member(world, session):
    colleague = make_user(session, email="colleague@example.test", is_agency=True)
    session.commit()
    shell = substate(state_tree(token=world["tokens"]["staff"]), SessionState)
    await shell._begin_preview(colleague.id)
    assert shell.preview_name == ""
    denied = session.exec(select(AuditEvent).where(AuditEvent.action == "preview.denied")).one()
    assert not denied.allowed
