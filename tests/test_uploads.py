"""The one upload path: files accepted by their content only, and nothing left behind on failure."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from sqlmodel import select

from extranet_app.models import Document
from extranet_app.services.uploads import (
    JPEG,
    PDF,
    PNG,
    UploadRefused,
    check_upload,
    image_size,
    upload_batch,
)
from extranet_app.settings import get_settings


def real_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Attestation d'assurance")
    return bytes(pdf.output())


def real_image(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=kind)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A real PNG whose header claims other dimensions (a "pixel flood" bomb)."""
    data = bytearray(real_image("PNG"))
    data[16:24] = struct.pack(">II", width, height)
    return bytes(data)


def jpeg_declaring(width: int, height: int) -> bytes:
    """A real JPEG whose frame header (SOF0) claims other dimensions."""
    data = bytearray(real_image("JPEG"))
    start = data.index(b"\xff\xc0")
    data[start + 5 : start + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(
    ("filename", "data", "declared", "kind"),
    [
        ("attestation.pdf", real_pdf(), "application/pdf", PDF),
        ("Photo du compteur.JPG", real_image("JPEG"), "image/jpeg", JPEG),
        ("photo.jpeg", real_image("JPEG"), "", JPEG),
        ("scan.png", real_image("PNG"), "application/octet-stream", PNG),
        ("Relevé d'identité bancaire.pdf", real_pdf(), "application/pdf; charset=binary", PDF),
    ],
)
def test_pdf_jpeg_and_png_are_accepted_by_their_content(filename, data, declared, kind):
    checked = check_upload(filename=filename, data=data, declared_type=declared)
    assert checked.mime_type == kind
    assert checked.filename == filename and checked.data == data
    assert checked.extension in {"pdf", "jpg", "png"}


def test_image_size_is_read_from_the_header():
    assert image_size(real_image("PNG", (123, 45)), PNG) == (123, 45)
    assert image_size(real_image("JPEG", (64, 48)), JPEG) == (64, 48)


REFUSED = [
    pytest.param(
        "attestation.pdf",
        b"<!DOCTYPE html><html><body><script>fetch('/')</script></body></html>",
        "",
        "n'est pas un fichier PDF, JPEG ou PNG",
        id="html-renamed-pdf",
    ),
    pytest.param(
        "logo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/png",
        "n'est pas un fichier PDF, JPEG ou PNG",
        id="svg-with-script",
    ),
    pytest.param(
        "photo.png",
        real_image("PNG") + b"<script>alert(1)</script>",
        "",
        "contient du code web",
        id="png-with-html-appended",
    ),
    pytest.param(
        "contrat.pdf",
        real_pdf().replace(b"%%EOF", b"<< /S /JavaScript /JS (app.alert(1)) >>\n%%EOF"),
        "",
        "contenu actif",
        id="pdf-javascript",
    ),
    pytest.param(
        "contrat.pdf",
        real_pdf().replace(b"%%EOF", b"<< /S /Java#53cript /JS (app.alert(1)) >>\n%%EOF"),
        "",
        "contenu actif",
        id="pdf-escaped-javascript",
    ),
    pytest.param(
        "contrat.pdf",
        real_pdf().replace(b"%%EOF", b"<< /S /#4Caunch /F (cmd.exe) >>\n%%EOF"),
        "",
        "contenu actif",
        id="pdf-escaped-launch",
    ),
    pytest.param(
        "bombe.png", png_declaring(100_000, 100_000), "", "dimensions démesurées", id="png-flood"
    ),
    pytest.param(
        "bombe.jpg", jpeg_declaring(65_000, 65_000), "", "dimensions démesurées", id="jpeg-flood"
    ),
    pytest.param("tronque.png", real_image("PNG")[:20], "", "illisible", id="png-truncated-header"),
    pytest.param("vide.pdf", b"", "", "est vide", id="empty"),
    pytest.param("../../etc/passwd.pdf", real_pdf(), "", "caractères interdits", id="dot-dot"),
    pytest.param("..\\bail.pdf", real_pdf(), "", "caractères interdits", id="backslash"),
    pytest.param("bail\x00.pdf", real_pdf(), "", "caractères interdits", id="nul"),
    pytest.param("dossier/bail.pdf", real_pdf(), "", "caractères interdits", id="slash"),
    pytest.param("   ", real_pdf(), "", "n'a pas de nom", id="no-name"),
    pytest.param("x" * 252 + ".pdf", real_pdf(), "", "trop long", id="long-name"),
    pytest.param("bail.pdf", real_pdf(), "text/html", "type annoncé", id="declared-html"),
    pytest.param("photo.jpg", real_image("JPEG"), "image/png", "type annoncé", id="declared-png"),
    pytest.param("photo.png", real_pdf(), "", "l'extension ne correspond pas", id="png-name-pdf"),
    pytest.param("bail", real_pdf(), "", "l'extension ne correspond pas", id="no-extension"),
]


@pytest.mark.parametrize(("filename", "data", "declared", "message"), REFUSED)
def test_dangerous_or_misnamed_files_are_refused_in_french(filename, data, declared, message):
    with pytest.raises(UploadRefused) as refused:
        check_upload(filename=filename, data=data, declared_type=declared)
    assert message in str(refused.value)


def test_a_file_one_byte_over_the_limit_is_refused_and_one_at_the_limit_accepted():
    limit = 4096
    at_limit = b"%PDF-1.4\n" + b"0" * (limit - 9)
    assert len(at_limit) == limit
    assert check_upload(filename="a.pdf", data=at_limit, max_bytes=limit).mime_type == PDF
    with pytest.raises(UploadRefused, match="dépasse la taille maximale de 4 Ko"):
        check_upload(filename="a.pdf", data=at_limit + b"0", max_bytes=limit)


def test_the_limit_comes_from_the_settings(monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "2048")
    get_settings.cache_clear()
    try:
        with pytest.raises(UploadRefused, match="2 Ko"):
            check_upload(filename="a.pdf", data=b"%PDF-1.4\n" + b"0" * 2048)
    finally:
        get_settings.cache_clear()


def test_only_the_allowed_kinds_pass():
    with pytest.raises(UploadRefused, match="n'est pas un fichier JPEG ou PNG"):
        check_upload(filename="a.pdf", data=real_pdf(), allowed=frozenset({JPEG, PNG}))


def _stored_files() -> list[Path]:
    root = get_settings().documents_dir
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_upload_batch_removes_the_files_it_wrote_when_the_block_raises(session):
    first = check_upload(filename="recto.pdf", data=real_pdf())
    second = check_upload(filename="verso.png", data=real_image("PNG"))
    with pytest.raises(RuntimeError), upload_batch(session) as batch:
        batch.save(first, title="Recto")
        batch.save(second, title="Verso")
        assert len(_stored_files()) == 2
        raise RuntimeError("la base a refusé")
    assert _stored_files() == []
    assert session.exec(select(Document)).all() == []


def test_upload_batch_keeps_the_files_once_committed(session):
    checked = check_upload(filename="recto.pdf", data=real_pdf())
    with upload_batch(session) as batch:
        document = batch.save(checked, title="Recto")
        session.commit()
    [stored] = _stored_files()
    assert stored.read_bytes() == checked.data
    assert stored.name.endswith(".pdf") and "recto" not in stored.name
    saved = session.exec(select(Document)).one()
    assert saved.id == document.id and saved.original_filename == "recto.pdf"
    assert saved.size_bytes == len(checked.data) and len(saved.sha256) == 64
