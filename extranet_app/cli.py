"""Command line: `python -m extranet_app.cli demo [--if-empty]` (the database is migrated first),
`python -m extranet_app.cli renew-requests` (e.g. daily from cron); `backup`, `restore` and
`purge-identity-documents`, `purge-access-logs` are in cli_data.py."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from extranet_app.cli_data import add_data_commands
from extranet_app.cli_import import add_import_command
from extranet_app.db import session_scope
from extranet_app.models import User
from extranet_app.settings import get_settings

EXIT_REFUSED = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subcommand per task."""
    parser = argparse.ArgumentParser(
        prog="python -m extranet_app.cli", description="Commandes d'administration de l'extranet."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    demo = commands.add_parser(
        "demo", help="Crée une agence de démonstration (interdit en production)."
    )
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="Ne fait rien si la base contient déjà des comptes utilisateurs.",
    )
    demo.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="AAAA-MM-JJ",
        help="Date de référence des données (par défaut : aujourd'hui, heure de Paris).",
    )
    demo.set_defaults(handler=run_demo)
    renew = commands.add_parser(
        "renew-requests",
        help="Redemande les documents annuels (assurance habitation) qui arrivent à échéance.",
    )
    renew.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="AAAA-MM-JJ",
        help="Date de référence (par défaut : aujourd'hui, heure de Paris).",
    )
    renew.set_defaults(handler=run_renew_requests)
    add_import_command(commands)
    add_data_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in `argv` and return the exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


def run_demo(args: argparse.Namespace) -> int:
    """Build the demo agency, unless in production or (with --if-empty) already populated."""
    if get_settings().is_production:
        return _refuse(
            "les données de démonstration ne peuvent pas être créées en production "
            "(EXTRANET_ENV=production)."
        )
    # Imported here: the PDF and demo modules are only needed by this command.
    from extranet_app.demo import build_demo_data
    from extranet_app.services.timekeeping import today_in_france

    with session_scope() as session:
        try:
            populated = _has_users(session)
        except DBAPIError as error:
            return _refuse(f"base inaccessible ou non migrée (reflex db migrate) : {error.orig}")
        if populated and args.if_empty:
            print("La base contient déjà des comptes : données de démonstration non recréées.")
            return 0
        if populated:  # the demo's fixed logins and references would clash with existing rows
            return _refuse("la base n'est pas vide (utilisez une base neuve).")
        started = time.perf_counter()
        summary = build_demo_data(session=session, today=args.today or today_in_france())
    print(f"Données de démonstration créées en {time.perf_counter() - started:.1f} s :")
    for line in summary.lines():
        print(f"  {line}")
    return 0


def run_renew_requests(args: argparse.Namespace) -> int:
    """Create the yearly requests whose accepted document ends soon (safe to run daily)."""
    from extranet_app.services.request_review import renew_expiring_requests
    from extranet_app.services.timekeeping import today_in_france

    with session_scope() as session:
        created = renew_expiring_requests(session=session, today=args.today or today_in_france())
    print(f"Documents à fournir renouvelés : {created}")
    return 0


def _refuse(reason: str) -> int:
    print(f"Refusé : {reason}", file=sys.stderr)
    return EXIT_REFUSED


def _has_users(session: Session) -> bool:
    return session.exec(select(User.id).limit(1)).first() is not None


if __name__ == "__main__":
    sys.exit(main())
