"""What the agency's data looks like as a table: one small field spec per kind of record.

The same spec drives everything about a kind: which columns an import recognises (the French
headers, then aliases), how each cell is read and checked, what the Données screen lists and
lets the agency edit, and how the CSV export writes it (so that an export re-imports as is).
Records are matched by the reference of the agency's management software (`external_ref`),
never by name; a reference to another record (a lease's lot) is that record's reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import Table
from sqlmodel import SQLModel

from extranet_app.models import (
    Lease,
    LeaseKind,
    LeaseTenant,
    Lot,
    LotKind,
    ManagementMandate,
    MandateLot,
    Owner,
    Ownership,
    Payment,
    PaymentMethod,
    Property,
    RentCall,
    ReportingPeriod,
    Tenant,
)
from extranet_app.models.leases import RentCallKind
from extranet_app.services import import_values as values
from extranet_app.services.rent_ledger import METHOD_LABELS

FULL_SHARE_BP = 10_000


class DataKind(StrEnum):
    """The kinds of records the agency imports; the value is the CLI's KIND and the URL's."""

    OWNERS = "proprietaires"
    TENANTS = "locataires"
    BUILDINGS = "immeubles"
    LOTS = "lots"
    MANDATES = "mandats"
    LEASES = "baux"
    RENT_CALLS = "echeances"
    PAYMENTS = "paiements"


@dataclass(frozen=True)
class FieldSpec:
    """One column: a column of the kind's table, or a list of references kept in a link table."""

    name: str  # the table's column, or the key of KindSpec.links
    label: str  # the French header of exports, forms and the automatic mapping
    parse: Callable[[Any], Any]  # a non-empty cell -> the value stored (raises ValueProblem)
    format: Callable[[Any], str] = values.cell_text  # the stored value -> text parse reads
    required: bool = False
    empty: Any = ""  # what an empty cell stores
    aliases: tuple[str, ...] = ()  # other headers recognised
    target: DataKind | None = None  # the cell holds references to records of this kind
    many: bool = False  # several references (a link table), e.g. a lease's co-tenants
    listed: bool = False  # a column of the Données list
    choices: Mapping[str, str] | None = None  # stored value -> French label, for the form
    hint: str = ""  # shown under the form's input


@dataclass(frozen=True)
class LinkSpec:
    """A link table between a record and several others (lot -> owners)."""

    table: Table
    own_column: str
    other_column: str
    shared: bool = False  # rows carry equal shares (ownership quotes-parts), in basis points

    def rows(self, own_id: int, other_ids: frozenset[int]) -> list[dict[str, int]]:
        """The link rows of one record; shares split equally, the remainder to the first."""
        ordered = sorted(other_ids)
        rows = [{self.own_column: own_id, self.other_column: other} for other in ordered]
        if self.shared and ordered:
            share, remainder = divmod(FULL_SHARE_BP, len(ordered))
            for index, row in enumerate(rows):
                row["share_bp"] = share + (remainder if index == 0 else 0)
        return rows


@dataclass(frozen=True)
class KindSpec:
    """A kind of record: its table, its fields and its own rules."""

    kind: DataKind
    label: str  # "Locataires"
    unknown: str  # how a missing referenced record is named: "locataire inconnu"
    model: type[SQLModel]
    fields: tuple[FieldSpec, ...]
    sort_column: str  # the Données list's order
    search_columns: tuple[str, ...]
    links: Mapping[str, LinkSpec] = field(default_factory=dict)
    editable: bool = True  # listed and edited by hand on the Données screen
    one_of: tuple[str, ...] = ()  # at least one of these fields has a value (name or company)
    unique_email: bool = False
    unique_together: tuple[str, ...] = ()  # besides the reference, e.g. one call per period
    date_order: tuple[tuple[str, str], ...] = ()  # (start, end) pairs: end not before start
    not_in_future: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()  # amounts that must be above zero
    derived_columns: tuple[str, ...] = ()  # columns computed from the fields (derived_values)
    recorded_by: str = ""  # the column that gets the importing user's id on creation
    # Rent calls and payments: a change of these undoes what the row settled, and the leases
    # concerned settle their payments again, oldest periods first.
    ledger_fields: tuple[str, ...] = ()

    @property
    def table(self) -> Table:
        return self.model.__table__

    @property
    def by_name(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}

    @property
    def columns(self) -> tuple[FieldSpec, ...]:
        """The fields stored in the kind's own table."""
        return tuple(spec for spec in self.fields if not spec.many)

    @property
    def stored_columns(self) -> tuple[str, ...]:
        """The columns of the kind's table that fields and derived values fill."""
        return tuple(spec.name for spec in self.columns) + self.derived_columns

    @property
    def listed(self) -> tuple[FieldSpec, ...]:
        return tuple(spec for spec in self.fields if spec.listed)


def derived_values(kind: DataKind, row: dict[str, Any]) -> None:
    """Columns computed from others: a rent call's total is its rent plus its charges (a file
    of rent calls without a Charges column calls none)."""
    if kind is DataKind.RENT_CALLS and "rent_cents" in row:
        row.setdefault("charges_cents", 0)
        row["total_cents"] = row["rent_cents"] + row["charges_cents"]


# --- Field builders ---------------------------------------------------------------------------


def _reference() -> FieldSpec:
    return FieldSpec(
        "external_ref",
        "Référence",
        values.parse_reference,
        required=True,
        aliases=("Réf", "Réf.", "Ref", "Code", "Identifiant", "Référence externe"),
        listed=True,
        hint="La référence de la fiche dans votre logiciel de gestion.",
    )


def _text(name: str, label: str, length: int, *aliases: str, **options: Any) -> FieldSpec:
    return FieldSpec(name, label, values.text_parser(length), aliases=aliases, **options)


def _date(name: str, label: str, *aliases: str, required: bool = False, **options: Any):
    return FieldSpec(
        name,
        label,
        values.parse_date,
        values.format_date,
        required=required,
        empty=None,
        aliases=aliases,
        hint="jj/mm/aaaa",
        **options,
    )


def _amount(name: str, label: str, *aliases: str, required: bool = False, **options: Any):
    return FieldSpec(
        name,
        label,
        values.parse_amount,
        values.format_amount,
        required=required,
        empty=0,
        aliases=aliases,
        hint="En euros, par exemple 1 234,56",
        **options,
    )


def _choice(
    name: str,
    label: str,
    labels: Mapping[str, str],
    default: str,
    *aliases: str,
    listed: bool = False,
) -> FieldSpec:
    return FieldSpec(
        name,
        label,
        values.choice_parser(labels, label.lower()),
        values.choice_formatter(labels),
        empty=default,
        aliases=aliases,
        listed=listed,
        choices=labels,
    )


def _reference_to(
    name: str, label: str, target: DataKind, *aliases: str, many: bool = False, **options: Any
) -> FieldSpec:
    return FieldSpec(
        name,
        label,
        values.parse_references if many else values.parse_reference,
        _format_references if many else values.cell_text,
        empty=frozenset() if many else None,
        aliases=aliases,
        target=target,
        many=many,
        hint="Références séparées par des virgules" if many else "Référence",
        **options,
    )


def _format_references(references: Any) -> str:
    # A linked record imported or created without a reference has none to show.
    return ", ".join(sorted(reference for reference in references or () if reference))


def _person_fields() -> tuple[FieldSpec, ...]:
    return (
        _reference(),
        _text("civility", "Civilité", 10, "Titre"),
        _text("last_name", "Nom", 100, "Nom de famille", listed=True),
        _text("first_name", "Prénom", 100, listed=True),
        _text("company_name", "Société", 200, "Raison sociale", listed=True),
        FieldSpec(
            "email",
            "E-mail",
            values.parse_email,
            empty=None,
            aliases=("Email", "Courriel", "Adresse e-mail", "Mail"),
            listed=True,
        ),
        _text("phone", "Téléphone", 30, "Tél", "Tél.", "Portable"),
        *_address_fields(),
    )


def _address_fields() -> tuple[FieldSpec, ...]:
    return (
        _text("address_line1", "Adresse", 200, "Adresse 1", "Rue"),
        _text("address_line2", "Complément d'adresse", 200, "Adresse 2"),
        _text("postal_code", "Code postal", 10, "CP"),
        _text("city", "Ville", 100, "Commune", listed=True),
    )


# --- The kinds --------------------------------------------------------------------------------

_LOT_KINDS = {
    LotKind.APARTMENT.value: "Appartement",
    LotKind.HOUSE.value: "Maison",
    LotKind.PARKING.value: "Parking",
    LotKind.CELLAR.value: "Cave",
    LotKind.SHOP.value: "Commerce",
    LotKind.OFFICE.value: "Bureau",
}
_REPORTING_PERIODS = {
    ReportingPeriod.MONTHLY.value: "Mensuel",
    ReportingPeriod.QUARTERLY.value: "Trimestriel",
}
_LEASE_KINDS = {
    LeaseKind.UNFURNISHED.value: "Habitation vide",
    LeaseKind.FURNISHED.value: "Habitation meublée",
    LeaseKind.COMMERCIAL.value: "Commercial",
    LeaseKind.PARKING.value: "Parking",
}
_RENT_CALL_KINDS = {
    RentCallKind.RENT.value: "Loyer",
    RentCallKind.CHARGES_RECONCILIATION.value: "Régularisation des charges",
    RentCallKind.REPAIRS.value: "Refacturation de travaux",
    RentCallKind.OTHER.value: "Autre",
}
_PAYMENT_METHODS = {method.value: label for method, label in METHOD_LABELS.items()}


def _people(kind: DataKind, label: str, unknown: str, model: type[SQLModel]) -> KindSpec:
    return KindSpec(
        kind=kind,
        label=label,
        unknown=unknown,
        model=model,
        fields=_person_fields(),
        sort_column="sort_name",
        search_columns=("external_ref", "last_name", "first_name", "company_name", "email"),
        one_of=("last_name", "company_name"),
        unique_email=True,
    )


_BUILDINGS = KindSpec(
    kind=DataKind.BUILDINGS,
    label="Immeubles",
    unknown="immeuble inconnu",
    model=Property,
    fields=(
        _reference(),
        _text(
            "name",
            "Nom",
            200,
            "Nom de l'immeuble",
            "Immeuble",
            "Désignation",
            required=True,
            listed=True,
        ),
        *_address_fields(),
    ),
    sort_column="name",
    search_columns=("external_ref", "name", "city", "address_line1"),
)
_LOTS = KindSpec(
    kind=DataKind.LOTS,
    label="Lots",
    unknown="lot inconnu",
    model=Lot,
    fields=(
        _reference(),
        _reference_to(
            "property_id",
            "Immeuble",
            DataKind.BUILDINGS,
            "Réf. immeuble",
            required=True,
            listed=True,
        ),
        _text(
            "reference",
            "Numéro",
            50,
            "Numéro de lot",
            "N° de lot",
            "Lot n°",
            required=True,
            listed=True,
        ),
        _choice(
            "kind",
            "Type",
            _LOT_KINDS,
            LotKind.APARTMENT.value,
            "Type de lot",
            "Nature",
            listed=True,
        ),
        _text("floor", "Étage", 20),
        FieldSpec(
            "surface_m2",
            "Surface (m²)",
            values.parse_surface,
            values.format_surface,
            empty=None,
            aliases=("Surface", "Surface m2", "Surface habitable"),
        ),
        FieldSpec(
            "rooms",
            "Pièces",
            values.integer_parser(0, 100, "nombre de pièces"),
            values.format_integer,
            empty=None,
            aliases=("Nombre de pièces", "Nb pièces"),
        ),
        _text("description", "Description", 500),
        _reference_to(
            "owners", "Propriétaires", DataKind.OWNERS, "Propriétaire", many=True, listed=True
        ),
    ),
    links={"owners": LinkSpec(Ownership.__table__, "lot_id", "owner_id", shared=True)},
    sort_column="external_ref",
    search_columns=("external_ref", "reference", "description"),
)
_MANDATES = KindSpec(
    kind=DataKind.MANDATES,
    label="Mandats",
    unknown="mandat inconnu",
    model=ManagementMandate,
    fields=(
        _reference(),
        _reference_to(
            "owner_id", "Propriétaire", DataKind.OWNERS, "Mandant", required=True, listed=True
        ),
        _text(
            "number", "Numéro", 50, "Numéro de mandat", "N° de mandat", required=True, listed=True
        ),
        _date("signed_on", "Date de signature", "Signé le"),
        _date("start_date", "Date de début", "Début", "Date d'effet", required=True, listed=True),
        _date("end_date", "Date de fin", "Fin"),
        FieldSpec(
            "fee_rate_bp",
            "Honoraires (%)",
            values.parse_percent,
            values.format_percent,
            empty=700,
            aliases=("Honoraires", "Taux d'honoraires"),
            hint="En pourcentage des loyers encaissés, par exemple 7,5",
        ),
        FieldSpec(
            "vat_rate_bp",
            "TVA (%)",
            values.parse_percent,
            values.format_percent,
            empty=2000,
            aliases=("TVA", "Taux de TVA"),
        ),
        _choice(
            "reporting_period",
            "Périodicité",
            _REPORTING_PERIODS,
            ReportingPeriod.MONTHLY.value,
            "Périodicité des comptes rendus",
        ),
        _reference_to("lots", "Lots", DataKind.LOTS, "Lot", many=True, listed=True),
    ),
    links={"lots": LinkSpec(MandateLot.__table__, "mandate_id", "lot_id")},
    sort_column="external_ref",
    search_columns=("external_ref", "number"),
    date_order=(("start_date", "end_date"),),
)
_LEASES = KindSpec(
    kind=DataKind.LEASES,
    label="Baux",
    unknown="bail inconnu",
    model=Lease,
    fields=(
        _reference(),
        _reference_to("lot_id", "Lot", DataKind.LOTS, "Réf. lot", required=True, listed=True),
        _reference_to(
            "tenants",
            "Locataires",
            DataKind.TENANTS,
            "Locataire",
            "Colocataires",
            many=True,
            required=True,
            listed=True,
        ),
        _choice("kind", "Type de bail", _LEASE_KINDS, LeaseKind.UNFURNISHED.value, "Type"),
        _date("start_date", "Date de début", "Début", "Date d'effet", required=True, listed=True),
        _date("end_date", "Date de fin", "Fin", "Date de sortie", listed=True),
        _amount("rent_cents", "Loyer", "Loyer mensuel", "Loyer HC", required=True, listed=True),
        _amount("charges_cents", "Charges", "Provision sur charges", "Provisions"),
        _amount("deposit_cents", "Dépôt de garantie", "Dépôt", "Caution"),
        FieldSpec(
            "due_day",
            "Jour d'échéance",
            values.integer_parser(1, 28, "jour d'échéance"),
            values.format_integer,
            empty=1,
            aliases=("Jour de paiement", "Échéance le"),
        ),
        _text("payment_reference", "Référence de paiement", 50, "Référence virement"),
        _date("next_revision_date", "Prochaine révision", "Date de révision"),
    ),
    links={"tenants": LinkSpec(LeaseTenant.__table__, "lease_id", "tenant_id")},
    sort_column="external_ref",
    search_columns=("external_ref", "payment_reference"),
    date_order=(("start_date", "end_date"),),
)
_RENT_CALLS = KindSpec(
    kind=DataKind.RENT_CALLS,
    label="Appels de loyer",
    unknown="échéance inconnue",
    model=RentCall,
    fields=(
        _reference(),
        _reference_to("lease_id", "Bail", DataKind.LEASES, "Réf. bail", required=True),
        _choice("kind", "Type", _RENT_CALL_KINDS, RentCallKind.RENT.value, "Nature"),
        _text("label", "Libellé", 200),
        _date("period_start", "Début de période", "Période du", "Du", required=True),
        _date("period_end", "Fin de période", "Période au", "Au", required=True),
        _date("due_date", "Date d'échéance", "Échéance", required=True),
        _amount("rent_cents", "Loyer", "Montant du loyer", required=True),
        _amount("charges_cents", "Charges", "Provision sur charges"),
    ),
    sort_column="external_ref",
    search_columns=("external_ref", "label"),
    editable=False,
    unique_together=("lease_id", "kind", "period_start"),
    date_order=(("period_start", "period_end"),),
    derived_columns=("total_cents",),
    ledger_fields=("lease_id", "period_start", "total_cents"),
)
_PAYMENTS = KindSpec(
    kind=DataKind.PAYMENTS,
    label="Paiements",
    unknown="paiement inconnu",
    model=Payment,
    fields=(
        _reference(),
        _reference_to("lease_id", "Bail", DataKind.LEASES, "Réf. bail", required=True),
        _date("paid_on", "Date", "Date de paiement", "Date du paiement", required=True),
        _amount("amount_cents", "Montant", "Montant payé", "Somme", required=True),
        _choice(
            "method", "Mode de paiement", _PAYMENT_METHODS, PaymentMethod.TRANSFER.value, "Mode"
        ),
        _text("note", "Note", 300, "Commentaire", "Libellé"),
    ),
    sort_column="external_ref",
    search_columns=("external_ref", "note"),
    editable=False,
    not_in_future=("paid_on",),
    positive=("amount_cents",),
    recorded_by="recorded_by_id",
    ledger_fields=("lease_id", "paid_on", "amount_cents"),
)

KINDS: dict[DataKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        _people(DataKind.OWNERS, "Propriétaires", "propriétaire inconnu", Owner),
        _people(DataKind.TENANTS, "Locataires", "locataire inconnu", Tenant),
        _BUILDINGS,
        _LOTS,
        _MANDATES,
        _LEASES,
        _RENT_CALLS,
        _PAYMENTS,
    )
}
EDITABLE_KINDS = tuple(kind for kind, spec in KINDS.items() if spec.editable)


def kind_spec(kind: object) -> KindSpec | None:
    """The spec of a kind named by its value ("locataires"), or None for anything else."""
    if isinstance(kind, DataKind):
        return KINDS[kind]
    if not isinstance(kind, str):
        return None
    try:
        return KINDS[DataKind(kind)]
    except ValueError:
        return None


def row_problems(spec: KindSpec, row: Mapping[str, Any], today: date) -> list[tuple[str, str]]:
    """The kind's own rules on one row of parsed values: (field name, French message) pairs.
    Only fields present in the row are checked (a file may leave columns out)."""
    problems: list[tuple[str, str]] = []
    present = [name for name in spec.one_of if name in row]
    if present and not any(row.get(name) for name in spec.one_of):
        labels = " ou ".join(f"« {spec.by_name[name].label} »" for name in spec.one_of)
        problems.append((present[0], f"valeur obligatoire manquante ({labels})"))
    for start, end in spec.date_order:
        if row.get(start) and row.get(end) and row[end] < row[start]:
            label = spec.by_name[start].label
            shown = values.format_date(row[start])
            problems.append((end, f"date antérieure à « {label} » ({shown})"))
    for name in spec.not_in_future:
        if row.get(name) and row[name] > today:
            problems.append((name, f"date dans le futur {values.format_date(row[name])}"))
    for name in spec.positive:
        if name in row and row[name] <= 0:
            problems.append((name, "le montant doit être supérieur à zéro"))
    return problems
