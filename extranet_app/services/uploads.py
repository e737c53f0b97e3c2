"""The one way a file enters the extranet: checked by its content, stored privately, or refused.

A file is accepted only when its bytes are a kind we allow (PDF, JPEG, PNG), whatever its name
or the type the browser declared; its name is kept for display only, the server chooses where it
is stored. `UploadBatch` writes the files of one request and removes them again if anything
fails before the database commit, so a refused or failed upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from extranet_app.models import Document
from extranet_app.services.storage import delete_stored, store_bytes
from extranet_app.settings import get_settings

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCUMENT_TYPES = frozenset({PDF, JPEG, PNG})
IMAGE_TYPES = frozenset({JPEG, PNG})
MAX_FILES_PER_UPLOAD = 10

_EXTENSIONS = {PDF: ("pdf",), JPEG: ("jpg", "jpeg"), PNG: ("png",)}
_TYPE_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
# Declared types a browser may send for any file; anything else must agree with the content.
_NEUTRAL_DECLARED_TYPES = frozenset({"", "application/octet-stream"})
_MAX_NAME_LENGTH = 255
# A few thousand pixels a side covers any phone photo and scanner page; far more is a
# decompression bomb ("pixel flood") that would exhaust memory when shown or converted.
_MAX_PIXELS = 60_000_000
# Active content a PDF viewer could run, or HTML a browser could sniff in a polyglot.
# PDF names are case-sensitive and long enough never to occur by chance in compressed streams
# (a JavaScript action must say "/S /JavaScript"); "#xx" escapes are decoded before comparing.
_PDF_ACTIVE_NAMES = frozenset({b"JavaScript", b"Launch", b"EmbeddedFile", b"RichMedia"})
_PDF_ESCAPED_NAME = re.compile(rb"/([A-Za-z0-9]*#[0-9A-Fa-f]{2}[A-Za-z0-9#]*)")
_HTML_MARKERS = (b"<script", b"<html", b"<svg", b"<iframe", b"<!doctype html")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# The standard anti-virus test file (eicar.org), assembled here so that this module itself is
# not flagged by a scanner. There is no anti-virus engine in the extranet: this only refuses
# the test marker, so a deployment can check that infected files would be stopped.
EICAR_SIGNATURE = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class UploadRefused(Exception):
    """A file that is not accepted; the message is in French, for the person who sent it."""


@dataclass(frozen=True)
class CheckedFile:
    """A file whose content was checked: safe to store."""

    filename: str  # for display and Content-Disposition only
    mime_type: str
    data: bytes = field(repr=False)

    @property
    def extension(self) -> str:
        """The extension the server gives the stored file, from its content."""
        return _EXTENSIONS[self.mime_type][0]


def allowed_types_label(allowed: frozenset[str]) -> str:
    """The allowed kinds in French, e.g. "PDF, JPEG ou PNG"."""
    labels = [_TYPE_LABELS[kind] for kind in (PDF, JPEG, PNG) if kind in allowed]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " ou " + labels[-1]


def check_upload(
    *,
    filename: str,
    data: bytes,
    declared_type: str = "",
    allowed: frozenset[str] = DOCUMENT_TYPES,
    max_bytes: int | None = None,
) -> CheckedFile:
    """Accept `data` if its content is an allowed kind within the size limit, else refuse."""
    name = checked_filename(filename)
    limit = get_settings().upload_max_bytes if max_bytes is None else max_bytes
    if not data:
        raise UploadRefused(f"« {name} » est vide.")
    if len(data) > limit:
        raise UploadRefused(f"« {name} » dépasse la taille maximale de {_megabytes(limit)}.")
    if EICAR_SIGNATURE in data:
        raise UploadRefused(
            f"« {name} » contient un virus (signature de test EICAR) : il est refusé."
        )
    mime_type = sniff_type(data)
    if mime_type is None or mime_type not in allowed:
        raise UploadRefused(
            f"« {name} » n'est pas un fichier {allowed_types_label(allowed)} "
            "(le contenu du fichier a été vérifié, pas seulement son nom)."
        )
    _check_name_matches(name, mime_type)
    _check_declared_type(name, declared_type, mime_type)
    _check_content(name, mime_type, data)
    return CheckedFile(filename=name, mime_type=mime_type, data=data)


def checked_filename(filename: str) -> str:
    """The display name of an upload; a name that tries to be a path is refused."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if not name:
        raise UploadRefused("Le fichier n'a pas de nom.")
    if "/" in name or "\\" in name or ".." in name or _CONTROL_CHARACTERS.search(name):
        raise UploadRefused("Le nom du fichier contient des caractères interdits (/, \\, ..).")
    # Invisible format characters (e.g. U+202E, right-to-left override) make a name read
    # backwards on screen ("facture<U+202E>fdp.exe" shows as "factureexe.pdf"): refused.
    if any(unicodedata.category(character) == "Cf" for character in name):
        raise UploadRefused("Le nom du fichier contient des caractères invisibles interdits.")
    if len(name) > _MAX_NAME_LENGTH:
        raise UploadRefused("Le nom du fichier est trop long (255 caractères au plus).")
    return name


def sniff_type(data: bytes) -> str | None:
    """The kind of `data` from its first bytes (its "magic number"), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo" if size >= 1024 * 1024 else f"{size // 1024} Ko"


def _check_name_matches(name: str, mime_type: str) -> None:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in _EXTENSIONS[mime_type]:
        raise UploadRefused(
            f"« {name} » : l'extension ne correspond pas au contenu "
            f"(fichier {_TYPE_LABELS[mime_type]})."
        )


def _check_declared_type(name: str, declared_type: str, mime_type: str) -> None:
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared not in _NEUTRAL_DECLARED_TYPES and declared != mime_type:
        raise UploadRefused(f"« {name} » : le type annoncé ne correspond pas au contenu.")


def _check_content(name: str, mime_type: str, data: bytes) -> None:
    lowered = data.lower()
    if any(marker in lowered for marker in _HTML_MARKERS):
        raise UploadRefused(f"« {name} » contient du code web : il est refusé.")
    if mime_type == PDF and _pdf_has_active_content(data):
        raise UploadRefused(f"« {name} » contient du contenu actif (script) : il est refusé.")
    if mime_type in IMAGE_TYPES:
        size = image_size(data, mime_type)
        if size is None:
            raise UploadRefused(f"« {name} » est une image illisible ou incomplète.")
        width, height = size
        if width * height > _MAX_PIXELS:
            raise UploadRefused(f"« {name} » est une image aux dimensions démesurées.")


def _pdf_has_active_content(data: bytes) -> bool:
    if any(b"/" + name in data for name in _PDF_ACTIVE_NAMES):
        return True
    for match in _PDF_ESCAPED_NAME.finditer(data):
        decoded = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1])
        if any(decoded.startswith(name) for name in _PDF_ACTIVE_NAMES):
            return True
    return False


def image_size(data: bytes, mime_type: str) -> tuple[int, int] | None:
    """(width, height) read from the image header, or None when it cannot be read."""
    if mime_type == PNG:
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        return struct.unpack(">II", data[16:24])
    return _jpeg_size(data)


_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # padding
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_FRAME_MARKERS:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return (width, height) if width and height else None
        position += 2 + length
    return None


class UploadBatch:
    """The files written for one request; see `upload_batch`."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.written_keys: list[str] = []

    def save(self, checked: CheckedFile, **document_fields: Any) -> Document:
        """Store `checked` privately and add its Document row (flushed, not committed)."""
        stored = store_bytes(data=checked.data, extension=checked.extension)
        self.written_keys.append(stored.storage_key)
        document = Document(
            storage_key=stored.storage_key,
            original_filename=checked.filename,
            mime_type=checked.mime_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            **document_fields,
        )
        self._session.add(document)
        self._session.flush()
        return document

    def discard(self) -> None:
        """Remove every file written so far (the database rows are rolled back by the caller)."""
        for key in self.written_keys:
            delete_stored(key)
        self.written_keys.clear()


@contextmanager
def upload_batch(session: Session) -> Iterator[UploadBatch]:
    """Save files, then commit inside the block; on any error the files written are removed.

    Usage: `with upload_batch(session) as batch: batch.save(...); ...; session.commit()`.
    """
    batch = UploadBatch(session)
    try:
        yield batch
    except BaseException:
        session.rollback()
        batch.discard()
        raise


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` in hexadecimal (what Document.sha256 holds)."""
    return hashlib.sha256(data).hexdigest()
