"""The automatic sender: what one tick sends, a failing tick, shutdown, a real SMTP server."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from extranet_app.db import session_scope
from extranet_app.email.messages import EmailContent
from extranet_app.email.sender import FileTransport, SmtpTransport
from extranet_app.models import AgencySettings, OutboxEmail, OutboxStatus
from extranet_app.models.base import utcnow
from extranet_app.services.outbox import EmailKind, queue_email
from extranet_app.settings import get_settings
from extranet_app.workers.outbox_sender import OutboxSender, run_outbox_sender


def _queue(session: Session, *, reviewed: bool = True) -> int:
    row = queue_email(
        session=session,
        kind=EmailKind.NOTIFICATION,
        to_address="camille@example.test",
        to_name="Camille Durand",
        message=EmailContent("Nouveau document", "Un document vous attend.", "<p>Document</p>"),
        send_without_review=reviewed,
    )
    session.commit()
    return row.id


def _status(session: Session, row_id: int) -> str:
    session.expire_all()
    return session.get(OutboxEmail, row_id).status


def _file_sender(folder: Path, **options) -> OutboxSender:
    return OutboxSender(
        session_factory=session_scope,
        transport_factory=lambda: FileTransport(folder, mail_from="extranet@agence.test"),
        worker_id="test-worker",
        **options,
    )


async def _until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_one_tick_sends_a_due_email(session, tmp_path):
    row_id = _queue(session)
    report = await _file_sender(tmp_path).tick()
    assert (report.sent, _status(session, row_id)) == (1, OutboxStatus.SENT)
    assert len(list(tmp_path.glob("*.eml"))) == 1


async def test_an_email_awaiting_review_waits_unless_sending_is_automatic(session, tmp_path):
    row_id = _queue(session, reviewed=False)
    sender = _file_sender(tmp_path)
    await sender.tick()
    assert _status(session, row_id) == OutboxStatus.PENDING
    session.add(AgencySettings(id=1, name="Agence", outbox_auto_send=True))
    session.commit()
    await sender.tick()
    assert _status(session, row_id) == OutboxStatus.SENT


async def test_a_retry_goes_out_once_the_injected_clock_reaches_it(session, tmp_path):
    row_id = _queue(session)
    row = session.get(OutboxEmail, row_id)
    row.next_attempt_at = utcnow() + timedelta(minutes=4)
    session.commit()
    now = [utcnow()]
    sender = _file_sender(tmp_path, clock=lambda: now[0])
    await sender.tick()
    assert _status(session, row_id) == OutboxStatus.PENDING
    now[0] += timedelta(minutes=5)
    await sender.tick()
    assert _status(session, row_id) == OutboxStatus.SENT


async def test_an_exception_in_a_tick_does_not_stop_the_loop(session, tmp_path, caplog):
    row_id = _queue(session)
    calls = []

    def flaky_transport() -> FileTransport:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("SMTP settings unreadable")
        return FileTransport(tmp_path, mail_from="extranet@agence.test")

    sender = OutboxSender(
        session_factory=session_scope, transport_factory=flaky_transport, interval_seconds=0.01
    )
    async with run_outbox_sender(sender):
        await _until(lambda: _status(session, row_id) == OutboxStatus.SENT)
    assert sender.failed_ticks == 1
    assert sender.ticks >= 2
    assert "l'envoi automatique a échoué" in caplog.text


async def test_shutdown_does_not_wait_for_the_interval(session, tmp_path):
    sender = _file_sender(tmp_path, interval_seconds=3600)
    started = time.monotonic()
    async with run_outbox_sender(sender):
        await _until(lambda: sender.ticks == 1)
    assert time.monotonic() - started < 2


def test_the_app_starts_the_sender_with_its_lifespan():
    from extranet_app.extranet_app import app

    assert run_outbox_sender in app.get_lifespan_tasks()


class _Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    """aiosmtpd on a free loopback port (its readiness check needs the port number up front)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


async def test_the_loop_delivers_to_a_real_smtp_server(session, smtp_server):
    port, inbox = smtp_server
    row_id = _queue(session)
    sender = OutboxSender(
        session_factory=session_scope,
        transport_factory=lambda: SmtpTransport(
            host="127.0.0.1", port=port, mail_from="extranet@agence.test"
        ),
        interval_seconds=0.01,
    )
    async with run_outbox_sender(sender):
        await _until(lambda: _status(session, row_id) == OutboxStatus.SENT)
    assert inbox.recipients == ["camille@example.test"]
    session.expire_all()
    assert session.exec(select(OutboxEmail.attempts)).one() == 1


async def test_an_interval_of_zero_turns_the_sender_off(monkeypatch):
    monkeypatch.setenv("OUTBOX_SEND_INTERVAL_SECONDS", "0")
    get_settings.cache_clear()
    try:
        async with run_outbox_sender() as sender:
            assert sender is None
    finally:
        get_settings.cache_clear()
