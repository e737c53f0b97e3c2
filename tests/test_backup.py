"""Backups: a restore into a new place gives the same rows and the same document bytes."""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from extranet_app.cli import main
from extranet_app.db import make_engine
from extranet_app.models import Document, DocumentCategory, DocumentSource, Tenant
from extranet_app.services.backup import (
    BackupError,
    compare_with_manifest,
    count_rows,
    create_backup,
    restore_backup,
)
from extranet_app.services.storage import store_bytes
from extranet_app.settings import get_settings
from tests.billing_support import add_call, pay
from tests.conftest import _new_postgres_database, migrate_to_head
from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user


def build_agency_data(session: Session, *, documents: int = 3) -> list[Document]:
    """Two people on a lease with a paid and an unpaid month, and some stored documents."""
    owner = make_owner(session, user=make_user(session))
    tenant = make_tenant(session, user=make_user(session))
    lease = make_lease(session, lot=make_lot(session, owner=owner), tenants=[tenant])
    paid = add_call(session, lease=lease, start=date(2026, 9, 1))
    pay(session, call=paid, paid_on=date(2026, 9, 3), amount_cents=paid.total_cents)
    add_call(session, lease=lease, start=date(2026, 10, 1))
    rows = []
    for number in range(documents):
        data = f"%PDF-1.4 document {number} \u20ac".encode() * (number + 1)
        stored = store_bytes(data=data, extension="pdf")
        rows.append(
            Document(
                tenant_id=tenant.id,
                lease_id=lease.id,
                category=DocumentCategory.LEASE,
                source=DocumentSource.AGENCY,
                title=f"Document {number}",
                storage_key=stored.storage_key,
                original_filename=f"document-{number}.pdf",
                mime_type="application/pdf",
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
            )
        )
    session.add_all(rows)
    session.commit()
    return rows


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of each file under `folder`, computed here independently of the service."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def row_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return count_rows(connection)
    finally:
        engine.dispose()


@pytest.fixture
def documents_dir(database_url: str) -> Path:
    return get_settings().documents_dir


pytestmark = pytest.mark.sqlite_only


def test_restore_into_new_location_has_same_row_counts_and_document_hashes(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    documents = build_agency_data(session)
    result = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path / "backups"
    )
    assert result.archive.name.startswith("extranet-backup-")
    assert result.archive.name.endswith(".tar.gz")
    target_url = f"sqlite:///{tmp_path / 'restored' / 'extranet.db'}"
    target_documents = tmp_path / "restored" / "documents"

    restore_backup(archive=result.archive, database_url=target_url, documents_dir=target_documents)

    assert row_counts(target_url) == row_counts(database_url)
    assert row_counts(target_url)["document"] == len(documents) > 0
    assert file_hashes(target_documents) == file_hashes(documents_dir)
    # The restored files are the ones the restored rows describe.
    with Session(make_engine(target_url)) as restored:
        for row in restored.exec(select(Document)):
            data = (target_documents / row.storage_key).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row.sha256


def test_manifest_counts_rows_per_table_and_hashes_each_document(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    build_agency_data(session, documents=2)
    manifest = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path
    ).manifest
    assert manifest.engine == "sqlite"
    assert manifest.tables == row_counts(database_url)
    assert manifest.documents == file_hashes(documents_dir)
    assert manifest.alembic_revision
    assert manifest.missing_documents == []


def test_backup_while_another_connection_writes_holds_only_committed_rows(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    build_agency_data(session, documents=1)
    tenants_before = row_counts(database_url)["tenant"]
    make_tenant(session, last_name="EnCours")  # flushed, not committed: a write in progress
    manifest = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path
    ).manifest
    session.commit()
    assert manifest.tables["tenant"] == tenants_before
    assert row_counts(database_url)["tenant"] == tenants_before + 1


def test_restore_refuses_a_database_with_rows_unless_forced(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    build_agency_data(session)
    archive = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path
    ).archive
    counts = row_counts(database_url)
    make_tenant(session, last_name="Après")
    extra = store_bytes(data=b"%PDF-1.4 added after the backup", extension="pdf")
    session.commit()

    with pytest.raises(BackupError, match="contient des données"):
        restore_backup(archive=archive, database_url=database_url, documents_dir=documents_dir)
    assert session.exec(select(Tenant).where(Tenant.last_name == "Après")).first() is not None

    unrelated = documents_dir / "notes.txt"  # not named like a stored document
    unrelated.write_text("kept")
    session.close()
    restore_backup(
        archive=archive, database_url=database_url, documents_dir=documents_dir, force=True
    )
    assert row_counts(database_url) == counts
    assert not (documents_dir / extra.storage_key).exists()
    assert unrelated.read_text() == "kept"


def test_restore_refuses_a_documents_folder_with_files(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    build_agency_data(session, documents=1)
    archive = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path
    ).archive
    occupied = tmp_path / "occupied"
    (occupied / "ab").mkdir(parents=True)
    (occupied / "ab" / "file.pdf").write_bytes(b"someone else's file")
    target_url = f"sqlite:///{tmp_path / 'new.db'}"
    with pytest.raises(BackupError, match="documents n'est pas vide"):
        restore_backup(archive=archive, database_url=target_url, documents_dir=occupied)
    assert not (tmp_path / "new.db").exists()


def test_restore_refuses_an_archive_whose_document_was_altered(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    build_agency_data(session, documents=2)
    archive = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path / "b"
    ).archive
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("documents/") and data is not None:
                data = data + b" altered"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    target_url = f"sqlite:///{tmp_path / 'new.db'}"

    with pytest.raises(BackupError, match="ne correspondent pas"):
        restore_backup(archive=tampered, database_url=target_url, documents_dir=tmp_path / "docs")
    assert not (tmp_path / "new.db").exists()


def test_compare_with_manifest_names_a_missing_document_and_a_changed_count(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    documents = build_agency_data(session, documents=2)
    manifest = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path
    ).manifest
    (documents_dir / documents[0].storage_key).unlink()
    make_tenant(session, last_name="Nouveau")
    session.commit()
    differences = compare_with_manifest(
        manifest=manifest, database_url=database_url, documents_dir=documents_dir
    )
    assert f"document {documents[0].storage_key} : absent" in differences
    assert any(line.startswith("table tenant :") for line in differences)


def test_backup_lists_document_rows_whose_file_is_missing(
    session: Session, database_url: str, documents_dir: Path, tmp_path: Path
) -> None:
    documents = build_agency_data(session, documents=2)
    (documents_dir / documents[1].storage_key).unlink()
    manifest = create_backup(
        database_url=database_url, documents_dir=documents_dir, target_dir=tmp_path
    ).manifest
    assert manifest.missing_documents == [documents[1].storage_key]


def test_cli_backup_then_restore_into_an_empty_place(
    session: Session,
    database_url: str,
    documents_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build_agency_data(session)
    assert main(["backup", "--to", str(tmp_path / "backups")]) == 0
    (archive,) = (tmp_path / "backups").glob("extranet-backup-*.tar.gz")
    assert str(archive) in capsys.readouterr().out

    assert main(["restore", str(archive)]) == 2
    assert "contient des données" in capsys.readouterr().err

    target_url = f"sqlite:///{tmp_path / 'restored.db'}"
    monkeypatch.setenv("REFLEX_DB_URL", target_url)
    monkeypatch.setenv("DOCUMENTS_DIR", str(tmp_path / "restored-documents"))
    get_settings.cache_clear()
    assert main(["restore", str(archive)]) == 0
    assert "restaurée et vérifiée" in capsys.readouterr().out
    assert row_counts(target_url) == row_counts(database_url)
    assert file_hashes(tmp_path / "restored-documents") == file_hashes(documents_dir)


def test_postgresql_backup_without_pg_dump_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump there
    with pytest.raises(BackupError, match="pg_dump est introuvable : installez le client"):
        create_backup(
            database_url="postgresql+psycopg://extranet@127.0.0.1:5432/extranet",
            documents_dir=tmp_path / "documents",
            target_dir=tmp_path / "backups",
        )


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgresql_restore_into_new_database_has_same_rows_and_documents(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents_dir = tmp_path / "documents"
    monkeypatch.setenv("DOCUMENTS_DIR", str(documents_dir))
    get_settings.cache_clear()
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        build_agency_data(session)
    engine.dispose()
    result = create_backup(
        database_url=postgres_url, documents_dir=documents_dir, target_dir=tmp_path / "b"
    )
    assert result.manifest.engine == "postgresql"
    assert result.manifest.tables == row_counts(postgres_url)

    with _new_postgres_database(required=False) as target_url:
        migrate_to_head(target_url)  # migrated but empty: still accepted without --force
        restore_backup(
            archive=result.archive, database_url=target_url, documents_dir=tmp_path / "restored"
        )
        assert row_counts(target_url) == row_counts(postgres_url)
        with pytest.raises(BackupError, match="contient des données"):
            restore_backup(
                archive=result.archive, database_url=target_url, documents_dir=tmp_path / "x"
            )
    assert file_hashes(tmp_path / "restored") == file_hashes(documents_dir)
    get_settings.cache_clear()
