"""Rapport de gestion: amounts to the cent, publication (idempotent, versioned), who sees what.

The figures expected below are worked out by hand from tests/reports_support.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from extranet_app.email.reports import build_report_published_email
from extranet_app.models import (
    AuditEvent,
    Document,
    ManagementMandate,
    ManagementReport,
    ManagementReportLine,
    OutboxEmail,
    OwnerExpense,
    RentCall,
)
from extranet_app.services import management_reports as reports
from extranet_app.services import owner_reports
from extranet_app.services.agency import AgencyIdentity
from extranet_app.services.errors import AccessDenied
from extranet_app.services.report_figures import (
    compute_period,
    compute_yearly,
    percent_of,
    rent_part,
    split_cents,
)
from extranet_app.services.report_periods import month_period, period_from_key, year_period
from extranet_app.services.storage import documents_root
from tests.reports_support import MARCH, add_call, build_report_world, pay


@pytest.fixture
def world(session):
    return build_report_world(session)


def _figures(session, mandate_id, period=MARCH):
    (figures,) = compute_period(session=session, mandate_ids=[mandate_id], period=period)
    return figures


def _line(figures, lot_id):
    return next(line for line in figures.lines if line.lot_id == lot_id)


def _amounts(line) -> tuple[int, ...]:
    return (
        line.rents_called,
        line.charges_called,
        line.received,
        line.rents_received,
        line.arrears,
        line.expenses,
    )


# --- Splitting cents ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights"),
    [(50_001, [5_000, 5_000]), (100, [1, 1, 1]), (7_255, [65_000, 38_637]), (1, [3_333, 6_667])],
)
def test_split_cents_always_adds_up_to_the_total(total, weights):
    parts = split_cents(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / weight_sum) < 1


def test_split_cents_gives_a_tied_cent_to_the_first_participant():
    assert split_cents(50_001, [5_000, 5_000]) == [25_001, 25_000]
    assert split_cents(0, [1, 2]) == [0, 0]
    assert split_cents(10, [0, 0]) == [0, 0]


def test_percentages_round_half_up_to_the_cent():
    assert percent_of(103_637, 700) == 7_255  # 7 254,59 cents
    assert percent_of(50, 1_000) == 5
    assert percent_of(5, 1_000) == 1  # 0,5 cent rounds up


def test_rent_part_of_instalments_adds_up_to_the_rent():
    rent, total = 50_001, 55_001
    instalments = [10_001, 7, 33_333, 11_660]
    assert sum(instalments) == total
    paid, rent_received = 0, 0
    for amount in instalments:
        rent_received += rent_part(paid + amount, rent, total) - rent_part(paid, rent, total)
        paid += amount
    assert rent_received == rent


# --- One owner's report ------------------------------------------------------------------------


def test_report_lines_are_the_owners_share_of_each_lot_to_the_cent(session, world):
    figures = _figures(session, world.mandate_a_id)
    # L1 belongs to A alone: rent and charges of March, fully paid, and the invoice.
    assert _amounts(_line(figures, world.lot1.id)) == (65_000, 8_000, 73_000, 65_000, 0, 12_345)
    # L2, half of it: 500,01 of rent called; 550,01 (February) + 300,00 received, of which
    # 500,01 + floor(300,00 x 500,01 / 550,01) = 772,73 of rent; 250,01 owed. A, first of the two
    # co-owners, gets the odd cents.
    assert _amounts(_line(figures, world.lot2.id)) == (25_001, 2_500, 42_501, 38_637, 12_501, 0)


def test_co_owners_parts_add_up_to_the_whole_lot(session, world):
    part_a = _line(_figures(session, world.mandate_a_id), world.lot2.id)
    part_b = _line(_figures(session, world.mandate_b_id), world.lot2.id)
    whole = [a + b for a, b in zip(_amounts(part_a), _amounts(part_b), strict=True)]
    assert whole == [50_001, 5_000, 85_001, 77_273, 25_001, 0]
    assert (part_a.share_bp, part_b.share_bp) == (5_000, 5_000)


def test_fees_and_vat_follow_the_mandate_and_lines_add_up_to_the_totals(session, world):
    figures = _figures(session, world.mandate_a_id)
    totals = figures.totals
    assert totals.rents_received == 103_637
    assert totals.fees == 7_255  # 7 % of 1 036,37 = 72,5459
    assert totals.fees_vat == 1_451  # 20 % of 72,55
    assert totals.net == 115_501 - 12_345 - 7_255 - 1_451
    for name in ("rents_called", "received", "arrears", "expenses", "fees", "fees_vat", "net"):
        assert sum(getattr(line, name) for line in figures.lines) == getattr(totals, name)
    other = _figures(session, world.mandate_b_id).totals
    assert (other.fees, other.fees_vat) == (3_091, 618)  # 8 % of 386,36, then 20 %


def test_arrears_are_what_was_owed_at_the_end_of_the_period(session, world):
    pay(session, _march_call(session, world), 25_001, date(2026, 4, 2))
    add_call(session, world.lease2, date(2026, 4, 1), 50_001, 5_000)  # due 5 April, unpaid
    session.commit()
    march = _line(_figures(session, world.mandate_a_id), world.lot2.id)
    assert march.arrears == 12_501  # paid on 2 April: still owed on 31 March
    april = _line(_figures(session, world.mandate_a_id, month_period(2026, 4)), world.lot2.id)
    assert april.received == 12_501  # A's half of the 250,01 paid in April
    assert april.arrears == 27_501  # March is settled; April's 550,01 is owed, half of it A's


def _march_call(session, world) -> RentCall:
    return session.exec(
        select(RentCall).where(
            RentCall.lease_id == world.lease2.id, RentCall.period_start == date(2026, 3, 1)
        )
    ).one()


def test_yearly_summary_is_the_sum_of_the_period_reports(session, world):
    (yearly,) = compute_yearly(session=session, mandate_ids=[world.mandate_a_id], year=2026)
    months = [_figures(session, world.mandate_a_id, month_period(2026, m)) for m in range(1, 13)]
    for name in ("rents_called", "received", "rents_received", "expenses", "fees", "fees_vat"):
        assert getattr(yearly.totals, name) == sum(getattr(m.totals, name) for m in months)
    assert yearly.period.key == "2026"


# --- Publishing ----------------------------------------------------------------------------------


def _reports(session, mandate_id=None) -> list[ManagementReport]:
    statement = select(ManagementReport).order_by(ManagementReport.id)
    if mandate_id is not None:
        statement = statement.where(ManagementReport.mandate_id == mandate_id)
    return list(session.exec(statement).all())


def test_publishing_stores_reports_documents_and_lines(session, world):
    result = reports.publish(session=session, user=world.staff, choice=MARCH)
    assert (result.published, result.corrected, result.unchanged) == (2, 0, 0)
    report = _reports(session, world.mandate_a_id)[0]
    assert (report.version, report.replaces_id, report.net_cents) == (1, None, 94_450)
    assert report.transfer_date == date(2026, 4, 10)
    document = session.get(Document, report.document_id)
    assert document.category == "rapport_gestion" and document.owner_id == world.owner_a_id
    assert document.visible_to_owners and not document.visible_to_tenants
    assert document.mime_type == "application/pdf"
    lines = session.exec(
        select(ManagementReportLine).where(ManagementReportLine.report_id == report.id)
    ).all()
    assert sum(line.net_cents for line in lines) == report.net_cents


def test_publishing_again_duplicates_nothing(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    again = reports.publish(session=session, user=world.staff, choice=MARCH)
    assert (again.published, again.corrected, again.unchanged) == (0, 0, 2)
    assert len(_reports(session)) == 2
    assert len(session.exec(select(Document)).all()) == 2


def test_changed_figures_make_a_version_2_that_replaces_version_1(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    (first,) = _reports(session, world.mandate_a_id)
    session.add(
        OwnerExpense(
            lot_id=world.lot1.id, spent_on=date(2026, 3, 28), label="Serrure", amount_cents=5_000
        )
    )
    session.commit()
    result = reports.publish(session=session, user=world.staff, choice=MARCH)
    assert (result.published, result.corrected, result.unchanged) == (0, 1, 1)
    first_again, second = _reports(session, world.mandate_a_id)
    assert first_again.net_cents == 94_450  # the published version did not change
    assert (second.version, second.replaces_id) == (2, first.id)
    assert second.net_cents == 94_450 - 5_000
    listed = owner_reports.list_owner_reports(session=session, user=world.owner_a)
    assert len(listed) == 1
    assert listed[0].report_id == second.id
    assert "Version 2" in listed[0].listing.version_note


def test_a_published_report_can_never_be_changed(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    report = _reports(session, world.mandate_a_id)[0]
    report.net_cents = 1
    with pytest.raises(ValueError, match="ne change jamais"):
        session.commit()
    session.rollback()


def test_publication_notifies_owners_who_want_emails_through_the_outbox(session, world):
    result = reports.publish(session=session, user=world.staff, choice=MARCH)
    emails = session.exec(select(OutboxEmail)).all()
    assert result.notified == 1 and len(emails) == 1  # owner B turned notifications off
    (email,) = emails
    assert (email.to_address, email.kind) == (world.emails["a"], reports.EMAIL_KIND)
    assert "mars 2026" in email.subject
    assert reports.REPORTS_PATH in email.body_text
    assert "944,50" not in email.body_text + email.body_html  # no amount leaves the extranet


def test_a_period_still_running_cannot_be_published(session, world):
    with pytest.raises(reports.ReportRejected):
        reports.publish(session=session, user=world.staff, choice=period_from_key("2099-01"))


def test_only_staff_may_publish(session, world):
    with pytest.raises(AccessDenied):
        reports.publish(session=session, user=world.owner_a, choice=MARCH)
    assert _reports(session) == []


def test_a_month_closing_a_quarter_also_covers_quarterly_mandates(session, world):
    mandate = session.get(ManagementMandate, world.mandate_b_id)
    mandate.reporting_period = "trimestriel"
    session.commit()
    batches = reports.plan_publication(session=session, user=world.staff, choice=MARCH)
    assert {(b.period.key, b.mandate_ids) for b in batches} == {
        ("2026-03", (world.mandate_a_id,)),
        ("2026-T1", (world.mandate_b_id,)),
    }
    february = reports.plan_publication(
        session=session, user=world.staff, choice=month_period(2026, 2)
    )
    assert [b.period.key for b in february] == ["2026-02"]


def test_period_status_counts_the_owners_with_a_report(session, world):
    before = reports.period_status(session=session, user=world.staff, choice=MARCH)
    reports.publish_chunk(
        session=session, user=world.staff, period=MARCH, mandate_ids=[world.mandate_a_id]
    )
    after = reports.period_status(session=session, user=world.staff, choice=MARCH)
    assert (before.mandates, before.published, after.published) == (2, 0, 1)


# --- What an owner sees --------------------------------------------------------------------------


def test_an_owner_lists_only_their_own_reports(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    mine = owner_reports.list_owner_reports(session=session, user=world.owner_b)
    (report_b,) = _reports(session, world.mandate_b_id)
    assert [entry.report_id for entry in mine] == [report_b.id]
    assert mine[0].listing.net == "387,91\xa0€"


def test_an_owner_cannot_open_another_owners_report_by_guessing_its_id(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    (report_a,) = _reports(session, world.mandate_a_id)
    assert (
        owner_reports.report_detail(session=session, user=world.owner_b, report_id=report_a.id)
        is None
    )
    refused = session.exec(
        select(AuditEvent).where(AuditEvent.action == "management_report.view")
    ).one()
    assert not refused.allowed and refused.target_id == str(report_a.id)
    detail = owner_reports.report_detail(session=session, user=world.owner_a, report_id=report_a.id)
    assert detail is not None and len(detail.lines) == 2
    assert detail.totals.net == "944,50\xa0€"
    assert "10/04/2026" in detail.transfer_note


def test_the_yearly_summary_is_published_once_the_year_is_over(session, world):
    with pytest.raises(reports.ReportRejected):
        reports.publish(session=session, user=world.staff, choice=year_period(2099))
    result = reports.publish(session=session, user=world.staff, choice=year_period(2025))
    assert result.published == 2
    summaries = _reports(session)
    assert {report.kind for report in summaries} == {"annuel"}
    assert all(report.transfer_date is None for report in summaries)
    listed = owner_reports.list_owner_reports(session=session, user=world.owner_a)
    assert [entry.listing.kind_label for entry in listed] == ["Récapitulatif annuel"]


# --- Expenses ------------------------------------------------------------------------------------


def test_staff_record_an_expense_that_the_next_report_deducts(session, world):
    expense = reports.record_owner_expense(
        session=session,
        user=world.staff,
        lot_id=world.lot2.id,
        spent_on=date(2026, 3, 12),
        label="Ramonage",
        amount_cents=9_001,
    )
    assert expense.id is not None
    # 90,01 split between the two co-owners: the first one pays the odd cent.
    assert _line(_figures(session, world.mandate_a_id), world.lot2.id).expenses == 4_501
    assert _line(_figures(session, world.mandate_b_id), world.lot2.id).expenses == 4_500


@pytest.mark.parametrize(
    ("amount", "label"), [(0, "Ramonage"), (-5, "Ramonage"), ("12", "Ramonage"), (100, " ")]
)
def test_invalid_expenses_are_refused(session, world, amount, label):
    with pytest.raises(reports.ReportRejected):
        reports.record_owner_expense(
            session=session,
            user=world.staff,
            lot_id=world.lot1.id,
            spent_on=date(2026, 3, 12),
            label=label,
            amount_cents=amount,
        )


def test_owners_cannot_record_expenses(session, world):
    with pytest.raises(AccessDenied):
        reports.record_owner_expense(
            session=session,
            user=world.owner_a,
            lot_id=world.lot1.id,
            spent_on=date(2026, 3, 12),
            label="Ramonage",
            amount_cents=100,
        )


def test_report_email_names_the_period_and_escapes_the_name_in_html():
    agency = AgencyIdentity("Agence Démo", "1 rue A, 69002 Lyon", "04", "a@b.fr", "", "", "#1f4e79")
    email = build_report_published_email(
        agency=agency,
        to_name="<b>Paul</b>",
        period_label="1er trimestre 2026",
        reports_url="https://extranet.test/proprietaire/rapports",
        is_correction=True,
    )
    assert (
        email.subject == "Votre rapport de gestion (1er trimestre 2026) a été corrigé – Agence Démo"
    )
    assert "remplace la précédente" in email.text
    assert "&lt;b&gt;Paul&lt;/b&gt;" in email.html and "<b>Paul</b>" in email.text
    assert "https://extranet.test/proprietaire/rapports" in email.html
    yearly = build_report_published_email(
        agency=agency,
        to_name="Paul",
        period_label="année 2025",
        reports_url="https://extranet.test/proprietaire/rapports",
        is_yearly=True,
    )
    assert yearly.subject.startswith("Votre récapitulatif annuel (année 2025) est disponible")
    assert "revenus fonciers" in yearly.text


def test_a_publication_racing_another_one_retries_and_duplicates_nothing(
    session, world, monkeypatch
):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    files_before = {path.name for path in documents_root().rglob("*.pdf")}
    real_latest = reports._latest_versions
    calls = []

    def stale_then_fresh(*args):
        # The first read misses the reports another agency user has just published.
        calls.append(1)
        return {} if len(calls) == 1 else real_latest(*args)

    monkeypatch.setattr(reports, "_latest_versions", stale_then_fresh)
    result = reports.publish_chunk(
        session=session,
        user=world.staff,
        period=MARCH,
        mandate_ids=[world.mandate_a_id, world.mandate_b_id],
    )
    assert (result.published, result.unchanged, len(calls)) == (0, 2, 2)
    assert len(_reports(session)) == 2
    # The PDFs of the refused attempt were removed again.
    assert {path.name for path in documents_root().rglob("*.pdf")} == files_before
