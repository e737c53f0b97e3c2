"""The automatic sender: every few seconds, send the outbox rows that are due.

Every backend worker process runs one; claiming a row before sending it keeps two of them
from sending the same e-mail, so nothing here is shared between processes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime

from extranet_app.db import session_scope
from extranet_app.email.sender import Transport, transport_from_settings
from extranet_app.models.base import utcnow
from extranet_app.services.news_emails import queue_due_news_emails
from extranet_app.services.outbox import SendReport, SessionFactory, send_due_emails
from extranet_app.settings import get_settings

logger = logging.getLogger(__name__)

SEND_INTERVAL_SECONDS = 30.0  # the default of OUTBOX_SEND_INTERVAL_SECONDS
# At shutdown a batch being sent may finish (its results recorded) for this long.
STOP_GRACE_SECONDS = 20.0


def default_worker_id() -> str:
    """Names the claims of this process in the outbox (host and pid), for diagnosis."""
    return f"worker-{socket.gethostname()[:40]}-{os.getpid()}"


@dataclass
class OutboxSender:
    """Runs send_due_emails in a thread on every tick, logging failures and carrying on."""

    session_factory: SessionFactory = session_scope
    transport_factory: Callable[[], Transport] = transport_from_settings
    interval_seconds: float = SEND_INTERVAL_SECONDS
    clock: Callable[[], datetime] = utcnow
    worker_id: str = field(default_factory=default_worker_id)
    ticks: int = 0
    failed_ticks: int = 0

    def send_once(self) -> SendReport:
        """One pass over the due rows (blocking: database and SMTP)."""
        # Scheduled news whose date has come get their e-mails queued first.
        with self.session_factory() as session:
            queue_due_news_emails(session=session, now=self.clock())
        return send_due_emails(
            session_factory=self.session_factory,
            transport=self.transport_factory(),
            worker_id=self.worker_id,
            clock=self.clock,
        )

    async def tick(self) -> SendReport | None:
        """One pass in a thread; an exception is logged, never raised (the loop must live on)."""
        self.ticks += 1
        try:
            report = await asyncio.to_thread(self.send_once)
        except Exception:
            self.failed_ticks += 1
            logger.exception("Centre d'envoi : l'envoi automatique a échoué, nouvel essai bientôt")
            return None
        if report.claimed:
            logger.info(
                "Centre d'envoi : %s envoyé(s), %s reporté(s), %s en échec",
                report.sent,
                report.retry_scheduled,
                report.failed,
            )
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until `stop` is set; the wait between ticks ends as soon as it is."""
        while not stop.is_set():
            await self.tick()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval_seconds)


@asynccontextmanager
async def run_outbox_sender(
    sender: OutboxSender | None = None,
) -> AsyncIterator[OutboxSender | None]:
    """The sender for the lifetime of the app; at shutdown the current tick ends first."""
    if sender is None:
        interval = get_settings().outbox_send_interval_seconds
        if not interval:
            logger.info("Centre d'envoi : envoi périodique désactivé")
            yield None
            return
        sender = OutboxSender(interval_seconds=interval)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop), name="outbox-sender")
    try:
        yield sender
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=STOP_GRACE_SECONDS)
        except TimeoutError:
            # A batch still talking to a slow server: its rows stay "en cours" and another
            # sender takes them over after the claim timeout.
            logger.warning("Centre d'envoi : arrêt sans attendre la fin de l'envoi en cours")
