"""The agency's logo: checked, redrawn as a plain PNG, stored privately, served by one route.

The logo is public by nature (the login page shows it before anyone logs in), so
api/agency_routes.py serves the current one to anybody, and nothing else. What it serves must
be harmless in a browser: SVG is refused (an SVG is a document that can carry scripts, and
sanitizing XML reliably is a project of its own; a PNG export of the logo is always possible),
PNG and JPEG files go through services/uploads.check_upload (content sniffed, HTML or script
markers refused), then Pillow decodes the pixels and writes a new PNG: whatever else the file
carried (metadata chunks, trailing bytes, a polyglot) is left behind.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session

from extranet_app.models import AgencySettings
from extranet_app.models.base import utcnow
from extranet_app.services.agency import AGENCY_SETTINGS_ID, logo_version, settings_row
from extranet_app.services.agency_settings import record_change
from extranet_app.services.auth import SessionUser, require_admin
from extranet_app.services.storage import InvalidStorageKey, delete_stored, path_for, store_bytes
from extranet_app.services.uploads import IMAGE_TYPES, UploadRefused, check_upload, image_size

LOGO_MAX_BYTES = 1024 * 1024
# Larger images are refused before decoding; the stored logo is reduced to fit this box.
_MAX_SOURCE_SIDE = 5000
_STORED_BOX = (800, 300)
_SVG_MARKERS = (b"<svg", b"<?xml", b"<!doctype svg")
SVG_REFUSED = (
    "Les logos SVG ne sont pas acceptés : un fichier SVG peut contenir du code que le "
    "navigateur exécuterait. Exportez votre logo en PNG (fond transparent possible) ou en JPEG."
)


@dataclass(frozen=True)
class LogoFile:
    """The current logo, for the public route."""

    path: Path
    mime_type: str
    version: str


def _looks_like_svg(filename: str, declared_type: str, data: bytes) -> bool:
    start = data[:512].lstrip().lower()
    return (
        filename.lower().endswith((".svg", ".svgz"))
        or "svg" in (declared_type or "").lower()
        or start.startswith(_SVG_MARKERS)
    )


def redrawn_logo(*, filename: str, data: bytes, declared_type: str = "") -> bytes:
    """The logo as a new PNG made from its pixels only, or UploadRefused (French message)."""
    if _looks_like_svg(filename, declared_type, data):
        raise UploadRefused(SVG_REFUSED)
    checked = check_upload(
        filename=filename,
        data=data,
        declared_type=declared_type,
        allowed=IMAGE_TYPES,
        max_bytes=LOGO_MAX_BYTES,
    )
    width, height = image_size(checked.data, checked.mime_type) or (0, 0)
    if max(width, height) > _MAX_SOURCE_SIDE:
        raise UploadRefused(
            f"« {checked.filename} » est trop grand (5 000 pixels de côté au plus)."
        )
    try:
        with Image.open(io.BytesIO(checked.data)) as image:
            image.load()
            pixels = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise UploadRefused(f"« {checked.filename} » est une image illisible.") from error
    pixels.thumbnail(_STORED_BOX)
    output = io.BytesIO()
    pixels.save(output, format="PNG", optimize=True)
    return output.getvalue()


def set_logo(
    *, session: Session, actor: SessionUser, filename: str, data: bytes, declared_type: str = ""
) -> str:
    """Check, redraw and store a new logo in place of the old one (administrators only,
    journaled); commits. Returns the new logo's version tag."""
    require_admin(actor, session=session)
    png = redrawn_logo(filename=filename, data=data, declared_type=declared_type)
    stored = store_bytes(data=png, extension="png")
    try:
        row = settings_row(session=session)
        old_key = row.logo_key
        row.logo_key, row.updated_at = stored.storage_key, utcnow()
        record_change(session, actor, "logo", logo_version(old_key), logo_version(row.logo_key))
        session.commit()
    except BaseException:
        session.rollback()
        delete_stored(stored.storage_key)
        raise
    _forget(old_key)
    return logo_version(stored.storage_key)


def remove_logo(*, session: Session, actor: SessionUser) -> bool:
    """Go back to no logo (administrators only, journaled); commits."""
    require_admin(actor, session=session)
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is None or not row.logo_key:
        return False
    old_key = row.logo_key
    row.logo_key, row.updated_at = None, utcnow()
    record_change(session, actor, "logo", logo_version(old_key), "")
    session.commit()
    _forget(old_key)
    return True


def _forget(storage_key: str | None) -> None:
    """Remove a replaced logo's file (after the commit: the row no longer points to it)."""
    if storage_key:
        with contextlib.suppress(InvalidStorageKey):
            delete_stored(storage_key)


def current_logo(*, session: Session) -> LogoFile | None:
    """The logo to serve, or None when there is none (or its file is missing)."""
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is None or not row.logo_key:
        return None
    try:
        path = path_for(row.logo_key)
    except InvalidStorageKey:
        return None
    if not path.is_file():
        return None
    mime_type = "image/png" if path.suffix == ".png" else "image/jpeg"
    return LogoFile(path=path, mime_type=mime_type, version=logo_version(row.logo_key))
