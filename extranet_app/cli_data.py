"""Data commands: `backup [--to DIR]`, `restore ARCHIVE [--force]`, `purge-identity-documents`
and `purge-access-logs` (GDPR retention; the app runs both purges every night by itself,
workers/maintenance.py, so cron is only needed when the app is not running).

Exit status: 0 done, 2 refused or failed (the reason is printed on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from extranet_app.settings import get_settings

EXIT_REFUSED = 2


def add_data_commands(commands: argparse._SubParsersAction) -> None:
    """Declare the backup, restore and purge subcommands on the CLI's parser."""
    backup = commands.add_parser(
        "backup",
        help="Sauvegarde la base et les documents dans une archive .tar.gz horodatée.",
        description=(
            "Copie cohérente de la base (API de sauvegarde SQLite, ou pg_dump pour PostgreSQL) "
            "et des documents privés, avec un manifeste (nombre de lignes par table, sha256 de "
            "chaque document). Possible pendant que l'application tourne."
        ),
    )
    backup.add_argument(
        "--to", type=Path, default=None, metavar="DOSSIER", help="Par défaut : BACKUP_DIR."
    )
    backup.set_defaults(handler=run_backup)
    restore = commands.add_parser(
        "restore",
        help="Restaure une archive de `backup` (base et documents), puis la vérifie.",
        description=(
            "Restaure la base (REFLEX_DB_URL) et les documents (DOCUMENTS_DIR) depuis l'archive, "
            "puis compare lignes et empreintes au manifeste. Arrêtez l'application avant."
        ),
    )
    restore.add_argument("archive", type=Path, metavar="ARCHIVE")
    restore.add_argument(
        "--force",
        action="store_true",
        help="Écrase une base qui contient des données et un dossier de documents non vide.",
    )
    restore.set_defaults(handler=run_restore)
    purge = commands.add_parser(
        "purge-identity-documents",
        help="Supprime les pièces d'identité plus anciennes que IDENTITY_DOCUMENT_RETENTION_DAYS.",
    )
    purge.set_defaults(handler=run_purge_identity_documents)
    access_logs = commands.add_parser(
        "purge-access-logs",
        help=(
            "Supprime les journaux d'accès (connexions, refus, téléchargements, sessions "
            "terminées) plus anciens que ACCESS_LOG_RETENTION_DAYS."
        ),
    )
    access_logs.set_defaults(handler=run_purge_access_logs)


def run_backup(args: argparse.Namespace) -> int:
    """Write a backup archive and print what it holds."""
    from extranet_app.services.backup import BackupError, create_backup

    settings = get_settings()
    try:
        result = create_backup(
            database_url=settings.database_url,
            documents_dir=settings.documents_dir,
            target_dir=args.to or settings.backup_dir,
        )
    except BackupError as error:
        return _refuse(str(error))
    manifest = result.manifest
    print(f"Sauvegarde écrite : {result.archive}")
    print(f"  {len(manifest.tables)} tables, {sum(manifest.tables.values())} lignes")
    print(f"  {len(manifest.documents)} documents")
    if manifest.missing_documents:
        print(
            f"  Attention : {len(manifest.missing_documents)} document(s) référencé(s) "
            "en base sans fichier.",
            file=sys.stderr,
        )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore an archive into the configured database and documents folder."""
    from extranet_app.services.backup import BackupError, restore_backup

    settings = get_settings()
    try:
        manifest = restore_backup(
            archive=args.archive,
            database_url=settings.database_url,
            documents_dir=settings.documents_dir,
            force=args.force,
        )
    except BackupError as error:
        return _refuse(str(error))
    print(f"Sauvegarde du {manifest.created_at} restaurée et vérifiée :")
    print(f"  {sum(manifest.tables.values())} lignes, {len(manifest.documents)} documents")
    revision = manifest.alembic_revision
    print(f"  Schéma {revision} : si le code est plus récent, lancez `reflex db migrate`.")
    return 0


def run_purge_identity_documents(args: argparse.Namespace) -> int:
    """Delete the identity documents older than the retention setting."""
    from extranet_app.db import session_scope
    from extranet_app.services.personal_data import purge_identity_documents

    with session_scope() as session:
        deleted = purge_identity_documents(session=session)
    days = get_settings().identity_document_retention_days
    print(f"Pièces d'identité de plus de {days} jours supprimées : {deleted}")
    return 0


def run_purge_access_logs(args: argparse.Namespace) -> int:
    """Delete the access logs, ended sessions and login attempts past their retention."""
    from extranet_app.db import session_scope
    from extranet_app.services.access_logs import purge_access_logs

    with session_scope() as session:
        result = purge_access_logs(session=session)
    print(f"Journaux d'accès de plus de {result.retention_days} jours supprimés :")
    print(f"  événements du journal : {result.audit_events}")
    print(f"  sessions terminées : {result.auth_sessions}")
    print(f"  tentatives de connexion : {result.login_attempts}")
    return 0


def _refuse(reason: str) -> int:
    print(f"Refusé : {reason}", file=sys.stderr)
    return EXIT_REFUSED
