"""Données: the agency's owners, tenants, buildings, lots, mandates and leases, listed, edited
by hand and exported as CSV, all driven by the field specs of services/data_kinds.py.

A record typed by hand goes through the very checks of an import (data_records): the same
parsers, the same rules, the same references to other records. The CSV export writes what
an import reads (';' separator, UTF-8 with a byte order mark so that Excel opens it with its
accents, the import's headers), so an exported list re-imports unchanged.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, true
from sqlmodel import Session, select

from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_staff, require_writable
from extranet_app.services.data_kinds import KINDS, DataKind, FieldSpec, KindSpec, derived_values
from extranet_app.services.data_kinds import row_problems as kind_rules
from extranet_app.services.data_records import (
    Candidate,
    check_candidates,
    ids_by_reference,
    parse_cell,
    write_candidates,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.import_files import UTF8_BOM
from extranet_app.services.import_values import ValueProblem
from extranet_app.services.paging import page_count
from extranet_app.services.timekeeping import today_in_france

MAX_PAGE_SIZE = 200
MAX_SEARCH_WORDS = 6
MAX_FIELD_LENGTH = 2_000
EXPORT_CHUNK = 500
# A cell starting like a formula would run as one in a spreadsheet (CSV injection): the
# export puts a quote before it, which the import's text parser takes off again.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RecordInvalid(ValueError):
    """A record typed by hand that cannot be saved: a French message per field name."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


@dataclass(frozen=True)
class RecordCell:
    """One value of a listed record, with its column's label (the phone cards show both)."""

    label: str
    value: str


@dataclass(frozen=True)
class RecordRow:
    """A record as the Données list shows it; `position` is its place in the page."""

    position: int
    title: str
    cells: tuple[RecordCell, ...]


@dataclass(frozen=True)
class RecordPage:
    """One page of a kind's records; `ids` stay on the server, in the order of `rows`."""

    rows: tuple[RecordRow, ...]
    ids: tuple[int, ...]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return page_count(self.total, self.page_size)


def editable_spec(kind: DataKind) -> KindSpec:
    """The spec of a kind the Données screen shows (AccessDenied for rent calls, payments)."""
    spec = KINDS[kind]
    if not spec.editable:
        raise AccessDenied("Ces données ne se modifient pas ici.")
    return spec


# --- Reading records as text ----------------------------------------------------------------------


def _select_records(spec: KindSpec):
    table = spec.table
    return select(table.c.id, *(table.c[name] for name in spec.stored_columns))


def _references(session: Session, kind: DataKind, ids: set[int]) -> dict[int, str]:
    """The references of records of `kind` by id."""
    table = KINDS[kind].table
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), EXPORT_CHUNK):
        chunk = ordered[start : start + EXPORT_CHUNK]
        statement = select(table.c.id, table.c.external_ref).where(table.c.id.in_(chunk))
        found.update(session.connection().execute(statement).tuples().all())
    return found


def _linked(session: Session, spec: KindSpec, ids: list[int]) -> dict[str, dict[int, set[int]]]:
    """For each link of the kind: record id -> the ids it links to."""
    links: dict[str, dict[int, set[int]]] = {}
    for name, link in spec.links.items():
        own, other = link.table.c[link.own_column], link.table.c[link.other_column]
        linked: dict[int, set[int]] = defaultdict(set)
        for own_id, other_id in session.connection().execute(
            select(own, other).where(own.in_(ids))
        ):
            linked[own_id].add(other_id)
        links[name] = linked
    return links


def field_texts(
    session: Session, spec: KindSpec, records: Sequence[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """Each record's fields written as an import reads them; other records as references."""
    ids = [record["id"] for record in records]
    links = _linked(session, spec, ids)
    wanted: dict[DataKind, set[int]] = defaultdict(set)
    for spec_field in spec.fields:
        if spec_field.target is None:
            continue
        for record in records:
            linked = (
                links[spec_field.name][record["id"]]
                if spec_field.many
                else {record[spec_field.name]}
            )
            wanted[spec_field.target].update(linked - {None})
    references = {kind: _references(session, kind, found) for kind, found in wanted.items()}
    return [_texts(spec, record, links, references) for record in records]


def _texts(
    spec: KindSpec,
    record: Mapping[str, Any],
    links: dict[str, dict[int, set[int]]],
    references: dict[DataKind, dict[int, str]],
) -> dict[str, str]:
    texts = {}
    for spec_field in spec.fields:
        if spec_field.target is None:
            texts[spec_field.name] = spec_field.format(record[spec_field.name])
            continue
        known = references.get(spec_field.target, {})
        if spec_field.many:
            linked = links[spec_field.name][record["id"]]
            texts[spec_field.name] = spec_field.format({known.get(i, "?") for i in linked})
        else:
            texts[spec_field.name] = known.get(record[spec_field.name], "") or ""
    return texts


# --- Listing ------------------------------------------------------------------------------------


def _search_condition(session: Session, spec: KindSpec, search: str) -> ColumnElement[bool]:
    """Every word of the search is in one of the kind's searched columns."""
    table, dialect = spec.table, session.get_bind().dialect.name
    conditions = []
    for word in search.lower().split()[:MAX_SEARCH_WORDS]:
        columns = [table.c[name] for name in spec.search_columns]
        if dialect == "sqlite":  # SQLite's LIKE already ignores ASCII case
            conditions.append(or_(*(column.contains(word, autoescape=True) for column in columns)))
        else:
            conditions.append(or_(*(column.icontains(word, autoescape=True) for column in columns)))
    return and_(true(), *conditions)


def list_records(
    *,
    session: Session,
    actor: SessionUser,
    kind: DataKind,
    search: str = "",
    page: int = 1,
    page_size: int = 50,
) -> RecordPage:
    """One page of a kind's records, searched by reference and names (agency staff only)."""
    require_staff(actor)
    spec = editable_spec(kind)
    page, page_size = max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)
    where = _search_condition(session, spec, search if isinstance(search, str) else "")
    total = session.exec(select(func.count()).select_from(spec.table).where(where)).one()
    page = min(page, page_count(total, page_size))
    table = spec.table
    statement = (
        _select_records(spec)
        .where(where)
        .order_by(table.c[spec.sort_column], table.c.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    records = list(session.connection().execute(statement).mappings())
    texts = field_texts(session, spec, records)
    rows = tuple(_row(spec, position, text) for position, text in enumerate(texts))
    return RecordPage(rows, tuple(r["id"] for r in records), total, page, page_size)


def _row(spec: KindSpec, position: int, texts: dict[str, str]) -> RecordRow:
    cells = tuple(
        RecordCell(spec_field.label, texts[spec_field.name])
        for spec_field in spec.listed
        if spec_field.name != "external_ref"
    )
    return RecordRow(position, texts["external_ref"], cells)


# --- Editing ------------------------------------------------------------------------------------


def _record(session: Session, spec: KindSpec, record_id: int) -> Mapping[str, Any]:
    statement = _select_records(spec).where(spec.table.c.id == record_id)
    record = session.connection().execute(statement).mappings().first()
    if record is None:
        raise AccessDenied("Fiche introuvable.")
    return record


def record_texts(
    *, session: Session, actor: SessionUser, kind: DataKind, record_id: int
) -> dict[str, str]:
    """A record's fields as the edit form shows them (agency staff only)."""
    require_staff(actor)
    spec = editable_spec(kind)
    if type(record_id) is not int:
        raise AccessDenied("Fiche introuvable.")
    return field_texts(session, spec, [_record(session, spec, record_id)])[0]


def _parsed(spec: KindSpec, submitted: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The form's values parsed like the cells of a file; RecordInvalid with every problem."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for spec_field in spec.fields:
        raw = submitted.get(spec_field.name, "")
        if not isinstance(raw, str) or len(raw) > MAX_FIELD_LENGTH:
            problems[spec_field.name] = "valeur invalide"
            continue
        try:
            values[spec_field.name] = parse_cell(spec_field, raw)
        except ValueProblem as problem:
            problems[spec_field.name] = str(problem)
    if not problems:
        derived_values(spec.kind, values)
        for name, message in kind_rules(spec, values, today):
            problems.setdefault(name, message)
    if problems:
        raise RecordInvalid(problems)
    return values


def save_record(
    *,
    session: Session,
    actor: SessionUser,
    kind: DataKind,
    record_id: int | None,
    values: Mapping[str, Any],
    today: date | None = None,
) -> int:
    """Create (`record_id` None) or change a record typed by hand, with the import's checks;
    audited, commits. Raises RecordInvalid (French message per field) or AccessDenied."""
    require_staff(actor)
    require_writable(actor, session=session)
    spec = editable_spec(kind)
    if record_id is not None and type(record_id) is not int:
        raise AccessDenied("Fiche introuvable.")
    if not isinstance(values, Mapping):
        raise RecordInvalid({"external_ref": "formulaire invalide"})
    if record_id is not None:
        _record(session, spec, record_id)
    candidate = Candidate(0, _parsed(spec, values, today or today_in_france()), record_id)
    problems: dict[str, str] = {}
    check_candidates(
        session,
        spec,
        [candidate],
        lambda _candidate, name, message: problems.setdefault(name, message),
        match_by_reference=False,
    )
    if problems:
        session.rollback()
        raise RecordInvalid(problems)
    creates, updates = ([candidate], []) if record_id is None else ([], [candidate])
    write_candidates(session, spec, creates, updates, actor.user_id)
    reference = candidate.values["external_ref"]
    candidate.record_id = ids_by_reference(session, kind, [reference])[reference]
    record_event(
        session=session,
        action="data.created" if record_id is None else "data.updated",
        actor_user_id=actor.user_id,
        target_type=spec.table.name,
        target_id=candidate.record_id,
    )
    session.commit()
    return candidate.record_id


# --- CSV export ---------------------------------------------------------------------------------


def _export_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _records_in_chunks(session: Session, spec: KindSpec) -> Iterator[list[Mapping[str, Any]]]:
    """Every record, a chunk at a time, by id (never the whole table in memory as rows)."""
    last_id = 0
    while True:
        statement = (
            _select_records(spec)
            .where(spec.table.c.id > last_id)
            .order_by(spec.table.c.id)
            .limit(EXPORT_CHUNK)
        )
        records = list(session.connection().execute(statement).mappings())
        if not records:
            return
        yield records
        last_id = records[-1]["id"]


def export_csv(*, session: Session, actor: SessionUser, kind: DataKind) -> bytes:
    """The whole list of a kind as CSV for Excel: ';', UTF-8 with BOM, the import's headers;
    audited, commits (agency staff only)."""
    require_staff(actor)
    spec = editable_spec(kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([spec_field.label for spec_field in spec.fields])
    count = 0
    for records in _records_in_chunks(session, spec):
        for texts in field_texts(session, spec, records):
            writer.writerow([_export_cell(texts[f.name]) for f in spec.fields])
        count += len(records)
    record_event(
        session=session,
        action="data.exported",
        actor_user_id=actor.user_id,
        target_type="export",
        target_id=kind.value,
        detail={"kind": kind.value, "rows": count},
    )
    session.commit()
    return UTF8_BOM + buffer.getvalue().encode("utf-8")


def form_fields(kind: DataKind) -> tuple[FieldSpec, ...]:
    """The fields of a kind's edit form, in order."""
    return editable_spec(kind).fields
