"""The agency's shared inbox, and the conversations the agency starts itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from extranet_app.models import OutboxEmail, Thread
from extranet_app.services import messaging
from extranet_app.services import messaging_inbox as inbox
from extranet_app.services.auth import Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.messaging_inbox import FirstMessage, InboxQuery, NotEnrolled
from tests.factories import make_lease, make_tenant, make_user
from tests.messaging_support import NOON, TODAY, make_world


@pytest.fixture
def world(session):
    return make_world(session)


def _write(session, user, space, subject, category="autre", minutes=0) -> int:
    return messaging.start_conversation(
        session=session,
        user=user,
        space=space,
        subject=subject,
        category=category,
        text=f"Texte de « {subject} »",
        place=messaging.person_places(session=session, user=user, space=space, today=TODAY)[0],
        today=TODAY,
        now=NOON + timedelta(minutes=minutes),
    )


def _subjects(session, world, **query) -> list[str]:
    page = inbox.list_inbox(session=session, actor=world.staff, query=InboxQuery(**query))
    return [line.subject for line in page.lines]


def test_inbox_lists_newest_first_and_filters(session, world):
    leak = _write(session, world.tenant_login, Space.TENANT, "Fuite", "intervention", 1)
    _write(session, world.other_login, Space.TENANT, "Loyer de mars", "paiement", 2)
    _write(session, world.owner_login, Space.OWNER, "Relocation du lot", "autre", 3)
    messaging.open_for_staff(session=session, actor=world.staff, thread_id=leak)
    messaging.assign(
        session=session, actor=world.staff, thread_id=leak, assignee_id=world.colleague_user.id
    )
    assert _subjects(session, world) == ["Relocation du lot", "Loyer de mars", "Fuite"]
    assert _subjects(session, world, unread_only=True) == ["Relocation du lot", "Loyer de mars"]
    assert _subjects(session, world, category="intervention") == ["Fuite"]
    assert _subjects(session, world, status="nouvelle") == [
        "Relocation du lot",
        "Loyer de mars",
        "Fuite",
    ]
    building = session.get(Thread, leak).property_id
    assert _subjects(session, world, property_id=building) == ["Relocation du lot", "Fuite"]
    assert _subjects(session, world, search="LOYER") == ["Loyer de mars"]
    assert _subjects(session, world, search="paul@") == ["Relocation du lot"]
    assert _subjects(session, world, search="100%_") == []
    colleague = inbox.list_inbox(
        session=session, actor=world.colleague, query=InboxQuery(assigned_to_me=True)
    )
    assert [line.subject for line in colleague.lines] == ["Fuite"]
    assert colleague.lines[0].assignee == "Julien" and not colleague.lines[0].unread


def test_inbox_pages_in_the_database(session, world):
    for minute in range(7):
        _write(session, world.tenant_login, Space.TENANT, f"Question {minute}", minutes=minute)
    page = inbox.list_inbox(session=session, actor=world.staff, page=2, page_size=3)
    assert (page.total, page.page_count, page.page) == (7, 3, 2)
    assert [line.subject for line in page.lines] == ["Question 3", "Question 2", "Question 1"]
    assert [line.position for line in page.lines] == [0, 1, 2]
    assert len(page.ids) == 3
    beyond = inbox.list_inbox(session=session, actor=world.staff, page=99, page_size=3)
    assert beyond.page == 3 and [line.subject for line in beyond.lines] == ["Question 0"]


def test_only_staff_see_the_inbox(session, world):
    with pytest.raises(AccessDenied):
        inbox.list_inbox(session=session, actor=world.tenant_login)
    with pytest.raises(AccessDenied):
        inbox.find_recipients(session=session, actor=world.owner_login, search="Durand")


def test_agency_writes_first_to_an_enrolled_person_and_never_to_one_without_login(session, world):
    found = inbox.find_recipients(session=session, actor=world.staff, search="durand")
    [camille] = [r for r in found if r.kind == "tenant"]
    assert camille.enrolled
    place = inbox.recipient_places(
        session=session, actor=world.staff, recipient=camille, today=TODAY
    )[0]
    thread_id = inbox.start_with_person(
        session=session,
        actor=world.staff,
        recipient=camille,
        message=FirstMessage("Votre attestation d'assurance", "documents", "Bonjour, …"),
        place=place,
        today=TODAY,
        now=NOON,
    )
    listing = messaging.list_person_threads(
        session=session, user=world.tenant_login, space=Space.TENANT
    )
    assert [line.subject for line in listing.lines] == ["Votre attestation d'assurance"]
    assert listing.lines[0].unread and listing.ids == [thread_id]
    assert len(session.exec(select(OutboxEmail)).all()) == 1
    newcomer = make_tenant(session, last_name="Nouveau")
    newcomer.email = "nouveau@example.test"
    session.commit()
    [not_enrolled] = inbox.find_recipients(session=session, actor=world.staff, search="nouveau")
    assert not not_enrolled.enrolled and "Gestion des accès" in not_enrolled.detail
    with pytest.raises(NotEnrolled):
        inbox.start_with_person(
            session=session,
            actor=world.staff,
            recipient=not_enrolled,
            message=FirstMessage("Bonjour", "autre", "Bonjour"),
            today=TODAY,
        )


def test_message_to_a_building_opens_one_conversation_per_enrolled_tenant(session, world):
    building = world.lot.property_id
    co_tenant_user = make_user(session, email="co@example.test", display_name="Co Locataire")
    co_tenant = make_tenant(session, user=co_tenant_user, last_name="Co")
    from extranet_app.models import LeaseTenant

    session.add(LeaseTenant(lease_id=world.lease.id, tenant_id=co_tenant.id))
    without_login = make_tenant(session, last_name="SansAcces")
    from extranet_app.models import Lot

    second_lot = Lot(property_id=building, reference="B2")
    session.add(second_lot)
    session.flush()
    make_lease(session, lot=second_lot, tenants=[without_login], start_date=date(2025, 1, 1))
    session.commit()
    result = inbox.start_with_building(
        session=session,
        actor=world.staff,
        property_id=building,
        message=FirstMessage("Coupure d'eau jeudi", "intervention", "L'eau sera coupée."),
        today=TODAY,
        now=NOON,
    )
    assert (result.started, result.not_enrolled) == (2, 1)
    threads = session.exec(select(Thread).order_by(Thread.id)).all()
    assert {thread.person_user_id for thread in threads} == {
        world.tenant_user.id,
        co_tenant_user.id,
    }
    assert all(thread.property_id == building and thread.lease_id for thread in threads)
    other = messaging.list_person_threads(
        session=session, user=world.other_login, space=Space.TENANT
    )
    assert other.lines == []  # a tenant of another building
