"""/agence: the agency's home, with what it manages and how many people use the extranet."""

import asyncio
from dataclasses import dataclass

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.models import OutboxStatus
from extranet_app.services import messaging, outbox
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.received_documents import count_unfiled
from extranet_app.services.request_review import count_requests_to_review
from extranet_app.services.spaces import PortfolioCounts, portfolio_counts
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState


@dataclass(frozen=True)
class AgencyToDo:
    """How many things wait for the agency, by screen."""

    emails_to_review: int
    emails_failed: int
    documents_to_check: int
    documents_to_file: int
    unread_conversations: int


def _load_counts(user: SessionUser) -> tuple[PortfolioCounts, AgencyToDo]:
    with session_scope() as session:
        counts = portfolio_counts(session=session, user=user, today=today_in_france())
        statuses = outbox.count_by_status(session=session, actor=user)
        to_do = AgencyToDo(
            emails_to_review=outbox.count_awaiting_review(session=session, actor=user),
            emails_failed=statuses.get(OutboxStatus.FAILED, 0),
            documents_to_check=count_requests_to_review(session=session, actor=user),
            documents_to_file=count_unfiled(session=session, user=user),
            unread_conversations=messaging.unread_count(
                session=session, user=user, space=Space.AGENCY
            ),
        )
        return counts, to_do


class AgencyHomeState(SessionState):
    """The agency home page."""

    counts: PortfolioCounts | None = None
    to_do: AgencyToDo = AgencyToDo(0, 0, 0, 0, 0)

    @rx.event
    async def load(self):
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return
        self.counts, self.to_do = await asyncio.to_thread(_load_counts, user)


def _to_do(label: str, value: rx.Var, href: str, color: str) -> rx.Component:
    """A pending task of the agency, linking to the screen where it is done."""
    return rx.link(
        rx.card(
            rx.hstack(
                rx.badge(value, color_scheme=color, size="3"),
                rx.text(label),
                align="center",
                spacing="3",
            ),
        ),
        href=href,
        underline="none",
    )


def _stat(label: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, color=rx.color("gray", 11)),
            rx.text(value, size="7", weight="bold"),
            spacing="1",
        ),
        min_width="160px",
    )


@space_page(
    route="/agence",
    title="Accueil",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyHomeState.load,
)
def agency_home() -> rx.Component:
    counts = AgencyHomeState.counts
    return rx.vstack(
        rx.heading("Accueil", as_="h1", size="7"),
        rx.text("Bonjour ", SessionState.user_name, "."),
        rx.heading("À traiter", as_="h2", size="5"),
        rx.flex(
            _to_do(
                "conversation(s) avec un message non lu",
                AgencyHomeState.to_do.unread_conversations,
                "/agence/messages",
                "blue",
            ),
            _to_do(
                "e-mail(s) à relire et envoyer",
                AgencyHomeState.to_do.emails_to_review,
                "/agence/envois",
                "blue",
            ),
            _to_do(
                "e-mail(s) en échec", AgencyHomeState.to_do.emails_failed, "/agence/envois", "red"
            ),
            _to_do(
                "document(s) fourni(s) à vérifier",
                AgencyHomeState.to_do.documents_to_check,
                "/agence/demandes",
                "amber",
            ),
            _to_do(
                "document(s) reçu(s) à classer",
                AgencyHomeState.to_do.documents_to_file,
                "/agence/documents-recus",
                "amber",
            ),
            _to_do("Inscrire et envoyer les codes d'accès", "→", "/agence/acces", "gray"),
            wrap="wrap",
            spacing="3",
        ),
        rx.heading("Portefeuille géré", as_="h2", size="5"),
        rx.cond(
            counts,
            rx.flex(
                _stat("Propriétaires", counts.owners),
                _stat("Locataires", counts.tenants),
                _stat("Immeubles", counts.properties),
                _stat("Lots", counts.lots),
                _stat("Baux en cours", counts.current_leases),
                _stat("Accès activés", counts.activated_users),
                wrap="wrap",
                spacing="3",
            ),
        ),
        spacing="4",
        width="100%",
    )
