"""Quittances de loyers: which period gives which document, stored once, and only to its tenants."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.document_routes import routes
from extranet_app.models import AgencySettings, AuditEvent, Document, Tenant
from extranet_app.models.documents import DocumentCategory
from extranet_app.pdf.receipts import summary_totals
from extranet_app.services import auth
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_euros
from extranet_app.services.receipts import (
    ReceiptsQuery,
    issue_receipt,
    issue_yearly_summary,
    receipts_consent,
    receipts_page,
    set_receipts_consent,
    yearly_periods,
)
from extranet_app.services.storage import read_bytes
from extranet_app.services.tenant_billing import DocumentUnavailable
from extranet_app.settings import get_settings
from tests.billing_support import (
    TODAY,
    add_call,
    document_of,
    make_household,
    pay,
    pdf_text,
    session_user,
)
from tests.factories import PASSWORD, make_lease, make_lot, make_tenant, make_user


@pytest.fixture
def household(session):
    return make_household(session)


def test_fully_paid_period_offers_a_quittance_partly_paid_a_recu_unpaid_nothing(session, household):
    page = receipts_page(session=session, user=household.camille, query=ReceiptsQuery())
    assert [row.period for row in page.rows] == ["mars 2026", "février 2026", "janvier 2026"]
    assert [row.document_label for row in page.rows] == ["", "Reçu", "Quittance"]
    assert [row.status_label for row in page.rows] == [
        "Impayée",
        "Partiellement payée",
        "Payée",
    ]
    january = page.rows[2]
    assert (january.rent, january.charges, january.other) == (
        format_euros(123_456),
        format_euros(9_000),
        format_euros(1_500),
    )
    assert january.payment_dates == "05/01/2026, 12/01/2026"
    assert page.rows[1].remaining == format_euros(43_000)


def test_quittance_is_stored_once_with_its_hash_and_never_changes(session, household):
    first = issue_receipt(
        session=session, user=household.camille, rent_call_id=household.january.id, today=TODAY
    )
    document = document_of(session, first.reference)
    data = read_bytes(document.storage_key)
    assert document.category == DocumentCategory.RENT_RECEIPT
    assert document.source == "genere" and document.visible_to_tenants
    assert (document.rent_call_id, document.lease_id) == (household.january.id, household.lease.id)
    assert hashlib.sha256(data).hexdigest() == document.sha256 and len(data) == document.size_bytes
    # The agency renames itself; a later request, even on another day, gets the same file.
    agency = session.get(AgencySettings, 1)
    agency.name = "Nouvelle Agence"
    session.add(agency)
    session.commit()
    again = issue_receipt(
        session=session,
        user=household.camille,
        rent_call_id=household.january.id,
        today=date(2026, 9, 1),
    )
    assert again == first
    assert read_bytes(document.storage_key) == data
    assert len(session.exec(select(Document)).all()) == 1
    assert "Nouvelle Agence" not in pdf_text(data)


def test_quittance_prints_every_mention_of_article_21(session, household):
    issued = issue_receipt(
        session=session, user=household.camille, rent_call_id=household.january.id, today=TODAY
    )
    text = pdf_text(read_bytes(document_of(session, issued.reference).storage_key))
    expected = [
        "Quittance de loyer",
        "Bailleur",
        "M. Paul Garnier",  # the landlord
        "Mandataire du bailleur",
        "Agence Démo Immobilier",  # the agency acting for him, with its identity
        "12 rue de la République",
        "CPI 6901 2018 000 012 345",
        "Mme Camille Lefèvre, Mme Camille Nguyen",  # both co-tenants
        "8 rue Garibaldi",  # the address of the lot
        "69006 Lyon",
        "Appartement A12",
        "du 01/01/2026 au 31/01/2026",  # the period
        f"Loyer (hors charges) {format_euros(123_456)}",  # rent and charges apart
        f"Provision pour charges {format_euros(9_000)}",
        f"Taxe d'enlèvement des ordures ménagères {format_euros(1_500)}",  # other sums
        f"Total réglé {format_euros(133_956)}",
        "05/01/2026",  # the payment dates
        "12/01/2026",
        "et lui en donne quittance",
        "Fait à Lyon, le 18/03/2026",
        "gratuitement",
    ]
    for mention in expected:
        assert mention in text, mention
    assert "1\u202f234,56\xa0€" in text and "1\u202f339,56\xa0€" in text


def test_partly_paid_period_gets_a_recu_never_a_quittance(session, household):
    call = household.february
    issued = issue_receipt(session=session, user=household.camille, rent_call_id=call.id)
    document = document_of(session, issued.reference)
    text = pdf_text(read_bytes(document.storage_key))
    assert document.category == DocumentCategory.PAYMENT_ACKNOWLEDGEMENT
    assert "Reçu de paiement partiel" in text and "n'est pas une quittance" in text
    assert f"Montant reçu {format_euros(30_000)}" in text
    assert f"Reste à payer {format_euros(43_000)}" in text
    assert "donne quittance" not in text
    # The same amount received gives back the same reçu; a new payment, a new snapshot.
    again = issue_receipt(session=session, user=household.camille, rent_call_id=call.id)
    assert again == issued
    pay(session, call=call, paid_on=date(2026, 2, 20), amount_cents=10_000)
    session.commit()
    later = issue_receipt(session=session, user=household.camille, rent_call_id=call.id)
    assert later != issued and format_euros(40_000) in later.title
    pay(session, call=call, paid_on=date(2026, 3, 2), amount_cents=33_000)
    session.commit()
    quittance = issue_receipt(session=session, user=household.camille, rent_call_id=call.id)
    assert document_of(session, quittance.reference).category == DocumentCategory.RENT_RECEIPT


def test_unpaid_period_gives_no_document(session, household):
    with pytest.raises(DocumentUnavailable):
        issue_receipt(session=session, user=household.camille, rent_call_id=household.march.id)
    assert session.exec(select(Document)).all() == []


def test_co_tenants_share_the_lease_and_its_one_quittance(session, household):
    mine = receipts_page(session=session, user=household.camille, query=ReceiptsQuery())
    theirs = receipts_page(session=session, user=household.sacha, query=ReceiptsQuery())
    assert theirs.rows == mine.rows
    by_camille = issue_receipt(
        session=session, user=household.camille, rent_call_id=household.january.id
    )
    by_sacha = issue_receipt(
        session=session, user=household.sacha, rent_call_id=household.january.id
    )
    assert by_sacha == by_camille


def test_former_tenant_sees_only_the_periods_of_their_own_tenancy(session):
    lot = make_lot(session, reference="C4")
    former_user, next_user = make_user(session), make_user(session)
    former = make_tenant(session, user=former_user, last_name="Ancien")
    successor = make_tenant(session, user=next_user, last_name="Suivant")
    old = make_lease(
        session,
        lot=lot,
        tenants=[former],
        start_date=date(2025, 1, 1),
        end_date=date(2025, 6, 30),
    )
    new = make_lease(session, lot=lot, tenants=[successor], start_date=date(2025, 7, 1))
    for month in range(1, 13):
        add_call(session, lease=old if month <= 6 else new, start=date(2025, month, 1))
    session.commit()
    former_page = receipts_page(
        session=session, user=session_user(former_user, [former]), query=ReceiptsQuery()
    )
    next_page = receipts_page(
        session=session, user=session_user(next_user, [successor]), query=ReceiptsQuery()
    )
    assert former_page.total == 6 and former_page.rows[0].period == "juin 2025"
    assert next_page.total == 6 and next_page.rows[-1].period == "juillet 2025"
    assert "terminé" in former_page.leases[0].label


def test_tenant_cannot_issue_another_tenants_receipt_by_guessing_ids(session, household):
    for guessed in (household.january.id, household.bob_call.id + 1000, "1", {"id": 1}, None):
        with pytest.raises(AccessDenied):
            issue_receipt(session=session, user=household.bob, rent_call_id=guessed)
    with pytest.raises(AccessDenied):
        issue_yearly_summary(
            session=session, user=household.bob, lease_id=household.lease.id, year=2026
        )
    assert session.exec(select(Document)).all() == []
    refused = session.exec(select(AuditEvent).where(AuditEvent.allowed.is_(False))).all()
    assert {event.action for event in refused} == {"receipt.refused", "receipt.summary_refused"}
    assert all(event.actor_user_id == household.bob.user_id for event in refused)
    page = receipts_page(
        session=session, user=household.bob, query=ReceiptsQuery(lease_id=household.lease.id)
    )
    assert page.rows == () and len(page.leases) == 1


def _login(session, email: str) -> str:
    return auth.login(session=session, email=email, password=PASSWORD).token


def test_download_route_gives_a_quittance_to_its_tenants_only(session, household, database_url):
    issued = issue_receipt(
        session=session, user=household.camille, rent_call_id=household.january.id
    )
    client = TestClient(Starlette(routes=routes), base_url="http://localhost:8000")
    url = f"/api/documents/{issued.reference}?espace=locataire"
    cookie = get_settings().session_cookie_name
    for email, expected in (
        (household.camille.email, 200),
        (household.sacha.email, 200),
        (household.bob.email, 404),
    ):
        client.cookies.clear()
        response = client.get(url, cookies={cookie: _login(session, email)})
        assert response.status_code == expected, email
    client.cookies.clear()
    response = client.get(url, cookies={cookie: _login(session, household.camille.email)})
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "quittance-2026-01.pdf" in response.headers["content-disposition"]


def test_yearly_summary_lists_the_periods_of_the_year_with_totals(session, household):
    add_call(session, lease=household.lease, start=date(2025, 12, 1))  # another year
    session.commit()
    periods = yearly_periods(
        session=session, user=household.camille, lease_id=household.lease.id, year=2026
    )
    totals = summary_totals(periods)
    assert [p.amounts.period_start.month for p in periods] == [1, 2, 3]
    assert totals == {
        "rent": 123_456 + 2 * 65_000,
        "charges": 9_000 + 2 * 8_000,
        "other": 1_500,
        "called": 133_956 + 2 * 73_000,
        "paid": 133_956 + 30_000,
        "remaining": 2 * 73_000 - 30_000,
    }
    issued = issue_yearly_summary(
        session=session, user=household.camille, lease_id=household.lease.id, year=2026
    )
    text = pdf_text(read_bytes(document_of(session, issued.reference).storage_key))
    assert "Récapitulatif annuel des loyers 2026" in text
    assert f"Total appelé (loyers, charges et autres sommes) {format_euros(279_956)}" in text
    assert f"Total réglé {format_euros(163_956)}" in text
    assert f"Reste à payer {format_euros(116_000)}" in text
    assert "décembre 2025" not in text


def test_yearly_summary_is_issued_again_only_when_its_figures_change(session, household):
    def summary():
        return issue_yearly_summary(
            session=session, user=household.camille, lease_id=household.lease.id, year=2026
        )

    first = summary()
    assert summary() == first
    pay(session, call=household.march, paid_on=date(2026, 3, 6), amount_cents=73_000)
    session.commit()
    assert summary() != first
    with pytest.raises(DocumentUnavailable):
        issue_yearly_summary(
            session=session, user=household.camille, lease_id=household.lease.id, year=2019
        )


def test_consent_to_electronic_quittances_is_recorded_with_its_date_and_audited(session, household):
    assert receipts_consent(session=session, user=household.camille).given is False
    given = set_receipts_consent(session=session, user=household.camille, given=True)
    assert given.given and given.since.count("/") == 2 and " à " in given.since
    tenant = session.exec(select(Tenant).where(Tenant.id == household.camille.tenant_ids[0])).one()
    assert tenant.receipts_by_email_consent_at is not None
    # The co-tenant decides for themselves.
    assert receipts_consent(session=session, user=household.sacha).given is False
    withdrawn = set_receipts_consent(session=session, user=household.camille, given=False)
    assert withdrawn.given is False
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["receipts.consent_given", "receipts.consent_withdrawn"]


def test_consent_cannot_be_changed_during_an_agency_preview(session, household):
    preview = session_user(
        make_user(session),
        [session.get(Tenant, household.camille.tenant_ids[0])],
        preview_by=make_user(session, is_agency=True).id,
    )
    with pytest.raises(AccessDenied):
        set_receipts_consent(session=session, user=preview, given=True)


def test_pages_are_cut_by_the_database_and_filtered_by_lease_and_year(session, household):
    for month in range(1, 13):
        add_call(session, lease=household.lease, start=date(2025, month, 1))
    parking = make_lease(
        session, lot=make_lot(session, reference="P1"), tenants=[_tenant(session, household)]
    )
    add_call(session, lease=parking, start=date(2026, 3, 1), rent_cents=6_000, charges_cents=0)
    session.commit()
    first = receipts_page(session=session, user=household.camille, query=ReceiptsQuery())
    second = receipts_page(session=session, user=household.camille, query=ReceiptsQuery(page=2))
    assert (first.total, first.page_count, len(first.rows), len(second.rows)) == (16, 2, 12, 4)
    assert second.rows[-1].period == "janvier 2025"
    assert first.years == (2026, 2025) and len(first.leases) == 2
    only_parking = receipts_page(
        session=session, user=household.camille, query=ReceiptsQuery(lease_id=parking.id)
    )
    assert [row.lot_label.endswith("lot P1") for row in only_parking.rows] == [True]
    year_2025 = receipts_page(
        session=session, user=household.camille, query=ReceiptsQuery(year=2025, page=99)
    )
    assert (year_2025.total, year_2025.page, len(year_2025.rows)) == (12, 1, 12)


def _tenant(session, household) -> Tenant:
    return session.get(Tenant, household.camille.tenant_ids[0])


def test_page_load_runs_the_same_number_of_queries_whatever_the_size(session, household, engine):
    def queries() -> int:
        statements: list[str] = []

        def count(*_args) -> None:
            statements.append("")

        event.listen(engine, "before_cursor_execute", count)
        try:
            receipts_page(session=session, user=household.camille, query=ReceiptsQuery())
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    small = queries()
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            call = add_call(session, lease=household.lease, start=date(year, month, 1))
            pay(session, call=call, paid_on=date(year, month, 3), amount_cents=73_000)
    session.commit()
    assert queries() == small


def test_receipts_and_invoices_work_the_same_on_postgresql(postgres_url, database_url):
    from sqlmodel import Session

    from extranet_app.db import make_engine
    from extranet_app.services.invoices import invoices_page
    from tests.conftest import migrate_to_head

    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            household = make_household(session)
            page = receipts_page(
                session=session, user=household.camille, query=ReceiptsQuery(year=2026)
            )
            assert [row.document_label for row in page.rows] == ["", "Reçu", "Quittance"]
            assert page.years == (2026,) and len(page.leases) == 1
            first = issue_receipt(
                session=session, user=household.camille, rent_call_id=household.january.id
            )
            again = issue_receipt(
                session=session, user=household.sacha, rent_call_id=household.january.id
            )
            assert again == first
            summary = issue_yearly_summary(
                session=session, user=household.camille, lease_id=household.lease.id, year=2026
            )
            assert "2026" in summary.title
            statuses = [
                row.status_label for row in invoices_page(session=session, user=household.bob).rows
            ]
            assert statuses == ["Payée"]
    finally:
        engine.dispose()
