"""Nightly maintenance: the retention purges (access logs, identity documents) once a day.

Every backend process runs one, at the same hour; the purges are idempotent deletes, so the
processes that come second find nothing left to delete and journal nothing. A failed purge is
logged and tried again the next night: nothing here may stop the app.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

from sqlmodel import Session

from extranet_app.db import session_scope
from extranet_app.models.base import utcnow
from extranet_app.services.access_logs import PurgeResult, purge_access_logs
from extranet_app.services.outbox import SessionFactory
from extranet_app.services.personal_data import purge_identity_documents
from extranet_app.services.timekeeping import AGENCY_TIMEZONE

logger = logging.getLogger(__name__)

# Paris time: the quietest hour, and one that exists every day (02:00-03:00 is skipped in March).
RUN_HOUR = time(4, 0)
# At shutdown a purge in progress may finish (its batches are committed one by one) for this long.
STOP_GRACE_SECONDS = 20.0
T = TypeVar("T")


def next_run_after(moment: datetime) -> datetime:
    """The first RUN_HOUR (Paris time) strictly after `moment`, in UTC."""
    local = moment.astimezone(AGENCY_TIMEZONE)
    day = local.date()
    due = datetime.combine(day, RUN_HOUR, tzinfo=AGENCY_TIMEZONE)
    if due <= local:
        due = datetime.combine(day + timedelta(days=1), RUN_HOUR, tzinfo=AGENCY_TIMEZONE)
    return due.astimezone(UTC)


@dataclass(frozen=True)
class MaintenanceReport:
    """What one run deleted; None where that purge failed (it was logged)."""

    access_logs: PurgeResult | None
    identity_documents: int | None


@dataclass
class Maintenance:
    """Runs the purges in a thread once a day, logging failures and carrying on."""

    session_factory: SessionFactory = session_scope
    clock: Callable[[], datetime] = utcnow
    schedule: Callable[[datetime], datetime] = next_run_after
    runs: int = 0
    failed_purges: int = 0

    def run_once(self) -> MaintenanceReport:
        """Both purges (blocking: database and files); one failing does not skip the other."""
        now = self.clock()
        return MaintenanceReport(
            access_logs=self._purge(
                "des journaux d'accès", lambda session: purge_access_logs(session=session, now=now)
            ),
            identity_documents=self._purge(
                "des pièces d'identité",
                lambda session: purge_identity_documents(session=session, now=now),
            ),
        )

    def _purge(self, what: str, purge: Callable[[Session], T]) -> T | None:
        try:
            with self.session_factory() as session:
                return purge(session)
        except Exception:
            self.failed_purges += 1
            logger.exception("Maintenance : la purge %s a échoué, nouvel essai demain", what)
            return None

    async def tick(self) -> MaintenanceReport | None:
        """One run in a thread, off the event loop; an exception is logged, never raised."""
        self.runs += 1
        try:
            report = await asyncio.to_thread(self.run_once)
        except Exception:
            logger.exception("Maintenance : la tâche quotidienne a échoué, nouvel essai demain")
            return None
        if report.access_logs is not None and report.access_logs.total:
            purged = report.access_logs
            logger.info(
                "Maintenance : %s événement(s) d'accès, %s session(s), %s tentative(s) supprimés",
                purged.audit_events,
                purged.auth_sessions,
                purged.login_attempts,
            )
        if report.identity_documents:
            logger.info(
                "Maintenance : %s pièce(s) d'identité supprimée(s)", report.identity_documents
            )
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Run at each scheduled time until `stop` is set (the wait ends as soon as it is)."""
        due = self.schedule(self.clock())
        while not await _stopped_within(stop, (due - self.clock()).total_seconds()):
            await self.tick()
            # From `due`, not from now: a timer waking a hair early never runs twice a night.
            due = self.schedule(max(due, self.clock()))


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))
    return stop.is_set()


@asynccontextmanager
async def run_maintenance(
    maintenance: Maintenance | None = None,
) -> AsyncIterator[Maintenance]:
    """The nightly maintenance for the lifetime of the app; at shutdown a run in progress ends."""
    maintenance = maintenance or Maintenance()
    stop = asyncio.Event()
    task = asyncio.create_task(maintenance.run(stop), name="maintenance")
    try:
        yield maintenance
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=STOP_GRACE_SECONDS)
        except TimeoutError:
            logger.warning("Maintenance : arrêt sans attendre la fin de la purge en cours")
