"""/agence/actualites: the agency writes, schedules, edits and unpublishes news.

Rows and buildings are named by their position in lists the page holds; the ids behind them
stay in backend-only vars. The picture comes with the save event (Reflex's upload request) and
is checked and stored privately by the services, never in Reflex's upload folder.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.news_feed import NEWS_BODY_STYLE, news_image_url
from extranet_app.components.shell import space_page
from extranet_app.components.upload_field import upload_field
from extranet_app.db import session_scope
from extranet_app.models import NewsAudience
from extranet_app.services import news
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.news import (
    AUDIENCE_LABELS,
    AgencyNewsRow,
    BuildingChoice,
    EditableNews,
    InvalidNews,
    NewsDraft,
    NewsStatus,
)
from extranet_app.services.news_emails import queue_due_news_emails
from extranet_app.services.timekeeping import AGENCY_TIMEZONE
from extranet_app.services.uploads import IMAGE_TYPES, CheckedFile, UploadRefused
from extranet_app.states.session import SessionState
from extranet_app.states.uploads import checked_uploads

IMAGE_UPLOAD_ID = "news-image"
DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> gives
AUDIENCE_OPTIONS = [(audience.value, label) for audience, label in AUDIENCE_LABELS.items()]
STATUS_COLORS = {
    NewsStatus.SCHEDULED.value: "blue",
    NewsStatus.PUBLISHED.value: "green",
    NewsStatus.UNPUBLISHED.value: "gray",
}
FORMAT_HELP = (
    "Mise en forme : **gras**, *italique*, une ligne vide entre deux paragraphes, "
    "« - » en début de ligne pour une liste, [texte du lien](https://adresse)."
)


@dataclass(frozen=True)
class NewsLine:
    """A row of the agency's list as the page shows it (no database id)."""

    reference: str
    title: str
    audience_label: str
    status: str
    status_label: str
    publish_at: str
    pinned: bool
    email_label: str
    has_image: bool
    readers: int


def _line(row: AgencyNewsRow) -> NewsLine:
    return NewsLine(
        reference=row.reference,
        title=row.title,
        audience_label=row.audience_label,
        status=row.status,
        status_label=row.status_label,
        publish_at=row.publish_at,
        pinned=row.pinned,
        email_label=row.email_label,
        has_image=row.has_image,
        readers=row.readers,
    )


def parse_publish_at(text: str) -> datetime | None:
    """The form's Paris date and time as a UTC instant; None (publish now) when empty."""
    if not text.strip():
        return None
    try:
        local = datetime.strptime(text.strip(), DATETIME_INPUT_FORMAT)
    except ValueError as error:
        raise InvalidNews("Date de publication invalide.") from error
    return local.replace(tzinfo=AGENCY_TIMEZONE)


def format_publish_at(moment: datetime) -> str:
    """A stored instant as the form's Paris date and time."""
    return moment.astimezone(AGENCY_TIMEZONE).strftime(DATETIME_INPUT_FORMAT)


# --- Blocking work, run in threads ------------------------------------------------------------


def _load(user: SessionUser) -> tuple[list[AgencyNewsRow], list[BuildingChoice]]:
    with session_scope() as session:
        # Scheduled items whose time has come get their e-mails here too, should the outbox
        # sender not have run yet.
        queue_due_news_emails(session=session)
        rows = news.list_agency_news(session=session, actor=user)
        return rows, news.list_buildings(session=session, actor=user)


def _editable(user: SessionUser, news_id: int) -> EditableNews | None:
    with session_scope() as session:
        return news.get_editable_news(session=session, actor=user, news_id=news_id)


def _save(
    user: SessionUser,
    news_id: int | None,
    draft: NewsDraft,
    image: CheckedFile | None,
    remove_image: bool,
) -> None:
    with session_scope() as session:
        if news_id is None:
            news.create_news(session=session, actor=user, draft=draft, image=image)
        else:
            news.update_news(
                session=session,
                actor=user,
                news_id=news_id,
                draft=draft,
                image=image,
                remove_image=remove_image,
            )


def _set_online(user: SessionUser, news_id: int, online: bool) -> None:
    with session_scope() as session:
        change = news.republish_news if online else news.unpublish_news
        change(session=session, actor=user, news_id=news_id)


# --- State ------------------------------------------------------------------------------------


class AgencyNewsState(SessionState):
    """The agency's Actualités: the list, and the form to write or edit one item."""

    lines: list[NewsLine] = []
    buildings: list[str] = []
    form_open: bool = False
    editing: bool = False
    title: str = ""
    body: str = ""
    audience: str = NewsAudience.EVERYONE.value
    building: str = ""  # position in `buildings`, as text (a select's value)
    publish_at: str = ""
    pinned: bool = False
    email: bool = False
    has_image: bool = False
    image_reference: str = ""
    remove_image: bool = False
    email_queued: bool = False
    preview: str = ""
    error: str = ""
    saving: bool = False
    _line_ids: list[int] = []
    _building_ids: list[int] = []
    _editing_id: int | None = None

    async def _staff(self) -> SessionUser | None:
        user = await self._session_user(Space.AGENCY)
        return user if user is not None and user.is_agency else None

    async def _refresh(self, user: SessionUser) -> None:
        rows, buildings = await asyncio.to_thread(_load, user)
        self._line_ids = [row.id for row in rows]
        self.lines = [_line(row) for row in rows]
        self._building_ids = [building.id for building in buildings]
        self.buildings = [building.label for building in buildings]

    def _forget(self) -> None:
        self.lines, self._line_ids, self.buildings, self._building_ids = [], [], [], []
        self._reset_form()

    def _reset_form(self) -> None:
        self.form_open = self.editing = self.pinned = self.email = False
        self.has_image = self.remove_image = self.email_queued = False
        self.title = self.body = self.building = self.preview = self.error = ""
        self.image_reference = ""
        self.audience = NewsAudience.EVERYONE.value
        self.publish_at = ""  # published as soon as it is saved
        self._editing_id = None

    @rx.event
    async def load(self):
        """Page load: every item with its status."""
        user = await self._staff()
        if user is None:
            self._forget()
            return
        await self._refresh(user)

    @rx.event
    async def new_item(self):
        """Open an empty form (published now unless a date is chosen)."""
        if await self._staff() is None:
            return
        self._reset_form()
        self.form_open = True

    @rx.event
    async def edit_item(self, position: int):
        """Open the form on the item at `position` of the list."""
        user = await self._staff()
        if user is None or type(position) is not int or not 0 <= position < len(self._line_ids):
            return None
        found = await asyncio.to_thread(_editable, user, self._line_ids[position])
        if found is None:
            return rx.toast.error("Cette actualité n'existe plus.")
        self._fill_form(found)
        self._editing_id = self._line_ids[position]
        return None

    def _fill_form(self, found: EditableNews) -> None:
        self._reset_form()
        draft = found.draft
        self.form_open = self.editing = True
        self.title, self.body, self.audience = draft.title, draft.body, draft.audience
        positions = {building_id: i for i, building_id in enumerate(self._building_ids)}
        position = positions.get(draft.property_id)
        self.building = "" if position is None else str(position)
        self.publish_at = format_publish_at(draft.publish_at)
        self.pinned, self.email = draft.pinned, draft.email_audience
        self.has_image, self.image_reference = found.has_image, found.reference
        self.email_queued = found.email_queued
        self.preview = news.preview_html(draft.body)

    @rx.event
    def close_form(self):
        self._reset_form()

    @rx.event
    def set_title(self, value: str):
        self.title = value[: news.MAX_TITLE_LENGTH] if isinstance(value, str) else ""

    @rx.event
    def set_body(self, value: str):
        """Keep the text and show it as readers will see it."""
        self.body = value[: news.MAX_BODY_LENGTH] if isinstance(value, str) else ""
        self.preview = news.preview_html(self.body)

    @rx.event
    def set_audience(self, value: str):
        if isinstance(value, str) and value in set(NewsAudience):
            self.audience = value

    @rx.event
    def set_building(self, value: str):
        if isinstance(value, str) and value.isdigit() and int(value) < len(self._building_ids):
            self.building = value

    @rx.event
    def set_publish_at(self, value: str):
        self.publish_at = value[:20] if isinstance(value, str) else ""

    @rx.event
    def set_pinned(self, value: bool):
        self.pinned = value is True

    @rx.event
    def set_email(self, value: bool):
        self.email = value is True

    @rx.event
    def set_remove_image(self, value: bool):
        self.remove_image = value is True

    def _draft(self) -> NewsDraft:
        property_id = None
        position = int(self.building) if self.building.isdigit() else -1
        if self.audience == NewsAudience.PROPERTY and 0 <= position < len(self._building_ids):
            property_id = self._building_ids[position]
        return NewsDraft(
            title=self.title,
            body=self.body,
            audience=self.audience,
            property_id=property_id,
            publish_at=parse_publish_at(self.publish_at),
            pinned=self.pinned,
            email_audience=self.email,
        )

    @rx.event
    async def save(self, files: list[rx.UploadFile]):
        """Publish, schedule or change the item, with the picture chosen (if any)."""
        user = await self._staff()
        if user is None or not self.form_open or self.saving:
            return None
        self.saving, self.error = True, ""
        try:
            image = await self._checked_image(files)
            draft = self._draft()
            await asyncio.to_thread(_save, user, self._editing_id, draft, image, self.remove_image)
        except (InvalidNews, UploadRefused, AccessDenied) as refusal:
            self.error = str(refusal) or "Action refusée."
            return None
        finally:
            self.saving = False
        done = "Actualité enregistrée." if self.editing else "Actualité publiée."
        self._reset_form()
        await self._refresh(user)
        return [rx.clear_selected_files(IMAGE_UPLOAD_ID), rx.toast.success(done)]

    async def _checked_image(self, files: object) -> CheckedFile | None:
        if not isinstance(files, list) or not files:
            return None
        if len(files) > 1:
            raise UploadRefused("Une seule image par actualité.")
        return (await checked_uploads(files, allowed=IMAGE_TYPES))[0]

    async def _set_online(self, position: int, online: bool):
        user = await self._staff()
        if user is None or type(position) is not int or not 0 <= position < len(self._line_ids):
            return None
        try:
            await asyncio.to_thread(_set_online, user, self._line_ids[position], online)
        except (InvalidNews, AccessDenied) as refusal:
            return rx.toast.error(str(refusal) or "Action refusée.")
        await self._refresh(user)
        return rx.toast.success("Actualité republiée." if online else "Actualité dépubliée.")

    @rx.event
    async def unpublish(self, position: int):
        """Take the item at `position` down."""
        return await self._set_online(position, False)

    @rx.event
    async def republish(self, position: int):
        """Put the item at `position` back online."""
        return await self._set_online(position, True)


# --- Components -------------------------------------------------------------------------------


def _status_badge(line: NewsLine) -> rx.Component:
    color = rx.match(line.status, *STATUS_COLORS.items(), "gray")
    return rx.badge(line.status_label, color_scheme=color, variant="soft", class_name="status")


def _row_actions(line: NewsLine, index: rx.Var) -> rx.Component:
    online = line.status != NewsStatus.UNPUBLISHED.value
    return rx.hstack(
        rx.button(
            rx.icon("pencil", size=14),
            "Modifier",
            on_click=AgencyNewsState.edit_item(index),
            variant="soft",
            size="1",
            class_name="edit-news",
        ),
        rx.cond(
            online,
            rx.button(
                rx.icon("eye-off", size=14),
                "Dépublier",
                on_click=AgencyNewsState.unpublish(index),
                variant="soft",
                color_scheme="red",
                size="1",
                class_name="unpublish-news",
            ),
            rx.button(
                rx.icon("eye", size=14),
                "Republier",
                on_click=AgencyNewsState.republish(index),
                variant="soft",
                size="1",
                class_name="republish-news",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _title_cell(line: NewsLine) -> rx.Component:
    return rx.hstack(
        rx.cond(line.pinned, rx.icon("pin", size=14, color=rx.color("amber", 10))),
        rx.text(line.title, weight="medium"),
        rx.cond(line.has_image, rx.icon("image", size=14, color=rx.color("gray", 10))),
        align="center",
        spacing="2",
    )


def _table_row(line: NewsLine, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_title_cell(line)),
        rx.table.cell(line.audience_label),
        rx.table.cell(line.publish_at, white_space="nowrap"),
        rx.table.cell(_status_badge(line)),
        rx.table.cell(rx.text(line.email_label, size="1")),
        rx.table.cell(line.readers),
        rx.table.cell(_row_actions(line, index)),
        class_name="news-row",
    )


def _table() -> rx.Component:
    headers = ["Titre", "Destinataires", "Publication", "Statut", "E-mail", "Lue par", ""]
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(header) for header in headers])
            ),
            rx.table.body(rx.foreach(AgencyNewsState.lines, _table_row)),
            variant="surface",
            width="100%",
        ),
        display=rx.breakpoints(initial="none", md="block"),
        overflow_x="auto",
        width="100%",
    )


def _card(line: NewsLine, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            _title_cell(line),
            rx.hstack(_status_badge(line), rx.text(line.publish_at, size="2"), wrap="wrap"),
            rx.text(line.audience_label, size="2"),
            rx.cond(line.email_label != "", rx.text(line.email_label, size="1")),
            rx.text("Lue par ", line.readers, " personne(s)", size="1"),
            _row_actions(line, index),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="news-card",
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(AgencyNewsState.lines, _card),
        display=rx.breakpoints(initial="flex", md="none"),
        spacing="2",
        width="100%",
    )


def _labelled(label: str, control: rx.Component, html_for: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=html_for, font_weight="500"),
        control,
        spacing="1",
        width="100%",
    )


def _audience_fields() -> rx.Component:
    audience = rx.select.root(
        rx.select.trigger(id="news-audience", aria_label="Destinataires"),
        rx.select.content(
            *[rx.select.item(label, value=value) for value, label in AUDIENCE_OPTIONS]
        ),
        value=AgencyNewsState.audience,
        on_change=AgencyNewsState.set_audience,
    )
    building = rx.select.root(
        rx.select.trigger(
            placeholder="Choisir l'immeuble", id="news-building", aria_label="Immeuble"
        ),
        rx.select.content(
            rx.foreach(
                AgencyNewsState.buildings,
                lambda label, index: rx.select.item(label, value=index.to_string()),
            )
        ),
        value=AgencyNewsState.building,
        on_change=AgencyNewsState.set_building,
    )
    return rx.flex(
        _labelled("Destinataires", audience, "news-audience"),
        rx.cond(
            AgencyNewsState.audience == NewsAudience.PROPERTY.value,
            _labelled("Immeuble", building, "news-building"),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="3",
        width="100%",
    )


def _options() -> rx.Component:
    return rx.vstack(
        _labelled(
            "Date de publication",
            rx.input(
                type="datetime-local",
                id="news-publish-at",
                value=AgencyNewsState.publish_at,
                on_change=AgencyNewsState.set_publish_at,
            ),
            "news-publish-at",
        ),
        rx.text(
            "Vide : publiée dès l'enregistrement. Une date future programme l'actualité : "
            "elle n'apparaît qu'à partir de ce moment.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.checkbox(
            "Épingler en tête de liste",
            checked=AgencyNewsState.pinned,
            on_change=AgencyNewsState.set_pinned,
            id="news-pinned",
        ),
        rx.checkbox(
            "Prévenir les destinataires par e-mail (via le centre d'envoi, à la publication)",
            checked=AgencyNewsState.email,
            on_change=AgencyNewsState.set_email,
            disabled=AgencyNewsState.email_queued,
            id="news-email",
        ),
        rx.cond(
            AgencyNewsState.email_queued,
            rx.text("Les e-mails sont déjà partis au centre d'envoi.", size="1"),
        ),
        spacing="2",
        width="100%",
    )


def _image_fields() -> rx.Component:
    return rx.vstack(
        rx.text("Image (facultative)", weight="medium"),
        rx.cond(
            AgencyNewsState.has_image,
            rx.vstack(
                rx.image(
                    src=news_image_url(AgencyNewsState.image_reference, Space.AGENCY),
                    alt="Image actuelle",
                    max_height="160px",
                    border_radius="6px",
                ),
                rx.checkbox(
                    "Retirer l'image",
                    checked=AgencyNewsState.remove_image,
                    on_change=AgencyNewsState.set_remove_image,
                ),
                spacing="2",
            ),
        ),
        upload_field(IMAGE_UPLOAD_ID, allowed=IMAGE_TYPES, multiple=False),
        spacing="2",
        width="100%",
    )


def _editor() -> rx.Component:
    return rx.vstack(
        _labelled(
            "Titre",
            rx.input(
                id="news-title",
                value=AgencyNewsState.title,
                on_change=AgencyNewsState.set_title,
                max_length=news.MAX_TITLE_LENGTH,
                width="100%",
            ),
            "news-title",
        ),
        _labelled(
            "Texte",
            rx.text_area(
                id="news-body",
                value=AgencyNewsState.body,
                on_change=AgencyNewsState.set_body,
                max_length=news.MAX_BODY_LENGTH,
                rows="10",
                width="100%",
            ),
            "news-body",
        ),
        rx.text(FORMAT_HELP, size="1", color=rx.color("gray", 11)),
        _audience_fields(),
        _options(),
        _image_fields(),
        spacing="3",
        width="100%",
    )


def _preview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Aperçu", size="1", weight="bold", color=rx.color("gray", 10)),
            rx.heading(AgencyNewsState.title, as_="h3", size="4"),
            rx.html(AgencyNewsState.preview, id="news-preview", style=NEWS_BODY_STYLE),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(
                rx.cond(AgencyNewsState.editing, "Modifier l'actualité", "Nouvelle actualité"),
                as_="h2",
                size="5",
            ),
            rx.cond(
                AgencyNewsState.error != "",
                rx.callout(
                    AgencyNewsState.error,
                    icon="triangle-alert",
                    color_scheme="red",
                    role="alert",
                    id="news-error",
                    width="100%",
                ),
            ),
            rx.grid(
                _editor(), _preview(), columns=rx.breakpoints(initial="1", md="2"), spacing="4"
            ),
            rx.hstack(
                rx.button(
                    rx.icon("send", size=16),
                    rx.cond(AgencyNewsState.editing, "Enregistrer", "Publier"),
                    on_click=AgencyNewsState.save(rx.upload_files(upload_id=IMAGE_UPLOAD_ID)),
                    loading=AgencyNewsState.saving,
                    id="news-save",
                ),
                rx.button(
                    "Annuler",
                    on_click=AgencyNewsState.close_form,
                    variant="soft",
                    color_scheme="gray",
                ),
                spacing="3",
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        id="news-form",
    )


@space_page(
    route="/agence/actualites",
    title="Actualités",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyNewsState.load,
)
def agency_news() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Actualités", as_="h1", size="7"),
            rx.button(
                rx.icon("plus", size=16),
                "Nouvelle actualité",
                on_click=AgencyNewsState.new_item,
                id="news-new",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(AgencyNewsState.form_open, _form()),
        rx.cond(
            AgencyNewsState.lines.length() > 0,
            rx.fragment(_table(), _cards()),
            rx.text("Aucune actualité pour le moment.", color=rx.color("gray", 11)),
        ),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
