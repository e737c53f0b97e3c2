"""The Import and Données page states, driven as a (possibly malicious) browser would drive
them: uploads, column choices, the background import, the edit form."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import Tenant
from extranet_app.pages.agency_data import AgencyDataState
from extranet_app.pages.agency_import import NOT_IMPORTED, AgencyImportState
from extranet_app.services import auth
from extranet_app.services.data_kinds import DataKind
from extranet_app.services.import_uploads import read_import_file
from tests.factories import PASSWORD, make_tenant, make_user
from tests.import_support import TENANTS, csv_bytes, xlsx_bytes
from tests.states_support import browser_payload, state_tree, substate

TENANT_ID = 873_421


def _login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


@pytest.fixture
def tokens(session) -> dict[str, str]:
    make_user(session, email="gestion@agence.test", is_agency=True)
    tenant_user = make_user(session, email="locataire@example.test")
    tenant = make_tenant(session, user=tenant_user, last_name="Zola")
    tenant.id, tenant.external_ref = TENANT_ID, "LOC-900"
    session.commit()
    return {"staff": _login("gestion@agence.test"), "tenant": _login("locataire@example.test")}


def upload(name: str, data: bytes) -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


async def import_page(token: str) -> AgencyImportState:
    state = substate(state_tree(token=token, path="/agence/import"), AgencyImportState)
    await state.load()
    return state


async def run_background(state: AgencyImportState, started) -> list:
    """Run the background job a handler started, as Reflex would; return its events."""
    assert started is AgencyImportState.run_job or started.fn.__name__ == "run_job"
    run_job = AgencyImportState.event_handlers["run_job"].fn
    return [event async for event in run_job(state)]


def tenant_refs() -> set[str]:
    with session_scope() as session:
        return set(session.exec(select(Tenant.external_ref)).all())


async def test_staff_uploads_checks_then_imports_a_file_in_the_background(tokens):
    state = await import_page(tokens["staff"])
    await state.choose_kind(DataKind.TENANTS.value)
    await state.receive_file([upload("locataires.xlsx", xlsx_bytes(TENANTS))])
    assert state.file_name == "locataires.xlsx"
    assert state.file_description.startswith("Classeur Excel (XLSX)")
    columns = {row.name: row.column for row in state.mapping_rows}
    assert columns["external_ref"] == "Référence" and columns["company_name"] == NOT_IMPORTED
    assert state.preview_headers[:3] == ["Référence", "Civilité", "Nom"]
    assert state.preview_rows[0][:3] == ["LOC-001", "Mme", "Lefèvre"]

    await run_background(state, await state.check())
    assert state.report_ok and "rien n'a encore été enregistré" in state.report_title
    assert tenant_refs() == {"LOC-900"}

    await run_background(state, await state.run_import())
    assert state.report_title == "Import terminé : 3 créés, 0 modifié, 0 inchangé."
    assert tenant_refs() == {"LOC-900", "LOC-001", "LOC-002", "LOC-003"}
    assert not state.busy
    payload = browser_payload(state.parent_state.parent_state)
    assert tokens["staff"] not in payload and "imports/" not in payload


async def test_problems_are_listed_by_line_and_nothing_is_imported(tokens):
    state = await import_page(tokens["staff"])
    rows = [*TENANTS, ["LOC-001", "", "Doublon", "", "", ""]]
    await state.receive_file([upload("locataires.csv", csv_bytes(rows))])
    await run_background(state, await state.run_import())
    assert not state.report_ok
    assert state.problems == [
        "Ligne 5, colonne « Référence » : référence « LOC-001 » en double (déjà à la ligne 2)"
    ]
    assert tenant_refs() == {"LOC-900"}


async def test_a_column_choice_changes_the_mapping_and_is_remembered(tokens):
    state = await import_page(tokens["staff"])
    await state.receive_file([upload("locataires.csv", csv_bytes(TENANTS))])
    await state.set_column("phone", NOT_IMPORTED)
    await state.set_column("email", "pas une colonne")  # forged: ignored
    await state.set_column({"x": 1}, "Nom")  # forged: ignored
    columns = {row.name: row.column for row in state.mapping_rows}
    assert columns["phone"] == NOT_IMPORTED and columns["email"] == "E-mail"
    await run_background(state, await state.check())
    again = await import_page(tokens["staff"])
    await again.receive_file([upload("locataires.csv", csv_bytes(TENANTS))])
    assert {row.name: row.column for row in again.mapping_rows}["phone"] == NOT_IMPORTED


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n", "choisissez un fichier CSV ou XLSX"),
        ("faux.xlsx", b"Reference;Nom\n", "n'est pas un classeur XLSX"),
        ("ancien.csv", b"\xd0\xcf\x11\xe0 vieux classeur", "ne correspond pas au contenu"),
    ],
)
async def test_only_csv_or_xlsx_files_are_accepted(tokens, name, data, words):
    state = await import_page(tokens["staff"])
    toast = await state.receive_file([upload(name, data)])
    assert words in str(toast)
    assert state.file_name == "" and state.mapping_rows == []


async def test_the_uploaded_file_is_kept_privately_and_forgotten_on_the_next_visit(tokens):
    state = await import_page(tokens["staff"])
    await state.receive_file([upload("locataires.csv", csv_bytes(TENANTS))])
    key = state._file_key
    assert read_import_file(key).startswith(b"R")
    await state.load()
    with pytest.raises(FileNotFoundError):
        read_import_file(key)


async def test_a_tenant_can_neither_upload_nor_import(tokens):
    state = await import_page(tokens["tenant"])
    toast = await state.receive_file([upload("locataires.csv", csv_bytes(TENANTS))])
    assert "réservée à l'agence" in str(toast)
    assert state.file_name == ""
    state._file_key = "imports/forged.csv"
    assert "réservée à l'agence" in str(await state.run_import())
    assert tenant_refs() == {"LOC-900"}


# --- Données ------------------------------------------------------------------------------------


async def data_page(token: str) -> AgencyDataState:
    state = substate(state_tree(token=token, path="/agence/donnees"), AgencyDataState)
    await state.load()
    return state


async def test_staff_edits_a_tenant_through_the_generic_form(tokens):
    state = await data_page(tokens["staff"])
    await state.choose_kind(DataKind.TENANTS.value)
    assert [row.title for row in state.rows] == ["LOC-900"]
    await state.edit(0)
    fields = {field.name: field for field in state.form_fields}
    assert fields["last_name"].value == "Zola" and fields["external_ref"].required
    values = {field.name: field.value for field in state.form_fields}
    await state.save(values | {"email": "pas-une-adresse"})
    errors = {field.name: field.error for field in state.form_fields if field.error}
    assert errors == {"email": "adresse e-mail invalide « pas-une-adresse »"}
    assert state.editing
    await state.save(values | {"first_name": "Émile"})
    assert not state.editing
    with session_scope() as session:
        assert session.get(Tenant, TENANT_ID).first_name == "Émile"
    payload = browser_payload(state.parent_state.parent_state)
    assert str(TENANT_ID) not in payload and tokens["staff"] not in payload


async def test_staff_creates_a_building_and_sees_it_listed(tokens):
    state = await data_page(tokens["staff"])
    await state.choose_kind(DataKind.BUILDINGS.value)
    await state.new_record()
    await state.save({"external_ref": "IMM-7", "name": "Le Bellecour", "city": "Lyon"})
    assert [row.title for row in state.rows] == ["IMM-7"]


@pytest.mark.parametrize("position", [5, -1, "0", True, {"id": 1}, None])
async def test_forged_positions_and_kinds_are_ignored(tokens, position):
    state = await data_page(tokens["staff"])
    await state.choose_kind(DataKind.TENANTS.value)
    await state.edit(position)
    assert not state.editing
    await state.choose_kind(DataKind.PAYMENTS.value)
    await state.choose_kind(["locataires"])
    assert state.kind == DataKind.TENANTS.value


async def test_a_tenant_sees_no_data_and_changes_nothing(tokens):
    state = await data_page(tokens["tenant"])
    assert state.rows == []
    state._editing_id, state.editing = TENANT_ID, True
    await state.save({"external_ref": "LOC-900", "last_name": "Pirate"})
    with session_scope() as session:
        assert session.get(Tenant, TENANT_ID).last_name == "Zola"
