"""Suivi des locations and the report page's data: the owner's own lots, tenants by name only,
and a number of queries that does not grow with the portfolio."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from extranet_app.models import Lease, Tenant
from extranet_app.services import management_reports as reports
from extranet_app.services import owner_reports
from extranet_app.services.auth import SessionUser
from extranet_app.services.owner_charts import owner_months
from extranet_app.services.rental_tracking import rental_tracking
from tests.reports_support import MARCH, add_let_lots, build_report_world, counted_queries

TODAY = date(2026, 3, 25)


@pytest.fixture
def world(session):
    world = build_report_world(session)
    for tenant in session.query(Tenant).all():
        tenant.email = f"{tenant.last_name.lower()}@locataire.test"
        tenant.phone = "06 12 34 56 78"
        tenant.address_line1 = "3 rue Privée"
    session.commit()
    return world


def _rows(session, user: SessionUser):
    return {
        row.lot_label.split(" — ")[0]: row
        for row in rental_tracking(session=session, user=user, today=TODAY)
    }


def test_each_lot_shows_its_lease_rent_status_and_arrears(session, world):
    rows = _rows(session, world.owner_a)
    assert set(rows) == {"Appartement L1", "Appartement L2"}
    flat = rows["Appartement L1"]
    assert (flat.situation, flat.tenants) == ("Loué", "Mme Camille Lemoine")
    assert (flat.rent, flat.charges) == ("650,00\xa0€", "80,00\xa0€")
    assert (flat.payment_status, flat.payment_tone) == ("mars 2026 : payé", "green")
    assert flat.lease_dates == "depuis le 01/01/2024" and not flat.has_arrears
    shared = rows["Appartement L2"]
    assert shared.share == "50 %"
    assert shared.payment_tone == "orange" and "300,00" in shared.payment_status
    assert shared.arrears == "250,01\xa0€" and shared.has_arrears


def test_tenants_appear_by_name_only(session, world):
    for row in _rows(session, world.owner_a).values():
        values = " ".join(str(value) for value in dataclasses.astuple(row))
        assert "@locataire.test" not in values
        assert "06 12 34 56 78" not in values and "Privée" not in values


def test_vacant_lot_and_upcoming_dates(session, world):
    lease = session.get(Lease, world.lease1.id)
    lease.end_date = date(2026, 5, 31)
    lease.next_revision_date = date(2027, 1, 1)
    session.commit()
    rows = _rows(session, world.owner_b)
    assert rows["Appartement L3"].situation == "Vacant"
    assert rows["Appartement L3"].vacancy == "Vacant" and rows["Appartement L3"].tenants == ""
    flat = _rows(session, world.owner_a)["Appartement L1"]
    assert (flat.lease_end, flat.lease_end_soon) == ("31/05/2026", True)
    assert (flat.next_revision, flat.revision_soon) == ("01/01/2027", False)


def test_an_owner_sees_none_of_another_owners_lots(session, world):
    assert set(_rows(session, world.owner_b)) == {"Appartement L2", "Appartement L3"}
    stranger = dataclasses.replace(world.owner_a, owner_ids=())
    assert rental_tracking(session=session, user=stranger, today=TODAY) == []


def test_charts_give_24_months_of_the_owners_share(session, world):
    session.get(Lease, world.lease2.id).start_date = date(2025, 1, 1)
    session.commit()
    months = owner_months(session=session, user=world.owner_a, today=TODAY)
    assert len(months) == 24 and months[0].month == date(2024, 4, 1)
    march = months[-1]
    assert march.month == date(2026, 3, 1)
    assert march.collected_cents == 115_501  # the report's "received" for March
    assert march.called_cents == 73_000 + 27_501  # L1, and A's half of L2's March call
    assert (march.let_lots, march.lots, march.occupancy_percent) == (2, 2, 100)
    assert (months[0].let_lots, months[0].occupancy_percent) == (1, 50)  # L2 let from 2025


def _page_loads(session, user: SessionUser) -> int:
    with counted_queries(session.get_bind()) as statements:
        rental_tracking(session=session, user=user, today=TODAY)
        owner_months(session=session, user=user, today=TODAY)
        listed = owner_reports.list_owner_reports(session=session, user=user)
        owner_reports.report_detail(session=session, user=user, report_id=listed[0].report_id)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_lots(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    session.expire_all()
    few = _page_loads(session, world.owner_a)
    add_let_lots(session, world.owner_a_id, 12)
    session.expire_all()
    assert _page_loads(session, world.owner_a) == few
