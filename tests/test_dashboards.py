"""Tableau de bord: each figure is its section's own, and a section turned off shows none."""

from datetime import UTC, date, datetime, timedelta

from extranet_app.models import DocumentRequest, NewsItem, Payment
from extranet_app.models.sections import SectionSetting
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.dashboards import owner_dashboard, tenant_dashboard
from extranet_app.services.sections import OwnerSection, TenantSection
from tests.billing_support import add_call, make_household

TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)


def _plain(text: str) -> str:
    # French formats use narrow and non-breaking spaces; compare with ordinary ones.
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _board(session, user):
    return tenant_dashboard(session=session, user=user, today=TODAY, now=NOW)


def test_balance_counts_every_period_not_fully_paid(session):
    household = make_household(session)
    board = _board(session, household.camille)
    # February: 730,00 € called, 300,00 € paid; March: 730,00 € unpaid.
    assert _plain(board.balance) == "1 160,00 €"
    assert board.balance_cents == 116_000
    assert board.unpaid_periods == 2


def test_co_tenants_see_the_same_figures_and_another_tenant_sees_only_his(session):
    household = make_household(session)
    assert _plain(_board(session, household.sacha).balance) == "1 160,00 €"
    bob = _board(session, household.bob)
    assert (bob.balance_cents, bob.unpaid_periods) == (0, 0)


def test_an_overpayment_shows_as_credit_not_as_nothing(session):
    household = make_household(session)
    session.add(Payment(lease_id=household.bob_lease.id, paid_on=TODAY, amount_cents=12_345))
    session.commit()
    bob = _board(session, household.bob)
    assert (bob.balance_cents, _plain(bob.credit)) == (0, "123,45 €")
    assert _board(session, household.camille).credit == ""


def test_last_quittance_is_the_newest_fully_paid_period(session):
    household = make_household(session)
    assert _board(session, household.camille).last_receipt_period == "janvier 2026"
    assert _board(session, household.bob).last_receipt_period == "janvier 2026"


def test_next_due_date_is_the_next_call_or_the_leases_due_day(session):
    household = make_household(session)
    assert _board(session, household.camille).next_due_date == "01/04/2026"
    add_call(session, lease=household.lease, start=date(2026, 4, 1))
    session.commit()
    board = _board(session, household.camille)
    assert (board.next_due_date, _plain(board.next_due_amount)) == ("05/04/2026", "730,00 €")


def test_pending_document_requests_and_news_are_counted(session):
    household = make_household(session)
    tenant_id = household.camille.tenant_ids[0]
    session.add(DocumentRequest(tenant_id=tenant_id, title="Attestation d'assurance"))
    session.add(DocumentRequest(tenant_id=household.bob.tenant_ids[0], title="RIB"))
    for number, audience in enumerate(["tous", "locataires", "proprietaires"]):
        session.add(
            NewsItem(
                title=f"Info {audience}",
                body="Texte",
                audience=audience,
                publish_at=NOW - timedelta(days=number + 1),
            )
        )
    session.commit()
    board = _board(session, household.camille)
    assert board.documents_to_provide == 1
    assert board.unread_news == 2
    assert [item.title for item in board.latest_news] == ["Info tous", "Info locataires"]


def test_a_section_turned_off_contributes_nothing(session):
    household = make_household(session)
    session.add(DocumentRequest(tenant_id=household.camille.tenant_ids[0], title="RIB"))
    for section in (TenantSection.ARREARS, TenantSection.DOCUMENT_REQUESTS):
        session.add(SectionSetting(space=Space.TENANT, section=section, enabled=False))
    session.commit()
    board = _board(session, household.camille)
    assert TenantSection.ARREARS.value not in board.shown
    assert TenantSection.DOCUMENT_REQUESTS.value not in board.shown
    assert (board.balance, board.balance_cents, board.next_due_date) == ("", 0, "")
    assert board.documents_to_provide == 0
    assert TenantSection.RECEIPTS.value in board.shown


def _owner_with_two_lots(session):
    from tests.billing_support import add_agency, pay
    from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user

    add_agency(session)
    user = make_user(session)
    owner = make_owner(session, user=user)
    let_lot = make_lot(session, owner=owner, reference="A1")
    make_lot(session, owner=owner, reference="B2")
    lease = make_lease(session, lot=let_lot, tenants=[make_tenant(session)])
    january = add_call(session, lease=lease, start=date(2026, 1, 1))
    pay(session, call=january, paid_on=date(2026, 1, 3), amount_cents=january.total_cents)
    march = add_call(session, lease=lease, start=date(2026, 3, 1))
    pay(session, call=march, paid_on=date(2026, 3, 4), amount_cents=36_500)
    session.commit()
    return SessionUser(
        user_id=user.id,
        session_id=1,
        email=user.email,
        display_name="",
        is_agency=False,
        is_admin=False,
        tenant_ids=(),
        owner_ids=(owner.id,),
    )


def test_owner_sees_lots_occupancy_and_rents_collected(session):
    owner = _owner_with_two_lots(session)
    board = owner_dashboard(session=session, user=owner, today=TODAY, now=NOW)
    assert (board.lots, board.let_lots, board.occupancy) == (2, 1, "50 %")
    # What the tenants paid on the owner's calls: half of March, all of January and March.
    assert _plain(board.collected_this_month) == "365,00 €"
    assert _plain(board.collected_this_year) == "1 095,00 €"
    assert board.last_report_period == ""


def test_owner_reports_section_off_shows_no_amounts(session):
    owner = _owner_with_two_lots(session)
    session.add(SectionSetting(space=Space.OWNER, section=OwnerSection.REPORTS, enabled=False))
    session.commit()
    board = owner_dashboard(session=session, user=owner, today=TODAY, now=NOW)
    assert (board.collected_this_month, board.collected_this_year) == ("", "")
    assert OwnerSection.REPORTS.value not in board.shown
