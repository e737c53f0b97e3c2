"""/agence/acces: Gestion des accès, where the agency enrols tenants and owners, transfers their
access codes to the centre d'envoi, deactivates logins and opens an Aperçu of a person's space.

The browser only ever sees rows by their position in the page: the database ids behind them stay
in backend-only vars, and every handler checks the staff session and its arguments again, since
any browser can call any handler with anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.personal_data_actions import (
    personal_data_dialog,
    personal_data_menu_item,
)
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import access_management as access
from extranet_app.services import account_security
from extranet_app.services.access_management import (
    STATUS_LABELS,
    AccessPage,
    AccessQuery,
    AccessRow,
    AccessStatus,
    ActivationResult,
    EnrolmentResult,
    InvalidEmail,
    PersonKind,
    SortKey,
    StatusCounts,
    TransferResult,
)
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.states.paged_list import PagedListState
from extranet_app.states.personal_data_actions import PersonalDataActions, PersonOnPage
from extranet_app.states.session import SessionState

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
ALL_STATUSES = "tous"
WITHOUT_EMAIL = "sans_email"
MAX_SEARCH_LENGTH = 100
# Above this many people, an action asks for confirmation first.
CONFIRM_ABOVE = 20
# Seconds between two progress updates sent to the browser.
PROGRESS_INTERVAL = 0.3
STAFF_ONLY = "Action réservée à l'agence."


class AccessAction(StrEnum):
    """The actions on selected people; the value is what the page sends."""

    ENROL = "inscrire"
    SEND_CODES = "transferer"
    RESEND_CODES = "renvoyer"
    DEACTIVATE = "desactiver"
    REACTIVATE = "reactiver"


PROGRESS_LABELS = {
    AccessAction.ENROL: "Inscription",
    AccessAction.SEND_CODES: "Transfert des codes d'accès au centre d'envoi",
    AccessAction.RESEND_CODES: "Renvoi des codes d'accès",
    AccessAction.DEACTIVATE: "Désactivation",
    AccessAction.REACTIVATE: "Réactivation",
}
CONFIRM_VERBS = {
    AccessAction.ENROL: "Inscrire",
    AccessAction.SEND_CODES: "Transférer au centre d'envoi les codes d'accès de",
    AccessAction.RESEND_CODES: "Renvoyer un code d'accès à",
    AccessAction.DEACTIVATE: "Désactiver l'accès de",
    AccessAction.REACTIVATE: "Réactiver l'accès de",
}
Result = EnrolmentResult | TransferResult | ActivationResult


@dataclass(frozen=True)
class StatusOption:
    """An entry of the status filter, with how many people it holds."""

    value: str
    label: str


@dataclass(frozen=True)
class _Job:
    """A bulk action waiting for (or under) the background runner: ids, or a query to resolve."""

    action: AccessAction
    kind: PersonKind
    person_ids: tuple[int, ...] | None
    query: AccessQuery | None = None


# --- Plain functions run in threads (blocking database work) --------------------------------


def _load_page(
    staff: SessionUser, query: AccessQuery, page: int, with_counts: bool
) -> tuple[AccessPage, StatusCounts | None]:
    with session_scope() as session:
        listing = access.list_people(session=session, actor=staff, query=query, page=page)
        counts = None
        if with_counts:
            counts = access.count_statuses(
                session=session, actor=staff, kind=query.kind, search=query.search
            )
        return listing, counts


def _resolve_ids(staff: SessionUser, job: _Job) -> list[int]:
    if job.person_ids is not None:
        return list(job.person_ids)
    with session_scope() as session:
        return access.matching_person_ids(session=session, actor=staff, query=job.query)


def _run_chunk(staff: SessionUser, job: _Job, person_ids: list[int]) -> Result:
    """One chunk of a bulk action, in its own transaction (committed by the service)."""
    with session_scope() as session:
        common = {"session": session, "actor": staff, "kind": job.kind, "person_ids": person_ids}
        if job.action is AccessAction.ENROL:
            return access.enrol_people(**common)
        if job.action in (AccessAction.SEND_CODES, AccessAction.RESEND_CODES):
            resend = job.action is AccessAction.RESEND_CODES
            return access.transfer_access_codes(**common, resend=resend)
        active = job.action is AccessAction.REACTIVATE
        return access.set_logins_active(**common, active=active)


def _reset_two_factor(staff: SessionUser, user_id: int | None) -> None:
    if user_id is None:
        raise AccessDenied
    with session_scope() as session:
        account_security.reset_two_factor(session=session, actor=staff, user_id=user_id)


def _save_email(staff: SessionUser, kind: PersonKind, person_id: int, email: str) -> str:
    with session_scope() as session:
        return access.set_person_email(
            session=session, actor=staff, kind=kind, person_id=person_id, email=email
        )


# --- French summaries ------------------------------------------------------------------------


def _number(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


def _count(count: int, singular: str, plural: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return f"{_number(count)} {singular if count <= 1 else plural}"


def _enrolment_summary(result: EnrolmentResult) -> str:
    parts = [_count(result.enrolled, "personne inscrite", "personnes inscrites")]
    if result.linked_existing:
        parts[0] += f" (dont {_number(result.linked_existing)} avec un compte existant)"
    skipped = (
        (result.missing_email, "sans adresse e-mail", "sans adresse e-mail"),
        (result.invalid_email, "adresse e-mail invalide", "adresses e-mail invalides"),
        (result.already_enrolled, "déjà inscrite", "déjà inscrites"),
        (
            result.staff_address,
            "adresse d'un compte de l'agence (non inscrite)",
            "adresses de comptes de l'agence (non inscrites)",
        ),
    )
    return ", ".join(parts + [_count(count, *words) for count, *words in skipped if count])


def _transfer_summary(result: TransferResult) -> str:
    queued = _count(result.queued, "code d'accès transféré", "codes d'accès transférés")
    skipped = (
        (result.already_waiting, "déjà en attente d'envoi", "déjà en attente d'envoi"),
        (result.already_sent, "déjà envoyé", "déjà envoyés"),
        (result.not_enrolled, "personne non inscrite", "personnes non inscrites"),
        (result.activated, "compte déjà activé", "comptes déjà activés"),
        (result.deactivated, "compte désactivé", "comptes désactivés"),
    )
    parts = [f"{queued} au centre d'envoi"]
    parts += [_count(count, *words) for count, *words in skipped if count]
    hint = " (pour ceux-là : « Renvoyer un code »)" if result.already_sent else ""
    return ", ".join(parts) + hint


def _activation_summary(result: ActivationResult, active: bool) -> str:
    words = ("compte réactivé", "comptes réactivés")
    if not active:
        words = ("compte désactivé", "comptes désactivés")
    changed = _count(result.changed, *words)
    if result.sessions_ended:
        changed += f" ({_count(result.sessions_ended, 'session fermée', 'sessions fermées')})"
    skipped = (
        (result.unchanged, "déjà dans cet état", "déjà dans cet état"),
        (result.not_enrolled, "personne non inscrite", "personnes non inscrites"),
        (result.staff_skipped, "compte de l'agence ignoré", "comptes de l'agence ignorés"),
    )
    return ", ".join([changed] + [_count(count, *words) for count, *words in skipped if count])


def _summary(action: AccessAction, result: Result) -> str:
    if isinstance(result, EnrolmentResult):
        return _enrolment_summary(result)
    if isinstance(result, TransferResult):
        return _transfer_summary(result)
    return _activation_summary(result, active=action is AccessAction.REACTIVATE)


# --- Checking what the browser sends ---------------------------------------------------------


def _as_int(value: Any) -> int | None:
    """An int from the browser, or None (bool, float, str, dict… are refused)."""
    return value if type(value) is int else None


def _as_choice(value: Any, choices: type[StrEnum]) -> Any:
    """A member of `choices` from the browser's string, or None."""
    if not isinstance(value, str):
        return None
    try:
        return choices(value)
    except ValueError:
        return None


# --- The state -------------------------------------------------------------------------------


class AccessProgressState(rx.State):
    """Progress of the bulk action under way. A state of its own: each update then re-renders
    the progress bar alone, not the fifty rows of the page (measured: a 50 000-person action
    froze the page for twenty seconds when these vars lived in AccessState)."""

    label: str = ""
    done: int = 0
    total: int = 0

    @rx.var
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @rx.var
    def text(self) -> str:
        return f"{self.label} : {_number(self.done)} / {_number(self.total)}"


class AccessState(PersonalDataActions, PagedListState, SessionState):
    """The Gestion des accès page: list, selection, actions and their progress, and each
    person's "Données personnelles" (export, anonymisation: states/personal_data_actions.py)."""

    kind: str = PersonKind.TENANT.value
    search: str = ""
    status_filter: str = ALL_STATUSES
    sort_key: str = SortKey.NAME.value
    sort_descending: bool = False
    total: int = 0
    rows: list[AccessRow] = []
    status_options: list[StatusOption] = []
    selected_positions: list[int] = []
    selected_count: int = 0
    all_matching: bool = False
    editing_position: int = -1
    email_draft: str = ""
    email_error: str = ""
    busy: bool = False
    confirm_text: str = ""
    # Backend only: the ids behind the rows, the selection, the action awaiting confirmation.
    _page_person_ids: list[int] = []
    _page_user_ids: list[int | None] = []
    _selected_ids: list[int] = []
    _all_query: AccessQuery | None = None
    _pending_job: _Job | None = None
    _job: _Job | None = None

    @rx.var
    def selection_text(self) -> str:
        if self.all_matching:
            return f"Tous les résultats sélectionnés : {_number(self.selected_count)}"
        return f"Sélection : {_number(self.selected_count)}"

    @rx.var
    def select_all_text(self) -> str:
        return f"Sélectionner les {_number(self.total)} résultats"

    @rx.var
    def pager_text(self) -> str:
        people = _count(self.total, "personne", "personnes")
        return f"{people} — page {_number(self.page)} sur {_number(self.page_count)}"

    def _query(self) -> AccessQuery:
        status = None if self.status_filter in (ALL_STATUSES, WITHOUT_EMAIL) else self.status_filter
        return AccessQuery(
            kind=PersonKind(self.kind),
            search=self.search,
            status=AccessStatus(status) if status else None,
            without_email=self.status_filter == WITHOUT_EMAIL,
            sort=SortKey(self.sort_key),
            descending=self.sort_descending,
        )

    async def _reload(self, staff: SessionUser, *, with_counts: bool = False) -> None:
        listing, counts = await asyncio.to_thread(
            _load_page, staff, self._query(), self.page, with_counts
        )
        self._show(listing)
        if counts is not None:
            self._show_counts(counts)

    def _show(self, listing: AccessPage) -> None:
        self.rows = list(listing.rows)
        self._page_person_ids = [key.person_id for key in listing.keys]
        self._page_user_ids = [key.user_id for key in listing.keys]
        self.page, self.page_count, self.total = listing.page, listing.page_count, listing.total
        self.editing_position = -1
        self._show_selection()

    def _show_counts(self, counts: StatusCounts) -> None:
        options = [StatusOption(ALL_STATUSES, f"Tous les statuts ({_number(counts.total)})")]
        options += [
            StatusOption(status.value, f"{STATUS_LABELS[status]} ({_number(count)})")
            for status, count in counts.by_status.items()
        ]
        options.append(
            StatusOption(WITHOUT_EMAIL, f"Sans adresse e-mail ({_number(counts.without_email)})")
        )
        self.status_options = options

    def _show_selection(self) -> None:
        chosen = set(self._selected_ids)
        self.selected_positions = [
            position
            for position, person_id in enumerate(self._page_person_ids)
            if person_id in chosen
        ]
        self.selected_count = self.total if self.all_matching else len(self._selected_ids)

    def _clear_selection(self) -> None:
        self._selected_ids, self._all_query, self.all_matching = [], None, False

    async def _staff(self) -> SessionUser | None:
        return await self._session_user(Space.AGENCY)

    # --- Loading, filtering, sorting, paging ---

    @rx.event
    async def load(self):
        """On page load: the first page of tenants, with the counts per status."""
        staff = await self._staff()
        if staff is None:
            return
        self._clear_selection()
        self.page = 1
        await self._reload(staff, with_counts=True)

    async def _refilter(self):
        staff = await self._staff()
        if staff is None:
            return
        self._clear_selection()
        self.page = 1
        await self._reload(staff, with_counts=True)

    @rx.event
    async def choose_kind(self, kind: str | list[str]):
        """Locataires or Propriétaires."""
        chosen = _as_choice(kind, PersonKind)
        if chosen is None or self.busy:
            return
        self.kind, self.search, self.status_filter = chosen.value, "", ALL_STATUSES
        await self._refilter()

    @rx.event
    async def set_search(self, search: str):
        """Search by name, e-mail, lot, building or reference (as typed, debounced)."""
        if not isinstance(search, str):
            return
        self.search = search[:MAX_SEARCH_LENGTH]
        await self._refilter()

    @rx.event
    async def choose_status(self, status: str):
        """Filter by access status (or people without an e-mail address)."""
        if not isinstance(status, str) or status not in (
            ALL_STATUSES,
            WITHOUT_EMAIL,
            *(member.value for member in AccessStatus),
        ):
            return
        self.status_filter = status
        await self._refilter()

    @rx.event
    async def sort_by(self, key: str):
        """Sort by a column; choosing the current one again reverses the order."""
        chosen = _as_choice(key, SortKey)
        if chosen is not None:
            await self._sort(chosen)

    async def _sort(self, chosen: SortKey) -> None:
        staff = await self._staff()
        if staff is None:
            return
        if chosen.value == self.sort_key:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_key, self.sort_descending = chosen.value, False
        self.page = 1
        await self._reload(staff)

    @rx.event
    async def reverse_sort(self):
        """Reverse the order of the current sort."""
        await self._sort(SortKey(self.sort_key))

    # --- Selection ---

    def _person_at(self, position: Any) -> int | None:
        index = _as_int(position)
        if index is None or not 0 <= index < len(self._page_person_ids):
            return None
        return self._page_person_ids[index]

    def _personal_data_person(self, position: Any) -> PersonOnPage | None:
        person_id = self._person_at(position)
        if person_id is None:
            return None
        return PersonOnPage(PersonKind(self.kind), person_id, self.rows[position].name)

    async def _after_anonymisation(self, staff: SessionUser) -> None:
        await self._reload(staff, with_counts=True)

    @rx.event
    async def toggle_row(self, position: int):
        """Select or unselect the row at `position` of the page."""
        person_id = self._person_at(position)
        if person_id is None or self.all_matching or await self._staff() is None:
            return
        if person_id in self._selected_ids:
            self._selected_ids = [other for other in self._selected_ids if other != person_id]
        else:
            self._selected_ids = [*self._selected_ids, person_id]
        self._show_selection()

    @rx.event
    async def toggle_page(self):
        """Select every row of the page, or unselect them when they all are."""
        if self.all_matching or await self._staff() is None:
            return
        on_page = set(self._page_person_ids)
        if on_page <= set(self._selected_ids):
            self._selected_ids = [other for other in self._selected_ids if other not in on_page]
        else:
            missing = [pid for pid in self._page_person_ids if pid not in self._selected_ids]
            self._selected_ids = [*self._selected_ids, *missing]
        self._show_selection()

    @rx.event
    async def select_all_matching(self):
        """Select every person the current search and filter match, on every page."""
        if await self._staff() is None:
            return
        self._selected_ids, self._all_query, self.all_matching = [], self._query(), True
        self._show_selection()

    @rx.event
    async def clear_selection(self):
        if await self._staff() is None:
            return
        self._clear_selection()
        self._show_selection()

    # --- Adding an e-mail address to a person who has none ---

    @rx.event
    async def start_email_edit(self, position: int):
        if self._person_at(position) is None or await self._staff() is None:
            return
        self.editing_position, self.email_draft, self.email_error = position, "", ""

    @rx.event
    def set_email_draft(self, value: str):
        if isinstance(value, str):
            self.email_draft = value[:254]

    @rx.event
    def cancel_email_edit(self):
        self.editing_position, self.email_draft, self.email_error = -1, "", ""

    @rx.event
    async def save_email(self):
        """Save the address typed for the row being edited (validated by the service)."""
        person_id = self._person_at(self.editing_position)
        staff = await self._staff()
        if person_id is None or staff is None:
            return None
        kind = PersonKind(self.kind)
        try:
            await asyncio.to_thread(_save_email, staff, kind, person_id, self.email_draft)
        except InvalidEmail as problem:
            self.email_error = str(problem)
            return None
        except AccessDenied:
            return rx.toast.error("Cette personne n'existe plus.")
        await self._reload(staff, with_counts=True)
        return rx.toast.success("Adresse enregistrée : vous pouvez inscrire cette personne.")

    # --- Actions ---

    @rx.event
    async def request_action(self, action: str):
        """An action on the selection; large or irreversible ones ask for confirmation first."""
        chosen = _as_choice(action, AccessAction)
        staff = await self._staff()
        if chosen is None or staff is None:
            return rx.toast.error(STAFF_ONLY) if staff is None else None
        if self.busy:
            return rx.toast.warning("Une action est déjà en cours.")
        if self.selected_count == 0:
            return rx.toast.warning("Sélectionnez au moins une personne.")
        ids = None if self.all_matching else tuple(self._selected_ids)
        job = _Job(chosen, PersonKind(self.kind), ids, self._all_query)
        if chosen is AccessAction.DEACTIVATE or self.selected_count > CONFIRM_ABOVE:
            whom = _count(self.selected_count, "personne", "personnes")
            return self._ask(job, whom, several=self.selected_count > 1)
        return await self._start(job)

    @rx.event
    async def row_action(self, position: int, action: str):
        """An action on one row (its menu)."""
        chosen = _as_choice(action, AccessAction)
        person_id = self._person_at(position)
        staff = await self._staff()
        if chosen is None or person_id is None or staff is None:
            return rx.toast.error(STAFF_ONLY) if staff is None else None
        if self.busy:
            return rx.toast.warning("Une action est déjà en cours.")
        job = _Job(chosen, PersonKind(self.kind), (person_id,))
        if chosen is AccessAction.DEACTIVATE:
            return self._ask(job, self.rows[position].name)
        return await self._start(job)

    def _ask(self, job: _Job, whom: str, *, several: bool = False):
        self._pending_job = job
        consequence = ""
        if job.action is AccessAction.DEACTIVATE and several:
            consequence = " Leurs sessions seront fermées : elles ne pourront plus se connecter."
        elif job.action is AccessAction.DEACTIVATE:
            consequence = " Ses sessions seront fermées : elle ne pourra plus se connecter."
        self.confirm_text = f"{CONFIRM_VERBS[job.action]} {whom} ?{consequence}"

    @rx.event
    async def confirm(self):
        """The agency confirmed the action described in the dialog."""
        job, self._pending_job, self.confirm_text = self._pending_job, None, ""
        if job is None or self.busy or await self._staff() is None:
            return None
        return await self._start(job)

    @rx.event
    def cancel_confirmation(self):
        self._pending_job, self.confirm_text = None, ""

    async def _start(self, job: _Job):
        self._job, self.busy = job, True
        await self._show_progress(label=PROGRESS_LABELS[job.action], done=0, total=0)
        return AccessState.run_job

    async def _show_progress(self, **values: Any) -> None:
        progress = await self.get_state(AccessProgressState)
        for name, value in values.items():
            setattr(progress, name, value)

    @rx.event(background=True)
    async def run_job(self):
        """Run the action prepared by _start in chunks, each in a thread and its own
        transaction, so that thousands of people never hold the database or the page."""
        async with self:
            job, self._job = self._job, None
            staff = await self._staff() if job is not None else None
            if job is None or staff is None:
                if job is not None:
                    self.busy = False
                return
        try:
            result, done = await self._work(staff, job)
        except Exception:
            logger.exception("Gestion des accès: %s failed", job.action)
            result, done = None, False
        async with self:
            self.busy = False
            self._clear_selection()
            staff = await self._staff()
            if staff is not None:
                await self._reload(staff, with_counts=True)
                self._offer_email_edit(job, result)
        yield self._final_toast(job, result, done)

    def _offer_email_edit(self, job: _Job, result: Result | None) -> None:
        """A person enrolled alone and refused for lack of an e-mail: open its editor."""
        lacking = isinstance(result, EnrolmentResult) and result.missing_email == 1
        if lacking and job.person_ids and job.person_ids[0] in self._page_person_ids:
            self.editing_position = self._page_person_ids.index(job.person_ids[0])
            self.email_draft, self.email_error = "", ""

    async def _work(self, staff: SessionUser, job: _Job) -> tuple[Result | None, bool]:
        """Every chunk in turn; stops if the staff session ends. Returns the summed result."""
        ids = await asyncio.to_thread(_resolve_ids, staff, job)
        async with self:
            await self._show_progress(total=len(ids))
        result: Result | None = None
        shown = time.monotonic()
        for start in range(0, len(ids), access.CHUNK_SIZE):
            if await self._staff() is None:
                return result, False
            chunk = ids[start : start + access.CHUNK_SIZE]
            part = await asyncio.to_thread(_run_chunk, staff, job, chunk)
            result = part if result is None else access.merge_results(result, part)
            if time.monotonic() - shown >= PROGRESS_INTERVAL or start + len(chunk) == len(ids):
                async with self:
                    await self._show_progress(done=start + len(chunk))
                shown = time.monotonic()
        return result, True

    def _final_toast(self, job: _Job, result: Result | None, done: bool):
        if result is None:
            return rx.toast.error("L'action n'a pas pu être menée : rien n'a été modifié.")
        text = _summary(job.action, result)
        if not done:
            return rx.toast.error(f"Action interrompue. {text}.")
        alone = job.person_ids is not None and len(job.person_ids) == 1
        if alone and isinstance(result, EnrolmentResult) and result.missing_email:
            return rx.toast.warning(
                "Inscription impossible : cette personne n'a pas d'adresse e-mail. "
                "Saisissez-la dans la liste, puis inscrivez-la."
            )
        return (rx.toast.warning if result.left_aside else rx.toast.success)(f"{text}.")

    @rx.event
    async def reset_two_factor(self, position: int):
        """A person lost their phone and recovery codes: switch their second factor off and
        end their sessions (agency administrators; the person is told by e-mail)."""
        staff = await self._session_user(Space.AGENCY)
        index = _as_int(position)
        if staff is None or index is None or not 0 <= index < len(self._page_user_ids):
            return rx.toast.error("Action impossible.")
        user_id = self._page_user_ids[index]
        try:
            await asyncio.to_thread(_reset_two_factor, staff, user_id)
        except AccessDenied:
            return rx.toast.error("Réservé aux administrateurs de l'agence.")
        await self._reload(staff)
        return rx.toast.success(
            "Double authentification réinitialisée : la personne se connecte avec son mot de "
            "passe et peut la réactiver dans Mon compte."
        )

    @rx.event
    async def preview(self, position: int):
        """Aperçu: open the row's person's space read-only in this tab (audited)."""
        index = _as_int(position)
        if index is None or not 0 <= index < len(self._page_user_ids):
            return None
        user_id = self._page_user_ids[index]
        if user_id is None:
            return rx.toast.warning("Aperçu impossible : cette personne n'est pas inscrite.")
        return await self._begin_preview(user_id)


# --- Components ------------------------------------------------------------------------------

BADGE_COLORS = {
    AccessStatus.NOT_ENROLLED.value: "gray",
    AccessStatus.CODE_TO_SEND.value: "amber",
    AccessStatus.CODE_SENT.value: "blue",
    AccessStatus.ACTIVATED.value: "green",
    AccessStatus.DEACTIVATED.value: "red",
}


def _status_badge(row: AccessRow) -> rx.Component:
    return rx.vstack(
        rx.badge(
            row.status_label,
            color_scheme=rx.match(row.status, *BADGE_COLORS.items(), "gray"),
            variant="soft",
            white_space="nowrap",
        ),
        rx.cond(
            row.status_detail != "",
            rx.text(row.status_detail, size="1", color=rx.color("gray", 11)),
        ),
        spacing="1",
        align="start",
    )


def _email_editor(row: AccessRow) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(
                value=AccessState.email_draft,
                on_change=AccessState.set_email_draft,
                placeholder="adresse@exemple.fr",
                type="email",
                aria_label=f"Adresse e-mail de {row.name}",
                size="2",
                width="16em",
                max_width="60vw",
                class_name="email-draft",
            ),
            rx.button(
                "Enregistrer", on_click=AccessState.save_email, size="2", class_name="save-email"
            ),
            rx.button("Annuler", on_click=AccessState.cancel_email_edit, size="2", variant="soft"),
            wrap="wrap",
            spacing="2",
        ),
        rx.cond(
            AccessState.email_error != "",
            rx.text(AccessState.email_error, color=rx.color("red", 11), size="2", role="alert"),
        ),
        spacing="1",
    )


def _email_cell(row: AccessRow) -> rx.Component:
    missing = rx.hstack(
        rx.text("aucune adresse e-mail", color=rx.color("red", 11), size="2"),
        rx.cond(
            ~row.enrolled,
            rx.button(
                rx.icon("pencil", size=14),
                "Ajouter",
                size="1",
                variant="soft",
                on_click=AccessState.start_email_edit(row.position),
                class_name="add-email",
            ),
        ),
        align="center",
        wrap="wrap",
        spacing="2",
    )
    return rx.cond(
        AccessState.editing_position == row.position,
        _email_editor(row),
        rx.cond(row.email != "", rx.text(row.email, size="2", class_name="email"), missing),
    )


def _menu_item(
    label: str, icon: str, position: rx.Var, action: AccessAction, **props
) -> rx.Component:
    return rx.menu.item(
        rx.hstack(rx.icon(icon, size=14), rx.text(label), spacing="2", align="center"),
        on_click=AccessState.row_action(position, action.value),
        **props,
    )


def _row_menu(row: AccessRow) -> rx.Component:
    status = row.status
    return rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                aria_label=f"Actions pour {row.name}",
                class_name="row-menu",
            )
        ),
        rx.menu.content(
            rx.cond(
                ~row.enrolled,
                rx.cond(
                    row.email != "",
                    _menu_item("Inscrire", "user-plus", row.position, AccessAction.ENROL),
                    rx.menu.item(
                        "Ajouter l'adresse e-mail",
                        on_click=AccessState.start_email_edit(row.position),
                    ),
                ),
            ),
            rx.cond(
                status == AccessStatus.CODE_TO_SEND.value,
                _menu_item(
                    "Transférer le code au centre d'envoi",
                    "mail",
                    row.position,
                    AccessAction.SEND_CODES,
                ),
            ),
            rx.cond(
                status == AccessStatus.CODE_SENT.value,
                _menu_item(
                    "Renvoyer un code", "mail-plus", row.position, AccessAction.RESEND_CODES
                ),
            ),
            rx.cond(
                row.enrolled,
                rx.menu.item(
                    rx.hstack(rx.icon("eye", size=14), rx.text("Aperçu"), spacing="2"),
                    on_click=AccessState.preview(row.position),
                ),
            ),
            rx.cond(
                row.enrolled & (status != AccessStatus.DEACTIVATED.value),
                _menu_item(
                    "Désactiver",
                    "user-x",
                    row.position,
                    AccessAction.DEACTIVATE,
                    color_scheme="red",
                ),
            ),
            rx.cond(
                status == AccessStatus.DEACTIVATED.value,
                _menu_item("Réactiver", "user-check", row.position, AccessAction.REACTIVATE),
            ),
            rx.cond(
                row.two_factor & AccessState.is_admin,
                rx.menu.item(
                    rx.hstack(
                        rx.icon("shield-off", size=14),
                        rx.text("Réinitialiser la double authentification"),
                        spacing="2",
                    ),
                    on_click=AccessState.reset_two_factor(row.position),
                    class_name="reset-two-factor",
                ),
            ),
            rx.menu.separator(),
            personal_data_menu_item(AccessState, row.position),
        ),
    )


def _row_checkbox(row: AccessRow) -> rx.Component:
    return rx.checkbox(
        checked=AccessState.all_matching | AccessState.selected_positions.contains(row.position),
        disabled=AccessState.all_matching,
        on_change=AccessState.toggle_row(row.position),
        aria_label=f"Sélectionner {row.name}",
        class_name="row-select",
    )


def _name_cell(row: AccessRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.name, weight="bold", size="2", min_width="9em"),
        rx.cond(
            row.external_ref != "",
            rx.text("Réf. ", row.external_ref, size="1", color=rx.color("gray", 11)),
        ),
        spacing="0",
    )


def _header(label: str | rx.Var) -> rx.Component:
    return rx.table.column_header_cell(rx.text(label, size="2", weight="bold"))


def _sort_header(label: str, key: SortKey) -> rx.Component:
    is_current = AccessState.sort_key == key.value
    direction = rx.cond(AccessState.sort_descending, "descending", "ascending")
    return rx.table.column_header_cell(
        rx.button(
            label,
            rx.cond(
                is_current,
                rx.icon(rx.cond(AccessState.sort_descending, "arrow-down", "arrow-up"), size=14),
            ),
            on_click=AccessState.sort_by(key.value),
            variant="ghost",
            size="2",
            font_weight="bold",
            color=rx.color("gray", 12),
            title=f"Trier par {label.lower()}",
        ),
        aria_sort=rx.cond(is_current, direction, "none"),
    )


def _table_row(row: AccessRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_row_checkbox(row)),
        rx.table.row_header_cell(_name_cell(row)),
        rx.table.cell(_email_cell(row)),
        rx.table.cell(rx.text(row.places, size="2")),
        rx.table.cell(_status_badge(row)),
        rx.table.cell(rx.text(row.last_login, size="2", white_space="nowrap")),
        rx.table.cell(_row_menu(row)),
        align="center",
        class_name="access-row",
    )


def _table() -> rx.Component:
    all_on_page = (AccessState.selected_positions.length() == AccessState.rows.length()) & (
        AccessState.rows.length() > 0
    )
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        rx.checkbox(
                            checked=AccessState.all_matching | all_on_page,
                            disabled=AccessState.all_matching,
                            on_change=AccessState.toggle_page,
                            aria_label="Sélectionner toute la page",
                        )
                    ),
                    _sort_header("Nom", SortKey.NAME),
                    _sort_header("E-mail", SortKey.EMAIL),
                    _header(rx.cond(AccessState.kind == PersonKind.TENANT.value, "Lot", "Lots")),
                    _sort_header("Statut", SortKey.STATUS),
                    _header("Dernière connexion"),
                    _header("Actions"),
                )
            ),
            rx.table.body(rx.foreach(AccessState.rows, _table_row)),
            variant="surface",
            size="1",
            width="100%",
        ),
        display=rx.breakpoints(initial="none", md="block"),
        overflow_x="auto",
        width="100%",
        id="access-table",
        style={".email": {"white_space": "nowrap"}},
    )


def _card(row: AccessRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _row_checkbox(row),
                _name_cell(row),
                rx.spacer(),
                _row_menu(row),
                align="start",
                width="100%",
                spacing="3",
            ),
            _email_cell(row),
            rx.text(row.places, size="2"),
            _status_badge(row),
            rx.text("Dernière connexion : ", row.last_login, size="1", color=rx.color("gray", 11)),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="access-card",
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(AccessState.rows, _card),
        display=rx.breakpoints(initial="flex", md="none"),
        spacing="2",
        width="100%",
        id="access-cards",
        style={".email": {"overflow_wrap": "anywhere"}},
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.input(
            value=AccessState.search,
            on_change=AccessState.set_search,
            debounce_timeout=400,
            placeholder="Nom, e-mail, lot, immeuble, référence…",
            aria_label="Rechercher",
            id="access-search",
            width=rx.breakpoints(initial="100%", sm="22em"),
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Filtrer par statut", id="status-filter"),
            rx.select.content(
                rx.foreach(
                    AccessState.status_options,
                    lambda option: rx.select.item(option.label, value=option.value),
                )
            ),
            value=AccessState.status_filter,
            on_change=AccessState.choose_status,
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Trier par", id="sort-key"),
            rx.select.content(
                rx.select.item("Trier par nom", value=SortKey.NAME.value),
                rx.select.item("Trier par statut", value=SortKey.STATUS.value),
                rx.select.item("Trier par e-mail", value=SortKey.EMAIL.value),
            ),
            value=AccessState.sort_key,
            on_change=AccessState.sort_by,
        ),
        rx.icon_button(
            rx.icon(
                rx.cond(
                    AccessState.sort_descending, "arrow-up-wide-narrow", "arrow-down-narrow-wide"
                ),
                size=16,
            ),
            on_click=AccessState.reverse_sort,
            variant="soft",
            aria_label="Inverser l'ordre du tri",
            id="reverse-sort",
        ),
        spacing="2",
        wrap="wrap",
        width="100%",
    )


def _action_button(label: str, icon: str, action: AccessAction, **props) -> rx.Component:
    return rx.button(
        rx.icon(icon, size=16),
        label,
        on_click=AccessState.request_action(action.value),
        disabled=AccessState.busy | (AccessState.selected_count == 0),
        size="2",
        **props,
    )


def _selection_bar() -> rx.Component:
    everyone = rx.cond(
        ~AccessState.all_matching & (AccessState.total > AccessState.rows.length()),
        rx.button(
            AccessState.select_all_text,
            on_click=AccessState.select_all_matching,
            variant="soft",
            size="1",
            id="select-all-matching",
        ),
    )
    return rx.flex(
        rx.text(AccessState.selection_text, size="2", weight="medium", id="selection-count"),
        everyone,
        rx.cond(
            AccessState.selected_count > 0,
            rx.button(
                "Tout désélectionner",
                on_click=AccessState.clear_selection,
                variant="soft",
                size="1",
            ),
        ),
        rx.spacer(display=rx.breakpoints(initial="none", md="block")),
        _action_button("Inscrire", "user-plus", AccessAction.ENROL, id="action-enrol"),
        rx.tooltip(
            rx.icon_button(
                rx.icon("mail", size=18),
                on_click=AccessState.request_action(AccessAction.SEND_CODES.value),
                disabled=AccessState.busy | (AccessState.selected_count == 0),
                aria_label="Transférer les codes d'accès au centre d'envoi",
                id="action-send-codes",
                size="2",
            ),
            content="Transférer les codes d'accès au centre d'envoi",
        ),
        _action_button(
            "Renvoyer un code",
            "mail-plus",
            AccessAction.RESEND_CODES,
            variant="soft",
            id="action-resend",
        ),
        _action_button(
            "Désactiver",
            "user-x",
            AccessAction.DEACTIVATE,
            variant="soft",
            color_scheme="red",
            id="action-deactivate",
        ),
        _action_button(
            "Réactiver",
            "user-check",
            AccessAction.REACTIVATE,
            variant="soft",
            id="action-reactivate",
        ),
        spacing="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _progress() -> rx.Component:
    return rx.cond(
        AccessState.busy,
        rx.vstack(
            rx.text(AccessProgressState.text, size="2"),
            rx.progress(value=AccessProgressState.percent, width="100%"),
            width="100%",
            spacing="1",
            role="status",
            id="access-progress",
        ),
    )


def _pager() -> rx.Component:
    return rx.flex(
        rx.text(AccessState.pager_text, size="2", id="pager-status"),
        rx.spacer(),
        rx.hstack(
            rx.icon_button(
                rx.icon("chevrons-left", size=16),
                on_click=AccessState.go_to_page(1),
                disabled=AccessState.page <= 1,
                variant="soft",
                aria_label="Première page",
            ),
            rx.button(
                rx.icon("chevron-left", size=16),
                "Précédente",
                on_click=AccessState.previous_page,
                disabled=AccessState.page <= 1,
                variant="soft",
                id="previous-page",
            ),
            rx.button(
                "Suivante",
                rx.icon("chevron-right", size=16),
                on_click=AccessState.next_page,
                disabled=AccessState.page >= AccessState.page_count,
                variant="soft",
                id="next-page",
            ),
            rx.icon_button(
                rx.icon("chevrons-right", size=16),
                on_click=AccessState.go_to_page(AccessState.page_count),
                disabled=AccessState.page >= AccessState.page_count,
                variant="soft",
                aria_label="Dernière page",
            ),
            spacing="2",
        ),
        spacing="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _confirmation() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Confirmer"),
            rx.alert_dialog.description(AccessState.confirm_text),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button("Annuler", variant="soft", on_click=AccessState.cancel_confirmation)
                ),
                rx.alert_dialog.action(
                    rx.button("Confirmer", on_click=AccessState.confirm, id="confirm-action")
                ),
                spacing="3",
                justify="end",
                margin_top="1em",
            ),
        ),
        open=AccessState.confirm_text != "",
    )


@space_page(
    route="/agence/acces",
    title="Gestion des accès",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AccessState.load,
)
def agency_access() -> rx.Component:
    return rx.vstack(
        rx.heading("Gestion des accès", as_="h1", size="7"),
        rx.text(
            "Inscrivez les locataires et les propriétaires, puis transférez leurs codes d'accès "
            "au centre d'envoi pour relecture et envoi.",
            color=rx.color("gray", 11),
        ),
        rx.segmented_control.root(
            rx.segmented_control.item("Locataires", value=PersonKind.TENANT.value),
            rx.segmented_control.item("Propriétaires", value=PersonKind.OWNER.value),
            value=AccessState.kind,
            on_change=AccessState.choose_kind,
            id="person-kind",
        ),
        _filters(),
        _selection_bar(),
        _progress(),
        _table(),
        _cards(),
        rx.cond(
            AccessState.total == 0,
            rx.text("Aucune personne ne correspond.", color=rx.color("gray", 11)),
        ),
        _pager(),
        _confirmation(),
        personal_data_dialog(AccessState),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
