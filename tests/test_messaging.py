"""Messagerie services: who may open, write and download what; read markers; notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from extranet_app.models import AuditEvent, AuthSession, Document, OutboxEmail, Thread, ThreadStatus
from extranet_app.services import messaging
from extranet_app.services.auth import Space
from extranet_app.services.documents import document_reference, downloadable_document
from extranet_app.services.errors import AccessDenied
from extranet_app.services.message_text import InvalidMessage, Segment, text_segments
from tests.messaging_support import NOON, TODAY, as_user, make_world, photo


@pytest.fixture
def world(session):
    return make_world(session)


def _tenant_thread(session, world, *, text="Fuite sous l'évier", files=(), now=NOON) -> int:
    place = messaging.person_places(
        session=session, user=world.tenant_login, space=Space.TENANT, today=TODAY
    )[0]
    return messaging.start_conversation(
        session=session,
        user=world.tenant_login,
        space=Space.TENANT,
        subject="Fuite d'eau",
        category="intervention",
        text=text,
        place=place,
        files=files,
        today=TODAY,
        now=now,
    )


def _refusals(session) -> list[AuditEvent]:
    return session.exec(
        select(AuditEvent).where(AuditEvent.action == "message.thread_denied")
    ).all()


def test_tenant_reports_an_intervention_with_a_photo_that_the_agency_sees_unread(session, world):
    thread_id = _tenant_thread(session, world, files=[photo()])
    thread = session.get(Thread, thread_id)
    assert (thread.status, thread.category) == (ThreadStatus.NEW, "intervention")
    assert (thread.lease_id, thread.lot_id) == (world.lease.id, world.lot.id)
    assert thread.agency_unread
    assert messaging.unread_count(session=session, user=world.staff, space=Space.AGENCY) == 1
    assert messaging.unread_count(session=session, user=world.tenant_login, space=Space.TENANT) == 0
    opened = messaging.open_for_staff(session=session, actor=world.staff, thread_id=thread_id)
    [message] = opened.messages
    assert message.author == "Camille Durand" and not message.from_agency
    [attachment] = message.attachments
    assert attachment.is_image and attachment.filename == "fuite.png"
    assert opened.header.place.endswith("lot A1")
    assert messaging.unread_count(session=session, user=world.staff, space=Space.AGENCY) == 0


def test_tenant_cannot_open_or_answer_another_tenants_conversation_and_is_audited(session, world):
    thread_id = _tenant_thread(session, world)
    for attempt in (thread_id, thread_id + 1000, "1", {"id": thread_id}):
        with pytest.raises(AccessDenied):
            messaging.open_for_person(
                session=session, user=world.other_login, space=Space.TENANT, thread_id=attempt
            )
    with pytest.raises(AccessDenied):
        messaging.person_reply(
            session=session,
            user=world.other_login,
            space=Space.TENANT,
            thread_id=thread_id,
            text="Je lis votre conversation",
        )
    refusals = _refusals(session)
    assert len(refusals) == 5 and not any(event.allowed for event in refusals)
    assert refusals[0].actor_user_id == world.other_user.id
    assert refusals[0].target_id == str(thread_id)
    listing = messaging.list_person_threads(
        session=session, user=world.other_login, space=Space.TENANT
    )
    assert listing.lines == []


def test_owner_cannot_open_a_tenant_conversation_nor_the_tenant_one_of_their_own_login(
    session, world
):
    thread_id = _tenant_thread(session, world)
    with pytest.raises(AccessDenied):
        messaging.open_for_person(
            session=session, user=world.owner_login, space=Space.OWNER, thread_id=thread_id
        )
    # One login that is tenant and owner: the tenant thread is not in the owner space.
    both = as_user(world.tenant_user, tenants=[world.tenant], owners=[world.owner])
    with pytest.raises(AccessDenied):
        messaging.open_for_person(
            session=session, user=both, space=Space.OWNER, thread_id=thread_id
        )
    assert len(_refusals(session)) == 2


def test_attachments_download_for_the_person_and_staff_only(session, world):
    thread_id = _tenant_thread(session, world, files=[photo()])
    document = session.exec(select(Document).where(Document.message_id.is_not(None))).one()
    reference = document_reference(document.id)

    def download(user, space):
        return downloadable_document(
            session=session, user=user, space=space, reference=reference, today=TODAY
        )

    assert download(world.tenant_login, Space.TENANT) is not None
    assert download(world.staff, Space.AGENCY) is not None
    assert download(world.other_login, Space.TENANT) is None
    assert download(world.owner_login, Space.OWNER) is None  # the landlord of that very lot
    refused = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "document.download", AuditEvent.allowed.is_(False)
        )
    ).all()
    assert {event.actor_user_id for event in refused} == {
        world.other_user.id,
        world.owner_user.id,
    }
    assert thread_id  # the thread exists; its photo stays out of the Porte-documents:
    from extranet_app.services.documents import documents_for_tenant

    folder = documents_for_tenant(session=session, user=world.tenant_login, today=TODAY)
    assert all(row.filename != "fuite.png" for row in folder)


def test_internal_notes_and_their_files_never_reach_the_person(session, world):
    thread_id = _tenant_thread(session, world)
    messaging.staff_reply(
        session=session,
        actor=world.staff,
        thread_id=thread_id,
        text="Devis à valider par le propriétaire",
        files=[photo("devis.png")],
        internal=True,
        now=NOON + timedelta(minutes=5),
    )
    seen = messaging.open_for_person(
        session=session, user=world.tenant_login, space=Space.TENANT, thread_id=thread_id
    )
    assert [line.is_note for line in seen.messages] == [False]
    assert "Devis" not in repr(seen)
    assert messaging.unread_count(session=session, user=world.tenant_login, space=Space.TENANT) == 0
    note_file = session.exec(
        select(Document).where(Document.original_filename == "devis.png")
    ).one()
    assert (
        downloadable_document(
            session=session,
            user=world.tenant_login,
            space=Space.TENANT,
            reference=document_reference(note_file.id),
            today=TODAY,
        )
        is None
    )
    staff_view = messaging.open_for_staff(session=session, actor=world.staff, thread_id=thread_id)
    assert [line.is_note for line in staff_view.messages] == [False, True]


def test_preview_reads_without_marking_read_and_cannot_send(session, world):
    thread_id = _tenant_thread(session, world)
    messaging.staff_reply(
        session=session,
        actor=world.staff,
        thread_id=thread_id,
        text="Le plombier passe jeudi.",
        now=NOON + timedelta(hours=1),
    )
    preview = as_user(world.tenant_user, tenants=[world.tenant], previewed_by=world.staff_user.id)
    opened = messaging.open_for_person(
        session=session, user=preview, space=Space.TENANT, thread_id=thread_id
    )
    assert opened.messages[-1].author == "Claire"
    assert messaging.unread_count(session=session, user=preview, space=Space.TENANT) == 1
    with pytest.raises(AccessDenied):
        messaging.person_reply(
            session=session, user=preview, space=Space.TENANT, thread_id=thread_id, text="Merci"
        )
    with pytest.raises(AccessDenied):
        _tenant_thread_as(session, preview)
    with pytest.raises(AccessDenied):
        messaging.set_email_notifications(session=session, user=preview, enabled=False)


def _tenant_thread_as(session, user) -> int:
    return messaging.start_conversation(
        session=session,
        user=user,
        space=Space.TENANT,
        subject="Essai",
        category="autre",
        text="Essai",
        today=TODAY,
    )


def test_a_place_must_be_the_persons_own(session, world):
    theirs = messaging.person_places(
        session=session, user=world.other_login, space=Space.TENANT, today=TODAY
    )[0]
    with pytest.raises(AccessDenied):
        messaging.start_conversation(
            session=session,
            user=world.tenant_login,
            space=Space.TENANT,
            subject="Bruit",
            category="autre",
            text="Bonjour",
            place=theirs,
            today=TODAY,
        )
    assert session.exec(select(Thread)).all() == []


def test_script_tags_stay_text_and_only_web_addresses_become_links():
    body = '<script>alert("x")</script> voir https://exemple.fr/page?a=1. et javascript:alert(1)'
    segments = text_segments(body)
    assert "".join(segment.text for segment in segments) == body
    assert [segment.href for segment in segments if segment.href] == ["https://exemple.fr/page?a=1"]
    assert segments[0] == Segment('<script>alert("x")</script> voir ')
    assert text_segments("www.service-public.fr") == [
        Segment("www.service-public.fr", "https://www.service-public.fr")
    ]
    assert text_segments("https://") == [Segment("https://")]


def test_empty_or_oversized_text_is_refused(session, world):
    with pytest.raises(InvalidMessage):
        _tenant_thread(session, world, text="   \n ")
    with pytest.raises(InvalidMessage):
        _tenant_thread(session, world, text="x" * 20_001)


def test_person_reads_the_agency_answer_and_the_agency_sees_when(session, world):
    thread_id = _tenant_thread(session, world)
    messaging.staff_reply(
        session=session,
        actor=world.staff,
        thread_id=thread_id,
        text="Nous envoyons un plombier.",
        now=NOON + timedelta(hours=1),
    )
    before = messaging.open_for_staff(session=session, actor=world.staff, thread_id=thread_id)
    assert all(line.read_note == "" for line in before.messages)
    assert messaging.unread_count(session=session, user=world.tenant_login, space=Space.TENANT) == 1
    messaging.open_for_person(
        session=session,
        user=world.tenant_login,
        space=Space.TENANT,
        thread_id=thread_id,
        now=NOON + timedelta(hours=2),
    )
    after = messaging.open_for_staff(session=session, actor=world.staff, thread_id=thread_id)
    assert [line.read_note for line in after.messages] == ["", "Lu le 27/11/2026 à 14:00"]
    thread = session.get(Thread, thread_id)
    assert thread.status == ThreadStatus.IN_PROGRESS
    assert thread.assigned_to_id == world.staff_user.id  # the one who answered


def _outbox(session) -> list[OutboxEmail]:
    return session.exec(select(OutboxEmail).order_by(OutboxEmail.id)).all()


def _answer(session, world, thread_id, minutes: int) -> None:
    messaging.staff_reply(
        session=session,
        actor=world.staff,
        thread_id=thread_id,
        text=f"Réponse à +{minutes} min",
        now=NOON + timedelta(minutes=minutes),
    )


def test_offline_person_gets_at_most_one_email_per_conversation_per_hour(session, world):
    thread_id = _tenant_thread(session, world)
    for minutes in (1, 20, 59):
        _answer(session, world, thread_id, minutes)
    [email] = _outbox(session)
    assert email.to_address == "camille@example.test" and email.next_attempt_at is not None
    assert "Fuite d'eau" in email.body_text and "/locataire/messages" in email.body_text
    assert "Réponse" not in email.body_text  # the text stays in the extranet
    _answer(session, world, thread_id, 61)
    assert len(_outbox(session)) == 2
    second = _tenant_thread(session, world, now=NOON + timedelta(minutes=62))
    messaging.staff_reply(
        session=session,
        actor=world.staff,
        thread_id=second,
        text="Autre conversation",
        now=NOON + timedelta(minutes=63),
    )
    assert len(_outbox(session)) == 3  # the throttle is per conversation


def test_no_email_to_a_person_who_opted_out_or_is_online(session, world):
    thread_id = _tenant_thread(session, world)
    messaging.set_email_notifications(session=session, user=world.tenant_login, enabled=False)
    _answer(session, world, thread_id, 1)
    assert _outbox(session) == []
    messaging.set_email_notifications(session=session, user=world.tenant_login, enabled=True)
    session.add(
        AuthSession(
            user_id=world.tenant_user.id,
            token_hash="x" * 64,
            created_at=NOON,
            last_seen_at=NOON + timedelta(minutes=100),
            idle_expires_at=NOON + timedelta(hours=3),
            expires_at=NOON + timedelta(hours=12),
        )
    )
    session.commit()
    _answer(session, world, thread_id, 102)  # online two minutes ago: sees it live
    assert _outbox(session) == []
    _answer(session, world, thread_id, 110)  # idle for ten minutes: offline
    assert len(_outbox(session)) == 1


def test_closed_conversation_takes_no_more_answers_from_the_person(session, world):
    thread_id = _tenant_thread(session, world)
    messaging.set_status(session=session, actor=world.staff, thread_id=thread_id, status="fermee")
    with pytest.raises(InvalidMessage):
        messaging.person_reply(
            session=session,
            user=world.tenant_login,
            space=Space.TENANT,
            thread_id=thread_id,
            text="Encore une question",
        )
    messaging.set_status(session=session, actor=world.staff, thread_id=thread_id, status="resolue")
    messaging.person_reply(
        session=session,
        user=world.tenant_login,
        space=Space.TENANT,
        thread_id=thread_id,
        text="Finalement, ça fuit encore",
    )
    thread = session.get(Thread, thread_id)
    assert thread.status == ThreadStatus.IN_PROGRESS and thread.agency_unread


def test_only_staff_change_status_and_assignment(session, world):
    thread_id = _tenant_thread(session, world)
    with pytest.raises(AccessDenied):
        messaging.set_status(
            session=session, actor=world.tenant_login, thread_id=thread_id, status="resolue"
        )
    with pytest.raises(AccessDenied):
        messaging.assign(
            session=session,
            actor=world.staff,
            thread_id=thread_id,
            assignee_id=world.tenant_user.id,  # not a colleague
        )
    messaging.assign(
        session=session,
        actor=world.staff,
        thread_id=thread_id,
        assignee_id=world.colleague_user.id,
    )
    header = messaging.open_for_staff(
        session=session, actor=world.staff, thread_id=thread_id
    ).header
    assert header.assignee == "Julien"


def test_activity_changes_when_the_other_side_writes(session, world):
    thread_id = _tenant_thread(session, world)
    person_before = messaging.activity(session=session, user=world.tenant_login, space=Space.TENANT)
    staff_before = messaging.activity(session=session, user=world.staff, space=Space.AGENCY)
    _answer(session, world, thread_id, 3)
    person_after = messaging.activity(session=session, user=world.tenant_login, space=Space.TENANT)
    staff_after = messaging.activity(session=session, user=world.staff, space=Space.AGENCY)
    assert person_after != person_before and person_after.unread == 1
    assert staff_after.changed_at > staff_before.changed_at
    other = messaging.activity(session=session, user=world.other_login, space=Space.TENANT)
    assert other == messaging.Activity(None, 0)


def test_long_conversation_opens_on_its_last_fifty_messages_then_the_previous_ones(session, world):
    thread_id = _tenant_thread(session, world)
    for minute in range(1, 75):
        _answer(session, world, thread_id, minute)
    page = messaging.open_for_person(
        session=session, user=world.tenant_login, space=Space.TENANT, thread_id=thread_id
    )
    assert len(page.messages) == 50 and page.has_older
    assert page.messages[-1].segments[0].text == "Réponse à +74 min"
    older = messaging.open_for_person(
        session=session,
        user=world.tenant_login,
        space=Space.TENANT,
        thread_id=thread_id,
        before_id=page.oldest_id,
    )
    assert len(older.messages) == 25 and not older.has_older
    assert older.messages[0].segments[0].text == "Fuite sous l'évier"


def test_attachment_route_serves_the_photo_to_its_tenant_and_404_to_another(session, world):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from extranet_app.api.document_routes import routes
    from extranet_app.services import auth
    from extranet_app.settings import get_settings
    from tests.factories import PASSWORD
    from tests.messaging_support import tiny_png

    _tenant_thread(session, world, files=[photo()])
    document = session.exec(select(Document).where(Document.message_id.is_not(None))).one()
    client = TestClient(Starlette(routes=routes), base_url="http://localhost:8000")

    def get(email: str):
        token = auth.login(session=session, email=email, password=PASSWORD).token
        client.cookies.clear()
        return client.get(
            f"/api/documents/{document_reference(document.id)}?espace=locataire",
            cookies={get_settings().session_cookie_name: token},
        )

    mine = get("camille@example.test")
    assert mine.status_code == 200 and mine.content == tiny_png()
    assert get("autre@example.test").status_code == 404
    refused = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "document.download", AuditEvent.allowed.is_(False)
        )
    ).all()
    assert [event.actor_user_id for event in refused] == [world.other_user.id]


def test_the_new_message_email_names_the_subject_escaped_and_links_to_the_space():
    from extranet_app.email.messaging import build_new_message_email
    from tests.test_email_messages import AGENCY

    email = build_new_message_email(
        agency=AGENCY,
        to_name="Mme Camille Durand",
        thread_subject="Fuite <b>urgente</b>",
        messages_url="https://extranet.agence.test/locataire/messages",
    )
    assert email.subject == "Nouveau message de votre agence – Agence Démo Immobilier"
    assert "Fuite &lt;b&gt;urgente&lt;/b&gt;" in email.html and "<b>urgente" not in email.html
    assert "Fuite <b>urgente</b>" in email.text
    for part in (email.text, email.html):
        assert "https://extranet.agence.test/locataire/messages" in part
        assert "Me prévenir par e-mail" in part
