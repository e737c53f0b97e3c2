"""Import of the agency's data from its management software: check everything, then write all.

An import runs in two steps:
1. Read and check, with reads only: every row is parsed (services/import_values.py), then
   checked as a whole: duplicate references or e-mail addresses in the file, references to
   unknown records, conflicts with the database. Each problem is reported with its line and
   column, in French. Rows are matched to existing records by their reference in the agency's
   software (`external_ref`), never by name: a row is then new, changed or unchanged.
2. Write, only when no problem was found (a dry run stops before): every row in ONE
   transaction, inserted or updated in bulk (executemany), committed once. Any failure rolls
   the whole file back: nothing is ever half-imported.

SQLite has one writer at a time, and the other users' writes wait for it (busy_timeout, 5 s).
That is why step 1, the slow one (parsing 50 000 rows), holds no lock at all, and step 2 only
sends prepared rows in a few statements: its write lock lasts about a second for 50 000 rent
calls (benchmarks/bench_import.py). Between the two steps someone may change the data; the
database's constraints then refuse the write (ImportConflict) and nothing is written.

Imported rent calls and payments settle the ledger with the rule of the Encaissements screen
(rent_ledger.settle_oldest_first): under the leases' write lock, each payment with credit
settles the oldest open periods first. An import never deletes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from extranet_app.models import ImportMapping
from extranet_app.models.base import utcnow
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_staff, require_writable
from extranet_app.services.data_kinds import (
    KINDS,
    DataKind,
    FieldSpec,
    KindSpec,
    derived_values,
    row_problems,
)
from extranet_app.services.data_records import (
    Candidate,
    check_candidates,
    parse_cell,
    write_candidates,
)
from extranet_app.services.import_files import FileUnreadable, Row, TableFile
from extranet_app.services.import_values import ValueProblem, cell_text, folded
from extranet_app.services.timekeeping import today_in_france

MAX_PROBLEMS_KEPT = 2_000  # a file wrong on every line still reports a readable list
PREVIEW_ROWS = 5
Progress = Callable[[float], None]


class ImportConflict(Exception):
    """The database changed between the checks and the write; nothing was written."""


@dataclass(frozen=True)
class Problem:
    """One problem of a file: its line (0: the whole file), its column, what is wrong."""

    line: int
    column: str
    message: str

    @property
    def text(self) -> str:
        """The French sentence: "Ligne 12, colonne « Date de début » : date invalide …"."""
        if self.line and self.column:
            return f"Ligne {self.line}, colonne « {self.column} » : {self.message}"
        if self.line:
            return f"Ligne {self.line} : {self.message}"
        return self.message


@dataclass(frozen=True)
class ImportReport:
    """What an import (or its dry run) found and did."""

    kind: DataKind
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    problem_count: int = 0
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def applied(self) -> bool:
        """Whether the rows were written."""
        return self.ok and not self.dry_run

    @property
    def summary(self) -> str:
        """ "2 créés, 0 modifié, 3 inchangés" (what was, or would be, done)."""
        return ", ".join(
            _count(count, singular)
            for count, singular in (
                (self.created, "créé"),
                (self.updated, "modifié"),
                (self.unchanged, "inchangé"),
            )
        )

    @property
    def conclusion(self) -> str:
        """The last line of the report."""
        if not self.ok:
            problems = _count(self.problem_count, "problème", plural="problèmes")
            return f"{problems} : rien n'a été importé."
        if self.dry_run:
            return f"Essai sans erreur ({self.summary}) : rien n'a encore été enregistré."
        return f"Import terminé : {self.summary}."


def _count(count: int, singular: str, plural: str | None = None) -> str:
    """French agreement: 0 and 1 take the singular."""
    words = singular if count <= 1 else (plural or singular + "s")
    return f"{count:,}".replace(",", "\u202f") + f" {words}"


# --- Column mapping -----------------------------------------------------------------------------


def suggested_mapping(
    spec: KindSpec, headers: Sequence[str], remembered: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Field name -> header of the file: the remembered choice when the file has that column
    ("" when the agency chose to leave the field out), else the header named like the field."""
    by_folded = {folded(header): header for header in headers}
    mapping: dict[str, str] = {}
    for spec_field in spec.fields:
        chosen = (remembered or {}).get(spec_field.name)
        if chosen == "" and not spec_field.required:
            mapping[spec_field.name] = ""
        elif chosen and chosen in headers:
            mapping[spec_field.name] = chosen
        else:
            names = (spec_field.label, spec_field.name, *spec_field.aliases)
            found = [by_folded[folded(name)] for name in names if folded(name) in by_folded]
            mapping[spec_field.name] = found[0] if found else ""
    return mapping


def mapping_problems(
    spec: KindSpec, headers: Sequence[str], mapping: Mapping[str, str]
) -> list[str]:
    """What makes a mapping unusable: a required field without a column, a column the file
    does not have. French sentences about line 1 (the headers)."""
    problems = []
    for spec_field in spec.fields:
        column = mapping.get(spec_field.name, "")
        if column and column not in headers:
            problems.append(f"Ligne 1 : colonne « {column} » absente du fichier.")
        elif spec_field.required and not column:
            problems.append(
                f"Ligne 1 : colonne obligatoire « {spec_field.label} » introuvable "
                "(associez-la à une colonne du fichier)."
            )
    if spec.one_of and not any(mapping.get(name) for name in spec.one_of):
        labels = " ou ".join(f"« {spec.by_name[name].label} »" for name in spec.one_of)
        problems.append(f"Ligne 1 : il faut une colonne {labels}.")
    return problems


def _remembered(session: Session, kind: DataKind) -> dict[str, str]:
    row = session.exec(select(ImportMapping).where(ImportMapping.kind == kind.value)).first()
    if row is None:
        return {}
    stored = json.loads(row.columns_json or "{}")
    return {str(name): str(column) for name, column in stored.items()}


def remember_mapping(
    *, session: Session, actor: SessionUser, kind: DataKind, mapping: Mapping[str, str]
) -> None:
    """Keep this mapping as the agency's choice for the kind's next imports; commits."""
    require_staff(actor)
    require_writable(actor, session=session)
    names = {spec_field.name for spec_field in KINDS[kind].fields}
    kept = {name: column for name, column in mapping.items() if name in names}
    stored = session.exec(select(ImportMapping).where(ImportMapping.kind == kind.value)).first()
    stored = stored or ImportMapping(kind=kind.value)
    stored.columns_json = json.dumps(kept, ensure_ascii=False)[:8000]
    stored.updated_by_id = actor.user_id
    stored.updated_at = utcnow()
    session.add(stored)
    session.commit()


# --- What the page shows after an upload ---------------------------------------------------------


@dataclass(frozen=True)
class FileOverview:
    """A file just uploaded: its format, columns, size, suggested mapping and first rows."""

    description: str
    headers: tuple[str, ...]
    estimated_rows: int
    mapping: dict[str, str]
    preview: tuple[tuple[str, ...], ...]  # the first rows, cells in the order of the headers


def inspect_file(
    *, session: Session, actor: SessionUser, kind: DataKind, data: bytes
) -> FileOverview:
    """Read a file's headers and first rows, and suggest a mapping (raises FileUnreadable)."""
    require_staff(actor)
    table = TableFile(data)
    rows = []
    for row in table.rows():
        rows.append(tuple(cell_text(cell) for cell in row.cells))
        if len(rows) == PREVIEW_ROWS:
            break
    remembered = _remembered(session, kind)
    return FileOverview(
        description=table.format.description,
        headers=table.headers,
        estimated_rows=table.estimated_rows,
        mapping=suggested_mapping(KINDS[kind], table.headers, remembered),
        preview=tuple(rows),
    )


# --- Importing ----------------------------------------------------------------------------------


def import_file(
    *,
    session: Session,
    actor: SessionUser,
    kind: DataKind,
    data: bytes,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool,
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportReport:
    """Check a file and, unless `dry_run` or a problem was found, import it whole (staff only).
    Without `mapping`, the agency's remembered one, else the automatic one. Raises
    ImportConflict when the data changed under the import (then nothing was written)."""
    require_staff(actor)
    if not dry_run:
        require_writable(actor, session=session)
    return _import(
        session, KINDS[kind], data, mapping, dry_run, actor.user_id, progress, today, via="page"
    )


def import_file_as_system(
    *,
    session: Session,
    kind: DataKind,
    data: bytes,
    dry_run: bool,
    progress: Progress | None = None,
    today: date | None = None,
) -> ImportReport:
    """The command line's import, with the remembered or automatic mapping. Whoever runs it
    already holds the server and its database: it acts as the system (audited as such)."""
    return _import(session, KINDS[kind], data, None, dry_run, None, progress, today, via="cli")


def _import(
    session: Session,
    spec: KindSpec,
    data: bytes,
    mapping: Mapping[str, str] | None,
    dry_run: bool,
    actor_user_id: int | None,
    progress: Progress | None,
    today: date | None,
    *,
    via: str,
) -> ImportReport:
    progress = progress or (lambda _fraction: None)
    report = _FileReport(spec.kind, dry_run)
    try:
        table = TableFile(data)
        chosen = suggested_mapping(spec, table.headers, _remembered(session, spec.kind))
        chosen = dict(mapping) if mapping is not None else chosen
        for message in mapping_problems(spec, table.headers, chosen):
            report.add_line(0, "", message)
        if report.count:
            return report.result()
        report.columns = {name: column for name, column in chosen.items() if column}
        report.ignored = tuple(h for h in table.headers if h not in report.columns.values())
        candidates = _read_rows(spec, table, report, today or today_in_france(), progress)
    except FileUnreadable as error:
        report.add_line(0, "", str(error))
        return report.result()
    check_candidates(session, spec, candidates, report.add, match_by_reference=True)
    progress(0.9)
    report.tally(candidates)
    session.rollback()  # end the reads: the write transaction starts on fresh data
    if report.count or dry_run:
        return report.result()
    _write(session, spec, candidates, actor_user_id, report, via)
    progress(1.0)
    return report.result()


def _write(
    session: Session,
    spec: KindSpec,
    candidates: list[Candidate],
    actor_user_id: int | None,
    report: _FileReport,
    via: str,
) -> None:
    creates = [candidate for candidate in candidates if candidate.record_id is None]
    updates = [c for c in candidates if c.record_id is not None and c.changed]
    try:
        write_candidates(session, spec, creates, updates, actor_user_id)
        record_event(
            session=session,
            action="data.imported",
            actor_user_id=actor_user_id,
            target_type="import",
            target_id=spec.kind.value,
            detail={
                "kind": spec.kind.value,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "via": via,
            },
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ImportConflict(
            "Les données ont changé pendant l'import (une autre modification est passée "
            "entre-temps) : rien n'a été importé, relancez l'import."
        ) from None


class _FileReport:
    """Collects the problems of one file and the counts of what it would do."""

    def __init__(self, kind: DataKind, dry_run: bool) -> None:
        self.kind, self.dry_run = kind, dry_run
        self.columns: dict[str, str] = {}
        self.ignored: tuple[str, ...] = ()
        self.problems: list[Problem] = []
        self.count = 0
        self.rows = self.created = self.updated = self.unchanged = 0

    def add_line(self, line: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(line, column, message))

    def add(self, candidate: Candidate, field_name: str, message: str) -> None:
        """A problem of a row, in a field (reported under the file's header for it)."""
        candidate.bad = True
        self.add_line(candidate.line, self.columns.get(field_name, field_name), message)

    def tally(self, candidates: list[Candidate]) -> None:
        self.rows = len(candidates)
        self.created = sum(1 for candidate in candidates if candidate.record_id is None)
        self.updated = sum(1 for c in candidates if c.record_id is not None and c.changed)
        self.unchanged = self.rows - self.created - self.updated

    def result(self) -> ImportReport:
        ordered = sorted(self.problems, key=lambda problem: problem.line)
        return ImportReport(
            kind=self.kind,
            dry_run=self.dry_run,
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            problems=tuple(ordered),
            problem_count=self.count,
            ignored_columns=self.ignored,
        )


# --- Step 1: reading and checking ----------------------------------------------------------------


def _read_rows(
    spec: KindSpec, table: TableFile, report: _FileReport, today: date, progress: Progress
) -> list[Candidate]:
    """Every row of the file, parsed; problems go to the report as they are found."""
    index = {header: position for position, header in enumerate(table.headers)}
    columns = [(spec.by_name[name], index[column]) for name, column in report.columns.items()]
    estimate = table.estimated_rows
    candidates = []
    for count, row in enumerate(table.rows(), start=1):
        candidates.append(_read_row(spec, row, columns, report, today))
        if count % 1000 == 0:
            progress(min(0.8, 0.8 * count / estimate))
    return candidates


def _read_row(
    spec: KindSpec,
    row: Row,
    columns: list[tuple[FieldSpec, int]],
    report: _FileReport,
    today: date,
) -> Candidate:
    candidate = Candidate(row.line, {})
    if row.overflow:
        candidate.bad = True
        report.add_line(row.line, "", "valeurs au-delà de la dernière colonne nommée")
    for spec_field, position in columns:
        try:
            candidate.values[spec_field.name] = parse_cell(spec_field, row.cells[position])
        except ValueProblem as problem:
            report.add(candidate, spec_field.name, str(problem))
    if not candidate.bad:
        derived_values(spec.kind, candidate.values)
        for name, message in row_problems(spec, candidate.values, today):
            report.add(candidate, name, message)
    return candidate
