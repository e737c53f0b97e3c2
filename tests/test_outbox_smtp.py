"""The outbox against a real SMTP server (aiosmtpd) on loopback: success, retry, outages, races."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from extranet_app import db
from extranet_app.db import make_engine
from extranet_app.email.messages import EmailContent
from extranet_app.email.sender import Delivery, OutgoingEmail
from extranet_app.models import OutboxEmail, OutboxStatus
from extranet_app.services.outbox import EmailKind, RetryPolicy, queue_email, send_pending
from tests.conftest import migrate_to_head
from tests.smtp_support import SmtpServer

# A minute after the rows are queued (queuing stamps them with the real clock), set anew for
# each test so that a long wait before a test (e.g. other suites running first) changes nothing.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _fresh_t0() -> None:
    global T0
    T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def _queue(session: Session, count: int, *, prefix: str = "locataire") -> list[OutboxEmail]:
    rows = [
        queue_email(
            session=session,
            kind=EmailKind.NOTIFICATION,
            to_address=f"{prefix}{index}@example.test",
            to_name=f"Locataire {index}",
            message=EmailContent(f"Avis {index}", f"Texte {index}", f"<p>Texte {index}</p>"),
            send_without_review=True,
        )
        for index in range(count)
    ]
    session.commit()
    return rows


def _send(server: SmtpServer, *, at: datetime, **options) -> object:
    return send_pending(
        session_factory=db.session_scope,
        transport=server.transport(),
        clock=lambda: at,
        **options,
    )


def _statuses(session: Session) -> Counter[str]:
    session.expire_all()
    return Counter(session.exec(select(OutboxEmail.status)).all())


def _outgoing(to_address: str, number: int = 1) -> OutgoingEmail:
    return OutgoingEmail(
        message_id=f"<test-{number}@agence.test>",
        to_address=to_address,
        to_name="Camille Durand",
        subject="Quittance de février",
        text="Bonjour, voici votre quittance.",
        html="<p>Bonjour, voici votre quittance.</p>",
        from_name="Agence Démo Immobilier",
        reply_to="contact@agence.test",
    )


def test_smtp_transport_sends_a_batch_over_one_connection(smtp_server):
    results = smtp_server.transport().send_batch(
        [_outgoing("a@example.test", 1), _outgoing("b@example.test", 2)]
    )
    assert [result.outcome for result in results] == [Delivery.SENT, Delivery.SENT]
    first = smtp_server.handler.messages[0]
    assert first["Message-ID"] == "<test-1@agence.test>"
    assert first["Reply-To"] == "contact@agence.test"
    assert first["Auto-Submitted"] == "auto-generated"
    assert "Durand" in first["To"]


def test_smtp_transport_tells_temporary_from_permanent_refusals(smtp_server):
    smtp_server.handler.rcpt_replies = {
        "greylisted@example.test": ["451 4.7.1 Greylisted, try again later"],
        "unknown@example.test": ["550 5.1.1 No such user here"],
    }
    results = smtp_server.transport().send_batch(
        [
            _outgoing("greylisted@example.test", 1),
            _outgoing("unknown@example.test", 2),
            _outgoing("ok@example.test", 3),
        ]
    )
    assert [result.outcome for result in results] == [
        Delivery.TEMPORARY_FAILURE,
        Delivery.PERMANENT_FAILURE,
        Delivery.SENT,
    ]
    assert "451 4.7.1 Greylisted" in results[0].error
    assert "550 5.1.1 No such user here" in results[1].error


def test_smtp_transport_reports_a_refused_connection_for_every_message(smtp_server):
    smtp_server.stop()
    results = smtp_server.transport().send_batch(
        [_outgoing("a@example.test", 1), _outgoing("b@example.test", 2)]
    )
    assert all(result.outcome is Delivery.TEMPORARY_FAILURE for result in results)
    assert "injoignable" in results[0].error
    assert "Non tenté" in results[1].error


def test_outbox_sends_pending_emails_and_marks_them_sent(session, smtp_server):
    rows = _queue(session, 3)
    report = _send(smtp_server, at=T0)
    assert (report.sent, report.batches) == (3, 1)
    assert _statuses(session) == {OutboxStatus.SENT: 3}
    stored_ids = {row.message_id for row in rows}
    assert set(smtp_server.handler.message_ids()) == stored_ids
    sent = session.exec(select(OutboxEmail)).first()
    assert sent.sent_at == T0 and sent.attempts == 1 and sent.last_error == ""


def test_greylisted_email_is_retried_after_the_backoff_and_then_delivered(session, smtp_server):
    (row,) = _queue(session, 1)
    smtp_server.handler.rcpt_replies = {row.to_address: ["451 4.7.1 Greylisted, try again"]}
    assert _send(smtp_server, at=T0).retry_scheduled == 1
    session.refresh(row)
    assert row.status == OutboxStatus.PENDING
    assert row.next_attempt_at == T0 + timedelta(minutes=1)
    assert "451 4.7.1 Greylisted" in row.last_error

    assert _send(smtp_server, at=T0 + timedelta(seconds=59)).claimed == 0
    assert _send(smtp_server, at=T0 + timedelta(seconds=60)).sent == 1
    session.refresh(row)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert smtp_server.handler.message_ids() == {row.message_id: 1}


def test_permanent_refusal_fails_at_once_with_the_server_text(session, smtp_server):
    (row,) = _queue(session, 1)
    smtp_server.handler.rcpt_replies = {row.to_address: ["550 5.1.1 Mailbox does not exist"]}
    report = _send(smtp_server, at=T0)
    assert (report.failed, report.retry_scheduled) == (1, 0)
    session.refresh(row)
    assert row.status == OutboxStatus.FAILED
    assert "550 5.1.1 Mailbox does not exist" in row.last_error
    assert row.next_attempt_at is None


def test_temporary_failures_end_in_failure_after_the_maximum_attempts(session, smtp_server):
    (row,) = _queue(session, 1)
    smtp_server.stop()
    policy = RetryPolicy(max_attempts=3)
    moment = T0
    for _ in range(3):
        _send(smtp_server, at=moment, policy=policy)
        moment += timedelta(hours=2)
    session.refresh(row)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert "injoignable" in row.last_error


def test_outages_lose_nothing_and_duplicate_nothing(session, smtp_server):
    rows = _queue(session, 200)
    handler, policy = smtp_server.handler, RetryPolicy(max_attempts=50)
    moment, retries = T0, 0
    # Alternate: the server dies in the middle of a batch (421 after 40 more messages), then
    # refuses connections for a while; finally it stays up.
    for round_number in range(13):
        if round_number % 2 == 0:
            smtp_server.start()
            handler.refuse_everything_with = None
            handler.fail_after = None if round_number == 12 else len(handler.messages) + 40
        else:
            smtp_server.stop()
        retries += _send(smtp_server, at=moment, batch_size=15, policy=policy).retry_scheduled
        moment += timedelta(hours=2)
    received = handler.message_ids()
    assert set(received) == {row.message_id for row in rows}  # 0 lost
    assert max(received.values()) == 1  # 0 duplicates
    assert _statuses(session) == {OutboxStatus.SENT: 200}
    assert retries > 200  # the outages really hit messages


def test_two_senders_racing_on_the_same_rows_send_each_email_once(session, smtp_server):
    rows = _queue(session, 300)
    barrier = threading.Barrier(2)
    reports = []

    def sender(name: str) -> None:
        barrier.wait()
        reports.append(_send(smtp_server, at=T0, batch_size=10, worker_id=name))

    threads = [threading.Thread(target=sender, args=(name,)) for name in ("alpha", "beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    received = smtp_server.handler.message_ids()
    assert set(received) == {row.message_id for row in rows}
    assert max(received.values()) == 1
    assert sum(report.sent for report in reports) == 300
    assert _statuses(session) == {OutboxStatus.SENT: 300}


def test_two_senders_racing_on_postgresql_send_each_email_once(postgres_url, smtp_server):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)

    def session_factory() -> Session:
        return Session(engine, expire_on_commit=False)

    with session_factory() as session:
        rows = _queue(session, 300)
    barrier = threading.Barrier(2)
    reports = []

    def sender(name: str) -> None:
        barrier.wait()
        transport = smtp_server.transport()
        reports.append(
            send_pending(
                session_factory=session_factory,
                transport=transport,
                clock=lambda: T0,
                batch_size=10,
                worker_id=name,
            )
        )

    threads = [threading.Thread(target=sender, args=(name,)) for name in ("alpha", "beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    received = smtp_server.handler.message_ids()
    assert set(received) == {row.message_id for row in rows}
    assert max(received.values()) == 1
    assert sum(report.sent for report in reports) == 300
    with session_factory() as session:
        assert _statuses(session) == {OutboxStatus.SENT: 300}
    engine.dispose()
