"""`python -m extranet_app.cli import KIND FILE [--dry-run]`: the import of the Import screen,
for scheduled synchronisation with the agency's management software.

Same checks and report as the screen, with the column mapping the agency last chose there
(else the automatic one). Exit status: 0 only when nothing failed (also with --dry-run),
1 when the file has problems (nothing imported), 2 when the command could not run.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import DBAPIError

from extranet_app.db import session_scope
from extranet_app.services.data_import import ImportConflict, import_file_as_system
from extranet_app.services.data_kinds import DataKind

EXIT_FAILED = 1
EXIT_REFUSED = 2


def add_import_command(commands: argparse._SubParsersAction) -> None:
    """Declare the `import` subcommand on the CLI's parser."""
    kinds = [kind.value for kind in DataKind]
    command = commands.add_parser(
        "import",
        help="Importe un fichier CSV ou XLSX du logiciel de gestion (tout ou rien).",
        description=(
            "Importe un fichier CSV (séparateur ; ou ,) ou XLSX : chaque ligne est rapprochée "
            "de la fiche qui a la même référence. Correspondance des colonnes : celle choisie "
            "en dernier sur l'écran Import, sinon automatique. Code de sortie 0 seulement si "
            "aucun problème n'a été trouvé."
        ),
    )
    command.add_argument("kind", choices=kinds, metavar="TYPE", help=" | ".join(kinds))
    command.add_argument("file", metavar="FICHIER", help="Le fichier CSV ou XLSX.")
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="Vérifie seulement : signale les problèmes sans rien enregistrer.",
    )
    command.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Import (or with --dry-run only check) the file; prints the report."""
    try:
        with open(args.file, "rb") as source:
            data = source.read()
    except OSError as error:
        return _refuse(f"fichier illisible : {error.strerror} ({args.file}).")
    with session_scope() as session:
        try:
            report = import_file_as_system(
                session=session, kind=DataKind(args.kind), data=data, dry_run=args.dry_run
            )
        except ImportConflict as error:
            print(str(error), file=sys.stderr)
            return EXIT_FAILED
        except DBAPIError as error:
            return _refuse(f"base inaccessible ou non migrée (reflex db migrate) : {error.orig}")
    for problem in report.problems:
        print(problem.text)
    if report.problem_count > len(report.problems):
        print(f"… et {report.problem_count - len(report.problems)} autres problèmes.")
    print(report.conclusion)
    return 0 if report.ok else EXIT_FAILED


def _refuse(reason: str) -> int:
    print(f"Refusé : {reason}", file=sys.stderr)
    return EXIT_REFUSED
