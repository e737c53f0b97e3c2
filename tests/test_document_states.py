"""The Porte-documents states, called directly as a malicious browser could call them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from extranet_app.db import session_scope
from extranet_app.models.documents import DocumentCategory
from extranet_app.pages.owner_documents import OwnerDocumentsState
from extranet_app.pages.tenant_documents import TenantDocumentsState
from extranet_app.services import auth
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.states_support import browser_payload, state_tree, substate
from tests.test_documents import make_document


@pytest.fixture
def people(session):
    """A tenant and their landlord with a lease document, a diagnostic and a mandate."""
    tenant_user = make_user(session, email="tenant@example.test")
    owner_user = make_user(session, email="owner@example.test")
    tenant = make_tenant(session, user=tenant_user)
    owner = make_owner(session, user=owner_user)
    lot = make_lot(session, owner=owner)
    lease = make_lease(session, lot=lot, tenants=[tenant], start_date=date(2024, 1, 1))
    make_document(session, title="Bail signé", lease_id=lease.id, category=DocumentCategory.LEASE)
    make_document(session, title="DPE", lot_id=lot.id, category=DocumentCategory.DIAGNOSTIC)
    make_document(
        session,
        title="Mandat",
        owner_id=owner.id,
        category=DocumentCategory.MANDATE,
        visible_to_tenants=False,
    )
    session.commit()
    tokens = {}
    for name, user in (("tenant", tenant_user), ("owner", owner_user)):
        with session_scope() as scoped:
            tokens[name] = auth.login(session=scoped, email=user.email, password=PASSWORD).token
    return tokens


async def test_tenant_folder_lists_own_documents_without_ids_or_tokens(people):
    root = state_tree(token=people["tenant"], path="/locataire/documents")
    state = substate(root, TenantDocumentsState)
    await state.load()
    assert {row.title for row in state.documents} == {"Bail signé", "DPE"}
    assert [c["label"] for c in state.categories] == ["Bail", "Diagnostic"]
    payload = browser_payload(root)
    assert people["tenant"] not in payload
    assert "Mandat" not in payload
    for secret in ('"id"', "storage_key", "tenant_id", "lease_id", "sha256", "user_id"):
        assert secret not in payload
    assert re.search(r'"reference":\s*"[0-9a-f]{32}"', payload)


async def test_filter_and_search_re_check_the_session(people):
    root = state_tree(token=people["tenant"])
    state = substate(root, TenantDocumentsState)
    await state.load()
    await state.set_category(DocumentCategory.DIAGNOSTIC)
    assert [row.title for row in state.documents] == ["DPE"]
    await state.set_category({"not": "a string"})
    assert state.category == "toutes"
    await state.set_search("bail")
    assert [row.title for row in state.documents] == ["Bail signé"]


async def test_owner_folder_shows_mandate_and_lot_papers(people):
    root = state_tree(token=people["owner"], path="/proprietaire/documents")
    state = substate(root, OwnerDocumentsState)
    await state.load()
    assert {row.title for row in state.documents} == {"Bail signé", "DPE", "Mandat"}


@pytest.mark.parametrize("who", ["owner", None])
async def test_tenant_folder_gives_nothing_to_anyone_but_a_tenant(people, who):
    root = state_tree(token=people[who] if who else "forged-token")
    state = substate(root, TenantDocumentsState)
    await state.load()
    await state.set_search("")
    assert state.documents == []


async def test_a_long_folder_is_paged_by_the_database(people, session):
    from sqlmodel import select

    from extranet_app.models import Lease

    lease = session.exec(select(Lease)).one()
    for number in range(30):
        make_document(session, title=f"Avenant {number:02d}", lease_id=lease.id)
    session.commit()
    root = state_tree(token=people["tenant"])
    state = substate(root, TenantDocumentsState)
    await state.load()
    assert (state.total, state.page_count, len(state.documents)) == (32, 2, 25)
    await state.next_page()
    assert (state.page, len(state.documents)) == (2, 7)
    await state.go_to_page("2; DROP TABLE document")
    assert state.page == 2
    await state.go_to_page(99)
    assert (state.page, len(state.documents)) == (2, 7)
    await state.set_search("Avenant 0")
    assert (state.page, state.total, len(state.documents)) == (1, 10, 10)
