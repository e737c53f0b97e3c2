"""Backups: the database and the private documents in one .tar.gz with a manifest, and restore.

SQLite is copied with its online backup API (consistent while the app writes); PostgreSQL with
pg_dump, the row counts read in the very snapshot the dump uses. The manifest holds the row
count of every table and the sha256 of every document file; a restore checks both afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, Connection, make_url

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SQLITE_NAME = "database.sqlite3"
PG_DUMP_NAME = "database.pgdump"
DOCUMENTS_PREFIX = "documents/"
# Tables whose rows say nothing about whether a database is in use.
_BOOKKEEPING_TABLES = frozenset({"alembic_version"})
# How services/storage.new_storage_key names a file ("3f/a2/3fa2….pdf").
_STORED_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\.[a-z0-9]{1,10}")
_PG_TOOLS_HINT = "installez le client PostgreSQL (paquet postgresql-client, version du serveur)"


class BackupError(Exception):
    """A backup or restore that cannot be done, or whose result differs from its manifest."""


@dataclass(frozen=True)
class Manifest:
    """What an archive holds: enough to check a restore row by row and file by file."""

    created_at: str
    engine: str  # "sqlite" or "postgresql"
    alembic_revision: str | None
    tables: dict[str, int]
    documents: dict[str, str]  # path inside the documents folder -> sha256
    # Document rows whose file was already missing when the backup was made.
    missing_documents: list[str] = field(default_factory=list)
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, data: str | bytes) -> Manifest:
        values = json.loads(data)
        if values.get("format_version") != FORMAT_VERSION:
            raise BackupError("Format de sauvegarde inconnu.")
        return cls(**values)


@dataclass(frozen=True)
class BackupResult:
    """The archive written and its manifest."""

    archive: Path
    manifest: Manifest


def backend_of(database_url: str) -> str:
    """The backend, sqlite or postgresql; any other database is refused."""
    backend = make_url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Base de données non prise en charge : {backend}.")
    return backend


def pg_tool(name: str) -> str:
    """The path of pg_dump / pg_restore, or BackupError saying how to get it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} est introuvable : {_PG_TOOLS_HINT}.")
    return path


def create_backup(
    *, database_url: str, documents_dir: Path, target_dir: Path, now: datetime | None = None
) -> BackupResult:
    """Write extranet-backup-<UTC time>.tar.gz into `target_dir`: database, documents, manifest."""
    now = now or datetime.now(UTC)
    target_dir.mkdir(parents=True, exist_ok=True)
    archive = target_dir / f"extranet-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if archive.exists():
        raise BackupError(f"L'archive existe déjà : {archive}.")
    with tempfile.TemporaryDirectory(prefix="extranet-backup-") as staging:
        dump, tables, revision, keys = _dump_database(database_url, Path(staging))
        documents = _document_files(documents_dir)
        manifest = Manifest(
            created_at=now.isoformat(),
            engine=backend_of(database_url),
            alembic_revision=revision,
            tables=tables,
            documents={name: _sha256(path) for name, path in documents.items()},
            missing_documents=sorted(set(keys) - set(documents)),
        )
        _write_archive(archive=archive, dump=dump, documents=documents, manifest=manifest)
    return BackupResult(archive=archive, manifest=manifest)


def _dump_database(
    database_url: str, staging: Path
) -> tuple[Path, dict[str, int], str | None, list[str]]:
    if backend_of(database_url) == "sqlite":
        dump = staging / SQLITE_NAME
        _sqlite_online_copy(source=_sqlite_path(database_url), target=dump)
        _make_self_contained(dump)
        with _connect(f"sqlite:///{dump}") as connection:
            return dump, *_snapshot_facts(connection)
    return _pg_dump(database_url, staging / PG_DUMP_NAME)


def _sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("Base SQLite sans fichier : rien à sauvegarder.")
    return Path(name)


def _sqlite_online_copy(*, source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"Base SQLite introuvable : {source}.")
    # The backup API copies a consistent state, even while other connections write (WAL).
    reader = sqlite3.connect(source, timeout=30)
    writer = sqlite3.connect(target, timeout=30)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _make_self_contained(path: Path) -> None:
    # One file in the archive, not a database that expects a -wal file beside it.
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _pg_dump(database_url: str, dump: Path) -> tuple[Path, dict[str, int], str | None, list[str]]:
    executable = pg_tool("pg_dump")
    with _connect(database_url) as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # pg_dump reads the snapshot of this transaction: counts and dump describe one state.
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = _snapshot_facts(connection)
            _run_pg(
                [
                    executable,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                ],
                database_url,
            )
    return dump, *facts


def _run_pg(arguments: list[str], database_url: str) -> None:
    url = make_url(database_url)
    # The password goes through the environment, never the command line (visible to `ps`).
    environment = {**os.environ, "PGPASSWORD": url.password or ""}
    arguments = [*arguments, f"--dbname={_libpq_url(url)}"]
    completed = subprocess.run(arguments, env=environment, capture_output=True, text=True)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"{Path(arguments[0]).name} a échoué : {completed.stderr.strip()}")


def _libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


class _connect:
    """A connection on a throwaway engine (never the app's pool), disposed of afterwards."""

    def __init__(self, database_url: str) -> None:
        self._engine = create_engine(database_url)

    def __enter__(self) -> Connection:
        self._connection = self._engine.connect()
        return self._connection

    def __exit__(self, *_exc: object) -> None:
        self._connection.close()
        self._engine.dispose()


def _snapshot_facts(connection: Connection) -> tuple[dict[str, int], str | None, list[str]]:
    tables = count_rows(connection)
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    keys = []
    if "document" in tables:
        keys = list(connection.execute(text("SELECT storage_key FROM document")).scalars())
    return tables, revision, keys


def count_rows(connection: Connection) -> dict[str, int]:
    """The number of rows of every table, by table name."""
    names = sorted(inspect(connection).get_table_names())
    return {
        name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
        for name in names
    }


def _document_files(documents_dir: Path) -> dict[str, Path]:
    if not documents_dir.is_dir():
        return {}
    # Half-written files (".tmp-…") and links are never documents.
    return {
        path.relative_to(documents_dir).as_posix(): path
        for path in sorted(documents_dir.rglob("*"))
        if path.is_file() and not path.is_symlink() and not path.name.startswith(".tmp-")
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_archive(
    *, archive: Path, dump: Path, documents: dict[str, Path], manifest: Manifest
) -> None:
    partial = archive.with_name(archive.name + ".part")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            for name, path in documents.items():
                tar.add(path, arcname=DOCUMENTS_PREFIX + name)
            _add_bytes(tar, MANIFEST_NAME, manifest.to_json().encode())
        # A crash never leaves something that looks like a complete archive.
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def restore_backup(
    *, archive: Path, database_url: str, documents_dir: Path, force: bool = False
) -> Manifest:
    """Put the archive's database and documents in place, then check them against the manifest.

    Refuses (BackupError) a database with rows or a documents folder with files, unless `force`.
    """
    with tempfile.TemporaryDirectory(prefix="extranet-restore-") as staging:
        manifest = _unpack(archive, Path(staging))
        if not force:
            _refuse_if_in_use(database_url=database_url, documents_dir=documents_dir)
        _restore_database(manifest, Path(staging), database_url)
        _restore_documents(Path(staging) / DOCUMENTS_PREFIX, documents_dir)
    differences = compare_with_manifest(
        manifest=manifest, database_url=database_url, documents_dir=documents_dir
    )
    if differences:
        raise BackupError("Restauration incomplète : " + " ; ".join(differences))
    return manifest


def _unpack(archive: Path, staging: Path) -> Manifest:
    if not archive.is_file():
        raise BackupError(f"Archive introuvable : {archive}.")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                if not _expected_member(member):
                    raise BackupError(f"Élément inattendu dans l'archive : {member.name!r}.")
            # The "data" filter also refuses absolute paths, "..", links out of the folder.
            tar.extractall(staging, filter="data")
        manifest = Manifest.from_json((staging / MANIFEST_NAME).read_bytes())
    except (tarfile.TarError, OSError, ValueError, TypeError) as error:
        raise BackupError(f"Archive illisible : {error}") from error
    _check_archive(manifest, staging)
    return manifest


def _expected_member(member: tarfile.TarInfo) -> bool:
    if member.name in (MANIFEST_NAME, SQLITE_NAME, PG_DUMP_NAME):
        return member.isfile()
    return member.name.startswith(DOCUMENTS_PREFIX) and (member.isfile() or member.isdir())


def _check_archive(manifest: Manifest, staging: Path) -> None:
    """The archive itself matches its manifest, before anything is overwritten."""
    dump = staging / (SQLITE_NAME if manifest.engine == "sqlite" else PG_DUMP_NAME)
    if not dump.is_file():
        raise BackupError("L'archive ne contient pas la base de données.")
    found = {n: _sha256(p) for n, p in _document_files(staging / DOCUMENTS_PREFIX).items()}
    if found != manifest.documents:
        raise BackupError("Les documents de l'archive ne correspondent pas à son manifeste.")


def _refuse_if_in_use(*, database_url: str, documents_dir: Path) -> None:
    if _database_has_rows(database_url):
        raise BackupError(
            "La base de destination contient des données : restauration refusée (--force)."
        )
    if _document_files(documents_dir):
        raise BackupError(
            f"Le dossier des documents n'est pas vide ({documents_dir}) : restauration refusée "
            "(--force)."
        )


def _database_has_rows(database_url: str) -> bool:
    if backend_of(database_url) == "sqlite" and not _sqlite_path(database_url).exists():
        return False
    with _connect(database_url) as connection:
        counts = count_rows(connection)
    return any(count for name, count in counts.items() if name not in _BOOKKEEPING_TABLES)


def _restore_database(manifest: Manifest, staging: Path, database_url: str) -> None:
    target_backend = backend_of(database_url)
    if manifest.engine != target_backend:
        raise BackupError(
            f"Sauvegarde {manifest.engine} : impossible de la restaurer dans {target_backend}."
        )
    if target_backend == "sqlite":
        target = _sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_online_copy(source=staging / SQLITE_NAME, target=target)
        return
    # One transaction: a failed restore leaves the database as it was.
    _run_pg(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(staging / PG_DUMP_NAME),
        ],
        database_url,
    )


def _restore_documents(source: Path, documents_dir: Path) -> None:
    wanted = _document_files(source)
    for name, path in _document_files(documents_dir).items():
        # Only reached with --force. Only files named like stored documents go, so that a
        # DOCUMENTS_DIR pointed at the wrong folder by mistake never loses anything else.
        if name not in wanted and _STORED_NAME.fullmatch(name):
            path.unlink()
    for name, path in wanted.items():
        destination = documents_dir / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def compare_with_manifest(
    *, manifest: Manifest, database_url: str, documents_dir: Path
) -> list[str]:
    """What differs between a database + documents folder and a manifest (empty: identical)."""
    with _connect(database_url) as connection:
        tables = count_rows(connection)
    differences = [
        f"table {name} : {tables.get(name)} lignes au lieu de {count}"
        for name, count in sorted(manifest.tables.items())
        if tables.get(name) != count
    ]
    found = {name: _sha256(path) for name, path in _document_files(documents_dir).items()}
    differences += [
        f"document {name} : {'absent' if name not in found else 'contenu différent'}"
        for name, digest in sorted(manifest.documents.items())
        if found.get(name) != digest
    ]
    return differences
