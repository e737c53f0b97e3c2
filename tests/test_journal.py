"""Journal service: admins only, filters, keyset pages, French words and Paris times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from extranet_app.models import AuditEvent
from extranet_app.services import journal
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_datetime
from extranet_app.services.journal import JournalCursor, JournalFilter
from tests.factories import make_owner, make_tenant, make_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _actor(user, *, admin: bool = True, agency: bool = True) -> SessionUser:
    return SessionUser(user.id, 0, user.email, user.display_name, agency, admin, (), ())


@pytest.fixture
def admin(session: Session) -> SessionUser:
    user = make_user(session, email="direction@agence.test", is_agency=True, is_admin=True)
    return _actor(user)


def _event(session: Session, action: str, *, at: datetime = T0, **fields) -> AuditEvent:
    event = AuditEvent(action=action, created_at=at, **fields)
    session.add(event)
    session.flush()
    return event


def _list(session: Session, actor: SessionUser, **filters) -> list[journal.JournalRow]:
    return journal.list_events(session=session, actor=actor, filters=JournalFilter(**filters)).rows


def test_paris_time_follows_winter_and_summer_time():
    assert format_datetime(datetime(2026, 1, 15, 12, 0, tzinfo=UTC)) == ("15/01/2026 13:00")
    assert format_datetime(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == ("02/07/2026 00:30")
    assert format_datetime(None) == ""


@pytest.mark.parametrize(("agency", "admin_flag"), [(True, False), (False, False), (False, True)])
def test_journal_is_for_agency_admins_only(session, agency, admin_flag):
    user = make_user(session, is_agency=agency, is_admin=admin_flag)
    _event(session, "login.success", actor_user_id=user.id)
    actor = _actor(user, admin=admin_flag, agency=agency)
    with pytest.raises(AccessDenied):
        journal.list_events(session=session, actor=actor, filters=JournalFilter())
    with pytest.raises(AccessDenied):
        journal.count_events(session=session, actor=actor, filters=JournalFilter())


def test_rows_say_who_did_what_to_whom_in_french(session, admin):
    tenant_user = make_user(session, email="camille@example.test", display_name="Camille Durand")
    _event(
        session,
        "preview.start",
        actor_user_id=admin.user_id,
        target_type="user",
        target_id=str(tenant_user.id),
        ip="203.0.113.7",
    )
    row = _list(session, admin)[0]
    assert (row.action_label, row.actor_email, row.target) == (
        "Aperçu d'un espace",
        "direction@agence.test",
        "camille@example.test",
    )
    assert (row.when, row.ip, row.allowed) == ("02/03/2026 10:00", "203.0.113.7", True)


def test_a_refused_login_names_the_address_typed_by_a_visitor(session, admin):
    _event(session, "login.failure", allowed=False, detail='{"email": "intrus@example.test"}')
    row = _list(session, admin)[0]
    assert (row.actor_name, row.action_label, row.allowed) == (
        "Visiteur",
        "Connexion refusée",
        False,
    )
    assert row.target == "Adresse saisie : intrus@example.test"


def test_people_targets_and_details_are_in_words(session, admin):
    tenant = make_tenant(session, last_name="Lefèvre")
    owner = make_owner(session, last_name="Bernard")
    _event(
        session,
        "access.email_added",
        actor_user_id=admin.user_id,
        target_type="tenant",
        target_id=str(tenant.id),
    )
    _event(
        session,
        "access.deactivated",
        actor_user_id=admin.user_id,
        target_type="owner",
        target_id=str(owner.id),
        detail='{"sessions_ended": 2}',
    )
    _event(session, "activation.refused", allowed=False, detail='{"problem": "expired"}')
    _event(session, "some.future_action", detail="not json")
    future, refused, deactivated, email_added = _list(session, admin)
    assert email_added.target == "Locataire : Mme Camille Lefèvre"
    assert (deactivated.target, deactivated.detail) == (
        "Propriétaire : M. Paul Bernard",
        "2 session(s) fermée(s)",
    )
    assert (refused.action_label, refused.detail) == ("Code d'accès refusé", "code expiré")
    assert (future.action_label, future.actor_name, future.detail) == (
        "some.future_action",
        "Système",
        "",
    )


def test_filters_by_action_actor_and_denied(session, admin):
    staff = make_user(session, email="gestion@agence.test", display_name="Léa Gestion")
    _event(session, "login.success", actor_user_id=staff.id)
    _event(session, "logout", actor_user_id=staff.id)
    _event(session, "login.success", actor_user_id=admin.user_id)
    _event(session, "login.failure", allowed=False)
    assert len(_list(session, admin, action="login.success")) == 2
    assert {row.action for row in _list(session, admin, actor_search="GESTION")} == {
        "login.success",
        "logout",
    }
    assert [row.action for row in _list(session, admin, denied_only=True)] == ["login.failure"]
    assert _list(session, admin, actor_search="100%_") == []  # wildcards are searched literally


def test_date_range_is_in_paris_calendar_days(session, admin):
    _event(session, "login.success", at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # 1 March 23:30
    _event(session, "logout", at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # 2 March 00:30
    _event(session, "login.failure", at=datetime(2026, 3, 2, 22, 59, tzinfo=UTC))  # 2 March 23:59
    rows = _list(session, admin, date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))
    assert [row.action for row in rows] == ["login.failure", "logout"]
    assert [row.action for row in _list(session, admin, date_to=date(2026, 3, 1))] == [
        "login.success"
    ]


def test_pages_go_back_and_forth_by_keyset(session, admin):
    for index in range(120):
        _event(session, "login.success", at=T0 + timedelta(seconds=index), ip=f"10.0.0.{index}")
    first = journal.list_events(session=session, actor=admin, filters=JournalFilter(), page_size=50)
    assert (first.rows[0].ip, first.has_newer, first.has_older) == ("10.0.0.119", False, True)
    second = journal.list_events(
        session=session,
        actor=admin,
        filters=JournalFilter(),
        cursor=JournalCursor(older_than=first.oldest_id),
        page_size=50,
    )
    third = journal.list_events(
        session=session,
        actor=admin,
        filters=JournalFilter(),
        cursor=JournalCursor(older_than=second.oldest_id),
        page_size=50,
    )
    assert (len(third.rows), third.rows[-1].ip, third.has_older) == (20, "10.0.0.0", False)
    back = journal.list_events(
        session=session,
        actor=admin,
        filters=JournalFilter(),
        cursor=JournalCursor(newer_than=third.newest_id),
        page_size=50,
    )
    assert back.rows == second.rows
    assert (back.has_newer, back.has_older) == (True, True)


def test_count_stops_at_the_cap(session, admin):
    for _ in range(7):
        _event(session, "logout")
    assert journal.count_events(session=session, actor=admin, filters=JournalFilter()) == (7, False)
    assert journal.count_events(session=session, actor=admin, filters=JournalFilter(), cap=5) == (
        5,
        True,
    )
