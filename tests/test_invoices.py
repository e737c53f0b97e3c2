"""Facturations: avis d'échéance and other invoices, their payment status, their PDFs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.document_routes import routes
from extranet_app.models import AgencySettings, AuditEvent, Document, Tenant
from extranet_app.models.documents import DocumentCategory
from extranet_app.models.leases import RentCallKind
from extranet_app.services import auth
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_euros
from extranet_app.services.invoices import invoices_page, issue_invoice_document
from extranet_app.services.storage import read_bytes
from extranet_app.settings import get_settings
from tests.billing_support import add_call, document_of, make_household, pay, pdf_text
from tests.factories import PASSWORD, make_lease, make_lot


@pytest.fixture
def household(session):
    household = make_household(session)
    invoice = add_call(
        session,
        lease=household.lease,
        start=date(2026, 2, 1),
        rent_cents=0,
        charges_cents=14_250,
        kind=RentCallKind.CHARGES_RECONCILIATION,
        label="Régularisation des charges 2025",
    )
    household.invoice = invoice
    session.commit()
    return household


def test_invoices_show_their_status_newest_first(session, household):
    page = invoices_page(session=session, user=household.camille)
    assert [(row.title, row.status_label) for row in page.rows] == [
        ("Avis d'échéance — mars 2026", "Impayée"),
        ("Régularisation des charges 2025", "Impayée"),
        ("Avis d'échéance — février 2026", "Partiellement payée"),
        ("Avis d'échéance — janvier 2026", "Payée"),
    ]
    reconciliation = page.rows[1]
    assert reconciliation.kind_label == "Régularisation des charges"
    assert reconciliation.amount == format_euros(14_250)
    assert page.rows[3].issued_on == "22/12/2025"  # the day the call was issued
    assert page.rows[2].remaining == format_euros(43_000)


def test_invoices_are_paginated_by_the_database_and_filtered_by_lease(session, household):
    tenant = household.camille
    for month in range(1, 13):
        add_call(session, lease=household.lease, start=date(2025, month, 1))
    parking = make_lease(
        session,
        lot=make_lot(session, reference="P1"),
        tenants=[session.get(Tenant, tenant.tenant_ids[0])],
    )
    add_call(session, lease=parking, start=date(2026, 3, 1), rent_cents=6_000, charges_cents=0)
    session.commit()
    first = invoices_page(session=session, user=tenant, page_size=5)
    last = invoices_page(session=session, user=tenant, page=4, page_size=5)
    assert (first.total, first.page_count, len(first.rows), len(last.rows)) == (17, 4, 5, 2)
    assert last.rows[-1].title == "Avis d'échéance — janvier 2025"
    parking_only = invoices_page(session=session, user=tenant, lease_id=parking.id)
    assert [row.amount for row in parking_only.rows] == [format_euros(6_000)]
    assert len(first.leases) == 2


def test_rent_notice_is_stored_once_and_dated_when_the_call_was_issued(session, household):
    issued = issue_invoice_document(
        session=session, user=household.camille, rent_call_id=household.march.id
    )
    document = document_of(session, issued.reference)
    data = read_bytes(document.storage_key)
    text = pdf_text(data)
    assert document.category == DocumentCategory.RENT_NOTICE
    assert document.rent_call_id == household.march.id
    assert "Avis d'échéance" in text and "du 01/03/2026 au 31/03/2026" in text
    assert f"Total à payer {format_euros(73_000)}" in text
    assert "FR76 3000 4000 0500 0012 3456 789" in text and "LOY-A12" in text
    assert "Fait à Lyon, le 19/02/2026" in text
    assert "n'est pas une quittance" in text
    # Paid since: the notice does not change.
    pay(session, call=household.march, paid_on=date(2026, 3, 5), amount_cents=73_000)
    session.commit()
    again = issue_invoice_document(
        session=session, user=household.camille, rent_call_id=household.march.id
    )
    assert again == issued and read_bytes(document.storage_key) == data


def test_other_invoice_pdf_names_what_is_invoiced(session, household):
    issued = issue_invoice_document(
        session=session, user=household.sacha, rent_call_id=household.invoice.id
    )
    document = document_of(session, issued.reference)
    text = pdf_text(read_bytes(document.storage_key))
    assert document.category == DocumentCategory.INVOICE
    assert "Facture — Régularisation des charges 2025" in text
    assert f"Régularisation des charges {format_euros(14_250)}" in text


def test_tenant_cannot_issue_another_tenants_invoice_by_guessing_ids(session, household):
    for guessed in (household.invoice.id, household.january.id, 10_000, "3", [1]):
        with pytest.raises(AccessDenied):
            issue_invoice_document(session=session, user=household.bob, rent_call_id=guessed)
    assert session.exec(select(Document)).all() == []
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.allowed.is_(False))).all()
    assert actions == ["invoice.refused"] * 5
    mine = invoices_page(session=session, user=household.bob, lease_id=household.lease.id)
    assert mine.rows == ()


def test_documents_without_agency_settings_print_the_configured_agency(session, household):
    session.delete(session.get(AgencySettings, 1))
    session.commit()
    issued = issue_invoice_document(
        session=session, user=household.camille, rent_call_id=household.january.id
    )
    text = pdf_text(read_bytes(document_of(session, issued.reference).storage_key))
    assert "Avis d'échéance" in text and "Fait à Lyon" in text


def test_download_route_gives_a_rent_notice_to_its_tenants_only(session, household):
    issued = issue_invoice_document(
        session=session, user=household.camille, rent_call_id=household.invoice.id
    )
    client = TestClient(Starlette(routes=routes), base_url="http://localhost:8000")
    cookie = get_settings().session_cookie_name
    for email, expected in ((household.sacha.email, 200), (household.bob.email, 404)):
        token = auth.login(session=session, email=email, password=PASSWORD).token
        client.cookies.clear()
        response = client.get(
            f"/api/documents/{issued.reference}?espace=locataire", cookies={cookie: token}
        )
        assert response.status_code == expected, email
