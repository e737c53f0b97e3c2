"""Sections of the tenant and owner spaces: the rule, the navigation, and refusal when called
directly (state handlers, page guards, the download route)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.document_routes import routes as document_routes
from extranet_app.db import session_scope
from extranet_app.models import AuditEvent, Lot, SectionSetting
from extranet_app.models.documents import DocumentCategory
from extranet_app.pages.owner_documents import OwnerDocumentsState
from extranet_app.pages.tenant_arrears import TenantArrearsState
from extranet_app.pages.tenant_documents import TenantDocumentsState
from extranet_app.services import auth
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import document_reference, list_documents
from extranet_app.services.errors import AccessDenied
from extranet_app.services.section_settings import (
    building_switches,
    global_switches,
    set_section,
)
from extranet_app.services.sections import (
    SECTION_LABELS,
    OwnerSection,
    TenantSection,
    disabled_sections,
    section_enabled,
)
from extranet_app.settings import get_settings
from extranet_app.states.session import SessionState
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.states_support import redirect_path, state_tree, substate
from tests.test_documents import as_session_user, make_document

TODAY = date(2026, 11, 27)


@dataclass
class Place:
    """Two buildings: Camille rents in A, Léa in B; Paul owns a lot in each."""

    admin: SessionUser
    camille: SessionUser
    lea: SessionUser
    paul: SessionUser
    building_a: int
    building_b: int
    lease_a: int


@pytest.fixture
def place(session: Session) -> Place:
    admin_user = make_user(session, email="admin@agence.test", is_agency=True, is_admin=True)
    paul_user = make_user(session, email="paul@example.test")
    paul = make_owner(session, user=paul_user)
    lot_a = make_lot(session, owner=paul, reference="A1")
    lot_b = make_lot(session, owner=paul, reference="B1")
    people = {}
    for name, lot in (("camille", lot_a), ("lea", lot_b)):
        user = make_user(session, email=f"{name}@example.test")
        tenant = make_tenant(session, user=user, last_name=name.capitalize())
        lease = make_lease(session, lot=lot, tenants=[tenant], start_date=date(2024, 1, 1))
        people[name] = (as_session_user(user, tenants=[tenant]), lease)
    session.commit()
    return Place(
        admin=as_session_user(admin_user),
        camille=people["camille"][0],
        lea=people["lea"][0],
        paul=as_session_user(paul_user, owners=[paul]),
        building_a=lot_a.property_id,
        building_b=lot_b.property_id,
        lease_a=people["camille"][1].id,
    )


def _switch(session, place, section, state, building=None, space=Space.TENANT):
    set_section(
        session=session,
        actor=place.admin,
        space=space.value,
        section=section.value,
        state=state,
        property_id=building,
    )


def _enabled(session, user, section, space=Space.TENANT) -> bool:
    return section_enabled(
        session=session, user=user, space=space, section=section.value, today=TODAY
    )


# --- The rule ----------------------------------------------------------------------------------


def test_every_section_is_on_until_the_agency_turns_it_off(session, place):
    for space in (Space.TENANT, Space.OWNER):
        for user in (place.camille, place.paul):
            assert disabled_sections(session=session, user=user, space=space, today=TODAY) == set()


def test_a_section_turned_off_globally_is_off_for_everyone(session, place):
    _switch(session, place, TenantSection.INVOICES, "desactive")
    assert not _enabled(session, place.camille, TenantSection.INVOICES)
    assert not _enabled(session, place.lea, TenantSection.INVOICES)
    assert _enabled(session, place.camille, TenantSection.RECEIPTS)


def test_a_building_override_hides_a_section_only_from_the_tenants_of_that_building(session, place):
    _switch(session, place, TenantSection.INVOICES, "desactive", place.building_a)
    assert not _enabled(session, place.camille, TenantSection.INVOICES)
    assert _enabled(session, place.lea, TenantSection.INVOICES)


def test_a_building_override_can_turn_on_what_is_off_everywhere_else(session, place):
    _switch(session, place, TenantSection.MESSAGES, "desactive")
    _switch(session, place, TenantSection.MESSAGES, "active", place.building_b)
    assert not _enabled(session, place.camille, TenantSection.MESSAGES)
    assert _enabled(session, place.lea, TenantSection.MESSAGES)


def test_an_owner_keeps_a_section_that_is_on_for_one_of_their_buildings(session, place):
    _switch(session, place, OwnerSection.REPORTS, "desactive", place.building_a, Space.OWNER)
    assert _enabled(session, place.paul, OwnerSection.REPORTS, Space.OWNER)
    _switch(session, place, OwnerSection.REPORTS, "desactive", place.building_b, Space.OWNER)
    assert not _enabled(session, place.paul, OwnerSection.REPORTS, Space.OWNER)


def test_tenant_and_owner_sections_with_the_same_key_are_separate(session, place):
    _switch(session, place, OwnerSection.DOCUMENTS, "desactive", space=Space.OWNER)
    assert not _enabled(session, place.paul, OwnerSection.DOCUMENTS, Space.OWNER)
    assert _enabled(session, place.camille, TenantSection.DOCUMENTS)


def test_a_former_tenant_is_judged_on_the_buildings_of_their_past_leases(session, place):
    user = make_user(session, email="ancien@example.test")
    tenant = make_tenant(session, user=user, last_name="Ancien")
    lot = session.get(Lot, session.exec(select(Lot.id).where(Lot.reference == "A1")).one())
    make_lease(
        session, lot=lot, tenants=[tenant], start_date=date(2020, 1, 1), end_date=date(2023, 12, 31)
    )
    session.commit()
    former = as_session_user(user, tenants=[tenant])
    _switch(session, place, TenantSection.RECEIPTS, "desactive", place.building_a)
    assert not _enabled(session, former, TenantSection.RECEIPTS)


def test_a_building_back_to_the_general_setting_loses_its_override(session, place):
    _switch(session, place, TenantSection.NEWS, "desactive", place.building_a)
    _switch(session, place, TenantSection.NEWS, "general", place.building_a)
    assert _enabled(session, place.camille, TenantSection.NEWS)
    assert session.exec(select(SectionSetting)).all() == []


def test_unknown_sections_and_states_are_refused(session, place):
    assert not section_enabled(
        session=session, user=place.camille, space=Space.TENANT, section="inconnue"
    )
    with pytest.raises(ValueError):
        set_section(
            session=session, actor=place.admin, space="locataire", section="x", state="active"
        )
    with pytest.raises(ValueError):
        _switch(session, place, TenantSection.NEWS, "general")  # globally: on or off only
    with pytest.raises(ValueError):
        _switch(session, place, TenantSection.NEWS, {"not": "a state"})


def test_only_administrators_change_sections(session, place):
    staff_user = make_user(session, email="gestion@agence.test", is_agency=True)
    staff = as_session_user(staff_user)
    with pytest.raises(AccessDenied):
        set_section(
            session=session,
            actor=staff,
            space="locataire",
            section="facturations",
            state="desactive",
        )
    with pytest.raises(AccessDenied):
        global_switches(session=session, actor=staff)


def test_changes_are_journaled_with_before_and_after(session, place):
    _switch(session, place, TenantSection.INVOICES, "desactive", place.building_a)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "section.changed")).one()
    assert event.actor_user_id == place.admin.user_id
    assert '"before": "Comme le réglage général"' in event.detail
    assert '"after": "Désactivée"' in event.detail
    assert "Facturations" in event.detail


def test_the_settings_page_lists_global_states_and_differing_buildings(session, place):
    _switch(session, place, TenantSection.INVOICES, "desactive", place.building_a)
    switches = {
        (s.space, s.section): s for s in global_switches(session=session, actor=place.admin)
    }
    assert len(switches) == len(SECTION_LABELS[Space.TENANT]) + len(SECTION_LABELS[Space.OWNER])
    invoices = switches[("locataire", "facturations")]
    assert invoices.enabled and invoices.overrides.startswith("Désactivée pour : Résidence")
    for_a = building_switches(session=session, actor=place.admin, property_id=place.building_a)
    states = {(s.space, s.section): s.state for s in for_a}
    assert states[("locataire", "facturations")] == "desactive"
    assert states[("locataire", "quittances")] == "general"


# --- Refused when called directly ---------------------------------------------------------------


def _token(email: str) -> str:
    with session_scope() as session:
        opened = auth.login(session=session, email=email, password=PASSWORD)
        assert opened is not None
        return opened.token


def _refusals(session) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.action == "section.refused")).all()
    )


async def test_loyers_impayes_handlers_refuse_a_tenant_whose_section_is_off(session, place):
    _switch(session, place, TenantSection.ARREARS, "desactive", place.building_a)
    state = substate(state_tree(token=_token("camille@example.test")), TenantArrearsState)
    await state.load()
    assert state.loaded is False and state.periods == []
    assert [event.target_id for event in _refusals(session)] == ["locataire:loyers_impayes"]
    other = substate(state_tree(token=_token("lea@example.test")), TenantArrearsState)
    await other.load()
    assert other.loaded is True


async def test_porte_documents_handlers_refuse_when_the_section_is_off(session, place):
    make_document(session, title="Bail signé", lease_id=place.lease_a)
    session.commit()
    token = _token("camille@example.test")
    state = substate(state_tree(token=token), TenantDocumentsState)
    await state.load()
    assert [row.title for row in state.documents] == ["Bail signé"]
    _switch(session, place, TenantSection.DOCUMENTS, "desactive")
    await state.set_search("bail")
    assert state.documents == []
    owner_state = substate(state_tree(token=_token("paul@example.test")), OwnerDocumentsState)
    await owner_state.load()
    assert [row.title for row in owner_state.documents] == ["Bail signé"]


async def test_the_page_guard_sends_the_person_home_and_the_navigation_hides_the_link(
    session, place
):
    _switch(session, place, TenantSection.ARREARS, "desactive")
    root = state_tree(token=_token("camille@example.test"), path="/locataire/loyers-impayes")
    state = substate(root, SessionState)
    assert await state.enter_tenant_space() is None
    assert state.hidden_sections == ["loyers_impayes"]
    events = await state.enter_section("locataire", "loyers_impayes")
    assert redirect_path(events[-1]) == "/locataire"
    assert await state.enter_section("locataire", "porte_documents") is None


# --- Documents of a section ---------------------------------------------------------------------


@pytest.fixture
def papers(session, place):
    receipt = make_document(
        session,
        title="Quittance mars",
        lease_id=place.lease_a,
        category=DocumentCategory.RENT_RECEIPT,
    )
    lease_doc = make_document(
        session, title="Bail signé", lease_id=place.lease_a, category=DocumentCategory.LEASE
    )
    session.commit()
    return {"receipt": document_reference(receipt.id), "lease": document_reference(lease_doc.id)}


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=document_routes), base_url="http://localhost:8000")


def _download(client, token: str, reference: str) -> int:
    cookies = {get_settings().session_cookie_name: token}
    return client.get(f"/api/documents/{reference}?espace=locataire", cookies=cookies).status_code


def test_download_route_refuses_quittances_when_quittances_de_loyers_is_off(
    session, place, papers, client
):
    token = _token("camille@example.test")
    assert _download(client, token, papers["receipt"]) == 200
    _switch(session, place, TenantSection.RECEIPTS, "desactive", place.building_a)
    assert _download(client, token, papers["receipt"]) == 404
    assert _download(client, token, papers["lease"]) == 200
    titles = [
        row.title
        for row in list_documents(
            session=session, user=place.camille, space=Space.TENANT, today=TODAY
        )
    ]
    assert titles == ["Bail signé"]


def test_download_route_refuses_the_porte_documents_papers_when_it_is_off(
    session, place, papers, client
):
    _switch(session, place, TenantSection.DOCUMENTS, "desactive")
    token = _token("camille@example.test")
    assert _download(client, token, papers["lease"]) == 404
    assert _download(client, token, papers["receipt"]) == 200  # Quittances de loyers is on
    session.expire_all()
    refused = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "document.download", AuditEvent.allowed.is_(False)
        )
    ).all()
    assert len(refused) == 1
