"""Files uploaded for an import, kept privately between the upload and the import.

Only a CSV or XLSX file is accepted, checked by its content as well as its name (an XLSX is a
zip archive; a CSV is text without NUL bytes). It is stored in the private documents folder
(never Reflex's public upload folder) under a server-chosen name, and read again by the
import; files left behind by an abandoned import are removed after a day.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from extranet_app.services.import_files import OLD_EXCEL_SIGNATURE, XLSX_SIGNATURE
from extranet_app.services.storage import documents_root, path_for
from extranet_app.services.uploads import UploadRefused, checked_filename
from extranet_app.settings import get_settings

IMPORT_FOLDER = "imports"
STALE_AFTER_SECONDS = 24 * 3600
EXTENSIONS = ("csv", "txt", "xlsx")


@dataclass(frozen=True)
class StoredImport:
    """An uploaded file kept for an import: its key (server side only) and display name."""

    key: str
    filename: str


def check_import_file(*, filename: str, data: bytes) -> str:
    """The extension to store a CSV or XLSX upload under; UploadRefused (French) otherwise."""
    name = checked_filename(filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = get_settings().upload_max_bytes
    if not data:
        raise UploadRefused(f"« {name} » est vide.")
    if len(data) > limit:
        raise UploadRefused(f"« {name} » dépasse la taille maximale de {limit // 1_048_576} Mo.")
    if extension not in EXTENSIONS:
        raise UploadRefused(f"« {name} » : choisissez un fichier CSV ou XLSX.")
    is_zip = data.startswith(XLSX_SIGNATURE)
    if extension == "xlsx" and not is_zip:
        raise UploadRefused(f"« {name} » n'est pas un classeur XLSX.")
    if extension != "xlsx" and (is_zip or data.startswith(OLD_EXCEL_SIGNATURE)):
        raise UploadRefused(f"« {name} » : l'extension ne correspond pas au contenu.")
    return extension


def store_import_file(*, filename: str, data: bytes) -> StoredImport:
    """Check and keep an uploaded file privately; old abandoned uploads are removed first."""
    extension = check_import_file(filename=filename, data=data)
    purge_stale_imports()
    key = f"{IMPORT_FOLDER}/{secrets.token_hex(16)}.{extension}"
    path = path_for(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)  # a fresh random name: nobody reads it before it is whole
    return StoredImport(key=key, filename=checked_filename(filename))


def read_import_file(key: str) -> bytes:
    """The bytes of a kept upload (FileNotFoundError once it was removed)."""
    if not key.startswith(f"{IMPORT_FOLDER}/"):
        raise FileNotFoundError(key)
    return path_for(key).read_bytes()


def discard_import_file(key: str) -> None:
    """Remove a kept upload (nothing happens when it is already gone)."""
    if key.startswith(f"{IMPORT_FOLDER}/"):
        path_for(key).unlink(missing_ok=True)


def purge_stale_imports(max_age_seconds: float = STALE_AFTER_SECONDS) -> int:
    """Remove the uploads older than `max_age_seconds`; returns how many."""
    folder = documents_root() / IMPORT_FOLDER
    if not folder.is_dir():
        return 0
    limit, removed = time.time() - max_age_seconds, 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
