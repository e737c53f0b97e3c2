"""/agence/import: the agency takes in a CSV or XLSX export of its management software.

Choose the kind of data, upload the file, match its columns to the fields (the last choice
is remembered per kind), look at the first rows, check it (a dry run lists every problem by
line and column), then import it whole. The check and the import run as a background event:
the work is in a thread and commits once, the page shows its progress, and other users keep
working (services/data_import.py explains how the database stays available).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import data_import
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.data_import import FileOverview, ImportConflict, ImportReport
from extranet_app.services.data_kinds import KINDS, DataKind, kind_spec
from extranet_app.services.errors import AccessDenied
from extranet_app.services.import_files import FileUnreadable
from extranet_app.services.import_uploads import (
    discard_import_file,
    read_import_file,
    store_import_file,
)
from extranet_app.services.uploads import UploadRefused
from extranet_app.settings import get_settings
from extranet_app.states.session import SessionState

logger = logging.getLogger(__name__)

ROUTE = "/agence/import"
UPLOAD_ID = "import-file"
NOT_IMPORTED = "— non importé —"
STAFF_ONLY = "Action réservée à l'agence."
PROBLEMS_SHOWN = 200
PROGRESS_INTERVAL = 0.3
KIND_OPTIONS = [(kind.value, spec.label) for kind, spec in KINDS.items()]


@dataclass(frozen=True)
class MappingRow:
    """A field of the chosen kind and the file's column it takes its values from."""

    name: str
    label: str
    required: bool
    column: str  # NOT_IMPORTED when the field is left out


@dataclass(frozen=True)
class _Job:
    """What the background runner does: check only, or import."""

    kind: DataKind
    key: str
    mapping: dict[str, str]
    dry_run: bool


# --- Plain functions run in threads -------------------------------------------------------------


def _inspect(staff: SessionUser, kind: DataKind, key: str) -> FileOverview:
    data = read_import_file(key)
    with session_scope() as session:
        return data_import.inspect_file(session=session, actor=staff, kind=kind, data=data)


def _remember(staff: SessionUser, kind: DataKind, mapping: dict[str, str]) -> None:
    with session_scope() as session:
        data_import.remember_mapping(session=session, actor=staff, kind=kind, mapping=mapping)


def _run(staff: SessionUser, job: _Job, progress: dict[str, float]) -> ImportReport:
    data = read_import_file(job.key)
    with session_scope() as session:
        return data_import.import_file(
            session=session,
            actor=staff,
            kind=job.kind,
            data=data,
            mapping=job.mapping,
            dry_run=job.dry_run,
            progress=lambda fraction: progress.__setitem__("fraction", fraction),
        )


def _about(rows: int) -> str:
    count = f"{rows:,}".replace(",", "\u202f")
    return f"environ {count} ligne{'s' if rows > 1 else ''} de données"


# --- The states ---------------------------------------------------------------------------------


class ImportProgressState(rx.State):
    """Progress of the check or import under way: a state of its own, so that each update
    re-renders the bar alone, not the mapping and the preview."""

    label: str = ""
    percent: int = 0


class AgencyImportState(SessionState):
    """The Import page: kind, file, column mapping, preview, check, import and report."""

    kind: str = DataKind.TENANTS.value
    file_name: str = ""
    file_description: str = ""
    column_options: list[str] = []
    mapping_rows: list[MappingRow] = []
    preview_headers: list[str] = []
    preview_rows: list[list[str]] = []
    busy: bool = False
    report_ok: bool = False
    report_title: str = ""
    report_detail: str = ""
    problems: list[str] = []
    problems_more: str = ""
    # Backend only: where the uploaded file is kept, its first rows, the job under way.
    _file_key: str = ""
    _headers: list[str] = []
    _preview: list[list[str]] = []
    _job: _Job | None = None

    async def _staff(self) -> SessionUser | None:
        return await self._session_user(Space.AGENCY)

    def _chosen_kind(self) -> DataKind:
        return DataKind(self.kind)

    def _mapping(self) -> dict[str, str]:
        return {
            row.name: "" if row.column == NOT_IMPORTED else row.column for row in self.mapping_rows
        }

    def _clear_report(self) -> None:
        self.report_ok, self.report_title, self.report_detail = False, "", ""
        self.problems, self.problems_more = [], ""

    def _forget_file(self) -> None:
        if self._file_key:
            discard_import_file(self._file_key)
        self._file_key, self.file_name, self.file_description = "", "", ""
        self._headers, self._preview, self.column_options = [], [], []
        self.mapping_rows, self.preview_headers, self.preview_rows = [], [], []

    def _show_overview(self, overview: FileOverview) -> None:
        self.file_description = f"{overview.description} — {_about(overview.estimated_rows)}"
        self._headers = list(overview.headers)
        self._preview = [list(row) for row in overview.preview]
        self.column_options = [NOT_IMPORTED, *overview.headers]
        spec = KINDS[self._chosen_kind()]
        self.mapping_rows = [
            MappingRow(
                field.name,
                field.label,
                field.required,
                overview.mapping[field.name] or NOT_IMPORTED,
            )
            for field in spec.fields
        ]
        self._show_preview()

    def _show_preview(self) -> None:
        """The first rows, as the chosen mapping reads them (field by field)."""
        mapped = [row for row in self.mapping_rows if row.column != NOT_IMPORTED]
        positions = [self._headers.index(row.column) for row in mapped]
        self.preview_headers = [row.label for row in mapped]
        self.preview_rows = [[cells[p] for p in positions] for cells in self._preview]

    @rx.event
    async def load(self):
        """On page load: an empty form (a file uploaded before is forgotten)."""
        if await self._staff() is None:
            return
        self.busy = False
        self._forget_file()
        self._clear_report()

    @rx.event
    async def choose_kind(self, kind: str):
        """Change the kind of data; a file already uploaded is matched again."""
        staff = await self._staff()
        spec = kind_spec(kind)
        if staff is None or spec is None or self.busy:
            return None
        self.kind = spec.kind.value
        self._clear_report()
        if self._file_key:
            return await self._inspect(staff)
        return None

    async def _inspect(self, staff: SessionUser):
        try:
            overview = await asyncio.to_thread(_inspect, staff, self._chosen_kind(), self._file_key)
        except (FileUnreadable, FileNotFoundError) as problem:
            message = str(problem) if isinstance(problem, FileUnreadable) else "Fichier expiré."
            self._forget_file()
            return rx.toast.error(message)
        self._show_overview(overview)
        return None

    @rx.event
    async def receive_file(self, files: list[rx.UploadFile]):
        """The file chosen in the upload zone: checked, kept privately, its columns read."""
        staff = await self._staff()
        if staff is None:
            return rx.toast.error(STAFF_ONLY)
        if self.busy:
            return rx.toast.warning("Un import est en cours.")
        if not isinstance(files, list) or len(files) != 1:
            return rx.toast.error("Choisissez un seul fichier CSV ou XLSX.")
        upload = files[0]
        # One byte past the limit tells a file too large without reading all of a huge one.
        data = await upload.read(get_settings().upload_max_bytes + 1)
        try:
            stored = await asyncio.to_thread(
                store_import_file, filename=upload.name or "", data=data
            )
        except UploadRefused as problem:
            return rx.toast.error(str(problem))
        self._forget_file()
        self._clear_report()
        self._file_key, self.file_name = stored.key, stored.filename
        problem = await self._inspect(staff)
        return [rx.clear_selected_files(UPLOAD_ID), *([problem] if problem else [])]

    @rx.event
    async def set_column(self, field_name: str, column: str):
        """Match a field to a column of the file (or leave it out)."""
        if not isinstance(field_name, str) or not isinstance(column, str) or self.busy:
            return
        if column not in self.column_options or await self._staff() is None:
            return
        self.mapping_rows = [
            MappingRow(row.name, row.label, row.required, column) if row.name == field_name else row
            for row in self.mapping_rows
        ]
        self._clear_report()
        self._show_preview()

    @rx.event
    async def check(self):
        """Vérifier: a dry run that reports every problem and writes nothing."""
        return await self._start(dry_run=True)

    @rx.event
    async def run_import(self):
        """Importer: the whole file, or nothing when it has a problem."""
        return await self._start(dry_run=False)

    async def _start(self, *, dry_run: bool):
        staff = await self._staff()
        if staff is None:
            return rx.toast.error(STAFF_ONLY)
        if self.busy:
            return rx.toast.warning("Un import est en cours.")
        if not self._file_key:
            return rx.toast.warning("Chargez d'abord un fichier.")
        mapping, kind = self._mapping(), self._chosen_kind()
        try:
            await asyncio.to_thread(_remember, staff, kind, mapping)
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        self._job = _Job(kind, self._file_key, mapping, dry_run)
        self.busy = True
        self._clear_report()
        progress = await self.get_state(ImportProgressState)
        progress.label = "Vérification" if dry_run else "Import"
        progress.percent = 0
        return AgencyImportState.run_job

    @rx.event(background=True)
    async def run_job(self):
        """Run the check or import prepared by _start in a thread, showing its progress."""
        async with self:
            job, self._job = self._job, None
            staff = await self._staff() if job is not None else None
            if job is None or staff is None:
                self.busy = False
                return
        report, failure = await self._work(staff, job)
        async with self:
            self.busy = False
            if report is not None:
                self._show_report(report)
            else:
                self.report_title = failure
        yield self._final_toast(report, failure)

    async def _work(self, staff: SessionUser, job: _Job) -> tuple[ImportReport | None, str]:
        progress: dict[str, float] = {"fraction": 0.0}
        task = asyncio.ensure_future(asyncio.to_thread(_run, staff, job, progress))
        while not task.done():
            await asyncio.wait({task}, timeout=PROGRESS_INTERVAL)
            async with self:
                state = await self.get_state(ImportProgressState)
                state.percent = round(100 * progress["fraction"])
        try:
            return task.result(), ""
        except ImportConflict as conflict:
            return None, str(conflict)
        except (FileNotFoundError, AccessDenied):
            return None, "Le fichier n'est plus disponible : chargez-le à nouveau."
        except Exception:
            logger.exception("Import of %s failed", job.kind.value)
            return None, "L'import a échoué : rien n'a été enregistré."

    def _show_report(self, report: ImportReport) -> None:
        self.report_ok = report.ok
        self.report_title = report.conclusion
        ignored = ", ".join(report.ignored_columns)
        self.report_detail = f"Colonnes non importées : {ignored}." if ignored else ""
        self.problems = [problem.text for problem in report.problems[:PROBLEMS_SHOWN]]
        hidden = report.problem_count - len(self.problems)
        self.problems_more = f"… et {hidden} autres problèmes." if hidden > 0 else ""

    def _final_toast(self, report: ImportReport | None, failure: str):
        if report is None:
            return rx.toast.error(failure)
        if not report.ok:
            return rx.toast.error(report.conclusion)
        return rx.toast.success(report.conclusion)


# --- Components ---------------------------------------------------------------------------------


def _kind_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Type de données", min_width="220px", id="import-kind"),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in KIND_OPTIONS]),
        value=AgencyImportState.kind,
        on_change=AgencyImportState.choose_kind,
        disabled=AgencyImportState.busy,
    )


def _upload_zone() -> rx.Component:
    return rx.vstack(
        rx.upload.root(
            rx.vstack(
                rx.button(
                    rx.icon("file-up", size=16), "Choisir un fichier", type="button", variant="soft"
                ),
                rx.text(
                    "ou déposez-le ici · CSV (séparateur ; ou ,) ou XLSX",
                    size="1",
                    color_scheme="gray",
                ),
                align="center",
                spacing="1",
            ),
            id=UPLOAD_ID,
            accept={
                "text/csv": [".csv", ".txt"],
                "application/vnd.ms-excel": [".csv"],
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
            },
            multiple=False,
            max_size=get_settings().upload_max_bytes,
            border="1px dashed var(--gray-8)",
            border_radius="8px",
            padding="1em",
            width="100%",
        ),
        rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.text(name, size="2")),
        rx.button(
            rx.icon("upload", size=16),
            "Charger le fichier",
            on_click=AgencyImportState.receive_file(rx.upload_files(upload_id=UPLOAD_ID)),
            disabled=AgencyImportState.busy,
            id="import-upload",
        ),
        spacing="2",
        width="100%",
    )


def _file_step() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("1. Fichier", as_="h2", size="4"),
            rx.flex(
                rx.text("Données à importer :", weight="bold"),
                _kind_select(),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            _upload_zone(),
            rx.cond(
                AgencyImportState.file_name != "",
                rx.text(
                    rx.text.strong(AgencyImportState.file_name),
                    " — ",
                    AgencyImportState.file_description,
                    size="2",
                    id="import-file-name",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _mapping_row(row: MappingRow) -> rx.Component:
    return rx.flex(
        rx.text(
            row.label,
            rx.cond(row.required, " *", ""),
            width=rx.breakpoints(initial="100%", sm="200px"),
            weight="medium",
        ),
        rx.select(
            AgencyImportState.column_options,
            value=row.column,
            on_change=lambda column: AgencyImportState.set_column(row.name, column),
            disabled=AgencyImportState.busy,
            aria_label="Colonne du fichier pour " + row.label,
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        width="100%",
    )


def _preview_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.foreach(
                        AgencyImportState.preview_headers,
                        lambda header: rx.table.column_header_cell(header, white_space="nowrap"),
                    )
                )
            ),
            rx.table.body(
                rx.foreach(
                    AgencyImportState.preview_rows,
                    lambda cells: rx.table.row(
                        rx.foreach(cells, lambda cell: rx.table.cell(cell, white_space="nowrap"))
                    ),
                )
            ),
            variant="surface",
            size="1",
        ),
        overflow_x="auto",
        width="100%",
        id="import-preview",
    )


def _mapping_step() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("2. Colonnes", as_="h2", size="4"),
            rx.text(
                "Associez chaque champ à une colonne du fichier (* : obligatoire). Ce choix est "
                "mémorisé pour les prochains imports de ce type, y compris en ligne de commande.",
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.vstack(rx.foreach(AgencyImportState.mapping_rows, _mapping_row), spacing="2"),
            rx.heading("Aperçu des premières lignes", as_="h3", size="3"),
            _preview_table(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _actions() -> rx.Component:
    return rx.flex(
        rx.button(
            rx.icon("list-checks", size=16),
            "Vérifier sans importer",
            on_click=AgencyImportState.check,
            disabled=AgencyImportState.busy,
            variant="soft",
            id="import-check",
        ),
        rx.button(
            rx.icon("database", size=16),
            "Importer",
            on_click=AgencyImportState.run_import,
            disabled=AgencyImportState.busy,
            id="import-run",
        ),
        spacing="3",
        wrap="wrap",
    )


def _progress() -> rx.Component:
    return rx.cond(
        AgencyImportState.busy,
        rx.vstack(
            rx.text(ImportProgressState.label, " : ", ImportProgressState.percent, " %", size="2"),
            rx.progress(value=ImportProgressState.percent, width="100%"),
            width="100%",
            spacing="1",
            role="status",
            id="import-progress",
        ),
    )


def _report() -> rx.Component:
    return rx.cond(
        AgencyImportState.report_title != "",
        rx.vstack(
            rx.callout(
                AgencyImportState.report_title,
                icon=rx.cond(AgencyImportState.report_ok, "circle-check", "triangle-alert"),
                color_scheme=rx.cond(AgencyImportState.report_ok, "green", "red"),
                role="status",
                width="100%",
                id="import-report",
            ),
            rx.cond(
                AgencyImportState.report_detail != "",
                rx.text(AgencyImportState.report_detail, size="2", color=rx.color("gray", 11)),
            ),
            rx.cond(
                AgencyImportState.problems.length() > 0,
                rx.el.ul(
                    rx.foreach(
                        AgencyImportState.problems,
                        lambda problem: rx.el.li(rx.text(problem, size="2")),
                    ),
                    id="import-problems",
                    style={"paddingLeft": "1.2em", "margin": "0"},
                ),
            ),
            rx.cond(
                AgencyImportState.problems_more != "",
                rx.text(AgencyImportState.problems_more, size="2"),
            ),
            width="100%",
            spacing="2",
        ),
    )


@space_page(
    route=ROUTE,
    title="Import",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyImportState.load,
)
def agency_import() -> rx.Component:
    return rx.vstack(
        rx.heading("Import", as_="h1", size="7"),
        rx.text(
            "Reprenez les données de votre logiciel de gestion : propriétaires, locataires, "
            "immeubles, lots, mandats, baux, appels de loyer et paiements. Les lignes sont "
            "rapprochées des fiches existantes par leur référence ; un fichier est importé en "
            "entier ou pas du tout.",
            color=rx.color("gray", 11),
        ),
        _file_step(),
        rx.cond(
            AgencyImportState.file_name != "",
            rx.vstack(_mapping_step(), _actions(), width="100%", spacing="4"),
        ),
        _progress(),
        _report(),
        spacing="4",
        width="100%",
        max_width="1000px",
    )
