"""Files as the agency's management software exports them, made by the tests themselves."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from extranet_app.services.auth import SessionUser
from tests.factories import make_user

Rows = Sequence[Sequence[object]]


def csv_bytes(
    rows: Rows, *, separator: str = ";", encoding: str = "cp1252", bom: bool = False
) -> bytes:
    """A CSV file: French Excel writes ';' and Windows-1252; others ',' and UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: Rows) -> bytes:
    """A real XLSX workbook made with openpyxl (cells keep their types: dates, numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def staff_actor(session, *, email: str = "gestion@agence.test") -> SessionUser:
    """A staff member of the agency, as the services see the logged-in user."""
    user = make_user(session, email=email, is_agency=True)
    session.commit()
    return SessionUser(user.id, 0, user.email, "Gestion", True, False, (), ())


def person_actor(session, *, tenant_ids: tuple[int, ...] = ()) -> SessionUser:
    """A tenant's login: no agency rights."""
    user = make_user(session)
    session.commit()
    return SessionUser(user.id, 0, user.email, "Locataire", False, False, tenant_ids, ())


TENANT_HEADERS = ["Référence", "Civilité", "Nom", "Prénom", "E-mail", "Téléphone"]
TENANTS = [
    TENANT_HEADERS,
    ["LOC-001", "Mme", "Lefèvre", "Hélène", "helene.lefevre@example.test", "06 12 34 56 78"],
    ["LOC-002", "M.", "Garçon", "François", "francois.garcon@example.test", ""],
    ["LOC-003", "", "Nguyên", "Ánh", "", ""],
]
BUILDINGS = [
    ["Référence", "Nom", "Adresse", "Code postal", "Ville"],
    ["IMM-1", "Résidence Les Tilleuls", "8 rue Garibaldi", "69006", "Lyon"],
]
LOTS = [
    ["Référence", "Immeuble", "Numéro", "Type", "Surface", "Pièces"],
    ["LOT-1", "IMM-1", "A12", "Appartement", "42,5", "2"],
    ["LOT-2", "IMM-1", "P4", "parking", "", ""],
]
LEASES = [
    ["Référence", "Lot", "Locataires", "Date de début", "Loyer", "Charges"],
    ["BAIL-1", "LOT-1", "LOC-001, LOC-002", "01/01/2025", "650,00", "80,00"],
]
