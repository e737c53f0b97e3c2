"""Quittances de loyers and Facturations states, called as a malicious browser could call them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import Document, Tenant
from extranet_app.pages.tenant_invoices import TenantInvoicesState
from extranet_app.pages.tenant_receipts import TenantReceiptsState
from extranet_app.services import auth
from extranet_app.services.documents import document_reference
from tests.billing_support import add_call, make_household
from tests.factories import PASSWORD, make_lease, make_lot
from tests.states_support import browser_payload, event_args, state_tree, substate

SECRETS = ('"id"', "rent_call_id", "lease_id", "tenant_id", "storage_key", "sha256", "_call_ids")


@pytest.fixture
def household(session):
    household = make_household(session)
    parking = make_lease(
        session,
        lot=make_lot(session, reference="P7"),
        tenants=[session.get(Tenant, household.camille.tenant_ids[0])],
        start_date=date(2025, 6, 1),
    )
    add_call(session, lease=parking, start=date(2026, 3, 1), rent_cents=6_000, charges_cents=0)
    session.commit()
    return household


def _token(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


def _is_download(event) -> bool:
    return event is not None and event.handler.fn.__qualname__ == "_call_script"


def _script(event) -> str:
    return str(event_args(event)["javascript_code"])


def _downloaded_reference(event) -> str:
    match = re.search(r"/api/documents/([0-9a-f]{32})\?espace=locataire", _script(event))
    assert match, _script(event)
    return match.group(1)


def _document_titles() -> list[str]:
    with session_scope() as session:
        return [document.title for document in session.exec(select(Document)).all()]


async def test_receipts_page_lists_periods_without_ids(household):
    token = _token(household.camille.email)
    root = state_tree(token=token, path="/locataire/quittances")
    state = substate(root, TenantReceiptsState)
    await state.load()
    assert [row.period for row in state.rows] == [
        "mars 2026",
        "mars 2026",
        "février 2026",
        "janvier 2026",
    ]
    assert state.several_leases and len(state.lease_options) == 2
    assert state.years == ["2026"] and state.summary_year == "2026"
    payload = browser_payload(root)
    assert token not in payload
    for secret in SECRETS:
        assert secret not in payload


async def test_download_issues_the_quittance_and_sends_the_browser_to_the_route(household):
    root = state_tree(token=_token(household.camille.email))
    state = substate(root, TenantReceiptsState)
    await state.load()
    january = [row.period for row in state.rows].index("janvier 2026")
    event = await state.download(january)
    reference = _downloaded_reference(event)
    assert "getBackendURL()" in _script(event)
    with session_scope() as session:
        document = session.exec(select(Document)).one()
        assert document_reference(document.id) == reference
        assert document.category == "quittance"
    flat = next(index for index, label in enumerate(state.lease_options) if "lot A12" in label)
    summary = await state.download_summary(flat)
    assert _is_download(summary)
    assert _downloaded_reference(summary) != reference
    assert "Récapitulatif annuel des loyers 2026" in _document_titles()


async def test_handlers_refuse_positions_that_are_not_rows(household):
    root = state_tree(token=_token(household.camille.email))
    state = substate(root, TenantReceiptsState)
    await state.load()
    for position in (99, -1, "0", 1.0, True, {"id": household.bob_call.id}, None):
        assert not _is_download(await state.download(position))
        assert not _is_download(await state.download_summary(position))
    unpaid = [row.status for row in state.rows].index("impayee")
    assert not _is_download(await state.download(unpaid))  # nothing to issue yet: a toast
    assert _document_titles() == []


async def test_lease_and_year_filters_take_only_what_the_page_offered(household):
    root = state_tree(token=_token(household.camille.email))
    state = substate(root, TenantReceiptsState)
    await state.load()
    parking_position = next(
        index for index, label in enumerate(state.lease_options) if "lot P7" in label
    )
    await state.set_lease(str(parking_position))
    assert [row.lot_label.endswith("lot P7") for row in state.rows] == [True]
    await state.set_lease({"lease_id": household.bob_lease.id})
    assert state.lease == "tous" and len(state.rows) == 4
    await state.set_year("1999")
    assert state.year == "toutes"
    await state.set_year("2026")
    assert state.year == "2026" and len(state.rows) == 4


async def test_another_tenant_reaches_none_of_these_periods(household):
    root = state_tree(token=_token(household.bob.email))
    state = substate(root, TenantReceiptsState)
    await state.load()
    assert [row.lot_label.endswith("lot B3") for row in state.rows] == [True]
    event = await state.download(0)
    assert _downloaded_reference(event)
    assert _document_titles() == ["Quittance de loyer — janvier 2026"]
    invoices = substate(root, TenantInvoicesState)
    await invoices.load()
    assert len(invoices.rows) == 1 and not invoices.several_leases


@pytest.mark.parametrize("token", ["forged-token", ""])
async def test_receipts_page_gives_nothing_without_a_session(household, token):
    root = state_tree(token=token)
    state = substate(root, TenantReceiptsState)
    await state.load()
    assert state.rows == [] and not state.loaded
    await state.set_consent(True)
    assert not state.consent_given
    assert not _is_download(await state.download(0))
    assert _document_titles() == []


async def test_consent_switch_records_the_consent_and_shows_its_date(household):
    root = state_tree(token=_token(household.camille.email))
    state = substate(root, TenantReceiptsState)
    await state.load()
    assert state.consent_given is False
    await state.set_consent(True)
    assert state.consent_given and re.match(r"\d\d/\d\d/\d{4} à \d\d:\d\d", state.consent_since)
    await state.set_consent("oui")  # not a bool: ignored
    assert state.consent_given
    await state.set_consent(False)
    assert not state.consent_given and state.consent_since == ""


async def test_invoices_page_lists_and_downloads_a_rent_notice(household):
    token = _token(household.sacha.email)
    root = state_tree(token=token, path="/locataire/facturations")
    state = substate(root, TenantInvoicesState)
    await state.load()
    assert [row.status_label for row in state.rows] == ["Impayée", "Partiellement payée", "Payée"]
    assert not state.several_leases  # Sacha only shares the flat
    event = await state.download(0)
    reference = _downloaded_reference(event)
    with session_scope() as session:
        document = session.exec(select(Document)).one()
        assert (document.category, document_reference(document.id)) == ("avis_echeance", reference)
    payload = browser_payload(root)
    assert token not in payload
    for secret in SECRETS:
        assert secret not in payload
    assert not _is_download(await state.download(7))
