"""Équipe: inviting colleagues, deactivating them (sessions end), roles, and the last admin."""

from __future__ import annotations

import re
import threading

import pytest
from sqlmodel import Session, select

from extranet_app import db
from extranet_app.db import make_engine
from extranet_app.models import AuditEvent, OutboxEmail, User
from extranet_app.services import access_codes, auth, staff
from extranet_app.services.auth import Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.outbox import EmailKind, send_pending
from extranet_app.services.staff import LastAdminError, StaffRejected
from tests.conftest import migrate_to_head
from tests.factories import PASSWORD, make_tenant, make_user
from tests.test_access_codes import RecordingTransport
from tests.test_documents import as_session_user

NEW_PASSWORD = "Un jardin sous la pluie d'avril"


@pytest.fixture
def admin(session: Session):
    user = make_user(session, email="direction@agence.test", is_agency=True, is_admin=True)
    session.commit()
    return as_session_user(user)


def _member(session: Session, email: str, *, admin: bool = False) -> User:
    user = make_user(session, email=email, is_agency=True, is_admin=admin)
    session.commit()
    return user


def test_inviting_a_colleague_creates_a_staff_login_and_queues_its_access_code(session, admin):
    address = staff.invite_staff(
        session=session,
        actor=admin,
        email=" Julie.Morel@Agence.test ",
        display_name="Julie  Morel",
        admin=False,
    )
    assert address == "julie.morel@agence.test"
    user = session.exec(select(User).where(User.email == address)).one()
    assert (user.is_agency, user.is_admin, user.password_hash) == (True, False, None)
    assert user.display_name == "Julie Morel"
    queued = session.exec(select(OutboxEmail).where(OutboxEmail.user_id == user.id)).one()
    assert queued.kind == EmailKind.ACCESS_CODE
    assert queued.next_attempt_at is None  # held for the agency's review, as tenants' codes
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.target_id == str(user.id)))
    assert "staff.invited" in set(actions)


def test_an_invited_colleague_activates_with_the_code_and_enters_the_agency_space(session, admin):
    address = staff.invite_staff(
        session=session, actor=admin, email="julie@agence.test", display_name="Julie", admin=True
    )
    transport = RecordingTransport()
    send_pending(session_factory=db.session_scope, transport=transport, include_held=True)
    (message,) = transport.sent
    code = re.search(r"code d'accès : ([0-9A-Z-]{12})", message.text).group(1)
    access_codes.set_password_from_code(
        session=session, email=address, short_code=code, password=NEW_PASSWORD
    )
    opened = auth.login(session=session, email=address, password=NEW_PASSWORD)
    assert opened is not None
    assert opened.user.spaces == (Space.AGENCY,) and opened.user.is_admin


def test_an_address_already_used_or_malformed_is_refused(session, admin):
    tenant_user = make_user(session, email="camille@example.test")
    make_tenant(session, user=tenant_user)
    session.commit()
    for email in ("camille@example.test", "pas-une-adresse", {"email": "x"}):
        with pytest.raises(StaffRejected):
            staff.invite_staff(
                session=session, actor=admin, email=email, display_name="X", admin=False
            )
    with pytest.raises(StaffRejected):
        staff.invite_staff(
            session=session, actor=admin, email="ok@agence.test", display_name="X", admin="oui"
        )


def test_deactivating_a_colleague_ends_their_login_sessions_at_once(session, admin):
    member = make_user(session, email="julie@agence.test", is_agency=True)
    session.commit()
    opened = auth.login(session=session, email=member.email, password=PASSWORD)
    assert auth.resolve_session(session=session, token=opened.token) is not None
    ended = staff.set_staff_active(session=session, actor=admin, user_id=member.id, active=False)
    assert ended == 1
    assert auth.resolve_session(session=session, token=opened.token) is None
    assert auth.count_live_sessions(session=session, user_id=member.id) == 0
    assert auth.login(session=session, email=member.email, password=PASSWORD) is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.deactivated")).one()
    assert '"before": "Actif"' in event.detail and '"after": "Désactivé"' in event.detail


def test_a_reactivated_colleague_can_log_in_again(session, admin):
    member = make_user(session, email="julie@agence.test", is_agency=True, is_active=False)
    session.commit()
    staff.set_staff_active(session=session, actor=admin, user_id=member.id, active=True)
    assert auth.login(session=session, email=member.email, password=PASSWORD) is not None


def test_the_last_active_admin_cannot_be_deactivated_or_demoted_even_by_themselves(session, admin):
    with pytest.raises(LastAdminError):
        staff.set_staff_active(session=session, actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(LastAdminError):
        staff.set_staff_role(session=session, actor=admin, user_id=admin.user_id, admin=False)
    session.expire_all()
    me = session.get(User, admin.user_id)
    assert me.is_active and me.is_admin


def test_an_admin_may_step_down_while_another_active_admin_remains(session, admin):
    other = _member(session, "associe@agence.test", admin=True)
    assert staff.set_staff_role(session=session, actor=admin, user_id=admin.user_id, admin=False)
    # The other one is now the last: deactivated admins do not count either.
    successor = as_session_user(other)
    with pytest.raises(LastAdminError):
        staff.set_staff_active(session=session, actor=successor, user_id=other.id, active=False)


def test_an_inactive_admin_does_not_count_as_the_remaining_one(session, admin):
    _member(session, "ancien@agence.test", admin=True)
    dormant = session.exec(select(User).where(User.email == "ancien@agence.test")).one()
    dormant.is_active = False
    session.commit()
    with pytest.raises(LastAdminError):
        staff.set_staff_role(session=session, actor=admin, user_id=admin.user_id, admin=False)


def test_the_role_change_is_journaled_with_before_and_after(session, admin):
    member = _member(session, "julie@agence.test")
    staff.set_staff_role(session=session, actor=admin, user_id=member.id, admin=True)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.role_changed")).one()
    assert '"before": "Collaborateur"' in event.detail
    assert '"after": "Administrateur"' in event.detail


def test_only_admins_manage_the_team_and_only_staff_logins_are_touched(session, admin):
    member = _member(session, "julie@agence.test")
    plain = as_session_user(member)
    with pytest.raises(AccessDenied):
        staff.list_staff(session=session, actor=plain)
    with pytest.raises(AccessDenied):
        staff.set_staff_role(session=session, actor=plain, user_id=member.id, admin=True)
    tenant_user = make_user(session, email="camille@example.test")
    make_tenant(session, user=tenant_user)
    session.commit()
    with pytest.raises(AccessDenied):
        staff.set_staff_active(session=session, actor=admin, user_id=tenant_user.id, active=False)


def test_the_list_shows_roles_status_and_last_login_without_ids(session, admin):
    staff.invite_staff(
        session=session, actor=admin, email="julie@agence.test", display_name="Julie", admin=False
    )
    auth.login(session=session, email="direction@agence.test", password=PASSWORD)
    rows = {row.email: row for row in staff.list_staff(session=session, actor=admin)}
    assert rows["julie@agence.test"].status_label == "Invitation envoyée"
    assert rows["julie@agence.test"].last_login == "Jamais"
    me = rows["direction@agence.test"]
    assert me.is_me and me.role_label == "Administrateur" and me.last_login != "Jamais"
    assert staff.staff_id(me.reference) == admin.user_id
    assert len(me.reference) == 32  # opaque: the id itself never reaches the browser


def test_two_admins_demoting_each_other_at_once_leave_one_admin_on_postgresql(postgres_url):
    """The admins' rows are locked while the rule is checked: the second demotion waits for the
    first, then sees it and is refused."""
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as setup:
        first = make_user(setup, email="a@agence.test", is_agency=True, is_admin=True)
        second = make_user(setup, email="b@agence.test", is_agency=True, is_admin=True)
        setup.commit()
    outcome: list[object] = []

    def demote_first_as_second() -> None:
        with Session(engine) as other:
            try:
                staff.set_staff_role(
                    session=other, actor=as_session_user(second), user_id=first.id, admin=False
                )
                outcome.append("demoted")
            except LastAdminError as error:
                outcome.append(error)

    with Session(engine) as session:
        staff._ensure_another_admin(session, second.id)  # the first demotion holds the lock
        racer = threading.Thread(target=demote_first_as_second)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive()  # waiting for the lock
        session.get(User, second.id).is_admin = False
        session.commit()
    racer.join(timeout=10)
    assert len(outcome) == 1 and isinstance(outcome[0], LastAdminError)
    with Session(engine) as check:
        admins = check.exec(select(User.email).where(User.is_admin.is_(True))).all()
    engine.dispose()
    assert admins == ["a@agence.test"]
