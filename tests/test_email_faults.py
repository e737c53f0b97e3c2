"""E-mail under faults: SMTP outages, senders killed with SIGKILL, two senders on one queue.

Everything goes to a real SMTP server (aiosmtpd) on loopback and counts what it received by
Message-ID; time moves through an injected clock, never by sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from extranet_app.db import make_engine, session_scope
from extranet_app.email.messages import EmailContent
from extranet_app.models import AgencySettings, OutboxEmail, OutboxStatus
from extranet_app.services.outbox import (
    DEFAULT_CLAIM_TIMEOUT,
    EmailKind,
    EmailToQueue,
    RetryPolicy,
    queue_emails,
    send_due_emails,
    send_pending,
)
from extranet_app.settings import PROJECT_ROOT
from tests.conftest import migrate_to_head
from tests.smtp_support import RecordingHandler, SmtpServer

EMAILS = 200
OUTAGES = 20
KILLS = 5


class FaultyHandler(RecordingHandler):
    """Accepts messages until told to fail after a number more; then answers 451 to everything,
    or goes down for real (421, then the server is stopped from another thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.outage_after: int | None = None  # messages still accepted before the outage
        self.outage_reply = "451 4.3.0 Mail server temporarily unavailable"
        self.stop_server = None  # set: the outage stops the server instead of answering 451
        self.stopper: threading.Thread | None = None
        self.kill_at: set[int] = set()  # message counts at which the sender process is killed
        self.victim_pid: int | None = None
        self.kills = 0

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            received = len(self.messages)
            if self.outage_after is not None and reply.startswith("250"):
                self.outage_after -= 1
                if self.outage_after <= 0:
                    self._begin_outage()
            if received in self.kill_at and self.victim_pid and reply.startswith("250"):
                # The message is stored but the sender dies before reading the 250: the worst
                # moment, since it cannot know the message went out.
                self.kill_at.discard(received)
                os.kill(self.victim_pid, signal.SIGKILL)
                self.kills += 1
        return reply

    def _begin_outage(self) -> None:
        self.outage_after = None
        if self.stop_server is None:
            self.refuse_everything_with = self.outage_reply
            return
        self.refuse_everything_with = "421 4.3.2 Service shutting down"
        # Controller.stop joins the server's own thread: it must run outside it.
        self.stopper = threading.Thread(target=self.stop_server)
        self.stopper.start()

    def end_outage(self) -> None:
        if self.stopper is not None:
            self.stopper.join(timeout=10)
            self.stopper = None
        self.refuse_everything_with = None
        self.outage_after = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.handler = FaultyHandler()
    server.start()
    yield server
    server.handler.end_outage()
    server.stop()


def _queue(session: Session, count: int) -> list[str]:
    """Queue `count` reviewed e-mails (due now); their Message-IDs."""
    emails = [
        EmailToQueue(
            kind=EmailKind.NOTIFICATION,
            to_address=f"locataire{index}@example.test",
            to_name=f"Locataire {index}",
            message=EmailContent(f"Avis {index}", f"Texte {index}", f"<p>Texte {index}</p>"),
            send_without_review=True,
        )
        for index in range(count)
    ]
    queue_emails(session=session, emails=emails)
    session.commit()
    return list(session.exec(select(OutboxEmail.message_id)).all())


def _set_policy(session: Session, *, max_attempts: int, delay_minutes: int = 1) -> RetryPolicy:
    session.add(
        AgencySettings(
            id=1,
            name="Agence Démo",
            outbox_max_attempts=max_attempts,
            outbox_retry_delay_minutes=delay_minutes,
        )
    )
    session.commit()
    return RetryPolicy(max_attempts=max_attempts, first_delay=timedelta(minutes=delay_minutes))


def _rows(session: Session) -> list[OutboxEmail]:
    session.expire_all()
    return list(session.exec(select(OutboxEmail)).all())


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- 200 e-mails across 20 outages --------------------------------------------------------------


def test_twenty_outages_lose_no_email_duplicate_none_and_stay_within_the_attempts(
    session, smtp_server
):
    message_ids = _queue(session, EMAILS)
    policy = _set_policy(session, max_attempts=25)
    handler: FaultyHandler = smtp_server.handler
    moment, hit_by_outage = _now() + timedelta(minutes=1), []
    for outage in range(OUTAGES):
        # Every other outage the server really goes down mid-batch; the others it answers 451.
        handler.stop_server = smtp_server.stop if outage % 2 else None
        handler.outage_after = 8
        report = send_due_emails(
            session_factory=session_scope,
            transport=smtp_server.transport(),
            clock=lambda at=moment: at,
        )
        hit_by_outage.append(report.retry_scheduled)
        handler.end_outage()
        smtp_server.start()
        # Past the longest backoff, so that every postponed e-mail is due again.
        moment += policy.max_delay + timedelta(minutes=1)
    final = send_due_emails(
        session_factory=session_scope, transport=smtp_server.transport(), clock=lambda: moment
    )

    received = handler.message_ids()
    assert set(received) == set(message_ids)  # 0 lost
    assert max(received.values()) == 1  # 0 duplicates
    rows = _rows(session)
    assert Counter(row.status for row in rows) == {OutboxStatus.SENT: EMAILS}
    attempts = [row.attempts for row in rows]
    assert max(attempts) <= policy.max_attempts
    # Each outage really postponed e-mails, and the last ones went out only at the end.
    assert all(hit_by_outage)
    assert final.sent > 0 and max(attempts) > OUTAGES // 2
    print(
        f"\n{EMAILS} e-mails, {OUTAGES} outages: {sum(hit_by_outage)} attempts postponed, "
        f"{len(handler.messages)} messages received, attempts max {max(attempts)} "
        f"of {policy.max_attempts}, {final.sent} sent after the last outage"
    )


def test_an_outage_longer_than_the_policy_fails_rows_visibly_at_the_maximum(session, smtp_server):
    message_ids = _queue(session, 30)
    policy = _set_policy(session, max_attempts=4)
    handler: FaultyHandler = smtp_server.handler
    handler.outage_after = 10
    moment = _now() + timedelta(minutes=1)
    for _ in range(6):  # more passes than attempts allowed: the 451 never ends
        send_due_emails(
            session_factory=session_scope,
            transport=smtp_server.transport(),
            clock=lambda at=moment: at,
        )
        moment += policy.max_delay + timedelta(minutes=1)
    rows = _rows(session)
    failed = [row for row in rows if row.status == OutboxStatus.FAILED]
    assert {row.status for row in rows} == {OutboxStatus.SENT, OutboxStatus.FAILED}
    assert len(failed) == 20 and {row.attempts for row in failed} == {policy.max_attempts}
    assert all("451 4.3.0 Mail server temporarily unavailable" in row.last_error for row in failed)
    assert max(handler.message_ids().values()) == 1
    assert set(handler.message_ids()) < set(message_ids)


def test_a_claim_abandoned_at_the_last_attempt_fails_visibly_instead_of_going_over(
    session, smtp_server
):
    (message_id,) = _queue(session, 1)
    _set_policy(session, max_attempts=2)
    row = _rows(session)[0]
    # A sender died during the second and last attempt: "en cours", claimed long ago.
    claimed_at = _now() - DEFAULT_CLAIM_TIMEOUT - timedelta(minutes=1)
    row.status, row.attempts, row.claimed_by, row.claimed_at = (
        OutboxStatus.SENDING,
        2,
        "dead-worker:1",
        claimed_at,
    )
    row.last_error = "451 4.3.0 earlier failure"
    session.commit()
    report = send_due_emails(session_factory=session_scope, transport=smtp_server.transport())
    session.refresh(row)
    assert (report.failed, row.status, row.attempts) == (1, OutboxStatus.FAILED, 2)
    assert row.last_error.startswith("Envoi interrompu pendant la dernière tentative permise")
    assert "451 4.3.0 earlier failure" in row.last_error
    assert message_id not in smtp_server.handler.message_ids()


def test_rows_already_at_a_lowered_maximum_fail_instead_of_trying_once_more(session, smtp_server):
    _queue(session, 3)
    policy = _set_policy(session, max_attempts=8)
    for row in _rows(session):
        row.attempts = 5  # failed five times, then the agency lowered the maximum to 3
    session.commit()
    session.get(AgencySettings, 1).outbox_max_attempts = 3
    session.commit()
    report = send_due_emails(
        session_factory=session_scope,
        transport=smtp_server.transport(),
        clock=lambda: _now() + policy.max_delay,
    )
    assert (report.sent, report.failed) == (0, 3)
    rows = _rows(session)
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.FAILED, 5)}
    assert all(
        row.last_error.startswith("Nombre maximal de tentatives atteint (3)") for row in rows
    )


def test_exhausted_rows_fail_with_their_reason_on_postgresql(postgres_url, smtp_server):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)

    def session_factory() -> Session:
        return Session(engine, expire_on_commit=False)

    with session_factory() as session:
        _queue(session, 2)
        stale, lowered = _rows(session)
        stale.status, stale.attempts = OutboxStatus.SENDING, 3
        stale.claimed_at = _now() - DEFAULT_CLAIM_TIMEOUT - timedelta(minutes=1)
        lowered.attempts, lowered.last_error = 4, "451 4.3.0 earlier failure"
        session.commit()
    report = send_pending(
        session_factory=session_factory,
        transport=smtp_server.transport(),
        policy=RetryPolicy(max_attempts=3),
    )
    with session_factory() as session:
        rows = {row.id: row for row in _rows(session)}
    engine.dispose()
    assert (report.failed, report.sent) == (2, 0)
    assert rows[stale.id].last_error.startswith("Envoi interrompu")
    assert rows[lowered.id].last_error == (
        "Nombre maximal de tentatives atteint (3). 451 4.3.0 earlier failure"
    )
    assert {row.status for row in rows.values()} == {OutboxStatus.FAILED}


# --- Senders as real processes: SIGKILL mid-batch, two senders at once --------------------------

# The real worker's pass (OutboxSender.send_once: due news, then send_due_emails) in a loop.
SENDER_SCRIPT = """
import sys
from datetime import timedelta
from extranet_app.email.sender import SmtpTransport
from extranet_app.models.base import utcnow
from extranet_app.workers.outbox_sender import OutboxSender

port, offset, mode = int(sys.argv[1]), timedelta(seconds=float(sys.argv[2])), sys.argv[3]
sender = OutboxSender(
    transport_factory=lambda: SmtpTransport(
        host="127.0.0.1", port=port, mail_from="extranet@agence.test", timeout=5
    ),
    clock=lambda: utcnow() + offset,
)
print("ready", flush=True)
if mode == "together":
    sys.stdin.readline()  # the "go" that starts both senders at once
while True:
    report = sender.send_once()
    if mode != "forever" and report.claimed == 0:
        break
"""


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen]]:
    """The sender processes a test starts; any still running at the end is killed."""
    processes: list[subprocess.Popen] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _start_sender(
    started: list[subprocess.Popen], port: int, *, offset: timedelta, mode: str
) -> subprocess.Popen:
    """A sender process; mode: "forever", "until-empty", or "together" (waits for a line)."""
    process = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed script, numbers)
        [sys.executable, "-c", SENDER_SCRIPT, str(port), str(offset.total_seconds()), mode],
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),  # REFLEX_DB_URL: this test's database
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    started.append(process)
    return process


def test_a_sender_killed_mid_batch_five_times_loses_nothing_and_resends_at_most_one_each(
    session, smtp_server, started
):
    message_ids = _queue(session, EMAILS)
    handler: FaultyHandler = smtp_server.handler
    # Inside batches of 100, never on their first or last message.
    handler.kill_at = {17, 58, 96, 139, 171}
    for restart in range(KILLS + 1):
        # Each restart happens "later" than the claim timeout: the dead sender's claims expire.
        offset = restart * (DEFAULT_CLAIM_TIMEOUT + timedelta(minutes=1))
        mode = "until-empty" if restart == KILLS else "forever"
        process = _start_sender(started, smtp_server.port, offset=offset, mode=mode)
        handler.victim_pid = process.pid
        returncode = process.wait(timeout=60)
        assert returncode == (0 if restart == KILLS else -signal.SIGKILL)
        assert handler.kills == min(restart + 1, KILLS)

    received = handler.message_ids()
    duplicates = sum(received.values()) - len(received)
    assert set(received) == set(message_ids)  # 0 lost
    assert duplicates <= KILLS
    rows = _rows(session)
    assert Counter(row.status for row in rows) == {OutboxStatus.SENT: EMAILS}
    assert max(row.attempts for row in rows) <= RetryPolicy().max_attempts
    print(f"\n{KILLS} SIGKILLs mid-batch: {len(received)} of {EMAILS} received, {duplicates} twice")


def test_two_sender_processes_on_the_same_queue_never_send_a_row_twice(
    session, smtp_server, started
):
    message_ids = _queue(session, EMAILS * 2)
    processes = [
        _start_sender(started, smtp_server.port, offset=timedelta(0), mode="together")
        for _ in range(2)
    ]
    for process in processes:
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    assert [process.wait(timeout=60) for process in processes] == [0, 0]

    received = smtp_server.handler.message_ids()
    assert set(received) == set(message_ids)
    assert max(received.values()) == 1
    rows = _rows(session)
    assert Counter(row.status for row in rows) == {OutboxStatus.SENT: EMAILS * 2}
    senders = Counter(row.claimed_by.split(":")[0] for row in rows)
    assert len(senders) == 2  # both really sent, side by side
    print(f"\ntwo sender processes: {sorted(senders.values())} rows each")


def test_two_sender_threads_during_outages_never_send_a_row_twice(session, smtp_server):
    message_ids = _queue(session, EMAILS)
    handler: FaultyHandler = smtp_server.handler
    moment = _now() + timedelta(minutes=1)
    policy = RetryPolicy(max_attempts=10)
    for outage in range(4):
        handler.stop_server = smtp_server.stop if outage % 2 else None
        handler.outage_after = 30
        barrier = threading.Barrier(2)

        def sender(name: str, at: datetime = moment, barrier=barrier) -> None:
            barrier.wait()
            send_pending(
                session_factory=session_scope,
                transport=smtp_server.transport(),
                clock=lambda: at,
                batch_size=20,
                worker_id=name,
                policy=policy,
            )

        threads = [threading.Thread(target=sender, args=(name,)) for name in ("alpha", "beta")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        handler.end_outage()
        smtp_server.start()
        moment += policy.max_delay + timedelta(minutes=1)
    send_pending(
        session_factory=session_scope,
        transport=smtp_server.transport(),
        clock=lambda: moment,
        policy=policy,
    )
    received = handler.message_ids()
    assert set(received) == set(message_ids)
    assert max(received.values()) == 1
    assert {row.status for row in _rows(session)} == {OutboxStatus.SENT}
