"""The demo agency: its settings row and its staff logins."""

from __future__ import annotations

from extranet_app.demo.catalog import STAFF, StaffMember
from extranet_app.demo.world import DemoWorld
from extranet_app.models import AgencySettings, User
from extranet_app.services.agency import AGENCY_SETTINGS_ID
from extranet_app.settings import get_settings


def create_agency(world: DemoWorld) -> None:
    """Fill the agency settings row (id 1) and create the staff logins."""
    world.agency = _agency_settings(world)
    world.session.add(world.agency)
    world.staff = [_staff_user(world, member) for member in STAFF]
    world.session.add_all(world.staff)
    world.session.flush()
    world.users_by_email.update({user.email: user for user in world.staff})


def _agency_settings(world: DemoWorld) -> AgencySettings:
    # The app may already have written the row from the environment: complete it, do not clash.
    row = world.session.get(AgencySettings, AGENCY_SETTINGS_ID)
    row = row or AgencySettings(id=AGENCY_SETTINGS_ID, name="")
    settings = get_settings()
    row.name = settings.agency_name
    row.legal_form = "SARL au capital de 50 000 €"
    row.address_line1 = settings.agency_address
    row.postal_code = settings.agency_postal_code
    row.city = settings.agency_city
    row.siret = settings.agency_siret or "812 345 678 00021"
    row.professional_card = settings.agency_professional_card or "CPI 6901 2018 000 012 345"
    row.professional_card_issuer = "CCI Lyon Métropole Saint-Étienne Roanne"
    row.financial_guarantee = (
        "GALIAN Assurances, 89 rue La Boétie, 75008 Paris — 120\u00a0000\u00a0€"
    )
    row.phone = settings.agency_phone or "04 78 42 17 30"
    row.email = settings.agency_email or "contact@demo.extranet.fr"
    row.opening_hours = (
        "Du lundi au vendredi, 9 h – 12 h 30 et 14 h – 18 h ; samedi sur rendez-vous"
    )
    row.iban = settings.agency_iban or "FR76 3000 4008 2800 0123 4567 841"
    row.bic = settings.agency_bic or "BNPAFRPPXXX"
    row.login_welcome_text = (
        "Bienvenue sur l'extranet de votre agence : vos documents, vos loyers et vos échanges "
        "avec nos gestionnaires, à tout moment."
    )
    return row


def _staff_user(world: DemoWorld, member: StaffMember) -> User:
    return User(
        email=member.email.lower(),
        display_name=f"{member.first_name} {member.last_name}",
        password_hash=world.password_hash,
        is_agency=True,
        is_admin=member.is_admin,
        is_active=True,
        created_at=world.days_ago(400),
        activated_at=world.days_ago(399),
    )
