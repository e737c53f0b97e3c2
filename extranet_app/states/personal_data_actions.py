"""The agency's "Données personnelles" action on one person (RGPD): export their data as a zip,
and, for agency admins, anonymise them once no lease or mandate of theirs is current.

A mixin for the page that lists the people (Gestion des accès): the page says who is at a row
(`_personal_data_person`) and reloads its list after a change (`_after_anonymisation`). The
browser only ever holds the download path and an opaque reference to the person; the ids stay
on the server, and the anonymisation handler checks the staff session and the reference again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import reflex as rx

from extranet_app.api.personal_data_routes import staff_export_path
from extranet_app.db import session_scope
from extranet_app.services.access_management import PersonKind
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.personal_data import (
    AnonymisationResult,
    StillUnderContract,
    anonymise_person,
)
from extranet_app.services.security import id_from_reference, opaque_reference
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

logger = logging.getLogger(__name__)

# The download route's word for each list, and the service argument naming the person.
_EXPORT_KINDS = {PersonKind.TENANT: "locataire", PersonKind.OWNER: "proprietaire"}
_SERVICE_ARGUMENTS = {PersonKind.TENANT: "tenant_id", PersonKind.OWNER: "owner_id"}
STILL_UNDER_CONTRACT = "Bail ou mandat en cours : l'anonymisation n'est possible qu'à leur fin."
ADMINS_ONLY = "Anonymisation refusée : elle est réservée aux administrateurs de l'agence."
UNKNOWN_PERSON = "Anonymisation refusée : cette personne est introuvable."
DURING_PREVIEW = "Anonymisation refusée pendant un aperçu : quittez l'aperçu d'abord."
FAILED = "L'anonymisation n'a pas pu être menée : rien n'a été modifié."


class PersonalDataStep(StrEnum):
    """Where the dialog is: closed, the two actions, the anonymisation warning, its outcome."""

    CLOSED = ""
    CHOICE = "choix"
    CONFIRMATION = "confirmation"
    OUTCOME = "resultat"


@dataclass(frozen=True)
class PersonOnPage:
    """The person at a row of the page, as the page's backend-only ids know them."""

    kind: PersonKind
    person_id: int
    name: str


def _reference_kind(kind: PersonKind) -> str:
    # Its own key: an anonymisation reference is never a download reference, nor the reverse.
    return f"gdpr-anonymise-{_EXPORT_KINDS[kind]}"


def person_reference(kind: PersonKind, person_id: int) -> str:
    """The opaque reference the browser sends back to name the person to anonymise."""
    return opaque_reference(_reference_kind(kind), person_id)


def person_from_reference(reference: Any) -> dict[str, int]:
    """The service argument (tenant_id= or owner_id=) behind a reference, or {} if forged."""
    for kind, argument in _SERVICE_ARGUMENTS.items():
        person_id = id_from_reference(_reference_kind(kind), reference)
        if person_id is not None:
            return {argument: person_id}
    return {}


def _anonymise(staff: SessionUser, person: dict[str, int]) -> AnonymisationResult:
    """Run in a thread: the service checks the role and the contracts, and commits."""
    with session_scope() as session:
        return anonymise_person(session=session, actor=staff, today=today_in_france(), **person)


def _count(count: int, singular: str, plural: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return f"{count} {singular if count <= 1 else plural}"


def anonymisation_summary(result: AnonymisationResult) -> str:
    """What the anonymisation did, in the agency's words (counts of nothing left out)."""
    parts = [_count(result.profiles, "fiche anonymisée", "fiches anonymisées")]
    parts.append(
        _count(
            result.identity_documents_deleted,
            "pièce d'identité supprimée",
            "pièces d'identité supprimées",
        )
        if result.identity_documents_deleted
        else "aucune pièce d'identité à supprimer"
    )
    if result.kept_documents:
        parts.append(_count(result.kept_documents, "document conservé", "documents conservés"))
    if result.sessions_revoked:
        parts.append(_count(result.sessions_revoked, "session fermée", "sessions fermées"))
    return (
        f"Anonymisation faite : {', '.join(parts)}. Les baux, appels de loyer, paiements, "
        "quittances et reçus restent conservés, sous « Personne anonymisée »."
    )


def _denial_message(staff: SessionUser) -> str:
    """Why the service refused (it journaled the refusal)."""
    if staff.read_only:
        return DURING_PREVIEW
    return UNKNOWN_PERSON if staff.is_admin else ADMINS_ONLY


class PersonalDataActions(SessionState, mixin=True):
    """The "Données personnelles" dialog of one row: its download path and anonymisation."""

    personal_data_step: str = PersonalDataStep.CLOSED.value
    personal_data_name: str = ""
    personal_data_export_path: str = ""
    personal_data_reference: str = ""
    personal_data_can_anonymise: bool = False
    personal_data_message: str = ""
    personal_data_succeeded: bool = False

    def _personal_data_person(self, position: Any) -> PersonOnPage | None:
        """The person at row `position` of the page (None for a bad position)."""
        raise NotImplementedError

    async def _after_anonymisation(self, staff: SessionUser) -> None:
        """Show the list again, with the person's placeholder."""
        raise NotImplementedError

    @rx.event
    async def open_personal_data(self, position: int):
        """Open the dialog for the row at `position`: its download path, and whether the
        staff member may anonymise (admins only: the button is hidden for the others)."""
        person = self._personal_data_person(position)
        staff = await self._session_user(Space.AGENCY)
        if person is None or staff is None:
            return
        self.personal_data_name = person.name
        self.personal_data_export_path = staff_export_path(
            _EXPORT_KINDS[person.kind], person.person_id
        )
        self.personal_data_reference = person_reference(person.kind, person.person_id)
        self.personal_data_can_anonymise = staff.is_admin and not staff.read_only
        self.personal_data_message, self.personal_data_succeeded = "", False
        self.personal_data_step = PersonalDataStep.CHOICE.value

    @rx.event
    def ask_anonymisation(self):
        """Show what anonymisation keeps and erases, before the agency confirms."""
        if self.personal_data_step == PersonalDataStep.CHOICE.value:
            self.personal_data_step = PersonalDataStep.CONFIRMATION.value

    @rx.event
    def back_to_personal_data(self):
        """Leave the warning without anonymising."""
        if self.personal_data_step == PersonalDataStep.CONFIRMATION.value:
            self.personal_data_step = PersonalDataStep.CHOICE.value

    @rx.event
    def close_personal_data(self):
        """Close the dialog and forget whom it was about."""
        self._close_personal_data()

    @rx.event
    def personal_data_dialog_changed(self, is_open: bool):
        """The dialog was dismissed (Escape, click outside)."""
        if is_open is False:
            self._close_personal_data()

    def _close_personal_data(self) -> None:
        self.personal_data_step = PersonalDataStep.CLOSED.value
        self.personal_data_name = self.personal_data_export_path = ""
        self.personal_data_reference = self.personal_data_message = ""

    @rx.event
    async def anonymise(self, reference: str):
        """Anonymise the person named by `reference` (agency admin, no current contract).

        The service is called even for a non-admin or a forged reference: it refuses, and
        journals the refusal."""
        if self.personal_data_step != PersonalDataStep.CONFIRMATION.value:
            return None  # a second click, or a call without the warning shown first
        staff = await self._session_user(Space.AGENCY)
        if staff is None:
            self._close_personal_data()
            return rx.toast.error("Action réservée à l'agence.")
        self.personal_data_step = PersonalDataStep.OUTCOME.value
        if self._preview_user_id is not None:  # this tab shows someone's space read-only
            return self._refuse(DURING_PREVIEW)
        try:
            result = await asyncio.to_thread(_anonymise, staff, person_from_reference(reference))
        except StillUnderContract:
            return self._refuse(STILL_UNDER_CONTRACT)
        except AccessDenied:
            return self._refuse(_denial_message(staff))
        except Exception:  # the service committed nothing: say so rather than hang the dialog
            logger.exception("Anonymisation failed")
            return self._refuse(FAILED)
        self.personal_data_message = anonymisation_summary(result)
        self.personal_data_succeeded = True
        self.personal_data_can_anonymise = False
        await self._after_anonymisation(staff)
        return rx.toast.success("Personne anonymisée.")

    def _refuse(self, message: str):
        self.personal_data_message, self.personal_data_succeeded = message, False
        return rx.toast.error(message)
