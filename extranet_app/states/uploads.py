"""Reading the files of a Reflex upload event into checked files (states side of uploads)."""

from __future__ import annotations

import reflex as rx

from extranet_app.services.uploads import (
    DOCUMENT_TYPES,
    MAX_FILES_PER_UPLOAD,
    CheckedFile,
    UploadRefused,
    check_upload,
)
from extranet_app.settings import get_settings


async def checked_uploads(
    files: list[rx.UploadFile], *, allowed: frozenset[str] = DOCUMENT_TYPES
) -> list[CheckedFile]:
    """Every file of the event, checked; one refused file refuses them all (UploadRefused)."""
    if not isinstance(files, list) or not files:
        raise UploadRefused("Choisissez au moins un fichier.")
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise UploadRefused(f"{MAX_FILES_PER_UPLOAD} fichiers au plus par envoi.")
    limit = get_settings().upload_max_bytes
    checked = []
    for upload in files:
        # Read one byte past the limit: enough to know a file is too large without
        # holding all of a huge one in memory.
        data = await upload.read(limit + 1)
        declared = upload.headers.get("content-type", "") if upload.headers else ""
        checked.append(
            check_upload(
                filename=upload.name or "", data=data, declared_type=declared, allowed=allowed
            )
        )
    return checked
