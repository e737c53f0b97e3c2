"""Actualités: who reads which item, when, the unread marks, the e-mails and the agency's work."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select

from extranet_app.db import make_engine
from extranet_app.models import AuditEvent, NewsAudience, NewsItem, OutboxEmail, User
from extranet_app.services import news, news_emails
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.news import InvalidNews, NewsDraft
from extranet_app.services.storage import path_for
from extranet_app.services.uploads import IMAGE_TYPES, check_upload
from tests.conftest import migrate_to_head
from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user
from tests.test_documents import as_session_user

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def png_bytes(color: str = "navy") -> bytes:
    """A real small PNG picture."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(buffer, format="PNG")
    return buffer.getvalue()


def picture(color: str = "navy"):
    return check_upload(filename="travaux.png", data=png_bytes(color), allowed=IMAGE_TYPES)


@dataclass
class World:
    staff: SessionUser
    tenant: SessionUser  # current tenant in building 1
    other_tenant: SessionUser  # current tenant in building 2
    former_tenant: SessionUser  # lease in building 1 ended
    owner: SessionUser  # owns the lot of building 1
    other_owner: SessionUser  # owns the lot of building 2
    building_id: int
    other_building_id: int
    users: dict[str, User]


def _person(session: Session, name: str, *, tenant: bool = False, owner: bool = False):
    user = make_user(session, email=f"{name}@example.test", display_name=name.title())
    user.activated_at = NOW - timedelta(days=30)
    profile = make_tenant(session, user=user) if tenant else make_owner(session, user=user)
    return user, profile


def build_world(session: Session) -> World:
    """Two buildings, each with an owner and a current tenant; a former tenant of the first."""
    staff_user = make_user(session, email="agence@example.test", is_agency=True)
    tenant_user, tenant = _person(session, "camille", tenant=True)
    other_user, other = _person(session, "bruno", tenant=True)
    former_user, former = _person(session, "ancien", tenant=True)
    owner_user, owner = _person(session, "paul", owner=True)
    other_owner_user, other_owner = _person(session, "odile", owner=True)
    lot = make_lot(session, owner=owner)
    other_lot = make_lot(session, owner=other_owner, reference="B2")
    make_lease(session, lot=lot, tenants=[tenant], start_date=date(2025, 1, 1))
    make_lease(session, lot=other_lot, tenants=[other], start_date=date(2025, 1, 1))
    make_lease(
        session, lot=lot, tenants=[former], start_date=date(2020, 1, 1), end_date=date(2024, 12, 31)
    )
    session.commit()
    users = {
        "camille": tenant_user,
        "bruno": other_user,
        "ancien": former_user,
        "paul": owner_user,
        "odile": other_owner_user,
    }
    return World(
        staff=as_session_user(staff_user),
        tenant=as_session_user(tenant_user, tenants=[tenant]),
        other_tenant=as_session_user(other_user, tenants=[other]),
        former_tenant=as_session_user(former_user, tenants=[former]),
        owner=as_session_user(owner_user, owners=[owner]),
        other_owner=as_session_user(other_owner_user, owners=[other_owner]),
        building_id=lot.property_id,
        other_building_id=other_lot.property_id,
        users=users,
    )


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def publish(session, world: World, title: str = "Info", **fields) -> int:
    """An item written by the agency at NOW (published at once unless a date is given)."""
    values = {"title": title, "body": "Le **texte**.", "audience": NewsAudience.EVERYONE} | fields
    return news.create_news(session=session, actor=world.staff, draft=NewsDraft(**values), now=NOW)


def titles(session, user: SessionUser, space: Space, now: datetime = NOW) -> list[str]:
    return [card.title for card in news.list_news(session=session, user=user, space=space, now=now)]


def outbox_to(session) -> list[str]:
    return sorted(row.to_address for row in session.exec(select(OutboxEmail)).all())


# --- Audience -----------------------------------------------------------------------------------


def test_owners_only_item_never_reaches_a_tenant(session, world):
    news_id = publish(session, world, "Revenus fonciers", audience=NewsAudience.OWNERS)
    reference = news.news_reference(news_id)
    assert titles(session, world.owner, Space.OWNER) == ["Revenus fonciers"]
    assert titles(session, world.tenant, Space.TENANT) == []
    assert news.count_unread(session=session, user=world.tenant, space=Space.TENANT, now=NOW) == 0
    opened = news.open_news(
        session=session, user=world.tenant, space=Space.TENANT, reference=reference, now=NOW
    )
    assert opened is None
    # Claiming the owner space does not help someone who is not an owner.
    assert titles(session, world.tenant, Space.OWNER) == []
    assert (
        news.open_news(
            session=session, user=world.tenant, space=Space.OWNER, reference=reference, now=NOW
        )
        is None
    )


def test_tenants_only_item_never_reaches_an_owner(session, world):
    publish(session, world, "Assurance habitation", audience=NewsAudience.TENANTS)
    assert titles(session, world.tenant, Space.TENANT) == ["Assurance habitation"]
    assert titles(session, world.former_tenant, Space.TENANT) == ["Assurance habitation"]
    assert titles(session, world.owner, Space.OWNER) == []


def test_item_for_everyone_reaches_both_spaces(session, world):
    publish(session, world, "Fermeture de l'agence")
    assert titles(session, world.tenant, Space.TENANT) == ["Fermeture de l'agence"]
    assert titles(session, world.other_owner, Space.OWNER) == ["Fermeture de l'agence"]


def test_building_item_reaches_its_current_tenants_and_owners_only(session, world):
    publish(
        session,
        world,
        "Ravalement",
        audience=NewsAudience.PROPERTY,
        property_id=world.building_id,
    )
    assert titles(session, world.tenant, Space.TENANT) == ["Ravalement"]
    assert titles(session, world.owner, Space.OWNER) == ["Ravalement"]
    assert titles(session, world.other_tenant, Space.TENANT) == []
    assert titles(session, world.other_owner, Space.OWNER) == []
    assert titles(session, world.former_tenant, Space.TENANT) == []


def test_scheduled_item_appears_only_from_its_publication_date(session, world):
    later = NOW + timedelta(days=3)
    publish(session, world, "Assemblée générale", publish_at=later)
    assert titles(session, world.owner, Space.OWNER) == []
    assert titles(session, world.owner, Space.OWNER, now=later - timedelta(minutes=1)) == []
    assert titles(session, world.owner, Space.OWNER, now=later) == ["Assemblée générale"]
    [row] = news.list_agency_news(session=session, actor=world.staff, now=NOW)
    assert (row.status, row.status_label) == ("programmee", "Programmée")


def test_unpublished_item_is_gone_for_everyone_but_the_agency(session, world):
    news_id = publish(session, world, "Erreur")
    news.unpublish_news(session=session, actor=world.staff, news_id=news_id, now=NOW)
    assert titles(session, world.tenant, Space.TENANT) == []
    assert titles(session, world.owner, Space.OWNER) == []
    reference = news.news_reference(news_id)
    assert (
        news.open_news(
            session=session, user=world.owner, space=Space.OWNER, reference=reference, now=NOW
        )
        is None
    )
    [row] = news.list_agency_news(session=session, actor=world.staff, now=NOW)
    assert row.status_label == "Dépubliée"
    news.republish_news(session=session, actor=world.staff, news_id=news_id, now=NOW)
    assert titles(session, world.owner, Space.OWNER) == ["Erreur"]


def test_pinned_items_come_first_then_the_newest(session, world):
    publish(session, world, "Ancienne", publish_at=NOW - timedelta(days=10))
    publish(session, world, "Épinglée", publish_at=NOW - timedelta(days=30), pinned=True)
    publish(session, world, "Récente", publish_at=NOW - timedelta(days=1))
    assert titles(session, world.tenant, Space.TENANT) == ["Épinglée", "Récente", "Ancienne"]


# --- Reading ------------------------------------------------------------------------------------


def test_opening_an_item_marks_it_read_for_that_person_only(session, world):
    first = publish(session, world, "Première")
    publish(session, world, "Seconde")
    count = news.count_unread
    assert count(session=session, user=world.tenant, space=Space.TENANT, now=NOW) == 2
    view = news.open_news(
        session=session,
        user=world.tenant,
        space=Space.TENANT,
        reference=news.news_reference(first),
        now=NOW,
    )
    assert view.title == "Première"
    assert view.html == "<p>Le <strong>texte</strong>.</p>\n"
    cards = news.list_news(session=session, user=world.tenant, space=Space.TENANT, now=NOW)
    assert {card.title: card.unread for card in cards} == {"Première": False, "Seconde": True}
    assert count(session=session, user=world.tenant, space=Space.TENANT, now=NOW) == 1
    assert count(session=session, user=world.owner, space=Space.OWNER, now=NOW) == 2
    # Opening it again changes nothing.
    news.open_news(
        session=session,
        user=world.tenant,
        space=Space.TENANT,
        reference=news.news_reference(first),
        now=NOW,
    )
    assert count(session=session, user=world.tenant, space=Space.TENANT, now=NOW) == 1


def test_agency_preview_of_a_space_reads_without_marking(session, world):
    news_id = publish(session, world, "Info")
    previewed = replace(world.tenant, previewed_by_user_id=world.staff.user_id)
    view = news.open_news(
        session=session,
        user=previewed,
        space=Space.TENANT,
        reference=news.news_reference(news_id),
        now=NOW,
    )
    assert view is not None
    assert news.count_unread(session=session, user=world.tenant, space=Space.TENANT, now=NOW) == 1


@pytest.mark.parametrize(
    "reference", ["0" * 32, "not-a-reference", 12, {"id": 1}, None, "A" * 32, "f" * 64]
)
def test_guessed_or_malformed_references_open_nothing_and_are_journaled(session, world, reference):
    publish(session, world, "Info")
    opened = news.open_news(
        session=session, user=world.tenant, space=Space.TENANT, reference=reference, now=NOW
    )
    assert opened is None
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "news.open")).all()
    assert [event.allowed for event in refused] == [False]
    assert refused[0].actor_user_id == world.tenant.user_id


def test_references_are_opaque_and_stable():
    assert news.news_reference(1) == news.news_reference(1)
    assert news.news_reference(1) != news.news_reference(2)
    assert news.news_reference(1) != "1" and len(news.news_reference(1)) == 32


# --- E-mails ------------------------------------------------------------------------------------


def test_email_goes_once_to_each_person_of_the_audience_who_accepts_it(session, world):
    world.users["odile"].email_notifications = False  # opted out
    session.add(make_owner(session, user=make_user(session, email="jamais@example.test")))
    session.commit()  # an owner who never activated the account gets nothing either
    news_id = publish(
        session, world, "Revenus fonciers", audience=NewsAudience.OWNERS, email_audience=True
    )
    assert outbox_to(session) == ["paul@example.test"]
    [email] = session.exec(select(OutboxEmail)).all()
    assert email.kind == news_emails.NEWS_EMAIL_KIND
    assert email.next_attempt_at is None  # waits for the agency's review like every e-mail
    assert "Revenus fonciers" in email.subject
    assert "Le texte." in email.body_text and "<strong>" not in email.body_text
    assert "/proprietaire/actualites" in email.body_text
    # Editing, unpublishing and republishing never send it again.
    draft = NewsDraft("Revenus fonciers 2026", "Texte", NewsAudience.OWNERS, email_audience=True)
    news.update_news(session=session, actor=world.staff, news_id=news_id, draft=draft, now=NOW)
    news.unpublish_news(session=session, actor=world.staff, news_id=news_id, now=NOW)
    news.republish_news(session=session, actor=world.staff, news_id=news_id, now=NOW)
    assert news_emails.queue_due_news_emails(session=session, now=NOW + timedelta(days=1)) == 0
    assert outbox_to(session) == ["paul@example.test"]


def test_item_without_the_email_option_sends_nothing(session, world):
    publish(session, world, "Discret")
    assert news_emails.queue_due_news_emails(session=session, now=NOW) == 0
    assert outbox_to(session) == []


def test_scheduled_item_email_goes_when_it_becomes_visible(session, world):
    later = NOW + timedelta(days=2)
    publish(
        session, world, "AG", audience=NewsAudience.OWNERS, publish_at=later, email_audience=True
    )
    assert outbox_to(session) == []
    assert news_emails.queue_due_news_emails(session=session, now=NOW + timedelta(days=1)) == 0
    assert news_emails.queue_due_news_emails(session=session, now=later) == 2
    assert news_emails.queue_due_news_emails(session=session, now=later) == 0
    assert outbox_to(session) == ["odile@example.test", "paul@example.test"]
    [row] = news.list_agency_news(session=session, actor=world.staff, now=later)
    assert row.email_label.startswith("E-mails mis au centre d'envoi le ")


def test_scheduled_item_unpublished_before_its_date_sends_nothing(session, world):
    later = NOW + timedelta(days=2)
    news_id = publish(session, world, "AG", publish_at=later, email_audience=True)
    news.unpublish_news(session=session, actor=world.staff, news_id=news_id, now=NOW)
    assert news_emails.queue_due_news_emails(session=session, now=later) == 0
    assert outbox_to(session) == []


def test_building_email_recipients_are_exactly_its_readers(session, world):
    publish(
        session,
        world,
        "Coupure d'eau",
        audience=NewsAudience.PROPERTY,
        property_id=world.building_id,
        email_audience=True,
    )
    assert outbox_to(session) == ["camille@example.test", "paul@example.test"]
    [tenant_email] = session.exec(
        select(OutboxEmail).where(OutboxEmail.to_address == "camille@example.test")
    ).all()
    assert "/locataire/actualites" in tenant_email.body_text


# --- The agency's side --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["tenant", "owner"])
def test_only_staff_write_news(session, world, who):
    person = getattr(world, who)
    draft = NewsDraft("Titre", "Texte", NewsAudience.EVERYONE)
    with pytest.raises(AccessDenied):
        news.create_news(session=session, actor=person, draft=draft, now=NOW)
    news_id = publish(session, world)
    with pytest.raises(AccessDenied):
        news.unpublish_news(session=session, actor=person, news_id=news_id, now=NOW)
    with pytest.raises(AccessDenied):
        news.list_agency_news(session=session, actor=person)
    assert session.exec(select(NewsItem)).one().unpublished_at is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "titre"),
        ({"title": "x" * 201}, "200"),
        ({"body": ""}, "texte"),
        ({"audience": "voisins"}, "qui"),
        ({"audience": NewsAudience.PROPERTY}, "immeuble"),
        ({"audience": NewsAudience.PROPERTY, "property_id": 999_999}, "immeuble"),
        ({"publish_at": datetime(2026, 12, 1, 8, 0)}, "Date"),
    ],
)
def test_invalid_drafts_are_refused_in_french(session, world, fields, message):
    values = {"title": "Titre", "body": "Texte", "audience": NewsAudience.EVERYONE} | fields
    with pytest.raises(InvalidNews, match=message):
        news.create_news(session=session, actor=world.staff, draft=NewsDraft(**values), now=NOW)
    assert session.exec(select(NewsItem)).all() == []


def test_creation_and_changes_are_journaled(session, world):
    news_id = publish(session, world, "Info", email_audience=True)
    news.unpublish_news(session=session, actor=world.staff, news_id=news_id, now=NOW)
    events = session.exec(
        select(AuditEvent).where(AuditEvent.target_type == "news_item").order_by(AuditEvent.id)
    ).all()
    assert [event.action for event in events] == [
        "news.email_queued",
        "news.create",
        "news.unpublish",
    ]
    assert json.loads(events[0].detail) == {"count": 5}
    assert all(event.target_id == str(news_id) for event in events)


def test_edit_form_starts_from_the_stored_item(session, world):
    news_id = publish(
        session,
        world,
        "Ravalement",
        audience=NewsAudience.PROPERTY,
        property_id=world.building_id,
        pinned=True,
    )
    found = news.get_editable_news(session=session, actor=world.staff, news_id=news_id, now=NOW)
    assert found.draft.title == "Ravalement"
    assert found.draft.property_id == world.building_id
    assert found.draft.pinned is True
    assert found.status == "publiee"
    assert news.get_editable_news(session=session, actor=world.staff, news_id="1") is None
    labels = [b.label for b in news.list_buildings(session=session, actor=world.staff)]
    assert len(labels) == 2 and all(label.endswith("— Lyon") for label in labels)


# --- The picture --------------------------------------------------------------------------------


def _image_of(session, user, space, news_id):
    return news.news_image(
        session=session, user=user, space=space, reference=news.news_reference(news_id), now=NOW
    )


def test_picture_is_stored_privately_and_served_to_the_audience_only(session, world):
    news_id = news.create_news(
        session=session,
        actor=world.staff,
        draft=NewsDraft("Travaux", "Texte", NewsAudience.OWNERS),
        image=picture(),
        now=NOW,
    )
    item = session.get(NewsItem, news_id)
    assert item.image_key.endswith(".png")
    found = _image_of(session, world.owner, Space.OWNER, news_id)
    assert found.mime_type == "image/png"
    assert found.path.read_bytes() == png_bytes()
    assert _image_of(session, world.tenant, Space.TENANT, news_id) is None
    assert _image_of(session, world.staff, Space.AGENCY, news_id) is not None
    refused = session.exec(select(AuditEvent).where(AuditEvent.action == "news.image")).all()
    assert [event.allowed for event in refused] == [False]


def test_replacing_or_removing_the_picture_deletes_the_old_file(session, world):
    draft = NewsDraft("Travaux", "Texte", NewsAudience.EVERYONE)
    news_id = news.create_news(
        session=session, actor=world.staff, draft=draft, image=picture(), now=NOW
    )
    first = path_for(session.get(NewsItem, news_id).image_key)
    news.update_news(
        session=session,
        actor=world.staff,
        news_id=news_id,
        draft=draft,
        image=picture("red"),
        now=NOW,
    )
    second = path_for(session.get(NewsItem, news_id).image_key)
    assert not first.exists() and second.is_file()
    news.update_news(
        session=session, actor=world.staff, news_id=news_id, draft=draft, remove_image=True, now=NOW
    )
    assert session.get(NewsItem, news_id).image_key is None
    assert not second.exists()


def test_a_failed_save_leaves_no_picture_behind(session, world, monkeypatch, tmp_path):
    def broken(**_kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(news, "queue_news_emails_if_due", broken)
    with pytest.raises(RuntimeError):
        news.create_news(
            session=session,
            actor=world.staff,
            draft=NewsDraft("Travaux", "Texte", NewsAudience.EVERYONE),
            image=picture(),
            now=NOW,
        )
    stored = [path for path in (tmp_path / "documents").rglob("*") if path.is_file()]
    assert stored == []
    assert session.exec(select(NewsItem)).all() == []


def test_a_pdf_is_never_taken_as_a_picture(session, world):
    pdf = check_upload(filename="note.pdf", data=b"%PDF-1.4 note")
    with pytest.raises(InvalidNews):
        news.create_news(
            session=session,
            actor=world.staff,
            draft=NewsDraft("Travaux", "Texte", NewsAudience.EVERYONE),
            image=pdf,
            now=NOW,
        )


def test_audience_unread_marks_and_emails_on_postgresql(postgres_url):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        building_item = publish(
            session,
            world,
            "Ravalement",
            audience=NewsAudience.PROPERTY,
            property_id=world.building_id,
            email_audience=True,
        )
        publish(session, world, "Revenus", audience=NewsAudience.OWNERS, pinned=True)
        later = NOW + timedelta(days=1)
        publish(session, world, "AG", publish_at=later, email_audience=True)
        assert titles(session, world.tenant, Space.TENANT) == ["Ravalement"]
        assert titles(session, world.owner, Space.OWNER) == ["Revenus", "Ravalement"]
        assert titles(session, world.other_tenant, Space.TENANT) == []
        news.open_news(
            session=session,
            user=world.owner,
            space=Space.OWNER,
            reference=news.news_reference(building_item),
            now=NOW,
        )
        assert news.count_unread(session=session, user=world.owner, space=Space.OWNER, now=NOW) == 1
        assert news_emails.queue_due_news_emails(session=session, now=later) == 5
        assert len(outbox_to(session)) == 7
        [row] = [r for r in news.list_agency_news(session=session, actor=world.staff) if r.readers]
        assert (row.title, row.readers) == ("Ravalement", 1)
    engine.dispose()


def test_a_title_is_kept_on_one_line(session, world):
    news_id = publish(session, world, "Travaux\r\nBcc: tout-le-monde@example.test")
    assert session.get(NewsItem, news_id).title == "Travaux Bcc: tout-le-monde@example.test"


def test_turning_the_email_option_on_later_sends_it_then(session, world):
    news_id = publish(session, world, "Info", audience=NewsAudience.OWNERS)
    assert outbox_to(session) == []
    draft = NewsDraft("Info", "Texte", NewsAudience.OWNERS, email_audience=True)
    news.update_news(session=session, actor=world.staff, news_id=news_id, draft=draft, now=NOW)
    assert outbox_to(session) == ["odile@example.test", "paul@example.test"]
