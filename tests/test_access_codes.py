"""Access codes and password reset links: expiry, single use, replacement, hashes only at rest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import MetaData
from sqlmodel import Session, select

from extranet_app import db
from extranet_app.email.sender import SENT, DeliveryResult, OutgoingEmail
from extranet_app.models import AuditEvent, Invitation, OutboxEmail, OutboxStatus, User
from extranet_app.services import access_codes, auth
from extranet_app.services.access_codes import AccessCodeError, CodeProblem
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.outbox import EmailKind, send_pending
from extranet_app.services.passwords import PasswordRejected
from extranet_app.services.security import hash_token
from tests.factories import make_tenant, make_user

NEW_PASSWORD = "Un jardin sous la pluie d'avril"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[DeliveryResult]:
        self.sent.extend(messages)
        return [SENT] * len(messages)


def _enrolled_tenant(session: Session, email: str = "camille@example.test") -> User:
    user = make_user(session, email=email, password=None, display_name="Camille Durand")
    make_tenant(session, user=user)
    session.commit()
    return user


def _staff(session: Session) -> SessionUser:
    user = make_user(session, is_agency=True)
    return SessionUser(user.id, 0, user.email, "Gestion", True, False, (), ())


def _send_everything(transport: RecordingTransport | None = None) -> RecordingTransport:
    transport = transport or RecordingTransport()
    send_pending(session_factory=db.session_scope, transport=transport, include_held=True)
    return transport


def _received_code(session: Session, user: User) -> tuple[str, str]:
    """Queue and send the access code e-mail; return the link token and short code it carries."""
    access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[user.id]
    )
    session.commit()
    (message,) = _send_everything().sent
    token = re.search(r"jeton=([A-Za-z0-9_-]+)", message.text)[1]
    short_code = re.search(r"code d'accès : ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2})", message.text)[1]
    return token, short_code


def _problem(service, **arguments) -> CodeProblem:
    """The problem `service(**arguments)` reports (it must refuse)."""
    with pytest.raises(AccessCodeError) as caught:
        service(**arguments)
    return caught.value.problem


def test_short_code_is_ten_unambiguous_characters_in_groups():
    code = access_codes.new_short_code()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}", code)
    assert access_codes.normalize_short_code(" k7qf 9xm2-pa ") == "K7QF9XM2PA"
    assert access_codes.normalize_short_code("O1IL-0000-00") == "01110000000"[:10]
    assert access_codes.normalize_short_code("K7QF-9XM2") is None


def test_link_token_is_long_and_url_safe(session):
    user = _enrolled_tenant(session)
    issued = access_codes.issue_access_code(session=session, user=user, now=T0)
    assert len(issued.token) >= 43  # 256 bits in URL-safe base64
    assert re.fullmatch(r"[A-Za-z0-9_-]+", issued.token)


def test_code_is_valid_until_one_second_before_expiry_and_refused_one_second_after(session):
    user = _enrolled_tenant(session)
    issued = access_codes.issue_access_code(session=session, user=user, now=T0)
    session.commit()
    expiry = T0 + timedelta(days=14)
    assert issued.expires_at == expiry
    holder = access_codes.check_access_code(
        session=session, token=issued.token, now=expiry - timedelta(seconds=1)
    )
    assert holder.user_id == user.id
    late = expiry + timedelta(seconds=1)
    assert (
        _problem(access_codes.check_access_code, session=session, token=issued.token, now=late)
        is CodeProblem.EXPIRED
    )
    assert (
        _problem(
            access_codes.set_password_from_code,
            session=session,
            token=issued.token,
            password=NEW_PASSWORD,
            now=late,
        )
        is CodeProblem.EXPIRED
    )


def test_expired_code_message_tells_to_ask_the_agency(session):
    user = _enrolled_tenant(session)
    issued = access_codes.issue_access_code(session=session, user=user, now=T0)
    session.commit()
    with pytest.raises(AccessCodeError) as caught:
        access_codes.check_access_code(
            session=session, token=issued.token, now=T0 + timedelta(days=15)
        )
    assert caught.value.message == "Ce code a expiré. Demandez un nouveau code à votre agence."


def test_activation_by_link_sets_the_password_and_uses_the_code_up(session):
    user = _enrolled_tenant(session)
    token, _ = _received_code(session, user)
    result = access_codes.set_password_from_code(
        session=session, token=token, password=NEW_PASSWORD
    )
    assert result.first_activation and result.user_id == user.id
    session.refresh(user)
    assert user.activated_at is not None
    assert auth.login(session=session, email=user.email, password=NEW_PASSWORD) is not None
    assert (
        _problem(access_codes.check_access_code, session=session, token=token) is CodeProblem.USED
    )
    problem = _problem(
        access_codes.set_password_from_code,
        session=session,
        token=token,
        password="Une autre phrase bien longue",
    )
    assert problem is CodeProblem.USED


def test_activation_by_email_and_typed_code_forgives_case_spaces_and_dashes(session):
    user = _enrolled_tenant(session)
    _, short_code = _received_code(session, user)
    typed = short_code.replace("-", " ").lower()
    holder = access_codes.check_access_code(
        session=session, email=" CAMILLE@example.test", short_code=typed
    )
    assert holder.email == "camille@example.test"
    access_codes.set_password_from_code(
        session=session, email=user.email, short_code=typed, password=NEW_PASSWORD
    )
    assert auth.authenticate(session=session, email=user.email, password=NEW_PASSWORD) is not None


def test_typed_code_of_another_person_or_a_wrong_code_is_unknown(session):
    camille = _enrolled_tenant(session)
    paul = _enrolled_tenant(session, email="paul@example.test")
    _, camille_code = _received_code(session, camille)
    _received_code(session, paul)
    for email, code in [
        ("paul@example.test", camille_code),
        ("camille@example.test", "ZZZZ-ZZZZ-ZZ"),
        ("nobody@example.test", camille_code),
    ]:
        problem = _problem(
            access_codes.check_access_code, session=session, email=email, short_code=code
        )
        assert problem is CodeProblem.UNKNOWN
    refusals = session.exec(
        select(AuditEvent).where(AuditEvent.action == "activation.refused")
    ).all()
    assert len(refusals) == 3 and not any(event.allowed for event in refusals)


def test_a_new_code_replaces_the_previous_one(session):
    user = _enrolled_tenant(session)
    old_token, old_code = _received_code(session, user)
    new_token, _ = _received_code(session, user)
    problem = _problem(access_codes.check_access_code, session=session, token=old_token)
    assert problem is CodeProblem.REPLACED
    problem = _problem(
        access_codes.check_access_code, session=session, email=user.email, short_code=old_code
    )
    assert problem is CodeProblem.REPLACED
    assert access_codes.check_access_code(session=session, token=new_token).user_id == user.id


def test_only_hashes_of_codes_are_stored_anywhere_in_the_database(session, engine):
    user = _enrolled_tenant(session)
    token, short_code = _received_code(session, user)
    invitation = session.exec(select(Invitation)).one()
    assert invitation.token_hash == hash_token(token)
    assert invitation.short_code_hash.startswith("hmac-sha256:")
    secrets_in_clear = [token, short_code, short_code.replace("-", "")]
    # Every table the database holds (SQLite or PostgreSQL), not only those the models know.
    tables = MetaData()
    tables.reflect(bind=engine)
    with engine.connect() as raw:
        for table in tables.sorted_tables:
            for row in raw.execute(table.select()):
                dump = " ".join(str(value) for value in row)
                assert not any(secret in dump for secret in secrets_in_clear), table.name


def test_the_outbox_preview_of_an_access_code_masks_the_secrets(session):
    user = _enrolled_tenant(session)
    access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[user.id]
    )
    session.commit()
    row = session.exec(select(OutboxEmail)).one()
    assert access_codes.MASKED_SHORT_CODE in row.body_text
    assert access_codes.MASKED_TOKEN in row.body_html
    assert session.exec(select(Invitation)).all() == []  # the code is minted only when sent


def test_transferring_codes_twice_queues_one_email_and_skips_deactivated_people(session):
    camille = _enrolled_tenant(session)
    paul = _enrolled_tenant(session, email="paul@example.test")
    paul.is_active = False
    session.commit()
    first = access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[camille.id, paul.id]
    )
    second = access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[camille.id]
    )
    session.commit()
    assert (first.queued, first.skipped_inactive, second.already_queued) == (1, 1, 1)
    assert len(session.exec(select(OutboxEmail)).all()) == 1


def test_rolled_back_enrolment_queues_nothing(session):
    user = make_user(session, email="nouveau@example.test", password=None)
    access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[user.id]
    )
    session.rollback()
    assert session.exec(select(OutboxEmail)).all() == []
    assert session.exec(select(AuditEvent)).all() == []
    assert session.exec(select(User)).all() == []


def test_code_email_is_not_sent_to_a_person_deactivated_after_queuing(session):
    user = _enrolled_tenant(session)
    access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[user.id]
    )
    user.is_active = False
    session.commit()
    assert _send_everything().sent == []
    row = session.exec(select(OutboxEmail)).one()
    assert row.status == OutboxStatus.CANCELLED and "désactivé" in row.last_error
    assert session.exec(select(Invitation)).all() == []


def test_activation_ends_other_sessions_and_journals_it(session):
    user = make_user(session, email="camille@example.test")  # activated, with a password
    user.activated_at = T0
    make_tenant(session, user=user)
    session.commit()
    opened = auth.login(session=session, email=user.email, password="Mot-de-passe-2026")
    token, _ = _received_code(session, user)
    access_codes.set_password_from_code(
        session=session, token=token, password=NEW_PASSWORD, ip="203.0.113.9"
    )
    assert auth.resolve_session(session=session, token=opened.token) is None
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "activation.password_set")
    ).one()
    assert (event.actor_user_id, event.ip) == (user.id, "203.0.113.9")


def test_first_activation_queues_a_confirmation_sent_without_review(session):
    user = _enrolled_tenant(session)
    token, _ = _received_code(session, user)
    access_codes.set_password_from_code(session=session, token=token, password=NEW_PASSWORD)
    confirmation = session.exec(
        select(OutboxEmail).where(OutboxEmail.kind == EmailKind.ACCOUNT_ACTIVATED)
    ).one()
    assert confirmation.next_attempt_at is not None  # not held for review
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "account.activated")).one()


def test_refused_password_leaves_the_code_usable(session):
    user = _enrolled_tenant(session)
    token, _ = _received_code(session, user)
    with pytest.raises(PasswordRejected):
        access_codes.set_password_from_code(session=session, token=token, password="azertyuiop123")
    assert access_codes.check_access_code(session=session, token=token).user_id == user.id


def test_no_password_appears_in_any_email(session):
    user = _enrolled_tenant(session)
    token, _ = _received_code(session, user)
    access_codes.set_password_from_code(session=session, token=token, password=NEW_PASSWORD)
    access_codes.request_password_reset(session=session, email=user.email)
    transport = _send_everything()
    link = re.search(r"jeton=([A-Za-z0-9_-]+)", transport.sent[-1].text)[1]
    access_codes.reset_password(session=session, token=link, password="Encore une phrase de passe")
    transport = _send_everything(transport)
    kinds = {row.kind for row in session.exec(select(OutboxEmail)).all()}
    assert kinds == {"access_code", "account_activated", "password_reset", "password_changed"}
    assert len(transport.sent) == 3
    for message in transport.sent:
        for password in (NEW_PASSWORD, "Encore une phrase de passe"):
            assert password not in message.text and password not in message.html
    stored = " ".join(
        row.body_text + row.body_html for row in session.exec(select(OutboxEmail)).all()
    )
    assert NEW_PASSWORD not in stored


def test_password_reset_link_lasts_thirty_minutes_and_works_once(session):
    user = make_user(session, email="camille@example.test")
    session.commit()
    issued = access_codes.issue_password_reset_token(session=session, user=user, now=T0)
    session.commit()
    just_before = T0 + timedelta(minutes=30) - timedelta(seconds=1)
    access_codes.check_password_reset_token(session=session, token=issued.token, now=just_before)
    late = T0 + timedelta(minutes=30, seconds=1)
    problem = _problem(
        access_codes.check_password_reset_token, session=session, token=issued.token, now=late
    )
    assert problem is CodeProblem.EXPIRED
    access_codes.reset_password(
        session=session, token=issued.token, password=NEW_PASSWORD, now=just_before
    )
    problem = _problem(
        access_codes.reset_password,
        session=session,
        token=issued.token,
        password=NEW_PASSWORD,
        now=just_before,
    )
    assert problem is CodeProblem.USED


def test_reset_link_and_activation_code_are_not_interchangeable(session):
    user = _enrolled_tenant(session)
    activation = access_codes.issue_access_code(session=session, user=user, now=T0)
    reset = access_codes.issue_password_reset_token(session=session, user=user, now=T0)
    session.commit()
    problem = _problem(
        access_codes.check_password_reset_token, session=session, token=activation.token, now=T0
    )
    assert problem is CodeProblem.UNKNOWN
    problem = _problem(access_codes.check_access_code, session=session, token=reset.token, now=T0)
    assert problem is CodeProblem.UNKNOWN
    # Asking for a reset must not cancel the code the agency sent.
    assert access_codes.check_access_code(session=session, token=activation.token, now=T0)


def test_password_reset_request_answers_alike_and_queues_only_for_a_real_account(session):
    user = make_user(session, email="camille@example.test")
    make_user(session, email="pas-encore@example.test", password=None)
    session.commit()
    for address in ("Camille@Example.test", "inconnu@example.test", "pas-encore@example.test"):
        assert access_codes.request_password_reset(session=session, email=address) is None
    rows = session.exec(select(OutboxEmail)).all()
    assert [(row.kind, row.user_id) for row in rows] == [(EmailKind.PASSWORD_RESET, user.id)]
    assert rows[0].next_attempt_at is not None  # sent without waiting for the agency
    requests = session.exec(
        select(AuditEvent).where(AuditEvent.action == "password_reset.requested")
    ).all()
    assert len(requests) == 3


def test_password_reset_requests_are_limited_per_hour(session):
    make_user(session, email="camille@example.test")
    session.commit()
    for _ in range(5):
        access_codes.request_password_reset(session=session, email="camille@example.test")
    assert len(session.exec(select(OutboxEmail)).all()) == 3


def test_reset_through_the_outbox_changes_the_password_and_ends_sessions(session):
    user = make_user(session, email="camille@example.test")
    make_tenant(session, user=user)
    session.commit()
    opened = auth.login(session=session, email=user.email, password="Mot-de-passe-2026")
    access_codes.request_password_reset(session=session, email=user.email)
    (message,) = _send_everything().sent
    assert "30 minutes" in message.text
    token = re.search(r"jeton=([A-Za-z0-9_-]+)", message.text)[1]
    result = access_codes.reset_password(session=session, token=token, password=NEW_PASSWORD)
    assert not result.first_activation
    assert auth.resolve_session(session=session, token=opened.token) is None
    assert auth.authenticate(session=session, email=user.email, password=NEW_PASSWORD) is not None
    assert (
        auth.authenticate(session=session, email=user.email, password="Mot-de-passe-2026") is None
    )


def test_short_code_hash_depends_on_the_secret_key(session, monkeypatch):
    from extranet_app.settings import get_settings

    first = access_codes.hash_short_code(user_id=1, short_code="K7QF-9XM2-PA")
    monkeypatch.setenv("SECRET_KEY", "another-secret-key-for-this-test")
    get_settings.cache_clear()
    assert access_codes.hash_short_code(user_id=1, short_code="K7QF-9XM2-PA") != first
    assert access_codes.hash_short_code(user_id=1, short_code="k7qf 9xm2 pa") == (
        access_codes.hash_short_code(user_id=1, short_code="K7QF-9XM2-PA")
    )


def test_two_waiting_code_emails_for_one_person_send_only_the_latest(session):
    user = _enrolled_tenant(session)
    access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[user.id]
    )
    session.commit()
    first = session.exec(select(OutboxEmail)).one()
    first.status = OutboxStatus.FAILED  # a failed e-mail the agency will retry
    session.commit()
    access_codes.queue_access_code_emails(
        session=session, actor=_staff(session), user_ids=[user.id]
    )
    first.status = OutboxStatus.PENDING
    session.commit()
    transport = _send_everything()
    assert len(transport.sent) == 1
    session.refresh(first)
    assert first.status == OutboxStatus.CANCELLED
    assert first.last_error == "Remplacé par un envoi plus récent."
    live = session.exec(select(Invitation).where(Invitation.revoked_at.is_(None))).all()
    assert len(live) == 1


def test_two_simultaneous_activations_with_one_code_let_only_one_win(session, engine):
    user = _enrolled_tenant(session)
    token, _ = _received_code(session, user)
    with Session(engine, expire_on_commit=False) as other:
        # The other request read the code (still unused) before this one used it up.
        stale = other.exec(select(Invitation)).one()
        assert stale.used_at is None
        access_codes.set_password_from_code(session=session, token=token, password=NEW_PASSWORD)
        problem = _problem(
            access_codes.set_password_from_code,
            session=other,
            token=token,
            password="Une tout autre phrase de passe",
        )
    assert problem is CodeProblem.USED
    assert auth.authenticate(session=session, email=user.email, password=NEW_PASSWORD) is not None


def test_only_agency_staff_can_transfer_access_codes(session):
    user = _enrolled_tenant(session)
    tenant = SessionUser(user.id, 0, user.email, "", False, False, (1,), ())
    with pytest.raises(AccessDenied):
        access_codes.queue_access_code_emails(session=session, actor=tenant, user_ids=[user.id])
    with pytest.raises(ValueError):
        access_codes.queue_access_code_emails(
            session=session, actor=_staff(session), user_ids=["1; DROP TABLE app_user"]
        )


def test_arguments_of_the_wrong_type_are_an_unknown_code(session):
    _enrolled_tenant(session)
    for arguments in ({"token": {"$ne": ""}}, {"email": ["x"], "short_code": 12}):
        problem = _problem(access_codes.check_access_code, session=session, **arguments)
        assert problem is CodeProblem.UNKNOWN
