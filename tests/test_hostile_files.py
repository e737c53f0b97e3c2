"""A corpus of hostile uploads: each one is refused by services/uploads.check_upload, and the
sharpest of them also through a real upload handler, with nothing written (no file in the
documents folder, no Document row)."""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
import reflex as rx
from fpdf import FPDF
from PIL import Image
from sqlmodel import select
from starlette.datastructures import Headers

from extranet_app.db import session_scope
from extranet_app.models import Document, DocumentCategory, DocumentRequest, DocumentRequestStatus
from extranet_app.pages.tenant_requests import TenantRequestsState
from extranet_app.services import auth
from extranet_app.services.timekeeping import today_in_france
from extranet_app.services.uploads import EICAR_SIGNATURE, UploadRefused, check_upload
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_lease, make_lot, make_tenant, make_user
from tests.states_support import state_tree, substate

LIMIT = 1024 * 1024  # the upload limit of these tests (1 Mo): the zip bomb fits within it
REQUEST_TITLE = "Attestation d'assurance habitation"


# --- Building the hostile files ----------------------------------------------------------------


@cache
def real_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Attestation d'assurance")
    return bytes(pdf.output())


@cache
def real_image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(buffer, format=kind)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A real PNG whose IHDR header claims a gigantic canvas ("pixel flood")."""
    data = bytearray(real_image("PNG"))
    data[16:24] = struct.pack(">II", width, height)
    return bytes(data)


@cache
def zip_bomb() -> bytes:
    """A real, small zip (~130 Ko) of one 128 Mo zero-filled file, as a .docx would be."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        chunk = bytes(1024 * 1024)
        for _ in range(128):
            member.write(chunk)
    return buffer.getvalue()


def with_pdf_tail(tail: bytes) -> bytes:
    """A real PDF with `tail` written just before its end marker."""
    return real_pdf().replace(b"%%EOF", tail + b"\n%%EOF")


HTML_PAGE = b"<!DOCTYPE html><html><body><script>fetch('/api')</script></body></html>"
SVG_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
)
# A file that is at once a valid PDF for a viewer and an HTML page for a sniffing browser.
POLYGLOT = b"%PDF-1.4\n%<html><script>alert(document.domain)</script></html>\n" + real_pdf()[9:]
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)

# (id, filename, data, declared MIME type, part of the French message)
HOSTILE = [
    ("html-renamed-pdf", "attestation.pdf", HTML_PAGE, "application/pdf", "n'est pas un fichier"),
    ("svg-with-script", "logo.svg", SVG_SCRIPT, "image/svg+xml", "n'est pas un fichier"),
    ("svg-renamed-png", "logo.png", SVG_SCRIPT, "image/png", "n'est pas un fichier"),
    ("pdf-html-polyglot", "quittance.pdf", POLYGLOT, "application/pdf", "code web"),
    ("eicar-named-pdf", "facture.pdf", EICAR_SIGNATURE, "application/pdf", "EICAR"),
    ("eicar-raw", "eicar.com", EICAR_SIGNATURE, "", "EICAR"),
    ("eicar-inside-pdf", "bail.pdf", with_pdf_tail(EICAR_SIGNATURE), "", "EICAR"),
    ("eicar-after-png", "photo.png", real_image("PNG") + EICAR_SIGNATURE, "", "EICAR"),
    ("zip-bomb-docx", "contrat.docx", zip_bomb(), "", "n'est pas un fichier"),
    ("zip-bomb-renamed-pdf", "contrat.pdf", zip_bomb(), "application/pdf", "n'est pas un fichier"),
    ("one-byte-over", "gros.pdf", b"%PDF-1.4\n" + b"0" * (LIMIT - 8), "", "taille maximale"),
    ("dot-dot-slash", "../../data/extranet.db.pdf", real_pdf(), "", "caractères interdits"),
    ("dot-dot-backslash", "..\\..\\bail.pdf", real_pdf(), "", "caractères interdits"),
    ("nul-in-name", "bail.pdf\x00.html", real_pdf(), "", "caractères interdits"),
    ("newline-in-name", "bail\r\nX-Injected: 1.pdf", real_pdf(), "", "caractères interdits"),
    ("right-to-left-override", "facture\u202egpj.pdf", real_pdf(), "", "invisibles"),
    ("pixel-flood-png", "plan.png", png_declaring(100_000, 100_000), "", "démesurées"),
    ("wrong-declared-type", "bail.pdf", real_pdf(), "image/png", "type annoncé"),
    ("declared-html", "bail.pdf", real_pdf(), "text/html", "type annoncé"),
    ("pdf-named-png", "photo.png", real_pdf(), "image/png", "l'extension ne correspond pas"),
    ("double-extension-exe", "facture.pdf.exe", real_pdf(), "", "l'extension ne correspond pas"),
    ("windows-exe-named-pdf", "facture.pdf", WINDOWS_EXE, "", "n'est pas un fichier"),
    (
        "pdf-open-javascript",
        "avis.pdf",
        with_pdf_tail(b"<< /S /JavaScript /JS (x) >>"),
        "",
        "actif",
    ),
    ("pdf-launch", "avis.pdf", with_pdf_tail(b"<< /S /Launch /F (cmd.exe) >>"), "", "actif"),
    ("pdf-embedded-file", "avis.pdf", with_pdf_tail(b"<< /Type /EmbeddedFile >>"), "", "actif"),
    ("jpeg-with-script", "photo.jpg", real_image("JPEG") + b"<script>x()</script>", "", "code web"),
    ("truncated-png", "photo.png", real_image("PNG")[:20], "", "illisible"),
    ("empty", "vide.pdf", b"", "application/pdf", "est vide"),
]


@pytest.fixture(autouse=True)
def small_upload_limit(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", str(LIMIT))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


ISSUE_KINDS = {
    "html-renamed-pdf",
    "svg-with-script",
    "pdf-html-polyglot",
    "eicar-named-pdf",
    "eicar-raw",
    "zip-bomb-docx",
    "one-byte-over",
    "dot-dot-slash",
    "nul-in-name",
    "pixel-flood-png",
    "wrong-declared-type",
}


def test_the_corpus_covers_every_kind_the_issue_names():
    ids = [case[0] for case in HOSTILE]
    assert len(set(ids)) == len(ids)
    assert set(ids) >= ISSUE_KINDS
    assert len(zip_bomb()) < LIMIT  # small on the wire, 128 Mo once inflated
    with zipfile.ZipFile(io.BytesIO(zip_bomb())) as archive:
        assert archive.infolist()[0].file_size == 128 * 1024 * 1024
    one_over = next(case for case in HOSTILE if case[0] == "one-byte-over")
    assert len(one_over[2]) == LIMIT + 1


@pytest.mark.parametrize(
    ("filename", "data", "declared", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in HOSTILE],
)
def test_each_hostile_file_is_refused_by_the_upload_check(filename, data, declared, message):
    with pytest.raises(UploadRefused) as refused:
        check_upload(filename=filename, data=data, declared_type=declared)
    assert message in str(refused.value)


def test_the_genuine_files_of_the_corpus_pass_so_the_refusals_are_about_the_attack():
    for name, data in (("bail.pdf", real_pdf()), ("photo.png", real_image("PNG"))):
        assert check_upload(filename=name, data=data).data == data
    at_limit = b"%PDF-1.4\n" + b"0" * (LIMIT - 9)
    assert check_upload(filename="gros.pdf", data=at_limit).mime_type == "application/pdf"


# --- Through a real upload handler: nothing written -------------------------------------------


@dataclasses.dataclass(frozen=True)
class RawNamedUpload(rx.UploadFile):
    """An upload whose name reaches the handler exactly as a malicious client wrote it."""

    raw_name: str = ""

    @property
    def name(self) -> str:
        return self.raw_name


def as_upload(filename: str, data: bytes, declared: str) -> rx.UploadFile:
    return RawNamedUpload(
        file=io.BytesIO(data),
        size=len(data),
        headers=Headers({"content-type": declared or "application/octet-stream"}),
        raw_name=filename,
    )


@pytest.fixture
def tenant_token(session) -> str:
    login = make_user(session, email="camille@example.test")
    tenant = make_tenant(session, user=login)
    lease = make_lease(session, lot=make_lot(session), tenants=[tenant])
    session.add(
        DocumentRequest(
            title=REQUEST_TITLE,
            category=DocumentCategory.INSURANCE,
            due_date=today_in_france() + timedelta(days=10),
            tenant_id=tenant.id,
            lease_id=lease.id,
        )
    )
    session.commit()
    return auth.login(session=session, email="camille@example.test", password=PASSWORD).token


def nothing_written() -> bool:
    root = get_settings().documents_dir
    files = [path for path in root.rglob("*") if path.is_file()] if root.exists() else []
    with session_scope() as session:
        documents = session.exec(select(Document)).all()
    with session_scope() as session:
        request = session.exec(select(DocumentRequest)).one()
    return files == [] and documents == [] and request.status == DocumentRequestStatus.PENDING


THROUGH_HANDLER = [
    "html-renamed-pdf",
    "pdf-html-polyglot",
    "eicar-inside-pdf",
    "zip-bomb-docx",
    "one-byte-over",
    "dot-dot-slash",
    "nul-in-name",
    "pixel-flood-png",
    "wrong-declared-type",
]


@pytest.mark.parametrize("case_id", THROUGH_HANDLER)
async def test_a_hostile_file_sent_to_the_documents_a_fournir_handler_writes_nothing(
    tenant_token, case_id
):
    _, filename, data, declared, message = next(c for c in HOSTILE if c[0] == case_id)
    root = state_tree(token=tenant_token, path="/locataire/documents-a-fournir")
    state = substate(root, TenantRequestsState)
    await state.load()
    await state.choose(0)
    # A genuine file first: one hostile file in the batch refuses the whole batch.
    genuine = as_upload("attestation.pdf", real_pdf(), "application/pdf")
    await state.submit([genuine, as_upload(filename, data, declared)])
    assert message in state.upload_error
    assert nothing_written()


async def test_the_same_handler_stores_a_genuine_file(tenant_token):
    root = state_tree(token=tenant_token, path="/locataire/documents-a-fournir")
    state = substate(root, TenantRequestsState)
    await state.load()
    await state.choose(0)
    await state.submit([as_upload("attestation.pdf", real_pdf(), "application/pdf")])
    assert state.upload_error == ""
    assert not nothing_written()
    stored = [p for p in Path(get_settings().documents_dir).rglob("*") if p.is_file()]
    assert [path.read_bytes() for path in stored] == [real_pdf()]
