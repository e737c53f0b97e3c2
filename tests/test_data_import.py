"""Import of the agency's files: every encoding and separator, line-precise problems, all or
nothing, matching by reference, idempotence, and the ledger settled oldest periods first."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, func, select

from extranet_app.db import session_scope
from extranet_app.models import (
    AuditEvent,
    Lease,
    LeaseTenant,
    Ownership,
    Payment,
    PaymentAllocation,
    RentCall,
    Tenant,
)
from extranet_app.services import access_management as access
from extranet_app.services import data_import
from extranet_app.services.data_import import ImportConflict
from extranet_app.services.data_kinds import DataKind
from extranet_app.services.errors import AccessDenied
from tests.import_support import (
    BUILDINGS,
    LEASES,
    LOTS,
    TENANTS,
    csv_bytes,
    person_actor,
    staff_actor,
    xlsx_bytes,
)

TODAY = date(2026, 6, 15)


@pytest.fixture
def staff(session):
    return staff_actor(session)


def import_rows(session, staff, kind, rows, *, dry_run=False, **options):
    return data_import.import_file(
        session=session,
        actor=staff,
        kind=kind,
        data=csv_bytes(rows),
        dry_run=dry_run,
        today=TODAY,
        **options,
    )


@pytest.fixture
def portfolio(session, staff):
    """Tenants, a building, two lots and a lease with two co-tenants, imported."""
    for kind, rows in (
        (DataKind.TENANTS, TENANTS),
        (DataKind.BUILDINGS, BUILDINGS),
        (DataKind.LOTS, LOTS),
        (DataKind.LEASES, LEASES),
    ):
        assert import_rows(session, staff, kind, rows).applied
    return session.exec(select(Lease)).one()


def count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --- Files in every shape ------------------------------------------------------------------------

FILES = {
    "cp1252 ;": lambda rows: csv_bytes(rows, separator=";", encoding="cp1252"),
    "utf-8 BOM ;": lambda rows: csv_bytes(rows, separator=";", encoding="utf-8", bom=True),
    "utf-8 ,": lambda rows: csv_bytes(rows, separator=",", encoding="utf-8"),
    "xlsx": xlsx_bytes,
}


@pytest.mark.parametrize("shape", list(FILES))
def test_tenants_file_in_each_encoding_and_separator_is_imported_with_its_accents(
    session, staff, shape
):
    report = data_import.import_file(
        session=session,
        actor=staff,
        kind=DataKind.TENANTS,
        data=FILES[shape](TENANTS),
        dry_run=False,
    )
    assert report.applied and report.summary == "3 créés, 0 modifié, 0 inchangé"
    tenants = {t.external_ref: t for t in session.exec(select(Tenant)).all()}
    assert tenants["LOC-001"].first_name == "Hélène"
    assert tenants["LOC-002"].last_name == "Garçon"
    assert tenants["LOC-002"].email == "francois.garcon@example.test"
    assert tenants["LOC-003"].email is None and tenants["LOC-003"].first_name == "Ánh"


@pytest.mark.parametrize(
    ("data", "description"),
    [
        (csv_bytes(TENANTS), "CSV, séparateur point-virgule, Windows-1252"),
        (
            csv_bytes(TENANTS, encoding="utf-8", bom=True),
            "CSV, séparateur point-virgule, UTF-8 (avec BOM)",
        ),
        (csv_bytes(TENANTS, separator=",", encoding="utf-8"), "CSV, séparateur virgule, UTF-8"),
        (xlsx_bytes(TENANTS), "Classeur Excel (XLSX), première feuille"),
    ],
)
def test_the_page_is_told_what_was_detected_and_sees_the_first_rows(
    session, staff, data, description
):
    overview = data_import.inspect_file(
        session=session, actor=staff, kind=DataKind.TENANTS, data=data
    )
    assert overview.description == description
    assert overview.headers == tuple(TENANTS[0])
    assert overview.preview[0][:4] == ("LOC-001", "Mme", "Lefèvre", "Hélène")
    assert overview.mapping["external_ref"] == "Référence"
    assert overview.mapping["email"] == "E-mail"
    assert overview.mapping["company_name"] == ""


def test_typed_spreadsheet_cells_are_read_as_dates_and_amounts(session, staff, portfolio):
    rows = [
        [
            "Référence",
            "Bail",
            "Début de période",
            "Fin de période",
            "Date d'échéance",
            "Loyer",
            "Charges",
        ],
        [
            "E-1",
            "BAIL-1",
            datetime(2025, 1, 1),
            datetime(2025, 1, 31),
            datetime(2025, 1, 5),
            650,
            80.5,
        ],
    ]
    report = data_import.import_file(
        session=session, actor=staff, kind=DataKind.RENT_CALLS, data=xlsx_bytes(rows), dry_run=False
    )
    assert report.applied
    call = session.exec(select(RentCall)).one()
    assert (call.period_start, call.due_date) == (date(2025, 1, 1), date(2025, 1, 5))
    assert (call.rent_cents, call.charges_cents, call.total_cents) == (65_000, 8_050, 73_050)


# --- Problems, by line and column, and nothing imported ------------------------------------------


def test_malformed_file_gives_line_precise_errors_and_imports_nothing(session, staff, portfolio):
    rows = [
        ["Référence", "Lot", "Locataires", "Date de début", "Loyer", "Charges"],
        ["BAIL-2", "LOT-2", "LOC-003", "01/03/2025", "90,00", ""],  # a good row: not imported
        ["BAIL-3", "LOT-2", "LOC-003", "31/02/2025", "90,00", ""],
        ["BAIL-4", "LOT-2", "LOC-003", "01/03/2025", "12,3,4", ""],
        ["BAIL-5", "LOT-99", "LOC-003", "01/03/2025", "90,00", ""],
        ["BAIL-2", "LOT-2", "LOC-003", "01/04/2025", "90,00", ""],
        ["BAIL-6", "LOT-2", "", "01/03/2025", "90,00", ""],
    ]
    report = import_rows(session, staff, DataKind.LEASES, rows)
    assert [problem.text for problem in report.problems] == [
        "Ligne 3, colonne « Date de début » : date invalide 31/02/2025",
        "Ligne 4, colonne « Loyer » : montant invalide « 12,3,4 » (attendu par exemple 1 234,56)",
        "Ligne 5, colonne « Lot » : lot inconnu « LOT-99 »",
        "Ligne 6, colonne « Référence » : référence « BAIL-2 » en double (déjà à la ligne 2)",
        "Ligne 7, colonne « Locataires » : valeur obligatoire manquante",
    ]
    assert not report.applied
    assert report.conclusion == "5 problèmes : rien n'a été importé."
    assert count(session, Lease) == 1  # only the lease of the fixture


def test_wrong_columns_are_reported_on_the_header_line(session, staff, portfolio):
    rows = [
        ["Référence", "Lot", "Locataires", "Début du bail", "Loyer"],
        ["BAIL-2", "LOT-2", "LOC-003", "01/03/2025", "90"],
    ]
    report = import_rows(session, staff, DataKind.LEASES, rows)
    assert [problem.text for problem in report.problems] == [
        "Ligne 1 : colonne obligatoire « Date de début » introuvable "
        "(associez-la à une colonne du fichier)."
    ]
    assert count(session, Lease) == 1


def test_a_file_that_is_not_a_table_is_refused_in_french(session, staff):
    report = data_import.import_file(
        session=session,
        actor=staff,
        kind=DataKind.TENANTS,
        data=b"\xd0\xcf\x11\xe0old",
        dry_run=False,
    )
    assert report.problems[0].text.startswith("Ancien format Excel (.xls) non pris en charge")


def test_duplicate_email_in_the_file_and_in_the_database(session, staff, portfolio):
    rows = [
        ["Référence", "Nom", "E-mail"],
        ["LOC-010", "Petit", "PETIT@example.test"],
        ["LOC-011", "Petit", "petit@example.test"],
        ["LOC-012", "Autre", "helene.lefevre@example.test"],
    ]
    report = import_rows(session, staff, DataKind.TENANTS, rows)
    assert [problem.text for problem in report.problems] == [
        "Ligne 3, colonne « E-mail » : adresse e-mail « petit@example.test » en double "
        "(déjà à la ligne 2)",
        "Ligne 4, colonne « E-mail » : adresse e-mail déjà utilisée par une autre fiche "
        "(référence LOC-001)",
    ]
    assert count(session, Tenant) == 3


def test_a_person_needs_a_name_or_a_company(session, staff):
    rows = [["Référence", "Nom", "Société"], ["PRO-1", "", ""], ["PRO-2", "", "SCI Les Tilleuls"]]
    report = import_rows(session, staff, DataKind.OWNERS, rows)
    assert [problem.text for problem in report.problems] == [
        "Ligne 2, colonne « Nom » : valeur obligatoire manquante (« Nom » ou « Société »)"
    ]


def test_the_database_changing_under_the_import_writes_nothing(session, staff, database_url):
    def meanwhile(fraction: float) -> None:
        if fraction == 0.9:  # checks done, write not started: someone creates LOC-002
            with session_scope() as other:
                other.add(Tenant(external_ref="LOC-002", last_name="Entre-temps"))
                other.commit()

    with pytest.raises(ImportConflict, match="rien n'a été importé"):
        import_rows(session, staff, DataKind.TENANTS, TENANTS, progress=meanwhile)
    names = session.exec(select(Tenant.last_name)).all()
    assert names == ["Entre-temps"]


# --- Matching by reference -----------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(session, staff, portfolio):
    before = session.exec(select(Tenant.id, Tenant.last_name, Tenant.email)).all()
    report = import_rows(session, staff, DataKind.TENANTS, TENANTS)
    assert report.applied
    assert report.summary == "0 créé, 0 modifié, 3 inchangés"
    assert session.exec(select(Tenant.id, Tenant.last_name, Tenant.email)).all() == before
    for kind, rows in ((DataKind.LOTS, LOTS), (DataKind.LEASES, LEASES)):
        assert import_rows(session, staff, kind, rows).summary.startswith("0 créé, 0 modifié")


def test_an_updated_file_updates_rows_matched_by_reference_never_by_name(session, staff, portfolio):
    rows = [list(row) for row in TENANTS]
    rows[2][2] = "Garçon-Martin"  # LOC-002 changed its name
    rows.append(["LOC-004", "Mme", "Lefèvre", "Hélène", "", ""])  # same name, another person
    report = import_rows(session, staff, DataKind.TENANTS, rows)
    assert report.summary == "1 créé, 1 modifié, 2 inchangés"
    tenants = {t.external_ref: t for t in session.exec(select(Tenant)).all()}
    assert tenants["LOC-002"].last_name == "Garçon-Martin"
    assert tenants["LOC-004"].id != tenants["LOC-001"].id


def test_a_column_left_out_of_the_file_keeps_its_values(session, staff, portfolio):
    rows = [["Référence", "Nom"], ["LOC-001", "Lefèvre"]]
    assert (
        import_rows(session, staff, DataKind.TENANTS, rows).summary
        == "0 créé, 0 modifié, 1 inchangé"
    )
    tenant = session.exec(select(Tenant).where(Tenant.external_ref == "LOC-001")).one()
    assert tenant.phone == "06 12 34 56 78"


def test_lease_co_tenants_are_linked_and_replaced_by_an_updated_file(session, staff, portfolio):
    def tenants_of_lease() -> set[str]:
        statement = (
            select(Tenant.external_ref)
            .join(LeaseTenant, LeaseTenant.tenant_id == Tenant.id)
            .where(LeaseTenant.lease_id == portfolio.id)
        )
        return set(session.exec(statement).all())

    assert tenants_of_lease() == {"LOC-001", "LOC-002"}
    rows = [list(row) for row in LEASES]
    rows[1][2] = "LOC-001 | LOC-003"
    assert (
        import_rows(session, staff, DataKind.LEASES, rows).summary
        == "0 créé, 1 modifié, 0 inchangé"
    )
    assert tenants_of_lease() == {"LOC-001", "LOC-003"}


def test_lot_owners_get_equal_shares(session, staff, portfolio):
    owners = [["Référence", "Nom"], ["PRO-1", "Martin"], ["PRO-2", "Bernard"], ["PRO-3", "Roux"]]
    assert import_rows(session, staff, DataKind.OWNERS, owners).applied
    lots = [
        ["Référence", "Immeuble", "Numéro", "Propriétaires"],
        ["LOT-1", "IMM-1", "A12", "PRO-1, PRO-2, PRO-3"],
    ]
    assert import_rows(session, staff, DataKind.LOTS, lots).applied
    shares = session.exec(select(Ownership.share_bp).order_by(Ownership.owner_id)).all()
    assert shares == [3_334, 3_333, 3_333]


# --- Rent calls and payments ----------------------------------------------------------------------

CALLS = [
    [
        "Référence",
        "Bail",
        "Début de période",
        "Fin de période",
        "Date d'échéance",
        "Loyer",
        "Charges",
    ],
    ["E-01", "BAIL-1", "01/01/2025", "31/01/2025", "05/01/2025", "650,00", "80,00"],
    ["E-02", "BAIL-1", "01/02/2025", "28/02/2025", "05/02/2025", "650,00", "80,00"],
    ["E-03", "BAIL-1", "01/03/2025", "31/03/2025", "05/03/2025", "650,00", "80,00"],
]
PAYMENTS = [
    ["Référence", "Bail", "Date", "Montant", "Mode de paiement"],
    ["P-02", "BAIL-1", "10/02/2025", "500,00", "Chèque"],
    ["P-01", "BAIL-1", "08/01/2025", "1 000,00", "Virement"],
]


def allocations(session) -> list[tuple[str, str, int]]:
    statement = (
        select(Payment.external_ref, RentCall.external_ref, PaymentAllocation.amount_cents)
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .join(RentCall, RentCall.id == PaymentAllocation.rent_call_id)
        .order_by(Payment.paid_on, RentCall.period_start)
    )
    return [tuple(row) for row in session.exec(statement).all()]


def test_imported_payments_settle_the_oldest_periods_first(session, staff, portfolio):
    assert import_rows(session, staff, DataKind.RENT_CALLS, CALLS).applied
    report = import_rows(session, staff, DataKind.PAYMENTS, PAYMENTS)
    assert report.summary == "2 créés, 0 modifié, 0 inchangé"
    # The payment of January first (whatever the order of the file), each period in turn.
    assert allocations(session) == [
        ("P-01", "E-01", 73_000),
        ("P-01", "E-02", 27_000),
        ("P-02", "E-02", 46_000),
        ("P-02", "E-03", 4_000),
    ]
    payment = session.exec(select(Payment).where(Payment.external_ref == "P-01")).one()
    assert payment.method == "virement" and payment.recorded_by_id == staff.user_id
    assert import_rows(session, staff, DataKind.PAYMENTS, PAYMENTS).summary == (
        "0 créé, 0 modifié, 2 inchangés"
    )
    assert len(allocations(session)) == 4


def test_credit_from_payments_imported_first_settles_rent_calls_imported_later(
    session, staff, portfolio
):
    assert import_rows(session, staff, DataKind.PAYMENTS, PAYMENTS).applied
    assert allocations(session) == []  # nothing to settle yet: the payments are credit
    assert import_rows(session, staff, DataKind.RENT_CALLS, CALLS[:3]).applied
    assert allocations(session) == [
        ("P-01", "E-01", 73_000),
        ("P-01", "E-02", 27_000),
        ("P-02", "E-02", 46_000),
    ]


def test_a_corrected_payment_amount_settles_again(session, staff, portfolio):
    import_rows(session, staff, DataKind.RENT_CALLS, CALLS)
    import_rows(session, staff, DataKind.PAYMENTS, PAYMENTS[:1] + PAYMENTS[2:])
    corrected = [PAYMENTS[0], ["P-01", "BAIL-1", "08/01/2025", "730,00", "Virement"]]
    assert import_rows(session, staff, DataKind.PAYMENTS, corrected).summary == (
        "0 créé, 1 modifié, 0 inchangé"
    )
    assert allocations(session) == [("P-01", "E-01", 73_000)]


def test_two_rent_calls_for_the_same_period_are_refused(session, staff, portfolio):
    import_rows(session, staff, DataKind.RENT_CALLS, CALLS[:2])
    rows = [
        CALLS[0],
        ["E-99", "BAIL-1", "01/01/2025", "31/01/2025", "05/01/2025", "650,00", "80,00"],
    ]
    report = import_rows(session, staff, DataKind.RENT_CALLS, rows)
    assert [problem.text for problem in report.problems] == [
        "Ligne 2, colonne « Début de période » : échéance déjà enregistrée pour cette période "
        "(référence E-01)"
    ]


def test_payments_cannot_be_dated_in_the_future(session, staff, portfolio):
    rows = [PAYMENTS[0], ["P-09", "BAIL-1", "16/06/2026", "10", ""]]
    report = import_rows(session, staff, DataKind.PAYMENTS, rows)
    assert [p.text for p in report.problems] == [
        "Ligne 2, colonne « Date » : date dans le futur 16/06/2026"
    ]


# --- Dry run, mapping, audit, staff only ----------------------------------------------------------


def test_a_dry_run_reports_what_would_be_done_and_writes_nothing(session, staff):
    report = import_rows(session, staff, DataKind.TENANTS, TENANTS, dry_run=True)
    assert report.ok and not report.applied
    assert report.conclusion == (
        "Essai sans erreur (3 créés, 0 modifié, 0 inchangé) : rien n'a encore été enregistré."
    )
    assert count(session, Tenant) == 0


def test_the_remembered_mapping_serves_the_next_imports_also_from_the_command_line(session, staff):
    rows = [
        ["Code client", "Nom de famille", "Courriel", "Notes"],
        ["C-1", "Durand", "d@example.test", "x"],
    ]
    mapping = {"external_ref": "Code client", "last_name": "Nom de famille", "email": ""}
    data_import.remember_mapping(
        session=session, actor=staff, kind=DataKind.TENANTS, mapping=mapping
    )
    report = data_import.import_file_as_system(
        session=session, kind=DataKind.TENANTS, data=csv_bytes(rows), dry_run=False
    )
    assert report.applied and report.ignored_columns == ("Courriel", "Notes")
    tenant = session.exec(select(Tenant)).one()
    assert (tenant.external_ref, tenant.last_name, tenant.email) == ("C-1", "Durand", None)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "data.imported")).one()
    assert event.actor_user_id is None and '"via": "cli"' in event.detail


def test_imports_are_for_agency_staff_only(session):
    tenant = person_actor(session)
    with pytest.raises(AccessDenied):
        data_import.import_file(
            session=session,
            actor=tenant,
            kind=DataKind.TENANTS,
            data=csv_bytes(TENANTS),
            dry_run=True,
        )
    with pytest.raises(AccessDenied):
        data_import.inspect_file(session=session, actor=tenant, kind=DataKind.TENANTS, data=b"a;b")
    with pytest.raises(AccessDenied):
        data_import.remember_mapping(
            session=session, actor=tenant, kind=DataKind.TENANTS, mapping={}
        )
    assert count(session, Tenant) == 0


def test_imported_tenants_appear_in_gestion_des_acces_ready_to_be_enrolled(session, staff):
    import_rows(session, staff, DataKind.TENANTS, TENANTS)
    listing = access.list_people(session=session, actor=staff, query=access.AccessQuery())
    assert {row.external_ref for row in listing.rows} == {"LOC-001", "LOC-002", "LOC-003"}
    assert {row.status for row in listing.rows} == {access.AccessStatus.NOT_ENROLLED.value}
    result = access.enrol_people(
        session=session,
        actor=staff,
        kind=access.PersonKind.TENANT,
        person_ids=[key.person_id for key in listing.keys],
    )
    assert (result.enrolled, result.missing_email) == (2, 1)
