"""/agence/rapports (Rapports de gestion): publish one period's reports for every owner at once."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.models import ReportKind
from extranet_app.services import management_reports as reports
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.management_reports import (
    CHUNK_SIZE,
    Batch,
    PeriodStatus,
    PublicationResult,
    ReportRejected,
)
from extranet_app.services.report_periods import (
    ReportPeriod,
    period_from_key,
    publishable_choices,
)
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ROUTE = "/agence/rapports"
STAFF_ONLY = "Action réservée à l'agence."
logger = logging.getLogger(__name__)


def _choices() -> list[dict[str, str]]:
    options = []
    for period in publishable_choices(today_in_france()):
        label = (
            f"Récapitulatif annuel {period.start.year}"
            if period.kind == ReportKind.YEARLY
            else f"Rapports de {period.label}"
        )
        options.append({"value": period.key, "label": label})
    return options


def _status(user: SessionUser, period: ReportPeriod) -> PeriodStatus:
    with session_scope() as session:
        return reports.period_status(session=session, user=user, choice=period)


def _plan(user: SessionUser, period: ReportPeriod) -> list[Batch]:
    with session_scope() as session:
        return reports.plan_publication(session=session, user=user, choice=period)


def _publish_chunk(user: SessionUser, batch: Batch, chunk: tuple[int, ...]) -> PublicationResult:
    with session_scope() as session:
        return reports.publish_chunk(
            session=session, user=user, period=batch.period, mandate_ids=chunk
        )


class AgencyReportsState(SessionState):
    """Rapports de gestion: the period chosen, its status, and the batch publication."""

    choices: list[dict[str, str]] = []
    chosen: str = ""
    mandates: int = 0
    published: int = 0
    running: bool = False
    progress_done: int = 0
    progress_total: int = 0
    summary: str = ""

    @rx.var
    def progress_percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    def _chosen_period(self) -> ReportPeriod | None:
        allowed = {choice["value"] for choice in self.choices}
        return period_from_key(self.chosen) if self.chosen in allowed else None

    async def _show_status(self, user: SessionUser) -> None:
        period = self._chosen_period()
        if period is None:
            self.mandates = self.published = 0
            return
        status = await asyncio.to_thread(_status, user, period)
        self.mandates, self.published = status.mandates, status.published

    @rx.event
    async def load(self):
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return
        self.choices = _choices()
        if self._chosen_period() is None:
            self.chosen = self.choices[0]["value"] if self.choices else ""
        await self._show_status(user)

    @rx.event
    async def choose(self, key: str):
        """Another period was chosen in the list."""
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        if not isinstance(key, str) or key not in {choice["value"] for choice in self.choices}:
            return rx.toast.error("Période invalide.")
        self.chosen, self.summary = key, ""
        await self._show_status(user)
        return None

    @rx.event(background=True)
    async def publish(self):
        """Generate and publish the chosen period's reports for every owner, chunk by chunk,
        with a progress bar; the state lock is held only to update the progress."""
        async with self:
            user = await self._session_user(Space.AGENCY)
            period = self._chosen_period()
            if user is None or period is None or self.running:
                return None
            self.running, self.summary = True, ""
            self.progress_done = self.progress_total = 0
        total = PublicationResult()
        try:
            await self._publish_all(user, period, total)
            toast = rx.toast.success(total.message)
        except ReportRejected as error:
            toast = rx.toast.error(str(error))
        except AccessDenied:
            toast = rx.toast.error(STAFF_ONLY)
        except Exception:
            logger.exception("Rapports de gestion: publication of %s failed", period.key)
            toast = rx.toast.error("La publication s'est interrompue ; relancez-la pour la finir.")
        async with self:
            self.running = False
            self.summary = total.message
            await self._show_status(user)
        return toast

    async def _publish_all(
        self, user: SessionUser, period: ReportPeriod, total: PublicationResult
    ) -> None:
        batches = await asyncio.to_thread(_plan, user, period)
        async with self:
            self.progress_total = sum(len(batch.mandate_ids) for batch in batches)
        for batch in batches:
            for start in range(0, len(batch.mandate_ids), CHUNK_SIZE):
                # The staff session may end during a long publication: stop where it is.
                if await self._session_user(Space.AGENCY) is None:
                    raise AccessDenied
                chunk = batch.mandate_ids[start : start + CHUNK_SIZE]
                total.add(await asyncio.to_thread(_publish_chunk, user, batch, chunk))
                async with self:
                    self.progress_done += len(chunk)


# --- Components -------------------------------------------------------------------------------


def _picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Période", id="period-choice", min_width="260px"),
        rx.select.content(
            rx.foreach(
                AgencyReportsState.choices,
                lambda choice: rx.select.item(choice["label"], value=choice["value"]),
            )
        ),
        value=AgencyReportsState.chosen,
        on_change=AgencyReportsState.choose,
        disabled=AgencyReportsState.running,
    )


def _status_text() -> rx.Component:
    return rx.text(
        AgencyReportsState.published,
        " propriétaire(s) sur ",
        AgencyReportsState.mandates,
        " ont déjà leur rapport pour cette période.",
        id="period-status",
    )


def _progress() -> rx.Component:
    return rx.cond(
        AgencyReportsState.running,
        rx.card(
            rx.vstack(
                rx.text(
                    "Publication en cours : ",
                    AgencyReportsState.progress_done,
                    " / ",
                    AgencyReportsState.progress_total,
                ),
                rx.progress(value=AgencyReportsState.progress_percent, width="100%"),
                spacing="2",
                width="100%",
            ),
            id="publication-progress",
            width="100%",
        ),
        rx.cond(
            AgencyReportsState.summary != "",
            rx.callout(
                AgencyReportsState.summary,
                icon="circle-check",
                color_scheme="green",
                id="publication-summary",
                width="100%",
            ),
        ),
    )


def _explanation() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Choisir un mois publie les rapports des mandats mensuels de ce mois et, s'il clôt "
            "un trimestre, ceux des mandats trimestriels. Choisir une année publie le "
            "récapitulatif annuel (revenus fonciers) de chaque mandat.",
            size="2",
        ),
        rx.text(
            "Un rapport publié ne change plus : relancer la publication ne crée un nouveau "
            "rapport que pour les propriétaires qui n'en ont pas encore, ou une nouvelle version "
            "(qui remplace la précédente) si les chiffres ont changé depuis. Les propriétaires "
            "inscrits sont prévenus par e-mail par le centre d'envoi.",
            size="2",
            color=rx.color("gray", 11),
        ),
        spacing="2",
    )


@space_page(
    route=ROUTE,
    title="Rapports de gestion",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyReportsState.load,
)
def agency_reports() -> rx.Component:
    return rx.vstack(
        rx.heading("Rapports de gestion", as_="h1", size="7"),
        _explanation(),
        rx.card(
            rx.vstack(
                rx.flex(
                    _picker(),
                    rx.button(
                        rx.icon("send", size=16),
                        "Générer et publier",
                        on_click=AgencyReportsState.publish,
                        loading=AgencyReportsState.running,
                        id="publish-reports",
                    ),
                    spacing="3",
                    wrap="wrap",
                    align="center",
                ),
                _status_text(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        _progress(),
        spacing="4",
        width="100%",
        max_width="1000px",
    )
