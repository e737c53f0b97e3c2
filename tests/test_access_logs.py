"""Access logs kept for a set time: what the purge deletes and keeps, the command, the worker."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from extranet_app.cli import main
from extranet_app.db import session_scope
from extranet_app.models import AuditEvent, AuthSession, Document, DocumentCategory, LoginAttempt
from extranet_app.services import access_logs
from extranet_app.services.access_logs import purge_access_logs
from extranet_app.settings import Settings, get_settings
from extranet_app.workers import maintenance as maintenance_module
from extranet_app.workers.maintenance import Maintenance, next_run_after, run_maintenance
from tests.factories import make_tenant, make_user
from tests.test_personal_data import add_document

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=400)  # past the default retention of 365 days
RECENT = NOW - timedelta(days=100)


def add_event(
    session: Session, action: str, when: datetime = OLD, *, allowed: bool = True
) -> AuditEvent:
    event = AuditEvent(action=action, allowed=allowed, created_at=when, ip="203.0.113.7")
    session.add(event)
    session.flush()
    return event


def add_attempt(session: Session, when: datetime) -> LoginAttempt:
    attempt = LoginAttempt(account_key="k" * 64, ip="203.0.113.7", attempted_at=when)
    session.add(attempt)
    session.flush()
    return attempt


def add_login_session(
    session: Session,
    *,
    started: datetime,
    hours: int = 12,
    idle_hours: int = 2,
    revoked: datetime | None = None,
) -> AuthSession:
    user = make_user(session, password=None)
    row = AuthSession(
        user_id=user.id,
        token_hash=f"{user.id:064d}",
        created_at=started,
        last_seen_at=started,
        idle_expires_at=started + timedelta(hours=idle_hours),
        expires_at=started + timedelta(hours=hours),
        revoked_at=revoked,
    )
    session.add(row)
    session.flush()
    return row


def actions(session: Session) -> list[str]:
    return sorted(session.exec(select(AuditEvent.action)).all())


def purge_events(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "access_log.retention_purge")
    return list(session.exec(query).all())


@pytest.fixture
def retention(monkeypatch: pytest.MonkeyPatch):
    """Set ACCESS_LOG_RETENTION_DAYS (or another setting) for one test."""

    def set_setting(name: str, value: str) -> None:
        monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    return set_setting


# --- the journal ------------------------------------------------------------------------------


def test_old_access_events_are_deleted_and_recent_ones_kept(session):
    for action in ("login.success", "logout", "login.failure", "document.download"):
        add_event(session, action)
    add_event(session, "space.refused", allowed=False)
    add_event(session, "login.success", RECENT)
    add_event(session, "document.download", NOW - timedelta(days=364))
    session.commit()
    result = purge_access_logs(session=session, now=NOW)
    assert result.audit_events == 5
    assert actions(session) == ["access_log.retention_purge", "document.download", "login.success"]


def test_old_business_events_are_kept(session):
    business = [
        "agency_settings.changed",
        "receipts.consent_given",
        "document_request.refused",  # the agency's decision on a document, not a refusal of access
        "document_request.accepted",
        "access.enrolled",
        "access.deactivated",
        "personal_data.anonymise",
        "personal_data.export",
        "data.exported",
        "document.retention_purge",
        "access_log.retention_purge",
        "payment.recorded",
    ]
    for action in business:
        add_event(session, action, NOW - timedelta(days=3000))
    session.commit()
    result = purge_access_logs(session=session, now=NOW)
    assert result.audit_events == 0
    assert actions(session) == sorted(business)


def test_any_refused_event_is_an_access_log_but_the_same_action_allowed_is_kept(session):
    add_event(session, "document.delete", allowed=False)  # a refused deletion changed nothing
    kept = add_event(session, "document.delete")
    session.commit()
    assert purge_access_logs(session=session, now=NOW).audit_events == 1
    remaining = session.exec(select(AuditEvent.id).where(AuditEvent.action == "document.delete"))
    assert remaining.all() == [kept.id]


def test_every_listed_access_action_is_purged(session):
    for action in access_logs.ACCESS_LOG_ACTIONS:
        add_event(session, action)
    session.commit()
    result = purge_access_logs(session=session, now=NOW)
    assert result.audit_events == len(access_logs.ACCESS_LOG_ACTIONS)
    assert actions(session) == ["access_log.retention_purge"]


def test_the_purge_deletes_in_batches(session, monkeypatch):
    monkeypatch.setattr(access_logs, "BATCH_SIZE", 2)
    for _ in range(5):
        add_event(session, "login.success")
    session.commit()
    assert purge_access_logs(session=session, now=NOW).audit_events == 5
    assert actions(session) == ["access_log.retention_purge"]


# --- sessions and login attempts --------------------------------------------------------------


def test_login_attempts_older_than_a_day_are_deleted(session):
    add_attempt(session, NOW - timedelta(days=2))
    add_attempt(session, NOW - timedelta(hours=25))
    recent = add_attempt(session, NOW - timedelta(hours=23))
    session.commit()
    assert purge_access_logs(session=session, now=NOW).login_attempts == 2
    assert session.exec(select(LoginAttempt.id)).all() == [recent.id]


def test_a_throttling_window_longer_than_a_day_keeps_its_attempts(session, retention):
    retention("LOGIN_WINDOW_MINUTES", str(48 * 60))
    add_attempt(session, NOW - timedelta(hours=47))
    add_attempt(session, NOW - timedelta(hours=49))
    session.commit()
    assert purge_access_logs(session=session, now=NOW).login_attempts == 1


def test_sessions_that_ended_before_the_retention_are_deleted(session):
    add_login_session(session, started=OLD - timedelta(days=1), revoked=OLD)
    add_login_session(session, started=OLD, hours=12, idle_hours=12)  # expired
    add_login_session(session, started=RECENT - timedelta(days=300), hours=24 * 365)  # idle
    # Revoked lately, but expired long before: it ended long ago.
    add_login_session(session, started=OLD, revoked=RECENT)
    session.commit()
    assert purge_access_logs(session=session, now=NOW).auth_sessions == 4
    assert session.exec(select(AuthSession)).all() == []


def test_live_and_recently_ended_sessions_are_kept(session):
    live = add_login_session(session, started=NOW - timedelta(hours=1))
    revoked = add_login_session(session, started=OLD, hours=24 * 400, revoked=RECENT)
    revoked.idle_expires_at = RECENT
    expired = add_login_session(session, started=RECENT)
    session.commit()
    assert purge_access_logs(session=session, now=NOW).auth_sessions == 0
    kept = set(session.exec(select(AuthSession.id)).all())
    assert kept == {live.id, revoked.id, expired.id}


# --- journal of the purge, settings -----------------------------------------------------------


def test_the_purge_journals_its_counts_once_and_only_when_it_deleted_something(session):
    assert purge_access_logs(session=session, now=NOW).total == 0
    assert purge_events(session) == []
    add_event(session, "login.success")
    add_attempt(session, NOW - timedelta(days=3))
    add_login_session(session, started=OLD)
    session.commit()
    result = purge_access_logs(session=session, now=NOW)
    assert (result.audit_events, result.login_attempts, result.auth_sessions) == (1, 1, 1)
    (event,) = purge_events(session)
    assert json.loads(event.detail) == {
        "audit_events": 1,
        "login_attempts": 1,
        "auth_sessions": 1,
        "days": 365,
    }
    assert event.actor_user_id is None and event.allowed
    purge_access_logs(session=session, now=NOW)
    assert len(purge_events(session)) == 1


def test_the_retention_comes_from_the_setting_unless_given(session, retention):
    add_event(session, "login.success", RECENT)
    add_event(session, "logout", NOW - timedelta(days=40))
    session.commit()
    retention("ACCESS_LOG_RETENTION_DAYS", "90")
    assert purge_access_logs(session=session, now=NOW).audit_events == 1
    result = purge_access_logs(session=session, now=NOW, retention_days=30)
    assert (result.audit_events, result.retention_days) == (1, 30)


def test_the_retention_setting_is_at_least_30_days(monkeypatch):
    monkeypatch.setenv("ACCESS_LOG_RETENTION_DAYS", "10")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("ACCESS_LOG_RETENTION_DAYS", "180")
    assert Settings().access_log_retention_days == 180


def test_the_default_retention_is_one_year(monkeypatch):
    monkeypatch.delenv("ACCESS_LOG_RETENTION_DAYS", raising=False)
    assert Settings(_env_file=None).access_log_retention_days == 365


# --- the command ------------------------------------------------------------------------------


def test_the_command_purges_and_prints_french_counts(session, retention, capsys):
    now = datetime.now(UTC)
    add_event(session, "login.success", now - timedelta(days=200))
    add_event(session, "agency_settings.changed", now - timedelta(days=200))
    add_attempt(session, now - timedelta(days=2))
    session.commit()
    retention("ACCESS_LOG_RETENTION_DAYS", "180")
    assert main(["purge-access-logs"]) == 0
    out = capsys.readouterr().out
    assert "Journaux d'accès de plus de 180 jours supprimés :" in out
    assert "événements du journal : 1" in out
    assert "sessions terminées : 0" in out
    assert "tentatives de connexion : 1" in out
    assert "agency_settings.changed" in actions(session)


# --- the nightly maintenance ------------------------------------------------------------------


def _old_identity_document(session: Session) -> Document:
    document = add_document(
        session,
        title="CNI",
        category=DocumentCategory.IDENTITY,
        tenant_id=make_tenant(session).id,
    )
    document.created_at = OLD
    return document


def test_one_maintenance_run_purges_access_logs_and_identity_documents(session):
    _old_identity_document(session)
    add_event(session, "login.success")
    session.commit()
    report = Maintenance(clock=lambda: NOW).run_once()
    assert report.access_logs.audit_events == 1
    assert report.identity_documents == 1
    assert session.exec(select(Document)).all() == []


def test_a_failing_purge_is_logged_and_the_other_still_runs(session, monkeypatch, caplog):
    def broken(**_kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(maintenance_module, "purge_access_logs", broken)
    _old_identity_document(session)
    session.commit()
    maintenance = Maintenance(clock=lambda: NOW)
    with caplog.at_level(logging.ERROR, logger=maintenance_module.__name__):
        report = maintenance.run_once()
    assert (report.access_logs, report.identity_documents) == (None, 1)
    assert maintenance.failed_purges == 1
    assert "la purge des journaux d'accès a échoué" in caplog.text


async def test_a_failing_run_never_raises(monkeypatch):
    maintenance = Maintenance(clock=lambda: NOW)

    def broken() -> None:
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(maintenance, "run_once", broken)
    assert await maintenance.tick() is None
    assert maintenance.runs == 1


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        # Winter (UTC+1): 04:00 in Paris is 03:00 UTC.
        (datetime(2026, 11, 27, 12, 0, tzinfo=UTC), datetime(2026, 11, 28, 3, 0, tzinfo=UTC)),
        (datetime(2026, 11, 27, 2, 59, tzinfo=UTC), datetime(2026, 11, 27, 3, 0, tzinfo=UTC)),
        (datetime(2026, 11, 27, 3, 0, tzinfo=UTC), datetime(2026, 11, 28, 3, 0, tzinfo=UTC)),
        # Summer (UTC+2), and the night the clocks go forward.
        (datetime(2026, 7, 1, 1, 0, tzinfo=UTC), datetime(2026, 7, 1, 2, 0, tzinfo=UTC)),
        (datetime(2026, 3, 28, 12, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, 0, tzinfo=UTC)),
    ],
)
def test_the_maintenance_runs_at_four_in_the_morning_paris_time(moment, due):
    assert next_run_after(moment) == due


async def test_the_app_task_runs_when_due_and_stops_at_shutdown(session):
    add_event(session, "login.success", datetime.now(UTC) - timedelta(days=400))
    session.commit()
    maintenance = Maintenance(
        session_factory=session_scope, schedule=lambda after: after + timedelta(milliseconds=20)
    )
    started = time.monotonic()
    async with run_maintenance(maintenance):
        while maintenance.runs < 2:
            assert time.monotonic() - started < 5, "the maintenance did not run"
            await asyncio.sleep(0.01)
    stopped = maintenance.runs
    await asyncio.sleep(0.1)
    assert maintenance.runs == stopped
    assert maintenance.failed_purges == 0
    assert "login.success" not in actions(session)
