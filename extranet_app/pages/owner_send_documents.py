"""/proprietaire/envoi-documents (Envoi de documents): the owner sends files to the agency.

Category, one of the owner's lots (or none in particular), a comment, the files: checked by
content and stored privately like every upload. The lots are known to the browser by position.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx

from extranet_app.components.document_forms import form_select, labelled
from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.components.upload_field import upload_field
from extranet_app.db import session_scope
from extranet_app.services import owner_submissions
from extranet_app.services.agency_documents import COMMENT_MAX_LENGTH, DocumentRejected
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.owner_submissions import (
    CATEGORY_CHOICES,
    OwnerLotChoice,
    SentDocumentLine,
)
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.services.uploads import CheckedFile, UploadRefused
from extranet_app.states.session import SessionState
from extranet_app.states.uploads import checked_uploads

ROUTE = "/proprietaire/envoi-documents"
UPLOAD_ID = "owner-document-files"
NO_LOT = "aucun"
CATEGORY_OPTIONS = [(value.value, label) for value, label in CATEGORY_CHOICES.items()]
READ_ONLY = "Aperçu : rien ne peut être envoyé au nom de cette personne."


def _load(user: SessionUser) -> tuple[list[OwnerLotChoice], list[SentDocumentLine]]:
    with session_scope() as session:
        return (
            owner_submissions.owner_lots(session=session, user=user),
            owner_submissions.recent_sent_documents(session=session, user=user),
        )


def _send(
    user: SessionUser, lot_id: int | None, form: dict[str, Any], files: list[CheckedFile], ip: str
) -> int:
    with session_scope() as session:
        return owner_submissions.send_documents(
            session=session,
            user=user,
            lot_id=lot_id,
            category=form.get("category"),
            comment=form.get("comment", ""),
            files=files,
            ip=ip,
        )


class OwnerSendDocumentsState(SessionState):
    """Envoi de documents: the owner's lots for the form, and what they sent lately."""

    section: ClassVar[SectionKey] = OwnerSection.SEND_DOCUMENTS

    lot_options: list[dict[str, str]] = []
    sent: list[SentDocumentLine] = []
    loaded: bool = False
    form_version: int = 0
    _lot_ids: list[int] = []

    async def _refresh(self, user: SessionUser) -> None:
        lots, sent = await asyncio.to_thread(_load, user)
        self._lot_ids = [lot.lot_id for lot in lots]
        self.lot_options = [{"value": NO_LOT, "label": "Aucun lot en particulier"}] + [
            {"value": str(position), "label": lot.label} for position, lot in enumerate(lots)
        ]
        self.sent = sent
        self.loaded = True

    @rx.event
    async def load(self):
        """Page load: the owner's lots and their latest sendings."""
        user = await self._session_user(Space.OWNER)
        if user is None:
            self.lot_options, self.sent, self._lot_ids = [], [], []
            return
        await self._refresh(user)

    def _lot_id(self, value: object) -> int | None:
        if value == NO_LOT:
            return None
        if isinstance(value, str) and value.isdigit() and int(value) < len(self._lot_ids):
            return self._lot_ids[int(value)]
        raise DocumentRejected("Choisissez un de vos lots dans la liste.")

    @rx.event
    async def send(self, files: list[rx.UploadFile], form_data: dict[str, Any]):
        """Check the chosen files and send them to the agency with the form's choices."""
        user = await self._session_user(Space.OWNER)
        if user is None:
            return rx.toast.error("Session expirée : reconnectez-vous.")
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        ip = self.router.session.client_ip
        try:
            lot_id = self._lot_id(form_data.get("lot"))
            checked = await checked_uploads(files)
            count = await asyncio.to_thread(_send, user, lot_id, form_data, checked, ip)
        except (UploadRefused, DocumentRejected) as error:
            return rx.toast.error(str(error))
        except AccessDenied:
            return rx.toast.error(READ_ONLY if user.read_only else "Envoi refusé.")
        self.form_version += 1
        await self._refresh(user)
        message = "Document envoyé" if count == 1 else f"{count} documents envoyés"
        return [
            rx.clear_selected_files(UPLOAD_ID),
            rx.toast.success(message + " à votre agence."),
        ]


def _send_form() -> rx.Component:
    fields = rx.flex(
        labelled(
            "Type de document",
            form_select(
                "category",
                CATEGORY_OPTIONS,
                label="Type de document",
                default_value=CATEGORY_OPTIONS[0][0],
                element_id="send-category",
            ),
        ),
        labelled(
            "Lot concerné",
            form_select(
                "lot",
                OwnerSendDocumentsState.lot_options,
                label="Lot concerné",
                default_value=NO_LOT,
                element_id="send-lot",
            ),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="3",
        width="100%",
    )
    return rx.form(
        rx.vstack(
            fields,
            labelled(
                "Commentaire pour l'agence",
                rx.text_area(
                    name="comment", max_length=COMMENT_MAX_LENGTH, id="send-comment", width="100%"
                ),
                html_for="send-comment",
            ),
            upload_field(UPLOAD_ID),
            rx.button(rx.icon("send", size=16), "Envoyer à l'agence", type="submit", id="send"),
            spacing="3",
            width="100%",
        ),
        on_submit=lambda form_data: OwnerSendDocumentsState.send(
            rx.upload_files(upload_id=UPLOAD_ID), form_data
        ),
        key=OwnerSendDocumentsState.form_version,
        width="100%",
        id="send-form",
    )


def _sent_row(line: SentDocumentLine) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(line.title, weight="medium"),
            rx.text(line.filename, size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(rx.badge(line.category_label)),
        rx.table.cell(line.lot_label),
        rx.table.cell(line.date),
        rx.table.cell(line.status_label),
    )


def _sent_card(line: SentDocumentLine) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(line.title, weight="bold"),
            rx.hstack(rx.badge(line.category_label), rx.text(line.date, size="2"), wrap="wrap"),
            rx.text("Lot : ", line.lot_label, size="2"),
            rx.text(line.status_label, size="2", color=rx.color("gray", 11)),
            spacing="1",
        ),
        width="100%",
        class_name="sent-card",
    )


def _sent_list() -> rx.Component:
    headers = ["Document", "Type", "Lot", "Envoyé le", "Statut"]
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(OwnerSendDocumentsState.sent, _sent_row)),
        width="100%",
        id="sent-table",
    )
    cards = rx.vstack(rx.foreach(OwnerSendDocumentsState.sent, _sent_card), width="100%")
    return rx.cond(
        OwnerSendDocumentsState.sent.length() > 0,
        rx.box(rx.tablet_and_desktop(table), rx.mobile_only(cards), width="100%"),
        rx.cond(
            OwnerSendDocumentsState.loaded,
            rx.text("Vous n'avez encore rien envoyé.", color=rx.color("gray", 11)),
        ),
    )


@space_page(
    route=ROUTE,
    title="Envoi de documents",
    guard=SessionState.enter_owner_space,
    section=OwnerSection.SEND_DOCUMENTS,
    items=OWNER_NAV,
    on_load=OwnerSendDocumentsState.load,
)
def owner_send_documents() -> rx.Component:
    return rx.vstack(
        rx.heading("Envoi de documents", as_="h1", size="7"),
        rx.text(
            "Transmettez à votre agence un RIB, une attestation d'assurance, un diagnostic, une "
            "facture… Formats PDF, JPEG ou PNG.",
            color=rx.color("gray", 11),
        ),
        rx.card(_send_form(), width="100%"),
        rx.heading("Vos derniers envois", as_="h2", size="5"),
        _sent_list(),
        spacing="4",
        width="100%",
        max_width="900px",
    )
