"""Sections of the tenant and owner spaces: on or off for everyone, with an override per building.

A section without any setting is on. For one building, its own setting wins over the global one.
A person sees a section when it is on for at least one of their buildings: a tenant's buildings
are those of their current leases (of all their leases once none is current, so a former tenant
keeps their papers), an owner's those of the lots they own. Someone with lots in a building
where Messagerie is off and another where it is on still needs it for the second one; turning a
section off for a building therefore hides it only from people who have nothing elsewhere.

What a section being off means: it is not in the person's navigation, its page sends them back
to their space's home, every handler of its state answers as if they were logged out
(states/session.py), and the download route refuses the documents that belong to it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, case, or_, true
from sqlmodel import Session, col, select

from extranet_app.models import Document, Lease, LeaseTenant, Lot, Ownership, SectionSetting
from extranet_app.models.documents import DocumentCategory, DocumentSource
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.timekeeping import today_in_france

ALWAYS_ON_LABEL = "Tableau de bord"  # the home of each space: it cannot be turned off


class TenantSection(StrEnum):
    """The sections of the tenant space that the agency may turn off."""

    ARREARS = "loyers_impayes"
    DOCUMENTS = "porte_documents"
    RECEIPTS = "quittances"
    INVOICES = "facturations"
    DOCUMENT_REQUESTS = "documents_a_fournir"
    SENT_DOCUMENTS = "documents_envoyes"
    MESSAGES = "messagerie"
    NEWS = "actualites"


class OwnerSection(StrEnum):
    """The sections of the owner space that the agency may turn off."""

    DOCUMENTS = "porte_documents"
    REPORTS = "rapport_de_gestion"
    RENTAL_TRACKING = "suivi_des_locations"
    DOCUMENT_REQUESTS = "documents_a_fournir"
    SEND_DOCUMENTS = "envoi_de_documents"
    SENT_DOCUMENTS = "documents_envoyes"
    MESSAGES = "messagerie"
    NEWS = "actualites"


SectionKey = TenantSection | OwnerSection
# Keys repeat between spaces ("porte_documents"), so labels are looked up per space.
SECTION_LABELS: dict[Space, dict[str, str]] = {
    Space.TENANT: {
        TenantSection.ARREARS: "Loyers impayés",
        TenantSection.DOCUMENTS: "Porte-documents",
        TenantSection.RECEIPTS: "Quittances de loyers",
        TenantSection.INVOICES: "Facturations",
        TenantSection.DOCUMENT_REQUESTS: "Documents à fournir",
        TenantSection.SENT_DOCUMENTS: "Documents envoyés",
        TenantSection.MESSAGES: "Messagerie",
        TenantSection.NEWS: "Actualités",
    },
    Space.OWNER: {
        OwnerSection.DOCUMENTS: "Porte-documents",
        OwnerSection.REPORTS: "Rapport de gestion",
        OwnerSection.RENTAL_TRACKING: "Suivi des locations",
        OwnerSection.DOCUMENT_REQUESTS: "Documents à fournir",
        OwnerSection.SEND_DOCUMENTS: "Envoi de documents",
        OwnerSection.SENT_DOCUMENTS: "Documents envoyés",
        OwnerSection.MESSAGES: "Messagerie",
        OwnerSection.NEWS: "Actualités",
    },
}
SECTION_SPACES = (Space.TENANT, Space.OWNER)


def space_of(section: SectionKey) -> Space:
    """The space a section belongs to."""
    return Space.TENANT if isinstance(section, TenantSection) else Space.OWNER


def section_label(space: Space, section: str) -> str:
    """The French name of a section ("" for an unknown one)."""
    return SECTION_LABELS.get(space, {}).get(section, "")


def is_section(space: object, section: object) -> bool:
    """Whether (`space`, `section`) names a section that can be turned off (browser input)."""
    return (
        isinstance(space, str)
        and isinstance(section, str)
        and section in SECTION_LABELS.get(space, {})  # type: ignore[call-overload]
    )


# --- Whose buildings -----------------------------------------------------------------------------


def _tenant_buildings(session: Session, tenant_ids: Collection[int], today: date) -> set[int]:
    if not tenant_ids:
        return set()
    rows = session.exec(
        select(Lot.property_id, Lease.start_date, Lease.end_date)
        .join(Lease, col(Lease.lot_id) == Lot.id)
        .join(LeaseTenant, col(LeaseTenant.lease_id) == Lease.id)
        .where(col(LeaseTenant.tenant_id).in_(list(tenant_ids)))
    ).all()
    current = {
        building
        for building, start, end in rows
        if start <= today and (end is None or end >= today)
    }
    return current or {building for building, _, _ in rows}


def _owner_buildings(session: Session, owner_ids: Collection[int]) -> set[int]:
    if not owner_ids:
        return set()
    rows = session.exec(
        select(Lot.property_id)
        .join(Ownership, col(Ownership.lot_id) == Lot.id)
        .where(col(Ownership.owner_id).in_(list(owner_ids)))
    ).all()
    return set(rows)


def person_buildings(
    *, session: Session, user: SessionUser, space: Space, today: date | None = None
) -> set[int]:
    """The building ids that decide which sections `user` sees in `space`."""
    if space == Space.TENANT:
        return _tenant_buildings(session, user.tenant_ids, today or today_in_france())
    if space == Space.OWNER:
        return _owner_buildings(session, user.owner_ids)
    return set()


# --- On or off ---------------------------------------------------------------------------------


def _settings(
    session: Session, space: Space, buildings: Collection[int]
) -> dict[str, dict[int | None, bool]]:
    """Every setting of `space` that matters for these buildings: section -> building -> on."""
    where_building = col(SectionSetting.property_id).is_(None)
    if buildings:
        where_building = or_(where_building, col(SectionSetting.property_id).in_(list(buildings)))
    rows = session.exec(
        select(SectionSetting.section, SectionSetting.property_id, SectionSetting.enabled).where(
            SectionSetting.space == space.value, where_building
        )
    ).all()
    found: dict[str, dict[int | None, bool]] = {}
    for section, building, enabled in rows:
        found.setdefault(section, {})[building] = enabled
    return found


def _on_somewhere(settings: dict[int | None, bool], buildings: Collection[int]) -> bool:
    everywhere = settings.get(None, True)
    if not buildings:
        return everywhere
    return any(settings.get(building, everywhere) for building in buildings)


def disabled_sections(
    *, session: Session, user: SessionUser, space: Space, today: date | None = None
) -> frozenset[str]:
    """The sections of `space` that `user` does not see (off in every one of their buildings)."""
    if space not in SECTION_SPACES:
        return frozenset()
    buildings = person_buildings(session=session, user=user, space=space, today=today)
    settings = _settings(session, space, buildings)
    return frozenset(
        section
        for section in SECTION_LABELS[space]
        if not _on_somewhere(settings.get(section, {}), buildings)
    )


def section_enabled(
    *,
    session: Session,
    user: SessionUser,
    space: Space,
    section: str,
    today: date | None = None,
) -> bool:
    """Whether `user` may use `section` of `space`: on for at least one of their buildings (or
    globally, for a person without any building). Unknown sections are refused."""
    if not is_section(space, section):
        return False
    hidden = disabled_sections(session=session, user=user, space=space, today=today)
    return section not in hidden


def refuse_if_disabled(
    *, session: Session, user: SessionUser, section: SectionKey, ip: str = ""
) -> bool:
    """True (and the refusal journaled, committed) when `section` is off for `user`."""
    space = space_of(section)
    if section_enabled(session=session, user=user, space=space, section=section):
        return False
    record_event(
        session=session,
        action="section.refused",
        actor_user_id=user.previewed_by_user_id or user.user_id,
        target_type="section",
        target_id=f"{space.value}:{section.value}"[:40],
        allowed=False,
        ip=ip,
    )
    session.commit()
    return True


# --- Documents of a section --------------------------------------------------------------------

_TENANT_CATEGORIES = {
    TenantSection.RECEIPTS: (
        DocumentCategory.RENT_RECEIPT,
        DocumentCategory.PAYMENT_ACKNOWLEDGEMENT,
    ),
    TenantSection.INVOICES: (DocumentCategory.INVOICE, DocumentCategory.RENT_NOTICE),
}
_OWNER_CATEGORIES = {OwnerSection.REPORTS: (DocumentCategory.MANAGEMENT_REPORT,)}
# The person's own uploads: seen again through any of the sections they are sent from.
_OWN_UPLOAD_SECTIONS = {
    Space.TENANT: (TenantSection.SENT_DOCUMENTS, TenantSection.DOCUMENT_REQUESTS),
    Space.OWNER: (
        OwnerSection.SENT_DOCUMENTS,
        OwnerSection.SEND_DOCUMENTS,
        OwnerSection.DOCUMENT_REQUESTS,
    ),
}
_OWN_SOURCE = {Space.TENANT: DocumentSource.TENANT, Space.OWNER: DocumentSource.OWNER}


@dataclass(frozen=True)
class _DocumentRule:
    condition: ColumnElement[bool]
    sections: tuple[str, ...]  # the document is available if any of these is on


def _document_rules(space: Space) -> list[_DocumentRule]:
    """Which section a document belongs to, first rule matching: an attachment of a message,
    the person's own upload, a category with its own section, else the Porte-documents."""
    messages = TenantSection.MESSAGES if space == Space.TENANT else OwnerSection.MESSAGES
    categories = _TENANT_CATEGORIES if space == Space.TENANT else _OWNER_CATEGORIES
    rules = [
        _DocumentRule(col(Document.message_id).is_not(None), (messages,)),
        _DocumentRule(col(Document.source) == _OWN_SOURCE[space], _OWN_UPLOAD_SECTIONS[space]),
    ]
    rules += [
        _DocumentRule(col(Document.category).in_(list(kinds)), (section,))
        for section, kinds in categories.items()
    ]
    return rules


def documents_condition(*, session: Session, user: SessionUser, space: Space) -> ColumnElement:
    """A SQL condition on Document: true for documents whose section `user` may use in
    `space`. Added to the Porte-documents list and to the download route's lookup."""
    if space not in SECTION_SPACES:
        return true()
    hidden = disabled_sections(session=session, user=user, space=space)
    if not hidden:
        return true()
    documents = TenantSection.DOCUMENTS if space == Space.TENANT else OwnerSection.DOCUMENTS
    rules = _document_rules(space)
    allowed = [index for index, rule in enumerate(rules) if not set(rule.sections) <= hidden]
    fallback = len(rules)  # the Porte-documents
    if documents not in hidden:
        allowed.append(fallback)
    which = case(*[(rule.condition, index) for index, rule in enumerate(rules)], else_=fallback)
    return which.in_(allowed)
