"""The demo tenant's Quittances de loyers and Facturations, as they open the pages."""

from __future__ import annotations

from sqlmodel import select

from extranet_app.demo.catalog import TENANT_LOGIN
from extranet_app.models import Tenant, User
from extranet_app.services.invoices import invoices_page
from extranet_app.services.receipts import ReceiptsQuery, issue_receipt, receipts_page
from tests.billing_support import pdf_of, session_user
from tests.test_demo_data import demo, session  # noqa: F401  (the demo, built once here)


def _demo_tenant(session):  # noqa: F811
    user = session.exec(select(User).where(User.email == TENANT_LOGIN)).one()
    tenants = session.exec(select(Tenant).where(Tenant.user_id == user.id)).all()
    return session_user(user, list(tenants))


def test_demo_tenant_has_quittances_a_recu_and_other_invoices(session):  # noqa: F811
    tenant = _demo_tenant(session)
    first_page = receipts_page(session=session, user=tenant, query=ReceiptsQuery())
    labels = {row.document_label for row in first_page.rows}
    assert {"Quittance", "Reçu", ""} <= labels
    assert len(first_page.leases) == 2 and first_page.page_count > 1
    invoices = invoices_page(session=session, user=tenant, page_size=50)
    by_title = {row.title: row.status_label for row in invoices.rows}
    assert by_title["Régularisation des charges 2025"] == "Impayée"
    assert by_title["Remplacement du bip du portail"] == "Payée"
    assert {row.status_label for row in invoices.rows} == {
        "Payée",
        "Partiellement payée",
        "Impayée",
    }


def test_demo_quittances_name_the_landlord_the_agency_and_the_co_tenants(session):  # noqa: F811
    tenant = _demo_tenant(session)
    tenants_per_lease = []
    for lease_id in receipts_page(session=session, user=tenant, query=ReceiptsQuery()).lease_ids:
        page = receipts_page(session=session, user=tenant, query=ReceiptsQuery(lease_id=lease_id))
        position = [row.document_label for row in page.rows].index("Quittance")
        issued = issue_receipt(session=session, user=tenant, rent_call_id=page.call_ids[position])
        text = pdf_of(session, issued.reference)
        assert "Quittance de loyer" in text and "Mandataire du bailleur" in text
        assert "CPI " in text and "Fait à Lyon" in text
        tenants_per_lease.append(text.split("Locataire(s)")[1].split("\n")[0].count(",") + 1)
    assert sorted(tenants_per_lease) == [1, 2]  # the parking alone, the flat with a co-tenant
