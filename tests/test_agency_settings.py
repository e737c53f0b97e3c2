"""Paramètres de l'agence: checks, journal, and what a change does to documents and e-mails
issued before and after it."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from extranet_app import db
from extranet_app.email.messages import build_notification_email
from extranet_app.email.sender import DeliveryResult, OutgoingEmail, temporary_failure
from extranet_app.models import AgencySettings, AuditEvent, Document, OutboxEmail
from extranet_app.models.documents import DocumentCategory, DocumentSource
from extranet_app.pages.agency_settings import AgencySettingsState
from extranet_app.pdf import render_simple_document
from extranet_app.services import agency_checks, agency_settings, outbox
from extranet_app.services.agency import (
    AGENCY_SETTINGS_ID,
    agency_letterhead,
    format_payment_reference,
    get_agency_identity,
)
from extranet_app.services.agency_settings import SettingsRejected, load_settings
from extranet_app.services.auth import Space
from extranet_app.services.documents import document_reference, downloadable_document
from extranet_app.services.errors import AccessDenied
from extranet_app.services.journal import JournalFilter, list_events
from extranet_app.services.outbox import EmailKind, queue_email, send_pending
from extranet_app.services.rent_ledger import unpaid_periods
from extranet_app.services.storage import read_bytes, store_bytes
from tests.factories import make_lease, make_lot, make_tenant, make_user
from tests.states_support import redirect_path, state_tree, substate
from tests.test_documents import as_session_user
from tests.test_rent_ledger import as_user, make_rent_call

VALID_SIRET = "81234567800021"
VALID_IBAN = "FR7630004008280001234567841"


@pytest.fixture
def admin(session: Session):
    user = make_user(session, email="direction@agence.test", is_agency=True, is_admin=True)
    session.commit()
    return as_session_user(user)


def _identity(session, admin, **changes) -> dict[str, str]:
    current = load_settings(session=session, actor=admin).identity
    return current | changes


def _rename(session, admin, name: str) -> list[str]:
    values = _identity(session, admin, name=name)
    return agency_settings.update_identity(session=session, actor=admin, values=values)


# --- Checks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("812 345 678 00021", "812 345 678 00021"), ("81234567800021", "812 345 678 00021"), ("", "")],
)
def test_a_valid_siret_is_stored_grouped(typed, stored):
    assert agency_checks.checked_siret(typed) == stored


@pytest.mark.parametrize("typed", ["81234567800022", "8123456780002", "8123456780002A"])
def test_a_siret_with_a_wrong_key_or_length_is_refused(typed):
    with pytest.raises(ValueError):
        agency_checks.checked_siret(typed)


def test_la_poste_sirets_follow_their_own_rule():
    # La Poste's SIREN 356 000 000: the digits of a valid SIRET add up to a multiple of 5.
    assert agency_checks.checked_siret("35600000000047") == "356 000 000 00047"
    with pytest.raises(ValueError):
        agency_checks.checked_siret("35600000000049")


def test_a_valid_iban_is_stored_in_groups_of_four():
    typed = "fr76 3000 4008 2800 0123 4567 841"
    assert agency_checks.checked_iban(typed) == "FR76 3000 4008 2800 0123 4567 841"
    assert agency_checks.checked_iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"


@pytest.mark.parametrize(
    "typed",
    [
        "FR7630004008280001234567842",  # one digit changed: the key no longer matches
        "FR763000400828000123456784",  # one character short for France
        "FR76-3000-4008",
    ],
)
def test_an_iban_with_a_wrong_key_or_length_is_refused(typed):
    with pytest.raises(ValueError):
        agency_checks.checked_iban(typed)


def test_bic_colour_and_payment_pattern_checks():
    assert agency_checks.checked_bic("bnpa fr pp xxx") == "BNPAFRPPXXX"
    with pytest.raises(ValueError):
        agency_checks.checked_bic("BNP")
    assert agency_checks.checked_color("#1F4E79") == "#1f4e79"
    with pytest.raises(ValueError):
        agency_checks.checked_color("red;background:url(x)")
    assert agency_checks.checked_payment_pattern("LOYER {bail} {lot}") == "LOYER {bail} {lot}"
    for pattern in ("LOYER", "{bail} {locataire}", "{bail} é"):
        with pytest.raises(ValueError):
            agency_checks.checked_payment_pattern(pattern)


def test_the_payment_reference_fills_the_pattern():
    reference = format_payment_reference(
        "LOYER {bail} LOT {lot}", lease_reference="LOC-000001", lot_reference="A12"
    )
    assert reference == "LOYER LOC-000001 LOT A12"


def test_loyers_impayes_quotes_the_reference_built_from_the_agency_pattern(session, admin):
    agency_settings.update_identity(
        session=session,
        actor=admin,
        values=_identity(session, admin, payment_reference_pattern="LOYER {bail} LOT {lot}"),
    )
    tenant = make_tenant(session)
    lease = make_lease(session, lot=make_lot(session, reference="B7"), tenants=[tenant])
    lease.payment_reference = "LOY-B7"
    make_rent_call(session, lease=lease, month=1)
    session.commit()
    summary = unpaid_periods(
        session=session, user=as_user(tenant_ids=[tenant.id]), today=date(2026, 3, 20)
    )
    assert [ref.reference for ref in summary.references] == ["LOYER LOY-B7 LOT B7"]


def test_the_journal_shows_a_settings_change_as_before_and_after(session, admin):
    _rename(session, admin, "Immobilière du Rhône")
    page = list_events(session=session, actor=admin, filters=JournalFilter())
    (row,) = [row for row in page.rows if row.action == "agency_settings.changed"]
    assert row.action_label == "Paramètres de l'agence modifiés"
    assert row.detail == "Raison sociale : « Agence Démo Immobilier » → « Immobilière du Rhône »"


# --- Saving and the journal -----------------------------------------------------------------------


def test_identity_errors_are_reported_field_by_field_and_nothing_is_saved(session, admin):
    values = _identity(session, admin, name="", siret="81234567800022", iban="FR76 1234")
    with pytest.raises(SettingsRejected) as rejected:
        agency_settings.update_identity(session=session, actor=admin, values=values)
    assert set(rejected.value.errors) == {"name", "siret", "iban"}
    assert session.get(AgencySettings, AGENCY_SETTINGS_ID) is None


def test_every_identity_change_is_journaled_with_before_and_after(session, admin):
    values = _identity(session, admin, siret=VALID_SIRET, iban=VALID_IBAN, name="Agence Nouvelle")
    changed = agency_settings.update_identity(session=session, actor=admin, values=values)
    assert set(changed) == {"SIRET", "IBAN", "Raison sociale"}
    events = session.exec(
        select(AuditEvent).where(AuditEvent.action == "agency_settings.changed")
    ).all()
    details = {event.detail for event in events}
    assert len(events) == 3 and all(event.actor_user_id == admin.user_id for event in events)
    assert any(
        '"before": "Agence Démo Immobilier"' in d and '"after": "Agence Nouvelle"' in d
        for d in details
    )
    assert any('"after": "FR76 3000 4008 2800 0123 4567 841"' in d for d in details)
    assert agency_settings.update_identity(session=session, actor=admin, values=values) == []


def test_only_administrators_read_or_change_the_settings(session):
    plain = as_session_user(make_user(session, email="gestion@agence.test", is_agency=True))
    tenant_user = make_user(session, email="camille@example.test")
    tenant = as_session_user(tenant_user, tenants=[make_tenant(session, user=tenant_user)])
    for actor in (plain, tenant):
        with pytest.raises(AccessDenied):
            load_settings(session=session, actor=actor)
        with pytest.raises(AccessDenied):
            agency_settings.update_branding(
                session=session, actor=actor, primary_color="#000000", login_welcome_text=""
            )


def test_branding_keeps_a_checked_colour_and_a_short_welcome_text(session, admin):
    agency_settings.update_branding(
        session=session,
        actor=admin,
        primary_color="#AA3300",
        login_welcome_text="Bienvenue !\n\nÀ bientôt.",
    )
    identity = get_agency_identity(session=session)
    assert identity.primary_color == "#aa3300"
    assert identity.login_welcome_text == "Bienvenue !\n\nÀ bientôt."
    with pytest.raises(SettingsRejected):
        agency_settings.update_branding(
            session=session, actor=admin, primary_color="#aa3300", login_welcome_text="x" * 501
        )


# --- Issued before, issued after -----------------------------------------------------------------


def _issue_document(session: Session, lease_id: int, title: str) -> Document:
    """Issue a PDF the way the extranet does: rendered once with the current letterhead, then
    stored and filed."""
    data = render_simple_document(
        letterhead=agency_letterhead(session=session), title=title, paragraphs=["Loyer réglé."]
    )
    stored = store_bytes(data=data, extension="pdf")
    document = Document(
        lease_id=lease_id,
        category=DocumentCategory.RENT_RECEIPT,
        source=DocumentSource.GENERATED,
        title=title,
        visible_to_tenants=True,
        storage_key=stored.storage_key,
        original_filename=f"{title}.pdf",
        mime_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )
    session.add(document)
    session.commit()
    return document


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_new_agency_name_shows_on_the_next_pdf_but_never_on_one_already_issued(session, admin):
    _rename(session, admin, "Agence Démo Immobilier")
    tenant_user = make_user(session, email="camille@example.test")
    tenant = make_tenant(session, user=tenant_user)
    lease = make_lease(session, lot=make_lot(session), tenants=[tenant])
    earlier = _issue_document(session, lease.id, "Quittance mars 2026")
    earlier_bytes = read_bytes(earlier.storage_key)

    _rename(session, admin, "Immobilière du Rhône")
    later = _issue_document(session, lease.id, "Quittance avril 2026")

    camille = as_session_user(tenant_user, tenants=[tenant])
    found = downloadable_document(
        session=session,
        user=camille,
        space=Space.TENANT,
        reference=document_reference(earlier.id),
    )
    served = found.path.read_bytes()
    assert served == earlier_bytes
    assert hashlib.sha256(served).hexdigest() == earlier.sha256
    assert "Agence Démo Immobilier" in _pdf_text(served)
    assert "Immobilière du Rhône" not in _pdf_text(served)
    assert "Immobilière du Rhône" in _pdf_text(read_bytes(later.storage_key))


def test_a_new_agency_name_shows_on_the_next_email_but_not_on_one_already_queued(session, admin):
    def queue_notice(index: int) -> OutboxEmail:
        message = build_notification_email(
            agency=get_agency_identity(session=session),
            to_name="Camille",
            title="Nouveau document",
            text="Votre quittance est disponible.",
        )
        row = queue_email(
            session=session,
            kind=EmailKind.NOTIFICATION,
            to_address=f"camille{index}@example.test",
            to_name="Camille",
            message=message,
        )
        session.commit()
        return row

    earlier = queue_notice(1)
    _rename(session, admin, "Immobilière du Rhône")
    later = queue_notice(2)
    session.expire_all()
    assert "Agence Démo Immobilier" in session.get(OutboxEmail, earlier.id).body_text
    assert "Immobilière du Rhône" not in session.get(OutboxEmail, earlier.id).body_html
    assert "Immobilière du Rhône" in session.get(OutboxEmail, later.id).body_text


# --- E-mail introductions ----------------------------------------------------------------------


def test_an_edited_introduction_replaces_the_built_in_one_and_the_code_link_expiry_remain(
    session, admin
):
    agency_settings.update_email_intro(
        session=session, actor=admin, kind="invitation", text="Bonjour de la part de {agence}."
    )
    preview = agency_settings.preview_email(
        session=session,
        actor=admin,
        kind="invitation",
        text=get_agency_identity(session=session).invitation_intro,
    )
    assert "Bonjour de la part de Agence Démo Immobilier." in preview.text
    assert "vous ouvre un accès" not in preview.text
    for mandatory in (
        "/activation?jeton=",
        "Votre code d'accès : XXXX-XXXX-XX",
        "valable jusqu'au",
    ):
        assert mandatory in preview.text


def test_an_empty_introduction_cannot_remove_the_mandatory_parts(session, admin):
    for kind, mandatory in (
        ("invitation", "Votre code d'accès"),
        ("password_reset", "valable 30 minutes"),
        ("notification", "Votre quittance de loyer de mars est disponible"),
    ):
        preview = agency_settings.preview_email(session=session, actor=admin, kind=kind, text="")
        assert mandatory in preview.text and mandatory in preview.html


def test_introductions_are_checked_and_escaped(session, admin):
    with pytest.raises(SettingsRejected):
        agency_settings.update_email_intro(session=session, actor=admin, kind="x", text="Bonjour")
    with pytest.raises(SettingsRejected):
        agency_settings.update_email_intro(
            session=session, actor=admin, kind="notification", text="x" * 1001
        )
    preview = agency_settings.preview_email(
        session=session, actor=admin, kind="notification", text="<script>alert(1)</script>"
    )
    assert "<script>" not in preview.html and "&lt;script&gt;" in preview.html


def test_the_notification_introduction_reaches_the_next_notification(session, admin):
    agency_settings.update_email_intro(
        session=session, actor=admin, kind="notification", text="Du nouveau sur votre extranet."
    )
    message = build_notification_email(
        agency=get_agency_identity(session=session), to_name="", title="Titre", text="Texte."
    )
    assert "Du nouveau sur votre extranet." in message.text


# --- Sending ----------------------------------------------------------------------------------


class FailingTransport:
    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[DeliveryResult]:
        return [temporary_failure("421 try later") for _ in messages]


def test_the_outbox_retries_with_the_policy_saved_in_the_settings(session, admin):
    agency_settings.update_sending(
        session=session, actor=admin, auto_send=True, max_attempts=2, retry_delay_minutes=15
    )
    row = queue_email(
        session=session,
        kind=EmailKind.NOTIFICATION,
        to_address="camille@example.test",
        to_name="",
        message=build_notification_email(
            agency=get_agency_identity(session=session), to_name="", title="T", text="X"
        ),
        send_without_review=True,
    )
    session.commit()
    start = datetime.now(UTC) + timedelta(seconds=1)
    first = send_pending(
        session_factory=db.session_scope, transport=FailingTransport(), clock=lambda: start
    )
    assert first.retry_scheduled == 1
    session.expire_all()
    assert session.get(OutboxEmail, row.id).next_attempt_at == start + timedelta(minutes=15)
    later = start + timedelta(minutes=15)
    second = send_pending(
        session_factory=db.session_scope, transport=FailingTransport(), clock=lambda: later
    )
    assert second.failed == 1  # the second attempt was the last one allowed
    assert outbox.retry_policy(session).max_attempts == 2


def test_sending_settings_are_checked(session, admin):
    with pytest.raises(SettingsRejected) as rejected:
        agency_settings.update_sending(
            session=session, actor=admin, auto_send="oui", max_attempts=0, retry_delay_minutes=None
        )
    assert set(rejected.value.errors) == {
        "outbox_auto_send",
        "outbox_max_attempts",
        "outbox_retry_delay_minutes",
    }


# --- The page's state, called directly ------------------------------------------------------------


def _token(email: str) -> str:
    from extranet_app.services import auth
    from tests.factories import PASSWORD

    with db.session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


async def test_the_settings_page_sends_plain_staff_away_and_refuses_their_calls(session):
    make_user(session, email="gestion@agence.test", is_agency=True)
    session.commit()
    state = substate(state_tree(token=_token("gestion@agence.test")), AgencySettingsState)
    assert redirect_path(await state.load()) == "/agence"
    await state.save_identity({"name": "Pirate"})
    assert state.identity == {}
    assert session.get(AgencySettings, AGENCY_SETTINGS_ID) is None


async def test_an_admin_saves_the_identity_through_the_page_state(session, admin):
    state = substate(state_tree(token=_token("direction@agence.test")), AgencySettingsState)
    await state.load()
    assert state.identity["name"] == "Agence Démo Immobilier"
    await state.save_identity(dict(state.identity) | {"siret": "123"})
    assert "siret" in state.errors
    await state.save_identity(dict(state.identity) | {"siret": VALID_SIRET})
    assert state.errors == {} and state.identity["siret"] == "812 345 678 00021"
    await state.set_global_section("locataire", "facturations", False)
    switch = next(s for s in state.global_switches if s.section == "facturations")
    assert switch.space == "locataire" and switch.enabled is False
