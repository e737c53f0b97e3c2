"""Checking and writing records of the agency's data in bulk: shared by the import of files
and by the Données screen, where a record edited by hand goes through the same checks.

Rows arrive parsed (`parse_cell`), as Candidates. `check_candidates` finds what no single
cell shows: duplicates among the rows, references to records that do not exist, conflicts
with the database; then `write_candidates` inserts and updates them with a few executemany
statements. Neither commits: the caller's use case does, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert
from sqlmodel import Session, select

from extranet_app.models import PaymentAllocation
from extranet_app.services.data_kinds import KINDS, DataKind, FieldSpec, KindSpec
from extranet_app.services.import_values import ValueProblem, cell_text
from extranet_app.services.ledger_settlement import lock_leases, settle_leases

# SQLite accepts 32 766 parameters per statement; chunks keep every IN (...) far below that.
CHUNK_SIZE = 500
MISSING = "valeur obligatoire manquante"
Report = Callable[["Candidate", str, str], None]


@dataclass
class Candidate:
    """A row on its way in: its parsed values, then the existing record it matches."""

    line: int
    values: dict[str, Any]
    record_id: int | None = None
    existing: dict[str, Any] | None = None
    bad: bool = False

    @property
    def changed(self) -> bool:
        """Whether writing the row would change its existing record."""
        if self.existing is None:
            return True
        return any(self.existing.get(name) != value for name, value in self.values.items())


def parse_cell(spec_field: FieldSpec, cell: Any) -> Any:
    """The value a cell stores for a field (its `empty` value when blank); ValueProblem."""
    text = cell_text(cell)
    if not text:
        if spec_field.required:
            raise ValueProblem(MISSING)
        return spec_field.empty
    # Text cells are parsed from their trimmed text; a spreadsheet's typed cells as they are.
    value = spec_field.parse(text if isinstance(cell, str) else cell)
    if spec_field.required and not value:
        raise ValueProblem(MISSING)
    return frozenset(value) if spec_field.many else value


def check_candidates(
    session: Session,
    spec: KindSpec,
    candidates: list[Candidate],
    report: Report,
    *,
    match_by_reference: bool,
) -> None:
    """Check parsed rows together and against the database: duplicates, unknown references,
    conflicts. References to other records become their ids. With `match_by_reference` each
    row is matched to the record with its reference (an import); otherwise rows carry their
    `record_id` and a reference used by another record is a problem (editing by hand)."""
    _check_duplicates(spec, candidates, report)
    _resolve_references(session, spec, candidates, report)
    _match_existing(session, spec, candidates, report, match_by_reference)
    if spec.unique_email:
        _check_emails_in_database(session, spec, candidates, report)
    if spec.unique_together:
        _check_unique_together_in_database(session, spec, candidates, report)


def _check_duplicates(spec: KindSpec, candidates: list[Candidate], report: Report) -> None:
    """The same reference (or e-mail address, or rent period) twice in the file."""
    keys: list[tuple[str, Callable[[Candidate], Any], str]] = [
        ("external_ref", lambda c: c.values.get("external_ref"), "référence « {} » en double"),
    ]
    if spec.unique_email:
        keys.append(("email", lambda c: c.values.get("email"), "adresse e-mail « {} » en double"))
    if spec.unique_together:
        together = spec.unique_together

        def unique_key(candidate: Candidate) -> Any:
            key = _unique_key(spec, candidate)
            return None if None in key else key

        keys.append((together[-1], unique_key, "même bail, même type et même période"))
    for name, key_of, words in keys:
        first_line: dict[Any, int] = {}
        for candidate in candidates:
            key = key_of(candidate)
            if not key:
                continue
            if key in first_line:
                where = f" (déjà à la ligne {first_line[key]})" if first_line[key] else ""
                report(candidate, name, words.format(key) + where)
            else:
                first_line[key] = candidate.line


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK_SIZE):
        yield items[start : start + CHUNK_SIZE]


def ids_by_reference(session: Session, kind: DataKind, references: Iterable[str]) -> dict[str, int]:
    """The ids of the records of `kind` with these references (unknown ones are left out)."""
    table = KINDS[kind].table
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(references))):
        statement = select(table.c.external_ref, table.c.id).where(table.c.external_ref.in_(chunk))
        found.update(session.connection().execute(statement).tuples().all())
    return found


def _resolve_references(
    session: Session, spec: KindSpec, candidates: list[Candidate], report: Report
) -> None:
    for spec_field in spec.fields:
        if spec_field.target is None:
            continue
        target = KINDS[spec_field.target]
        wanted = set()
        for candidate in candidates:
            value = candidate.values.get(spec_field.name)
            if value:
                wanted.update(value if spec_field.many else [value])
        known = ids_by_reference(session, spec_field.target, wanted)
        for candidate in candidates:
            _resolve_one(candidate, spec_field, target, known, report)


def _resolve_one(
    candidate: Candidate,
    spec_field: FieldSpec,
    target: KindSpec,
    known: dict[str, int],
    report: Report,
) -> None:
    if spec_field.name not in candidate.values:
        return
    value = candidate.values[spec_field.name]
    references = sorted(value) if spec_field.many else [value] if value else []
    unknown = [reference for reference in references if reference not in known]
    for reference in unknown:
        report(candidate, spec_field.name, f"{target.unknown} « {reference} »")
    if spec_field.many:
        resolved = frozenset(known[r] for r in references if r in known)
        candidate.values[spec_field.name] = resolved
    else:
        candidate.values[spec_field.name] = known.get(value) if value else None


def _match_existing(
    session: Session,
    spec: KindSpec,
    candidates: list[Candidate],
    report: Report,
    match_by_reference: bool,
) -> None:
    table = spec.table
    columns = [table.c.id, *(table.c[name] for name in spec.stored_columns)]
    by_reference = {c.values["external_ref"]: c for c in candidates if c.values.get("external_ref")}
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(sorted(by_reference)):
        statement = select(*columns).where(table.c.external_ref.in_(chunk))
        for row in session.connection().execute(statement).mappings():
            found[row["id"]] = dict(row)
    if not match_by_reference:
        _refuse_taken_references(candidates, found, report)
        found.update(_rows_by_id(session, spec, [c.record_id for c in candidates if c.record_id]))
    for record_id, existing in found.items():
        if match_by_reference:
            by_reference[existing["external_ref"]].record_id = record_id
    _load_links(session, spec, found)
    for candidate in candidates:
        if candidate.record_id is not None:
            candidate.existing = found.get(candidate.record_id)


def _refuse_taken_references(
    candidates: list[Candidate], found: dict[int, dict[str, Any]], report: Report
) -> None:
    owners = {existing["external_ref"]: record_id for record_id, existing in found.items()}
    for candidate in candidates:
        reference = candidate.values.get("external_ref")
        if reference in owners and owners[reference] != candidate.record_id:
            report(candidate, "external_ref", f"référence « {reference} » déjà utilisée")


def _rows_by_id(session: Session, spec: KindSpec, ids: list[int]) -> dict[int, dict[str, Any]]:
    table = spec.table
    columns = [table.c.id, *(table.c[name] for name in spec.stored_columns)]
    found = {}
    for chunk in _chunks(ids):
        for row in (
            session.connection().execute(select(*columns).where(table.c.id.in_(chunk))).mappings()
        ):
            found[row["id"]] = dict(row)
    return found


def _load_links(session: Session, spec: KindSpec, found: dict[int, dict[str, Any]]) -> None:
    """Add to each existing record the ids it links to (a lease's tenants), as frozensets."""
    for name, link in spec.links.items():
        linked: dict[int, set[int]] = defaultdict(set)
        own, other = link.table.c[link.own_column], link.table.c[link.other_column]
        for chunk in _chunks(sorted(found)):
            for own_id, other_id in session.connection().execute(
                select(own, other).where(own.in_(chunk))
            ):
                linked[own_id].add(other_id)
        for record_id, existing in found.items():
            existing[name] = frozenset(linked.get(record_id, ()))


def _check_emails_in_database(
    session: Session, spec: KindSpec, candidates: list[Candidate], report: Report
) -> None:
    """An address given to a row is not another record's of the same kind."""
    table = spec.table
    wanted = {c.values["email"]: c for c in candidates if c.values.get("email")}
    for chunk in _chunks(sorted(wanted)):
        statement = select(table.c.email, table.c.id, table.c.external_ref).where(
            table.c.email.in_(chunk)
        )
        for email, record_id, reference in session.connection().execute(statement):
            candidate = wanted[email]
            if candidate.record_id != record_id:
                other = f" (référence {reference})" if reference else ""
                report(
                    candidate, "email", f"adresse e-mail déjà utilisée par une autre fiche{other}"
                )


def _unique_key(spec: KindSpec, candidate: Candidate) -> tuple[Any, ...]:
    """The values that must be unique together; a column the file leaves out keeps the
    record's value, or gets its default for a new record."""
    key = []
    for name in spec.unique_together:
        if name in candidate.values:
            key.append(candidate.values[name])
        elif candidate.existing is not None:
            key.append(candidate.existing.get(name))
        else:
            key.append(spec.by_name[name].empty)
    return tuple(key)


def _check_unique_together_in_database(
    session: Session, spec: KindSpec, candidates: list[Candidate], report: Report
) -> None:
    """One rent call per lease, kind and period: the database has none under another reference."""
    table, names = spec.table, spec.unique_together
    wanted = {_unique_key(spec, candidate): candidate for candidate in candidates}
    leases = sorted({key[0] for key in wanted if key[0] is not None})
    columns = [table.c[name] for name in names]
    for chunk in _chunks(leases):
        statement = select(table.c.id, table.c.external_ref, *columns).where(columns[0].in_(chunk))
        for record_id, reference, *key in session.connection().execute(statement):
            candidate = wanted.get(tuple(key))
            if candidate is not None and candidate.record_id != record_id:
                other = f" (référence {reference})" if reference else ""
                report(candidate, names[-1], f"échéance déjà enregistrée pour cette période{other}")


# --- Step 2: writing ------------------------------------------------------------------------------


def write_candidates(
    session: Session,
    spec: KindSpec,
    creates: list[Candidate],
    updates: list[Candidate],
    actor_user_id: int | None,
) -> None:
    """Insert and update checked rows in bulk, with their links and what they settle; adds,
    never commits. Created rows with links get their `record_id`."""
    leases: set[int] = set()
    if spec.ledger_fields:
        leases = {c.values["lease_id"] for c in creates + updates}
        leases |= {c.existing["lease_id"] for c in updates if c.existing}
        lock_leases(session, leases)  # first: the write lock, before reading any balance
    _insert(session, spec, creates, actor_user_id)
    if spec.links and creates:
        created = ids_by_reference(session, spec.kind, [c.values["external_ref"] for c in creates])
        for candidate in creates:
            candidate.record_id = created[candidate.values["external_ref"]]
    _update(session, spec, updates)
    _replace_links(session, spec, creates + updates)
    if spec.ledger_fields:
        _undo_settlements(session, spec, [c.record_id for c in updates if _ledger_changed(spec, c)])
        settle_leases(session, leases)


def _own_values(spec: KindSpec, candidate: Candidate) -> dict[str, Any]:
    return {name: value for name, value in candidate.values.items() if name not in spec.links}


def _insert(
    session: Session, spec: KindSpec, creates: list[Candidate], actor_user_id: int | None
) -> None:
    """One executemany: no RETURNING, which SQLite would answer a row at a time (50 000
    statements instead of one); rows that need their ids are found by reference after."""
    if not creates:
        return
    extra = {spec.recorded_by: actor_user_id} if spec.recorded_by else {}
    rows = [_own_values(spec, candidate) | extra for candidate in creates]
    session.connection().execute(insert(spec.table), rows)


def _update(session: Session, spec: KindSpec, updates: list[Candidate]) -> None:
    """One executemany per set of columns (a file's rows all have the same)."""
    table = spec.table
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for candidate in updates:
        own = _own_values(spec, candidate)
        groups[tuple(sorted(own))].append(
            {f"new_{name}": value for name, value in own.items()} | {"row_id": candidate.record_id}
        )
    for names, rows in groups.items():
        if not names:
            continue
        statement = (
            table.update()
            .where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(f"new_{name}") for name in names})
        )
        session.connection().execute(statement, rows)


def _replace_links(session: Session, spec: KindSpec, candidates: list[Candidate]) -> None:
    for name, link in spec.links.items():
        changed = [
            c
            for c in candidates
            if name in c.values and (c.existing is None or c.existing.get(name) != c.values[name])
        ]
        if not changed:
            continue
        own = link.table.c[link.own_column]
        for chunk in _chunks([candidate.record_id for candidate in changed]):
            session.connection().execute(delete(link.table).where(own.in_(chunk)))
        rows = [row for c in changed for row in link.rows(c.record_id, c.values[name])]
        if rows:
            session.connection().execute(insert(link.table), rows)


def _ledger_changed(spec: KindSpec, candidate: Candidate) -> bool:
    existing = candidate.existing or {}
    return any(
        name in candidate.values and existing.get(name) != candidate.values[name]
        for name in spec.ledger_fields
    )


def _undo_settlements(session: Session, spec: KindSpec, record_ids: list[int]) -> None:
    """Remove what changed rent calls or payments settled; settle_leases redoes it."""
    allocations = PaymentAllocation.__table__
    column = (
        allocations.c.rent_call_id if spec.kind is DataKind.RENT_CALLS else allocations.c.payment_id
    )
    for chunk in _chunks(record_ids):
        session.connection().execute(delete(allocations).where(column.in_(chunk)))
