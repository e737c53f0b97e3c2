"""Actualités and messagerie: news for each audience and conversations of the demo logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from extranet_app.demo.catalog import MIXED_LOGIN, OWNER_LOGIN, TENANT_LOGIN
from extranet_app.demo.news import create_news
from extranet_app.demo.world import DemoWorld, month_start
from extranet_app.models import Message, Thread, ThreadCategory, ThreadStatus
from extranet_app.services.formatting import format_euros, format_month


@dataclass(frozen=True)
class Said:
    """One message of a scripted conversation."""

    author_email: str
    at: datetime
    body: str
    internal: bool = False


def create_communication(world: DemoWorld) -> None:
    """Publish the news items (demo/news.py) and write the demo conversations."""
    create_news(world)
    scripts = (_leak_thread, _late_rent_thread, _relet_thread, _rib_thread, _certificate_thread)
    for script in scripts:
        _add_thread(world, *script(world))


def _add_thread(world: DemoWorld, thread: Thread, said: list[Said]) -> None:
    """Persist a thread and its messages; its timestamps follow the messages."""
    thread.created_at = said[0].at
    thread.last_message_at = said[-1].at
    world.session.add(thread)
    world.session.flush()
    world.session.add_all(
        Message(
            thread_id=thread.id,
            author_id=world.users_by_email[line.author_email].id,
            body=line.body,
            is_internal_note=line.internal,
            created_at=line.at,
        )
        for line in said
    )


def _leak_thread(world: DemoWorld) -> tuple[Thread, list[Said]]:
    flat = world.special_leases["tenant_flat"]
    tenant, claire = TENANT_LOGIN, world.staff[1].email
    said = [
        Said(tenant, world.days_ago(9, 19, 2), (
            "Bonjour,\nDepuis hier soir, de l'eau goutte sous l'évier de la cuisine. J'ai "
            "fermé le robinet d'arrivée du meuble. Pouvez-vous envoyer quelqu'un ?\nMerci,\n"
            "Camille Durand"
        )),
        Said(claire, world.days_ago(8, 9, 15), (
            "Bonjour Madame Durand,\nMerci pour votre message. L'entreprise Plomberie Saxe va "
            "vous appeler aujourd'hui pour convenir d'un rendez-vous.\nClaire Martin"
        )),
        Said(claire, world.days_ago(8, 9, 20), (
            "Devis à faire valider par M. Garnier s'il dépasse 300 €."
        ), internal=True),
        Said(tenant, world.days_ago(6, 12, 40), "Le plombier passe jeudi matin. Merci !"),
        Said(claire, world.days_ago(2, 16, 5), (
            "Le plombier nous confirme le remplacement du siphon. Tout est-il rentré dans "
            "l'ordre de votre côté ?"
        )),
    ]  # fmt: skip
    thread = Thread(
        person_user_id=world.users_by_email[tenant].id,
        person_role="tenant",
        subject="Fuite sous l'évier de la cuisine",
        category=ThreadCategory.INTERVENTION,
        status=ThreadStatus.IN_PROGRESS,
        lease_id=flat.lease.id,
        lot_id=flat.lot_plan.lot.id,
        property_id=flat.lot_plan.building.id,
        assigned_to_id=world.staff[1].id,
        created_by_id=world.users_by_email[tenant].id,
        person_last_read_at=said[3].at,  # the agency's last answer is still unread
        agency_last_read_at=said[3].at,
    )
    return thread, said


def _late_rent_thread(world: DemoWorld) -> tuple[Thread, list[Said]]:
    flat = world.special_leases["tenant_flat"]
    late_month = format_month(month_start(world.today) - timedelta(days=1))
    body = (
        "Bonjour,\nMon salaire a été versé en retard ce mois-ci à la suite d'un changement "
        f"d'employeur. Je vous règle le loyer de {late_month} et le solde du mois précédent "
        "d'ici le 15. Pourrions-nous convenir d'un échéancier si besoin ?\nCordialement,\n"
        "Camille Durand"
    )
    user_id = world.users_by_email[TENANT_LOGIN].id
    thread = Thread(
        person_user_id=user_id,
        person_role="tenant",
        subject="Retard de paiement du loyer",
        category=ThreadCategory.PAYMENT,
        status=ThreadStatus.NEW,
        lease_id=flat.lease.id,
        created_by_id=user_id,
        person_last_read_at=world.days_ago(4, 7, 58),
    )
    return thread, [Said(TENANT_LOGIN, world.days_ago(4, 7, 58), body)]


def _relet_thread(world: DemoWorld) -> tuple[Thread, list[Said]]:
    vacant = world.special_lots["owner_vacant_flat"]
    rent = format_euros(world.special_leases["owner_vacated_flat"].lease.rent_cents)
    owner, julien = OWNER_LOGIN, world.staff[2].email
    said = [
        Said(owner, world.days_ago(20, 18, 30), (
            f"Bonjour,\nOù en est la recherche d'un locataire pour mon appartement "
            f"{vacant.lot.reference} ({vacant.building.name}) ? Faut-il revoir le loyer ?\n"
            "Philippe Garnier"
        )),
        Said(julien, world.days_ago(19, 10, 12), (
            "Bonjour Monsieur Garnier,\nNous avons organisé six visites et deux dossiers sont "
            f"à l'étude. Le loyer de {rent} hors charges nous paraît conforme au marché du "
            "quartier : nous vous proposons de le maintenir.\nJulien Moreau"
        )),
        Said(owner, world.days_ago(18, 8, 5), "Très bien, merci. Tenez-moi informé."),
    ]  # fmt: skip
    user_id = world.users_by_email[owner].id
    thread = Thread(
        person_user_id=user_id,
        person_role="owner",
        subject=f"Relocation de l'appartement {vacant.lot.reference}",
        category=ThreadCategory.OTHER,
        status=ThreadStatus.IN_PROGRESS,
        lot_id=vacant.lot.id,
        property_id=vacant.building.id,
        assigned_to_id=world.staff[2].id,
        created_by_id=user_id,
        person_last_read_at=said[-1].at,
        agency_last_read_at=said[-1].at,
    )
    return thread, said


def _rib_thread(world: DemoWorld) -> tuple[Thread, list[Said]]:
    """A conversation the agency started."""
    said = [
        Said(world.admin.email, world.days_ago(5, 9, 0), (
            "Bonjour Monsieur Garnier,\nPour que vos prochains virements partent sur votre "
            "nouveau compte, merci de déposer votre RIB dans « Documents à fournir »."
        )),
        Said(OWNER_LOGIN, world.days_ago(4, 21, 17), "Bonjour, je vous l'envoie cette semaine."),
    ]  # fmt: skip
    thread = Thread(
        person_user_id=world.users_by_email[OWNER_LOGIN].id,
        person_role="owner",
        subject="Votre nouveau RIB",
        category=ThreadCategory.DOCUMENTS,
        status=ThreadStatus.IN_PROGRESS,
        created_by_id=world.admin.id,
        person_last_read_at=said[-1].at,
    )
    return thread, said


def _certificate_thread(world: DemoWorld) -> tuple[Thread, list[Said]]:
    lease = world.special_leases["mixed_tenant_flat"]
    said = [
        Said(MIXED_LOGIN, world.days_ago(30, 13, 20), (
            "Bonjour, pourriez-vous m'envoyer une attestation de location pour ma banque ?"
        )),
        Said(world.staff[1].email, world.days_ago(29, 9, 45), (
            "Bonjour Madame Roux, votre attestation est disponible dans votre porte-documents."
        )),
    ]  # fmt: skip
    user_id = world.users_by_email[MIXED_LOGIN].id
    thread = Thread(
        person_user_id=user_id,
        person_role="tenant",
        subject="Demande d'attestation de location",
        category=ThreadCategory.DOCUMENTS,
        status=ThreadStatus.RESOLVED,
        lease_id=lease.lease.id,
        created_by_id=user_id,
        person_last_read_at=world.days_ago(29, 18),
        agency_last_read_at=said[0].at,
        closed_at=world.days_ago(29, 9, 46),
    )
    return thread, said
