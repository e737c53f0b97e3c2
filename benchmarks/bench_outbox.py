"""Benchmark of the centre d'envoi (a script that prints figures, not a test).

1. Enrol N tenants (a login each) and queue their access code e-mails, in one transaction.
2. Send the N e-mails to a local aiosmtpd server with `send_pending` (claims, access codes minted
   at sending time, one SMTP connection per batch, results recorded).
3. In the same run, send N messages of the same content with a plain smtplib loop on one
   connection, and print both throughputs and their ratio (target: at least 80 %).

The SMTP server runs in its own process, so that it does not share the interpreter lock with the
sender being measured.

    .venv/bin/python benchmarks/bench_outbox.py [--count 10000] [--batch-size 100]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import socket
import sys
import tempfile
import time
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, select

if TYPE_CHECKING:
    from extranet_app.services.auth import SessionUser

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# smtplib sends bytes as they are: their lines must already end with CRLF.
SMTP_LINES = compat32.clone(linesep="\r\n")
sys.path.insert(0, str(PROJECT_ROOT))


def _serve(port: int, received, ready) -> None:
    """Child process: an aiosmtpd server that only counts what it accepts."""
    from aiosmtpd.controller import Controller

    class CountingHandler:
        async def handle_DATA(self, server, session, envelope):
            with received.get_lock():
                received.value += 1
            return "250 Message accepted"

    controller = Controller(CountingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_database(folder: Path) -> None:
    os.environ["REFLEX_DB_URL"] = f"sqlite:///{folder / 'bench.db'}"
    os.environ["DOCUMENTS_DIR"] = str(folder / "documents")
    from alembic import command
    from alembic.config import Config

    from extranet_app import db
    from extranet_app.settings import get_settings

    get_settings.cache_clear()
    db.get_engine.cache_clear()
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = os.environ["REFLEX_DB_URL"]
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _seed_tenants(count: int) -> None:
    """The people the agency's software already knows (not timed)."""
    from extranet_app import db
    from extranet_app.models import Tenant

    with db.session_scope() as session:
        session.add_all(
            Tenant(
                civility="Mme",
                first_name="Camille",
                last_name=f"Durand {index}",
                email=f"locataire{index}@example.test",
            )
            for index in range(count)
        )
        session.commit()


def _enrol_and_queue(session: Session) -> int:
    """Create a login for every tenant and queue their access code e-mails; one commit."""
    from extranet_app.models import Tenant, User
    from extranet_app.services.access_codes import queue_access_code_emails
    from extranet_app.services.outbox import record_user_events

    tenants = session.exec(select(Tenant).where(Tenant.user_id.is_(None))).all()
    users = [User(email=t.email.lower(), display_name=t.full_name) for t in tenants]
    session.add_all(users)
    session.flush()
    for tenant, user in zip(tenants, users, strict=True):
        tenant.user_id = user.id
    user_ids = [user.id for user in users]
    record_user_events(session=session, action="access.enrolled", user_ids=user_ids)
    result = queue_access_code_emails(session=session, actor=_staff(session), user_ids=user_ids)
    session.commit()
    return result.queued


Plain = tuple[str, str, str, str, str]  # Message-ID, to, subject, text, HTML


def _classic_mime(message_id: str, to_address: str, subject: str, text: str, html: str) -> bytes:
    """The message as the classic smtplib recipe builds it (email.mime, compat32)."""
    message = MIMEMultipart("alternative")
    message["From"] = formataddr(("Agence Démo Immobilier", "extranet@agence.test"))
    message["To"] = to_address
    message["Subject"] = Header(subject, "utf-8")
    message["Message-ID"] = message_id
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message.as_bytes(policy=SMTP_LINES)


def _staff(session: Session) -> SessionUser:
    """The agency employee who clicks "Inscrire" then the envelope."""
    from extranet_app.models import User
    from extranet_app.services.auth import SessionUser

    staff = User(email="gestion@agence.test", display_name="Gestion", is_agency=True)
    session.add(staff)
    session.flush()
    return SessionUser(staff.id, 0, staff.email, staff.display_name, True, False, (), ())


def _plain_smtplib_loop(port: int, messages: list[Plain], *, prebuilt: bool) -> float:
    """Seconds to send the messages with smtplib on one connection."""
    ready = [_classic_mime(*message) for message in messages] if prebuilt else None
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        for index, message in enumerate(messages):
            data = ready[index] if ready else _classic_mime(*message)
            client.sendmail("extranet@agence.test", [message[1]], data)
    return time.perf_counter() - started


def _baseline(port: int, received, messages: list[Plain], *, prebuilt: bool) -> float:
    before = received.value
    seconds = _plain_smtplib_loop(port, messages, prebuilt=prebuilt)
    _wait_for(received, before + len(messages))
    assert received.value - before == len(messages), "the server lost messages"
    return len(messages) / seconds


def _wait_for(received, expected: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while received.value < expected and time.monotonic() < deadline:
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    options = parser.parse_args()
    count = options.count

    port, received, ready = _free_port(), multiprocessing.Value("i", 0), multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, received, ready), daemon=True)
    server.start()
    ready.wait(10)
    try:
        with tempfile.TemporaryDirectory() as folder:
            _prepare_database(Path(folder))
            _run(count, options.batch_size, port, received)
    finally:
        server.terminate()
        server.join(5)


def _run(count: int, batch_size: int, port: int, received) -> None:
    from extranet_app import db

    _seed_tenants(count)
    with db.session_scope() as session:
        started = time.perf_counter()
        queued = _enrol_and_queue(session)
        queue_seconds = time.perf_counter() - started
    print(
        f"Enrol + queue : {queued} people enrolled and their access code e-mails queued in "
        f"{queue_seconds:.2f} s ({queued / queue_seconds:,.0f}/s; target: {count} in < 10 s)"
    )
    messages = _same_messages(count)
    # The plain loop runs before and after the outbox, so that a change in the machine's load
    # during the run weighs on both sides alike.
    before = _baseline(port, received, messages, prebuilt=False)
    outbox_rate = _send_with_outbox(port, received, batch_size)
    after = _baseline(port, received, messages, prebuilt=False)
    plain_rate = (before + after) / 2
    print(
        f"plain smtplib : {plain_rate:,.0f}/s ({before:,.0f} before, {after:,.0f} after; one "
        "connection, each message built with email.mime)"
    )
    bytes_rate = _baseline(port, received, messages, prebuilt=True)
    print(f"plain smtplib : {bytes_rate:,.0f}/s (one connection, messages built beforehand)")
    print(
        f"Ratio send_pending / plain smtplib loop: {outbox_rate / plain_rate:.0%} (target: >= 80%)"
    )
    print(
        f"Ratio send_pending / plain smtplib with ready-made bytes: {outbox_rate / bytes_rate:.0%}"
    )


def _same_messages(count: int) -> list[Plain]:
    """The queued e-mails' content, for the plain loop to send the same sizes."""
    from extranet_app import db
    from extranet_app.models import OutboxEmail

    with db.session_scope() as session:
        rows = session.exec(select(OutboxEmail).limit(count)).all()
        return [
            (f"<plain-{r.id}@agence.test>", r.to_address, r.subject, r.body_text, r.body_html)
            for r in rows
        ]


def _send_with_outbox(port: int, received, batch_size: int) -> float:
    """Send everything queued with send_pending; returns e-mails per second."""
    from extranet_app import db
    from extranet_app.email.sender import SmtpTransport
    from extranet_app.services.outbox import send_pending

    before = received.value
    transport = SmtpTransport(host="127.0.0.1", port=port, mail_from="extranet@agence.test")
    started = time.perf_counter()
    report = send_pending(
        session_factory=db.session_scope,
        transport=transport,
        include_held=True,
        batch_size=batch_size,
        worker_id="bench",
    )
    seconds = time.perf_counter() - started
    _wait_for(received, before + report.sent)
    print(
        f"send_pending  : {report.sent} sent in {seconds:.2f} s = {report.sent / seconds:,.0f}/s "
        f"({report.batches} batches of {batch_size}, {received.value - before} received by the "
        f"server, {report.failed} failed, {report.retry_scheduled} to retry; access codes "
        "minted at sending)"
    )
    return report.sent / seconds


if __name__ == "__main__":
    main()
